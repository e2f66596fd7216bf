// MariaDB's (and MySQL's) SQL and facts. A database is what the other engines call a schema.
#include <fmt/format.h>

#include <algorithm>

#include "db/flavor/flavors.h"

namespace strata::db::flavors {
namespace {

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
};

}  // namespace

const Flavor& MariaDb() {
  static const MariaDbFlavor flavor;
  return flavor;
}

}  // namespace strata::db::flavors
