#include "db/flavor/flavor.h"

#include <fmt/format.h>

#include <variant>

#include "db/flavor/flavors.h"

namespace strata::db {

std::string Flavor::QualifiedName(std::string_view schema, std::string_view table) const {
  if (schema.empty()) return Quote(table);
  return Quote(schema) + "." + Quote(table);
}

std::string Flavor::StringLiteral(std::string_view text) const {
  std::string out = "'";
  for (const char c : text) {
    out += c;
    if (c == '\'') out += c;
  }
  out += '\'';
  return out;
}

std::string Flavor::Literal(const db::Param& value) const {
  struct Visitor {
    const Flavor& flavor;
    std::string operator()(std::nullptr_t) const { return "NULL"; }
    std::string operator()(bool b) const { return std::string(flavor.BoolLiteral(b)); }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(const std::string& s) const { return flavor.StringLiteral(s); }
  };
  return std::visit(Visitor{*this}, value);
}

// The one switch on the dialect that chooses an engine's flavor.
const Flavor& FlavorFor(Dialect dialect) {
  switch (dialect) {
    case Dialect::kPostgres:
      return flavors::Postgres();
    case Dialect::kMariaDb:
      return flavors::MariaDb();
    case Dialect::kSqlite:
      return flavors::Sqlite();
  }
  return flavors::Sqlite();
}

namespace flavors {

Result<std::string> QueryText(Connection& conn, std::string_view sql, const Params& params,
                              std::string_view null_message) {
  STRATA_ASSIGN_OR_RETURN(Rows rows, conn.Query(sql, params));
  if (rows.empty() || rows.IsNull(0, 0)) {
    return Err(ErrorCode::kInvalidArgument, std::string(null_message));
  }
  return *rows.rows[0][0];
}

Result<bool> QueryTrue(Connection& conn, std::string_view sql, const Params& params) {
  STRATA_ASSIGN_OR_RETURN(Rows rows, conn.Query(sql, params));
  return !rows.empty() && (rows.rows[0][0] == "t" || rows.rows[0][0] == "1");
}

Result<bool> QueryAny(Connection& conn, std::string_view sql, const Params& params) {
  STRATA_ASSIGN_OR_RETURN(Rows rows, conn.Query(sql, params));
  STRATA_ASSIGN_OR_RETURN(std::int64_t n, rows.Int(0, 0));
  return n > 0;
}

namespace {

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    if (end > start) lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

Result<std::vector<Flavor::LintTableSize>> LintTableSizesFrom(const Rows& rows) {
  std::vector<Flavor::LintTableSize> sizes;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    Flavor::LintTableSize& size = sizes.emplace_back();
    size.name = rows.rows[i][0].value_or("");
    if (!rows.IsNull(i, 1)) {
      STRATA_ASSIGN_OR_RETURN(size.rows, rows.Int(i, 1));
    }
    if (!rows.IsNull(i, 2)) {
      STRATA_ASSIGN_OR_RETURN(size.bytes, rows.Int(i, 2));
    }
    // Optional columns 3 and 4 (PostgreSQL): newline-separated lists.
    if (rows.rows[i].size() > 4) {
      size.not_null_checked = SplitLines(rows.rows[i][3].value_or(""));
      size.indexes = SplitLines(rows.rows[i][4].value_or(""));
    }
  }
  return sizes;
}

}  // namespace flavors
}  // namespace strata::db
