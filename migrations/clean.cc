#include "migrations/clean.h"

#include <fmt/format.h>

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
        db::FlavorOf(conn).has_transactional_ddl()
            ? "clean (the drops were rolled back)"
            : "clean (MariaDB commits each DROP: the objects dropped before the failure are gone)");
  }
  STRATA_TRY(lock.Release());
  return result;
}

}  // namespace strata::migrations
