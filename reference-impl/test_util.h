// Helpers shared by the library's tests.
#ifndef SIGREF_TEST_UTIL_H_
#define SIGREF_TEST_UTIL_H_

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <thread>

#include "handlers.h"
#include "names.h"
#include "safe_point.h"
#include "startup.h"
#include "trip.h"
#include "value.h"

namespace sigref_test {

// A callable handler value around a C++ function of the signal number.
inline sigref::Value MakeHandler(std::function<void(int)> body) {
  auto c = std::make_shared<sigref::Callable>();
  c->kind = sigref::Callable::Kind::kOther;
  c->name = "test_handler";
  c->call = [body](int signum, const sigref::Value&) { body(signum); };
  return sigref::Value::Function(c);
}

// Gives each test a clean slate for the signals it touches: on destruction, the handler goes
// back to SIG_DFL and any leftover tripped flag is dropped.
class SignalGuard {
 public:
  explicit SignalGuard(std::initializer_list<int> signals) : signals_(signals) {}
  ~SignalGuard() {
    // Flags first: Signal() runs a safe point, which must not call handlers whose captured
    // locals are already gone.
    for (int signum : signals_) sigref::ConsumeTripped(signum);
    for (int signum : signals_) sigref::Signal(signum, sigref::HandlersValue(0));
  }

 private:
  std::vector<int> signals_;
};

// A thread that, with every signal blocked in itself (so that process-directed signals never
// land on it), sends `signum` to the main thread every `period` until stopped, then optionally
// runs `after`. Stands in for "a signal arrives while the main thread blocks", robustly under
// load: whatever the scheduling, some signal arrives while the call is blocked.
class Pinger {
 public:
  Pinger(int signum, std::chrono::milliseconds period)
      : target_(pthread_self()), thread_([this, signum, period] {
          sigset_t all;
          sigfillset(&all);
          pthread_sigmask(SIG_BLOCK, &all, nullptr);
          while (!stop_.load()) {
            pthread_kill(target_, signum);
            std::this_thread::sleep_for(period);
          }
        }) {}
  ~Pinger() { Stop(); }
  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }

 private:
  pthread_t target_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Seconds since an arbitrary point, monotonic.
inline double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace sigref_test

#endif  // SIGREF_TEST_UTIL_H_
