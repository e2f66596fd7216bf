#include "migrations/checksum.h"

#include <gtest/gtest.h>

#include <string>

namespace strata::migrations {
namespace {

// Flyway's documented vector (docs/flyway.md §3, from Flyway's dry-run tutorial): the two
// `references` lines end with one trailing space each.
TEST(FlywayChecksumTest, MatchesFlywaysDocumentedCoupleVector) {
  const std::string couple =
      "create table COUPLE (\n"
      "    ID int not null,\n"
      "    PERSON1 int not null references PERSON(ID), \n"
      "    PERSON2 int not null references PERSON(ID) \n"
      ");\n";
  EXPECT_EQ(FlywayChecksum(couple), -722651034);
}

TEST(FlywayChecksumTest, TrailingSpacesCount) {
  const std::string couple_without_trailing_spaces =
      "create table COUPLE (\n"
      "    ID int not null,\n"
      "    PERSON1 int not null references PERSON(ID),\n"
      "    PERSON2 int not null references PERSON(ID)\n"
      ");\n";
  EXPECT_EQ(FlywayChecksum(couple_without_trailing_spaces), 824101511);
  // Vectors below were computed with python3 zlib.crc32 over the bytes without terminators.
  EXPECT_EQ(FlywayChecksum("SELECT 1; "), -1951047511);
  EXPECT_EQ(FlywayChecksum("  SELECT 1;"), 1090329113);
}

TEST(FlywayChecksumTest, EmptyFileIsZero) {
  EXPECT_EQ(FlywayChecksum(""), 0);
  EXPECT_EQ(FlywayChecksum("\r\n\r\n"), 0);
  EXPECT_EQ(FlywayChecksum("\xEF\xBB\xBF"), 0);
}

TEST(FlywayChecksumTest, LineEndingsAndFinalNewlineDoNotMatter) {
  constexpr std::int32_t kSelectOne = 78787420;
  EXPECT_EQ(FlywayChecksum("SELECT 1;"), kSelectOne);
  EXPECT_EQ(FlywayChecksum("SELECT 1;\n"), kSelectOne);
  EXPECT_EQ(FlywayChecksum("SELECT 1;\r\n"), kSelectOne);
  EXPECT_EQ(FlywayChecksum("SELECT 1;\r"), kSelectOne);  // a lone CR ends a line too
}

TEST(FlywayChecksumTest, BlankLinesDoNotMatter) {
  EXPECT_EQ(FlywayChecksum("SELECT 1;\n\n\n"), 78787420);
  EXPECT_EQ(FlywayChecksum("\n\nSELECT 1;\r\n\r\n"), 78787420);
  const std::string lf = "CREATE TABLE t (id INT);\nINSERT INTO t VALUES (1);\n";
  const std::string crlf_blank = "CREATE TABLE t (id INT);\r\n\r\nINSERT INTO t VALUES (1);\r\n";
  EXPECT_EQ(FlywayChecksum(lf), 194980085);
  EXPECT_EQ(FlywayChecksum(crlf_blank), 194980085);
}

TEST(FlywayChecksumTest, LinesAreJoinedWithoutSeparator) {
  EXPECT_EQ(FlywayChecksum("SELECT\n1;"), -713821291);
  EXPECT_EQ(FlywayChecksum("SELECT1;"), -713821291);
  EXPECT_EQ(FlywayChecksum("a\rb\r\nc\n\rd"), -310194927);
}

TEST(FlywayChecksumTest, BomIsStrippedFromTheFirstLineOnly) {
  EXPECT_EQ(FlywayChecksum("\xEF\xBB\xBFSELECT 1;\n"), 78787420);
  // After an empty first line the BOM is an ordinary character of the second line.
  EXPECT_EQ(FlywayChecksum("\n\xEF\xBB\xBFSELECT 1;"), -1606921097);
}

TEST(FlywayChecksumTest, ContentLongerThanItsWorkingBuffer) {
  std::string lines;
  for (int i = 0; i < 1000; ++i) lines += std::string(99, 'x') + "\n";
  EXPECT_EQ(FlywayChecksum(lines), -1549621644);  // zlib.crc32(b"x" * 99000)
  std::string crlf;
  for (int i = 0; i < 40000; ++i) crlf += "a\r\nb";
  EXPECT_EQ(FlywayChecksum(crlf), -949556409);  // zlib.crc32(b"ab" * 40000)
}

TEST(FlywayChecksumTest, HashesUtf8Bytes) {
  EXPECT_EQ(FlywayChecksum("caf\xC3\xA9;\r\n\r\n"), -660935448);
}

TEST(FindInvalidUtf8Test, AcceptsValidText) {
  EXPECT_FALSE(FindInvalidUtf8(""));
  EXPECT_FALSE(FindInvalidUtf8("plain ASCII text that is longer than eight bytes\n"));
  EXPECT_FALSE(FindInvalidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xEF\xBB\xBF"));
  EXPECT_FALSE(FindInvalidUtf8("\xF4\x8F\xBF\xBF"));  // U+10FFFF, the last code point
}

TEST(FindInvalidUtf8Test, ReportsOffsetAndLineOfTheFirstBadByte) {
  const auto error = FindInvalidUtf8("SELECT 1;\nSELECT 'caf\xE9';\n");  // Latin-1 é
  ASSERT_TRUE(error);
  EXPECT_EQ(error->offset, 21u);
  EXPECT_EQ(error->line, 2u);
}

TEST(FindInvalidUtf8Test, RejectsWhatJavasStrictDecoderRejects) {
  EXPECT_TRUE(FindInvalidUtf8("\x80"));                   // stray continuation byte
  EXPECT_TRUE(FindInvalidUtf8("\xC0\xAF"));               // overlong '/'
  EXPECT_TRUE(FindInvalidUtf8("\xE0\x80\xAF"));           // overlong, three bytes
  EXPECT_TRUE(FindInvalidUtf8("\xED\xA0\x80"));           // a UTF-16 surrogate (CESU-8)
  EXPECT_TRUE(FindInvalidUtf8("\xF4\x90\x80\x80"));       // above U+10FFFF
  EXPECT_TRUE(FindInvalidUtf8("\xF5\x80\x80\x80"));       // invalid lead byte
  EXPECT_TRUE(FindInvalidUtf8("\xFF"));                   // never valid
  EXPECT_TRUE(FindInvalidUtf8("abc\xE2\x82"));            // truncated at the end
  EXPECT_TRUE(FindInvalidUtf8("12345678\xC3(12345678"));  // bad continuation after ASCII run
}

}  // namespace
}  // namespace strata::migrations
