// The low-level (C-level) signal handler and the flags it sets. This is the only code of the
// reference that runs in signal-handler context: it records that a signal arrived, then writes
// the wakeup byte. Handlers proper run later, at safe points (safe_point.h).
#ifndef SIGREF_TRIP_H_
#define SIGREF_TRIP_H_

namespace sigref {

// The function installed with sigaction() for every signal whose module handler is callable.
// Runs in a signal handler: async-signal-safe only. Saves and restores errno. Sets the
// signal's tripped flag, then the global "something tripped" flag, and only then writes the
// wakeup byte (wakeup_fd.h), so that a reader woken by the byte always finds the record.
extern "C" void TripSignal(int signum);

// Reads and clears the global "something tripped" flag. Safe-point code only.
bool ConsumeAnyTripped();
// Sets the global flag again: a safe point that stopped early leaves work for the next one.
void MarkAnyTripped();
// Reads and clears the flag of `signum`. Safe-point code only.
bool ConsumeTripped(int signum);
// Reads the flag of `signum` without clearing it. May run in a signal handler.
bool IsTripped(int signum);
// Clears every flag: the tripped signals' handlers will not run. Safe-point code only.
void ClearAllTripped();

}  // namespace sigref

#endif  // SIGREF_TRIP_H_
