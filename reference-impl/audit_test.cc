#include "audit.h"

#include <pthread.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "errors.h"
#include "sending.h"
#include "test_util.h"

namespace sigref {
namespace {

// Hooks cannot be removed, so one hook for the whole test program records into this list.
std::vector<std::pair<std::string, Value>>& Seen() {
  static std::vector<std::pair<std::string, Value>> seen;
  return seen;
}

void InstallRecorderOnce() {
  static bool installed = false;
  if (installed) return;
  installed = true;
  AddAuditHook([](const std::string& event, const Value& args) {
    if (event.rfind("test.", 0) == 0 || event == "signal.pthread_kill") {
      Seen().emplace_back(event, args);
    }
    if (event == "test.refuse") throw RuntimeError("refused by the hook");
  });
}

TEST(Audit, HooksSeeEventsInOrderWithTheirArguments) {
  sigref::Initialize();
  InstallRecorderOnce();
  Seen().clear();
  Audit("test.one", Value::Tuple({Value::Int(1)}));
  Audit("test.two", Value::Tuple({}));
  ASSERT_EQ(Seen().size(), 2u);
  EXPECT_EQ(Seen()[0].first, "test.one");
  EXPECT_EQ(Seen()[0].second.items.size(), 1u);
  EXPECT_EQ(Seen()[1].first, "test.two");
}

TEST(Audit, AHookThatRaisesStopsTheCaller) {
  sigref::Initialize();
  InstallRecorderOnce();
  EXPECT_THROW(Audit("test.refuse", Value::Tuple({})), RuntimeError);
}

TEST(Audit, PthreadKillRaisesItsEventBeforeSending) {
  sigref::Initialize();
  InstallRecorderOnce();
  Seen().clear();
  const unsigned long self = static_cast<unsigned long>(pthread_self());
  PthreadKill(self, 0);  // signal 0: only the checks, nothing is sent
  ASSERT_EQ(Seen().size(), 1u);
  EXPECT_EQ(Seen()[0].first, "signal.pthread_kill");
  ASSERT_EQ(Seen()[0].second.items.size(), 2u);
  EXPECT_EQ(ToULong(Seen()[0].second.items[0]), self);
  EXPECT_EQ(ToLongLong(Seen()[0].second.items[1]), 0);
}

}  // namespace
}  // namespace sigref
