#include "names.h"

#include <sys/time.h>

#include <algorithm>
#include <csignal>
#include <iterator>

namespace sigref {
namespace {

// The SIG* names glibc defines on Linux. Each platform variant is guarded by its own macro so
// that the list only names signals this machine has (the documentation's rule for SIG*).
std::vector<EnumMember> BuildSignals() {
  std::vector<EnumMember> members = {
      {"SIGHUP", SIGHUP},   {"SIGINT", SIGINT},       {"SIGQUIT", SIGQUIT},
      {"SIGILL", SIGILL},   {"SIGTRAP", SIGTRAP},     {"SIGABRT", SIGABRT},
      {"SIGBUS", SIGBUS},   {"SIGFPE", SIGFPE},       {"SIGKILL", SIGKILL},
      {"SIGUSR1", SIGUSR1}, {"SIGSEGV", SIGSEGV},     {"SIGUSR2", SIGUSR2},
      {"SIGPIPE", SIGPIPE}, {"SIGALRM", SIGALRM},     {"SIGTERM", SIGTERM},
      {"SIGCHLD", SIGCHLD}, {"SIGCONT", SIGCONT},     {"SIGSTOP", SIGSTOP},
      {"SIGTSTP", SIGTSTP}, {"SIGTTIN", SIGTTIN},     {"SIGTTOU", SIGTTOU},
      {"SIGURG", SIGURG},   {"SIGXCPU", SIGXCPU},     {"SIGXFSZ", SIGXFSZ},
      {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF}, {"SIGWINCH", SIGWINCH},
      {"SIGIO", SIGIO},     {"SIGSYS", SIGSYS},
#ifdef SIGSTKFLT
      {"SIGSTKFLT", SIGSTKFLT},
#endif
#ifdef SIGPWR
      {"SIGPWR", SIGPWR},
#endif
      // Run-time values: glibc keeps the first real-time signals for itself.
      {"SIGRTMIN", SIGRTMIN},
      {"SIGRTMAX", SIGRTMAX},
  };
  std::sort(members.begin(), members.end(),
            [](const EnumMember& a, const EnumMember& b) { return a.value < b.value; });
  return members;
}

std::vector<EnumMember> BuildAliases() {
  return {
#ifdef SIGCLD
      {"SIGCLD", SIGCLD},
#endif
#ifdef SIGIOT
      {"SIGIOT", SIGIOT},
#endif
#ifdef SIGPOLL
      {"SIGPOLL", SIGPOLL},
#endif
  };
}

const EnumMember kHandlers[] = {{"SIG_DFL", 0}, {"SIG_IGN", 1}};
const EnumMember kSigmasks[] = {
    {"SIG_BLOCK", SIG_BLOCK}, {"SIG_UNBLOCK", SIG_UNBLOCK}, {"SIG_SETMASK", SIG_SETMASK}};
const EnumMember kItimers[] = {
    {"ITIMER_REAL", ITIMER_REAL}, {"ITIMER_VIRTUAL", ITIMER_VIRTUAL}, {"ITIMER_PROF", ITIMER_PROF}};

// The classes and the other non-constant names of the module.
const char* const kClasses[] = {"Handlers", "ItimerError", "Sigmasks", "Signals",
                                "struct_siginfo"};

}  // namespace

int Nsig() { return NSIG; }

bool InSignalRange(int signum) { return signum >= 1 && signum < NSIG; }

const std::vector<EnumMember>& SignalsMembers() {
  static const std::vector<EnumMember> members = BuildSignals();
  return members;
}

const std::vector<EnumMember>& SignalsAliases() {
  static const std::vector<EnumMember> aliases = BuildAliases();
  return aliases;
}

std::optional<std::string> SignalName(int signum) {
  for (const EnumMember& m : SignalsMembers()) {
    if (m.value == signum) return m.name;
  }
  return std::nullopt;
}

std::optional<int> SignalNumber(const std::string& name) {
  for (const EnumMember& m : SignalsMembers()) {
    if (m.name == name) return m.value;
  }
  for (const EnumMember& m : SignalsAliases()) {
    if (m.name == name) return m.value;
  }
  return std::nullopt;
}

Value SignalValue(int signum) {
  std::optional<std::string> name = SignalName(signum);
  if (!name) return Value::Int(signum);
  return Value::Enum("Signals", *name, signum);
}

Value HandlersValue(int value) {
  return Value::Enum("Handlers", kHandlers[value == 0 ? 0 : 1].name, value == 0 ? 0 : 1);
}

std::optional<std::vector<Value>> EnumMembers(const std::string& enum_name) {
  std::vector<EnumMember> members;
  if (enum_name == "Signals") {
    members = SignalsMembers();
  } else if (enum_name == "Handlers") {
    members.assign(std::begin(kHandlers), std::end(kHandlers));
  } else if (enum_name == "Sigmasks") {
    members.assign(std::begin(kSigmasks), std::end(kSigmasks));
  } else {
    return std::nullopt;
  }
  std::vector<Value> out;
  for (const EnumMember& m : members) out.push_back(Value::Enum(enum_name, m.name, m.value));
  return out;
}

Value SigmasksValue(int value) {
  for (const EnumMember& m : kSigmasks) {
    if (m.value == value) return Value::Enum("Sigmasks", m.name, value);
  }
  return Value::Int(value);
}

std::optional<Value> ConstantValue(const std::string& name) {
  if (std::optional<int> n = SignalNumber(name)) return SignalValue(*n);
  for (const EnumMember& m : kHandlers) {
    if (m.name == name) return Value::Enum("Handlers", m.name, m.value);
  }
  for (const EnumMember& m : kSigmasks) {
    if (m.name == name) return Value::Enum("Sigmasks", m.name, m.value);
  }
  for (const EnumMember& m : kItimers) {
    if (m.name == name) return Value::Int(m.value);
  }
  if (name == "NSIG") return Value::Int(NSIG);
  return std::nullopt;
}

const std::vector<std::string>& FunctionNames() {
  static const std::vector<std::string> names = {
      "alarm",          "default_int_handler", "getitimer",     "getsignal",
      "pause",          "pidfd_send_signal",   "pthread_kill",  "pthread_sigmask",
      "raise_signal",   "set_wakeup_fd",       "setitimer",     "siginterrupt",
      "signal",         "sigpending",          "sigtimedwait",  "sigwait",
      "sigwaitinfo",    "strsignal",           "valid_signals"};
  return names;
}

std::vector<std::string> PublicNames() {
  std::vector<std::string> names = FunctionNames();
  for (const EnumMember& m : SignalsMembers()) names.push_back(m.name);
  for (const EnumMember& m : SignalsAliases()) names.push_back(m.name);
  for (const EnumMember& m : kHandlers) names.push_back(m.name);
  for (const EnumMember& m : kSigmasks) names.push_back(m.name);
  for (const EnumMember& m : kItimers) names.push_back(m.name);
  names.push_back("NSIG");
  for (const char* c : kClasses) names.push_back(c);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace sigref
