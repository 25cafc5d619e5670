// Warnings the module prints on standard error, the way Python prints "Exception ignored"
// and RuntimeWarning messages: best effort, never raising.
#ifndef SIGREF_STDERR_NOTE_H_
#define SIGREF_STDERR_NOTE_H_

#include <string>

namespace sigref {

// Writes `text` to fd 2 in full (retrying after EINTR and partial writes). Errors are
// dropped: stderr is the last place a warning can go. Not for signal handlers.
void WriteStderr(const std::string& text);

}  // namespace sigref

#endif  // SIGREF_STDERR_NOTE_H_
