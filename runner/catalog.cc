#include "catalog.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "bounded_file.h"
#include "bounded_json.h"
#include "case_validator.h"

namespace sigconform {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

}  // namespace

std::string FormatCatalogError(const CatalogError& e) {
  return e.file + ": " + (e.json_path.empty() ? std::string("(root)") : e.json_path) + ": " +
         e.message;
}

std::vector<CatalogError> ValidateCase(const json& doc, const std::string& file,
                                       const std::string& expected_id, Case* out) {
  // The validator's walkers recurse once per level of the document; a document from
  // elsewhere than ParseAndValidateCase is held to the same depth before they see it.
  std::string where;
  if (!WithinJsonDepth(doc, kMaxJsonDepth, &where)) {
    return {{file, where,
             "nested deeper than " + std::to_string(kMaxJsonDepth) + " arrays and objects"}};
  }
  try {
    return CaseValidator(file, expected_id).Run(doc, out);
  } catch (const std::exception& e) {
    // A validator bug must still name the file rather than take the runner down.
    return {{file, "", std::string("internal error while validating: ") + e.what()}};
  }
}

std::vector<CatalogError> ParseAndValidateCase(const std::string& text, const std::string& file,
                                               const std::string& expected_id, Case* out) {
  json doc;
  JsonError error;
  if (!ParseBoundedJson(text, kCaseFileBounds, &doc, &error)) {
    return {{file, error.json_path, error.message}};
  }
  return ValidateCase(doc, file, expected_id, out);
}

Catalog LoadCatalog(const std::string& cases_dir) {
  Catalog catalog;
  std::error_code ec;
  const fs::path root(cases_dir);
  if (!fs::is_directory(root, ec)) {
    catalog.errors.push_back({cases_dir, "", "not a readable directory of cases"});
    return catalog;
  }
  std::vector<fs::path> files;
  fs::recursive_directory_iterator it(root, fs::directory_options::none, ec), end;
  if (ec) {
    catalog.errors.push_back({cases_dir, "", "cannot read the directory: " + ec.message()});
    return catalog;
  }
  for (; it != end; it.increment(ec)) {
    if (ec) {
      catalog.errors.push_back({cases_dir, "", "cannot read the directory: " + ec.message()});
      break;
    }
    const fs::path& p = it->path();
    if (p.filename().string().rfind('.', 0) == 0) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (p.extension() == ".json" && !it->is_directory(ec)) files.push_back(p);
    if (files.size() > kMaxCaseFiles) {
      catalog.errors.push_back({cases_dir, "", "more than " + std::to_string(kMaxCaseFiles) +
                                                   " case files: not a catalog"});
      return catalog;
    }
  }
  std::sort(files.begin(), files.end());

  std::map<std::string, std::string> seen_ids;  // id -> file that has it
  catalog.cases.reserve(files.size());  // no reallocation on the way (10,000 cases, issue 14)
  for (const auto& path : files) {
    const std::string file = path.string();
    std::string id = path.lexically_relative(root).generic_string();
    id.resize(id.size() - 5);  // ".json"
    std::string text, read_error;
    if (!ReadFileBounded(file, kCaseFileBounds.max_bytes, &text, &read_error)) {
      catalog.errors.push_back({file, "", read_error});
      continue;
    }
    Case c;
    auto errors = ParseAndValidateCase(text, file, id, &c);
    if (!errors.empty()) {
      catalog.errors.insert(catalog.errors.end(), errors.begin(), errors.end());
      continue;
    }
    if (auto [pos, inserted] = seen_ids.emplace(c.id, file); !inserted) {
      catalog.errors.push_back(
          {file, "/id", "duplicate id '" + c.id + "', already used by " + pos->second});
      continue;
    }
    catalog.cases.push_back(std::move(c));
  }
  std::sort(catalog.cases.begin(), catalog.cases.end(),
            [](const Case& a, const Case& b) { return a.id < b.id; });
  return catalog;
}

}  // namespace sigconform
