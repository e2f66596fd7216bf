#include "backfill/jobs/event_view_metrics_params.h"

#include <fmt/format.h>

#include <charconv>
#include <string>
#include <string_view>

#include "backfill/jobs/event_view_metrics.h"

namespace strata::backfill::event_view_metrics {
namespace {

Error BadParam(std::string_view name, std::string_view value, std::string_view expected) {
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("job '{}': parameter {}='{}' is not {}", kEventViewMetricsJobName, name,
                         value, expected));
}

Result<std::int64_t> ParseInteger(std::string_view name, std::string_view text, std::int64_t min,
                                  std::int64_t max) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < min || value > max) {
    return BadParam(name, text,
                    min == kNoLowerBound ? std::string("an integer")
                                         : fmt::format("an integer from {} to {}", min, max));
  }
  return value;
}

Result<std::int64_t> ParseOptionalBound(std::string_view name, std::string_view text,
                                        std::int64_t unbounded) {
  if (text.empty()) return unbounded;
  return ParseInteger(name, text, kNoLowerBound, kNoUpperBound);
}

// "auto" is nullopt.
Result<std::optional<WriteMethod>> ParseWriteMethod(const std::string& method) {
  if (method == "values") return std::optional<WriteMethod>(WriteMethod::kValues);
  if (method == "copy") return std::optional<WriteMethod>(WriteMethod::kCopy);
  if (method == "packed") return std::optional<WriteMethod>(WriteMethod::kPacked);
  if (method == "array") return std::optional<WriteMethod>(WriteMethod::kArray);
  if (method == "auto") return std::optional<WriteMethod>();
  return BadParam("write_method", method, "auto, values, copy, packed or array");
}

}  // namespace

std::vector<ParamSpec> Specs() {
  return {
      {"zone", "IANA time zone whose calendar days count", std::string(domain::kDefaultZoneName)},
      {"first_event_id", "only events with event_id >= this (empty: no bound)", ""},
      {"last_event_id", "only events with event_id <= this (empty: no bound)", ""},
      {"max_days", "the longest span in days an event may need (1..1000000)", "3660"},
      {"over_max_days", "an event over max_days: fail (the chunk fails naming it) or skip", "fail"},
      {"rows_per_statement", "rows per INSERT statement (1..7500)", "5000"},
      {"write_method",
       "auto (copy on PostgreSQL, array on MariaDB, packed on MySQL, values on SQLite), "
       "values (multi-row INSERT), copy (PostgreSQL: COPY to a temporary table, then one "
       "INSERT ... SELECT), packed (the chunk's rows in one parameter the server unpacks: "
       "unnest, JSON_TABLE, json_each) or array (a one-row INSERT bound to many rows: one "
       "round trip on MariaDB, one statement per row elsewhere)",
       "auto"},
  };
}

Result<Settings> ParseSettings(const ParamValues& values) {
  auto zone = domain::Zone::Find(values.at("zone"));
  if (!zone) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("job '{}': parameter zone: {}", kEventViewMetricsJobName,
                           zone.error().message));
  }
  Settings settings(*zone);
  STRATA_ASSIGN_OR_RETURN(
      settings.first_event_id,
      ParseOptionalBound("first_event_id", values.at("first_event_id"), kNoLowerBound));
  STRATA_ASSIGN_OR_RETURN(
      settings.last_event_id,
      ParseOptionalBound("last_event_id", values.at("last_event_id"), kNoUpperBound));
  if (settings.first_event_id > settings.last_event_id) {
    return Err(
        ErrorCode::kInvalidArgument,
        fmt::format("job '{}': first_event_id {} is greater than last_event_id {}",
                    kEventViewMetricsJobName, settings.first_event_id, settings.last_event_id));
  }
  STRATA_ASSIGN_OR_RETURN(settings.max_days,
                          ParseInteger("max_days", values.at("max_days"), 1, 1'000'000));
  const std::string& over = values.at("over_max_days");
  if (over != "fail" && over != "skip") return BadParam("over_max_days", over, "fail or skip");
  settings.skip_over_max_days = over == "skip";
  STRATA_ASSIGN_OR_RETURN(
      settings.rows_per_statement,
      ParseInteger("rows_per_statement", values.at("rows_per_statement"), 1, kMaxRowsPerStatement));
  STRATA_ASSIGN_OR_RETURN(settings.write_method, ParseWriteMethod(values.at("write_method")));
  return settings;
}

}  // namespace strata::backfill::event_view_metrics
