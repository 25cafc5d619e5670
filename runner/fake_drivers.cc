#include "fake_drivers.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace sigconform {
namespace {

std::string SourceDirectory() {
  const char* dir = getenv("SIGCONFORM_FAKE_DRIVERS");
  if (dir != nullptr && *dir != '\0') return dir;
  return std::string(SIGCONFORM_SOURCE_ROOT) + "/runner/testdata/fake-drivers";
}

std::string copy_dir;            // the world-readable copy, once made
std::vector<std::string> copied; // its files, for removal at exit

void RemoveCopy() {
  for (const std::string& path : copied) unlink(path.c_str());
  if (!copy_dir.empty()) rmdir(copy_dir.c_str());
}

std::string MakeCopy() {
  const std::string source = SourceDirectory();
  const char* tmp = getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                        "/sigconform-fake-drivers.XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp " + pattern);
  copy_dir = buffer.data();
  std::atexit(RemoveCopy);
  chmod(copy_dir.c_str(), 0755);  // mkdtemp makes it 0700
  DIR* dir = opendir(source.c_str());
  if (dir == nullptr) throw std::runtime_error("cannot open " + source);
  while (const struct dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    std::ifstream in(source + "/" + name, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    const std::string target = copy_dir + "/" + name;
    std::ofstream(target, std::ios::binary) << content.str();
    copied.push_back(target);
    chmod(target.c_str(), 0755);
  }
  closedir(dir);
  return copy_dir;
}

}  // namespace

std::string FakeDriver(const std::string& name) {
  static const std::string dir = MakeCopy();
  return dir + "/" + name;
}

}  // namespace sigconform
