// `strata backfill run | status | pause | resume | cancel | redrive` across a fleet of
// PostgreSQL databases (docs/fleets.md): strata plus the test-copy job, real processes. A run
// completes on every target while an unreachable one is named in the results, and a rerun
// writes nothing; a run left unfinished everywhere is paused, shown paused, resumed and
// finished across the fleet; every --json document matches fleet.schema.json.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "tests/support/copy_job_tables.h"
#include "tests/support/json_contract.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

nlohmann::json Document(const RunResult& r) {
  std::string last = r.out;
  while (!last.empty() && last.back() == '\n') last.pop_back();
  return nlohmann::json::parse(last.substr(last.rfind('\n') + 1), nullptr, false);
}

// name -> the value at `pointer` in each target's entry ("/status", "/result/runs/0/state").
std::map<std::string, nlohmann::json> PerTarget(const nlohmann::json& doc,
                                                const std::string& pointer) {
  std::map<std::string, nlohmann::json> values;
  if (!doc.is_object() || !doc.contains("targets")) return values;
  for (const nlohmann::json& t : doc["targets"]) {
    const nlohmann::json::json_pointer p(pointer);
    values[t["name"]] = t.contains(p) ? t[p] : nlohmann::json(nullptr);
  }
  return values;
}

std::set<std::string> WithStatus(const nlohmann::json& doc, const std::string& status) {
  std::set<std::string> names;
  for (const auto& [name, s] : PerTarget(doc, "/status")) {
    if (s == status) names.insert(name);
  }
  return names;
}

class FleetBackfillCliTest : public ::testing::Test {
 protected:
  static constexpr int kTargets = 3;
  static constexpr int kRows = 60;

  void SetUp() override {
    project_ = std::make_unique<TestProject>("fleet_backfill");
    for (int i = 0; i < kTargets; ++i) {
      databases_.push_back(ScratchDatabase::Create(db::Dialect::kPostgres));
      ASSERT_NE(databases_.back(), nullptr);
      auto conn = databases_.back()->Connect();
      ExecOrFail(*conn, CopyJobTablesSql(db::Dialect::kPostgres));
      names_.push_back(fmt::format("tenant_{}", i));
    }
    WriteTargets(false);
  }

  // targets.toml naming every database, and an unreachable one when `broken`.
  void WriteTargets(bool broken) const {
    std::ofstream out(project_->root() / "targets.toml");
    for (int i = 0; i < kTargets; ++i) {
      out << fmt::format("[[targets]]\nname = \"{}\"\nurl = \"{}\"\n\n", names_[i],
                         databases_[i]->url());
    }
    if (broken) {
      out << "[[targets]]\nname = \"unreachable\"\nurl = \"postgresql://postgres@127.0.0.1:1/x\"\n";
    }
  }

  // Seeds every target's bf_source; the ids in `bad` get a value bf_target refuses.
  void Seed(const std::set<int>& bad = {}) const {
    for (const auto& database : databases_) {
      auto conn = database->Connect();
      ExecOrFail(*conn, CopyJobSeedSql(kRows, 1, bad));
    }
  }

  std::int64_t Mismatches(int target) const {
    auto conn = databases_[static_cast<std::size_t>(target)]->Connect();
    return QueryInt(*conn, kCopyJobMismatchesSql);
  }

  // `strata backfill ARGS... test-copy --targets targets.toml --all-targets --parallel 3
  // --json`, its stdout kept for the schema check.
  RunResult Backfill(const std::string& verb, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "backfill",      verb,         "test-copy", "--targets", "targets.toml",
        "--all-targets", "--parallel", "3",         "--json"};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = project_->Strata(args);
    runs_.push_back({{"case", "fleet backfill " + verb + " " + std::to_string(runs_.size())},
                     {"exit_code", r.exit_code},
                     {"stdout", r.out}});
    return r;
  }

  // Every fleet document so far against docs/json-schema (tests/cli/check_json_contract.py).
  void CheckAgainstSchemas() const {
    const auto [status, output] = CheckJsonContract(project_->root(), runs_);
    EXPECT_EQ(status, 0) << output;
    EXPECT_NE(output.find(fmt::format("checked {} runs", runs_.size())), std::string::npos)
        << output;
  }

  std::unique_ptr<TestProject> project_;
  std::vector<std::unique_ptr<ScratchDatabase>> databases_;
  std::vector<std::string> names_;
  std::vector<nlohmann::json> runs_;
};

TEST_F(FleetBackfillCliTest, RunCompletesOnEveryReachableTargetAndARerunWritesNothing) {
  if (HasFatalFailure()) return;
  Seed();
  // One target cannot be reached: it is named, the others complete.
  WriteTargets(true);
  const RunResult run = Backfill("run");
  EXPECT_EQ(run.exit_code, 5) << run.all();
  const nlohmann::json doc = Document(run);
  EXPECT_EQ(doc["command"], "backfill run");
  EXPECT_EQ(WithStatus(doc, "failed"), std::set<std::string>{"unreachable"}) << run.out;
  EXPECT_EQ(WithStatus(doc, "ok").size(), static_cast<std::size_t>(kTargets)) << run.out;
  EXPECT_NE(doc["summary"]["text"].get<std::string>().find("1 failed (unreachable: "),
            std::string::npos)
      << doc["summary"];
  for (const auto& [name, rows] : PerTarget(doc, "/result/rows_written")) {
    if (name != "unreachable") {
      EXPECT_EQ(rows, kRows) << name;
    }
  }
  for (int i = 0; i < kTargets; ++i) EXPECT_EQ(Mismatches(i), 0) << names_[i];

  // Without --json: a line per target, the broken one named with its exit code.
  const RunResult human = project_->Strata(
      {"backfill", "status", "test-copy", "--targets", "targets.toml", "--all-targets"});
  EXPECT_EQ(human.exit_code, 5) << human.all();
  EXPECT_NE(human.out.find("unreachable  failed"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("exit 5: "), std::string::npos) << human.out;
  EXPECT_NE(human.out.find(fmt::format("{} targets: {} ok, 1 failed", kTargets + 1, kTargets)),
            std::string::npos)
      << human.out;

  // The job is done everywhere: a rerun starts run 2 on each target and writes nothing.
  WriteTargets(false);
  const RunResult again = Backfill("run");
  ASSERT_EQ(again.exit_code, 0) << again.all();
  for (const auto& [name, rows] : PerTarget(Document(again), "/result/rows_written")) {
    EXPECT_EQ(rows, 0) << name;
  }
  for (const auto& [name, run_no] : PerTarget(Document(again), "/result/run_no")) {
    EXPECT_EQ(run_no, 2) << name;
  }
  CheckAgainstSchemas();
}

TEST_F(FleetBackfillCliTest, AnUnfinishedRunIsPausedResumedAndFinishedAcrossTheFleet) {
  if (HasFatalFailure()) return;
  // Row 7 breaks bf_target's CHECK: its chunk is parked as failed on every target, and the run
  // stays unfinished.
  Seed({7});
  const RunResult failing = Backfill("run", {"--max-attempts", "1"});
  EXPECT_EQ(failing.exit_code, 1) << failing.all();
  EXPECT_EQ(WithStatus(Document(failing), "failed").size(), static_cast<std::size_t>(kTargets))
      << failing.out;
  for (int i = 0; i < kTargets; ++i) {
    auto conn = databases_[static_cast<std::size_t>(i)]->Connect();
    ExecOrFail(*conn, "UPDATE bf_source SET val = 70 WHERE id = 7");
  }
  const RunResult redrive = Backfill("redrive");
  ASSERT_EQ(redrive.exit_code, 0) << redrive.all();

  // Paused everywhere; status says so on every target; a run refuses to go on.
  const RunResult pause = Backfill("pause");
  ASSERT_EQ(pause.exit_code, 0) << pause.all();
  const RunResult status = Backfill("status");
  ASSERT_EQ(status.exit_code, 0) << status.all();
  const auto states = PerTarget(Document(status), "/result/runs/0/state");
  ASSERT_EQ(states.size(), static_cast<std::size_t>(kTargets)) << status.out;
  for (const auto& [name, state] : states) EXPECT_EQ(state, "paused") << name << status.out;
  const RunResult held = Backfill("run");
  EXPECT_EQ(held.exit_code, 2) << held.all();
  EXPECT_EQ(WithStatus(Document(held), "failed").size(), static_cast<std::size_t>(kTargets));

  // Resumed everywhere, the run finishes every target's copy.
  const RunResult resume = Backfill("resume");
  ASSERT_EQ(resume.exit_code, 0) << resume.all();
  const RunResult finish = Backfill("run");
  ASSERT_EQ(finish.exit_code, 0) << finish.all();
  for (const auto& [name, run_no] : PerTarget(Document(finish), "/result/run_no")) {
    EXPECT_EQ(run_no, 1) << name;
  }
  for (int i = 0; i < kTargets; ++i) EXPECT_EQ(Mismatches(i), 0) << names_[i];

  // Nothing left to cancel: every target says so (exit 2), none is changed.
  const RunResult cancel = Backfill("cancel");
  EXPECT_EQ(cancel.exit_code, 2) << cancel.all();
  EXPECT_EQ(WithStatus(Document(cancel), "failed").size(), static_cast<std::size_t>(kTargets));
  CheckAgainstSchemas();
}

}  // namespace
}  // namespace strata::testing
