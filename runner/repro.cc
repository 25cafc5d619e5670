#include "repro.h"

#include <cmath>
#include <cstdio>

#include "repro_prelude.h"

namespace sigconform {
namespace {

using nlohmann::json;

std::string Quote(const std::string& s) { return json(s).dump(); }  // a valid Python literal too

std::string JoinComma(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string FloatLiteral(const json& f) {
  if (f.is_string()) return "float(" + Quote(f.get<std::string>()) + ")";  // inf, -inf, nan
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", f.get<double>());
  std::string out = buf;
  if (out.find_first_of(".eEn") == std::string::npos) out += ".0";
  return out;
}

// Turns a case's arguments (spec/case-format.md, "Arguments") into Python expressions.
class Renderer {
 public:
  std::string Arg(const json& a) const {
    if (a.is_string()) {
      const std::string s = a.get<std::string>();
      if (s.rfind("@@", 0) == 0 || s.rfind("$$", 0) == 0) return Quote(s.substr(1));
      if (s.rfind("@", 0) == 0) return "signal." + s.substr(1);
      if (s.rfind("$", 0) == 0) return "c.val(" + Quote(s.substr(1)) + ")";
      return Quote(s);
    }
    if (a.is_array()) {
      std::vector<std::string> items;
      for (const json& x : a) items.push_back(Arg(x));
      return "[" + JoinComma(items) + "]";
    }
    if (a.is_object()) {
      if (a.contains("float")) return FloatLiteral(a["float"]);
      if (a.contains("bytes")) return "bytes.fromhex(" + Quote(a["bytes"].get<std::string>()) + ")";
      if (a.contains("handler")) return "HANDLER_FUNCTIONS[" + Quote(a["handler"].get<std::string>()) + "]";
      std::vector<std::string> items;
      const bool set = a.contains("set");
      for (const json& x : set ? a["set"] : a["tuple"]) items.push_back(Arg(x));
      if (set) return items.empty() ? "set()" : "{" + JoinComma(items) + "}";
      if (items.size() == 1) return "(" + items[0] + ",)";
      return "(" + JoinComma(items) + ")";
    }
    return PythonLiteral(a);
  }

  // The Python code of one step's action, or "" when the generator does not know it.
  std::string Action(const json& step) const {
    if (step.contains("call")) {
      std::vector<std::string> args;
      const json positional = step.value("args", json::array());
      const json keywords = step.value("kwargs", json::object());
      for (const json& a : positional) args.push_back(Arg(a));
      for (const auto& [key, value] : keywords.items()) args.push_back(key + "=" + Arg(value));
      return "signal." + step["call"].get<std::string>() + "(" + JoinComma(args) + ")";
    }
    const std::string action = step.value("do", "");
    auto arg = [&](const char* key) { return Arg(step[key]); };
    auto num = [&](const char* key) { return step[key].dump(); };
    auto text = [&](const char* key) { return Quote(step[key].get<std::string>()); };
    if (action == "kill") return "os.kill(os.getpid(), " + arg("sig") + ")";
    if (action == "parent_kill") {
      return "c.request_signal(" + text("sig") + (step.value("queue", false) ? ", queue=True" : "") +
             (step.value("once_blocked", false) ? ", once_blocked=True" : "") + ")";
    }
    if (action == "wait") return "c.wait_events(" + num("events") + ", " + num("timeout") + ")";
    if (action == "burn_cpu") {
      std::string out = "c.burn_cpu(" + num("seconds");
      if (step.contains("events")) out += ", events=" + num("events");
      if (step.value("kernel", false)) out += ", kernel=True";
      return out + ")";
    }
    if (action == "sleep") return "time.sleep(" + num("seconds") + ")";
    if (action == "pipe") return "os.pipe()";
    if (action == "socketpair") return "c.socketpair()";
    if (action == "close") return "os.close(" + arg("fd") + ")";
    if (action == "read") return "os.read(" + arg("fd") + ", " + num("size") + ")";
    if (action == "write") return "os.write(" + arg("fd") + ", " + arg("data") + ")";
    if (action == "set_blocking") {
      return "os.set_blocking(" + arg("fd") + ", " + (step["blocking"].get<bool>() ? "True" : "False") + ")";
    }
    if (action == "write_stdout") {
      return "c.write_stdout(" + text("text") + ", " + (step.value("flush", true) ? "True" : "False") + ")";
    }
    if (action == "stdout_to_devnull") return "c.stdout_to_devnull()";
    if (action == "exit") return "c.exit(" + num("code") + ")";
    if (action == "thread") return "c.start_thread(" + text("name") + ", " + ThreadFunction(step) + ")";
    if (action == "join") return "c.join(" + text("name") + ", " + num("timeout") + ")";
    if (action == "ident") return "c.ident(" + text("thread") + ")";
    if (action == "wait_blocked") {
      return "c.wait_blocked(" + text("thread") + ", " + num("timeout") + ")";
    }
    if (action == "check") return "None";
    if (action == "fill") return "c.fill(" + arg("fd") + ")";
    if (action == "attribute") return "getattr(signal, " + text("name") + ")";
    if (action == "members") return "list(signal." + step["enum"].get<std::string>() + ")";
    if (action == "select") return "c.select(" + arg("fds") + ", " + num("timeout") + ")";
    if (action == "native_busy") return "c.native_busy(" + num("seconds") + ")";
    if (action == "process_info") return "(os.getpid(), os.getuid(), os.getppid())";
    if (action == "audit_hook") return "c.audit_hook(" + PythonLiteral(step["events"]) + ")";
    if (action == "pidfd_open") return "os.pidfd_open(" + arg("pid") + ")";
    if (action == "spawn") return "c.spawn(" + arg("argv") + ")";
    if (action == "waitpid") return "c.waitpid(" + arg("pid") + ", " + num("timeout") + ")";
    return "";
  }

  static std::string ThreadFunction(const json& step) {
    std::string name;
    for (char ch : step["name"].get<std::string>()) {
      const bool word = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
      name += word ? ch : '_';
    }
    return "thread_" + name;
  }
};

// Appends the Python of `steps` (paths below `prefix`) to *body, one c.step(...) each, with
// `indent`; thread bodies are appended to *functions. False, with *error, on an unknown action.
bool RenderSteps(const Renderer& r, const json& steps, const std::string& prefix,
                 const std::string& indent, std::string* body, std::string* functions,
                 std::string* error) {
  for (size_t i = 0; i < steps.size(); i++) {
    const json& step = steps[i];
    const std::string path = prefix + std::to_string(i);
    const std::string code = r.Action(step);
    if (code.empty()) {
      *error = "step " + path + ": `sigconform repro` cannot write the action '" +
               step.value("do", std::string("?")) + "' as Python yet";
      return false;
    }
    if (step.value("do", "") == "thread") {
      std::string inner;
      if (!RenderSteps(r, step["steps"], path + ".", "    ", &inner, functions, error)) return false;
      *functions += "def " + Renderer::ThreadFunction(step) + "(c):\n" + inner + "\n\n";
    }
    if (step.contains("note")) *body += indent + "# " + step["note"].get<std::string>() + "\n";
    *body += indent + "c.step(" + Quote(path) + ", " + Quote(code) + ",\n" + indent +
             "       lambda: " + code;
    if (step.contains("expect")) *body += ",\n" + indent + "       expect=" + PythonLiteral(step["expect"]);
    if (step.contains("bind")) *body += ",\n" + indent + "       bind=" + PythonLiteral(step["bind"]);
    if (step.value("uncaught", false)) *body += ",\n" + indent + "       uncaught=True";
    *body += ")\n";
  }
  return true;
}

json StreamJson(const StreamExpectation& s) {
  if (!s.present) return nullptr;
  json out = json::object();
  if (!s.contains.empty()) out["contains"] = s.contains;
  if (!s.excludes.empty()) out["excludes"] = s.excludes;
  if (s.empty) out["empty"] = true;
  return out;
}

std::string Comment(const std::string& text) {
  std::string out = "# ";
  for (char ch : text) {
    out += ch;
    if (ch == '\n') out += "# ";
  }
  return out + "\n";
}

}  // namespace

std::string PythonLiteral(const json& value) {
  switch (value.type()) {
    case json::value_t::null: return "None";
    case json::value_t::boolean: return value.get<bool>() ? "True" : "False";
    case json::value_t::string: return Quote(value.get<std::string>());
    case json::value_t::number_float: {
      const double d = value.get<double>();
      if (std::isnan(d) || std::isinf(d)) return "float(" + Quote(std::isnan(d) ? "nan" : d > 0 ? "inf" : "-inf") + ")";
      return FloatLiteral(value);
    }
    case json::value_t::array: {
      std::vector<std::string> items;
      for (const json& x : value) items.push_back(PythonLiteral(x));
      return "[" + JoinComma(items) + "]";
    }
    case json::value_t::object: {
      std::vector<std::string> items;
      for (const auto& [key, x] : value.items()) items.push_back(Quote(key) + ": " + PythonLiteral(x));
      return "{" + JoinComma(items) + "}";
    }
    default: return value.dump();  // integers
  }
}

bool WriteReproScript(const Case& c, const ReproNotes& notes, std::string* script,
                      std::string* error) {
  Renderer renderer;
  std::string body, functions;
  if (!RenderSteps(renderer, c.steps, "", "    ", &body, &functions, error)) return false;

  json parent = json::object();
  if (!c.parent.ignore.empty()) parent["ignore"] = c.parent.ignore;
  if (!c.parent.block.empty()) parent["block"] = c.parent.block;
  if (!c.parent.pending.empty()) parent["pending"] = c.parent.pending;
  if (c.parent.stdout_mode == ParentState::Stdout::kBroken) parent["stdout"] = "broken";
  if (c.parent.stdout_mode == ParentState::Stdout::kDevNull) parent["stdout"] = "devnull";
  if (!c.parent.env.empty()) {
    json env = json::object();
    for (const auto& [name, value] : c.parent.env) env[name] = value ? json(*value) : json();
    parent["env"] = env;
  }
  json exit = c.exit.by_signal ? json{{"signal", c.exit.signal}} : json{{"code", c.exit.code}};

  std::string out = "#!/usr/bin/env python3\n";
  out += Comment("Reproduces the sigconform case " + c.id + ":\n    " + c.title);
  out += "#\n";
  if (!notes.rules.empty()) {
    out += "# What the documentation says (the rules the case checks):\n";
    for (const std::string& rule : notes.rules) out += Comment("  - " + rule);
    out += "#\n";
  }
  if (!notes.implementation.empty()) {
    out += Comment("Observed on " + notes.implementation + ":\n    " + notes.observed);
    out += "#\n";
  }
  out += "# Standalone: Python 3.6+ and its standard library, nothing else. Run it with the\n"
         "# interpreter under test";
  out += notes.run_with.empty() ? ".\n" : ":\n" + Comment("    " + notes.run_with);
  out += "# It prints each expectation next to what was observed, and exits 0 when the\n"
         "# interpreter behaves as documented, 1 when it diverges.\n\n";
  out += kReproPrelude;
  out += "\n\n# ---- The case ------------------------------------------------------------------\n\n";
  out += "HANDLERS = " + PythonLiteral(c.handlers) + "\n";
  out += "PARENT = " + PythonLiteral(parent) + "\n";
  out += "EXIT = " + PythonLiteral(exit) + "\n";
  out += "STDOUT = " + PythonLiteral(StreamJson(c.stdout_expect)) + "\n";
  out += "STDERR = " + PythonLiteral(StreamJson(c.stderr_expect)) + "\n\n\n";
  out += functions;
  out += "def steps(c):\n" + body + "\n\n";
  out += "if __name__ == \"__main__\":\n    main(steps)\n";
  *script = std::move(out);
  return true;
}

}  // namespace sigconform
