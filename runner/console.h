// The runner's own output to the terminal (or whatever its standard output is), written so
// that a reader that goes away early (`sigconform run ... | head -1`) costs nothing but the
// rest of the output: SIGPIPE is ignored, and at the first EPIPE standard output is pointed at
// /dev/null and printing stops, while the run goes on and writes its reports. This follows the
// signal module documentation's own advice for programs whose output is piped.
#ifndef SIGCONFORM_RUNNER_CONSOLE_H_
#define SIGCONFORM_RUNNER_CONSOLE_H_

#include <string>

namespace sigconform {

// Sets SIGPIPE to SIG_IGN for the runner (a write to a pipe without reader then fails with
// EPIPE instead of killing it). Drivers are not affected: launch.h resets every disposition.
// Call once at start-up.
void IgnoreSigpipe();

// Writes `text` to standard output and flushes it. After a write has failed with EPIPE (or
// any other error), standard output is /dev/null and nothing more is written. Text that comes
// from outside (driver output, case files) must go through TerminalText (text.h) first.
void PrintOut(const std::string& text);

// Writes `text` to standard error, unbuffered. Errors are ignored: there is nowhere left to
// report them.
void PrintErr(const std::string& text);

// True once standard output was found closed by its reader.
bool StdoutLost();

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_CONSOLE_H_
