#include "case_syntax.h"

#include <algorithm>
#include <cmath>

#include "signal_names.h"

namespace sigconform {
namespace {

// Every signal name of the platforms the case language knows. A name on this list but unknown
// on the host (SIGINFO on Linux) is legal wherever the runner only compares names; a name on
// no list is a typo everywhere.
const char* const kSignalsAnywhere[] = {
    "SIGABRT", "SIGALRM", "SIGBREAK", "SIGBUS",  "SIGCHLD", "SIGCLD",    "SIGCONT", "SIGEMT",
    "SIGFPE",  "SIGHUP",  "SIGILL",   "SIGINFO", "SIGINT",  "SIGIO",     "SIGIOT",  "SIGKILL",
    "SIGLIBRT", "SIGLOST", "SIGPIPE", "SIGPOLL", "SIGPROF", "SIGPWR",    "SIGQUIT", "SIGRTMAX",
    "SIGRTMIN", "SIGSEGV", "SIGSTKFLT", "SIGSTOP", "SIGSYS", "SIGTERM",  "SIGTHR",  "SIGTRAP",
    "SIGTSTP", "SIGTTIN", "SIGTTOU",  "SIGURG",  "SIGUSR1", "SIGUSR2",   "SIGVTALRM", "SIGWINCH",
    "SIGXCPU", "SIGXFSZ",
};

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

const char* HostPlatform() {
#if defined(__linux__)
  return "linux";
#elif defined(__APPLE__)
  return "darwin";
#elif defined(__FreeBSD__)
  return "freebsd";
#elif defined(__NetBSD__)
  return "netbsd";
#elif defined(__OpenBSD__)
  return "openbsd";
#else
  return "";
#endif
}

const std::vector<std::string>& PlatformWords() {
  static const std::vector<std::string> words = {"unix",    "linux",   "darwin",
                                                 "freebsd", "netbsd",  "openbsd",
                                                 "windows", "emscripten", "wasi"};
  return words;
}

std::string Join(const std::vector<std::string>& words, const char* sep) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

std::string TypeName(const nlohmann::json& v) {
  using nlohmann::json;
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "integer";
    case json::value_t::number_float: return "number";
    case json::value_t::string: return "string";
    case json::value_t::array: return "array";
    case json::value_t::object: return "object";
    default: return "unknown";
  }
}

bool IsIntegral(const nlohmann::json& v) {
  if (v.is_number_integer()) return true;
  if (!v.is_number_float()) return false;
  const double d = v.get<double>();
  return std::isfinite(d) && d == std::floor(d);
}

bool IsUpperChar(char c) { return c >= 'A' && c <= 'Z'; }

bool IsIdentifier(const std::string& s) {
  if (s.empty() || IsDigit(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsLower(c) || IsUpperChar(c) || IsDigit(c) || c == '_';
  });
}

bool IsLowerWord(const std::string& s, const std::string& extra) {
  if (s.empty() || !(IsLower(s[0]) || IsDigit(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return IsLower(c) || IsDigit(c) || extra.find(c) != std::string::npos;
  });
}

bool IsCaseId(const std::string& s) {
  size_t segments = 0, start = 0;
  while (true) {
    const size_t slash = s.find('/', start);
    const std::string seg = s.substr(start, slash == std::string::npos ? slash : slash - start);
    if (!IsLowerWord(seg, "-")) return false;
    ++segments;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return segments >= 2;
}

bool IsDotted(const std::string& s, int min_parts, int max_parts) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    const size_t begin = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == begin) return false;
    ++parts;
    if (i == s.size()) break;
    if (s[i] != '.') return false;
    ++i;
  }
  return parts >= min_parts && parts <= max_parts;
}

bool IsSignalName(const std::string& s) {
  if (s.size() < 4 || s.compare(0, 3, "SIG") != 0) return false;
  return std::all_of(s.begin() + 3, s.end(), [](char c) { return IsUpperChar(c) || IsDigit(c); });
}

bool IsErrnoName(const std::string& s) {
  if (s.size() < 2 || s[0] != 'E') return false;
  return std::all_of(s.begin() + 1, s.end(), [](char c) { return IsUpperChar(c) || IsDigit(c); });
}

bool IsHex(const std::string& s) {
  if (s.size() % 2 != 0) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); });
}

bool IsSignalAnywhere(const std::string& name) {
  for (const char* known : kSignalsAnywhere) {
    if (name == known) return true;
  }
  return SignalNumber(name).has_value();
}

const std::set<std::string>& TypeWords() {
  static const std::set<std::string> words = {"none",  "bool",  "int",  "float",
                                              "str",   "bytes", "set",  "tuple",
                                              "list",  "callable", "struct"};
  return words;
}

}  // namespace sigconform
