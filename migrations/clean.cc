#include "migrations/clean.h"

#include <fmt/format.h>

#include <iterator>
#include <set>
#include <string_view>
#include <utility>

#include "db/flavor/flavor.h"
#include "migrations/history.h"

namespace strata::migrations {
namespace {

Result<std::vector<std::string>> SchemasToClean(db::Connection& conn, const CleanOptions& options) {
  if (!options.schemas.empty()) return options.schemas;
  SchemaHistory history(conn, options.run.history);
  STRATA_ASSIGN_OR_RETURN(std::string schema, history.ResolvedSchema());
  return std::vector<std::string>{schema};
}

// The names in a SCHEMA marker's script: quoted identifiers ("a" or `a`, the quote doubled
// inside) separated by commas, as Flyway writes them; unquoted names are taken as written.
std::vector<std::string> SchemaMarkerNames(std::string_view script) {
  std::vector<std::string> names;
  std::string name;
  char quote = 0;
  for (std::size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    if (quote != 0) {
      if (c != quote) {
        name += c;
      } else if (i + 1 < script.size() && script[i + 1] == quote) {
        name += c;
        ++i;
      } else {
        quote = 0;
      }
    } else if (c == '"' || c == '`') {
      quote = c;
    } else if (c == ',') {
      names.push_back(std::move(name));
      name.clear();
    } else if (c != ' ') {
      name += c;
    }
  }
  if (!name.empty()) names.push_back(std::move(name));
  return names;
}

// The schemas Flyway or strata created (the history's SCHEMA marker): clean drops them whole,
// as Flyway does, rather than emptying them.
Result<std::set<std::string>> CreatedSchemas(SchemaHistory& history) {
  STRATA_ASSIGN_OR_RETURN(HistoryContents contents, ReadHistory(history));
  std::set<std::string> created;
  for (const HistoryRow& row : contents.rows) {
    if (row.type != MigrationType::kSchema) continue;
    for (std::string& name : SchemaMarkerNames(row.script)) created.insert(std::move(name));
  }
  return created;
}

// Every object of `schemas` clean drops: the schemas in `created` (that still exist) whole,
// after the objects of the others.
Result<std::vector<DropObject>> DropsFor(db::Connection& conn,
                                         const std::vector<std::string>& schemas,
                                         const std::set<std::string>& created) {
  std::vector<std::string> emptied;
  std::vector<DropObject> whole;
  const db::Flavor& flavor = db::FlavorOf(conn);
  for (const std::string& schema : schemas) {
    if (created.count(schema) == 0) {
      emptied.push_back(schema);
      continue;
    }
    STRATA_ASSIGN_OR_RETURN(bool exists, flavor.SchemaExists(conn, schema));
    if (exists) whole.push_back({schema, "schema", schema, flavor.DropSchemaSql(schema)});
  }
  STRATA_ASSIGN_OR_RETURN(std::vector<DropObject> drops, ListObjectsToDrop(conn, emptied));
  drops.insert(drops.end(), std::make_move_iterator(whole.begin()),
               std::make_move_iterator(whole.end()));
  return drops;
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
  const db::Flavor& flavor = db::FlavorOf(conn);
  std::vector<DropObject> all;
  for (const std::string& schema : schemas) {
    STRATA_ASSIGN_OR_RETURN(bool exists, flavor.SchemaExists(conn, schema));
    if (!exists) {
      return Err(ErrorCode::kNotFound,
                 fmt::format("schema '{}' does not exist on {}; check `schemas` in strata.toml "
                             "or --schemas; nothing was dropped",
                             schema, conn.display_url()));
    }
    Result<std::vector<DropObject>> drops = flavor.CleanDrops(conn, schema);
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
  const db::Flavor& flavor = db::FlavorFor(dialect);
  const db::CleanFraming frame = flavor.CleanFrame();
  const bool transactional = flavor.has_transactional_ddl();
  if (transactional) script.push_back(Begin());
  if (!frame.note.empty()) script.push_back(Comment(frame.note));
  for (const std::string& sql : frame.before) script.push_back(Statement(sql, {}, "clean"));
  for (const DropObject& drop : drops) {
    script.push_back(Statement(drop.sql, {}, fmt::format("clean {} {}", drop.kind, drop.name)));
  }
  for (const std::string& sql : frame.after) script.push_back(Statement(sql, {}, "clean"));
  if (transactional) script.push_back(Commit());
  return script;
}

Result<CleanResult> Clean(db::Connection& conn, db::Connection& lock_conn,
                          const CleanOptions& options, const LockWaitListener& on_wait) {
  STRATA_TRY(CheckCleanEnabled(options.clean_disabled));
  SchemaHistory history(conn, options.run.history);
  CleanResult result;
  STRATA_ASSIGN_OR_RETURN(const std::string lock_name, history.LockName());
  STRATA_ASSIGN_OR_RETURN(LockHold lock,
                          LockHold::Take(lock_conn, lock_name, options.run, on_wait));
  result.lock = lock.description();
  Script before;
  Script after;
  std::set<std::string> created;
  STRATA_TRY(ReadOnlyIfDryRun(conn, options.run.dry_run, [&]() -> Status {
    STRATA_ASSIGN_OR_RETURN(result.schemas, SchemasToClean(conn, options));
    STRATA_ASSIGN_OR_RETURN(created, CreatedSchemas(history));
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
    STRATA_ASSIGN_OR_RETURN(result.drops, DropsFor(conn, result.schemas, created));
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
        db::FlavorOf(conn).has_transactional_ddl()
            ? "clean (the drops were rolled back)"
            : "clean (MariaDB commits each DROP: the objects dropped before the failure are gone)");
  }
  STRATA_TRY(lock.Release());
  return result;
}

}  // namespace strata::migrations
