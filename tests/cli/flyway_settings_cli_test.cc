// Flyway's settings that change behaviour (docs/flyway.md §6), as a team taking over a Flyway
// project meets them: strata.toml keys, run with the real strata binary against the real
// servers. Projects with a default schema, without the V prefix and with a misnamed file are
// migrated end to end and then validated; every other key has a focused test; a bad value is
// refused with exit 2 naming the key, before anything is created.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "db/url.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

namespace fs = std::filesystem;

class FlywaySettingsCliTest : public ScratchDatabaseTest {
 protected:
  void SetUp() override {
    ScratchDatabaseTest::SetUp();
    if (HasFatalFailure()) return;
    WriteConfig("");
  }

  void WriteConfig(const std::string& extra) {
    project_.WriteConfig(fmt::format("url = \"{}\"\n{}", scratch_->url(), extra));
  }
  void Write(const std::string& name, const std::string& text) { project_.Write(name, text); }
  RunResult Strata(std::vector<std::string> args, const RunOptions& options = {}) {
    return project_.Strata(std::move(args), options);
  }

  // How many tables named `table` exist in `schema` ("" = the scratch database's own schema).
  std::int64_t TablesNamed(const std::string& table, const std::string& schema = "") {
    switch (dialect()) {
      case db::Dialect::kSqlite:
        return Scalar(fmt::format("SELECT count(*) FROM sqlite_schema WHERE name = '{}'", table));
      case db::Dialect::kPostgres:
        return Scalar(fmt::format(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = '{}' AND "
            "table_schema = {}",
            table, schema.empty() ? "current_schema()" : "'" + schema + "'"));
      case db::Dialect::kMariaDb:
        return Scalar(fmt::format(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = '{}' AND "
            "table_schema = {}",
            table, schema.empty() ? "DATABASE()" : "'" + schema + "'"));
    }
    return -1;
  }

  static void ExpectError(const RunResult& r, int exit_code, const std::string& needle) {
    EXPECT_EQ(r.exit_code, exit_code) << r.all();
    EXPECT_NE(r.err.find("strata: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }

  // The lines of `err` that are not warnings: a refusal is exactly one.
  static std::size_t ErrorLines(const std::string& err) {
    std::size_t lines = 0;
    for (std::size_t at = 0; at < err.size();) {
      const std::size_t end = std::min(err.find('\n', at), err.size());
      if (err.compare(at, 16, "strata: warning:") != 0) ++lines;
      at = end + 1;
    }
    return lines;
  }

  void MigrateThenValidate() {
    RunResult migrate = Strata({"migrate"});
    ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
    RunResult validate = Strata({"validate"});
    ASSERT_EQ(validate.exit_code, 0) << validate.all();
  }

  TestProject project_{"flyway_settings_cli"};
};

// ---- Naming: no V prefix, a misnamed file, other prefixes and separators --------------------

TEST_P(FlywaySettingsCliTest, ProjectWithoutVPrefixMigratesAndValidates) {
  WriteConfig("sql_migration_prefix = \"\"\n");
  Write("20170206205240748__initial_schema.sql", "CREATE TABLE foo (id INT);\n");
  Write("20170301101010000__second.sql", "CREATE TABLE bar (id INT);\n");
  Write("R__view.sql", "CREATE VIEW foo_view AS SELECT id FROM foo;\n");
  MigrateThenValidate();
  EXPECT_EQ(TablesNamed("bar"), 1);
  RunResult info = Strata({"info", "--json"});
  ASSERT_EQ(info.exit_code, 0) << info.all();
  const auto doc = nlohmann::json::parse(info.out);
  EXPECT_EQ(doc["current_version"], "20170301101010000");
  EXPECT_EQ(doc["migrations"].size(), 3u);
}

TEST_P(FlywaySettingsCliTest, MisnamedFileIsRefusedByDefaultAndSkippedWithAWarningWhenAsked) {
  Write("V1__create_foo.sql", "CREATE TABLE foo (id INT);\n");
  Write("V366_remove_spaces.sql", "DROP TABLE foo;\n");
  Write("V2__create_bar.sql", "CREATE TABLE bar (id INT);\n");
  ExpectError(Strata({"migrate"}), 2, "V366_remove_spaces.sql");
  EXPECT_EQ(TablesNamed("foo"), 0);

  WriteConfig("validate_migration_naming = false\n");
  RunResult migrate = Strata({"migrate"});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
  EXPECT_NE(migrate.err.find("V366_remove_spaces.sql"), std::string::npos) << migrate.err;
  EXPECT_NE(migrate.err.find("validate_migration_naming = false"), std::string::npos)
      << migrate.err;
  RunResult validate = Strata({"validate"});
  ASSERT_EQ(validate.exit_code, 0) << validate.all();
  EXPECT_NE(validate.err.find("V366_remove_spaces.sql"), std::string::npos) << validate.err;
  EXPECT_EQ(TablesNamed("foo"), 1);
  EXPECT_EQ(TablesNamed("bar"), 1);
}

// ---- The default schema, created when missing, dropped by clean -------------------------------

TEST_P(FlywaySettingsCliTest, DefaultSchemaHoldsTheScriptsTablesAndTheHistory) {
  if (dialect() == db::Dialect::kSqlite) {
    WriteConfig("default_schema = \"app\"\n");
    Write("V1__create_foo.sql", "CREATE TABLE foo (id INT);\n");
    ExpectError(Strata({"migrate"}), 2, "default_schema 'app': SQLite has one schema, main");
    EXPECT_EQ(TablesNamed("strata_schema_history"), 0);
    return;
  }
  // On MariaDB a schema is a database of the server: named after the scratch one, dropped by
  // the test's clean (and below, should it fail).
  const std::string schema = db::ParseUrl(scratch_->url())->database + "_app";
  struct DropSchema {
    db::Connection& conn;
    std::string sql;
    ~DropSchema() { (void)conn.Execute(sql); }
  } drop{*conn_, fmt::format("DROP SCHEMA IF EXISTS {}{}", db::QuoteIdentifier(dialect(), schema),
                             dialect() == db::Dialect::kPostgres ? " CASCADE" : "")};
  WriteConfig(fmt::format("default_schema = \"{}\"\nclean_disabled = false\n", schema));
  Write("V1__create_foo.sql", "CREATE TABLE foo (id INT);\n");
  Write("V2__fill_foo.sql", "INSERT INTO foo (id) VALUES (1);\n");
  MigrateThenValidate();
  EXPECT_EQ(TablesNamed("foo", schema), 1);
  EXPECT_EQ(TablesNamed("foo"), 0);  // not in the connection's own schema
  EXPECT_EQ(TablesNamed("strata_schema_history", schema), 1);
  const std::string history =
      fmt::format("{}.strata_schema_history", db::QuoteIdentifier(dialect(), schema));
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {} WHERE installed_rank = 0 AND type = "
                               "'SCHEMA' AND description = '<< Flyway Schema Creation >>' AND "
                               "script = '{}' AND version IS NULL",
                               history, db::QuoteIdentifier(dialect(), schema))),
            1);
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {} WHERE type = 'SQL'", history)), 2);

  // clean drops the schema strata created; the next migrate creates it again.
  RunResult clean = Strata({"clean"});
  ASSERT_EQ(clean.exit_code, 0) << clean.all();
  EXPECT_EQ(TablesNamed("strata_schema_history", schema), 0);
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM information_schema.schemata WHERE "
                               "schema_name = '{}'",
                               schema)),
            0);
  MigrateThenValidate();
  EXPECT_EQ(TablesNamed("foo", schema), 1);
}

TEST_P(FlywaySettingsCliTest, MissingSchemaIsRefusedWhenCreateSchemasIsFalse) {
  if (dialect() == db::Dialect::kSqlite) {  // main always exists
    WriteConfig("schemas = [\"main\"]\ncreate_schemas = false\n");
    Write("V1__create_foo.sql", "CREATE TABLE foo (id INT);\n");
    MigrateThenValidate();
    EXPECT_EQ(TablesNamed("foo"), 1);
    return;
  }
  const std::string schema = db::ParseUrl(scratch_->url())->database + "_none";
  WriteConfig(fmt::format("schemas = [\"{}\"]\ncreate_schemas = false\n", schema));
  Write("V1__create_foo.sql", "CREATE TABLE foo (id INT);\n");
  ExpectError(Strata({"migrate"}), 2, "create_schemas is false");
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM information_schema.schemata WHERE "
                               "schema_name = '{}'",
                               schema)),
            0);
  EXPECT_EQ(TablesNamed("foo"), 0);
}

// ---- baseline creates the schemas as migrate does ---------------------------------------------

TEST_P(FlywaySettingsCliTest, BaselineCreatesMissingSchemasWithTheMarker) {
  if (dialect() == db::Dialect::kSqlite) {  // an attached database cannot be created
    WriteConfig("schemas = [\"main\", \"aux\"]\n");
    ExpectError(Strata({"baseline"}), 2, "schema 'aux' does not exist");
    EXPECT_EQ(TablesNamed("strata_schema_history"), 0);
    return;
  }
  const std::string base = db::ParseUrl(scratch_->url())->database;
  const std::string app = base + "_app";
  const std::string extra = base + "_extra";
  const auto drop_sql = [&](const std::string& schema) {
    return fmt::format("DROP SCHEMA IF EXISTS {}{}", db::QuoteIdentifier(dialect(), schema),
                       dialect() == db::Dialect::kPostgres ? " CASCADE" : "");
  };
  struct DropSchemas {
    db::Connection& conn;
    std::vector<std::string> sql;
    ~DropSchemas() {
      for (const std::string& s : sql) (void)conn.Execute(s);
    }
  } drop{*conn_, {drop_sql(app), drop_sql(extra)}};
  const auto schema_count = [&](const std::string& schema) {
    return Scalar(fmt::format(
        "SELECT count(*) FROM information_schema.schemata WHERE schema_name = '{}'", schema));
  };
  const std::string history =
      fmt::format("{}.strata_schema_history", db::QuoteIdentifier(dialect(), app));
  const auto marker_lists = [&](const std::string& script) {
    return Scalar(
        fmt::format("SELECT count(*) FROM {} WHERE installed_rank = 0 AND type = "
                    "'SCHEMA' AND description = '<< Flyway Schema Creation >>' AND "
                    "script = '{}' AND version IS NULL",
                    history, script));
  };
  const std::string q_app = db::QuoteIdentifier(dialect(), app);
  const std::string q_extra = db::QuoteIdentifier(dialect(), extra);

  // create_schemas = false: refused, nothing created.
  WriteConfig(fmt::format("default_schema = \"{}\"\ncreate_schemas = false\n", app));
  ExpectError(Strata({"baseline"}), 2, "create_schemas is false");
  EXPECT_EQ(schema_count(app), 0);

  // baseline creates the default schema and records it at rank 0, the baseline at rank 1.
  WriteConfig(fmt::format("default_schema = \"{}\"\nclean_disabled = false\n", app));
  RunResult baseline = Strata({"baseline"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.all();
  EXPECT_EQ(schema_count(app), 1);
  EXPECT_EQ(marker_lists(q_app), 1);
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {} WHERE installed_rank = 1 AND type = "
                               "'BASELINE' AND version = '1'",
                               history)),
            1);
  // Run again: the same baseline, nothing to do.
  baseline = Strata({"baseline"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.all();
  EXPECT_NE(baseline.out.find("already baselined"), std::string::npos) << baseline.out;

  // A schema added later is created by migrate and joins the marker; one that goes missing
  // is created again by baseline's and migrate's next run.
  WriteConfig(fmt::format("schemas = [\"{}\", \"{}\"]\nclean_disabled = false\n", app, extra));
  Write("V2__create_foo.sql", "CREATE TABLE foo (id INT);\n");
  MigrateThenValidate();
  EXPECT_EQ(TablesNamed("foo", app), 1);
  EXPECT_EQ(schema_count(extra), 1);
  EXPECT_EQ(marker_lists(q_app + "," + q_extra), 1);
  ASSERT_TRUE(conn_->Execute(drop_sql(extra)));
  baseline = Strata({"baseline"});
  EXPECT_EQ(baseline.exit_code, 3) << baseline.all();  // the history has migrations
  MigrateThenValidate();
  EXPECT_EQ(schema_count(extra), 1);
  EXPECT_EQ(marker_lists(q_app + "," + q_extra), 1);

  // clean drops both (the marker names them); a migrate that applies nothing creates both
  // again, marker first; baseline accepts a history holding only the marker, as Flyway's does.
  RunResult clean = Strata({"clean"});
  ASSERT_EQ(clean.exit_code, 0) << clean.all();
  EXPECT_EQ(schema_count(app), 0);
  EXPECT_EQ(schema_count(extra), 0);
  RunResult nothing = Strata({"migrate", "--cherry-pick", "99"});
  ASSERT_EQ(nothing.exit_code, 0) << nothing.all();
  EXPECT_EQ(schema_count(extra), 1);
  EXPECT_EQ(marker_lists(q_app + "," + q_extra), 1);
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {}", history)), 1);
  baseline = Strata({"baseline"});
  ASSERT_EQ(baseline.exit_code, 0) << baseline.all();
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM {}", history)), 2);
  MigrateThenValidate();
  EXPECT_EQ(TablesNamed("foo", app), 1);
}

// ---- What a run records and runs ----------------------------------------------------------

TEST_P(FlywaySettingsCliTest, InstalledByCherryPickAndSkipExecutingMigrations) {
  Write("V1__create_foo.sql", "CREATE TABLE foo (id INT);\n");
  Write("V2__create_bar.sql", "CREATE TABLE bar (id INT);\n");
  Write("V3__create_baz.sql", "CREATE TABLE baz (id INT);\n");
  WriteConfig("installed_by = \"deployer\"\ncherry_pick = [\"1\", \"3\"]\n");
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  EXPECT_EQ(TablesNamed("foo"), 1);
  EXPECT_EQ(TablesNamed("bar"), 0);
  EXPECT_EQ(TablesNamed("baz"), 1);
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_schema_history WHERE installed_by = 'deployer'"),
            2);

  WriteConfig("skip_executing_migrations = true\nout_of_order = true\n");
  ASSERT_EQ(Strata({"migrate"}).exit_code, 0);
  EXPECT_EQ(TablesNamed("bar"), 0);  // recorded, not run
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_schema_history WHERE version = '2'"), 1);
}

TEST_P(FlywaySettingsCliTest, GroupAppliesAllOrNothing) {
  Write("V1__create_foo.sql", "CREATE TABLE foo (id INT);\n");
  Write("V2__fill_foo.sql", "INSERT INTO foo (id) VALUES (1);\n");
  Write("V3__broken.sql", "CREATE TABLE bar (id INT);\nSELECT * FROM no_such_table;\n");
  WriteConfig("group = true\n");
  RunResult r = Strata({"migrate"});
  if (dialect() == db::Dialect::kMariaDb) {
    // Refused before anything runs: one line, exit 2, no table, no history.
    ExpectError(r, 2, "group = true cannot hold on mariadb");
    EXPECT_EQ(ErrorLines(r.err), 1u) << r.err;
    EXPECT_EQ(TablesNamed("foo"), 0);
    EXPECT_EQ(TablesNamed("strata_schema_history"), 0);
    return;
  }
  // The third of three pending migrations fails: the first two roll back with it.
  EXPECT_EQ(r.exit_code, 1) << r.all();
  EXPECT_NE(r.err.find("V3__broken.sql"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("every migration of this run was rolled back"), std::string::npos) << r.err;
  EXPECT_EQ(TablesNamed("foo"), 0);
  EXPECT_EQ(TablesNamed("bar"), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_schema_history"), 0);
  Write("V3__broken.sql", "CREATE TABLE bar (id INT);\n");
  MigrateThenValidate();
  EXPECT_EQ(Scalar("SELECT count(*) FROM foo"), 1);
  EXPECT_EQ(TablesNamed("bar"), 1);
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_schema_history WHERE success"), 3);
}

// ---- Flags: over the environment and the file, named by config show ---------------------------

TEST_P(FlywaySettingsCliTest, FlagsOverrideEnvironmentAndFileAndConfigShowNamesThem) {
  Write("V1__create_foo.sql", "CREATE TABLE foo (id INT);\n");
  Write("V2_misnamed.sql", "CREATE TABLE misnamed (id INT);\n");
  WriteConfig("installed_by = \"from_file\"\nvalidate_migration_naming = true\n");
  RunOptions env;
  env.env["STRATA_INSTALLED_BY"] = "from_env";
  ExpectError(Strata({"migrate"}, env), 2, "V2_misnamed.sql");

  RunResult show = Strata({"config", "show", "--json", "--installed-by", "from_flag",
                           "--no-validate-migration-naming", "--group"},
                          env);
  ASSERT_EQ(show.exit_code, 0) << show.all();
  std::map<std::string, nlohmann::json> by_key;
  const auto doc = nlohmann::json::parse(show.out);
  for (const auto& s : doc["settings"]) by_key[s["key"]] = s;
  EXPECT_EQ(by_key["installed_by"]["value"], "from_flag");
  EXPECT_EQ(by_key["installed_by"]["source"], "--installed-by");
  EXPECT_EQ(by_key["installed_by"]["origin"], "flag");
  EXPECT_EQ(by_key["validate_migration_naming"]["value"], false);
  EXPECT_EQ(by_key["validate_migration_naming"]["source"], "--no-validate-migration-naming");
  EXPECT_EQ(by_key["group"]["value"], true);
  EXPECT_EQ(by_key["group"]["source"], "--group");
  RunResult text = Strata({"config", "show", "--installed-by", "from_flag"}, env);
  ASSERT_EQ(text.exit_code, 0) << text.all();
  EXPECT_NE(text.out.find("--installed-by"), std::string::npos) << text.out;

  RunResult migrate =
      Strata({"migrate", "--no-validate-migration-naming", "--installed-by", "from_flag"}, env);
  ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
  EXPECT_NE(migrate.err.find("V2_misnamed.sql"), std::string::npos) << migrate.err;
  EXPECT_EQ(Scalar("SELECT count(*) FROM strata_schema_history WHERE installed_by = 'from_flag'"),
            1);
  EXPECT_EQ(TablesNamed("misnamed"), 0);
}

TEST_P(FlywaySettingsCliTest, BadFlagValueIsOneLineNamingTheFlagAndAppliesNothing) {
  Write("V1__create_foo.sql", "CREATE TABLE foo (id INT);\n");
  const std::vector<std::vector<std::string>> cases = {
      {"--connect-retries", "abc"},
      {"--connect-retries-interval", "-1"},
      {"--sql-migration-separator", ""},
      {"--placeholder-suffix", ""},
      {"--sql-migration-prefix", "R"},
      {"--group=maybe"},
      {"--no-create-schemas", "--schemas", "no_such_schema_x"},
  };
  for (const std::vector<std::string>& flags : cases) {
    std::vector<std::string> args = {"migrate"};
    args.insert(args.end(), flags.begin(), flags.end());
    RunResult r = Strata(args);
    const std::string flag = flags.front().substr(0, flags.front().find('='));
    if (flag == "--no-create-schemas") {
      // A valid flag whose setting refuses the run: the schema it names does not exist.
      EXPECT_EQ(r.exit_code, 2) << r.all();
    } else {
      ExpectError(r, 2, flag);
    }
    EXPECT_EQ(ErrorLines(r.err), 1u) << flag << ": " << r.err;
    EXPECT_EQ(TablesNamed("foo"), 0) << flag;
    EXPECT_EQ(TablesNamed("strata_schema_history"), 0) << flag;
  }
}

TEST_P(FlywaySettingsCliTest, InitSqlRunsOnTheMigrationConnection) {
  switch (dialect()) {
    case db::Dialect::kPostgres:
      WriteConfig("init_sql = \"SET application_name = 'from_init_sql'\"\n");
      Write("V1__t.sql", "CREATE TABLE t AS SELECT current_setting('application_name') AS v;\n");
      break;
    case db::Dialect::kMariaDb:
      WriteConfig("init_sql = \"SET @init = 'from_init_sql'\"\n");
      Write("V1__t.sql", "CREATE TABLE t AS SELECT @init AS v;\n");
      break;
    case db::Dialect::kSqlite:
      WriteConfig("init_sql = \"CREATE TEMP TABLE init_marker AS SELECT 'from_init_sql' AS v\"\n");
      Write("V1__t.sql", "CREATE TABLE t AS SELECT v FROM temp.init_marker;\n");
      break;
  }
  MigrateThenValidate();
  EXPECT_EQ(Scalar("SELECT count(*) FROM t WHERE v = 'from_init_sql'"), 1);
}

INSTANTIATE_TEST_SUITE_P(AllEngines, FlywaySettingsCliTest, ::testing::ValuesIn(kAllDialects),
                         DialectParamName);

// ---- Keys that do not depend on the engine (SQLite) -------------------------------------------

class FlywaySettingsSqliteCliTest : public ::testing::Test {
 protected:
  RunResult Strata(std::vector<std::string> args, const RunOptions& options = {}) {
    return project_.Strata(std::move(args), options);
  }
  static void ExpectError(const RunResult& r, int exit_code, const std::string& needle) {
    EXPECT_EQ(r.exit_code, exit_code) << r.all();
    EXPECT_NE(r.err.find("strata: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  }
  bool DatabaseExists() const { return fs::exists(project_.root() / "app.db"); }

  TestProject project_{"flyway_settings_sqlite", "url = \"sqlite:app.db\"\n"};
};

TEST_F(FlywaySettingsSqliteCliTest, OtherPrefixesSeparatorAndSuffixes) {
  project_.WriteConfig(
      "url = \"sqlite:app.db\"\nsql_migration_prefix = \"M\"\nsql_migration_separator = "
      "\"-\"\nsql_migration_suffixes = [\".ddl\", \".sql\"]\nrepeatable_sql_migration_prefix = "
      "\"Rep\"\nbaseline_migration_prefix = \"Base\"\nundo_sql_migration_prefix = \"Undo\"\n");
  project_.Write("Base1-start.ddl", "CREATE TABLE foo (id INT);\n");
  project_.Write("M1-ignored_below_baseline.ddl", "CREATE TABLE never (id INT);\n");
  project_.Write("M2-add_bar.sql", "CREATE TABLE bar (id INT);\n");
  project_.Write("Undo2-drop_bar.sql", "DROP TABLE bar;\n");
  project_.Write("Rep-view.ddl", "CREATE VIEW v AS SELECT id FROM foo;\n");
  project_.Write("V3__not_a_migration_here.txt", "");
  RunResult migrate = Strata({"migrate", "--json"});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.all();
  const auto doc = nlohmann::json::parse(migrate.out);
  ASSERT_EQ(doc["applied"].size(), 3u) << migrate.out;
  EXPECT_EQ(doc["applied"][0]["type"], "sql_baseline");
  EXPECT_EQ(doc["applied"][1]["description"], "add bar");
  EXPECT_EQ(doc["applied"][2]["script"], "Rep-view.ddl");
  ASSERT_EQ(Strata({"validate"}).exit_code, 0);
  RunResult undo = Strata({"undo"});
  EXPECT_EQ(undo.exit_code, 0) << undo.all();
}

TEST_F(FlywaySettingsSqliteCliTest, PlaceholderPrefixAndSuffix) {
  project_.WriteConfig(
      "url = \"sqlite:app.db\"\nplaceholder_prefix = \"#[\"\nplaceholder_suffix = \"]\"\n"
      "[placeholders]\nname = \"users\"\n");
  project_.Write("V1__t.sql", "CREATE TABLE #[name] (id INT, note TEXT DEFAULT '${kept}');\n");
  RunResult r = Strata({"migrate", "--dry-run"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("CREATE TABLE users (id INT, note TEXT DEFAULT '${kept}')"),
            std::string::npos)
      << r.out;
}

TEST_F(FlywaySettingsSqliteCliTest, LocationsTakeFlywayPrefixesAndMayBeMissingWhenAllowed) {
  project_.Write("V1__t.sql", "CREATE TABLE t (id INT);\n");
  project_.WriteConfig("url = \"sqlite:app.db\"\nlocations = [\"classpath:db/migration\"]\n");
  ExpectError(Strata({"migrate"}), 2, "filesystem:src/main/resources/db/migration");

  project_.WriteConfig(
      "url = \"sqlite:app.db\"\nlocations = [\"filesystem:migrations\", \"filesystem:gone\"]\n");
  ExpectError(Strata({"migrate"}), 2, "gone does not exist");
  EXPECT_FALSE(DatabaseExists());

  project_.WriteConfig(
      "url = \"sqlite:app.db\"\nlocations = [\"filesystem:migrations\", \"filesystem:gone\"]\n"
      "fail_on_missing_locations = false\n");
  RunResult r = Strata({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.err.find("gone does not exist; skipped (fail_on_missing_locations = false)"),
            std::string::npos)
      << r.err;
}

TEST_F(FlywaySettingsSqliteCliTest, BadValuesAreRefusedNamingTheKeyBeforeAnythingIsCreated) {
  project_.Write("V1__t.sql", "CREATE TABLE t (id INT);\n");
  const std::pair<std::string, std::string> cases[] = {
      {"connect_retries = \"many\"\n", "connect_retries must be a whole number"},
      {"connect_retries_interval = \"-1\"\n", "connect_retries_interval must be a whole number"},
      {"sql_migration_separator = \"\"\n", "sql_migration_separator may not be empty"},
      {"repeatable_sql_migration_prefix = \"V\"\n",
       "repeatable_sql_migration_prefix and sql_migration_prefix are both 'V'"},
      {"sql_migration_suffixes = []\n", "sql_migration_suffixes needs at least one suffix"},
      {"placeholder_suffix = \"\"\n", "placeholder_suffix may not be empty"},
      {"group = \"yes\"\n", "'group' must be true or false"},
  };
  for (const auto& [line, message] : cases) {
    project_.WriteConfig("url = \"sqlite:app.db\"\n" + line);
    ExpectError(Strata({"migrate"}), 2, message);
    EXPECT_FALSE(DatabaseExists()) << line;
  }
}

TEST(FlywaySettingsConnectCliTest, ConnectRetriesRetryThenGiveUp) {
  TestProject project("flyway_settings_connect",
                      "url = \"postgresql://strata@127.0.0.1:1/none\"\nconnect_retries = 1\n"
                      "connect_retries_interval = \"1\"\n");
  // A TOML number and quoted text mean the same (connect_retries = 1 above).
  RunResult r = project.Strata({"info"});
  EXPECT_EQ(r.exit_code, 5) << r.all();
  EXPECT_NE(r.err.find("retry 1 of 1 in 1s"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("after 1 retry (connect_retries)"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace strata::testing
