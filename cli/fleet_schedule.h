// The pure core of a fleet run (cli/fleet.h): which target starts next under --parallel,
// --canary and --max-failures, which exit code is the worst, and how results are grouped for
// the summary. No threads, no I/O: the runner calls these under its own lock.
#ifndef STRATA_CLI_FLEET_SCHEDULE_H_
#define STRATA_CLI_FLEET_SCHEDULE_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace strata::cli {

// The rollout controls.
struct RolloutOptions {
  int parallel = 1;      // --parallel N: at most N targets run at once (at least 1)
  int canary = 0;        // --canary N: the first N targets run alone first; 0: no canary
  int max_failures = 0;  // --max-failures K: no new target starts after K failures; 0: no limit
};

// Decides, target by target, what starts when. Targets are indexes 0..count-1, started in order.
class FleetScheduler {
 public:
  enum class State { kPending, kRunning, kOk, kFailed, kNotRun };

  FleetScheduler(std::size_t count, RolloutOptions options);

  // The next target to start now (marked running), or nullopt when none may start now: all
  // slots busy, the canaries still running, or scheduling stopped.
  std::optional<std::size_t> Next();
  // Records that a running target finished.
  void Finished(std::size_t index, bool ok);
  // No new target starts (Ctrl-C): the pending ones end kNotRun.
  void Stop();
  // Whether the run is over: nothing runs, and nothing will start. Pending targets that can
  // never start are marked kNotRun.
  bool Done();

  State state(std::size_t index) const { return states_[index]; }
  // Why no new target starts: "" while they may, else e.g. "a canary failed".
  const std::string& stop_reason() const { return stop_reason_; }
  int failures() const { return failures_; }

 private:
  bool CanariesDone() const;

  std::vector<State> states_;
  RolloutOptions options_;
  std::size_t next_ = 0;
  int running_ = 0;
  int failures_ = 0;
  std::string stop_reason_;
};

// The fleet's exit code from its targets' (0 for a success): the one that most needs a person
// first — 1 (the operation failed), 3 (validation, drift), 2 (bad input), then those a retry may
// fix: 4 (lock timeout), 5 (connection), 6 (interrupted). 0 when every code is 0.
int WorstExitCode(const std::vector<int>& codes);

// One group of the summary: the targets that share `key` (a version, a fingerprint, a state).
struct ResultGroup {
  std::string key;
  std::vector<std::string> names;
};
// Groups `names` by `keys` (same length), largest group first, ties in order of first
// appearance.
std::vector<ResultGroup> GroupBy(const std::vector<std::string>& names,
                                 const std::vector<std::string>& keys);
// "37 at version 12, 2 at version 11 (tenant_a, tenant_q)": each group as "<count> <prefix><key>",
// the names of every group but the first (largest) listed, at most `max_names` of them.
std::string DescribeGroups(const std::vector<ResultGroup>& groups, const std::string& prefix,
                           std::size_t max_names = 10);
// "3 failed (tenant_a, tenant_b: connection refused; tenant_c: V3 failed)": the failed targets
// (`names`, with their error lines `messages`, same length) grouped by identical message, so a
// fault every target shares is said once; at most `max_names` names a group and `max_groups`
// groups are shown, the rest counted.
std::string DescribeFailures(const std::vector<std::string>& names,
                             const std::vector<std::string>& messages, std::size_t max_names = 5,
                             std::size_t max_groups = 10);

}  // namespace strata::cli

#endif  // STRATA_CLI_FLEET_SCHEDULE_H_
