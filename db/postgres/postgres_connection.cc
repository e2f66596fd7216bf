#include "db/postgres/postgres_connection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <pqxx/pqxx>
#include <pqxx/tablewriter>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/postgres/cancel.h"
#include "db/postgres/connect.h"
#include "db/postgres/errors.h"
#include "db/postgres/notices.h"
#include "db/postgres/statement.h"

namespace strata::db::postgres {
namespace {

// COPY data goes to the server in pieces of about this size rather than in one huge message.
constexpr std::size_t kCopyChunkBytes = std::size_t{64} * 1024;

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
  Status RollbackToSavepoint(std::string_view name) override;

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

// libpq checks the connection options before it contacts any server, and words those errors
// "invalid connection option \"x\"" (an unknown keyword) or "invalid sslmode value: ..." (a
// value out of its set; also gssencmode, channel_binding, target_session_attrs, port, …).
// They are usage errors, as a bad URL parameter is on every engine; errors from a server
// always start otherwise ("connection to server at …").
namespace {
bool IsBadOption(std::string_view message) { return message.starts_with("invalid "); }
}  // namespace

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
    const std::string cause = Scrub(OneLine(e.what()), secrets_);
    if (IsBadOption(cause)) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("bad URL parameter in {}: {}", display_url_, cause));
    }
    Error error =
        Err(ErrorCode::kConnection, fmt::format("cannot connect to {}: {}", display_url_, cause));
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
    return Failed(ErrorFromCurrentException(sql, with_context, {display_url_, secrets_}));
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

// The server's transaction is usable again after ROLLBACK TO SAVEPOINT, so Commit must not
// turn it into a rollback. The savepoint itself could only be set while nothing had failed.
Status PostgresConnection::RollbackToSavepoint(std::string_view name) {
  STRATA_TRY(Exec(fmt::format("ROLLBACK TO SAVEPOINT {}", name)));
  transaction_failed_ = false;
  return Ok();
}

void PostgresConnection::EndTransaction() {
  in_transaction_ = false;
  transaction_failed_ = false;
}

std::shared_ptr<Canceler> PostgresConnection::GetCanceler() {
  return std::make_shared<PostgresCanceler>(cancel_target_);
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
