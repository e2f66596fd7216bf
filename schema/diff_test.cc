#include "schema/diff.h"

#include <gtest/gtest.h>

namespace strata::schema {
namespace {

constexpr const char* kBase =
    "-- strata schema snapshot v1\n"
    "-- dialect: postgresql\n"
    "\n"
    "table a\n"
    "  column id bigint not null\n"
    "  column name text\n"
    "  primary key a_pkey (id)\n"
    "\n"
    "table b\n"
    "  column id bigint\n"
    "\n"
    "view v\n"
    "  definition SELECT 1\n";

TEST(DiffSnapshotsTest, EqualTextsGiveNoDiff) {
  const SnapshotDiff diff = DiffSnapshots(kBase, kBase, "expected", "live");
  EXPECT_TRUE(diff.equal());
  EXPECT_EQ(diff.unified, "");
}

TEST(DiffSnapshotsTest, ChangedLineIsOneHunkNamingItsObject) {
  std::string changed = kBase;
  changed.replace(changed.find("column name text"), 16, "column name varchar(10)");
  const SnapshotDiff diff = DiffSnapshots(kBase, changed, "expected", "live");
  ASSERT_EQ(diff.objects.size(), 1u);
  EXPECT_EQ(diff.objects[0].object, "table a");
  EXPECT_EQ(diff.objects[0].kind, ObjectChangeKind::kChanged);
  EXPECT_EQ(diff.unified,
            "--- expected\n"
            "+++ live\n"
            "@@ -3,5 +3,5 @@ table a\n"
            " \n"
            " table a\n"
            "   column id bigint not null\n"
            "-  column name text\n"
            "+  column name varchar(10)\n"
            "   primary key a_pkey (id)\n");
}

TEST(DiffSnapshotsTest, AddedAndRemovedObjects) {
  const std::string without_b =
      "-- strata schema snapshot v1\n"
      "-- dialect: postgresql\n"
      "\n"
      "table a\n"
      "  column id bigint not null\n"
      "  column name text\n"
      "  primary key a_pkey (id)\n"
      "\n"
      "view v\n"
      "  definition SELECT 1\n"
      "\n"
      "view w\n"
      "  definition SELECT 2\n";
  const SnapshotDiff diff = DiffSnapshots(kBase, without_b, "a", "b");
  ASSERT_EQ(diff.objects.size(), 2u);
  EXPECT_EQ(diff.objects[0].object, "table b");
  EXPECT_EQ(diff.objects[0].kind, ObjectChangeKind::kRemoved);
  EXPECT_EQ(diff.objects[1].object, "view w");
  EXPECT_EQ(diff.objects[1].kind, ObjectChangeKind::kAdded);
  EXPECT_EQ(diff.unified,
            "--- a\n"
            "+++ b\n"
            "@@ -8,3 +7,0 @@ table b\n"
            "-\n"
            "-table b\n"
            "-  column id bigint\n"
            "@@ -13,0 +11,3 @@ view w\n"
            "+\n"
            "+view w\n"
            "+  definition SELECT 2\n");
}

TEST(DiffSnapshotsTest, MissingFinalNewlineIsADifference) {
  std::string cut = kBase;
  cut.pop_back();
  const SnapshotDiff diff = DiffSnapshots(kBase, cut, "a", "b");
  ASSERT_EQ(diff.objects.size(), 1u);
  EXPECT_EQ(diff.objects[0].object, "view v");
  EXPECT_NE(diff.unified.find("+\\ No newline at end of file\n"), std::string::npos)
      << diff.unified;
}

TEST(DiffSnapshotsTest, HeaderDifferenceIsNamed) {
  std::string other = kBase;
  other.replace(other.find("postgresql"), 10, "mariadb");
  const SnapshotDiff diff = DiffSnapshots(kBase, other, "a", "b");
  ASSERT_EQ(diff.objects.size(), 1u);
  EXPECT_EQ(diff.objects[0].object, "header");
  EXPECT_NE(diff.unified.find("-- dialect: postgresql\n+-- dialect: mariadb\n"), std::string::npos)
      << diff.unified;
}

TEST(DiffSnapshotsTest, DistantChangesInOneObjectAreSeparateHunks) {
  std::string a = "table t\n";
  for (int i = 0; i < 20; ++i) a += "  column c" + std::to_string(i) + " int\n";
  std::string b = a;
  b.replace(b.find("c1 int"), 6, "c1 bigint");
  b.replace(b.find("c18 int"), 7, "c18 bigint");
  const SnapshotDiff diff = DiffSnapshots(a, b, "a", "b");
  EXPECT_NE(diff.unified.find("@@ -1,6 +1,6 @@ table t\n"), std::string::npos) << diff.unified;
  EXPECT_NE(diff.unified.find("@@ -17,5 +17,5 @@ table t\n"), std::string::npos) << diff.unified;
}

}  // namespace
}  // namespace strata::schema
