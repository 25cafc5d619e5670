// The case validator's internals: one class whose parts live in one file per part of
// spec/case-format.md (validate_file.cc: the file's keys, exit and streams; validate_parent.cc;
// validate_handlers.cc; validate_steps.cc: steps, actions, arguments; validate_expectations.cc:
// expect, matchers, events; validate_basics.cc: the shared checks). Only catalog.cc uses it:
// everyone else calls ValidateCase (catalog.h).
#ifndef SIGCONFORM_RUNNER_CASE_VALIDATOR_H_
#define SIGCONFORM_RUNNER_CASE_VALIDATOR_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case.h"
#include "case_syntax.h"
#include "catalog.h"
#include "text.h"

namespace sigconform {

// Names visible to a step: bound by earlier steps of its own thread, or of the main program
// before the thread started, or of a thread joined earlier.
struct Scope {
  std::set<std::string> bound;
};

// The kinds of field a `do` action takes (spec/case-format.md, "do: everything else").
enum class FieldKind {
  kArg,            // an ARG
  kHostSignal,     // a signal name the runner must act on: known on this host
  kPositiveInt,    // integer >= 1
  kNonNegInt,      // integer >= 0
  kPositiveNumber, // number > 0
  kNonNegNumber,   // number >= 0
  kBool,
  kString,
  kThreadName,     // identifier naming a new thread
  kForkName,       // identifier naming a forked child (same names as threads)
  kStartedThread,  // identifier naming a thread started earlier
  kIdentThread,    // "main" or a started thread
  kOtherThread,    // like kIdentThread, but not the thread that runs the step
  kSteps,          // the sub-steps of a thread or a forked child
  kExitCode,       // integer 0..255
  kStrings,        // a non-empty array of strings
  kAttributeName,  // an identifier naming a module attribute, NOT required by the case
  kEnumClass,      // "Signals", "Handlers" or "Sigmasks"
  kTextForm,       // "str" or "repr"
};

// Every name a `bind` anywhere in these steps introduces; tolerant of malformed steps, since
// it runs before validation to know which names handlers may use.
void CollectBinds(const nlohmann::json& steps, std::set<std::string>* out);

// Every step's protocol path ("3", "3.1") in these steps, threads' steps included; tolerant of
// malformed steps, like CollectBinds.
void CollectStepPaths(const nlohmann::json& steps, const std::string& prefix,
                      std::set<std::string>* out);

// Validates one case document. Single use: construct, call Run once.
class CaseValidator {
 public:
  using json = nlohmann::json;

  CaseValidator(std::string file, std::string expected_id)
      : file_(std::move(file)), expected_id_(std::move(expected_id)) {}

  // Every error of the document; fills *out (when not null) only when there is none.
  std::vector<CatalogError> Run(const json& doc, Case* out);

 private:
  // validate_basics.cc: shared checks. Each returns whether the value was acceptable and
  // records an error naming `path` when it was not.
  void Error(const std::string& path, std::string message);
  bool TypeError(const json& v, const std::string& path, const char* expected);
  bool IsObject(const json& v, const std::string& path);
  bool IsArray(const json& v, const std::string& path);
  bool IsString(const json& v, const std::string& path);
  bool IsBool(const json& v, const std::string& path);
  bool IsInteger(const json& v, const std::string& path);
  bool IsNumber(const json& v, const std::string& path);
  bool IntegerAtLeast(const json& v, const std::string& path, long long min);
  // A platform value, {"platform": NAME} with "float": true or "text": "...{}..." at most
  // (spec/case-format.md, "Platform values"); `integer_only` refuses float and text.
  bool PlatformValue(const json& v, const std::string& path, bool integer_only = false);
  bool Identifier(const json& v, const std::string& path, const char* what = "a name");
  void Keys(const json& obj, const std::string& path, std::vector<std::string> allowed,
            const std::vector<std::string>& required);
  std::vector<std::string> StringList(const json& v, const std::string& path,
                                      bool (*ok)(const std::string&), const std::string& what,
                                      bool non_empty);
  bool Signal(const json& v, const std::string& path, bool host);
  std::vector<std::string> SignalList(const json& v, const std::string& path, bool host);
  bool MayRunOnHost() const;
  bool OneOf(const json& v, const std::string& path, const std::vector<std::string>& options);

  // validate_file.cc: the top level, `exit`, `stdout`/`stderr`.
  void Top(const json& doc);
  void Limits(const json& v, const std::string& path);
  void Exit(const json& v, const std::string& path);
  StreamExpectation Stream(const json& v, const std::string& path);

  // validate_parent.cc
  void Parent(const json& v, const std::string& path);

  // validate_handlers.cc
  void Handlers(const json& v, const std::string& path);
  // Validates the sub-steps of a `thread` or `fork` step; returns what they bind that the
  // starting scope did not have.
  std::set<std::string> SubSteps(const json& step, const std::string& step_path,
                                 const Scope& scope, bool fork);
  // A step's `uncaught` flag.
  void Uncaught(const json& v, const std::string& path);
  void HandlerRef(const json& v, const std::string& path);

  // validate_steps.cc: steps, actions and their fields, bindings, arguments.
  void Steps(const json& v, const std::string& path, Scope* scope);
  void Step(const json& s, const std::string& path, Scope* scope);
  void Action(const json& s, const std::string& path, Scope* scope);
  void Field(const json& v, const std::string& p, FieldKind kind, const json& step,
             const std::string& step_path, Scope* scope);
  std::vector<std::string> Bind(const json& v, const std::string& path);
  void ArgString(const std::string& s, const std::string& path, const Scope& scope);
  void FloatField(const json& v, const std::string& path);
  void HexField(const json& v, const std::string& path);
  void Arg(const json& v, const std::string& path, const Scope& scope);

  // validate_expectations.cc: `expect` and matchers.
  void Expect(const json& v, const std::string& path, const Scope& scope);
  void Raises(const json& v, const std::string& path);
  void Audit(const json& v, const std::string& path, const Scope& scope);
  void Events(const json& v, const std::string& path);
  void Matcher(const json& v, const std::string& path, const Scope& scope);

  std::string file_;
  std::string expected_id_;
  std::vector<CatalogError> errors_;
  Case case_;
  std::set<std::string> requires_;
  std::set<std::string> operations_;
  std::set<std::string> handlers_;
  std::set<std::string> all_binds_;
  std::set<std::string> threads_;  // threads and forked children: names events may use
  std::set<std::string> forks_;    // forked children only: not joinable
  int thread_depth_ = 0;           // > 0 while validating the steps of a `thread`
  std::string current_thread_ = "main";  // the thread whose steps are being validated
  size_t main_steps_ = 0;          // the number of steps of the main program
  std::set<std::string> step_paths_;  // every step's protocol path, for event timing keys
  std::map<std::string, std::set<std::string>> thread_binds_;
  // Uses of the module's surface (Case::uses); `alternatives_` counts the $not, $one_of and
  // $excludes matchers the walk is inside, where nothing is recorded.
  void Use(SurfaceUse::Kind kind, const std::string& name, const std::string& path,
           const std::string& function = "", int position = -1);
  std::vector<SurfaceUse> uses_;
  int alternatives_ = 0;
};

// A JSON Pointer child path: the member `key` or the item `index` of `path`.
inline std::string Child(const std::string& path, const std::string& key) {
  return JsonPointerChild(path, key);
}
inline std::string Child(const std::string& path, size_t index) {
  return path + "/" + std::to_string(index);
}

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_CASE_VALIDATOR_H_
