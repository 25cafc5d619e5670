#include "module.h"

#include <climits>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "blocking.h"
#include "errors.h"
#include "handlers.h"
#include "mask.h"
#include "names.h"
#include "sending.h"
#include "timers.h"
#include "wakeup_fd.h"

namespace sigref {
namespace {

// One parameter of a module function's signature.
struct Param {
  const char* name;
  enum Kind { kPositionalOnly, kPositionalOrKeyword, kKeywordOnly } kind;
  std::optional<Value> default_value;  // nullopt: required.
};

// Binds arguments to a signature the way CPython does for these functions; returns one value
// per parameter, in order.
std::vector<Value> Bind(const std::string& function, const std::vector<Param>& params,
                        const std::vector<Value>& args, const Kwargs& kwargs) {
  size_t positional_capacity = 0;
  for (const Param& p : params) {
    if (p.kind != Param::kKeywordOnly) ++positional_capacity;
  }
  if (args.size() > positional_capacity) {
    throw TypeError(function + "() takes at most " + std::to_string(positional_capacity) +
                    " positional arguments (" + std::to_string(args.size()) + " given)");
  }
  std::vector<std::optional<Value>> bound(params.size());
  for (size_t n = 0; n < args.size(); ++n) bound[n] = args[n];
  for (const auto& [key, value] : kwargs) {
    size_t index = params.size();
    for (size_t n = 0; n < params.size(); ++n) {
      if (key == params[n].name && params[n].kind != Param::kPositionalOnly) index = n;
    }
    if (index == params.size()) {
      throw TypeError(function + "() got an unexpected keyword argument '" + key + "'");
    }
    if (bound[index]) {
      throw TypeError(function + "() got multiple values for argument '" + key + "'");
    }
    bound[index] = value;
  }
  std::vector<Value> out;
  for (size_t n = 0; n < params.size(); ++n) {
    if (!bound[n]) bound[n] = params[n].default_value;
    if (!bound[n]) {
      throw TypeError(function + "() missing required argument '" + params[n].name + "'");
    }
    out.push_back(*bound[n]);
  }
  return out;
}

constexpr Param::Kind kPos = Param::kPositionalOnly;
constexpr Param::Kind kAny = Param::kPositionalOrKeyword;
constexpr Param::Kind kKw = Param::kKeywordOnly;

Value EnumLookup(const std::string& enum_name, const Value& v) {
  if (v.kind == Value::Kind::kEnum && v.enum_name == enum_name) return v;
  if (v.IsIntLike()) {
    const long long n = ToLongLong(v);
    if (enum_name == "Signals" && SignalName(static_cast<int>(n)) && n == static_cast<int>(n)) {
      return SignalValue(static_cast<int>(n));
    }
    if (enum_name == "Handlers" && (n == 0 || n == 1)) return HandlersValue(static_cast<int>(n));
    if (enum_name == "Sigmasks") {
      Value member = SigmasksValue(static_cast<int>(n));
      if (member.kind == Value::Kind::kEnum && n == static_cast<int>(n)) return member;
    }
  }
  throw ValueError(v.Repr() + " is not a valid " + enum_name);
}

// Parses what Python's int() accepts from a string in base 10: surrounding whitespace, one
// sign, digits with single underscores between them. Saturates at the range of long long (no
// signal number or handler value is that large, so the C layer refuses it the same way).
std::optional<long long> ParseIntLiteral(const std::string& text) {
  size_t begin = text.find_first_not_of(" \t\n\r\f\v");
  size_t end = text.find_last_not_of(" \t\n\r\f\v");
  if (begin == std::string::npos) return std::nullopt;
  bool negative = false;
  if (text[begin] == '+' || text[begin] == '-') {
    negative = text[begin] == '-';
    ++begin;
  }
  if (begin > end) return std::nullopt;
  long long value = 0;
  bool saturated = false;
  bool last_was_digit = false;
  for (size_t n = begin; n <= end; ++n) {
    const char c = text[n];
    if (c == '_' && last_was_digit && n < end) {
      last_was_digit = false;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    last_was_digit = true;
    if (value > (LLONG_MAX - (c - '0')) / 10) saturated = true;
    if (!saturated) value = value * 10 + (c - '0');
  }
  if (!last_was_digit) return std::nullopt;
  if (saturated) return negative ? LLONG_MIN : LLONG_MAX;
  return negative ? -value : value;
}

// What the module's Python layer does to both arguments of signal() before the C function sees
// them (rules handler.signal-number-int-converted and handler.handler-int-converted): whatever
// int() accepts becomes that int -- enum members and bools, floats truncated toward zero,
// numeric strings -- and anything int() refuses with ValueError or TypeError (a NaN, a callable,
// None, 'SIGUSR1') is passed on unchanged for the C layer to judge. int() of an infinity raises
// OverflowError, which the Python layer does not catch. Floats too large for long long saturate.
Value PythonLayerInt(const Value& v) {
  if (v.IsIntLike()) return Value::Int(ToLongLong(v));
  if (v.kind == Value::Kind::kFloat) {
    if (std::isnan(v.f)) return v;
    if (std::isinf(v.f)) throw OverflowError("cannot convert float infinity to integer");
    const double t = std::trunc(v.f);
    if (t >= 9.2e18) return Value::Int(LLONG_MAX);
    if (t <= -9.2e18) return Value::Int(LLONG_MIN);
    return Value::Int(static_cast<long long>(t));
  }
  if (v.kind == Value::Kind::kStr || v.kind == Value::Kind::kBytes) {
    if (std::optional<long long> n = ParseIntLiteral(v.text)) return Value::Int(*n);
  }
  return v;
}

Value CallFunction(const std::string& name, const std::vector<Value>& args,
                   const Kwargs& kwargs) {
  if (name == "alarm") {
    auto a = Bind(name, {{"seconds", kPos, {}}}, args, kwargs);
    return Value::Int(Alarm(ToCInt(a[0])));
  }
  if (name == "default_int_handler") {
    auto a = Bind(name, {{"signalnum", kPos, {}}, {"frame", kPos, {}}}, args, kwargs);
    DefaultIntHandler()->call(ToCInt(a[0]), a[1]);
    return Value::None();
  }
  if (name == "getitimer") {
    auto a = Bind(name, {{"which", kPos, {}}}, args, kwargs);
    return Getitimer(ToCInt(a[0]));
  }
  if (name == "getsignal") {
    auto a = Bind(name, {{"signalnum", kAny, {}}}, args, kwargs);
    return GetSignal(ToCInt(a[0]));
  }
  if (name == "pause") {
    Bind(name, {}, args, kwargs);
    Pause();
    return Value::None();
  }
  if (name == "pidfd_send_signal") {
    auto a = Bind(name,
                  {{"pidfd", kPos, {}}, {"sig", kPos, {}}, {"siginfo", kPos, Value::None()},
                   {"flags", kPos, Value::Int(0)}},
                  args, kwargs);
    const int pidfd = ToCInt(a[0]);
    const int sig = ToCInt(a[1]);
    const int flags = ToCInt(a[3]);
    PidfdSendSignal(pidfd, sig, a[2], static_cast<unsigned int>(flags));
    return Value::None();
  }
  if (name == "pthread_kill") {
    auto a = Bind(name, {{"thread_id", kPos, {}}, {"signalnum", kPos, {}}}, args, kwargs);
    PthreadKill(ToULong(a[0]), ToCInt(a[1]));
    return Value::None();
  }
  if (name == "pthread_sigmask") {
    auto a = Bind(name, {{"how", kAny, {}}, {"mask", kAny, {}}}, args, kwargs);
    const int how = ToCInt(a[0]);
    return PthreadSigmask(how, ToIntList(a[1]));
  }
  if (name == "raise_signal") {
    auto a = Bind(name, {{"signalnum", kPos, {}}}, args, kwargs);
    RaiseSignal(ToCInt(a[0]));
    return Value::None();
  }
  if (name == "set_wakeup_fd") {
    auto a = Bind(name, {{"fd", kPos, {}}, {"warn_on_full_buffer", kKw, Value::Bool(true)}},
                  args, kwargs);
    return Value::Int(SetWakeupFd(ToCInt(a[0]), Truthy(a[1])));
  }
  if (name == "setitimer") {
    auto a = Bind(name,
                  {{"which", kPos, {}}, {"seconds", kPos, {}},
                   {"interval", kPos, Value::Float(0.0)}},
                  args, kwargs);
    const int which = ToCInt(a[0]);
    return Setitimer(which, ToSeconds(a[1]), ToSeconds(a[2]));
  }
  if (name == "siginterrupt") {
    auto a = Bind(name, {{"signalnum", kPos, {}}, {"flag", kPos, {}}}, args, kwargs);
    const int signum = ToCInt(a[0]);
    Siginterrupt(signum, ToCInt(a[1]) != 0);
    return Value::None();
  }
  if (name == "signal") {
    auto a = Bind(name, {{"signalnum", kAny, {}}, {"handler", kAny, {}}}, args, kwargs);
    const Value signum = PythonLayerInt(a[0]);
    const Value handler = PythonLayerInt(a[1]);
    return Signal(ToCInt(signum), handler);
  }
  if (name == "sigpending") {
    Bind(name, {}, args, kwargs);
    return Sigpending();
  }
  if (name == "sigtimedwait") {
    auto a = Bind(name, {{"sigset", kPos, {}}, {"timeout", kPos, {}}}, args, kwargs);
    const std::vector<int> set = ToIntList(a[0]);
    return Sigtimedwait(set, ToSeconds(a[1]));
  }
  if (name == "sigwait") {
    auto a = Bind(name, {{"sigset", kAny, {}}}, args, kwargs);
    return Sigwait(ToIntList(a[0]));
  }
  if (name == "sigwaitinfo") {
    auto a = Bind(name, {{"sigset", kPos, {}}}, args, kwargs);
    return Sigwaitinfo(ToIntList(a[0]));
  }
  if (name == "strsignal") {
    auto a = Bind(name, {{"signalnum", kPos, {}}}, args, kwargs);
    return Strsignal(ToCInt(a[0]));
  }
  if (name == "valid_signals") {
    Bind(name, {}, args, kwargs);
    return ValidSignals();
  }
  throw SystemError("no such function: " + name);
}

bool IsFunction(const std::string& name) {
  for (const std::string& f : FunctionNames()) {
    if (f == name) return true;
  }
  return false;
}

// One builtin callable per function, so that signal.alarm is signal.alarm.
Value FunctionValue(const std::string& name) {
  if (name == "default_int_handler") return Value::Function(DefaultIntHandler());
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Callable>> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& slot = cache[name];
  if (!slot) {
    auto c = std::make_shared<Callable>();
    c->kind = Callable::Kind::kBuiltin;
    c->name = name;
    c->call = [name](int signum, const Value& frame) {
      CallFunction(name, {Value::Int(signum), frame}, {});
    };
    slot = c;
  }
  return Value::Function(slot);
}

}  // namespace

bool Truthy(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kNone: return false;
    case Value::Kind::kBool: return v.b;
    case Value::Kind::kInt:
    case Value::Kind::kEnum: return v.i != 0;
    case Value::Kind::kFloat: return v.f != 0.0;
    case Value::Kind::kStr:
    case Value::Kind::kBytes: return !v.text.empty();
    case Value::Kind::kSet:
    case Value::Kind::kTuple:
    case Value::Kind::kList: return !v.items.empty();
    default: return true;
  }
}

Value GetAttribute(const std::string& name) {
  if (std::optional<Value> constant = ConstantValue(name)) return *constant;
  if (IsFunction(name)) return FunctionValue(name);
  if (name == "Signals" || name == "Handlers" || name == "Sigmasks") {
    return Value::Object("EnumType", "<enum '" + name + "'>");
  }
  // CPython 3.10+ names the class itimer_error; signal.ItimerError is only its attribute name.
  if (name == "ItimerError") return Value::Object("type", "<class 'signal.itimer_error'>");
  if (name == "struct_siginfo") return Value::Object("type", "<class 'signal.struct_siginfo'>");
  throw AttributeError("module 'signal' has no attribute '" + name + "'");
}

std::pair<std::string, std::string> NamesOf(const Value& v) {
  if (v.kind == Value::Kind::kObject) {
    for (const char* cls : {"Signals", "Handlers", "Sigmasks"}) {
      if (v.text == std::string("<enum '") + cls + "'>") return {"signal", cls};
    }
    if (v.text == "<class 'signal.itimer_error'>") return {"signal", "itimer_error"};
    if (v.text == "<class 'signal.struct_siginfo'>") return {"signal", "struct_siginfo"};
  }
  if (v.kind == Value::Kind::kCallable && v.callable->kind == Callable::Kind::kBuiltin) {
    // signal.py wraps these in Python functions; the others are _signal's C functions.
    static const std::set<std::string> wrapped = {"signal", "getsignal", "pthread_sigmask",
                                                  "sigpending", "sigwait", "valid_signals"};
    return {wrapped.count(v.callable->name) ? "signal" : "_signal", v.callable->name};
  }
  if (v.kind == Value::Kind::kCallable) return {"__main__", v.callable->name};
  throw AttributeError("'" + v.TypeName() + "' object has no attribute '__name__'");
}

std::pair<std::string, std::string> ExceptionClassNames(const std::string& type_name) {
  if (type_name == "ItimerError") return {"signal", "itimer_error"};
  return {"builtins", type_name};
}

Value Call(const std::string& name, const std::vector<Value>& args, const Kwargs& kwargs) {
  if (IsFunction(name)) return CallFunction(name, args, kwargs);
  if (name == "Signals" || name == "Handlers" || name == "Sigmasks") {
    auto a = Bind(name, {{"value", kPos, {}}}, args, kwargs);
    return EnumLookup(name, a[0]);
  }
  const Value attribute = GetAttribute(name);  // AttributeError when there is none.
  if (name == "ItimerError" || name == "struct_siginfo") {
    throw NotImplementedError("the reference does not construct " + name + " objects");
  }
  throw TypeError("'" + attribute.TypeName() + "' object is not callable");
}

}  // namespace sigref
