#include "signal_names.h"

#include <csignal>
#include <iterator>

namespace sigconform {
namespace {

struct Entry {
  const char* name;
  int number;
};

// The names come from <signal.h>: the runner speaks of the signals of the machine it runs on.
// SIGCLD/SIGPOLL/SIGIOT are aliases; the canonical name comes first so that SignalName picks it.
const Entry kSignals[] = {
    {"SIGHUP", SIGHUP},       {"SIGINT", SIGINT},       {"SIGQUIT", SIGQUIT},
    {"SIGILL", SIGILL},       {"SIGTRAP", SIGTRAP},     {"SIGABRT", SIGABRT},
    {"SIGBUS", SIGBUS},       {"SIGFPE", SIGFPE},       {"SIGKILL", SIGKILL},
    {"SIGUSR1", SIGUSR1},     {"SIGSEGV", SIGSEGV},     {"SIGUSR2", SIGUSR2},
    {"SIGPIPE", SIGPIPE},     {"SIGALRM", SIGALRM},     {"SIGTERM", SIGTERM},
    {"SIGCHLD", SIGCHLD},     {"SIGCONT", SIGCONT},     {"SIGSTOP", SIGSTOP},
    {"SIGTSTP", SIGTSTP},     {"SIGTTIN", SIGTTIN},     {"SIGTTOU", SIGTTOU},
    {"SIGURG", SIGURG},       {"SIGXCPU", SIGXCPU},     {"SIGXFSZ", SIGXFSZ},
    {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF},     {"SIGWINCH", SIGWINCH},
    {"SIGIO", SIGIO},         {"SIGSYS", SIGSYS},
#ifdef SIGSTKFLT
    {"SIGSTKFLT", SIGSTKFLT},
#endif
#ifdef SIGPWR
    {"SIGPWR", SIGPWR},
#endif
#ifdef SIGEMT
    {"SIGEMT", SIGEMT},
#endif
#ifdef SIGINFO
    {"SIGINFO", SIGINFO},
#endif
#ifdef SIGCLD
    {"SIGCLD", SIGCLD},
#endif
#ifdef SIGPOLL
    {"SIGPOLL", SIGPOLL},
#endif
#ifdef SIGIOT
    {"SIGIOT", SIGIOT},
#endif
};

}  // namespace

std::optional<int> SignalNumber(const std::string& name) {
  for (const Entry& e : kSignals) {
    if (name == e.name) return e.number;
  }
  if (name == "SIGRTMIN") return SIGRTMIN;
  if (name == "SIGRTMAX") return SIGRTMAX;
  return std::nullopt;
}

std::string SignalName(int number) {
  for (const Entry& e : kSignals) {
    if (number == e.number) return e.name;
  }
  if (number == SIGRTMIN) return "SIGRTMIN";
  if (number == SIGRTMAX) return "SIGRTMAX";
  return "signal " + std::to_string(number);
}

}  // namespace sigconform
