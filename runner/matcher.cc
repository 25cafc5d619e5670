#include "matcher.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bounded_json.h"
#include "signal_names.h"

namespace sigconform {
namespace {

using nlohmann::json;

// The Python type of an encoded value (spec/driver-protocol.md, "Value encoding").
enum class Kind {
  kNone, kBool, kInt, kStr, kFloat, kBytes, kEnum, kSet, kTuple, kList,
  kHandler, kBuiltin, kCallable, kStruct, kObject, kInvalid,
};

Kind KindOf(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return Kind::kNone;
    case json::value_t::boolean: return Kind::kBool;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return Kind::kInt;
    case json::value_t::string: return Kind::kStr;
    case json::value_t::array: return Kind::kList;
    case json::value_t::object: break;
    default: return Kind::kInvalid;  // a bare float is not an encoding: floats are {"float": x}
  }
  const auto has = [&](const char* key, bool (json::*pred)() const noexcept) {
    auto it = v.find(key);
    return it != v.end() && ((*it).*pred)();
  };
  if (v.size() == 1) {
    if (v.contains("float") && (v["float"].is_number() || v["float"].is_string())) {
      return Kind::kFloat;
    }
    if (has("bytes", &json::is_string)) return Kind::kBytes;
    if (has("set", &json::is_array)) return Kind::kSet;
    if (has("tuple", &json::is_array)) return Kind::kTuple;
    if (has("handler", &json::is_string)) return Kind::kHandler;
    if (has("builtin", &json::is_string)) return Kind::kBuiltin;
    if (has("callable", &json::is_string)) return Kind::kCallable;
  }
  if (v.size() == 3 && has("enum", &json::is_string) && has("name", &json::is_string) &&
      v.contains("value") && v["value"].is_number_integer()) {
    return Kind::kEnum;
  }
  if (v.size() == 2 && has("struct", &json::is_string) && has("fields", &json::is_object)) {
    return Kind::kStruct;
  }
  if (v.size() == 2 && has("object", &json::is_string) && has("repr", &json::is_string)) {
    return Kind::kObject;
  }
  return Kind::kInvalid;
}

// The value of an encoded float ({"float": 0.5}, {"float": "nan"}); false if it is not one.
bool FloatValue(const json& encoded, double* out) {
  if (KindOf(encoded) != Kind::kFloat) return false;
  const json& f = encoded["float"];
  if (f.is_number()) {
    *out = f.get<double>();
    return true;
  }
  const std::string s = f.get<std::string>();
  if (s == "inf") *out = INFINITY;
  else if (s == "-inf") *out = -INFINITY;
  else if (s == "nan") *out = NAN;
  else return false;
  return true;
}

// Python's repr() of a float: the shortest digits that read back to the same double, in fixed
// notation for exponents -4..15 and scientific otherwise, always with a '.' or an 'e'.
std::string FloatRepr(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  int precision = 1;
  for (; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, x);
    if (std::strtod(buf, nullptr) == x) break;
  }
  // buf is "-d.ddde+XX": split sign, digits and exponent.
  std::string s = buf;
  std::string sign;
  if (s[0] == '-') {
    sign = "-";
    s.erase(0, 1);
  }
  const size_t e_pos = s.find('e');
  const int exponent = std::atoi(s.c_str() + e_pos + 1);
  std::string digits;
  for (size_t i = 0; i < e_pos; ++i) {
    if (s[i] != '.') digits += s[i];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out;
  if (exponent >= -4 && exponent < 16) {
    if (exponent >= 0) {
      if (digits.size() <= static_cast<size_t>(exponent) + 1) {
        out = digits + std::string(exponent + 1 - digits.size(), '0') + ".0";
      } else {
        out = digits.substr(0, exponent + 1) + "." + digits.substr(exponent + 1);
      }
    } else {
      out = "0." + std::string(-exponent - 1, '0') + digits;
    }
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp_buf[16];
    std::snprintf(exp_buf, sizeof exp_buf, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    out += exp_buf;
  }
  return sign + out;
}

// Python's quoting rule for str and bytes: single quotes unless the text holds a single quote
// and no double quote.
char QuoteFor(const std::string& s) {
  const bool single = s.find('\'') != std::string::npos;
  const bool dbl = s.find('"') != std::string::npos;
  return single && !dbl ? '"' : '\'';
}

std::string EscapeByte(unsigned char c, char quote, bool ascii_only) {
  char buf[8];
  switch (c) {
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    default: break;
  }
  if (c == static_cast<unsigned char>(quote)) return std::string("\\") + quote;
  if (c < 0x20 || c == 0x7f || (ascii_only && c >= 0x80)) {
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    return buf;
  }
  return std::string(1, static_cast<char>(c));
}

std::string StrRepr(const std::string& s) {
  const char q = QuoteFor(s);
  std::string out(1, q);
  for (unsigned char c : s) out += EscapeByte(c, q, false);
  return out + q;
}

// The bytes of a {"bytes": "00ff"} hex string; false when the hex is malformed.
bool HexToBytes(const std::string& hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    int value = 0;
    for (size_t k = i; k < i + 2; ++k) {
      const char c = hex[k];
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else return false;
      value = value * 16 + d;
    }
    out->push_back(static_cast<char>(value));
  }
  return true;
}

std::string BytesRepr(const std::string& hex) {
  std::string raw;
  if (!HexToBytes(hex, &raw)) return "<bytes with malformed hex '" + hex + "'>";
  const char q = QuoteFor(raw);
  std::string out = "b";
  out += q;
  for (unsigned char c : raw) out += EscapeByte(c, q, true);
  return out + q;
}

std::string JoinDescribed(const json& items, const char* open, const char* close,
                          std::string (*describe)(const json&)) {
  std::string out = open;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out += ", ";
    first = false;
    out += describe(item);
  }
  return out + close;
}

// Compact JSON for things that are neither valid encodings nor valid matchers. dump()
// recurses once per level, so a value deeper than the parsers allow is not dumped.
std::string Dump(const json& v) {
  if (!WithinJsonDepth(v, kMaxJsonDepth, nullptr)) return "<nested too deeply to show>";
  return v.dump(-1, ' ', false, json::error_handler_t::replace);
}

// How deep the walkers below (Match, SameValue, Describe, DescribeMatcher) may recurse, in
// calls of themselves on this thread. Values and matchers the runner parsed nest at most
// kMaxJsonDepth (64) deep, so this is only ever reached by a value built elsewhere; it keeps
// such a value from exhausting the stack.
constexpr int kMaxWalkDepth = 200;
thread_local int g_walk_depth = 0;

// Counts one level of a walker's recursion for as long as it lives.
class WalkDepth {
 public:
  WalkDepth() { ++g_walk_depth; }
  ~WalkDepth() { --g_walk_depth; }
  WalkDepth(const WalkDepth&) = delete;
  WalkDepth& operator=(const WalkDepth&) = delete;
  bool too_deep() const { return g_walk_depth > kMaxWalkDepth; }
};

const char kTooDeep[] = "<nested too deeply to show>";  // what Describe shows instead

const char* TypeWord(Kind k) {
  switch (k) {
    case Kind::kNone: return "none";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kStr: return "str";
    case Kind::kFloat: return "float";
    case Kind::kBytes: return "bytes";
    case Kind::kEnum: return "enum";
    case Kind::kSet: return "set";
    case Kind::kTuple: return "tuple";
    case Kind::kList: return "list";
    case Kind::kHandler:
    case Kind::kBuiltin:
    case Kind::kCallable: return "callable";
    case Kind::kStruct: return "struct";
    case Kind::kObject: return "object";
    case Kind::kInvalid: return "invalid";
  }
  return "invalid";
}

bool IsIntegral(const json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

// Integer equality across nlohmann's signed/unsigned/integral-float representations.
bool SameInteger(const json& a, const json& b) {
  if (a.is_number_unsigned() && b.is_number_unsigned()) {
    return a.get<unsigned long long>() == b.get<unsigned long long>();
  }
  if (a.is_number_float() || b.is_number_float()) return a.get<double>() == b.get<double>();
  if (a.is_number_unsigned() && a.get<unsigned long long>() > 0x7fffffffffffffffULL) return false;
  if (b.is_number_unsigned() && b.get<unsigned long long>() > 0x7fffffffffffffffULL) return false;
  return a.get<long long>() == b.get<long long>();
}

bool SameDouble(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return a == b;
}

std::string LowerHex(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::optional<std::string> Mismatch(const std::string& what, const json& observed) {
  return "expected " + what + ", got " + DescribeTyped(observed);
}

// Length as Python's len() sees it, or nullopt for a value that has no length here.
std::optional<long long> Length(const json& v) {
  switch (KindOf(v)) {
    case Kind::kSet: return static_cast<long long>(v["set"].size());
    case Kind::kTuple: return static_cast<long long>(v["tuple"].size());
    case Kind::kList: return static_cast<long long>(v.size());
    case Kind::kBytes: return static_cast<long long>(v["bytes"].get<std::string>().size() / 2);
    case Kind::kStr: {
      long long n = 0;  // code points: count the bytes that do not continue a sequence
      for (unsigned char c : v.get<std::string>()) {
        if ((c & 0xC0) != 0x80) ++n;
      }
      return n;
    }
    default: return std::nullopt;
  }
}

// The items of a set or list (what $contains and $excludes look into), or nullptr.
const json* ItemsOf(const json& v) {
  switch (KindOf(v)) {
    case Kind::kSet: return &v["set"];
    case Kind::kList: return &v;
    default: return nullptr;
  }
}

std::optional<std::string> MatchSequence(const json& matchers, const json& items,
                                         const std::string& what, const json& observed,
                                         const Bindings& b) {
  if (matchers.size() != items.size()) {
    return "expected a " + what + " of " + std::to_string(matchers.size()) + " items, got " +
           std::to_string(items.size()) + ": " + Describe(observed);
  }
  for (size_t i = 0; i < matchers.size(); ++i) {
    if (auto why = Match(matchers[i], items[i], b)) {
      return what + " item " + std::to_string(i) + ": " + *why;
    }
  }
  return std::nullopt;
}

// Kuhn's augmenting paths: can matcher `m` be given an item, moving earlier assignments?
bool Augment(size_t m, const std::vector<std::vector<bool>>& fits, std::vector<bool>* seen,
             std::vector<int>* owner) {
  for (size_t item = 0; item < fits[m].size(); ++item) {
    if (!fits[m][item] || (*seen)[item]) continue;
    (*seen)[item] = true;
    if ((*owner)[item] < 0 || Augment((*owner)[item], fits, seen, owner)) {
      (*owner)[item] = static_cast<int>(m);
      return true;
    }
  }
  return false;
}

std::optional<std::string> MatchSet(const json& matchers, const json& observed,
                                    const Bindings& b) {
  const json& items = observed["set"];
  if (matchers.size() != items.size()) {
    return "expected a set of " + std::to_string(matchers.size()) + " items, got " +
           std::to_string(items.size()) + ": " + Describe(observed);
  }
  std::vector<std::vector<bool>> fits(matchers.size(), std::vector<bool>(items.size()));
  for (size_t m = 0; m < matchers.size(); ++m) {
    bool any = false;
    for (size_t i = 0; i < items.size(); ++i) {
      fits[m][i] = !Match(matchers[m], items[i], b).has_value();
      any = any || fits[m][i];
    }
    if (!any) {
      return "set: no observed item matches " + DescribeMatcher(matchers[m]) + "; observed " +
             Describe(observed);
    }
  }
  std::vector<int> owner(items.size(), -1);
  for (size_t m = 0; m < matchers.size(); ++m) {
    std::vector<bool> seen(items.size());
    if (!Augment(m, fits, &seen, &owner)) {
      return "set: the items cannot be paired one to one with " + DescribeMatcher(matchers) +
             "; observed " + Describe(observed);
    }
  }
  return std::nullopt;
}

bool TypeMatches(const std::string& type, const json& observed) {
  const Kind k = KindOf(observed);
  if (k == Kind::kEnum) return observed["enum"] == type;
  return type == TypeWord(k);
}

std::optional<std::string> MatchObject(const json& m, const json& observed, const Bindings& b) {
  const Kind k = KindOf(observed);
  if (m.contains("struct")) {
    if (m.size() != 2 || !m["struct"].is_string() || !m.contains("fields") ||
        !m["fields"].is_object()) {
      return "invalid matcher " + Dump(m);
    }
    const std::string name = m["struct"].get<std::string>();
    if (k != Kind::kStruct || observed["struct"] != name) return Mismatch("a " + name, observed);
    for (const auto& [field, fm] : m["fields"].items()) {
      if (!observed["fields"].contains(field)) {
        return name + " has no field " + field + ": " + Describe(observed);
      }
      if (auto why = Match(fm, observed["fields"][field], b)) {
        return name + "." + field + ": " + *why;
      }
    }
    return std::nullopt;
  }
  if (m.size() != 1) return "invalid matcher " + Dump(m);
  const std::string key = m.begin().key();
  const json& arg = m.begin().value();

  if (key == "float") {
    double want, got;
    json as_encoding = {{"float", arg}};
    if (!FloatValue(as_encoding, &want)) return "invalid matcher " + Dump(m);
    if (!FloatValue(observed, &got) || !SameDouble(want, got)) {
      return Mismatch("float " + FloatRepr(want), observed);
    }
    return std::nullopt;
  }
  if (key == "bytes") {
    if (!arg.is_string()) return "invalid matcher " + Dump(m);
    if (k != Kind::kBytes ||
        LowerHex(observed["bytes"].get<std::string>()) != LowerHex(arg.get<std::string>())) {
      return Mismatch(BytesRepr(arg.get<std::string>()), observed);
    }
    return std::nullopt;
  }
  if (key == "Signals" || key == "Handlers" || key == "Sigmasks") {
    if (!arg.is_string()) return "invalid matcher " + Dump(m);
    if (k != Kind::kEnum || observed["enum"] != key || observed["name"] != arg) {
      return Mismatch("a member of " + key + " named " + arg.get<std::string>(), observed);
    }
    return std::nullopt;
  }
  if (key == "set") {
    if (!arg.is_array()) return "invalid matcher " + Dump(m);
    if (k != Kind::kSet) return Mismatch("a set", observed);
    return MatchSet(arg, observed, b);
  }
  if (key == "tuple") {
    if (!arg.is_array()) return "invalid matcher " + Dump(m);
    if (k != Kind::kTuple) return Mismatch("a tuple", observed);
    return MatchSequence(arg, observed["tuple"], "tuple", observed, b);
  }
  if (key == "handler" || key == "builtin") {
    if (!arg.is_string()) return "invalid matcher " + Dump(m);
    const Kind want = key == "handler" ? Kind::kHandler : Kind::kBuiltin;
    if (k != want || observed[key] != arg) {
      return Mismatch(DescribeMatcher(m), observed);
    }
    return std::nullopt;
  }
  if (key == "$any") return std::nullopt;
  if (key == "$type") {
    if (!arg.is_string()) return "invalid matcher " + Dump(m);
    if (!TypeMatches(arg.get<std::string>(), observed)) {
      return Mismatch("a value of type " + arg.get<std::string>(), observed);
    }
    return std::nullopt;
  }
  if (key == "$range") {
    if (!arg.is_array() || arg.size() != 2 || !arg[0].is_number() || !arg[1].is_number()) {
      return "invalid matcher " + Dump(m);
    }
    const double lo = arg[0].get<double>(), hi = arg[1].get<double>();
    double value;
    if (k == Kind::kInt) {
      value = observed.get<double>();
    } else if (!FloatValue(observed, &value)) {
      return Mismatch("an int or float in [" + Dump(arg[0]) + ", " + Dump(arg[1]) + "]", observed);
    }
    if (!(value >= lo && value <= hi)) {
      return "expected a value in [" + Dump(arg[0]) + ", " + Dump(arg[1]) + "], got " +
             DescribeTyped(observed);
    }
    return std::nullopt;
  }
  if (key == "$intlike") {
    if (!IsIntegral(arg)) return "invalid matcher " + Dump(m);
    const json* value = nullptr;
    if (k == Kind::kInt) value = &observed;
    if (k == Kind::kEnum) value = &observed["value"];
    if (value == nullptr || !SameInteger(*value, arg)) {
      return Mismatch("an int or IntEnum member with value " + Dump(arg), observed);
    }
    return std::nullopt;
  }
  if (key == "$one_of") {
    if (!arg.is_array() || arg.empty()) return "invalid matcher " + Dump(m);
    std::string reasons;
    for (const auto& alt : arg) {
      auto why = Match(alt, observed, b);
      if (!why) return std::nullopt;
      reasons += (reasons.empty() ? "" : "; ") + *why;
    }
    return "none of the alternatives matched: " + reasons;
  }
  if (key == "$all") {
    if (!arg.is_array() || arg.empty()) return "invalid matcher " + Dump(m);
    for (const auto& part : arg) {
      if (auto why = Match(part, observed, b)) return why;
    }
    return std::nullopt;
  }
  if (key == "$not") {
    if (!Match(arg, observed, b)) {
      return "expected anything but " + DescribeMatcher(arg) + ", got " + DescribeTyped(observed);
    }
    return std::nullopt;
  }
  if (key == "$contains" || key == "$excludes") {
    if (!arg.is_array()) return "invalid matcher " + Dump(m);
    const json* items = ItemsOf(observed);
    if (items == nullptr) return Mismatch("a set or list", observed);
    for (const auto& want : arg) {
      bool found = false;
      for (const auto& item : *items) {
        if (!Match(want, item, b)) {
          found = true;
          break;
        }
      }
      if (key == "$contains" && !found) {
        return "no item matches " + DescribeMatcher(want) + " in " + Describe(observed);
      }
      if (key == "$excludes" && found) {
        return "an item matches " + DescribeMatcher(want) + ", which must be absent, in " +
               Describe(observed);
      }
    }
    return std::nullopt;
  }
  if (key == "$len") {
    const auto len = Length(observed);
    if (!len) return Mismatch("a set, tuple, list, str or bytes", observed);
    if (auto why = Match(arg, json(*len), b)) {
      return "length " + std::to_string(*len) + " of " + Describe(observed) + ": " + *why;
    }
    return std::nullopt;
  }
  if (key == "$every") {
    const json* items = ItemsOf(observed);
    if (k == Kind::kTuple) items = &observed["tuple"];
    if (items == nullptr) return Mismatch("a set, tuple or list", observed);
    for (const auto& item : *items) {
      if (auto why = Match(arg, item, b)) return "item " + Describe(item) + ": " + *why;
    }
    return std::nullopt;
  }
  if (key == "$below") {
    // The bound: an integer literal, or "$name" bound to an int or IntEnum member.
    json bound = arg;
    if (arg.is_string() && arg.get<std::string>().rfind('$', 0) == 0) {
      auto it = b.find(arg.get<std::string>().substr(1));
      if (it == b.end()) return Dump(arg) + " is not bound";
      bound = KindOf(it->second) == Kind::kEnum ? it->second["value"] : it->second;
    }
    if (!IsIntegral(bound)) return "invalid bound for $below: " + Dump(bound);
    const json* value = k == Kind::kInt ? &observed : k == Kind::kEnum ? &observed["value"] : nullptr;
    if (value == nullptr || !(value->get<double>() < bound.get<double>())) {
      return Mismatch("an int or IntEnum member below " + Dump(bound), observed);
    }
    return std::nullopt;
  }
  if (key == "$signum") {
    // This machine's number: the runner runs on the host the implementation runs on.
    if (!arg.is_string()) return "invalid matcher " + Dump(m);
    const auto number = SignalNumber(arg.get<std::string>());
    if (!number) return "this machine has no signal named " + arg.get<std::string>();
    const json* value = k == Kind::kInt ? &observed : k == Kind::kEnum ? &observed["value"] : nullptr;
    if (value == nullptr || !SameInteger(*value, json(*number))) {
      return Mismatch("an int or IntEnum member with value " + std::to_string(*number) + " (" +
                          arg.get<std::string>() + " on this machine)",
                      observed);
    }
    return std::nullopt;
  }
  if (key == "$signal_bytes") {
    if (!arg.is_array()) return "invalid matcher " + Dump(m);
    std::string want;
    for (const auto& name : arg) {
      const auto number = name.is_string() ? SignalNumber(name.get<std::string>()) : std::nullopt;
      if (!number || *number > 255) return "this machine has no one-byte signal " + Dump(name);
      static const char kHex[] = "0123456789abcdef";
      want += kHex[(*number >> 4) & 0xf];
      want += kHex[*number & 0xf];
    }
    if (k != Kind::kBytes || LowerHex(observed["bytes"].get<std::string>()) != want) {
      return Mismatch(BytesRepr(want) + " (the numbers of " + Dump(arg) + " on this machine)",
                      observed);
    }
    return std::nullopt;
  }
  return "invalid matcher " + Dump(m);
}

}  // namespace

std::optional<std::string> Match(const json& matcher, const json& observed, const Bindings& b) {
  WalkDepth depth;
  if (depth.too_deep()) {
    return "the value or the matcher is nested more than " + std::to_string(kMaxWalkDepth) +
           " levels deep";
  }
  const Kind k = KindOf(observed);
  switch (matcher.type()) {
    case json::value_t::null:
      if (k != Kind::kNone) return Mismatch("None", observed);
      return std::nullopt;
    case json::value_t::boolean:
      if (k != Kind::kBool || observed != matcher) return Mismatch(Describe(matcher), observed);
      return std::nullopt;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      if (!IsIntegral(matcher)) {
        return "invalid matcher " + Dump(matcher) + ": a float is written {\"float\": x}";
      }
      if (k != Kind::kInt || !SameInteger(observed, matcher)) {
        return Mismatch("int " + Dump(matcher), observed);
      }
      return std::nullopt;
    case json::value_t::string: {
      const std::string s = matcher.get<std::string>();
      if (s.size() > 1 && s[0] == '$' && s[1] != '$') {
        const std::string name = s.substr(1);
        auto it = b.find(name);
        if (it == b.end()) {
          return s + " is not bound (the step that binds it raised or was not observed)";
        }
        if (!SameValue(it->second, observed)) {
          return "expected " + s + ", which is " + DescribeTyped(it->second) + ", got " +
                 DescribeTyped(observed);
        }
        return std::nullopt;
      }
      const std::string literal = s.rfind("$$", 0) == 0 ? s.substr(1) : s;
      if (k != Kind::kStr || observed.get<std::string>() != literal) {
        return Mismatch("str " + StrRepr(literal), observed);
      }
      return std::nullopt;
    }
    case json::value_t::array:
      if (k != Kind::kList) return Mismatch("a list", observed);
      return MatchSequence(matcher, observed, "list", observed, b);
    case json::value_t::object:
      return MatchObject(matcher, observed, b);
    default:
      return "invalid matcher " + Dump(matcher);
  }
}

bool SameValue(const json& a, const json& b) {
  WalkDepth depth;
  if (depth.too_deep()) return false;
  const Kind ka = KindOf(a), kb = KindOf(b);
  if (ka != kb) return false;
  switch (ka) {
    case Kind::kInt: return SameInteger(a, b);
    case Kind::kFloat: {
      double x, y;
      return FloatValue(a, &x) && FloatValue(b, &y) && SameDouble(x, y);
    }
    case Kind::kBytes:
      return LowerHex(a["bytes"].get<std::string>()) == LowerHex(b["bytes"].get<std::string>());
    case Kind::kEnum:
      return a["enum"] == b["enum"] && a["name"] == b["name"] && SameInteger(a["value"], b["value"]);
    case Kind::kSet: {
      const json& x = a["set"];
      const json& y = b["set"];
      if (x.size() != y.size()) return false;
      std::vector<bool> used(y.size());
      for (const auto& item : x) {
        bool found = false;
        for (size_t i = 0; i < y.size() && !found; ++i) {
          if (!used[i] && SameValue(item, y[i])) used[i] = found = true;
        }
        if (!found) return false;
      }
      return true;
    }
    case Kind::kTuple:
    case Kind::kList: {
      const json& x = ka == Kind::kTuple ? a["tuple"] : a;
      const json& y = ka == Kind::kTuple ? b["tuple"] : b;
      if (x.size() != y.size()) return false;
      for (size_t i = 0; i < x.size(); ++i) {
        if (!SameValue(x[i], y[i])) return false;
      }
      return true;
    }
    case Kind::kStruct: {
      if (a["struct"] != b["struct"] || a["fields"].size() != b["fields"].size()) return false;
      for (const auto& [field, value] : a["fields"].items()) {
        if (!b["fields"].contains(field) || !SameValue(value, b["fields"][field])) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

std::string Describe(const json& v) {
  WalkDepth depth;
  if (depth.too_deep()) return kTooDeep;
  switch (KindOf(v)) {
    case Kind::kNone: return "None";
    case Kind::kBool: return v.get<bool>() ? "True" : "False";
    case Kind::kInt: return Dump(v);
    case Kind::kStr: return StrRepr(v.get<std::string>());
    case Kind::kFloat: {
      double d = 0;
      if (!FloatValue(v, &d)) return Dump(v);
      return FloatRepr(d);
    }
    case Kind::kBytes: return BytesRepr(v["bytes"].get<std::string>());
    case Kind::kEnum:
      return "<" + v["enum"].get<std::string>() + "." + v["name"].get<std::string>() + ": " +
             Dump(v["value"]) + ">";
    case Kind::kSet:
      if (v["set"].empty()) return "set()";
      return JoinDescribed(v["set"], "{", "}", &Describe);
    case Kind::kTuple:
      if (v["tuple"].size() == 1) return "(" + Describe(v["tuple"][0]) + ",)";
      return JoinDescribed(v["tuple"], "(", ")", &Describe);
    case Kind::kList: return JoinDescribed(v, "[", "]", &Describe);
    case Kind::kHandler: return "<handler " + v["handler"].get<std::string>() + ">";
    case Kind::kBuiltin:
      return "<built-in function " + v["builtin"].get<std::string>() + ">";
    case Kind::kCallable: return v["callable"].get<std::string>();
    case Kind::kStruct: {
      std::string out = v["struct"].get<std::string>() + "(";
      bool first = true;
      for (const auto& [field, value] : v["fields"].items()) {
        if (!first) out += ", ";
        first = false;
        out += field + "=" + Describe(value);
      }
      return out + ")";
    }
    case Kind::kObject: return v["repr"].get<std::string>();
    case Kind::kInvalid: break;
  }
  return Dump(v);
}

std::string DescribeTyped(const json& v) {
  switch (KindOf(v)) {
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kStr:
    case Kind::kFloat:
    case Kind::kBytes:
      return std::string(TypeWord(KindOf(v))) + " " + Describe(v);
    case Kind::kInvalid:
      return "a malformed value " + Dump(v);
    default:
      return Describe(v);
  }
}

std::string DescribeMatcher(const json& m) {
  WalkDepth depth;
  if (depth.too_deep()) return kTooDeep;
  switch (m.type()) {
    case json::value_t::null: return "None";
    case json::value_t::boolean: return m.get<bool>() ? "True" : "False";
    case json::value_t::string: {
      const std::string s = m.get<std::string>();
      if (s.size() > 1 && s[0] == '$' && s[1] != '$') return s;
      return StrRepr(s.rfind("$$", 0) == 0 ? s.substr(1) : s);
    }
    case json::value_t::array: return JoinDescribed(m, "[", "]", &DescribeMatcher);
    case json::value_t::object: break;
    default: return Dump(m);
  }
  if (m.size() == 2 && m.contains("struct") && m.contains("fields") && m["fields"].is_object()) {
    std::string out = Dump(m["struct"]) + "(";
    bool first = true;
    for (const auto& [field, fm] : m["fields"].items()) {
      if (!first) out += ", ";
      first = false;
      out += field + "=" + DescribeMatcher(fm);
    }
    return out + ")";
  }
  if (m.size() != 1) return Dump(m);
  const std::string key = m.begin().key();
  const json& arg = m.begin().value();
  if (key == "float" || key == "bytes") return Describe(m);
  if ((key == "set" || key == "tuple") && arg.is_array()) {
    if (key == "set" && arg.empty()) return "set()";
    if (key == "tuple" && arg.size() == 1) return "(" + DescribeMatcher(arg[0]) + ",)";
    return key == "set" ? JoinDescribed(arg, "{", "}", &DescribeMatcher)
                        : JoinDescribed(arg, "(", ")", &DescribeMatcher);
  }
  if (key == "handler" && arg.is_string()) return "<handler " + arg.get<std::string>() + ">";
  if (key == "builtin" && arg.is_string()) {
    return "<built-in function " + arg.get<std::string>() + ">";
  }
  const std::string inner = arg.is_string() ? arg.get<std::string>()
                            : key[0] == '$' ? DescribeMatcher(arg)
                                            : Dump(arg);
  return "{" + key + ": " + inner + "}";
}

}  // namespace sigconform
