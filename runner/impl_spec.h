// Naming the implementation under test on the command line: a registered name or NAME=COMMAND.
#ifndef SIGCONFORM_RUNNER_IMPL_SPEC_H_
#define SIGCONFORM_RUNNER_IMPL_SPEC_H_

#include <optional>
#include <string>
#include <vector>

namespace sigconform {

// An implementation under test: how to start its driver.
struct Implementation {
  std::string name;               // as reports show it ("cpython", or NAME of NAME=COMMAND)
  std::vector<std::string> argv;  // the driver's command line, without "describe"/"run"
};

// Parses an implementation given on the command line. `spec` is either a registered name
// (RegisteredNames()) or NAME=COMMAND, where COMMAND is split into words the way a POSIX shell
// splits words (SplitShellWords) and is never run through a shell. NAME is made of letters,
// digits, '-', '_' and '.'. On error returns nullopt and sets *error to a sentence that names
// the spec. argv[0] is returned as written; see ResolveProgram.
std::optional<Implementation> ParseImplSpec(const std::string& spec, std::string* error);

// A CPython found under $(pyenv root)/versions: the registered name "py3.11" runs the Python
// driver with it.
struct PyenvInterpreter {
  std::string name;     // "py" + major.minor: "py3.11", "py2.7"
  std::string version;  // the directory's name: "3.11.7"
  std::string program;  // <root>/versions/3.11.7/bin/python3 (bin/python when there is no python3)
};

// The pyenv root: $PYENV_ROOT when set and not empty, else $HOME/.pyenv ("" without HOME).
std::string PyenvRoot();

// Every interpreter under <PyenvRoot()>/versions/X.Y.Z/ with an executable bin/python3 or
// bin/python, one per minor version (the newest patch release), in version order. Other
// entries (virtualenvs, "system") are left out. Empty when there is no such directory.
std::vector<PyenvInterpreter> PyenvInterpreters();

// The names ParseImplSpec knows by themselves, in a fixed order:
//   reference  ReferenceDriverPath()
//   cpython    /usr/bin/python3 <DataDir()>/adapters/python/driver.py
//   pypy       pypy3 <DataDir()>/adapters/python/driver.py
//   pyodide    node <source root>/adapters/pyodide/driver.cjs --cache <build root>/adapters/pyodide/cache
//   py3.6 ...  each of PyenvInterpreters(), with <DataDir()>/adapters/python/driver.py
// (data_paths.h: beside an installed runner, else the source and build trees it was built
// from; SIGCONFORM_SOURCE_ROOT and SIGCONFORM_BUILD_ROOT override. Pyodide runs from a
// source tree only: its npm packages are not installed.)
std::vector<std::string> RegisteredNames();

// Splits `command` into words like a POSIX shell, without any expansion: blanks (space, tab,
// newline) separate words; '...' keeps everything literally; "..." keeps everything except
// that a backslash before $ ` " \ or newline stands for that character (backslash-newline
// vanishes); outside quotes a backslash keeps the next character (backslash-newline vanishes).
// Unquoted characters a shell would treat as operators or expansions (| & ; < > ( ) $ `) are
// rejected, since taking them literally would silently differ from what the user meant.
// Unterminated quotes and a trailing backslash are errors. Returns nullopt and sets *error.
std::optional<std::vector<std::string>> SplitShellWords(const std::string& command,
                                                        std::string* error);

// Makes (*argv)[0] absolute: a bare program name is searched on the runner's own PATH (an
// executable regular file; an empty PATH entry means the current directory) and a relative
// path with a slash is taken against the current directory. An absolute path is left as it is
// (a missing file is reported when it is executed). Returns false and sets *error ("program
// 'pypy3' not found on PATH") on failure.
bool ResolveProgram(std::vector<std::string>* argv, std::string* error);

// ResolveProgram on impl->argv, with the error prefixed by "implementation 'NAME': ".
bool ResolveImplementation(Implementation* impl, std::string* error);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_IMPL_SPEC_H_
