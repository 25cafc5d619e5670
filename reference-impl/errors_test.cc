#include "errors.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace sigref {
namespace {

using Mro = std::vector<std::string>;

TEST(Errors, ItimerErrorIsAnOSError) {
  try {
    throw ItimerError(EINVAL);
  } catch (const OSError& e) {
    EXPECT_STREQ(e.TypeName(), "ItimerError");
    EXPECT_EQ(e.Mro(), (Mro{"ItimerError", "OSError", "Exception", "BaseException"}));
    EXPECT_EQ(e.Errno(), EINVAL);
    EXPECT_EQ(e.Message(), "[Errno 22] Invalid argument");
    return;
  }
  FAIL() << "ItimerError was not caught as an OSError";
}

TEST(Errors, KeyboardInterruptIsNotAnException) {
  bool caught_as_exception = false;
  bool caught_as_base = false;
  try {
    try {
      throw KeyboardInterrupt();
    } catch (const Exception&) {
      caught_as_exception = true;
    }
  } catch (const BaseException& e) {
    caught_as_base = true;
    EXPECT_EQ(e.Mro(), (Mro{"KeyboardInterrupt", "BaseException"}));
    EXPECT_EQ(e.Message(), "");
    EXPECT_EQ(e.Errno(), std::nullopt);
  }
  EXPECT_FALSE(caught_as_exception);
  EXPECT_TRUE(caught_as_base);
}

// Which class ThrowOSError picks for an errno, and its MRO.
Mro MroFor(int errnum) {
  try {
    ThrowOSError(errnum);
  } catch (const BaseException& e) {
    return e.Mro();
  }
  return {};
}

TEST(Errors, OSErrorFromErrnoPicksPythonsSubclass) {
  EXPECT_EQ(MroFor(EPIPE), (Mro{"BrokenPipeError", "ConnectionError", "OSError", "Exception",
                                "BaseException"}));
  EXPECT_EQ(MroFor(EINTR), (Mro{"InterruptedError", "OSError", "Exception", "BaseException"}));
  EXPECT_EQ(MroFor(EAGAIN), (Mro{"BlockingIOError", "OSError", "Exception", "BaseException"}));
  EXPECT_EQ(MroFor(ESRCH), (Mro{"ProcessLookupError", "OSError", "Exception", "BaseException"}));
  EXPECT_EQ(MroFor(EINVAL), (Mro{"OSError", "Exception", "BaseException"}));
  EXPECT_EQ(MroFor(EFBIG), (Mro{"OSError", "Exception", "BaseException"}));
}

TEST(Errors, OverflowErrorIsAnArithmeticError) {
  EXPECT_EQ(OverflowError().Mro(),
            (Mro{"OverflowError", "ArithmeticError", "Exception", "BaseException"}));
  EXPECT_EQ(NotImplementedError().Mro(),
            (Mro{"NotImplementedError", "RuntimeError", "Exception", "BaseException"}));
}

TEST(Errors, ErrnoNamesAreSymbolic) {
  EXPECT_EQ(ErrnoName(EINVAL), "EINVAL");
  EXPECT_EQ(ErrnoName(EPIPE), "EPIPE");
  EXPECT_EQ(ErrnoName(EAGAIN), "EAGAIN");
}

TEST(Errors, ThrowByNameRaisesABareInstance) {
  try {
    ThrowByName("OSError");
  } catch (const OSError& e) {
    EXPECT_EQ(e.Errno(), std::nullopt);
    EXPECT_EQ(e.Message(), "");
    return;
  }
  FAIL();
}

}  // namespace
}  // namespace sigref
