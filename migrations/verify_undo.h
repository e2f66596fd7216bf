// `verify-undo`: proves, on a scratch database, that every versioned migration's U script
// restores the schema it found, and that the migration applies again cleanly afterwards — the
// round trip migrate → undo → migrate (docs/verify-undo.md).
//
// For each versioned SQL migration, in version order:
//   1. read the schema (`before`);
//   2. migrate exactly this version (target and cherry_pick set to it: repeatables, which have
//      no undo, never run) and read the schema (`after`);
//   3. with a U script: undo it (the latest applied version) and read the schema, which must
//      equal `before`; migrate it again and read the schema, which must equal `after`.
// Versions outside [from, to] are migrated forward only (below `from`) or not at all (above
// `to`). A version already applied when the run starts (a --force run over an existing history)
// is skipped. `.job` steps have no U script: they run forward and are reported as kNoUndo.
//
// A check that cannot leave the database in a known state stops the run: the migration failing
// (kMigrateFailed), its undo failing (kUndoFailed), or it failing to apply again
// (kReapplyFailed). The versions after it are not verified (VerifyUndoResult::not_verified).
// Errors that say nothing about the migration — the lock, the connection, a signal, a bad
// placeholder setting — are returned as errors.
//
// The schema is read through `read_schema`, supplied by the caller (cli/ reads a snapshot with
// schema/snapshot.h, leaving strata's own tables out): the engines do not know each other.
#ifndef STRATA_MIGRATIONS_VERIFY_UNDO_H_
#define STRATA_MIGRATIONS_VERIFY_UNDO_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "migrations/migrator.h"
#include "migrations/resolver.h"
#include "migrations/version.h"

namespace strata::migrations {

enum class UndoCheck {
  kOk,             // undo restored the schema; the migration applied again to the same schema
  kNoUndo,         // no U script (or a `.job` step): nothing to verify
  kMigrateFailed,  // the migration itself failed: stops the run
  kUndoFailed,     // the U script failed: stops the run
  kNotRestored,    // the schema after undo differs from the schema before the migration
  kReapplyFailed,  // the migration failed when applied again after its undo: stops the run
  kNotIdempotent,  // applied again, the migration left a different schema than the first time
  kSkipped,        // already applied before the run started (only with a non-empty database)
};

// "ok", "no_undo", "migrate_failed", "undo_failed", "not_restored", "reapply_failed",
// "not_idempotent", "skipped".
const char* UndoCheckName(UndoCheck check);

// The verdict on one versioned migration.
struct UndoVerification {
  Version version;
  std::string description;
  std::string script;       // the V script (or .job step)
  std::string undo_script;  // the U script; empty when there is none
  UndoCheck check = UndoCheck::kOk;
  std::string error;  // kMigrateFailed, kUndoFailed, kReapplyFailed: the error's message
  // kNotRestored: the schema before the migration and after its undo; kNotIdempotent: after
  // the first application and after the second. Empty otherwise.
  std::string expected_schema;
  std::string actual_schema;
};

struct VerifyUndoResult {
  std::vector<UndoVerification> migrations;  // in version order, the range only
  std::size_t not_verified = 0;  // versions in the range left unchecked after a stopping check
};

// Reads the schema under verification as text; equal texts mean equal schemas.
using SchemaReader = std::function<Result<std::string>()>;

struct VerifyUndoOptions {
  // How each migration runs: history table, lock, placeholders, callbacks, job steps, schemas.
  // plan.target and flyway.cherry_pick are set per version; baseline_on_migrate and dry_run are
  // ignored (off).
  MigrateOptions migrate;
  std::optional<Version> from;  // verify versions >= from; default: from the first
  std::optional<Version> to;    // verify versions <= to; default: up to the last
  // Called with each verdict as soon as it is known (progress for people). Default none.
  std::function<void(const UndoVerification&)> on_verdict;
};

// Runs the round trips on `conn` (lock on `lock_conn`, as Migrate() says). The database should
// be a scratch one: it is migrated, undone and migrated again. Errors: kLockTimeout,
// kConnection, kCancelled, and errors reading the schema or the files before anything runs.
Result<VerifyUndoResult> VerifyUndo(db::Connection& conn, db::Connection& lock_conn,
                                    const std::vector<ResolvedMigration>& resolved,
                                    const VerifyUndoOptions& options,
                                    const SchemaReader& read_schema);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_VERIFY_UNDO_H_
