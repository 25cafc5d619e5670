// The module's names: the Signals, Handlers and Sigmasks enums, the plain-int constants, and
// the list of every public name (what `describe` reports).
#ifndef SIGREF_NAMES_H_
#define SIGREF_NAMES_H_

#include <optional>
#include <string>
#include <vector>

#include "value.h"

namespace sigref {

// One past the highest signal number (Python's signal.NSIG): valid numbers are 1..kNsig-1.
int Nsig();

// True when 1 <= signum < Nsig(): the range check every function taking a signal makes.
bool InSignalRange(int signum);

// A member of an IntEnum: its name and value.
struct EnumMember {
  std::string name;
  int value;
};

// The canonical members of Signals, in ascending value order: every SIG* of <signal.h> on this
// platform plus SIGRTMIN and SIGRTMAX (their values read at run time, as glibc reserves some).
const std::vector<EnumMember>& SignalsMembers();
// The aliases (SIGCLD, SIGIOT, SIGPOLL): names that resolve to a canonical member.
const std::vector<EnumMember>& SignalsAliases();

// The canonical Signals name of `signum`, or nullopt when it is not a member (e.g. SIGRTMIN+1).
std::optional<std::string> SignalName(int signum);
// The number of a Signals name or alias, or nullopt.
std::optional<int> SignalNumber(const std::string& name);

// `signum` as the module returns it: a Signals member where it is one, else a plain int.
Value SignalValue(int signum);
// Handlers.SIG_DFL (0) or Handlers.SIG_IGN (1).
Value HandlersValue(int value);
// The Sigmasks member of a `how` value (SIG_BLOCK, ...); a plain int for any other value.
Value SigmasksValue(int value);

// list(signal.NAME) for one of the module's enums ("Signals", "Handlers", "Sigmasks"): the
// canonical members in definition order (ascending value; aliases such as SIGCLD are not
// listed). nullopt when NAME is not one of them.
std::optional<std::vector<Value>> EnumMembers(const std::string& enum_name);

// A module constant that is not a function: enum members, NSIG, ITIMER_*; nullopt otherwise.
std::optional<Value> ConstantValue(const std::string& name);

// The names of the module's functions, sorted.
const std::vector<std::string>& FunctionNames();
// Every public name of the module (functions, constants, classes), sorted.
std::vector<std::string> PublicNames();

}  // namespace sigref

#endif  // SIGREF_NAMES_H_
