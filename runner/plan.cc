#include "plan.h"

#include <algorithm>
#include <climits>
#include <vector>

#include "emulation.h"

namespace sigconform {
namespace {

using nlohmann::json;

const char* const kUnix[] = {"linux", "darwin", "freebsd", "netbsd", "openbsd"};

bool WordCovers(const std::string& word, const std::string& platform) {
  if (word == platform) return true;
  if (word != "unix") return false;
  for (const char* u : kUnix) {
    if (platform == u) return true;
  }
  return false;
}

// The leading numbers of a version: "6.1.0-13-amd64" -> {6, 1, 0}, "3.13.0rc1" -> {3, 13, 0}.
std::vector<long> VersionParts(const std::string& v) {
  std::vector<long> parts;
  size_t i = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
    long n = 0;
    while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
      if (n < 100000000) n = n * 10 + (v[i] - '0');
      ++i;
    }
    parts.push_back(n);
    if (i + 1 < v.size() && v[i] == '.' && v[i + 1] >= '0' && v[i + 1] <= '9') {
      ++i;
    } else {
      break;
    }
  }
  return parts;
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

bool StringField(const json& r, const char* key, std::string* out, std::string* error) {
  auto it = r.find(key);
  if (it == r.end() || !it->is_string() || it->get<std::string>().empty()) {
    if (error) *error = std::string("describe record: '") + key + "' must be a non-empty string";
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

bool StringSet(const json& r, const char* key, std::set<std::string>* out, std::string* error) {
  auto it = r.find(key);
  if (it == r.end() || !it->is_array()) {
    if (error) *error = std::string("describe record: '") + key + "' must be a list of strings";
    return false;
  }
  for (const auto& item : *it) {
    if (!item.is_string()) {
      if (error) *error = std::string("describe record: '") + key + "' holds a non-string " + item.dump();
      return false;
    }
    out->insert(item.get<std::string>());
  }
  return true;
}

}  // namespace

bool PlatformMatches(const std::vector<std::string>& platforms, const std::string& platform) {
  bool any_positive = false, included = false;
  for (const auto& p : platforms) {
    if (!p.empty() && p[0] == '!') {
      if (WordCovers(p.substr(1), platform)) return false;
    } else {
      any_positive = true;
      included = included || WordCovers(p, platform);
    }
  }
  return !any_positive || included;
}

int CompareVersions(const std::string& a, const std::string& b) {
  std::vector<long> x = VersionParts(a), y = VersionParts(b);
  const size_t n = std::max(x.size(), y.size());
  x.resize(n, 0);
  y.resize(n, 0);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

std::optional<Description> ParseDescription(const json& record, std::string* error) {
  if (!record.is_object()) {
    if (error) *error = "describe record: not a JSON object";
    return std::nullopt;
  }
  if (record.value("ev", json()) != "describe") {
    if (error) *error = "describe record: 'ev' must be \"describe\"";
    return std::nullopt;
  }
  const json protocol = record.value("protocol", json());
  if (!protocol.is_number_integer() || protocol.get<long long>() != 1) {
    if (error) *error = "describe record: protocol " + protocol.dump() + " is not 1";
    return std::nullopt;
  }
  Description d;
  if (!StringField(record, "implementation", &d.implementation, error) ||
      !StringField(record, "language_version", &d.language_version, error) ||
      !StringField(record, "platform", &d.platform, error) ||
      !StringField(record, "machine", &d.machine, error) ||
      !StringField(record, "executable", &d.executable, error) ||
      !StringSet(record, "names", &d.names, error) ||
      !StringSet(record, "operations", &d.operations, error)) {
    return std::nullopt;
  }
  if (VersionParts(d.language_version).empty()) {
    if (error) *error = "describe record: language_version '" + d.language_version +
                        "' does not start with a number";
    return std::nullopt;
  }
  if (auto it = record.find("kernel"); it != record.end() && !it->is_null()) {
    if (!it->is_string()) {
      if (error) *error = "describe record: 'kernel' must be a string or null";
      return std::nullopt;
    }
    d.kernel = it->get<std::string>();
  }
  if (auto it = record.find("constants"); it != record.end()) {
    if (!it->is_object() || it->size() > 64) {
      if (error) *error = "describe record: 'constants' must be an object of at most 64 numbers";
      return std::nullopt;
    }
    for (const auto& item : it->items()) {
      if (!item.value().is_number_integer() ||
          (item.value().is_number_unsigned() &&
           item.value().get<unsigned long long>() > static_cast<unsigned long long>(LLONG_MAX))) {
        if (error) *error = "describe record: constants '" + item.key() + "' is not a 64-bit integer: " +
                            item.value().dump();
        return std::nullopt;
      }
      d.constants[item.key()] = item.value().get<long long>();
    }
  }
  if (auto it = record.find("fork_server"); it != record.end()) {
    if (!it->is_boolean()) {
      if (error) *error = "describe record: 'fork_server' must be true or false";
      return std::nullopt;
    }
    d.fork_server = it->get<bool>();
  }
  d.raw = record;
  return d;
}

Applicability Plan(const Case& c, const Description& d,
                   const std::vector<std::string>& availabilities,
                   const std::set<std::string>& documented_absent) {
  using A = Applicability;
  const bool emulated_platform = IsEmulatedPlatform(d.platform);
  const bool emulated =
      emulated_platform &&
      (JudgementOf(availabilities) == Judgement::kEmulated || !NativeNeed(c).empty());
  if (emulated_platform ? !EmulatedPlatformMatches(c.platforms, d.platform)
                        : !PlatformMatches(c.platforms, d.platform)) {
    return {A::kNotApplicable, "the case applies to " + Join(c.platforms) +
                                   "; the implementation runs on " + d.platform};
  }
  // A driver on Linux that does not report its kernel is judged as if the minimum were met:
  // the case then runs and shows what happens, rather than hiding behind missing data.
  if (c.kernel && d.platform == "linux" && d.kernel &&
      CompareVersions(*d.kernel, *c.kernel) < 0) {
    return {A::kNotApplicable, "the case needs Linux " + *c.kernel + " or later; the kernel is " +
                                   *d.kernel};
  }
  if (CompareVersions(d.language_version, c.since) < 0) {
    return {A::kNotApplicable, "the behaviour is documented since " + c.since +
                                   "; the implementation claims " + d.language_version};
  }
  if (c.until && CompareVersions(d.language_version, *c.until) >= 0) {
    return {A::kNotApplicable, "the behaviour changed in " + *c.until + " (the case covers " +
                                   c.since + " up to " + *c.until + "); the implementation claims " +
                                   d.language_version};
  }
  std::vector<std::string> lacking;
  for (const auto& name : c.requires_names) {
    if (!d.names.count(name)) lacking.push_back("signal." + name);
  }
  bool all_documented_absent = !lacking.empty();
  for (const auto& name : c.requires_names) {
    if (!d.names.count(name) && !documented_absent.count(name)) all_documented_absent = false;
  }
  if (!lacking.empty() && (emulated || (emulated_platform && all_documented_absent))) {
    const bool one = lacking.size() == 1;
    return {A::kNotApplicable,
            Join(lacking) + (one ? " is" : " are") + " absent on " + d.platform +
                ", where the documentation says signals are emulated and many functions are "
                "not available"};
  }
  if (!lacking.empty()) {
    const bool one = lacking.size() == 1;
    return {A::kMissing, Join(lacking) + (one ? " is" : " are") + " documented for " + c.since +
                             " on " + d.platform + " and the implementation lacks " +
                             (one ? "it" : "them")};
  }
  // Every action the driver cannot perform here, not only the first: the implementer sees at
  // once what is left to do.
  std::vector<std::string> unsupported;
  for (const auto& op : c.operations) {
    if (!d.operations.count(op)) unsupported.push_back("'" + op + "'");
  }
  if (!unsupported.empty()) {
    const bool one = unsupported.size() == 1;
    return {A::kUnsupported, std::string("the driver cannot perform the step action") +
                                 (one ? " " : "s ") + Join(unsupported) + " on this runtime"};
  }
  return {A::kRun, "", emulated};
}

}  // namespace sigconform
