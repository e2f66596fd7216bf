#include "backfill/throttle.h"

#include <fmt/format.h>

#include <algorithm>

#include "base/duration.h"
#include "db/flavor/flavor.h"

namespace strata::backfill {
namespace {

using std::chrono::milliseconds;

std::string Seconds(double s) { return fmt::format("{:.1f}s", s); }

// PostgreSQL reports connections, MariaDB threads running; each limit applies where its
// signal exists.
std::string LoadOverLimit(const db::ServerLoad& load, const ThrottleOptions& o) {
  if (load.connections && load.max_connections) {
    const double limit = o.max_connections_fraction * static_cast<double>(*load.max_connections);
    if (static_cast<double>(*load.connections) > limit) {
      return fmt::format("connections {} of max_connections {} (limit {:.0f}%)", *load.connections,
                         *load.max_connections, o.max_connections_fraction * 100);
    }
  }
  if (load.threads_running && *load.threads_running > o.max_threads_running) {
    return fmt::format("Threads_running {} > {}", *load.threads_running, o.max_threads_running);
  }
  return std::string();
}

// A replica's own report (MariaDB). An unknown lag (replication stopped or broken) holds back
// too, as pt-archiver does, since the lag is then unknown and growing.
std::string ReplicaOverLimit(const db::ReplicaStatus& status, const db::Connection& replica,
                             const ThrottleOptions& o) {
  if (!status.is_replica) {
    return fmt::format("replica lag unknown: {} is not a replica", replica.display_url());
  }
  if (!status.seconds_behind) {
    return fmt::format("replica lag unknown: replication stopped on {}", replica.display_url());
  }
  const std::int64_t lag = *status.seconds_behind;
  if (milliseconds(lag * 1000) <= o.max_replica_lag) return std::string();
  return fmt::format("replica lag {}s > {} ({})", lag, FormatDuration(o.max_replica_lag),
                     replica.display_url());
}

}  // namespace

// The worst lag of the streaming replicas the primary reports: each one's replay lag, or,
// while it is behind, the time since its replay position last moved.
std::string HealthChecker::StreamingReplicaLag(const std::vector<db::StreamingReplica>& replicas) {
  const Clock::TimePoint now = clock_.Now();
  const double limit = static_cast<double>(options_.max_replica_lag.count()) / 1000.0;
  std::map<std::string, ReplayPosition> seen;
  double worst = 0;
  std::string worst_name;
  for (const db::StreamingReplica& replica : replicas) {
    double lag = replica.replay_lag_seconds;
    ReplayPosition position{replica.replay_position, now};
    auto known = replay_.find(replica.id);
    if (known != replay_.end() && known->second.lsn == replica.replay_position) {
      position.since = known->second.since;
    }
    if (replica.bytes_behind > 0) {
      lag = std::max(lag, std::chrono::duration<double>(now - position.since).count());
    }
    seen[replica.id] = position;
    if (lag > worst) {
      worst = lag;
      worst_name = replica.name;
    }
  }
  replay_ = std::move(seen);
  if (worst <= limit) return std::string();
  return fmt::format("replica lag {} > {} ({})", Seconds(worst),
                     FormatDuration(options_.max_replica_lag), worst_name);
}

// The signals in a fixed order: the replicas the primary reports, the primary's load, then
// each replica's own report. Each engine has only some of them (PostgreSQL the first two,
// MariaDB the last two, SQLite none: one local file, one writer, nothing to protect against).
Result<std::string> HealthChecker::Check(db::Connection& primary,
                                         const std::vector<db::Connection*>& replicas) {
  const db::Flavor& flavor = db::FlavorOf(primary);
  STRATA_ASSIGN_OR_RETURN(std::vector<db::StreamingReplica> streaming,
                          flavor.StreamingReplicas(primary));
  if (std::string lag = StreamingReplicaLag(streaming); !lag.empty()) return lag;
  STRATA_ASSIGN_OR_RETURN(db::ServerLoad load, flavor.ReadServerLoad(primary));
  if (std::string busy = LoadOverLimit(load, options_); !busy.empty()) return busy;
  for (db::Connection* replica : replicas) {
    // Read with the primary's flavor: replicas run the primary's engine.
    STRATA_ASSIGN_OR_RETURN(std::optional<db::ReplicaStatus> status,
                            flavor.ReadReplicaStatus(*replica));
    if (!status) continue;
    if (std::string lag = ReplicaOverLimit(*status, *replica, options_); !lag.empty()) return lag;
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
