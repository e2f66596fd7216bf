#include "base/file.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace strata {
namespace {

TEST(FileTest, WritesAndReadsBackBytes) {
  const auto path = std::filesystem::temp_directory_path() / "strata_file_test.bin";
  const std::string content("a\0b\r\nc", 6);
  ASSERT_TRUE(WriteFileAtomically(path, content));
  auto read = ReadFile(path);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, content);
  std::filesystem::remove(path);
}

TEST(FileTest, MissingFileIsNotFoundAndNamesThePath) {
  auto read = ReadFile("/nonexistent/strata/file.sql");
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
  EXPECT_NE(read.error().message.find("/nonexistent/strata/file.sql"), std::string::npos);
}

TEST(FileTest, ReadIntoReplacesTheBufferWhateverItHeldBefore) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto small = dir / "strata_file_test_small.txt";
  const auto large = dir / "strata_file_test_large.txt";
  const std::string large_content(100000, 'x');
  ASSERT_TRUE(WriteFileAtomically(large, large_content));
  ASSERT_TRUE(WriteFileAtomically(small, "abc"));

  std::string buffer = "left over from before";
  ASSERT_TRUE(ReadFileInto(large, buffer));
  EXPECT_EQ(buffer, large_content);
  ASSERT_TRUE(ReadFileInto(small, buffer));
  EXPECT_EQ(buffer, "abc");
  std::filesystem::remove(small);
  std::filesystem::remove(large);
}

TEST(FileTest, ReadsAnEmptyFile) {
  const auto path = std::filesystem::temp_directory_path() / "strata_file_test_empty.txt";
  ASSERT_TRUE(WriteFileAtomically(path, ""));
  std::string buffer = "x";
  ASSERT_TRUE(ReadFileInto(path, buffer));
  EXPECT_EQ(buffer, "");
  std::filesystem::remove(path);
}

// /proc files report size 0 and are read until the kernel says end of file.
TEST(FileTest, ReadsFilesWithoutAKnownSize) {
  auto read = ReadFile("/proc/self/status");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_NE(read->find("Name:"), std::string::npos);
  EXPECT_EQ(read->back(), '\n');
}

TEST(FileTest, DirectoryIsAnIoErrorNamingThePath) {
  auto read = ReadFile(std::filesystem::temp_directory_path());
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kIo);
  EXPECT_NE(read.error().message.find("Is a directory"), std::string::npos) << read.error().message;
}

}  // namespace
}  // namespace strata
