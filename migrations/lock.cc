#include "migrations/lock.h"

#include <fmt/format.h>

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
    if (options.stop != nullptr && options.stop->load()) {
      return Err(ErrorCode::kCancelled,
                 fmt::format("stopped while waiting {} for the migration lock; nothing was applied",
                             FormatDuration(waited)));
    }
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

db::MigrationLockId FlywayLockId(std::string_view quoted_table) {
  return {FlywayAdvisoryLockKey(quoted_table), FlywayNamedLock(quoted_table)};
}

MigrationLock::MigrationLock(std::unique_ptr<db::MigrationLockHandle> handle)
    : handle_(std::move(handle)), description_(handle_->description()) {}

MigrationLock::~MigrationLock() { (void)Release(); }

Status MigrationLock::Release() {
  if (handle_ == nullptr) return Ok();
  const std::unique_ptr<db::MigrationLockHandle> handle = std::move(handle_);
  STRATA_ASSIGN_OR_RETURN(bool held, handle->Release());
  if (!held) {
    return Err(
        ErrorCode::kInternal,
        fmt::format("the migration lock ({}) was no longer held when releasing it", description_));
  }
  return Ok();
}

Result<MigrationLock> MigrationLock::Acquire(db::Connection& conn, const std::string& quoted_table,
                                             const LockOptions& options,
                                             const LockWaitListener& on_wait, Clock& clock) {
  STRATA_ASSIGN_OR_RETURN(
      std::unique_ptr<db::MigrationLockHandle> handle,
      db::FlavorOf(conn).PrepareMigrationLock(conn, FlywayLockId(quoted_table)));
  db::MigrationLockHandle& lock = *handle;
  LockOptions polling = options;
  // An engine that waits for the lock itself takes a freed lock at once: no sleep between tries.
  if (lock.waits_in_try()) polling.poll = std::chrono::milliseconds(0);
  STRATA_TRY(WaitFor([&] { return lock.TryTake(options.poll); }, [&] { return lock.Holder(); },
                     polling, on_wait, clock));
  return MigrationLock(std::move(handle));
}

Result<std::string> DescribeLock(db::Connection& conn, const std::string& quoted_table) {
  return db::FlavorOf(conn).DescribeMigrationLock(conn, FlywayLockId(quoted_table));
}

}  // namespace strata::migrations
