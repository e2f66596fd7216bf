// Runs the real strata executable as a child process, for CLI tests.
#ifndef STRATA_TESTS_SUPPORT_RUN_STRATA_H_
#define STRATA_TESTS_SUPPORT_RUN_STRATA_H_

#include <map>
#include <string>
#include <vector>

namespace strata::testing {

struct RunResult {
  int exit_code = -1;  // the process's exit status; 128+N when killed by signal N
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
  std::string all() const { return out + err; }
};

struct RunOptions {
  std::map<std::string, std::string> env;  // added to (or overriding) the inherited environment
  std::vector<std::string> unset_env;      // removed from the inherited environment
  std::string cwd;                         // working directory; empty = inherited
};

// Runs `strata ARGS...` (the binary built alongside the tests) and waits for it.
RunResult RunStrata(const std::vector<std::string>& args, const RunOptions& options = {});

// Starts `strata ARGS...` without waiting; its output is discarded. Returns the pid.
int SpawnStrata(const std::vector<std::string>& args, const RunOptions& options = {});
// Waits for a spawned process; returns its exit code (128+N when killed by signal N).
int WaitStrata(int pid);

// The path of the strata binary under test: strata, or strata-with-test-jobs for the backfill
// tests. Defined in strata_binary.cc, compiled once per binary (tests/support/CMakeLists.txt).
std::string StrataBinary();

}  // namespace strata::testing

#endif  // STRATA_TESTS_SUPPORT_RUN_STRATA_H_
