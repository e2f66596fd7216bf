#include "backfill/testing/copy_job.h"

#include <fmt/format.h>

#include <charconv>
#include <limits>
#include <thread>

#include "db/flavor/flavor.h"

namespace strata::backfill::testing {
namespace {

using db::Dialect;

bool IsPlainName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string P(Dialect d, int n) { return db::Placeholder(d, n); }

class CopyJob : public BoundJob {
 public:
  CopyJob(ParamValues params, std::string source, std::string target, int sleep_ms,
          int sleep_us_per_row)
      : params_(std::move(params)),
        source_(std::move(source)),
        target_(std::move(target)),
        sleep_ms_(sleep_ms),
        sleep_us_per_row_(sleep_us_per_row) {}

  const ParamValues& params() const override { return params_; }

  Status Check(db::Connection& conn) const override {
    for (const std::string& table : {source_, target_}) {
      if (!conn.Query(fmt::format("SELECT id, val FROM {} WHERE 1 = 0", table))) {
        return Err(
            ErrorCode::kValidation,
            fmt::format("table {} with columns (id, val) does not exist: create it first", table));
      }
    }
    return Ok();
  }

  Result<std::optional<std::int64_t>> EstimateKeys(db::Connection& conn) const override {
    STRATA_ASSIGN_OR_RETURN(db::Rows rows,
                            conn.Query(fmt::format("SELECT count(*) FROM {}", source_)));
    STRATA_ASSIGN_OR_RETURN(std::int64_t n, rows.Int(0, 0));
    return std::optional<std::int64_t>(n);
  }

  Result<std::optional<ChunkCut>> NextChunk(db::Connection& conn, std::optional<std::int64_t> after,
                                            std::int64_t max_keys) const override {
    const Dialect d = conn.dialect();
    STRATA_ASSIGN_OR_RETURN(
        db::Rows rows,
        conn.Query(
            fmt::format("SELECT MIN(id), MAX(id), COUNT(*) FROM (SELECT id FROM {} WHERE id > {} "
                        "ORDER BY id LIMIT {}) k",
                        source_, P(d, 1), max_keys),
            {after.value_or(std::numeric_limits<std::int64_t>::min())}));
    if (rows.empty() || rows.IsNull(0, 0)) return std::optional<ChunkCut>();
    ChunkCut cut;
    STRATA_ASSIGN_OR_RETURN(cut.range.first, rows.Int(0, 0));
    STRATA_ASSIGN_OR_RETURN(cut.range.last, rows.Int(0, 1));
    STRATA_ASSIGN_OR_RETURN(cut.keys, rows.Int(0, 2));
    return std::optional<ChunkCut>(cut);
  }

  Result<ChunkOutcome> Process(db::Connection& conn, const KeyRange& chunk) const override {
    const Dialect d = conn.dialect();
    STRATA_ASSIGN_OR_RETURN(std::int64_t wanted, CountIn(conn, source_, chunk));
    STRATA_ASSIGN_OR_RETURN(std::int64_t before, CountIn(conn, target_, chunk));
    const double pause_s = static_cast<double>(sleep_ms_) / 1e3 +
                           static_cast<double>(wanted) * sleep_us_per_row_ / 1e6;
    if (pause_s > 0) {
      // A server-side pause, so a killed connection shows up as a failed statement.
      const std::string sleep = db::FlavorFor(d).ServerSleep(pause_s);
      if (sleep.empty()) {
        std::this_thread::sleep_for(std::chrono::duration<double>(pause_s));
      } else {
        STRATA_TRY(conn.Query(sleep));
      }
    }
    const std::string conflict = Conflict(d);
    STRATA_TRY(conn.Query(fmt::format("INSERT INTO {} (id, val) SELECT id, val FROM {} WHERE id "
                                      "BETWEEN {} AND {}{}",
                                      target_, source_, P(d, 1), P(d, 2), conflict),
                          {chunk.first, chunk.last}));
    STRATA_ASSIGN_OR_RETURN(std::int64_t after, CountIn(conn, target_, chunk));
    ChunkOutcome out;
    out.rows_written = after - before;
    out.rows_present = wanted - out.rows_written;
    return out;
  }

  Result<ChunkOutcome> Count(db::Connection& conn, const KeyRange& chunk) const override {
    const Dialect d = conn.dialect();
    STRATA_ASSIGN_OR_RETURN(std::int64_t wanted, CountIn(conn, source_, chunk));
    STRATA_ASSIGN_OR_RETURN(
        db::Rows rows,
        conn.Query(fmt::format("SELECT count(*) FROM {} s WHERE s.id BETWEEN {} AND {} AND NOT "
                               "EXISTS (SELECT 1 FROM {} t WHERE t.id = s.id)",
                               source_, P(d, 1), P(d, 2), target_),
                   {chunk.first, chunk.last}));
    ChunkOutcome out;
    STRATA_ASSIGN_OR_RETURN(out.rows_written, rows.Int(0, 0));
    out.rows_present = wanted - out.rows_written;
    return out;
  }

  Result<SampleRows> Sample(db::Connection& conn, const KeyRange& chunk, int limit) const override {
    const Dialect d = conn.dialect();
    STRATA_ASSIGN_OR_RETURN(
        db::Rows rows,
        conn.Query(
            fmt::format("SELECT s.id, s.val FROM {} s WHERE s.id BETWEEN {} AND {} AND NOT "
                        "EXISTS (SELECT 1 FROM {} t WHERE t.id = s.id) ORDER BY s.id LIMIT {}",
                        source_, P(d, 1), P(d, 2), target_, limit),
            {chunk.first, chunk.last}));
    SampleRows out;
    out.columns = {"id", "val"};
    for (const auto& row : rows.rows) {
      out.rows.push_back({row[0].value_or("NULL"), row[1].value_or("NULL")});
    }
    return out;
  }

  std::vector<std::string> DescribeSql(Dialect d) const override {
    const std::string conflict = Conflict(d);
    return {
        fmt::format("INSERT INTO {} (id, val) SELECT id, val FROM {} WHERE id BETWEEN {} AND "
                    "{}{}",
                    target_, source_, P(d, 1), P(d, 2), conflict)};
  }

 private:
  // Skips existing rows only (qualified: the INSERT's SELECT has an `id` too).
  std::string Conflict(Dialect d) const {
    return db::FlavorFor(d).OnConflictDoNothing(target_ + ".id");
  }

  Result<std::int64_t> CountIn(db::Connection& conn, const std::string& table,
                               const KeyRange& chunk) const {
    const Dialect d = conn.dialect();
    STRATA_ASSIGN_OR_RETURN(
        db::Rows rows, conn.Query(fmt::format("SELECT count(*) FROM {} WHERE id BETWEEN {} AND {}",
                                              table, P(d, 1), P(d, 2)),
                                  {chunk.first, chunk.last}));
    return rows.Int(0, 0);
  }

  const ParamValues params_;
  const std::string source_;
  const std::string target_;
  const int sleep_ms_;
  const int sleep_us_per_row_;
};

Result<int> ParseNonNegative(const ParamValues& p, const std::string& key) {
  int value = 0;
  const std::string& s = p.at(key);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || ptr != s.data() + s.size() || value < 0) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("parameter {}='{}' is not a number of at least 0", key, s));
  }
  return value;
}

class CopyJobDefinition : public JobDefinition {
 public:
  std::string_view name() const override { return kCopyJobName; }
  std::string_view description() const override {
    return "Test job: copies rows of a source table into a target table";
  }
  std::vector<ParamSpec> parameters() const override {
    return {{"source", "source table", "bf_source"},
            {"target", "target table", "bf_target"},
            {"sleep_ms", "pause inside each chunk, milliseconds", "0"},
            {"sleep_us_per_row", "and microseconds per source row of the chunk", "0"}};
  }
  Result<std::unique_ptr<BoundJob>> Bind(const ParamValues& values) const override {
    STRATA_ASSIGN_OR_RETURN(ParamValues p, ApplyParamSpecs(parameters(), values, name()));
    for (const char* key : {"source", "target"}) {
      if (!IsPlainName(p[key])) {
        return Err(
            ErrorCode::kInvalidArgument,
            fmt::format("parameter {}='{}' is not a plain table name ([a-z0-9_]+)", key, p[key]));
      }
    }
    STRATA_ASSIGN_OR_RETURN(int sleep_ms, ParseNonNegative(p, "sleep_ms"));
    STRATA_ASSIGN_OR_RETURN(int sleep_us_per_row, ParseNonNegative(p, "sleep_us_per_row"));
    std::string source = p["source"], target = p["target"];
    return std::unique_ptr<BoundJob>(std::make_unique<CopyJob>(
        std::move(p), std::move(source), std::move(target), sleep_ms, sleep_us_per_row));
  }
};

}  // namespace

std::unique_ptr<JobDefinition> MakeCopyJob() { return std::make_unique<CopyJobDefinition>(); }

void RegisterTestJobs(JobRegistry& registry) { (void)registry.Add(MakeCopyJob()); }

}  // namespace strata::backfill::testing
