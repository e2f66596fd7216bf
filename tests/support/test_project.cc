#include "tests/support/test_project.h"

#include <fstream>

#include "tests/support/test_env.h"

namespace strata::testing {

namespace fs = std::filesystem;

TestProject::TestProject(std::string_view prefix, std::string_view config)
    : root_(TestTempDir(prefix)) {
  fs::create_directories(root_ / "migrations");
  WriteConfig(config);
}

TestProject::~TestProject() {
  std::error_code ignored;
  fs::remove_all(root_, ignored);
}

void TestProject::WriteConfig(std::string_view text) const {
  std::ofstream(root_ / "strata.toml", std::ios::binary) << text;
}

void TestProject::Write(const std::string& name, std::string_view text) const {
  std::ofstream(root_ / "migrations" / name, std::ios::binary) << text;
}

RunResult TestProject::Strata(std::vector<std::string> args, const RunOptions& options) const {
  args.insert(args.begin(), {"-C", root_.string()});
  return RunStrata(args, options);
}

}  // namespace strata::testing
