// Reading and writing timestamps and calendar days as the databases print them.
//
// An instant (a point in UTC) is a date::sys_seconds; a wall-clock reading with no zone
// attached is a date::local_seconds; a calendar day is a date::sys_days (a civil date: the
// count of days since 1970-01-01, not tied to any zone). What each database hands back:
//   PostgreSQL timestamptz   "2024-03-10 01:30:00+09", "2024-03-10 01:30:00.5-05:30"  instant
//   SQLite ISO-8601 UTC text "2024-03-10 01:30:00", "2024-03-10T01:30:00Z"           instant
//   MariaDB DATETIME         "2024-03-10 01:30:00" wall-clock in the platform zone    local
//
// The parsers run once per row in backfills, so they parse by hand (no streams, no locale,
// no allocation on success). Fractional seconds are accepted and truncated to whole seconds.
#ifndef STRATA_DOMAIN_TIMESTAMP_H_
#define STRATA_DOMAIN_TIMESTAMP_H_

#include <date/date.h>

#include <string>
#include <string_view>

// Installed: includes of strata headers carry the installed prefix (cmake/StrataHelpers.cmake).
#include "strata/base/result.h"

namespace strata::domain {

// Parses an instant: "YYYY-MM-DD HH:MM:SS" ('T' also separates date and time), then optional
// fractional seconds ".f…", then an optional UTC offset: "Z", "±HH", "±HHMM", "±HH:MM" or
// "±HH:MM:SS" (PostgreSQL prints seconds for historical offsets). Without an offset the text
// is taken as UTC. Errors: kInvalidArgument naming the text and what is wrong with it.
Result<date::sys_seconds> ParseUtcTimestamp(std::string_view text);

// Parses a wall-clock time: "YYYY-MM-DD HH:MM:SS" ('T' also separates), optional fractional
// seconds. Text carrying an offset or "Z" is an instant, not a wall-clock time, and is
// rejected (kInvalidArgument), as is MariaDB's zero date "0000-00-00 00:00:00".
Result<date::local_seconds> ParseLocalTimestamp(std::string_view text);

// Parses a calendar day "YYYY-MM-DD" (a DATE column). Errors: kInvalidArgument.
Result<date::sys_days> ParseDay(std::string_view text);

// "YYYY-MM-DD", e.g. "2024-02-29". Years outside 0000..9999 print as many digits as needed.
std::string FormatDay(date::sys_days day);

// "YYYY-MM-DD HH:MM:SS" for an instant, in UTC — the shape SQLite's datetime() produces, so
// stored text sorts and compares like SQLite's own. Parse it back with ParseUtcTimestamp.
std::string FormatTimestamp(date::sys_seconds instant);

// "YYYY-MM-DD HH:MM:SS" for a wall-clock time (a MariaDB DATETIME literal).
std::string FormatTimestamp(date::local_seconds wall_clock);

}  // namespace strata::domain

#endif  // STRATA_DOMAIN_TIMESTAMP_H_
