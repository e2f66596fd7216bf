#include "migrations/history.h"

#include <fmt/format.h>

#include <charconv>

#include "db/flavor/flavor.h"

namespace strata::migrations {
namespace {

constexpr const char* kColumns =
    "installed_rank, version, description, type, script, checksum, installed_by, installed_on, "
    "execution_time, success";

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
                 fmt::format("history table {} row {}: {}", table, rank, version.error().message));
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
  return db::FlavorFor(dialect).QualifiedName(schema, table);
}

SchemaHistory::SchemaHistory(db::Connection& conn, HistoryTableName name)
    : conn_(conn), name_(std::move(name)) {}

Result<bool> SchemaHistory::Exists() {
  return db::FlavorOf(conn_).TableExists(conn_, name_.schema, name_.table);
}

std::vector<std::string> SchemaHistory::CreateStatements() const {
  return db::FlavorOf(conn_).HistoryTableDdl(name_.schema, name_.table);
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
  const db::Flavor& flavor = db::FlavorOf(conn_);
  std::string params;
  for (int i = 1; i <= 9; ++i) params += (i > 1 ? ", " : "") + flavor.Param(i);
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

Result<std::string> SchemaHistory::CurrentUser() { return db::FlavorOf(conn_).CurrentUser(conn_); }

Result<std::string> SchemaHistory::LockName() {
  STRATA_ASSIGN_OR_RETURN(std::string schema, ResolvedSchema());
  return db::FlavorOf(conn_).QualifiedName(schema, name_.table);
}

Result<std::string> SchemaHistory::ResolvedSchema() {
  if (!name_.schema.empty()) return name_.schema;
  Result<std::string> schema = db::FlavorOf(conn_).CurrentSchema(conn_);
  // The flavor's message is about the session; this one says how to name the history's schema.
  if (!schema && schema.error().code == ErrorCode::kInvalidArgument) {
    return Err(ErrorCode::kInvalidArgument,
               "the connection has no current schema: name a database in the URL or set schema");
  }
  return schema;
}

}  // namespace strata::migrations
