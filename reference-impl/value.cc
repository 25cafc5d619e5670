#include "value.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

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

namespace {

// Python's float repr: the fewest significant digits that read back as the same double; plain
// notation for exponents from -4 to 15 (with ".0" for a whole number), scientific otherwise.
std::string FloatRepr(double f) {
  if (std::isnan(f)) return "nan";
  if (std::isinf(f)) return f > 0 ? "inf" : "-inf";
  char buffer[400];
  int digits = 1;
  for (; digits < 17; ++digits) {
    std::snprintf(buffer, sizeof buffer, "%.*e", digits - 1, f);
    if (std::strtod(buffer, nullptr) == f) break;
  }
  std::snprintf(buffer, sizeof buffer, "%.*e", digits - 1, f);
  const int exponent = std::atoi(std::strchr(buffer, 'e') + 1);
  if (exponent < -4 || exponent >= 16) return buffer;  // "1e+16", "1.5e-05", as Python
  const int decimals = std::max(digits - 1 - exponent, 0);
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, f);
  std::string out = buffer;
  if (out.find('.') == std::string::npos) out += ".0";
  return out;
}

// Python's repr of str or bytes: single quotes unless the text holds one and no double quote;
// backslash escapes for the quote, the backslash and control bytes.
std::string QuotedRepr(const std::string& text, bool bytes) {
  const bool double_quotes =
      text.find('\'') != std::string::npos && text.find('"') == std::string::npos;
  const char quote = double_quotes ? '"' : '\'';
  std::string out = bytes ? "b" : "";
  out += quote;
  for (unsigned char c : text) {
    if (c == quote || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f || (bytes && c >= 0x80)) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + quote;
}

}  // namespace

std::string Value::ToStr() const {
  if (kind == Kind::kStr) return text;
  if (kind == Kind::kEnum) return std::to_string(i);
  return Repr();
}

std::string Value::Repr() const {
  switch (kind) {
    case Kind::kNone: return "None";
    case Kind::kBool: return b ? "True" : "False";
    case Kind::kInt: return std::to_string(i);
    case Kind::kFloat: return FloatRepr(f);
    case Kind::kStr: return QuotedRepr(text, false);
    case Kind::kBytes: return QuotedRepr(text, true);
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
    case Kind::kStruct: {
      std::string out = "signal." + enum_name + "(";
      for (size_t n = 0; n < items.size(); ++n) {
        out += (n > 0 ? ", " : "") + field_names[n] + "=" + items[n].Repr();
      }
      return out + ")";
    }
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

double ToSeconds(const Value& v) {
  const double seconds = ToDouble(v);
  if (std::isnan(seconds)) throw ValueError("Invalid value NaN (not a number)");
  // 2**63 nanoseconds, written out: the first time that no longer fits.
  if (std::fabs(seconds) >= 9223372036.854775808) {
    throw OverflowError("timestamp too large to convert to C _PyTime_t");
  }
  return seconds;
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
