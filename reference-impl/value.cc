#include "value.h"

#include <climits>
#include <cmath>
#include <cstdio>

#include "errors.h"

namespace sigref {

Value Value::Bool(bool v) {
  Value out;
  out.kind = Kind::kBool;
  out.b = v;
  return out;
}

Value Value::Int(long long v) {
  Value out;
  out.kind = Kind::kInt;
  out.i = v;
  return out;
}

Value Value::Float(double v) {
  Value out;
  out.kind = Kind::kFloat;
  out.f = v;
  return out;
}

Value Value::Str(std::string v) {
  Value out;
  out.kind = Kind::kStr;
  out.text = std::move(v);
  return out;
}

Value Value::Bytes(std::string v) {
  Value out;
  out.kind = Kind::kBytes;
  out.text = std::move(v);
  return out;
}

Value Value::Enum(std::string enum_name, std::string member, long long v) {
  Value out;
  out.kind = Kind::kEnum;
  out.enum_name = std::move(enum_name);
  out.text = std::move(member);
  out.i = v;
  return out;
}

Value Value::Set(std::vector<Value> items) {
  Value out;
  out.kind = Kind::kSet;
  out.items = std::move(items);
  return out;
}

Value Value::Tuple(std::vector<Value> items) {
  Value out;
  out.kind = Kind::kTuple;
  out.items = std::move(items);
  return out;
}

Value Value::List(std::vector<Value> items) {
  Value out;
  out.kind = Kind::kList;
  out.items = std::move(items);
  return out;
}

Value Value::Function(std::shared_ptr<const Callable> c) {
  Value out;
  out.kind = Kind::kCallable;
  out.callable = std::move(c);
  return out;
}

Value Value::Struct(std::string type, std::vector<std::pair<std::string, Value>> fields) {
  Value out;
  out.kind = Kind::kStruct;
  out.enum_name = std::move(type);
  for (auto& field : fields) {
    out.field_names.push_back(std::move(field.first));
    out.items.push_back(std::move(field.second));
  }
  return out;
}

Value Value::Object(std::string type, std::string repr) {
  Value out;
  out.kind = Kind::kObject;
  out.enum_name = std::move(type);
  out.text = std::move(repr);
  return out;
}

bool Value::IsIntLike() const {
  return kind == Kind::kInt || kind == Kind::kBool || kind == Kind::kEnum;
}

bool Value::IsSequence() const {
  return kind == Kind::kSet || kind == Kind::kTuple || kind == Kind::kList;
}

std::string Value::TypeName() const {
  switch (kind) {
    case Kind::kNone: return "NoneType";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float";
    case Kind::kStr: return "str";
    case Kind::kBytes: return "bytes";
    case Kind::kEnum: return enum_name;
    case Kind::kSet: return "set";
    case Kind::kTuple: return "tuple";
    case Kind::kList: return "list";
    case Kind::kCallable:
      return callable->kind == Callable::Kind::kBuiltin ? "builtin_function_or_method"
                                                         : "function";
    case Kind::kStruct: return enum_name;
    case Kind::kObject: return enum_name;
  }
  return "object";
}

std::string Value::Repr() const {
  switch (kind) {
    case Kind::kNone: return "None";
    case Kind::kBool: return b ? "True" : "False";
    case Kind::kInt: return std::to_string(i);
    case Kind::kFloat: {
      char buffer[64];
      std::snprintf(buffer, sizeof buffer, "%.17g", f);
      return buffer;
    }
    case Kind::kStr: return "'" + text + "'";
    case Kind::kBytes: return "b'...'";
    case Kind::kEnum: return "<" + enum_name + "." + text + ": " + std::to_string(i) + ">";
    case Kind::kSet:
    case Kind::kTuple:
    case Kind::kList: {
      std::string out = kind == Kind::kList ? "[" : kind == Kind::kTuple ? "(" : "{";
      for (size_t n = 0; n < items.size(); ++n) {
        if (n > 0) out += ", ";
        out += items[n].Repr();
      }
      if (kind == Kind::kTuple && items.size() == 1) out += ",";
      if (kind == Kind::kSet && items.empty()) return "set()";
      return out + (kind == Kind::kList ? "]" : kind == Kind::kTuple ? ")" : "}");
    }
    case Kind::kCallable:
      if (callable->kind == Callable::Kind::kBuiltin) {
        return "<built-in function " + callable->name + ">";
      }
      return "<function " + callable->name + ">";
    case Kind::kStruct: return "<" + enum_name + ">";
    case Kind::kObject: return text;
  }
  return "<object>";
}

long long ToLongLong(const Value& v) {
  if (!v.IsIntLike()) {
    throw TypeError("'" + v.TypeName() + "' object cannot be interpreted as an integer");
  }
  return v.kind == Value::Kind::kBool ? (v.b ? 1 : 0) : v.i;
}

int ToCInt(const Value& v) {
  long long n = ToLongLong(v);
  if (n > INT_MAX) throw OverflowError("signed integer is greater than maximum");
  if (n < INT_MIN) throw OverflowError("signed integer is less than minimum");
  return static_cast<int>(n);
}

unsigned long ToULong(const Value& v) {
  long long n = ToLongLong(v);
  if (n < 0) throw OverflowError("can't convert negative int to unsigned");
  return static_cast<unsigned long>(n);
}

double ToDouble(const Value& v) {
  if (v.kind == Value::Kind::kFloat) return v.f;
  if (v.IsIntLike()) return static_cast<double>(ToLongLong(v));
  throw TypeError("must be real number, not " + v.TypeName());
}

std::vector<int> ToIntList(const Value& v) {
  if (!v.IsSequence()) throw TypeError("'" + v.TypeName() + "' object is not iterable");
  std::vector<int> out;
  for (const Value& item : v.items) out.push_back(ToCInt(item));
  return out;
}

}  // namespace sigref
