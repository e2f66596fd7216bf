// PostgreSQL's SQL and facts.
#include <fmt/format.h>

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
};

}  // namespace

const Flavor& Postgres() {
  static const PostgresFlavor flavor;
  return flavor;
}

}  // namespace strata::db::flavors
