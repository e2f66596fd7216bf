// SIGINT and SIGTERM as a request to stop long work cleanly: a backfill run, a dry run, or a job
// step inside `migrate` finishes the chunks in flight and returns resumable. A second signal
// ends the process at once. The only signal handling in the CLI.
#ifndef STRATA_CLI_STOP_SIGNALS_H_
#define STRATA_CLI_STOP_SIGNALS_H_

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/result.h"
#include "db/connection.h"

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

// ---- Stopping a migration run ------------------------------------------------------------

// While alive, SIGINT/SIGTERM stop a migrate, undo, repair or baseline run cleanly: the flag
// is set (the engines give up between migrations and in their waits, LockOptions::stop) and the
// statement running on each connection is cancelled on the server, once (db::Canceler), so that
// no statement outlives the process and what the run records stays true. A second signal ends
// the process at once, as with StopOnSignals.
class StopRunOnSignals {
 public:
  // `connections` (null entries skipped) must outlive this object.
  explicit StopRunOnSignals(const std::vector<db::Connection*>& connections);
  ~StopRunOnSignals();
  StopRunOnSignals(const StopRunOnSignals&) = delete;
  StopRunOnSignals& operator=(const StopRunOnSignals&) = delete;

  const std::atomic<bool>* stop_requested() const { return signals_.stop_requested(); }

  // `result` as the command reports it: a failure after a signal is kCancelled (exit 6), its
  // message saying the run was stopped.
  template <typename T>
  Result<T> Checked(Result<T> result) const {
    if (result || !stop_requested()->load()) return result;
    return Stopped(std::move(result).error());
  }

 private:
  static Error Stopped(Error error);

  StopOnSignals signals_;
  std::vector<std::shared_ptr<db::Canceler>> cancelers_;
  std::mutex mutex_;  // guards done_
  std::condition_variable done_changed_;
  bool done_ = false;    // set when the run ends: the watcher returns at once
  std::thread watcher_;  // cancels the statements once a signal has arrived
};

// ---- Stopping a fleet run ----------------------------------------------------------------

// While alive, the process runs one command on many targets at once (cli/fleet.h): the first
// SIGINT/SIGTERM sets scheduling_stopped() (no new target starts; running targets finish), the
// second sets the flag every target's StopOnSignals and StopRunOnSignals read, so that running
// statements are cancelled; a third ends the process. The StopOnSignals objects the targets
// create meanwhile, on the fleet's threads, neither clear that flag nor touch the handlers.
class FleetStopSignals {
 public:
  FleetStopSignals();
  ~FleetStopSignals();
  FleetStopSignals(const FleetStopSignals&) = delete;
  FleetStopSignals& operator=(const FleetStopSignals&) = delete;

  // Set by the first signal.
  const std::atomic<bool>* scheduling_stopped() const;
  // Set by the second signal (the flag the targets' commands read).
  const std::atomic<bool>* cancel_requested() const;

 private:
  void (*previous_int_)(int) = nullptr;
  void (*previous_term_)(int) = nullptr;
};

}  // namespace strata::cli

#endif  // STRATA_CLI_STOP_SIGNALS_H_
