// A Clock for tests: time stands still until the test advances it, and SleepFor advances it
// instead of blocking, so code that waits, throttles or times things runs instantly and
// deterministically. Thread-safe.
#ifndef STRATA_BASE_FAKE_CLOCK_H_
#define STRATA_BASE_FAKE_CLOCK_H_

#include <chrono>
#include <mutex>

#include "base/clock.h"

namespace strata {

class FakeClock final : public Clock {
 public:
  // Starts at an arbitrary, fixed moment: steady time one hour after its epoch (so that
  // `Now() - hour` is still a valid time point), wall time 2026-01-01 00:00:00 UTC.
  FakeClock() = default;

  TimePoint Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  std::chrono::system_clock::time_point WallNow() const override {
    std::lock_guard lock(mu_);
    return wall_;
  }
  // Advances the clock by `d` (negative durations count as zero) and records the sleep.
  void SleepFor(Duration d) override {
    std::lock_guard lock(mu_);
    if (d < Duration::zero()) d = Duration::zero();
    now_ += d;
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    slept_ += d;
  }

  // Moves both times forward by `d` without counting it as sleep.
  void Advance(Duration d) {
    std::lock_guard lock(mu_);
    now_ += d;
    wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  }
  // The total of every SleepFor so far.
  Duration slept() const {
    std::lock_guard lock(mu_);
    return slept_;
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_ = TimePoint(std::chrono::hours(1));
  std::chrono::system_clock::time_point wall_ =
      std::chrono::system_clock::time_point(std::chrono::seconds(1'767'225'600));
  Duration slept_ = Duration::zero();
};

}  // namespace strata

#endif  // STRATA_BASE_FAKE_CLOCK_H_
