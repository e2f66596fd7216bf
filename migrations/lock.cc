#include "migrations/lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/duration.h"

namespace strata::migrations {
namespace {

constexpr std::int64_t kFlywayLockMagic = 0x466C79776179;

// Decodes one UTF-8 sequence starting at text[i] (advancing i); invalid bytes decode as
// themselves, which is what a Latin-1 reading would hash — good enough for a lock key.
std::uint32_t NextCodePoint(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  int extra = 0;
  std::uint32_t cp = c;
  if (c >= 0xF0 && c < 0xF8) {
    extra = 3;
    cp = c & 0x07u;
  } else if (c >= 0xE0) {
    extra = 2;
    cp = c & 0x0Fu;
  } else if (c >= 0xC0) {
    extra = 1;
    cp = c & 0x1Fu;
  }
  const bool truncated = extra > 0 && i + static_cast<std::size_t>(extra) >= text.size();
  if (c >= 0xF8 || (c >= 0x80 && c < 0xC0) || truncated) {
    ++i;
    return c;
  }
  for (int k = 1; k <= extra; ++k) cp = (cp << 6) | (byte(i + k) & 0x3Fu);
  i += static_cast<std::size_t>(extra) + 1;
  return cp;
}

// The holder of a PostgreSQL advisory lock, for "waiting for ..." messages.
std::string PostgresHolder(db::Connection& conn, std::int64_t key) {
  auto rows = conn.Query(
      "SELECT a.pid, coalesce(a.application_name, ''), coalesce(host(a.client_addr), 'local') "
      "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.classid::bigint = $1 "
      "AND l.objid::bigint = $2 AND l.objsubid = 1",
      {key >> 32, key & 0xFFFFFFFF});
  if (!rows || rows->empty()) return "another session (holder not visible)";
  return fmt::format("PostgreSQL pid {}, application '{}', client {}", *rows->rows[0][0],
                     *rows->rows[0][1], *rows->rows[0][2]);
}

std::string MariaDbHolder(db::Connection& conn, const std::string& name) {
  auto rows = conn.Query(
      "SELECT p.ID, p.HOST, p.USER FROM information_schema.PROCESSLIST p "
      "WHERE p.ID = IS_USED_LOCK(?)",
      {name});
  if (!rows || rows->empty()) return "another session (holder not visible)";
  return fmt::format("MariaDB connection {} from {} (user {})", *rows->rows[0][0],
                     rows->rows[0][1].value_or("?"), rows->rows[0][2].value_or("?"));
}

// Polls `try_once` until it succeeds, the timeout passes, or it fails; reports the holder.
Status WaitFor(const std::function<Result<bool>()>& try_once,
               const std::function<std::string()>& holder, const LockOptions& options,
               const LockWaitListener& on_wait, Clock& clock) {
  const auto start = clock.Now();
  auto next_report = start + options.report_every;
  while (true) {
    STRATA_ASSIGN_OR_RETURN(bool acquired, try_once());
    if (acquired) return Ok();
    const auto now = clock.Now();
    const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - start);
    if (waited >= options.timeout) {
      return Err(ErrorCode::kLockTimeout,
                 fmt::format("gave up waiting for the migration lock after {}: it is held by "
                             "{}; raise lock_timeout or stop the other runner",
                             FormatDuration(waited), holder()));
    }
    if (now >= next_report) {
      if (on_wait) on_wait(holder(), waited);
      next_report = now + options.report_every;
    }
    clock.SleepFor(options.poll);
  }
}

Result<std::string> SqliteLockPath(db::Connection& conn) {
  STRATA_ASSIGN_OR_RETURN(db::Rows rows, conn.Query("PRAGMA database_list"));
  for (const auto& row : rows.rows) {
    if (row.size() >= 3 && row[1] == "main") return row[2].value_or("");
  }
  return std::string();
}

}  // namespace

std::int32_t JavaStringHash(std::string_view text) {
  std::uint32_t h = 0;
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = NextCodePoint(text, i);
    if (cp >= 0x10000) {  // a surrogate pair in UTF-16
      cp -= 0x10000;
      h = 31 * h + (0xD800 + (cp >> 10));
      h = 31 * h + (0xDC00 + (cp & 0x3FF));
    } else {
      h = 31 * h + cp;
    }
  }
  return static_cast<std::int32_t>(h);
}

std::int64_t FlywayAdvisoryLockKey(std::string_view quoted_table) {
  return kFlywayLockMagic + JavaStringHash(quoted_table);
}

std::string FlywayNamedLock(std::string_view quoted_table) {
  return fmt::format("Flyway-{}", JavaStringHash(quoted_table));
}

MigrationLock::MigrationLock(db::Connection* conn, std::string release_sql,
                             db::Params release_params, int lock_fd, std::string description)
    : conn_(conn),
      release_sql_(std::move(release_sql)),
      release_params_(std::move(release_params)),
      lock_fd_(lock_fd),
      description_(std::move(description)) {}

MigrationLock::MigrationLock(MigrationLock&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)),
      release_sql_(std::move(other.release_sql_)),
      release_params_(std::move(other.release_params_)),
      lock_fd_(std::exchange(other.lock_fd_, -1)),
      description_(std::move(other.description_)) {}

MigrationLock::~MigrationLock() { (void)Release(); }

Status MigrationLock::Release() {
  if (lock_fd_ >= 0) {
    ::close(std::exchange(lock_fd_, -1));  // closing drops the flock
    return Ok();
  }
  if (conn_ == nullptr) return Ok();
  db::Connection* conn = std::exchange(conn_, nullptr);
  STRATA_ASSIGN_OR_RETURN(db::Rows rows, conn->Query(release_sql_, release_params_));
  if (rows.empty() || (rows.rows[0][0] != "t" && rows.rows[0][0] != "1")) {
    return Err(
        ErrorCode::kInternal,
        fmt::format("the migration lock ({}) was no longer held when releasing it", description_));
  }
  return Ok();
}

Result<MigrationLock> MigrationLock::Acquire(db::Connection& conn, const std::string& quoted_table,
                                             const LockOptions& options,
                                             const LockWaitListener& on_wait, Clock& clock) {
  switch (conn.dialect()) {
    case db::Dialect::kPostgres: {
      const std::int64_t key = FlywayAdvisoryLockKey(quoted_table);
      auto try_once = [&]() -> Result<bool> {
        STRATA_ASSIGN_OR_RETURN(db::Rows rows,
                                conn.Query("SELECT pg_try_advisory_lock($1)", {key}));
        return rows.rows[0][0] == "t";
      };
      STRATA_TRY(WaitFor(
          try_once, [&] { return PostgresHolder(conn, key); }, options, on_wait, clock));
      return MigrationLock(&conn, "SELECT pg_advisory_unlock($1)", {key}, -1,
                           fmt::format("pg_advisory_lock({})", key));
    }
    case db::Dialect::kMariaDb: {
      const std::string name = FlywayNamedLock(quoted_table);
      // GET_LOCK waits server-side for up to the poll interval, so a freed lock is taken at once.
      const std::int64_t wait_s = std::max<std::int64_t>(
          1, std::chrono::duration_cast<std::chrono::seconds>(options.poll).count());
      auto try_once = [&]() -> Result<bool> {
        STRATA_ASSIGN_OR_RETURN(db::Rows rows, conn.Query("SELECT GET_LOCK(?, ?)", {name, wait_s}));
        return rows.rows[0][0] == "1";
      };
      LockOptions no_sleep = options;
      no_sleep.poll = std::chrono::milliseconds(0);
      STRATA_TRY(WaitFor(
          try_once, [&] { return MariaDbHolder(conn, name); }, no_sleep, on_wait, clock));
      return MigrationLock(&conn, "SELECT RELEASE_LOCK(?)", {name}, -1,
                           fmt::format("GET_LOCK('{}')", name));
    }
    case db::Dialect::kSqlite: {
      STRATA_ASSIGN_OR_RETURN(std::string db_path, SqliteLockPath(conn));
      if (db_path.empty()) return MigrationLock(nullptr, "", {}, -1, "none (in-memory database)");
      const std::string path = db_path + ".strata-lock";
      const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0) {
        return Err(ErrorCode::kIo,
                   fmt::format("cannot open lock file {}: {}", path, std::strerror(errno)));
      }
      auto try_once = [&]() -> Result<bool> { return ::flock(fd, LOCK_EX | LOCK_NB) == 0; };
      Status waited = WaitFor(
          try_once, [&] { return fmt::format("another process (lock file {})", path); }, options,
          on_wait, clock);
      if (!waited) {
        ::close(fd);
        return std::move(waited).error();
      }
      return MigrationLock(nullptr, "", {}, fd, fmt::format("flock({})", path));
    }
  }
  return Err(ErrorCode::kInternal, "unknown dialect");
}

Result<std::string> DescribeLock(db::Connection& conn, const std::string& quoted_table) {
  switch (conn.dialect()) {
    case db::Dialect::kPostgres:
      return fmt::format("pg_advisory_lock({})", FlywayAdvisoryLockKey(quoted_table));
    case db::Dialect::kMariaDb:
      return fmt::format("GET_LOCK('{}')", FlywayNamedLock(quoted_table));
    case db::Dialect::kSqlite: {
      STRATA_ASSIGN_OR_RETURN(std::string db_path, SqliteLockPath(conn));
      if (db_path.empty()) return std::string("none (in-memory database)");
      return fmt::format("flock({}.strata-lock)", db_path);
    }
  }
  return Err(ErrorCode::kInternal, "unknown dialect");
}

}  // namespace strata::migrations
