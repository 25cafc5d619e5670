#include "catalog.h"
#include "text.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "plan.h"
#include "signal_names.h"

namespace sigconform {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// Every signal name of the platforms the case language knows. A name on this list but unknown
// on the host (SIGINFO on Linux) is legal wherever the runner only compares names; a name on
// no list is a typo everywhere.
const char* const kSignalsAnywhere[] = {
    "SIGABRT", "SIGALRM", "SIGBREAK", "SIGBUS",  "SIGCHLD", "SIGCLD",    "SIGCONT", "SIGEMT",
    "SIGFPE",  "SIGHUP",  "SIGILL",   "SIGINFO", "SIGINT",  "SIGIO",     "SIGIOT",  "SIGKILL",
    "SIGLIBRT", "SIGLOST", "SIGPIPE", "SIGPOLL", "SIGPROF", "SIGPWR",    "SIGQUIT", "SIGRTMAX",
    "SIGRTMIN", "SIGSEGV", "SIGSTKFLT", "SIGSTOP", "SIGSYS", "SIGTERM",  "SIGTHR",  "SIGTRAP",
    "SIGTSTP", "SIGTTIN", "SIGTTOU",  "SIGURG",  "SIGUSR1", "SIGUSR2",   "SIGVTALRM", "SIGWINCH",
    "SIGXCPU", "SIGXFSZ",
};

// The platform word (spec/case-format.md) of the machine the runner was built for.
const char* HostPlatform() {
#if defined(__linux__)
  return "linux";
#elif defined(__APPLE__)
  return "darwin";
#elif defined(__FreeBSD__)
  return "freebsd";
#elif defined(__NetBSD__)
  return "netbsd";
#elif defined(__OpenBSD__)
  return "openbsd";
#else
  return "";
#endif
}

const char* const kPlatformWords[] = {"unix",    "linux",   "darwin",     "freebsd", "netbsd",
                                      "openbsd", "windows", "emscripten", "wasi"};

// The `do` actions and their fields (spec/case-format.md, "do: everything else").
enum class FieldKind {
  kArg,            // an ARG
  kHostSignal,     // a signal name the runner must act on: known on this host
  kPositiveInt,    // integer >= 1
  kNonNegInt,      // integer >= 0
  kPositiveNumber, // number > 0
  kNonNegNumber,   // number >= 0
  kBool,
  kString,
  kThreadName,     // identifier naming a new thread
  kStartedThread,  // identifier naming a thread started earlier
  kIdentThread,    // "main" or a started thread
  kSteps,          // the sub-steps of a thread
  kExitCode,       // integer 0..255
  kStrings,        // a non-empty array of strings
  kAttributeName,  // an identifier naming a module attribute, NOT required by the case
  kEnumClass,      // "Signals", "Handlers" or "Sigmasks"
};

struct FieldSpec {
  const char* key;
  FieldKind kind;
  bool required;
};

struct ActionSpec {
  const char* name;
  std::vector<FieldSpec> fields;
};

const std::vector<ActionSpec>& Actions() {
  static const std::vector<ActionSpec> actions = {
      {"kill", {{"sig", FieldKind::kArg, true}}},
      {"parent_kill", {{"sig", FieldKind::kHostSignal, true}, {"queue", FieldKind::kBool, false}}},
      {"wait", {{"events", FieldKind::kPositiveInt, true},
                {"timeout", FieldKind::kPositiveNumber, true}}},
      {"burn_cpu", {{"seconds", FieldKind::kPositiveNumber, true},
                    {"events", FieldKind::kPositiveInt, false},
                    {"kernel", FieldKind::kBool, false}}},
      {"sleep", {{"seconds", FieldKind::kNonNegNumber, true}}},
      {"pipe", {}},
      {"socketpair", {}},
      {"stdout_to_devnull", {}},
      {"close", {{"fd", FieldKind::kArg, true}}},
      {"read", {{"fd", FieldKind::kArg, true}, {"size", FieldKind::kNonNegInt, true}}},
      {"write", {{"fd", FieldKind::kArg, true}, {"data", FieldKind::kArg, true}}},
      {"set_blocking", {{"fd", FieldKind::kArg, true}, {"blocking", FieldKind::kBool, true}}},
      {"write_stdout", {{"text", FieldKind::kString, true}, {"flush", FieldKind::kBool, false}}},
      {"exit", {{"code", FieldKind::kExitCode, true}}},
      {"thread", {{"name", FieldKind::kThreadName, true}, {"steps", FieldKind::kSteps, true}}},
      {"join", {{"name", FieldKind::kStartedThread, true},
                {"timeout", FieldKind::kPositiveNumber, true}}},
      {"ident", {{"thread", FieldKind::kIdentThread, true}}},
      {"select", {{"fds", FieldKind::kArg, true}, {"timeout", FieldKind::kNonNegNumber, true}}},
      {"native_busy", {{"seconds", FieldKind::kPositiveNumber, true}}},
      {"check", {}},
      {"process_info", {}},
      {"audit_hook", {{"events", FieldKind::kStrings, true}}},
      {"pidfd_open", {{"pid", FieldKind::kArg, true}}},
      {"spawn", {{"argv", FieldKind::kArg, true}}},
      {"waitpid", {{"pid", FieldKind::kArg, true}, {"timeout", FieldKind::kPositiveNumber, true}}},
      {"fill", {{"fd", FieldKind::kArg, true}}},
      {"attribute", {{"name", FieldKind::kAttributeName, true}}},
      {"members", {{"enum", FieldKind::kEnumClass, true}}},
  };
  return actions;
}

std::string Join(const std::vector<std::string>& words, const char* sep = ", ") {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::string Child(const std::string& path, const std::string& key) {
  return JsonPointerChild(path, key);
}

std::string Child(const std::string& path, size_t index) {
  return path + "/" + std::to_string(index);
}

// The JSON Schema name of a value's type, with its article: "an integer", "a string".
std::string TypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    default: return "unknown";
  }
}

// JSON Schema's idea of an integer: also 3.0.
bool IsIntegral(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// ^[A-Za-z_][A-Za-z0-9_]*$
bool IsIdentifier(const std::string& s) {
  if (s.empty() || IsDigit(s[0])) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsLower(c) || IsUpper(c) || IsDigit(c) || c == '_'; });
}

// ^[a-z0-9][a-z0-9<extra>]*$
bool IsLowerWord(const std::string& s, const std::string& extra) {
  if (s.empty() || !(IsLower(s[0]) || IsDigit(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return IsLower(c) || IsDigit(c) || extra.find(c) != std::string::npos;
  });
}

// ^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)+$
bool IsCaseId(const std::string& s) {
  size_t segments = 0, start = 0;
  while (true) {
    const size_t slash = s.find('/', start);
    const std::string seg = s.substr(start, slash == std::string::npos ? slash : slash - start);
    if (!IsLowerWord(seg, "-")) return false;
    ++segments;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return segments >= 2;
}

// Digits separated by single dots: `min_parts`..`max_parts` groups.
bool IsDotted(const std::string& s, int min_parts, int max_parts) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    const size_t begin = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == begin) return false;
    ++parts;
    if (i == s.size()) break;
    if (s[i] != '.') return false;
    ++i;
  }
  return parts >= min_parts && parts <= max_parts;
}

// ^SIG[A-Z0-9]+$
bool IsSignalName(const std::string& s) {
  if (s.size() < 4 || s.compare(0, 3, "SIG") != 0) return false;
  return std::all_of(s.begin() + 3, s.end(), [](char c) { return IsUpper(c) || IsDigit(c); });
}

// ^E[A-Z0-9]+$
bool IsErrnoName(const std::string& s) {
  if (s.size() < 2 || s[0] != 'E') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return IsUpper(c) || IsDigit(c); });
}

// ^([0-9a-f]{2})*$
bool IsHex(const std::string& s) {
  if (s.size() % 2 != 0) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); });
}

bool IsSignalAnywhere(const std::string& name) {
  for (const char* known : kSignalsAnywhere) {
    if (name == known) return true;
  }
  return SignalNumber(name).has_value();
}

// The value types $type accepts besides enum names (spec/case-format.md, "Matchers").
const std::set<std::string>& TypeWords() {
  static const std::set<std::string> words = {"none",  "bool",  "int",  "float",
                                              "str",   "bytes", "set",  "tuple",
                                              "list",  "callable", "struct"};
  return words;
}

// Every name a `bind` anywhere in these steps introduces; tolerant of malformed steps, since
// it runs before validation to know which names handlers may use.
void CollectBinds(const json& steps, std::set<std::string>* out) {
  if (!steps.is_array()) return;
  for (const auto& step : steps) {
    if (!step.is_object()) continue;
    if (auto it = step.find("bind"); it != step.end()) {
      if (it->is_string()) out->insert(it->get<std::string>());
      if (it->is_array()) {
        for (const auto& name : *it) {
          if (name.is_string()) out->insert(name.get<std::string>());
        }
      }
    }
    if (auto it = step.find("steps"); it != step.end()) CollectBinds(*it, out);
  }
}

// Every step's protocol path ("3", "3.1") in these steps, threads' steps included; tolerant of
// malformed steps, like CollectBinds.
void CollectStepPaths(const json& steps, const std::string& prefix, std::set<std::string>* out) {
  if (!steps.is_array()) return;
  for (size_t i = 0; i < steps.size(); ++i) {
    const std::string path = prefix + std::to_string(i);
    out->insert(path);
    if (!steps[i].is_object()) continue;
    if (auto it = steps[i].find("steps"); it != steps[i].end()) {
      CollectStepPaths(*it, path + ".", out);
    }
  }
}

// Names visible to a step: bound by earlier steps of its own thread, or of the main program
// before the thread started, or of a thread joined earlier.
struct Scope {
  std::set<std::string> bound;
};

class Validator {
 public:
  Validator(std::string file, std::string expected_id)
      : file_(std::move(file)), expected_id_(std::move(expected_id)) {}

  std::vector<CatalogError> Run(const json& doc, Case* out) {
    Top(doc);
    if (errors_.empty() && out != nullptr) {
      case_.file = file_;
      case_.requires_names.assign(requires_.begin(), requires_.end());
      case_.operations.assign(operations_.begin(), operations_.end());
      *out = std::move(case_);
    }
    return std::move(errors_);
  }

 private:
  void Error(const std::string& path, std::string message) {
    errors_.push_back({file_, path, std::move(message)});
  }

  bool TypeError(const json& v, const std::string& path, const char* expected) {
    Error(path, std::string("expected ") + expected + ", got " + TypeName(v));
    return false;
  }
  bool IsObject(const json& v, const std::string& path) {
    return v.is_object() || TypeError(v, path, "an object");
  }
  bool IsArray(const json& v, const std::string& path) {
    return v.is_array() || TypeError(v, path, "an array");
  }
  bool IsString(const json& v, const std::string& path) {
    return v.is_string() || TypeError(v, path, "a string");
  }
  bool IsBool(const json& v, const std::string& path) {
    return v.is_boolean() || TypeError(v, path, "a boolean");
  }
  bool IsInteger(const json& v, const std::string& path) {
    return IsIntegral(v) || TypeError(v, path, "an integer");
  }
  bool IsNumber(const json& v, const std::string& path) {
    return v.is_number() || TypeError(v, path, "a number");
  }

  bool IntegerAtLeast(const json& v, const std::string& path, long long min) {
    if (!IsInteger(v, path)) return false;
    if (v.get<double>() < static_cast<double>(min)) {
      Error(path, "expected an integer >= " + std::to_string(min) + ", got " + v.dump());
      return false;
    }
    return true;
  }

  bool Identifier(const json& v, const std::string& path, const char* what = "a name") {
    if (!IsString(v, path)) return false;
    if (!IsIdentifier(v.get<std::string>())) {
      Error(path, "'" + v.get<std::string>() + "' is not " + what +
                      " (letters, digits and '_', not starting with a digit)");
      return false;
    }
    return true;
  }

  // Reports keys outside `allowed` and missing `required` keys of an object.
  void Keys(const json& obj, const std::string& path, std::vector<std::string> allowed,
            const std::vector<std::string>& required) {
    std::sort(allowed.begin(), allowed.end());
    for (const auto& item : obj.items()) {
      if (!std::binary_search(allowed.begin(), allowed.end(), item.key())) {
        Error(Child(path, item.key()),
              "unknown key '" + item.key() + "'; expected one of: " + Join(allowed));
      }
    }
    for (const auto& key : required) {
      if (!obj.contains(key)) Error(path, "missing required key '" + key + "'");
    }
  }

  // An array of unique strings each accepted by `ok`; `what` names the expected form.
  std::vector<std::string> StringList(const json& v, const std::string& path,
                                      bool (*ok)(const std::string&), const std::string& what,
                                      bool non_empty) {
    std::vector<std::string> out;
    if (!IsArray(v, path)) return out;
    if (non_empty && v.empty()) Error(path, "expected at least one item");
    std::set<std::string> seen;
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string p = Child(path, i);
      if (!IsString(v[i], p)) continue;
      const std::string s = v[i].get<std::string>();
      if (!ok(s)) {
        Error(p, "'" + s + "' is not " + what);
        continue;
      }
      if (!seen.insert(s).second) {
        Error(p, "duplicate item '" + s + "'");
        continue;
      }
      out.push_back(s);
    }
    return out;
  }

  // A signal name: the pattern, and known somewhere; known on this host too when the runner
  // must act on it (`host`) and the case may run on this host.
  bool Signal(const json& v, const std::string& path, bool host) {
    if (!IsString(v, path)) return false;
    const std::string name = v.get<std::string>();
    if (!IsSignalName(name)) {
      Error(path, "'" + name + "' is not a signal name (SIG followed by capitals and digits)");
      return false;
    }
    if (!IsSignalAnywhere(name)) {
      Error(path, "unknown signal name '" + name + "'");
      return false;
    }
    if (host && !SignalNumber(name) && MayRunOnHost()) {
      Error(path, "signal '" + name + "' does not exist on this host (" +
                      std::string(*HostPlatform() ? HostPlatform() : "unknown platform") +
                      "), and the runner must send or set it; restrict the case's platforms");
      return false;
    }
    return true;
  }

  std::vector<std::string> SignalList(const json& v, const std::string& path, bool host) {
    std::vector<std::string> out;
    if (!IsArray(v, path)) return out;
    std::set<std::string> seen;
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string p = Child(path, i);
      if (!Signal(v[i], p, host)) continue;
      if (!seen.insert(v[i].get<std::string>()).second) {
        Error(p, "duplicate item '" + v[i].get<std::string>() + "'");
        continue;
      }
      out.push_back(v[i].get<std::string>());
    }
    return out;
  }

  bool MayRunOnHost() const {
    return *HostPlatform() == '\0' || PlatformMatches(case_.platforms, HostPlatform());
  }

  void Top(const json& doc) {
    if (!doc.is_object()) {
      TypeError(doc, "", "an object (a case)");
      return;
    }
    Keys(doc, "",
         {"id", "title", "rules", "since", "platforms", "kernel", "requires", "tags", "timeout",
          "parent", "handlers", "steps", "exit", "stdout", "stderr"},
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
    if (auto it = doc.find("platforms"); it != doc.end()) {
      case_.platforms = StringList(
          *it, "/platforms",
          [](const std::string& s) {
            const std::string word = s.rfind('!', 0) == 0 ? s.substr(1) : s;
            return std::find(std::begin(kPlatformWords), std::end(kPlatformWords), word) !=
                   std::end(kPlatformWords);
          },
          "a platform word (" +
              Join(std::vector<std::string>(std::begin(kPlatformWords), std::end(kPlatformWords))) +
              ", optionally preceded by '!')",
          true);
    }
    if (auto it = doc.find("kernel"); it != doc.end() && IsString(*it, "/kernel")) {
      if (!IsDotted(it->get<std::string>(), 1, 3)) {
        Error("/kernel", "'" + it->get<std::string>() + "' is not a kernel version like \"5.1\"");
      }
      case_.kernel = it->get<std::string>();
    }
    if (auto it = doc.find("requires"); it != doc.end()) {
      for (const auto& name : StringList(*it, "/requires", &IsIdentifier, "a module name", false)) {
        requires_.insert(name);
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
    if (auto it = doc.find("steps"); it != doc.end()) CollectBinds(*it, &all_binds_);
    if (auto it = doc.find("steps"); it != doc.end()) CollectStepPaths(*it, "", &step_paths_);
    if (auto it = doc.find("handlers"); it != doc.end()) Handlers(*it, "/handlers");
    if (auto it = doc.find("parent"); it != doc.end()) Parent(*it, "/parent");
    if (auto it = doc.find("steps"); it != doc.end()) {
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

  void Handlers(const json& v, const std::string& path) {
    if (!IsObject(v, path)) return;
    // Declared names first, so that a handler's write may not depend on declaration order.
    for (const auto& item : v.items()) {
      if (!IsIdentifier(item.key())) {
        Error(Child(path, item.key()), "'" + item.key() + "' is not a handler name (letters, "
                                       "digits and '_', not starting with a digit)");
      }
      handlers_.insert(item.key());
    }
    for (const auto& item : v.items()) {
      const std::string p = Child(path, item.key());
      const json& h = item.value();
      if (!IsObject(h, p)) continue;
      Keys(h, p, {"record", "write", "restore", "raise"}, {});
      if (auto it = h.find("record"); it != h.end()) IsBool(*it, Child(p, "record"));
      if (auto it = h.find("write"); it != h.end()) {
        const std::string wp = Child(p, "write");
        if (IsObject(*it, wp)) {
          Keys(*it, wp, {"fd", "data"}, {"fd", "data"});
          // A handler runs whenever its signal arrives: any name bound anywhere may be meant.
          Scope anywhere{all_binds_};
          if (it->contains("fd")) Arg((*it)["fd"], Child(wp, "fd"), anywhere);
          if (it->contains("data")) Arg((*it)["data"], Child(wp, "data"), anywhere);
        }
      }
      if (auto it = h.find("restore"); it != h.end()) {
        OneOf(*it, Child(p, "restore"), {"SIG_DFL", "SIG_IGN"});
      }
      if (auto it = h.find("raise"); it != h.end()) {
        OneOf(*it, Child(p, "raise"),
              {"Exception", "RuntimeError", "ValueError", "OSError", "KeyboardInterrupt"});
      }
    }
    case_.handlers = v;
  }

  bool OneOf(const json& v, const std::string& path, const std::vector<std::string>& options) {
    if (!IsString(v, path)) return false;
    if (std::find(options.begin(), options.end(), v.get<std::string>()) == options.end()) {
      Error(path, "'" + v.get<std::string>() + "' is not one of: " + Join(options));
      return false;
    }
    return true;
  }

  void Parent(const json& v, const std::string& path) {
    if (!IsObject(v, path)) return;
    Keys(v, path, {"ignore", "block", "pending", "stdout", "env", "rlimits"}, {});
    ParentState& ps = case_.parent;
    if (auto it = v.find("ignore"); it != v.end()) ps.ignore = SignalList(*it, Child(path, "ignore"), true);
    if (auto it = v.find("block"); it != v.end()) ps.block = SignalList(*it, Child(path, "block"), true);
    if (auto it = v.find("pending"); it != v.end()) {
      const std::string pp = Child(path, "pending");
      ps.pending = SignalList(*it, pp, true);
      const std::set<std::string> blocked(ps.block.begin(), ps.block.end());
      for (size_t i = 0; i < it->size(); ++i) {
        const json& name = (*it)[i];
        if (name.is_string() && !blocked.count(name.get<std::string>())) {
          Error(Child(pp, i), "'" + name.get<std::string>() +
                                  "' is pending but not in parent.block: a signal stays "
                                  "pending only while it is blocked");
        }
      }
    }
    if (auto it = v.find("stdout"); it != v.end()) {
      if (OneOf(*it, Child(path, "stdout"), {"capture", "broken", "devnull"})) {
        const std::string mode = it->get<std::string>();
        ps.stdout_mode = mode == "broken"    ? ParentState::Stdout::kBroken
                         : mode == "devnull" ? ParentState::Stdout::kDevNull
                                             : ParentState::Stdout::kCapture;
      }
    }
    if (auto it = v.find("env"); it != v.end()) {
      const std::string ep = Child(path, "env");
      if (IsObject(*it, ep)) {
        for (const auto& item : it->items()) {
          const std::string p = Child(ep, item.key());
          if (!IsIdentifier(item.key())) {
            Error(p, "'" + item.key() + "' is not an environment variable name");
            continue;
          }
          if (item.value().is_null()) {
            ps.env[item.key()] = std::nullopt;
          } else if (item.value().is_string()) {
            ps.env[item.key()] = item.value().get<std::string>();
          } else {
            TypeError(item.value(), p, "a string or null");
          }
        }
      }
    }
    if (auto it = v.find("rlimits"); it != v.end()) {
      const std::string rp = Child(path, "rlimits");
      if (IsObject(*it, rp)) {
        Keys(*it, rp, {"FSIZE", "NOFILE", "CPU", "CORE"}, {});
        for (const auto& item : it->items()) {
          if (item.key() != "FSIZE" && item.key() != "NOFILE" && item.key() != "CPU" &&
              item.key() != "CORE") {
            continue;
          }
          if (IntegerAtLeast(item.value(), Child(rp, item.key()), 0)) {
            ps.rlimits[item.key()] = static_cast<long long>(item.value().get<double>());
          }
        }
      }
    }
  }

  void Exit(const json& v, const std::string& path) {
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
      case_.exit.by_signal = true;
      case_.exit.signal = v["signal"].get<std::string>();
    }
  }

  StreamExpectation Stream(const json& v, const std::string& path) {
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

  void Steps(const json& v, const std::string& path, Scope* scope) {
    if (!IsArray(v, path)) return;
    if (v.empty()) Error(path, "expected at least one step");
    for (size_t i = 0; i < v.size(); ++i) Step(v[i], Child(path, i), scope);
  }

  void Step(const json& s, const std::string& path, Scope* scope) {
    if (!IsObject(s, path)) return;
    const bool has_call = s.contains("call"), has_do = s.contains("do");
    if (has_call && has_do) {
      Error(path, "a step has exactly one of 'call' or 'do', not both");
      return;
    }
    if (!has_call && !has_do) {
      Error(path, "a step needs exactly one of 'call' or 'do'");
      return;
    }
    if (has_call) {
      Keys(s, path, {"call", "args", "kwargs", "bind", "expect", "note"}, {});
      operations_.insert("call");
      if (Identifier(s["call"], Child(path, "call"), "a function name")) {
        requires_.insert(s["call"].get<std::string>());
      }
      if (auto it = s.find("args"); it != s.end() && IsArray(*it, Child(path, "args"))) {
        for (size_t i = 0; i < it->size(); ++i) {
          Arg((*it)[i], Child(Child(path, "args"), i), *scope);
        }
      }
      if (auto it = s.find("kwargs"); it != s.end() && IsObject(*it, Child(path, "kwargs"))) {
        for (const auto& item : it->items()) {
          const std::string p = Child(Child(path, "kwargs"), item.key());
          if (!IsIdentifier(item.key())) {
            Error(p, "'" + item.key() + "' is not a keyword argument name");
            continue;
          }
          Arg(item.value(), p, *scope);
        }
      }
    } else {
      Action(s, path, scope);
    }
    std::vector<std::string> names;
    if (auto it = s.find("bind"); it != s.end()) names = Bind(*it, Child(path, "bind"));
    if (auto it = s.find("expect"); it != s.end()) Expect(*it, Child(path, "expect"), *scope);
    if (auto it = s.find("note"); it != s.end()) IsString(*it, Child(path, "note"));
    // The names become visible after the step: its own arguments and matchers cannot use them.
    scope->bound.insert(names.begin(), names.end());
  }

  void Action(const json& s, const std::string& path, Scope* scope) {
    const std::string dp = Child(path, "do");
    if (!IsString(s["do"], dp)) return;
    const std::string name = s["do"].get<std::string>();
    const ActionSpec* spec = nullptr;
    std::vector<std::string> action_names;
    for (const auto& a : Actions()) {
      action_names.push_back(a.name);
      if (name == a.name) spec = &a;
    }
    if (spec == nullptr) {
      std::sort(action_names.begin(), action_names.end());
      Error(dp, "unknown action '" + name + "'; expected one of: " + Join(action_names));
      return;
    }
    operations_.insert(name);
    std::vector<std::string> allowed = {"do", "bind", "expect", "note"}, required;
    for (const auto& f : spec->fields) {
      allowed.push_back(f.key);
      if (f.required) required.push_back(f.key);
    }
    Keys(s, path, allowed, required);
    for (const auto& f : spec->fields) {
      auto it = s.find(f.key);
      if (it == s.end()) continue;
      Field(*it, Child(path, f.key), f.kind, s, path, scope);
    }
  }

  void Field(const json& v, const std::string& p, FieldKind kind, const json& step,
             const std::string& step_path, Scope* scope) {
    switch (kind) {
      case FieldKind::kArg: Arg(v, p, *scope); break;
      case FieldKind::kHostSignal: Signal(v, p, true); break;
      case FieldKind::kPositiveInt: IntegerAtLeast(v, p, 1); break;
      case FieldKind::kNonNegInt: IntegerAtLeast(v, p, 0); break;
      case FieldKind::kPositiveNumber:
        if (IsNumber(v, p) && !(v.get<double>() > 0)) {
          Error(p, "expected a number > 0, got " + v.dump());
        }
        break;
      case FieldKind::kNonNegNumber:
        if (IsNumber(v, p) && v.get<double>() < 0) {
          Error(p, "expected a number >= 0, got " + v.dump());
        }
        break;
      case FieldKind::kBool: IsBool(v, p); break;
      case FieldKind::kString: IsString(v, p); break;
      case FieldKind::kAttributeName: Identifier(v, p, "an attribute name"); break;
      case FieldKind::kEnumClass: OneOf(v, p, {"Signals", "Handlers", "Sigmasks"}); break;
      case FieldKind::kStrings:
        if (IsArray(v, p)) {
          if (v.empty()) Error(p, "expected at least one string");
          for (size_t i = 0; i < v.size(); ++i) IsString(v[i], Child(p, i));
        }
        break;
      case FieldKind::kExitCode:
        if (IntegerAtLeast(v, p, 0) && v.get<double>() > 255) {
          Error(p, "an exit code is at most 255, got " + v.dump());
        }
        break;
      case FieldKind::kThreadName: {
        const bool named = Identifier(v, p, "a thread name");
        const std::string name = named ? v.get<std::string>() : std::string();
        if (!named) {
          // Still validate the thread's steps below, under no name.
        } else if (name == "main" || name == "other") {
          Error(p, "'" + name + "' is reserved for the driver's own threads; choose another "
                                "thread name");
        } else if (!threads_.insert(name).second) {
          Error(p, "thread '" + name + "' is already started by an earlier step");
        }
        // Its steps see what the starting thread bound so far; what they bind becomes visible
        // to the starting thread once it joins this one.
        if (auto it = step.find("steps"); it != step.end()) {
          Scope inner = *scope;
          Steps(*it, Child(step_path, "steps"), &inner);
          for (const auto& bound : inner.bound) {
            if (named && !scope->bound.count(bound)) thread_binds_[name].insert(bound);
          }
        }
        break;
      }
      case FieldKind::kSteps:
        break;  // validated with the thread's name, above
      case FieldKind::kStartedThread:
        if (Identifier(v, p, "a thread name")) {
          const std::string name = v.get<std::string>();
          if (!threads_.count(name)) {
            Error(p, "thread '" + name + "' is not started by an earlier 'thread' step");
          } else {
            const auto& joined = thread_binds_[name];
            scope->bound.insert(joined.begin(), joined.end());
          }
        }
        break;
      case FieldKind::kIdentThread:
        if (Identifier(v, p, "a thread name")) {
          const std::string name = v.get<std::string>();
          if (name != "main" && !threads_.count(name)) {
            Error(p, "thread '" + name +
                         "' is not \"main\" nor started by an earlier 'thread' step");
          }
        }
        break;
    }
  }

  std::vector<std::string> Bind(const json& v, const std::string& path) {
    std::vector<std::string> names;
    if (v.is_string()) {
      if (Identifier(v, path, "a binding name")) names.push_back(v.get<std::string>());
      return names;
    }
    if (!v.is_array()) {
      TypeError(v, path, "a name or a list of names");
      return names;
    }
    if (v.empty()) Error(path, "expected at least one name");
    std::set<std::string> seen;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!Identifier(v[i], Child(path, i), "a binding name")) continue;
      if (!seen.insert(v[i].get<std::string>()).second) {
        Error(Child(path, i), "duplicate item '" + v[i].get<std::string>() + "'");
        continue;
      }
      names.push_back(v[i].get<std::string>());
    }
    return names;
  }

  // "$name" must be bound (`visible`); "@NAME" names a module attribute, which the case then
  // requires; "$$x" and "@@x" are literals.
  void ArgString(const std::string& s, const std::string& path, const Scope& scope) {
    if (s.empty() || (s[0] != '$' && s[0] != '@')) return;
    if (s.size() > 1 && s[1] == s[0]) return;  // "$$x", "@@x": literals
    const std::string name = s.substr(1);
    if (!IsIdentifier(name)) {
      Error(path, "'" + s + "': '" + s[0] + "' must be followed by a name (write '" + s[0] +
                      s + "' for the literal string)");
      return;
    }
    if (s[0] == '@') {
      requires_.insert(name);
    } else if (!scope.bound.count(name)) {
      Error(path, "'" + s + "' is not bound by an earlier step");
    }
  }

  void HandlerRef(const json& v, const std::string& path) {
    if (!Identifier(v, path, "a handler name")) return;
    if (!handlers_.count(v.get<std::string>())) {
      std::vector<std::string> declared(handlers_.begin(), handlers_.end());
      Error(path, "handler '" + v.get<std::string>() + "' is not declared in 'handlers'" +
                      (declared.empty() ? std::string(" (none is)")
                                        : "; declared: " + Join(declared)));
    }
  }

  void FloatField(const json& v, const std::string& path) {
    if (v.is_number()) return;
    if (v.is_string()) {
      const std::string s = v.get<std::string>();
      if (s != "inf" && s != "-inf" && s != "nan") {
        Error(path, "'" + s + "' is not a float; numbers or \"inf\", \"-inf\", \"nan\"");
      }
      return;
    }
    TypeError(v, path, "a number or \"inf\", \"-inf\", \"nan\"");
  }

  void HexField(const json& v, const std::string& path) {
    if (IsString(v, path) && !IsHex(v.get<std::string>())) {
      Error(path, "'" + v.get<std::string>() + "' is not lower-case hex with two digits a byte");
    }
  }

  void Arg(const json& v, const std::string& path, const Scope& scope) {
    switch (v.type()) {
      case json::value_t::null:
      case json::value_t::boolean:
      case json::value_t::number_integer:
      case json::value_t::number_unsigned:
        return;
      case json::value_t::number_float:
        if (!IsIntegral(v)) {
          Error(path, "a bare number " + v.dump() + " is not an argument; write {\"float\": " +
                          v.dump() + "}");
        }
        return;
      case json::value_t::string:
        ArgString(v.get<std::string>(), path, scope);
        return;
      case json::value_t::array:
        for (size_t i = 0; i < v.size(); ++i) Arg(v[i], Child(path, i), scope);
        return;
      case json::value_t::object:
        break;
      default:
        TypeError(v, path, "an argument");
        return;
    }
    const std::vector<std::string> forms = {"bytes", "float", "handler", "set", "tuple"};
    if (v.size() != 1) {
      Error(path, "an argument object has exactly one key (" + Join(forms) + "), got " +
                      std::to_string(v.size()));
      if (v.empty()) return;
    }
    for (const auto& item : v.items()) {
      const std::string key = item.key();
      const std::string p = Child(path, key);
      if (key == "float") {
        FloatField(item.value(), p);
      } else if (key == "bytes") {
        HexField(item.value(), p);
      } else if (key == "set" || key == "tuple") {
        if (IsArray(item.value(), p)) {
          for (size_t i = 0; i < item.value().size(); ++i) Arg(item.value()[i], Child(p, i), scope);
        }
      } else if (key == "handler") {
        HandlerRef(item.value(), p);
      } else {
        Error(p, "unknown key '" + key + "'; expected one of: " + Join(forms));
      }
    }
  }

  void Matcher(const json& v, const std::string& path, const Scope& scope) {
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
      Identifier(v["struct"], Child(path, "struct"), "a struct name");
      if (auto it = v.find("fields"); it != v.end() && IsObject(*it, Child(path, "fields"))) {
        for (const auto& item : it->items()) {
          Matcher(item.value(), Child(Child(path, "fields"), item.key()), scope);
        }
      }
      return;
    }
    static const std::vector<std::string> kValueForms = {
        "Handlers", "Signals", "Sigmasks", "builtin", "bytes", "float", "handler", "set",
        "struct", "tuple"};
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
      } else if (key == "Signals") {
        Signal(arg, p, false);
      } else if (key == "Handlers") {
        OneOf(arg, p, {"SIG_DFL", "SIG_IGN"});
      } else if (key == "Sigmasks") {
        OneOf(arg, p, {"SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK"});
      } else if (key == "set" || key == "tuple" || key == "$contains" || key == "$excludes" ||
                 key == "$one_of" || key == "$all") {
        if (!IsArray(arg, p)) continue;
        if ((key == "$one_of" || key == "$all") && arg.empty()) {
          Error(p, "expected at least one matcher");
        }
        for (size_t i = 0; i < arg.size(); ++i) Matcher(arg[i], Child(p, i), scope);
      } else if (key == "handler") {
        HandlerRef(arg, p);
      } else if (key == "builtin") {
        Identifier(arg, p, "a builtin name");
      } else if (key == "$any") {
        if (arg != json(true)) Error(p, "$any takes true, got " + arg.dump());
      } else if (key == "$type") {
        if (IsString(arg, p)) {
          const std::string t = arg.get<std::string>();
          if (!TypeWords().count(t) && !(IsIdentifier(t) && IsUpper(t[0]))) {
            Error(p, "'" + t + "' is not a type: one of " +
                         Join(std::vector<std::string>(TypeWords().begin(), TypeWords().end())) +
                         ", or an enum name such as Signals");
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
        IsInteger(arg, p);
      } else if (key == "$not" || key == "$len" || key == "$every") {
        Matcher(arg, p, scope);
      } else if (key == "$below") {
        if (arg.is_string()) {
          Matcher(arg, p, scope);  // "$name": bound by an earlier step
          const std::string text = arg.get<std::string>();
          if (text.rfind('$', 0) != 0 || text.rfind("$$", 0) == 0) {
            Error(p, "$below takes an integer or a \"$name\" binding, got " + arg.dump());
          }
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

  void Expect(const json& v, const std::string& path, const Scope& scope) {
    if (!IsObject(v, path)) return;
    Keys(v, path, {"returns", "raises", "events", "elapsed", "audit"}, {});
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
  }

  void Raises(const json& v, const std::string& path) {
    if (v.is_string()) {
      Identifier(v, path, "an exception type");
      return;
    }
    if (!v.is_object()) {
      TypeError(v, path, "an exception type name or an object");
      return;
    }
    Keys(v, path, {"type", "isa", "not_isa", "errno", "message_contains"}, {});
    if (v.empty()) {
      Error(path, "expected at least one of 'type', 'isa', 'not_isa', 'errno', 'message_contains'");
    }
    if (auto it = v.find("type"); it != v.end()) {
      Identifier(*it, Child(path, "type"), "an exception type");
    }
    for (const char* key : {"isa", "not_isa"}) {
      auto it = v.find(key);
      if (it == v.end() || !IsArray(*it, Child(path, key))) continue;
      for (size_t i = 0; i < it->size(); ++i) {
        Identifier((*it)[i], Child(Child(path, key), i), "an exception type");
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
  void Audit(const json& v, const std::string& path, const Scope& scope) {
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

  void Events(const json& v, const std::string& path) {
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
      if (auto it = e.find("sig"); it != e.end()) Signal(*it, Child(p, "sig"), false);
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

  std::string file_;
  std::string expected_id_;
  std::vector<CatalogError> errors_;
  Case case_;
  std::set<std::string> requires_;
  std::set<std::string> operations_;
  std::set<std::string> handlers_;
  std::set<std::string> all_binds_;
  std::set<std::string> threads_;
  std::set<std::string> step_paths_;  // every step's protocol path, for event timing keys
  std::map<std::string, std::set<std::string>> thread_binds_;
};

}  // namespace

std::string FormatCatalogError(const CatalogError& e) {
  return e.file + ": " + (e.json_path.empty() ? std::string("(root)") : e.json_path) + ": " +
         e.message;
}

std::vector<CatalogError> ValidateCase(const json& doc, const std::string& file,
                                       const std::string& expected_id, Case* out) {
  try {
    return Validator(file, expected_id).Run(doc, out);
  } catch (const std::exception& e) {
    // A validator bug must still name the file rather than take the runner down.
    return {{file, "", std::string("internal error while validating: ") + e.what()}};
  }
}

std::vector<CatalogError> ParseAndValidateCase(const std::string& text, const std::string& file,
                                               const std::string& expected_id, Case* out) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 3,
    // column 5: ..."; the bracketed tag means nothing to a case author.
    std::string what = e.what();
    if (const size_t tag_end = what.find("] "); what.rfind("[json.", 0) == 0 &&
                                                tag_end != std::string::npos) {
      what = what.substr(tag_end + 2);
    }
    return {{file, "", "invalid JSON: " + what}};
  }
  return ValidateCase(doc, file, expected_id, out);
}

Catalog LoadCatalog(const std::string& cases_dir) {
  Catalog catalog;
  std::error_code ec;
  const fs::path root(cases_dir);
  if (!fs::is_directory(root, ec)) {
    catalog.errors.push_back({cases_dir, "", "not a readable directory of cases"});
    return catalog;
  }
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) {
    catalog.errors.push_back({cases_dir, "", "cannot read the directory: " + ec.message()});
    return catalog;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      catalog.errors.push_back({cases_dir, "", "cannot read the directory: " + ec.message()});
      break;
    }
    const fs::path& p = it->path();
    if (p.filename().string().rfind('.', 0) == 0) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (p.extension() == ".json" && !it->is_directory(ec)) files.push_back(p);
  }
  std::sort(files.begin(), files.end());

  std::map<std::string, std::string> seen_ids;  // id -> file that has it
  for (const auto& path : files) {
    const std::string file = path.string();
    std::string id = path.lexically_relative(root).generic_string();
    id.resize(id.size() - 5);  // ".json"
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      catalog.errors.push_back({file, "", "cannot read the file"});
      continue;
    }
    Case c;
    auto errors = ParseAndValidateCase(text.str(), file, id, &c);
    if (!errors.empty()) {
      catalog.errors.insert(catalog.errors.end(), errors.begin(), errors.end());
      continue;
    }
    if (auto [pos, inserted] = seen_ids.emplace(c.id, file); !inserted) {
      catalog.errors.push_back(
          {file, "/id", "duplicate id '" + c.id + "', already used by " + pos->second});
      continue;
    }
    catalog.cases.push_back(std::move(c));
  }
  std::sort(catalog.cases.begin(), catalog.cases.end(),
            [](const Case& a, const Case& b) { return a.id < b.id; });
  return catalog;
}

}  // namespace sigconform
