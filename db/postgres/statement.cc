#include "db/postgres/statement.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "db/sql/tokenizer.h"

namespace strata::db::postgres {
namespace {

std::string DoubleText(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

// Whether `sql`'s first word, past any opening parentheses, is INSERT, UPDATE, DELETE or MERGE.
bool IsDataChange(std::string_view sql) {
  sql::Tokenizer tokens(sql, Dialect::kPostgres);
  std::optional<sql::Token> token = tokens.NextSignificant();
  while (token && token->IsPunctuation('(')) token = tokens.NextSignificant();
  return token && (token->IsWord("insert") || token->IsWord("update") || token->IsWord("delete") ||
                   token->IsWord("merge"));
}

// Whether Rows::affected should report the server's row count. libpq reports a count for
// SELECT too (the rows returned), but the contract counts only changed rows. libpqxx 6.4 keeps
// the command tag private, so the statement's first keyword decides for row-returning
// statements; statements that return no columns (plain DML, CREATE TABLE AS, COPY, DDL) report
// their count as is.
bool CountsChangedRows(const pqxx::result& result, std::string_view sql) {
  return result.columns() == 0 || IsDataChange(sql);
}

}  // namespace

Result<std::vector<std::optional<std::string>>> ParamTexts(const Params& params) {
  std::vector<std::optional<std::string>> texts;
  texts.reserve(params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    const Param& param = params[i];
    if (std::holds_alternative<std::nullptr_t>(param)) {
      texts.emplace_back();
    } else if (const bool* b = std::get_if<bool>(&param)) {
      texts.emplace_back(*b ? "true" : "false");
    } else if (const std::int64_t* n = std::get_if<std::int64_t>(&param)) {
      texts.emplace_back(std::to_string(*n));
    } else if (const double* d = std::get_if<double>(&param)) {
      texts.emplace_back(DoubleText(*d));
    } else {
      const std::string& s = std::get<std::string>(param);
      if (s.find('\0') != std::string::npos) {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("parameter ${} contains a NUL byte, which PostgreSQL text "
                               "cannot hold",
                               i + 1));
      }
      texts.emplace_back(s);
    }
  }
  return texts;
}

Rows ToRows(const pqxx::result& result, std::string_view sql) {
  Rows rows;
  const pqxx::row::size_type column_count = result.columns();
  rows.columns.reserve(column_count);
  for (pqxx::row::size_type c = 0; c < column_count; ++c) {
    rows.columns.emplace_back(result.column_name(c));
  }
  rows.rows.reserve(result.size());
  for (const auto& row : result) {
    std::vector<Cell> cells;
    cells.reserve(column_count);
    for (const auto& field : row) {
      cells.push_back(field.is_null() ? Cell() : Cell(std::in_place, field.c_str(), field.size()));
    }
    rows.rows.push_back(std::move(cells));
  }
  rows.affected =
      CountsChangedRows(result, sql) ? static_cast<std::int64_t>(result.affected_rows()) : 0;
  return rows;
}

std::string BeginStatement(const TxOptions& options) {
  std::string modes;
  switch (options.isolation) {
    case Isolation::kDefault:
      break;
    case Isolation::kReadCommitted:
      modes = "ISOLATION LEVEL READ COMMITTED";
      break;
    case Isolation::kRepeatableRead:
      modes = "ISOLATION LEVEL REPEATABLE READ";
      break;
    case Isolation::kSerializable:
      modes = "ISOLATION LEVEL SERIALIZABLE";
      break;
  }
  if (options.read_only) modes += modes.empty() ? "READ ONLY" : ", READ ONLY";
  return modes.empty() ? "BEGIN" : "BEGIN " + modes;
}

Result<std::string> CopyFromStdinBody(std::string_view statement) {
  const auto not_copy_from_stdin = [] {
    return Err(ErrorCode::kInvalidArgument,
               "CopyFrom takes one statement of the form COPY table [(columns)] FROM STDIN "
               "[options]");
  };
  sql::Tokenizer tokens(statement, Dialect::kPostgres);
  std::optional<sql::Token> token = tokens.NextSignificant();
  if (!token || !token->IsWord("copy")) return not_copy_from_stdin();
  const std::size_t body_start = token->offset + token->text.size();
  std::size_t body_end = body_start;
  bool from_stdin = false;
  bool ended = false;
  std::optional<sql::Token> previous;
  while ((token = tokens.NextSignificant())) {
    if (token->IsPunctuation(';')) {
      ended = true;
      continue;
    }
    if (ended) return not_copy_from_stdin();  // a second statement
    if (previous && previous->IsWord("from") && token->IsWord("stdin")) from_stdin = true;
    previous = token;
    body_end = token->offset + token->text.size();
  }
  if (!from_stdin) return not_copy_from_stdin();
  return std::string(statement.substr(body_start, body_end - body_start));
}

}  // namespace strata::db::postgres
