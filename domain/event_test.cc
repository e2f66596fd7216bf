#include "domain/event.h"

#include <gtest/gtest.h>

#include <chrono>

namespace strata::domain {
namespace {

using date::operator""_y;  // NOLINT(misc-unused-using-decls): the 2024_y literals
using date::mar;
using namespace std::chrono_literals;

class EventTimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Zone> zone = Zone::Find("Asia/Seoul");
    ASSERT_TRUE(zone) << zone.error().message;
    seoul_ = *zone;
  }
  std::optional<Zone> seoul_;
};

TEST_F(EventTimeTest, DefaultIsTheUtcEpoch) {
  EventTime t;
  EXPECT_TRUE(t.is_instant());
  EXPECT_EQ(t.instant(), date::sys_seconds{});
}

TEST_F(EventTimeTest, InstantIsConvertedToTheZone) {
  EventTime t = EventTime::Instant(date::sys_days{2024_y / mar / 9} + 16h);
  EXPECT_TRUE(t.is_instant());
  EXPECT_EQ(t.LocalTime(*seoul_), date::local_days{2024_y / mar / 10} + 1h);
  EXPECT_EQ(t.LocalDay(*seoul_), date::local_days{2024_y / mar / 10});
  EXPECT_EQ(t.Describe(*seoul_), "2024-03-09 16:00:00 UTC (2024-03-10 01:00:00 Asia/Seoul)");
}

TEST_F(EventTimeTest, WallClockIsTakenAsAlreadyInTheZone) {
  EventTime t = EventTime::WallClock(date::local_days{2024_y / mar / 9} + 16h);
  EXPECT_FALSE(t.is_instant());
  EXPECT_EQ(t.wall_clock(), date::local_days{2024_y / mar / 9} + 16h);
  EXPECT_EQ(t.LocalTime(*seoul_), date::local_days{2024_y / mar / 9} + 16h);
  EXPECT_EQ(t.LocalDay(*seoul_), date::local_days{2024_y / mar / 9});
  EXPECT_EQ(t.Describe(*seoul_), "2024-03-09 16:00:00 Asia/Seoul");
}

TEST_F(EventTimeTest, InstantAndWallClockWithTheSameDigitsDiffer) {
  auto digits = (date::sys_days{2024_y / mar / 9} + 16h).time_since_epoch();
  EXPECT_FALSE(EventTime::Instant(date::sys_seconds{digits}) ==
               EventTime::WallClock(date::local_seconds{digits}));
  EXPECT_EQ(EventTime::Instant(date::sys_seconds{digits}),
            EventTime::Instant(date::sys_seconds{digits}));
}

}  // namespace
}  // namespace strata::domain
