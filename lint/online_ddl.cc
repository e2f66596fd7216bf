// The online DDL table. Each kind lists, per product, the versions from which its best
// algorithm and lock changed; a server gets the last step at or below its version.
//
// MariaDB: ALGORITHM=INSTANT and NOCOPY exist from 10.3.7 (before, INPLACE is the best that
// can be asked for); instant ADD COLUMN at the end from 10.3, anywhere, DROP COLUMN and
// reordering from 10.4; instant VARCHAR widening and NOT NULL -> NULL from 10.4.3 (MDEV-15563);
// adding an index never copies (NOCOPY) but FULLTEXT and SPATIAL block writes; a type change,
// DROP PRIMARY KEY alone, a foreign key checked on existing rows, a CHECK and CONVERT TO
// CHARACTER SET copy the table under LOCK=SHARED (10.11 converts utf8mb3 to utf8mb4 without a
// copy: the model does not know the current character set and stays on the safe side); RENAME
// TO is instant but takes LOCK=EXCLUSIVE for that moment.
// MySQL: no NOCOPY; INSTANT from 8.0.12 for ADD COLUMN at the end and defaults, for RENAME
// COLUMN from 8.0.28, for ADD COLUMN anywhere and DROP COLUMN from 8.0.29; 5.7 does the rest
// in place as MySQL 8 does.
#include "lint/online_ddl.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <initializer_list>
#include <vector>

#include "base/strings.h"

namespace strata::lint {
namespace {

using A = AlterAlgorithm;
using L = AlterLock;

constexpr int kNever = 1'000'000;  // an unused step

struct Step {
  int from = kNever;  // version_number
  OnlineDdl ddl;
};

struct KindRow {
  AlterKind kind;
  std::string_view name;
  std::string_view hint;
  Step mariadb[2];  // by version, the second one optional
  Step mysql[2];
};

constexpr OnlineDdl kInstant{A::kInstant, L::kNone};
constexpr OnlineDdl kInstantExclusive{A::kInstant, L::kExclusive};  // a moment's lock
constexpr OnlineDdl kNocopy{A::kNocopy, L::kNone};
constexpr OnlineDdl kInplace{A::kInplace, L::kNone};
constexpr OnlineDdl kInplaceShared{A::kInplace, L::kShared};
constexpr OnlineDdl kNocopyShared{A::kNocopy, L::kShared};
constexpr OnlineDdl kCopy{A::kCopy, L::kShared};

constexpr int kMariaDb103 = 100307;  // ALGORITHM=INSTANT and NOCOPY
constexpr int kMariaDb104 = 100400;
constexpr int kMariaDb1043 = 100403;
constexpr int kMySql8012 = 80012;
constexpr int kMySql8028 = 80028;
constexpr int kMySql8029 = 80029;

constexpr std::string_view kNewColumnHint =
    "add a new column, fill it with a backfill job step, switch the application, drop the old "
    "one later";

// clang-format off
constexpr std::array<KindRow, kAlterKindCount> kTable = {{
    {AlterKind::kAddColumnLast, "ADD COLUMN", "",
     {{0, kInplace}, {kMariaDb103, kInstant}}, {{0, kInplace}, {kMySql8012, kInstant}}},
    {AlterKind::kAddColumnPositioned, "ADD COLUMN ... FIRST/AFTER",
     "add the column at the end",
     {{0, kInplace}, {kMariaDb104, kInstant}}, {{0, kInplace}, {kMySql8029, kInstant}}},
    {AlterKind::kAddAutoIncrementColumn, "ADD COLUMN ... AUTO_INCREMENT",
     "add a plain column, fill it with a backfill job step, then make it AUTO_INCREMENT",
     {{0, kInplaceShared}}, {{0, kInplaceShared}}},
    {AlterKind::kDropColumn, "DROP COLUMN", "",
     {{0, kInplace}, {kMariaDb104, kInstant}}, {{0, kInplace}, {kMySql8029, kInstant}}},
    {AlterKind::kRenameColumn, "RENAME COLUMN", "",
     {{0, kInplace}, {kMariaDb103, kInstant}}, {{0, kInplace}, {kMySql8028, kInstant}}},
    {AlterKind::kChangeColumnType, "a column type change", kNewColumnHint,
     {{0, kCopy}}, {{0, kCopy}}},
    {AlterKind::kWidenVarchar, "VARCHAR widening", "",
     {{0, kInplace}, {kMariaDb1043, kInstant}}, {{0, kInplace}}},
    {AlterKind::kSetColumnNull, "NOT NULL -> NULL", "",
     {{0, kInplace}}, {{0, kInplace}}},
    {AlterKind::kSetColumnNotNull, "NULL -> NOT NULL", "",
     {{0, kInplace}}, {{0, kInplace}}},
    {AlterKind::kSetDefault, "SET/DROP DEFAULT", "",
     {{0, kInplace}, {kMariaDb103, kInstant}}, {{0, kInplace}, {kMySql8012, kInstant}}},
    {AlterKind::kAddIndex, "ADD INDEX", "",
     {{0, kInplace}, {kMariaDb103, kNocopy}}, {{0, kInplace}}},
    {AlterKind::kAddUniqueIndex, "ADD UNIQUE", "",
     {{0, kInplace}, {kMariaDb103, kNocopy}}, {{0, kInplace}}},
    {AlterKind::kAddFulltextIndex, "ADD FULLTEXT INDEX",
     "build it on a copy of the table with an online schema change tool (pt-online-schema-change, "
     "gh-ost)",
     {{0, kInplaceShared}}, {{0, kInplaceShared}}},
    {AlterKind::kAddSpatialIndex, "ADD SPATIAL INDEX",
     "build it on a copy of the table with an online schema change tool (pt-online-schema-change, "
     "gh-ost)",
     {{0, kInplaceShared}, {kMariaDb103, kNocopyShared}}, {{0, kInplaceShared}}},
    {AlterKind::kDropIndex, "DROP INDEX", "",
     {{0, kInplace}, {kMariaDb103, kNocopy}}, {{0, kInplace}}},
    {AlterKind::kRenameIndex, "RENAME INDEX", "",
     {{0, kInplace}, {kMariaDb103, kInstant}}, {{0, kInplace}}},
    {AlterKind::kAddPrimaryKey, "ADD PRIMARY KEY", "",
     {{0, kInplace}}, {{0, kInplace}}},
    {AlterKind::kDropPrimaryKey, "DROP PRIMARY KEY",
     "drop it in the same statement that adds the new one (DROP PRIMARY KEY, ADD PRIMARY KEY "
     "(...)), which runs in place",
     {{0, kCopy}}, {{0, kCopy}}},
    {AlterKind::kAddForeignKey, "ADD FOREIGN KEY",
     "with SET foreign_key_checks = 0 it runs ALGORITHM=INPLACE, LOCK=NONE but does not check "
     "the existing rows: check them first with a query",
     {{0, kCopy}}, {{0, kCopy}}},
    {AlterKind::kDropForeignKey, "DROP FOREIGN KEY", "",
     {{0, kInplace}, {kMariaDb103, kInstant}}, {{0, kInplace}}},
    {AlterKind::kAddCheck, "ADD CHECK",
     "enforce the rule in the application, or check the rows first and add it in a quiet window",
     {{0, kCopy}}, {{0, kCopy}}},
    {AlterKind::kDropCheck, "DROP CONSTRAINT", "",
     {{0, kInplace}, {kMariaDb103, kInstant}}, {{0, kInplace}}},
    {AlterKind::kConvertCharset, "CONVERT TO CHARACTER SET", kNewColumnHint,
     {{0, kCopy}}, {{0, kCopy}}},
    {AlterKind::kRebuild, "ENGINE=/FORCE (a rebuild)", "",
     {{0, kInplace}}, {{0, kInplace}}},
    {AlterKind::kRenameTable, "RENAME TO", "",
     {{0, kInplace}, {kMariaDb103, kInstantExclusive}}, {{0, kInplace}, {kMySql8012, kInstant}}},
    {AlterKind::kAutoIncrementValue, "AUTO_INCREMENT=", "",
     {{0, kInplace}, {kMariaDb103, kInstant}}, {{0, kInplace}}},
}};
// clang-format on

// The table is indexed by kind: its rows must be in the enum's order.
constexpr bool RowsInKindOrder() {
  for (std::size_t i = 0; i < kTable.size(); ++i) {
    if (kTable[i].kind != static_cast<AlterKind>(i)) return false;
  }
  return true;
}
static_assert(RowsInKindOrder(), "kTable's rows must follow AlterKind's order");

const KindRow& RowOf(AlterKind kind) { return kTable[static_cast<std::size_t>(kind)]; }

}  // namespace

OnlineDdl BestOnlineDdl(AlterKind kind, const MyServer& server) {
  const KindRow& row = RowOf(kind);
  const Step* steps = server.mysql ? row.mysql : row.mariadb;
  OnlineDdl best = steps[0].ddl;
  for (int i = 0; i < 2; ++i) {
    const Step& step = steps[i];
    if (step.from == kNever) continue;
    if (server.version == 0 || step.from <= server.version) best = step.ddl;
  }
  return best;
}

OnlineDdl Combine(const OnlineDdl& a, const OnlineDdl& b) {
  return {std::max(a.algorithm, b.algorithm), std::max(a.lock, b.lock)};
}

std::string_view AlterKindName(AlterKind kind) { return RowOf(kind).name; }
std::string_view AlterKindHint(AlterKind kind) { return RowOf(kind).hint; }

std::string_view AlgorithmName(AlterAlgorithm algorithm) {
  switch (algorithm) {
    case A::kInstant:
      return "INSTANT";
    case A::kNocopy:
      return "NOCOPY";
    case A::kInplace:
      return "INPLACE";
    case A::kCopy:
      return "COPY";
  }
  return "COPY";
}

std::string_view LockName(AlterLock lock) {
  switch (lock) {
    case L::kNone:
      return "NONE";
    case L::kShared:
      return "SHARED";
    case L::kExclusive:
      return "EXCLUSIVE";
  }
  return "EXCLUSIVE";
}

std::optional<AlterAlgorithm> ParseAlgorithm(std::string_view text) {
  for (A a : {A::kInstant, A::kNocopy, A::kInplace, A::kCopy}) {
    if (EqualsIgnoreCase(text, AlgorithmName(a))) return a;
  }
  return std::nullopt;
}

std::optional<AlterLock> ParseLock(std::string_view text) {
  for (L l : {L::kNone, L::kShared, L::kExclusive}) {
    if (EqualsIgnoreCase(text, LockName(l))) return l;
  }
  return std::nullopt;
}

std::string OnlineDdlClauses(const OnlineDdl& ddl) {
  if (ddl.algorithm == A::kInstant) return "ALGORITHM=INSTANT";
  return fmt::format("ALGORITHM={}, LOCK={}", AlgorithmName(ddl.algorithm), LockName(ddl.lock));
}

std::string MyServerName(const MyServer& server) {
  const int major = server.version / 10000;
  const int minor = server.version / 100 % 100;
  const int patch = server.version % 100;
  const char* product = server.mysql ? "MySQL" : "MariaDB";
  if (server.version == 0) return fmt::format("the newest {}", product);
  if (patch == 0) return fmt::format("{} {}.{}", product, major, minor);
  return fmt::format("{} {}.{}.{}", product, major, minor, patch);
}

std::optional<MyServer> ParseMyServer(std::string_view text) {
  text = Trim(text);
  std::optional<bool> mysql;
  for (const auto& [prefix, is_mysql] : {std::pair<std::string_view, bool>{"mariadb", false},
                                         std::pair<std::string_view, bool>{"mysql", true}}) {
    if (text.size() > prefix.size() && EqualsIgnoreCase(text.substr(0, prefix.size()), prefix)) {
      mysql = is_mysql;
      text = Trim(text.substr(prefix.size()));
      if (!text.empty() && (text[0] == '-' || text[0] == ' ')) text.remove_prefix(1);
    }
  }
  int parts[3] = {0, 0, 0};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 3; ++i) {
    auto [next, ec] = std::from_chars(p, end, parts[i]);
    if (ec != std::errc() || parts[i] < 0 || parts[i] > 99) return std::nullopt;
    p = next;
    if (p == end || i == 2) break;
    if (*p != '.') return std::nullopt;
    ++p;
  }
  if (p != end || parts[0] == 0) return std::nullopt;
  MyServer server;
  server.mysql = mysql.value_or(parts[0] < 10);
  server.version = parts[0] * 10000 + parts[1] * 100 + parts[2];
  return server;
}

}  // namespace strata::lint
