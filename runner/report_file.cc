#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "report.h"

namespace sigconform {

bool WriteFileAtomically(const std::string& path, const std::string& content, std::string* error) {
  const auto fail = [&](const std::string& what) {
    if (error) *error = what;
    return false;
  };
  try {
    namespace fs = std::filesystem;
    const fs::path target(path);
    std::error_code ec;
    if (target.has_parent_path()) {
      fs::create_directories(target.parent_path(), ec);
      if (ec) return fail("cannot create " + target.parent_path().string() + ": " + ec.message());
    }
    // The temporary sits beside the target so that rename() stays within one file system.
    const std::string tmp = path + ".tmp." + std::to_string(getpid());
    const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return fail("cannot create " + tmp + ": " + std::strerror(errno));
    size_t done = 0;
    while (done < content.size()) {
      const ssize_t n = write(fd, content.data() + done, content.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const std::string why = std::strerror(errno);
        close(fd);
        unlink(tmp.c_str());
        return fail("cannot write " + tmp + ": " + why);
      }
      done += static_cast<size_t>(n);
    }
    if (close(fd) != 0) {
      const std::string why = std::strerror(errno);
      unlink(tmp.c_str());
      return fail("cannot write " + tmp + ": " + why);
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) {
      const std::string why = std::strerror(errno);
      unlink(tmp.c_str());
      return fail("cannot rename " + tmp + " to " + path + ": " + why);
    }
    return true;
  } catch (const std::exception& e) {
    return fail(std::string("cannot write ") + path + ": " + e.what());
  }
}

bool WriteReportSet(const std::string& out_dir, const std::string& json_path, const RunInfo& run,
                    const std::vector<Result>& results,
                    const std::function<void(const std::string&)>& say,
                    const std::vector<Result>* baseline) {
  bool ok = true;
  const auto write = [&](const std::string& path, const std::function<std::string()>& render) {
    std::string error;
    std::string content;
    try {
      content = render();
    } catch (const std::exception& e) {
      say("cannot write " + path + ": " + e.what());
      ok = false;
      return;
    }
    if (!WriteFileAtomically(path, content, &error)) {
      say("cannot write " + path + ": " + error);
      ok = false;
    } else {
      say("wrote " + path);
    }
  };
  std::string json;
  const auto render_json = [&]() {
    if (json.empty()) json = ReportJsonText(run, results);
    return json;
  };
  if (!json_path.empty()) write(json_path, render_json);
  if (!out_dir.empty()) {
    write(out_dir + "/report.json", render_json);
    write(out_dir + "/junit.xml", [&] { return ReportJunit(run, results); });
    write(out_dir + "/summary.md", [&] { return ReportMarkdown(run, results); });
    write(out_dir + "/matrix.html", [&] { return ReportHtml(run, results, baseline); });
  }
  return ok;
}

}  // namespace sigconform
