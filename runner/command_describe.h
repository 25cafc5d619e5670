// `sigconform describe`: what drivers say about themselves.
#ifndef SIGCONFORM_RUNNER_COMMAND_DESCRIBE_H_
#define SIGCONFORM_RUNNER_COMMAND_DESCRIBE_H_

#include <string>
#include <vector>

#include "command_common.h"

namespace CLI {
class App;
}  // namespace CLI

namespace sigconform {

// `sigconform describe`: prints each implementation's describe record as indented JSON.
int DescribeCommand(const std::vector<std::string>& impl_specs);

// Adds `describe` and its options to the command line.
CommandAction AddDescribeCommand(CLI::App* app);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_COMMAND_DESCRIBE_H_
