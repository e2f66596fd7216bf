#include "db/mariadb/errors.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace strata::db::mariadb {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kUrl = "mariadb://app:***@db:3306/events";

TEST(ScrubPassword, ReplacesEveryOccurrence) {
  EXPECT_EQ(ScrubPassword("a sekret b sekret", "sekret"), "a *** b ***");
  EXPECT_EQ(ScrubPassword("nothing here", "sekret"), "nothing here");
  EXPECT_EQ(ScrubPassword("no password", std::nullopt), "no password");
  EXPECT_EQ(ScrubPassword("empty", ""), "empty");
  EXPECT_EQ(ScrubPassword("**", "*"), "******");
}

TEST(ConnectFailure, NamesTargetAndHidesPassword) {
  Error e = ConnectFailure({1045, "28000", "Access denied; hunter2 was wrong"}, kUrl, "hunter2");
  EXPECT_EQ(e.code, ErrorCode::kConnection);
  EXPECT_EQ(e.message,
            "cannot connect to mariadb://app:***@db:3306/events: Access denied; *** was wrong "
            "(error 1045)");
  EXPECT_EQ(e.server_errno, 1045);
  EXPECT_EQ(e.sqlstate, "28000");
  EXPECT_FALSE(e.transient);
}

TEST(ConnectFailure, UnreachableServerIsTransient) {
  EXPECT_TRUE(ConnectFailure({2002, "HY000", "Can't connect"}, kUrl, std::nullopt).transient);
  EXPECT_TRUE(ConnectFailure({2003, "HY000", "Can't connect"}, kUrl, std::nullopt).transient);
  EXPECT_TRUE(ConnectFailure({1040, "08004", "Too many"}, kUrl, std::nullopt).transient);
  EXPECT_FALSE(ConnectFailure({1049, "42000", "Unknown database"}, kUrl, std::nullopt).transient);
}

TEST(StatementFailure, DatabaseErrorsCarryCodes) {
  Error e = StatementFailure({1062, "23000", "Duplicate entry '1' for key 'PRIMARY'"}, kUrl, false);
  EXPECT_EQ(e.code, ErrorCode::kDatabase);
  EXPECT_EQ(e.message, "ERROR 1062 (23000): Duplicate entry '1' for key 'PRIMARY'");
  EXPECT_EQ(e.server_errno, 1062);
  EXPECT_EQ(e.sqlstate, "23000");
  EXPECT_FALSE(e.transient);
}

TEST(StatementFailure, DeadlockAndLockWaitAreTransient) {
  Error deadlock = StatementFailure({1213, "40001", "Deadlock found"}, kUrl, false);
  EXPECT_EQ(deadlock.code, ErrorCode::kDatabase);
  EXPECT_TRUE(deadlock.transient);
  EXPECT_TRUE(StatementFailure({1205, "HY000", "Lock wait timeout"}, kUrl, false).transient);
}

TEST(StatementFailure, LostConnectionsNameTheTarget) {
  for (unsigned int number : {2006u, 2013u, 2055u, 1927u, 1053u}) {
    Error e = StatementFailure({number, "HY000", "gone"}, kUrl, false);
    EXPECT_EQ(e.code, ErrorCode::kConnection) << number;
    EXPECT_TRUE(e.transient) << number;
    EXPECT_THAT(e.message, HasSubstr("connection to mariadb://app:***@db:3306/events lost"));
  }
}

TEST(StatementFailure, Error4031IsLostOnlyOnMySql) {
  EXPECT_EQ(StatementFailure({4031, "HY000", "inactive"}, kUrl, true).code, ErrorCode::kConnection);
  // MariaDB: ER_REFERENCED_TRG_DOES_NOT_EXIST.
  EXPECT_EQ(StatementFailure({4031, "HY000", "trigger"}, kUrl, false).code, ErrorCode::kDatabase);
}

TEST(StatementFailure, InterruptedAndTimedOutAreCancelled) {
  Error killed = StatementFailure({1317, "70100", "Query execution was interrupted"}, kUrl, false);
  EXPECT_EQ(killed.code, ErrorCode::kCancelled);
  EXPECT_EQ(killed.server_errno, 1317);
  EXPECT_FALSE(killed.transient);
  EXPECT_EQ(StatementFailure({1969, "70100", "max_statement_time"}, kUrl, false).code,
            ErrorCode::kCancelled);
  EXPECT_THAT(killed.message, Not(HasSubstr("***")));
}

}  // namespace
}  // namespace strata::db::mariadb
