// The case validator: `expect`, matchers, handler and audit events (spec/case-format.md,
// "Expectations" and "Matchers").
#include "case_validator.h"

#include <cstdlib>

namespace sigconform {

using nlohmann::json;

namespace {

// The protocol path ("3", "3.1") of the step whose expectation is at `pointer`, a JSON Pointer
// such as "/steps/3/steps/1/expect": the index after each "steps".
std::string StepPathOf(const std::string& pointer) {
  std::vector<std::string> parts;
  size_t at = 0;
  while (at < pointer.size()) {
    size_t slash = pointer.find('/', at + 1);
    if (slash == std::string::npos) slash = pointer.size();
    parts.push_back(pointer.substr(at + 1, slash - at - 1));
    at = slash;
  }
  std::string path;
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] != "steps") continue;
    path += (path.empty() ? "" : ".") + parts[i + 1];
  }
  return path;
}

std::vector<long> PathNumbers(const std::string& path) {
  std::vector<long> numbers;
  size_t at = 0;
  while (at <= path.size()) {
    size_t dot = path.find('.', at);
    if (dot == std::string::npos) dot = path.size();
    numbers.push_back(std::strtol(path.c_str() + at, nullptr, 10));
    at = dot + 1;
  }
  return numbers;
}

// Whether step `from` surely starts before step `to` starts, in `to`'s own thread of control:
// `from` is an ancestor of `to` (the `thread` or `fork` step whose sub-steps include it), or
// an earlier step of the same sequence as `to` or as one of its ancestors. A step of another
// thread is never surely earlier.
bool StartsBefore(const std::string& from, const std::string& to) {
  const std::vector<long> a = PathNumbers(from), b = PathNumbers(to);
  if (a.size() > b.size()) return false;
  for (size_t i = 0; i + 1 < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  const size_t last = a.size() - 1;
  return a.size() < b.size() ? a[last] <= b[last] : a[last] < b[last];
}

}  // namespace

void CaseValidator::Expect(const json& v, const std::string& path, const Scope& scope) {
  if (!IsObject(v, path)) return;
  Keys(v, path, {"returns", "raises", "events", "elapsed", "elapsed_from", "audit"}, {});
  if (v.empty()) Error(path, "an empty 'expect' checks nothing; say what to expect");
  if (v.contains("returns") && v.contains("raises")) {
    Error(path, "'raises' and 'returns' cannot both be given: a step either returns or raises");
  }
  if (auto it = v.find("returns"); it != v.end()) Matcher(*it, Child(path, "returns"), scope);
  if (auto it = v.find("raises"); it != v.end()) Raises(*it, Child(path, "raises"));
  if (auto it = v.find("events"); it != v.end()) Events(*it, Child(path, "events"));
  if (auto it = v.find("audit"); it != v.end()) Audit(*it, Child(path, "audit"), scope);
  if (auto it = v.find("elapsed"); it != v.end()) {
    const std::string p = Child(path, "elapsed");
    if (!IsArray(*it, p)) return;
    if (it->size() != 2) {
      Error(p, "expected [lo, hi] seconds, got " + std::to_string(it->size()) + " items");
      return;
    }
    bool ok = true;
    for (size_t i = 0; i < 2; ++i) {
      const std::string ip = Child(p, i);
      if (!IsNumber((*it)[i], ip)) {
        ok = false;
      } else if ((*it)[i].get<double>() < 0) {
        Error(ip, "expected a number >= 0, got " + (*it)[i].dump());
        ok = false;
      }
    }
    if (ok && (*it)[0].get<double>() > (*it)[1].get<double>()) {
      Error(p, "the window is empty: lo " + (*it)[0].dump() + " > hi " + (*it)[1].dump());
    }
  }
  if (auto it = v.find("elapsed_from"); it != v.end()) {
    // The window then runs from the start of that earlier step (which armed the timer the
    // step waits for) to the end of this one.
    const std::string p = Child(path, "elapsed_from");
    if (!v.contains("elapsed")) Error(p, "'elapsed_from' needs an 'elapsed' window to measure");
    if (IsString(*it, p)) {
      const std::string from = it->get<std::string>(), self = StepPathOf(path);
      if (!step_paths_.count(from)) {
        Error(p, "'" + from + "' is not the path of a step of this case (paths count from 0; a "
                 "thread's steps are \"3.0\", \"3.1\", ...)");
      } else if (!StartsBefore(from, self)) {
        Error(p, "step " + from + " is not a step that surely starts before step " + self +
                     ": name an earlier step of the same thread, or the 'thread' step itself");
      }
    }
  }
}

void CaseValidator::Raises(const json& v, const std::string& path) {
  if (v.is_string()) {
    if (Identifier(v, path, "an exception type")) {
      Use(SurfaceUse::Kind::kMentioned, v.get<std::string>(), path);
    }
    return;
  }
  if (!v.is_object()) {
    TypeError(v, path, "an exception type name or an object");
    return;
  }
  Keys(v, path, {"type", "isa", "not_isa", "errno", "message_contains", "class"}, {});
  if (v.empty()) {
    Error(path, "expected at least one of 'type', 'isa', 'not_isa', 'errno', "
                "'message_contains', 'class'");
  }
  if (auto it = v.find("class"); it != v.end() && IsObject(*it, Child(path, "class"))) {
    const std::string cp = Child(path, "class");
    Keys(*it, cp, {"module", "name"}, {});
    if (it->empty()) Error(cp, "expected at least one of 'module', 'name'");
    for (const char* key : {"module", "name"}) {
      if (auto f = it->find(key); f != it->end()) IsString(*f, Child(cp, key));
    }
  }
  if (auto it = v.find("type"); it != v.end()) {
    if (Identifier(*it, Child(path, "type"), "an exception type")) {
      Use(SurfaceUse::Kind::kMentioned, it->get<std::string>(), Child(path, "type"));
    }
  }
  for (const char* key : {"isa", "not_isa"}) {
    auto it = v.find(key);
    if (it == v.end() || !IsArray(*it, Child(path, key))) continue;
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string p = Child(Child(path, key), i);
      // "not an ItimerError" names the class without requiring it.
      if (Identifier((*it)[i], p, "an exception type") && std::string(key) == "isa") {
        Use(SurfaceUse::Kind::kMentioned, (*it)[i].get<std::string>(), p);
      }
    }
  }
  if (auto it = v.find("errno"); it != v.end() && IsString(*it, Child(path, "errno"))) {
    if (!IsErrnoName(it->get<std::string>())) {
      Error(Child(path, "errno"), "'" + it->get<std::string>() +
                                      "' is not an errno name (E followed by capitals)");
    }
  }
  if (auto it = v.find("message_contains"); it != v.end()) {
    IsString(*it, Child(path, "message_contains"));
  }
}

// expect.audit: [{"event": NAME, "args": MATCHER}], `args` optional.
void CaseValidator::Audit(const json& v, const std::string& path, const Scope& scope) {
  if (!IsArray(v, path)) return;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = Child(path, i);
    const json& e = v[i];
    if (!IsObject(e, p)) continue;
    Keys(e, p, {"event", "args"}, {"event"});
    if (auto it = e.find("event"); it != e.end()) IsString(*it, Child(p, "event"));
    if (auto it = e.find("args"); it != e.end()) Matcher(*it, Child(p, "args"), scope);
  }
}

void CaseValidator::Events(const json& v, const std::string& path) {
  if (!IsArray(v, path)) return;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = Child(path, i);
    const json& e = v[i];
    if (!IsObject(e, p)) continue;
    Keys(e, p, {"handler", "sig", "thread", "frame", "after_start_of", "before_start_of"},
         {"handler"});
    for (const char* key : {"after_start_of", "before_start_of"}) {
      auto it = e.find(key);
      if (it == e.end() || !IsString(*it, Child(p, key))) continue;
      if (!step_paths_.count(it->get<std::string>())) {
        Error(Child(p, key), "'" + it->get<std::string>() +
                                 "' is not the path of a step of this case (paths count from "
                                 "0; a thread's steps are \"3.0\", \"3.1\", ...)");
      }
    }
    if (auto it = e.find("handler"); it != e.end()) HandlerRef(*it, Child(p, "handler"));
    if (auto it = e.find("sig"); it != e.end() && Signal(*it, Child(p, "sig"), false)) {
      Use(SurfaceUse::Kind::kSignal, it->get<std::string>(), Child(p, "sig"));
    }
    if (auto it = e.find("thread"); it != e.end() && Identifier(*it, Child(p, "thread"), "a thread name")) {
      const std::string t = it->get<std::string>();
      if (t != "main" && t != "other" && !threads_.count(t)) {
        Error(Child(p, "thread"), "thread '" + t + "' is not \"main\", \"other\" nor "
                                  "started by this or an earlier 'thread' step");
      }
    }
    if (auto it = e.find("frame"); it != e.end()) OneOf(*it, Child(p, "frame"), {"frame", "none"});
  }
}

void CaseValidator::Matcher(const json& v, const std::string& path, const Scope& scope) {
  switch (v.type()) {
    case json::value_t::null:
    case json::value_t::boolean:
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return;
    case json::value_t::number_float:
      if (!IsIntegral(v)) {
        Error(path, "a bare number " + v.dump() + " is not a matcher; write {\"float\": " +
                        v.dump() + "}");
      }
      return;
    case json::value_t::string: {
      const std::string s = v.get<std::string>();
      if (s.size() > 1 && s[0] == '$' && s[1] != '$') {
        if (!IsIdentifier(s.substr(1))) {
          Error(path, "'" + s + "': '$' must be followed by a binding name (write '$" + s +
                          "' for the literal string)");
        } else if (!scope.bound.count(s.substr(1))) {
          Error(path, "'" + s + "' is not bound by an earlier step");
        }
      }
      return;
    }
    case json::value_t::array:
      for (size_t i = 0; i < v.size(); ++i) Matcher(v[i], Child(path, i), scope);
      return;
    case json::value_t::object:
      break;
    default:
      TypeError(v, path, "a matcher");
      return;
  }
  if (v.contains("struct")) {
    Keys(v, path, {"struct", "fields"}, {"struct", "fields"});
    if (Identifier(v["struct"], Child(path, "struct"), "a struct name")) {
      Use(SurfaceUse::Kind::kMentioned, v["struct"].get<std::string>(), Child(path, "struct"));
    }
    if (auto it = v.find("fields"); it != v.end() && IsObject(*it, Child(path, "fields"))) {
      for (const auto& item : it->items()) {
        Matcher(item.value(), Child(Child(path, "fields"), item.key()), scope);
      }
    }
    return;
  }
  if (v.contains("platform")) {
    PlatformValue(v, path);
    return;
  }
  static const std::vector<std::string> kValueForms = {
      "Handlers", "Signals", "Sigmasks", "builtin", "bytes", "float", "handler", "platform",
      "set", "struct", "tuple"};
  static const std::vector<std::string> kMatcherForms = {
      "$all", "$any", "$below", "$contains", "$every", "$excludes", "$intlike", "$len",
      "$not", "$one_of", "$range", "$signal_bytes", "$signum", "$type"};
  if (v.size() != 1) {
    std::vector<std::string> keys;
    for (const auto& item : v.items()) keys.push_back(item.key());
    Error(path, "a matcher object has exactly one key (or 'struct' with 'fields'), got " +
                    std::to_string(v.size()) + (keys.empty() ? "" : ": " + Join(keys)));
    if (v.empty()) return;
  }
  for (const auto& item : v.items()) {
    const std::string key = item.key();
    const json& arg = item.value();
    const std::string p = Child(path, key);
    if (key == "float") {
      FloatField(arg, p);
    } else if (key == "bytes") {
      HexField(arg, p);
    } else if (key == "Signals" || key == "Handlers" || key == "Sigmasks") {
      const bool ok = key == "Signals" ? Signal(arg, p, false)
                      : key == "Handlers"
                          ? OneOf(arg, p, {"SIG_DFL", "SIG_IGN"})
                          : OneOf(arg, p, {"SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK"});
      if (ok) {
        Use(SurfaceUse::Kind::kEnum, key, path);
        Use(SurfaceUse::Kind::kMember, arg.get<std::string>(), p, key);
      }
    } else if (key == "set" || key == "tuple" || key == "$contains" || key == "$excludes" ||
               key == "$one_of" || key == "$all") {
      if (!IsArray(arg, p)) continue;
      if ((key == "$one_of" || key == "$all") && arg.empty()) {
        Error(p, "expected at least one matcher");
      }
      // What an alternative or an exclusion names is not something the case requires.
      const bool alternative = key == "$one_of" || key == "$excludes";
      alternatives_ += alternative ? 1 : 0;
      for (size_t i = 0; i < arg.size(); ++i) Matcher(arg[i], Child(p, i), scope);
      alternatives_ -= alternative ? 1 : 0;
    } else if (key == "handler") {
      HandlerRef(arg, p);
    } else if (key == "builtin") {
      if (Identifier(arg, p, "a builtin name")) {
        Use(SurfaceUse::Kind::kName, arg.get<std::string>(), p);
      }
    } else if (key == "$any") {
      if (arg != json(true)) Error(p, "$any takes true, got " + arg.dump());
    } else if (key == "$type") {
      if (IsString(arg, p)) {
        const std::string t = arg.get<std::string>();
        if (!TypeWords().count(t) && !(IsIdentifier(t) && IsUpperChar(t[0]))) {
          Error(p, "'" + t + "' is not a type: one of " +
                       Join(std::vector<std::string>(TypeWords().begin(), TypeWords().end())) +
                       ", or an enum name such as Signals");
        } else if (!TypeWords().count(t)) {
          Use(SurfaceUse::Kind::kEnum, t, p);
        }
      }
    } else if (key == "$range") {
      if (!IsArray(arg, p)) continue;
      if (arg.size() != 2) {
        Error(p, "expected [lo, hi], got " + std::to_string(arg.size()) + " items");
        continue;
      }
      if (IsNumber(arg[0], Child(p, 0)) && IsNumber(arg[1], Child(p, 1)) &&
          arg[0].get<double>() > arg[1].get<double>()) {
        Error(p, "the range is empty: lo " + arg[0].dump() + " > hi " + arg[1].dump());
      }
    } else if (key == "$intlike") {
      if (arg.is_object()) {
        PlatformValue(arg, p, /*integer_only=*/true);
      } else {
        IsInteger(arg, p);
      }
    } else if (key == "$not") {
      ++alternatives_;
      Matcher(arg, p, scope);
      --alternatives_;
    } else if (key == "$len" || key == "$every") {
      Matcher(arg, p, scope);
    } else if (key == "$below") {
      if (arg.is_string()) {
        Matcher(arg, p, scope);  // "$name": bound by an earlier step
        const std::string text = arg.get<std::string>();
        if (text.rfind('$', 0) != 0 || text.rfind("$$", 0) == 0) {
          Error(p, "$below takes an integer or a \"$name\" binding, got " + arg.dump());
        }
      } else if (arg.is_object()) {
        PlatformValue(arg, p, /*integer_only=*/true);
      } else {
        IsInteger(arg, p);
      }
    } else if (key == "$signum") {
      Signal(arg, p, false);
    } else if (key == "$signal_bytes") {
      if (IsArray(arg, p)) {
        for (size_t i = 0; i < arg.size(); ++i) Signal(arg[i], Child(p, i), false);
      }
    } else if (key[0] == '$') {
      Error(p, "unknown matcher '" + key + "'; expected one of: " + Join(kMatcherForms));
    } else {
      Error(p, "unknown key '" + key + "'; expected one of: " + Join(kValueForms) +
                   " (or a matcher: " + Join(kMatcherForms) + ")");
    }
  }
}

}  // namespace sigconform
