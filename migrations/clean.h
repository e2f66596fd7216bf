// `clean`: drops every object in the configured schemas (docs/flyway.md §5), for
// development and test databases that are rebuilt from their migrations. Refused unless the
// configuration says clean_disabled = false, because it destroys everything, history included.
//
// A schema the history's SCHEMA marker names (created by migrate with create_schemas, or by
// Flyway) is dropped whole (Flavor::DropSchemaSql), after the other schemas are emptied.
// What is dropped from the other schemas, read from each engine's catalogs by its flavor
// (db/flavor/; those schemas themselves stay):
//   PostgreSQL  materialized views, views, tables (with their triggers, indexes, rules),
//               foreign tables, sequences not owned by a column, functions, procedures,
//               aggregates, domains, enum/range/composite types — each DROP ... IF EXISTS ...
//               CASCADE (an earlier CASCADE may already have removed a later object), all in
//               one transaction. Objects that belong to an extension are left to it, and
//               extensions are not dropped (they are often installed by a superuser and shared).
//               As in Flyway, CASCADE also drops objects in other schemas that depend on a
//               dropped one (a view over a cleaned table, a column of a cleaned type).
//   MariaDB     events, triggers, views, tables, sequences, procedures and functions, with
//               FOREIGN_KEY_CHECKS off for the session while tables are dropped. MariaDB has no
//               transactional DDL: a failure leaves the objects before it dropped.
//   SQLite      triggers, views, tables (virtual tables first, which removes their shadow
//               tables; indexes go with their tables), in one transaction with
//               defer_foreign_keys on. A schema is `main` or an attached database's name.
#ifndef STRATA_MIGRATIONS_CLEAN_H_
#define STRATA_MIGRATIONS_CLEAN_H_

#include <string>
#include <vector>

#include "base/result.h"
#include "db/connection.h"
#include "db/flavor/flavor.h"
#include "migrations/lifecycle.h"
#include "migrations/script.h"

namespace strata::migrations {

// One object clean drops: schema, kind ("table", "view", ...), name, and the statement that
// drops it. Each engine's flavor lists them (db::Flavor::CleanDrops).
using DropObject = db::CleanDrop;

// kInvalidArgument saying how to enable clean when `clean_disabled`; Ok otherwise.
Status CheckCleanEnabled(bool clean_disabled);

// Every object of `schemas` (in order) that clean drops, in an order that works. Reads the
// catalogs only. Fails with kNotFound naming a schema that does not exist.
Result<std::vector<DropObject>> ListObjectsToDrop(db::Connection& conn,
                                                  const std::vector<std::string>& schemas);

// The script that drops `drops`: in one transaction on PostgreSQL and SQLite, between
// SET FOREIGN_KEY_CHECKS = 0 and = 1 on MariaDB. Empty when `drops` is.
Script CleanScript(const std::vector<DropObject>& drops, db::Dialect dialect);

struct CleanOptions {
  // History table (its lock), dry run, and the beforeClean / afterClean callbacks. beforeClean
  // runs before the catalogs are read, so that what it creates is dropped too (a dry run
  // cannot run it, and lists what exists now); afterClean runs after the drops.
  RunOptions run;
  // Config::clean_disabled: clean refuses to run (also as a dry run) unless false. Default true.
  bool clean_disabled = true;
  // The schemas to clean. Default (empty): the history table's schema, which by default is the
  // connection's current schema.
  std::vector<std::string> schemas;
};

struct CleanResult {
  std::vector<std::string> schemas;  // the schemas cleaned
  std::vector<DropObject> drops;     // what was (or, for a dry run, would be) dropped
  std::string lock;
  std::string dry_run_sql;  // dry runs only
};

// Cleans under the migration lock, or with run.dry_run renders what it would drop. Errors:
// kInvalidArgument when disabled (checked before connecting to anything), kNotFound for a
// schema that does not exist, kLockTimeout, kConnection, kDatabase (PostgreSQL and SQLite roll
// the whole clean back; MariaDB keeps what was dropped before the failure).
Result<CleanResult> Clean(db::Connection& conn, db::Connection& lock_conn,
                          const CleanOptions& options, const LockWaitListener& on_wait);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_CLEAN_H_
