// Signal names and numbers of the machine the runner runs on.
#ifndef SIGCONFORM_RUNNER_SIGNAL_NAMES_H_
#define SIGCONFORM_RUNNER_SIGNAL_NAMES_H_

#include <optional>
#include <string>

namespace sigconform {

// The number of a signal name ("SIGUSR1") on this machine, or nullopt if it has none.
std::optional<int> SignalNumber(const std::string& name);

// The name of a signal number ("SIGUSR1"), or "signal N" when the number has no name.
std::string SignalName(int number);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_SIGNAL_NAMES_H_
