// The executor: the workers, the monitor thread and the run state they share (claims, done
// marks, heartbeats, pause/cancel, retries, adaptive chunk sizes). It is longer than most files
// here (about 770 lines) because the three sections share one private class, RunProcess, whose
// locking rules (what the mutex guards, what only the monitor touches) are easier to check when
// every reader and writer is in one file; the pieces with no such coupling live beside it
// (state.h: the state tables' SQL, throttle.h: health signals and the rate limiter, dry_run.h).
#include "backfill/executor.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "db/flavor/flavor.h"

namespace strata::backfill {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// ---- Small pieces ---------------------------------------------------------------------------

std::string ProcessToken() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  std::random_device rd;
  return fmt::format("{}:{}:{:04x}", host.data(), ::getpid(), rd() & 0xffffU);
}

// Timeouts count as retryable: the chunk is too big for the target right now (the size is
// halved for the next cuts), not wrong.
bool IsTimeout(const Error& e) {
  if (e.sqlstate == "57014") return true;  // PostgreSQL statement_timeout
  return e.server_errno == 1969;           // MariaDB max_statement_time exceeded
}

bool IsRetryable(const Error& e) { return e.transient || IsTimeout(e); }

bool IsConnectionLost(const Error& e) { return e.code == ErrorCode::kConnection; }

// The adaptive chunk size, shared by a process's workers: grows toward the size that takes
// `target`, at most 2× per chunk while a chunk takes under a quarter of the target and 1.2×
// nearer to it; halves after a chunk that took over twice the target or timed out. The fast
// start matters because every chunk costs two commits and a few round trips whatever its size:
// at 1.2× a run needed about 30 chunks to grow from 16 keys to a 500 ms chunk, which on a
// server that syncs every commit was most of a run of 10,000 events.
class ChunkSizer {
 public:
  ChunkSizer(std::int64_t initial, std::int64_t max, milliseconds target)
      : size_(std::clamp<std::int64_t>(initial, 1, max)), max_(max), target_(target) {}

  std::int64_t Current() const {
    std::lock_guard lock(mu_);
    return size_;
  }
  void Observe(std::int64_t keys, milliseconds took) {
    std::lock_guard lock(mu_);
    if (took > 2 * target_) {
      size_ = std::max<std::int64_t>(1, size_ / 2);
      return;
    }
    const double ideal = static_cast<double>(std::max<std::int64_t>(keys, 1)) *
                         static_cast<double>(target_.count()) /
                         static_cast<double>(std::max<std::int64_t>(took.count(), 1));
    const double growth = took * 4 < target_ ? kFastGrowth : kGrowth;
    const double grown =
        std::max(static_cast<double>(size_) * growth, static_cast<double>(size_ + 1));
    const double shrunk = static_cast<double>(size_) / 2;
    const double next = std::clamp(ideal, shrunk, grown);
    size_ = std::clamp<std::int64_t>(static_cast<std::int64_t>(next), 1, max_);
  }
  void Halve() {
    std::lock_guard lock(mu_);
    size_ = std::max<std::int64_t>(1, size_ / 2);
  }

 private:
  static constexpr double kFastGrowth = 2.0;
  static constexpr double kGrowth = 1.2;

  mutable std::mutex mu_;
  std::int64_t size_;
  const std::int64_t max_;
  const milliseconds target_;
};

// Serialises listener calls from several threads.
class SerialListener {
 public:
  explicit SerialListener(RunListener& inner) : inner_(inner) {}
  template <typename F>
  void Call(F&& f) {
    std::lock_guard lock(mu_);
    f(inner_);
  }

 private:
  std::mutex mu_;
  RunListener& inner_;
};

// ---- The shared state of one process's run --------------------------------------------------

class RunProcess {
 public:
  RunProcess(const BoundJob& job, const ExecutorOptions& options, const ExecutorDeps& deps,
             RunListener& listener, RunRow run)
      : job_(job),
        options_(options),
        deps_(deps),
        clock_(*deps.clock),
        listener_(listener),
        run_(std::move(run)),
        process_id_(ProcessToken()),
        sizer_(run_.chunk_size, options.max_chunk_keys, options.chunk_target),
        limiter_(options.throttle.max_rows_per_second, *deps.clock),
        health_(options.throttle, *deps.clock),
        rng_(std::random_device{}()) {}

  RunSummary Execute(int workers);

 private:
  // Worker side.
  void Worker(int index);
  Result<std::unique_ptr<db::Connection>> OpenSession();
  bool ShouldStop() const {
    return (deps_.stop != nullptr && deps_.stop->load()) || run_stopped_.load() || fatal_.load();
  }
  bool WaitIfHeld();
  Result<std::optional<ClaimedChunk>> ClaimOrCut(db::Connection& conn, const std::string& worker);
  Result<bool> NothingLeft(db::Connection& conn) const;
  void ProcessChunk(std::unique_ptr<db::Connection>& conn, const std::string& worker,
                    ClaimedChunk chunk);
  Result<ChunkOutcome> ProcessOnce(db::Connection& conn, const std::string& worker,
                                   const ClaimedChunk& chunk, milliseconds& took, bool& lost);
  bool Reconnect(std::unique_ptr<db::Connection>& conn);
  bool SleepUnlessStopped(milliseconds d);
  milliseconds Backoff(int attempt);
  void CountFinished(bool failed);
  void Fatal(const Error& e);

  // Monitor side.
  void Monitor();
  void MonitorTick(StateStore& store, std::vector<std::unique_ptr<db::Connection>>& replicas,
                   Clock::TimePoint& last_heartbeat, Clock::TimePoint& last_health,
                   Clock::TimePoint& last_progress);
  void FollowRunRow(StateStore& store);
  void UpdateHealth(StateStore& store, std::vector<std::unique_ptr<db::Connection>>& replicas);
  void ReportProgress(StateStore& store);
  void SetHeld(bool held);

  RunSummary Finish(RunSummary summary);

  const BoundJob& job_;
  const ExecutorOptions& options_;
  const ExecutorDeps& deps_;
  Clock& clock_;
  SerialListener listener_;
  const RunRow run_;
  const std::string process_id_;
  ChunkSizer sizer_;
  RateLimiter limiter_;
  HealthChecker health_;       // used by the monitor thread only
  bool monitor_lost_ = false;  // likewise: the monitor's connection was lost
  bool health_warned_ = false;

  std::atomic<bool> run_stopped_{false};  // the run row says cancelled/failed/completed
  std::atomic<bool> paused_{false};
  std::atomic<bool> fatal_{false};
  std::atomic<bool> workers_done_{false};
  std::atomic<bool> health_known_{false};
  std::atomic<std::int64_t> rows_here_{0}, chunks_here_{0}, retries_here_{0};
  std::atomic<std::int64_t> finished_{0}, failed_{0};

  std::mutex mu_;  // guards the members below
  std::condition_variable wake_;
  std::string health_reason_;
  std::string reported_reason_;
  std::optional<Error> fatal_error_;
  std::string failure_rate_error_;
  RunState final_state_seen_ = RunState::kRunning;
  Clock::TimePoint started_;
  Clock::TimePoint held_since_;
  bool held_ = false;
  Clock::Duration held_total_{0};
  std::optional<std::int64_t> keys_done_at_start_;
  std::mt19937_64 rng_;
};

Result<std::unique_ptr<db::Connection>> RunProcess::OpenSession() {
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, deps_.connect());
  STRATA_TRY(ConfigureSession(*conn, options_));
  return conn;
}

bool RunProcess::SleepUnlessStopped(milliseconds d) {
  const Clock::TimePoint until = clock_.Now() + d;
  while (clock_.Now() < until) {
    if (ShouldStop()) return false;
    clock_.SleepFor(std::min<Clock::Duration>(milliseconds(50), until - clock_.Now()));
  }
  return !ShouldStop();
}

milliseconds RunProcess::Backoff(int attempt) {
  const double base = static_cast<double>(options_.retry_base_delay.count()) *
                      std::pow(2.0, std::max(0, attempt - 1));
  const double capped = std::min(base, static_cast<double>(options_.retry_max_delay.count()));
  std::lock_guard lock(mu_);
  std::uniform_real_distribution<double> jitter(0.5, 1.5);
  return milliseconds(static_cast<std::int64_t>(capped * jitter(rng_)));
}

void RunProcess::Fatal(const Error& e) {
  std::lock_guard lock(mu_);
  if (!fatal_error_) fatal_error_ = e;
  fatal_ = true;
}

// Reopens a worker's connection after it was lost, waiting with backoff; false when stopped
// or the target stays unreachable for `max_attempts` tries.
bool RunProcess::Reconnect(std::unique_ptr<db::Connection>& conn) {
  for (int attempt = 1;; ++attempt) {
    Result<std::unique_ptr<db::Connection>> fresh = OpenSession();
    if (fresh) {
      conn = std::move(*fresh);
      return true;
    }
    if (attempt >= options_.max_attempts || !IsRetryable(fresh.error())) {
      Fatal(fresh.error());
      return false;
    }
    if (!SleepUnlessStopped(Backoff(attempt))) return false;
  }
}

// Waits while the run is paused, a health signal is bad or the rows/s ceiling is reached.
// Returns false when the worker should stop instead.
bool RunProcess::WaitIfHeld() {
  while (!ShouldStop()) {
    if (!health_known_.load()) {  // the first reading comes before the first claim
      clock_.SleepFor(milliseconds(10));
      continue;
    }
    const bool health_bad = [&] {
      std::lock_guard lock(mu_);
      return !health_reason_.empty();
    }();
    if (paused_.load() || health_bad) {
      clock_.SleepFor(milliseconds(100));
      continue;
    }
    const Clock::Duration wait = limiter_.Wait();
    if (wait <= Clock::Duration::zero()) return true;
    clock_.SleepFor(std::min<Clock::Duration>(wait, milliseconds(200)));
  }
  return false;
}

Result<std::optional<ClaimedChunk>> RunProcess::ClaimOrCut(db::Connection& conn,
                                                           const std::string& worker) {
  StateStore store(conn);
  db::TxOptions tx_options;
  tx_options.isolation = db::Isolation::kReadCommitted;
  tx_options.immediate = true;
  STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn, tx_options));
  STRATA_ASSIGN_OR_RETURN(
      std::optional<ClaimedChunk> existing,
      store.ClaimExisting(run_.id, worker, process_id_, options_.reclaim_after.count()));
  if (!existing) {
    STRATA_ASSIGN_OR_RETURN(RunRow run, store.LockRun(run_.id));
    if (run.state != RunState::kRunning || run.cut_done) {
      STRATA_TRY(tx.Commit());
      return std::optional<ClaimedChunk>();
    }
    const std::int64_t size = sizer_.Current();
    STRATA_ASSIGN_OR_RETURN(std::optional<ChunkCut> cut_range,
                            job_.NextChunk(conn, run.cursor_key, size));
    if (!cut_range) {
      STRATA_TRY(store.MarkCutDone(run_.id));
      STRATA_TRY(tx.Commit());
      return std::optional<ClaimedChunk>();
    }
    STRATA_ASSIGN_OR_RETURN(
        ClaimedChunk cut,
        store.InsertCutChunk(run, cut_range->range, cut_range->keys, size, worker, process_id_));
    existing = cut;
  }
  STRATA_TRY(tx.Commit());
  return existing;
}

// Whether the run has no work left for anyone: nothing pending or running.
Result<bool> RunProcess::NothingLeft(db::Connection& conn) const {
  StateStore store(conn);
  STRATA_ASSIGN_OR_RETURN(RunRow run, store.ReadRun(run_.id));
  if (run.state == RunState::kPaused) return false;  // held: wait for resume or cancel
  if (run.state != RunState::kRunning) return true;
  if (!run.cut_done) return false;
  STRATA_ASSIGN_OR_RETURN(RunTotals totals, store.Totals(run_.id));
  return totals.pending == 0 && totals.running == 0;
}

Result<ChunkOutcome> RunProcess::ProcessOnce(db::Connection& conn, const std::string& worker,
                                             const ClaimedChunk& chunk, milliseconds& took,
                                             bool& lost) {
  StateStore store(conn);
  db::TxOptions tx_options;
  tx_options.isolation = db::Isolation::kReadCommitted;
  tx_options.immediate = true;
  const Clock::TimePoint t0 = clock_.Now();
  STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn, tx_options));
  STRATA_ASSIGN_OR_RETURN(ChunkOutcome outcome, job_.Process(conn, chunk.range));
  took = duration_cast<milliseconds>(clock_.Now() - t0);
  STRATA_ASSIGN_OR_RETURN(
      bool still_ours, store.MarkChunkDone(run_.id, chunk.chunk_no, worker, outcome, took.count()));
  if (!still_ours) {
    lost = true;
    STRATA_TRY(tx.Rollback());
    return outcome;
  }
  STRATA_TRY(tx.Commit());
  took = duration_cast<milliseconds>(clock_.Now() - t0);
  return outcome;
}

void RunProcess::CountFinished(bool failed) {
  const std::int64_t finished = ++finished_;
  const std::int64_t failures = failed ? ++failed_ : failed_.load();
  if (finished < options_.failure_rate_min_chunks) return;
  const double rate = static_cast<double>(failures) / static_cast<double>(finished);
  if (rate <= options_.max_failure_rate) return;
  std::lock_guard lock(mu_);
  if (failure_rate_error_.empty()) {
    failure_rate_error_ = fmt::format("{} of {} chunks failed ({:.0f}% > {:.0f}%)", failures,
                                      finished, rate * 100, options_.max_failure_rate * 100);
  }
  run_stopped_ = true;
}

void RunProcess::ProcessChunk(std::unique_ptr<db::Connection>& conn, const std::string& worker,
                              ClaimedChunk chunk) {
  ChunkReport report;
  report.chunk_no = chunk.chunk_no;
  report.range = chunk.range;
  report.key_count = chunk.key_count;
  report.worker = worker;
  report.reclaimed = chunk.reclaimed;
  int attempts = chunk.attempts;
  while (true) {
    report.attempt = attempts + 1;
    milliseconds took{0};
    bool lost = false;
    Result<ChunkOutcome> outcome = ProcessOnce(*conn, worker, chunk, took, lost);
    if (outcome && lost) {
      listener_.Call([&](RunListener& l) {
        l.OnWarning(
            fmt::format("chunk {} was taken over by another worker while {} processed "
                        "it (its heartbeat was late); rolled back",
                        chunk.chunk_no, worker));
      });
      return;
    }
    if (outcome) {
      report.outcome = *outcome;
      report.duration = took;
      sizer_.Observe(chunk.key_count, took);
      limiter_.Account(outcome->rows_written);
      rows_here_ += outcome->rows_written;
      ++chunks_here_;
      CountFinished(false);
      listener_.Call([&](RunListener& l) { l.OnChunkDone(report); });
      return;
    }
    const Error error = outcome.error();
    if (IsTimeout(error)) sizer_.Halve();
    if (IsConnectionLost(error) && !Reconnect(conn)) return;  // chunk reclaimed after timeout
    ++attempts;
    const bool park = !IsRetryable(error) || attempts >= options_.max_attempts;
    Status recorded =
        StateStore(*conn).RecordFailure(run_.id, chunk.chunk_no, worker, error.message, park);
    if (!recorded) {
      if (IsConnectionLost(recorded.error())) (void)Reconnect(conn);
      if (!conn ||
          !StateStore(*conn).RecordFailure(run_.id, chunk.chunk_no, worker, error.message, park)) {
        Fatal(recorded.error().WithContext("recording a failed chunk"));
        return;
      }
    }
    if (park) {
      listener_.Call([&](RunListener& l) { l.OnChunkFailed(report, error); });
      CountFinished(true);
      return;
    }
    ++retries_here_;
    const milliseconds delay = Backoff(attempts);
    listener_.Call([&](RunListener& l) { l.OnChunkRetry(report, error, delay); });
    if (!SleepUnlessStopped(delay)) {
      (void)StateStore(*conn).Release(run_.id, chunk.chunk_no, worker);
      return;
    }
  }
}

void RunProcess::Worker(int index) {
  const std::string worker = fmt::format("{}/{}", process_id_, index);
  Result<std::unique_ptr<db::Connection>> opened = OpenSession();
  if (!opened) {
    Fatal(opened.error().WithContext(fmt::format("worker {}", index)));
    return;
  }
  std::unique_ptr<db::Connection> conn = std::move(*opened);
  int claim_failures = 0;
  while (WaitIfHeld()) {
    Result<std::optional<ClaimedChunk>> claimed = ClaimOrCut(*conn, worker);
    if (!claimed) {
      const Error& e = claimed.error();
      if (!IsRetryable(e) || ++claim_failures >= options_.max_attempts) {
        Fatal(e.WithContext("claiming a chunk"));
        return;
      }
      if (IsConnectionLost(e) && !Reconnect(conn)) return;
      if (!SleepUnlessStopped(Backoff(claim_failures))) return;
      continue;
    }
    claim_failures = 0;
    if (*claimed) {
      ProcessChunk(conn, worker, **claimed);
      if (!conn) return;
      continue;
    }
    // Nothing to claim: done, or others still hold chunks (which may yet come back to us).
    Result<bool> nothing_left = NothingLeft(*conn);
    if (nothing_left && *nothing_left) return;
    if (!SleepUnlessStopped(milliseconds(250))) return;
  }
}

// ---- Monitor --------------------------------------------------------------------------------

void RunProcess::SetHeld(bool held) {
  // Called with mu_ held.
  const Clock::TimePoint now = clock_.Now();
  if (held && !held_) held_since_ = now;
  if (!held && held_) held_total_ += now - held_since_;
  held_ = held;
}

void RunProcess::FollowRunRow(StateStore& store) {
  Result<RunRow> run = store.ReadRun(run_.id);
  if (!run) return;
  paused_ = run->state == RunState::kPaused;
  if (run->state == RunState::kCancelled || run->state == RunState::kFailed ||
      run->state == RunState::kCompleted) {
    std::lock_guard lock(mu_);
    final_state_seen_ = run->state;
    run_stopped_ = true;
  }
}

void RunProcess::UpdateHealth(StateStore& store,
                              std::vector<std::unique_ptr<db::Connection>>& replicas) {
  std::vector<db::Connection*> replica_ptrs;
  replica_ptrs.reserve(replicas.size());
  for (auto& r : replicas) replica_ptrs.push_back(r.get());
  Result<std::string> health = health_.Check(store.connection(), replica_ptrs);
  std::string reason;
  if (health) {
    reason = *health;
  } else if (health.error().code == ErrorCode::kConnection) {
    monitor_lost_ = true;
  } else if (!health_warned_) {
    // A probe that fails (e.g. no privilege) does not stop the run; the operator is told once.
    health_warned_ = true;
    static constexpr const char* kNote = "health probe failed, continuing without it: ";
    listener_.Call([&](RunListener& l) { l.OnWarning(kNote + health.error().message); });
  }
  if (paused_.load()) reason = "paused";
  std::string changed;
  bool report = false;
  {
    std::lock_guard lock(mu_);
    health_reason_ = reason == "paused" ? std::string() : reason;
    SetHeld(!reason.empty());
    if (reason != reported_reason_) {
      reported_reason_ = reason;
      changed = reason;
      report = true;
    }
  }
  if (report) {
    (void)store.SetThrottleReason(run_.id, changed);
    listener_.Call([&](RunListener& l) { l.OnThrottle(changed); });
  }
}

void RunProcess::ReportProgress(StateStore& store) {
  Result<RunTotals> totals = store.Totals(run_.id);
  if (!totals) return;
  ProgressSnapshot p;
  p.run_id = run_.id;
  p.run_no = run_.run_no;
  p.totals = *totals;
  p.total_keys = run_.total_keys;
  p.chunk_size = sizer_.Current();
  {
    std::lock_guard lock(mu_);
    if (!keys_done_at_start_) keys_done_at_start_ = totals->keys_done;
    const Clock::TimePoint now = clock_.Now();
    p.elapsed = duration_cast<milliseconds>(now - started_);
    Clock::Duration held = held_total_ + (held_ ? now - held_since_ : Clock::Duration::zero());
    p.held = duration_cast<milliseconds>(held);
    p.throttle_reason = reported_reason_;
    if (p.throttle_reason.empty() && limiter_.Wait() > Clock::Duration::zero()) {
      p.throttle_reason = fmt::format("rows/s ceiling {}", options_.throttle.max_rows_per_second);
    }
    const double active =
        std::max(0.001, static_cast<double>((p.elapsed - p.held).count()) / 1000.0);
    p.rows_per_second = static_cast<double>(rows_here_.load()) / active;
    p.keys_per_second = static_cast<double>(totals->keys_done - *keys_done_at_start_) / active;
  }
  if (paused_.load()) {
    // A paused run makes no progress: no rate, no ETA until it is resumed.
    p.rows_per_second = 0;
    p.keys_per_second = 0;
  } else if (p.total_keys && p.keys_per_second > 0) {
    const double remaining =
        static_cast<double>(std::max<std::int64_t>(0, *p.total_keys - totals->keys_done));
    p.eta = std::chrono::seconds(static_cast<std::int64_t>(remaining / p.keys_per_second));
  }
  listener_.Call([&](RunListener& l) { l.OnProgress(p); });
}

void RunProcess::MonitorTick(StateStore& store,
                             std::vector<std::unique_ptr<db::Connection>>& replicas,
                             Clock::TimePoint& last_heartbeat, Clock::TimePoint& last_health,
                             Clock::TimePoint& last_progress) {
  const Clock::TimePoint now = clock_.Now();
  const milliseconds heartbeat_every =
      std::clamp(options_.reclaim_after / 4, milliseconds(100), milliseconds(5000));
  if (now - last_heartbeat >= heartbeat_every) {
    if (Status beat = store.Heartbeat(run_.id, process_id_);
        !beat && beat.error().code == ErrorCode::kConnection) {
      monitor_lost_ = true;  // reopened on the next tick
      return;
    }
    FollowRunRow(store);
    last_heartbeat = now;
  }
  if (now - last_health >= options_.throttle.check_interval) {
    FollowRunRow(store);
    UpdateHealth(store, replicas);
    health_known_ = true;
    last_health = now;
  }
  if (now - last_progress >= options_.progress_interval) {
    ReportProgress(store);
    last_progress = now;
  }
}

void RunProcess::Monitor() {
  std::unique_ptr<db::Connection> conn;
  std::vector<std::unique_ptr<db::Connection>> replicas;
  for (const ConnectionFactory& open : deps_.replicas) {
    Result<std::unique_ptr<db::Connection>> replica = open();
    if (replica) {
      replicas.push_back(std::move(*replica));
    } else {
      listener_.Call([&](RunListener& l) {
        l.OnWarning("cannot reach a replica, its lag is not watched: " + replica.error().message);
      });
    }
  }
  Clock::TimePoint epoch{};
  Clock::TimePoint last_heartbeat = epoch, last_health = epoch, last_progress = clock_.Now();
  while (!workers_done_.load()) {
    if (!conn) {
      Result<std::unique_ptr<db::Connection>> opened = deps_.connect();
      if (opened) {
        conn = std::move(*opened);
      } else {
        health_known_ = true;  // workers hit the same problem and report it
      }
    }
    if (conn) {
      StateStore store(*conn);
      MonitorTick(store, replicas, last_heartbeat, last_health, last_progress);
      if (monitor_lost_) {  // a lost connection is replaced on the next tick
        conn.reset();
        monitor_lost_ = false;
      }
    }
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, milliseconds(100), [&] { return workers_done_.load(); });
  }
  if (conn) {
    StateStore store(*conn);
    ReportProgress(store);
  }
}

// ---- Execute --------------------------------------------------------------------------------

RunSummary RunProcess::Execute(int workers) {
  started_ = clock_.Now();
  std::thread monitor([this] { Monitor(); });
  std::vector<std::thread> threads;
  threads.reserve(static_cast<std::size_t>(workers));
  for (int i = 0; i < workers; ++i) threads.emplace_back([this, i] { Worker(i + 1); });
  for (std::thread& t : threads) t.join();
  {
    std::lock_guard lock(mu_);
    workers_done_ = true;
  }
  wake_.notify_all();
  monitor.join();

  RunSummary summary;
  summary.run_id = run_.id;
  summary.run_no = run_.run_no;
  summary.rows_written_here = rows_here_.load();
  summary.chunks_here = chunks_here_.load();
  summary.retries_here = retries_here_.load();
  summary.duration = duration_cast<milliseconds>(clock_.Now() - started_);
  return Finish(std::move(summary));
}

// Decides how the run ended for this process and records terminal states in the run row.
RunSummary RunProcess::Finish(RunSummary summary) {
  Result<std::unique_ptr<db::Connection>> opened = deps_.connect();
  if (!opened) {
    summary.outcome = RunOutcome::kFailed;
    summary.error = opened.error().message;
    return summary;
  }
  db::Connection& conn = **opened;
  StateStore store(conn);
  const bool stop_requested = deps_.stop != nullptr && deps_.stop->load();
  if (stop_requested || fatal_.load()) (void)store.ReleaseAll(run_.id, process_id_);
  std::string failure_rate_error;
  std::optional<Error> fatal;
  {
    std::lock_guard lock(mu_);
    failure_rate_error = failure_rate_error_;
    fatal = fatal_error_;
  }
  if (!failure_rate_error.empty()) {
    (void)store.SetRunState(run_.id, RunState::kFailed, {RunState::kRunning, RunState::kPaused},
                            failure_rate_error);
  }
  Result<RunRow> run = store.ReadRun(run_.id);
  Result<RunTotals> totals = store.Totals(run_.id);
  if (totals) summary.totals = *totals;
  if (!run || !totals) {
    summary.outcome = RunOutcome::kFailed;
    summary.error = !run ? run.error().message : totals.error().message;
    return summary;
  }
  RunState state = run->state;
  const bool all_finished = run->cut_done && totals->pending == 0 && totals->running == 0;
  if (state == RunState::kRunning && all_finished && !fatal) {
    if (totals->failed > 0) {
      const std::string why =
          fmt::format("{} chunk{} failed", totals->failed, totals->failed == 1 ? "" : "s");
      (void)store.SetRunState(run_.id, RunState::kFailed, {RunState::kRunning}, why);
    } else {
      (void)store.SetRunState(run_.id, RunState::kCompleted, {RunState::kRunning});
    }
    if (Result<RunRow> again = store.ReadRun(run_.id)) state = again->state;
  }
  if (auto failed = store.FailedChunks(run_.id, 10)) summary.failed = std::move(*failed);
  switch (state) {
    case RunState::kCompleted:
      summary.outcome = RunOutcome::kCompleted;
      break;
    case RunState::kFailed:
      summary.outcome = RunOutcome::kFailed;
      summary.error = run->last_error;
      if (Result<RunRow> again = store.ReadRun(run_.id)) summary.error = again->last_error;
      break;
    case RunState::kCancelled:
      summary.outcome = RunOutcome::kCancelled;
      break;
    case RunState::kPaused:
      summary.outcome = RunOutcome::kPaused;
      break;
    case RunState::kRunning:
      summary.outcome = RunOutcome::kInterrupted;
      break;
  }
  if (fatal) {
    summary.outcome = RunOutcome::kFailed;
    summary.error = fatal->message;
  }
  return summary;
}

}  // namespace

const char* RunOutcomeName(RunOutcome outcome) {
  switch (outcome) {
    case RunOutcome::kCompleted:
      return "completed";
    case RunOutcome::kFailed:
      return "failed";
    case RunOutcome::kInterrupted:
      return "interrupted";
    case RunOutcome::kCancelled:
      return "cancelled";
    case RunOutcome::kPaused:
      return "paused";
  }
  return "unknown";
}

std::string ParamsJson(const ParamValues& params) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : params) j[k] = v;
  return j.dump();
}

Status ConfigureSession(db::Connection& conn, const ExecutorOptions& options) {
  db::SessionTimeouts timeouts;
  timeouts.statement = options.statement_timeout;
  timeouts.lock = options.lock_timeout;
  timeouts.idle_in_transaction = std::max(milliseconds(60'000), 2 * options.statement_timeout);
  return db::FlavorOf(conn).SetSessionTimeouts(conn, timeouts);
}

Result<RunSummary> RunJob(std::string_view job_name, const BoundJob& job,
                          const ExecutorOptions& options, const ExecutorDeps& deps,
                          RunListener& listener) {
  if (options.workers < 1) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("--workers must be at least 1, not {}", options.workers));
  }
  if (options.max_attempts < 1) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("--max-attempts must be at least 1, not {}", options.max_attempts));
  }
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, deps.connect());
  STRATA_TRY(job.Check(*conn));
  StateStore store(*conn);
  STRATA_TRY(store.EnsureTables());
  const std::string params = ParamsJson(job.params());
  STRATA_ASSIGN_OR_RETURN(std::optional<RunRow> latest, store.LatestRun(job_name));
  bool resumed = latest && IsUnfinished(latest->state);
  RunRow run;
  if (resumed) {
    run = *latest;
  } else {
    STRATA_ASSIGN_OR_RETURN(std::optional<std::int64_t> total, job.EstimateKeys(*conn));
    STRATA_ASSIGN_OR_RETURN(run, store.CreateRun(job_name, latest ? latest->run_no + 1 : 1, params,
                                                 options.initial_chunk_keys, total));
  }
  if (run.params_json != params) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("run {} of {} is unfinished with parameters {}, not {}: run it with "
                           "the same --param values, or cancel it with `strata backfill cancel "
                           "{}` to start over",
                           run.run_no, job_name, run.params_json, params, job_name));
  }
  if (run.state == RunState::kPaused) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("run {} of {} is paused: resume it with `strata backfill resume {}`",
                           run.run_no, job_name, job_name));
  }
  if (run.state == RunState::kFailed) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("run {} of {} failed ({}): see `strata backfill status {}`, fix the "
                           "cause, then `strata backfill redrive {}`",
                           run.run_no, job_name, run.last_error, job_name, job_name));
  }
  listener.OnRunStarted(run, resumed);
  // With one writer at a time, more workers would only wait for each other's locks.
  const int workers = db::FlavorOf(*conn).has_single_writer() ? 1 : options.workers;
  conn.reset();  // only the workers' and the monitor's connections stay open
  RunProcess process(job, options, deps, listener, run);
  RunSummary summary = process.Execute(workers);
  summary.resumed = resumed;
  return summary;
}

}  // namespace strata::backfill
