#include "db/sqlite/sqlite_connection.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "db/sqlite/sqlite_error.h"

// sqlite3_error_offset (syntax error positions) appeared in 3.38, sqlite3_changes64 and
// SQLITE_OPEN_EXRESCODE in 3.37.
static_assert(SQLITE_VERSION_NUMBER >= 3038000, "the sqlite driver needs SQLite 3.38 or newer");

namespace strata::db::sqlite {
namespace {

constexpr int kDefaultBusyTimeoutMs = 10000;

// ---- URL parameters ----------------------------------------------------------------------

struct OpenSettings {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  int busy_timeout_ms = kDefaultBusyTimeoutMs;
};

Result<int> ParseMode(const std::string& mode) {
  if (mode == "rwc") return SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  if (mode == "rw") return SQLITE_OPEN_READWRITE;
  if (mode == "ro") return SQLITE_OPEN_READONLY;
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("SQLite URL parameter mode='{}' is not one of ro, rw, rwc", mode));
}

Result<int> ParseBusyTimeout(const std::string& text) {
  int ms = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, ms);
  if (text.empty() || ec != std::errc() || ptr != end || ms < 0) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("SQLite URL parameter busy_timeout='{}' is not a number of "
                           "milliseconds (0 to {})",
                           text, INT_MAX));
  }
  return ms;
}

Result<OpenSettings> ReadUrlParams(const Url& url) {
  OpenSettings settings;
  for (const auto& [key, value] : url.params) {
    if (key == "mode") {
      STRATA_ASSIGN_OR_RETURN(settings.flags, ParseMode(value));
    } else if (key == "busy_timeout") {
      STRATA_ASSIGN_OR_RETURN(settings.busy_timeout_ms, ParseBusyTimeout(value));
    } else {
      // Only the key is echoed: the value of a mistyped parameter might be a secret.
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("unknown SQLite URL parameter '{}': the sqlite driver knows "
                             "mode (ro, rw, rwc) and busy_timeout (milliseconds)",
                             key));
    }
  }
  // Serialized mode: see the header for why, although a connection has one user at a time.
  // EXRESCODE gives extended result codes from sqlite3_open_v2 itself, not only afterwards.
  settings.flags |= SQLITE_OPEN_FULLMUTEX | SQLITE_OPEN_EXRESCODE;
  return settings;
}

// ---- Handles and cancellation ------------------------------------------------------------

struct StatementDeleter {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

struct DatabaseDeleter {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Database = std::unique_ptr<sqlite3, DatabaseDeleter>;

// What a connection shares with its cancelers: the handle, cleared under the mutex before the
// connection closes it, so that a late Cancel() never touches a closed handle.
struct InterruptTarget {
  std::mutex mutex;
  sqlite3* db = nullptr;
};

class SqliteCanceler final : public Canceler {
 public:
  explicit SqliteCanceler(std::shared_ptr<InterruptTarget> target) : target_(std::move(target)) {}

  Status Cancel() override {
    std::lock_guard<std::mutex> lock(target_->mutex);
    // sqlite3_interrupt is documented as safe from any thread while the handle is open, and
    // as a no-op when no statement runs.
    if (target_->db != nullptr) sqlite3_interrupt(target_->db);
    return Ok();
  }

 private:
  std::shared_ptr<InterruptTarget> target_;
};

// ---- Text positions and values -----------------------------------------------------------

// "line L, column C" (1-based; columns count UTF-8 characters) of byte `offset` in `text`.
std::string LineAndColumn(std::string_view text, std::size_t offset) {
  int line = 1;
  int column = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte == '\n') {
      ++line;
      column = 1;
    } else if ((byte & 0xC0) != 0x80) {  // not a UTF-8 continuation byte
      ++column;
    }
  }
  return fmt::format("line {}, column {}", line, column);
}

// The offset of the first byte in `text` at or after `offset` that is not whitespace or part
// of a comment: where a statement really starts, for messages.
std::size_t SkipSpaceAndComments(std::string_view text, std::size_t offset) {
  while (offset < text.size()) {
    const std::string_view rest = text.substr(offset);
    if (rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r' ||
        rest[0] == '\f' || rest[0] == ';') {
      ++offset;
    } else if (rest.starts_with("--")) {
      const std::size_t newline = rest.find('\n');
      offset = newline == std::string_view::npos ? text.size() : offset + newline + 1;
    } else if (rest.starts_with("/*")) {
      const std::size_t close = rest.find("*/", 2);
      offset = close == std::string_view::npos ? text.size() : offset + close + 2;
    } else {
      break;
    }
  }
  return offset;
}

// A REAL as the shortest text that reads back to the same double. Unlike SQLite's own
// conversion (15 significant digits) this loses nothing, and like it a whole number keeps a
// ".0" so that a REAL never looks like an INTEGER.
std::string RealText(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Inf" : "-Inf";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, ec == std::errc() ? end : buffer);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string BytesOf(const void* data, int size) {
  if (data == nullptr || size <= 0) return std::string();
  return std::string(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

Cell ColumnCell(sqlite3_stmt* stmt, int col) {
  switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_NULL:
      return std::nullopt;
    case SQLITE_INTEGER:
      return std::to_string(sqlite3_column_int64(stmt, col));
    case SQLITE_FLOAT:
      return RealText(sqlite3_column_double(stmt, col));
    case SQLITE_BLOB: {
      const void* blob = sqlite3_column_blob(stmt, col);  // before _bytes, as documented
      return BytesOf(blob, sqlite3_column_bytes(stmt, col));
    }
    default: {
      const unsigned char* text = sqlite3_column_text(stmt, col);
      return BytesOf(text, sqlite3_column_bytes(stmt, col));
    }
  }
}

int BindParam(sqlite3_stmt* stmt, int index, const Param& param) {
  return std::visit(
      [&](const auto& value) -> int {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return sqlite3_bind_null(stmt, index);
        } else if constexpr (std::is_same_v<T, bool>) {
          return sqlite3_bind_int(stmt, index, value ? 1 : 0);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return sqlite3_bind_int64(stmt, index, value);
        } else if constexpr (std::is_same_v<T, double>) {
          return sqlite3_bind_double(stmt, index, value);
        } else {
          // SQLITE_STATIC: the caller's Params outlive the statement, which Query finalizes.
          return sqlite3_bind_text64(stmt, index, value.data(), value.size(), SQLITE_STATIC,
                                     SQLITE_UTF8);
        }
      },
      param);
}

// ---- The connection ----------------------------------------------------------------------

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(Database db, const Url& url)
      : db_(std::move(db)),
        interrupt_(std::make_shared<InterruptTarget>()),
        display_url_(url.Redacted()) {
    interrupt_->db = db_.get();
    server_.product = "SQLite";
    server_.version = sqlite3_libversion();
    const int n = sqlite3_libversion_number();  // e.g. 3040001 for 3.40.1
    server_.version_number = (n / 1000000) * 10000 + (n / 1000 % 1000) * 100 + n % 1000;
  }

  ~SqliteConnection() override {
    {
      std::lock_guard<std::mutex> lock(interrupt_->mutex);
      interrupt_->db = nullptr;
    }
    db_.reset();  // closing rolls back an open transaction
  }

  // Per-connection settings; also forces a read of the file header, so that a file that is
  // not a database fails here rather than at the first statement.
  Status Initialize(int busy_timeout_ms) {
    const int rc = sqlite3_busy_timeout(db_.get(), busy_timeout_ms);
    if (rc != SQLITE_OK) return SqliteError(rc, sqlite3_errmsg(db_.get()));
    STRATA_TRY(Run("PRAGMA foreign_keys = ON", {}));
    STRATA_TRY(Run("SELECT count(*) FROM sqlite_schema", {}));
    return Ok();
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  const ServerInfo& server() const override { return server_; }
  const std::string& display_url() const override { return display_url_; }
  std::int64_t session_id() const override { return 0; }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    Result<Rows> rows = Run(sql, params);
    // Any statement may end a transaction (COMMIT sent as SQL, or an error after which SQLite
    // rolls back on its own), so the read-only flag is checked after every one.
    Status restored = LeaveQueryOnlyIfTransactionEnded();
    if (rows && !restored) return std::move(restored).error();
    return rows;
  }

  Status ExecuteScript(std::string_view script) override {
    Status ran = RunScript(script);
    Status restored = LeaveQueryOnlyIfTransactionEnded();
    if (!ran) return ran;
    return restored;
  }

  Status CopyFrom(std::string_view /*copy_statement*/, std::string_view /*data*/) override {
    return Err(ErrorCode::kUnsupported,
               "COPY FROM is PostgreSQL only; on SQLite insert the rows with Query");
  }

  Status Begin(const TxOptions& options) override {
    // TxOptions::isolation needs nothing: SQLite transactions are serializable.
    STRATA_TRY(Run(options.immediate ? "BEGIN IMMEDIATE" : "BEGIN", {}));
    if (options.read_only) {
      Result<Rows> set = Run("PRAGMA query_only = ON", {});
      if (!set) {
        (void)Run("ROLLBACK", {});
        return std::move(set).error();
      }
      query_only_ = true;
    }
    return Ok();
  }

  Status Commit() override {
    // A COMMIT that fails with SQLITE_BUSY leaves the transaction open (it may be retried), so
    // the read-only flag follows the real transaction state, not this call.
    Result<Rows> committed = Run("COMMIT", {});
    Status restored = LeaveQueryOnlyIfTransactionEnded();
    if (!committed) return std::move(committed).error();
    return restored;
  }

  Status Rollback() override {
    if (!InTransaction()) {
      // SQLite already rolled back (after an error such as SQLITE_FULL or an interrupt), or
      // there never was a transaction: nothing to undo.
      return LeaveQueryOnlyIfTransactionEnded();
    }
    Result<Rows> rolled_back = Run("ROLLBACK", {});
    Status restored = LeaveQueryOnlyIfTransactionEnded();
    if (!rolled_back) return std::move(rolled_back).error();
    return restored;
  }

  bool InTransaction() const override { return sqlite3_get_autocommit(db_.get()) == 0; }

  std::shared_ptr<Canceler> GetCanceler() override {
    return std::make_shared<SqliteCanceler>(interrupt_);
  }

 private:
  // The error SQLite reports for the last call on this handle, which returned `code`. When
  // SQLite knows the byte offset of the problem in `text`, the message names its line and
  // column; `base` is where the prepared text starts inside `text`.
  Error LastError(int code, std::string_view text = {}, std::size_t base = 0) const {
    std::string message = sqlite3_errmsg(db_.get());
    const int offset = sqlite3_error_offset(db_.get());
    if (offset >= 0 && !text.empty()) {
      message += " at " + LineAndColumn(text, base + static_cast<std::size_t>(offset));
    }
    return SqliteError(code, std::move(message));
  }

  // Prepares the first statement in `text` from byte `base` on and stores in `consumed` how
  // many bytes it took. A null statement means only whitespace, comments and ';' were left.
  Result<Statement> Prepare(std::string_view text, std::size_t base, std::size_t& consumed) {
    const std::string_view sql = text.substr(base);
    if (sql.size() > static_cast<std::size_t>(INT_MAX)) {
      return Err(ErrorCode::kInvalidArgument, "SQL text longer than 2 GiB");
    }
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    const int rc =
        sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, &tail);
    Statement stmt(raw);
    if (rc != SQLITE_OK) return LastError(rc, text, base);
    consumed = tail == nullptr ? sql.size() : static_cast<std::size_t>(tail - sql.data());
    return stmt;
  }

  // SQLite's own tokenizer decides whether anything but whitespace and comments follows the
  // first statement, so no second lexer can disagree with it.
  Status RejectTrailingStatements(std::string_view sql, std::size_t first_end) {
    std::size_t consumed = 0;
    Result<Statement> next = Prepare(sql, first_end, consumed);
    if (next && *next == nullptr) return Ok();
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("Query runs exactly one statement, but more SQL follows at {}; "
                           "run several statements with ExecuteScript",
                           LineAndColumn(sql, SkipSpaceAndComments(sql, first_end))));
  }

  Status BindParams(sqlite3_stmt* stmt, const Params& params) {
    const int expected = sqlite3_bind_parameter_count(stmt);
    if (params.size() != static_cast<std::size_t>(expected)) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("the statement takes {} parameter(s) but {} were given", expected,
                             params.size()));
    }
    for (int i = 0; i < expected; ++i) {
      const int rc = BindParam(stmt, i + 1, params[static_cast<std::size_t>(i)]);
      if (rc != SQLITE_OK) {
        return LastError(rc).WithContext(fmt::format("binding parameter {}", i + 1));
      }
    }
    return Ok();
  }

  // Steps `stmt` to completion, collecting its rows when `keep_rows`.
  Result<Rows> Step(sqlite3_stmt* stmt, bool keep_rows) {
    Rows rows;
    const int columns = sqlite3_column_count(stmt);
    if (keep_rows) {
      for (int col = 0; col < columns; ++col) {
        const char* name = sqlite3_column_name(stmt, col);
        rows.columns.emplace_back(name != nullptr ? name : "");
      }
    }
    // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE even while other
    // statements run; only when this statement changed the total is that count its own.
    const sqlite3_int64 total_before = sqlite3_total_changes64(db_.get());
    for (;;) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return LastError(rc);
      if (!keep_rows) continue;
      std::vector<Cell>& row = rows.rows.emplace_back();
      row.reserve(static_cast<std::size_t>(columns));
      for (int col = 0; col < columns; ++col) row.push_back(ColumnCell(stmt, col));
    }
    if (sqlite3_total_changes64(db_.get()) != total_before) {
      rows.affected = sqlite3_changes64(db_.get());
    }
    return rows;
  }

  // Query without the transaction bookkeeping; also used for BEGIN, COMMIT and PRAGMAs.
  Result<Rows> Run(std::string_view sql, const Params& params) {
    std::size_t consumed = 0;
    STRATA_ASSIGN_OR_RETURN(Statement stmt, Prepare(sql, 0, consumed));
    if (stmt == nullptr) {
      return Err(ErrorCode::kInvalidArgument,
                 "Query got no SQL statement, only whitespace or comments");
    }
    STRATA_TRY(RejectTrailingStatements(sql, consumed));
    STRATA_TRY(BindParams(stmt.get(), params));
    return Step(stmt.get(), /*keep_rows=*/true);
  }

  Status RunScript(std::string_view script) {
    std::size_t offset = 0;
    int number = 0;
    while (offset < script.size()) {
      std::size_t consumed = 0;
      Result<Statement> stmt = Prepare(script, offset, consumed);
      const std::size_t start = SkipSpaceAndComments(script, offset);
      if (!stmt) {
        return std::move(stmt).error().WithContext(
            fmt::format("script statement {} (at {})", number + 1, LineAndColumn(script, start)));
      }
      if (consumed == 0) break;
      offset += consumed;
      if (*stmt == nullptr) continue;  // only whitespace or comments were left
      ++number;
      Result<Rows> ran = Step(stmt->get(), /*keep_rows=*/false);
      if (!ran) {
        return std::move(ran).error().WithContext(
            fmt::format("script statement {} (at {})", number, LineAndColumn(script, start)));
      }
    }
    return Ok();
  }

  Status LeaveQueryOnlyIfTransactionEnded() {
    if (!query_only_ || InTransaction()) return Ok();
    STRATA_TRY(Run("PRAGMA query_only = OFF", {}));
    query_only_ = false;
    return Ok();
  }

  Database db_;
  std::shared_ptr<InterruptTarget> interrupt_;
  ServerInfo server_;
  std::string display_url_;
  bool query_only_ = false;  // a read-only transaction set PRAGMA query_only
};

// Why a file could not be opened, beyond SQLite's "unable to open database file".
std::string OpenFailureDetail(sqlite3* db, const std::string& path) {
  std::string detail;
  const int system_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  if (system_errno != 0) {
    detail += " (" + std::error_code(system_errno, std::generic_category()).message() + ")";
  }
  if (path == ":memory:") return detail;
  namespace fs = std::filesystem;
  const fs::path parent = fs::path(path).parent_path();
  if (parent.empty()) return detail;
  std::error_code ec;
  if (!fs::exists(parent, ec)) {
    detail += fmt::format("; the directory {} does not exist", parent.string());
  } else if (!fs::is_directory(parent, ec)) {
    detail += fmt::format("; {} is not a directory", parent.string());
  }
  return detail;
}

Error ConnectError(Error error, const std::string& path) {
  error.code = ErrorCode::kConnection;
  error.message = fmt::format("cannot open SQLite database {}: {}", path, error.message);
  return error;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connect(const Url& url, const ConnectOptions& /*options*/) {
  if (url.dialect != Dialect::kSqlite) {
    return Err(ErrorCode::kInternal,
               fmt::format("the sqlite driver got a {} URL", DialectName(url.dialect)));
  }
  STRATA_ASSIGN_OR_RETURN(const OpenSettings settings, ReadUrlParams(url));
  const std::string& path = url.database;
  if (path.find('\0') != std::string::npos) {
    return Err(ErrorCode::kInvalidArgument, "the SQLite path in the URL contains a NUL byte");
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, settings.flags, nullptr);
  Database db(raw);  // sqlite3_open_v2 may return a handle even when it fails
  if (rc != SQLITE_OK) {
    std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    message += OpenFailureDetail(raw, path);
    return ConnectError(SqliteError(rc, std::move(message)), path);
  }
  auto conn = std::make_unique<SqliteConnection>(std::move(db), url);
  if (Status ready = conn->Initialize(settings.busy_timeout_ms); !ready) {
    return ConnectError(std::move(ready).error(), path);
  }
  return std::unique_ptr<Connection>(std::move(conn));
}

}  // namespace strata::db::sqlite
