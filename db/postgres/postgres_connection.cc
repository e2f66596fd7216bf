#include "db/postgres/postgres_connection.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace strata::db::postgres {
namespace {

// COPY data goes to the server in pieces of about this size rather than in one huge message.
constexpr std::size_t kCopyChunkBytes = std::size_t{64} * 1024;

// ---- Text helpers ------------------------------------------------------------------------

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

// Collapses runs of spaces and tabs into one space.
std::string CollapseSpaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() == ' ') continue;
      c = ' ';
    }
    out += c;
  }
  return out;
}

// libpq's connection messages span lines ("...failed: Connection refused\n\tIs the server
// running..."); an Error message is one line, so the lines are joined with "; ".
std::string OneLine(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = Trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty()) continue;
    if (!out.empty()) out += "; ";
    out += CollapseSpaces(line);
  }
  return out;
}

// The server's primary message: the first line of libpq's text without its "ERROR:  " prefix.
std::string PrimaryMessage(std::string_view what) {
  std::string_view line = Trim(what.substr(0, what.find('\n')));
  for (std::string_view severity : {"ERROR:", "FATAL:", "PANIC:"}) {
    if (line.substr(0, severity.size()) == severity) {
      line = Trim(line.substr(severity.size()));
      break;
    }
  }
  return std::string(line);
}

// The first CONTEXT line of a server error (for COPY it names the input line and column).
std::string ContextLine(std::string_view what) {
  constexpr std::string_view kContext = "\nCONTEXT:";
  const std::size_t at = what.find(kContext);
  if (at == std::string_view::npos) return "";
  std::string_view rest = what.substr(at + kContext.size());
  return std::string(Trim(rest.substr(0, rest.find('\n'))));
}

// Masks every occurrence of a secret. libpq does not put passwords into its messages, but the
// contract is that no message ever contains one, so every message passes through here.
std::string Scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

// Line and column (1-based) of the 1-based character `position` in `sql`. PostgreSQL counts
// characters, not bytes, so UTF-8 continuation bytes do not advance the column.
std::pair<int, int> LineAndColumn(std::string_view sql, int position) {
  int line = 1;
  int column = 1;
  int character = 1;
  for (char c : sql) {
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
    if (character == position) break;
    ++character;
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

// ---- A minimal SQL lexer -----------------------------------------------------------------

// Just enough of PostgreSQL's lexical rules to find keywords outside comments, string
// literals and quoted identifiers. Words come back upper-cased, a literal or quoted
// identifier as one opaque token, anything else one character at a time.
class SqlLexer {
 public:
  explicit SqlLexer(std::string_view sql) : sql_(sql) {}

  // The next token, or "" at the end.
  std::string Next() {
    SkipSpaceAndComments();
    if (pos_ >= sql_.size()) return "";
    const std::size_t start = pos_;
    const char c = sql_[pos_];
    if (c == '\'' || c == '"') {
      SkipQuoted(c, /*backslash_escapes=*/false);
    } else if ((c == 'E' || c == 'e') && pos_ + 1 < sql_.size() && sql_[pos_ + 1] == '\'') {
      ++pos_;
      SkipQuoted('\'', /*backslash_escapes=*/true);
    } else if (IsWordChar(c)) {
      while (pos_ < sql_.size() && IsWordChar(sql_[pos_])) ++pos_;
      std::string word(sql_.substr(start, pos_ - start));
      std::transform(word.begin(), word.end(), word.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
      return word;
    } else {
      ++pos_;
    }
    return std::string(sql_.substr(start, pos_ - start));
  }

  // The offset just past the last token returned.
  std::size_t offset() const { return pos_; }

 private:
  static bool IsWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$' ||
           static_cast<unsigned char>(c) >= 0x80;
  }

  void SkipSpaceAndComments() {
    while (pos_ < sql_.size()) {
      if (IsSpace(sql_[pos_])) {
        ++pos_;
      } else if (sql_.substr(pos_, 2) == "--") {
        const std::size_t newline = sql_.find('\n', pos_);
        pos_ = newline == std::string_view::npos ? sql_.size() : newline + 1;
      } else if (sql_.substr(pos_, 2) == "/*") {
        SkipBlockComment();
      } else {
        return;
      }
    }
  }

  // Block comments nest in PostgreSQL.
  void SkipBlockComment() {
    int depth = 0;
    while (pos_ < sql_.size()) {
      if (sql_.substr(pos_, 2) == "/*") {
        ++depth;
        pos_ += 2;
      } else if (sql_.substr(pos_, 2) == "*/") {
        pos_ += 2;
        if (--depth == 0) return;
      } else {
        ++pos_;
      }
    }
  }

  // Skips a literal that starts at pos_; a doubled quote stands for itself.
  void SkipQuoted(char quote, bool backslash_escapes) {
    ++pos_;
    while (pos_ < sql_.size()) {
      const char c = sql_[pos_++];
      if (backslash_escapes && c == '\\') {
        ++pos_;
      } else if (c == quote) {
        if (pos_ < sql_.size() && sql_[pos_] == quote) {
          ++pos_;
        } else {
          return;
        }
      }
    }
  }

  std::string_view sql_;
  std::size_t pos_ = 0;
};

// The statement's first keyword, past any opening parentheses: "SELECT", "INSERT", ...
std::string FirstKeyword(std::string_view sql) {
  SqlLexer lexer(sql);
  std::string token = lexer.Next();
  while (token == "(") token = lexer.Next();
  return token;
}

// What follows the COPY keyword in `statement`, without trailing semicolons and comments; an
// error unless `statement` is one COPY ... FROM STDIN.
Result<std::string> CopyFromStdinBody(std::string_view statement) {
  const auto not_copy_from_stdin = [] {
    return Err(ErrorCode::kInvalidArgument,
               "CopyFrom takes one statement of the form COPY table [(columns)] FROM STDIN "
               "[options]");
  };
  SqlLexer lexer(statement);
  if (lexer.Next() != "COPY") return not_copy_from_stdin();
  const std::size_t body_start = lexer.offset();
  std::size_t body_end = body_start;
  bool from_stdin = false;
  bool ended = false;
  std::string previous;
  for (std::string token = lexer.Next(); !token.empty(); token = lexer.Next()) {
    if (token == ";") {
      ended = true;
      continue;
    }
    if (ended) return not_copy_from_stdin();  // a second statement
    if (previous == "FROM" && token == "STDIN") from_stdin = true;
    previous = token;
    body_end = lexer.offset();
  }
  if (!from_stdin) return not_copy_from_stdin();
  return std::string(statement.substr(body_start, body_end - body_start));
}

// Whether Rows::affected should report the server's row count. libpq reports a count for
// SELECT too (the rows returned), but the contract counts only changed rows. libpqxx 6.4 keeps
// the command tag private, so the statement's first keyword decides for row-returning
// statements; statements that return no columns (plain DML, CREATE TABLE AS, COPY, DDL) report
// their count as is.
bool CountsChangedRows(const pqxx::result& result, std::string_view sql) {
  if (result.columns() == 0) return true;
  const std::string keyword = FirstKeyword(sql);
  return keyword == "INSERT" || keyword == "UPDATE" || keyword == "DELETE" || keyword == "MERGE";
}

// ---- Connection settings -----------------------------------------------------------------

// A conninfo value in single quotes with \ and ' escaped survives any character.
std::string QuoteConninfoValue(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

bool IsConninfoKeyword(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) != 0 || c == '_';
  });
}

Result<std::string> BuildConninfo(const Url& url, const ConnectOptions& options) {
  std::vector<std::pair<std::string, std::string>> settings;
  if (!url.host.empty()) settings.emplace_back("host", url.host);
  if (url.port != 0) settings.emplace_back("port", std::to_string(url.port));
  if (!url.user.empty()) settings.emplace_back("user", url.user);
  if (url.password) {
    settings.emplace_back("password", *url.password);
  } else if (options.password) {
    settings.emplace_back("password", *options.password);
  }
  if (!url.database.empty()) settings.emplace_back("dbname", url.database);
  if (!url.Param("connect_timeout")) {
    settings.emplace_back("connect_timeout", std::to_string(options.connect_timeout.count()));
  }
  if (!url.Param("application_name") && !options.application_name.empty()) {
    settings.emplace_back("application_name", options.application_name);
  }
  for (const auto& [key, value] : url.params) {
    if (!IsConninfoKeyword(key)) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("URL parameter '{}' of {} is not a libpq connection keyword", key,
                             url.Redacted()));
    }
    settings.emplace_back(key, value);
  }
  std::string conninfo;
  for (const auto& [key, value] : settings) {
    if (!conninfo.empty()) conninfo += ' ';
    conninfo += key + "=" + QuoteConninfoValue(value);
  }
  return conninfo;
}

// Every string that must never show up in a message.
std::vector<std::string> SecretsOf(const Url& url, const ConnectOptions& options) {
  std::vector<std::string> secrets;
  for (const std::optional<std::string>& secret :
       {url.password, options.password, url.Param("password"), url.Param("sslpassword")}) {
    if (secret && !secret->empty()) secrets.push_back(*secret);
  }
  return secrets;
}

// ---- Statements --------------------------------------------------------------------------

std::string DoubleText(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

// Parameters travel as text (nullopt: NULL); the server parses them as the type the statement
// gives them, as it does for every libpqxx 6.4 parameter.
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

// ---- Errors ------------------------------------------------------------------------------

bool IsTransientSqlstate(std::string_view sqlstate) {
  return sqlstate == "40001" ||                         // serialization_failure
         sqlstate == "40P01" ||                         // deadlock_detected
         sqlstate == "55P03" ||                         // lock_not_available
         sqlstate == "53300" ||                         // too_many_connections
         sqlstate.substr(0, 2) == "08" ||               // connection exceptions
         sqlstate == "57P01" || sqlstate == "57P02" ||  // admin / crash shutdown
         sqlstate == "57P03";                           // cannot_connect_now
}

// ---- Notices -----------------------------------------------------------------------------

// Receives the server's notices and warnings, which libpq would otherwise print to stderr,
// and logs them. It also keeps the last FATAL message: when the server ends the session
// (pg_terminate_backend, shutdown) that message arrives as a notice, while the exception
// libpqxx throws only says that the connection is gone.
class NoticeLogger final : public pqxx::errorhandler {
 public:
  NoticeLogger(pqxx::connection_base& conn, const std::string& display_url,
               const std::vector<std::string>& secrets)
      : pqxx::errorhandler(conn), display_url_(display_url), secrets_(secrets) {}

  bool operator()(const char message[]) noexcept override {
    try {
      const std::string text = Scrub(OneLine(message), secrets_);
      if (text.rfind("FATAL:", 0) == 0 || text.rfind("PANIC:", 0) == 0) {
        last_fatal_ = PrimaryMessage(text);
      }
      if (text.rfind("WARNING:", 0) == 0) {
        spdlog::warn("{}: {}", display_url_, text);
      } else {
        spdlog::debug("{}: {}", display_url_, text);
      }
    } catch (...) {  // NOLINT(bugprone-empty-catch): a notice is not worth an exception
    }
    return false;  // handled: no older handler may print it
  }

  const std::string& last_fatal() const { return last_fatal_; }

 private:
  const std::string& display_url_;
  const std::vector<std::string>& secrets_;
  std::string last_fatal_;
};

// ---- Cancel ------------------------------------------------------------------------------

// What a Canceler shares with its connection. The connection detaches it when it closes or
// breaks, so a Canceler that outlives the connection does nothing.
class CancelTarget {
 public:
  CancelTarget(pqxx::connection_base* conn, std::string display_url)
      : conn_(conn), display_url_(std::move(display_url)) {}

  void Detach() {
    std::lock_guard<std::mutex> lock(mutex_);
    conn_ = nullptr;
  }

  // cancel_query() builds a PGcancel from the connection's address and backend key, which do
  // not change while a statement runs, and sends the cancel request over a separate socket:
  // safe while the owning thread waits for its statement. The mutex only keeps it from
  // racing with the connection's close.
  Status Cancel() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (conn_ == nullptr) return Ok();
    try {
      conn_->cancel_query();
    } catch (const std::exception& e) {
      return Err(ErrorCode::kConnection, fmt::format("cannot cancel the statement on {}: {}",
                                                     display_url_, OneLine(e.what())));
    }
    return Ok();
  }

 private:
  std::mutex mutex_;
  pqxx::connection_base* conn_;
  const std::string display_url_;
};

class PostgresCanceler final : public Canceler {
 public:
  explicit PostgresCanceler(std::shared_ptr<CancelTarget> target) : target_(std::move(target)) {}
  Status Cancel() override { return target_->Cancel(); }

 private:
  std::shared_ptr<CancelTarget> target_;
};

// ---- The connection ----------------------------------------------------------------------

class PostgresConnection final : public Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const Url& url, const ConnectOptions& options);
  ~PostgresConnection() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
  const ServerInfo& server() const override { return server_; }
  const std::string& display_url() const override { return display_url_; }
  std::int64_t session_id() const override { return session_id_; }

  Result<Rows> Query(std::string_view sql, const Params& params) override;
  Status ExecuteScript(std::string_view sql) override;
  Status CopyFrom(std::string_view copy_statement, std::string_view data) override;

  Status Begin(const TxOptions& options) override;
  Status Commit() override;
  Status Rollback() override;
  bool InTransaction() const override { return in_transaction_; }

  std::shared_ptr<Canceler> GetCanceler() override;

 private:
  PostgresConnection(std::string display_url, std::vector<std::string> secrets)
      : display_url_(std::move(display_url)), secrets_(std::move(secrets)) {}

  Status Establish(const std::string& conninfo);

  // Runs `work`, which talks to libpqxx, and turns whatever it throws into an Error. `sql` is
  // the text sent, for error positions; `with_context` adds the server's CONTEXT line.
  template <typename Work>
  auto Guarded(std::string_view sql, Work&& work, bool with_context = false) -> decltype(work());
  Status Exec(const std::string& sql);

  // REQUIRES: called from a catch block.
  Error ErrorFromCurrentException(std::string_view sql, bool with_context) const;
  Error ServerError(std::string sqlstate, std::string_view what, bool with_context) const;
  // Records what a failure means for the session: a lost connection, or an aborted
  // transaction.
  Error Failed(Error error);
  Error LostEarlier() const;
  void EndTransaction();

  const std::string display_url_;
  const std::vector<std::string> secrets_;
  // Declared before notices_ so that the handler unregisters before the connection closes.
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<NoticeLogger> notices_;
  std::shared_ptr<CancelTarget> cancel_target_;
  ServerInfo server_;
  std::int64_t session_id_ = 0;
  bool in_transaction_ = false;
  bool transaction_failed_ = false;  // a statement failed since BEGIN
  bool lost_ = false;
  std::string lost_reason_;
};

Result<std::unique_ptr<Connection>> PostgresConnection::Open(const Url& url,
                                                             const ConnectOptions& options) {
  STRATA_ASSIGN_OR_RETURN(const std::string conninfo, BuildConninfo(url, options));
  std::unique_ptr<PostgresConnection> conn(
      new PostgresConnection(url.Redacted(), SecretsOf(url, options)));
  STRATA_TRY(conn->Establish(conninfo));
  return std::unique_ptr<Connection>(std::move(conn));
}

Status PostgresConnection::Establish(const std::string& conninfo) {
  try {
    conn_ = std::make_unique<pqxx::connection>(conninfo);
    notices_ = std::make_unique<NoticeLogger>(*conn_, display_url_, secrets_);
    pqxx::nontransaction tx(*conn_);
    const pqxx::result version = tx.exec("SHOW server_version");
    // Debian reports "15.18 (Debian 15.18-0+deb12u1)"; the first word is the version.
    const std::string_view reported = version.at(0).at(0).c_str();
    server_ = ServerInfo{"PostgreSQL", std::string(reported.substr(0, reported.find(' '))),
                         conn_->server_version()};
    session_id_ = conn_->backendpid();
  } catch (const std::exception& e) {
    Error error = Err(ErrorCode::kConnection, fmt::format("cannot connect to {}: {}", display_url_,
                                                          Scrub(OneLine(e.what()), secrets_)));
    // A full server may have room soon; a wrong password or database will not change.
    error.transient = dynamic_cast<const pqxx::too_many_connections*>(&e) != nullptr;
    return error;
  }
  cancel_target_ = std::make_shared<CancelTarget>(conn_.get(), display_url_);
  return Ok();
}

PostgresConnection::~PostgresConnection() {
  if (cancel_target_) cancel_target_->Detach();
}

template <typename Work>
auto PostgresConnection::Guarded(std::string_view sql, Work&& work, bool with_context)
    -> decltype(work()) {
  if (lost_) return LostEarlier();
  try {
    return work();
  } catch (...) {
    return Failed(ErrorFromCurrentException(sql, with_context));
  }
}

// Every statement runs in a nontransaction, which sends it as is: transactions are the
// BEGIN/COMMIT/ROLLBACK statements that Begin/Commit/Rollback send, so that the engines get
// SQL semantics (including an aborted transaction that still needs its ROLLBACK) rather than
// libpqxx's transaction objects.
Status PostgresConnection::Exec(const std::string& sql) {
  return Guarded(sql, [&]() -> Status {
    pqxx::nontransaction tx(*conn_);
    tx.exec(sql);
    return Ok();
  });
}

Result<Rows> PostgresConnection::Query(std::string_view sql, const Params& params) {
  STRATA_ASSIGN_OR_RETURN(const auto texts, ParamTexts(params));
  const std::string text(sql);
  return Guarded(text, [&]() -> Result<Rows> {
    pqxx::nontransaction tx(*conn_);
    const pqxx::result result =
        params.empty() ? tx.exec(text)
                       : tx.exec_params(text, pqxx::prepare::make_dynamic_params(texts));
    return ToRows(result, text);
  });
}

Status PostgresConnection::ExecuteScript(std::string_view sql) { return Exec(std::string(sql)); }

Status PostgresConnection::CopyFrom(std::string_view copy_statement, std::string_view data) {
  STRATA_ASSIGN_OR_RETURN(const std::string body, CopyFromStdinBody(copy_statement));
  // libpqxx 6.4 has no public way to run an arbitrary COPY: raw_connection() is private and
  // stream_to takes only a table and columns. tablewriter, though, sends
  // "COPY <target> FROM STDIN" with the target unquoted, and write_raw_line passes data
  // through. With the statement's own body plus a line comment as the target, the server gets
  // "COPY <body>\n-- FROM STDIN": the statement as written, options and all.
  const std::string target = body + "\n--";
  return Guarded(
      "COPY " + target + " FROM STDIN",
      [&]() -> Status {
        pqxx::nontransaction tx(*conn_);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
        pqxx::tablewriter writer(tx, target);
#pragma GCC diagnostic pop
        // write_raw_line drops one trailing newline and sends the line plus a newline, so
        // pieces that end just after a newline arrive unchanged (a last piece without one
        // gains it, which COPY does not mind).
        while (!data.empty()) {
          const std::size_t newline = data.find('\n', std::min(data.size(), kCopyChunkBytes) - 1);
          const std::size_t end = newline == std::string_view::npos ? data.size() : newline + 1;
          writer.write_raw_line(std::string(data.substr(0, end)));
          data.remove_prefix(end);
        }
        writer.complete();
        return Ok();
      },
      /*with_context=*/true);
}

Status PostgresConnection::Begin(const TxOptions& options) {
  if (in_transaction_) {
    return Err(ErrorCode::kInternal,
               fmt::format("BEGIN on {}, which is already in a transaction", display_url_));
  }
  STRATA_TRY(Exec(BeginStatement(options)));
  in_transaction_ = true;
  transaction_failed_ = false;
  return Ok();
}

Status PostgresConnection::Commit() {
  if (!in_transaction_) {
    if (lost_) return LostEarlier();
    return Err(ErrorCode::kInternal,
               fmt::format("COMMIT on {}, which is not in a transaction", display_url_));
  }
  if (transaction_failed_) {
    // PostgreSQL would answer COMMIT with a silent ROLLBACK; say so instead.
    const Status rolled_back = Exec("ROLLBACK");
    EndTransaction();
    STRATA_TRY(rolled_back);
    Error error = Err(ErrorCode::kDatabase,
                      "the transaction was rolled back, not committed: a statement in it failed");
    error.sqlstate = "25P02";  // in_failed_sql_transaction
    return error;
  }
  Status committed = Exec("COMMIT");
  EndTransaction();
  if (!committed && committed.error().code == ErrorCode::kConnection) {
    return committed.error().WithContext("COMMIT did not finish, its outcome is unknown");
  }
  return committed;
}

Status PostgresConnection::Rollback() {
  // After a lost connection there is nothing left to roll back: the server did it.
  if (!in_transaction_) return Ok();
  Status rolled_back = Exec("ROLLBACK");
  EndTransaction();
  return rolled_back;
}

void PostgresConnection::EndTransaction() {
  in_transaction_ = false;
  transaction_failed_ = false;
}

std::shared_ptr<Canceler> PostgresConnection::GetCanceler() {
  return std::make_shared<PostgresCanceler>(cancel_target_);
}

Error PostgresConnection::ErrorFromCurrentException(std::string_view sql, bool with_context) const {
  // libpqxx 6.4 throws the 40xxx classes without their SQLSTATE, so it is restored from the
  // class.
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    Error error = Err(ErrorCode::kConnection, Scrub(OneLine(e.what()), secrets_));
    error.transient = true;
    return error;
  } catch (const pqxx::deadlock_detected& e) {
    return ServerError("40P01", e.what(), with_context);
  } catch (const pqxx::serialization_failure& e) {
    return ServerError("40001", e.what(), with_context);
  } catch (const pqxx::statement_completion_unknown& e) {
    return ServerError("40003", e.what(), with_context);
  } catch (const pqxx::transaction_rollback& e) {
    return ServerError("40000", e.what(), with_context);
  } catch (const pqxx::syntax_error& e) {
    Error error = ServerError(e.sqlstate(), e.what(), with_context);
    if (e.error_position > 0) {
      const auto [line, column] = LineAndColumn(sql, e.error_position);
      error.message += fmt::format(" (at line {}, column {} of the statement)", line, column);
    }
    return error;
  } catch (const pqxx::sql_error& e) {
    return ServerError(e.sqlstate(), e.what(), with_context);
  } catch (const pqxx::usage_error& e) {
    return Err(ErrorCode::kInternal, fmt::format("libpqxx usage error on {}: {}", display_url_,
                                                 Scrub(OneLine(e.what()), secrets_)));
  } catch (const std::exception& e) {
    return Err(ErrorCode::kDatabase, Scrub(OneLine(e.what()), secrets_));
  } catch (...) {
    return Err(ErrorCode::kInternal, "unknown exception from libpqxx");
  }
}

Error PostgresConnection::ServerError(std::string sqlstate, std::string_view what,
                                      bool with_context) const {
  std::string message = PrimaryMessage(what);
  if (with_context) {
    const std::string context = ContextLine(what);
    if (!context.empty()) message += " (" + context + ")";
  }
  // 57014 is also what statement_timeout raises; only a cancel request is kCancelled.
  const bool cancelled =
      sqlstate == "57014" && message.find("statement timeout") == std::string::npos;
  Error error = Err(cancelled ? ErrorCode::kCancelled : ErrorCode::kDatabase,
                    Scrub(std::move(message), secrets_));
  error.transient = IsTransientSqlstate(sqlstate);
  error.sqlstate = std::move(sqlstate);
  return error;
}

Error PostgresConnection::Failed(Error error) {
  if (conn_->is_open() && error.code != ErrorCode::kConnection) {
    if (in_transaction_) transaction_failed_ = true;
    return error;
  }
  // The session is gone, and with it any transaction. libpqxx 6.4 would silently reconnect
  // on the next statement, which must not happen under the engines (session locks, SET
  // options and transactions would vanish), so the connection stays dead from here on.
  lost_ = true;
  EndTransaction();
  cancel_target_->Detach();
  lost_reason_ = notices_->last_fatal().empty() ? error.message : notices_->last_fatal();
  Error lost = Err(ErrorCode::kConnection,
                   fmt::format("lost the connection to {}: {}", display_url_, lost_reason_));
  lost.sqlstate = error.sqlstate;
  lost.transient = true;
  return lost;
}

Error PostgresConnection::LostEarlier() const {
  Error error = Err(ErrorCode::kConnection,
                    fmt::format("the connection to {} was lost earlier ({}); open a new one",
                                display_url_, lost_reason_));
  error.transient = true;
  return error;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connect(const Url& url, const ConnectOptions& options) {
  if (url.dialect != Dialect::kPostgres) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{} is not a PostgreSQL URL", url.Redacted()));
  }
  return PostgresConnection::Open(url, options);
}

}  // namespace strata::db::postgres
