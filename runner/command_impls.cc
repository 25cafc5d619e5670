#include "command_impls.h"

#include <algorithm>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>

#include "describe.h"
#include "impl_spec.h"
#include "report.h"
#include "text.h"

namespace sigconform {
namespace {

// One line, printable: what a driver says is untrusted text.
std::string OneLine(const std::string& text) {
  std::string out = SanitizeUtf8(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  constexpr size_t kMax = 300;
  if (out.size() > kMax) out = out.substr(0, kMax) + "...";  // may cut a character: sanitized below
  return SanitizeUtf8(out);
}

std::string Field(const nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  return it != record.end() && it->is_string() ? OneLine(it->get<std::string>()) : std::string();
}

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

std::vector<ImplStatus> ProbeRegistered() {
  std::vector<ImplStatus> statuses;
  std::vector<Implementation> installed;
  std::vector<size_t> index_of;  // installed[k] is statuses[index_of[k]]
  for (const std::string& name : RegisteredNames()) {
    ImplStatus status;
    status.name = name;
    std::string error;
    std::optional<Implementation> impl = ParseImplSpec(name, &error);
    if (impl) status.argv = impl->argv;
    if (impl && ResolveImplementation(&*impl, &error)) {
      status.argv = impl->argv;
      index_of.push_back(statuses.size());
      installed.push_back(*impl);
    } else {
      status.state = "not-installed";
      status.detail = OneLine(error);
    }
    statuses.push_back(std::move(status));
  }
  std::vector<DescribeOutcome> described = DescribeAll(installed);
  for (size_t k = 0; k < installed.size(); k++) {
    ImplStatus& status = statuses[index_of[k]];
    if (!described[k].description) {
      status.state = "unusable";
      status.detail = OneLine(described[k].error);
      continue;
    }
    const nlohmann::json& record = described[k].record;
    status.state = "usable";
    status.implementation = Field(record, "implementation");
    status.language_version = Field(record, "language_version");
    status.platform = Field(record, "platform");
    status.runtime = Field(record, "runtime");
  }
  return statuses;
}

nlohmann::json ImplStatusJson(const std::vector<ImplStatus>& statuses) {
  nlohmann::json list = nlohmann::json::array();
  for (const ImplStatus& s : statuses) {
    nlohmann::json argv = nlohmann::json::array();
    for (const std::string& word : s.argv) argv.push_back(SanitizeUtf8(word));
    list.push_back({{"name", s.name}, {"argv", argv}, {"state", s.state}, {"detail", s.detail},
                    {"implementation", s.implementation},
                    {"language_version", s.language_version}, {"platform", s.platform},
                    {"runtime", s.runtime}});
  }
  return {{"implementations", list}};
}

std::string ImplStatusTable(const std::vector<ImplStatus>& statuses) {
  std::vector<std::vector<std::string>> rows = {{"NAME", "STATE", "VERSION", "COMMAND / WHY"}};
  for (const ImplStatus& s : statuses) {
    std::string version;
    if (s.state == "usable") {
      version = s.implementation + " " + s.language_version + " (" + s.platform + ")";
      if (!s.runtime.empty()) version += ", " + s.runtime;
    }
    rows.push_back({s.name, s.state, version.empty() ? "-" : version,
                    s.state == "usable" ? OneLine(Join(s.argv)) : s.detail});
  }
  std::vector<size_t> width(3, 0);
  for (const auto& row : rows) {
    for (size_t c = 0; c < 3; c++) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < 3; c++) out += row[c] + std::string(width[c] - row[c].size() + 2, ' ');
    out += row[3] + "\n";
  }
  return out;
}

int ImplsCommand(const std::string& json_path) {
  std::vector<ImplStatus> statuses = ProbeRegistered();
  std::cout << ImplStatusTable(statuses);
  if (!json_path.empty()) {
    std::string error;
    if (!WriteFileAtomically(json_path, ImplStatusJson(statuses).dump(2) + "\n", &error)) {
      std::cerr << "sigconform: cannot write " << json_path << ": " << error << "\n";
      return kExitUsage;
    }
  }
  return kExitOk;
}

CommandAction AddImplsCommand(CLI::App* app) {
  auto json_path = std::make_shared<std::string>();
  CLI::App* cmd = app->add_subcommand(
      "impls",
      "list the registered implementations (reference, cpython, pypy, pyodide, and py3.X for "
      "each CPython under $(pyenv root)/versions), whether each is installed here, and its "
      "version");
  cmd->add_option("--json", *json_path, "also write the list as JSON to this file");
  return [json_path] { return ImplsCommand(*json_path); };
}

}  // namespace sigconform
