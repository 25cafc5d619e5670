// The program generator against the real surface and catalog: deterministic, valid, free of
// races, within what both implementations have.
#include "explore/generator.h"

#include <gtest/gtest.h>

#include <string>

#include "catalog.h"
#include "module_surface.h"

namespace sigconform {
namespace {

using json = nlohmann::json;

class GeneratorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string root = SIGCONFORM_SOURCE_ROOT;
    ASSERT_TRUE(LoadModuleSurface(root + "/spec/module-surface.json", &surface_).empty());
    Catalog catalog = LoadCatalog(root + "/cases");
    ASSERT_TRUE(catalog.errors.empty());
    inputs_.surface = &surface_;
    inputs_.edges = HarvestEdgeValues(catalog.cases);
    for (const SurfaceName& n : surface_.names) inputs_.names.insert(n.name);
    inputs_.operations = {"call", "kill", "parent_kill", "wait", "pipe", "set_blocking", "read",
                          "ident", "process_info", "pidfd_open", "check"};
    inputs_.language_version = "3.11";
  }

  ModuleSurface surface_;
  GeneratorInputs inputs_;
};

void ForEachStep(const json& steps, const std::function<void(const json&, const json*)>& f) {
  for (size_t i = 0; i < steps.size(); i++) f(steps[i], i + 1 < steps.size() ? &steps[i + 1] : nullptr);
}

TEST_F(GeneratorTest, SameSeedAndIndexGiveTheSameProgram) {
  for (uint64_t i = 0; i < 50; i++) {
    EXPECT_EQ(GenerateProgram(inputs_, 7, i), GenerateProgram(inputs_, 7, i));
  }
  EXPECT_NE(GenerateProgram(inputs_, 7, 0)["steps"], GenerateProgram(inputs_, 7, 1)["steps"]);
  EXPECT_NE(GenerateProgram(inputs_, 7, 0)["steps"], GenerateProgram(inputs_, 8, 0)["steps"]);
}

TEST_F(GeneratorTest, EveryProgramIsAValidCaseCallingOnlyNamesBothHave) {
  for (uint64_t i = 0; i < 400; i++) {
    json doc = GenerateProgram(inputs_, 1, i);
    Case c;
    auto errors = ValidateCase(doc, "explore", doc["id"], &c);
    ASSERT_TRUE(errors.empty()) << FormatCatalogError(errors.front()) << "\n" << doc.dump();
    for (const json& step : doc["steps"]) {
      if (step.contains("call")) {
        EXPECT_TRUE(inputs_.names.count(step["call"])) << step.dump();
      } else {
        EXPECT_TRUE(inputs_.operations.count(step["do"])) << step.dump();
      }
    }
  }
}

TEST_F(GeneratorTest, AnAsynchronousSourceIsAlwaysFollowedByTheStepThatWaitsForIt) {
  size_t sources = 0;
  for (uint64_t i = 0; i < 400; i++) {
    json doc = GenerateProgram(inputs_, 3, i);
    ForEachStep(doc["steps"], [&](const json& step, const json* next) {
      bool timer = step.value("call", "") == "setitimer" && step["args"].size() == 2 &&
                   step["args"][1].is_object() && step["args"][1]["float"].is_number() &&
                   step["args"][1]["float"].get<double>() > 0 &&
                   step["args"][1]["float"].get<double>() < 1;
      if (step.value("do", "") == "parent_kill" || timer) {
        sources++;
        ASSERT_NE(next, nullptr) << doc.dump();
        EXPECT_EQ(next->value("note", ""), kWaitsNote) << doc.dump();
      }
      // Nothing that blocks without an event to end it.
      EXPECT_NE(step.value("call", ""), "pause");
    });
  }
  EXPECT_GT(sources, 10u) << "the generator should exercise asynchronous sources";
}

TEST_F(GeneratorTest, NamesEitherImplementationLacksAreNeverCalled) {
  inputs_.names.erase("pthread_kill");
  inputs_.names.erase("sigwaitinfo");
  inputs_.operations.erase("parent_kill");
  for (uint64_t i = 0; i < 300; i++) {
    json doc = GenerateProgram(inputs_, 5, i);
    for (const json& step : doc["steps"]) {
      EXPECT_NE(step.value("call", ""), "pthread_kill");
      EXPECT_NE(step.value("call", ""), "sigwaitinfo");
      EXPECT_NE(step.value("do", ""), "parent_kill");
    }
  }
}

TEST_F(GeneratorTest, NothingNewerThanTheLanguageVersionIsCalled) {
  inputs_.language_version = "3.7";
  for (uint64_t i = 0; i < 300; i++) {
    json doc = GenerateProgram(inputs_, 9, i);
    for (const json& step : doc["steps"]) {
      // raise_signal, strsignal and valid_signals came in 3.8, pidfd_send_signal in 3.9.
      for (const char* fn : {"raise_signal", "strsignal", "valid_signals", "pidfd_send_signal"}) {
        EXPECT_NE(step.value("call", ""), fn);
      }
    }
  }
}

TEST_F(GeneratorTest, CatalogEdgeValuesReachTheArguments) {
  // The catalog passes alarm() values other than the generator's own 0 and 100.
  const auto& edges = inputs_.edges.At("alarm", 0);
  ASSERT_FALSE(edges.empty());
  bool seen = false;
  for (uint64_t i = 0; i < 2000 && !seen; i++) {
    json doc = GenerateProgram(inputs_, 11, i);
    for (const json& step : doc["steps"]) {
      if (step.value("call", "") != "alarm") continue;
      const json& a = step["args"][0];
      if (a != 0 && a != 100) seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace sigconform
