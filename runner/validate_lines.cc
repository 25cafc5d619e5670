// Reads case documents, one JSON text per line on standard input, validates each with
// ValidateCase (its expected id is its own "id", so that only the case language is judged) and
// writes one line per input: {"ok": true} or {"ok": false, "errors": [{"json_path", "message"}]}.
// For schema_agreement_test.py, which asks the schema and this validator about thousands of
// mutated cases without starting a process for each. A line that is not JSON is answered
// {"ok": false, "errors": [{"json_path": "", "message": "not JSON: ..."}]}. Input lines are
// bounded by the test that writes them; nothing here reads untrusted input.
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "catalog.h"

int main() {
  using nlohmann::json;
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    json answer;
    json doc = json::parse(line, nullptr, false);
    if (doc.is_discarded()) {
      answer = {{"ok", false}, {"errors", {{{"json_path", ""}, {"message", "not JSON"}}}}};
    } else {
      const std::string id = doc.is_object() && doc.value("id", json()).is_string()
                                 ? doc["id"].get<std::string>()
                                 : std::string("x/y");
      sigconform::Case c;
      const auto errors = sigconform::ValidateCase(doc, "<stdin>", id, &c);
      answer["ok"] = errors.empty();
      if (!errors.empty()) {
        answer["errors"] = json::array();
        for (const auto& e : errors) {
          answer["errors"].push_back({{"json_path", e.json_path}, {"message", e.message}});
        }
      }
    }
    std::cout << answer.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
  }
  return 0;
}
