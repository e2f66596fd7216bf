// Errors as values.
//
// Every fallible function in strata returns Result<T> (or Status, which is Result<void>).
// Nothing above the database drivers throws: drivers catch their library's exceptions and
// return an Error instead.
//
// Result<T> mirrors the subset of C++23 std::expected that strata uses (has_value, value,
// error, operator*, operator->, value_or). It is hand-written because clang 14 — which runs
// clang-tidy and libFuzzer here — cannot compile libstdc++ 12's <expected>, and Debian 12
// packages no tl::expected. When the toolchain catches up this becomes an alias.
#ifndef STRATA_BASE_RESULT_H_
#define STRATA_BASE_RESULT_H_

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace strata {

// What kind of failure an Error is. The CLI maps codes to exit codes (see README.md).
enum class ErrorCode {
  kInvalidArgument,  // bad input from the user: flags, configuration, file names, SQL text
  kNotFound,         // a named thing (file, job, migration, table) does not exist
  kIo,               // reading or writing a local file failed
  kConnection,       // cannot reach or authenticate to a database, or the connection dropped
  kDatabase,         // the server rejected a statement
  kUnsupported,      // the operation is not available for this engine or server version
  kValidation,       // migrations or schema disagree with what was expected (exit 3)
  kLockTimeout,      // a lock could not be acquired in time (exit 4)
  kCancelled,        // stopped on request (signal or cancel) and left resumable
  kInternal,         // a bug in strata
};

// Human-readable name of a code, e.g. "invalid argument".
const char* ErrorCodeName(ErrorCode code);

// A failure. `message` is one line meant for a person: what went wrong, where, and what to
// do. Database errors also carry the server's SQLSTATE (PostgreSQL, SQLite extended code as
// text) or error number (MariaDB), and whether retrying the same work may succeed.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string sqlstate;    // PostgreSQL SQLSTATE, MariaDB SQLSTATE; empty when unknown
  int server_errno = 0;    // MariaDB error number, SQLite extended result code; 0 when unknown
  bool transient = false;  // deadlock, serialization failure, lock wait timeout, lost connection

  // Returns a copy whose message is prefixed with `context` and ": ".
  [[nodiscard]] Error WithContext(const std::string& context) const;
};

// Shorthand constructors: `return Err(ErrorCode::kNotFound, "...")`.
Error Err(ErrorCode code, std::string message);

template <typename T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  // Implicit on purpose, as with std::expected: `return value;` and `return error;` both work.
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
  Result(Error error) : data_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return data_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  // REQUIRES: has_value().
  T& value() & { return std::get<0>(data_); }
  const T& value() const& { return std::get<0>(data_); }
  T&& value() && { return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !has_value().
  const Error& error() const& { return std::get<1>(data_); }
  Error&& error() && { return std::get<1>(std::move(data_)); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  std::variant<T, Error> data_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  using value_type = void;

  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status Ok() { return {}; }

}  // namespace strata

// Propagates an error: `STRATA_TRY(Foo());` returns Foo()'s error from the enclosing function.
#define STRATA_TRY(expr)                            \
  do {                                              \
    auto strata_try_result_ = (expr);               \
    if (!strata_try_result_) {                      \
      return std::move(strata_try_result_).error(); \
    }                                               \
  } while (false)

#define STRATA_CONCAT_INNER_(a, b) a##b
#define STRATA_CONCAT_(a, b) STRATA_CONCAT_INNER_(a, b)

// `STRATA_ASSIGN_OR_RETURN(auto rows, conn.Query(...));` — declares `rows` from the value,
// or returns the error from the enclosing function.
#define STRATA_ASSIGN_OR_RETURN(lhs, expr) \
  STRATA_ASSIGN_OR_RETURN_IMPL_(STRATA_CONCAT_(strata_result_, __LINE__), lhs, expr)
// `lhs` is a declaration ("auto x"), so it cannot be parenthesised.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define STRATA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp) return std::move(tmp).error();            \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

#endif  // STRATA_BASE_RESULT_H_
