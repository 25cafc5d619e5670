// libFuzzer target: an expectation file (parse within bounds, check, apply to results).
#include <cstddef>
#include <cstdint>
#include <string>

#include "bounded_json.h"
#include "expectations.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nlohmann::json doc;
  sigconform::JsonError error;
  if (!sigconform::ParseBoundedJson(text, sigconform::kExpectationFileBounds, &doc, &error)) {
    return 0;
  }
  sigconform::Expectations expectations;
  (void)sigconform::ParseExpectations(doc, "fuzz.json", &expectations);
  for (const char* id : {"masks/block-returns-previous-mask", "a/b", ""}) {
    for (sigconform::Status s : {sigconform::Status::kPass, sigconform::Status::kFail}) {
      sigconform::Result r;
      r.case_id = id;
      r.implementation = "pypy";
      r.status = s;
      sigconform::ApplyExpectations(expectations, /*description=*/nullptr, &r);
    }
  }
  return 0;
}
