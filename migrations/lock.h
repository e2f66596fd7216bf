// The migration lock: one runner at a time per history table, and a lock that cannot go
// stale, because it belongs to a connection or process and dies with it. Each engine's flavor
// takes it (db::Flavor::PrepareMigrationLock): a session-level advisory lock on PostgreSQL and
// GET_LOCK on MariaDB/MySQL, each on a dedicated connection, and on SQLite an exclusive flock()
// on "<database file>.strata-lock" (in-memory databases need no lock). This file keeps what is
// strata's: waiting, reporting the holder, giving up, and the identity of the lock. The
// PostgreSQL key and the MariaDB lock name are Flyway's, so a Flyway runner and a strata runner
// on the same history table exclude each other too.
#ifndef STRATA_MIGRATIONS_LOCK_H_
#define STRATA_MIGRATIONS_LOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "db/connection.h"
#include "db/flavor/flavor.h"
#include "db/runner.h"

namespace strata::migrations {

// ---- Statements a dead runner left running (lifecycle.h WaitForOrphans) --------------------

// A statement on the server that a strata runner which no longer holds the migration lock (it
// died: the lock died with its connection) left running against the same history table.
struct Orphan {
  db::ServerStatement statement;  // connection id, statement, how long it has run
  db::RunnerIdentity runner;      // the runner that started it
};

// Told, as soon as orphans are found and every `report_every` after, what is still running,
// how long this runner has waited for it, and whether it asked the server to cancel it.
using OrphanListener = std::function<void(const std::vector<Orphan>& running,
                                          std::chrono::milliseconds waited, bool cancelling)>;

struct LockOptions {
  // How long to wait for another runner before giving up with kLockTimeout. Default 10 min.
  std::chrono::milliseconds timeout = std::chrono::minutes(10);
  // How often to report who holds the lock while waiting. Default 10 s.
  std::chrono::milliseconds report_every = std::chrono::seconds(10);
  // How often to try again. Default 100 ms.
  std::chrono::milliseconds poll = std::chrono::milliseconds(100);

  // Once the lock is taken: cancel the statements a dead runner left running instead of
  // waiting up to `timeout` for them to end. Default false.
  bool cancel_orphans = false;
  // Told what such statements are running while this runner waits; default none.
  OrphanListener on_orphans;
  // Set (by SIGINT/SIGTERM) to give up waiting with kCancelled; default none (not owned).
  const std::atomic<bool>* stop = nullptr;
};

// Told, every `report_every` while waiting, who holds the lock (e.g. "PostgreSQL pid 4242,
// application strata, client 10.0.0.7") and how long this runner has waited.
using LockWaitListener =
    std::function<void(const std::string& holder, std::chrono::milliseconds waited)>;

class MigrationLock {
 public:
  // Takes the lock for the history table `quoted_table` (the dialect-quoted, qualified name,
  // e.g. "public"."strata_schema_history" or `events`.`strata_schema_history`) on `conn`.
  // REQUIRES: `conn` is dedicated to the lock (PostgreSQL, MariaDB), in autocommit, and
  // outlives the lock. Errors: kLockTimeout naming the holder after options.timeout.
  static Result<MigrationLock> Acquire(db::Connection& conn, const std::string& quoted_table,
                                       const LockOptions& options, const LockWaitListener& on_wait,
                                       Clock& clock = Clock::Real());

  MigrationLock(MigrationLock&& other) noexcept = default;
  MigrationLock& operator=(MigrationLock&&) = delete;
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;
  ~MigrationLock();  // releases, best effort

  // Releases now; an error says the lock was already gone (e.g. the connection dropped).
  Status Release();
  // How the lock is shown in dry runs and logs, e.g. "pg_advisory_lock(77433833903597)".
  const std::string& description() const { return description_; }

 private:
  explicit MigrationLock(std::unique_ptr<db::MigrationLockHandle> handle);

  std::unique_ptr<db::MigrationLockHandle> handle_;  // null once released
  std::string description_;
};

// How MigrationLock::Acquire would describe the lock for `quoted_table` on `conn`, without taking
// it (for dry runs), e.g. "pg_advisory_lock(77433833903597)". Reads, never writes.
Result<std::string> DescribeLock(db::Connection& conn, const std::string& quoted_table);

// Java's String.hashCode() of `text` (UTF-8, hashed as UTF-16 code units), as Flyway computes
// its lock discriminator.
std::int32_t JavaStringHash(std::string_view text);

// Flyway's PostgreSQL advisory lock key for a quoted table name:
// 0x466C79776179 + JavaStringHash(quoted_table).
std::int64_t FlywayAdvisoryLockKey(std::string_view quoted_table);

// Flyway's MariaDB/MySQL lock name: "Flyway-" + JavaStringHash(quoted_table).
std::string FlywayNamedLock(std::string_view quoted_table);

// Both of Flyway's identities of the lock for `quoted_table`, for the engine's flavor to use
// the one it needs.
db::MigrationLockId FlywayLockId(std::string_view quoted_table);

}  // namespace strata::migrations

#endif  // STRATA_MIGRATIONS_LOCK_H_
