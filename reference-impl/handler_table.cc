#include "handler_table.h"

#include <csignal>
#include <mutex>

namespace sigref {
namespace {

// getsignal() may run in any thread while the main thread sets handlers, so the table has a
// lock. It is never touched from a signal handler, so a mutex is safe here.
std::mutex g_mutex;
Value g_handlers[NSIG];

}  // namespace

Value GetHandler(int signum) {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_handlers[signum];
}

Value ExchangeHandler(int signum, Value handler) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::swap(g_handlers[signum], handler);
  return handler;
}

}  // namespace sigref
