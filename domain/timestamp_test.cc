#include "domain/timestamp.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace strata::domain {
namespace {

using ::testing::HasSubstr;
using date::operator""_y;  // NOLINT(misc-unused-using-decls): the 2024_y literals
using date::dec;
using date::feb;
using date::jan;
using date::mar;
using namespace std::chrono_literals;

// 2024-03-10 01:30:00 as an instant and as a wall-clock time.
const date::sys_seconds kInstant = date::sys_days{2024_y / mar / 10} + 1h + 30min;
const date::local_seconds kWallClock = date::local_days{2024_y / mar / 10} + 1h + 30min;

date::sys_seconds Utc(std::string_view text) {
  Result<date::sys_seconds> parsed = ParseUtcTimestamp(text);
  EXPECT_TRUE(parsed) << text << ": " << parsed.error().message;
  return parsed.value_or(date::sys_seconds{});
}

Error UtcError(std::string_view text) {
  Result<date::sys_seconds> parsed = ParseUtcTimestamp(text);
  EXPECT_FALSE(parsed) << text << " parsed as " << FormatTimestamp(*parsed);
  return parsed ? Error{} : parsed.error();
}

Error LocalError(std::string_view text) {
  Result<date::local_seconds> parsed = ParseLocalTimestamp(text);
  EXPECT_FALSE(parsed) << text << " parsed as " << FormatTimestamp(*parsed);
  return parsed ? Error{} : parsed.error();
}

TEST(ParseUtcTimestampTest, TextWithoutOffsetIsUtc) {
  EXPECT_EQ(Utc("2024-03-10 01:30:00"), kInstant);
}

TEST(ParseUtcTimestampTest, IsoFormWithTAndZ) {
  EXPECT_EQ(Utc("2024-03-10T01:30:00Z"), kInstant);
  EXPECT_EQ(Utc("2024-03-10T01:30:00"), kInstant);
  EXPECT_EQ(Utc("2024-03-10t01:30:00z"), kInstant);
}

TEST(ParseUtcTimestampTest, PostgresOffsetsInAllForms) {
  // 10:30 at +09 is 01:30 UTC.
  EXPECT_EQ(Utc("2024-03-10 10:30:00+09"), kInstant);
  EXPECT_EQ(Utc("2024-03-10 10:30:00+09:00"), kInstant);
  EXPECT_EQ(Utc("2024-03-10 10:30:00+0900"), kInstant);
  EXPECT_EQ(Utc("2024-03-09 20:30:00-05"), kInstant);
  EXPECT_EQ(Utc("2024-03-10 07:00:00+05:30"), kInstant);
  EXPECT_EQ(Utc("2024-03-10 01:30:00+00"), kInstant);
  // PostgreSQL prints seconds for historical local mean time offsets.
  EXPECT_EQ(Utc("1900-01-01 08:27:52+08:27:52"), date::sys_days{1900_y / jan / 1} + 0s);
  EXPECT_EQ(Utc("1900-01-01 08:27:52+082752"), date::sys_days{1900_y / jan / 1} + 0s);
}

TEST(ParseUtcTimestampTest, OffsetMovesTheUtcDate) {
  EXPECT_EQ(Utc("2024-03-10 01:00:00+09"), date::sys_days{2024_y / mar / 9} + 16h);
  EXPECT_EQ(Utc("2024-12-31 22:00:00-05"), date::sys_days{2025_y / jan / 1} + 3h);
}

TEST(ParseUtcTimestampTest, FractionalSecondsAreTruncated) {
  EXPECT_EQ(Utc("2024-03-10 01:30:00.999999"), kInstant);
  EXPECT_EQ(Utc("2024-03-10 01:30:00.5+00:00"), kInstant);
  EXPECT_EQ(Utc("2024-03-10T10:30:00.123456789+09:00"), kInstant);
  EXPECT_EQ(Utc("2024-03-10 23:59:59.999"), date::sys_days{2024_y / mar / 10} + 23h + 59min + 59s);
}

TEST(ParseUtcTimestampTest, LeapDayAndDatesBeforeTheEpoch) {
  EXPECT_EQ(Utc("2024-02-29 00:00:00"), date::sys_days{2024_y / feb / 29} + 0s);
  EXPECT_EQ(Utc("1969-12-31 23:59:59"), date::sys_seconds{-1s});
  EXPECT_EQ(Utc("0001-01-01 00:00:00"), date::sys_days{1_y / jan / 1} + 0s);
}

TEST(ParseUtcTimestampTest, RejectsMalformedTextNamingTheProblem) {
  struct Case {
    const char* text;
    const char* problem;
  };
  const Case cases[] = {
      {"", "expected a date YYYY-MM-DD"},
      {"2024-3-10 01:30:00", "expected a date YYYY-MM-DD"},
      {"2024-03-10", "expected ' ' or 'T' between date and time"},
      {"2024-03-10_01:30:00", "expected ' ' or 'T' between date and time"},
      {"2024-03-10 1:30:00", "expected a time HH:MM:SS"},
      {"2024-03-10 01:30", "expected a time HH:MM:SS"},
      {"2024-13-10 01:30:00", "month out of range 01-12"},
      {"2023-02-29 01:30:00", "day out of range for its month"},
      {"2024-04-31 01:30:00", "day out of range for its month"},
      {"2024-03-10 24:00:00", "hour out of range 00-23"},
      {"2024-03-10 01:60:00", "minute out of range 00-59"},
      {"2024-03-10 01:30:60", "second out of range 00-59"},
      {"2024-03-10 01:30:00.", "expected digits after '.'"},
      {"2024-03-10 01:30:00 +09", "unexpected text after the time"},
      {"2024-03-10 01:30:00+9", "expected offset hours after the sign (+HH)"},
      {"2024-03-10 01:30:00+09:", "expected offset minutes (+HH:MM)"},
      {"2024-03-10 01:30:00+09:00:", "expected offset seconds (+HH:MM:SS)"},
      {"2024-03-10 01:30:00+19", "UTC offset out of range"},
      {"2024-03-10 01:30:00+09:60", "UTC offset out of range"},
      {"2024-03-10 01:30:00Z ", "unexpected text after the UTC offset"},
      {"2024-03-10 01:30:00+09 BC", "unexpected text after the UTC offset"},
      {"infinity", "expected a date YYYY-MM-DD"},
      {"0000-00-00 00:00:00", "0000-00-00 is MariaDB's zero date, not a real day"},
  };
  for (const Case& c : cases) {
    Error error = UtcError(c.text);
    EXPECT_EQ(error.code, ErrorCode::kInvalidArgument) << c.text;
    EXPECT_EQ(error.message.rfind("invalid timestamp \"" + std::string(c.text) + "\": ", 0), 0u)
        << error.message;
    EXPECT_THAT(error.message, HasSubstr(c.problem)) << c.text;
  }
}

TEST(ParseUtcTimestampTest, LongGarbageIsShortenedInTheMessage) {
  std::string text(1000, 'x');
  Error error = UtcError(text);
  EXPECT_EQ(error.message,
            "invalid timestamp \"" + std::string(64, 'x') + "\": expected a date YYYY-MM-DD");
}

TEST(ParseLocalTimestampTest, MariaDbDatetimeText) {
  Result<date::local_seconds> parsed = ParseLocalTimestamp("2024-03-10 01:30:00");
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, kWallClock);
  EXPECT_EQ(*ParseLocalTimestamp("2024-03-10T01:30:00.250000"), kWallClock);
}

TEST(ParseLocalTimestampTest, TextWithAnOffsetIsAnInstantNotAWallClockTime) {
  for (const char* text :
       {"2024-03-10 01:30:00Z", "2024-03-10 01:30:00+09", "2024-03-10 01:30:00-05:00"}) {
    Error error = LocalError(text);
    EXPECT_EQ(error.code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(error.message,
              "invalid wall-clock timestamp \"" + std::string(text) +
                  "\": has a UTC offset, so it is an instant, not a wall-clock time");
  }
}

TEST(ParseLocalTimestampTest, RejectsZeroDateAndTrailingText) {
  EXPECT_EQ(LocalError("0000-00-00 00:00:00").message,
            "invalid wall-clock timestamp \"0000-00-00 00:00:00\": 0000-00-00 is MariaDB's zero "
            "date, not a real day");
  EXPECT_EQ(LocalError("2024-03-10 01:30:00 x").message,
            "invalid wall-clock timestamp \"2024-03-10 01:30:00 x\": unexpected text after the "
            "time");
}

TEST(ParseDayTest, ParsesDateColumns) {
  Result<date::sys_days> day = ParseDay("2024-02-29");
  ASSERT_TRUE(day) << day.error().message;
  EXPECT_EQ(*day, date::sys_days{2024_y / feb / 29});
  EXPECT_EQ(ParseDay("2023-02-29").error().message,
            "invalid date \"2023-02-29\": day out of range for its month");
  EXPECT_EQ(ParseDay("2024-02-29 00:00:00").error().message,
            "invalid date \"2024-02-29 00:00:00\": unexpected text after the date");
}

TEST(FormatTest, FormatsDays) {
  EXPECT_EQ(FormatDay(date::sys_days{2024_y / feb / 29}), "2024-02-29");
  EXPECT_EQ(FormatDay(date::sys_days{1_y / jan / 1}), "0001-01-01");
  EXPECT_EQ(FormatDay(date::sys_days{9999_y / dec / 31}), "9999-12-31");
  EXPECT_EQ(FormatDay(date::sys_days{10000_y / jan / 1}), "10000-01-01");
}

TEST(FormatTest, FormatsTimestamps) {
  EXPECT_EQ(FormatTimestamp(kInstant), "2024-03-10 01:30:00");
  EXPECT_EQ(FormatTimestamp(kWallClock), "2024-03-10 01:30:00");
  EXPECT_EQ(FormatTimestamp(date::sys_seconds{-1s}), "1969-12-31 23:59:59");
  EXPECT_EQ(FormatTimestamp(date::sys_days{2024_y / dec / 31} + 23h + 59min + 59s),
            "2024-12-31 23:59:59");
}

TEST(FormatTest, RoundTrips) {
  for (const char* text : {"2024-03-10 01:30:00", "1999-12-31 23:59:59", "2000-02-29 12:00:01"}) {
    EXPECT_EQ(FormatTimestamp(Utc(text)), text);
    EXPECT_EQ(FormatTimestamp(*ParseLocalTimestamp(text)), text);
  }
  EXPECT_EQ(FormatDay(*ParseDay("2020-01-01")), "2020-01-01");
}

}  // namespace
}  // namespace strata::domain
