// Facts about the runner, the catalog and the host that every report records, so that two
// reports can be told apart and a result traced to what produced it.
#ifndef SIGCONFORM_RUNNER_RUN_METADATA_H_
#define SIGCONFORM_RUNNER_RUN_METADATA_H_

#include <string>

namespace sigconform {

// The runner's version (meson's project version, "0.1.0").
std::string RunnerVersion();

// The git commit the runner was built from ("4f1c...", with "-dirty" when the tree had
// changes), or "" when it was not built from a git checkout.
std::string RunnerCommit();

// "sha256:<hex>" over every file below `dir` whose name ends in `suffix` (recursively,
// skipping names that start with '.'), in path order, each as its path below `dir`, a NUL,
// its size, a NUL and its bytes: two trees digest alike exactly when they hold the same such
// files with the same content. *count (when not null) is set to the number of files. Files
// larger than 16 MiB, and more than 100000 files, are refused (a catalog is far smaller):
// "" then, as for a missing or unreadable directory. Never throws.
std::string DigestFiles(const std::string& dir, const std::string& suffix, size_t* count = nullptr);

// The host, as reports show it.
struct HostFacts {
  std::string name;     // gethostname()
  std::string os;       // "Linux 6.1.0-13-amd64 (Debian GNU/Linux 12 (bookworm))"
  std::string kernel;   // uname -r
  std::string machine;  // uname -m
};
HostFacts CurrentHost();

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_RUN_METADATA_H_
