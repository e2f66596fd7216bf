// MariaDB's (and MySQL's) SQL and facts. A database is what the other engines call a schema.
#include <fmt/format.h>

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
};

}  // namespace

const Flavor& MariaDb() {
  static const MariaDbFlavor flavor;
  return flavor;
}

}  // namespace strata::db::flavors
