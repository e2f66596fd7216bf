#include "backfill/dry_run.h"

#include <fmt/format.h>

#include <algorithm>

namespace strata::backfill {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

db::TxOptions ReadOnly() {
  db::TxOptions o;
  o.read_only = true;
  return o;
}

// One chunk of the plan: cut, counted and (while the sample is short) sampled, in one
// read-only transaction.
Result<std::optional<PlannedChunk>> PlanChunk(db::Connection& conn, const BoundJob& job,
                                              std::optional<std::int64_t> after,
                                              const DryRunOptions& options, DryRunReport& report,
                                              Clock& clock) {
  const Clock::TimePoint t0 = clock.Now();
  STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn, ReadOnly()));
  STRATA_ASSIGN_OR_RETURN(std::optional<ChunkCut> cut,
                          job.NextChunk(conn, after, options.chunk_keys));
  if (!cut) {
    STRATA_TRY(tx.Commit());
    return std::optional<PlannedChunk>();
  }
  PlannedChunk chunk;
  chunk.chunk_no = static_cast<std::int64_t>(report.chunks.size()) + 1;
  chunk.range = cut->range;
  STRATA_ASSIGN_OR_RETURN(chunk.outcome, job.Count(conn, cut->range));
  const int wanted = options.sample_rows - static_cast<int>(report.sample.rows.size());
  if (wanted > 0 && chunk.outcome.rows_written > 0) {
    STRATA_ASSIGN_OR_RETURN(SampleRows sample, job.Sample(conn, cut->range, wanted));
    if (report.sample.columns.empty()) report.sample.columns = sample.columns;
    for (auto& row : sample.rows) {
      if (static_cast<int>(report.sample.rows.size()) >= options.sample_rows) break;
      report.sample.rows.push_back(std::move(row));
    }
  }
  STRATA_TRY(tx.Commit());
  chunk.count_time = duration_cast<milliseconds>(clock.Now() - t0);
  return std::optional<PlannedChunk>(chunk);
}

// Executes a planned chunk for real and rolls it back.
Result<SampledChunk> SampleChunk(db::Connection& conn, const BoundJob& job,
                                 const PlannedChunk& planned, Clock& clock) {
  SampledChunk s;
  s.chunk_no = planned.chunk_no;
  s.range = planned.range;
  db::TxOptions o;
  o.isolation = db::Isolation::kReadCommitted;
  const Clock::TimePoint t0 = clock.Now();
  STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn, o));
  Result<ChunkOutcome> outcome = job.Process(conn, planned.range);
  STRATA_TRY(tx.Rollback());
  if (outcome) {
    s.outcome = *outcome;
  } else {
    s.error = outcome.error().message;  // shown with the sample; the dry run goes on
  }
  s.duration = duration_cast<milliseconds>(clock.Now() - t0);
  return s;
}

// Chunks spread evenly over the plan, preferring ones that would write rows.
std::vector<std::size_t> PickSampleChunks(const std::vector<PlannedChunk>& chunks, int n) {
  std::vector<std::size_t> writing;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    if (chunks[i].outcome.rows_written > 0) writing.push_back(i);
  }
  if (writing.empty()) {
    for (std::size_t i = 0; i < chunks.size(); ++i) writing.push_back(i);
  }
  std::vector<std::size_t> picked;
  const std::size_t count = std::min<std::size_t>(writing.size(), static_cast<std::size_t>(n));
  for (std::size_t k = 0; k < count; ++k) picked.push_back(writing[k * writing.size() / count]);
  return picked;
}

// Sampled time per written row (or per chunk when nothing is written) × the plan's size.
std::optional<milliseconds> EstimateDuration(const DryRunReport& r, int workers) {
  if (r.sampled.empty()) return std::nullopt;
  double ms = 0, rows = 0, ok = 0;
  for (const SampledChunk& s : r.sampled) {
    if (!s.error.empty()) continue;
    ++ok;
    ms += static_cast<double>(s.duration.count());
    rows += static_cast<double>(s.outcome.rows_written);
  }
  if (ok == 0) return std::nullopt;
  double total = 0;
  if (rows > 0 && r.total.rows_written > 0) {
    total = ms / rows * static_cast<double>(r.total.rows_written);
  } else {
    total = ms / ok * static_cast<double>(r.chunks.size());
  }
  return milliseconds(static_cast<std::int64_t>(total / std::max(1, workers)));
}

}  // namespace

Result<DryRunReport> DryRun(db::Connection& conn, const BoundJob& job, const DryRunOptions& options,
                            DryRunListener& listener, const std::atomic<bool>* stop, Clock& clock) {
  if (options.chunk_keys < 1) {
    return Err(ErrorCode::kInvalidArgument, "dry run chunk size must be at least 1 key");
  }
  {
    STRATA_ASSIGN_OR_RETURN(db::Transaction tx, db::Transaction::Begin(conn, ReadOnly()));
    STRATA_TRY(job.Check(conn));
    STRATA_TRY(tx.Commit());
  }
  DryRunReport report;
  const Clock::TimePoint t0 = clock.Now();
  std::optional<std::int64_t> after;
  while (true) {
    if (stop != nullptr && stop->load()) {
      report.interrupted = true;
      break;
    }
    STRATA_ASSIGN_OR_RETURN(std::optional<PlannedChunk> chunk,
                            PlanChunk(conn, job, after, options, report, clock));
    if (!chunk) break;
    after = chunk->range.last;
    report.total.rows_written += chunk->outcome.rows_written;
    report.total.rows_present += chunk->outcome.rows_present;
    listener.OnChunkCounted(*chunk);
    report.chunks.push_back(*chunk);
  }
  report.count_duration = duration_cast<milliseconds>(clock.Now() - t0);
  if (!report.interrupted && options.sample_chunks > 0) {
    for (std::size_t i : PickSampleChunks(report.chunks, options.sample_chunks)) {
      STRATA_ASSIGN_OR_RETURN(SampledChunk s, SampleChunk(conn, job, report.chunks[i], clock));
      listener.OnChunkSampled(s);
      report.sampled.push_back(s);
    }
    report.estimated_duration = EstimateDuration(report, options.workers);
  }
  return report;
}

}  // namespace strata::backfill
