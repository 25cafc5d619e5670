// sigref-driver: the reference implementation's driver (spec/driver-protocol.md, version 1).
//   sigref-driver describe
//   sigref-driver run [FILE]
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "module.h"
#include "names.h"
#include "obs_stream.h"
#include "program.h"
#include "py_stdout.h"
#include "startup.h"
#include "stderr_note.h"

#if defined(__SANITIZE_ADDRESS__)
// Under scripts/sanitize: AddressSanitizer must leave SIGSEGV, SIGBUS, SIGFPE and SIGILL at their
// default actions, as a plain process has them, or the reference reads a foreign handler for them
// at start-up (handlers/other-signals-default-at-startup) and a case that dies by one of them
// ends by SIGABRT. Compiled in: the runner gives drivers a clean environment, not ASAN_OPTIONS.
extern "C" const char* __asan_default_options() {
  return "handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0";
}
#endif

namespace {

using json = nlohmann::json;

// A descriptor named by an environment variable, or `fallback` when the variable is unset.
int DescriptorFromEnv(const char* variable, int fallback) {
  const char* text = std::getenv(variable);
  if (text == nullptr || text[0] == '\0') return fallback;
  char* end = nullptr;
  const long fd = std::strtol(text, &end, 10);
  if (*end != '\0' || fd < 0 || fd > INT_MAX) return -1;
  return static_cast<int>(fd);
}

// Reads a descriptor to its end and closes it.
bool ReadAll(int fd, std::string* out) {
  char buffer[65536];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    out->append(buffer, static_cast<size_t>(n));
  }
  return close(fd) == 0 || errno == EINTR;
}

std::string Executable() {
  char path[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "sigref-driver";
  return std::string(path, static_cast<size_t>(n));
}

// The platform's numbers a case may compare with ({"platform": NAME}, spec/case-format.md), as
// this implementation's module has them.
json PlatformConstants() {
  json out = json::object();
  for (const char* name : {"SIG_DFL", "SIG_IGN", "NSIG", "SIGRTMIN", "SIGRTMAX"}) {
    out[name] = sigref::ToLongLong(sigref::GetAttribute(name));
  }
  return out;
}

int Describe(sigref_driver::ObsStream& obs) {
  struct utsname un;
  json platform = "linux";
  json kernel = nullptr;
  json machine = nullptr;
  if (uname(&un) == 0) {
    const std::string sysname = un.sysname;
    platform = sysname == "Linux" ? "linux" : sysname == "Darwin" ? "darwin"
             : sysname == "FreeBSD" ? "freebsd" : sysname == "NetBSD" ? "netbsd"
             : sysname == "OpenBSD" ? "openbsd" : "linux";
    if (sysname == "Linux") kernel = un.release;
    machine = un.machine;
  }
  obs.Emit({{"ev", "describe"},
            {"protocol", 1},
            {"implementation", "sigref"},
            {"language_version", "3.12"},
            {"platform", platform},
            {"kernel", kernel},
            {"machine", machine},
            {"executable", Executable()},
            {"names", sigref::PublicNames()},
            {"operations", sigref_driver::SupportedOperations()},
            {"constants", PlatformConstants()}});
  return 0;
}

int Usage() {
  sigref::WriteStderr("usage: sigref-driver describe | sigref-driver run [FILE]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // First of all: the dispositions must be read before anything could change them.
  sigref::Initialize();
  if (argc < 2) return Usage();
  const std::string command = argv[1];
  const int obs_fd = DescriptorFromEnv("SIGCONFORM_OBS_FD", STDOUT_FILENO);
  if (obs_fd < 0) {
    sigref::WriteStderr("sigref-driver: SIGCONFORM_OBS_FD is not a descriptor number\n");
    return 2;
  }
  sigref_driver::ObsStream obs(obs_fd);
  if (command == "describe" && argc == 2) return Describe(obs);
  if (command != "run" || argc > 3) return Usage();

  std::string text;
  if (argc == 3) {
    std::ifstream file(argv[2]);
    if (!file) {
      sigref::WriteStderr(std::string("sigref-driver: cannot read ") + argv[2] + "\n");
      return 2;
    }
    std::stringstream content;
    content << file.rdbuf();
    text = content.str();
  } else {
    const int case_fd = DescriptorFromEnv("SIGCONFORM_CASE_FD", -1);
    if (case_fd < 0 || !ReadAll(case_fd, &text)) {
      sigref::WriteStderr("sigref-driver: no program (SIGCONFORM_CASE_FD or FILE)\n");
      return 2;
    }
  }
  json program = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (program.is_discarded() || !program.is_object()) {
    sigref::WriteStderr("sigref-driver: the program is not a JSON object\n");
    return 2;
  }
  sigref_driver::PyStdout out(STDOUT_FILENO);
  sigref_driver::Program(obs, out, std::move(program)).Run();
}
