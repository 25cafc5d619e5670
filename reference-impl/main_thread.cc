#include "main_thread.h"

#include <pthread.h>

#include <atomic>

namespace sigref {
namespace {

// pthread_t is an unsigned long on glibc; threading.get_ident() exposes the same number.
std::atomic<unsigned long> g_main_ident{0};
std::atomic<bool> g_recorded{false};

}  // namespace

void RecordMainThread() {
  g_main_ident.store(static_cast<unsigned long>(pthread_self()));
  g_recorded.store(true);
}

bool IsMainThread() {
  return g_recorded.load() && pthread_equal(static_cast<pthread_t>(g_main_ident.load()),
                                            pthread_self()) != 0;
}

unsigned long MainThreadIdent() { return g_main_ident.load(); }

unsigned long CurrentThreadIdent() { return static_cast<unsigned long>(pthread_self()); }

}  // namespace sigref
