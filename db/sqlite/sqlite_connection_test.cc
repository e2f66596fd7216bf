#include "db/sqlite/sqlite_connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <thread>

#include "db/sqlite/sqlite_error.h"
#include "tests/support/test_env.h"

namespace strata::db::sqlite {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Result<std::unique_ptr<Connection>> ConnectTo(const std::string& url_text) {
  STRATA_ASSIGN_OR_RETURN(const Url url, ParseUrl(url_text));
  return Connect(url, ConnectOptions{});
}

// A connection that fails the test (and returns nullptr) when it cannot be opened.
std::unique_ptr<Connection> MustConnect(const std::string& url_text) {
  auto conn = ConnectTo(url_text);
  if (!conn) {
    ADD_FAILURE() << "cannot connect to " << url_text << ": " << conn.error().message;
    return nullptr;
  }
  return std::move(conn).value();
}

std::int64_t CountRows(Connection& conn, const std::string& table) {
  auto rows = conn.Query("SELECT count(*) FROM " + table);
  if (!rows) {
    ADD_FAILURE() << rows.error().message;
    return -1;
  }
  return rows->Int(0, 0).value_or(-1);
}

// A fresh database file per test, with a table `t` and a connection to it.
class SqliteFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = testing::ScratchDatabase::Create(Dialect::kSqlite);
    ASSERT_NE(scratch_, nullptr);
    conn_ = MustConnect(scratch_->url());
    ASSERT_NE(conn_, nullptr);
    ASSERT_TRUE(conn_->ExecuteScript("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"));
  }

  std::unique_ptr<testing::ScratchDatabase> scratch_;
  std::unique_ptr<Connection> conn_;
};

// ---- Connecting ----------------------------------------------------------------------------

TEST(SqliteConnectTest, ReportsServerInfo) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->dialect(), Dialect::kSqlite);
  EXPECT_EQ(conn->server().product, "SQLite");
  EXPECT_EQ(conn->server().version, sqlite3_libversion());
  const int n = sqlite3_libversion_number();
  EXPECT_EQ(conn->server().version_number,
            (n / 1000000) * 10000 + (n / 1000 % 1000) * 100 + n % 1000);
  if (std::string(sqlite3_libversion()) == "3.40.1") {
    EXPECT_EQ(conn->server().version_number, 34001);
  }
  EXPECT_EQ(conn->session_id(), 0);
  EXPECT_EQ(conn->display_url(), "sqlite::memory:");
}

TEST(SqliteConnectTest, TurnsForeignKeysOn) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  auto rows = conn->Query("PRAGMA foreign_keys");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->Text(0, 0).value_or(""), "1");
  ASSERT_TRUE(
      conn->ExecuteScript("CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                          "CREATE TABLE child (parent_id INTEGER REFERENCES parent (id));"));
  auto inserted = conn->Execute("INSERT INTO child VALUES (42)");
  ASSERT_FALSE(inserted);
  EXPECT_EQ(inserted.error().server_errno, SQLITE_CONSTRAINT_FOREIGNKEY);
  EXPECT_EQ(inserted.error().sqlstate, "SQLITE_CONSTRAINT_FOREIGNKEY");
}

TEST(SqliteConnectTest, MissingDirectoryIsAConnectionErrorNamingThePath) {
  const std::string path = "/nonexistent-strata-dir/sub/events.db";
  auto conn = ConnectTo("sqlite:" + path);
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().code, ErrorCode::kConnection);
  EXPECT_THAT(conn.error().message, HasSubstr("cannot open SQLite database " + path));
  EXPECT_THAT(conn.error().message,
              HasSubstr("the directory /nonexistent-strata-dir/sub does not exist"));
  EXPECT_EQ(conn.error().server_errno & 0xff, SQLITE_CANTOPEN);
}

TEST(SqliteConnectTest, FileThatIsNotADatabaseFailsAtConnect) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("strata_not_a_db_" + std::to_string(::getpid()) + ".db");
  {
    std::ofstream out(path);
    out << "this is a text file, long enough to be read as a database header, not a database\n"
        << std::string(200, 'x');
  }
  auto conn = ConnectTo("sqlite:" + path.string());
  std::filesystem::remove(path);
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().code, ErrorCode::kConnection);
  EXPECT_THAT(conn.error().message, HasSubstr(path.string()));
  EXPECT_EQ(conn.error().sqlstate, "SQLITE_NOTADB");
}

TEST(SqliteConnectTest, RejectsUnknownUrlParameterWithoutEchoingItsValue) {
  auto conn = ConnectTo("sqlite::memory:?colour=s3cret");
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(conn.error().message, HasSubstr("unknown SQLite URL parameter 'colour'"));
  EXPECT_THAT(conn.error().message, Not(HasSubstr("s3cret")));
}

TEST(SqliteConnectTest, RejectsBadParameterValues) {
  auto mode = ConnectTo("sqlite::memory:?mode=rwx");
  ASSERT_FALSE(mode);
  EXPECT_EQ(mode.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(mode.error().message, HasSubstr("mode='rwx'"));
  for (const char* bad : {"-1", "ten", "", "10ms", "99999999999"}) {
    auto timeout = ConnectTo(std::string("sqlite::memory:?busy_timeout=") + bad);
    ASSERT_FALSE(timeout) << bad;
    EXPECT_EQ(timeout.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_THAT(timeout.error().message, HasSubstr("busy_timeout")) << bad;
  }
}

TEST(SqliteConnectTest, ModeRwDoesNotCreateTheFile) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("strata_missing_" + std::to_string(::getpid()) + ".db");
  std::filesystem::remove(path);
  auto conn = ConnectTo("sqlite:" + path.string() + "?mode=rw");
  ASSERT_FALSE(conn);
  EXPECT_EQ(conn.error().code, ErrorCode::kConnection);
  EXPECT_THAT(conn.error().message, HasSubstr(path.string()));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(SqliteFileTest, ModeRoReadsButRefusesWrites) {
  ASSERT_TRUE(conn_->Execute("INSERT INTO t (v) VALUES ('a')"));
  auto reader = MustConnect(scratch_->url() + "?mode=ro");
  ASSERT_NE(reader, nullptr);
  EXPECT_EQ(CountRows(*reader, "t"), 1);
  auto write = reader->Execute("INSERT INTO t (v) VALUES ('b')");
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(write.error().server_errno & 0xff, SQLITE_READONLY);
  EXPECT_EQ(CountRows(*conn_, "t"), 1);
}

// ---- Values --------------------------------------------------------------------------------

TEST(SqliteValueTest, EveryParamTypeRoundTrips) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  struct Case {
    Param param;
    Cell text;
    std::string type;
  };
  const std::string with_nul("a\0b", 3);
  const Case cases[] = {
      {nullptr, std::nullopt, "null"},
      {true, "1", "integer"},
      {false, "0", "integer"},
      {std::int64_t{0}, "0", "integer"},
      {std::numeric_limits<std::int64_t>::max(), "9223372036854775807", "integer"},
      {std::numeric_limits<std::int64_t>::min(), "-9223372036854775808", "integer"},
      {0.1, "0.1", "real"},
      {-2.0, "-2.0", "real"},
      {std::string(), "", "text"},
      {std::string("h\xC3\xA9llo 'quoted' \"x\""), "h\xC3\xA9llo 'quoted' \"x\"", "text"},
      {with_nul, with_nul, "text"},
  };
  for (const Case& c : cases) {
    auto rows = conn->Query("SELECT " + Placeholder(Dialect::kSqlite, 1) + " AS value, typeof(" +
                                Placeholder(Dialect::kSqlite, 1) + ") AS type",
                            {c.param});
    ASSERT_TRUE(rows) << rows.error().message;
    ASSERT_EQ(rows->size(), 1u);
    EXPECT_EQ(rows->columns, (std::vector<std::string>{"value", "type"}));
    EXPECT_EQ(rows->rows[0][0], c.text) << c.type;
    EXPECT_EQ(rows->rows[0][1], c.type);
    EXPECT_EQ(rows->affected, 0);
  }
}

TEST(SqliteValueTest, ParamsRoundTripThroughATable) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->ExecuteScript("CREATE TABLE v (n INTEGER, r REAL, s TEXT, b INTEGER)"));
  auto inserted = conn->Execute("INSERT INTO v VALUES (?1, ?2, ?3, ?4), (?5, ?5, ?5, ?5)",
                                {std::int64_t{-7}, 1.0 / 3, std::string("x"), true, nullptr});
  ASSERT_TRUE(inserted) << inserted.error().message;
  EXPECT_EQ(*inserted, 2);
  auto rows = conn->Query("SELECT n, r, s, b FROM v ORDER BY n IS NULL");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(rows->rows[0][0], "-7");
  EXPECT_EQ(rows->rows[0][1], "0.3333333333333333");
  EXPECT_EQ(rows->rows[0][2], "x");
  EXPECT_EQ(rows->rows[0][3], "1");
  for (std::size_t col = 0; col < 4; ++col) EXPECT_TRUE(rows->IsNull(1, col)) << col;
  EXPECT_EQ(rows->Int(0, 0).value_or(0), -7);
  auto null_int = rows->Int(1, 0);
  ASSERT_FALSE(null_int);
  EXPECT_THAT(null_int.error().message, HasSubstr("column n is NULL"));
}

TEST(SqliteValueTest, RealsPrintTheShortestTextThatReadsBack) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  const std::pair<const char*, const char*> cases[] = {
      {"3.0", "3.0"},
      {"0.1 + 0.2", "0.30000000000000004"},
      {"-2.5", "-2.5"},
      {"123456789.0", "123456789.0"},
      {"1e100", "1e+100"},
      {"1.5e-7", "1.5e-07"},
      {"4.9406564584124654e-324", "5e-324"},
      {"1e999", "Inf"},
      {"-1e999", "-Inf"},
      {"CAST(1 AS REAL) / 3", "0.3333333333333333"},
  };
  for (const auto& [expr, text] : cases) {
    auto rows = conn->Query(std::string("SELECT ") + expr);
    ASSERT_TRUE(rows) << expr << ": " << rows.error().message;
    EXPECT_EQ(rows->rows[0][0], text) << expr;
  }
  // Bound doubles come back bit for bit.
  for (double value : {0.1, 1.0 / 3, 2.0 / 3 * 1e-300, 6.02214076e23, -0.0}) {
    auto rows = conn->Query("SELECT ?1", {value});
    ASSERT_TRUE(rows) << rows.error().message;
    const std::string& text = *rows->rows[0][0];
    double parsed = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), parsed);
    ASSERT_EQ(ec, std::errc()) << text;
    EXPECT_EQ(ptr, text.data() + text.size()) << text;
    EXPECT_EQ(parsed, value) << text;
  }
}

TEST(SqliteValueTest, BlobsAreRawBytesAndNullsAreNullopt) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  auto rows = conn->Query("SELECT x'00ff41', x'', NULL, 'NULL', 42");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->rows[0][0], std::string("\x00\xff"
                                          "A",
                                          3));
  EXPECT_EQ(rows->rows[0][1], std::string());
  EXPECT_EQ(rows->rows[0][2], std::nullopt);
  EXPECT_EQ(rows->rows[0][3], "NULL");
  EXPECT_EQ(rows->rows[0][4], "42");
}

TEST(SqliteValueTest, EmptyResultStillHasColumnNames) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  auto rows = conn->Query("SELECT 1 AS a, 'x' AS b WHERE 0");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_TRUE(rows->empty());
  EXPECT_EQ(rows->columns, (std::vector<std::string>{"a", "b"}));
}

// ---- Statements ----------------------------------------------------------------------------

TEST_F(SqliteFileTest, BatchRunsTheStatementForEveryRow) {
  EXPECT_FALSE(conn_->batches_in_one_round_trip());
  auto inserted =
      conn_->ExecuteBatch("INSERT INTO t (id, v) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                          {{std::int64_t{1}, std::string("a")},
                           {std::int64_t{2}, nullptr},
                           {std::int64_t{3}, std::string("a")}});
  ASSERT_TRUE(inserted) << inserted.error().message;
  EXPECT_EQ(*inserted, 2);
  auto rows = conn_->Query("SELECT id, v FROM t ORDER BY id");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->rows, (std::vector<std::vector<Cell>>{{"1", "a"}, {"2", std::nullopt}}));
  EXPECT_FALSE(conn_->ExecuteBatch("INSERT INTO t (id, v) VALUES (?1, ?2)", {{std::int64_t{4}}}));
  EXPECT_EQ(conn_->ExecuteBatch("DELETE FROM t", {}).value_or(-1), 0);
}

TEST_F(SqliteFileTest, AffectedCountsOnlyThisStatementsChanges) {
  auto inserted = conn_->Execute("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')");
  ASSERT_TRUE(inserted) << inserted.error().message;
  EXPECT_EQ(*inserted, 3);
  EXPECT_EQ(conn_->Execute("UPDATE t SET v = v || '!' WHERE v IN ('a', 'b')").value_or(-1), 2);
  // SQLite keeps the last DML count (2) around; statements that change nothing report 0.
  auto selected = conn_->Query("SELECT * FROM t");
  ASSERT_TRUE(selected);
  EXPECT_EQ(selected->affected, 0);
  EXPECT_EQ(selected->size(), 3u);
  EXPECT_EQ(conn_->Execute("CREATE TABLE u (x INTEGER)").value_or(-1), 0);
  EXPECT_EQ(conn_->Execute("DELETE FROM t WHERE v = 'nope'").value_or(-1), 0);
  EXPECT_EQ(conn_->Execute("DELETE FROM t").value_or(-1), 3);
  auto returning = conn_->Query("INSERT INTO t (v) VALUES ('r') RETURNING id, v");
  ASSERT_TRUE(returning) << returning.error().message;
  EXPECT_EQ(returning->affected, 1);
  ASSERT_EQ(returning->size(), 1u);
  EXPECT_EQ(returning->rows[0][1], "r");
}

TEST(SqliteStatementTest, QueryRejectsASecondStatement) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->ExecuteScript("CREATE TABLE t (x INTEGER)"));
  auto two = conn->Query("INSERT INTO t VALUES (1);\n  INSERT INTO t VALUES (2)");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(two.error().message, HasSubstr("exactly one statement"));
  EXPECT_THAT(two.error().message, HasSubstr("line 2, column 3"));
  EXPECT_THAT(two.error().message, HasSubstr("ExecuteScript"));
  EXPECT_EQ(CountRows(*conn, "t"), 0);  // nothing ran

  // Whitespace, comments and semicolons after the statement are fine.
  auto one = conn->Query("SELECT 1; -- done\n /* really */ ;  ");
  ASSERT_TRUE(one) << one.error().message;
  EXPECT_EQ(one->rows[0][0], "1");

  auto none = conn->Query("  -- nothing\n");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(none.error().message, HasSubstr("no SQL statement"));
}

TEST(SqliteStatementTest, ParameterCountMustMatch) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  auto too_few = conn->Query("SELECT ?1, ?2", {std::int64_t{1}});
  ASSERT_FALSE(too_few);
  EXPECT_EQ(too_few.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(too_few.error().message, HasSubstr("takes 2 parameter(s) but 1 were given"));
  auto too_many = conn->Query("SELECT 1", {std::int64_t{1}});
  ASSERT_FALSE(too_many);
  EXPECT_THAT(too_many.error().message, HasSubstr("takes 0 parameter(s) but 1 were given"));
  // A placeholder used twice is one parameter.
  auto twice = conn->Query("SELECT ?1 + ?1", {std::int64_t{21}});
  ASSERT_TRUE(twice) << twice.error().message;
  EXPECT_EQ(twice->rows[0][0], "42");
}

TEST(SqliteStatementTest, SyntaxErrorNamesCodeAndPosition) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  auto bad = conn->Query("SELECT 1,\n  2 FROMM x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(bad.error().server_errno, SQLITE_ERROR);
  EXPECT_EQ(bad.error().sqlstate, "SQLITE_ERROR");
  EXPECT_FALSE(bad.error().transient);
  EXPECT_THAT(bad.error().message, HasSubstr("near \"x\": syntax error at line 2, column 11"));
}

TEST_F(SqliteFileTest, ConstraintViolationCarriesTheExtendedCode) {
  ASSERT_TRUE(conn_->Execute("INSERT INTO t (v) VALUES ('dup')"));
  auto again = conn_->Execute("INSERT INTO t (v) VALUES (?1)", {std::string("dup")});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(again.error().server_errno, SQLITE_CONSTRAINT_UNIQUE);
  EXPECT_EQ(again.error().sqlstate, "SQLITE_CONSTRAINT_UNIQUE");
  EXPECT_FALSE(again.error().transient);
  EXPECT_THAT(again.error().message, HasSubstr("UNIQUE constraint failed: t.v"));
}

TEST(SqliteStatementTest, CopyFromIsUnsupported) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  auto copied = conn->CopyFrom("COPY t FROM STDIN", "1\n");
  ASSERT_FALSE(copied);
  EXPECT_EQ(copied.error().code, ErrorCode::kUnsupported);
}

// ---- Scripts -------------------------------------------------------------------------------

TEST(SqliteScriptTest, StopsAtTheFailingStatement) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  auto ran = conn->ExecuteScript(
      "-- setup\n"
      "CREATE TABLE s (x INTEGER NOT NULL);\n"
      "INSERT INTO s VALUES (1); INSERT INTO s VALUES (2);\n"
      "/* the third insert fails */\n"
      "  INSERT INTO s VALUES (NULL);\n"
      "INSERT INTO s VALUES (4);\n");
  ASSERT_FALSE(ran);
  EXPECT_EQ(ran.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(ran.error().server_errno, SQLITE_CONSTRAINT_NOTNULL);
  EXPECT_THAT(ran.error().message, HasSubstr("script statement 4 (at line 5, column 3)"));
  EXPECT_THAT(ran.error().message, HasSubstr("NOT NULL constraint failed: s.x"));
  auto rows = conn->Query("SELECT group_concat(x) FROM s");
  ASSERT_TRUE(rows) << rows.error().message;
  EXPECT_EQ(rows->rows[0][0], "1,2");
}

TEST(SqliteScriptTest, SyntaxErrorPositionIsRelativeToTheScript) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  auto ran = conn->ExecuteScript("SELECT 1;\nSELECT 2;\nSELECT 3 FROMM y;\nSELECT 4;");
  ASSERT_FALSE(ran);
  EXPECT_THAT(ran.error().message, HasSubstr("script statement 3 (at line 3, column 1)"));
  EXPECT_THAT(ran.error().message, HasSubstr("syntax error at line 3, column 16"));
}

TEST(SqliteScriptTest, AcceptsEmptyScriptsAndTrailingComments) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  EXPECT_TRUE(conn->ExecuteScript(""));
  EXPECT_TRUE(conn->ExecuteScript("  ;; -- nothing\n"));
  ASSERT_TRUE(conn->ExecuteScript(";;CREATE TABLE a (x);;INSERT INTO a VALUES (1) -- end"));
  EXPECT_EQ(CountRows(*conn, "a"), 1);
}

// ---- Transactions --------------------------------------------------------------------------

TEST_F(SqliteFileTest, CommitIsVisibleToOtherConnectionsRollbackIsNot) {
  auto other = MustConnect(scratch_->url());
  ASSERT_NE(other, nullptr);

  EXPECT_FALSE(conn_->InTransaction());
  ASSERT_TRUE(conn_->Begin({}));
  EXPECT_TRUE(conn_->InTransaction());
  ASSERT_TRUE(conn_->Execute("INSERT INTO t (v) VALUES ('kept')"));
  EXPECT_EQ(CountRows(*other, "t"), 0);
  ASSERT_TRUE(conn_->Commit());
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(CountRows(*other, "t"), 1);

  ASSERT_TRUE(conn_->Begin({}));
  ASSERT_TRUE(conn_->Execute("INSERT INTO t (v) VALUES ('dropped')"));
  ASSERT_TRUE(conn_->Rollback());
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(CountRows(*other, "t"), 1);
  EXPECT_EQ(CountRows(*conn_, "t"), 1);

  // Commit without a transaction is an error; Rollback without one does nothing.
  auto commit = conn_->Commit();
  ASSERT_FALSE(commit);
  EXPECT_THAT(commit.error().message, HasSubstr("no transaction is active"));
  EXPECT_TRUE(conn_->Rollback());
}

TEST_F(SqliteFileTest, RaiiTransactionRollsBackUnlessCommitted) {
  {
    auto tx = Transaction::Begin(*conn_);
    ASSERT_TRUE(tx) << tx.error().message;
    ASSERT_TRUE(conn_->Execute("INSERT INTO t (v) VALUES ('lost')"));
  }
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(CountRows(*conn_, "t"), 0);
  {
    auto tx = Transaction::Begin(*conn_, TxOptions{.immediate = true});
    ASSERT_TRUE(tx) << tx.error().message;
    ASSERT_TRUE(conn_->Execute("INSERT INTO t (v) VALUES ('kept')"));
    ASSERT_TRUE(tx->Commit());
    EXPECT_FALSE(tx->active());
  }
  EXPECT_EQ(CountRows(*conn_, "t"), 1);
  ASSERT_TRUE(conn_->Begin({}));
  auto nested = conn_->Begin({});
  ASSERT_FALSE(nested);
  EXPECT_THAT(nested.error().message, HasSubstr("within a transaction"));
  EXPECT_TRUE(conn_->Rollback());
}

TEST_F(SqliteFileTest, ReadOnlyTransactionRefusesWritesAndLeavesTheDatabaseUnchanged) {
  ASSERT_TRUE(conn_->Execute("INSERT INTO t (v) VALUES ('before')"));
  {
    auto tx = Transaction::Begin(*conn_, TxOptions{.read_only = true});
    ASSERT_TRUE(tx) << tx.error().message;
    EXPECT_EQ(CountRows(*conn_, "t"), 1);  // reads work
    auto write = conn_->Execute("INSERT INTO t (v) VALUES ('during')");
    ASSERT_FALSE(write);
    EXPECT_EQ(write.error().code, ErrorCode::kDatabase);
    EXPECT_EQ(write.error().server_errno & 0xff, SQLITE_READONLY);
    EXPECT_THAT(write.error().message, HasSubstr("readonly"));
    EXPECT_FALSE(conn_->ExecuteScript("DELETE FROM t; DROP TABLE t;"));
    ASSERT_TRUE(tx->Commit());
  }
  auto other = MustConnect(scratch_->url());
  ASSERT_NE(other, nullptr);
  auto rows = other->Query("SELECT v FROM t");
  ASSERT_TRUE(rows) << rows.error().message;
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->rows[0][0], "before");

  // After the read-only transaction the connection writes again.
  EXPECT_EQ(conn_->Execute("INSERT INTO t (v) VALUES ('after')").value_or(-1), 1);
}

TEST_F(SqliteFileTest, ReadOnlyEndsWhenTheTransactionEndsAnyWay) {
  ASSERT_TRUE(conn_->Begin(TxOptions{.read_only = true}));
  ASSERT_FALSE(conn_->Execute("INSERT INTO t (v) VALUES ('no')"));
  ASSERT_TRUE(conn_->Query("ROLLBACK"));  // ended with SQL, not through Rollback()
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(conn_->Execute("INSERT INTO t (v) VALUES ('yes')").value_or(-1), 1);

  ASSERT_TRUE(conn_->Begin(TxOptions{.read_only = true}));
  ASSERT_TRUE(conn_->Rollback());
  EXPECT_EQ(conn_->Execute("INSERT INTO t (v) VALUES ('again')").value_or(-1), 1);
}

TEST_F(SqliteFileTest, WriteLockHeldElsewhereFailsTransientAfterBusyTimeout) {
  auto holder = MustConnect(scratch_->url());
  ASSERT_NE(holder, nullptr);
  ASSERT_TRUE(holder->Begin(TxOptions{.immediate = true}));
  auto waiter = MustConnect(scratch_->url() + "?busy_timeout=100");
  ASSERT_NE(waiter, nullptr);

  const auto start = std::chrono::steady_clock::now();
  auto write = waiter->Execute("INSERT INTO t (v) VALUES ('blocked')");
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(write);
  EXPECT_EQ(write.error().code, ErrorCode::kDatabase);
  EXPECT_TRUE(write.error().transient);
  EXPECT_EQ(write.error().server_errno & 0xff, SQLITE_BUSY);
  EXPECT_THAT(write.error().sqlstate, HasSubstr("SQLITE_BUSY"));
  EXPECT_THAT(write.error().message, HasSubstr("database is locked"));
  EXPECT_GE(waited, std::chrono::milliseconds(90));
  EXPECT_LT(waited, std::chrono::seconds(5));

  auto begin = waiter->Begin(TxOptions{.immediate = true});
  ASSERT_FALSE(begin);
  EXPECT_TRUE(begin.error().transient);
  EXPECT_FALSE(waiter->InTransaction());

  // Once the lock is gone the same write succeeds.
  ASSERT_TRUE(holder->Rollback());
  EXPECT_EQ(waiter->Execute("INSERT INTO t (v) VALUES ('through')").value_or(-1), 1);
}

// ---- Cancellation --------------------------------------------------------------------------

TEST(SqliteCancelTest, InterruptFromAnotherThreadCancelsALongQuery) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  std::shared_ptr<Canceler> canceler = conn->GetCanceler();
  std::atomic<bool> done{false};
  // Cancel repeatedly: a Cancel() that lands before the statement starts is a no-op.
  std::thread cancel_thread([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    while (!done.load()) {
      EXPECT_TRUE(canceler->Cancel());
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  });
  const auto start = std::chrono::steady_clock::now();
  auto rows = conn->Query(
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) "
      "SELECT count(*) FROM c");
  done = true;
  cancel_thread.join();
  ASSERT_FALSE(rows);
  EXPECT_EQ(rows.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(rows.error().server_errno, SQLITE_INTERRUPT);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));

  // The connection stays usable, and cancelling when nothing runs changes nothing.
  EXPECT_TRUE(canceler->Cancel());
  auto after = conn->Query("SELECT 7");
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(after->rows[0][0], "7");
}

TEST(SqliteCancelTest, CancelAfterCloseDoesNothing) {
  auto conn = MustConnect("sqlite::memory:");
  ASSERT_NE(conn, nullptr);
  std::shared_ptr<Canceler> canceler = conn->GetCanceler();
  conn.reset();
  EXPECT_TRUE(canceler->Cancel());
}

// ---- Result codes --------------------------------------------------------------------------

TEST(SqliteErrorTest, NamesResultCodesAndClassifiesThem) {
  EXPECT_EQ(ResultCodeName(SQLITE_BUSY), "SQLITE_BUSY");
  EXPECT_EQ(ResultCodeName(SQLITE_BUSY_SNAPSHOT), "SQLITE_BUSY_SNAPSHOT");
  EXPECT_EQ(ResultCodeName(SQLITE_CONSTRAINT_PRIMARYKEY), "SQLITE_CONSTRAINT_PRIMARYKEY");
  EXPECT_EQ(ResultCodeName(9999), "SQLITE_9999");
  EXPECT_TRUE(IsTransientCode(SQLITE_BUSY));
  EXPECT_TRUE(IsTransientCode(SQLITE_LOCKED_SHAREDCACHE));
  EXPECT_FALSE(IsTransientCode(SQLITE_CONSTRAINT_UNIQUE));
  EXPECT_EQ(ErrorCodeFor(SQLITE_INTERRUPT), ErrorCode::kCancelled);
  EXPECT_EQ(ErrorCodeFor(SQLITE_IOERR_WRITE), ErrorCode::kIo);
  EXPECT_EQ(ErrorCodeFor(SQLITE_CANTOPEN_ISDIR), ErrorCode::kConnection);
  EXPECT_EQ(ErrorCodeFor(SQLITE_READONLY), ErrorCode::kDatabase);
  const Error error = SqliteError(SQLITE_LOCKED, "database table is locked");
  EXPECT_EQ(error.code, ErrorCode::kDatabase);
  EXPECT_EQ(error.sqlstate, "SQLITE_LOCKED");
  EXPECT_EQ(error.server_errno, SQLITE_LOCKED);
  EXPECT_TRUE(error.transient);
  EXPECT_EQ(error.message, "database table is locked");
}

}  // namespace
}  // namespace strata::db::sqlite
