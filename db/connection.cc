#include "db/connection.h"

#include <fmt/format.h>

#include <charconv>
#include <utility>

namespace strata::db {

Result<std::int64_t> Rows::Int(std::size_t row, std::size_t col) const {
  const Cell& cell = rows.at(row).at(col);
  const std::string& name = col < columns.size() ? columns[col] : std::to_string(col);
  if (!cell) return Err(ErrorCode::kInternal, fmt::format("column {} is NULL", name));
  std::int64_t value = 0;
  const char* begin = cell->data();
  const char* end = begin + cell->size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc() || ptr != end) {
    return Err(ErrorCode::kInternal,
               fmt::format("column {} holds '{}', not an integer", name, *cell));
  }
  return value;
}

Result<std::string> Rows::Text(std::size_t row, std::size_t col) const {
  const Cell& cell = rows.at(row).at(col);
  if (!cell) {
    const std::string& name = col < columns.size() ? columns[col] : std::to_string(col);
    return Err(ErrorCode::kInternal, fmt::format("column {} is NULL", name));
  }
  return *cell;
}

Result<std::int64_t> Connection::Execute(std::string_view sql, const Params& params) {
  STRATA_ASSIGN_OR_RETURN(Rows rows, Query(sql, params));
  return rows.affected;
}

// Row by row: drivers with a faster way override this.
Result<std::int64_t> Connection::ExecuteBatch(std::string_view sql,
                                              const std::vector<Params>& rows) {
  std::int64_t affected = 0;
  for (const Params& row : rows) {
    STRATA_ASSIGN_OR_RETURN(std::int64_t changed, Execute(sql, row));
    affected += changed;
  }
  return affected;
}

Status Connection::Savepoint(std::string_view name) {
  STRATA_TRY(Execute(fmt::format("SAVEPOINT {}", name)));
  return Ok();
}

Status Connection::RollbackToSavepoint(std::string_view name) {
  STRATA_TRY(Execute(fmt::format("ROLLBACK TO SAVEPOINT {}", name)));
  return Ok();
}

Status Connection::ReleaseSavepoint(std::string_view name) {
  STRATA_TRY(Execute(fmt::format("RELEASE SAVEPOINT {}", name)));
  return Ok();
}

Result<Transaction> Transaction::Begin(Connection& conn, const TxOptions& options) {
  STRATA_TRY(conn.Begin(options));
  return Transaction(&conn);
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

Transaction::~Transaction() {
  if (conn_ != nullptr) {
    // Rolling back is best effort here: if the connection is gone, so is the transaction.
    (void)conn_->Rollback();
  }
}

Status Transaction::Commit() {
  if (conn_ == nullptr) return Err(ErrorCode::kInternal, "commit on a finished transaction");
  Connection* conn = std::exchange(conn_, nullptr);
  return conn->Commit();
}

Status Transaction::Rollback() {
  if (conn_ == nullptr) return Ok();
  Connection* conn = std::exchange(conn_, nullptr);
  return conn->Rollback();
}

}  // namespace strata::db
