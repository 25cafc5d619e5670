#include "expectations.h"

#include "bounded_file.h"
#include "bounded_json.h"
#include "text.h"

namespace sigconform {
namespace {

std::string Child(const std::string& path, const std::string& key) {
  return JsonPointerChild(path, key);
}

}  // namespace

bool GlobMatches(const std::string& pattern, const std::string& id) {
  // Iterative wildcard matching with one backtrack point: linear enough for ids.
  size_t p = 0, s = 0, star = std::string::npos, mark = 0;
  while (s < id.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = s;
    } else if (p < pattern.size() && pattern[p] == id[s]) {
      ++p;
      ++s;
    } else if (star != std::string::npos) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::vector<CatalogError> ParseExpectations(const nlohmann::json& doc, const std::string& file,
                                            Expectations* out) {
  std::vector<CatalogError> errors;
  if (!doc.is_object()) {
    errors.push_back({file, "", "expected an object {\"<implementation>\": {\"<case id or glob>\": "
                                "\"reason\"}}, got " + std::string(doc.type_name())});
    return errors;
  }
  std::vector<Expectation> entries;
  for (const auto& impl : doc.items()) {
    const std::string ip = Child("", impl.key());
    if (impl.key().empty()) errors.push_back({file, ip, "the implementation name is empty"});
    if (!impl.value().is_object()) {
      errors.push_back({file, ip, "expected an object of case id -> reason, got " +
                                      std::string(impl.value().type_name())});
      continue;
    }
    for (const auto& entry : impl.value().items()) {
      const std::string ep = Child(ip, entry.key());
      if (entry.key().empty()) {
        errors.push_back({file, ep, "the case id or glob is empty"});
        continue;
      }
      if (!entry.value().is_string()) {
        errors.push_back({file, ep, "expected the reason as a string, got " +
                                        std::string(entry.value().type_name())});
        continue;
      }
      if (entry.value().get<std::string>().empty()) {
        errors.push_back({file, ep, "the reason is empty: say why this case fails"});
        continue;
      }
      entries.push_back({impl.key(), entry.key(), entry.value().get<std::string>(), file});
    }
  }
  if (errors.empty()) out->entries.insert(out->entries.end(), entries.begin(), entries.end());
  return errors;
}

std::vector<CatalogError> LoadExpectations(const std::string& path, Expectations* out) {
  std::string text, read_error;
  if (!ReadFileBounded(path, kExpectationFileBounds.max_bytes, &text, &read_error)) {
    return {{path, "", read_error}};
  }
  nlohmann::json doc;
  JsonError error;
  if (!ParseBoundedJson(text, kExpectationFileBounds, &doc, &error)) {
    return {{path, error.json_path, error.message}};
  }
  return ParseExpectations(doc, path, out);
}

void ApplyExpectations(const Expectations& expectations, Result* result) {
  if (result->status != Status::kFail && result->status != Status::kPass) return;
  for (const Expectation& e : expectations.entries) {
    if (e.implementation != result->implementation || !GlobMatches(e.pattern, result->case_id)) {
      continue;
    }
    if (result->status == Status::kFail) {
      result->status = Status::kXfail;
      result->message = "expected failure (" + e.reason + "): " + result->message;
    } else {
      result->status = Status::kXpass;
      result->message = "passed, but " + e.file + " lists it as failing (" + e.reason +
                        "); remove the entry";
    }
    return;
  }
}

}  // namespace sigconform
