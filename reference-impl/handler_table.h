// The module-level handler of each signal, as signal() sets it and getsignal() reports it.
// The low-level handler never reads this table: it only trips flags (trip.h). The table is
// read at safe points, in the main thread, to find what to call.
#ifndef SIGREF_HANDLER_TABLE_H_
#define SIGREF_HANDLER_TABLE_H_

#include "value.h"

namespace sigref {

// The handler of `signum` (1..NSIG-1): Handlers.SIG_DFL, Handlers.SIG_IGN, a callable, or None
// (a disposition the module did not set and that is neither default nor ignore). None before
// Initialize().
Value GetHandler(int signum);

// Replaces the handler of `signum` and returns the previous one. Only bookkeeping: the caller
// installs the matching OS disposition.
Value ExchangeHandler(int signum, Value handler);

}  // namespace sigref

#endif  // SIGREF_HANDLER_TABLE_H_
