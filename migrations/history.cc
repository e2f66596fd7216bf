#include "migrations/history.h"

#include <fmt/format.h>

#include <charconv>

namespace strata::migrations {
namespace {

constexpr const char* kColumns =
    "installed_rank, version, description, type, script, checksum, installed_by, installed_on, "
    "execution_time, success";

std::string Q(db::Dialect d, const std::string& name) { return db::QuoteIdentifier(d, name); }

bool ParseBool(const db::Cell& cell) {
  return cell && (*cell == "t" || *cell == "1" || *cell == "true" || *cell == "TRUE");
}

// Takes the text of row `i` out of `rows`, which is read once.
Result<HistoryRow> RowFrom(db::Rows& rows, std::size_t i, const std::string& table) {
  auto& r = rows.rows[i];
  if (r.size() != 10) {
    return Err(ErrorCode::kValidation,
               fmt::format("history table {} does not have Flyway's columns", table));
  }
  HistoryRow row;
  STRATA_ASSIGN_OR_RETURN(std::int64_t rank, rows.Int(i, 0));
  row.installed_rank = static_cast<std::int32_t>(rank);
  if (r[1]) {
    auto version = Version::Parse(*r[1]);
    if (!version) {
      return Err(ErrorCode::kValidation,
                 fmt::format("history table {} row {}: version '{}' does not parse: {}", table,
                             rank, *r[1], version.error().message));
    }
    row.version = std::move(*version);
  }
  row.description = std::move(r[2]).value_or("");
  auto type = ParseMigrationType(r[3].value_or(""));
  if (!type)
    return std::move(type).error().WithContext(fmt::format("history table {} row {}", table, rank));
  row.type = *type;
  row.script = std::move(r[4]).value_or("");
  if (r[5]) {
    std::int64_t checksum = 0;
    std::from_chars(r[5]->data(), r[5]->data() + r[5]->size(), checksum);
    row.checksum = static_cast<std::int32_t>(checksum);
  }
  row.installed_by = std::move(r[6]).value_or("");
  row.installed_on = std::move(r[7]).value_or("");
  STRATA_ASSIGN_OR_RETURN(std::int64_t ms, rows.Int(i, 8));
  row.execution_time = static_cast<std::int32_t>(ms);
  row.success = ParseBool(r[9]);
  return row;
}

}  // namespace

std::string HistoryTableName::Quoted(db::Dialect dialect) const {
  if (schema.empty()) return Q(dialect, table);
  return Q(dialect, schema) + "." + Q(dialect, table);
}

SchemaHistory::SchemaHistory(db::Connection& conn, HistoryTableName name)
    : conn_(conn), name_(std::move(name)) {}

Result<bool> SchemaHistory::Exists() {
  db::Rows rows;
  switch (conn_.dialect()) {
    case db::Dialect::kPostgres: {
      STRATA_ASSIGN_OR_RETURN(
          rows, conn_.Query("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = "
                            "coalesce(nullif($1, ''), current_schema()) AND tablename = $2",
                            {name_.schema, name_.table}));
      break;
    }
    case db::Dialect::kMariaDb: {
      STRATA_ASSIGN_OR_RETURN(
          rows, conn_.Query("SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                            "coalesce(nullif(?, ''), DATABASE()) AND TABLE_NAME = ?",
                            {name_.schema, name_.table}));
      break;
    }
    case db::Dialect::kSqlite: {
      const std::string master = name_.schema.empty()
                                     ? "sqlite_schema"
                                     : Q(db::Dialect::kSqlite, name_.schema) + ".sqlite_schema";
      STRATA_ASSIGN_OR_RETURN(rows, conn_.Query("SELECT count(*) FROM " + master +
                                                    " WHERE type = 'table' AND name = ?1",
                                                {name_.table}));
      break;
    }
  }
  STRATA_ASSIGN_OR_RETURN(std::int64_t n, rows.Int(0, 0));
  return n > 0;
}

std::vector<std::string> SchemaHistory::CreateStatements() const {
  const db::Dialect d = conn_.dialect();
  const std::string t = quoted();
  const std::string pk = Q(d, name_.table + "_pk");
  const std::string idx = Q(d, name_.table + "_s_idx");
  switch (d) {
    case db::Dialect::kPostgres:
      return {
          fmt::format("CREATE TABLE {} (\"installed_rank\" INT NOT NULL, \"version\" "
                      "VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, \"type\" VARCHAR(20) "
                      "NOT NULL, \"script\" VARCHAR(1000) NOT NULL, \"checksum\" INTEGER, "
                      "\"installed_by\" VARCHAR(100) NOT NULL, \"installed_on\" TIMESTAMP NOT "
                      "NULL DEFAULT now(), \"execution_time\" INTEGER NOT NULL, \"success\" "
                      "BOOLEAN NOT NULL)",
                      t),
          fmt::format("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (\"installed_rank\")", t, pk),
          fmt::format("CREATE INDEX {} ON {} (\"success\")", idx, t)};
    case db::Dialect::kMariaDb:
      return {fmt::format(
                  "CREATE TABLE {} (`installed_rank` INT NOT NULL, `version` VARCHAR(50), "
                  "`description` VARCHAR(200) NOT NULL, `type` VARCHAR(20) NOT NULL, `script` "
                  "VARCHAR(1000) NOT NULL, `checksum` INT, `installed_by` VARCHAR(100) NOT NULL, "
                  "`installed_on` TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, `execution_time` "
                  "INT NOT NULL, `success` BOOL NOT NULL, CONSTRAINT {} PRIMARY KEY "
                  "(`installed_rank`)) ENGINE=InnoDB",
                  t, pk),
              fmt::format("CREATE INDEX {} ON {} (`success`)", idx, t)};
    case db::Dialect::kSqlite: {
      const std::string index_name = name_.schema.empty() ? idx : Q(d, name_.schema) + "." + idx;
      return {fmt::format("CREATE TABLE {} (\"installed_rank\" INT NOT NULL PRIMARY KEY, "
                          "\"version\" VARCHAR(50), \"description\" VARCHAR(200) NOT NULL, "
                          "\"type\" VARCHAR(20) NOT NULL, \"script\" VARCHAR(1000) NOT NULL, "
                          "\"checksum\" INT, \"installed_by\" VARCHAR(100) NOT NULL, "
                          "\"installed_on\" TEXT NOT NULL DEFAULT "
                          "(strftime('%Y-%m-%d %H:%M:%f','now')), \"execution_time\" INT NOT "
                          "NULL, \"success\" BOOLEAN NOT NULL)",
                          t),
              fmt::format("CREATE INDEX {} ON {} (\"success\")", index_name, Q(d, name_.table))};
    }
  }
  return {};
}

Status SchemaHistory::CreateIfMissing() {
  STRATA_ASSIGN_OR_RETURN(bool exists, Exists());
  if (exists) return Ok();
  for (const std::string& sql : CreateStatements()) {
    auto done = conn_.Execute(sql);
    if (!done) return std::move(done).error().WithContext("creating history table " + quoted());
  }
  return Ok();
}

Result<std::vector<HistoryRow>> SchemaHistory::ReadAll() {
  const std::string table = quoted();
  auto rows =
      conn_.Query(fmt::format("SELECT {} FROM {} ORDER BY installed_rank", kColumns, table));
  if (!rows) return std::move(rows).error().WithContext("reading history table " + table);
  std::vector<HistoryRow> out;
  out.reserve(rows->size());
  for (std::size_t i = 0; i < rows->size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(HistoryRow row, RowFrom(*rows, i, table));
    out.push_back(std::move(row));
  }
  return out;
}

std::string SchemaHistory::InsertSql() const {
  const db::Dialect d = conn_.dialect();
  std::string params;
  for (int i = 1; i <= 9; ++i) params += (i > 1 ? ", " : "") + db::Placeholder(d, i);
  return fmt::format(
      "INSERT INTO {} (installed_rank, version, description, type, script, checksum, "
      "installed_by, execution_time, success) VALUES ({})",
      quoted(), params);
}

db::Params SchemaHistory::InsertParams(const HistoryRow& row) const {
  db::Params p;
  p.emplace_back(std::int64_t{row.installed_rank});
  // Each alternative emplaced directly: a `cond ? Param(x) : Param(nullptr)` temporary makes
  // GCC 12 at -O3 warn falsely that its string may be used uninitialized.
  if (row.version) {
    p.emplace_back(row.version->ToString());
  } else {
    p.emplace_back(nullptr);
  }
  p.emplace_back(AbbreviateDescription(row.description));
  p.emplace_back(std::string(MigrationTypeName(row.type)));
  p.emplace_back(AbbreviateScript(row.script));
  if (row.checksum) {
    p.emplace_back(std::int64_t{*row.checksum});
  } else {
    p.emplace_back(nullptr);
  }
  p.emplace_back(row.installed_by);
  p.emplace_back(std::int64_t{row.execution_time});
  p.emplace_back(row.success);
  return p;
}

Status SchemaHistory::Insert(const HistoryRow& row) {
  auto done = conn_.Execute(InsertSql(), InsertParams(row));
  if (!done) return std::move(done).error().WithContext("recording in history table " + quoted());
  return Ok();
}

Result<std::string> SchemaHistory::CurrentUser() {
  const char* sql = nullptr;
  switch (conn_.dialect()) {
    case db::Dialect::kPostgres:
      sql = "SELECT current_user";
      break;
    case db::Dialect::kMariaDb:
      sql = "SELECT SUBSTRING_INDEX(USER(), '@', 1)";
      break;
    case db::Dialect::kSqlite:
      return std::string();
  }
  STRATA_ASSIGN_OR_RETURN(db::Rows rows, conn_.Query(sql));
  return rows.rows[0][0].value_or("");
}

Result<std::string> SchemaHistory::ResolvedSchema() {
  if (!name_.schema.empty()) return name_.schema;
  const char* sql = nullptr;
  switch (conn_.dialect()) {
    case db::Dialect::kPostgres:
      sql = "SELECT current_schema()";
      break;
    case db::Dialect::kMariaDb:
      sql = "SELECT DATABASE()";
      break;
    case db::Dialect::kSqlite:
      return std::string("main");
  }
  STRATA_ASSIGN_OR_RETURN(db::Rows rows, conn_.Query(sql));
  if (!rows.rows[0][0]) {
    return Err(ErrorCode::kInvalidArgument,
               "the connection has no current schema: name a database in the URL or set schema");
  }
  return *rows.rows[0][0];
}

}  // namespace strata::migrations
