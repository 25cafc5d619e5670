#include "trip.h"

#include <cerrno>
#include <csignal>

#include <atomic>

#include "wakeup_fd.h"

namespace sigref {
namespace {

// Lock-free atomics are async-signal-safe; a lock-based fallback would not be.
static_assert(std::atomic<int>::is_always_lock_free, "tripped flags must be lock-free");
static_assert(std::atomic<bool>::is_always_lock_free, "tripped flags must be lock-free");

std::atomic<int> g_tripped[NSIG];
std::atomic<bool> g_any_tripped{false};

}  // namespace

extern "C" void TripSignal(int signum) {
  // Signal-handler context from here on.
  const int saved_errno = errno;
  if (signum > 0 && signum < NSIG) {
    // Record first (per-signal flag, then the global one, with release order so a safe point
    // that sees the global flag also sees the per-signal one)...
    g_tripped[signum].store(1, std::memory_order_release);
    g_any_tripped.store(true, std::memory_order_release);
    // ... then wake whoever waits on the wakeup descriptor.
    WriteWakeupByte(signum);
  }
  errno = saved_errno;
}

bool ConsumeAnyTripped() { return g_any_tripped.exchange(false, std::memory_order_acq_rel); }

void MarkAnyTripped() { g_any_tripped.store(true, std::memory_order_release); }

bool ConsumeTripped(int signum) {
  return g_tripped[signum].exchange(0, std::memory_order_acq_rel) != 0;
}

void ClearAllTripped() {
  g_any_tripped.store(false, std::memory_order_release);
  for (auto& flag : g_tripped) flag.store(0, std::memory_order_release);
}

bool IsTripped(int signum) { return g_tripped[signum].load(std::memory_order_acquire) != 0; }

}  // namespace sigref
