#include "run_metadata.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace sigconform {
namespace {

namespace fs = std::filesystem;

class DigestFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sigconform-digest-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "masks");
    Write("masks/a.json", "{\"id\": \"masks/a\"}");
    Write("b.json", "{}");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& text) { std::ofstream(dir_ / rel) << text; }
  fs::path dir_;
};

TEST_F(DigestFilesTest, ChangesWithContentNamesAndFilesButNotWithOthers) {
  size_t count = 0;
  const std::string first = DigestFiles(dir_.string(), ".json", &count);
  EXPECT_EQ(first.rfind("sha256:", 0), 0u);
  EXPECT_EQ(first.size(), 7u + 64u);
  EXPECT_EQ(count, 2u);
  EXPECT_EQ(DigestFiles(dir_.string(), ".json"), first) << "the same tree digests alike";
  Write("notes.txt", "not a case");
  Write(".hidden.json", "{}");
  EXPECT_EQ(DigestFiles(dir_.string(), ".json"), first) << "other files do not count";
  Write("b.json", "{ }");
  const std::string changed = DigestFiles(dir_.string(), ".json");
  EXPECT_NE(changed, first);
  fs::rename(dir_ / "b.json", dir_ / "c.json");
  EXPECT_NE(DigestFiles(dir_.string(), ".json"), changed) << "a renamed file is another catalog";
  EXPECT_EQ(DigestFiles((dir_ / "nonexistent").string(), ".json"), "");
}

TEST(CurrentHost, NamesTheMachine) {
  const HostFacts host = CurrentHost();
  EXPECT_FALSE(host.name.empty());
  EXPECT_EQ(host.os.rfind("Linux ", 0), 0u) << host.os;
  EXPECT_FALSE(host.kernel.empty());
  EXPECT_FALSE(RunnerVersion().empty());
}

}  // namespace
}  // namespace sigconform
