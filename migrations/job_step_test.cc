#include "migrations/job_step.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace strata::migrations {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(JobStepTest, ParsesTheJobAndItsParametersAsText) {
  auto step = ParseJobStep(
      "# comment\njob = \"event-view-metrics\"\n[params]\nzone = \"UTC\"\nfirst_event_id = 10\n"
      "ratio = 0.5\nstrict = true\n",
      "V4__x.job");
  ASSERT_TRUE(step) << step.error().message;
  EXPECT_EQ(step->job, "event-view-metrics");
  EXPECT_EQ(step->params.at("zone"), "UTC");
  EXPECT_EQ(step->params.at("first_event_id"), "10");
  EXPECT_EQ(step->params.at("ratio"), "0.5");
  EXPECT_EQ(step->params.at("strict"), "true");
  EXPECT_EQ(DescribeJobStep(*step),
            "event-view-metrics (first_event_id=10, ratio=0.5, strict=true, zone=UTC)");
}

TEST(JobStepTest, ParamsAreOptional) {
  auto step = ParseJobStep("job = \"copy\"\n", "V1__x.job");
  ASSERT_TRUE(step) << step.error().message;
  EXPECT_TRUE(step->params.empty());
  EXPECT_EQ(DescribeJobStep(*step), "copy");
}

TEST(JobStepTest, ErrorsNameTheFileLineAndColumn) {
  struct Case {
    const char* text;
    const char* where;
    const char* says;
  };
  const Case cases[] = {
      {"job = \"a\"\nzone = \"UTC\"\n", "V4__x.job:2:1", "unknown key 'zone'"},
      {"[params]\nzone = \"UTC\"\n", "V4__x.job:1:1", "needs job ="},
      {"job = 3\n", "V4__x.job:1:1", "'job' must name a backfill job"},
      {"job = \"\"\n", "V4__x.job:1:1", "'job' must name a backfill job"},
      {"job = \"a\"\nparams = 1\n", "V4__x.job:2:1", "'params' must be a table"},
      {"job = \"a\"\n[params]\nids = [1, 2]\n", "V4__x.job:3:1", "parameter 'ids' must be"},
      {"job = \"a\n", "V4__x.job:1:", ""},
  };
  for (const Case& c : cases) {
    auto step = ParseJobStep(c.text, "V4__x.job");
    ASSERT_FALSE(step) << c.text;
    EXPECT_EQ(step.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(step.error().message, StartsWith(c.where)) << c.text;
    EXPECT_THAT(step.error().message, HasSubstr(c.says)) << c.text;
  }
}

TEST(JobStepTest, AMissingFileIsNotFound) {
  auto step = ReadJobStep("/nonexistent/V1__x.job");
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace strata::migrations
