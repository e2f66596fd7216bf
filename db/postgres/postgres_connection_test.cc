// Integration tests of the PostgreSQL driver against the real test server (tests/with-servers).
#include "db/postgres/postgres_connection.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "db/connection.h"
#include "db/url.h"
#include "tests/support/test_env.h"

namespace strata::db::postgres {
namespace {

using strata::testing::ScratchDatabase;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

#define ASSERT_OK(expr)                                                        \
  do {                                                                         \
    const auto& strata_result_ = (expr);                                       \
    ASSERT_TRUE(strata_result_.has_value()) << strata_result_.error().message; \
  } while (false)

#define EXPECT_OK(expr)                                                        \
  do {                                                                         \
    const auto& strata_result_ = (expr);                                       \
    EXPECT_TRUE(strata_result_.has_value()) << strata_result_.error().message; \
  } while (false)

// The single value `sql` returns, "<NULL>" for NULL, or "<error: ...>" so that a failure shows
// up in the comparison that uses it.
std::string Scalar(Connection& conn, std::string_view sql, const Params& params = {}) {
  auto rows = conn.Query(sql, params);
  if (!rows) return "<error: " + rows.error().message + ">";
  if (rows->size() != 1 || rows->rows[0].size() != 1) {
    return fmt::format("<{} rows>", rows->size());
  }
  return rows->rows[0][0].value_or("<NULL>");
}

// Polls `sql` on `conn` until it returns `expected`; false after 10 s.
bool WaitFor(Connection& conn, std::string_view sql, const Params& params,
             const std::string& expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    if (Scalar(conn, sql, params) == expected) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

Url MustParse(const std::string& text) {
  auto url = ParseUrl(text);
  EXPECT_TRUE(url.has_value()) << url.error().message;
  return url.value_or(Url{});
}

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = ScratchDatabase::Create(Dialect::kPostgres);
    ASSERT_NE(db_, nullptr);
    conn_ = Open();
    ASSERT_NE(conn_, nullptr);
  }

  std::unique_ptr<Connection> Open(const ConnectOptions& options = {},
                                   const std::string& url_suffix = "") {
    auto conn = Connect(MustParse(db_->url() + url_suffix), options);
    if (!conn) {
      ADD_FAILURE() << conn.error().message;
      return nullptr;
    }
    return std::move(conn).value();
  }

  std::unique_ptr<ScratchDatabase> db_;
  std::unique_ptr<Connection> conn_;
};

// ---- Connecting --------------------------------------------------------------------------

TEST_F(PostgresTest, ReportsServerSessionAndUrl) {
  EXPECT_EQ(conn_->dialect(), Dialect::kPostgres);
  const ServerInfo& server = conn_->server();
  EXPECT_EQ(server.product, "PostgreSQL");
  EXPECT_EQ(server.version_number / 10000, 15);
  EXPECT_EQ(server.version,
            fmt::format("{}.{}", server.version_number / 10000, server.version_number % 10000));
  EXPECT_EQ(Scalar(*conn_, "SELECT pg_backend_pid()"), std::to_string(conn_->session_id()));
  EXPECT_EQ(conn_->display_url(), MustParse(db_->url()).Redacted());
  EXPECT_FALSE(conn_->InTransaction());
}

TEST_F(PostgresTest, SendsApplicationNameFromOptionsUnlessTheUrlSetsOne) {
  EXPECT_EQ(Scalar(*conn_, "SHOW application_name"), "strata");

  ConnectOptions options;
  options.application_name = "it's a \\ test";
  auto quoted = Open(options);
  ASSERT_NE(quoted, nullptr);
  EXPECT_EQ(Scalar(*quoted, "SHOW application_name"), "it's a \\ test");

  auto from_url = Open(options, "?application_name=from%20url");
  ASSERT_NE(from_url, nullptr);
  EXPECT_EQ(Scalar(*from_url, "SHOW application_name"), "from url");
}

TEST_F(PostgresTest, PassesUrlParametersAsLibpqKeywords) {
  auto conn = Open({}, "?options=-c%20search_path%3Dstrata_x&connect_timeout=5");
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(Scalar(*conn, "SHOW search_path"), "strata_x");

  auto unknown = Connect(MustParse(db_->url() + "?bogus_keyword=1"), {});
  ASSERT_FALSE(unknown);
  // A bad URL parameter is a usage error on every engine (issue 20), though libpq finds it
  // only when asked to connect.
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(unknown.error().message, HasSubstr("invalid connection option \"bogus_keyword\""));

  auto malformed = Connect(MustParse(db_->url() + "?bad%20key=1"), {});
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(malformed.error().message, HasSubstr("'bad key'"));
}

TEST(PostgresConnectTest, ClosedPortIsAConnectionErrorWithoutThePassword) {
  auto conn = Connect(MustParse("postgresql://u:sekret123@127.0.0.1:1/x"), {});
  ASSERT_FALSE(conn);
  const Error& error = conn.error();
  EXPECT_EQ(error.code, ErrorCode::kConnection);
  EXPECT_FALSE(error.transient);
  EXPECT_THAT(
      error.message,
      AllOf(HasSubstr("cannot connect to postgresql://u:***@127.0.0.1:1/x: "),
            HasSubstr("Connection refused"), Not(HasSubstr("sekret123")), Not(HasSubstr("\n"))));

  ConnectOptions options;
  options.password = "optsekret456";
  auto with_option = Connect(MustParse("postgresql://u@127.0.0.1:1/x"), options);
  ASSERT_FALSE(with_option);
  EXPECT_THAT(with_option.error().message,
              AllOf(HasSubstr("postgresql://u@127.0.0.1:1/x"), Not(HasSubstr("optsekret456"))));
}

TEST(PostgresConnectTest, RefusesOtherDialects) {
  auto conn = Connect(MustParse("mariadb://root@127.0.0.1:1/x"), {});
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().code, ErrorCode::kInvalidArgument);
}

TEST_F(PostgresTest, UnknownDatabaseIsAConnectionError) {
  Url url = MustParse(db_->url());
  url.database = "strata_no_such_db";
  url.password = "sekret789";
  auto conn = Connect(url, {});
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().code, ErrorCode::kConnection);
  EXPECT_THAT(conn.error().message,
              AllOf(HasSubstr("cannot connect to " + url.Redacted()),
                    HasSubstr("database \"strata_no_such_db\" does not exist"),
                    Not(HasSubstr("sekret789")), Not(HasSubstr("\n"))));
}

// ---- Statements and parameters -----------------------------------------------------------

TEST_F(PostgresTest, EveryParamTypeRoundTrips) {
  const std::string text = "it's \"quoted\" \\ back\tslash\nünïcode";
  auto rows = conn_->Query(
      "SELECT $1::bool, $2::bool, $3::int8, $4::int8, $5::float8, $6::float8, $7::text, "
      "$8::text, $9::text, $10::int8, $11",
      {true, false, std::numeric_limits<std::int64_t>::max(),
       std::numeric_limits<std::int64_t>::min(), 0.1, -1.5e300, text, nullptr, std::string(),
       nullptr, std::string("untyped")});
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 1u);
  const std::vector<Cell> expected = {"t",
                                      "f",
                                      "9223372036854775807",
                                      "-9223372036854775808",
                                      "0.1",
                                      "-1.5e+300",
                                      text,
                                      std::nullopt,
                                      "",
                                      std::nullopt,
                                      "untyped"};
  EXPECT_EQ(rows->rows[0], expected);

  EXPECT_EQ(Scalar(*conn_, "SELECT $1::float8 = 0.1::float8 AND $2::float8 = 1e-300::float8",
                   {0.1, 1e-300}),
            "t");
  auto special = conn_->Query(
      "SELECT $1::float8, $2::float8, $3::float8",
      {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
       -std::numeric_limits<double>::infinity()});
  ASSERT_OK(special);
  EXPECT_EQ(special->rows[0], (std::vector<Cell>{"NaN", "Infinity", "-Infinity"}));
}

TEST_F(PostgresTest, ParamsBindIntoTypedColumns) {
  ASSERT_OK(conn_->Execute("CREATE TABLE p (b boolean, i bigint, d double precision, s text)"));
  auto inserted = conn_->Execute(
      "INSERT INTO p VALUES ($1, $2, $3, $4), ($5, $6, $7, $8)",
      {true, std::int64_t{42}, 2.5, std::string("x"), nullptr, nullptr, nullptr, nullptr});
  ASSERT_OK(inserted);
  EXPECT_EQ(*inserted, 2);
  auto rows = conn_->Query("SELECT b, i, d, s FROM p ORDER BY i NULLS LAST");
  ASSERT_OK(rows);
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->rows[0], (std::vector<Cell>{"t", "42", "2.5", "x"}));
  EXPECT_EQ(rows->rows[1], (std::vector<Cell>(4, std::nullopt)));
}

TEST_F(PostgresTest, RefusesStringsWithNulBytes) {
  auto rows =
      conn_->Query("SELECT $1::text, $2::text", {std::string("ok"), std::string("a\0b", 3)});
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(rows.error().message, HasSubstr("parameter $2 contains a NUL byte"));
}

TEST_F(PostgresTest, ReturnsColumnNamesAndNulls) {
  auto rows = conn_->Query("SELECT 1 AS a, NULL::text AS b, '' AS c");
  ASSERT_OK(rows);
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->rows[0], (std::vector<Cell>{"1", std::nullopt, ""}));
  EXPECT_TRUE(rows->IsNull(0, 1));
  EXPECT_EQ(rows->affected, 0);

  auto none = conn_->Query("SELECT 1 AS only WHERE false");
  ASSERT_OK(none);
  EXPECT_EQ(none->columns, (std::vector<std::string>{"only"}));
  EXPECT_TRUE(none->empty());
}

TEST_F(PostgresTest, CountsAffectedRows) {
  auto created = conn_->Query("CREATE TABLE a (id int PRIMARY KEY, v int)");
  ASSERT_OK(created);
  EXPECT_EQ(created->affected, 0);
  EXPECT_EQ(conn_->Execute("INSERT INTO a SELECT g, 0 FROM generate_series(1, 5) g").value_or(-1),
            5);
  EXPECT_EQ(conn_->Execute("UPDATE a SET v = 1 WHERE id <= $1", {std::int64_t{3}}).value_or(-1), 3);
  EXPECT_EQ(conn_->Execute("DELETE FROM a WHERE id = 5").value_or(-1), 1);

  auto selected = conn_->Query("SELECT id FROM a");
  ASSERT_OK(selected);
  EXPECT_EQ(selected->size(), 4u);
  EXPECT_EQ(selected->affected, 0);

  auto returning = conn_->Query("/* c */ UPDATE a SET v = 2 WHERE id > 2 RETURNING id");
  ASSERT_OK(returning);
  EXPECT_EQ(returning->size(), 2u);
  EXPECT_EQ(returning->affected, 2);

  EXPECT_EQ(conn_->Execute("CREATE TABLE a2 AS SELECT * FROM a").value_or(-1), 4);
}

TEST_F(PostgresTest, BatchRunsTheStatementForEveryRow) {
  ASSERT_OK(conn_->Query("CREATE TABLE a (id int PRIMARY KEY, v text)"));
  EXPECT_FALSE(conn_->batches_in_one_round_trip());
  auto inserted = conn_->ExecuteBatch("INSERT INTO a VALUES ($1, $2) ON CONFLICT DO NOTHING",
                                      {{std::int64_t{1}, std::string("a")},
                                       {std::int64_t{2}, nullptr},
                                       {std::int64_t{1}, std::string("again")}});
  ASSERT_OK(inserted);
  EXPECT_EQ(*inserted, 2);
  auto rows = conn_->Query("SELECT id, v FROM a ORDER BY id");
  ASSERT_OK(rows);
  EXPECT_EQ(rows->rows, (std::vector<std::vector<Cell>>{{"1", "a"}, {"2", std::nullopt}}));
  auto narrow = conn_->ExecuteBatch("INSERT INTO a VALUES ($1, $2)", {{std::int64_t{3}}});
  ASSERT_FALSE(narrow.has_value());
  EXPECT_EQ(conn_->ExecuteBatch("DELETE FROM a", {}).value_or(-1), 0);
}

TEST_F(PostgresTest, FailedStatementOutsideTransactionLeavesConnectionUsable) {
  EXPECT_FALSE(conn_->Query("SELECT * FROM no_such_table"));
  EXPECT_EQ(Scalar(*conn_, "SELECT 1"), "1");
}

// ---- Transactions ------------------------------------------------------------------------

TEST_F(PostgresTest, CommitMakesWritesVisibleAndRollbackDiscardsThem) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id int)"));
  auto other = Open();
  ASSERT_NE(other, nullptr);

  ASSERT_OK(conn_->Begin({}));
  EXPECT_TRUE(conn_->InTransaction());
  ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (1)"));
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t"), "0");
  ASSERT_OK(conn_->Commit());
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t"), "1");

  ASSERT_OK(conn_->Begin({}));
  ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (2)"));
  ASSERT_OK(conn_->Execute("CREATE TABLE t_ddl (x int)"));
  ASSERT_OK(conn_->Rollback());
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(Scalar(*other, "SELECT count(*) FROM t"), "1");
  EXPECT_EQ(Scalar(*other, "SELECT to_regclass('t_ddl') IS NULL"), "t");
}

TEST_F(PostgresTest, RaiiTransactionRollsBackUnlessCommitted) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id int)"));
  {
    auto tx = Transaction::Begin(*conn_);
    ASSERT_OK(tx);
    ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (1)"));
  }
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(Scalar(*conn_, "SELECT count(*) FROM t"), "0");
  {
    auto tx = Transaction::Begin(*conn_);
    ASSERT_OK(tx);
    ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (1)"));
    ASSERT_OK(tx->Commit());
  }
  EXPECT_EQ(Scalar(*conn_, "SELECT count(*) FROM t"), "1");
}

TEST_F(PostgresTest, BeginAppliesIsolationLevel) {
  const std::pair<Isolation, std::string> cases[] = {
      {Isolation::kDefault, "read committed"},
      {Isolation::kReadCommitted, "read committed"},
      {Isolation::kRepeatableRead, "repeatable read"},
      {Isolation::kSerializable, "serializable"},
  };
  for (const auto& [isolation, expected] : cases) {
    ASSERT_OK(conn_->Begin({.read_only = false, .isolation = isolation}));
    EXPECT_EQ(Scalar(*conn_, "SHOW transaction_isolation"), expected);
    EXPECT_EQ(Scalar(*conn_, "SHOW transaction_read_only"), "off");
    ASSERT_OK(conn_->Rollback());
  }
}

TEST_F(PostgresTest, ReadOnlyTransactionRefusesWrites) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id int)"));
  ASSERT_OK(conn_->Begin({.read_only = true, .isolation = Isolation::kRepeatableRead}));
  EXPECT_EQ(Scalar(*conn_, "SHOW transaction_read_only"), "on");
  EXPECT_EQ(Scalar(*conn_, "SHOW transaction_isolation"), "repeatable read");
  auto written = conn_->Execute("INSERT INTO t VALUES (1)");
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(written.error().sqlstate, "25006");
  EXPECT_EQ(written.error().message, "cannot execute INSERT in a read-only transaction");
  ASSERT_OK(conn_->Rollback());
  EXPECT_EQ(Scalar(*conn_, "SELECT count(*) FROM t"), "0");
}

TEST_F(PostgresTest, FailedStatementAbortsTransactionButRollbackWorks) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id int)"));
  ASSERT_OK(conn_->Begin({}));
  ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (1)"));
  EXPECT_FALSE(conn_->Query("SELECT * FROM no_such_table"));
  auto ignored = conn_->Query("SELECT 1");
  ASSERT_FALSE(ignored);
  EXPECT_EQ(ignored.error().sqlstate, "25P02");
  EXPECT_TRUE(conn_->InTransaction());
  ASSERT_OK(conn_->Rollback());
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(Scalar(*conn_, "SELECT count(*) FROM t"), "0");
}

TEST_F(PostgresTest, CommitOfAFailedTransactionSaysItRolledBack) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id int)"));
  ASSERT_OK(conn_->Begin({}));
  ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (1)"));
  EXPECT_FALSE(conn_->Query("SELECT 1/0"));
  auto committed = conn_->Commit();
  ASSERT_FALSE(committed);
  EXPECT_EQ(committed.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(committed.error().sqlstate, "25P02");
  EXPECT_THAT(committed.error().message, HasSubstr("rolled back, not committed"));
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(Scalar(*conn_, "SELECT count(*) FROM t"), "0");
}

TEST_F(PostgresTest, RollbackToASavepointUndoesAFailedCopyAndTheTransactionCommits) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id int PRIMARY KEY)"));
  ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (2)"));
  ASSERT_OK(conn_->Begin({}));
  ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (1)"));
  ASSERT_OK(conn_->Savepoint("before_copy"));
  auto copied = conn_->CopyFrom("COPY t (id) FROM STDIN", "3\n2\n4\n");
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().sqlstate, "23505");
  ASSERT_OK(conn_->RollbackToSavepoint("before_copy"));
  ASSERT_OK(conn_->ReleaseSavepoint("before_copy"));
  ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (5)"));
  ASSERT_OK(conn_->Commit());
  EXPECT_EQ(Scalar(*conn_, "SELECT string_agg(id::text, ',' ORDER BY id) FROM t"), "1,2,5");
}

TEST_F(PostgresTest, TransactionControlOutOfOrderIsAnError) {
  EXPECT_OK(conn_->Rollback());  // nothing to roll back
  auto commit = conn_->Commit();
  ASSERT_FALSE(commit);
  EXPECT_EQ(commit.error().code, ErrorCode::kInternal);
  ASSERT_OK(conn_->Begin({}));
  auto nested = conn_->Begin({});
  ASSERT_FALSE(nested);
  EXPECT_EQ(nested.error().code, ErrorCode::kInternal);
  EXPECT_TRUE(conn_->InTransaction());
  EXPECT_OK(conn_->Commit());
}

// ---- Error mapping -----------------------------------------------------------------------

TEST_F(PostgresTest, SyntaxErrorHasSqlstateAndPosition) {
  auto rows = conn_->Query("SELECT *\n  FROM WHERE x");
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(rows.error().sqlstate, "42601");
  EXPECT_FALSE(rows.error().transient);
  EXPECT_EQ(rows.error().message,
            "syntax error at or near \"WHERE\" (at line 2, column 8 of the statement)");
}

TEST_F(PostgresTest, UniqueViolationIsNotTransient) {
  ASSERT_OK(conn_->Execute("CREATE TABLE u (id int PRIMARY KEY)"));
  ASSERT_OK(conn_->Execute("INSERT INTO u VALUES ($1)", {std::int64_t{1}}));
  auto again = conn_->Execute("INSERT INTO u VALUES ($1)", {std::int64_t{1}});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(again.error().sqlstate, "23505");
  EXPECT_FALSE(again.error().transient);
  EXPECT_EQ(again.error().message, "duplicate key value violates unique constraint \"u_pkey\"");
}

TEST_F(PostgresTest, DeadlockIsTransient) {
  ASSERT_OK(conn_->ExecuteScript(
      "CREATE TABLE d (id int PRIMARY KEY, v int); INSERT INTO d VALUES (1, 0), (2, 0);"));
  auto a = Open();
  auto b = Open();
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  for (Connection* c : {a.get(), b.get()}) {
    ASSERT_OK(c->Execute("SET deadlock_timeout = '100ms'"));
    ASSERT_OK(c->Begin({}));
  }
  ASSERT_OK(a->Execute("UPDATE d SET v = 1 WHERE id = 1"));
  ASSERT_OK(b->Execute("UPDATE d SET v = 2 WHERE id = 2"));

  Result<std::int64_t> a_result = std::int64_t{0};
  std::thread a_thread([&] {
    a_result = a->Execute("UPDATE d SET v = 1 WHERE id = 2");
    if (!a_result) (void)a->Rollback();
  });
  EXPECT_TRUE(WaitFor(*conn_, "SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1",
                      {a->session_id()}, "Lock"));
  Result<std::int64_t> b_result = b->Execute("UPDATE d SET v = 2 WHERE id = 1");
  if (!b_result) (void)b->Rollback();
  a_thread.join();

  ASSERT_NE(a_result.has_value(), b_result.has_value()) << "exactly one victim";
  const Error& error = a_result ? b_result.error() : a_result.error();
  EXPECT_EQ(error.code, ErrorCode::kDatabase);
  EXPECT_EQ(error.sqlstate, "40P01");
  EXPECT_TRUE(error.transient);
  EXPECT_EQ(error.message, "deadlock detected");
  Connection& survivor = a_result ? *a : *b;
  EXPECT_OK(survivor.Commit());
}

TEST_F(PostgresTest, LockTimeoutIsTransient) {
  ASSERT_OK(conn_->Execute("CREATE TABLE l (id int)"));
  auto holder = Open();
  ASSERT_NE(holder, nullptr);
  ASSERT_OK(holder->Begin({}));
  ASSERT_OK(holder->Execute("LOCK TABLE l IN ACCESS EXCLUSIVE MODE"));
  ASSERT_OK(conn_->Execute("SET lock_timeout = '50ms'"));
  auto rows = conn_->Query("SELECT * FROM l");
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().sqlstate, "55P03");
  EXPECT_TRUE(rows.error().transient);
  EXPECT_OK(holder->Rollback());
}

TEST_F(PostgresTest, StatementTimeoutIsADatabaseErrorNotACancel) {
  ASSERT_OK(conn_->Execute("SET statement_timeout = '50ms'"));
  auto rows = conn_->Query("SELECT pg_sleep(5)");
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(rows.error().sqlstate, "57014");
  EXPECT_EQ(rows.error().message, "canceling statement due to statement timeout");
}

// ---- Cancel and lost connections ---------------------------------------------------------

TEST_F(PostgresTest, CancelFromAnotherThreadStopsTheStatement) {
  auto observer = Open();
  ASSERT_NE(observer, nullptr);
  std::shared_ptr<Canceler> canceler = conn_->GetCanceler();
  const std::int64_t pid = conn_->session_id();
  std::thread canceling([&] {
    EXPECT_TRUE(
        WaitFor(*observer, "SELECT state FROM pg_stat_activity WHERE pid = $1", {pid}, "active"));
    EXPECT_OK(canceler->Cancel());
  });
  const auto start = std::chrono::steady_clock::now();
  auto rows = conn_->Query("SELECT pg_sleep(30)");
  canceling.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(rows.error().sqlstate, "57014");
  EXPECT_EQ(rows.error().message, "canceling statement due to user request");
  EXPECT_EQ(Scalar(*conn_, "SELECT 1"), "1");

  // Canceling an idle connection does nothing; PostgreSQL ignores the request.
  EXPECT_OK(canceler->Cancel());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Scalar(*conn_, "SELECT 2"), "2");
  // After the connection closed there is nothing to cancel.
  conn_.reset();
  EXPECT_OK(canceler->Cancel());
}

TEST_F(PostgresTest, TerminatedBackendIsATransientConnectionErrorFromThenOn) {
  auto victim = Open();
  ASSERT_NE(victim, nullptr);
  std::shared_ptr<Canceler> canceler = victim->GetCanceler();
  const std::int64_t pid = victim->session_id();
  {
    auto tx = Transaction::Begin(*victim);
    ASSERT_OK(tx);
    ASSERT_OK(victim->Execute("CREATE TABLE gone (id int)"));
    EXPECT_EQ(Scalar(*conn_, "SELECT pg_terminate_backend($1::int)", {pid}), "t");
    EXPECT_TRUE(
        WaitFor(*conn_, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1", {pid}, "0"));

    auto rows = victim->Query("SELECT 1");
    ASSERT_FALSE(rows);
    EXPECT_EQ(rows.error().code, ErrorCode::kConnection);
    EXPECT_TRUE(rows.error().transient);
    EXPECT_EQ(rows.error().message, "lost the connection to " + victim->display_url() +
                                        ": terminating connection due to administrator command");
    EXPECT_FALSE(victim->InTransaction());
  }  // the RAII rollback meets a dead connection: no crash, no error

  auto again = victim->Query("SELECT 1");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kConnection);
  EXPECT_TRUE(again.error().transient);
  EXPECT_THAT(again.error().message, HasSubstr("was lost earlier"));
  EXPECT_EQ(victim->Begin({}).error().code, ErrorCode::kConnection);
  EXPECT_EQ(victim->Commit().error().code, ErrorCode::kConnection);
  EXPECT_OK(victim->Rollback());
  EXPECT_EQ(victim->ExecuteScript("SELECT 1").error().code, ErrorCode::kConnection);
  EXPECT_EQ(victim->CopyFrom("COPY gone FROM stdin", "1\n").error().code, ErrorCode::kConnection);
  EXPECT_OK(canceler->Cancel());
  EXPECT_EQ(Scalar(*conn_, "SELECT to_regclass('gone') IS NULL"), "t");
}

// ---- COPY --------------------------------------------------------------------------------

TEST_F(PostgresTest, CopyTextAndCsvRoundTrip) {
  ASSERT_OK(conn_->Execute("CREATE TABLE c (id int, a text, b text)"));
  ASSERT_OK(conn_->CopyFrom("COPY c (id, a, b) FROM stdin;",
                            "1\tx\\ty\tback\\\\slash\n2\t\\N\tline\\nbreak\n"));
  ASSERT_OK(conn_->CopyFrom("copy c FROM STDIN WITH (FORMAT csv) -- comment",
                            "3,\"a,b\",\"multi\nline\"\n4,,\"tab\there \\ back\"\n"
                            "5,\"\",no newline at the end"));
  auto rows = conn_->Query("SELECT id, a, b FROM c ORDER BY id");
  ASSERT_OK(rows);
  const std::vector<std::vector<Cell>> expected = {
      {"1", "x\ty", "back\\slash"},       {"2", std::nullopt, "line\nbreak"},
      {"3", "a,b", "multi\nline"},        {"4", std::nullopt, "tab\there \\ back"},
      {"5", "", "no newline at the end"},
  };
  EXPECT_EQ(rows->rows, expected);
}

TEST_F(PostgresTest, CopyStreamsLargeData) {
  ASSERT_OK(conn_->Execute("CREATE TABLE big (id int, v text)"));
  std::string data;
  for (int i = 1; i <= 20000; ++i) data += fmt::format("{}\tvalue number {}\n", i, i);
  ASSERT_GT(data.size(), 4u * 64 * 1024);
  ASSERT_OK(conn_->CopyFrom("COPY big FROM STDIN", data));
  EXPECT_EQ(Scalar(*conn_,
                   "SELECT count(*) || ' ' || sum(id) || ' ' || "
                   "bool_and(v = 'value number ' || id) FROM big"),
            "20000 200010000 true");
}

TEST_F(PostgresTest, CopyErrorsNameTheLine) {
  ASSERT_OK(conn_->Execute("CREATE TABLE c (id int)"));
  auto copied = conn_->CopyFrom("COPY c (id) FROM stdin", "1\nbad\n3\n");
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(copied.error().sqlstate, "22P02");
  EXPECT_EQ(copied.error().message,
            "invalid input syntax for type integer: \"bad\" (COPY c, line 2, column id: "
            "\"bad\")");
  EXPECT_EQ(Scalar(*conn_, "SELECT count(*) FROM c"), "0");

  auto missing = conn_->CopyFrom("COPY no_such_table FROM stdin", "1\n");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().sqlstate, "42P01");
  EXPECT_EQ(Scalar(*conn_, "SELECT 1"), "1");
}

TEST_F(PostgresTest, CopyRefusesOtherStatements) {
  for (const char* statement :
       {"SELECT 1", "COPY c TO STDOUT", "COPY c FROM stdin; SELECT 1", "COPY c FROM '/etc/x'"}) {
    auto copied = conn_->CopyFrom(statement, "");
    ASSERT_FALSE(copied) << statement;
    EXPECT_EQ(copied.error().code, ErrorCode::kInvalidArgument) << statement;
  }
}

TEST_F(PostgresTest, CopyInsideATransactionRollsBack) {
  ASSERT_OK(conn_->Execute("CREATE TABLE c (id int)"));
  ASSERT_OK(conn_->Begin({}));
  ASSERT_OK(conn_->CopyFrom("COPY c FROM stdin", "1\n2\n"));
  EXPECT_EQ(Scalar(*conn_, "SELECT count(*) FROM c"), "2");
  ASSERT_OK(conn_->Rollback());
  EXPECT_EQ(Scalar(*conn_, "SELECT count(*) FROM c"), "0");
}

// ---- Scripts and notices -----------------------------------------------------------------

TEST_F(PostgresTest, ExecuteScriptRunsSeveralStatements) {
  ASSERT_OK(conn_->ExecuteScript(
      "CREATE TABLE s1 (x int);\n"
      "INSERT INTO s1 VALUES (1), (2);\n"
      "CREATE FUNCTION twice(i int) RETURNS int AS $$ SELECT i * 2; $$ LANGUAGE sql;\n"
      "CREATE TABLE s2 AS SELECT twice(x) AS y FROM s1;"));
  EXPECT_EQ(Scalar(*conn_, "SELECT sum(y) FROM s2"), "6");

  // The simple protocol runs a script as one implicit transaction: all or nothing.
  auto failed = conn_->ExecuteScript("CREATE TABLE s3 (x int);\nSELEC 1;");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().sqlstate, "42601");
  EXPECT_EQ(failed.error().message,
            "syntax error at or near \"SELEC\" (at line 2, column 1 of the statement)");
  EXPECT_EQ(Scalar(*conn_, "SELECT to_regclass('s3') IS NULL"), "t");
}

TEST_F(PostgresTest, NoticesGoToTheLogNotToStderr) {
  auto previous = spdlog::default_logger();
  std::ostringstream log;
  auto logger = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  logger->set_level(spdlog::level::debug);
  spdlog::set_default_logger(logger);

  ::testing::internal::CaptureStderr();
  auto raised = conn_->Query("DO $$ BEGIN RAISE NOTICE 'strata-notice-%', 7; END $$");
  auto scripted =
      conn_->ExecuteScript("DO $$ BEGIN RAISE NOTICE 'strata-notice-8'; END $$; SELECT 1;");
  const std::string stderr_text = ::testing::internal::GetCapturedStderr();
  spdlog::set_default_logger(previous);

  ASSERT_OK(raised);
  ASSERT_OK(scripted);
  EXPECT_THAT(stderr_text, Not(HasSubstr("strata-notice")));
  EXPECT_THAT(log.str(),
              AllOf(HasSubstr("NOTICE: strata-notice-7"), HasSubstr("NOTICE: strata-notice-8"),
                    HasSubstr(conn_->display_url())));
}

}  // namespace
}  // namespace strata::db::postgres
