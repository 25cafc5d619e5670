// Waiting until descriptors are readable, as the selectors module does: the wait of the
// documentation's HTTP-server example, where a handler writes a byte to a socket pair that the
// main loop is waiting on.
#ifndef SIGREF_SELECTOR_H_
#define SIGREF_SELECTOR_H_

#include <vector>

namespace sigref {

// Waits until at least one of `fds` is ready for reading (data, end of file, or an error
// condition to report), or `timeout` seconds have passed. Returns the ready descriptors in the
// order given; empty at the timeout. PEP 475 semantics, like the calls of blocking.h: a signal
// that interrupts the wait runs a safe point; a handler's exception comes out of this call,
// otherwise the wait goes on with the time that is left. ValueError for a negative or NaN
// timeout; OSError for an invalid descriptor.
std::vector<int> SelectReadable(const std::vector<int>& fds, double timeout);

}  // namespace sigref

#endif  // SIGREF_SELECTOR_H_
