// Checking --json documents against docs/json-schema (draft 2020-12) from a test: the runs go
// to one file and one python process (tests/cli/check_json_contract.py, python3-jsonschema)
// validates them all, which is what makes checking every case cheap.
#ifndef STRATA_TESTS_SUPPORT_JSON_CONTRACT_H_
#define STRATA_TESTS_SUPPORT_JSON_CONTRACT_H_

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace strata::testing {

struct JsonContractResult {
  int status = -1;     // the checker's exit status as pclose returns it (0: every run valid)
  std::string output;  // what it printed: "checked N runs", each invalid document, unused schemas
};

// Writes `runs` (each {"case", "exit_code", "stdout"}) to `dir`/runs.jsonl and validates every
// run's stdout against the schema its command names.
JsonContractResult CheckJsonContract(const std::filesystem::path& dir,
                                     const std::vector<nlohmann::json>& runs);

}  // namespace strata::testing

#endif  // STRATA_TESTS_SUPPORT_JSON_CONTRACT_H_
