#include "tests/support/json_contract.h"

#include <cstdio>
#include <fstream>

#include "tests/support/test_env.h"

namespace strata::testing {

JsonContractResult CheckJsonContract(const std::filesystem::path& dir,
                                     const std::vector<nlohmann::json>& runs) {
  const std::filesystem::path file = dir / "runs.jsonl";
  {
    std::ofstream out(file);
    for (const nlohmann::json& run : runs) out << run.dump() << '\n';
  }
  const std::string command =
      "python3 '" + (SourceDir() / "tests/cli/check_json_contract.py").string() + "' '" +
      (SourceDir() / "docs/json-schema").string() + "' '" + file.string() + "' 2>&1";
  JsonContractResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    result.output = "could not start: " + command;
    return result;
  }
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) result.output += buffer;
  result.status = ::pclose(pipe);
  return result;
}

}  // namespace strata::testing
