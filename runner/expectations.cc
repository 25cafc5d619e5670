#include "expectations.h"

#include "bounded_file.h"
#include "bounded_json.h"
#include <fstream>
#include <sstream>

#include "report_read.h"
#include "status_table.h"
#include "text.h"

namespace sigconform {
namespace {

using nlohmann::json;

const char* const kEntryKeys[] = {"status", "reason", "link", "step", "observed",
                                  "platforms", "since", "until"};

bool IsVersion(const std::string& v) {
  if (v.empty() || v.size() > 20 || v.front() == '.' || v.back() == '.') return false;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '.' && v[i - 1] == '.') return false;
    if (v[i] != '.' && (v[i] < '0' || v[i] > '9')) return false;
  }
  return true;
}

bool IsStepPath(const std::string& s) {
  if (s.empty() || s.size() > 64 || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.' && s[i - 1] == '.') return false;
    if (s[i] != '.' && (s[i] < '0' || s[i] > '9')) return false;
  }
  return true;
}

std::string PinnableNames() {
  std::string out;
  for (const StatusInfo& info : StatusTable()) {
    if (!info.pinnable) continue;
    out += (out.empty() ? "" : ", ") + std::string(StatusName(info.status));
  }
  return out;
}

// Parses one entry (a string or an object) at `path`; false (with errors added) when broken.
bool ParseEntry(const json& v, const std::string& path, const std::string& file,
                Expectation* e, std::vector<CatalogError>* errors) {
  const size_t before = errors->size();
  e->json_path = path;
  e->pinned.file = file;
  if (v.is_string()) {
    e->pinned.status = Status::kFail;
    e->pinned.reason = v.get<std::string>();
    if (e->pinned.reason.empty()) errors->push_back({file, path, "the reason is empty: say why this case fails"});
    return errors->size() == before;
  }
  if (!v.is_object()) {
    errors->push_back({file, path, std::string("expected a reason (a string), an object "
                                               "{\"status\", \"reason\", ...} or a list of them, got ") +
                                       v.type_name()});
    return false;
  }
  for (const auto& item : v.items()) {
    bool known = false;
    for (const char* k : kEntryKeys) known = known || item.key() == k;
    if (!known) {
      std::string list;
      for (const char* k : kEntryKeys) list += (list.empty() ? "" : ", ") + std::string(k);
      errors->push_back({file, JsonPointerChild(path, item.key()),
                         "unknown key '" + item.key() + "'; expected one of: " + list});
    }
  }
  const auto str = [&](const char* key, bool required) -> std::string {
    auto it = v.find(key);
    if (it == v.end()) {
      if (required) errors->push_back({file, path, std::string("missing required key '") + key + "'"});
      return "";
    }
    if (!it->is_string() || it->get<std::string>().empty()) {
      errors->push_back({file, JsonPointerChild(path, key), "expected a non-empty string"});
      return "";
    }
    return it->get<std::string>();
  };
  const std::string status = str("status", true);
  if (!status.empty()) {
    std::optional<Status> s = StatusFromName(status);
    if (!s || !InfoOf(*s).pinnable) {
      errors->push_back({file, JsonPointerChild(path, "status"),
                         "'" + status + "' cannot be pinned; expected one of: " + PinnableNames()});
    } else {
      e->pinned.status = *s;
    }
  }
  e->pinned.reason = str("reason", true);
  e->pinned.link = str("link", false);
  e->pinned.step = str("step", false);
  if (!e->pinned.step.empty() && !IsStepPath(e->pinned.step)) {
    errors->push_back({file, JsonPointerChild(path, "step"), "expected a step path such as \"3\" or \"2.1\""});
  }
  if (v.contains("observed")) e->pinned.observed = v["observed"];
  if (v.contains("platforms")) {
    const json& p = v["platforms"];
    if (!p.is_array() || p.empty()) {
      errors->push_back({file, JsonPointerChild(path, "platforms"), "expected a non-empty list of platform words"});
    } else {
      for (const json& word : p) {
        if (!word.is_string() || word.get<std::string>().empty()) {
          errors->push_back({file, JsonPointerChild(path, "platforms"), "expected platform words (strings)"});
          break;
        }
        e->platforms.push_back(word.get<std::string>());
      }
    }
  }
  e->since = str("since", false);
  e->until = str("until", false);
  for (const auto& [key, value] : {std::pair<const char*, const std::string*>{"since", &e->since},
                                   {"until", &e->until}}) {
    if (!value->empty() && !IsVersion(*value)) {
      errors->push_back({file, JsonPointerChild(path, key), "expected a version such as \"3.10\""});
    }
  }
  e->plain = e->platforms.empty() && e->since.empty() && e->until.empty();
  return errors->size() == before;
}

bool ConditionsHold(const Expectation& e, const Description* d) {
  if (e.platforms.empty() && e.since.empty() && e.until.empty()) return true;
  if (d == nullptr) return false;
  if (!e.platforms.empty() && !PlatformMatches(e.platforms, d->platform)) return false;
  if (!e.since.empty() && CompareVersions(d->language_version, e.since) < 0) return false;
  if (!e.until.empty() && CompareVersions(d->language_version, e.until) >= 0) return false;
  return true;
}

std::string Pinned(const AppliedExpectation& p) {
  std::string out = StatusName(p.status);
  if (!p.step.empty()) out += " at step " + p.step;
  if (!p.observed.is_null()) out += " observing " + p.observed.dump(-1, ' ', false, json::error_handler_t::replace);
  return out;
}

}  // namespace

std::vector<CatalogError> ParseExpectations(const json& doc, const std::string& file,
                                            Expectations* out) {
  std::vector<CatalogError> errors;
  if (!doc.is_object()) {
    errors.push_back({file, "", "expected an object {\"<implementation>\": {\"<case id or glob>\": "
                                "\"reason\" or {\"status\": ..., \"reason\": ...}}}, got " +
                                    std::string(doc.type_name())});
    return errors;
  }
  std::vector<Expectation> entries;
  for (const auto& impl : doc.items()) {
    const std::string ip = JsonPointerChild("", impl.key());
    if (impl.key().empty()) errors.push_back({file, ip, "the implementation name is empty"});
    if (!impl.value().is_object()) {
      errors.push_back({file, ip, "expected an object of case id -> expectation, got " +
                                      std::string(impl.value().type_name())});
      continue;
    }
    for (const auto& entry : impl.value().items()) {
      const std::string ep = JsonPointerChild(ip, entry.key());
      if (entry.key().empty()) {
        errors.push_back({file, ep, "the case id or glob is empty"});
        continue;
      }
      const json& v = entry.value();
      std::vector<std::pair<const json*, std::string>> alternatives;
      if (v.is_array()) {
        if (v.empty()) errors.push_back({file, ep, "an empty list pins nothing"});
        for (size_t i = 0; i < v.size(); ++i) alternatives.push_back({&v[i], ep + "/" + std::to_string(i)});
      } else {
        alternatives.push_back({&v, ep});
      }
      for (const auto& [value, path] : alternatives) {
        if (entries.size() >= kMaxExpectationEntries) {
          errors.push_back({file, path, "more than " + std::to_string(kMaxExpectationEntries) + " entries"});
          return errors;
        }
        Expectation e;
        e.implementation = impl.key();
        e.pattern = entry.key();
        if (ParseEntry(*value, path, file, &e, &errors)) {
          e.plain = e.plain && !v.is_array();
          entries.push_back(std::move(e));
        }
      }
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

std::vector<CatalogError> CheckExpectations(const Expectations& expectations,
                                            const std::set<std::string>& catalog_ids,
                                            const std::set<std::string>& implementation_names) {
  std::vector<CatalogError> errors;
  std::set<std::pair<std::string, std::string>> reported;  // (file, implementation)
  for (const Expectation& e : expectations.entries) {
    if (!implementation_names.count(e.implementation) &&
        reported.insert({e.pinned.file, e.implementation}).second) {
      std::string known;
      for (const std::string& n : implementation_names) known += (known.empty() ? "" : ", ") + n;
      errors.push_back({e.pinned.file, JsonPointerChild("", e.implementation),
                        "'" + e.implementation + "' is no implementation; known: " + known});
    }
    if (!IsGlob(e.pattern)) {
      if (!catalog_ids.count(e.pattern)) {
        errors.push_back({e.pinned.file, e.json_path, "'" + e.pattern + "' is no case of the catalog"});
      }
      continue;
    }
    bool any = false;
    for (const std::string& id : catalog_ids) {
      if (GlobMatches(e.pattern, id)) {
        any = true;
        break;
      }
    }
    if (!any) errors.push_back({e.pinned.file, e.json_path, "'" + e.pattern + "' matches no case of the catalog"});
  }
  return errors;
}

void ApplyExpectations(const Expectations& expectations, const Description* description,
                       Result* result) {
  switch (result->status) {
    case Status::kNotApplicable:
    case Status::kUnsupported:
    case Status::kNotRun:
    case Status::kEmulatedConforming:
    case Status::kEmulatedDiverging:
    case Status::kXfail:
    case Status::kXpass:
      return;
    default:
      break;
  }
  for (const Expectation& e : expectations.entries) {
    if (e.implementation != result->implementation || !GlobMatches(e.pattern, result->case_id) ||
        !ConditionsHold(e, description)) {
      continue;
    }
    const AppliedExpectation& p = e.pinned;
    result->expectation = p;
    const std::string where = p.file + e.json_path;
    if (p.status == Status::kFlaky) {
      // A flaky pin takes the case out of the gate: any verdict is as expected.
      if (result->status != Status::kPass) {
        result->message = "expected: flaky (" + p.reason + "): " + result->message;
        result->status = Status::kXfail;
      }
      return;
    }
    if (result->status == Status::kPass) {
      result->status = Status::kXpass;
      result->message = "passed, but " + where + " pins " + Pinned(p) + " (" + p.reason +
                        "); remove the entry";
      return;
    }
    const bool same = result->status == p.status && (p.step.empty() || p.step == result->step) &&
                      (p.observed.is_null() || p.observed == result->observed);
    if (same) {
      result->message = "expected " + std::string(StatusName(p.status)) + " (" + p.reason + "): " +
                        result->message;
      result->status = Status::kXfail;
    } else {
      std::string got = StatusName(result->status);
      if (!result->step.empty()) got += " at step " + result->step;
      result->message = "not the failure " + where + " pins (" + Pinned(p) + ", " + p.reason +
                        "); got " + got + ": " + result->message;
    }
    return;
  }
}

json UpdatedExpectations(const json& existing, const std::vector<Result>& results) {
  json doc = existing.is_object() ? existing : json::object();
  for (const Result& r : results) {
    json* entries = doc.contains(r.implementation) && doc[r.implementation].is_object()
                        ? &doc[r.implementation]
                        : nullptr;
    const json* current = entries != nullptr && entries->contains(r.case_id) ? &(*entries)[r.case_id] : nullptr;
    const bool conditional =
        current != nullptr && (current->is_array() ||
                               (current->is_object() && (current->contains("platforms") ||
                                                         current->contains("since") ||
                                                         current->contains("until"))));
    if (conditional) continue;
    if (r.status == Status::kXpass) {
      if (current != nullptr) entries->erase(r.case_id);
      continue;
    }
    if (!IsUnexpected(r.status) || !InfoOf(r.status).pinnable) continue;
    json entry = {{"status", StatusName(r.status)}};
    if (!r.step.empty()) entry["step"] = r.step;
    std::string reason;
    if (current != nullptr && current->is_string()) reason = current->get<std::string>();
    if (current != nullptr && current->is_object() && current->value("reason", json()).is_string()) {
      reason = (*current)["reason"].get<std::string>();
      if ((*current).value("link", json()).is_string()) entry["link"] = (*current)["link"];
    }
    if (reason.empty()) {
      // The message of a result already pinned differently starts with what was pinned; the
      // reason is what was seen, for people to replace with the why.
      reason = SanitizeUtf8(r.message.substr(0, 300));
      if (reason.empty()) reason = std::string("observed ") + StatusName(r.status);
    }
    entry["reason"] = reason;
    if (entries == nullptr) {
      doc[r.implementation] = json::object();
      entries = &doc[r.implementation];
    }
    (*entries)[r.case_id] = entry;
  }
  for (auto it = doc.begin(); it != doc.end();) {
    if (it->is_object() && it->empty()) {
      it = doc.erase(it);
    } else {
      ++it;
    }
  }
  return doc;
}

}  // namespace sigconform
