// The exception hierarchy of the reference: C++ classes that mirror the Python built-in
// exceptions the signal module can raise, with real inheritance, so that "ItimerError is an
// OSError" and "KeyboardInterrupt is not an Exception" hold for `catch` clauses exactly as they
// hold for Python's `except` clauses.
#ifndef SIGREF_ERRORS_H_
#define SIGREF_ERRORS_H_

#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace sigref {

// The root. Everything the reference throws at a caller derives from it; a driver catches it
// once and reports TypeName(), Mro(), Errno() and Message().
class BaseException : public std::exception {
 public:
  // `message` is what Python's str() of the exception gives ("" for a bare `raise X`).
  explicit BaseException(std::string message = "") : message_(std::move(message)) {}

  // The Python class name, e.g. "BrokenPipeError".
  virtual const char* TypeName() const { return "BaseException"; }
  // The class and its bases, most derived first, without `object`.
  virtual std::vector<std::string> Mro() const { return {"BaseException"}; }
  // The errno of OSError kinds; nullopt for every other kind and for an OSError built without
  // one.
  virtual std::optional<int> Errno() const { return std::nullopt; }
  // str() of the exception.
  const std::string& Message() const { return message_; }
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  std::string message_;
};

// Declares `Name` as a subclass of `Base` whose Python name is the C++ name. The MRO is the
// base's MRO with this class in front, so it can never disagree with the C++ inheritance.
// The reference driver declares its own exceptions (FillLimitExceeded, NotBlocked) with it too.
#define SIGREF_DECLARE_EXCEPTION(Name, Base)                       \
  class Name : public Base {                                       \
   public:                                                         \
    using Base::Base;                                              \
    const char* TypeName() const override { return #Name; }        \
    std::vector<std::string> Mro() const override {                \
      std::vector<std::string> mro = Base::Mro();                  \
      mro.insert(mro.begin(), #Name);                              \
      return mro;                                                  \
    }                                                              \
  };

// Not Exception subclasses: a handler that raises these is meant to end the program, and
// `except Exception` must not swallow them.
SIGREF_DECLARE_EXCEPTION(KeyboardInterrupt, BaseException)
SIGREF_DECLARE_EXCEPTION(SystemExit, BaseException)

SIGREF_DECLARE_EXCEPTION(Exception, BaseException)
SIGREF_DECLARE_EXCEPTION(ValueError, Exception)
SIGREF_DECLARE_EXCEPTION(TypeError, Exception)
SIGREF_DECLARE_EXCEPTION(ArithmeticError, Exception)
SIGREF_DECLARE_EXCEPTION(OverflowError, ArithmeticError)
SIGREF_DECLARE_EXCEPTION(RuntimeError, Exception)
SIGREF_DECLARE_EXCEPTION(NotImplementedError, RuntimeError)
SIGREF_DECLARE_EXCEPTION(NameError, Exception)
SIGREF_DECLARE_EXCEPTION(AttributeError, Exception)
SIGREF_DECLARE_EXCEPTION(SystemError, Exception)

// OSError carries an errno. Built from an errno, its message is "[Errno N] <strerror>", the
// way Python prints it; built from a text alone it has no errno.
class OSError : public Exception {
 public:
  OSError() = default;
  explicit OSError(int errnum);
  explicit OSError(std::string message) : Exception(std::move(message)) {}
  const char* TypeName() const override { return "OSError"; }
  std::vector<std::string> Mro() const override {
    std::vector<std::string> mro = Exception::Mro();
    mro.insert(mro.begin(), "OSError");
    return mro;
  }
  std::optional<int> Errno() const override { return errno_; }

 private:
  std::optional<int> errno_;  // nullopt when built without an errno.
};

// The subclasses Python picks from an errno (see ThrowOSError), and the module's own one.
SIGREF_DECLARE_EXCEPTION(ItimerError, OSError)  // setitimer()/getitimer() failures.
SIGREF_DECLARE_EXCEPTION(InterruptedError, OSError)
SIGREF_DECLARE_EXCEPTION(BlockingIOError, OSError)
SIGREF_DECLARE_EXCEPTION(ChildProcessError, OSError)
SIGREF_DECLARE_EXCEPTION(FileExistsError, OSError)
SIGREF_DECLARE_EXCEPTION(FileNotFoundError, OSError)
SIGREF_DECLARE_EXCEPTION(IsADirectoryError, OSError)
SIGREF_DECLARE_EXCEPTION(NotADirectoryError, OSError)
SIGREF_DECLARE_EXCEPTION(PermissionError, OSError)
SIGREF_DECLARE_EXCEPTION(ProcessLookupError, OSError)
SIGREF_DECLARE_EXCEPTION(TimeoutError, OSError)
SIGREF_DECLARE_EXCEPTION(ConnectionError, OSError)
SIGREF_DECLARE_EXCEPTION(BrokenPipeError, ConnectionError)
SIGREF_DECLARE_EXCEPTION(ConnectionAbortedError, ConnectionError)
SIGREF_DECLARE_EXCEPTION(ConnectionRefusedError, ConnectionError)
SIGREF_DECLARE_EXCEPTION(ConnectionResetError, ConnectionError)

// Throws the OSError subclass Python would raise for `errnum` (EPIPE -> BrokenPipeError,
// EINTR -> InterruptedError, EAGAIN -> BlockingIOError, ...; plain OSError otherwise).
[[noreturn]] void ThrowOSError(int errnum);

// Throws a bare instance (empty message, no errno) of the exception class named `type_name`,
// as `raise TypeName` does in Python. Throws SystemError for a name it does not know.
[[noreturn]] void ThrowByName(const std::string& type_name, const std::string& message = "");

// The symbolic name of an errno ("EINVAL"), or nullopt if the platform has none.
std::optional<std::string> ErrnoName(int errnum);

}  // namespace sigref

#endif  // SIGREF_ERRORS_H_
