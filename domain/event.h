// The event platform's records, as plain values shared by its server and strata's backfills.
//
// Times come from three databases that store them differently: PostgreSQL timestamptz and
// SQLite UTC text hold instants, MariaDB DATETIME holds wall-clock times in the platform
// zone. EventTime keeps that distinction, so a caller states which one it read and nothing
// converts a wall-clock time as if it were UTC (or the other way round).
#ifndef STRATA_DOMAIN_EVENT_H_
#define STRATA_DOMAIN_EVENT_H_

#include <date/date.h>

#include <cstdint>
#include <string>
#include <variant>

// Installed: includes of strata headers carry the installed prefix (cmake/StrataHelpers.cmake).
#include "strata/domain/zone.h"

namespace strata::domain {

using EventId = std::int64_t;
using EventStatisticId = std::int64_t;

// A point in time as a database recorded it: an instant, or a wall-clock reading in the
// platform zone. The default is the instant 1970-01-01 00:00:00 UTC.
class EventTime {
 public:
  EventTime() = default;

  // A UTC instant (PostgreSQL timestamptz, SQLite UTC text).
  static EventTime Instant(date::sys_seconds utc) { return EventTime(utc); }
  // A wall-clock time already in the platform zone (MariaDB DATETIME).
  static EventTime WallClock(date::local_seconds local) { return EventTime(local); }

  bool is_instant() const { return std::holds_alternative<date::sys_seconds>(value_); }
  // REQUIRES: is_instant().
  date::sys_seconds instant() const { return std::get<date::sys_seconds>(value_); }
  // REQUIRES: !is_instant().
  date::local_seconds wall_clock() const { return std::get<date::local_seconds>(value_); }

  // The wall-clock time in `zone`: an instant converted to it; a wall-clock time unchanged,
  // since it was recorded in the platform zone and `zone` is assumed to be that zone.
  date::local_seconds LocalTime(const Zone& zone) const;

  // The calendar day of LocalTime(zone).
  date::local_days LocalDay(const Zone& zone) const {
    return date::floor<date::days>(LocalTime(zone));
  }

  // For messages: "2024-03-09 16:00:00 UTC (2024-03-10 01:00:00 Asia/Seoul)" for an instant,
  // "2024-03-10 01:00:00 Asia/Seoul" for a wall-clock time.
  std::string Describe(const Zone& zone) const;

  friend bool operator==(const EventTime&, const EventTime&) = default;

 private:
  explicit EventTime(date::sys_seconds utc) : value_(utc) {}
  explicit EventTime(date::local_seconds local) : value_(local) {}

  std::variant<date::sys_seconds, date::local_seconds> value_;
};

// An event: people register from `registration_start`; the event is over at `event_end`.
struct Event {
  EventId event_id = 0;
  EventTime registration_start;
  EventTime event_end;
};

// The statistics record of one event; view metrics hang off it.
struct EventStatistic {
  EventStatisticId event_statistic_id = 0;
  EventId event_id = 0;
};

// How often an event was viewed on one calendar day (counted in the platform zone).
// (event_statistic_id, view_date) is unique.
struct EventViewMetric {
  EventStatisticId event_statistic_id = 0;
  date::sys_days view_date;  // a civil date; see FormatDay / ParseDay in domain/timestamp.h
  std::int64_t view_count = 0;
  EventTime created_at;
  EventTime updated_at;
};

}  // namespace strata::domain

#endif  // STRATA_DOMAIN_EVENT_H_
