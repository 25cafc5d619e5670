#include "data_paths.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace sigconform {
namespace {

std::string FromEnvironment(const char* variable) {
  const char* value = std::getenv(variable);
  return value != nullptr && value[0] != '\0' ? value : "";
}

// The directory of this program's executable, "" when /proc is not there.
std::string OwnDirectory() {
  char buf[PATH_MAX];
  const ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The installed data folder, or "" when this program is not installed. The relative paths
// from bindir are computed by meson from the install options.
std::string InstalledDataDir() {
  const std::string own = OwnDirectory();
  if (own.empty()) return "";
  const std::string data = own + "/" + SIGCONFORM_BIN_TO_DATA;
  return IsDirectory(data + "/cases") ? data : "";
}

}  // namespace

bool RunsInstalled() {
  return FromEnvironment("SIGCONFORM_SOURCE_ROOT").empty() && !InstalledDataDir().empty();
}

std::string DataDir() {
  const std::string from_env = FromEnvironment("SIGCONFORM_SOURCE_ROOT");
  if (!from_env.empty()) return from_env;
  const std::string installed = InstalledDataDir();
  if (!installed.empty()) return installed;
  return SIGCONFORM_SOURCE_ROOT;
}

std::string ReferenceDriverPath() {
  const std::string from_env = FromEnvironment("SIGCONFORM_BUILD_ROOT");
  if (!from_env.empty()) return from_env + "/reference-impl/driver/sigref-driver";
  if (!InstalledDataDir().empty()) return OwnDirectory() + "/" + SIGCONFORM_BIN_TO_LIBEXEC + "/sigref-driver";
  return std::string(SIGCONFORM_BUILD_ROOT) + "/reference-impl/driver/sigref-driver";
}

}  // namespace sigconform
