// Who a strata connection belongs to: the command, the process id and a random run id of the
// strata process that opened it, and a short tag of the history table it works on. cli/ makes
// the identity (db::ConnectOptions::runner carries its label) and the drivers show it to the
// server, so that another runner can tell what a dead one left running there:
//   PostgreSQL  application_name, shown in pg_stat_activity;
//   MariaDB     a connection attribute (performance_schema.session_connect_attrs, which is off
//               by default) and a comment leading every statement the connection sends, which
//               information_schema.PROCESSLIST shows verbatim in INFO;
//   SQLite      nothing: it has no server, so nothing outlives the process that ran it.
#ifndef STRATA_DB_RUNNER_H_
#define STRATA_DB_RUNNER_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace strata::db {

struct RunnerIdentity {
  std::string command;   // "migrate", "undo", ...: one word
  std::int64_t pid = 0;  // the strata process
  std::string run_id;    // random, 8 hex digits: tells apart runs whose pids were reused
  std::string scope;     // ScopeTag() of the history table; "" for none

  // "strata migrate pid=1234 run=ab12cd34 scope=5e6f7a8b": at most 63 bytes (PostgreSQL's limit
  // on application_name) for any pid up to 10 digits.
  std::string Label() const;
  // The identity `text` starts with: a Label(), or a statement led by StatementComment(). nullopt
  // when it carries none.
  static std::optional<RunnerIdentity> Parse(std::string_view text);
};

// A statement running now in one server connection, as the server shows it
// (db::Flavor::FindRunnerStatements, StatementIn).
struct ServerStatement {
  std::int64_t connection_id = 0;  // PostgreSQL backend pid, MariaDB connection id
  std::string label;               // the runner label the session carries; "" for none
  std::string sql;                 // the statement, without the runner's leading comment
  std::chrono::milliseconds running_for{0};
};

// "/* <label> */ ": what the MariaDB driver puts before each statement of a connection whose
// ConnectOptions::runner is `label`.
std::string StatementComment(std::string_view label);

// 8 hex digits naming the history table `schema`.`table` as configured (an empty schema: the
// current one), so that runners on different history tables of one database are told apart.
std::string ScopeTag(std::string_view schema, std::string_view table);

}  // namespace strata::db

#endif  // STRATA_DB_RUNNER_H_
