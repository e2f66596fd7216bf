#include "migrations/resolver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "migrations/checksum.h"

namespace strata::migrations {
namespace {
namespace fs = std::filesystem;

// ----- File names ------------------------------------------------------------------------------

MigrationFileName Migration(std::string_view name) {
  const FileName parsed = ClassifyFileName(name);
  EXPECT_TRUE(std::holds_alternative<MigrationFileName>(parsed)) << name;
  return std::holds_alternative<MigrationFileName>(parsed) ? std::get<MigrationFileName>(parsed)
                                                           : MigrationFileName{};
}

std::string InvalidMessage(std::string_view name) {
  const FileName parsed = ClassifyFileName(name);
  EXPECT_TRUE(std::holds_alternative<InvalidFileName>(parsed)) << name;
  return std::holds_alternative<InvalidFileName>(parsed) ? std::get<InvalidFileName>(parsed).message
                                                         : "";
}

TEST(ClassifyFileNameTest, VersionedNamesAsFlywayParsesThem) {
  const MigrationFileName m = Migration("V1_1__My_description.sql");
  EXPECT_EQ(m.kind, MigrationKind::kVersioned);
  EXPECT_EQ(m.version->ToString(), "1.1");
  EXPECT_EQ(m.description, "My description");

  // Split at the FIRST separator; the rest of the underscores become spaces.
  const MigrationFileName twice = Migration("V1__2__x.sql");
  EXPECT_EQ(twice.version->ToString(), "1");
  EXPECT_EQ(twice.description, "2  x");

  EXPECT_EQ(Migration("V001__a.sql").version->ToString(), "001");
  EXPECT_EQ(Migration("V2024.05.01__a.SQL").version->ToString(), "2024.05.01");
}

TEST(ClassifyFileNameTest, EmptyDescriptionsAreValidAsInFlyway) {
  const MigrationFileName empty = Migration("V1__.sql");
  EXPECT_EQ(empty.version->ToString(), "1");
  EXPECT_EQ(empty.description, "");
  EXPECT_EQ(Migration("V1.sql").description, "");  // no separator at all: version only
  EXPECT_EQ(Migration("R__.sql").description, "");
}

TEST(ClassifyFileNameTest, EveryKind) {
  EXPECT_EQ(Migration("R__Refresh_views.sql").kind, MigrationKind::kRepeatable);
  EXPECT_FALSE(Migration("R__Refresh_views.sql").version);
  EXPECT_EQ(Migration("R__Refresh_views.sql").description, "Refresh views");
  EXPECT_EQ(Migration("U3__drop.sql").kind, MigrationKind::kUndo);
  EXPECT_EQ(Migration("B5__schema.sql").kind, MigrationKind::kBaseline);
  EXPECT_EQ(Migration("V7__backfill_metrics.job").kind, MigrationKind::kJob);
  EXPECT_EQ(Migration("V7__backfill_metrics.JOB").kind, MigrationKind::kJob);
}

TEST(ClassifyFileNameTest, CallbacksMatchTheLongestEventName) {
  const FileName plain = ClassifyFileName("beforeMigrate.sql");
  ASSERT_TRUE(std::holds_alternative<CallbackFileName>(plain));
  EXPECT_EQ(std::get<CallbackFileName>(plain).event, "beforeMigrate");
  EXPECT_EQ(std::get<CallbackFileName>(plain).description, "");

  const FileName described = ClassifyFileName("beforeEachMigrateStatement__log_it.sql");
  ASSERT_TRUE(std::holds_alternative<CallbackFileName>(described));
  EXPECT_EQ(std::get<CallbackFileName>(described).event, "beforeEachMigrateStatement");
  EXPECT_EQ(std::get<CallbackFileName>(described).description, "log it");

  const FileName applied = ClassifyFileName("afterMigrateApplied.sql");
  ASSERT_TRUE(std::holds_alternative<CallbackFileName>(applied));
  EXPECT_EQ(std::get<CallbackFileName>(applied).event, "afterMigrateApplied");
}

TEST(ClassifyFileNameTest, ScriptConfigurationFiles) {
  const FileName config = ClassifyFileName("V1__x.sql.conf");
  ASSERT_TRUE(std::holds_alternative<ScriptConfigFileName>(config));
  EXPECT_EQ(std::get<ScriptConfigFileName>(config).script_name, "V1__x.sql");
  EXPECT_TRUE(
      std::holds_alternative<ScriptConfigFileName>(ClassifyFileName("afterMigrate.sql.conf")));
}

TEST(ClassifyFileNameTest, OtherFilesAreNotOurs) {
  for (const char* name : {"notes.txt", "README.md", "V1__x.sql.bak", "v1__lowercase_prefix.sql",
                           "x.sql", "V1__x.job.conf", "schema.conf", "1__x.sql"}) {
    EXPECT_TRUE(std::holds_alternative<OtherFileName>(ClassifyFileName(name))) << name;
  }
}

TEST(ClassifyFileNameTest, NamesThatLookLikeMigrationsButDoNotParseAreInvalid) {
  EXPECT_EQ(InvalidMessage("V1_init.sql"),
            "not a valid migration name: '1_init' is not a version (it should look like "
            "V1.2__description.sql)");
  EXPECT_EQ(InvalidMessage("Vx__a.sql"),
            "not a valid migration name: 'x' is not a version (it should look like "
            "V1.2__description.sql)");
  EXPECT_EQ(InvalidMessage("V__a.sql"),
            "not a valid migration name: it has no version (it should look like "
            "V1.2__description.sql)");
  EXPECT_EQ(InvalidMessage("U__a.sql"),
            "not a valid migration name: it has no version (it should look like "
            "U1.2__description.sql)");
  EXPECT_EQ(InvalidMessage("B1.x__a.sql"),
            "not a valid migration name: '1.x' is not a version (it should look like "
            "B1.2__description.sql)");
  EXPECT_EQ(InvalidMessage("V1_x__a.job"),
            "not a valid migration name: '1_x' is not a version (it should look like "
            "V1.2__description.job)");
  const std::string repeatable =
      "not a valid migration name: a repeatable migration has no version (it should look like "
      "R__description.sql)";
  EXPECT_EQ(InvalidMessage("R1__a.sql"), repeatable);
  EXPECT_EQ(InvalidMessage("R.sql"), repeatable);
  EXPECT_EQ(InvalidMessage("Readme.sql"), repeatable);
  EXPECT_EQ(InvalidMessage("R__a.job"),
            "only versioned migrations can be .job steps (it should look like "
            "V1.2__description.job)");
  EXPECT_EQ(InvalidMessage("beforeMigrateX.sql"),
            "not a valid callback name (it should look like beforeMigrate.sql or "
            "beforeMigrate__description.sql)");
}

// ----- Scanning directories -------------------------------------------------------------------

class ResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The process id keeps two runs of the suite at once (two build trees) out of each other's
    // directories: a shared one made the threaded-resolver test see the other run's files.
    root_ = fs::temp_directory_path() /
            ("strata_resolver_test_" + std::to_string(::getpid()) + "_" +
             std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  fs::path Write(const std::string& relative, const std::string& content) {
    fs::path path = root_ / relative;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  Resolution Scan(std::vector<fs::path> locations) {
    auto resolution = ScanLocations({std::move(locations)});
    EXPECT_TRUE(resolution) << resolution.error().message;
    return resolution ? std::move(*resolution) : Resolution{};
  }

  static std::vector<std::string> Scripts(const Resolution& r) {
    std::vector<std::string> scripts;
    for (const auto& m : r.migrations) scripts.push_back(m.script);
    return scripts;
  }

  static std::vector<std::string> Problems(const Resolution& r) {
    std::vector<std::string> lines;
    for (const auto& p : r.problems) lines.push_back(p.ToString());
    return lines;
  }

  fs::path root_;
};

TEST_F(ResolverTest, FindsMigrationsRecursivelyAndSortsThem) {
  Write("db/R__views.sql", "CREATE VIEW v AS SELECT 1;\n");
  Write("db/2024/V10__ten.sql", "SELECT 10;\n");
  Write("db/V9__nine.sql", "SELECT 9;\n");
  Write("db/V1_1__one_one.sql", "SELECT 11;\n");
  Write("db/U9__undo_nine.sql", "SELECT -9;\n");
  Write("db/B9__base.sql", "SELECT 0;\n");
  Write("db/jobs/V11__backfill.job", "job = \"event_view_metrics\"\n");
  Write("db/R__alpha.sql", "SELECT 'a';\n");
  Write("db/notes.txt", "not a migration");

  const Resolution r = Scan({root_ / "db"});
  EXPECT_TRUE(r.problems.empty()) << testing::PrintToString(Problems(r));
  EXPECT_EQ(Scripts(r),
            (std::vector<std::string>{"V1_1__one_one.sql", "B9__base.sql", "V9__nine.sql",
                                      "U9__undo_nine.sql", "2024/V10__ten.sql",
                                      "jobs/V11__backfill.job", "R__alpha.sql", "R__views.sql"}));
  const ResolvedMigration& ten = r.migrations[4];
  EXPECT_EQ(ten.kind, MigrationKind::kVersioned);
  EXPECT_EQ(ten.version->ToString(), "10");
  EXPECT_EQ(ten.description, "ten");
  EXPECT_EQ(ten.path, root_ / "db" / "2024" / "V10__ten.sql");
  EXPECT_EQ(ten.checksum, FlywayChecksum("SELECT 10;\n"));
  EXPECT_EQ(ten.type(), MigrationType::kSql);
  EXPECT_EQ(r.migrations[5].kind, MigrationKind::kJob);
  EXPECT_EQ(r.migrations[5].type(), MigrationType::kJdbc);
  EXPECT_EQ(r.migrations[5].checksum, FlywayChecksum("job = \"event_view_metrics\"\n"));
  EXPECT_EQ(r.migrations[1].type(), MigrationType::kSqlBaseline);
  EXPECT_EQ(r.migrations[3].type(), MigrationType::kUndoSql);
}

TEST_F(ResolverTest, ManyFilesAreReadOnSeveralThreadsAndSortedAllTheSame) {
  constexpr int kFiles = 1500;  // enough for the resolver to use more than one thread
  for (int i = kFiles; i >= 1; --i) {
    Write("db/" + std::to_string(i % 7) + "/V" + std::to_string(i) + "__m.sql",
          "SELECT " + std::to_string(i) + ";\n");
  }
  Write("db/3/V77__bad.sql", "\xFF");
  const Resolution r = Scan({root_ / "db"});
  ASSERT_EQ(r.migrations.size(), static_cast<std::size_t>(kFiles));
  for (int i = 1; i <= kFiles; ++i) {
    const ResolvedMigration& m = r.migrations[i - 1];
    ASSERT_EQ(m.version->ToString(), std::to_string(i));
    ASSERT_EQ(m.checksum, FlywayChecksum("SELECT " + std::to_string(i) + ";\n"));
  }
  // A file that is not UTF-8 still takes part in the duplicate check: every problem at once.
  const std::string db = (root_ / "db").string();
  EXPECT_EQ(Problems(r),
            (std::vector<std::string>{
                db + "/0/V77__m.sql: version 77 is also used by " + db + "/3/V77__bad.sql",
                db + "/3/V77__bad.sql: not valid UTF-8 (line 1, byte 0); save the file as UTF-8",
                db + "/3/V77__bad.sql: version 77 is also used by " + db + "/0/V77__m.sql",
            }));
}

TEST_F(ResolverTest, ChecksumOfTheDocumentedVectorFromDisk) {
  Write("db/V3__Couple.sql",
        "create table COUPLE (\r\n    ID int not null,\r\n"
        "    PERSON1 int not null references PERSON(ID), \r\n"
        "    PERSON2 int not null references PERSON(ID) \r\n);\r\n");
  const Resolution r = Scan({root_ / "db"});
  ASSERT_EQ(r.migrations.size(), 1u);
  EXPECT_EQ(r.migrations[0].checksum, -722651034);
}

TEST_F(ResolverTest, ScriptsAreRelativeToTheirOwnLocation) {
  Write("a/V1__a.sql", "SELECT 1;");
  Write("b/nested/V2__b.sql", "SELECT 2;");
  const Resolution r = Scan({root_ / "a", root_ / "b"});
  EXPECT_EQ(Scripts(r), (std::vector<std::string>{"V1__a.sql", "nested/V2__b.sql"}));
}

TEST_F(ResolverTest, SkipsHiddenDirectoriesAndFiles) {
  Write("db/V1__a.sql", "SELECT 1;");
  Write("db/.git/V2__in_git.sql", "SELECT 2;");
  Write("db/.V3__hidden.sql", "SELECT 3;");
  Write("db/._V4__resource_fork.sql", "\xFF\xFE");
  const Resolution r = Scan({root_ / "db"});
  EXPECT_EQ(Scripts(r), (std::vector<std::string>{"V1__a.sql"}));
  EXPECT_TRUE(r.problems.empty());
}

TEST_F(ResolverTest, RecognisesCallbacksAndAttachesScriptConfigurations) {
  Write("db/beforeMigrate.sql", "SET x = 1;");
  Write("db/afterEachMigrate__log.sql", "INSERT INTO log VALUES (1);");
  Write("db/V1__a.sql", "SELECT 1;");
  Write("db/V1__a.sql.conf", "executeInTransaction=false\n");
  Write("db/afterEachMigrate__log.sql.conf", "executeInTransaction=false\n");
  const Resolution r = Scan({root_ / "db"});
  EXPECT_TRUE(r.problems.empty()) << testing::PrintToString(Problems(r));
  ASSERT_EQ(r.migrations.size(), 1u);
  EXPECT_EQ(r.migrations[0].config_path, root_ / "db" / "V1__a.sql.conf");
  ASSERT_EQ(r.callbacks.size(), 2u);
  EXPECT_EQ(r.callbacks[0].event, "afterEachMigrate");
  EXPECT_EQ(r.callbacks[0].description, "log");
  EXPECT_EQ(r.callbacks[0].config_path, root_ / "db" / "afterEachMigrate__log.sql.conf");
  EXPECT_EQ(r.callbacks[1].event, "beforeMigrate");
  EXPECT_EQ(r.callbacks[1].script, "beforeMigrate.sql");
  EXPECT_FALSE(r.callbacks[1].config_path);
}

TEST_F(ResolverTest, ReportsEveryInvalidNameAndNonUtf8File) {
  Write("db/V1_init.sql", "SELECT 1;");
  Write("db/Vx__a.sql", "SELECT 1;");
  Write("db/V2__latin1.sql", "SELECT 1;\nSELECT 'caf\xE9';\n");
  Write("db/V3__ok.sql", "SELECT 3;");
  Write("db/V4__a.sql.conf", "executeInTransaction=false\n");
  const Resolution r = Scan({root_ / "db"});
  EXPECT_EQ(Scripts(r), (std::vector<std::string>{"V3__ok.sql"}));
  const std::string db = (root_ / "db").string();
  EXPECT_EQ(Problems(r),
            (std::vector<std::string>{
                db + "/V1_init.sql: not a valid migration name: '1_init' is not a version (it "
                     "should look like V1.2__description.sql); did you mean V1__init.sql?",
                db + "/V2__latin1.sql: not valid UTF-8 (line 2, byte 21); save the file as UTF-8",
                db + "/V4__a.sql.conf: configuration file without a script beside it (no "
                     "V4__a.sql)",
                db + "/Vx__a.sql: not a valid migration name: 'x' is not a version (it should "
                     "look like V1.2__description.sql)",
            }));
}

TEST_F(ResolverTest, ReportsEveryFileOfEveryDuplicate) {
  Write("a/V1__first.sql", "SELECT 1;");
  Write("a/V1.0__second.sql", "SELECT 1;");
  Write("b/V001__third.sql", "SELECT 1;");
  Write("a/U1__undo.sql", "SELECT 1;");  // V, U and B may share a version
  Write("a/B1__base.sql", "SELECT 1;");
  Write("a/V2__sql.sql", "SELECT 2;");
  Write("a/V2__job.job", "job = \"x\"");  // a job step is a versioned migration too
  Write("a/R__views.sql", "SELECT 1;");
  Write("b/R__views.sql", "SELECT 2;");
  Write("a/beforeMigrate.sql", "SELECT 1;");
  Write("b/beforeMigrate.sql", "SELECT 1;");
  const Resolution r = Scan({root_ / "a", root_ / "b"});
  const std::string a = (root_ / "a").string();
  const std::string b = (root_ / "b").string();
  EXPECT_EQ(Problems(r),
            (std::vector<std::string>{
                a + "/R__views.sql: repeatable migration description 'views' is also used by " + b +
                    "/R__views.sql",
                a + "/V1.0__second.sql: version 1.0 is also used by " + b + "/V001__third.sql, " +
                    a + "/V1__first.sql",
                a + "/V1__first.sql: version 1 is also used by " + b + "/V001__third.sql, " + a +
                    "/V1.0__second.sql",
                a + "/V2__job.job: version 2 is also used by " + a + "/V2__sql.sql",
                a + "/V2__sql.sql: version 2 is also used by " + a + "/V2__job.job",
                a + "/beforeMigrate.sql: callback beforeMigrate is also defined by " + b +
                    "/beforeMigrate.sql",
                b + "/R__views.sql: repeatable migration description 'views' is also used by " + a +
                    "/R__views.sql",
                b + "/V001__third.sql: version 001 is also used by " + a + "/V1.0__second.sql, " +
                    a + "/V1__first.sql",
                b + "/beforeMigrate.sql: callback beforeMigrate is also defined by " + a +
                    "/beforeMigrate.sql",
            }));
}

TEST_F(ResolverTest, LookalikeNamesAreSkippedWithTheNameTheyLikelyMeant) {
  Write("db/V1__ok.sql", "SELECT 1;");
  Write("db/v2__lower.sql", "SELECT 2;");
  Write("db/3__no_prefix.sql", "SELECT 3;");
  Write("db/beforeMigrat.sql", "SELECT 4;");
  Write("db/seed.sql", "SELECT 5;");
  const Resolution r = Scan({root_ / "db"});
  EXPECT_TRUE(r.problems.empty());
  const std::string db = (root_ / "db").string();
  std::vector<std::string> skipped;
  for (const FileProblem& p : r.skipped) skipped.push_back(p.ToString());
  const std::string note = ": skipped: not a migration or callback name; did you mean ";
  EXPECT_EQ(skipped,
            (std::vector<std::string>{db + "/3__no_prefix.sql" + note + "V3__no_prefix.sql?",
                                      db + "/beforeMigrat.sql" + note + "beforeMigrate.sql?",
                                      db + "/v2__lower.sql" + note + "V2__lower.sql?"}));
}

TEST_F(ResolverTest, ResolveMigrationsFailsWithOneLinePerProblem) {
  Write("db/V1_init.sql", "SELECT 1;");
  Write("db/V2__bad.sql", "\xC3");
  Write("db/V3__ok.sql", "SELECT 3;");
  auto resolution = ResolveMigrations({{root_ / "db"}});
  ASSERT_FALSE(resolution);
  EXPECT_EQ(resolution.error().code, ErrorCode::kInvalidArgument);
  const std::string db = (root_ / "db").string();
  EXPECT_EQ(resolution.error().message,
            "2 problems with migration files:\n"
            "  " +
                db +
                "/V1_init.sql: not a valid migration name: '1_init' is not a version (it "
                "should look like V1.2__description.sql); did you mean V1__init.sql?\n"
                "  " +
                db + "/V2__bad.sql: not valid UTF-8 (line 1, byte 0); save the file as UTF-8");
}

TEST_F(ResolverTest, ResolveMigrationsSucceedsWhenEveryFileIsFine) {
  Write("db/V1__a.sql", "SELECT 1;");
  auto resolution = ResolveMigrations({{root_ / "db"}});
  ASSERT_TRUE(resolution) << resolution.error().message;
  EXPECT_EQ(resolution->migrations.size(), 1u);
}

TEST_F(ResolverTest, MissingLocationIsNotFound) {
  auto resolution = ScanLocations({{root_ / "nope"}});
  ASSERT_FALSE(resolution);
  EXPECT_EQ(resolution.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(resolution.error().message,
            "migration location " + (root_ / "nope").string() + " does not exist");
}

TEST_F(ResolverTest, FileAsLocationIsInvalid) {
  const fs::path file = Write("V1__a.sql", "SELECT 1;");
  auto resolution = ScanLocations({{file}});
  ASSERT_FALSE(resolution);
  EXPECT_EQ(resolution.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(resolution.error().message,
            "migration location " + file.string() + " is not a directory");
}

// ----- Flyway's naming settings and switches ---------------------------------------------------

TEST(ClassifyFileNameTest, EmptyVersionedPrefixTakesWhatNoOtherPrefixClaims) {
  MigrationNaming naming;
  naming.versioned_prefix = "";
  const FileName versioned = ClassifyFileName("20170206205240748__initial_schema.sql", naming);
  ASSERT_TRUE(std::holds_alternative<MigrationFileName>(versioned));
  EXPECT_EQ(std::get<MigrationFileName>(versioned).version->ToString(), "20170206205240748");
  EXPECT_EQ(std::get<MigrationFileName>(versioned).description, "initial schema");
  const FileName repeatable = ClassifyFileName("R__views.sql", naming);
  ASSERT_TRUE(std::holds_alternative<MigrationFileName>(repeatable));
  EXPECT_EQ(std::get<MigrationFileName>(repeatable).kind, MigrationKind::kRepeatable);
  EXPECT_TRUE(
      std::holds_alternative<CallbackFileName>(ClassifyFileName("afterMigrate.sql", naming)));
  EXPECT_TRUE(std::holds_alternative<InvalidFileName>(ClassifyFileName("notes.sql", naming)));
}

TEST(ClassifyFileNameTest, OtherPrefixesSeparatorAndSuffixes) {
  MigrationNaming naming;
  naming.versioned_prefix = "M";
  naming.repeatable_prefix = "Rep";
  naming.separator = "-";
  naming.suffixes = {".ddl"};
  const FileName m = ClassifyFileName("M1.2-add_users.DDL", naming);
  ASSERT_TRUE(std::holds_alternative<MigrationFileName>(m));
  EXPECT_EQ(std::get<MigrationFileName>(m).version->ToString(), "1.2");
  EXPECT_EQ(std::get<MigrationFileName>(m).description, "add users");
  EXPECT_EQ(std::get<MigrationFileName>(ClassifyFileName("Rep-v.ddl", naming)).kind,
            MigrationKind::kRepeatable);
  EXPECT_TRUE(std::holds_alternative<OtherFileName>(ClassifyFileName("V1__a.sql", naming)));
  EXPECT_TRUE(
      std::holds_alternative<ScriptConfigFileName>(ClassifyFileName("M1-a.ddl.conf", naming)));
  const FileName bad = ClassifyFileName("Mx-a.ddl", naming);
  ASSERT_TRUE(std::holds_alternative<InvalidFileName>(bad));
  EXPECT_NE(std::get<InvalidFileName>(bad).message.find("M1.2-description.ddl"), std::string::npos)
      << std::get<InvalidFileName>(bad).message;
}

TEST(CheckMigrationNamingTest, RefusesNamingsThatCannotWork) {
  EXPECT_TRUE(CheckMigrationNaming({}));
  MigrationNaming empty_repeatable;
  empty_repeatable.repeatable_prefix = "";
  EXPECT_FALSE(CheckMigrationNaming(empty_repeatable));
  MigrationNaming same;
  same.undo_prefix = "V";
  EXPECT_FALSE(CheckMigrationNaming(same));
  MigrationNaming no_suffix;
  no_suffix.suffixes.clear();
  EXPECT_FALSE(CheckMigrationNaming(no_suffix));
}

TEST_F(ResolverTest, MisnamedFilesAreSkippedWhenNamingIsNotValidated) {
  Write("db/V1__one.sql", "SELECT 1;\n");
  Write("db/V366_remove_spaces.sql", "SELECT 366;\n");
  ResolveOptions options({root_ / "db"});
  EXPECT_FALSE(ResolveMigrations(options));
  options.validate_migration_naming = false;
  auto resolution = ResolveMigrations(options);
  ASSERT_TRUE(resolution) << resolution.error().message;
  EXPECT_EQ(Scripts(*resolution), std::vector<std::string>{"V1__one.sql"});
  ASSERT_EQ(resolution->skipped.size(), 1u);
  EXPECT_EQ(resolution->skipped[0].path, root_ / "db" / "V366_remove_spaces.sql");
}

TEST_F(ResolverTest, FlywayLocationPrefixesAndMissingLocations) {
  Write("db/V1__one.sql", "SELECT 1;\n");
  ResolveOptions options({fs::path("filesystem:" + (root_ / "db").string()), root_ / "gone"});
  EXPECT_EQ(ScanLocations(options).error().code, ErrorCode::kNotFound);
  options.fail_on_missing_locations = false;
  auto resolution = ScanLocations(options);
  ASSERT_TRUE(resolution) << resolution.error().message;
  EXPECT_EQ(Scripts(*resolution), std::vector<std::string>{"V1__one.sql"});
  EXPECT_EQ(resolution->missing_locations, std::vector<fs::path>{root_ / "gone"});
  auto classpath = ScanLocations({{"classpath:db/migration"}});
  ASSERT_FALSE(classpath);
  EXPECT_NE(classpath.error().message.find("filesystem:src/main/resources/db/migration"),
            std::string::npos)
      << classpath.error().message;
}

}  // namespace
}  // namespace strata::migrations
