// Server notices and warnings of a PostgreSQL connection, which libpq would otherwise print to
// stderr, go to spdlog instead. Internal to the postgres driver.
#ifndef STRATA_DB_POSTGRES_NOTICES_H_
#define STRATA_DB_POSTGRES_NOTICES_H_

#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace strata::db::postgres {

// Logs every notice of `conn` while it lives: warnings at warn, the rest at debug, each
// prefixed with the display URL and scrubbed of `secrets`. It also keeps the last FATAL
// message: when the server ends the session (pg_terminate_backend, shutdown) that message
// arrives as a notice, while the exception libpqxx throws only says that the connection is
// gone. `display_url` and `secrets` must outlive the logger, which must not outlive `conn`.
class NoticeLogger final : public pqxx::errorhandler {
 public:
  NoticeLogger(pqxx::connection_base& conn, const std::string& display_url,
               const std::vector<std::string>& secrets)
      : pqxx::errorhandler(conn), display_url_(display_url), secrets_(secrets) {}

  bool operator()(const char message[]) noexcept override;

  // The primary message of the last FATAL or PANIC notice; empty if none came.
  const std::string& last_fatal() const { return last_fatal_; }

 private:
  const std::string& display_url_;
  const std::vector<std::string>& secrets_;
  std::string last_fatal_;
};

}  // namespace strata::db::postgres

#endif  // STRATA_DB_POSTGRES_NOTICES_H_
