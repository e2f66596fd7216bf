// Fleets (docs/fleets.md) as pipelines run them: the real strata binary on many real databases
// of each engine and on many schemas of one PostgreSQL database, with targets broken on purpose
// (unreachable, a failing migration, drift): the results name exactly those, the others
// complete, --retry-failed finishes the job once the fault is fixed, --canary stops before the
// rest, --max-failures stops scheduling, --shard partitions. 10-16 targets each in CI;
// STRATA_FLEET_SCALE=full gives the 50 PostgreSQL databases, 50 schemas, 20 MariaDB
// databases and 200 SQLite files.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "db/url.h"
#include "migrations/lock.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

bool FullScale() {
  const char* scale = std::getenv("STRATA_FLEET_SCALE");
  return scale != nullptr && std::string(scale) == "full";
}

int FleetSize(db::Dialect dialect) {
  if (!FullScale()) return dialect == db::Dialect::kSqlite ? 16 : 10;
  switch (dialect) {
    case db::Dialect::kPostgres:
      return 50;
    case db::Dialect::kMariaDb:
      return 20;
    case db::Dialect::kSqlite:
      return 200;
  }
  return 10;
}

std::string UnreachableUrl(db::Dialect dialect) {
  switch (dialect) {
    case db::Dialect::kPostgres:
      return "postgresql://postgres@127.0.0.1:1/none";
    case db::Dialect::kMariaDb:
      return "mariadb://root@127.0.0.1:1/none";
    case db::Dialect::kSqlite:
      return "sqlite:/nonexistent-strata-directory/none.db";
  }
  return "";
}

nlohmann::json Document(const RunResult& r) {
  std::string last = r.out;
  while (!last.empty() && last.back() == '\n') last.pop_back();
  return nlohmann::json::parse(last.substr(last.rfind('\n') + 1), nullptr, false);
}

// name -> status of a fleet document.
std::map<std::string, std::string> Statuses(const nlohmann::json& doc) {
  std::map<std::string, std::string> statuses;
  if (!doc.is_object() || !doc.contains("targets")) return statuses;
  for (const nlohmann::json& t : doc["targets"]) statuses[t["name"]] = t["status"];
  return statuses;
}

std::set<std::string> WithStatus(const nlohmann::json& doc, const std::string& status) {
  std::set<std::string> names;
  for (const auto& [name, s] : Statuses(doc)) {
    if (s == status) names.insert(name);
  }
  return names;
}

// A fleet of scratch databases of one engine and a project whose targets file lists them.
class FleetCliTest : public ::testing::TestWithParam<db::Dialect> {
 protected:
  void SetUp() override {
    project_ = std::make_unique<TestProject>("fleet");
    project_->Write("V1__a.sql", "CREATE TABLE fleet_a (id INTEGER PRIMARY KEY);\n");
    project_->Write("V2__b.sql", "CREATE TABLE fleet_b (id INTEGER PRIMARY KEY);\n");
  }

  void CreateFleet(int size) {
    for (int i = 0; i < size; ++i) {
      databases_.push_back(ScratchDatabase::Create(GetParam()));
      ASSERT_NE(databases_.back(), nullptr);
      names_.push_back(fmt::format("t{:03}", i));
    }
  }

  // targets.toml naming every database, target i's URL replaced where `urls` says.
  void WriteTargets(const std::map<int, std::string>& urls = {}) {
    std::ofstream out(project_->root() / "targets.toml");
    for (std::size_t i = 0; i < databases_.size(); ++i) {
      auto it = urls.find(static_cast<int>(i));
      out << fmt::format(
          "[[targets]]\nname = \"{}\"\nurl = \"{}\"\nlabels = {{ half = \"{}\" }}\n\n", names_[i],
          it != urls.end() ? it->second : databases_[i]->url(), i % 2 == 0 ? "even" : "odd");
    }
  }

  RunResult Fleet(std::vector<std::string> args) {
    args.insert(args.begin(), {"--targets", "targets.toml"});
    return project_->Strata(args);
  }

  std::unique_ptr<TestProject> project_;
  std::vector<std::unique_ptr<ScratchDatabase>> databases_;
  std::vector<std::string> names_;
};

TEST_P(FleetCliTest, BrokenTargetsAreNamedTheOthersCompleteAndRetryFinishes) {
  CreateFleet(FleetSize(GetParam()));
  if (HasFatalFailure()) return;
  // Target 1 cannot be reached; on target 2 the second migration fails (its table exists).
  WriteTargets({{1, UnreachableUrl(GetParam())}});
  {
    auto conn = databases_[2]->Connect();
    ExecOrFail(*conn, "CREATE TABLE fleet_b (id INTEGER PRIMARY KEY)");
  }
  const auto start = std::chrono::steady_clock::now();
  const RunResult migrate =
      Fleet({"migrate", "--all-targets", "--parallel", "4", "--json", "--junit", "junit.xml"});
  const auto took = std::chrono::steady_clock::now() - start;
  if (FullScale()) {
    std::cerr << "fleet migrate of " << databases_.size()
              << " targets: " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
              << " ms\n";
  }
  EXPECT_EQ(migrate.exit_code, 1) << migrate.all();  // the failed migration is the worst
  const nlohmann::json doc = Document(migrate);
  ASSERT_TRUE(doc.is_object()) << migrate.out;
  EXPECT_EQ(doc["command"], "migrate");
  EXPECT_EQ(WithStatus(doc, "failed"), (std::set<std::string>{names_[1], names_[2]}));
  EXPECT_EQ(WithStatus(doc, "ok").size(), databases_.size() - 2);
  for (const nlohmann::json& t : doc["targets"]) {
    if (t["name"] == names_[1]) {
      EXPECT_EQ(t["exit_code"], 5) << t;
    } else if (t["name"] == names_[2]) {
      EXPECT_EQ(t["exit_code"], 1) << t;
    } else {
      EXPECT_EQ(t["version_after"], "2") << t;
    }
  }
  EXPECT_EQ(doc["summary"]["failed"], 2);
  std::ifstream junit(project_->root() / "junit.xml");
  const std::string xml((std::istreambuf_iterator<char>(junit)), {});
  EXPECT_NE(xml.find(fmt::format("failures=\"2\"")), std::string::npos) << xml;
  const std::size_t failed_case = xml.find(fmt::format("name=\"{}\"", names_[2]));
  EXPECT_LT(failed_case, xml.find("<failure", xml.find("<failure") + 1)) << xml;
  std::ofstream(project_->root() / "results.json") << migrate.out;

  // Fix both faults; --retry-failed runs those two only.
  WriteTargets();
  {
    auto conn = databases_[2]->Connect();
    ExecOrFail(*conn, "DROP TABLE fleet_b");
  }
  const RunResult retry = Fleet({"migrate", "--retry-failed", "results.json", "--json"});
  EXPECT_EQ(retry.exit_code, 0) << retry.all();
  EXPECT_EQ(WithStatus(Document(retry), "ok"), (std::set<std::string>{names_[1], names_[2]}));
  EXPECT_EQ(Statuses(Document(retry)).size(), 2U);

  // Every target at version 2: info, validate and db ping say so.
  const RunResult info = Fleet({"info", "--all-targets", "--parallel", "4"});
  EXPECT_EQ(info.exit_code, 0) << info.all();
  EXPECT_NE(info.out.find(
                fmt::format("{} targets: {} at version 2", databases_.size(), databases_.size())),
            std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find(names_[0] + "  ok  2  "), std::string::npos) << info.out;
  const RunResult validate = Fleet({"validate", "--label", "half=even", "--parallel", "3"});
  EXPECT_EQ(validate.exit_code, 0) << validate.all();
  EXPECT_NE(validate.out.find(fmt::format("{} targets: ", (databases_.size() + 1) / 2)),
            std::string::npos)
      << validate.out;
  const RunResult ping =
      Fleet({"db", "ping", "--target-name", names_[0], "--target-name", names_[3], "--json"});
  EXPECT_EQ(ping.exit_code, 0) << ping.all();
  EXPECT_EQ(WithStatus(Document(ping), "ok"), (std::set<std::string>{names_[0], names_[3]}));
}

TEST_P(FleetCliTest, CanaryMaxFailuresAndShards) {
  CreateFleet(6);
  if (HasFatalFailure()) return;
  // The canary (the first target) is unreachable: nothing else runs.
  WriteTargets({{0, UnreachableUrl(GetParam())}, {3, UnreachableUrl(GetParam())}});
  const RunResult canary = Fleet({"migrate", "--all-targets", "--canary", "1", "--parallel", "3"});
  EXPECT_EQ(canary.exit_code, 5) << canary.all();
  EXPECT_NE(canary.out.find("1 failed (t000: "), std::string::npos) << canary.out;
  EXPECT_NE(canary.out.find("5 not run (a canary failed)"), std::string::npos) << canary.out;

  // --max-failures 1 with one target at a time: the first failure stops scheduling.
  const RunResult limited = Fleet({"migrate", "--all-targets", "--max-failures", "1", "--json"});
  EXPECT_EQ(limited.exit_code, 5) << limited.all();
  EXPECT_EQ(WithStatus(Document(limited), "failed"), (std::set<std::string>{"t000"}));
  EXPECT_EQ(WithStatus(Document(limited), "not_run").size(), 5U);

  // Three shards: every target in exactly one.
  std::multiset<std::string> seen;
  for (int i = 0; i < 3; ++i) {
    const RunResult shard =
        Fleet({"db", "ping", "--all-targets", "--shard", fmt::format("{}/3", i), "--json"});
    for (const auto& [name, status] : Statuses(Document(shard))) seen.insert(name);
  }
  EXPECT_EQ(seen.size(), 6U);
  for (const std::string& name : names_) EXPECT_EQ(seen.count(name), 1U) << name;
}

INSTANTIATE_TEST_SUITE_P(All, FleetCliTest, ::testing::ValuesIn(kAllDialects), DialectParamName);

// Schema per tenant: one PostgreSQL database, a schema per target, each the session's default
// schema; `schema fingerprint` across them names the one that drifted.
TEST(FleetSchemaPerTenantTest, SchemasOfOneDatabaseMigrateAndDriftIsNamed) {
  auto scratch = ScratchDatabase::Create(db::Dialect::kPostgres);
  ASSERT_NE(scratch, nullptr);
  TestProject project("fleet_schemas");
  project.Write("V1__a.sql", "CREATE TABLE fleet_a (id INTEGER PRIMARY KEY);\n");
  project.Write("V2__b.sql", "CREATE TABLE fleet_b (id INTEGER PRIMARY KEY);\n");
  const int size = FullScale() ? 50 : 10;
  std::string config;
  for (int i = 0; i < size; ++i) {
    config +=
        fmt::format("[[targets]]\nurl = \"{}\"\nschema = \"tenant_{:02}\"\n\n", scratch->url(), i);
  }
  project.WriteConfig(config);
  const auto start = std::chrono::steady_clock::now();
  const RunResult migrate = project.Strata({"migrate", "--all-targets", "--parallel", "4"});
  if (FullScale()) {
    std::cerr << "fleet migrate of " << size << " schemas: "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count()
              << " ms\n";
  }
  ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
  auto conn = scratch->Connect();
  EXPECT_EQ(QueryInt(*conn,
                     "SELECT count(*) FROM information_schema.tables WHERE table_name = 'fleet_b' "
                     "AND table_schema LIKE 'tenant_%'"),
            size);
  EXPECT_EQ(QueryInt(*conn,
                     "SELECT count(*) FROM tenant_03.strata_schema_history WHERE script LIKE 'V%'"),
            2);

  ExecOrFail(*conn, "ALTER TABLE tenant_07.fleet_b ADD COLUMN extra INTEGER");
  const RunResult fingerprint =
      project.Strata({"schema", "fingerprint", "--all-targets", "--parallel", "4"});
  EXPECT_EQ(fingerprint.exit_code, 0) << fingerprint.all();
  EXPECT_NE(fingerprint.out.find(fmt::format("{} with fingerprint ", size - 1)), std::string::npos)
      << fingerprint.out;
  EXPECT_NE(fingerprint.out.find("1 with fingerprint "), std::string::npos) << fingerprint.out;
  EXPECT_NE(fingerprint.out.find("(tenant_07)"), std::string::npos) << fingerprint.out;
}

// A project whose strata.toml has `count` schema-per-tenant targets in `scratch`.
void WriteTenants(const TestProject& project, const ScratchDatabase& scratch, int count) {
  std::string config;
  for (int i = 0; i < count; ++i) {
    config +=
        fmt::format("[[targets]]\nurl = \"{}\"\nschema = \"tenant_{}\"\n\n", scratch.url(), i);
  }
  project.WriteConfig(config);
}

// A lock held on one target: that target times out (exit 4), the others complete, and
// --retry-failed completes it once the lock is free.
TEST(FleetLockTest, AHeldLockFailsOnlyItsTarget) {
  auto scratch = ScratchDatabase::Create(db::Dialect::kPostgres);
  ASSERT_NE(scratch, nullptr);
  TestProject project("fleet_lock");
  project.Write("V1__a.sql", "CREATE TABLE fleet_a (id INTEGER PRIMARY KEY);\n");
  WriteTenants(project, *scratch, 3);
  auto holder = scratch->Connect();
  const std::int64_t key =
      migrations::FlywayAdvisoryLockKey("\"tenant_1\".\"strata_schema_history\"");
  ExecOrFail(*holder, fmt::format("SELECT pg_advisory_lock({})", key));
  const RunResult held = project.Strata(
      {"migrate", "--all-targets", "--parallel", "3", "--lock-timeout", "1s", "--json"});
  EXPECT_EQ(held.exit_code, 4) << held.all();
  EXPECT_EQ(WithStatus(Document(held), "failed"), (std::set<std::string>{"tenant_1"}));
  EXPECT_EQ(WithStatus(Document(held), "ok"), (std::set<std::string>{"tenant_0", "tenant_2"}));
  std::ofstream(project.root() / "results.json") << held.out;
  ExecOrFail(*holder, fmt::format("SELECT pg_advisory_unlock({})", key));
  const RunResult retry = project.Strata({"migrate", "--retry-failed", "results.json"});
  EXPECT_EQ(retry.exit_code, 0) << retry.all();
  EXPECT_NE(retry.out.find("1 target: 1 at version 1"), std::string::npos) << retry.out;
}

// MariaDB's GET_LOCK names are the server's: the migration lock is named after the
// database-qualified history table, so a lock held on one database of a server does not stop
// another database's migration (a fleet on one server runs in parallel).
TEST(FleetLockTest, MariaDbLocksArePerDatabase) {
  auto first = ScratchDatabase::Create(db::Dialect::kMariaDb);
  auto second = ScratchDatabase::Create(db::Dialect::kMariaDb);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  TestProject project("fleet_mariadb_lock");
  project.Write("V1__a.sql", "CREATE TABLE fleet_a (id INTEGER PRIMARY KEY);\n");
  std::ofstream(project.root() / "fleet.txt") << first->url() << "\n" << second->url() << "\n";
  auto holder = first->Connect();
  const std::string name = db::ParseUrl(first->url())->database;
  const std::string lock =
      migrations::FlywayNamedLock(fmt::format("`{}`.`strata_schema_history`", name));
  ExecOrFail(*holder, fmt::format("SELECT GET_LOCK('{}', 0)", lock));
  const RunResult held = project.Strata({"migrate", "--targets", "fleet.txt", "--all-targets",
                                         "--parallel", "2", "--lock-timeout", "1s", "--json"});
  EXPECT_EQ(held.exit_code, 4) << held.all();
  EXPECT_EQ(WithStatus(Document(held), "failed"), (std::set<std::string>{name}));
  EXPECT_EQ(WithStatus(Document(held), "ok").size(), 1U) << held.out;
}

// Ctrl-C: the first signal lets the running target finish and starts no other; exit 6.
TEST(FleetSignalTest, TheFirstSignalStopsSchedulingAndRunningTargetsFinish) {
  auto scratch = ScratchDatabase::Create(db::Dialect::kPostgres);
  ASSERT_NE(scratch, nullptr);
  TestProject project("fleet_signal");
  project.Write("V1__slow.sql", "SELECT pg_sleep(1.5);\nCREATE TABLE fleet_a (id INTEGER);\n");
  WriteTenants(project, *scratch, 3);
  RunOptions options;
  options.cwd = project.root().string();
  const int pid = SpawnStrata({"migrate", "--all-targets", "--junit", "junit.xml"}, options);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  EXPECT_EQ(WaitStrata(pid), 6);
  auto conn = scratch->Connect();
  EXPECT_EQ(QueryInt(*conn,
                     "SELECT count(*) FROM information_schema.tables WHERE table_name = "
                     "'fleet_a'"),
            1);  // tenant_0 finished; the others never started
  std::ifstream junit(project.root() / "junit.xml");
  const std::string xml((std::istreambuf_iterator<char>(junit)), {});
  EXPECT_NE(xml.find("failures=\"0\" errors=\"0\" skipped=\"2\""), std::string::npos) << xml;
}

// A backfill command across a fleet of SQLite files: each target answers for itself.
TEST(FleetBackfillTest, BackfillStatusRunsOnEveryTarget) {
  TestProject project("fleet_backfill");
  std::vector<std::unique_ptr<ScratchDatabase>> files;
  std::string list = "# one URL a line\n";
  for (int i = 0; i < 4; ++i) {
    files.push_back(ScratchDatabase::Create(db::Dialect::kSqlite));
    list += files.back()->url() + "\n";
  }
  std::ofstream(project.root() / "fleet.txt") << list;
  const RunResult status =
      project.Strata({"backfill", "status", "--targets", "fleet.txt", "--all-targets", "--json"});
  EXPECT_EQ(status.exit_code, 0) << status.all();
  const nlohmann::json doc = Document(status);
  EXPECT_EQ(WithStatus(doc, "ok").size(), 4U) << status.out;
  EXPECT_EQ(doc["command"], "backfill status");
}

// `count` SQLite files, listed one URL a line in the project's fleet.txt.
std::vector<std::unique_ptr<ScratchDatabase>> SqliteFleet(const TestProject& project, int count) {
  std::vector<std::unique_ptr<ScratchDatabase>> files;
  std::string list;
  for (int i = 0; i < count; ++i) {
    files.push_back(ScratchDatabase::Create(db::Dialect::kSqlite));
    list += files.back()->url() + "\n";
  }
  std::ofstream(project.root() / "fleet.txt") << list;
  return files;
}

// baseline, undo, repair and schema verify through the same generic runner.
TEST(FleetCommandsTest, LifecycleAndSchemaCommandsRunOnAFleet) {
  TestProject project("fleet_commands");
  project.Write("V1__a.sql", "CREATE TABLE fleet_a (id INTEGER PRIMARY KEY);\n");
  project.Write("V2__b.sql", "CREATE TABLE fleet_b (id INTEGER PRIMARY KEY);\n");
  project.Write("U2__b.sql", "DROP TABLE fleet_b;\n");
  const std::vector<std::unique_ptr<ScratchDatabase>> files = SqliteFleet(project, 3);
  const auto fleet = [&](std::vector<std::string> args) {
    args.insert(args.end(), {"--targets", "fleet.txt", "--all-targets"});
    return project.Strata(args);
  };
  const RunResult baseline = fleet({"baseline", "--baseline-version", "1"});
  EXPECT_EQ(baseline.exit_code, 0) << baseline.all();
  EXPECT_NE(baseline.out.find("3 targets: 3 at version 1"), std::string::npos) << baseline.out;
  const RunResult migrate = fleet({"migrate"});
  EXPECT_NE(migrate.out.find("3 targets: 3 at version 2"), std::string::npos) << migrate.all();
  const RunResult undo = fleet({"undo"});
  EXPECT_EQ(undo.exit_code, 0) << undo.all();
  EXPECT_NE(undo.out.find("3 targets: 3 at version 1"), std::string::npos) << undo.out;
  EXPECT_EQ(fleet({"repair"}).exit_code, 0);
  const RunResult dump =
      project.Strata({"--url", files[0]->url(), "schema", "dump", "--output", "app.schema"});
  ASSERT_EQ(dump.exit_code, 0) << dump.all();
  EXPECT_EQ(fleet({"schema", "verify", "--expected", "app.schema"}).exit_code, 0);
  auto conn = files[1]->Connect();
  ExecOrFail(*conn, "CREATE TABLE drifted (id INTEGER)");
  const RunResult verify = fleet({"schema", "verify", "--expected", "app.schema", "--json"});
  EXPECT_EQ(verify.exit_code, 3) << verify.all();
  EXPECT_EQ(WithStatus(Document(verify), "failed").size(), 1U) << verify.out;

  // schema diff compares every target with one reference: the drifted one is named.
  const RunResult diff = fleet({"schema", "diff", "--to", files[0]->url(), "--json"});
  EXPECT_EQ(diff.exit_code, 3) << diff.all();
  EXPECT_EQ(WithStatus(Document(diff), "failed").size(), 1U) << diff.out;
  EXPECT_EQ(WithStatus(Document(diff), "ok").size(), 2U) << diff.out;
  const RunResult two =
      fleet({"schema", "diff", "--url", files[0]->url(), "--to", files[1]->url()});
  EXPECT_EQ(two.exit_code, 2) << two.all();
  EXPECT_NE(two.out.find("3 failed (" + std::string(Document(verify)["targets"][0]["name"]) + ", "),
            std::string::npos)
      << two.out;
}

// A file a command writes (--dry-run-output) on a fleet: one per target with {target} in the
// path; without it, one usage error naming the flag and the placeholder, and nothing written.
TEST(FleetFileOutputTest, DryRunOutputNeedsATargetPlaceholder) {
  TestProject project("fleet_files");
  project.Write("V1__a.sql", "CREATE TABLE fleet_a (id INTEGER PRIMARY KEY);\n");
  const std::vector<std::unique_ptr<ScratchDatabase>> files = SqliteFleet(project, 3);
  fs::create_directories(project.root() / "out");
  for (const char* command : {"migrate", "baseline", "undo", "repair"}) {
    const RunResult refused = project.Strata(
        {command, "--targets", "fleet.txt", "--all-targets", "--dry-run-output", "out/all.sql"});
    EXPECT_EQ(refused.exit_code, 2) << command << ": " << refused.all();
    EXPECT_NE(refused.err.find("--dry-run-output out/all.sql: every target of the fleet would "
                               "write this one file; put {target} in the path"),
              std::string::npos)
        << refused.err;
    EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
  }
  EXPECT_TRUE(fs::is_empty(project.root() / "out"));

  const RunResult each = project.Strata({"migrate", "--targets", "fleet.txt", "--all-targets",
                                         "--dry-run-output", "out/{target}.sql", "--json"});
  ASSERT_EQ(each.exit_code, 0) << each.all();
  for (const nlohmann::json& t : Document(each)["targets"]) {
    const std::string name = t["name"];
    const fs::path file = project.root() / "out" / (name + ".sql");
    EXPECT_EQ(t["result"]["dry_run_output"], "out/" + name + ".sql") << t;
    std::ifstream in(file);
    const std::string sql((std::istreambuf_iterator<char>(in)), {});
    // Each file is its own target's dry run.
    EXPECT_NE(sql.find(name + ".db (sqlite)"), std::string::npos) << file << ": " << sql;
    EXPECT_NE(sql.find("CREATE TABLE fleet_a"), std::string::npos) << sql;
  }
  EXPECT_EQ(std::distance(fs::directory_iterator(project.root() / "out"), {}), 3);
  // The summary says where the targets would be, not that they are there.
  const RunResult lines = project.Strata({"migrate", "--targets", "fleet.txt", "--all-targets",
                                          "--dry-run-output", "out/{target}.sql"});
  EXPECT_NE(lines.out.find("(dry run: nothing applied)"), std::string::npos) << lines.out;
  EXPECT_NE(lines.out.find("3 targets: 3 would reach version 1"), std::string::npos) << lines.out;
  // Nothing was applied.
  auto conn = files[1]->Connect();
  EXPECT_EQ(QueryInt(*conn, "SELECT count(*) FROM sqlite_master WHERE name = 'fleet_a'"), 0);
}

// Bad input: one line naming the file, line and target; refused combinations.
TEST(FleetUsageTest, BadTargetsAndFlagsAreUsageErrors) {
  TestProject project("fleet_usage");
  std::ofstream(project.root() / "bad.toml")
      << "[[targets]]\nname = \"good\"\nurl = \"sqlite:a.db\"\n\n[[targets]]\nname = "
         "\"broken\"\nurl = \"postgresql://u:Pass-Word-1@h:notaport/x\"\n";
  const RunResult bad = project.Strata({"info", "--targets", "bad.toml", "--all-targets"});
  EXPECT_EQ(bad.exit_code, 2) << bad.all();
  EXPECT_NE(bad.err.find("bad.toml:5: target 'broken'"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.all().find("Pass-Word-1"), std::string::npos) << bad.all();

  std::ofstream(project.root() / "ok.txt") << "sqlite:a.db\n";
  EXPECT_EQ(project.Strata({"info", "--parallel", "2"}).exit_code, 2);
  EXPECT_EQ(project.Strata({"info", "--targets", "ok.txt", "--all-targets", "--url", "sqlite:b.db"})
                .exit_code,
            2);
  const RunResult lint = project.Strata({"lint", "--targets", "ok.txt", "--all-targets"});
  EXPECT_EQ(lint.exit_code, 2) << lint.all();
  EXPECT_NE(lint.err.find("does not run on a fleet"), std::string::npos) << lint.err;
  EXPECT_EQ(project.Strata({"info", "--targets", "ok.txt", "--target-name", "nope"}).exit_code, 2);
  EXPECT_EQ(
      project.Strata({"info", "--targets", "ok.txt", "--all-targets", "--shard", "3/3"}).exit_code,
      2);
}

}  // namespace
}  // namespace strata::testing
