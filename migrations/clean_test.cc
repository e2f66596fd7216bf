// clean on every engine: every kind of object goes, the refusal when disabled, dry runs.
#include "migrations/clean.h"

#include <gtest/gtest.h>

#include "migrations/lifecycle_test_util.h"

namespace strata::migrations {
namespace {

TEST(CleanScriptTest, IsRefusedWhileDisabledSayingHowToEnableIt) {
  Status refused = CheckCleanEnabled(true);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.error().message.find("clean_disabled = false"), std::string::npos);
  EXPECT_NE(refused.error().message.find("STRATA_CLEAN_DISABLED=false"), std::string::npos);
  EXPECT_NE(refused.error().message.find("nothing was dropped"), std::string::npos);
  EXPECT_TRUE(CheckCleanEnabled(false));
}

TEST(CleanScriptTest, WrapsDropsPerDialect) {
  const std::vector<DropObject> drops = {{"s", "table", "t", "DROP TABLE IF EXISTS s.t"}};
  EXPECT_EQ(RenderDryRun(CleanScript(drops, db::Dialect::kPostgres), db::Dialect::kPostgres),
            "BEGIN;\nDROP TABLE IF EXISTS s.t;\nCOMMIT;\n");
  EXPECT_EQ(RenderDryRun(CleanScript(drops, db::Dialect::kSqlite), db::Dialect::kSqlite),
            "BEGIN IMMEDIATE;\nPRAGMA defer_foreign_keys = ON;\nDROP TABLE IF EXISTS s.t;\n"
            "COMMIT;\n");
  EXPECT_EQ(
      RenderDryRun(CleanScript(drops, db::Dialect::kMariaDb), db::Dialect::kMariaDb),
      "-- foreign keys between the dropped tables are not checked\n"
      "SET FOREIGN_KEY_CHECKS = 0;\nDROP TABLE IF EXISTS s.t;\nSET FOREIGN_KEY_CHECKS = 1;\n");
  EXPECT_TRUE(CleanScript({}, db::Dialect::kPostgres).empty());
}

class CleanTest : public LifecycleTest {
 protected:
  Result<CleanResult> RunClean(bool dry_run = false, bool disabled = false) {
    CleanOptions options;
    options.run = Run(dry_run);
    options.clean_disabled = disabled;
    return Clean(conn(), lock_conn(), options, nullptr);
  }

  // One object of every kind the engine has, with dependencies between them.
  void WriteEveryKindOfObject() {
    switch (dialect()) {
      case db::Dialect::kPostgres:
        Write("V1__objects.sql", R"sql(
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TYPE span AS RANGE (subtype = int4);
CREATE TYPE pair AS (a INT, b INT);
CREATE DOMAIN positive AS INT CHECK (VALUE > 0);
CREATE SEQUENCE free_seq;
CREATE TABLE parent (id SERIAL PRIMARY KEY, m mood, p positive);
CREATE TABLE child (id INT GENERATED ALWAYS AS IDENTITY, parent_id INT REFERENCES parent (id));
CREATE TABLE measurement (at DATE NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE measurement_2024 PARTITION OF measurement FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE VIEW parent_view AS SELECT * FROM parent;
CREATE VIEW view_of_view AS SELECT id FROM parent_view;
CREATE MATERIALIZED VIEW parent_counts AS SELECT count(*) AS n FROM child;
CREATE FUNCTION add_one(x INT) RETURNS INT LANGUAGE sql AS $$ SELECT x + 1 $$;
CREATE FUNCTION add_one(x BIGINT) RETURNS BIGINT LANGUAGE sql AS $$ SELECT x + 1 $$;
CREATE PROCEDURE touch() LANGUAGE sql AS $$ SELECT 1 $$;
CREATE AGGREGATE my_sum (INT) (sfunc = int4pl, stype = INT);
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER child_stamp BEFORE INSERT ON child FOR EACH ROW EXECUTE FUNCTION stamp();
INSERT INTO parent (m, p) VALUES ('happy', 1);
INSERT INTO child (parent_id) VALUES (1);
)sql");
        break;
      case db::Dialect::kMariaDb:
        Write("V1__objects.sql", R"sql(
CREATE SEQUENCE free_seq;
CREATE TABLE parent (id INT AUTO_INCREMENT PRIMARY KEY);
CREATE TABLE child (id INT, parent_id INT, FOREIGN KEY (parent_id) REFERENCES parent (id));
CREATE VIEW parent_view AS SELECT * FROM parent;
CREATE VIEW view_of_view AS SELECT id FROM parent_view;
CREATE FUNCTION add_one(x INT) RETURNS INT DETERMINISTIC RETURN x + 1;
CREATE PROCEDURE touch() SELECT 1;
CREATE TRIGGER child_stamp BEFORE INSERT ON child FOR EACH ROW SET NEW.id = NEW.id;
CREATE EVENT nightly ON SCHEDULE EVERY 1 DAY DISABLE DO DELETE FROM child;
INSERT INTO parent VALUES (1);
INSERT INTO child VALUES (1, 1);
)sql");
        break;
      case db::Dialect::kSqlite:
        Write("V1__objects.sql", R"sql(
CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT);
CREATE TABLE child (id INT, parent_id INT REFERENCES parent (id));
CREATE INDEX child_parent ON child (parent_id);
CREATE VIEW parent_view AS SELECT * FROM parent;
CREATE TRIGGER child_stamp AFTER INSERT ON child BEGIN SELECT 1; END;
CREATE VIRTUAL TABLE notes USING fts5(body);
INSERT INTO parent VALUES (1);
INSERT INTO child VALUES (1, 1);
)sql");
        break;
    }
  }

  // The objects clean should have removed that are left, comma-separated ("" when none).
  std::string ObjectsLeft() {
    switch (dialect()) {
      case db::Dialect::kPostgres:
        return Scalar(
            "SELECT coalesce(string_agg(name, ', ' ORDER BY name), '') FROM (SELECT relname::text "
            "AS name FROM pg_class WHERE relnamespace = current_schema()::regnamespace UNION ALL "
            "SELECT proname::text FROM pg_proc WHERE pronamespace = "
            "current_schema()::regnamespace UNION ALL SELECT typname::text FROM pg_type WHERE "
            "typnamespace = current_schema()::regnamespace) o");
      case db::Dialect::kMariaDb:
        return Scalar(
            "SELECT coalesce(group_concat(name ORDER BY name SEPARATOR ', '), '') FROM (SELECT "
            "TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() "
            "UNION ALL SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA "
            "= DATABASE() UNION ALL SELECT EVENT_NAME FROM information_schema.EVENTS WHERE "
            "EVENT_SCHEMA = DATABASE() UNION ALL SELECT TRIGGER_NAME FROM "
            "information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()) o");
      case db::Dialect::kSqlite:
        return Scalar(
            "SELECT coalesce(group_concat(name, ', '), '') FROM (SELECT name FROM "
            "sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY "
            "name)");
    }
    return "";
  }
};

TEST_P(CleanTest, RefusesWhileDisabledAndDropsNothing) {
  WriteEveryKindOfObject();
  Migrate();
  auto result = RunClean(/*dry_run=*/false, /*disabled=*/true);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("clean_disabled = false"), std::string::npos);
  EXPECT_TRUE(TableExists("parent"));
  EXPECT_TRUE(TableExists("strata_schema_history"));
}

TEST_P(CleanTest, DropsEveryObjectAndTheHistoryThenMigrateRebuilds) {
  WriteEveryKindOfObject();
  Migrate();
  ASSERT_NE(ObjectsLeft(), "");
  auto result = RunClean();
  ASSERT_TRUE(result) << result.error().message;
  std::vector<std::string> dropped;
  std::string sql;
  for (const DropObject& d : result->drops) {
    dropped.push_back(d.kind + " " + d.name);
    sql += d.sql + "\n";
  }
  EXPECT_EQ(ObjectsLeft(), "") << sql;
  ASSERT_EQ(result->schemas.size(), 1u);
  const auto has = [&](const std::string& what) {
    return std::find(dropped.begin(), dropped.end(), what) != dropped.end();
  };
  EXPECT_TRUE(has("table strata_schema_history"));
  EXPECT_TRUE(has("table parent"));
  EXPECT_TRUE(has("view parent_view"));
  if (dialect() == db::Dialect::kPostgres) {
    EXPECT_TRUE(has("materialized view parent_counts"));
    EXPECT_TRUE(has("function add_one(x integer)"));
    EXPECT_TRUE(has("function add_one(x bigint)"));
    EXPECT_TRUE(has("procedure touch()"));
    EXPECT_TRUE(has("aggregate my_sum(integer)"));
    EXPECT_TRUE(has("type mood"));
    EXPECT_TRUE(has("type pair"));
    EXPECT_TRUE(has("domain positive"));
    EXPECT_TRUE(has("sequence free_seq"));
    EXPECT_FALSE(has("sequence parent_id_seq"));  // goes with its table
    EXPECT_FALSE(has("table measurement_2024"));  // goes with its parent
  }
  if (dialect() == db::Dialect::kMariaDb) {
    EXPECT_TRUE(has("event nightly"));
    EXPECT_TRUE(has("trigger child_stamp"));
    EXPECT_TRUE(has("function add_one"));
    EXPECT_TRUE(has("procedure touch"));
    EXPECT_TRUE(has("sequence free_seq"));
  }
  if (dialect() == db::Dialect::kSqlite) {
    EXPECT_TRUE(has("trigger child_stamp"));
    EXPECT_TRUE(has("table notes"));
  }
  Migrate();
  EXPECT_TRUE(TableExists("parent"));
}

TEST_P(CleanTest, DryRunListsTheDropsAndChangesNothing) {
  WriteEveryKindOfObject();
  Migrate();
  const std::string before = Dump();
  auto result = RunClean(/*dry_run=*/true);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(Dump(), before);
  EXPECT_NE(ObjectsLeft(), "");
  const std::string& sql = result->dry_run_sql;
  EXPECT_NE(sql.find("-- lock: "), std::string::npos) << sql;
  EXPECT_NE(sql.find(fmt::format("-- schemas: {}; {} objects to drop", result->schemas[0],
                                 result->drops.size())),
            std::string::npos)
      << sql;
  for (const DropObject& d : result->drops) {
    EXPECT_NE(sql.find(d.sql + ";\n"), std::string::npos) << d.sql;
  }
}

TEST_P(CleanTest, AnEmptySchemaIsCleanAlready) {
  auto result = RunClean();
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_TRUE(result->drops.empty());
}

TEST_P(CleanTest, AnUnknownSchemaIsRefusedByName) {
  CleanOptions options;
  options.run = Run();
  options.clean_disabled = false;
  options.schemas = {"no_such_schema"};
  auto result = Clean(conn(), lock_conn(), options, nullptr);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_NE(result.error().message.find("schema 'no_such_schema' does not exist"),
            std::string::npos)
      << result.error().message;
}

TEST_P(CleanTest, RunsCleanCallbacks) {
  Write("beforeClean.sql", "CREATE TABLE clean_started (id INT);\n");
  Write("afterClean.sql", "CREATE TABLE clean_finished (id INT);\n");
  Write("V1__a.sql", "CREATE TABLE a (id INT);\n");
  Migrate();
  auto result = RunClean();
  ASSERT_TRUE(result) << result.error().message;
  // beforeClean runs before the catalogs are read, so what it creates goes too; afterClean runs
  // last.
  EXPECT_FALSE(TableExists("a"));
  EXPECT_FALSE(TableExists("clean_started"));
  EXPECT_TRUE(TableExists("clean_finished"));
}

TEST_P(CleanTest, CleansTheConfiguredSchemasOnly) {
  if (dialect() == db::Dialect::kSqlite) GTEST_SKIP() << "SQLite has one schema per file";
  const std::string other =
      dialect() == db::Dialect::kPostgres ? "other_schema" : Scalar("SELECT DATABASE()") + "_other";
  Exec(fmt::format("CREATE SCHEMA {}", other));
  Exec(fmt::format("CREATE TABLE {}.kept (id INT)", other));
  Exec("CREATE TABLE dropped_here (id INT)");
  CleanOptions options;
  options.run = Run();
  options.clean_disabled = false;
  options.schemas = {other};
  auto result = Clean(conn(), lock_conn(), options, nullptr);
  if (dialect() == db::Dialect::kMariaDb) Exec(fmt::format("DROP DATABASE {}", other));
  ASSERT_TRUE(result) << result.error().message;
  ASSERT_EQ(result->drops.size(), 1u);
  EXPECT_EQ(result->drops[0].schema, other);
  EXPECT_EQ(result->drops[0].name, "kept");
  EXPECT_TRUE(TableExists("dropped_here"));
}

INSTANTIATE_TEST_SUITE_P(AllEngines, CleanTest, ::testing::ValuesIn(testing::kAllDialects),
                         testing::DialectParamName);

}  // namespace
}  // namespace strata::migrations
