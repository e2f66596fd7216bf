// The mariadb driver against the real MariaDB test server (tests/with-servers).
#include "db/mariadb/mariadb_connection.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "db/url.h"
#include "tests/support/test_env.h"

namespace strata::db::mariadb {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;
using Clock = std::chrono::steady_clock;

Result<std::unique_ptr<Connection>> TryConnect(const std::string& url,
                                               const ConnectOptions& options = {}) {
  auto parsed = ParseUrl(url);
  if (!parsed) return parsed.error();
  return Connect(*parsed, options);
}

std::unique_ptr<Connection> MustConnect(const std::string& url,
                                        const ConnectOptions& options = {}) {
  auto conn = TryConnect(url, options);
  if (!conn) {
    ADD_FAILURE() << "cannot connect: " << conn.error().message;
    return nullptr;
  }
  return std::move(conn).value();
}

// Runs `sql` and returns its rows, recording a failure (and returning no rows) on error.
Rows MustQuery(Connection& conn, std::string_view sql, const Params& params = {}) {
  auto rows = conn.Query(sql, params);
  if (!rows) {
    ADD_FAILURE() << sql << ": " << rows.error().message;
    return {};
  }
  return std::move(rows).value();
}

std::vector<std::vector<Cell>> Cells(std::initializer_list<std::vector<Cell>> rows) { return rows; }

class MariaDbConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = strata::testing::ScratchDatabase::Create(Dialect::kMariaDb);
    ASSERT_NE(scratch_, nullptr);
    auto admin = strata::testing::ServerUrl(Dialect::kMariaDb);
    ASSERT_TRUE(admin.has_value());
    auto admin_url = ParseUrl(*admin);
    ASSERT_TRUE(admin_url.has_value());
    server_ = *admin_url;
    auto scratch_url = ParseUrl(scratch_->url());
    ASSERT_TRUE(scratch_url.has_value());
    database_ = scratch_url->database;
    conn_ = MustConnect(scratch_->url());
    ASSERT_NE(conn_, nullptr);
  }

  // A URL for the test server with other credentials or database.
  std::string UrlFor(const std::string& user, const std::optional<std::string>& password,
                     const std::string& database, const std::string& params = "") const {
    std::string url = fmt::format("mariadb://{}", user);
    if (password) url += ":" + *password;
    url += fmt::format("@{}:{}/{}", server_.host, server_.port, database);
    if (!params.empty()) url += "?" + params;
    return url;
  }

  std::unique_ptr<Connection> Admin() const { return MustConnect(UrlFor("root", {}, "mysql")); }

  void Exec(std::string_view sql, const Params& params = {}) {
    auto done = conn_->Execute(sql, params);
    ASSERT_TRUE(done.has_value()) << sql << ": " << done.error().message;
  }

  // Waits until the server shows `session` running a statement that starts with `prefix`.
  static bool WaitUntilRunning(Connection& observer, std::int64_t session,
                               const std::string& prefix) {
    const auto deadline = Clock::now() + std::chrono::seconds(5);
    while (Clock::now() < deadline) {
      auto rows = observer.Query(
          "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ? AND INFO LIKE ?",
          {session, prefix + "%"});
      if (rows && rows->Int(0, 0).value_or(0) == 1) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  std::unique_ptr<strata::testing::ScratchDatabase> scratch_;
  Url server_;
  std::string database_;
  std::unique_ptr<Connection> conn_;
};

// --- connecting ---

TEST_F(MariaDbConnectionTest, ReportsServerAndSession) {
  EXPECT_EQ(conn_->dialect(), Dialect::kMariaDb);
  EXPECT_EQ(conn_->server().product, "MariaDB");
  EXPECT_THAT(conn_->server().version, HasSubstr("-MariaDB"));
  EXPECT_GE(conn_->server().version_number, 101100);
  EXPECT_THAT(conn_->display_url(),
              StartsWith(fmt::format("mariadb://root@{}:{}/", server_.host, server_.port)));
  Rows rows = MustQuery(*conn_,
                        "SELECT CONNECTION_ID(), @@character_set_client, "
                        "@@character_set_connection, @@character_set_results, "
                        "@@SESSION.sql_mode = @@GLOBAL.sql_mode");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows.Int(0, 0).value_or(-1), conn_->session_id());
  EXPECT_GT(conn_->session_id(), 0);
  EXPECT_EQ(rows.rows[0][1], "utf8mb4");
  EXPECT_EQ(rows.rows[0][2], "utf8mb4");
  EXPECT_EQ(rows.rows[0][3], "utf8mb4");
  EXPECT_EQ(rows.rows[0][4], "1");  // the server's sql_mode is left alone
}

TEST_F(MariaDbConnectionTest, ClosedPortIsAConnectionErrorWithoutThePassword) {
  ConnectOptions options;
  options.connect_timeout = std::chrono::seconds(2);
  auto conn = TryConnect("mariadb://u:sekret123@127.0.0.1:1/x", options);
  ASSERT_FALSE(conn.has_value());
  EXPECT_EQ(conn.error().code, ErrorCode::kConnection);
  EXPECT_THAT(
      conn.error().message,
      AllOf(StartsWith("cannot connect to mariadb://u:***@127.0.0.1:1/x: "),
            HasSubstr("Can't connect to server on '127.0.0.1'"), Not(HasSubstr("sekret123"))));
  EXPECT_EQ(conn.error().server_errno, 2002);
  EXPECT_TRUE(conn.error().transient);
}

TEST_F(MariaDbConnectionTest, UnknownDatabase) {
  auto conn = TryConnect(UrlFor("root", {}, "strata_no_such_db"));
  ASSERT_FALSE(conn.has_value());
  EXPECT_EQ(conn.error().code, ErrorCode::kConnection);
  EXPECT_EQ(conn.error().server_errno, 1049);
  EXPECT_THAT(conn.error().message, HasSubstr("Unknown database 'strata_no_such_db'"));
  EXPECT_FALSE(conn.error().transient);
}

TEST_F(MariaDbConnectionTest, WrongAndRightPassword) {
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  const std::string user = fmt::format("strata_pw_{}", ::getpid());
  const std::string account = fmt::format("'{}'@'{}'", user, server_.host);
  ASSERT_TRUE(admin->Execute("DROP USER IF EXISTS " + account).has_value());
  ASSERT_TRUE(admin->Execute(fmt::format("CREATE USER {} IDENTIFIED BY 'Right-Pass-42'", account))
                  .has_value());
  ASSERT_TRUE(
      admin->Execute(fmt::format("GRANT ALL ON `{}`.* TO {}", database_, account)).has_value());

  auto wrong = TryConnect(UrlFor(user, "Wrong-Pass-17", database_));
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, ErrorCode::kConnection);
  EXPECT_EQ(wrong.error().server_errno, 1045);
  EXPECT_THAT(wrong.error().message,
              AllOf(HasSubstr(fmt::format("mariadb://{}:***@", user)),
                    HasSubstr(fmt::format("Access denied for user '{}'", user)),
                    Not(HasSubstr("Wrong-Pass-17"))));
  EXPECT_FALSE(wrong.error().transient);

  auto right = MustConnect(UrlFor(user, "Right-Pass-42", database_));
  ASSERT_NE(right, nullptr);
  EXPECT_EQ(MustQuery(*right, "SELECT CURRENT_USER()").rows[0][0],
            fmt::format("{}@{}", user, server_.host));
  EXPECT_THAT(right->display_url(), Not(HasSubstr("Right-Pass-42")));

  ConnectOptions options;
  options.password = "Right-Pass-42";
  auto from_options = MustConnect(UrlFor(user, std::nullopt, database_), options);
  EXPECT_NE(from_options, nullptr);

  ASSERT_TRUE(admin->Execute("DROP USER " + account).has_value());
}

TEST_F(MariaDbConnectionTest, TlsModesAgainstAServerWithoutTls) {
  auto required = TryConnect(UrlFor("root", {}, database_, "ssl-mode=required"));
  ASSERT_FALSE(required.has_value());
  EXPECT_EQ(required.error().code, ErrorCode::kConnection);
  EXPECT_THAT(required.error().message, HasSubstr("the server does not offer TLS"));

  auto verify_full = TryConnect(UrlFor("root", {}, database_, "sslmode=verify-full"));
  ASSERT_FALSE(verify_full.has_value());
  EXPECT_EQ(verify_full.error().code, ErrorCode::kConnection);
  EXPECT_EQ(verify_full.error().server_errno, 2026);  // CR_SSL_CONNECTION_ERROR

  EXPECT_NE(MustConnect(UrlFor("root", {}, database_, "ssl-mode=disable")), nullptr);
  EXPECT_NE(MustConnect(UrlFor("root", {}, database_, "ssl-mode=preferred")), nullptr);

  auto unknown = TryConnect(UrlFor("root", {}, database_, "ssl-mod=required"));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(unknown.error().message, HasSubstr("'ssl-mod'"));
}

TEST_F(MariaDbConnectionTest, ConnectsThroughTheUnixSocket) {
  const char* socket = std::getenv("STRATA_TEST_MARIADB_SOCKET");
  ASSERT_NE(socket, nullptr) << "tests/with-servers exports STRATA_TEST_MARIADB_SOCKET";
  auto conn = MustConnect(fmt::format("mariadb://root@localhost/{}?socket={}", database_, socket));
  ASSERT_NE(conn, nullptr);
  // Over the socket the server sees the client as coming from localhost.
  EXPECT_THAT(*MustQuery(*conn, "SELECT USER()").rows[0][0], HasSubstr("@localhost"));
}

// --- values ---

TEST_F(MariaDbConnectionTest, ParametersRoundTripInBothProtocols) {
  const std::vector<Cell> expected = {std::nullopt,
                                      "1",
                                      "0",
                                      "9223372036854775807",
                                      "-9223372036854775808",
                                      "1.5",
                                      "0.1",
                                      "h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80",
                                      ""};
  Rows text = MustQuery(*conn_,
                        "SELECT NULL, TRUE, FALSE, 9223372036854775807, -9223372036854775808, "
                        "1.5e0, 0.1e0, 'h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80', ''");
  EXPECT_EQ(text.rows, Cells({expected}));
  Rows prepared =
      MustQuery(*conn_, "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?",
                {nullptr, true, false, std::numeric_limits<std::int64_t>::max(),
                 std::numeric_limits<std::int64_t>::min(), 1.5, 0.1,
                 std::string("h\xC3\xA9llo \xE2\x9C\x93 \xF0\x9F\x98\x80"), std::string()});
  EXPECT_EQ(prepared.rows, Cells({expected}));
  EXPECT_EQ(prepared.columns.size(), 9u);
}

TEST_F(MariaDbConnectionTest, StoredValuesReadTheSameInBothProtocols) {
  Exec(
      "CREATE TABLE t (id INT PRIMARY KEY, b BOOLEAN, i BIGINT, d DOUBLE, s VARCHAR(100), "
      "bin VARBINARY(10), n VARCHAR(10) NULL)");
  Exec("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
       {std::int64_t{1}, true, std::int64_t{-42}, 2.25, std::string("it's \"quoted\" \\ ok"),
        std::string("a\0b", 3), nullptr});
  Exec("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?)",
       {std::int64_t{2}, false, std::int64_t{0}, -0.5, std::string(), std::string(), nullptr});
  const auto expected = Cells({
      {"1", "1", "-42", "2.25", "it's \"quoted\" \\ ok", std::string("a\0b", 3), std::nullopt},
      {"2", "0", "0", "-0.5", "", "", std::nullopt},
  });
  Rows text = MustQuery(*conn_, "SELECT * FROM t ORDER BY id");
  EXPECT_EQ(text.columns, (std::vector<std::string>{"id", "b", "i", "d", "s", "bin", "n"}));
  EXPECT_EQ(text.rows, expected);
  Rows prepared = MustQuery(*conn_, "SELECT * FROM t WHERE id >= ? ORDER BY id", {std::int64_t{1}});
  EXPECT_EQ(prepared.columns, text.columns);
  EXPECT_EQ(prepared.rows, expected);
}

TEST_F(MariaDbConnectionTest, LongTextInBothProtocols) {
  Exec("CREATE TABLE docs (id INT PRIMARY KEY, body LONGTEXT)");
  std::string ascii(std::size_t{100} * 1024, 'x');
  for (std::size_t i = 0; i < ascii.size(); i += 97) ascii[i] = static_cast<char>('a' + i % 26);
  std::string multibyte;
  for (int i = 0; i < 30000; ++i) multibyte += "\xC3\xA9\xE2\x9C\x93";  // 150,000 bytes
  const std::vector<std::string> bodies = {"short", ascii, "tiny again", multibyte};
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    Exec("INSERT INTO docs VALUES (?, ?)", {static_cast<std::int64_t>(i), bodies[i]});
  }
  Rows text = MustQuery(*conn_, "SELECT body FROM docs ORDER BY id");
  Rows prepared =
      MustQuery(*conn_, "SELECT body FROM docs WHERE id >= ? ORDER BY id", {std::int64_t{0}});
  ASSERT_EQ(text.size(), bodies.size());
  ASSERT_EQ(prepared.size(), bodies.size());
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    EXPECT_EQ(text.rows[i][0], bodies[i]) << "text row " << i;
    EXPECT_EQ(prepared.rows[i][0], bodies[i]) << "prepared row " << i;
  }
  EXPECT_EQ(MustQuery(*conn_, "SELECT ?", {ascii}).rows[0][0], ascii);
}

TEST_F(MariaDbConnectionTest, TemporalAndDecimalTextIsTheSameInBothProtocols) {
  Exec(
      "CREATE TABLE times (id INT PRIMARY KEY, dt DATETIME, dt6 DATETIME(6), d DATE, t TIME, "
      "ts TIMESTAMP NULL, amount DECIMAL(10,2), f FLOAT, y YEAR)");
  Exec(
      "INSERT INTO times VALUES (1, '2024-01-02 03:04:05', '2024-01-02 03:04:05.123456', "
      "'2024-01-02', '03:04:05', '2024-01-02 03:04:05', 1.5, 0.1, 2024)");
  Exec("INSERT INTO times VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
       {std::int64_t{2}, std::string("1999-12-31 23:59:59"),
        std::string("1999-12-31 23:59:59.000001"), std::string("1999-12-31"),
        std::string("-838:59:59"), nullptr, std::string("-12.34"), 2.5, std::int64_t{1999}});
  const auto expected = Cells({
      {"1", "2024-01-02 03:04:05", "2024-01-02 03:04:05.123456", "2024-01-02", "03:04:05",
       "2024-01-02 03:04:05", "1.50", "0.1", "2024"},
      {"2", "1999-12-31 23:59:59", "1999-12-31 23:59:59.000001", "1999-12-31", "-838:59:59",
       std::nullopt, "-12.34", "2.5", "1999"},
  });
  EXPECT_EQ(MustQuery(*conn_, "SELECT * FROM times ORDER BY id").rows, expected);
  EXPECT_EQ(
      MustQuery(*conn_, "SELECT * FROM times WHERE id > ? ORDER BY id", {std::int64_t{0}}).rows,
      expected);
}

TEST_F(MariaDbConnectionTest, AffectedRows) {
  Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  EXPECT_EQ(conn_->Execute("INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)").value_or(-1), 3);
  EXPECT_EQ(conn_->Execute("UPDATE t SET v = v + 1 WHERE id <= 2").value_or(-1), 2);
  // MariaDB counts changed rows: setting the value a row already has changes nothing.
  EXPECT_EQ(conn_->Execute("UPDATE t SET v = 30 WHERE id = 3").value_or(-1), 0);
  EXPECT_EQ(conn_->Execute("UPDATE t SET v = ? WHERE id = ?", {std::int64_t{7}, std::int64_t{3}})
                .value_or(-1),
            1);
  EXPECT_EQ(
      conn_->Execute("INSERT INTO t VALUES (1, 0) ON DUPLICATE KEY UPDATE v = 99").value_or(-1), 2);
  Rows selected = MustQuery(*conn_, "SELECT id FROM t ORDER BY id");
  EXPECT_EQ(selected.size(), 3u);
  EXPECT_EQ(selected.affected, 0);
  EXPECT_EQ(MustQuery(*conn_, "SELECT id FROM t WHERE id > ?", {std::int64_t{0}}).affected, 0);
  Rows returning = MustQuery(*conn_, "INSERT INTO t VALUES (4, 0), (5, 0) RETURNING id");
  EXPECT_EQ(returning.rows, Cells({{"4"}, {"5"}}));
  EXPECT_EQ(returning.affected, 2);
  Rows deleted =
      MustQuery(*conn_, " /* c */ DELETE FROM t WHERE id > ? RETURNING id", {std::int64_t{3}});
  EXPECT_EQ(deleted.affected, 2);
  EXPECT_EQ(conn_->Execute("DELETE FROM t").value_or(-1), 3);
  EXPECT_EQ(conn_->Execute("CREATE TABLE u (id INT)").value_or(-1), 0);
}

TEST_F(MariaDbConnectionTest, CallReturnsTheFirstResultSetInBothProtocols) {
  Exec("CREATE PROCEDURE two_results(n INT) BEGIN SELECT n AS a; SELECT n + 1 AS b; END");
  Rows text = MustQuery(*conn_, "CALL two_results(1)");
  EXPECT_EQ(text.columns, std::vector<std::string>{"a"});
  EXPECT_EQ(text.rows, Cells({{"1"}}));
  Rows prepared = MustQuery(*conn_, "CALL two_results(?)", {std::int64_t{5}});
  EXPECT_EQ(prepared.columns, std::vector<std::string>{"a"});
  EXPECT_EQ(prepared.rows, Cells({{"5"}}));
  // Every result was drained: the connection is ready for the next statement.
  EXPECT_EQ(MustQuery(*conn_, "SELECT 7").rows, Cells({{"7"}}));
}

// --- transactions ---

TEST_F(MariaDbConnectionTest, CommitRollbackAndRaii) {
  Exec("CREATE TABLE t (id INT PRIMARY KEY)");
  auto other = MustConnect(scratch_->url());
  ASSERT_NE(other, nullptr);
  auto count = [&] { return MustQuery(*other, "SELECT COUNT(*) FROM t").Int(0, 0).value_or(-1); };

  ASSERT_TRUE(conn_->Begin({}).has_value());
  EXPECT_TRUE(conn_->InTransaction());
  Exec("INSERT INTO t VALUES (1)");
  EXPECT_EQ(count(), 0);
  ASSERT_TRUE(conn_->Commit().has_value());
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(count(), 1);

  ASSERT_TRUE(conn_->Begin({}).has_value());
  Exec("INSERT INTO t VALUES (2)");
  ASSERT_TRUE(conn_->Rollback().has_value());
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(count(), 1);

  {
    auto tx = Transaction::Begin(*conn_);
    ASSERT_TRUE(tx.has_value());
    Exec("INSERT INTO t VALUES (3)");
  }  // rolled back
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_EQ(count(), 1);

  auto tx = Transaction::Begin(*conn_);
  ASSERT_TRUE(tx.has_value());
  Exec("INSERT INTO t VALUES (4)", {});
  ASSERT_TRUE(tx->Commit().has_value());
  EXPECT_EQ(count(), 2);
}

TEST_F(MariaDbConnectionTest, DdlEndsTheTransactionAndInTransactionSaysSo) {
  Exec("CREATE TABLE t (id INT PRIMARY KEY)");
  ASSERT_TRUE(conn_->Begin({}).has_value());
  Exec("INSERT INTO t VALUES (1)");
  EXPECT_TRUE(conn_->InTransaction());
  Exec("CREATE TABLE u (id INT)");  // commits implicitly
  EXPECT_FALSE(conn_->InTransaction());
  ASSERT_TRUE(conn_->Rollback().has_value());
  auto other = MustConnect(scratch_->url());
  EXPECT_EQ(MustQuery(*other, "SELECT COUNT(*) FROM t").rows[0][0], "1");
}

TEST_F(MariaDbConnectionTest, BeginRefusesToCommitAnOpenTransactionSilently) {
  Exec("CREATE TABLE t (id INT PRIMARY KEY)");
  ASSERT_TRUE(conn_->Begin({}).has_value());
  Exec("INSERT INTO t VALUES (1)");
  Status again = conn_->Begin({});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kInternal);
  EXPECT_THAT(again.error().message, HasSubstr("already open"));
  EXPECT_TRUE(conn_->InTransaction());
  ASSERT_TRUE(conn_->Rollback().has_value());
  EXPECT_EQ(MustQuery(*conn_, "SELECT COUNT(*) FROM t").rows[0][0], "0");
}

TEST_F(MariaDbConnectionTest, ReadOnlyTransactionRefusesWrites) {
  Exec("CREATE TABLE t (id INT PRIMARY KEY)");
  TxOptions options;
  options.read_only = true;
  auto tx = Transaction::Begin(*conn_, options);
  ASSERT_TRUE(tx.has_value());
  EXPECT_EQ(MustQuery(*conn_, "SELECT COUNT(*) FROM t").rows[0][0], "0");
  for (const Params& params : {Params{}, Params{std::int64_t{1}}}) {
    auto write = conn_->Execute(
        params.empty() ? "INSERT INTO t VALUES (1)" : "INSERT INTO t VALUES (?)", params);
    ASSERT_FALSE(write.has_value());
    EXPECT_EQ(write.error().code, ErrorCode::kDatabase);
    EXPECT_EQ(write.error().server_errno, 1792);
    EXPECT_EQ(write.error().sqlstate, "25006");
  }
}

TEST_F(MariaDbConnectionTest, IsolationLevelAppliesToThatTransactionOnly) {
  Exec("CREATE TABLE t (id INT PRIMARY KEY)");
  Exec("INSERT INTO t VALUES (1)");
  auto other = MustConnect(scratch_->url());
  ASSERT_NE(other, nullptr);
  auto count = [&] { return MustQuery(*conn_, "SELECT COUNT(*) FROM t").rows.at(0).at(0); };
  auto begin = [&](Isolation isolation) {
    TxOptions options;
    options.isolation = isolation;
    return Transaction::Begin(*conn_, options);
  };
  {
    auto tx = begin(Isolation::kReadCommitted);
    ASSERT_TRUE(tx.has_value());
    EXPECT_EQ(count(), "1");
    ASSERT_TRUE(other->Execute("INSERT INTO t VALUES (2)").has_value());
    EXPECT_EQ(count(), "2");  // sees what others committed meanwhile
  }
  {
    auto tx = begin(Isolation::kDefault);  // the server's default: REPEATABLE READ
    ASSERT_TRUE(tx.has_value());
    EXPECT_EQ(count(), "2");
    ASSERT_TRUE(other->Execute("INSERT INTO t VALUES (3)").has_value());
    EXPECT_EQ(count(), "2");  // keeps its snapshot
  }
  {
    auto tx = begin(Isolation::kSerializable);
    ASSERT_TRUE(tx.has_value());
    EXPECT_EQ(count(), "3");  // plain reads take shared locks
    ASSERT_TRUE(other->Execute("SET SESSION innodb_lock_wait_timeout = 1").has_value());
    auto blocked = other->Execute("DELETE FROM t WHERE id = 1");
    ASSERT_FALSE(blocked.has_value());
    EXPECT_EQ(blocked.error().server_errno, 1205);
  }
}

// --- errors ---

TEST_F(MariaDbConnectionTest, SyntaxErrorInBothProtocols) {
  for (const Params& params : {Params{}, Params{std::int64_t{1}}}) {
    auto rows = conn_->Query(params.empty() ? "SELEC 1" : "SELEC ?", params);
    ASSERT_FALSE(rows.has_value());
    EXPECT_EQ(rows.error().code, ErrorCode::kDatabase);
    EXPECT_EQ(rows.error().server_errno, 1064);
    EXPECT_EQ(rows.error().sqlstate, "42000");
    EXPECT_FALSE(rows.error().transient);
    EXPECT_THAT(rows.error().message,
                StartsWith("ERROR 1064 (42000): You have an error in your SQL syntax"));
  }
  auto two = conn_->Query("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.has_value());
  EXPECT_EQ(two.error().server_errno, 1064);
}

TEST_F(MariaDbConnectionTest, DuplicateKeyInBothProtocols) {
  Exec("CREATE TABLE t (id INT PRIMARY KEY)");
  Exec("INSERT INTO t VALUES (1)");
  for (const Params& params : {Params{}, Params{std::int64_t{1}}}) {
    auto rows = conn_->Query(
        params.empty() ? "INSERT INTO t VALUES (1)" : "INSERT INTO t VALUES (?)", params);
    ASSERT_FALSE(rows.has_value());
    EXPECT_EQ(rows.error().code, ErrorCode::kDatabase);
    EXPECT_EQ(rows.error().server_errno, 1062);
    EXPECT_EQ(rows.error().sqlstate, "23000");
    EXPECT_FALSE(rows.error().transient);
    EXPECT_EQ(rows.error().message, "ERROR 1062 (23000): Duplicate entry '1' for key 'PRIMARY'");
  }
}

TEST_F(MariaDbConnectionTest, PlaceholderCountMustMatch) {
  auto rows = conn_->Query("SELECT ?, ?", {std::int64_t{1}});
  ASSERT_FALSE(rows.has_value());
  EXPECT_EQ(rows.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(rows.error().message, "the statement has 2 placeholders but 1 parameters were given");
}

TEST_F(MariaDbConnectionTest, DeadlockIsTransient) {
  Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  Exec("INSERT INTO t VALUES (1, 0), (2, 0)");
  auto other = MustConnect(scratch_->url());
  ASSERT_NE(other, nullptr);
  for (Connection* c : {conn_.get(), other.get()}) {
    ASSERT_TRUE(c->Execute("SET SESSION innodb_lock_wait_timeout = 20").has_value());
    ASSERT_TRUE(c->Begin({}).has_value());
  }
  Exec("UPDATE t SET v = 1 WHERE id = 1");
  ASSERT_TRUE(other->Execute("UPDATE t SET v = 1 WHERE id = 2").has_value());
  // conn_ now waits for row 2 on a worker thread, other closes the cycle on row 1.
  auto first = std::async(std::launch::async,
                          [&] { return conn_->Execute("UPDATE t SET v = 2 WHERE id = 2"); });
  ASSERT_TRUE(WaitUntilRunning(*MustConnect(scratch_->url()), conn_->session_id(), "UPDATE t"));
  auto second = other->Execute("UPDATE t SET v = 2 WHERE id = 1");
  if (!second) {
    ASSERT_TRUE(other->Rollback().has_value());  // lets the waiting side finish
  }
  auto first_result = first.get();
  // InnoDB picks one victim; the other statement then succeeds.
  ASSERT_NE(first_result.has_value(), second.has_value());
  const Error& error = first_result ? second.error() : first_result.error();
  EXPECT_EQ(error.code, ErrorCode::kDatabase);
  EXPECT_EQ(error.server_errno, 1213);
  EXPECT_EQ(error.sqlstate, "40001");
  EXPECT_TRUE(error.transient);
  EXPECT_THAT(error.message, HasSubstr("Deadlock found"));
  (void)conn_->Rollback();
  (void)other->Rollback();
}

TEST_F(MariaDbConnectionTest, LockWaitTimeoutIsTransient) {
  Exec("CREATE TABLE t (id INT PRIMARY KEY, v INT)");
  Exec("INSERT INTO t VALUES (1, 0)");
  auto other = MustConnect(scratch_->url());
  ASSERT_NE(other, nullptr);
  ASSERT_TRUE(other->Begin({}).has_value());
  ASSERT_TRUE(other->Execute("UPDATE t SET v = 1 WHERE id = 1").has_value());
  Exec("SET SESSION innodb_lock_wait_timeout = 1");
  auto blocked = conn_->Execute("UPDATE t SET v = 2 WHERE id = ?", {std::int64_t{1}});
  ASSERT_FALSE(blocked.has_value());
  EXPECT_EQ(blocked.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(blocked.error().server_errno, 1205);
  EXPECT_TRUE(blocked.error().transient);
  ASSERT_TRUE(other->Rollback().has_value());
}

// --- cancelling and lost connections ---

TEST_F(MariaDbConnectionTest, CancelFromAnotherThread) {
  auto observer = Admin();
  ASSERT_NE(observer, nullptr);
  auto blocker = Admin();
  ASSERT_NE(blocker, nullptr);
  const std::string lock_name = fmt::format("strata_cancel_{}", conn_->session_id());
  ASSERT_EQ(MustQuery(*blocker, "SELECT GET_LOCK(?, 0)", {lock_name}).rows[0][0], "1");

  struct Case {
    std::string sql;
    Params params;
    std::string running_prefix;
    int server_errno;  // 0: the server may also end the statement without error
  };
  const std::vector<Case> cases = {
      {"SELECT SLEEP(10)", {}, "SELECT SLEEP", 0},
      {"SELECT SLEEP(?)", {std::int64_t{10}}, "SELECT SLEEP", 0},
      {"SELECT GET_LOCK(?, 10)", {lock_name}, "SELECT GET_LOCK", 0},
      {"SELECT COUNT(*) FROM seq_1_to_100000 a, seq_1_to_100000 b WHERE a.seq + b.seq = 7",
       {},
       "SELECT COUNT",
       1317},
  };
  auto canceler = conn_->GetCanceler();
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    const auto start = Clock::now();
    auto running = std::async(std::launch::async, [&] { return conn_->Query(c.sql, c.params); });
    ASSERT_TRUE(WaitUntilRunning(*observer, conn_->session_id(), c.running_prefix));
    ASSERT_TRUE(canceler->Cancel().has_value());
    Result<Rows> result = running.get();
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kCancelled) << result.error().message;
    if (c.server_errno != 0) {
      EXPECT_EQ(result.error().server_errno, c.server_errno);
    }
    // The connection stays usable, and the next statement is not cancelled.
    EXPECT_EQ(MustQuery(*conn_, "SELECT 42").rows, Cells({{"42"}}));
  }
}

TEST_F(MariaDbConnectionTest, CancelDoesNothingWhenIdleOrClosed) {
  auto canceler = conn_->GetCanceler();
  ASSERT_TRUE(canceler->Cancel().has_value());
  EXPECT_EQ(MustQuery(*conn_, "SELECT SLEEP(0.2)").rows, Cells({{"0"}}));
  conn_.reset();
  EXPECT_TRUE(canceler->Cancel().has_value());
}

TEST_F(MariaDbConnectionTest, KilledConnectionIsTransientAndStaysLost) {
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  ASSERT_TRUE(conn_->Begin({}).has_value());
  ASSERT_TRUE(admin->Execute(fmt::format("KILL CONNECTION {}", conn_->session_id())).has_value());
  auto first = conn_->Query("SELECT 1");
  ASSERT_FALSE(first.has_value());
  EXPECT_EQ(first.error().code, ErrorCode::kConnection);
  EXPECT_TRUE(first.error().transient);
  EXPECT_THAT(first.error().message, HasSubstr(conn_->display_url()));
  auto second = conn_->Query("SELECT ?", {std::int64_t{1}});
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().code, ErrorCode::kConnection);
  EXPECT_TRUE(second.error().transient);
  EXPECT_FALSE(conn_->InTransaction());
  EXPECT_FALSE(conn_->Rollback().has_value());
  EXPECT_FALSE(conn_->ExecuteScript("SELECT 1; SELECT 2").has_value());
  EXPECT_TRUE(conn_->GetCanceler()->Cancel().has_value());
}

TEST_F(MariaDbConnectionTest, ConnectionKilledDuringAStatement) {
  auto admin = Admin();
  ASSERT_NE(admin, nullptr);
  auto running = std::async(std::launch::async, [&] { return conn_->Query("SELECT SLEEP(10)"); });
  ASSERT_TRUE(WaitUntilRunning(*admin, conn_->session_id(), "SELECT SLEEP"));
  ASSERT_TRUE(admin->Execute(fmt::format("KILL CONNECTION {}", conn_->session_id())).has_value());
  auto result = running.get();
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kConnection);
  EXPECT_TRUE(result.error().transient);
  EXPECT_FALSE(conn_->Query("SELECT 1").has_value());
}

// --- scripts ---

TEST_F(MariaDbConnectionTest, ExecuteScriptRunsEveryStatement) {
  ASSERT_TRUE(conn_
                  ->ExecuteScript(R"(
      CREATE TABLE a (id INT PRIMARY KEY);
      INSERT INTO a VALUES (1), (2);
      SELECT * FROM a;  -- results are drained
      UPDATE a SET id = id + 10;
  )")
                  .has_value());
  EXPECT_EQ(MustQuery(*conn_, "SELECT id FROM a ORDER BY id").rows, Cells({{"11"}, {"12"}}));
  EXPECT_TRUE(conn_->ExecuteScript("  \n ").has_value());
  // Multi-statements are off again afterwards.
  auto two = conn_->Query("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.has_value());
  EXPECT_EQ(two.error().server_errno, 1064);
}

TEST_F(MariaDbConnectionTest, ExecuteScriptStopsAtTheFirstFailure) {
  Status status = conn_->ExecuteScript(
      "CREATE TABLE a (id INT PRIMARY KEY);\n"
      "INSERT INTO a VALUES (1);\n"
      "INSERT INTO a VALUES (1);\n"
      "INSERT INTO a VALUES (2);\n");
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kDatabase);
  EXPECT_EQ(status.error().server_errno, 1062);
  EXPECT_EQ(status.error().message,
            "statement 3 of the script: ERROR 1062 (23000): Duplicate entry '1' for key "
            "'PRIMARY'");
  EXPECT_EQ(MustQuery(*conn_, "SELECT id FROM a ORDER BY id").rows, Cells({{"1"}}));
  auto two = conn_->Query("SELECT 1; SELECT 2");
  ASSERT_FALSE(two.has_value());
  EXPECT_EQ(two.error().server_errno, 1064);
}

// Statement executions on this session so far (a bulk execution counts once).
std::int64_t StatementExecutions(Connection& conn) {
  Rows rows = MustQuery(conn, "SHOW SESSION STATUS LIKE 'Com_stmt_execute'");
  return rows.empty() ? -1 : rows.Int(0, 1).value_or(-1);
}

TEST_F(MariaDbConnectionTest, BatchSendsEveryRowInOneExecution) {
  Exec(
      "CREATE TABLE t (id BIGINT PRIMARY KEY, name VARCHAR(20), score DOUBLE, flag BOOLEAN, "
      "day DATE, note TEXT NULL)");
  EXPECT_TRUE(conn_->batches_in_one_round_trip());
  std::vector<Params> rows;
  for (std::int64_t i = 1; i <= 1'000; ++i) {
    rows.push_back({i, fmt::format("name {}", i), static_cast<double>(i) / 4, i % 2 == 0,
                    fmt::format("2024-01-{:02}", i % 28 + 1),
                    i % 3 == 0 ? Param(nullptr) : Param(std::string(i % 50, 'x'))});
  }
  const std::int64_t executions = StatementExecutions(*conn_);
  auto affected = conn_->ExecuteBatch("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)", rows);
  ASSERT_TRUE(affected.has_value()) << affected.error().message;
  EXPECT_EQ(*affected, 1'000);
  EXPECT_EQ(StatementExecutions(*conn_) - executions, 1);
  EXPECT_EQ(MustQuery(*conn_, "SELECT * FROM t WHERE id IN (3, 4) ORDER BY id").rows,
            Cells({{"3", "name 3", "0.75", "0", "2024-01-04", std::nullopt},
                   {"4", "name 4", "1", "1", "2024-01-05", "xxxx"}}));
  EXPECT_EQ(MustQuery(*conn_,
                      "SELECT COUNT(*), COUNT(note), SUM(flag), SUM(LENGTH(note)), "
                      "SUM(score) FROM t")
                .rows,
            Cells({{"1000", "667", "500", "16317", "125125"}}));
}

TEST_F(MariaDbConnectionTest, BatchOverAPacketIsSplitAndCountsOnlyChangedRows) {
  Exec("CREATE TABLE t (id BIGINT PRIMARY KEY, body TEXT)");
  Exec("INSERT INTO t VALUES (7, 'kept'), (9000, 'kept')");
  std::vector<Params> rows;
  // 10,000 rows of 1 KiB: about 10 MiB, over the 4 MiB per execution.
  for (std::int64_t i = 1; i <= 10'000; ++i) rows.push_back({i, std::string(1'024, 'b')});
  const std::int64_t executions = StatementExecutions(*conn_);
  auto affected = conn_->ExecuteBatch(
      "INSERT INTO t (id, body) VALUES (?, ?) ON DUPLICATE KEY UPDATE id = id", rows);
  ASSERT_TRUE(affected.has_value()) << affected.error().message;
  // The two existing rows are skipped by the no-op update and not counted.
  EXPECT_EQ(*affected, 9'998);
  EXPECT_EQ(StatementExecutions(*conn_) - executions, 3);
  EXPECT_EQ(MustQuery(*conn_, "SELECT COUNT(*), SUM(body = 'kept') FROM t").rows,
            Cells({{"10000", "2"}}));
  auto updated = conn_->ExecuteBatch("UPDATE t SET body = ? WHERE id = ?",
                                     {{std::string("a"), std::int64_t{7}},
                                      {std::string("b"), std::int64_t{8}},
                                      {std::string("b"), std::int64_t{8}}});
  ASSERT_TRUE(updated.has_value()) << updated.error().message;
  EXPECT_EQ(*updated, 2);  // the third row sets what the second already did
}

TEST_F(MariaDbConnectionTest, BatchRefusesRowsThatDoNotFitTheStatement) {
  Exec("CREATE TABLE t (id BIGINT PRIMARY KEY, name TEXT)");
  const std::string insert = "INSERT INTO t VALUES (?, ?)";
  auto narrow =
      conn_->ExecuteBatch(insert, {{std::int64_t{1}, std::string("a")}, {std::int64_t{2}}});
  ASSERT_FALSE(narrow.has_value());
  EXPECT_EQ(narrow.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(narrow.error().message,
            "batch row 2 has 1 values but the statement has 2 placeholders");
  auto mixed = conn_->ExecuteBatch(insert, {{std::int64_t{1}, nullptr},
                                            {std::int64_t{2}, std::string("b")},
                                            {std::int64_t{3}, std::int64_t{3}}});
  ASSERT_FALSE(mixed.has_value());
  EXPECT_EQ(mixed.error().message,
            "batch placeholder 2 gets text in row 2 but an integer in row 3; give each "
            "placeholder one type");
  auto select = conn_->ExecuteBatch("SELECT ?", {{std::int64_t{1}}});
  ASSERT_FALSE(select.has_value());
  EXPECT_EQ(select.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(MustQuery(*conn_, "SELECT COUNT(*) FROM t").rows, Cells({{"0"}}));
  EXPECT_EQ(conn_->ExecuteBatch(insert, {}).value_or(-1), 0);
}

TEST_F(MariaDbConnectionTest, BatchStopsAtAFailingRowAndItsTransactionRollsBack) {
  Exec("CREATE TABLE t (id BIGINT PRIMARY KEY)");
  Exec("INSERT INTO t VALUES (5)");
  std::vector<Params> rows;
  for (std::int64_t i = 1; i <= 10; ++i) rows.push_back({i});
  {
    auto tx = Transaction::Begin(*conn_);
    ASSERT_TRUE(tx.has_value());
    auto affected = conn_->ExecuteBatch("INSERT INTO t VALUES (?)", rows);
    ASSERT_FALSE(affected.has_value());
    EXPECT_EQ(affected.error().server_errno, 1062);
    EXPECT_EQ(affected.error().message,
              "ERROR 1062 (23000): Duplicate entry '5' for key 'PRIMARY'");
  }
  EXPECT_EQ(MustQuery(*conn_, "SELECT COUNT(*) FROM t").rows, Cells({{"1"}}));
}

TEST_F(MariaDbConnectionTest, CopyFromIsUnsupported) {
  Status status = conn_->CopyFrom("COPY t FROM STDIN", "1\n");
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::kUnsupported);
}

}  // namespace
}  // namespace strata::db::mariadb
