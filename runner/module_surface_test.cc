#include "module_surface.h"

#include <gtest/gtest.h>

namespace sigconform {
namespace {

using nlohmann::json;

const std::string kSourceRoot = SIGCONFORM_SOURCE_ROOT;

json Document(json names) {
  return {{"sigconform_module_surface", 1},
          {"module", "signal"},
          {"documentation", "3.13"},
          {"names", std::move(names)}};
}

std::string AllErrors(const std::vector<CatalogError>& errors) {
  std::string out;
  for (const CatalogError& e : errors) out += FormatCatalogError(e) + "\n";
  return out;
}

bool HasError(const std::vector<CatalogError>& errors, const std::string& path,
              const std::string& text) {
  for (const CatalogError& e : errors) {
    if (e.json_path == path && e.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ModuleSurface, ReadsNamesParametersAndPlatforms) {
  const json doc = Document(json::parse(R"([
    {"name": "set_wakeup_fd", "kind": "function", "since": "3.0", "platforms": ["all"],
     "parameters": [{"name": "fd", "pass": "positional", "type": "fd"},
                    {"name": "warn_on_full_buffer", "pass": "keyword", "type": "bool",
                     "since": "3.7", "default": true}]},
    {"name": "Signals", "kind": "enum", "since": "3.5", "platforms": ["all"]},
    {"name": "SIGPWR", "kind": "signal", "since": "3.0", "platforms": ["linux", "netbsd"],
     "enum": "Signals"}
  ])"));
  ModuleSurface surface;
  const auto errors = ParseModuleSurface(doc, "surface.json", &surface);
  ASSERT_TRUE(errors.empty()) << AllErrors(errors);
  EXPECT_EQ(surface.documentation, "3.13");
  ASSERT_EQ(surface.names.size(), 3u);
  EXPECT_EQ(surface.names[0].name, "SIGPWR");  // sorted by name
  const SurfaceName* fn = surface.Find("set_wakeup_fd");
  ASSERT_NE(fn, nullptr);
  EXPECT_TRUE(fn->platforms.empty());  // "all"
  ASSERT_EQ(fn->parameters.size(), 2u);
  EXPECT_EQ(fn->parameters[0].since, "3.0");  // the function's own
  EXPECT_FALSE(fn->parameters[0].optional);
  const Parameter* warn = fn->FindParameter("warn_on_full_buffer");
  ASSERT_NE(warn, nullptr);
  EXPECT_EQ(warn->pass, PassKind::kKeyword);
  EXPECT_EQ(warn->since, "3.7");
  EXPECT_TRUE(warn->optional);
  EXPECT_EQ(surface.Find("SIGPWR")->enum_name, "Signals");
  EXPECT_EQ(surface.Find("SIGPWR")->platforms, (std::vector<std::string>{"linux", "netbsd"}));
  EXPECT_EQ(surface.Find("nonesuch"), nullptr);
}

TEST(ModuleSurface, EveryMistakeIsNamedByItsPath) {
  const json doc = Document(json::parse(R"([
    {"name": "alarm", "kind": "function", "since": "3.0", "platforms": ["unix"]},
    {"name": "pause", "kind": "routine", "since": "3", "platforms": ["beos"], "colour": 1},
    {"name": "SIGX", "kind": "signal", "since": "3.0", "platforms": ["all"], "enum": "Nums",
     "parameters": []},
    {"name": "sigwait", "kind": "function", "since": "3.3", "platforms": ["unix"],
     "parameters": [{"name": "sigset", "pass": "keyword", "type": "signals"},
                    {"name": "late", "pass": "positional", "type": "str", "since": "3.1"},
                    {"name": "sigset", "pass": "sometimes", "type": "signals"}]},
    {"name": "alarm", "kind": "function", "since": "3.0", "platforms": ["unix"], "parameters": []}
  ])"));
  ModuleSurface surface;
  const auto errors = ParseModuleSurface(doc, "s.json", &surface);
  EXPECT_TRUE(HasError(errors, "/names/0", "lists its parameters")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/1/kind", "'routine' is not one of")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/1/since", "not a version")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/1/platforms/0", "'beos' is not a platform word"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/1/colour", "unknown key")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/2/enum", "'Nums' is not a name of kind \"enum\""))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/2/parameters", "only a function")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/3/parameters/1/pass", "cannot follow a keyword-only"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/3/parameters/1/type", "'str' is not one of"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/3/parameters/1/since", "older than its function"))
      << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/3/parameters/2/name", "listed twice")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/3/parameters/2/pass", "'sometimes'")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/names/4/name", "'alarm' is listed twice")) << AllErrors(errors);
  EXPECT_TRUE(surface.names.empty());  // nothing is handed out when anything is wrong
}

TEST(ModuleSurface, TheDocumentItselfIsChecked) {
  ModuleSurface surface;
  EXPECT_TRUE(HasError(ParseModuleSurface(json::array(), "s.json", &surface), "",
                       "expected an object"));
  json doc = Document(json::array());
  doc["module"] = "os";
  doc["sigconform_module_surface"] = 2;
  doc.erase("documentation");
  const auto errors = ParseModuleSurface(doc, "s.json", &surface);
  EXPECT_TRUE(HasError(errors, "/module", "must be \"signal\"")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "/sigconform_module_surface", "must be 1")) << AllErrors(errors);
  EXPECT_TRUE(HasError(errors, "", "missing required key 'documentation'")) << AllErrors(errors);
  json many = Document(json::array());
  for (int n = 0; n < 1001; ++n) {
    many["names"].push_back({{"name", "N" + std::to_string(n)}, {"kind", "constant"},
                             {"since", "3.0"}, {"platforms", {"all"}}});
  }
  EXPECT_TRUE(HasError(ParseModuleSurface(many, "s.json", &surface), "/names", "at most 1000"));
  EXPECT_TRUE(HasError(LoadModuleSurface("/nonexistent/surface.json", &surface), "",
                       "cannot read"));
}

// The real surface reads cleanly and holds what the documentation lists.
TEST(RealSurface, ParsesAndHoldsTheDocumentedNames) {
  ModuleSurface surface;
  const auto errors = LoadModuleSurface(kSourceRoot + "/spec/module-surface.json", &surface);
  ASSERT_TRUE(errors.empty()) << AllErrors(errors);
  for (const char* name :
       {"alarm", "getsignal", "strsignal", "valid_signals", "pause", "raise_signal",
        "pidfd_send_signal", "pthread_kill", "pthread_sigmask", "setitimer", "getitimer",
        "set_wakeup_fd", "siginterrupt", "signal", "sigpending", "sigwait", "sigwaitinfo",
        "sigtimedwait", "Signals", "Handlers", "Sigmasks", "ItimerError", "SIG_DFL", "SIG_IGN",
        "SIG_BLOCK", "SIG_UNBLOCK", "SIG_SETMASK", "NSIG", "ITIMER_REAL", "ITIMER_VIRTUAL",
        "ITIMER_PROF", "CTRL_C_EVENT", "CTRL_BREAK_EVENT", "SIGBREAK", "SIGSTKFLT", "SIGCLD"}) {
    EXPECT_NE(surface.Find(name), nullptr) << name;
  }
  EXPECT_EQ(surface.Find("set_wakeup_fd")->FindParameter("warn_on_full_buffer")->since, "3.7");
  EXPECT_EQ(surface.Find("raise_signal")->since, "3.8");
  EXPECT_EQ(surface.Find("SIGSTKFLT")->since, "3.11");
  EXPECT_EQ(surface.Find("Signals")->since, "3.5");
}

}  // namespace
}  // namespace sigconform
