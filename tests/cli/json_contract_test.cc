// The JSON contract (docs/json.md): every command run with --json, on each engine, in success,
// usage-error, validation-failure and runtime-failure cases, its stdout checked against the
// JSON Schemas in docs/json-schema by tests/cli/check_json_contract.py (one python process for
// all the runs of an engine). The cases share one project and one scratch database, in order,
// so that the whole table costs a few seconds per engine.
#include "tests/support/json_contract.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/copy_job_tables.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

// What a case expects of the exit code.
enum class Outcome {
  kOk,          // 0
  kUsage,       // 2: bad command line, configuration or input
  kValidation,  // 3
  kFailure,     // any other failure: 1, 5, ...
};

bool Matches(Outcome outcome, int exit_code) {
  switch (outcome) {
    case Outcome::kOk:
      return exit_code == 0;
    case Outcome::kUsage:
      return exit_code == 2;
    case Outcome::kValidation:
      return exit_code == 3;
    case Outcome::kFailure:
      return exit_code != 0 && exit_code != 2 && exit_code != 3;
  }
  return false;
}

// A URL of this engine that cannot be reached (nothing listens on port 1; no such directory).
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

class JsonContractTest : public ScratchDatabaseTest {
 protected:
  void SetUp() override {
    ScratchDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    Exec(CopyJobTablesSql(GetParam()));
    Exec(CopyJobSeedSql(30, 1, {5}));
    project_ = std::make_unique<TestProject>("json_contract");
    project_->Write("V1__a.sql", "CREATE TABLE json_a (id INTEGER PRIMARY KEY);\n");
    project_->Write("V2__b.sql", "CREATE TABLE json_b (id INTEGER PRIMARY KEY);\n");
    project_->Write("U2__b.sql", "DROP TABLE json_b;\n");
    fs::create_directories(project_->root() / "sums");
    std::ofstream(project_->root() / "sums" / "V1__s.sql") << "SELECT 1;\n";
  }

  // Runs `strata --json ARGS... --url <url>` (no --url when `url` is empty), checks the exit
  // code and keeps stdout for the schema check. Returns the last line of stdout, parsed.
  nlohmann::json Run(const std::string& name, Outcome outcome, std::vector<std::string> args,
                     const std::string& url) {
    args.insert(args.begin(), "--json");
    if (!url.empty()) {
      args.emplace_back("--url");
      args.push_back(url);
    }
    const RunResult r = project_->Strata(args);
    EXPECT_TRUE(Matches(outcome, r.exit_code)) << name << ": exit " << r.exit_code << "\n"
                                               << r.out << r.err;
    runs_.push_back({{"case", name}, {"exit_code", r.exit_code}, {"stdout", r.out}});
    std::string last = r.out;
    while (!last.empty() && last.back() == '\n') last.pop_back();
    return nlohmann::json::parse(last.substr(last.rfind('\n') + 1), nullptr, false);
  }
  nlohmann::json Run(const std::string& name, Outcome outcome, std::vector<std::string> args) {
    return Run(name, outcome, std::move(args), scratch_->url());
  }

  // Every run so far against the schemas, in one python process.
  void CheckAgainstSchemas() {
    const auto [status, output] = CheckJsonContract(project_->root(), runs_);
    EXPECT_EQ(status, 0) << output;
    EXPECT_NE(output.find("checked " + std::to_string(runs_.size()) + " runs"), std::string::npos)
        << output;
    EXPECT_EQ(output.find("no run used"), std::string::npos)
        << "a schema no case checks: " << output;
  }

  std::unique_ptr<TestProject> project_;
  std::vector<nlohmann::json> runs_;
};

// The table: usage errors (no database contacted), runtime failures (nothing answers at the
// URL), then success and validation failures of each command on the scratch database.
TEST_P(JsonContractTest, EveryCommandInEveryOutcomeMatchesItsSchema) {
  const std::string unreachable = UnreachableUrl(dialect());
  const std::vector<std::vector<std::string>> commands = {{"migrate"},
                                                          {"info"},
                                                          {"validate"},
                                                          {"baseline"},
                                                          {"repair"},
                                                          {"clean"},
                                                          {"undo"},
                                                          {"sum"},
                                                          {"schema", "dump"},
                                                          {"schema", "fingerprint"},
                                                          {"schema", "verify", "--expected", "x"},
                                                          {"schema", "diff"},
                                                          {"db", "ping"},
                                                          {"backfill", "list"},
                                                          {"backfill", "plan", "test-copy"},
                                                          {"backfill", "run", "test-copy"},
                                                          {"backfill", "status"},
                                                          {"backfill", "pause", "test-copy"},
                                                          {"backfill", "resume", "test-copy"},
                                                          {"backfill", "cancel", "test-copy"},
                                                          {"backfill", "redrive", "test-copy"},
                                                          {"verify-undo"}};

  // Usage errors: the command line itself (bug 1: these printed nothing on stdout).
  Run("unknown command", Outcome::kUsage, {"migrat"}, "");
  Run("unknown subcommand", Outcome::kUsage, {"db", "pnig"}, "");
  Run("group without subcommand", Outcome::kUsage, {"schema"}, "");
  for (const auto& command : commands) {
    std::vector<std::string> args = command;
    args.emplace_back("--bogus");
    const nlohmann::json doc = Run(args[0] + " --bogus", Outcome::kUsage, args, "");
    EXPECT_EQ(doc["error"]["kind"], "usage") << doc;
  }
  Run("version", Outcome::kOk, {"--version"}, "");

  // Runtime failures: nothing answers at the URL.
  for (const auto& command : commands) {
    if (command[0] == "sum" || command == std::vector<std::string>{"backfill", "list"}) continue;
    std::vector<std::string> args = command;
    if (command[0] == "schema" && command[1] == "verify") args.back() = "/dev/null";
    if (command[0] == "schema" && command[1] == "diff") args.push_back("--to=" + unreachable);
    if (command[0] == "clean") continue;  // refused before it connects: below
    Run(args[0] + " unreachable", Outcome::kFailure, args, unreachable);
  }

  // The offline commands.
  Run("sum", Outcome::kOk, {"sum", "--locations", "sums"}, "");
  Run("sum --check", Outcome::kOk, {"sum", "--check", "--locations", "sums"}, "");
  std::ofstream(project_->root() / "sums" / "V1__s.sql") << "SELECT 2;\n";
  Run("sum --check edited", Outcome::kValidation, {"sum", "--check", "--locations", "sums"}, "");
  Run("sum --check no strata.sum", Outcome::kValidation,
      {"sum", "--check", "--locations", "nowhere"}, "");
  Run("backfill list", Outcome::kOk, {"backfill", "list"}, "");

  // The migration commands on the scratch database.
  Run("db ping", Outcome::kOk, {"db", "ping"});
  Run("baseline --dry-run", Outcome::kOk, {"baseline", "--dry-run"});
  Run("migrate --dry-run", Outcome::kOk, {"migrate", "--dry-run"});
  Run("migrate", Outcome::kOk, {"migrate"});
  Run("migrate up to date", Outcome::kOk, {"migrate"});
  Run("migrate bad lock timeout", Outcome::kUsage, {"migrate", "--lock-timeout", "soon"});
  Run("baseline non-empty", Outcome::kValidation, {"baseline"});
  Run("info", Outcome::kOk, {"info"});
  Run("validate", Outcome::kOk, {"validate"});
  // A fleet (docs/fleets.md): one document for every target, fleet.schema.json.
  std::ofstream(project_->root() / "fleet.toml")
      << "[[targets]]\nname = \"good\"\nurl = \"" << scratch_->url()
      << "\"\n\n[[targets]]\nname = \"down\"\nurl = \"" << unreachable << "\"\n";
  Run("fleet info", Outcome::kOk, {"info", "--targets", "fleet.toml", "--target-name", "good"}, "");
  Run("fleet migrate one unreachable", Outcome::kFailure,
      {"migrate", "--targets", "fleet.toml", "--all-targets", "--parallel", "2"}, "");
  Run("undo --dry-run", Outcome::kOk, {"undo", "--dry-run"});
  Run("undo", Outcome::kOk, {"undo"});
  Run("undo bad target", Outcome::kUsage, {"undo", "--target", "x.y"});
  Run("schema dump", Outcome::kOk, {"schema", "dump", "--output", "app.schema"});
  Run("schema fingerprint", Outcome::kOk, {"schema", "fingerprint"});
  Run("schema verify", Outcome::kOk, {"schema", "verify", "--expected", "app.schema"});
  Run("schema verify missing file", Outcome::kUsage,
      {"schema", "verify", "--expected", "missing.schema"});
  Run("schema diff", Outcome::kOk, {"schema", "diff", "--to", scratch_->url()});
  Run("schema diff one side", Outcome::kUsage, {"schema", "diff"}, "");

  // Bug 2: V3 applied, V4 failed: the failure document still lists V3.
  project_->Write("V3__c.sql", "CREATE TABLE json_c (id INTEGER PRIMARY KEY);\n");
  project_->Write("V4__d.sql", "INSERT INTO no_such_table VALUES (1);\n");
  const nlohmann::json failed = Run("migrate failing", Outcome::kFailure, {"migrate"});
  ASSERT_TRUE(failed.contains("applied")) << failed;
  ASSERT_EQ(failed["applied"].size(), 2u) << failed;  // V2 again (undone above), then V3
  EXPECT_EQ(failed["applied"][1]["version"], "3") << failed;
  EXPECT_EQ(failed["error"]["file"].get<std::string>().find("V4__d.sql") != std::string::npos, true)
      << failed;
  fs::remove(project_->root() / "migrations" / "V4__d.sql");

  // Validation failures.
  Run("schema verify differs", Outcome::kValidation,
      {"schema", "verify", "--expected", "app.schema"});
  project_->Write("V1__a.sql", "CREATE TABLE json_a (id INTEGER PRIMARY KEY, x INTEGER);\n");
  const nlohmann::json validate = Run("validate edited", Outcome::kValidation, {"validate"});
  ASSERT_FALSE(validate["problems"].empty()) << validate;
  EXPECT_EQ(validate["problems"][0]["kind"], "checksum_mismatch") << validate;
  EXPECT_EQ(validate["problems"][0]["version"], "1") << validate;
  EXPECT_EQ(validate["problems"][0]["script"], "V1__a.sql") << validate;
  const nlohmann::json info = Run("info edited", Outcome::kOk, {"info"});
  EXPECT_EQ(info["migrations"][0]["checksum_match"], false) << info;
  // Bug 9: the history table by its name, not as SQL.
  const nlohmann::json repair = Run("repair", Outcome::kOk, {"repair"});
  EXPECT_EQ(repair["history_table"], "strata_schema_history") << repair;
  Run("repair --dry-run", Outcome::kOk, {"repair", "--dry-run"});

  // Backfill: key 5 cannot be copied (bf_target's CHECK), so the run fails, which leaves a run
  // for the transitions to succeed on.
  Run("backfill plan", Outcome::kOk, {"backfill", "plan", "test-copy"});
  Run("backfill plan unknown job", Outcome::kUsage, {"backfill", "plan", "no-such-job"});
  Run("backfill run --dry-run", Outcome::kOk, {"backfill", "run", "test-copy", "--dry-run"});
  const nlohmann::json run = Run("backfill run failing", Outcome::kFailure,
                                 {"backfill", "run", "test-copy", "--max-attempts", "1"});
  EXPECT_EQ(run["outcome"], "failed") << run;
  Run("backfill status", Outcome::kOk, {"backfill", "status"});
  Run("backfill redrive", Outcome::kOk, {"backfill", "redrive", "test-copy"});
  Run("backfill pause", Outcome::kOk, {"backfill", "pause", "test-copy"});
  Run("backfill resume", Outcome::kOk, {"backfill", "resume", "test-copy"});
  Run("backfill cancel", Outcome::kOk, {"backfill", "cancel", "test-copy"});
  Run("backfill pause cancelled", Outcome::kUsage, {"backfill", "pause", "test-copy"});
  Run("backfill redrive cancelled", Outcome::kUsage, {"backfill", "redrive", "test-copy"});

  // verify-undo: refused on this database (it is not empty), then forced: versions 1 and 3 are
  // applied already (skipped), version 2 (undone above, then applied again) has a U script.
  Run("verify-undo not empty", Outcome::kUsage, {"verify-undo"});
  Run("verify-undo bad --from", Outcome::kUsage, {"verify-undo", "--from", "x.y"});
  const nlohmann::json verified =
      Run("verify-undo --force", Outcome::kOk, {"verify-undo", "--force", "--to", "1"});
  EXPECT_EQ(verified["migrations"][0]["check"], "skipped") << verified;

  // A configuration error, then clean: refused, then allowed.
  project_->WriteConfig("no_such_key = 1\n");
  Run("bad strata.toml", Outcome::kUsage, {"info"});
  project_->WriteConfig("");
  Run("clean disabled", Outcome::kUsage, {"clean"});
  project_->WriteConfig("clean_disabled = false\n");
  Run("clean --dry-run", Outcome::kOk, {"clean", "--dry-run"});
  Run("clean", Outcome::kOk, {"clean"});
  // The database is empty now. No U1 (no_undo); U3 forgets to drop json_c (not_restored, and
  // applying V3 again then fails).
  project_->Write("U3__c.sql", "SELECT 1;\n");
  const nlohmann::json undo_problems =
      Run("verify-undo problems", Outcome::kValidation, {"verify-undo"});
  ASSERT_EQ(undo_problems["migrations"].size(), 3u) << undo_problems;
  EXPECT_EQ(undo_problems["migrations"][0]["check"], "no_undo") << undo_problems;
  EXPECT_EQ(undo_problems["migrations"][1]["check"], "ok") << undo_problems;
  EXPECT_EQ(undo_problems["migrations"][2]["check"], "not_restored") << undo_problems;

  CheckAgainstSchemas();
}

INSTANTIATE_TEST_SUITE_P(All, JsonContractTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

}  // namespace
}  // namespace strata::testing
