#include "db/sql/source_position.h"

#include <string>

#include "gtest/gtest.h"

namespace strata::db::sql {
namespace {

TEST(PositionTrackerTest, CountsLinesAndCharacterColumns) {
  std::string text = "ab\n\xC3\xA9t\xE2\x82\xAC x\n\nz";  // "ab\nét€ x\n\nz"
  PositionTracker tracker(text);
  SourcePosition p = tracker.Locate(0);
  EXPECT_EQ(p.line, 1);
  EXPECT_EQ(p.column, 1);
  p = tracker.Locate(2);
  EXPECT_EQ(p.line, 1);
  EXPECT_EQ(p.column, 3);
  p = tracker.Locate(5);  // 't' after the two-byte 'é'
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.column, 2);
  p = tracker.Locate(10);  // 'x' after the three-byte '€'
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.column, 5);
  p = tracker.Locate(text.size() - 1);
  EXPECT_EQ(p.line, 4);
  EXPECT_EQ(p.column, 1);
  p = LocateFromStart(text, 10);
  EXPECT_EQ(p.line, 2);
  EXPECT_EQ(p.column, 5);
}

TEST(PositionTrackerTest, CountsAcrossWordBoundaries) {
  // Long spans exercise the 8-bytes-at-a-time counting, including bytes 0x0A +/- 1 and
  // continuation bytes at every offset within a word.
  std::string text;
  for (int i = 0; i < 100; ++i) text += "\x09\x0B\n\xC3\xA9\xE2\x82\xAC\x7F\x80z";
  text += "end";
  SourcePosition p = LocateFromStart(text, text.size());
  EXPECT_EQ(p.line, 101);
  EXPECT_EQ(p.column, 1 + 4 + 3);  // é, €, \x7F, z (the stray \x80 does not count), "end"
}

TEST(FormatSourceErrorTest, QuotesTheLineWithACaret) {
  EXPECT_EQ(FormatSourceError("f.sql", "a\r\nbc d\r\n", 6, "oops"),
            "f.sql:2:4: oops\n  bc d\n     ^");
  EXPECT_EQ(FormatSourceError("f.sql", "x", 1, "at the end"), "f.sql:1:2: at the end\n  x\n   ^");
  EXPECT_EQ(FormatSourceError("f.sql", "", 0, "empty"), "f.sql:1:1: empty\n  \n  ^");
  EXPECT_EQ(FormatSourceError("f.sql", "a\n", 2, "last"), "f.sql:2:1: last\n  \n  ^");
}

TEST(FormatSourceErrorTest, CutsLongLinesAroundTheCaret) {
  std::string line(300, 'x');
  line[200] = 'Y';
  std::string message = FormatSourceError("f.sql", line, 200, "here");
  std::string shown = "..." + std::string(60, 'x') + "Y" + std::string(39, 'x') + "...";
  EXPECT_EQ(message, "f.sql:1:201: here\n  " + shown + "\n  " + std::string(63, ' ') + "^");
}

}  // namespace
}  // namespace strata::db::sql
