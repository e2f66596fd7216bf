#include "cli/stop_signals.h"

#include <csignal>

namespace strata::cli {
namespace {

// Process-wide, as signal handlers are: a handler may only touch a lock-free atomic.
std::atomic<bool> g_stop{false};

extern "C" void OnStopSignal(int /*signo*/) {
  g_stop.store(true);
  // A second signal ends the process at once.
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

}  // namespace

StopOnSignals::StopOnSignals() {
  g_stop = false;
  previous_int_ = std::signal(SIGINT, OnStopSignal);
  previous_term_ = std::signal(SIGTERM, OnStopSignal);
}

StopOnSignals::~StopOnSignals() {
  std::signal(SIGINT, previous_int_);
  std::signal(SIGTERM, previous_term_);
}

const std::atomic<bool>* StopOnSignals::stop_requested() const { return &g_stop; }

}  // namespace strata::cli
