// Safe points: where module-level handlers run. The interpreter analogue is "between two
// bytecodes"; here it is the driver's step boundaries and the inside of every blocking call.
#ifndef SIGREF_SAFE_POINT_H_
#define SIGREF_SAFE_POINT_H_

#include "value.h"

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

// The frame handlers are called with: an object standing for the code the embedding program is
// running at its safe points (the driver sets one per step), the way an interpreter passes the
// frame of the Python code that was running (rule handler.frame-object). None until one is
// set, the documentation's case of no frame. Main thread only, like CheckSignals itself.
void SetCurrentFrame(const Value& frame);

}  // namespace sigref

#endif  // SIGREF_SAFE_POINT_H_
