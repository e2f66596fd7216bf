// One row of the schema history table in memory, and the values of its `type` column
// (docs/flyway.md §2). Reading and writing rows is the history table's job; this header
// only fixes their shape so that the plan can be computed without a database.
#ifndef STRATA_MIGRATIONS_HISTORY_ROW_H_
#define STRATA_MIGRATIONS_HISTORY_ROW_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "migrations/version.h"

namespace strata::migrations {

// Every `type` value Flyway reads. Flyway fails on a value it does not know, so strata writes
// only these.
enum class MigrationType {
  kSchema,        // SCHEMA: synthetic marker, Flyway created the schemas
  kBaseline,      // BASELINE: synthetic marker written by `baseline`
  kDelete,        // DELETE: synthetic marker written by `repair` for a removed migration
  kSql,           // SQL: V and R scripts
  kJdbc,          // JDBC: code migrations; strata records `.job` steps with it
  kScript,        // SCRIPT
  kUndoScript,    // UNDO_SCRIPT
  kCustom,        // CUSTOM
  kSqlBaseline,   // SQL_BASELINE: a B script applied to a new database
  kJdbcBaseline,  // JDBC_BASELINE
  kUndoSql,       // UNDO_SQL: a U script
  kUndoJdbc,      // UNDO_JDBC
};

// The column text, e.g. "SQL_BASELINE".
std::string_view MigrationTypeName(MigrationType type);

// Parses the column text. Accepts Flyway's legacy names too: SPRING_JDBC is read as JDBC,
// SQL_STATE_SCRIPT as SQL_BASELINE and JDBC_STATE_SCRIPT as JDBC_BASELINE. Fails with
// kValidation naming the value when it is unknown (the table was written by something else).
Result<MigrationType> ParseMigrationType(std::string_view text);

// SCHEMA, BASELINE and DELETE rows describe the table itself, not a migration that ran.
bool IsSynthetic(MigrationType type);
// BASELINE, SQL_BASELINE, JDBC_BASELINE.
bool IsBaselineType(MigrationType type);
// UNDO_SQL, UNDO_JDBC, UNDO_SCRIPT.
bool IsUndoType(MigrationType type);

// One row, column for column as Flyway lays the table out.
struct HistoryRow {
  std::int32_t installed_rank = 0;
  std::optional<Version> version;  // absent for repeatables and the SCHEMA marker
  std::string description;         // stored abbreviated to 200 characters: AbbreviateDescription
  MigrationType type = MigrationType::kSql;
  std::string script;                    // path relative to its location, `/`-separated
  std::optional<std::int32_t> checksum;  // absent for markers and some code migrations
  std::string installed_by;
  std::string installed_on;         // as the database returned it; strata never computes with it
  std::int32_t execution_time = 0;  // milliseconds
  bool success = true;
};

// Description and script values longer than their columns are shortened as Flyway shortens them
// (AbbreviationUtils), so that strata and Flyway write and compare the same text. Lengths count
// UTF-16 code units, as Java's String.length() does, and never split a character.
//
// More than 200 units: the first 197 followed by "...".
std::string AbbreviateDescription(std::string_view description);
// More than 1000 units: "..." followed by the text from unit 3 to unit 1000, so 1000 in all.
std::string AbbreviateScript(std::string_view script);

// What databases that cannot store an empty string (Oracle) keep instead of an empty
// description; compares equal to "" when validating.
inline constexpr std::string_view kNoDescriptionMarker = "<< no description >>";
// The description of the BASELINE marker row unless configured otherwise.
inline constexpr std::string_view kDefaultBaselineDescription = "<< Flyway Baseline >>";
// The description of Flyway's SCHEMA marker row, written when it created the schemas.
inline constexpr std::string_view kSchemaCreationDescription = "<< Flyway Schema Creation >>";

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_HISTORY_ROW_H_
