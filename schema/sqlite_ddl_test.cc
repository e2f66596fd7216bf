#include "schema/sqlite_ddl.h"

#include <gtest/gtest.h>

namespace strata::schema::internal {
namespace {

TEST(SqliteDdlTest, ReadsChecksCollationsGeneratedColumnsAndOptions) {
  const SqliteTableDdl t = ParseSqliteCreateTable(
      "CREATE TABLE \"t\" (\n"
      "  id INTEGER PRIMARY KEY AUTOINCREMENT, -- the key\n"
      "  name TEXT COLLATE nocase NOT NULL CHECK (length(name) > 0),\n"
      "  [price, net] NUMERIC(10, 2) DEFAULT (1 + 1) CONSTRAINT positive CHECK ([price, net] >= "
      "0),\n"
      "  total REAL GENERATED ALWAYS AS ([price, net] * 2) STORED,\n"
      "  half REAL AS (total / 2),\n"
      "  CONSTRAINT t_ck CHECK (total <  100),\n"
      "  CHECK (half > 0),\n"
      "  UNIQUE (name)\n"
      ") WITHOUT ROWID, STRICT");
  ASSERT_EQ(t.columns.size(), 5u);
  EXPECT_TRUE(t.columns.at("id").autoincrement);
  EXPECT_EQ(t.columns.at("name").collation, "NOCASE");
  EXPECT_EQ(t.columns.at("name").checks, (std::vector<std::string>{"(length(name) > 0)"}));
  EXPECT_EQ(t.columns.at("price, net").checks,
            (std::vector<std::string>{"positive ([price, net] >= 0)"}));
  EXPECT_EQ(t.columns.at("total").generated, "[price, net] * 2");
  EXPECT_TRUE(t.columns.at("total").stored);
  EXPECT_EQ(t.columns.at("half").generated, "total / 2");
  EXPECT_FALSE(t.columns.at("half").stored);
  EXPECT_EQ(t.checks, (std::vector<std::string>{"t_ck (total < 100)", "(half > 0)"}));
  EXPECT_EQ(t.options, "WITHOUT ROWID, STRICT");
}

TEST(SqliteDdlTest, ReadsIndexItemsAndPredicate) {
  const SqliteIndexDdl i = ParseSqliteCreateIndex(
      "CREATE UNIQUE INDEX IF NOT EXISTS ix ON t (lower(name),  id DESC) WHERE  id > 0");
  EXPECT_EQ(i.items, (std::vector<std::string>{"lower(name)", "id DESC"}));
  EXPECT_EQ(i.where, "id > 0");
}

TEST(SqliteDdlTest, ViewQueryAndVirtualTableModule) {
  EXPECT_EQ(SqliteViewQuery("CREATE VIEW v (a, b) AS\n  SELECT 1,\n 2"), "SELECT 1, 2");
  EXPECT_EQ(SqliteVirtualTableModule("CREATE VIRTUAL TABLE f USING fts5(a,  b)"), "fts5(a, b)");
}

}  // namespace
}  // namespace strata::schema::internal
