// Loading and validating the catalog of cases (spec/case-format.md, spec/case.schema.json).
#ifndef SIGCONFORM_RUNNER_CATALOG_H_
#define SIGCONFORM_RUNNER_CATALOG_H_

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "case.h"

namespace sigconform {

// One thing wrong with one case file. A malformed case is always reported this way: never a
// crash, never a silent skip.
struct CatalogError {
  std::string file;       // the file, as found below the cases directory
  std::string json_path;  // JSON Pointer into the document ("/steps/3/expect/raises"); "" = root
  std::string message;    // for people: "unknown key 'expct'; expected one of: ..."
};

// "FILE: PATH: MESSAGE" (PATH shown as "(root)" when empty), one line.
std::string FormatCatalogError(const CatalogError& error);

// The loaded catalog. Only cases without errors are in `cases`; every problem is in `errors`.
struct Catalog {
  std::vector<Case> cases;  // sorted by id
  std::vector<CatalogError> errors;
};

// The most case files LoadCatalog reads from one directory tree.
constexpr size_t kMaxCaseFiles = 100000;

// Loads every "*.json" below `cases_dir`, recursively, skipping files and folders whose name
// starts with '.'. Each file is parsed and validated with ParseAndValidateCase (its expected id
// is its path below cases_dir without ".json"); ids must be unique. Bounds: at most
// kMaxCaseFiles files, each at most kCaseFileBounds.max_bytes long (bounded_json.h). Never
// throws.
Catalog LoadCatalog(const std::string& cases_dir);

// Validates one parsed case document against everything spec/case.schema.json and
// spec/case-format.md say, plus what a schema cannot express (id equals `expected_id`, pending
// signals are blocked, signal names are known, "$name" references are bound earlier, handlers
// are declared, threads are started before they are joined...). A document nested deeper
// than kMaxJsonDepth is refused before any of that. Returns every error found
// (empty when the case is valid); fills *out (when not null) only when there is none,
// including the derived `requires_names` and `operations`. `file` is used in the errors and
// stored in Case::file. Never throws.
std::vector<CatalogError> ValidateCase(const nlohmann::json& doc, const std::string& file,
                                       const std::string& expected_id, Case* out);

// The first language version in which a driver for a Python implementation can perform the
// step action `action` ("3.8" for `audit_hook`, which needs sys.addaudithook), or "" when any
// version can.
std::string ActionSince(const std::string& action);

// The platforms (case-language words) where the step action `action` can run ({"unix"} for
// `fork`), or empty when it can run everywhere.
std::vector<std::string> ActionPlatforms(const std::string& action);

// ValidateCase on the text of a file, parsed within kCaseFileBounds (bounded_json.h): a JSON
// syntax error is reported with its line and column at json_path ""; a key given twice in one
// object, nesting deeper than kMaxJsonDepth, or a document too large is reported at the path
// where it happens.
std::vector<CatalogError> ParseAndValidateCase(const std::string& text, const std::string& file,
                                               const std::string& expected_id, Case* out);

}  // namespace sigconform

#endif  // SIGCONFORM_RUNNER_CATALOG_H_
