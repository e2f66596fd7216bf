// Time as a dependency, so engines that wait, throttle or time things can be tested.
#ifndef STRATA_BASE_CLOCK_H_
#define STRATA_BASE_CLOCK_H_

#include <chrono>

namespace strata {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;

  virtual ~Clock() = default;
  // Monotonic time, for durations and deadlines.
  virtual TimePoint Now() const = 0;
  // Wall-clock time, for timestamps that are stored or shown.
  virtual std::chrono::system_clock::time_point WallNow() const = 0;
  // Blocks the calling thread for `d` (a fake clock, base/fake_clock.h, advances instead).
  virtual void SleepFor(Duration d) = 0;

  // The process-wide real clock. Thread-safe.
  static Clock& Real();
};

}  // namespace strata

#endif  // STRATA_BASE_CLOCK_H_
