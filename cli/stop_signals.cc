#include "cli/stop_signals.h"

#include <chrono>
#include <csignal>

namespace strata::cli {
namespace {

// Process-wide, as signal handlers are: a handler may only touch a lock-free atomic.
std::atomic<bool> g_stop{false};
// A fleet run is in progress (FleetStopSignals): targets' StopOnSignals leave things alone.
std::atomic<bool> g_fleet{false};
// The first signal of a fleet run: stop scheduling.
std::atomic<bool> g_fleet_stop{false};

extern "C" void OnFleetStopSignal(int /*signo*/) {
  if (!g_fleet_stop.exchange(true)) return;
  g_stop.store(true);
  // A third signal ends the process at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

extern "C" void OnStopSignal(int /*signo*/) {
  g_stop.store(true);
  // A second signal ends the process at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

}  // namespace

StopOnSignals::StopOnSignals() {
  // In a fleet, the handlers and the flag belong to the fleet (FleetStopSignals).
  if (g_fleet.load()) return;
  g_stop = false;
  previous_int_ = std::signal(SIGINT, OnStopSignal);
  previous_term_ = std::signal(SIGTERM, OnStopSignal);
}

StopOnSignals::~StopOnSignals() {
  if (g_fleet.load()) return;
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
}

const std::atomic<bool>* StopOnSignals::stop_requested() const { return &g_stop; }

// ---- Stopping a migration run ------------------------------------------------------------

StopRunOnSignals::StopRunOnSignals(const std::vector<db::Connection*>& connections) {
  for (db::Connection* conn : connections) {
    if (conn != nullptr) cancelers_.push_back(conn->GetCanceler());
  }
  // A signal handler may only set a flag; cancelling talks to the server, so a thread watches
  // the flag. 20 ms is quick beside any statement worth cancelling, and costs nothing. The wait
  // ends at once when the run does: a run must not wait out a sleep at its end (in a fleet, each
  // target would pay up to 20 ms for nothing).
  watcher_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!done_) {
      if (stop_requested()->load()) {
        for (const std::shared_ptr<db::Canceler>& canceler : cancelers_) (void)canceler->Cancel();
        return;
      }
      done_changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
  });
}

StopRunOnSignals::~StopRunOnSignals() {
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  done_changed_.notify_all();
  watcher_.join();
}

Error StopRunOnSignals::Stopped(Error error) {
  error.code = ErrorCode::kCancelled;
  error.message = "stopped by a signal: " + error.message;
  return error;
}

// ---- Stopping a fleet run ----------------------------------------------------------------

FleetStopSignals::FleetStopSignals() {
  g_stop = false;
  g_fleet_stop = false;
  g_fleet = true;
  previous_int_ = std::signal(SIGINT, OnFleetStopSignal);
  previous_term_ = std::signal(SIGTERM, OnFleetStopSignal);
}

FleetStopSignals::~FleetStopSignals() {
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
  g_fleet = false;
}

const std::atomic<bool>* FleetStopSignals::scheduling_stopped() const { return &g_fleet_stop; }
const std::atomic<bool>* FleetStopSignals::cancel_requested() const { return &g_stop; }

}  // namespace strata::cli
