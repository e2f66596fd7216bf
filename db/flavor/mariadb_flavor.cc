// MariaDB's (and MySQL's) SQL and facts. A database is what the other engines call a schema.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "db/flavor/flavors.h"

namespace strata::db::flavors {
namespace {

// GET_LOCK on a connection of its own.
class NamedLock final : public MigrationLockHandle {
 public:
  NamedLock(Connection& conn, std::string name)
      : MigrationLockHandle(Describe(name)), conn_(conn), name_(std::move(name)) {}

  static std::string Describe(std::string_view name) { return fmt::format("GET_LOCK('{}')", name); }

  // GET_LOCK waits server-side, so a freed lock is taken at once.
  Result<bool> TryTake(std::chrono::milliseconds wait) override {
    const std::int64_t wait_s =
        std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::seconds>(wait).count());
    STRATA_ASSIGN_OR_RETURN(Rows rows, conn_.Query("SELECT GET_LOCK(?, ?)", {name_, wait_s}));
    return !rows.empty() && rows.rows[0][0] == "1";
  }
  bool waits_in_try() const override { return true; }

  std::string Holder() override {
    auto rows = conn_.Query(
        "SELECT p.ID, p.HOST, p.USER FROM information_schema.PROCESSLIST p "
        "WHERE p.ID = IS_USED_LOCK(?)",
        {name_});
    if (!rows || rows->empty()) return "another session (holder not visible)";
    return fmt::format("MariaDB connection {} from {} (user {})", *rows->rows[0][0],
                       rows->rows[0][1].value_or("?"), rows->rows[0][2].value_or("?"));
  }

  Result<bool> Release() override { return QueryTrue(conn_, "SELECT RELEASE_LOCK(?)", {name_}); }

 private:
  Connection& conn_;
  std::string name_;
};

// A delimiter that does not occur in `sql`, written as the mariadb client expects it.
std::string DelimiterFor(std::string_view sql) {
  static constexpr std::array<std::string_view, 5> kCandidates = {"$$", "//", ";;", "$$$", "@@@@"};
  for (const std::string_view d : kCandidates) {
    if (sql.find(d) == std::string_view::npos) return std::string(d);
  }
  return "$strata$";
}

class MariaDbFlavor final : public Flavor {
 public:
  Dialect dialect() const override { return Dialect::kMariaDb; }
  // Every DDL statement commits the transaction around it.
  bool has_transactional_ddl() const override { return false; }

  // ---- The session -----------------------------------------------------------------------

  Result<std::string> CurrentSchema(Connection& conn) const override {
    return QueryText(conn, "SELECT DATABASE()", {},
                     fmt::format("{}: no database selected: add one to the URL "
                                 "(mariadb://user@host/DATABASE) or set schema",
                                 conn.display_url()));
  }
  Result<std::string> CurrentDatabase(Connection& conn) const override {
    return CurrentSchema(conn);
  }
  Result<std::string> CurrentUser(Connection& conn) const override {
    return QueryText(conn, "SELECT SUBSTRING_INDEX(USER(), '@', 1)", {}, "no current user");
  }
  Result<bool> TableExists(Connection& conn, std::string_view schema,
                           std::string_view table) const override {
    return QueryAny(conn,
                    "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                    "coalesce(nullif(?, ''), DATABASE()) AND TABLE_NAME = ?",
                    {std::string(schema), std::string(table)});
  }
  Result<bool> SchemaExists(Connection& conn, std::string_view schema) const override {
    return QueryAny(conn, "SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                    {std::string(schema)});
  }

  // ---- Building blocks for strata's own tables ------------------------------------------

  std::string EpochMillisNow() const override {
    return "CAST(UNIX_TIMESTAMP(CURRENT_TIMESTAMP(3)) * 1000 AS SIGNED)";
  }
  std::string_view AutoIncrementPrimaryKey() const override {
    return "BIGINT AUTO_INCREMENT PRIMARY KEY";
  }
  std::string_view TableOptions() const override { return " ENGINE=InnoDB"; }
  // SKIP LOCKED came with MariaDB 10.6 and MySQL 8.0; older servers wait for the row lock,
  // which is correct, only slower.
  std::string ForUpdateSkipLocked(const ServerInfo& server) const override {
    const bool has_skip = server.product == "MySQL" ? server.version_number >= 80000
                                                    : server.version_number >= 100600;
    return has_skip ? " FOR UPDATE SKIP LOCKED" : " FOR UPDATE";
  }

  // ---- Migrations: scripts and dry runs -------------------------------------------------

  std::string StringLiteral(std::string_view text) const override {
    std::string out = "'";
    for (const char c : text) {
      if (c == '\'') {
        out += "''";
      } else if (c == '\\') {
        out += "\\\\";  // read as an escape in strings (default sql_mode)
      } else {
        out += c;
      }
    }
    out += '\'';
    return out;
  }
  std::string_view BeginWriteTransaction() const override { return "START TRANSACTION"; }
  std::string ClientStatement(std::string_view sql) const override {
    if (sql.find(';') == std::string_view::npos) return Flavor::ClientStatement(sql);
    const std::string delimiter = DelimiterFor(sql);
    return fmt::format("DELIMITER {}\n{}{}\nDELIMITER ;\n", delimiter, sql, delimiter);
  }

  // ---- Migrations: history table, lock, clean -------------------------------------------

  std::vector<std::string> HistoryTableDdl(std::string_view schema,
                                           std::string_view table) const override {
    const std::string t = QualifiedName(schema, table);
    return {
        fmt::format("CREATE TABLE {} (`installed_rank` INT NOT NULL, `version` VARCHAR(50), "
                    "`description` VARCHAR(200) NOT NULL, `type` VARCHAR(20) NOT NULL, `script` "
                    "VARCHAR(1000) NOT NULL, `checksum` INT, `installed_by` VARCHAR(100) NOT NULL, "
                    "`installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, `execution_time` "
                    "INT NOT NULL, `success` BOOL NOT NULL, CONSTRAINT {} PRIMARY KEY "
                    "(`installed_rank`)) ENGINE=InnoDB",
                    t, Quote(std::string(table) + "_pk")),
        fmt::format("CREATE INDEX {} ON {} (`success`)", Quote(std::string(table) + "_s_idx"), t)};
  }

  Result<std::string> DescribeMigrationLock(Connection& /*conn*/,
                                            const MigrationLockId& id) const override {
    return NamedLock::Describe(id.name);
  }
  Result<std::unique_ptr<MigrationLockHandle>> PrepareMigrationLock(
      Connection& conn, const MigrationLockId& id) const override {
    return std::unique_ptr<MigrationLockHandle>(std::make_unique<NamedLock>(conn, id.name));
  }

  // Events, triggers, views, tables, sequences, procedures and functions.
  Result<std::vector<CleanDrop>> CleanDrops(Connection& conn,
                                            const std::string& schema) const override {
    const std::string s = Quote(schema);
    std::vector<CleanDrop> drops;
    // Each query returns (name, kind, DROP keyword).
    auto add = [&](std::string_view sql) -> Status {
      STRATA_ASSIGN_OR_RETURN(Rows rows, conn.Query(sql, {schema}));
      for (const auto& row : rows.rows) {
        const std::string name = row[0].value_or("");
        drops.push_back(
            {schema, row[1].value_or(""), name,
             fmt::format("DROP {} IF EXISTS {}.{}", row[2].value_or(""), s, Quote(name))});
      }
      return Ok();
    };
    STRATA_TRY(
        add("SELECT EVENT_NAME, 'event', 'EVENT' FROM information_schema.EVENTS WHERE "
            "EVENT_SCHEMA = ? ORDER BY EVENT_NAME"));
    STRATA_TRY(
        add("SELECT TRIGGER_NAME, 'trigger', 'TRIGGER' FROM information_schema.TRIGGERS "
            "WHERE TRIGGER_SCHEMA = ? ORDER BY TRIGGER_NAME"));
    STRATA_TRY(
        add("SELECT TABLE_NAME, 'view', 'VIEW' FROM information_schema.VIEWS WHERE "
            "TABLE_SCHEMA = ? ORDER BY TABLE_NAME"));
    STRATA_TRY(
        add("SELECT TABLE_NAME, 'table', 'TABLE' FROM information_schema.TABLES WHERE "
            "TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED') ORDER BY "
            "TABLE_NAME"));
    STRATA_TRY(
        add("SELECT TABLE_NAME, 'sequence', 'SEQUENCE' FROM information_schema.TABLES WHERE "
            "TABLE_SCHEMA = ? AND TABLE_TYPE = 'SEQUENCE' ORDER BY TABLE_NAME"));
    STRATA_TRY(
        add("SELECT ROUTINE_NAME, LOWER(ROUTINE_TYPE), ROUTINE_TYPE FROM "
            "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE IN "
            "('PROCEDURE', 'FUNCTION') ORDER BY ROUTINE_TYPE DESC, ROUTINE_NAME"));
    return drops;
  }
  // No transactional DDL: the foreign key checks are off for the session while tables go.
  CleanFraming CleanFrame() const override {
    return {"foreign keys between the dropped tables are not checked",
            {"SET FOREIGN_KEY_CHECKS = 0"},
            {"SET FOREIGN_KEY_CHECKS = 1"}};
  }

  // ---- Backfill ----------------------------------------------------------------------------

  // A no-op update skips only duplicates; affected rows stay 0 for them (no
  // CLIENT_FOUND_ROWS), so the count is exactly the rows inserted.
  std::string OnConflictDoNothing(std::string_view column) const override {
    return fmt::format(" ON DUPLICATE KEY UPDATE {0} = {0}", column);
  }
  std::string ServerSleep(double seconds) const override {
    return fmt::format("DO SLEEP({})", seconds);
  }
  // innodb_lock_wait_timeout counts whole seconds; MySQL's max_execution_time covers only
  // SELECTs, so MySQL keeps no statement timeout.
  Status SetSessionTimeouts(Connection& conn, const SessionTimeouts& timeouts) const override {
    const std::int64_t lock_s = std::max<std::int64_t>(1, (timeouts.lock.count() + 999) / 1000);
    STRATA_TRY(
        conn.ExecuteScript(fmt::format("SET SESSION innodb_lock_wait_timeout = {}", lock_s)));
    if (conn.server().product == "MySQL") return Ok();
    return conn.ExecuteScript(
        fmt::format("SET SESSION max_statement_time = {:.3f}",
                    static_cast<double>(timeouts.statement.count()) / 1000.0));
  }
  Result<ServerLoad> ReadServerLoad(Connection& conn) const override {
    STRATA_ASSIGN_OR_RETURN(Rows rows, conn.Query("SHOW GLOBAL STATUS LIKE 'Threads_running'"));
    ServerLoad load;
    if (rows.empty()) return load;
    STRATA_ASSIGN_OR_RETURN(load.threads_running, rows.Int(0, 1));
    return load;
  }
  Result<std::optional<ReplicaStatus>> ReadReplicaStatus(Connection& replica) const override {
    STRATA_ASSIGN_OR_RETURN(Rows rows, replica.Query("SHOW SLAVE STATUS"));
    ReplicaStatus status;
    status.is_replica = !rows.empty();
    if (!status.is_replica) return std::optional<ReplicaStatus>(status);
    for (std::size_t col = 0; col < rows.columns.size(); ++col) {
      if (rows.columns[col] != "Seconds_Behind_Master" || rows.IsNull(0, col)) continue;
      STRATA_ASSIGN_OR_RETURN(status.seconds_behind, rows.Int(0, col));
    }
    return std::optional<ReplicaStatus>(status);
  }

  // ---- Run support ---------------------------------------------------------------------

  // information_schema.TABLES lists tables, views and sequences; ROUTINES procedures and
  // functions.
  Result<std::int64_t> CountObjectsExcept(Connection& conn, std::string_view schema,
                                          std::string_view excluded_table) const override {
    STRATA_ASSIGN_OR_RETURN(
        Rows rows,
        conn.Query("SELECT (SELECT count(*) FROM information_schema.TABLES WHERE "
                   "TABLE_SCHEMA = ? AND TABLE_NAME <> ?) + (SELECT count(*) FROM "
                   "information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?)",
                   {std::string(schema), std::string(excluded_table), std::string(schema)}));
    return rows.Int(0, 0);
  }

  // ---- Lint: live facts -------------------------------------------------------------------

  // TABLE_ROWS is InnoDB's estimate; the names travel as one FIND_IN_SET list, so any number
  // costs one query (a name with a comma in it is not found, and is then weighed as unknown).
  // The same query reads each table's plain indexes ("name a,b": no prefix, no expression) from
  // information_schema.STATISTICS, grouped per index and joined to its table's row (listed
  // with ';', which becomes a newline: SEPARATOR takes only a literal, and a '\n' in one would
  // depend on NO_BACKSLASH_ESCAPES).
  Result<std::vector<LintTableSize>> LintTableSizes(
      Connection& conn, const std::vector<std::string>& tables) const override {
    if (tables.empty()) return std::vector<LintTableSize>();
    std::string names;
    for (const std::string& t : tables) names += (names.empty() ? "" : ",") + t;
    STRATA_ASSIGN_OR_RETURN(
        Rows rows,
        conn.Query(
            "SELECT LOWER(t.TABLE_NAME), t.TABLE_ROWS, t.DATA_LENGTH + t.INDEX_LENGTH, '', "
            "REPLACE(GROUP_CONCAT(CONCAT(i.index_name, ' ', i.index_columns) SEPARATOR ';'), "
            "';', CHAR(10)) "
            "FROM information_schema.TABLES t LEFT JOIN (SELECT TABLE_NAME AS table_name, "
            "LOWER(INDEX_NAME) AS index_name, GROUP_CONCAT(LOWER(COLUMN_NAME) ORDER BY "
            "SEQ_IN_INDEX SEPARATOR ',') AS index_columns FROM "
            "information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND "
            "FIND_IN_SET(LOWER(TABLE_NAME), ?) > 0 GROUP BY TABLE_NAME, INDEX_NAME HAVING "
            "COUNT(*) = COUNT(COLUMN_NAME) AND COUNT(SUB_PART) = 0) i ON i.table_name = "
            "t.TABLE_NAME WHERE t.TABLE_SCHEMA = DATABASE() AND t.TABLE_TYPE = 'BASE "
            "TABLE' AND FIND_IN_SET(LOWER(t.TABLE_NAME), ?) > 0 GROUP BY t.TABLE_NAME, "
            "t.TABLE_ROWS, t.DATA_LENGTH, t.INDEX_LENGTH",
            {names, names}));
    return flavors::LintTableSizesFrom(rows);
  }

  // ---- Runners and their statements on the server ---------------------------------------

  Result<std::int64_t> ServerConnectionId(Connection& conn) const override {
    STRATA_ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT CONNECTION_ID()"));
    return rows.Int(0, 0);
  }

  Result<std::vector<ServerStatement>> FindRunnerStatements(Connection& conn) const override {
    // The label is the comment leading each statement (performance_schema, which would show
    // the connection attributes, is off by default). A runner queuing for the migration lock
    // waits in GET_LOCK, state "User lock": not a statement of its migration.
    STRATA_ASSIGN_OR_RETURN(
        Rows rows, conn.Query(std::string(kRunningStatements) +
                              "WHERE ID <> CONNECTION_ID() AND COMMAND IN ('Query', 'Execute') "
                              "AND INFO LIKE '/* strata %' AND DB <=> DATABASE() "
                              "AND COALESCE(STATE, '') <> 'User lock' ORDER BY TIME_MS DESC"));
    return ToStatements(rows);
  }

  Result<std::optional<ServerStatement>> StatementIn(Connection& conn,
                                                     std::int64_t id) const override {
    STRATA_ASSIGN_OR_RETURN(Rows rows,
                            conn.Query(std::string(kRunningStatements) +
                                           "WHERE ID = ? AND COMMAND IN ('Query', 'Execute') "
                                           "AND INFO IS NOT NULL",
                                       {id}));
    STRATA_ASSIGN_OR_RETURN(std::vector<ServerStatement> found, ToStatements(rows));
    if (found.empty()) return std::optional<ServerStatement>();
    return std::optional<ServerStatement>(std::move(found.front()));
  }

  Status CancelServerStatement(Connection& conn, std::int64_t id) const override {
    // KILL takes no bound parameter; `id` is a number.
    Result<std::int64_t> killed = conn.Execute(fmt::format("KILL QUERY {}", id));
    if (!killed && killed.error().server_errno == kNoSuchThread) return Ok();  // ended already
    if (!killed) return std::move(killed).error();
    return Ok();
  }

 private:
  static constexpr int kNoSuchThread = 1094;  // ER_NO_SUCH_THREAD
  static constexpr std::string_view kRunningStatements =
      "SELECT ID, INFO, CAST(TIME_MS AS INTEGER) FROM information_schema.PROCESSLIST ";

  static Result<std::vector<ServerStatement>> ToStatements(const Rows& rows) {
    std::vector<ServerStatement> statements;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      ServerStatement s;
      STRATA_ASSIGN_OR_RETURN(s.connection_id, rows.Int(i, 0));
      STRATA_ASSIGN_OR_RETURN(std::string info, rows.Text(i, 1));
      STRATA_ASSIGN_OR_RETURN(const std::int64_t ms, rows.Int(i, 2));
      s.running_for = std::chrono::milliseconds(ms);
      // "/* <label> */ <statement>"
      const std::size_t close = info.find(" */ ");
      if (info.rfind("/* strata ", 0) == 0 && close != std::string::npos) {
        s.label = info.substr(3, close - 3);
        s.sql = info.substr(close + 4);
      } else {
        s.sql = std::move(info);
      }
      statements.push_back(std::move(s));
    }
    return statements;
  }

  // ---- Statement progress (migrations/progress.h) --------------------------------------

  // InnoDB builds an index inside the statement that adds it: one that exists is complete.
  Result<IndexState> IndexStateOf(Connection& conn, std::string_view schema,
                                  std::string_view index) const override {
    STRATA_ASSIGN_OR_RETURN(bool exists,
                            QueryAny(conn,
                                     "SELECT count(*) FROM information_schema.STATISTICS WHERE "
                                     "TABLE_SCHEMA = coalesce(nullif(?, ''), DATABASE()) AND "
                                     "INDEX_NAME = ?",
                                     {std::string(schema), std::string(index)}));
    return exists ? IndexState::kValid : IndexState::kAbsent;
  }
  Result<bool> ColumnExists(Connection& conn, std::string_view schema, std::string_view table,
                            std::string_view column) const override {
    return QueryAny(conn,
                    "SELECT count(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
                    "coalesce(nullif(?, ''), DATABASE()) AND TABLE_NAME = ? AND COLUMN_NAME = ?",
                    {std::string(schema), std::string(table), std::string(column)});
  }

  // ---- Flyway's default schema -----------------------------------------------------------

  // A MariaDB schema is a database: the session's default one is its current database.
  std::string SetDefaultSchemaSql(std::string_view schema) const override {
    return "USE " + Quote(schema);
  }
};

}  // namespace

const Flavor& MariaDb() {
  static const MariaDbFlavor flavor;
  return flavor;
}

}  // namespace strata::db::flavors
