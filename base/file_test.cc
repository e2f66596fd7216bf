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

}  // namespace
}  // namespace strata
