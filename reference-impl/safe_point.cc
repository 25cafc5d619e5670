#include "safe_point.h"

#include <csignal>
#include <string>

#include "handler_table.h"
#include "main_thread.h"
#include "stderr_note.h"
#include "trip.h"
#include "value.h"
#include "wakeup_fd.h"

namespace sigref {
namespace {

// Read and written by the main thread only (CheckSignals returns early everywhere else).
Value& CurrentFrame() {
  static Value frame;
  return frame;
}

}  // namespace

void SetCurrentFrame(const Value& frame) { CurrentFrame() = frame; }

void CheckSignals() {
  if (!IsMainThread()) return;
  ReportWakeupFailure();
  if (!ConsumeAnyTripped()) return;
  for (int signum = 1; signum < NSIG; ++signum) {
    if (!ConsumeTripped(signum)) continue;
    const Value handler = GetHandler(signum);
    if (handler.kind != Value::Kind::kCallable) {
      WriteStderr("Signal " + std::to_string(signum) +
                  " arrived but its handler was replaced by a non-callable one; ignored\n");
      continue;
    }
    try {
      handler.callable->call(signum, CurrentFrame());
    } catch (...) {
      // Signals after this one were not looked at: keep them for the next safe point.
      MarkAnyTripped();
      throw;
    }
  }
}

}  // namespace sigref
