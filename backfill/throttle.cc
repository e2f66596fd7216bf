#include "backfill/throttle.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "base/duration.h"

namespace strata::backfill {
namespace {

using std::chrono::milliseconds;

std::string Seconds(double s) { return fmt::format("{:.1f}s", s); }

Result<double> ParseDouble(const std::string& text) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc()) {
    return Err(ErrorCode::kInternal, fmt::format("'{}' is not a number", text));
  }
  return v;
}

Result<std::string> PostgresConnections(db::Connection& conn, const ThrottleOptions& o) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn.Query("SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = "
                 "'client backend'), current_setting('max_connections')::int"));
  STRATA_ASSIGN_OR_RETURN(std::int64_t used, rows.Int(0, 0));
  STRATA_ASSIGN_OR_RETURN(std::int64_t max, rows.Int(0, 1));
  const double limit = o.max_connections_fraction * static_cast<double>(max);
  if (static_cast<double>(used) <= limit) return std::string();
  return fmt::format("connections {} of max_connections {} (limit {:.0f}%)", used, max,
                     o.max_connections_fraction * 100);
}

Result<std::string> MariaDbThreadsRunning(db::Connection& conn, const ThrottleOptions& o) {
  STRATA_ASSIGN_OR_RETURN(db::Rows rows, conn.Query("SHOW GLOBAL STATUS LIKE 'Threads_running'"));
  if (rows.empty()) return std::string();
  STRATA_ASSIGN_OR_RETURN(std::int64_t running, rows.Int(0, 1));
  if (running <= o.max_threads_running) return std::string();
  return fmt::format("Threads_running {} > {}", running, o.max_threads_running);
}

// A MariaDB replica's lag. NULL means replication is stopped or broken: hold back too, as
// pt-archiver does, since the lag is then unknown and growing.
Result<std::string> MariaDbReplicaLag(db::Connection& replica, const ThrottleOptions& o) {
  STRATA_ASSIGN_OR_RETURN(db::Rows rows, replica.Query("SHOW SLAVE STATUS"));
  if (rows.empty()) {
    return fmt::format("replica lag unknown: {} is not a replica", replica.display_url());
  }
  std::size_t col = rows.columns.size();
  for (std::size_t i = 0; i < rows.columns.size(); ++i) {
    if (rows.columns[i] == "Seconds_Behind_Master") col = i;
  }
  if (col == rows.columns.size() || rows.IsNull(0, col)) {
    return fmt::format("replica lag unknown: replication stopped on {}", replica.display_url());
  }
  STRATA_ASSIGN_OR_RETURN(std::int64_t lag, rows.Int(0, col));
  if (milliseconds(lag * 1000) <= o.max_replica_lag) return std::string();
  return fmt::format("replica lag {}s > {} ({})", lag, FormatDuration(o.max_replica_lag),
                     replica.display_url());
}

}  // namespace

// Every streaming replica as the primary sees it: its replay_lag, how many bytes of WAL it
// has not replayed, and its replay position.
Result<std::string> HealthChecker::PostgresReplicaLag(db::Connection& conn) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn.Query("SELECT pid::text, COALESCE(NULLIF(application_name, ''), host(client_addr), "
                 "'replica'), COALESCE(EXTRACT(EPOCH FROM replay_lag), 0)::float8, "
                 "COALESCE(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0)::bigint, "
                 "COALESCE(replay_lsn::text, '') FROM pg_stat_replication"));
  const Clock::TimePoint now = clock_.Now();
  const double limit = static_cast<double>(options_.max_replica_lag.count()) / 1000.0;
  std::map<std::string, ReplayPosition> seen;
  double worst = 0;
  std::string worst_name;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::string pid = rows.rows[i][0].value_or("");
    const std::string lsn = rows.rows[i][4].value_or("");
    STRATA_ASSIGN_OR_RETURN(double lag, ParseDouble(rows.rows[i][2].value_or("0")));
    STRATA_ASSIGN_OR_RETURN(std::int64_t behind, rows.Int(i, 3));
    ReplayPosition position{lsn, now};
    auto known = replay_.find(pid);
    if (known != replay_.end() && known->second.lsn == lsn) position.since = known->second.since;
    if (behind > 0) {
      lag = std::max(lag, std::chrono::duration<double>(now - position.since).count());
    }
    seen[pid] = position;
    if (lag > worst) {
      worst = lag;
      worst_name = rows.rows[i][1].value_or("replica");
    }
  }
  replay_ = std::move(seen);
  if (worst <= limit) return std::string();
  return fmt::format("replica lag {} > {} ({})", Seconds(worst),
                     FormatDuration(options_.max_replica_lag), worst_name);
}

Result<std::string> HealthChecker::Check(db::Connection& primary,
                                         const std::vector<db::Connection*>& replicas) {
  switch (primary.dialect()) {
    case db::Dialect::kPostgres: {
      STRATA_ASSIGN_OR_RETURN(std::string lag, PostgresReplicaLag(primary));
      if (!lag.empty()) return lag;
      return PostgresConnections(primary, options_);
    }
    case db::Dialect::kMariaDb: {
      STRATA_ASSIGN_OR_RETURN(std::string load, MariaDbThreadsRunning(primary, options_));
      if (!load.empty()) return load;
      for (db::Connection* replica : replicas) {
        STRATA_ASSIGN_OR_RETURN(std::string lag, MariaDbReplicaLag(*replica, options_));
        if (!lag.empty()) return lag;
      }
      return std::string();
    }
    case db::Dialect::kSqlite:
      return std::string();  // one local file, one writer: nothing to protect against
  }
  return std::string();
}

void RateLimiter::Account(std::int64_t rows) {
  if (rate_ <= 0 || rows <= 0) return;
  std::lock_guard lock(mu_);
  const auto cost = std::chrono::duration_cast<Clock::Duration>(
      std::chrono::duration<double>(static_cast<double>(rows) / rate_));
  next_ = std::max(next_, clock_.Now()) + cost;
}

Clock::Duration RateLimiter::Wait() const {
  if (rate_ <= 0) return Clock::Duration::zero();
  std::lock_guard lock(mu_);
  const Clock::TimePoint now = clock_.Now();
  return next_ > now ? next_ - now : Clock::Duration::zero();
}

}  // namespace strata::backfill
