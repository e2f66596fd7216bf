#include "backfill/state.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

namespace strata::backfill {
namespace {

// Statements below are written with `?` for parameters and `{now}` for the database clock in
// epoch milliseconds; Sql() turns them into the engine's text.
std::string Sql(const db::Flavor& flavor, std::string_view text) {
  std::string out;
  out.reserve(text.size() + 64);
  int n = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '?') {
      out += flavor.Param(++n);
    } else if (text.compare(i, 5, "{now}") == 0) {
      out += flavor.EpochMillisNow();
      i += 4;
    } else {
      out += text[i];
    }
  }
  return out;
}

constexpr std::array<std::string_view, 2> kTables = {"strata_backfill_run",
                                                     "strata_backfill_chunk"};

std::vector<std::string> CreateStatements(const db::Flavor& flavor) {
  const std::string_view id = flavor.AutoIncrementPrimaryKey();
  const std::string_view text = "TEXT";
  const std::string_view engine = flavor.TableOptions();
  return {
      fmt::format("CREATE TABLE IF NOT EXISTS strata_backfill_run ("
                  "id {0}, job VARCHAR(200) NOT NULL, run_no BIGINT NOT NULL, params {1} NOT NULL, "
                  "state VARCHAR(20) NOT NULL, cursor_key BIGINT NULL, "
                  "cut_done INTEGER NOT NULL DEFAULT 0, chunks_cut BIGINT NOT NULL DEFAULT 0, "
                  "chunk_size BIGINT NOT NULL, total_keys BIGINT NULL, throttle_reason {1} NULL, "
                  "last_error {1} NULL, created_ms BIGINT NOT NULL, updated_ms BIGINT NOT NULL, "
                  "finished_ms BIGINT NULL, "
                  "CONSTRAINT strata_backfill_run_job_no UNIQUE (job, run_no)){2}",
                  id, text, engine),
      fmt::format("CREATE TABLE IF NOT EXISTS strata_backfill_chunk ("
                  "run_id BIGINT NOT NULL, chunk_no BIGINT NOT NULL, first_key BIGINT NOT NULL, "
                  "last_key BIGINT NOT NULL, key_count BIGINT NOT NULL, "
                  "status VARCHAR(20) NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
                  "rows_written BIGINT NOT NULL DEFAULT 0, rows_present BIGINT NOT NULL DEFAULT 0, "
                  "duration_ms BIGINT NOT NULL DEFAULT 0, worker VARCHAR(200) NULL, "
                  "process_id VARCHAR(200) NULL, heartbeat_ms BIGINT NULL, "
                  "finished_ms BIGINT NULL, last_error {0} NULL, "
                  "PRIMARY KEY (run_id, chunk_no)){1}",
                  text, engine),
      "CREATE INDEX IF NOT EXISTS strata_backfill_chunk_status "
      "ON strata_backfill_chunk (run_id, status)",
  };
}

constexpr const char* kRunColumns =
    "id, job, run_no, params, state, cursor_key, cut_done, chunks_cut, chunk_size, total_keys, "
    "throttle_reason, last_error, created_ms, updated_ms, finished_ms";

std::optional<std::int64_t> OptionalInt(const db::Rows& rows, std::size_t r, std::size_t c) {
  if (rows.IsNull(r, c)) return std::nullopt;
  auto v = rows.Int(r, c);
  return v ? std::optional<std::int64_t>(*v) : std::nullopt;
}

std::string TextOrEmpty(const db::Rows& rows, std::size_t r, std::size_t c) {
  return rows.IsNull(r, c) ? std::string() : *rows.rows[r][c];
}

Result<RunRow> ParseRun(const db::Rows& rows, std::size_t r) {
  RunRow run;
  STRATA_ASSIGN_OR_RETURN(run.id, rows.Int(r, 0));
  STRATA_ASSIGN_OR_RETURN(run.job, rows.Text(r, 1));
  STRATA_ASSIGN_OR_RETURN(run.run_no, rows.Int(r, 2));
  STRATA_ASSIGN_OR_RETURN(run.params_json, rows.Text(r, 3));
  STRATA_ASSIGN_OR_RETURN(std::string state, rows.Text(r, 4));
  STRATA_ASSIGN_OR_RETURN(run.state, ParseRunState(state));
  run.cursor_key = OptionalInt(rows, r, 5);
  STRATA_ASSIGN_OR_RETURN(std::int64_t cut_done, rows.Int(r, 6));
  run.cut_done = cut_done != 0;
  STRATA_ASSIGN_OR_RETURN(run.chunks_cut, rows.Int(r, 7));
  STRATA_ASSIGN_OR_RETURN(run.chunk_size, rows.Int(r, 8));
  run.total_keys = OptionalInt(rows, r, 9);
  run.throttle_reason = TextOrEmpty(rows, r, 10);
  run.last_error = TextOrEmpty(rows, r, 11);
  STRATA_ASSIGN_OR_RETURN(run.created_ms, rows.Int(r, 12));
  STRATA_ASSIGN_OR_RETURN(run.updated_ms, rows.Int(r, 13));
  run.finished_ms = OptionalInt(rows, r, 14);
  return run;
}

db::Param OptionalParam(const std::optional<std::int64_t>& v) {
  return v ? db::Param(*v) : db::Param(nullptr);
}

bool IsTerminal(RunState s) { return s == RunState::kCompleted || s == RunState::kCancelled; }

}  // namespace

const char* RunStateName(RunState state) {
  switch (state) {
    case RunState::kRunning:
      return "running";
    case RunState::kPaused:
      return "paused";
    case RunState::kCompleted:
      return "completed";
    case RunState::kFailed:
      return "failed";
    case RunState::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

Result<RunState> ParseRunState(std::string_view text) {
  for (RunState s : {RunState::kRunning, RunState::kPaused, RunState::kCompleted, RunState::kFailed,
                     RunState::kCancelled}) {
    if (text == RunStateName(s)) return s;
  }
  return Err(ErrorCode::kInternal, fmt::format("unknown backfill run state '{}'", text));
}

bool IsUnfinished(RunState state) { return !IsTerminal(state); }

const char* ChunkStatusName(ChunkStatus status) {
  switch (status) {
    case ChunkStatus::kPending:
      return "pending";
    case ChunkStatus::kRunning:
      return "running";
    case ChunkStatus::kDone:
      return "done";
    case ChunkStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

Result<bool> StateStore::TablesExist() {
  for (std::string_view table : kTables) {
    STRATA_ASSIGN_OR_RETURN(bool exists, flavor_.TableExists(conn_, "", table));
    if (!exists) return false;
  }
  return true;
}

Status StateStore::EnsureTables() {
  STRATA_ASSIGN_OR_RETURN(bool exist, TablesExist());
  if (exist) return Ok();
  // Processes started together race to create the tables; PostgreSQL can then fail one
  // CREATE TABLE IF NOT EXISTS with a duplicate catalog row. The loser finds them made.
  Status last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    last = Ok();
    for (const std::string& sql : CreateStatements(flavor_)) {
      if (Status st = conn_.ExecuteScript(sql); !st) {
        last = st;
        break;
      }
    }
    if (last) return Ok();
    STRATA_ASSIGN_OR_RETURN(exist, TablesExist());
    if (exist) return Ok();
  }
  return std::move(last).error().WithContext("creating the backfill state tables");
}

Result<std::optional<RunRow>> StateStore::LatestRun(std::string_view job) {
  STRATA_ASSIGN_OR_RETURN(bool exist, TablesExist());
  if (!exist) return std::optional<RunRow>();
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn_.Query(Sql(flavor_, fmt::format("SELECT {} FROM strata_backfill_run WHERE job = ? "
                                           "ORDER BY run_no DESC LIMIT 1",
                                           kRunColumns)),
                  {std::string(job)}));
  if (rows.empty()) return std::optional<RunRow>();
  STRATA_ASSIGN_OR_RETURN(RunRow run, ParseRun(rows, 0));
  return std::optional<RunRow>(std::move(run));
}

Result<std::vector<RunRow>> StateStore::LatestRuns() {
  std::vector<RunRow> out;
  STRATA_ASSIGN_OR_RETURN(bool exist, TablesExist());
  if (!exist) return out;
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn_.Query(fmt::format("SELECT {} FROM strata_backfill_run r WHERE run_no = (SELECT "
                              "MAX(run_no) FROM strata_backfill_run o WHERE o.job = r.job) "
                              "ORDER BY job",
                              kRunColumns)));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(RunRow run, ParseRun(rows, i));
    out.push_back(std::move(run));
  }
  return out;
}

Result<RunRow> StateStore::ReadRun(std::int64_t run_id) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn_.Query(
          Sql(flavor_, fmt::format("SELECT {} FROM strata_backfill_run WHERE id = ?", kRunColumns)),
          {run_id}));
  if (rows.empty()) {
    return Err(ErrorCode::kNotFound, fmt::format("backfill run id {} does not exist", run_id));
  }
  return ParseRun(rows, 0);
}

Result<RunRow> StateStore::CreateRun(std::string_view job, std::int64_t run_no,
                                     const std::string& params_json, std::int64_t chunk_size,
                                     std::optional<std::int64_t> total_keys) {
  Result<std::int64_t> inserted = conn_.Execute(
      Sql(flavor_,
          "INSERT INTO strata_backfill_run (job, run_no, params, state, chunk_size, "
          "total_keys, created_ms, updated_ms) VALUES (?, ?, ?, 'running', ?, ?, {now}, {now})"),
      {std::string(job), run_no, params_json, chunk_size, OptionalParam(total_keys)});
  // A duplicate (job, run_no) means another process created this run first: join it.
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn_.Query(Sql(flavor_, fmt::format("SELECT {} FROM strata_backfill_run WHERE job = ? AND "
                                           "run_no = ?",
                                           kRunColumns)),
                  {std::string(job), run_no}));
  if (rows.empty()) {
    if (!inserted) return std::move(inserted).error().WithContext("creating the backfill run");
    return Err(ErrorCode::kInternal, "the new backfill run row is missing");
  }
  return ParseRun(rows, 0);
}

Result<bool> StateStore::SetRunState(std::int64_t run_id, RunState state,
                                     const std::vector<RunState>& only_from,
                                     std::string_view error) {
  std::string sql =
      "UPDATE strata_backfill_run SET state = ?, last_error = ?, updated_ms = {now}, "
      "finished_ms = ?, throttle_reason = NULL WHERE id = ?";
  db::Params params{std::string(RunStateName(state)),
                    error.empty() ? db::Param(nullptr) : db::Param(std::string(error)),
                    db::Param(nullptr), run_id};
  if (IsTerminal(state)) {
    sql =
        "UPDATE strata_backfill_run SET state = ?, last_error = ?, updated_ms = {now}, "
        "finished_ms = {now}, throttle_reason = NULL WHERE id = ?";
    params.erase(params.begin() + 2);
  }
  if (!only_from.empty()) {
    sql += " AND state IN (";
    for (std::size_t i = 0; i < only_from.size(); ++i) {
      sql += i == 0 ? "?" : ", ?";
      params.emplace_back(std::string(RunStateName(only_from[i])));
    }
    sql += ")";
  }
  STRATA_ASSIGN_OR_RETURN(std::int64_t changed, conn_.Execute(Sql(flavor_, sql), params));
  return changed > 0;
}

Status StateStore::SetThrottleReason(std::int64_t run_id, std::string_view reason) {
  STRATA_TRY(conn_.Execute(
      Sql(flavor_, "UPDATE strata_backfill_run SET throttle_reason = ? WHERE id = ?"),
      {reason.empty() ? db::Param(nullptr) : db::Param(std::string(reason)), run_id}));
  return Ok();
}

Result<std::optional<ClaimedChunk>> StateStore::ClaimExisting(std::int64_t run_id,
                                                              std::string_view worker,
                                                              std::string_view process_id,
                                                              std::int64_t reclaim_after_ms) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn_.Query(Sql(flavor_,
                      "SELECT chunk_no, first_key, last_key, key_count, attempts, status "
                      "FROM strata_backfill_chunk WHERE run_id = ? AND (status = 'pending' OR "
                      "(status = 'running' AND heartbeat_ms < {now} - ?)) "
                      "ORDER BY chunk_no LIMIT 1" +
                          flavor_.ForUpdateSkipLocked(conn_.server())),
                  {run_id, reclaim_after_ms}));
  if (rows.empty()) return std::optional<ClaimedChunk>();
  ClaimedChunk c;
  STRATA_ASSIGN_OR_RETURN(c.chunk_no, rows.Int(0, 0));
  STRATA_ASSIGN_OR_RETURN(c.range.first, rows.Int(0, 1));
  STRATA_ASSIGN_OR_RETURN(c.range.last, rows.Int(0, 2));
  STRATA_ASSIGN_OR_RETURN(c.key_count, rows.Int(0, 3));
  STRATA_ASSIGN_OR_RETURN(std::int64_t attempts, rows.Int(0, 4));
  c.attempts = static_cast<int>(attempts);
  c.reclaimed = rows.rows[0][5] == std::optional<std::string>("running");
  STRATA_TRY(conn_.Execute(
      Sql(flavor_,
          "UPDATE strata_backfill_chunk SET status = 'running', worker = ?, process_id = ?, "
          "heartbeat_ms = {now} WHERE run_id = ? AND chunk_no = ?"),
      {std::string(worker), std::string(process_id), run_id, c.chunk_no}));
  return std::optional<ClaimedChunk>(c);
}

Result<RunRow> StateStore::LockRun(std::int64_t run_id) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn_.Query(Sql(flavor_, fmt::format("SELECT {} FROM strata_backfill_run WHERE id = ?{}",
                                           kRunColumns, flavor_.ForUpdate())),
                  {run_id}));
  if (rows.empty()) {
    return Err(ErrorCode::kNotFound, fmt::format("backfill run id {} does not exist", run_id));
  }
  return ParseRun(rows, 0);
}

Result<ClaimedChunk> StateStore::InsertCutChunk(const RunRow& run, const KeyRange& range,
                                                std::int64_t key_count,
                                                std::int64_t next_chunk_size,
                                                std::string_view worker,
                                                std::string_view process_id) {
  ClaimedChunk c;
  c.chunk_no = run.chunks_cut + 1;
  c.range = range;
  c.key_count = key_count;
  STRATA_TRY(
      conn_.Execute(Sql(flavor_,
                        "INSERT INTO strata_backfill_chunk (run_id, chunk_no, first_key, last_key, "
                        "key_count, status, worker, process_id, heartbeat_ms) "
                        "VALUES (?, ?, ?, ?, ?, 'running', ?, ?, {now})"),
                    {run.id, c.chunk_no, range.first, range.last, key_count, std::string(worker),
                     std::string(process_id)}));
  STRATA_TRY(conn_.Execute(
      Sql(flavor_,
          "UPDATE strata_backfill_run SET cursor_key = ?, chunks_cut = ?, chunk_size = ?, "
          "updated_ms = {now} WHERE id = ?"),
      {range.last, c.chunk_no, next_chunk_size, run.id}));
  return c;
}

Status StateStore::MarkCutDone(std::int64_t run_id) {
  STRATA_TRY(conn_.Execute(Sql(flavor_,
                               "UPDATE strata_backfill_run SET cut_done = 1, updated_ms = {now} "
                               "WHERE id = ?"),
                           {run_id}));
  return Ok();
}

Result<bool> StateStore::MarkChunkDone(std::int64_t run_id, std::int64_t chunk_no,
                                       std::string_view worker, const ChunkOutcome& outcome,
                                       std::int64_t duration_ms) {
  STRATA_ASSIGN_OR_RETURN(
      std::int64_t changed,
      conn_.Execute(
          Sql(flavor_,
              "UPDATE strata_backfill_chunk SET status = 'done', attempts = attempts + 1, "
              "rows_written = ?, rows_present = ?, duration_ms = ?, finished_ms = {now}, "
              "heartbeat_ms = {now}, last_error = NULL "
              "WHERE run_id = ? AND chunk_no = ? AND worker = ? AND status = 'running'"),
          {outcome.rows_written, outcome.rows_present, duration_ms, run_id, chunk_no,
           std::string(worker)}));
  return changed == 1;
}

Status StateStore::RecordFailure(std::int64_t run_id, std::int64_t chunk_no,
                                 std::string_view worker, std::string_view error, bool park) {
  // Kept short: a whole server error message fits, a pathological one does not bloat the row.
  std::string message(error.substr(0, 4000));
  STRATA_TRY(conn_.Execute(
      Sql(flavor_,
          park ? "UPDATE strata_backfill_chunk SET status = 'failed', attempts = attempts + 1, "
                 "last_error = ?, worker = NULL, process_id = NULL, finished_ms = {now} "
                 "WHERE run_id = ? AND chunk_no = ? AND worker = ?"
               : "UPDATE strata_backfill_chunk SET attempts = attempts + 1, last_error = ?, "
                 "heartbeat_ms = {now} WHERE run_id = ? AND chunk_no = ? AND worker = ?"),
      {message, run_id, chunk_no, std::string(worker)}));
  return Ok();
}

Status StateStore::Release(std::int64_t run_id, std::int64_t chunk_no, std::string_view worker) {
  STRATA_TRY(conn_.Execute(
      Sql(flavor_,
          "UPDATE strata_backfill_chunk SET status = 'pending', worker = NULL, process_id = NULL "
          "WHERE run_id = ? AND chunk_no = ? AND worker = ? AND status = 'running'"),
      {run_id, chunk_no, std::string(worker)}));
  return Ok();
}

Status StateStore::ReleaseAll(std::int64_t run_id, std::string_view process_id) {
  STRATA_TRY(conn_.Execute(
      Sql(flavor_,
          "UPDATE strata_backfill_chunk SET status = 'pending', worker = NULL, process_id = NULL "
          "WHERE run_id = ? AND process_id = ? AND status = 'running'"),
      {run_id, std::string(process_id)}));
  return Ok();
}

Status StateStore::Heartbeat(std::int64_t run_id, std::string_view process_id) {
  STRATA_TRY(conn_.Execute(Sql(flavor_,
                               "UPDATE strata_backfill_chunk SET heartbeat_ms = {now} "
                               "WHERE run_id = ? AND process_id = ? AND status = 'running'"),
                           {run_id, std::string(process_id)}));
  return Ok();
}

Result<RunTotals> StateStore::Totals(std::int64_t run_id) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn_.Query(Sql(flavor_,
                      "SELECT status, COUNT(*), COALESCE(SUM(key_count), 0), "
                      "COALESCE(SUM(rows_written), 0), COALESCE(SUM(rows_present), 0), "
                      "COALESCE(SUM(duration_ms), 0) FROM strata_backfill_chunk "
                      "WHERE run_id = ? GROUP BY status"),
                  {run_id}));
  RunTotals t;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(std::string status, rows.Text(i, 0));
    STRATA_ASSIGN_OR_RETURN(std::int64_t n, rows.Int(i, 1));
    t.chunks += n;
    if (status == "pending") t.pending = n;
    if (status == "running") t.running = n;
    if (status == "failed") t.failed = n;
    if (status == "done") {
      t.done = n;
      STRATA_ASSIGN_OR_RETURN(t.keys_done, rows.Int(i, 2));
      STRATA_ASSIGN_OR_RETURN(t.rows_written, rows.Int(i, 3));
      STRATA_ASSIGN_OR_RETURN(t.rows_present, rows.Int(i, 4));
      STRATA_ASSIGN_OR_RETURN(t.processing_ms, rows.Int(i, 5));
    }
  }
  return t;
}

Result<std::int64_t> StateStore::ActiveMs(std::int64_t run_id, std::int64_t bridge_ms) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn_.Query(Sql(flavor_,
                      "SELECT finished_ms - duration_ms, finished_ms FROM strata_backfill_chunk "
                      "WHERE run_id = ? AND status = 'done' AND finished_ms IS NOT NULL "
                      "ORDER BY finished_ms - duration_ms"),
                  {run_id}));
  std::int64_t active = 0;
  std::optional<std::pair<std::int64_t, std::int64_t>> span;  // the interval being merged
  for (std::size_t i = 0; i < rows.size(); ++i) {
    STRATA_ASSIGN_OR_RETURN(std::int64_t start, rows.Int(i, 0));
    STRATA_ASSIGN_OR_RETURN(std::int64_t end, rows.Int(i, 1));
    if (span && start <= span->second + bridge_ms) {
      span->second = std::max(span->second, end);
      continue;
    }
    if (span) active += span->second - span->first;
    span = std::make_pair(start, end);
  }
  if (span) active += span->second - span->first;
  return active;
}

Result<std::vector<FailedChunk>> StateStore::FailedChunks(std::int64_t run_id, int limit) {
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn_.Query(
          Sql(flavor_, fmt::format("SELECT chunk_no, first_key, last_key, attempts, last_error "
                                   "FROM strata_backfill_chunk WHERE run_id = ? AND status = "
                                   "'failed' ORDER BY chunk_no LIMIT {}",
                                   limit)),
          {run_id}));
  std::vector<FailedChunk> out;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    FailedChunk f;
    STRATA_ASSIGN_OR_RETURN(f.chunk_no, rows.Int(i, 0));
    STRATA_ASSIGN_OR_RETURN(f.range.first, rows.Int(i, 1));
    STRATA_ASSIGN_OR_RETURN(f.range.last, rows.Int(i, 2));
    STRATA_ASSIGN_OR_RETURN(std::int64_t attempts, rows.Int(i, 3));
    f.attempts = static_cast<int>(attempts);
    f.error = TextOrEmpty(rows, i, 4);
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::int64_t> StateStore::Redrive(std::int64_t run_id) {
  return conn_.Execute(Sql(flavor_,
                           "UPDATE strata_backfill_chunk SET status = 'pending', attempts = 0, "
                           "worker = NULL, process_id = NULL, finished_ms = NULL "
                           "WHERE run_id = ? AND status = 'failed'"),
                       {run_id});
}

}  // namespace strata::backfill
