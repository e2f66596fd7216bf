#include "cli/fleet_schedule.h"

#include <gtest/gtest.h>

namespace strata::cli {
namespace {

using State = FleetScheduler::State;

RolloutOptions Rollout(int parallel, int canary = 0, int max_failures = 0) {
  RolloutOptions options;
  options.parallel = parallel;
  options.canary = canary;
  options.max_failures = max_failures;
  return options;
}

TEST(FleetSchedulerTest, StartsAtMostParallelTargetsInOrder) {
  FleetScheduler s(5, Rollout(2));
  EXPECT_EQ(s.Next(), 0U);
  EXPECT_EQ(s.Next(), 1U);
  EXPECT_EQ(s.Next(), std::nullopt);  // both slots busy
  s.Finished(1, true);
  EXPECT_EQ(s.Next(), 2U);
  s.Finished(0, true);
  s.Finished(2, true);
  EXPECT_EQ(s.Next(), 3U);
  EXPECT_EQ(s.Next(), 4U);
  EXPECT_FALSE(s.Done());
  s.Finished(3, true);
  s.Finished(4, true);
  EXPECT_TRUE(s.Done());
}

TEST(FleetSchedulerTest, CanariesRunAloneThenTheRest) {
  FleetScheduler s(4, Rollout(4, 1));
  EXPECT_EQ(s.Next(), 0U);
  EXPECT_EQ(s.Next(), std::nullopt);  // the rest waits for the canary
  s.Finished(0, true);
  EXPECT_EQ(s.Next(), 1U);
  EXPECT_EQ(s.Next(), 2U);
  EXPECT_EQ(s.Next(), 3U);
}

TEST(FleetSchedulerTest, AFailedCanaryStopsTheRest) {
  FleetScheduler s(4, Rollout(4, 2));
  EXPECT_EQ(s.Next(), 0U);
  EXPECT_EQ(s.Next(), 1U);
  EXPECT_EQ(s.Next(), std::nullopt);
  s.Finished(1, false);
  EXPECT_EQ(s.Next(), std::nullopt);
  EXPECT_FALSE(s.Done());  // canary 0 still runs
  s.Finished(0, true);
  EXPECT_TRUE(s.Done());
  EXPECT_EQ(s.state(2), State::kNotRun);
  EXPECT_EQ(s.state(3), State::kNotRun);
  EXPECT_EQ(s.stop_reason(), "a canary failed");
}

TEST(FleetSchedulerTest, MaxFailuresStopsSchedulingButRunningTargetsFinish) {
  FleetScheduler s(6, Rollout(3, 0, 2));
  EXPECT_EQ(s.Next(), 0U);
  EXPECT_EQ(s.Next(), 1U);
  EXPECT_EQ(s.Next(), 2U);
  s.Finished(0, false);
  EXPECT_EQ(s.Next(), 3U);  // one failure: go on
  s.Finished(1, false);
  EXPECT_EQ(s.Next(), std::nullopt);  // two: stop
  EXPECT_FALSE(s.Done());
  s.Finished(2, true);
  s.Finished(3, true);
  EXPECT_TRUE(s.Done());
  EXPECT_EQ(s.state(4), State::kNotRun);
  EXPECT_EQ(s.state(5), State::kNotRun);
  EXPECT_EQ(s.failures(), 2);
}

TEST(FleetSchedulerTest, StopLeavesPendingTargetsNotRun) {
  FleetScheduler s(3, Rollout(1));
  EXPECT_EQ(s.Next(), 0U);
  s.Stop();
  EXPECT_EQ(s.Next(), std::nullopt);
  s.Finished(0, true);
  EXPECT_TRUE(s.Done());
  EXPECT_EQ(s.state(0), State::kOk);
  EXPECT_EQ(s.state(1), State::kNotRun);
  EXPECT_EQ(s.stop_reason(), "interrupted");
}

TEST(FleetSchedulerTest, AnEmptyFleetIsDoneAtOnce) {
  FleetScheduler s(0, {});
  EXPECT_EQ(s.Next(), std::nullopt);
  EXPECT_TRUE(s.Done());
}

TEST(WorstExitCodeTest, WhatNeedsAPersonComesFirst) {
  EXPECT_EQ(WorstExitCode({}), 0);
  EXPECT_EQ(WorstExitCode({0, 0}), 0);
  EXPECT_EQ(WorstExitCode({0, 5, 4}), 4);
  EXPECT_EQ(WorstExitCode({5, 3, 0}), 3);
  EXPECT_EQ(WorstExitCode({6, 5, 1, 3}), 1);
  EXPECT_EQ(WorstExitCode({2, 4}), 2);
  EXPECT_EQ(WorstExitCode({6, 0}), 6);
}

TEST(GroupByTest, LargestGroupFirstAndTheOddOnesNamed) {
  const auto groups = GroupBy({"a", "b", "c", "d"}, {"12", "11", "12", "12"});
  ASSERT_EQ(groups.size(), 2U);
  EXPECT_EQ(groups[0].key, "12");
  EXPECT_EQ(groups[0].names, (std::vector<std::string>{"a", "c", "d"}));
  EXPECT_EQ(DescribeGroups(groups, "at version "), "3 at version 12, 1 at version 11 (b)");
}

TEST(GroupByTest, LongListsAreCut) {
  const auto groups = GroupBy({"a", "b", "c", "d", "e"}, {"x", "x", "y", "y", "y"});
  EXPECT_EQ(DescribeGroups(groups, "", 1), "3 y, 2 x (a, 1 more)");
}

TEST(DescribeFailuresTest, AFaultTheTargetsShareIsSaidOnce) {
  EXPECT_EQ(DescribeFailures({"a", "b", "c"}, {"refused", "V3 failed", "refused"}),
            "3 failed (a, c: refused; b: V3 failed)");
  EXPECT_EQ(DescribeFailures({"a", "b", "c", "d"}, {"x", "x", "x", "y"}, 2, 1),
            "4 failed (a, b and 1 more: x; 1 more with other errors)");
}

}  // namespace
}  // namespace strata::cli
