#include "db/runner.h"

#include <gtest/gtest.h>

namespace strata::db {
namespace {

RunnerIdentity Sample() {
  RunnerIdentity runner;
  runner.command = "baseline";
  runner.pid = 4294967296;
  runner.run_id = "ab12cd34";
  runner.scope = ScopeTag("some_schema", "strata_schema_history");
  return runner;
}

TEST(RunnerIdentityTest, LabelFitsApplicationNameAndParsesBack) {
  const RunnerIdentity runner = Sample();
  const std::string label = runner.Label();
  EXPECT_LE(label.size(), 63U);
  EXPECT_EQ(label.rfind("strata baseline pid=4294967296 run=ab12cd34 scope=", 0), 0U) << label;
  const std::optional<RunnerIdentity> parsed = RunnerIdentity::Parse(label);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->command, "baseline");
  EXPECT_EQ(parsed->pid, 4294967296);
  EXPECT_EQ(parsed->run_id, "ab12cd34");
  EXPECT_EQ(parsed->scope, runner.scope);
}

TEST(RunnerIdentityTest, ParsesTheCommentLeadingAStatement) {
  const std::string sql = StatementComment(Sample().Label()) + "ALTER TABLE t ADD c int";
  const std::optional<RunnerIdentity> parsed = RunnerIdentity::Parse(sql);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->run_id, "ab12cd34");
}

TEST(RunnerIdentityTest, RejectsTextWithoutAnIdentity) {
  EXPECT_FALSE(RunnerIdentity::Parse("strata"));
  EXPECT_FALSE(RunnerIdentity::Parse("psql"));
  EXPECT_FALSE(RunnerIdentity::Parse("/* a comment */ SELECT 1"));
  EXPECT_FALSE(RunnerIdentity::Parse("strata migrate pid=x run=ab"));
}

TEST(RunnerIdentityTest, ScopeTagsDifferPerTableAndStayStable) {
  EXPECT_NE(ScopeTag("", "a"), ScopeTag("", "b"));
  EXPECT_EQ(ScopeTag("", "strata_schema_history").size(), 8U);
  EXPECT_EQ(ScopeTag("s", "t"), ScopeTag("s", "t"));
}

}  // namespace
}  // namespace strata::db
