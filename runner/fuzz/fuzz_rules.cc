// libFuzzer target: a rule file of spec/rules/ (the Markdown tables), then coverage of the
// index it gives by a case that cites a few rule ids.
#include <cstddef>
#include <cstdint>
#include <string>

#include "case.h"
#include "rules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  sigconform::RuleIndex index;
  sigconform::ParseRuleFile(text, "fuzz.md", &index);
  for (const auto& e : index.errors) (void)sigconform::FormatRuleError(e);
  sigconform::Case c;
  c.id = "area/name";
  c.rules = {"handler.stays-installed", "mask.old-mask-returned"};
  for (const auto& rule : index.rules) c.rules.push_back(rule.id);
  const sigconform::Coverage coverage = sigconform::ComputeCoverage(index, {c});
  (void)sigconform::CoverageJson(index, {c}, coverage).dump();
  return 0;
}
