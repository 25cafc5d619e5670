// Shell-style globs over case ids, shared by the CLI's filters and expectation files.
#ifndef SIGCONFORM_RUNNER_GLOB_H_
#define SIGCONFORM_RUNNER_GLOB_H_

#include <string>

namespace sigconform {

// Whether `id` matches `pattern`, anchored at both ends. The syntax is the shell's:
//   *        any run of characters, none included; '/' too, so "*sigpipe*" finds
//            "sigpipe/ignored-at-startup" (case ids are not file names here)
//   ?        any one character
//   [abc]    one of these; ranges "[a-z]"; "[!abc]" or "[^abc]" negates; a ']' right after
//            the opening bracket (or its '!') is a member
//   \c       the character c itself
// A '[' without its closing ']' and a trailing '\' stand for themselves, as in a shell.
// Characters are bytes. Runs in O(|pattern| * |id|) time, whatever the pattern: no
// backtracking blow-up on patterns such as "*a*a*a*b".
bool GlobMatches(const std::string& pattern, const std::string& id);

// Whether `pattern` uses any glob syntax (*, ?, [ or \); a pattern without any is a plain id.
bool IsGlob(const std::string& pattern);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_GLOB_H_
