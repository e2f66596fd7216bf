#include "schema/snapshot.h"

#include <gtest/gtest.h>

#include "schema/introspect.h"

namespace strata::schema {
namespace {

TEST(SnapshotRenderTest, SortsObjectsByKindThenNameAndPartsByText) {
  Snapshot s;
  s.dialect = "postgresql";
  s.schemas = {"public"};
  s.objects.push_back({"view", "a_view", {}, {"definition SELECT 1"}});
  s.objects.push_back({"table",
                       "zeta",
                       {"column b int", "column a int"},
                       {"primary key zeta_pkey (b)", "index zeta_a_idx btree (a)"}});
  s.objects.push_back({"table", "alpha", {"column id int"}, {}});
  s.objects.push_back({"enum", "mood", {"values 'sad', 'happy'"}, {}});
  EXPECT_EQ(s.Render(),
            "-- strata schema snapshot v1\n"
            "-- dialect: postgresql\n"
            "\n"
            "enum mood\n"
            "  values 'sad', 'happy'\n"
            "\n"
            "table alpha\n"
            "  column id int\n"
            "\n"
            "table zeta\n"
            "  column b int\n"
            "  column a int\n"
            "  index zeta_a_idx btree (a)\n"
            "  primary key zeta_pkey (b)\n"
            "\n"
            "view a_view\n"
            "  definition SELECT 1\n");
}

TEST(SnapshotRenderTest, ListsSchemasOnlyWhenSeveralAndEscapesControlCharacters) {
  Snapshot s;
  s.dialect = "postgresql";
  s.schemas = {"app", "audit"};
  s.objects.push_back({"table", "app.t", {"column c text default 'a\nb\tc'  "}, {}});
  EXPECT_EQ(s.Render(),
            "-- strata schema snapshot v1\n"
            "-- dialect: postgresql\n"
            "-- schemas: app, audit\n"
            "\n"
            "table app.t\n"
            "  column c text default 'a\\nb\\tc'\n");
}

TEST(FingerprintTest, IsSha256Hex) {
  EXPECT_EQ(Fingerprint(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Fingerprint("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(StrataTablesTest, HistoryAndBackfillTables) {
  EXPECT_EQ(StrataTables("flyway_schema_history"),
            (std::vector<std::string>{"flyway_schema_history", "strata_backfill_run",
                                      "strata_backfill_chunk", "flyway_schema_history_progress"}));
}

TEST(NormaliseSqlTest, CollapsesWhitespaceOutsideQuotesAndDropsComments) {
  using internal::NormaliseSql;
  EXPECT_EQ(NormaliseSql(" SELECT  a,\n\t b -- note\n FROM t /* x */ WHERE c = 'x  y';\n"),
            "SELECT a, b FROM t WHERE c = 'x  y'");
  EXPECT_EQ(NormaliseSql("SELECT \"a  b\", 'it''s  ok'"), "SELECT \"a  b\", 'it''s  ok'");
  EXPECT_EQ(NormaliseSql("SELECT 'a\\'  b'", db::Dialect::kMariaDb), "SELECT 'a\\'  b'");
  EXPECT_EQ(NormaliseSql("SELECT [a  b]", db::Dialect::kSqlite), "SELECT [a  b]");
  EXPECT_EQ(NormaliseSql("SELECT sum(x)"), "SELECT sum(x)");
  // Each dialect's own strings and comments.
  EXPECT_EQ(NormaliseSql("SELECT $$a  -- b$$  ,  E'c\\'  d'"), "SELECT $$a  -- b$$ , E'c\\'  d'");
  EXPECT_EQ(NormaliseSql("SELECT 1 # x\n , \"a\\\"  b\"", db::Dialect::kMariaDb),
            "SELECT 1 , \"a\\\"  b\"");
}

}  // namespace
}  // namespace strata::schema
