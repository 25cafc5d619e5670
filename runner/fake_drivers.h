// Test support: where the process-layer tests find the fake drivers of testdata/fake-drivers/.
#ifndef SIGCONFORM_RUNNER_FAKE_DRIVERS_H_
#define SIGCONFORM_RUNNER_FAKE_DRIVERS_H_

#include <string>

namespace sigconform {

// The path of fake driver `name`, in a copy of the fake-drivers directory that every user can
// read and execute. When the tests run as root, drivers run as unprivileged users of their own
// (containment.h); a checkout under a private directory (mktemp -d, as CI clones) is out of
// their reach, so the copy lives in a fresh world-readable directory, removed at exit.
// The source directory is $SIGCONFORM_FAKE_DRIVERS, or the one in the source tree.
std::string FakeDriver(const std::string& name);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_FAKE_DRIVERS_H_
