// The module as Python code sees it: attributes by name, and functions called by name with
// Python-style positional and keyword arguments. This is the surface a driver exposes to the
// case language (`call` steps and `@NAME` arguments); the typed C++ functions it dispatches to
// live in handlers.h, mask.h, timers.h, sending.h, wakeup_fd.h and blocking.h.
#ifndef SIGREF_MODULE_H_
#define SIGREF_MODULE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "value.h"

namespace sigref {

// Keyword arguments in the order given.
using Kwargs = std::vector<std::pair<std::string, Value>>;

// signal.NAME: enum members and constants as values, functions as builtin callables (the
// same object every time; default_int_handler is the one the module installs), classes as
// opaque objects. AttributeError "module 'signal' has no attribute 'NAME'" otherwise.
Value GetAttribute(const std::string& name);

// Calls signal.NAME(*args, **kwargs) with CPython 3.11's signatures (positional-only where the
// C functions are, keywords where signal.py's wrappers take them) and argument errors
// (TypeError for a wrong count, an unexpected keyword or a wrong type). Calling an enum class
// with a value looks the member up (ValueError "N is not a valid Signals"). Anything the
// function raises propagates.
Value Call(const std::string& name, const std::vector<Value>& args, const Kwargs& kwargs);

// (obj.__module__, obj.__name__) as CPython 3.12 reports them for the module's objects: the
// enum classes and the exception class ("signal"; ItimerError's class is named "itimer_error"),
// the functions ("signal" for those signal.py defines in Python, "_signal" for the C ones).
// AttributeError for anything without both (an enum member, an int).
std::pair<std::string, std::string> NamesOf(const Value& v);

// The (__module__, __name__) of an exception class by its public name: "builtins" and the
// name for the built-in exceptions, ("signal", "itimer_error") for ItimerError.
std::pair<std::string, std::string> ExceptionClassNames(const std::string& type_name);

// Python truthiness of a value (for flag arguments).
bool Truthy(const Value& v);

}  // namespace sigref

#endif  // SIGREF_MODULE_H_
