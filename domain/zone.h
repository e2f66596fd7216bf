// An IANA time zone, resolved once from the operating system's time-zone database.
//
// Looking a zone up by name takes a mutex inside the date library and a search through the
// database, so a batch resolves its zone once with Zone::Find and passes the Zone along.
// A Zone is a small value (one pointer): copy it freely, share it between threads.
#ifndef STRATA_DOMAIN_ZONE_H_
#define STRATA_DOMAIN_ZONE_H_

#include <date/date.h>
#include <date/tz.h>

#include <string_view>

// Installed: includes of strata headers carry the installed prefix (cmake/StrataHelpers.cmake).
#include "strata/base/result.h"

namespace strata::domain {

// The event platform's zone: MariaDB DATETIME columns hold wall-clock times in it, and
// calendar days (e.g. metric days) are counted in it unless configured otherwise.
inline constexpr std::string_view kDefaultZoneName = "Asia/Seoul";

class Zone {
 public:
  // Resolves an IANA name such as "Asia/Seoul" or "America/New_York" against the OS
  // time-zone database (/usr/share/zoneinfo; no network). Errors:
  //   kNotFound — no zone of that name; the message names it and suggests a valid name.
  //   kIo       — the time-zone database itself cannot be read (tzdata not installed).
  static Result<Zone> Find(std::string_view name);

  // Find(kDefaultZoneName).
  static Result<Zone> Default();

  // The IANA name, e.g. "Asia/Seoul".
  std::string_view name() const { return tz_->name(); }

  // The wall-clock time in this zone at the UTC instant `instant`.
  date::local_seconds ToLocal(date::sys_seconds instant) const { return tz_->to_local(instant); }

  // The calendar day in this zone at the UTC instant `instant`.
  date::local_days LocalDay(date::sys_seconds instant) const {
    return date::floor<date::days>(ToLocal(instant));
  }

  // For date library calls that need the zone itself (e.g. date::zoned_time). Never null.
  const date::time_zone* time_zone() const { return tz_; }

  friend bool operator==(const Zone& a, const Zone& b) { return a.tz_ == b.tz_; }

 private:
  explicit Zone(const date::time_zone* tz) : tz_(tz) {}

  const date::time_zone* tz_;  // owned by the process-wide date::tzdb; lives until exit
};

}  // namespace strata::domain

#endif  // STRATA_DOMAIN_ZONE_H_
