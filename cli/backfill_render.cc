#include "cli/backfill_render.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <optional>

#include "base/duration.h"

namespace strata::cli {
namespace {

using backfill::RunOutcome;
using std::chrono::milliseconds;

std::string Eta(const std::optional<std::chrono::seconds>& eta) {
  return eta ? FormatDuration(duration_cast<milliseconds>(*eta)) : std::string("?");
}

nlohmann::json RangeJson(const backfill::KeyRange& r) { return {r.first, r.last}; }

// An optional text as JSON: null when there is none.
nlohmann::json NullIfEmpty(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json FailedJson(const std::vector<backfill::FailedChunk>& failed) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& f : failed) {
    list.push_back({{"chunk_no", f.chunk_no},
                    {"range", RangeJson(f.range)},
                    {"attempts", f.attempts},
                    {"error", f.error}});
  }
  return list;
}

nlohmann::json StatusJson(const backfill::RunStatus& s) {
  const backfill::RunRow& r = s.run;
  return {{"job", r.job},
          {"run_no", r.run_no},
          {"state", backfill::RunStateName(r.state)},
          {"params", nlohmann::json::parse(r.params_json, nullptr, false)},
          {"chunks", s.totals.chunks},
          {"chunks_all_cut", r.cut_done},
          {"chunks_done", s.totals.done},
          {"chunks_pending", s.totals.pending},
          {"chunks_running", s.totals.running},
          {"chunks_failed", s.totals.failed},
          {"keys_done", s.totals.keys_done},
          {"total_keys", r.total_keys ? nlohmann::json(*r.total_keys) : nullptr},
          {"rows_written", s.totals.rows_written},
          {"rows_present", s.totals.rows_present},
          {"keys_per_second", s.keys_per_second},
          {"eta_seconds", s.eta_seconds ? nlohmann::json(*s.eta_seconds) : nullptr},
          {"throttle", r.throttle_reason},
          {"last_error", NullIfEmpty(r.last_error)},
          {"created_ms", r.created_ms},
          {"updated_ms", r.updated_ms},
          {"finished_ms", r.finished_ms ? nlohmann::json(*r.finished_ms) : nullptr},
          {"failed", FailedJson(s.failed)}};
}

// Done chunks against all of them once the key space is cut; before that the chunks cut so
// far are not a total (the keys column is the progress then).
std::string ChunksCell(const backfill::RunStatus& s) {
  if (s.run.cut_done) return fmt::format("{}/{}", s.totals.done, s.totals.chunks);
  return fmt::format("{} done, {} cut so far", s.totals.done, s.totals.chunks);
}

std::vector<std::string> StatusRow(const backfill::RunStatus& s) {
  const std::string keys = s.run.total_keys
                               ? fmt::format("{}/{}", s.totals.keys_done, *s.run.total_keys)
                               : std::to_string(s.totals.keys_done);
  const bool progressing = s.keys_per_second > 0;
  return {s.run.job,
          std::to_string(s.run.run_no),
          backfill::RunStateName(s.run.state),
          ChunksCell(s),
          std::to_string(s.totals.failed),
          keys,
          std::to_string(s.totals.rows_written),
          progressing ? fmt::format("{:.0f}", s.keys_per_second) : std::string(),
          s.eta_seconds ? FormatDuration(milliseconds(*s.eta_seconds * 1000)) : "",
          s.run.throttle_reason.empty() ? s.run.last_error : s.run.throttle_reason};
}

nlohmann::json DryRunJson(const std::string& job_name, const backfill::BoundJob& job,
                          const db::Connection& conn, const backfill::DryRunOptions& o,
                          const backfill::DryRunReport& r) {
  nlohmann::json chunks = nlohmann::json::array();
  for (const auto& c : r.chunks) {
    chunks.push_back({{"chunk_no", c.chunk_no},
                      {"range", RangeJson(c.range)},
                      {"rows_written", c.outcome.rows_written},
                      {"rows_present", c.outcome.rows_present},
                      {"count_ms", c.count_time.count()}});
  }
  nlohmann::json sampled = nlohmann::json::array();
  for (const auto& s : r.sampled) {
    sampled.push_back(
        {{"chunk_no", s.chunk_no},
         {"range", RangeJson(s.range)},
         {"rows_written", s.outcome.rows_written},
         {"duration_ms", s.duration.count()},
         {"error", s.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(s.error)}});
  }
  return {{"job", job_name},
          {"dry_run", true},
          {"target", conn.display_url()},
          {"params", job.params()},
          {"sql", job.DescribeSql(conn.dialect())},
          {"chunk_keys", o.chunk_keys},
          {"chunks", chunks},
          {"rows_written", r.total.rows_written},
          {"rows_present", r.total.rows_present},
          {"sample", {{"columns", r.sample.columns}, {"rows", r.sample.rows}}},
          {"sampled_chunks", sampled},
          {"count_duration_ms", r.count_duration.count()},
          {"estimated_duration_ms",
           r.estimated_duration ? nlohmann::json(r.estimated_duration->count()) : nullptr},
          {"interrupted", r.interrupted}};
}

// The planned chunks, the first 20 of them as a table.
void PrintPlannedChunks(Output& out, const backfill::DryRunOptions& o,
                        const backfill::DryRunReport& r) {
  constexpr std::size_t kShown = 20;
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : r.chunks) {
    if (rows.size() == kShown) break;
    rows.push_back({std::to_string(c.chunk_no), fmt::format("{}..{}", c.range.first, c.range.last),
                    std::to_string(c.outcome.rows_written),
                    std::to_string(c.outcome.rows_present)});
  }
  out.Table({"Chunk", "Keys", "Would write", "Present"}, rows);
  if (r.chunks.size() > rows.size()) {
    out.Line(fmt::format("… and {} more chunks", r.chunks.size() - rows.size()));
  }
  out.Line(
      fmt::format("total: {} chunks of up to {} keys, {} rows would be written, {} are "
                  "already present (counted in {})",
                  r.chunks.size(), o.chunk_keys, r.total.rows_written, r.total.rows_present,
                  FormatDuration(r.count_duration)));
}

void PrintSampledChunks(Output& out, const backfill::DryRunReport& r) {
  for (const auto& s : r.sampled) {
    if (!s.error.empty()) {
      out.Line(fmt::format("sampled chunk {} (keys {}..{}) FAILED in {}, rolled back: {}",
                           s.chunk_no, s.range.first, s.range.last, FormatDuration(s.duration),
                           s.error));
      continue;
    }
    out.Line(fmt::format("sampled chunk {} (keys {}..{}): {} rows in {}, rolled back", s.chunk_no,
                         s.range.first, s.range.last, s.outcome.rows_written,
                         FormatDuration(s.duration)));
  }
}

}  // namespace

// ---- Progress -------------------------------------------------------------------------------

BackfillProgress::BackfillProgress(Output& out, std::string job, bool events)
    : out_(out),
      job_(std::move(job)),
      bar_(!out.json() && ::isatty(STDERR_FILENO) != 0),
      events_(events) {}

void BackfillProgress::OnRunStarted(const backfill::RunRow& run, bool resumed) {
  Event({{"event", "run_started"},
         {"job", job_},
         {"run_no", run.run_no},
         {"resumed", resumed},
         {"params", nlohmann::json::parse(run.params_json, nullptr, false)},
         {"total_keys", run.total_keys ? nlohmann::json(*run.total_keys) : nullptr}});
  out_.Line(fmt::format("{} run {} of {}", resumed ? "resuming" : "starting", run.run_no, job_));
}

void BackfillProgress::OnChunkDone(const backfill::ChunkReport& c) {
  Event({{"event", "chunk_done"},
         {"chunk_no", c.chunk_no},
         {"range", RangeJson(c.range)},
         {"attempt", c.attempt},
         {"rows_written", c.outcome.rows_written},
         {"rows_present", c.outcome.rows_present},
         {"duration_ms", c.duration.count()},
         {"worker", c.worker},
         {"reclaimed", c.reclaimed}});
}

void BackfillProgress::OnChunkRetry(const backfill::ChunkReport& c, const Error& e,
                                    milliseconds delay) {
  Event({{"event", "chunk_retry"},
         {"chunk_no", c.chunk_no},
         {"range", RangeJson(c.range)},
         {"attempt", c.attempt},
         {"error", e.message},
         {"retry_in_ms", delay.count()}});
  if (!out_.json()) {
    Clear();
    spdlog::info("chunk {} attempt {} failed, retrying in {}: {}", c.chunk_no, c.attempt,
                 FormatDuration(delay), e.message);
  }
}

void BackfillProgress::OnChunkFailed(const backfill::ChunkReport& c, const Error& e) {
  Event({{"event", "chunk_failed"},
         {"chunk_no", c.chunk_no},
         {"range", RangeJson(c.range)},
         {"attempts", c.attempt},
         {"error", e.message}});
  if (!out_.json()) {
    Clear();
    out_.Warning(fmt::format("chunk {} (keys {}..{}) parked as failed after {} attempt{}: {}",
                             c.chunk_no, c.range.first, c.range.last, c.attempt,
                             c.attempt == 1 ? "" : "s", e.message));
  }
}

void BackfillProgress::OnThrottle(const std::string& reason) {
  Event({{"event", "throttle"}, {"reason", reason}, {"held", !reason.empty()}});
  if (!out_.json()) {
    Clear();
    out_.Warning(reason.empty() ? std::string("continuing") : fmt::format("holding: {}", reason));
  }
}

void BackfillProgress::OnWarning(const std::string& message) {
  Event({{"event", "warning"}, {"message", message}});
  if (!out_.json()) {
    Clear();
    out_.Warning(message);
  }
}

void BackfillProgress::OnProgress(const backfill::ProgressSnapshot& p) {
  Event({{"event", "progress"},
         {"chunks_done", p.totals.done},
         {"chunks_failed", p.totals.failed},
         {"chunks_cut", p.totals.chunks},
         {"keys_done", p.totals.keys_done},
         {"total_keys", p.total_keys ? nlohmann::json(*p.total_keys) : nullptr},
         {"rows_written", p.totals.rows_written},
         {"rows_present", p.totals.rows_present},
         {"rows_per_second", p.rows_per_second},
         {"eta_seconds", p.eta ? nlohmann::json(p.eta->count()) : nullptr},
         {"chunk_size", p.chunk_size},
         {"throttle", p.throttle_reason}});
  if (bar_) DrawBar(p);
}

void BackfillProgress::Clear() {
  if (drawn_) std::cerr << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

void BackfillProgress::Event(const nlohmann::json& event) {
  if (events_) out_.Event(event);
}

void BackfillProgress::DrawBar(const backfill::ProgressSnapshot& p) {
  const double fraction = p.total_keys && *p.total_keys > 0
                              ? std::min(1.0, static_cast<double>(p.totals.keys_done) /
                                                  static_cast<double>(*p.total_keys))
                              : 0.0;
  constexpr int kWidth = 24;
  const int filled = static_cast<int>(fraction * kWidth);
  std::string bar(static_cast<std::size_t>(filled), '#');
  bar.append(static_cast<std::size_t>(kWidth - filled), '.');
  std::cerr << fmt::format("\r\x1b[K[{}] {:>3.0f}% {}/{} keys  {:.0f} rows/s  ETA {}{}", bar,
                           fraction * 100, p.totals.keys_done,
                           p.total_keys ? std::to_string(*p.total_keys) : std::string("?"),
                           p.rows_per_second, Eta(p.eta),
                           p.throttle_reason.empty() ? "" : "  held: " + p.throttle_reason)
            << std::flush;
  drawn_ = true;
}

// ---- A finished run -------------------------------------------------------------------------

std::string RunSummaryLine(const std::string& job, const backfill::RunSummary& s) {
  return fmt::format(
      "run {} of {} {}: {} rows written, {} already present, {} chunks done, {} failed, {} "
      "retries here, in {}",
      s.run_no, job, backfill::RunOutcomeName(s.outcome), s.totals.rows_written,
      s.totals.rows_present, s.totals.done, s.totals.failed, s.retries_here,
      FormatDuration(s.duration));
}

void PrintFailedChunks(Output& out, const std::vector<backfill::FailedChunk>& failed) {
  if (failed.empty()) return;
  std::vector<std::vector<std::string>> rows;
  rows.reserve(failed.size());
  for (const auto& f : failed) {
    rows.push_back({std::to_string(f.chunk_no), fmt::format("{}..{}", f.range.first, f.range.last),
                    std::to_string(f.attempts), f.error});
  }
  out.Table({"Failed chunk", "Keys", "Attempts", "Error"}, rows);
}

Status RunOutcomeStatus(const std::string& job, const backfill::RunSummary& s) {
  switch (s.outcome) {
    case RunOutcome::kCompleted:
      return Ok();
    case RunOutcome::kFailed:
      return Err(ErrorCode::kDatabase,
                 fmt::format("run {} of {} failed: {}; see `strata backfill status {}`, fix the "
                             "cause, then `strata backfill redrive {}`",
                             s.run_no, job, s.error, job, job));
    case RunOutcome::kInterrupted:
    case RunOutcome::kPaused:
      return Err(ErrorCode::kCancelled,
                 fmt::format("interrupted: run {} of {} is resumable with `strata backfill run "
                             "{}`",
                             s.run_no, job, job));
    case RunOutcome::kCancelled:
      return Err(ErrorCode::kCancelled, fmt::format("run {} of {} was cancelled", s.run_no, job));
  }
  return Ok();
}

Status ReportRunSummary(Output& out, const std::string& job, const backfill::RunSummary& s) {
  out.Json({{"event", "summary"},
            {"job", job},
            {"run_no", s.run_no},
            {"outcome", backfill::RunOutcomeName(s.outcome)},
            {"rows_written", s.totals.rows_written},
            {"rows_present", s.totals.rows_present},
            {"chunks_done", s.totals.done},
            {"chunks_failed", s.totals.failed},
            {"chunks_pending", s.totals.pending + s.totals.running},
            {"rows_written_here", s.rows_written_here},
            {"chunks_here", s.chunks_here},
            {"retries_here", s.retries_here},
            {"duration_ms", s.duration.count()},
            {"failed", FailedJson(s.failed)},
            {"last_error", NullIfEmpty(s.error)}});
  out.Line(RunSummaryLine(job, s));
  PrintFailedChunks(out, s.failed);
  return RunOutcomeStatus(job, s);
}

// ---- Status ---------------------------------------------------------------------------------

void ReportRunStatus(Output& out, const std::string& job,
                     const std::vector<backfill::RunStatus>& runs) {
  nlohmann::json list = nlohmann::json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : runs) {
    list.push_back(StatusJson(s));
    rows.push_back(StatusRow(s));
  }
  out.Json({{"runs", list}});
  if (runs.empty()) {
    out.Line(job.empty() ? "no backfill runs in this database"
                         : fmt::format("{} has no run in this database", job));
    return;
  }
  out.Table(
      {"Job", "Run", "State", "Chunks", "Failed", "Keys", "Rows written", "Keys/s", "ETA", "Note"},
      rows);
  for (const auto& s : runs) PrintFailedChunks(out, s.failed);
}

// ---- Dry run --------------------------------------------------------------------------------

Status ReportDryRun(Output& out, const std::string& job_name, const backfill::BoundJob& job,
                    const db::Connection& conn, const backfill::DryRunOptions& options,
                    const backfill::DryRunReport& report) {
  out.Json(DryRunJson(job_name, job, conn, options, report));
  out.Line(fmt::format("dry run of {} on {}: nothing was written", job_name, conn.display_url()));
  for (const std::string& sql : job.DescribeSql(conn.dialect())) out.Line("  " + sql);
  PrintPlannedChunks(out, options, report);
  if (!report.sample.rows.empty()) out.Table(report.sample.columns, report.sample.rows);
  PrintSampledChunks(out, report);
  if (report.estimated_duration) {
    out.Line(fmt::format("estimated duration with {} worker{}: {}", options.workers,
                         options.workers == 1 ? "" : "s",
                         FormatDuration(*report.estimated_duration)));
  }
  if (report.interrupted) return Err(ErrorCode::kCancelled, "dry run interrupted");
  return Ok();
}

}  // namespace strata::cli
