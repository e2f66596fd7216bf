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

TEST(FileTest, ReadIntoReusesTheScratchBufferAndViewsOnlyTheFile) {
  const auto dir = std::filesystem::temp_directory_path();
  const auto small = dir / "strata_file_test_small.txt";
  const auto large = dir / "strata_file_test_large.txt";
  const std::string large_content(100000, 'x');  // larger than the first regular-file buffer
  ASSERT_TRUE(WriteFileAtomically(large, large_content));
  ASSERT_TRUE(WriteFileAtomically(small, "abc"));

  for (const bool regular_file : {false, true}) {
    std::string scratch = "left over from before";
    auto read = ReadFileInto(large, scratch, regular_file);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(*read, large_content);
    const std::size_t grown = scratch.size();
    read = ReadFileInto(small, scratch, regular_file);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(*read, "abc");
    EXPECT_EQ(read->data(), scratch.data());
    EXPECT_EQ(scratch.size(), grown);  // kept for the next file
  }
  std::filesystem::remove(small);
  std::filesystem::remove(large);
}

TEST(FileTest, ReadsAnEmptyFile) {
  const auto path = std::filesystem::temp_directory_path() / "strata_file_test_empty.txt";
  ASSERT_TRUE(WriteFileAtomically(path, ""));
  for (const bool regular_file : {false, true}) {
    std::string scratch = "x";
    auto read = ReadFileInto(path, scratch, regular_file);
    ASSERT_TRUE(read) << read.error().message;
    EXPECT_EQ(*read, "");
  }
  auto whole = ReadFile(path);
  ASSERT_TRUE(whole);
  EXPECT_EQ(*whole, "");
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
