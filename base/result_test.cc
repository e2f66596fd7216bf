#include "base/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace strata {
namespace {

Result<int> Half(int n) {
  if (n % 2 != 0) return Err(ErrorCode::kInvalidArgument, "odd");
  return n / 2;
}

Result<int> Quarter(int n) {
  STRATA_ASSIGN_OR_RETURN(int half, Half(n));
  return Half(half);
}

Status CheckEven(int n) {
  STRATA_TRY(Half(n));
  return Ok();
}

TEST(ResultTest, HoldsValueOrError) {
  Result<int> ok = Half(8);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 4);
  Result<int> bad = Half(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message, "odd");
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(ResultTest, MacrosPropagateErrors) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_EQ(Quarter(6).error().message, "odd");
  EXPECT_TRUE(CheckEven(2));
  EXPECT_FALSE(CheckEven(1));
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultTest, WithContextPrefixesMessage) {
  Error e = Err(ErrorCode::kIo, "disk full").WithContext("writing strata.sum");
  EXPECT_EQ(e.message, "writing strata.sum: disk full");
  EXPECT_EQ(e.code, ErrorCode::kIo);
}

}  // namespace
}  // namespace strata
