// Throughput and memory of the SQL splitter (db/sql/splitter.h) on generated migration files
// of at least 50 MB of mixed statements per dialect: DDL, inserts whose strings hold ';',
// quotes and multi-byte UTF-8, comments, and each dialect's bodies (PostgreSQL functions in
// dollar quotes, BEGIN ATOMIC and COPY data; MariaDB DELIMITER blocks and executable comments;
// SQLite triggers).
//
// Targets: at least 200 MB/s single-threaded (the bytes_per_second column) and a peak of heap
// memory during Split() under 3x the input (the peak_heap_x_input counter: the input plus
// everything Split() allocates at its high-water mark, divided by the input size).
//
// Run: build/bench/strata_splitter_bench
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>
#include <string>

#include "db/sql/splitter.h"

// Heap accounting for the peak_heap_x_input counter: every allocation of this process goes
// through these, so the peak during one Split() call is measured exactly.
namespace {
std::atomic<size_t> g_heap_in_use{0};
std::atomic<size_t> g_heap_peak{0};

void* CountedAlloc(size_t size) {
  // A header in front of each block remembers its size for operator delete.
  constexpr size_t kHeader = alignof(std::max_align_t);
  auto* block = static_cast<unsigned char*>(std::malloc(size + kHeader));
  if (block == nullptr) throw std::bad_alloc();
  *reinterpret_cast<size_t*>(block) = size;
  size_t in_use = g_heap_in_use.fetch_add(size) + size;
  size_t peak = g_heap_peak.load();
  while (in_use > peak && !g_heap_peak.compare_exchange_weak(peak, in_use)) {
  }
  return block + kHeader;
}

void CountedFree(void* p) {
  if (p == nullptr) return;
  constexpr size_t kHeader = alignof(std::max_align_t);
  auto* block = static_cast<unsigned char*>(p) - kHeader;
  g_heap_in_use.fetch_sub(*reinterpret_cast<size_t*>(block));
  std::free(block);
}
}  // namespace

void* operator new(size_t size) { return CountedAlloc(size); }
void* operator new[](size_t size) { return CountedAlloc(size); }
void operator delete(void* p) noexcept { CountedFree(p); }
void operator delete[](void* p) noexcept { CountedFree(p); }
void operator delete(void* p, size_t /*size*/) noexcept { CountedFree(p); }
void operator delete[](void* p, size_t /*size*/) noexcept { CountedFree(p); }

namespace strata::db::sql {
namespace {

constexpr size_t kTargetBytes = size_t{50} * 1024 * 1024;

std::string PostgresStatement(int i) {
  std::string n = std::to_string(i);
  switch (i % 10) {
    case 0:
      return "-- migration step " + n + "\nCREATE TABLE item_" + n +
             " (\n  id bigint PRIMARY KEY,\n  \"odd;name\" text DEFAULT 'x;''y',\n  created_at "
             "timestamptz NOT NULL DEFAULT now()\n);\n";
    case 1:
      return "CREATE OR REPLACE FUNCTION touch_" + n +
             "() RETURNS trigger LANGUAGE plpgsql AS $fn$\nBEGIN\n  NEW.updated_at := now(); -- "
             "keep ;\n  RETURN NEW;\nEND;\n$fn$;\n";
    case 2:
      return "CREATE FUNCTION add_" + n +
             "(a int, b int) RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN a > 0 "
             "THEN a + b ELSE b END;\nEND;\n";
    case 3:
      return "COPY item_" + n +
             " (id, name) FROM stdin;\n1\tZürich;centre\n2\t\\N\n3\tMünchen € 3\n4\tx\\ty\n\\.\n";
    case 4:
      return "/* index; built online */ CREATE INDEX CONCURRENTLY item_" + n + "_idx ON item_" + n +
             " (created_at);\n";
    default:
      return "INSERT INTO event (id, name, note) VALUES (" + n + ", 'Event " + n +
             "; it''s in Zürich', E'line\\n;\\'quoted\\''), (" + n + "1, $$a;b$$, U&'d\\0061t');\n";
  }
}

std::string MariaDbStatement(int i) {
  std::string n = std::to_string(i);
  switch (i % 10) {
    case 0:
      return "# migration step " + n + "\nCREATE TABLE `item_" + n +
             "` (\n  `id` BIGINT PRIMARY KEY,\n  `odd;``name` TEXT DEFAULT 'x;\\'y'\n) "
             "ENGINE=InnoDB;\n";
    case 1:
      return "DELIMITER //\nCREATE PROCEDURE touch_" + n +
             "()\nBEGIN\n  DECLARE x INT DEFAULT 1; -- keep ;\n  UPDATE item SET n = x;\nEND//\n"
             "DELIMITER ;\n";
    case 2:
      return "/*!40101 SET NAMES utf8mb4 */;\n";
    default:
      return "INSERT INTO event (id, name, note) VALUES (" + n + ", 'Event " + n +
             "; it\\'s in Zürich', \"line\\n;\"\"q\"\"\"), (" + n + "1, 'a;b', 'München €');\n";
  }
}

std::string SqliteStatement(int i) {
  std::string n = std::to_string(i);
  switch (i % 10) {
    case 0:
      return "-- migration step " + n + "\nCREATE TABLE item_" + n +
             " (id INTEGER PRIMARY KEY, [odd;name] TEXT DEFAULT 'x;''y');\n";
    case 1:
      return "CREATE TRIGGER touch_" + n + " AFTER UPDATE ON item_" + n +
             " FOR EACH ROW\nBEGIN\n  UPDATE item SET n = CASE WHEN NEW.n IS NULL THEN 0 ELSE "
             "NEW.n END;\n  SELECT 1;\nEND;\n";
    default:
      return "INSERT INTO event (id, name, note) VALUES (" + n + ", 'Event " + n +
             "; it''s in Zürich', \"col\"), (" + n + "1, 'a;b', 'München €'); /* done */\n";
  }
}

std::string Generate(std::string (*statement)(int)) {
  std::string script;
  script.reserve(kTargetBytes + 4096);
  for (int i = 0; script.size() < kTargetBytes; ++i) script += statement(i);
  return script;
}

void RunSplit(benchmark::State& state, Dialect dialect, std::string (*statement)(int)) {
  const std::string script = Generate(statement);
  SplitOptions options;
  options.dialect = dialect;
  options.file_name = "bench.sql";
  size_t statements = 0;
  size_t peak_over_baseline = 0;
  for (auto _ : state) {  // NOLINT(clang-analyzer-deadcode.DeadStores)
    size_t baseline = g_heap_in_use.load();
    g_heap_peak.store(baseline);
    auto result = Split(script, options);
    peak_over_baseline = g_heap_peak.load() - baseline;
    if (!result) {
      state.SkipWithError(result.error().message.c_str());
      return;
    }
    statements = result->size();
    benchmark::DoNotOptimize(result->data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * script.size()));
  state.counters["input_MB"] = static_cast<double>(script.size()) / (1024.0 * 1024.0);
  state.counters["statements"] = static_cast<double>(statements);
  state.counters["peak_heap_x_input"] =
      static_cast<double>(script.size() + peak_over_baseline) / static_cast<double>(script.size());
}

// One benchmark per dialect: the splitter (db/sql) is what tells the dialects apart.
void BM_SplitPostgres(benchmark::State& state) {
  RunSplit(state, Dialect::kPostgres, &PostgresStatement);
}
void BM_SplitMariaDb(benchmark::State& state) {
  RunSplit(state, Dialect::kMariaDb, &MariaDbStatement);
}
void BM_SplitSqlite(benchmark::State& state) {
  RunSplit(state, Dialect::kSqlite, &SqliteStatement);
}

BENCHMARK(BM_SplitPostgres)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_SplitMariaDb)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_SplitSqlite)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace strata::db::sql
