#include "domain/metric_days.h"

#include <fmt/format.h>

namespace strata::domain {
namespace {

// A local calendar day names the same civil date as the sys_days with the same count; the
// metric row stores that civil date, not a moment.
date::sys_days CivilDate(date::local_days day) { return date::sys_days{day.time_since_epoch()}; }

bool EndsBeforeStart(const Event& event, date::local_seconds start_local,
                     date::local_seconds end_local) {
  // Two instants compare exactly; comparing them as wall-clock times could misorder times
  // that fall into the repeated hour when clocks go back.
  if (event.registration_start.is_instant() && event.event_end.is_instant()) {
    return event.event_end.instant() < event.registration_start.instant();
  }
  return end_local < start_local;
}

std::string EndsBeforeStartReason(const Event& event, const Zone& zone) {
  return fmt::format("event {} ends before it starts: registration_start {} is after event_end {}",
                     event.event_id, event.registration_start.Describe(zone),
                     event.event_end.Describe(zone));
}

}  // namespace

MetricDays metric_days(const Event& event, const Zone& zone) {
  date::local_seconds start = event.registration_start.LocalTime(zone);
  date::local_seconds end = event.event_end.LocalTime(zone);
  if (EndsBeforeStart(event, start, end)) {
    return MetricDays{DayRange(), EndsBeforeStartReason(event, zone)};
  }
  return MetricDays{
      DayRange(CivilDate(date::floor<date::days>(start)), CivilDate(date::floor<date::days>(end))),
      std::nullopt};
}

}  // namespace strata::domain
