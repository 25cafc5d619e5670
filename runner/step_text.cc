#include "step_text.h"

#include <cstdlib>

#include "matcher.h"

namespace sigconform {
namespace {

using nlohmann::json;

std::string Join(const json& items, const char* open, const char* close) {
  std::string out = open;
  bool first = true;
  for (const json& item : items) {
    if (!first) out += ", ";
    first = false;
    out += ArgumentText(item);
  }
  return out + close;
}

std::string Dump(const json& v) { return v.dump(-1, ' ', false, json::error_handler_t::replace); }

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string Cut(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max >= 3 ? max - 3 : 0;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "...";
}

}  // namespace

const json* StepAtPath(const json& steps, const std::string& path) {
  const json* list = &steps;
  const json* step = nullptr;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t dot = path.find('.', start);
    const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || part.size() > 6 || part.find_first_not_of("0123456789") != std::string::npos) {
      return nullptr;
    }
    const size_t index = static_cast<size_t>(std::strtoul(part.c_str(), nullptr, 10));
    if (list == nullptr || !list->is_array() || index >= list->size()) return nullptr;
    step = &(*list)[index];
    if (dot == std::string::npos) return step;
    list = step->is_object() && step->contains("steps") ? &(*step)["steps"] : nullptr;
    start = dot + 1;
  }
  return nullptr;
}

std::string ArgumentText(const json& a) {
  switch (a.type()) {
    case json::value_t::null: return "None";
    case json::value_t::boolean: return a.get<bool>() ? "True" : "False";
    case json::value_t::string: {
      const std::string s = a.get<std::string>();
      if (s.size() > 1 && (s[0] == '@' || s[0] == '$') && s[1] != s[0]) return s.substr(1);
      if (s.size() > 1 && (s[0] == '@' || s[0] == '$')) return Describe(json(s.substr(1)));
      return Describe(a);
    }
    case json::value_t::array: return Join(a, "[", "]");
    case json::value_t::object: break;
    default: return Dump(a);
  }
  if (a.size() == 1) {
    const std::string key = a.begin().key();
    const json& v = a.begin().value();
    if (key == "float" || key == "bytes") return Describe(a);
    if (key == "set" && v.is_array()) return v.empty() ? "set()" : Join(v, "{", "}");
    if (key == "tuple" && v.is_array()) {
      return v.size() == 1 ? "(" + ArgumentText(v[0]) + ",)" : Join(v, "(", ")");
    }
    if (key == "handler" && v.is_string()) return v.get<std::string>();
  }
  return Dump(a);
}

std::string StepText(const json& step, size_t max_chars) {
  try {
    if (!step.is_object()) return Cut(Dump(step), max_chars);
    std::string out;
    if (step.contains("bind")) {
      const json& bind = step["bind"];
      if (bind.is_string()) {
        out += bind.get<std::string>() + " = ";
      } else if (bind.is_array()) {
        bool first = true;
        for (const json& name : bind) {
          out += (first ? "" : ", ") + (name.is_string() ? name.get<std::string>() : Dump(name));
          first = false;
        }
        out += " = ";
      }
    }
    std::string args;
    const auto add = [&](const std::string& text) { args += (args.empty() ? "" : ", ") + text; };
    if (step.contains("call")) {
      out += step["call"].is_string() ? step["call"].get<std::string>() : Dump(step["call"]);
      if (step.contains("args") && step["args"].is_array()) {
        for (const json& a : step["args"]) add(ArgumentText(a));
      }
      if (step.contains("kwargs") && step["kwargs"].is_object()) {
        for (const auto& [key, value] : step["kwargs"].items()) add(key + "=" + ArgumentText(value));
      }
    } else {
      out += step.value("do", json()).is_string() ? step["do"].get<std::string>() : "?";
      for (const auto& [key, value] : step.items()) {
        if (key == "do" || key == "bind" || key == "expect" || key == "note") continue;
        if (key == "steps" && value.is_array()) {
          add("steps=[" + std::to_string(value.size()) + (value.size() == 1 ? " step]" : " steps]"));
        } else {
          add(key + "=" + ArgumentText(value));
        }
      }
    }
    return Cut(out + "(" + args + ")", max_chars);
  } catch (const std::exception&) {
    return "?";
  }
}

}  // namespace sigconform
