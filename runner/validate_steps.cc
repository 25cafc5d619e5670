// The case validator: steps, `do` actions and their fields, bindings and arguments
// (spec/case-format.md, "Steps" and "Arguments").
#include "case_validator.h"

#include <algorithm>
#include <set>

namespace sigconform {

using nlohmann::json;

namespace {

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
      {"parent_kill", {{"sig", FieldKind::kHostSignal, true}, {"queue", FieldKind::kBool, false},
                       {"once_blocked", FieldKind::kBool, false}}},
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
      {"fork", {{"name", FieldKind::kForkName, true}, {"steps", FieldKind::kSteps, true}}},
      {"temp_file", {}},
      {"file_size", {{"fd", FieldKind::kArg, true}}},
      {"text", {{"of", FieldKind::kArg, true}, {"form", FieldKind::kTextForm, true}}},
      {"names_of", {{"of", FieldKind::kArg, true}}},
      {"join", {{"name", FieldKind::kStartedThread, true},
                {"timeout", FieldKind::kPositiveNumber, true}}},
      {"ident", {{"thread", FieldKind::kIdentThread, true}}},
      {"wait_blocked", {{"thread", FieldKind::kOtherThread, true},
                        {"timeout", FieldKind::kPositiveNumber, true}}},
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

}  // namespace

std::string ActionSince(const std::string& action) {
  // The standard library functions these actions stand on arrived later than 3.0.
  if (action == "audit_hook") return "3.8";  // sys.addaudithook
  if (action == "pidfd_open") return "3.9";  // os.pidfd_open
  return "";
}

std::vector<std::string> ActionPlatforms(const std::string& action) {
  // A process that copies itself needs fork(2): no Windows, no WebAssembly.
  if (action == "fork") return {"unix"};
  return {};
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

void CaseValidator::Steps(const json& v, const std::string& path, Scope* scope) {
  if (!IsArray(v, path)) return;
  if (v.empty()) Error(path, "expected at least one step");
  for (size_t i = 0; i < v.size(); ++i) Step(v[i], Child(path, i), scope);
}

void CaseValidator::Step(const json& s, const std::string& path, Scope* scope) {
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
  if (auto it = s.find("uncaught"); it != s.end()) Uncaught(*it, path);
  if (has_call) {
    Keys(s, path, {"call", "args", "kwargs", "bind", "expect", "note", "uncaught"}, {});
    operations_.insert("call");
    std::string function;
    if (Identifier(s["call"], Child(path, "call"), "a function name")) {
      function = s["call"].get<std::string>();
      requires_.insert(function);
      Use(SurfaceUse::Kind::kCall, function, Child(path, "call"));
    }
    if (auto it = s.find("args"); it != s.end() && IsArray(*it, Child(path, "args"))) {
      for (size_t i = 0; i < it->size(); ++i) {
        const std::string p = Child(Child(path, "args"), i);
        if (!function.empty()) {
          Use(SurfaceUse::Kind::kPositional, "", p, function, static_cast<int>(i));
        }
        Arg((*it)[i], p, *scope);
      }
    }
    if (auto it = s.find("kwargs"); it != s.end() && IsObject(*it, Child(path, "kwargs"))) {
      for (const auto& item : it->items()) {
        const std::string p = Child(Child(path, "kwargs"), item.key());
        if (!IsIdentifier(item.key())) {
          Error(p, "'" + item.key() + "' is not a keyword argument name");
          continue;
        }
        if (!function.empty()) Use(SurfaceUse::Kind::kKeyword, item.key(), p, function);
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

void CaseValidator::Action(const json& s, const std::string& path, Scope* scope) {
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
  Use(SurfaceUse::Kind::kAction, name, dp);
  std::vector<std::string> allowed = {"do", "bind", "expect", "note", "uncaught"}, required;
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
  // A driver that dropped `once_blocked` from its request would bring back the race it
  // closes, so a case that needs it runs only on drivers that list it.
  if (name == "parent_kill" && s.value("once_blocked", json(false)) == json(true)) {
    operations_.insert("parent_kill_once_blocked");
  }
}

void CaseValidator::Field(const json& v, const std::string& p, FieldKind kind, const json& step,
           const std::string& step_path, Scope* scope) {
  switch (kind) {
    case FieldKind::kArg: Arg(v, p, *scope); break;
    case FieldKind::kHostSignal:
      if (Signal(v, p, true)) Use(SurfaceUse::Kind::kSignal, v.get<std::string>(), p);
      break;
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
    case FieldKind::kAttributeName:
      if (Identifier(v, p, "an attribute name")) {
        Use(SurfaceUse::Kind::kProbe, v.get<std::string>(), p);
      }
      break;
    case FieldKind::kTextForm:
      OneOf(v, p, {"str", "repr"});
      break;
    case FieldKind::kEnumClass:
      if (OneOf(v, p, {"Signals", "Handlers", "Sigmasks"})) {
        Use(SurfaceUse::Kind::kEnum, v.get<std::string>(), p);
      }
      break;
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
    case FieldKind::kThreadName:
    case FieldKind::kForkName: {
      const bool fork = kind == FieldKind::kForkName;
      const bool named = Identifier(v, p, fork ? "a name for the child" : "a thread name");
      const std::string name = named ? v.get<std::string>() : std::string();
      if (!named) {
        // Still validate the steps below, under no name.
      } else if (name == "main" || name == "other") {
        Error(p, "'" + name + "' is reserved for the driver's own threads; choose another "
                              "name");
      } else if (!threads_.insert(name).second) {
        Error(p, "'" + name + "' is already the name of a thread or child started by an "
                              "earlier step");
      } else if (fork) {
        forks_.insert(name);
      }
      if (fork && thread_depth_ > 0) {
        Error(step_path, "a 'fork' step cannot run in a thread: fork the main program (or a "
                         "forked child) instead");
      }
      // The steps see what the starting thread bound so far. What a thread binds becomes
      // visible to the starting thread once it joins it; what a child binds stays in the child.
      // A child's own main thread is "main" to its steps.
      const std::string outer_thread = current_thread_;
      current_thread_ = fork ? "main" : name;
      const std::set<std::string> bound = SubSteps(step, step_path, *scope, fork);
      current_thread_ = outer_thread;
      if (named && !fork) thread_binds_[name].insert(bound.begin(), bound.end());
      break;
    }
    case FieldKind::kSteps:
      break;  // validated with the thread's name, above
    case FieldKind::kStartedThread:
      if (Identifier(v, p, "a thread name")) {
        const std::string name = v.get<std::string>();
        if (forks_.count(name)) {
          Error(p, "'" + name + "' is a forked child, not a thread: wait for it with "
                                "'waitpid' on the pid its 'fork' step returned");
        } else if (!threads_.count(name)) {
          Error(p, "thread '" + name + "' is not started by an earlier 'thread' step");
        } else {
          const auto& joined = thread_binds_[name];
          scope->bound.insert(joined.begin(), joined.end());
        }
      }
      break;
    case FieldKind::kIdentThread:
    case FieldKind::kOtherThread:
      if (kind == FieldKind::kOtherThread && v == json(current_thread_)) {
        // It polls while it waits: the thread that runs the step never sleeps in a call.
        Error(p, "a thread cannot wait for itself to block: name another thread");
        break;
      }
      if (Identifier(v, p, "a thread name")) {
        const std::string name = v.get<std::string>();
        if (forks_.count(name)) {
          Error(p, "'" + name + "' is a forked child, not a thread of this process");
        } else if (name != "main" && !threads_.count(name)) {
          Error(p, "thread '" + name +
                       "' is not \"main\" nor started by an earlier 'thread' step");
        }
      }
      break;
  }
}

std::set<std::string> CaseValidator::SubSteps(const json& step, const std::string& step_path,
                                              const Scope& scope, bool fork) {
  std::set<std::string> bound;
  auto it = step.find("steps");
  if (it == step.end()) return bound;
  Scope inner = scope;
  thread_depth_ += fork ? 0 : 1;
  Steps(*it, Child(step_path, "steps"), &inner);
  thread_depth_ -= fork ? 0 : 1;
  for (const auto& name : inner.bound) {
    if (!scope.bound.count(name)) bound.insert(name);
  }
  return bound;
}

// `uncaught`: the step's exception, if it raises one, escapes the program (spec/case-format.md).
// Only the last step of the main program may say so: nothing runs after an uncaught exception.
void CaseValidator::Uncaught(const json& v, const std::string& path) {
  const std::string p = Child(path, "uncaught");
  if (!IsBool(v, p) || !v.get<bool>()) return;
  operations_.insert("uncaught");
  const std::string prefix = "/steps/";
  const bool main_level = path.rfind(prefix, 0) == 0 &&
                          path.find('/', prefix.size()) == std::string::npos;
  if (!main_level) {
    Error(p, "only a step of the main program may let its exception escape: a thread or a "
             "forked child has no program to end");
    return;
  }
  if (std::stoul(path.substr(prefix.size())) + 1 != main_steps_) {
    Error(p, "only the last step of the main program may let its exception escape: nothing "
             "runs after it");
  }
}

std::vector<std::string> CaseValidator::Bind(const json& v, const std::string& path) {
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
void CaseValidator::ArgString(const std::string& s, const std::string& path, const Scope& scope) {
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
    Use(SurfaceUse::Kind::kName, name, path);
  } else if (!scope.bound.count(name)) {
    Error(path, "'" + s + "' is not bound by an earlier step");
  }
}

void CaseValidator::FloatField(const json& v, const std::string& path) {
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

void CaseValidator::HexField(const json& v, const std::string& path) {
  if (IsString(v, path) && !IsHex(v.get<std::string>())) {
    Error(path, "'" + v.get<std::string>() + "' is not lower-case hex with two digits a byte");
  }
}

void CaseValidator::Arg(const json& v, const std::string& path, const Scope& scope) {
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
  if (v.contains("platform")) {
    PlatformValue(v, path);
    return;
  }
  const std::vector<std::string> forms = {"bytes", "float", "handler", "platform", "set", "tuple"};
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

}  // namespace sigconform
