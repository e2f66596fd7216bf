// Every Flavor method against the real engines: the SQL each flavor writes runs on its server
// (PostgreSQL and MariaDB test servers, an SQLite file) and does what the contract says.
#include "db/flavor/flavor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "db/open.h"
#include "db/url.h"
#include "tests/support/test_env.h"

namespace strata::db {
namespace {

using std::chrono::milliseconds;

// A scratch database per engine (testing::ScratchDatabaseTest), with statements that take
// parameters and a Scalar that reads text.
class FlavorTest : public testing::ScratchDatabaseTest {
 protected:
  const Flavor& flavor() const { return FlavorFor(GetParam()); }
  Connection& conn() { return *conn_; }

  // Runs a statement; fails the test on error.
  void Exec(const std::string& sql, const Params& params = {}) {
    auto done = conn_->Execute(sql, params);
    ASSERT_TRUE(done) << sql << ": " << done.error().message;
  }
  // The first column of the first row; "" (and a failure) on error, "NULL" for NULL.
  std::string Scalar(const std::string& sql, const Params& params = {}) {
    auto rows = conn_->Query(sql, params);
    EXPECT_TRUE(rows) << sql << ": " << (rows ? "" : rows.error().message);
    if (!rows || rows->empty()) return "";
    return rows->rows[0][0].value_or("NULL");
  }
  std::string CurrentSchema() {
    auto schema = flavor().CurrentSchema(conn());
    EXPECT_TRUE(schema) << schema.error().message;
    return schema ? *schema : "";
  }
  bool TableExists(std::string_view schema, std::string_view table) {
    auto exists = flavor().TableExists(conn(), schema, table);
    EXPECT_TRUE(exists) << exists.error().message;
    return exists && *exists;
  }
};

// ---- Choosing a flavor -------------------------------------------------------------------

TEST_P(FlavorTest, IsTheOneOfItsDialect) {
  EXPECT_EQ(flavor().dialect(), GetParam());
  EXPECT_EQ(&FlavorOf(conn()), &flavor());
  EXPECT_STREQ(flavor().name(), DialectName(GetParam()));
}

// ---- How SQL is written --------------------------------------------------------------------

TEST_P(FlavorTest, QuotedQualifiedNamesAndParametersRun) {
  const std::string table = flavor().QualifiedName(CurrentSchema(), "odd \"name`");
  EXPECT_EQ(flavor().QualifiedName("", "t"), flavor().Quote("t"));
  Exec(fmt::format("CREATE TABLE {} (v INT)", table));
  Exec(fmt::format("INSERT INTO {} (v) VALUES ({})", table, flavor().Param(1)), {std::int64_t{7}});
  EXPECT_EQ(Scalar(fmt::format("SELECT v FROM {} WHERE v = {}", table, flavor().Param(1)),
                   {std::int64_t{7}}),
            "7");
}

// ---- Transactions --------------------------------------------------------------------------

TEST_P(FlavorTest, TransactionalDdlIsRolledBackWhereTheEngineHasIt) {
  ASSERT_TRUE(conn().Begin({}));
  Exec("CREATE TABLE ddl_probe (v INT)");
  (void)conn().Rollback();  // MariaDB's CREATE TABLE already committed
  EXPECT_EQ(TableExists("", "ddl_probe"), !flavor().has_transactional_ddl());
}

// ---- The session ---------------------------------------------------------------------------

TEST_P(FlavorTest, NamesTheSessionsSchemaDatabaseAndUser) {
  auto url = ParseUrl(scratch_->url());
  ASSERT_TRUE(url);
  const std::string schema = CurrentSchema();
  auto database = flavor().CurrentDatabase(conn());
  ASSERT_TRUE(database) << database.error().message;
  auto user = flavor().CurrentUser(conn());
  ASSERT_TRUE(user) << user.error().message;
  switch (GetParam()) {
    case Dialect::kPostgres:
      EXPECT_EQ(schema, "public");
      EXPECT_EQ(*database, url->database);
      EXPECT_EQ(*user, url->user);
      break;
    case Dialect::kMariaDb:  // a database is a schema; USER() without the host
      EXPECT_EQ(schema, url->database);
      EXPECT_EQ(*database, url->database);
      EXPECT_EQ(*user, url->user);
      break;
    case Dialect::kSqlite:
      EXPECT_EQ(schema, "main");
      EXPECT_EQ(*database, "main");
      EXPECT_EQ(*user, "");
      break;
  }
}

TEST_P(FlavorTest, SaysWhichTablesAndSchemasExist) {
  Exec("CREATE TABLE present (v INT)");
  EXPECT_TRUE(TableExists("", "present"));
  EXPECT_TRUE(TableExists(CurrentSchema(), "present"));
  EXPECT_FALSE(TableExists("", "absent"));
  auto exists = flavor().SchemaExists(conn(), CurrentSchema());
  ASSERT_TRUE(exists) << exists.error().message;
  EXPECT_TRUE(*exists);
  exists = flavor().SchemaExists(conn(), "no_such_schema");
  ASSERT_TRUE(exists) << exists.error().message;
  EXPECT_FALSE(*exists);
}

// ---- Building blocks for strata's own tables ----------------------------------------------

TEST_P(FlavorTest, EpochMillisNowIsTheClock) {
  const auto now =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::string millis = Scalar("SELECT " + flavor().EpochMillisNow());
  ASSERT_FALSE(millis.empty());
  EXPECT_NEAR(static_cast<double>(std::stoll(millis)), static_cast<double>(now), 60'000.0);
}

TEST_P(FlavorTest, AutoIncrementKeysTableOptionsAndRowLocks) {
  Exec(fmt::format("CREATE TABLE counted (id {}, v INT){}", flavor().AutoIncrementPrimaryKey(),
                   flavor().TableOptions()));
  Exec("INSERT INTO counted (v) VALUES (10)");
  Exec("INSERT INTO counted (v) VALUES (20)");
  EXPECT_EQ(Scalar("SELECT id FROM counted WHERE v = 20"), "2");
  ASSERT_TRUE(conn().Begin({}));
  EXPECT_EQ(Scalar(fmt::format("SELECT v FROM counted WHERE id = 1{}", flavor().ForUpdate())),
            "10");
  EXPECT_EQ(Scalar(fmt::format("SELECT v FROM counted WHERE id = 2{}",
                               flavor().ForUpdateSkipLocked(conn().server()))),
            "20");
  ASSERT_TRUE(conn().Rollback());
}

// ---- Migrations: scripts and dry runs ----------------------------------------------------

TEST_P(FlavorTest, LiteralsReadBackAsTheValues) {
  const std::string text = "it's a back\\slash";
  EXPECT_EQ(Scalar("SELECT " + flavor().Literal(text)), text);
  EXPECT_EQ(Scalar("SELECT " + flavor().StringLiteral("")), "");
  EXPECT_EQ(Scalar("SELECT " + flavor().Literal(std::int64_t{-42})), "-42");
  EXPECT_EQ(Scalar("SELECT " + flavor().Literal(nullptr)), "NULL");
  EXPECT_EQ(Scalar("SELECT " + flavor().Literal(2.5)), "2.5");
  for (const bool b : {true, false}) {
    EXPECT_EQ(
        Scalar(fmt::format("SELECT CASE WHEN {} THEN 'yes' ELSE 'no' END", flavor().Literal(b))),
        b ? "yes" : "no");
    EXPECT_EQ(flavor().Literal(b), flavor().BoolLiteral(b));
  }
}

TEST_P(FlavorTest, ParameterMarkersAreTheEngines) {
  EXPECT_EQ(flavor().Param(2).front(), flavor().param_marker());
  EXPECT_EQ(Scalar(fmt::format("SELECT {} + 0", flavor().Param(1)), {std::int64_t{5}}), "5");
  if (flavor().has_unnumbered_params()) {
    EXPECT_EQ(Scalar(fmt::format("SELECT {} + 0", flavor().param_marker()), {std::int64_t{6}}),
              "6");
  }
  // In order of appearance, whatever the engine writes.
  EXPECT_EQ(
      Scalar(fmt::format("SELECT 0 + {} - {}", flavor().ParamInOrder(1), flavor().ParamInOrder(2)),
             {std::int64_t{9}, std::int64_t{4}}),
      "5");
}

TEST_P(FlavorTest, BeginWriteTransactionStartsOneTheScriptCommits) {
  Exec("CREATE TABLE scripted (v INT)");
  auto done = conn().ExecuteScript(fmt::format(
      "{};\nINSERT INTO scripted (v) VALUES (1);\nCOMMIT;\n", flavor().BeginWriteTransaction()));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(Scalar("SELECT count(*) FROM scripted"), "1");
}

TEST_P(FlavorTest, ClientStatementsEndAsTheClientCutsThem) {
  EXPECT_EQ(flavor().ClientStatement("SELECT 1"), "SELECT 1;\n");
  const std::string body = "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT '$$'; END";
  if (GetParam() == Dialect::kMariaDb) {  // the only client that cuts inside a routine body
    EXPECT_EQ(flavor().ClientStatement(body), "DELIMITER //\n" + body + "//\nDELIMITER ;\n");
    // What goes between the DELIMITER lines runs as it is.
    auto created = conn().ExecuteScript(body);
    EXPECT_TRUE(created) << created.error().message;
  } else {
    EXPECT_EQ(flavor().ClientStatement(body), body + ";\n");
  }
}

TEST_P(FlavorTest, SplitterServerVersionIsPostgresOnly) {
  const int version = flavor().SplitterServerVersion(conn().server());
  if (GetParam() == Dialect::kPostgres) {
    EXPECT_EQ(version, conn().server().version_number);
    EXPECT_GT(version, 0);
  } else {
    EXPECT_EQ(version, 0);
  }
}

// ---- Migrations: history table, lock, clean -------------------------------------------

TEST_P(FlavorTest, HistoryTableDdlCreatesFlywaysTable) {
  for (const std::string& schema : {std::string(), CurrentSchema()}) {
    const std::string table = schema.empty() ? "history_here" : "history_there";
    for (const std::string& sql : flavor().HistoryTableDdl(schema, table)) Exec(sql);
    EXPECT_TRUE(TableExists(schema, table));
    const std::string name = flavor().QualifiedName(schema, table);
    Exec(fmt::format(
        "INSERT INTO {} (installed_rank, version, description, type, script, checksum, "
        "installed_by, execution_time, success) VALUES (1, '1', 'd', 'SQL', 'V1__d.sql', 7, "
        "'me', 3, {})",
        name, flavor().BoolLiteral(true)));
    EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {} WHERE installed_on IS NOT NULL AND "
                                 "success = {}",
                                 name, flavor().BoolLiteral(true))),
              "1");
    // installed_rank is the primary key.
    EXPECT_FALSE(conn().Execute(
        fmt::format("INSERT INTO {} (installed_rank, description, type, script, installed_by, "
                    "execution_time, success) VALUES (1, 'd', 'SQL', 's', 'me', 3, {})",
                    name, flavor().BoolLiteral(true))));
  }
}

TEST_P(FlavorTest, MigrationLockExcludesASecondRunnerAndNamesIt) {
  const MigrationLockId id{0x466C79776179 + 12345, "Flyway-12345"};
  // PostgreSQL and MariaDB lock on connections of their own; SQLite locks a file, whoever asks.
  std::unique_ptr<Connection> first_conn = scratch_->Connect();
  std::unique_ptr<Connection> second_conn = scratch_->Connect();
  ASSERT_NE(first_conn, nullptr);
  ASSERT_NE(second_conn, nullptr);
  EXPECT_EQ(flavor().migration_lock_needs_connection(), GetParam() != Dialect::kSqlite);

  auto first = flavor().PrepareMigrationLock(*first_conn, id);
  ASSERT_TRUE(first) << first.error().message;
  auto second = flavor().PrepareMigrationLock(*second_conn, id);
  ASSERT_TRUE(second) << second.error().message;
  auto described = flavor().DescribeMigrationLock(conn(), id);
  ASSERT_TRUE(described) << described.error().message;
  EXPECT_EQ((*first)->description(), *described);

  auto taken = (*first)->TryTake(milliseconds(100));
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_TRUE(*taken);
  taken = (*second)->TryTake(milliseconds(100));
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_FALSE(*taken);
  const std::string holder = (*second)->Holder();
  switch (GetParam()) {
    case Dialect::kPostgres:
      EXPECT_EQ(*described, fmt::format("pg_advisory_lock({})", id.key));
      EXPECT_EQ(holder.find(fmt::format("PostgreSQL pid {},", first_conn->session_id())), 0u)
          << holder;
      break;
    case Dialect::kMariaDb:
      EXPECT_EQ(*described, "GET_LOCK('Flyway-12345')");
      EXPECT_EQ(holder.find(fmt::format("MariaDB connection {} from", first_conn->session_id())),
                0u)
          << holder;
      break;
    case Dialect::kSqlite:
      EXPECT_EQ(described->rfind(".strata-lock)"), described->size() - 13) << *described;
      EXPECT_EQ(holder.find("another process (lock file "), 0u) << holder;
      break;
  }

  auto released = (*first)->Release();
  ASSERT_TRUE(released) << released.error().message;
  EXPECT_TRUE(*released);
  taken = (*second)->TryTake(milliseconds(100));
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_TRUE(*taken);
  released = (*second)->Release();
  ASSERT_TRUE(released) << released.error().message;
  EXPECT_TRUE(*released);
  if (flavor().migration_lock_needs_connection()) {
    // The session no longer holds it: releasing again says so.
    released = (*second)->Release();
    ASSERT_TRUE(released) << released.error().message;
    EXPECT_FALSE(*released);
  }
}

TEST(SqliteFlavorTest, AnInMemoryDatabaseNeedsNoLock) {
  auto url = ParseUrl("sqlite::memory:");
  ASSERT_TRUE(url);
  auto conn = Open(*url);
  ASSERT_TRUE(conn) << conn.error().message;
  const Flavor& flavor = FlavorOf(**conn);
  auto described = flavor.DescribeMigrationLock(**conn, {});
  ASSERT_TRUE(described) << described.error().message;
  EXPECT_EQ(*described, "none (in-memory database)");
  auto lock = flavor.PrepareMigrationLock(**conn, {});
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_EQ((*lock)->description(), *described);
  auto taken = (*lock)->TryTake(milliseconds(0));
  ASSERT_TRUE(taken);
  EXPECT_TRUE(*taken);
}

TEST_P(FlavorTest, CleanDropsEverythingTheFrameLetsItDrop) {
  Exec("CREATE TABLE parent (id INT PRIMARY KEY)");
  Exec("CREATE TABLE child (id INT PRIMARY KEY, parent_id INT REFERENCES parent (id))");
  Exec("INSERT INTO parent (id) VALUES (1)");
  Exec("INSERT INTO child (id, parent_id) VALUES (1, 1)");
  Exec("CREATE VIEW child_view AS SELECT id FROM child");
  const std::string schema = CurrentSchema();
  auto drops = flavor().CleanDrops(conn(), schema);
  ASSERT_TRUE(drops) << drops.error().message;
  std::vector<std::string> listed;
  for (const CleanDrop& drop : *drops) {
    EXPECT_EQ(drop.schema, schema);
    listed.push_back(drop.kind + " " + drop.name);
  }
  EXPECT_EQ(listed, (std::vector<std::string>{"view child_view", "table child", "table parent"}));

  // Parent before child on purpose: the frame keeps the foreign key from stopping it.
  const CleanFraming frame = flavor().CleanFrame();
  const bool transactional = flavor().has_transactional_ddl();
  if (transactional) {
    ASSERT_TRUE(conn().Begin({}));
  }
  for (const std::string& sql : frame.before) Exec(sql);
  Exec((*drops)[0].sql);
  Exec((*drops)[2].sql);
  Exec((*drops)[1].sql);
  for (const std::string& sql : frame.after) Exec(sql);
  if (transactional) {
    ASSERT_TRUE(conn().Commit());
  }
  EXPECT_FALSE(TableExists("", "parent"));
  EXPECT_FALSE(TableExists("", "child"));
  drops = flavor().CleanDrops(conn(), schema);
  ASSERT_TRUE(drops) << drops.error().message;
  EXPECT_TRUE(drops->empty());
  EXPECT_EQ(frame.note.empty(), GetParam() != Dialect::kMariaDb);
}

// ---- Tools: configuration, generated data ---------------------------------------------

TEST_P(FlavorTest, DatabaseIsAFileOnSqliteOnly) {
  EXPECT_EQ(flavor().database_is_file(), GetParam() == Dialect::kSqlite);
}

TEST_P(FlavorTest, AdvanceIdentitySqlMakesGeneratedIdsFollowExplicitOnes) {
  Exec(fmt::format("CREATE TABLE numbered (id {}, v INT){}", flavor().AutoIncrementPrimaryKey(),
                   flavor().TableOptions()));
  Exec("INSERT INTO numbered (id, v) VALUES (5, 1)");
  const std::string sql = flavor().AdvanceIdentitySql("numbered", "id");
  EXPECT_EQ(sql.empty(), GetParam() != Dialect::kPostgres);
  if (!sql.empty()) {
    EXPECT_TRUE(conn().Query(sql));
  }
  Exec("INSERT INTO numbered (v) VALUES (2)");
  EXPECT_EQ(Scalar("SELECT id FROM numbered WHERE v = 2"), "6");
}

INSTANTIATE_TEST_SUITE_P(All, FlavorTest, ::testing::ValuesIn(testing::kAllDialects),
                         [](const ::testing::TestParamInfo<Dialect>& info) {
                           return std::string(DialectName(info.param));
                         });

}  // namespace
}  // namespace strata::db
