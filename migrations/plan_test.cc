#include "migrations/plan.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace strata::migrations {
namespace {

// ----- Building inputs -------------------------------------------------------------------------

Version V(const std::string& text) { return *Version::Parse(text); }

ResolvedMigration File(MigrationKind kind, std::optional<std::string> version,
                       const std::string& description, std::int32_t checksum) {
  static constexpr std::string_view kPrefix[] = {"V", "V", "R", "U", "B"};
  ResolvedMigration m;
  m.kind = kind;
  if (version) m.version = V(*version);
  m.description = description;
  std::string name = description;
  for (char& c : name) c = c == ' ' ? '_' : c;
  m.script = std::string(kPrefix[static_cast<int>(kind)]) + version.value_or("") + "__" + name +
             (kind == MigrationKind::kJob ? ".job" : ".sql");
  m.path = "/migrations/" + m.script;
  m.checksum = checksum;
  return m;
}

ResolvedMigration Versioned(const std::string& version, const std::string& description,
                            std::int32_t checksum = 1) {
  return File(MigrationKind::kVersioned, version, description, checksum);
}
ResolvedMigration Job(const std::string& version, const std::string& description,
                      std::int32_t checksum = 1) {
  return File(MigrationKind::kJob, version, description, checksum);
}
ResolvedMigration Repeatable(const std::string& description, std::int32_t checksum = 1) {
  return File(MigrationKind::kRepeatable, std::nullopt, description, checksum);
}
ResolvedMigration Undo(const std::string& version, const std::string& description,
                       std::int32_t checksum = 1) {
  return File(MigrationKind::kUndo, version, description, checksum);
}
ResolvedMigration BaselineFile(const std::string& version, const std::string& description,
                               std::int32_t checksum = 1) {
  return File(MigrationKind::kBaseline, version, description, checksum);
}

// A history row as strata or Flyway would have written it for `file`.
HistoryRow RowFor(std::int32_t rank, const ResolvedMigration& file, bool success = true) {
  HistoryRow row;
  row.installed_rank = rank;
  row.version = file.version;
  row.description = file.description;
  row.type = file.type();
  row.script = file.script;
  row.checksum = file.checksum;
  row.installed_by = "app";
  row.installed_on = "2024-05-01 12:00:00";
  row.execution_time = 5;
  row.success = success;
  return row;
}

HistoryRow MarkerRow(std::int32_t rank, MigrationType type, std::optional<std::string> version,
                     const std::string& description) {
  HistoryRow row;
  row.installed_rank = rank;
  if (version) row.version = V(*version);
  row.description = description;
  row.type = type;
  row.script = description;
  row.success = true;
  return row;
}

PlanOptions Options() { return PlanOptions{}; }

PlanOptions IgnoringPending() {
  PlanOptions options;
  options.ignore_migration_patterns = *IgnorePattern::ParseList("*:future,*:pending");
  return options;
}

Plan MakeOk(const std::vector<ResolvedMigration>& files, const std::vector<HistoryRow>& rows,
            const PlanOptions& options = Options()) {
  auto plan = MakePlan(files, rows, options);
  EXPECT_TRUE(plan) << plan.error().message;
  return plan ? std::move(*plan) : Plan{};
}

// "<version or description>=<state>" for every entry, in order: one readable assertion per plan.
std::vector<std::string> States(const Plan& plan) {
  std::vector<std::string> states;
  for (const PlanEntry& e : plan.entries) {
    const std::string id = e.version() ? e.version()->ToString() : "R:" + e.description();
    states.push_back(id + "=" + std::string(MigrationStateName(e.state)));
  }
  return states;
}

std::vector<std::string> ToApply(const Plan& plan) {
  std::vector<std::string> scripts;
  for (std::size_t i : plan.to_apply) scripts.push_back(plan.entries[i].resolved->script);
  return scripts;
}

std::vector<std::string> Problems(const Plan& plan) {
  std::vector<std::string> problems;
  for (const ValidationProblem& p : plan.problems) {
    problems.push_back(std::string(ProblemKindName(p.kind)) + ": " + p.message);
  }
  return problems;
}

using Strings = std::vector<std::string>;

// ----- Pending, success, current version ---------------------------------------------------------

TEST(PlanTest, NothingAtAll) {
  const Plan plan = MakeOk({}, {});
  EXPECT_TRUE(plan.entries.empty());
  EXPECT_TRUE(plan.to_apply.empty());
  EXPECT_TRUE(plan.problems.empty());
  EXPECT_FALSE(plan.current_version);
}

TEST(PlanTest, NewDatabaseHasEverythingPendingVersionedFirstThenRepeatablesByDescription) {
  const Plan plan = MakeOk({Repeatable("views"), Versioned("1.10", "c"), Repeatable("alpha"),
                            Versioned("1.9", "b"), Job("2", "backfill"), Versioned("1", "a")},
                           {});
  EXPECT_EQ(States(plan), (Strings{"1=Pending", "1.9=Pending", "1.10=Pending", "2=Pending",
                                   "R:alpha=Pending", "R:views=Pending"}));
  EXPECT_EQ(ToApply(plan), (Strings{"V1__a.sql", "V1.9__b.sql", "V1.10__c.sql", "V2__backfill.job",
                                    "R__alpha.sql", "R__views.sql"}));
  EXPECT_FALSE(plan.current_version);
}

TEST(PlanTest, PendingIsAProblemUnlessIgnored) {
  const std::vector<ResolvedMigration> files = {Versioned("1", "a"), Repeatable("views")};
  EXPECT_EQ(Problems(MakeOk(files, {})),
            (Strings{"pending: version 1 (V1__a.sql) is not applied yet; run migrate, or ignore "
                     "with '*:pending'",
                     "pending: repeatable migration R__views.sql is not applied yet; run migrate, "
                     "or ignore with '*:pending'"}));
  EXPECT_TRUE(MakeOk(files, {}, IgnoringPending()).problems.empty());
}

TEST(PlanTest, AppliedMigrationsSucceedAndSetTheCurrentVersion) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "b"), v3 = Versioned("3", "c");
  const Plan plan = MakeOk({v1, v2, v3}, {RowFor(1, v1), RowFor(2, v2)});
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Success", "3=Pending"}));
  EXPECT_EQ(ToApply(plan), (Strings{"V3__c.sql"}));
  EXPECT_EQ(plan.current_version, V("2"));
  EXPECT_EQ(plan.entries[0].applied->installed_rank, 1);
  EXPECT_EQ(plan.entries[0].resolved->path, "/migrations/V1__a.sql");
  EXPECT_EQ(plan.entries[0].category(), "Versioned");
}

TEST(PlanTest, HistoryIsReadInInstalledRankOrder) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "b");
  const Plan plan = MakeOk({v1, v2}, {RowFor(2, v2), RowFor(1, v1)});
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Success"}));
}

TEST(PlanTest, JobStepsAreRecordedAsJdbcAndMatchTheirRows) {
  const auto job = Job("2", "backfill metrics");
  EXPECT_EQ(job.type(), MigrationType::kJdbc);
  const Plan plan =
      MakeOk({Versioned("1", "a"), job}, {RowFor(1, Versioned("1", "a")), RowFor(2, job)});
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Success"}));
  EXPECT_TRUE(plan.problems.empty());
}

// ----- Failed ----------------------------------------------------------------------------------

TEST(PlanTest, FailedRowIsFailedAndNotAppliedAgain) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "add users"), v3 = Versioned("3", "c");
  const Plan plan = MakeOk({v1, v2, v3}, {RowFor(1, v1), RowFor(2, v2, /*success=*/false)});
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Failed", "3=Pending"}));
  EXPECT_EQ(ToApply(plan), (Strings{"V3__c.sql"}));
  EXPECT_EQ(plan.current_version, V("2"));  // Flyway counts the failed version
  EXPECT_EQ(
      Problems(MakeOk({v1, v2, v3}, {RowFor(1, v1), RowFor(2, v2, false)}, IgnoringPending())),
      (Strings{"failed: version 2 (V2__add_users.sql) failed; remove its half-completed "
               "changes, then run repair"}));
}

TEST(PlanTest, FailedRepeatable) {
  const auto views = Repeatable("views", 7);
  const Plan plan = MakeOk({views}, {RowFor(1, views, /*success=*/false)}, IgnoringPending());
  EXPECT_EQ(States(plan), (Strings{"R:views=Failed"}));
  EXPECT_TRUE(plan.to_apply.empty());
  EXPECT_EQ(Problems(plan), (Strings{"failed: repeatable migration R__views.sql failed; remove "
                                     "its half-completed changes, then run repair"}));
}

// ----- Missing and future ------------------------------------------------------------------------

TEST(PlanTest, AppliedMigrationWhoseFileIsGoneIsMissing) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "b");
  const std::vector<HistoryRow> rows = {RowFor(1, v1), RowFor(2, v2)};
  const Plan plan = MakeOk({v2}, rows);
  EXPECT_EQ(States(plan), (Strings{"1=Missing", "2=Success"}));
  EXPECT_FALSE(plan.entries[0].resolved);
  EXPECT_EQ(Problems(plan),
            (Strings{"missing: version 1 (V1__a.sql) was applied but its file is gone; restore "
                     "the file, or run repair to mark it deleted"}));

  PlanOptions ignore_missing;
  ignore_missing.ignore_migration_patterns = *IgnorePattern::ParseList("versioned:missing");
  EXPECT_TRUE(MakeOk({v2}, rows, ignore_missing).problems.empty());
}

TEST(PlanTest, FailedMigrationWhoseFileIsGone) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "b");
  const Plan plan = MakeOk({v2}, {RowFor(1, v1, /*success=*/false), RowFor(2, v2)});
  EXPECT_EQ(States(plan), (Strings{"1=Failed (Missing)", "2=Success"}));
  // "missing" matches only successful missing rows, as in Flyway.
  PlanOptions ignore_missing;
  ignore_missing.ignore_migration_patterns = *IgnorePattern::ParseList("*:missing");
  EXPECT_EQ(Problems(MakeOk({v2}, {RowFor(1, v1, false), RowFor(2, v2)}, ignore_missing)),
            (Strings{"failed: version 1 (V1__a.sql) failed, and its file is gone; remove its "
                     "half-completed changes, then run repair"}));
}

TEST(PlanTest, AppliedVersionAboveEveryFileIsFutureAndIgnoredByDefault) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "b");
  const std::vector<HistoryRow> rows = {RowFor(1, v1), RowFor(2, v2)};
  const Plan plan = MakeOk({v1}, rows);
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Future"}));
  EXPECT_TRUE(plan.problems.empty());
  EXPECT_EQ(plan.current_version, V("2"));

  PlanOptions strict;
  strict.ignore_migration_patterns.clear();
  EXPECT_EQ(Problems(MakeOk({v1}, rows, strict)),
            (Strings{"future: version 2 (V2__b.sql) was applied by newer migration files than "
                     "these (its version is above every file's); update the files, or ignore "
                     "with '*:future'"}));
}

TEST(PlanTest, FailedFutureIsReportedOnlyWhenFutureIsNotIgnored) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "b");
  const std::vector<HistoryRow> rows = {RowFor(1, v1), RowFor(2, v2, /*success=*/false)};
  const Plan plan = MakeOk({v1}, rows);
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Failed (Future)"}));
  EXPECT_TRUE(plan.problems.empty());
  PlanOptions strict;
  strict.ignore_migration_patterns.clear();
  ASSERT_EQ(MakeOk({v1}, rows, strict).problems.size(), 1u);
  EXPECT_EQ(MakeOk({v1}, rows, strict).problems[0].kind, ProblemKind::kFailed);
}

TEST(PlanTest, EverythingAppliedIsFutureWithoutFiles) {
  const Plan plan = MakeOk({}, {RowFor(1, Versioned("1", "a"))});
  EXPECT_EQ(States(plan), (Strings{"1=Future"}));
}

// ----- Ignored and out of order ------------------------------------------------------------------

TEST(PlanTest, PendingVersionBelowTheCurrentOneIsIgnored) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "late"), v3 = Versioned("3", "c");
  const std::vector<HistoryRow> rows = {RowFor(1, v1), RowFor(2, v3)};
  const Plan plan = MakeOk({v1, v2, v3}, rows, IgnoringPending());
  EXPECT_EQ(States(plan), (Strings{"1=Success", "3=Success", "2=Ignored"}));
  EXPECT_TRUE(plan.to_apply.empty());
  EXPECT_EQ(Problems(plan),
            (Strings{"ignored: version 2 (V2__late.sql) was not applied and is below the current "
                     "version 3; set out_of_order to apply it, or ignore with '*:ignored'"}));

  PlanOptions ignore_ignored;
  ignore_ignored.ignore_migration_patterns = *IgnorePattern::ParseList("versioned:ignored");
  EXPECT_TRUE(MakeOk({v1, v2, v3}, rows, ignore_ignored).problems.empty());
}

TEST(PlanTest, OutOfOrderAppliesVersionsBelowTheCurrentOne) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "late"), v3 = Versioned("3", "c"),
             v4 = Versioned("4", "d");
  PlanOptions options = IgnoringPending();
  options.out_of_order = true;
  const Plan plan = MakeOk({v4, v3, v2, v1}, {RowFor(1, v1), RowFor(2, v3)}, options);
  EXPECT_EQ(States(plan), (Strings{"1=Success", "3=Success", "2=Pending", "4=Pending"}));
  EXPECT_EQ(ToApply(plan), (Strings{"V2__late.sql", "V4__d.sql"}));
  EXPECT_TRUE(plan.problems.empty());
}

TEST(PlanTest, MigrationAppliedAfterAHigherVersionIsOutOfOrder) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "late"), v3 = Versioned("3", "c");
  const Plan plan = MakeOk({v1, v2, v3}, {RowFor(1, v1), RowFor(2, v3), RowFor(3, v2)});
  EXPECT_EQ(States(plan), (Strings{"1=Success", "3=Success", "2=Out of Order"}));
  EXPECT_TRUE(plan.problems.empty());
  EXPECT_EQ(plan.current_version, V("3"));
}

// ----- Target ------------------------------------------------------------------------------------

TEST(PlanTest, TargetVersionStopsThere) {
  PlanOptions options = IgnoringPending();
  options.target = *Target::Parse("2");
  const Plan plan =
      MakeOk({Versioned("1", "a"), Versioned("2", "b"), Versioned("3", "c"), Repeatable("views")},
             {}, options);
  EXPECT_EQ(States(plan), (Strings{"1=Pending", "2=Pending", "3=Above Target", "R:views=Pending"}));
  // As in Flyway, the target limits versions only: repeatables still run.
  EXPECT_EQ(ToApply(plan), (Strings{"V1__a.sql", "V2__b.sql", "R__views.sql"}));
  EXPECT_TRUE(plan.problems.empty());  // above target is out of scope, not a problem
}

TEST(PlanTest, TargetMustExistUnlessMarkedOptional) {
  PlanOptions options;
  options.target = *Target::Parse("5");
  auto plan = MakePlan(std::vector{Versioned("1", "a"), Versioned("7", "b")}, {}, options);
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(plan.error().message,
            "no migration has the target version 5; check the target, or write '5?' to allow a "
            "version that does not exist");

  options.target = *Target::Parse("5?");
  EXPECT_EQ(States(MakeOk({Versioned("1", "a"), Versioned("7", "b")}, {}, options)),
            (Strings{"1=Pending", "7=Above Target"}));
}

TEST(PlanTest, TargetMayBeAnAppliedVersion) {
  const auto v1 = Versioned("1", "a");
  PlanOptions options;
  options.target = *Target::Parse("1.0");
  EXPECT_EQ(States(MakeOk({v1, Versioned("2", "b")}, {RowFor(1, v1)}, options)),
            (Strings{"1=Success", "2=Above Target"}));
}

TEST(PlanTest, TargetCurrentAppliesNoNewVersion) {
  const auto v1 = Versioned("1", "a");
  PlanOptions options;
  options.target = *Target::Parse("current");
  const Plan plan =
      MakeOk({v1, Versioned("2", "b"), Repeatable("views")}, {RowFor(1, v1)}, options);
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Above Target", "R:views=Pending"}));
  EXPECT_EQ(ToApply(plan), (Strings{"R__views.sql"}));
  // On an empty database "current" is nothing: every version is above it.
  EXPECT_EQ(States(MakeOk({v1}, {}, options)), (Strings{"1=Above Target"}));
}

TEST(PlanTest, TargetNextAppliesOnlyTheFirstPendingVersion) {
  const auto v1 = Versioned("1", "a");
  PlanOptions options;
  options.target = *Target::Parse("NEXT");
  const Plan plan =
      MakeOk({v1, Versioned("2", "b"), Versioned("3", "c")}, {RowFor(1, v1)}, options);
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Pending", "3=Above Target"}));
}

TEST(TargetTest, Parses) {
  EXPECT_EQ(Target::Parse("latest")->kind, Target::Kind::kLatest);
  EXPECT_EQ(Target::Parse("Current")->kind, Target::Kind::kCurrent);
  EXPECT_EQ(Target::Parse("next")->kind, Target::Kind::kNext);
  const Target version = *Target::Parse("2_1");
  EXPECT_EQ(version.kind, Target::Kind::kVersion);
  EXPECT_EQ(version.version->ToString(), "2.1");
  EXPECT_TRUE(version.must_exist);
  EXPECT_FALSE(Target::Parse("2.1?")->must_exist);
  EXPECT_EQ(PlanOptions{}.target.kind, Target::Kind::kLatest);

  auto bad = Target::Parse("newest");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().message,
            "invalid target 'newest': use latest, current, next, a version such as 2.1, or 2.1? "
            "to allow a version that does not exist");
}

// ----- Repeatables -------------------------------------------------------------------------------

TEST(PlanTest, UnchangedRepeatableIsNotAppliedAgain) {
  const auto views = Repeatable("views", 7);
  const Plan plan = MakeOk({views}, {RowFor(1, views)});
  EXPECT_EQ(States(plan), (Strings{"R:views=Success"}));
  EXPECT_TRUE(plan.to_apply.empty());
  EXPECT_TRUE(plan.problems.empty());
  EXPECT_FALSE(plan.current_version);
  EXPECT_EQ(plan.entries[0].category(), "Repeatable");
}

TEST(PlanTest, ChangedRepeatableIsOutdatedAndAppliedAgain) {
  const auto old_views = Repeatable("views", 7);
  const auto new_views = Repeatable("views", 8);
  const Plan plan = MakeOk({new_views}, {RowFor(1, old_views)});
  EXPECT_EQ(States(plan), (Strings{"R:views=Outdated", "R:views=Pending"}));
  EXPECT_EQ(ToApply(plan), (Strings{"R__views.sql"}));
  // One problem, on the outdated run: the pending entry is the same file due again (issue 20,
  // bug 5: it was reported a second time, falsely as "not applied yet").
  EXPECT_EQ(Problems(plan),
            (Strings{"outdated: repeatable migration R__views.sql changed since it was applied and "
                     "will be applied again; run migrate"}));
  // What migrate validates: pending allowed, so an outdated repeatable is simply due.
  EXPECT_TRUE(MakeOk({new_views}, {RowFor(1, old_views)}, IgnoringPending()).problems.empty());
}

TEST(PlanTest, ARepeatableNeverAppliedIsStillPending) {
  const auto views = Repeatable("views", 7), other = Repeatable("other", 8);
  const auto edited = Repeatable("other", 9);
  const Plan plan = MakeOk({views, edited}, {RowFor(1, other)});
  EXPECT_EQ(Problems(plan),
            (Strings{"outdated: repeatable migration R__other.sql changed since it was applied and "
                     "will be applied again; run migrate",
                     "pending: repeatable migration R__views.sql is not applied yet; run migrate, "
                     "or ignore with '*:pending'"}));
}

TEST(PlanTest, OlderRunsOfARepeatableAreSuperseded) {
  const auto v1 = Repeatable("views", 7), v2 = Repeatable("views", 8);
  const Plan plan = MakeOk({v2}, {RowFor(1, v1), RowFor(2, v2)});
  EXPECT_EQ(States(plan), (Strings{"R:views=Superseded", "R:views=Success"}));
  EXPECT_TRUE(plan.to_apply.empty());
  EXPECT_TRUE(plan.problems.empty());
}

TEST(PlanTest, OnlyTheLatestRunCountsEvenIfAnOlderOneMatches) {
  const auto v1 = Repeatable("views", 7), v2 = Repeatable("views", 8);
  // The file went back to an older content: still changed since its latest run (Flyway #1405).
  const Plan plan = MakeOk({v1}, {RowFor(1, v1), RowFor(2, v2)}, IgnoringPending());
  EXPECT_EQ(States(plan), (Strings{"R:views=Superseded", "R:views=Outdated", "R:views=Pending"}));
  EXPECT_EQ(ToApply(plan), (Strings{"R__views.sql"}));
}

TEST(PlanTest, RepeatableWhoseFileIsGoneIsMissingOnlyInItsLatestRun) {
  const auto v1 = Repeatable("views", 7), v2 = Repeatable("views", 8);
  const Plan plan = MakeOk({}, {RowFor(1, v1), RowFor(2, v2)});
  EXPECT_EQ(States(plan), (Strings{"R:views=Superseded", "R:views=Missing"}));
  EXPECT_EQ(Problems(plan),
            (Strings{"missing: repeatable migration R__views.sql was applied but its file is "
                     "gone; restore the file, or run repair to mark it deleted"}));
}

TEST(PlanTest, RepeatableMatchesItsEquivalentChecksum) {
  auto views = Repeatable("views", 8);
  views.equivalent_checksum = 7;  // e.g. the raw text before placeholder replacement
  HistoryRow row = RowFor(1, views);
  row.checksum = 7;
  const Plan plan = MakeOk({views}, {row});
  EXPECT_EQ(States(plan), (Strings{"R:views=Success"}));
}

// ----- Baselines ---------------------------------------------------------------------------------

TEST(PlanTest, BaselineMarkerHidesVersionsUpToIt) {
  const Plan plan =
      MakeOk({Versioned("1", "a"), Versioned("2", "b"), Versioned("3", "c"), Versioned("4", "d")},
             {MarkerRow(1, MigrationType::kBaseline, "3", "<< Flyway Baseline >>")});
  EXPECT_EQ(States(plan), (Strings{"3=Baseline", "1=Below Baseline", "2=Below Baseline",
                                   "3=Ignored (Baseline)", "4=Pending"}));
  EXPECT_EQ(ToApply(plan), (Strings{"V4__d.sql"}));
  EXPECT_EQ(plan.current_version, V("3"));
  EXPECT_EQ(plan.entries[0].category(), "");
  EXPECT_EQ(Problems(plan), (Strings{"pending: version 4 (V4__d.sql) is not applied yet; run "
                                     "migrate, or ignore with '*:pending'"}));
}

TEST(PlanTest, BaselineVersionOptionPlansBaselineOnMigrateForAnEmptyHistory) {
  PlanOptions options = IgnoringPending();
  options.baseline_version = V("2");
  const std::vector<ResolvedMigration> files = {Versioned("1", "a"), Versioned("2", "b"),
                                                Versioned("3", "c")};
  const Plan plan = MakeOk(files, {}, options);
  EXPECT_EQ(States(plan),
            (Strings{"2=Baseline", "1=Below Baseline", "2=Ignored (Baseline)", "3=Pending"}));
  EXPECT_EQ(plan.entries[0].description(), "<< Flyway Baseline >>");
  EXPECT_EQ(ToApply(plan), (Strings{"V3__c.sql"}));
  // A history that already has rows is never baselined.
  EXPECT_EQ(States(MakeOk(files, {RowFor(1, files[0])}, options)),
            (Strings{"1=Success", "2=Pending", "3=Pending"}));
}

TEST(PlanTest, NewDatabaseStartsFromTheHighestBaselineFile) {
  const Plan plan =
      MakeOk({BaselineFile("2", "old base"), BaselineFile("3", "base"), Versioned("1", "a"),
              Versioned("2", "b"), Versioned("3", "c"), Versioned("4", "d"), Undo("4", "undo d")},
             {}, IgnoringPending());
  EXPECT_EQ(States(plan),
            (Strings{"1=Below Baseline", "2=Below Baseline", "2=Below Baseline", "3=Pending",
                     "3=Ignored (Baseline)", "4=Pending", "4=Available"}));
  EXPECT_EQ(ToApply(plan), (Strings{"B3__base.sql", "V4__d.sql"}));
  EXPECT_TRUE(plan.problems.empty());
}

TEST(PlanTest, ExistingDatabaseIgnoresBaselineFilesWithoutComplaint) {
  const auto v1 = Versioned("1", "a");
  const Plan plan = MakeOk({BaselineFile("3", "base"), v1, Versioned("2", "b")}, {RowFor(1, v1)},
                           IgnoringPending());
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Pending", "3=Ignored"}));
  EXPECT_EQ(ToApply(plan), (Strings{"V2__b.sql"}));
  EXPECT_TRUE(plan.problems.empty());
}

TEST(PlanTest, DatabaseStartedFromABaselineFile) {
  const auto base = BaselineFile("3", "base", 30);
  auto edited_base = base;
  edited_base.checksum = 31;  // B files are often regenerated: not compared, as in Flyway
  const auto v4 = Versioned("4", "d");
  const Plan plan =
      MakeOk({edited_base, Versioned("1", "a"), Versioned("3", "c"), v4, Versioned("5", "e")},
             {RowFor(1, base), RowFor(2, v4)}, IgnoringPending());
  EXPECT_EQ(States(plan), (Strings{"3=Baseline", "4=Success", "1=Below Baseline",
                                   "3=Ignored (Baseline)", "5=Pending"}));
  EXPECT_EQ(plan.entries[0].category(), "Baseline");
  EXPECT_EQ(ToApply(plan), (Strings{"V5__e.sql"}));
  EXPECT_TRUE(plan.problems.empty());
  EXPECT_EQ(plan.current_version, V("4"));
}

// ----- DELETE rows (repair)
// ------------------------------------------------------------------------

TEST(PlanTest, DeleteRowMarksTheMissingMigrationDeleted) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "b");
  HistoryRow deleted = RowFor(3, v2);
  deleted.type = MigrationType::kDelete;
  deleted.execution_time = 0;
  const Plan plan = MakeOk({v1}, {RowFor(1, v1), RowFor(2, v2), deleted});
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Deleted"}));  // the DELETE row is no entry
  EXPECT_TRUE(plan.problems.empty());
  EXPECT_EQ(plan.current_version, V("1"));

  // If the file comes back, it is pending again.
  EXPECT_EQ(States(MakeOk({v1, v2}, {RowFor(1, v1), RowFor(2, v2), deleted})),
            (Strings{"1=Success", "2=Deleted", "2=Pending"}));
}

TEST(PlanTest, TwoDeleteRowsForOneVersionAreACorruptHistory) {
  const auto v1 = Versioned("1", "a");
  HistoryRow deleted = RowFor(2, v1);
  deleted.type = MigrationType::kDelete;
  HistoryRow deleted_again = deleted;
  deleted_again.installed_rank = 3;
  auto plan = MakePlan(std::vector<ResolvedMigration>{},
                       std::vector{RowFor(1, v1), deleted, deleted_again}, PlanOptions{});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, ErrorCode::kValidation);
  EXPECT_EQ(plan.error().message,
            "corrupted schema history: more than one DELETE row for version 1 (installed_rank 3)");
}

TEST(PlanTest, DeletedRepeatableIsNewAgainWhenItsFileReturns) {
  const auto views = Repeatable("views", 7);
  HistoryRow deleted = RowFor(2, views);
  deleted.type = MigrationType::kDelete;
  const Plan plan = MakeOk({views}, {RowFor(1, views), deleted});
  EXPECT_EQ(States(plan), (Strings{"R:views=Deleted", "R:views=Pending"}));
  EXPECT_EQ(ToApply(plan), (Strings{"R__views.sql"}));
}

TEST(PlanTest, FailedDeleteRowIsNoDeletion) {
  const auto v1 = Versioned("1", "a");
  HistoryRow deleted = RowFor(2, v1);
  deleted.type = MigrationType::kDelete;
  deleted.success = false;
  EXPECT_EQ(States(MakeOk({v1}, {RowFor(1, v1), deleted})), (Strings{"1=Success"}));
}

// ----- Undo rows ---------------------------------------------------------------------------------

TEST(PlanTest, UndoRowMarksTheMigrationUndoneAndMakesItPendingAgain) {
  const auto v1 = Versioned("1", "a"), v2 = Versioned("2", "b"), u2 = Undo("2", "b");
  const Plan plan =
      MakeOk({v1, v2, u2}, {RowFor(1, v1), RowFor(2, v2), RowFor(3, u2)}, IgnoringPending());
  EXPECT_EQ(States(plan), (Strings{"1=Success", "2=Undone", "2=Success", "2=Pending"}));
  EXPECT_EQ(plan.entries[2].type(), MigrationType::kUndoSql);
  EXPECT_EQ(plan.entries[2].category(), "Undo");
  EXPECT_EQ(ToApply(plan), (Strings{"V2__b.sql"}));
  EXPECT_EQ(plan.current_version, V("1"));
  EXPECT_TRUE(plan.problems.empty());
}

TEST(PlanTest, UndoFilesAreAvailableNeverApplied) {
  const auto v1 = Versioned("1", "a"), u1 = Undo("1", "a");
  const Plan plan = MakeOk({v1, u1}, {RowFor(1, v1)});
  EXPECT_EQ(States(plan), (Strings{"1=Success", "1=Available"}));
  EXPECT_TRUE(plan.to_apply.empty());
  EXPECT_TRUE(plan.problems.empty());
}

// ----- Mismatches
// ----------------------------------------------------------------------------------

TEST(PlanTest, ChangedFileIsAChecksumMismatch) {
  const auto applied = Versioned("1", "a", -12);
  const auto changed = Versioned("1", "a", 34);
  const Plan plan = MakeOk({changed}, {RowFor(1, applied)});
  EXPECT_EQ(States(plan), (Strings{"1=Success"}));
  EXPECT_EQ(Problems(plan),
            (Strings{"checksum mismatch: version 1 (V1__a.sql) changed since it was applied: "
                     "applied checksum -12 differs from file checksum 34; revert the file, or run "
                     "repair to accept it"}));
  EXPECT_EQ(plan.problems[0].entry, 0u);
}

TEST(PlanTest, RowWithoutChecksumMatchesAnyFile) {
  const auto file = Versioned("1", "a", 34);
  HistoryRow row = RowFor(1, file);
  row.checksum = std::nullopt;
  EXPECT_TRUE(MakeOk({file}, {row}).problems.empty());
}

TEST(PlanTest, RenamedFileIsADescriptionMismatch) {
  const auto applied = Versioned("1", "old name");
  auto renamed = Versioned("1", "new name");
  const Plan plan = MakeOk({renamed}, {RowFor(1, applied)});
  EXPECT_EQ(Problems(plan),
            (Strings{"description mismatch: version 1 (V1__old_name.sql) was renamed since it was "
                     "applied: applied description \"old name\" differs from file description "
                     "\"new name\"; rename it back, or run repair to accept it"}));
}

TEST(PlanTest, LongDescriptionsCompareAbbreviated) {
  const auto file = Versioned("1", std::string(250, 'd'));
  HistoryRow row = RowFor(1, file);
  row.description = AbbreviateDescription(file.description);
  EXPECT_TRUE(MakeOk({file}, {row}).problems.empty());
}

TEST(PlanTest, EmptyDescriptionMarkerMatchesAnEmptyDescription) {
  const auto file = Versioned("1", "");
  HistoryRow row = RowFor(1, file);
  row.description = std::string(kNoDescriptionMarker);
  EXPECT_TRUE(MakeOk({file}, {row}).problems.empty());
}

TEST(PlanTest, FileTurnedIntoAJobIsATypeMismatch) {
  const auto sql = Versioned("3", "backfill");
  const auto job = Job("3", "backfill");
  const Plan plan = MakeOk({job}, {RowFor(1, sql)});
  EXPECT_EQ(States(plan), (Strings{"3=Success"}));
  EXPECT_EQ(Problems(plan),
            (Strings{"type mismatch: version 3 (V3__backfill.sql) was applied as type SQL but the "
                     "file is of type JDBC"}));
}

TEST(PlanTest, IgnoringEveryStateSkipsEveryCheckAsInFlyway) {
  PlanOptions options;
  options.ignore_migration_patterns = *IgnorePattern::ParseList("versioned:*");
  const Plan plan =
      MakeOk({Versioned("1", "a", 34)}, {RowFor(1, Versioned("1", "a", -12))}, options);
  EXPECT_TRUE(plan.problems.empty());
}

TEST(PlanTest, ProblemsComeInEntryOrderOnePerEntry) {
  const auto v1 = Versioned("1", "a", 1), v2 = Versioned("2", "b", 2);
  auto v1_changed = Versioned("1", "renamed", 9);
  const Plan plan = MakeOk({v1_changed, Versioned("3", "c")}, {RowFor(1, v1), RowFor(2, v2)});
  // v1: the checksum is reported before the description; v2: missing; v3: pending.
  std::vector<std::pair<std::size_t, ProblemKind>> found;
  for (const auto& p : plan.problems) found.emplace_back(p.entry, p.kind);
  EXPECT_EQ(found,
            (std::vector<std::pair<std::size_t, ProblemKind>>{{0, ProblemKind::kChecksumMismatch},
                                                              {1, ProblemKind::kMissing},
                                                              {2, ProblemKind::kPending}}));
}

// ----- Inputs
// ----------------------------------------------------------------------------------------

TEST(PlanTest, DuplicateFilesAreRejected) {
  auto plan = MakePlan(std::vector{Versioned("1", "a"), Versioned("1.0", "b")}, {}, PlanOptions{});
  ASSERT_FALSE(plan);
  EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(plan.error().message, "two migrations share the version of V1.0__b.sql");
}

TEST(PlanTest, SpanOverloadCopiesItsInputs) {
  const std::vector<ResolvedMigration> files = {Versioned("1", "a"), Versioned("2", "b")};
  const std::vector<HistoryRow> rows = {RowFor(1, files[0])};
  auto plan = MakePlan(std::span<const ResolvedMigration>(files), std::span<const HistoryRow>(rows),
                       PlanOptions{});
  ASSERT_TRUE(plan);
  EXPECT_EQ(States(*plan), (Strings{"1=Success", "2=Pending"}));
  EXPECT_EQ(files[1].script, "V2__b.sql");  // untouched
}

TEST(PlanTest, EntryShowsTheRowsValuesWhenApplied) {
  const auto file = Versioned("1.0", "new", 2);
  HistoryRow row = RowFor(1, Versioned("1", "old", 1));
  const Plan plan = MakeOk({file}, {row});
  const PlanEntry& e = plan.entries[0];
  EXPECT_EQ(e.version()->ToString(), "1");
  EXPECT_EQ(e.description(), "old");
  EXPECT_EQ(e.script(), "V1__old.sql");
  EXPECT_EQ(e.checksum(), 1);
  EXPECT_EQ(e.resolved->script, "V1.0__new.sql");
}

// ----- Ignore patterns
// -------------------------------------------------------------------------------

TEST(IgnorePatternTest, ParsesFlywaysSyntax) {
  const IgnorePattern p = *IgnorePattern::Parse(" Versioned : MISSING ");
  EXPECT_EQ(p.type, IgnorePattern::Type::kVersioned);
  EXPECT_EQ(p.state, IgnorePattern::State::kMissing);
  const auto list = *IgnorePattern::ParseList("*:future, repeatable:*,,*:pending");
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[1].type, IgnorePattern::Type::kRepeatable);
  EXPECT_EQ(list[1].state, IgnorePattern::State::kAny);
  EXPECT_TRUE(IgnorePattern::ParseList("")->empty());
}

TEST(IgnorePatternTest, DefaultIgnoresFuture) {
  const auto& defaults = PlanOptions{}.ignore_migration_patterns;
  ASSERT_EQ(defaults.size(), 1u);
  EXPECT_EQ(defaults[0].type, IgnorePattern::Type::kAny);
  EXPECT_EQ(defaults[0].state, IgnorePattern::State::kFuture);
}

TEST(IgnorePatternTest, Matches) {
  const IgnorePattern versioned_missing = *IgnorePattern::Parse("versioned:missing");
  EXPECT_TRUE(versioned_missing.Matches(true, MigrationState::kMissingSuccess));
  EXPECT_FALSE(versioned_missing.Matches(false, MigrationState::kMissingSuccess));
  EXPECT_FALSE(versioned_missing.Matches(true, MigrationState::kMissingFailed));
  const IgnorePattern any = *IgnorePattern::Parse("*:*");
  EXPECT_TRUE(any.Matches(false, MigrationState::kFailed));
  EXPECT_TRUE(IgnorePattern::Parse("repeatable:pending")->Matches(false, MigrationState::kPending));
  EXPECT_FALSE(IgnorePattern::Parse("repeatable:pending")->Matches(true, MigrationState::kPending));
  EXPECT_TRUE(IgnorePattern::Parse("*:ignored")->Matches(true, MigrationState::kIgnored));
  EXPECT_FALSE(IgnorePattern::Parse("*:future")->Matches(true, MigrationState::kFutureFailed));
}

TEST(IgnorePatternTest, RejectsWhatFlywayRejects) {
  auto junk = IgnorePattern::Parse("junk");
  ASSERT_FALSE(junk);
  EXPECT_EQ(junk.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(junk.error().message,
            "invalid ignore pattern 'junk': it must look like <type>:<state>, e.g. *:future or "
            "versioned:missing");
  EXPECT_EQ(IgnorePattern::Parse("a:b:c").error().message,
            "invalid ignore pattern 'a:b:c': it must look like <type>:<state>, e.g. *:future or "
            "versioned:missing");
  EXPECT_EQ(IgnorePattern::Parse("sql:missing").error().message,
            "invalid migration type 'sql' in ignore pattern 'sql:missing': use *, repeatable or "
            "versioned");
  EXPECT_EQ(IgnorePattern::Parse("*:failed").error().message,
            "invalid migration state 'failed' in ignore pattern '*:failed': use *, missing, "
            "pending, ignored or future");
  EXPECT_FALSE(IgnorePattern::ParseList("*:future,oops"));
}

TEST(MigrationStateTest, NamesAreFlywaysDisplayNames) {
  EXPECT_EQ(MigrationStateName(MigrationState::kBaselineIgnored), "Ignored (Baseline)");
  EXPECT_EQ(MigrationStateName(MigrationState::kMissingFailed), "Failed (Missing)");
  EXPECT_EQ(MigrationStateName(MigrationState::kOutOfOrder), "Out of Order");
  EXPECT_EQ(MigrationStateName(MigrationState::kFutureSuccess), "Future");
  EXPECT_TRUE(IsFailedState(MigrationState::kFutureFailed));
  EXPECT_FALSE(IsFailedState(MigrationState::kOutdated));
}

}  // namespace
}  // namespace strata::migrations
