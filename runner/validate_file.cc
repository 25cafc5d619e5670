// The case validator: the top level of a case file, `exit`, `stdout` and `stderr`
// (spec/case-format.md, "The file" and "The end of the process").
#include "case_validator.h"

#include <algorithm>

#include "plan.h"

namespace sigconform {

using nlohmann::json;

void CaseValidator::Limits(const json& v, const std::string& path) {
  if (!IsObject(v, path)) return;
  Keys(v, path, {"memory_mb", "processes"}, {});
  if (auto it = v.find("memory_mb"); it != v.end() && IsInteger(*it, Child(path, "memory_mb"))) {
    const long long mb = it->get<long long>();
    if (mb < 16 || mb > 65536) {
      Error(Child(path, "memory_mb"), "the memory limit must be 16 to 65536 MiB, got " + it->dump());
    } else {
      case_.limits.memory_bytes = static_cast<uint64_t>(mb) << 20;
    }
  }
  if (auto it = v.find("processes"); it != v.end() && IsInteger(*it, Child(path, "processes"))) {
    const long long n = it->get<long long>();
    if (n < 8 || n > 4096) {
      Error(Child(path, "processes"), "the process limit must be 8 to 4096, got " + it->dump());
    } else {
      case_.limits.processes = static_cast<uint64_t>(n);
    }
  }
}

void CaseValidator::Top(const json& doc) {
  if (!doc.is_object()) {
    TypeError(doc, "", "an object (a case)");
    return;
  }
  Keys(doc, "",
       {"id", "title", "rules", "since", "until", "platforms", "kernel", "requires", "tags", "timeout",
        "limits", "parent", "handlers", "steps", "exit", "stdout", "stderr"},
       {"id", "title", "rules", "steps"});
  if (auto it = doc.find("id"); it != doc.end() && IsString(*it, "/id")) {
    const std::string id = it->get<std::string>();
    if (!IsCaseId(id)) {
      Error("/id", "'" + id + "' is not a case id (lower-case words, digits and '-', in at "
                              "least two '/'-separated parts)");
    } else if (id != expected_id_) {
      Error("/id", "id '" + id + "' does not match the file's path '" + expected_id_ +
                       "' (the id is the path below cases/ without .json)");
    }
    case_.id = id;
  }
  if (auto it = doc.find("title"); it != doc.end() && IsString(*it, "/title")) {
    const std::string title = it->get<std::string>();
    // Lengths in characters, as JSON Schema counts them, not in UTF-8 bytes.
    const size_t length = static_cast<size_t>(std::count_if(
        title.begin(), title.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
    if (length < 8) Error("/title", "the title is too short (at least 8 characters)");
    if (length > 160) Error("/title", "the title is too long (at most 160 characters)");
    case_.title = title;
  }
  if (auto it = doc.find("rules"); it != doc.end()) {
    case_.rules = StringList(
        *it, "/rules", [](const std::string& s) { return IsLowerWord(s, ".-"); },
        "a rule id (lower-case words, digits, '.' and '-')", true);
  }
  if (auto it = doc.find("since"); it != doc.end() && IsString(*it, "/since")) {
    if (!IsDotted(it->get<std::string>(), 2, 2)) {
      Error("/since", "'" + it->get<std::string>() + "' is not a version like \"3.8\"");
    }
    case_.since = it->get<std::string>();
  }
  if (auto it = doc.find("until"); it != doc.end() && IsString(*it, "/until")) {
    const std::string until = it->get<std::string>();
    if (!IsDotted(until, 2, 2)) {
      Error("/until", "'" + until + "' is not a version like \"3.7\"");
    } else if (IsDotted(case_.since, 2, 2) && CompareVersions(until, case_.since) <= 0) {
      Error("/until", "'until' (" + until + ") must be after 'since' (" + case_.since +
                          "): the case covers the versions from 'since' up to, not including, "
                          "'until'");
    }
    case_.until = until;
  }
  if (auto it = doc.find("platforms"); it != doc.end()) {
    case_.platforms = StringList(
        *it, "/platforms",
        [](const std::string& s) {
          const std::string word = s.rfind('!', 0) == 0 ? s.substr(1) : s;
          const auto& words = PlatformWords();
          return std::find(words.begin(), words.end(), word) != words.end();
        },
        "a platform word (" + Join(PlatformWords()) + ", optionally preceded by '!')",
        true);
  }
  if (auto it = doc.find("kernel"); it != doc.end() && IsString(*it, "/kernel")) {
    if (!IsDotted(it->get<std::string>(), 1, 3)) {
      Error("/kernel", "'" + it->get<std::string>() + "' is not a kernel version like \"5.1\"");
    }
    case_.kernel = it->get<std::string>();
  }
  if (auto it = doc.find("requires"); it != doc.end()) {
    const auto names = StringList(*it, "/requires", &IsIdentifier, "a module name", false);
    for (size_t i = 0; i < names.size(); ++i) {
      requires_.insert(names[i]);
      Use(SurfaceUse::Kind::kName, names[i], Child("/requires", i));
    }
  }
  if (auto it = doc.find("tags"); it != doc.end()) {
    case_.tags = StringList(
        *it, "/tags", [](const std::string& s) { return !s.empty() && IsLowerWord(s, "-"); },
        "a tag (lower-case words, digits and '-')", false);
  }
  if (auto it = doc.find("timeout"); it != doc.end() && IsNumber(*it, "/timeout")) {
    const double t = it->get<double>();
    if (!(t > 0) || t > 300) {
      Error("/timeout", "the timeout must be more than 0 and at most 300 seconds, got " +
                            it->dump());
    }
    case_.timeout = t;
  }
  if (auto it = doc.find("limits"); it != doc.end()) Limits(*it, "/limits");
  if (auto it = doc.find("steps"); it != doc.end()) CollectBinds(*it, &all_binds_);
  if (auto it = doc.find("steps"); it != doc.end()) CollectStepPaths(*it, "", &step_paths_);
  if (auto it = doc.find("handlers"); it != doc.end()) Handlers(*it, "/handlers");
  if (auto it = doc.find("parent"); it != doc.end()) Parent(*it, "/parent");
  if (auto it = doc.find("steps"); it != doc.end()) {
    main_steps_ = it->is_array() ? it->size() : 0;
    Scope scope;
    Steps(*it, "/steps", &scope);
    case_.steps = *it;
  }
  if (auto it = doc.find("exit"); it != doc.end()) Exit(*it, "/exit");
  if (auto it = doc.find("stdout"); it != doc.end()) {
    case_.stdout_expect = Stream(*it, "/stdout");
  }
  if (auto it = doc.find("stderr"); it != doc.end()) {
    case_.stderr_expect = Stream(*it, "/stderr");
  }
}

void CaseValidator::Exit(const json& v, const std::string& path) {
  if (!IsObject(v, path)) return;
  Keys(v, path, {"code", "signal"}, {});
  const bool has_code = v.contains("code"), has_signal = v.contains("signal");
  if (has_code == has_signal) {
    Error(path, "expected exactly one of 'code' or 'signal'");
    return;
  }
  if (has_code) {
    const json& code = v["code"];
    if (IntegerAtLeast(code, Child(path, "code"), 0)) {
      if (code.get<double>() > 255) {
        Error(Child(path, "code"), "an exit code is at most 255, got " + code.dump());
      }
      case_.exit.by_signal = false;
      case_.exit.code = static_cast<int>(code.get<double>());
    }
  } else if (Signal(v["signal"], Child(path, "signal"), false)) {
    Use(SurfaceUse::Kind::kSignal, v["signal"].get<std::string>(), Child(path, "signal"));
    case_.exit.by_signal = true;
    case_.exit.signal = v["signal"].get<std::string>();
  }
}

StreamExpectation CaseValidator::Stream(const json& v, const std::string& path) {
  StreamExpectation out;
  if (!IsObject(v, path)) return out;
  Keys(v, path, {"contains", "excludes", "empty"}, {});
  if (v.empty()) Error(path, "expected at least one of 'contains', 'excludes', 'empty'");
  out.present = true;
  for (const char* key : {"contains", "excludes"}) {
    auto it = v.find(key);
    if (it == v.end()) continue;
    const std::string p = Child(path, key);
    if (!IsArray(*it, p)) continue;
    for (size_t i = 0; i < it->size(); ++i) {
      if (IsString((*it)[i], Child(p, i))) {
        (std::string(key) == "contains" ? out.contains : out.excludes)
            .push_back((*it)[i].get<std::string>());
      }
    }
  }
  if (auto it = v.find("empty"); it != v.end() && IsBool(*it, Child(path, "empty"))) {
    out.empty = it->get<bool>();
  }
  return out;
}

}  // namespace sigconform
