#include "encode.h"

#include <algorithm>
#include <cmath>

#include "module.h"

namespace sigref_driver {

using sigref::Value;
using json = nlohmann::json;

namespace {

const char kHex[] = "0123456789abcdef";

std::string Hex(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

json EncodeFloat(double f) {
  if (std::isnan(f)) return {{"float", "nan"}};
  if (std::isinf(f)) return {{"float", f > 0 ? "inf" : "-inf"}};
  return {{"float", f}};
}

bool IsNumber(const Value& v) {
  return v.IsIntLike() || v.kind == Value::Kind::kFloat;
}

double NumberOf(const Value& v) {
  if (v.kind == Value::Kind::kFloat) return v.f;
  if (v.kind == Value::Kind::kBool) return v.b ? 1 : 0;
  return static_cast<double>(v.i);
}

}  // namespace

json EncodeValue(const Value& value) {
  switch (value.kind) {
    case Value::Kind::kNone: return nullptr;
    case Value::Kind::kBool: return value.b;
    case Value::Kind::kInt: return value.i;
    case Value::Kind::kFloat: return EncodeFloat(value.f);
    case Value::Kind::kStr: return value.text;
    case Value::Kind::kBytes: return {{"bytes", Hex(value.text)}};
    case Value::Kind::kEnum:
      return {{"enum", value.enum_name}, {"name", value.text}, {"value", value.i}};
    case Value::Kind::kSet: {
      std::vector<Value> items = value.items;
      if (std::all_of(items.begin(), items.end(), IsNumber)) {
        std::stable_sort(items.begin(), items.end(), [](const Value& a, const Value& b) {
          return NumberOf(a) < NumberOf(b);
        });
      }
      json out = json::array();
      for (const Value& item : items) out.push_back(EncodeValue(item));
      return {{"set", out}};
    }
    case Value::Kind::kTuple:
    case Value::Kind::kList: {
      json out = json::array();
      for (const Value& item : value.items) out.push_back(EncodeValue(item));
      if (value.kind == Value::Kind::kList) return out;
      return {{"tuple", out}};
    }
    case Value::Kind::kCallable: {
      const sigref::Callable& c = *value.callable;
      if (c.kind == sigref::Callable::Kind::kDeclared) return {{"handler", c.name}};
      if (c.kind == sigref::Callable::Kind::kBuiltin && c.name == "default_int_handler") {
        return {{"builtin", "default_int_handler"}};
      }
      return {{"callable", value.Repr()}};
    }
    case Value::Kind::kStruct: {
      json fields = json::object();
      for (size_t n = 0; n < value.items.size(); ++n) {
        fields[value.field_names[n]] = EncodeValue(value.items[n]);
      }
      return {{"struct", value.enum_name}, {"fields", fields}};
    }
    case Value::Kind::kObject:
      return {{"object", value.enum_name}, {"repr", value.text}};
  }
  return nullptr;
}

json EncodeException(const sigref::BaseException& e) {
  json out;
  out["type"] = e.TypeName();
  out["mro"] = e.Mro();
  std::optional<int> errnum = e.Errno();
  std::optional<std::string> name = errnum ? sigref::ErrnoName(*errnum) : std::nullopt;
  out["errno"] = name ? json(*name) : json(nullptr);
  out["message"] = e.Message();
  const auto [class_module, class_name] = sigref::ExceptionClassNames(e.TypeName());
  out["class"] = {{"module", class_module}, {"name", class_name}};
  return out;
}

}  // namespace sigref_driver
