// The rule catalog. Each recipe runs on its engine against the tables `orders` and
// `customers` (lint/recipe_test.cc creates them) and lints clean; keep them short.
#include "lint/rule.h"

#include <array>

#include "base/strings.h"

namespace strata::lint {
namespace {

using db::Dialect;
constexpr std::optional<Dialect> kPg = Dialect::kPostgres;
constexpr std::optional<Dialect> kMy = Dialect::kMariaDb;
constexpr std::optional<Dialect> kSl = Dialect::kSqlite;
constexpr std::optional<Dialect> kAny = std::nullopt;
constexpr Severity kE = Severity::kError;
constexpr Severity kW = Severity::kWarning;

// clang-format off
constexpr std::array kRules = {
    // ---- any engine ------------------------------------------------------------------------
    Rule{"ST001", "lint-ignore-without-reason", kAny, kE, false,
         "a strata:lint-ignore comment must say why the finding does not apply",
         "-- strata:lint-ignore PG101,PG109 orders is a 200-row lookup table\n"
         "CREATE INDEX orders_status_idx ON orders (status);"},
    Rule{"ST002", "unsplittable-script", kAny, kE, false,
         "the script does not split into statements (unterminated string, comment or client "
         "command): nothing of it was linted",
         "SELECT 'every string closed';"},
    Rule{"ST003", "lint-ignore-unknown-rule", kAny, kW, false,
         "a strata:lint-ignore comment names a rule that does not exist",
         "-- strata:lint-ignore PG101,PG109 orders is a 200-row lookup table\n"
         "CREATE INDEX orders_status_idx ON orders (status);"},

    // ---- PostgreSQL ------------------------------------------------------------------------
    Rule{"PG100", "unparsable-statement", kPg, kW, false,
         "PostgreSQL's parser (15) rejects the statement, so no rule could check it",
         "SELECT 1;"},
    Rule{"PG101", "create-index-not-concurrently", kPg, kE, true,
         "CREATE INDEX without CONCURRENTLY blocks every write to the table while it builds",
         "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_created_at_idx ON orders (created_at);"},
    Rule{"PG102", "constraint-not-valid", kPg, kE, true,
         "ADD FOREIGN KEY or CHECK without NOT VALID scans the whole table under a lock that "
         "blocks writes",
         "SET lock_timeout = '5s';\n"
         "ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id)\n"
         "  REFERENCES customers (id) NOT VALID;\n"
         "-- then, in a later migration:\n"
         "ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;"},
    Rule{"PG103", "validate-in-same-transaction", kPg, kE, true,
         "VALIDATE CONSTRAINT in the transaction that added the constraint NOT VALID keeps the "
         "ADD's write-blocking lock for the whole scan",
         "SET lock_timeout = '5s';\n"
         "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\n"
         "-- then, in a later migration:\n"
         "ALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;"},
    Rule{"PG104", "set-not-null-without-check", kPg, kE, true,
         "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock unless a validated "
         "CHECK (col IS NOT NULL) proves it (PostgreSQL 12+)",
         "SET lock_timeout = '5s';\n"
         "ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;\n"
         "-- then, in a later migration:\n"
         "ALTER TABLE orders VALIDATE CONSTRAINT orders_status_nn;\n"
         "-- then, in a later migration:\n"
         "SET lock_timeout = '5s';\n"
         "ALTER TABLE orders ALTER COLUMN status SET NOT NULL;\n"
         "ALTER TABLE orders DROP CONSTRAINT orders_status_nn;"},
    Rule{"PG105", "alter-column-type", kPg, kE, true,
         "ALTER COLUMN TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock "
         "(only text, unbounded varchar and widening are cheap)",
         "SET lock_timeout = '5s';\n"
         "ALTER TABLE orders ADD COLUMN total_cents bigint;\n"
         "-- fill total_cents with a backfill job step, switch the application, drop total later"},
    Rule{"PG106", "add-column-volatile-default", kPg, kE, true,
         "ADD COLUMN with a volatile default (or any default before PostgreSQL 11, or a serial "
         "or stored generated column) rewrites the whole table under an ACCESS EXCLUSIVE lock",
         "SET lock_timeout = '5s';\n"
         "ALTER TABLE orders ADD COLUMN token uuid;\n"
         "ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();\n"
         "-- fill the existing rows with a backfill job step"},
    Rule{"PG107", "drop-table-or-column", kPg, kE, false,
         "DROP of a table or column breaks the application version still running during the "
         "deploy: stop using it first (expand/contract), drop it a release later",
         "SET lock_timeout = '5s';\n"
         "-- strata:lint-ignore PG107 release 42 stopped reading orders.note\n"
         "ALTER TABLE orders DROP COLUMN IF EXISTS note;"},
    Rule{"PG108", "rename-table-or-column", kPg, kE, false,
         "RENAME of a table or column breaks the application version still running during the "
         "deploy: add the new name, write both, switch reads, drop the old one later",
         "SET lock_timeout = '5s';\n"
         "ALTER TABLE orders ADD COLUMN state text;\n"
         "-- write both columns, fill state with a backfill job step, then stop using status"},
    Rule{"PG109", "lock-timeout-missing", kPg, kW, true,
         "DDL that takes a write-blocking lock without a lock_timeout queues every query behind "
         "it while it waits for the lock",
         "SET lock_timeout = '5s';\n"
         "ALTER TABLE orders ADD COLUMN shipped_at timestamptz;"},
    Rule{"PG110", "concurrently-in-transaction", kPg, kE, false,
         "CONCURRENTLY cannot run inside a transaction block, and in a script with other "
         "statements the script runs without a transaction (a failure leaves it half applied)",
         "CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_status_idx ON orders (status);"},
    Rule{"PG111", "vacuum-full", kPg, kE, true,
         "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock: no reads or writes "
         "until it finishes",
         "VACUUM (ANALYZE) orders;"},
    Rule{"PG112", "cluster", kPg, kE, true,
         "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock: no reads or writes until "
         "it finishes",
         "VACUUM (ANALYZE) orders;"},
    Rule{"PG113", "reindex-not-concurrently", kPg, kE, true,
         "REINDEX without CONCURRENTLY blocks writes to the table (and reads using the index) "
         "while it rebuilds",
         "REINDEX INDEX CONCURRENTLY orders_pkey;"},
    Rule{"PG114", "truncate", kPg, kE, false,
         "TRUNCATE removes every row at once under an ACCESS EXCLUSIVE lock; data in a "
         "migration is rarely meant to vanish",
         "DELETE FROM orders WHERE id IN (SELECT id FROM orders WHERE status = 'archived'\n"
         "  ORDER BY id LIMIT 1000);"},
    Rule{"PG115", "unbounded-update-or-delete", kPg, kE, true,
         "UPDATE or DELETE without WHERE touches every row in one transaction: long locks, "
         "bloat and replication lag; use a backfill job step",
         "-- strata:lint-ignore PG116 touches one row, by primary key\n"
         "UPDATE orders SET status = 'new' WHERE id = 1;"},
    Rule{"PG116", "bulk-update", kPg, kW, true,
         "an UPDATE of an existing table inside a migration holds its row locks until the "
         "migration commits; for many rows use a backfill job step",
         "-- strata:lint-ignore PG116 touches one row, by primary key\n"
         "UPDATE orders SET status = 'new' WHERE id = 1;"},
    Rule{"PG117", "add-unique-constraint", kPg, kE, true,
         "ADD PRIMARY KEY or UNIQUE builds its index under an ACCESS EXCLUSIVE lock; build it "
         "CONCURRENTLY first and attach it with USING INDEX",
         "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_uq\n"
         "  ON orders (customer_id, id);\n"
         "-- then, in a later migration:\n"
         "SET lock_timeout = '5s';\n"
         "ALTER TABLE orders ADD CONSTRAINT orders_customer_id_uq\n"
         "  UNIQUE USING INDEX orders_customer_id_uq;"},

    // ---- MariaDB / MySQL -------------------------------------------------------------------
    Rule{"MY201", "alter-without-algorithm-lock", kMy, kE, true,
         "ALTER TABLE or CREATE INDEX without ALGORITHM= and LOCK= silently falls back to a "
         "table copy that blocks writes when the change cannot run in place",
         "ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL, ALGORITHM=INPLACE, LOCK=NONE;"},
    Rule{"MY202", "alter-blocks-writes", kMy, kE, true,
         "this ALTER cannot run INSTANT or INPLACE with LOCK=NONE: it needs ALGORITHM=COPY or "
         "LOCK=SHARED, which blocks writes for the whole copy",
         "ALTER TABLE orders ADD COLUMN total_cents BIGINT NULL, ALGORITHM=INPLACE, LOCK=NONE;\n"
         "-- fill total_cents with a backfill job step, switch the application, drop total later"},
    Rule{"MY203", "drop-table-or-column", kMy, kE, false,
         "DROP of a table or column breaks the application version still running during the "
         "deploy: stop using it first (expand/contract), drop it a release later",
         "-- strata:lint-ignore MY203 release 42 stopped reading orders.note\n"
         "ALTER TABLE orders DROP COLUMN note, ALGORITHM=INPLACE, LOCK=NONE;"},
    Rule{"MY204", "rename-table-or-column", kMy, kE, false,
         "RENAME of a table or column breaks the application version still running during the "
         "deploy: add the new name, write both, switch reads, drop the old one later",
         "ALTER TABLE orders ADD COLUMN state VARCHAR(20) NULL, ALGORITHM=INPLACE, LOCK=NONE;"},
    Rule{"MY205", "unbounded-update-or-delete", kMy, kE, true,
         "UPDATE or DELETE without WHERE touches every row in one transaction: long locks and "
         "replication lag; use a backfill job step",
         "-- strata:lint-ignore MY206 touches one row, by primary key\n"
         "UPDATE orders SET status = 'new' WHERE id = 1;"},
    Rule{"MY206", "bulk-update", kMy, kW, true,
         "an UPDATE of an existing table inside a migration holds its row locks until it "
         "commits and lags replicas; for many rows use a backfill job step",
         "-- strata:lint-ignore MY206 touches one row, by primary key\n"
         "UPDATE orders SET status = 'new' WHERE id = 1;"},
    Rule{"MY207", "ddl-in-routine", kMy, kE, false,
         "DDL inside a procedure, function, trigger or event commits implicitly wherever it is "
         "called and escapes review; run it as a migration statement",
         "ALTER TABLE orders ADD COLUMN archived_at DATETIME NULL, ALGORITHM=INPLACE, LOCK=NONE;"},
    Rule{"MY208", "truncate", kMy, kE, false,
         "TRUNCATE drops and recreates the table at once; data in a migration is rarely meant "
         "to vanish",
         "DELETE FROM orders WHERE status = 'archived' ORDER BY id LIMIT 1000;"},
    Rule{"MY209", "alter-algorithm-refused", kMy, kW, false,
         "the ALTER asks for an ALGORITHM= or LOCK= that this server version cannot do for it: "
         "the server refuses the statement and the migration fails",
         "ALTER TABLE orders ADD COLUMN shipped_at DATETIME NULL, ALGORITHM=INSTANT;"},

    // ---- SQLite ----------------------------------------------------------------------------
    Rule{"SL301", "alter-needs-rebuild", kSl, kE, false,
         "SQLite's ALTER TABLE only renames, adds a plain column or drops one: this change "
         "needs the 12-step table rebuild (new table, copy, drop, rename)",
         "CREATE TABLE orders_new (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES\n"
         "  customers (id), status TEXT NOT NULL DEFAULT 'new', total REAL, created_at TEXT,\n"
         "  note TEXT);\n"
         "INSERT INTO orders_new (id, customer_id, status, total, created_at, note)\n"
         "  SELECT id, customer_id, COALESCE(status, 'new'), total, created_at, note FROM orders;\n"
         "DROP TABLE orders;\n"
         "ALTER TABLE orders_new RENAME TO orders;"},
    Rule{"SL302", "drop-table-or-column", kSl, kE, false,
         "DROP of a table or column breaks the application version still running during the "
         "deploy (and DROP COLUMN rewrites the table): stop using it first, drop it later",
         "-- strata:lint-ignore SL302 release 42 stopped reading orders.note\n"
         "ALTER TABLE orders DROP COLUMN note;"},
    Rule{"SL303", "rename-table-or-column", kSl, kE, false,
         "RENAME of a table or column breaks the application version still running during the "
         "deploy: add the new name, write both, switch reads, drop the old one later",
         "ALTER TABLE orders ADD COLUMN state TEXT;"},
};
// clang-format on

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kOff:
      return "off";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

std::optional<Severity> ParseSeverity(std::string_view text) {
  if (EqualsIgnoreCase(text, "off")) return Severity::kOff;
  if (EqualsIgnoreCase(text, "warning")) return Severity::kWarning;
  if (EqualsIgnoreCase(text, "error")) return Severity::kError;
  return std::nullopt;
}

std::span<const Rule> AllRules() { return kRules; }

const Rule* FindRule(std::string_view id_or_name) {
  for (const Rule& rule : kRules) {
    if (EqualsIgnoreCase(rule.id, id_or_name) || EqualsIgnoreCase(rule.name, id_or_name)) {
      return &rule;
    }
  }
  return nullptr;
}

}  // namespace strata::lint
