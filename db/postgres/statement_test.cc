#include "db/postgres/statement.h"

#include <gtest/gtest.h>

#include "db/postgres/connect.h"
#include "db/postgres/errors.h"
#include "db/url.h"

namespace strata::db::postgres {
namespace {

TEST(CopyFromStdinBody, TakesTheStatementAfterCopyAsWritten) {
  auto body = CopyFromStdinBody("  copy t (a, \"b;c\") FROM stdin WITH (FORMAT csv); -- end\n");
  ASSERT_TRUE(body) << body.error().message;
  EXPECT_EQ(*body, " t (a, \"b;c\") FROM stdin WITH (FORMAT csv)");
  EXPECT_TRUE(CopyFromStdinBody("/* x */ COPY t FROM STDIN"));
}

TEST(CopyFromStdinBody, RejectsAnythingElse) {
  EXPECT_FALSE(CopyFromStdinBody("COPY t TO STDOUT"));
  EXPECT_FALSE(CopyFromStdinBody("SELECT 'COPY t FROM STDIN'"));
  EXPECT_FALSE(CopyFromStdinBody("COPY t FROM STDIN; SELECT 1"));
  EXPECT_FALSE(CopyFromStdinBody("COPY t FROM \"stdin\""));
  EXPECT_EQ(CopyFromStdinBody("").error().code, ErrorCode::kInvalidArgument);
}

TEST(BeginStatement, NamesIsolationAndReadOnly) {
  EXPECT_EQ(BeginStatement({}), "BEGIN");
  TxOptions options;
  options.isolation = Isolation::kSerializable;
  options.read_only = true;
  EXPECT_EQ(BeginStatement(options), "BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY");
}

TEST(ParamTexts, RefusesNulBytes) {
  EXPECT_FALSE(ParamTexts({std::string("a\0b", 3)}));
  auto texts = ParamTexts({nullptr, true, std::int64_t{7}, 0.5, std::string("x")});
  ASSERT_TRUE(texts);
  EXPECT_FALSE((*texts)[0]);
  EXPECT_EQ(*(*texts)[1], "true");
  EXPECT_EQ(*(*texts)[2], "7");
  EXPECT_EQ(*(*texts)[3], "0.5");
  EXPECT_EQ(*(*texts)[4], "x");
}

TEST(Errors, OneLinePrimaryMessageAndScrub) {
  EXPECT_EQ(OneLine("connection failed: refused\n\tIs the server  running?\n"),
            "connection failed: refused; Is the server running?");
  EXPECT_EQ(PrimaryMessage("ERROR:  relation \"t\" does not exist\nLINE 1: ..."),
            "relation \"t\" does not exist");
  EXPECT_EQ(Scrub("pw hunter2 and hunter2", {"hunter2"}), "pw *** and ***");
  EXPECT_EQ(LineAndColumn("SELECT\n  é x", 12), std::make_pair(2, 5));
  EXPECT_TRUE(IsTransientSqlstate("40P01"));
  EXPECT_TRUE(IsTransientSqlstate("08006"));
  EXPECT_FALSE(IsTransientSqlstate("42P01"));
}

TEST(Errors, CancelRequestsAreCancelledButStatementTimeoutsAreNot) {
  EXPECT_EQ(ServerError("57014", "ERROR:  canceling statement due to user request", false, {}).code,
            ErrorCode::kCancelled);
  EXPECT_EQ(
      ServerError("57014", "ERROR:  canceling statement due to statement timeout", false, {}).code,
      ErrorCode::kDatabase);
}

TEST(BuildConninfo, QuotesValuesAndRejectsUnknownKeywords) {
  auto url = ParseUrl("postgresql://o%27neil@db:5433/events?sslmode=require");
  ASSERT_TRUE(url) << url.error().message;
  ConnectOptions options;
  options.application_name = "strata";
  auto conninfo = BuildConninfo(*url, options);
  ASSERT_TRUE(conninfo) << conninfo.error().message;
  EXPECT_EQ(*conninfo, "host='db' port='5433' user='o\\'neil' dbname='events' connect_timeout='" +
                           std::to_string(options.connect_timeout.count()) +
                           "' application_name='strata' sslmode='require'");
  auto bad = ParseUrl("postgresql://db/events?SSLMODE=require");
  ASSERT_TRUE(bad);
  EXPECT_FALSE(BuildConninfo(*bad, options));
}

TEST(SecretsOf, CollectsEveryPassword) {
  auto url = ParseUrl("postgresql://app@db/events?sslpassword=key-secret");
  ASSERT_TRUE(url);
  ConnectOptions options;
  options.password = "option-secret";
  EXPECT_EQ(SecretsOf(*url, options), (std::vector<std::string>{"option-secret", "key-secret"}));
}

}  // namespace
}  // namespace strata::db::postgres
