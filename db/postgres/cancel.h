// Cancelling the statement a PostgreSQL connection is running, from another thread. Internal
// to the postgres driver.
#ifndef STRATA_DB_POSTGRES_CANCEL_H_
#define STRATA_DB_POSTGRES_CANCEL_H_

#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <utility>

#include "base/result.h"
#include "db/connection.h"

namespace strata::db::postgres {

// What a Canceler shares with its connection. The connection detaches it when it closes or
// breaks, so a Canceler that outlives the connection does nothing.
class CancelTarget {
 public:
  CancelTarget(pqxx::connection_base* conn, std::string display_url)
      : conn_(conn), display_url_(std::move(display_url)) {}

  void Detach();

  // Sends a cancel request for the running statement; Ok when there is no connection any
  // more. Failure is kConnection naming the display URL.
  Status Cancel();

 private:
  std::mutex mutex_;
  pqxx::connection_base* conn_;
  const std::string display_url_;
};

// The Canceler that Connection::GetCanceler hands out.
class PostgresCanceler final : public Canceler {
 public:
  explicit PostgresCanceler(std::shared_ptr<CancelTarget> target) : target_(std::move(target)) {}
  Status Cancel() override { return target_->Cancel(); }

 private:
  std::shared_ptr<CancelTarget> target_;
};

}  // namespace strata::db::postgres

#endif  // STRATA_DB_POSTGRES_CANCEL_H_
