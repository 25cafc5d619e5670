#include "handlers.h"

#include <cerrno>
#include <csignal>
#include <cstring>

#include "errors.h"
#include "handler_table.h"
#include "main_thread.h"
#include "names.h"
#include "safe_point.h"
#include "trip.h"

namespace sigref {
namespace {

void CheckRange(int signum) {
  if (!InSignalRange(signum)) throw ValueError("signal number out of range");
}

// The handler as the table stores it: callables as they are, SIG_DFL/SIG_IGN normalised to
// Handlers members (Python compares by value, so 1, True and Handlers.SIG_IGN are the same).
Value Normalise(const Value& handler) {
  if (handler.kind == Value::Kind::kCallable) return handler;
  if (handler.IsIntLike()) {
    const long long n = ToLongLong(handler);
    if (n == 0 || n == 1) return HandlersValue(static_cast<int>(n));
  }
  throw TypeError(
      "signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object");
}

}  // namespace

std::shared_ptr<const Callable> DefaultIntHandler() {
  static const std::shared_ptr<const Callable> handler = [] {
    auto c = std::make_shared<Callable>();
    c->kind = Callable::Kind::kBuiltin;
    c->name = "default_int_handler";
    c->call = [](int, const Value&) { throw KeyboardInterrupt(); };
    return c;
  }();
  return handler;
}

int InstallDisposition(int signum, const Value& handler) {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  if (handler.kind == Value::Kind::kCallable) {
    action.sa_handler = &TripSignal;
  } else {
    action.sa_handler = handler.i == 1 ? SIG_IGN : SIG_DFL;
  }
  if (sigemptyset(&action.sa_mask) != 0) return -1;
  // No SA_RESTART: the documentation says installing a handler implies siginterrupt(True).
  action.sa_flags = SA_ONSTACK;
  return sigaction(signum, &action, nullptr);
}

Value Signal(int signum, const Value& handler) {
  if (!IsMainThread()) {
    throw ValueError("signal only works in main thread of the main interpreter");
  }
  CheckRange(signum);
  const Value normalised = Normalise(handler);
  // Signals that arrived before the change are handled by the handler they arrived under.
  CheckSignals();
  if (InstallDisposition(signum, normalised) != 0) ThrowOSError(errno);
  return ExchangeHandler(signum, normalised);
}

Value GetSignal(int signum) {
  CheckRange(signum);
  return GetHandler(signum);
}

void Siginterrupt(int signum, bool flag) {
  CheckRange(signum);
  struct sigaction action;
  if (sigaction(signum, nullptr, &action) != 0) ThrowOSError(errno);
  if (flag) {
    action.sa_flags &= ~SA_RESTART;
  } else {
    action.sa_flags |= SA_RESTART;
  }
  if (sigaction(signum, &action, nullptr) != 0) ThrowOSError(errno);
}

Value Strsignal(int signum) {
  CheckRange(signum);
  // glibc's strsignal uses a per-thread buffer for the texts it builds, so it is safe here.
  const char* text = strsignal(signum);
  if (text == nullptr || std::strstr(text, "Unknown signal") != nullptr) return Value::None();
  return Value::Str(text);
}

}  // namespace sigref
