// SQLite's SQL and facts. A schema is `main` or an attached database's name; there are no
// users and no row locks (one writer at a time, taken with BEGIN IMMEDIATE).
#include <fmt/format.h>

#include "db/flavor/flavors.h"

namespace strata::db::flavors {
namespace {

class SqliteFlavor final : public Flavor {
 public:
  Dialect dialect() const override { return Dialect::kSqlite; }
  bool has_transactional_ddl() const override { return true; }

  // ---- The session -----------------------------------------------------------------------

  Result<std::string> CurrentSchema(Connection& /*conn*/) const override {
    return std::string("main");
  }
  Result<std::string> CurrentDatabase(Connection& /*conn*/) const override {
    return std::string("main");
  }
  Result<std::string> CurrentUser(Connection& /*conn*/) const override { return std::string(); }
  Result<bool> TableExists(Connection& conn, std::string_view schema,
                           std::string_view table) const override {
    const std::string master = schema.empty() ? "sqlite_schema" : Quote(schema) + ".sqlite_schema";
    return QueryAny(conn, "SELECT count(*) FROM " + master + " WHERE type = 'table' AND name = ?1",
                    {std::string(table)});
  }
  Result<bool> SchemaExists(Connection& conn, std::string_view schema) const override {
    return QueryAny(conn, "SELECT count(*) FROM pragma_database_list WHERE name = ?1",
                    {std::string(schema)});
  }

  // ---- Building blocks for strata's own tables ------------------------------------------

  std::string EpochMillisNow() const override {
    return "CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER)";
  }
  std::string_view AutoIncrementPrimaryKey() const override {
    return "INTEGER PRIMARY KEY AUTOINCREMENT";
  }
  std::string_view ForUpdate() const override { return ""; }
  std::string ForUpdateSkipLocked(const ServerInfo& /*server*/) const override { return ""; }

  // ---- Run support ---------------------------------------------------------------------

  // The excluded table's own indexes and triggers (tbl_name) do not count either.
  Result<std::int64_t> CountObjectsExcept(Connection& conn, std::string_view /*schema*/,
                                          std::string_view excluded_table) const override {
    STRATA_ASSIGN_OR_RETURN(Rows rows,
                            conn.Query("SELECT count(*) FROM sqlite_schema WHERE name NOT "
                                       "LIKE 'sqlite_%' AND name <> ?1 AND tbl_name <> ?1",
                                       {std::string(excluded_table)}));
    return rows.Int(0, 0);
  }
};

}  // namespace

const Flavor& Sqlite() {
  static const SqliteFlavor flavor;
  return flavor;
}

}  // namespace strata::db::flavors
