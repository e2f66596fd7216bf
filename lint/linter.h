// `strata lint`'s engine: finds the statements of a set of migration scripts that lock or
// break a production database, rule by rule (lint/rule.h), for one engine. No database and no
// printing: the caller supplies the scripts and, when it has a connection, the live facts
// (table sizes, server version) read through db::Flavor::LintTableFacts.
//
// Linting is two passes so that a live run asks the catalogs once for every table:
//   1. Analyze(): splits each script with the engine's splitter, parses each PostgreSQL
//      statement with PostgreSQL's own parser (libpg_query, the PostgreSQL 15 grammar) and
//      reads MariaDB and SQLite statements with the project's tokenizer, and collects the
//      candidate findings and the existing tables they are about. Tables created earlier in
//      the same set are new: no lock finding is raised for them.
//   2. Judge(): applies the live facts (a table below lint_large_table is a warning, one above
//      it an error, and the message says why: "orders: ~48M rows, 19 GiB"; without facts the
//      message says large tables were assumed), the configured severities and the
//      `-- strata:lint-ignore RULE reason` comments.
#ifndef STRATA_LINT_LINTER_H_
#define STRATA_LINT_LINTER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "db/dialect.h"
#include "lint/rule.h"

namespace strata::lint {

// One script to lint: the name shown in findings (a path) and its text.
struct SourceFile {
  std::string name;
  std::string text;
};

// One finding, at a 1-based line and column (characters) of its file.
struct Finding {
  const Rule* rule = nullptr;
  Severity severity = Severity::kError;  // after Judge(): what counts
  std::string file;
  int line = 1;
  int column = 1;
  std::string message;      // one line, naming the table and (after Judge) its size
  std::string table;        // the existing table it is about (lower-cased); "" for none
  std::string live_key;     // what a live fact may settle (PG104: the column; an index: "a,b")
  bool suppressed = false;  // a strata:lint-ignore comment covers it
  std::string suppression_reason;  // that comment's reason
};

struct AnalyzeOptions {
  db::Dialect dialect = db::Dialect::kPostgres;
  // The target's version (db::ServerInfo::version_number, e.g. 150004, 101106); 0 (default)
  // assumes the newest, as without a URL.
  int server_version = 0;
  // MariaDB dialect: whether the server is MySQL rather than MariaDB (db::ServerInfo::product),
  // which the online DDL model (lint/online_ddl.h) tells apart.
  bool mysql = false;
};

// What Analyze() found: the candidate findings in file order and the tables they are about.
struct Analysis {
  std::vector<Finding> findings;
  std::set<std::string> tables;  // existing (not created in the set) tables, lower-cased
};

// Lints `files` in order (the order migrations run). Never fails: a script that does not split
// is an ST002 finding, a statement PostgreSQL cannot parse a PG100 finding.
Analysis Analyze(const std::vector<SourceFile>& files, const AnalyzeOptions& options);

// A table as the target's catalogs describe it.
struct TableFacts {
  std::optional<std::int64_t> rows;   // the planner's estimate; nullopt when never analyzed
  std::optional<std::int64_t> bytes;  // table, indexes and TOAST
  // PostgreSQL: the columns (lower-cased) a validated CHECK (column IS NOT NULL) covers: SET
  // NOT NULL on them skips the scan (PG104 is then dropped).
  std::set<std::string> not_null_checked;
  // The plain indexes (no expression, no predicate, no prefix) by name, each with its columns
  // "a,b": a CREATE INDEX on the same columns is named as a likely duplicate (the text of
  // PG101, and of MY201/MY202 on an index).
  std::map<std::string, std::string> indexes;
};

struct LiveFacts {
  std::map<std::string, TableFacts> tables;  // by lower-cased name; absent: not on the target
};

struct JudgeOptions {
  // Per rule id (upper case, "PG101"): the severity configured in strata.toml [lint].
  std::map<std::string, Severity> severities;
  // lint_large_table: a table with at least this many rows, or this many bytes, is large.
  std::int64_t large_rows = 1'000'000;
  std::int64_t large_bytes = std::int64_t{1} << 30;
  // The facts read from the target; nullptr when linting offline.
  const LiveFacts* live = nullptr;
};

// Final severities and messages; drops findings whose rule is off. Suppressed findings stay,
// marked, so reports can count them.
std::vector<Finding> Judge(std::vector<Finding> findings, const JudgeOptions& options);

// Whether any finding that is not suppressed has severity error.
bool HasErrors(const std::vector<Finding>& findings);

// "48M", "1.2k", "950": a row count as messages write it.
std::string HumanCount(std::int64_t n);
// "19 GiB", "64 KiB", "512 B".
std::string HumanBytes(std::int64_t n);

}  // namespace strata::lint

#endif  // STRATA_LINT_LINTER_H_
