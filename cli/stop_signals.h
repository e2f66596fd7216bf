// SIGINT and SIGTERM as a request to stop long work cleanly: a backfill run, a dry run, or a job
// step inside `migrate` finishes the chunks in flight and returns resumable. A second signal
// ends the process at once. The only signal handling in the CLI.
#ifndef STRATA_CLI_STOP_SIGNALS_H_
#define STRATA_CLI_STOP_SIGNALS_H_

#include <atomic>

namespace strata::cli {

// While alive, SIGINT/SIGTERM set stop_requested() instead of ending the process; the handlers
// that were installed before come back when it dies. One at a time per process.
class StopOnSignals {
 public:
  StopOnSignals();  // clears the flag, then installs the handlers
  ~StopOnSignals();
  StopOnSignals(const StopOnSignals&) = delete;
  StopOnSignals& operator=(const StopOnSignals&) = delete;

  // The flag the engines poll (backfill::ExecutorDeps::stop, backfill::DryRun's stop).
  const std::atomic<bool>* stop_requested() const;

 private:
  void (*previous_int_)(int) = nullptr;
  void (*previous_term_)(int) = nullptr;
};

}  // namespace strata::cli

#endif  // STRATA_CLI_STOP_SIGNALS_H_
