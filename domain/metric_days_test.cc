#include "domain/metric_days.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <iterator>
#include <ranges>
#include <string>
#include <vector>

#include "domain/timestamp.h"

namespace strata::domain {
namespace {

using ::testing::ElementsAre;
using date::operator""_y;  // NOLINT(misc-unused-using-decls): the 2024_y literals
using date::mar;

static_assert(std::forward_iterator<DayRange::Iterator>);
static_assert(std::ranges::forward_range<DayRange>);

Zone MustFind(std::string_view name) {
  Result<Zone> zone = Zone::Find(name);
  EXPECT_TRUE(zone) << zone.error().message;
  return *zone;
}

EventTime Utc(std::string_view text) {
  Result<date::sys_seconds> parsed = ParseUtcTimestamp(text);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return EventTime::Instant(*parsed);
}

EventTime Local(std::string_view text) {
  Result<date::local_seconds> parsed = ParseLocalTimestamp(text);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return EventTime::WallClock(*parsed);
}

Event MakeEvent(EventTime start, EventTime end) {
  return Event{.event_id = 42, .registration_start = start, .event_end = end};
}

// The days as "YYYY-MM-DD" text, in iteration order.
std::vector<std::string> Days(const MetricDays& result) {
  std::vector<std::string> days;
  for (date::sys_days day : result.days) days.push_back(FormatDay(day));
  return days;
}

TEST(DayRangeTest, DefaultIsEmpty) {
  DayRange range;
  EXPECT_TRUE(range.empty());
  EXPECT_EQ(range.size(), 0);
  EXPECT_EQ(range.begin(), range.end());
}

TEST(DayRangeTest, IsInclusiveAtBothEnds) {
  DayRange range(date::sys_days{2024_y / mar / 9}, date::sys_days{2024_y / mar / 11});
  EXPECT_FALSE(range.empty());
  EXPECT_EQ(range.size(), 3);
  EXPECT_EQ(range.first(), date::sys_days{2024_y / mar / 9});
  EXPECT_EQ(range.last(), date::sys_days{2024_y / mar / 11});
  EXPECT_TRUE(range.contains(date::sys_days{2024_y / mar / 11}));
  EXPECT_FALSE(range.contains(date::sys_days{2024_y / mar / 12}));
  EXPECT_FALSE(range.contains(date::sys_days{2024_y / mar / 8}));
  EXPECT_EQ(std::ranges::distance(range), 3);
}

TEST(DayRangeTest, LastBeforeFirstIsEmpty) {
  DayRange range(date::sys_days{2024_y / mar / 10}, date::sys_days{2024_y / mar / 9});
  EXPECT_TRUE(range.empty());
  EXPECT_EQ(range.size(), 0);
  EXPECT_EQ(range.begin(), range.end());
  EXPECT_EQ(range, DayRange());
}

TEST(MetricDaysTest, SameDayEventNeedsOneDay) {
  MetricDays result =
      metric_days(MakeEvent(Local("2024-05-01 09:00:00"), Local("2024-05-01 18:00:00")),
                  MustFind("Asia/Seoul"));
  EXPECT_FALSE(result.skipped());
  EXPECT_EQ(result.days.size(), 1);
  EXPECT_THAT(Days(result), ElementsAre("2024-05-01"));
}

TEST(MetricDaysTest, EndEqualToStartNeedsOneDay) {
  MetricDays result = metric_days(MakeEvent(Utc("2024-05-01 00:00:00"), Utc("2024-05-01 00:00:00")),
                                  MustFind("Asia/Seoul"));
  EXPECT_FALSE(result.skipped());
  EXPECT_THAT(Days(result), ElementsAre("2024-05-01"));
}

TEST(MetricDaysTest, UtcInstantCountsOnItsLocalDate) {
  Zone seoul = MustFind("Asia/Seoul");
  // 16:00 UTC on the 9th is 01:00 on the 10th in Seoul (UTC+9).
  MetricDays result =
      metric_days(MakeEvent(Utc("2024-03-09T16:00:00Z"), Utc("2024-03-10T02:00:00Z")), seoul);
  EXPECT_THAT(Days(result), ElementsAre("2024-03-10"));
  // One second earlier it is still the 9th there.
  result = metric_days(MakeEvent(Utc("2024-03-09T14:59:59Z"), Utc("2024-03-10T02:00:00Z")), seoul);
  EXPECT_THAT(Days(result), ElementsAre("2024-03-09", "2024-03-10"));
  // The same digits as a wall-clock time are already Seoul time.
  result =
      metric_days(MakeEvent(Local("2024-03-09 16:00:00"), Local("2024-03-10 02:00:00")), seoul);
  EXPECT_THAT(Days(result), ElementsAre("2024-03-09", "2024-03-10"));
}

TEST(MetricDaysTest, PostgresOffsetTextCountsOnTheZonesDate) {
  // 10:30 on the 8th at -05 is 15:30Z, already 00:30 on the 9th in Seoul.
  MetricDays result =
      metric_days(MakeEvent(Utc("2024-03-08 10:30:00-05"), Utc("2024-03-09 20:00:00+09")),
                  MustFind("Asia/Seoul"));
  EXPECT_THAT(Days(result), ElementsAre("2024-03-09"));
}

TEST(MetricDaysTest, AcrossSpringForwardInNewYork) {
  Zone new_york = MustFind("America/New_York");
  // Clocks jump from 02:00 EST to 03:00 EDT on 2024-03-10.
  MetricDays local =
      metric_days(MakeEvent(Local("2024-03-09 23:30:00"), Local("2024-03-10 03:00:00")), new_york);
  EXPECT_THAT(Days(local), ElementsAre("2024-03-09", "2024-03-10"));
  // The same moments as instants: 23:30 EST is 04:30Z; 03:00 EDT is 07:00Z.
  MetricDays utc =
      metric_days(MakeEvent(Utc("2024-03-10T04:30:00Z"), Utc("2024-03-10T07:00:00Z")), new_york);
  EXPECT_THAT(Days(utc), ElementsAre("2024-03-09", "2024-03-10"));
  // 02:30 does not exist on that day; it still belongs to the 10th.
  MetricDays gap =
      metric_days(MakeEvent(Local("2024-03-10 02:30:00"), Local("2024-03-11 00:00:00")), new_york);
  EXPECT_THAT(Days(gap), ElementsAre("2024-03-10", "2024-03-11"));
}

TEST(MetricDaysTest, AcrossFallBackInNewYork) {
  Zone new_york = MustFind("America/New_York");
  // 01:30 happens twice on 2024-11-03: 05:30Z (EDT) and 06:30Z (EST). One day, not two.
  MetricDays result =
      metric_days(MakeEvent(Utc("2024-11-03T05:30:00Z"), Utc("2024-11-03T06:30:00Z")), new_york);
  EXPECT_FALSE(result.skipped());
  EXPECT_THAT(Days(result), ElementsAre("2024-11-03"));
  // 01:50 EDT then 01:10 EST: later as instants though earlier on the wall clock.
  result =
      metric_days(MakeEvent(Utc("2024-11-03T05:50:00Z"), Utc("2024-11-03T06:10:00Z")), new_york);
  EXPECT_FALSE(result.skipped()) << *result.skip_reason;
  EXPECT_THAT(Days(result), ElementsAre("2024-11-03"));
  // 23:59:59 EST on the 3rd is 04:59:59Z on the 4th: still the 3rd.
  result =
      metric_days(MakeEvent(Utc("2024-11-02T12:00:00Z"), Utc("2024-11-04T04:59:59Z")), new_york);
  EXPECT_THAT(Days(result), ElementsAre("2024-11-02", "2024-11-03"));
}

TEST(MetricDaysTest, AcrossDstChangesInBerlin) {
  Zone berlin = MustFind("Europe/Berlin");
  // Spring: 23:30Z on Mar 30 is 00:30 CET (+1) on Mar 31, the day clocks go forward.
  MetricDays spring =
      metric_days(MakeEvent(Utc("2024-03-30T22:59:59Z"), Utc("2024-03-31T23:30:00Z")), berlin);
  // 22:59:59Z = 23:59:59 CET on the 30th; 23:30Z on the 31st = 01:30 CEST (+2) on Apr 1.
  EXPECT_THAT(Days(spring), ElementsAre("2024-03-30", "2024-03-31", "2024-04-01"));
  // Autumn: 21:59:59Z on Oct 26 is 23:59:59 CEST; 22:59:59Z on Oct 27 is 23:59:59 CET.
  MetricDays autumn =
      metric_days(MakeEvent(Utc("2024-10-26T21:59:59Z"), Utc("2024-10-27T22:59:59Z")), berlin);
  EXPECT_THAT(Days(autumn), ElementsAre("2024-10-26", "2024-10-27"));
  // One second later it is midnight CET on Oct 28.
  autumn = metric_days(MakeEvent(Utc("2024-10-26T21:59:59Z"), Utc("2024-10-27T23:00:00Z")), berlin);
  EXPECT_THAT(Days(autumn), ElementsAre("2024-10-26", "2024-10-27", "2024-10-28"));
}

TEST(MetricDaysTest, LeapDayIsIncluded) {
  Zone seoul = MustFind("Asia/Seoul");
  MetricDays leap =
      metric_days(MakeEvent(Local("2024-02-28 10:00:00"), Local("2024-03-01 10:00:00")), seoul);
  EXPECT_THAT(Days(leap), ElementsAre("2024-02-28", "2024-02-29", "2024-03-01"));
  MetricDays common =
      metric_days(MakeEvent(Local("2023-02-28 10:00:00"), Local("2023-03-01 10:00:00")), seoul);
  EXPECT_THAT(Days(common), ElementsAre("2023-02-28", "2023-03-01"));
  // Century rule: 2100 is not a leap year, 2000 was.
  EXPECT_EQ(
      metric_days(MakeEvent(Local("2100-02-28 00:00:00"), Local("2100-03-01 00:00:00")), seoul)
          .days.size(),
      2);
  EXPECT_EQ(
      metric_days(MakeEvent(Local("2000-02-28 00:00:00"), Local("2000-03-01 00:00:00")), seoul)
          .days.size(),
      3);
}

TEST(MetricDaysTest, SpanOfOverAThousandDays) {
  // Longer than MariaDB's default max_recursive_iterations (1000), which silently cut the
  // old recursive CTE short.
  MetricDays result =
      metric_days(MakeEvent(Local("2020-01-01 00:00:00"), Local("2023-12-31 23:59:59")),
                  MustFind("Asia/Seoul"));
  EXPECT_FALSE(result.skipped());
  EXPECT_EQ(result.days.size(), 1461);
  EXPECT_EQ(FormatDay(result.days.first()), "2020-01-01");
  EXPECT_EQ(FormatDay(result.days.last()), "2023-12-31");
  std::vector<std::string> days = Days(result);
  ASSERT_EQ(days.size(), 1461u);
  EXPECT_EQ(days[1000], "2022-09-27");
  EXPECT_EQ(days[59], "2020-02-29");
  // Every day once, in order.
  for (size_t i = 1; i < days.size(); ++i) ASSERT_LT(days[i - 1], days[i]);
}

TEST(MetricDaysTest, EndBeforeStartIsSkippedWithAReason) {
  Zone seoul = MustFind("Asia/Seoul");
  MetricDays result =
      metric_days(MakeEvent(Local("2024-03-10 09:00:00"), Local("2024-03-09 18:00:00")), seoul);
  EXPECT_TRUE(result.skipped());
  EXPECT_TRUE(result.days.empty());
  EXPECT_EQ(result.days.size(), 0);
  EXPECT_EQ(result.days.begin(), result.days.end());
  EXPECT_EQ(*result.skip_reason,
            "event 42 ends before it starts: registration_start 2024-03-10 09:00:00 Asia/Seoul is "
            "after event_end 2024-03-09 18:00:00 Asia/Seoul");
}

TEST(MetricDaysTest, EndBeforeStartOnTheSameDayIsSkipped) {
  MetricDays result = metric_days(
      MakeEvent(Utc("2024-03-10T02:00:00Z"), Utc("2024-03-10T01:59:59Z")), MustFind("Asia/Seoul"));
  EXPECT_TRUE(result.days.empty());
  ASSERT_TRUE(result.skipped());
  EXPECT_EQ(*result.skip_reason,
            "event 42 ends before it starts: registration_start 2024-03-10 02:00:00 UTC "
            "(2024-03-10 11:00:00 Asia/Seoul) is after event_end 2024-03-10 01:59:59 UTC "
            "(2024-03-10 10:59:59 Asia/Seoul)");
}

TEST(MetricDaysTest, MixedInstantAndWallClockCompareOnTheWallClock) {
  Zone seoul = MustFind("Asia/Seoul");
  // 00:30Z is 09:30 in Seoul: after the 09:00 wall-clock end.
  MetricDays result =
      metric_days(MakeEvent(Utc("2024-03-10T00:30:00Z"), Local("2024-03-10 09:00:00")), seoul);
  EXPECT_TRUE(result.skipped());
  result = metric_days(MakeEvent(Utc("2024-03-09T23:30:00Z"), Local("2024-03-10 09:00:00")), seoul);
  EXPECT_FALSE(result.skipped());
  EXPECT_THAT(Days(result), ElementsAre("2024-03-10"));
}

TEST(MetricDaysTest, ABatchGoesOnPastABadEvent) {
  Zone seoul = MustFind("Asia/Seoul");
  std::vector<Event> events = {
      {1, Local("2024-01-01 00:00:00"), Local("2024-01-03 00:00:00")},
      {2, Local("2024-01-05 00:00:00"), Local("2024-01-04 00:00:00")},
      {3, Local("2024-01-01 00:00:00"), Local("2024-01-01 23:59:59")},
  };
  std::int64_t rows = 0;
  std::vector<std::string> skipped;
  for (const Event& event : events) {
    MetricDays result = metric_days(event, seoul);
    if (result.skipped()) skipped.push_back(*result.skip_reason);
    rows += result.days.size();
  }
  EXPECT_EQ(rows, 4);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].rfind("event 2 ends before it starts: ", 0), 0u) << skipped[0];
}

}  // namespace
}  // namespace strata::domain
