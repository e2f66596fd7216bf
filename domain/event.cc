#include "domain/event.h"

#include <fmt/format.h>

#include "domain/timestamp.h"

namespace strata::domain {

date::local_seconds EventTime::LocalTime(const Zone& zone) const {
  if (is_instant()) return zone.ToLocal(instant());
  return wall_clock();
}

std::string EventTime::Describe(const Zone& zone) const {
  if (is_instant()) {
    return fmt::format("{} UTC ({} {})", FormatTimestamp(instant()),
                       FormatTimestamp(zone.ToLocal(instant())), zone.name());
  }
  return fmt::format("{} {}", FormatTimestamp(wall_clock()), zone.name());
}

}  // namespace strata::domain
