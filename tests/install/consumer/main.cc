// Links the installed strata::domain and prints the metric days of a sample event, plus the
// error for an unknown zone. tests/install/install_test.cmake checks the output exactly.
// strata's headers come with their prefix (<strata/domain/...>), so the consumer's own
// domain/ folder (domain/event.h here) and strata's never meet.
#include <strata/domain/metric_days.h>
#include <strata/domain/timestamp.h>
#include <strata/domain/zone.h>

#include <iostream>

#include "domain/event.h"

int main() {
  using strata::domain::Event;
  using strata::domain::EventTime;

  strata::Result<strata::domain::Zone> zone = strata::domain::Zone::Default();
  if (!zone) {
    std::cerr << zone.error().message << "\n";
    return 1;
  }
  // PostgreSQL timestamptz text: 16:00 UTC on Feb 28 is already Feb 29 in Seoul.
  auto start = strata::domain::ParseUtcTimestamp("2024-02-28 16:00:00+00");
  auto end = strata::domain::ParseUtcTimestamp("2024-03-01 23:59:59+09");
  if (!start || !end) {
    std::cerr << (start ? end.error() : start.error()).message << "\n";
    return 1;
  }
  Event event{.event_id = 7,
              .registration_start = EventTime::Instant(*start),
              .event_end = EventTime::Instant(*end)};

  strata::domain::MetricDays days = strata::domain::metric_days(event, *zone);
  std::cout << "event " << event.event_id << " in " << zone->name() << ": " << days.days.size()
            << " days\n";
  for (auto day : days.days) std::cout << strata::domain::FormatDay(day) << "\n";

  auto mars = strata::domain::Zone::Find("Mars/Olympus_Mons");
  std::cout << (mars ? "found Mars/Olympus_Mons" : mars.error().message) << "\n";
  std::cout << consumer::kOwnEventHeader << "\n";
  return 0;
}
