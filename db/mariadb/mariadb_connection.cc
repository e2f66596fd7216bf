#include "db/mariadb/mariadb_connection.h"

#include <fmt/format.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/mariadb/connect.h"
#include "db/mariadb/errors.h"
#include "db/mariadb/statement.h"
#include "db/runner.h"

namespace strata::db::mariadb {
namespace {

// What a connection shares with its cancelers. The mutex also orders a KILL against the
// connection's statements: while Cancel() holds it, no statement can start or finish, so the
// KILL reaches the statement it was meant for (or an idle connection, where it does nothing).
class CancelState {
 public:
  CancelState(ConnectSettings settings, unsigned long connection_id)
      : killer_settings_(std::move(settings)), connection_id_(connection_id) {
    killer_settings_.program_name += " (cancel)";
  }

  void StatementStarted() {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = true;
    cancelled_ = false;
  }

  // Returns whether Cancel() sent a KILL while the statement ran.
  bool StatementFinished() {
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    return std::exchange(cancelled_, false);
  }

  // After this, Cancel() does nothing. Waits for a Cancel() in progress.
  void Close() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = false;
  }

  Status Cancel() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!open_ || !running_) return Ok();
    STRATA_TRY(KillRunningQuery());
    cancelled_ = true;
    return Ok();
  }

 private:
  Status KillRunningQuery() {
    STRATA_ASSIGN_OR_RETURN(Handle killer, OpenHandle(killer_settings_));
    const std::string sql = fmt::format("KILL QUERY {}", connection_id_);
    if (mysql_real_query(killer.get(), sql.data(), sql.size()) == 0) return Ok();
    const ClientError error = LastError(killer.get());
    if (error.number == ER_NO_SUCH_THREAD) return Ok();  // the connection is gone already
    return StatementFailure(error, killer_settings_.display_url, /*server_is_mysql=*/false)
        .WithContext(fmt::format("cannot cancel the statement on connection {}", connection_id_));
  }

  std::mutex mutex_;
  ConnectSettings killer_settings_;
  const unsigned long connection_id_;
  bool open_ = true;
  bool running_ = false;
  bool cancelled_ = false;
};

class MariaDbCanceler final : public Canceler {
 public:
  explicit MariaDbCanceler(std::shared_ptr<CancelState> state) : state_(std::move(state)) {}
  Status Cancel() override { return state_->Cancel(); }

 private:
  std::shared_ptr<CancelState> state_;
};

ServerInfo ReadServerInfo(MYSQL* mysql) {
  ServerInfo info;
  info.version = mysql_get_server_info(mysql);
  info.product = info.version.find("MariaDB") != std::string::npos ? "MariaDB" : "MySQL";
  info.version_number = static_cast<int>(mysql_get_server_version(mysql));
  return info;
}

// MariaDB 10.2.7+ announces bulk operations in its extended capabilities; MySQL never does.
bool SupportsBulk(MYSQL* mysql) {
  unsigned long capabilities = 0;
  unsigned long extended = 0;
  if (mariadb_get_infov(mysql, MARIADB_CONNECTION_SERVER_CAPABILITIES, &capabilities) != 0 ||
      mariadb_get_infov(mysql, MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &extended) != 0) {
    return false;
  }
  return (capabilities & CLIENT_MYSQL) == 0 &&
         (extended & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32)) != 0;
}

const char* IsolationName(Isolation isolation) {
  switch (isolation) {
    case Isolation::kDefault:
      return nullptr;
    case Isolation::kReadCommitted:
      return "READ COMMITTED";
    case Isolation::kRepeatableRead:
      return "REPEATABLE READ";
    case Isolation::kSerializable:
      return "SERIALIZABLE";
  }
  return nullptr;
}

Status WithoutRows(Result<Rows> result) {
  if (!result) return std::move(result).error();
  return Ok();
}

class MariaDbConnection final : public Connection {
 public:
  MariaDbConnection(Handle handle, ConnectSettings settings)
      : handle_(std::move(handle)),
        server_(ReadServerInfo(handle_.get())),
        context_{settings.display_url, server_.product == "MySQL"},
        session_id_(static_cast<std::int64_t>(mysql_thread_id(handle_.get()))),
        bulk_(SupportsBulk(handle_.get())),
        statement_tag_(settings.runner.empty() ? "" : StatementComment(settings.runner)),
        cancel_(
            std::make_shared<CancelState>(std::move(settings), mysql_thread_id(handle_.get()))) {}

  ~MariaDbConnection() override { cancel_->Close(); }

  Dialect dialect() const override { return Dialect::kMariaDb; }
  const ServerInfo& server() const override { return server_; }
  const std::string& display_url() const override { return context_.display_url; }
  std::int64_t session_id() const override { return session_id_; }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    const std::string tagged = Tagged(sql);
    return Run([&] {
      return params.empty() ? RunText(handle_.get(), tagged, context_)
                            : RunPrepared(handle_.get(), tagged, params, context_);
    });
  }

  Status ExecuteScript(std::string_view sql) override {
    const std::string tagged = Tagged(sql);
    return Run([&] { return RunScript(handle_.get(), tagged, context_); });
  }

  Result<std::int64_t> ExecuteBatch(std::string_view sql,
                                    const std::vector<Params>& rows) override {
    if (rows.empty()) return 0;
    const std::string tagged = Tagged(sql);
    return Run([&] { return RunBatch(handle_.get(), tagged, rows, bulk_, context_); });
  }

  bool batches_in_one_round_trip() const override { return bulk_; }

  Status CopyFrom(std::string_view /*copy_statement*/, std::string_view /*data*/) override {
    return Err(ErrorCode::kUnsupported,
               "COPY ... FROM STDIN is PostgreSQL only; on MariaDB insert in batches instead");
  }

  Status Begin(const TxOptions& options) override {
    if (InTransaction()) {
      // START TRANSACTION would commit the open transaction without a word.
      return Err(ErrorCode::kInternal,
                 fmt::format("cannot begin a transaction on {}: one is already open",
                             context_.display_url));
    }
    if (const char* level = IsolationName(options.isolation)) {
      STRATA_TRY(Command(fmt::format("SET TRANSACTION ISOLATION LEVEL {}", level)));
    }
    return Command(options.read_only ? "START TRANSACTION READ ONLY" : "START TRANSACTION");
  }

  Status Commit() override { return Command("COMMIT"); }
  Status Rollback() override { return Command("ROLLBACK"); }

  bool InTransaction() const override {
    if (lost_) return false;
    // DDL commits implicitly, so only the server knows; every reply carries its status.
    unsigned int status = 0;
    if (mariadb_get_infov(handle_.get(), MARIADB_CONNECTION_SERVER_STATUS, &status) != 0) {
      return false;
    }
    return (status & SERVER_STATUS_IN_TRANS) != 0;
  }

  std::shared_ptr<Canceler> GetCanceler() override {
    return std::make_shared<MariaDbCanceler>(cancel_);
  }

 private:
  // `sql` led by the runner's comment, which PROCESSLIST.INFO shows to other runners (the
  // comment stays on the first line, so the server's line numbers do not move).
  std::string Tagged(std::string_view sql) const { return statement_tag_ + std::string(sql); }

  Status Command(std::string_view sql) {
    return Run([&] { return WithoutRows(RunText(handle_.get(), sql, context_)); });
  }

  // Runs one round of work on the handle with the bookkeeping every call needs: refuse a
  // lost connection, tell the canceler a statement runs, and remember a lost connection.
  template <typename Work>
  auto Run(Work&& work) -> decltype(work()) {
    if (lost_) return LostEarlier();
    STRATA_TRY(EnsureClientReady());
    cancel_->StatementStarted();
    auto result = work();
    const bool cancelled = cancel_->StatementFinished();
    if (!result && result.error().code == ErrorCode::kConnection) MarkLost();
    // A killed SLEEP() or GET_LOCK() ends without error; the caller asked for it to stop.
    if (cancelled && result) return Cancelled();
    return result;
  }

  void MarkLost() {
    lost_ = true;
    cancel_->Close();
  }

  Error LostEarlier() const {
    Error error = Err(ErrorCode::kConnection,
                      fmt::format("connection to {} was lost earlier; open a new connection",
                                  context_.display_url));
    error.transient = true;
    return error;
  }

  Error Cancelled() const {
    return Err(ErrorCode::kCancelled,
               fmt::format("statement on {} cancelled on request", context_.display_url));
  }

  Handle handle_;
  ServerInfo server_;
  ErrorContext context_;
  std::int64_t session_id_;
  bool bulk_;                  // the server takes array-bound batches (COM_STMT_BULK_EXECUTE)
  std::string statement_tag_;  // StatementComment() of the runner; "" for none
  std::shared_ptr<CancelState> cancel_;
  bool lost_ = false;
};

}  // namespace

Result<std::unique_ptr<Connection>> Connect(const Url& url, const ConnectOptions& options) {
  STRATA_ASSIGN_OR_RETURN(ConnectSettings settings, SettingsFromUrl(url, options));
  STRATA_ASSIGN_OR_RETURN(Handle handle, OpenHandle(settings));
  std::unique_ptr<Connection> connection =
      std::make_unique<MariaDbConnection>(std::move(handle), std::move(settings));
  return connection;
}

}  // namespace strata::db::mariadb
