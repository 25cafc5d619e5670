// Everything one driver process produced: the raw material that evaluation judges.
#ifndef SIGCONFORM_RUNNER_RUN_RECORD_H_
#define SIGCONFORM_RUNNER_RUN_RECORD_H_

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sigconform {

// How a process ended, parsed once from the wait status.
struct WaitStatus {
  bool exited = false;  // true: exited with `code`; false: killed by `signal`
  int code = 0;
  int signal = 0;
  bool core_dumped = false;
};

struct RunRecord {
  std::vector<std::string> argv;  // what was executed
  std::vector<std::string> env;   // the whole environment it got, "NAME=value"
  // The launch itself failed (exec error, pipe or fork failure): the reason. Empty otherwise.
  std::string launch_error;
  // Observation records, in the order they were read. Only JSON objects with an "ev" string.
  std::vector<nlohmann::json> records;
  // Protocol trouble on the observation stream: a line that was not a JSON object, a record
  // without "ev", a last line without its newline. Each message names the line number.
  std::vector<std::string> protocol_errors;
  bool observations_truncated = false;  // the stream passed its size cap; the rest was dropped
  std::string stdout_data;              // captured standard output (capped)
  bool stdout_truncated = false;
  std::string stderr_data;  // captured standard error (capped)
  bool stderr_truncated = false;
  std::optional<WaitStatus> status;  // nullopt when the process never started or was not reaped
  bool timed_out = false;            // the runner ended it at the case's timeout
  bool interrupted = false;          // the runner itself was interrupted and ended it
  // The case ran into its memory or process limit: a sentence saying which, else "".
  std::string limit_reached;
  // Processes of the case still alive when the driver ended (killed then); 0 when none or
  // when the host gives no way to find them.
  size_t leftover_processes = 0;
  // What the runner did differently from what the case asked, for a verdict that is not a
  // pass to mention (a `once_blocked` signal sent without seeing the process block).
  std::vector<std::string> runner_notes;
  // Who the driver ran as: "uid 2000000001", or "" for the runner's own user.
  std::string user;
  double seconds = 0.0;              // wall time from fork to reaping
  // When the launch began, in seconds from the start of Supervisor::Run; -1 when it never did.
  double started = -1.0;
  // Why a case meant for a fork-server was launched by fork+exec instead (the server had
  // stopped, or could not be used): a sentence; "" otherwise.
  std::string isolation_note;
};

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_RUN_RECORD_H_
