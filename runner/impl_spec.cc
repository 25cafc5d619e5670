#include "impl_spec.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>

#include "data_paths.h"

namespace sigconform {
namespace {

// A root directory: the environment variable when set and not empty, else the value the build
// compiled in. Only the Pyodide driver, which runs from a source tree (its npm packages are not
// installed), still uses them; the others go through data_paths.h.
std::string Root(const char* variable, const char* compiled_in) {
  const char* value = std::getenv(variable);
  if (value != nullptr && value[0] != '\0') return value;
  return compiled_in;
}

std::string SourceRoot() { return Root("SIGCONFORM_SOURCE_ROOT", SIGCONFORM_SOURCE_ROOT); }
std::string BuildRoot() { return Root("SIGCONFORM_BUILD_ROOT", SIGCONFORM_BUILD_ROOT); }

bool IsExecutableFile(const std::string& path);

std::optional<std::vector<std::string>> RegisteredArgv(const std::string& name) {
  using Argv = std::vector<std::string>;
  // data_paths.h: beside an installed runner, else in the trees it was built from.
  const std::string python_driver = DataDir() + "/adapters/python/driver.py";
  if (name == "reference") return Argv{ReferenceDriverPath()};
  if (name == "cpython") return Argv{"/usr/bin/python3", python_driver};
  if (name == "pypy") return Argv{"pypy3", python_driver};
  for (const PyenvInterpreter& found : PyenvInterpreters()) {
    if (found.name == name) return Argv{found.program, python_driver};
  }
  if (name == "pyodide") {
    // The native addon of its fork-server, when the build made it (adapters/pyodide/meson.build):
    // the driver offers a fork-server only when it loads.
    return Argv{"node", SourceRoot() + "/adapters/pyodide/driver.cjs", "--cache",
                BuildRoot() + "/adapters/pyodide/cache", "--native",
                BuildRoot() + "/adapters/pyodide/fork_server.node"};
  }
  return std::nullopt;
}

bool IsValidName(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Characters that a shell would not take literally when unquoted.
bool IsShellSpecial(char c) { return std::strchr("|&;<>()$`", c) != nullptr; }

std::string JoinNames() {
  std::string out;
  for (const std::string& n : RegisteredNames()) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// The current directory, or empty (with *error set) when it cannot be read.
std::string CurrentDirectory(std::string* error) {
  std::string buffer(4096, '\0');
  for (;;) {
    if (getcwd(&buffer[0], buffer.size()) != nullptr) return std::string(buffer.c_str());
    if (errno != ERANGE) {
      *error = std::string("cannot read the current directory: ") + std::strerror(errno);
      return std::string();
    }
    buffer.resize(buffer.size() * 2);
  }
}

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  return S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string PyenvRoot() {
  const char* root = std::getenv("PYENV_ROOT");
  if (root != nullptr && root[0] != '\0') return root;
  const char* home = std::getenv("HOME");
  if (home == nullptr || home[0] == '\0') return std::string();
  return std::string(home) + "/.pyenv";
}

std::vector<PyenvInterpreter> PyenvInterpreters() {
  const std::string root = PyenvRoot();
  std::vector<PyenvInterpreter> found;
  if (root.empty()) return found;
  DIR* dir = opendir((root + "/versions").c_str());
  if (dir == nullptr) return found;
  // "3.11.7" -> py3.11; the newest patch release wins when one minor version has several.
  struct Candidate {
    int patch = -1;
    std::string version, program;
  };
  std::map<std::pair<int, int>, Candidate> by_minor;
  while (const dirent* entry = readdir(dir)) {
    const std::string version = entry->d_name;
    int major = 0, minor = 0, patch = 0;
    char rest = 0;
    if (std::sscanf(version.c_str(), "%d.%d.%d%c", &major, &minor, &patch, &rest) != 3) continue;
    std::string program;
    for (const char* exe : {"/bin/python3", "/bin/python"}) {
      if (IsExecutableFile(root + "/versions/" + version + exe)) {
        program = root + "/versions/" + version + exe;
        break;
      }
    }
    Candidate& best = by_minor[{major, minor}];
    if (!program.empty() && patch > best.patch) best = {patch, version, program};
  }
  closedir(dir);
  for (const auto& [minor, best] : by_minor) {
    if (best.program.empty()) continue;
    found.push_back({"py" + std::to_string(minor.first) + "." + std::to_string(minor.second),
                     best.version, best.program});
  }
  return found;
}

std::vector<std::string> RegisteredNames() {
  std::vector<std::string> names = {"reference", "cpython", "pypy", "pyodide"};
  for (const PyenvInterpreter& found : PyenvInterpreters()) names.push_back(found.name);
  return names;
}

std::optional<std::vector<std::string>> SplitShellWords(const std::string& command,
                                                        std::string* error) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // a word has started (an empty '' or "" counts)
  size_t i = 0;
  const size_t n = command.size();
  while (i < n) {
    char c = command[i];
    if (IsBlank(c)) {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= n) {
        *error = "command ends with a backslash";
        return std::nullopt;
      }
      if (command[i + 1] != '\n') {  // backslash-newline is a line continuation
        word += command[i + 1];
        in_word = true;
      }
      i += 2;
    } else if (c == '\'') {
      size_t end = command.find('\'', i + 1);
      if (end == std::string::npos) {
        *error = "unterminated single quote at offset " + std::to_string(i);
        return std::nullopt;
      }
      word.append(command, i + 1, end - i - 1);
      in_word = true;
      i = end + 1;
    } else if (c == '"') {
      size_t start = i;
      ++i;
      bool closed = false;
      while (i < n) {
        char d = command[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < n && std::strchr("$`\"\\\n", command[i + 1]) != nullptr) {
          if (command[i + 1] != '\n') word += command[i + 1];
          i += 2;
          continue;
        }
        word += d;
        ++i;
      }
      if (!closed) {
        *error = "unterminated double quote at offset " + std::to_string(start);
        return std::nullopt;
      }
      in_word = true;
    } else if (IsShellSpecial(c)) {
      *error = std::string("unquoted '") + c + "' at offset " + std::to_string(i) +
               ": the command is split into words and never run through a shell; quote it to "
               "pass it literally";
      return std::nullopt;
    } else {
      word += c;
      in_word = true;
      ++i;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

std::optional<Implementation> ParseImplSpec(const std::string& spec, std::string* error) {
  size_t eq = spec.find('=');
  if (eq == std::string::npos) {
    std::optional<std::vector<std::string>> argv = RegisteredArgv(spec);
    if (!argv) {
      *error = "unknown implementation '" + spec + "' (registered: " + JoinNames() +
               "; or give NAME=COMMAND)";
      return std::nullopt;
    }
    return Implementation{spec, *argv};
  }
  std::string name = spec.substr(0, eq);
  if (!IsValidName(name)) {
    *error = "implementation '" + spec +
             "': NAME must be letters, digits, '-', '_' or '.' (NAME=COMMAND)";
    return std::nullopt;
  }
  std::string split_error;
  std::optional<std::vector<std::string>> argv = SplitShellWords(spec.substr(eq + 1), &split_error);
  if (!argv) {
    *error = "implementation '" + name + "': " + split_error;
    return std::nullopt;
  }
  if (argv->empty()) {
    *error = "implementation '" + name + "': empty command";
    return std::nullopt;
  }
  return Implementation{name, *argv};
}

bool ResolveProgram(std::vector<std::string>* argv, std::string* error) {
  if (argv->empty() || (*argv)[0].empty()) {
    *error = "empty command";
    return false;
  }
  std::string& program = (*argv)[0];
  if (program[0] == '/') return true;
  if (program.find('/') != std::string::npos) {
    std::string cwd = CurrentDirectory(error);
    if (cwd.empty()) return false;
    program = cwd + "/" + program;
    return true;
  }
  const char* path = std::getenv("PATH");
  if (path == nullptr) {
    *error = "program '" + program + "' not found: PATH is not set";
    return false;
  }
  std::string dirs = path;
  size_t pos = 0;
  for (;;) {
    size_t colon = dirs.find(':', pos);
    size_t length = colon == std::string::npos ? std::string::npos : colon - pos;
    std::string dir = dirs.substr(pos, length);
    if (dir.empty()) dir = ".";  // POSIX: an empty entry is the current directory
    std::string candidate = dir + "/" + program;
    if (IsExecutableFile(candidate)) {
      if (candidate[0] != '/') {
        std::string cwd = CurrentDirectory(error);
        if (cwd.empty()) return false;
        candidate = cwd + "/" + candidate;
      }
      program = candidate;
      return true;
    }
    if (colon == std::string::npos) break;
    pos = colon + 1;
  }
  *error = "program '" + program + "' not found on PATH";
  return false;
}

bool ResolveImplementation(Implementation* impl, std::string* error) {
  std::string inner;
  if (ResolveProgram(&impl->argv, &inner)) return true;
  *error = "implementation '" + impl->name + "': " + inner;
  return false;
}

}  // namespace sigconform
