#include "db/mariadb/statement.h"

#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/strings.h"
#include "db/mariadb/errors.h"
#include "db/sql/tokenizer.h"

namespace strata::db::mariadb {
namespace {

// Values longer than this are fetched a second time into a buffer of the right size.
constexpr std::size_t kInitialColumnBuffer = 256;

struct ResultCloser {
  void operator()(MYSQL_RES* result) const { mysql_free_result(result); }
};
using ResultPtr = std::unique_ptr<MYSQL_RES, ResultCloser>;

struct StmtCloser {
  void operator()(MYSQL_STMT* stmt) const { mysql_stmt_close(stmt); }
};
using StmtPtr = std::unique_ptr<MYSQL_STMT, StmtCloser>;

Error Failure(MYSQL* mysql, const ErrorContext& context) {
  return StatementFailure(LastError(mysql), context.display_url, context.server_is_mysql);
}

Error Failure(MYSQL_STMT* stmt, const ErrorContext& context) {
  return StatementFailure(LastError(stmt), context.display_url, context.server_is_mysql);
}

// Whether `sql` is an INSERT, REPLACE, UPDATE or DELETE: when such a statement returns rows
// (... RETURNING), those are the rows it changed. Its first word counts, past comments and
// opening parentheses.
bool IsDataChange(std::string_view sql) {
  sql::Tokenizer tokens(sql, Dialect::kMariaDb);
  std::optional<sql::Token> token = tokens.NextSignificant();
  while (token && token->IsPunctuation('(')) token = tokens.NextSignificant();
  return token && (token->IsWord("insert") || token->IsWord("replace") || token->IsWord("update") ||
                   token->IsWord("delete"));
}

std::int64_t AffectedCount(my_ulonglong count) {
  // (my_ulonglong)-1 means "not a data change" or "error".
  return count == static_cast<my_ulonglong>(-1) ? 0 : static_cast<std::int64_t>(count);
}

std::vector<std::string> ColumnNames(MYSQL_RES* metadata) {
  const unsigned int count = mysql_num_fields(metadata);
  const MYSQL_FIELD* fields = mysql_fetch_fields(metadata);
  std::vector<std::string> names;
  names.reserve(count);
  for (unsigned int i = 0; i < count; ++i)
    names.emplace_back(fields[i].name, fields[i].name_length);
  return names;
}

// --- text protocol ---

Result<Rows> ReadTextResult(MYSQL* mysql, std::string_view sql, const ErrorContext& context) {
  Rows rows;
  ResultPtr result(mysql_store_result(mysql));
  if (!result) {
    if (mysql_field_count(mysql) != 0) return Failure(mysql, context);
    rows.affected = AffectedCount(mysql_affected_rows(mysql));
    return rows;
  }
  rows.columns = ColumnNames(result.get());
  const unsigned int width = mysql_num_fields(result.get());
  while (MYSQL_ROW row = mysql_fetch_row(result.get())) {
    const unsigned long* lengths = mysql_fetch_lengths(result.get());
    std::vector<Cell> cells;
    cells.reserve(width);
    for (unsigned int i = 0; i < width; ++i) {
      cells.push_back(row[i] == nullptr ? Cell() : Cell(std::string(row[i], lengths[i])));
    }
    rows.rows.push_back(std::move(cells));
  }
  // mysql_fetch_row returns NULL both at the end and on a read error.
  if (mysql_errno(mysql) != 0) return Failure(mysql, context);
  rows.affected = IsDataChange(sql) ? static_cast<std::int64_t>(rows.size()) : 0;
  return rows;
}

// A CALL answers with its result sets plus a final status; only the first counts.
Status DrainTextResults(MYSQL* mysql, const ErrorContext& context) {
  while (mysql_more_results(mysql)) {
    if (mysql_next_result(mysql) > 0) return Failure(mysql, context);
    ResultPtr extra(mysql_store_result(mysql));
    if (!extra && mysql_field_count(mysql) != 0) return Failure(mysql, context);
  }
  return Ok();
}

// --- binary protocol: parameters ---

// MYSQL_BINDs for the parameters plus the storage they point into. Connector/C reads the
// buffers during mysql_stmt_execute, so the object must outlive that call.
class ParamBinding {
 public:
  explicit ParamBinding(const Params& params) : binds_(params.size()), slots_(params.size()) {
    for (std::size_t i = 0; i < params.size(); ++i) Bind(params[i], binds_[i], slots_[i]);
  }
  MYSQL_BIND* binds() { return binds_.data(); }

 private:
  struct Slot {
    long long integer = 0;
    double real = 0;
    signed char boolean = 0;
    unsigned long length = 0;
  };

  static void Bind(const Param& param, MYSQL_BIND& bind, Slot& slot) {
    bind = MYSQL_BIND{};
    if (const bool* value = std::get_if<bool>(&param)) {
      slot.boolean = *value ? 1 : 0;
      bind.buffer_type = MYSQL_TYPE_TINY;
      bind.buffer = &slot.boolean;
    } else if (const std::int64_t* value = std::get_if<std::int64_t>(&param)) {
      slot.integer = *value;
      bind.buffer_type = MYSQL_TYPE_LONGLONG;
      bind.buffer = &slot.integer;
    } else if (const double* value = std::get_if<double>(&param)) {
      slot.real = *value;
      bind.buffer_type = MYSQL_TYPE_DOUBLE;
      bind.buffer = &slot.real;
    } else if (const std::string* value = std::get_if<std::string>(&param)) {
      slot.length = value->size();
      bind.buffer_type = MYSQL_TYPE_STRING;
      // Input buffers are only read; the C API just lacks const.
      bind.buffer = const_cast<char*>(value->data());
      bind.buffer_length = value->size();
      bind.length = &slot.length;
    } else {
      bind.buffer_type = MYSQL_TYPE_NULL;
    }
  }

  std::vector<MYSQL_BIND> binds_;
  std::vector<Slot> slots_;
};

// --- binary protocol: batches ---

// Parameter bytes per bulk execution, at most: the server refuses packets over
// max_allowed_packet (16 MiB by default), so batches are cut well below it.
constexpr std::size_t kMaxBulkBytes = std::size_t{4} << 20;

// Roughly what one value costs in a bulk packet: its indicator byte, a length prefix and the
// value itself.
std::size_t BulkBytes(const Param& param) {
  if (const std::string* text = std::get_if<std::string>(&param)) return 1 + 9 + text->size();
  return 1 + 8;
}

// The alternative a non-NULL value holds (Param's index), or 0 for NULL.
using ValueKind = std::size_t;
constexpr ValueKind kNullKind = 0;

std::string_view KindName(ValueKind kind) {
  switch (kind) {
    case 1:
      return "a boolean";
    case 2:
      return "an integer";
    case 3:
      return "a floating-point number";
    case 4:
      return "text";
    default:
      return "NULL";
  }
}

// What each placeholder gets in the batch's rows: one kind per column (kNullKind when every
// row has NULL there). A row of the wrong width, or a column of two kinds, is an error naming
// the row.
Result<std::vector<ValueKind>> ColumnKinds(const std::vector<Params>& rows, std::size_t width) {
  std::vector<ValueKind> kinds(width, kNullKind);
  std::vector<std::size_t> first_row(width, 0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].size() != width) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("batch row {} has {} values but the statement has {} placeholders",
                             r + 1, rows[r].size(), width));
    }
    for (std::size_t c = 0; c < width; ++c) {
      const ValueKind kind = rows[r][c].index();
      if (kind == kNullKind) continue;
      if (kinds[c] == kNullKind) {
        kinds[c] = kind;
        first_row[c] = r;
      } else if (kinds[c] != kind) {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("batch placeholder {} gets {} in row {} but {} in row {}; give "
                               "each placeholder one type",
                               c + 1, KindName(kinds[c]), first_row[c] + 1, KindName(kind), r + 1));
      }
    }
  }
  return kinds;
}

// Column-wise array binding of rows [first, first + count): per placeholder one MYSQL_BIND
// whose buffer is an array of values (of pointers, for text) and whose indicator array marks
// the NULLs. The rows must outlive the binding: text is not copied.
class BatchBinding {
 public:
  BatchBinding(const std::vector<Params>& rows, std::size_t first, std::size_t count,
               const std::vector<ValueKind>& kinds)
      : columns_(kinds.size()), binds_(kinds.size()) {
    for (std::size_t c = 0; c < kinds.size(); ++c) {
      Fill(columns_[c], kinds[c], rows, first, count, c);
      Point(binds_[c], columns_[c], kinds[c]);
    }
  }
  MYSQL_BIND* binds() { return binds_.data(); }

 private:
  struct Column {
    std::vector<signed char> booleans;
    std::vector<long long> integers;
    std::vector<double> reals;
    std::vector<char*> texts;
    std::vector<unsigned long> lengths;
    std::vector<char> indicators;
  };

  static void Fill(Column& column, ValueKind kind, const std::vector<Params>& rows,
                   std::size_t first, std::size_t count, std::size_t c) {
    column.indicators.assign(count, STMT_INDICATOR_NONE);
    switch (kind) {
      case 1:
        column.booleans.assign(count, 0);
        break;
      case 2:
        column.integers.assign(count, 0);
        break;
      case 3:
        column.reals.assign(count, 0);
        break;
      default:  // text, and columns of NULLs only
        column.texts.assign(count, nullptr);
        column.lengths.assign(count, 0);
        break;
    }
    for (std::size_t i = 0; i < count; ++i) {
      const Param& param = rows[first + i][c];
      if (const bool* value = std::get_if<bool>(&param)) {
        column.booleans[i] = *value ? 1 : 0;
      } else if (const std::int64_t* value = std::get_if<std::int64_t>(&param)) {
        column.integers[i] = *value;
      } else if (const double* value = std::get_if<double>(&param)) {
        column.reals[i] = *value;
      } else if (const std::string* value = std::get_if<std::string>(&param)) {
        // Input buffers are only read; the C API just lacks const.
        column.texts[i] = const_cast<char*>(value->data());
        column.lengths[i] = value->size();
      } else {
        column.indicators[i] = STMT_INDICATOR_NULL;
      }
    }
  }

  static void Point(MYSQL_BIND& bind, Column& column, ValueKind kind) {
    bind = MYSQL_BIND{};
    bind.u.indicator = column.indicators.data();
    switch (kind) {
      case 1:
        bind.buffer_type = MYSQL_TYPE_TINY;
        bind.buffer = column.booleans.data();
        break;
      case 2:
        bind.buffer_type = MYSQL_TYPE_LONGLONG;
        bind.buffer = column.integers.data();
        break;
      case 3:
        bind.buffer_type = MYSQL_TYPE_DOUBLE;
        bind.buffer = column.reals.data();
        break;
      default:
        bind.buffer_type = MYSQL_TYPE_STRING;
        bind.buffer = column.texts.data();
        bind.length = column.lengths.data();
        break;
    }
  }

  std::vector<Column> columns_;
  std::vector<MYSQL_BIND> binds_;
};

// How many rows from `first` fit in one bulk packet (at least one).
std::size_t RowsThatFit(const std::vector<Params>& rows, std::size_t first) {
  std::size_t bytes = 0;
  std::size_t r = first;
  for (; r < rows.size(); ++r) {
    std::size_t row_bytes = 0;
    for (const Param& param : rows[r]) row_bytes += BulkBytes(param);
    if (r > first && bytes + row_bytes > kMaxBulkBytes) break;
    bytes += row_bytes;
  }
  return r - first;
}

Result<std::int64_t> ExecuteInBulk(MYSQL_STMT* stmt, const std::vector<Params>& rows,
                                   const std::vector<ValueKind>& kinds,
                                   const ErrorContext& context) {
  std::int64_t affected = 0;
  for (std::size_t first = 0; first < rows.size();) {
    const std::size_t count = RowsThatFit(rows, first);
    BatchBinding binding(rows, first, count, kinds);
    auto array_size = static_cast<unsigned int>(count);
    if (mysql_stmt_attr_set(stmt, STMT_ATTR_ARRAY_SIZE, &array_size) != 0 ||
        mysql_stmt_bind_param(stmt, binding.binds()) != 0 || mysql_stmt_execute(stmt) != 0) {
      return Failure(stmt, context);
    }
    affected += AffectedCount(mysql_stmt_affected_rows(stmt));
    first += count;
  }
  return affected;
}

Result<std::int64_t> ExecuteRowByRow(MYSQL_STMT* stmt, const std::vector<Params>& rows,
                                     const ErrorContext& context) {
  std::int64_t affected = 0;
  for (const Params& row : rows) {
    ParamBinding binding(row);
    if (mysql_stmt_bind_param(stmt, binding.binds()) != 0 || mysql_stmt_execute(stmt) != 0) {
      return Failure(stmt, context);
    }
    affected += AffectedCount(mysql_stmt_affected_rows(stmt));
  }
  return affected;
}

// --- binary protocol: results ---

// One result column, fetched as text into a buffer that grows when a value does not fit.
struct ColumnBuffer {
  std::vector<char> data = std::vector<char>(kInitialColumnBuffer);
  unsigned long length = 0;
  my_bool is_null = 0;
  my_bool error = 0;
};

void BindColumn(MYSQL_BIND& bind, ColumnBuffer& column) {
  bind = MYSQL_BIND{};
  bind.buffer_type = MYSQL_TYPE_STRING;
  bind.buffer = column.data.data();
  bind.buffer_length = column.data.size();
  bind.length = &column.length;
  bind.is_null = &column.is_null;
  bind.error = &column.error;
}

class ResultFetcher {
 public:
  ResultFetcher(MYSQL_STMT* stmt, unsigned int width, const ErrorContext& context)
      : stmt_(stmt), columns_(width), binds_(width), context_(context) {
    for (unsigned int i = 0; i < width; ++i) BindColumn(binds_[i], columns_[i]);
  }

  Status FetchAll(Rows& rows) {
    if (mysql_stmt_bind_result(stmt_, binds_.data()) != 0) return Failure(stmt_, context_);
    for (;;) {
      const int status = mysql_stmt_fetch(stmt_);
      if (status == MYSQL_NO_DATA) return Ok();
      // MYSQL_DATA_TRUNCATED is handled per column below.
      if (status == 1) return Failure(stmt_, context_);
      STRATA_ASSIGN_OR_RETURN(std::vector<Cell> cells, CurrentRow());
      rows.rows.push_back(std::move(cells));
    }
  }

 private:
  Result<std::vector<Cell>> CurrentRow() {
    std::vector<Cell> cells;
    cells.reserve(columns_.size());
    for (unsigned int i = 0; i < columns_.size(); ++i) {
      ColumnBuffer& column = columns_[i];
      if (column.is_null) {
        cells.emplace_back();
        continue;
      }
      if (column.length > column.data.size()) STRATA_TRY(FetchWhole(i));
      cells.emplace_back(std::string(column.data.data(), column.length));
    }
    return cells;
  }

  // Re-reads column `i` of the current row into a buffer large enough for it, and keeps
  // that buffer for the following rows.
  Status FetchWhole(unsigned int i) {
    ColumnBuffer& column = columns_[i];
    column.data.resize(column.length);
    BindColumn(binds_[i], column);
    if (mysql_stmt_fetch_column(stmt_, &binds_[i], i, 0) != 0) return Failure(stmt_, context_);
    if (mysql_stmt_bind_result(stmt_, binds_.data()) != 0) return Failure(stmt_, context_);
    return Ok();
  }

  MYSQL_STMT* stmt_;
  std::vector<ColumnBuffer> columns_;
  std::vector<MYSQL_BIND> binds_;
  const ErrorContext& context_;
};

Result<Rows> ReadPreparedResult(MYSQL_STMT* stmt, std::string_view sql,
                                const ErrorContext& context) {
  Rows rows;
  ResultPtr metadata(mysql_stmt_result_metadata(stmt));
  if (!metadata) {
    if (mysql_stmt_field_count(stmt) != 0) return Failure(stmt, context);
    rows.affected = AffectedCount(mysql_stmt_affected_rows(stmt));
    return rows;
  }
  rows.columns = ColumnNames(metadata.get());
  // Buffer the whole result so that the server is free as soon as possible.
  if (mysql_stmt_store_result(stmt) != 0) return Failure(stmt, context);
  ResultFetcher fetcher(stmt, mysql_num_fields(metadata.get()), context);
  STRATA_TRY(fetcher.FetchAll(rows));
  rows.affected = IsDataChange(sql) ? static_cast<std::int64_t>(rows.size()) : 0;
  return rows;
}

Status DrainPreparedResults(MYSQL_STMT* stmt, const ErrorContext& context) {
  while (mysql_stmt_more_results(stmt)) {
    if (mysql_stmt_next_result(stmt) > 0) return Failure(stmt, context);
    mysql_stmt_free_result(stmt);
  }
  return Ok();
}

// --- scripts ---

Status RunStatements(MYSQL* mysql, std::string_view script, const ErrorContext& context) {
  int status = mysql_real_query(mysql, script.data(), script.size());
  for (int statement = 1;; ++statement) {
    const auto failed = [&] {
      return Failure(mysql, context)
          .WithContext(fmt::format("statement {} of the script", statement));
    };
    if (status != 0) return failed();
    ResultPtr result(mysql_store_result(mysql));
    if (!result && mysql_field_count(mysql) != 0) return failed();
    if (!mysql_more_results(mysql)) return Ok();
    status = mysql_next_result(mysql);
  }
}

bool IsBlank(std::string_view text) { return Trim(text).empty(); }

// The '?' placeholders among `sql`'s tokens (outside strings, identifiers and comments).
std::size_t CountPlaceholders(std::string_view sql) {
  sql::Tokenizer tokens(sql, Dialect::kMariaDb);
  std::size_t count = 0;
  while (std::optional<sql::Token> token = tokens.Next()) {
    if (token->kind == sql::TokenKind::kPlaceholder) ++count;
  }
  return count;
}

}  // namespace

Result<Rows> RunText(MYSQL* mysql, std::string_view sql, const ErrorContext& context) {
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) return Failure(mysql, context);
  STRATA_ASSIGN_OR_RETURN(Rows rows, ReadTextResult(mysql, sql, context));
  STRATA_TRY(DrainTextResults(mysql, context));
  return rows;
}

Result<Rows> RunPrepared(MYSQL* mysql, std::string_view sql, const Params& params,
                         const ErrorContext& context) {
  StmtPtr stmt(mysql_stmt_init(mysql));
  if (!stmt) return Failure(mysql, context);
  // MariaDB prepares and executes in one round trip (mariadb_stmt_execute_direct) instead of
  // two. The server says how many placeholders it found only after executing, so that path
  // is taken only when the statement's own tokens count as many as there are parameters;
  // otherwise the statement is prepared first and the counts compared before it runs.
  if (!context.server_is_mysql && CountPlaceholders(sql) == params.size()) {
    auto count = static_cast<unsigned int>(params.size());
    ParamBinding binding(params);
    if (mysql_stmt_attr_set(stmt.get(), STMT_ATTR_PREBIND_PARAMS, &count) != 0 ||
        (count > 0 && mysql_stmt_bind_param(stmt.get(), binding.binds()) != 0) ||
        mariadb_stmt_execute_direct(stmt.get(), sql.data(), sql.size()) != 0) {
      return Failure(stmt.get(), context);
    }
    STRATA_ASSIGN_OR_RETURN(Rows rows, ReadPreparedResult(stmt.get(), sql, context));
    STRATA_TRY(DrainPreparedResults(stmt.get(), context));
    return rows;
  }
  if (mysql_stmt_prepare(stmt.get(), sql.data(), sql.size()) != 0) {
    return Failure(stmt.get(), context);
  }
  const unsigned long placeholders = mysql_stmt_param_count(stmt.get());
  if (placeholders != params.size()) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("the statement has {} placeholders but {} parameters were given",
                           placeholders, params.size()));
  }
  ParamBinding binding(params);
  if (mysql_stmt_bind_param(stmt.get(), binding.binds()) != 0 ||
      mysql_stmt_execute(stmt.get()) != 0) {
    return Failure(stmt.get(), context);
  }
  STRATA_ASSIGN_OR_RETURN(Rows rows, ReadPreparedResult(stmt.get(), sql, context));
  STRATA_TRY(DrainPreparedResults(stmt.get(), context));
  return rows;
}

Result<std::int64_t> RunBatch(MYSQL* mysql, std::string_view sql, const std::vector<Params>& rows,
                              bool bulk, const ErrorContext& context) {
  if (rows.empty()) return 0;
  StmtPtr stmt(mysql_stmt_init(mysql));
  if (!stmt) return Failure(mysql, context);
  if (mysql_stmt_prepare(stmt.get(), sql.data(), sql.size()) != 0) {
    return Failure(stmt.get(), context);
  }
  if (mysql_stmt_field_count(stmt.get()) != 0) {
    return Err(ErrorCode::kInvalidArgument,
               "a batch runs statements that return no rows; use Query for the others");
  }
  const unsigned long placeholders = mysql_stmt_param_count(stmt.get());
  STRATA_ASSIGN_OR_RETURN(std::vector<ValueKind> kinds, ColumnKinds(rows, placeholders));
  // Array binding needs at least one parameter (CR_BULK_WITHOUT_PARAMETERS).
  if (bulk && placeholders > 0) return ExecuteInBulk(stmt.get(), rows, kinds, context);
  return ExecuteRowByRow(stmt.get(), rows, context);
}

Status RunScript(MYSQL* mysql, std::string_view script, const ErrorContext& context) {
  if (IsBlank(script)) return Ok();
  if (mysql_set_server_option(mysql, MYSQL_OPTION_MULTI_STATEMENTS_ON) != 0) {
    return Failure(mysql, context);
  }
  Status status = RunStatements(mysql, script, context);
  // Back to one statement per call, so that a Query() can never carry a second statement.
  if (mysql_set_server_option(mysql, MYSQL_OPTION_MULTI_STATEMENTS_OFF) != 0 && status) {
    return Failure(mysql, context);
  }
  return status;
}

}  // namespace strata::db::mariadb
