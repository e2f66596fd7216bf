// Which calendar days an event needs view metrics for — the one rule the platform's server
// and strata's backfill share.
//
// An event needs one metric row per calendar day from the local date of its registration
// start to the local date of its end, both included, in the platform zone. "Local date"
// matters: 2024-03-09T16:00:00Z is already 2024-03-10 in Asia/Seoul. Daylight-saving changes
// do not add or drop days; a span of any length works (there is no recursion limit, unlike
// the SQL recursive CTE this replaces, which MariaDB silently cut at 1,000 rows).
#ifndef STRATA_DOMAIN_METRIC_DAYS_H_
#define STRATA_DOMAIN_METRIC_DAYS_H_

#include <date/date.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>

// Installed: includes of strata headers carry the installed prefix (cmake/StrataHelpers.cmake).
#include "strata/domain/event.h"
#include "strata/domain/zone.h"

namespace strata::domain {

// An inclusive range of calendar days. Iterating yields each day once, in order, computed on
// the fly: a range costs two integers however long it is.
class DayRange {
 public:
  class Iterator {
   public:
    using iterator_concept = std::forward_iterator_tag;
    using iterator_category = std::input_iterator_tag;  // dereferencing yields a value
    using value_type = date::sys_days;
    using difference_type = std::ptrdiff_t;
    using reference = date::sys_days;

    Iterator() = default;
    explicit Iterator(date::sys_days day) : day_(day) {}

    date::sys_days operator*() const { return day_; }
    Iterator& operator++() {
      day_ += date::days{1};
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const Iterator&, const Iterator&) = default;

   private:
    date::sys_days day_{};
  };

  // The empty range.
  DayRange() = default;
  // The days first..last, both included; empty when last is before first.
  DayRange(date::sys_days first, date::sys_days last)
      : first_(first), end_(last < first ? first : last + date::days{1}) {}

  bool empty() const { return end_ == first_; }
  // The number of days; 0 when empty.
  std::int64_t size() const { return (end_ - first_).count(); }
  // REQUIRES: !empty().
  date::sys_days first() const { return first_; }
  // REQUIRES: !empty().
  date::sys_days last() const { return end_ - date::days{1}; }
  bool contains(date::sys_days day) const { return first_ <= day && day < end_; }

  Iterator begin() const { return Iterator(first_); }
  Iterator end() const { return Iterator(end_); }

  friend bool operator==(const DayRange& a, const DayRange& b) {
    return (a.empty() && b.empty()) || (a.first_ == b.first_ && a.end_ == b.end_);
  }

 private:
  date::sys_days first_{};
  date::sys_days end_{};  // one past the last day
};

// The answer for one event: the days to have metrics for, or — when the event's own times
// make no sense — no days and the reason, so that a batch can report the event and go on.
struct MetricDays {
  DayRange days;
  // Set exactly when the event was skipped, e.g.
  // "event 42 ends before it starts: registration_start ... is after event_end ...".
  std::optional<std::string> skip_reason;

  bool skipped() const { return skip_reason.has_value(); }
};

// The calendar days (civil dates, as in EventViewMetric::view_date) from the local date of
// `event.registration_start` to the local date of `event.event_end` in `zone`, inclusive.
// Instants are converted to `zone`; wall-clock times are taken as already in `zone`.
// An event that ends before it starts is skipped with a reason (never an error): when both
// times are instants they are compared as instants, otherwise as wall-clock times in `zone`.
// Allocates nothing unless the event is skipped. Thread-safe.
MetricDays metric_days(const Event& event, const Zone& zone);

}  // namespace strata::domain

#endif  // STRATA_DOMAIN_METRIC_DAYS_H_
