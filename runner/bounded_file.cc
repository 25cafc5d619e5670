#include "bounded_file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "unique_fd.h"

namespace sigconform {

bool ReadFileBounded(const std::string& path, size_t max_bytes, std::string* text,
                     std::string* error) {
  text->clear();
  int raw;
  do {
    // O_NONBLOCK: opening a FIFO must not hang the loader (it is then refused as not a
    // regular file).
    raw = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  } while (raw < 0 && errno == EINTR);
  if (raw < 0) {
    *error = std::string("cannot read the file: ") + std::strerror(errno);
    return false;
  }
  UniqueFd fd(raw);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) {
    *error = std::string("cannot read the file: ") + std::strerror(errno);
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = "cannot read the file: it is not a regular file";
    return false;
  }
  char buffer[64 * 1024];
  for (;;) {
    ssize_t n = read(fd.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = std::string("cannot read the file: ") + std::strerror(errno);
      text->clear();
      return false;
    }
    if (n == 0) return true;
    const size_t room = max_bytes + 1 - text->size();
    text->append(buffer, std::min(static_cast<size_t>(n), room));
    if (text->size() > max_bytes) {
      *error = "the file is larger than " + std::to_string(max_bytes) + " bytes";
      text->clear();
      return false;
    }
  }
}

}  // namespace sigconform
