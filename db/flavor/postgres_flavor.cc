// PostgreSQL's SQL and facts.
#include <fmt/format.h>

#include <charconv>

#include "db/flavor/flavors.h"

namespace strata::db::flavors {
namespace {

// A session-level advisory lock, on a connection that keeps no transaction open, so that
// `CREATE INDEX CONCURRENTLY` in a migration (which waits for every older transaction) cannot
// deadlock against the lock holder.
class AdvisoryLock final : public MigrationLockHandle {
 public:
  AdvisoryLock(Connection& conn, std::int64_t key)
      : MigrationLockHandle(Describe(key)), conn_(conn), key_(key) {}

  static std::string Describe(std::int64_t key) { return fmt::format("pg_advisory_lock({})", key); }

  Result<bool> TryTake(std::chrono::milliseconds /*wait*/) override {
    STRATA_ASSIGN_OR_RETURN(Rows rows, conn_.Query("SELECT pg_try_advisory_lock($1)", {key_}));
    return !rows.empty() && rows.rows[0][0] == "t";
  }

  std::string Holder() override {
    auto rows = conn_.Query(
        "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local') "
        "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1 "
        "AND l.objid::bigint = $2 AND l.objsubid = 1 "
        // Advisory locks are per database: another database's runner (a fleet) is not it.
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        {key_ >> 32, key_ & 0xFFFFFFFF});
    if (!rows || rows->empty()) return "another session (holder not visible)";
    return fmt::format("PostgreSQL pid {}, application '{}', client {}", *rows->rows[0][0],
                       *rows->rows[0][1], *rows->rows[0][2]);
  }

  Result<bool> Release() override {
    return QueryTrue(conn_, "SELECT pg_advisory_unlock($1)", {key_});
  }

 private:
  Connection& conn_;
  std::int64_t key_;
};

// Objects that belong to another object go with it, and DROP refuses them on their own: those
// created by an extension ("extension requires it", deptype 'e') and those created implicitly,
// such as a range type's constructor functions (deptype 'i'). Only the object itself counts: a
// partitioned table's key columns depend internally on the table (objsubid > 0).
constexpr const char* kNotOwned =
    "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = "
    "'pg_catalog.{1}'::regclass AND d.objid = {0}.oid AND d.objsubid = 0 AND d.deptype IN ('e', "
    "'i'))";

// Materialized views, views, tables (with their triggers, indexes, rules), foreign tables,
// sequences not owned by a column, routines, domains and types of their own; each dropped
// IF EXISTS ... CASCADE, since an earlier CASCADE may already have removed a later object.
Result<std::vector<CleanDrop>> ListCleanDrops(const Flavor& flavor, Connection& conn,
                                              const std::string& schema) {
  const std::string s = flavor.Quote(schema);
  std::vector<CleanDrop> drops;
  auto add = [&](const std::string& kind, const std::string& sql) -> Status {
    STRATA_ASSIGN_OR_RETURN(Rows rows, conn.Query(sql, {schema}));
    for (const auto& row : rows.rows) {
      const std::string name = row[0].value_or("");
      const std::string keyword = row[1].value_or("");
      const std::string args = row.size() > 2 ? row[2].value_or("") : "";
      const bool routine = row.size() > 2;
      const std::string shown = routine ? fmt::format("{}({})", name, args) : name;
      const std::string target = routine ? fmt::format("{}.{}({})", s, flavor.Quote(name), args)
                                         : s + "." + flavor.Quote(name);
      drops.push_back({schema, row.size() > 3 ? row[3].value_or(kind) : kind, shown,
                       fmt::format("DROP {} IF EXISTS {} CASCADE", keyword, target)});
    }
    return Ok();
  };
  const std::string relations =
      "SELECT c.relname, '{1}' FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON "
      "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ({2}) AND {0} {3} ORDER BY "
      "c.relname";
  const std::string not_owned = fmt::format(fmt::runtime(kNotOwned), "c", "pg_class");
  STRATA_TRY(add("materialized view",
                 fmt::format(fmt::runtime(relations), not_owned, "MATERIALIZED VIEW", "'m'", "")));
  STRATA_TRY(add("view", fmt::format(fmt::runtime(relations), not_owned, "VIEW", "'v'", "")));
  STRATA_TRY(add("table", fmt::format(fmt::runtime(relations), not_owned, "TABLE", "'r', 'p'",
                                      "AND NOT c.relispartition")));
  STRATA_TRY(add("foreign table",
                 fmt::format(fmt::runtime(relations), not_owned, "FOREIGN TABLE", "'f'", "")));
  // Sequences owned by a column (serial, identity) go with their table.
  STRATA_TRY(add("sequence",
                 fmt::format(fmt::runtime(relations), not_owned, "SEQUENCE", "'S'",
                             "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend o WHERE o.objid "
                             "= c.oid AND o.deptype IN ('a', 'i'))")));
  STRATA_TRY(add(
      "function",
      fmt::format("SELECT p.proname, CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN "
                  "'AGGREGATE' ELSE 'FUNCTION' END, pg_catalog.pg_get_function_identity_arguments("
                  "p.oid), CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' "
                  "ELSE 'function' END FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n "
                  "ON n.oid = p.pronamespace WHERE n.nspname = $1 AND {} ORDER BY p.proname, 3",
                  fmt::format(fmt::runtime(kNotOwned), "p", "pg_proc"))));
  const std::string types =
      "SELECT t.typname, '{1}' FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON "
      "n.oid = t.typnamespace LEFT JOIN pg_catalog.pg_class r ON r.oid = t.typrelid WHERE "
      "n.nspname = $1 AND {0} AND ({2}) ORDER BY t.typname";
  const std::string type_not_owned = fmt::format(fmt::runtime(kNotOwned), "t", "pg_type");
  STRATA_TRY(
      add("domain", fmt::format(fmt::runtime(types), type_not_owned, "DOMAIN", "t.typtype = 'd'")));
  // Enums, ranges, and composite types of their own (not a table's row type).
  STRATA_TRY(add("type", fmt::format(fmt::runtime(types), type_not_owned, "TYPE",
                                     "t.typtype IN ('e', 'r') OR (t.typtype = 'c' AND "
                                     "r.relkind = 'c')")));
  return drops;
}

class PostgresFlavor final : public Flavor {
 public:
  Dialect dialect() const override { return Dialect::kPostgres; }
  bool has_transactional_ddl() const override { return true; }

  // ---- The session -----------------------------------------------------------------------

  Result<std::string> CurrentSchema(Connection& conn) const override {
    return QueryText(conn, "SELECT current_schema()", {},
                     fmt::format("{}: no current schema (the search_path names no existing "
                                 "schema): set schema, or name one in the search_path",
                                 conn.display_url()));
  }
  Result<std::string> CurrentDatabase(Connection& conn) const override {
    return QueryText(conn, "SELECT current_database()", {}, "no current database");
  }
  Result<std::string> CurrentUser(Connection& conn) const override {
    return QueryText(conn, "SELECT current_user", {}, "no current user");
  }
  Result<bool> TableExists(Connection& conn, std::string_view schema,
                           std::string_view table) const override {
    return QueryAny(conn,
                    "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                    "coalesce(nullif($1, ''), current_schema()) AND tablename = $2",
                    {std::string(schema), std::string(table)});
  }
  Result<bool> SchemaExists(Connection& conn, std::string_view schema) const override {
    return QueryAny(conn, "SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = $1",
                    {std::string(schema)});
  }

  // ---- Building blocks for strata's own tables ------------------------------------------

  // clock_timestamp(), not now(): now() is the transaction's start.
  std::string EpochMillisNow() const override {
    return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";
  }
  std::string_view AutoIncrementPrimaryKey() const override { return "BIGSERIAL PRIMARY KEY"; }
  std::string ForUpdateSkipLocked(const ServerInfo& /*server*/) const override {
    return " FOR UPDATE SKIP LOCKED";  // since 9.5, older than any server strata supports
  }

  // ---- Migrations: scripts and dry runs -------------------------------------------------

  char param_marker() const override { return '$'; }
  bool has_unnumbered_params() const override { return false; }
  // From 12 on, ALTER TYPE ... ADD VALUE may run inside a transaction.
  int SplitterServerVersion(const ServerInfo& server) const override {
    return server.version_number;
  }

  // ---- Migrations: history table, lock, clean -------------------------------------------

  std::vector<std::string> HistoryTableDdl(std::string_view schema,
                                           std::string_view table) const override {
    const std::string t = QualifiedName(schema, table);
    return {fmt::format("CREATE TABLE {} (\"installed_rank\" INT NOT NULL, \"version\" "
                        "VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) "
                        "NOT NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER, "
                        "\"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TIMESTAMP NOT "
                        "NULL DEFAULT now(), \"execution_time\" INTEGER NOT NULL, \"success\" "
                        "BOOLEAN NOT NULL)",
                        t),
            fmt::format("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (\"installed_rank\")", t,
                        Quote(std::string(table) + "_pk")),
            fmt::format("CREATE INDEX {} ON {} (\"success\")", Quote(std::string(table) + "_s_idx"),
                        t)};
  }

  Result<std::string> DescribeMigrationLock(Connection& /*conn*/,
                                            const MigrationLockId& id) const override {
    return AdvisoryLock::Describe(id.key);
  }
  Result<std::unique_ptr<MigrationLockHandle>> PrepareMigrationLock(
      Connection& conn, const MigrationLockId& id) const override {
    return std::unique_ptr<MigrationLockHandle>(std::make_unique<AdvisoryLock>(conn, id.key));
  }

  // All in one transaction. Objects that belong to an extension are left to it, and
  // extensions are not dropped (they are often installed by a superuser and shared). As in
  // Flyway, CASCADE also drops objects in other schemas that depend on a dropped one.
  Result<std::vector<CleanDrop>> CleanDrops(Connection& conn,
                                            const std::string& schema) const override {
    return ListCleanDrops(*this, conn, schema);
  }

  // ---- Tools: configuration, generated data ---------------------------------------------

  std::string AdvanceIdentitySql(std::string_view table, std::string_view column) const override {
    return fmt::format(
        "SELECT setval(pg_get_serial_sequence('{0}', '{1}'), max({1})) FROM {0} HAVING max({1}) "
        "IS NOT NULL",
        table, column);
  }

  // ---- Backfill ----------------------------------------------------------------------------

  std::string ServerSleep(double seconds) const override {
    return fmt::format("SELECT pg_sleep({})", seconds);
  }
  // An idle transaction holds its locks and snapshot: end the session that leaves one open.
  Status SetSessionTimeouts(Connection& conn, const SessionTimeouts& timeouts) const override {
    return conn.ExecuteScript(fmt::format(
        "SET statement_timeout = {}; SET lock_timeout = {}; "
        "SET idle_in_transaction_session_timeout = {}",
        timeouts.statement.count(), timeouts.lock.count(), timeouts.idle_in_transaction.count()));
  }
  Result<std::vector<StreamingReplica>> StreamingReplicas(Connection& primary) const override {
    STRATA_ASSIGN_OR_RETURN(
        Rows rows,
        primary.Query("SELECT pid::text, COALESCE(NULLIF(application_name, ''), "
                      "host(client_addr), 'replica'), COALESCE(EXTRACT(EPOCH FROM replay_lag), "
                      "0)::float8, COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), "
                      "0)::bigint, COALESCE(replay_lsn::text, '') FROM pg_stat_replication"));
    std::vector<StreamingReplica> replicas;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      StreamingReplica& r = replicas.emplace_back();
      r.id = rows.rows[i][0].value_or("");
      r.name = rows.rows[i][1].value_or("replica");
      STRATA_ASSIGN_OR_RETURN(r.replay_lag_seconds, ParseDouble(rows.rows[i][2].value_or("0")));
      STRATA_ASSIGN_OR_RETURN(r.bytes_behind, rows.Int(i, 3));
      r.replay_position = rows.rows[i][4].value_or("");
    }
    return replicas;
  }
  Result<ServerLoad> ReadServerLoad(Connection& conn) const override {
    STRATA_ASSIGN_OR_RETURN(
        Rows rows, conn.Query("SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = "
                              "'client backend'), current_setting('max_connections')::int"));
    ServerLoad load;
    STRATA_ASSIGN_OR_RETURN(load.connections, rows.Int(0, 0));
    STRATA_ASSIGN_OR_RETURN(load.max_connections, rows.Int(0, 1));
    return load;
  }

 private:
  static Result<double> ParseDouble(const std::string& text) {
    double v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc()) {
      return Err(ErrorCode::kInternal, fmt::format("'{}' is not a number", text));
    }
    return v;
  }

  // ---- Run support ---------------------------------------------------------------------

  // Relations of the kinds a migration creates (tables, partitioned tables, views,
  // materialized views, sequences, foreign tables), then functions and procedures.
  Result<std::int64_t> CountObjectsExcept(Connection& conn, std::string_view schema,
                                          std::string_view excluded_table) const override {
    STRATA_ASSIGN_OR_RETURN(
        Rows rows,
        conn.Query("SELECT (SELECT count(*) FROM pg_catalog.pg_class c JOIN "
                   "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
                   "$1 AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND c.relname <> "
                   "$2) + (SELECT count(*) FROM pg_catalog.pg_proc p JOIN "
                   "pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = "
                   "$1)",
                   {std::string(schema), std::string(excluded_table)}));
    return rows.Int(0, 0);
  }

  // ---- Lint: live facts -------------------------------------------------------------------

  // reltuples is -1 for a table never vacuumed or analyzed (PostgreSQL 14+): no estimate.
  // The names travel as one newline-separated parameter, so any number costs one query.
  Result<std::vector<LintTableSize>> LintTableSizes(
      Connection& conn, const std::vector<std::string>& tables) const override {
    if (tables.empty()) return std::vector<LintTableSize>();
    std::string names;
    for (const std::string& t : tables) names += t + "\n";
    STRATA_ASSIGN_OR_RETURN(
        Rows rows,
        // Still one query: the checks and indexes of each table are subqueries on its row.
        conn.Query("SELECT lower(c.relname), CASE WHEN c.reltuples < 0 THEN NULL ELSE "
                   "c.reltuples::bigint END, pg_catalog.pg_total_relation_size(c.oid), "
                   "(SELECT string_agg(lower(a.attname), chr(10)) FROM pg_catalog.pg_constraint k "
                   "JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = "
                   "k.conkey[1] WHERE k.conrelid = c.oid AND k.contype = 'c' AND k.convalidated "
                   "AND cardinality(k.conkey) = 1 AND translate(pg_catalog.pg_get_constraintdef("
                   "k.oid), '()', '') = 'CHECK ' || quote_ident(a.attname) || ' IS NOT NULL'), "
                   "(SELECT string_agg(lower(i.relname) || ' ' || (SELECT string_agg("
                   "lower(a.attname), ',' ORDER BY k.n) FROM unnest(x.indkey::int2[]) WITH "
                   "ORDINALITY k(attnum, n) JOIN pg_catalog.pg_attribute a ON a.attrelid = "
                   "x.indrelid AND a.attnum = k.attnum), chr(10)) FROM pg_catalog.pg_index x "
                   "JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = c.oid "
                   "AND x.indexprs IS NULL AND x.indpred IS NULL) FROM "
                   "pg_catalog.pg_class c WHERE c.relkind IN ('r', 'p') AND "
                   "pg_catalog.pg_table_is_visible(c.oid) AND lower(c.relname) = "
                   "ANY(string_to_array($1, chr(10)))",
                   {names}));
    return flavors::LintTableSizesFrom(rows);
  }

  // ---- Runners and their statements on the server ---------------------------------------

  Result<std::int64_t> ServerConnectionId(Connection& conn) const override {
    STRATA_ASSIGN_OR_RETURN(Rows rows, conn.Query("SELECT pg_backend_pid()"));
    return rows.Int(0, 0);
  }

  Result<std::vector<ServerStatement>> FindRunnerStatements(Connection& conn) const override {
    // pg_try_advisory_lock never waits, but Flyway's pg_advisory_lock does: leave such waits
    // out, they are runners queuing for the lock, not statements. The parallel workers of an
    // index build show the leader's statement and name: only the leader is the statement.
    STRATA_ASSIGN_OR_RETURN(
        Rows rows, conn.Query(std::string(kActiveStatements) +
                              "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                              "AND state = 'active' AND application_name LIKE 'strata %' "
                              "AND backend_type = 'client backend' "
                              "AND (wait_event IS DISTINCT FROM 'advisory') ORDER BY query_start"));
    return ToStatements(rows);
  }

  Result<std::optional<ServerStatement>> StatementIn(Connection& conn,
                                                     std::int64_t id) const override {
    STRATA_ASSIGN_OR_RETURN(
        Rows rows,
        conn.Query(std::string(kActiveStatements) + "WHERE pid = $1 AND state = 'active'", {id}));
    STRATA_ASSIGN_OR_RETURN(std::vector<ServerStatement> found, ToStatements(rows));
    if (found.empty()) return std::optional<ServerStatement>();
    return std::optional<ServerStatement>(std::move(found.front()));
  }

  Status CancelServerStatement(Connection& conn, std::int64_t id) const override {
    // false (and a warning) when the backend has gone: nothing left to cancel.
    STRATA_TRY(conn.Query("SELECT pg_cancel_backend($1)", {id}));
    return Ok();
  }

 private:
  static constexpr std::string_view kActiveStatements =
      "SELECT pid, coalesce(application_name, ''), coalesce(query, ''), "
      "coalesce((extract(epoch FROM clock_timestamp() - query_start) * 1000)::bigint, 0) "
      "FROM pg_catalog.pg_stat_activity ";

  static Result<std::vector<ServerStatement>> ToStatements(const Rows& rows) {
    std::vector<ServerStatement> statements;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      ServerStatement s;
      STRATA_ASSIGN_OR_RETURN(s.connection_id, rows.Int(i, 0));
      STRATA_ASSIGN_OR_RETURN(s.label, rows.Text(i, 1));
      STRATA_ASSIGN_OR_RETURN(s.sql, rows.Text(i, 2));
      STRATA_ASSIGN_OR_RETURN(const std::int64_t ms, rows.Int(i, 3));
      s.running_for = std::chrono::milliseconds(ms);
      statements.push_back(std::move(s));
    }
    return statements;
  }

  // ---- Statement progress (migrations/progress.h) --------------------------------------

  Result<IndexState> IndexStateOf(Connection& conn, std::string_view schema,
                                  std::string_view index) const override {
    STRATA_ASSIGN_OR_RETURN(
        Rows rows, conn.Query("SELECT i.indisvalid AND i.indisready FROM pg_catalog.pg_index i "
                              "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN "
                              "pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE "
                              "n.nspname = coalesce(nullif($1, ''), current_schema()) AND "
                              "c.relname = $2",
                              {std::string(schema), std::string(index)}));
    if (rows.empty()) return IndexState::kAbsent;
    return rows.rows[0][0] == "t" ? IndexState::kValid : IndexState::kInvalid;
  }
  Result<bool> ColumnExists(Connection& conn, std::string_view schema, std::string_view table,
                            std::string_view column) const override {
    return QueryAny(conn,
                    "SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                    "coalesce(nullif($1, ''), current_schema()) AND table_name = $2 AND "
                    "column_name = $3",
                    {std::string(schema), std::string(table), std::string(column)});
  }
  std::string DropIndexConcurrently(std::string_view schema,
                                    std::string_view index) const override {
    return fmt::format("DROP INDEX CONCURRENTLY IF EXISTS {}", QualifiedName(schema, index));
  }

  // ---- Flyway's default schema -----------------------------------------------------------

  std::string SetDefaultSchemaSql(std::string_view schema) const override {
    return "SET search_path TO " + Quote(schema);
  }
  std::string DropSchemaSql(std::string_view schema) const override {
    return "DROP SCHEMA " + Quote(schema) + " CASCADE";
  }
};

}  // namespace

const Flavor& Postgres() {
  static const PostgresFlavor flavor;
  return flavor;
}

}  // namespace strata::db::flavors
