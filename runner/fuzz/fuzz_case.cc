// libFuzzer target: the case loader (parse within bounds, validate), and for every case it
// accepts, the program handed to drivers.
#include <cstddef>
#include <cstdint>
#include <string>

#include "case.h"
#include "catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  sigconform::Case c;
  const auto errors = sigconform::ParseAndValidateCase(text, "fuzz.json", "area/name", &c);
  for (const auto& e : errors) (void)sigconform::FormatCatalogError(e);
  if (errors.empty()) (void)sigconform::DriverProgram(c).dump();
  return 0;
}
