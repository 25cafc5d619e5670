#include "case_timings.h"

#include <errno.h>
#include <unistd.h>

#include <cmath>
#include <cstring>

#include "bounded_file.h"
#include "bounded_json.h"
#include "report.h"

namespace sigconform {
namespace {

using nlohmann::json;

constexpr int kFormat = 1;
// Two levels of objects under the root; one value per case and implementation, and its key.
constexpr JsonBounds kTimingsBounds{CaseTimings::kMaxFileBytes, 4, 2000000};

bool Usable(double seconds) { return std::isfinite(seconds) && seconds >= 0; }

}  // namespace

bool CaseTimings::Load(const std::string& path, std::string* error) {
  if (access(path.c_str(), F_OK) != 0 && errno == ENOENT) return true;
  std::string text;
  if (!ReadFileBounded(path, kMaxFileBytes, &text, error)) return false;
  json doc;
  JsonError json_error;
  if (!ParseBoundedJson(text, kTimingsBounds, &doc, &json_error)) {
    *error = (json_error.json_path.empty() ? "" : json_error.json_path + ": ") + json_error.message;
    return false;
  }
  if (!doc.is_object() || doc.value("sigconform_timings", json()) != kFormat ||
      !doc.value("implementations", json()).is_object()) {
    *error = "not a timings file of this runner (expected {\"sigconform_timings\": 1, "
             "\"implementations\": {...}})";
    return false;
  }
  for (const auto& impl : doc["implementations"].items()) {
    if (!impl.value().is_object()) continue;
    for (const auto& entry : impl.value().items()) {
      if (entry.value().is_number()) Set(impl.key(), entry.key(), entry.value().get<double>());
    }
  }
  return true;
}

std::optional<double> CaseTimings::Seconds(const std::string& implementation,
                                           const std::string& case_id) const {
  auto impl = seconds_.find(implementation);
  if (impl == seconds_.end()) return std::nullopt;
  auto entry = impl->second.find(case_id);
  if (entry == impl->second.end()) return std::nullopt;
  return entry->second;
}

void CaseTimings::Set(const std::string& implementation, const std::string& case_id,
                      double seconds) {
  if (Usable(seconds)) seconds_[implementation][case_id] = seconds;
}

bool CaseTimings::Save(const std::string& path, std::string* error) const {
  json impls = json::object();
  for (const auto& impl : seconds_) {
    json cases = json::object();
    // Milliseconds are all the order needs; fewer digits keep the file small.
    for (const auto& entry : impl.second) cases[entry.first] = std::round(entry.second * 1000) / 1000;
    impls[impl.first] = std::move(cases);
  }
  const json doc = {{"sigconform_timings", kFormat}, {"implementations", std::move(impls)}};
  // Names come from case files and the command line: never invalid UTF-8 in a file we read back.
  return WriteFileAtomically(path, doc.dump(1, ' ', false, json::error_handler_t::replace) + "\n",
                             error);
}

size_t CaseTimings::size() const {
  size_t n = 0;
  for (const auto& impl : seconds_) n += impl.second.size();
  return n;
}

}  // namespace sigconform
