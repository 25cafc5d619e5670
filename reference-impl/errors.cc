#include "errors.h"

#include <cerrno>
#include <cstring>

namespace sigref {
namespace {

// strerror() may share a buffer between threads; strerror_r (GNU form) does not.
std::string Describe(int errnum) {
  char buffer[256];
  return strerror_r(errnum, buffer, sizeof buffer);
}

}  // namespace

OSError::OSError(int errnum)
    : Exception("[Errno " + std::to_string(errnum) + "] " + Describe(errnum)), errno_(errnum) {}

void ThrowOSError(int errnum) {
  // The table of PEP 3151: the errno decides the subclass, so that `except BrokenPipeError`
  // works on what a failed write(2) reports.
  switch (errnum) {
    case EPIPE:
    case ESHUTDOWN:
      throw BrokenPipeError(errnum);
    case EINTR:
      throw InterruptedError(errnum);
    case EAGAIN:
#if EWOULDBLOCK != EAGAIN
    case EWOULDBLOCK:
#endif
    case EALREADY:
    case EINPROGRESS:
      throw BlockingIOError(errnum);
    case ECHILD:
      throw ChildProcessError(errnum);
    case EEXIST:
      throw FileExistsError(errnum);
    case ENOENT:
      throw FileNotFoundError(errnum);
    case EISDIR:
      throw IsADirectoryError(errnum);
    case ENOTDIR:
      throw NotADirectoryError(errnum);
    case EPERM:
    case EACCES:
      throw PermissionError(errnum);
    case ESRCH:
      throw ProcessLookupError(errnum);
    case ETIMEDOUT:
      throw TimeoutError(errnum);
    case ECONNABORTED:
      throw ConnectionAbortedError(errnum);
    case ECONNREFUSED:
      throw ConnectionRefusedError(errnum);
    case ECONNRESET:
      throw ConnectionResetError(errnum);
    default:
      throw OSError(errnum);
  }
}

void ThrowByName(const std::string& type_name, const std::string& message) {
  if (type_name == "BaseException") throw BaseException(message);
  if (type_name == "KeyboardInterrupt") throw KeyboardInterrupt(message);
  if (type_name == "SystemExit") throw SystemExit(message);
  if (type_name == "Exception") throw Exception(message);
  if (type_name == "ValueError") throw ValueError(message);
  if (type_name == "TypeError") throw TypeError(message);
  if (type_name == "ArithmeticError") throw ArithmeticError(message);
  if (type_name == "OverflowError") throw OverflowError(message);
  if (type_name == "RuntimeError") throw RuntimeError(message);
  if (type_name == "NotImplementedError") throw NotImplementedError(message);
  if (type_name == "NameError") throw NameError(message);
  if (type_name == "AttributeError") throw AttributeError(message);
  if (type_name == "OSError") throw OSError(message);
  if (type_name == "ItimerError") throw ItimerError(message);
  throw SystemError("cannot raise unknown exception type " + type_name);
}

std::optional<std::string> ErrnoName(int errnum) {
  // glibc's own table (2.32 and later); it gives "EAGAIN" for 11, as Python's errorcode does.
  const char* name = strerrorname_np(errnum);
  if (name == nullptr) return std::nullopt;
  return std::string(name);
}

}  // namespace sigref
