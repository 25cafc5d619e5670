#include "audit.h"

#include <mutex>
#include <utility>
#include <vector>

namespace sigref {
namespace {

std::mutex g_hooks_mutex;
std::vector<AuditHook>& Hooks() {
  static std::vector<AuditHook> hooks;
  return hooks;
}

}  // namespace

void AddAuditHook(AuditHook hook) {
  std::lock_guard<std::mutex> lock(g_hooks_mutex);
  Hooks().push_back(std::move(hook));
}

void Audit(const std::string& event, const Value& args) {
  std::vector<AuditHook> hooks;
  {
    // A copy: a hook may add hooks or audit again without deadlocking.
    std::lock_guard<std::mutex> lock(g_hooks_mutex);
    hooks = Hooks();
  }
  for (const AuditHook& hook : hooks) hook(event, args);
}

}  // namespace sigref
