// Timestamp parsing runs once per row in backfills. This compares the hand-written parsers
// with the stream-based way (date::parse over std::istringstream) and times metric_days.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <sstream>
#include <string>

#include "domain/metric_days.h"
#include "domain/timestamp.h"

namespace strata::domain {
namespace {

void BM_ParseUtcTimestamp(benchmark::State& state) {
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    auto parsed = ParseUtcTimestamp("2024-03-10 01:30:00.123456+09");
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ParseUtcTimestamp);

void BM_ParseLocalTimestamp(benchmark::State& state) {
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    auto parsed = ParseLocalTimestamp("2024-03-10 01:30:00");
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_ParseLocalTimestamp);

// The baseline the hand-written parser replaces.
void BM_DateParseIstringstream(benchmark::State& state) {
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    std::istringstream in("2024-03-10 01:30:00+0900");
    date::sys_seconds parsed;
    in >> date::parse("%F %T%z", parsed);
    benchmark::DoNotOptimize(parsed);
  }
}
BENCHMARK(BM_DateParseIstringstream);

void BM_FormatDay(benchmark::State& state) {
  date::sys_days day{date::year{2024} / 2 / 29};
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    benchmark::DoNotOptimize(FormatDay(day));
  }
}
BENCHMARK(BM_FormatDay);

void BM_MetricDaysThirtyDayEvent(benchmark::State& state) {
  Result<Zone> zone = Zone::Default();
  if (!zone) {
    state.SkipWithError(zone.error().message.c_str());
    return;
  }
  Event event{.event_id = 1,
              .registration_start = EventTime::Instant(*ParseUtcTimestamp("2024-03-01 00:00:00")),
              .event_end = EventTime::Instant(*ParseUtcTimestamp("2024-03-30 12:00:00"))};
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    std::int64_t days = 0;
    for (date::sys_days day : metric_days(event, *zone).days) {
      benchmark::DoNotOptimize(day);
      ++days;
    }
    benchmark::DoNotOptimize(days);
  }
}
BENCHMARK(BM_MetricDaysThirtyDayEvent);

}  // namespace
}  // namespace strata::domain
