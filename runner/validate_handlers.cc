// The case validator: declared handlers and references to them (spec/case-format.md,
// "Handlers").
#include "case_validator.h"

namespace sigconform {

using nlohmann::json;

void CaseValidator::Handlers(const json& v, const std::string& path) {
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
    Keys(h, p, {"kind", "arity", "record", "write", "restore", "raise"}, {});
    if (auto it = h.find("kind"); it != h.end() &&
                                  OneOf(*it, Child(p, "kind"), {"function", "method", "object"})) {
      if (*it != "function") operations_.insert("handler_" + it->get<std::string>());
    }
    if (auto it = h.find("arity"); it != h.end() && IntegerAtLeast(*it, Child(p, "arity"), 0)) {
      if (it->get<double>() > 4) {
        Error(Child(p, "arity"), "a handler takes at most 4 parameters here, got " + it->dump());
      } else if (it->get<double>() != 2) {
        operations_.insert("handler_arity");
      }
    }
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

void CaseValidator::HandlerRef(const json& v, const std::string& path) {
  if (!Identifier(v, path, "a handler name")) return;
  if (!handlers_.count(v.get<std::string>())) {
    std::vector<std::string> declared(handlers_.begin(), handlers_.end());
    Error(path, "handler '" + v.get<std::string>() + "' is not declared in 'handlers'" +
                    (declared.empty() ? std::string(" (none is)")
                                      : "; declared: " + Join(declared)));
  }
}

}  // namespace sigconform
