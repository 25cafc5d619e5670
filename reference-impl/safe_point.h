// Safe points: where module-level handlers run. The interpreter analogue is "between two
// bytecodes"; here it is the driver's step boundaries and the inside of every blocking call.
#ifndef SIGREF_SAFE_POINT_H_
#define SIGREF_SAFE_POINT_H_

namespace sigref {

// Runs the handlers of the signals that tripped since the last safe point. Outside the main
// thread it returns at once (handlers run only in the main thread). Signals are scanned in
// ascending order; each flag is cleared before its handler is called, so a signal arriving
// during the handler is seen again. When a handler throws, the signals not yet scanned stay
// pending for the next safe point and the exception propagates to the caller.
// A tripped signal whose handler is no longer callable (it was reset in between) is skipped
// with a note on stderr, because there is nothing to call and nobody to raise at.
// Also reports a lost wakeup byte (wakeup_fd.h).
void CheckSignals();

}  // namespace sigref

#endif  // SIGREF_SAFE_POINT_H_
