// PostgreSQL's SQL and facts.
#include <fmt/format.h>

#include <charconv>

#include "db/flavor/flavors.h"

namespace strata::db::flavors {
namespace {

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
};

}  // namespace

const Flavor& Postgres() {
  static const PostgresFlavor flavor;
  return flavor;
}

}  // namespace strata::db::flavors
