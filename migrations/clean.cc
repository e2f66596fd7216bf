#include "migrations/clean.h"

#include <fmt/format.h>

#include <utility>

#include "migrations/history.h"

namespace strata::migrations {
namespace {

std::string Q(db::Dialect d, const std::string& name) { return db::QuoteIdentifier(d, name); }

// ---- PostgreSQL ------------------------------------------------------------------------------

// Objects that belong to another object go with it, and DROP refuses them on their own: those
// created by an extension ("extension requires it", deptype 'e') and those created implicitly,
// such as a range type's constructor functions (deptype 'i'). Only the object itself counts: a
// partitioned table's key columns depend internally on the table (objsubid > 0).
constexpr const char* kNotOwned =
    "NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = "
    "'pg_catalog.{1}'::regclass AND d.objid = {0}.oid AND d.objsubid = 0 AND d.deptype IN ('e', "
    "'i'))";

Result<std::vector<DropObject>> PostgresDrops(db::Connection& conn, const std::string& schema) {
  const db::Dialect d = db::Dialect::kPostgres;
  const std::string s = Q(d, schema);
  std::vector<DropObject> drops;
  auto add = [&](const std::string& kind, const std::string& sql) -> Status {
    STRATA_ASSIGN_OR_RETURN(db::Rows rows, conn.Query(sql, {schema}));
    for (const auto& row : rows.rows) {
      const std::string name = row[0].value_or("");
      const std::string keyword = row[1].value_or("");
      const std::string args = row.size() > 2 ? row[2].value_or("") : "";
      const bool routine = row.size() > 2;
      const std::string shown = routine ? fmt::format("{}({})", name, args) : name;
      const std::string target =
          routine ? fmt::format("{}.{}({})", s, Q(d, name), args) : s + "." + Q(d, name);
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

// ---- MariaDB ---------------------------------------------------------------------------------

Result<std::vector<DropObject>> MariaDbDrops(db::Connection& conn, const std::string& schema) {
  const db::Dialect d = db::Dialect::kMariaDb;
  const std::string s = Q(d, schema);
  std::vector<DropObject> drops;
  // Each query returns (name, kind, DROP keyword).
  auto add = [&](const std::string& sql) -> Status {
    STRATA_ASSIGN_OR_RETURN(db::Rows rows, conn.Query(sql, {schema}));
    for (const auto& row : rows.rows) {
      const std::string name = row[0].value_or("");
      drops.push_back({schema, row[1].value_or(""), name,
                       fmt::format("DROP {} IF EXISTS {}.{}", row[2].value_or(""), s, Q(d, name))});
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

// ---- SQLite ----------------------------------------------------------------------------------

Result<std::vector<DropObject>> SqliteDrops(db::Connection& conn, const std::string& schema) {
  const db::Dialect d = db::Dialect::kSqlite;
  const std::string s = Q(d, schema);
  // sqlite_* objects are SQLite's own; virtual tables go first so that their shadow tables go
  // with them.
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn.Query(fmt::format("SELECT name, type FROM {}.sqlite_schema WHERE type IN ('trigger', "
                             "'view', 'table') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER "
                             "BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, "
                             "coalesce(sql, '') NOT LIKE 'CREATE VIRTUAL TABLE%', name",
                             s)));
  std::vector<DropObject> drops;
  for (const auto& row : rows.rows) {
    const std::string name = row[0].value_or("");
    const std::string type = row[1].value_or("");
    std::string keyword = type == "trigger" ? "TRIGGER" : type == "view" ? "VIEW" : "TABLE";
    drops.push_back(
        {schema, type, name, fmt::format("DROP {} IF EXISTS {}.{}", keyword, s, Q(d, name))});
  }
  return drops;
}

// ---- Schemas ---------------------------------------------------------------------------------

Result<bool> SchemaExists(db::Connection& conn, const std::string& schema) {
  db::Rows rows;
  switch (conn.dialect()) {
    case db::Dialect::kPostgres: {
      STRATA_ASSIGN_OR_RETURN(
          rows,
          conn.Query("SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = $1", {schema}));
      break;
    }
    case db::Dialect::kMariaDb: {
      STRATA_ASSIGN_OR_RETURN(
          rows, conn.Query("SELECT count(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                           {schema}));
      break;
    }
    case db::Dialect::kSqlite: {
      STRATA_ASSIGN_OR_RETURN(
          rows, conn.Query("SELECT count(*) FROM pragma_database_list WHERE name = ?1", {schema}));
      break;
    }
  }
  STRATA_ASSIGN_OR_RETURN(std::int64_t n, rows.Int(0, 0));
  return n > 0;
}

Result<std::vector<std::string>> SchemasToClean(db::Connection& conn, const CleanOptions& options) {
  if (!options.schemas.empty()) return options.schemas;
  SchemaHistory history(conn, options.run.history);
  STRATA_ASSIGN_OR_RETURN(std::string schema, history.ResolvedSchema());
  return std::vector<std::string>{schema};
}

}  // namespace

Status CheckCleanEnabled(bool clean_disabled) {
  if (!clean_disabled) return Ok();
  return Err(ErrorCode::kInvalidArgument,
             "clean is disabled, because it drops every object in the schemas, the history "
             "table included; to allow it on this database, set clean_disabled = false in "
             "strata.toml (or STRATA_CLEAN_DISABLED=false); nothing was dropped");
}

Result<std::vector<DropObject>> ListObjectsToDrop(db::Connection& conn,
                                                  const std::vector<std::string>& schemas) {
  std::vector<DropObject> all;
  for (const std::string& schema : schemas) {
    STRATA_ASSIGN_OR_RETURN(bool exists, SchemaExists(conn, schema));
    if (!exists) {
      return Err(ErrorCode::kNotFound,
                 fmt::format("schema '{}' does not exist on {}; check `schemas` in strata.toml "
                             "or --schemas; nothing was dropped",
                             schema, conn.display_url()));
    }
    Result<std::vector<DropObject>> drops = std::vector<DropObject>();
    switch (conn.dialect()) {
      case db::Dialect::kPostgres:
        drops = PostgresDrops(conn, schema);
        break;
      case db::Dialect::kMariaDb:
        drops = MariaDbDrops(conn, schema);
        break;
      case db::Dialect::kSqlite:
        drops = SqliteDrops(conn, schema);
        break;
    }
    if (!drops) {
      return std::move(drops).error().WithContext(
          fmt::format("reading the objects of schema '{}'", schema));
    }
    all.insert(all.end(), std::make_move_iterator(drops->begin()),
               std::make_move_iterator(drops->end()));
  }
  return all;
}

Script CleanScript(const std::vector<DropObject>& drops, db::Dialect dialect) {
  Script script;
  if (drops.empty()) return script;
  const bool transactional = db::HasTransactionalDdl(dialect);
  if (transactional) script.push_back(Begin());
  if (dialect == db::Dialect::kSqlite) {
    // Every foreign key is checked at COMMIT, when the tables on both sides are gone.
    script.push_back(Statement("PRAGMA defer_foreign_keys = ON", {}, "clean"));
  }
  if (dialect == db::Dialect::kMariaDb) {
    script.push_back(Comment("foreign keys between the dropped tables are not checked"));
    script.push_back(Statement("SET FOREIGN_KEY_CHECKS = 0", {}, "clean"));
  }
  for (const DropObject& drop : drops) {
    script.push_back(Statement(drop.sql, {}, fmt::format("clean {} {}", drop.kind, drop.name)));
  }
  if (dialect == db::Dialect::kMariaDb) {
    script.push_back(Statement("SET FOREIGN_KEY_CHECKS = 1", {}, "clean"));
  }
  if (transactional) script.push_back(Commit());
  return script;
}

Result<CleanResult> Clean(db::Connection& conn, db::Connection& lock_conn,
                          const CleanOptions& options, const LockWaitListener& on_wait) {
  STRATA_TRY(CheckCleanEnabled(options.clean_disabled));
  SchemaHistory history(conn, options.run.history);
  CleanResult result;
  STRATA_ASSIGN_OR_RETURN(LockHold lock,
                          LockHold::Take(lock_conn, history.quoted(), options.run, on_wait));
  result.lock = lock.description();
  Script before;
  Script after;
  STRATA_TRY(ReadOnlyIfDryRun(conn, options.run.dry_run, [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(result.schemas, SchemasToClean(conn, options));
    STRATA_ASSIGN_OR_RETURN(RunFiles files, RunFiles::Make(conn, options.run));
    STRATA_ASSIGN_OR_RETURN(before, files.CallbackSteps("beforeClean"));
    STRATA_ASSIGN_OR_RETURN(after, files.CallbackSteps("afterClean"));
    return Ok();
  }));

  Script script = HeaderComments(result.lock);
  Append(script, std::move(before));
  if (!options.run.dry_run) {
    // beforeClean runs before the catalogs are read, so that what it creates goes too.
    STRATA_TRY(Execute(script, conn));
    script.clear();
  }
  STRATA_TRY(ReadOnlyIfDryRun(conn, options.run.dry_run, [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(result.drops, ListObjectsToDrop(conn, result.schemas));
    return Ok();
  }));
  std::string schemas;
  for (const std::string& s : result.schemas) schemas += (schemas.empty() ? "" : ", ") + s;
  script.push_back(Comment(fmt::format("schemas: {}; {} object{} to drop", schemas,
                                       result.drops.size(), result.drops.size() == 1 ? "" : "s")));
  Append(script, CleanScript(result.drops, conn.dialect()));
  Append(script, std::move(after));

  if (options.run.dry_run) {
    result.dry_run_sql = RenderDryRun(script, conn.dialect());
  } else if (Status done = Execute(script, conn); !done) {
    return std::move(done).error().WithContext(
        db::HasTransactionalDdl(conn.dialect())
            ? "clean (the drops were rolled back)"
            : "clean (MariaDB commits each DROP: the objects dropped before the failure are gone)");
  }
  STRATA_TRY(lock.Release());
  return result;
}

}  // namespace strata::migrations
