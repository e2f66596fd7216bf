// A strata project of the running test's own, for running strata in it as a user would:
// strata.toml beside a migrations/ folder in TestTempDir(prefix), removed when the object dies.
#ifndef STRATA_TESTS_SUPPORT_TEST_PROJECT_H_
#define STRATA_TESTS_SUPPORT_TEST_PROJECT_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tests/support/run_strata.h"

namespace strata::testing {

class TestProject {
 public:
  // Creates the directory with an empty migrations/ and `config` as strata.toml. Construct it
  // while a test runs (a fixture member or in SetUp): the directory is named after the test.
  explicit TestProject(std::string_view prefix, std::string_view config = "");
  ~TestProject();
  TestProject(const TestProject&) = delete;
  TestProject& operator=(const TestProject&) = delete;

  const std::filesystem::path& root() const { return root_; }

  // Replaces strata.toml.
  void WriteConfig(std::string_view text) const;
  // Writes migrations/<name>, byte for byte.
  void Write(const std::string& name, std::string_view text) const;
  // Runs `strata -C <root> ARGS...`.
  RunResult Strata(std::vector<std::string> args, const RunOptions& options = {}) const;

 private:
  std::filesystem::path root_;
};

}  // namespace strata::testing

#endif  // STRATA_TESTS_SUPPORT_TEST_PROJECT_H_
