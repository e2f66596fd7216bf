#include "domain/zone.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

namespace strata::domain {
namespace {

using ::testing::HasSubstr;
using date::operator""_y;  // NOLINT(misc-unused-using-decls): the 2024_y literals
using date::mar;
using namespace std::chrono_literals;

TEST(ZoneTest, FindsAnIanaZoneByName) {
  Result<Zone> zone = Zone::Find("America/New_York");
  ASSERT_TRUE(zone) << zone.error().message;
  EXPECT_EQ(zone->name(), "America/New_York");
}

TEST(ZoneTest, DefaultIsSeoul) {
  Result<Zone> zone = Zone::Default();
  ASSERT_TRUE(zone) << zone.error().message;
  EXPECT_EQ(zone->name(), "Asia/Seoul");
  EXPECT_EQ(kDefaultZoneName, "Asia/Seoul");
}

TEST(ZoneTest, SameNameGivesEqualZones) {
  Result<Zone> a = Zone::Find("Europe/Berlin");
  Result<Zone> b = Zone::Find("Europe/Berlin");
  Result<Zone> c = Zone::Find("Asia/Seoul");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, *b);
  EXPECT_FALSE(*a == *c);
}

TEST(ZoneTest, UnknownZoneIsNotFoundAndSuggestsAValidName) {
  Result<Zone> zone = Zone::Find("Asia/Seol");
  ASSERT_FALSE(zone);
  EXPECT_EQ(zone.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(zone.error().message,
            "unknown time zone \"Asia/Seol\": not in the time-zone database; use an IANA name "
            "such as \"Asia/Seoul\" or \"America/New_York\"");
}

TEST(ZoneTest, MiscasedNameSuggestsTheRealOne) {
  Result<Zone> zone = Zone::Find("asia/seoul");
  ASSERT_FALSE(zone);
  EXPECT_EQ(zone.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(zone.error().message, HasSubstr("did you mean \"Asia/Seoul\"?"));
}

TEST(ZoneTest, SpaceForUnderscoreSuggestsTheRealOne) {
  Result<Zone> zone = Zone::Find("America/New York");
  ASSERT_FALSE(zone);
  EXPECT_THAT(zone.error().message, HasSubstr("did you mean \"America/New_York\"?"));
}

TEST(ZoneTest, EmptyAndPathLikeNamesAreNotFound) {
  for (const char* name : {"", "../../etc/passwd", "/usr/share/zoneinfo/Asia/Seoul"}) {
    Result<Zone> zone = Zone::Find(name);
    ASSERT_FALSE(zone) << name;
    EXPECT_EQ(zone.error().code, ErrorCode::kNotFound) << name;
    EXPECT_THAT(zone.error().message, HasSubstr("unknown time zone \"" + std::string(name) + "\""));
  }
}

TEST(ZoneTest, ConvertsInstantsToLocalTimeAndDay) {
  Result<Zone> seoul = Zone::Find("Asia/Seoul");
  ASSERT_TRUE(seoul);
  date::sys_seconds instant = date::sys_days{2024_y / mar / 9} + 16h;
  EXPECT_EQ(seoul->ToLocal(instant), date::local_days{2024_y / mar / 10} + 1h);
  EXPECT_EQ(seoul->LocalDay(instant), date::local_days{2024_y / mar / 10});
  EXPECT_EQ(seoul->LocalDay(instant - 1h - 1s), date::local_days{2024_y / mar / 9});
}

}  // namespace
}  // namespace strata::domain
