// Reading an input file (a case, an expectation file, a rule file) whole, up to a bound, so
// that a huge or endless file (a FIFO, /dev/zero) is refused instead of filling the memory.
#ifndef SIGCONFORM_RUNNER_BOUNDED_FILE_H_
#define SIGCONFORM_RUNNER_BOUNDED_FILE_H_

#include <cstddef>
#include <string>

namespace sigconform {

// Reads `path` into *text. Returns false with *error set ("cannot read the file: No such file
// or directory", "the file is larger than 1048576 bytes") when it cannot be opened or read,
// is not a regular file (a FIFO, a device), or holds more than `max_bytes` bytes; at most
// max_bytes + 1 bytes are ever held.
// Never throws (except std::bad_alloc).
bool ReadFileBounded(const std::string& path, size_t max_bytes, std::string* text,
                     std::string* error);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_BOUNDED_FILE_H_
