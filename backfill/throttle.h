// When a backfill must hold back: a rows/s ceiling, and health signals read from the servers.
// A signal that is bad pauses claiming (between chunks, never inside a transaction) until it
// is good again; the reason is shown in progress and `status`.
#ifndef STRATA_BACKFILL_THROTTLE_H_
#define STRATA_BACKFILL_THROTTLE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "db/connection.h"
#include "db/flavor/flavor.h"

namespace strata::backfill {

struct ThrottleOptions {
  // Rows written per second by one process, at most; 0 = no ceiling.
  double max_rows_per_second = 0;
  // PostgreSQL: pause while any streaming replica's replay lag (pg_stat_replication) is above
  // this; MariaDB: while any configured replica's Seconds_Behind_Master is (or is NULL).
  std::chrono::milliseconds max_replica_lag{5000};
  // PostgreSQL: pause while client connections exceed this fraction of max_connections.
  double max_connections_fraction = 0.9;
  // MariaDB: pause while Threads_running exceeds this.
  std::int64_t max_threads_running = 25;
  // How often the health signals are read.
  std::chrono::milliseconds check_interval{1000};
};

// Reads the health signals of `primary` (and, on MariaDB, of `replicas`). Returns "" when all
// are good, else one line saying which signal is bad, e.g. "replica lag 7.1s > 5s (standby1)".
//
// PostgreSQL replica lag is read on the primary (pg_stat_replication). Its replay_lag column
// stops changing when replay stops (e.g. pg_wal_replay_pause(), or a replica stuck on a
// conflict): no replay reports arrive to measure. So the checker also remembers when each
// replica's replay_lsn last moved, and while the replica is behind the primary's WAL position
// counts the time since then as lag. One checker per monitor thread (it keeps that memory).
class HealthChecker {
 public:
  HealthChecker(ThrottleOptions options, Clock& clock) : options_(options), clock_(clock) {}
  Result<std::string> Check(db::Connection& primary, const std::vector<db::Connection*>& replicas);

 private:
  struct ReplayPosition {
    std::string lsn;
    Clock::TimePoint since;
  };
  std::string StreamingReplicaLag(const std::vector<db::StreamingReplica>& replicas);

  const ThrottleOptions options_;
  Clock& clock_;
  std::map<std::string, ReplayPosition> replay_;  // by replica pid
};

// The rows/s ceiling of one process, shared by its workers. Thread-safe.
class RateLimiter {
 public:
  RateLimiter(double max_rows_per_second, Clock& clock)
      : rate_(max_rows_per_second), clock_(clock), next_(clock.Now()) {}
  // Counts rows just written: the next chunk may start once they are "paid for".
  void Account(std::int64_t rows);
  // How long to wait before the next chunk may start (zero when it may start now).
  Clock::Duration Wait() const;

 private:
  const double rate_;
  Clock& clock_;
  mutable std::mutex mu_;
  Clock::TimePoint next_;
};

}  // namespace strata::backfill

#endif  // STRATA_BACKFILL_THROTTLE_H_
