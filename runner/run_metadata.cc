#include "run_metadata.h"

#include <openssl/evp.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "runner_version.h"

namespace sigconform {
namespace {

constexpr uintmax_t kMaxDigestedFile = 16u << 20;
constexpr size_t kMaxDigestedFiles = 100000;

// The PRETTY_NAME of /etc/os-release, unquoted, or "".
std::string OsReleaseName() {
  std::ifstream in("/etc/os-release");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
    std::string v = line.substr(12);
    if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front()) {
      v = v.substr(1, v.size() - 2);
    }
    return v.substr(0, 200);
  }
  return "";
}

}  // namespace

std::string RunnerVersion() { return SIGCONFORM_VERSION; }

std::string RunnerCommit() { return kRunnerCommit; }

std::string DigestFiles(const std::string& dir, const std::string& suffix, size_t* count) {
  namespace fs = std::filesystem;
  if (count) *count = 0;
  std::vector<std::string> files;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, ec), end;
  if (ec) return "";
  for (; it != end; it.increment(ec)) {
    if (ec) return "";
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || name.size() < suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    if (files.size() >= kMaxDigestedFiles) return "";
    files.push_back(fs::relative(it->path(), dir, ec).generic_string());
  }
  std::sort(files.begin(), files.end());

  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) return "";
  std::vector<char> buf(1 << 16);
  for (const std::string& rel : files) {
    const fs::path path = fs::path(dir) / rel;
    const uintmax_t size = fs::file_size(path, ec);
    if (ec || size > kMaxDigestedFile) return "";
    const std::string header = rel + '\0' + std::to_string(size) + '\0';
    EVP_DigestUpdate(ctx.get(), header.data(), header.size());
    std::ifstream in(path, std::ios::binary);
    if (!in) return "";
    uintmax_t left = size;
    while (left > 0 && in) {
      in.read(buf.data(), static_cast<std::streamsize>(std::min<uintmax_t>(buf.size(), left)));
      const std::streamsize n = in.gcount();
      if (n <= 0) break;
      EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
      left -= static_cast<uintmax_t>(n);
    }
    if (left != 0) return "";  // the file shrank while it was read
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(ctx.get(), digest, &length) != 1) return "";
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  if (count) *count = files.size();
  return out;
}

HostFacts CurrentHost() {
  HostFacts host;
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) == 0) host.name = name;
  struct utsname u {};
  if (uname(&u) == 0) {
    host.kernel = u.release;
    host.machine = u.machine;
    host.os = std::string(u.sysname) + " " + u.release;
  }
  const std::string release = OsReleaseName();
  if (!release.empty()) host.os += " (" + release + ")";
  return host;
}

}  // namespace sigconform
