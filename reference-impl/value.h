// A tiny model of the Python values the signal module takes and returns, with exactly the
// distinctions the case language observes: a Signals member is not an int, a set is not a
// list, None is not 0, struct_siginfo keeps its field names.
#ifndef SIGREF_VALUE_H_
#define SIGREF_VALUE_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sigref {

struct Value;

// Something Python could call with (signum, frame): a signal handler.
struct Callable {
  enum class Kind {
    kBuiltin,   // A function of the module (default_int_handler, alarm, ...).
    kDeclared,  // A handler a case declared by name (the driver builds these).
    kOther,     // Any other callable (tests).
  };
  Kind kind = Kind::kOther;
  std::string name;  // The builtin's or declared handler's name; a description for kOther.
  // The body. It runs in the main thread at a safe point, never in a signal handler, so it
  // may do anything, including throw a BaseException.
  std::function<void(int signum, const Value& frame)> call;
};

// One Python value. Callers read `kind` first; only the fields named for that kind are set.
struct Value {
  enum class Kind {
    kNone,
    kBool,      // b
    kInt,       // i
    kFloat,     // f
    kStr,       // text
    kBytes,     // text (raw bytes)
    kEnum,      // IntEnum member: enum_name ("Signals"), text (member name), i (value)
    kSet,       // items (no duplicates)
    kTuple,     // items
    kList,      // items
    kCallable,  // callable (identity matters: two handlers are equal when it is the same one)
    kStruct,    // struct sequence: enum_name (type, "struct_siginfo"), field_names + items
    kObject,    // anything else: enum_name (type name), text (its repr)
  };

  Kind kind = Kind::kNone;
  bool b = false;
  long long i = 0;
  double f = 0.0;
  std::string text;
  std::string enum_name;
  std::vector<Value> items;
  std::vector<std::string> field_names;
  std::shared_ptr<const Callable> callable;

  static Value None() { return Value(); }
  static Value Bool(bool v);
  static Value Int(long long v);
  static Value Float(double v);
  static Value Str(std::string v);
  static Value Bytes(std::string v);
  static Value Enum(std::string enum_name, std::string member, long long v);
  static Value Set(std::vector<Value> items);
  static Value Tuple(std::vector<Value> items);
  static Value List(std::vector<Value> items);
  static Value Function(std::shared_ptr<const Callable> c);
  static Value Struct(std::string type, std::vector<std::pair<std::string, Value>> fields);
  static Value Object(std::string type, std::string repr);

  bool IsNone() const { return kind == Kind::kNone; }
  // True for what Python accepts where an int is needed: int, bool, IntEnum member.
  bool IsIntLike() const;
  // True for set, tuple and list: what the module accepts as an iterable of signals.
  bool IsSequence() const;
  // The Python type name of the value ("int", "Signals", "NoneType", "set", ...).
  std::string TypeName() const;
  // repr() as CPython 3.12 writes it for these values (floats shortest, strings and bytes
  // quoted the way Python quotes them, members as "<Signals.SIGINT: 2>"); a callable's repr
  // has no address ("<function h>").
  std::string Repr() const;
  // str(): the repr, except for str itself (the text) and IntEnum members (their integer, as
  // from Python 3.11 on).
  std::string ToStr() const;
};

// Argument conversions with Python's errors, for functions that take C ints and doubles.
// TypeError "'float' object cannot be interpreted as an integer" for a non-int;
// OverflowError when outside the range of a C int.
int ToCInt(const Value& v);
// The same for a C long (thread identifiers and the like are unsigned long: ToULong).
long long ToLongLong(const Value& v);
unsigned long ToULong(const Value& v);
// int, bool or float as a double; TypeError for anything else.
double ToDouble(const Value& v);
// A duration in seconds as the module's timed functions take it (sigtimedwait's timeout,
// setitimer's times): what ToDouble takes, then ValueError "Invalid value NaN (not a number)"
// for NaN and OverflowError when the time does not fit 64-bit nanoseconds (infinity, about
// 292 years or more either way), the range of CPython's clock type. Negative times pass: each
// function has its own rule for them.
double ToSeconds(const Value& v);
// A set, tuple or list of int-likes, as C ints. TypeError for anything else.
std::vector<int> ToIntList(const Value& v);

}  // namespace sigref

#endif  // SIGREF_VALUE_H_
