// The driver's process actions (spec/case-format.md): process_info, pidfd_open, spawn and
// waitpid. They stand for what a Python program would do with the os module around the signal
// module's functions; they are not part of the module itself.
#ifndef SIGREF_DRIVER_PROCESSES_H_
#define SIGREF_DRIVER_PROCESSES_H_

#include <vector>
#include <string>

#include "value.h"

namespace sigref_driver {

// (getpid(), getuid(), getppid()) as a tuple of ints.
sigref::Value ProcessInfo();

// os.pidfd_open(pid): a close-on-exec descriptor for the process. OSError with the kernel's
// errno (ENOSYS before Linux 5.3).
sigref::Value PidfdOpen(int pid);

// Starts `argv` (argv[0] searched in PATH) as a child with standard input /dev/null, SIGPIPE
// and SIGXFSZ back to their default action (as Python's subprocess restores them), the rest of
// the signal state inherited. Returns its pid. OSError when it cannot be started.
sigref::Value Spawn(const std::vector<std::string>& argv);

// Waits up to `timeout` seconds for the child `pid` to end, running safe points every
// millisecond (a wait in the main thread is a blocking call). ("exited", code) or
// ("signaled", Signals member); None when it still runs at the timeout. OSError (ECHILD) for
// a pid that is not an unreaped child.
sigref::Value WaitPid(int pid, double timeout);

}  // namespace sigref_driver

#endif  // SIGREF_DRIVER_PROCESSES_H_
