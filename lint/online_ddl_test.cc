// The oracle that keeps the online DDL model (online_ddl.h) honest: every kind of ALTER runs on
// the real MariaDB, on a small existing table, with the ALGORITHM= and LOCK= the model claims
// are the best this server can do: the server must accept them, and refuse every better
// algorithm (and LOCK=NONE where the model says writes must wait) with
// ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON).
#include "lint/online_ddl.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support/test_env.h"

namespace strata::lint {
namespace {

constexpr int kNotSupported = 1845;        // ER_ALTER_OPERATION_NOT_SUPPORTED
constexpr int kNotSupportedReason = 1846;  // ER_ALTER_OPERATION_NOT_SUPPORTED_REASON

// The table every example alters, rebuilt after each statement the server accepted (a refused
// one leaves it as it was).
constexpr std::string_view kCustomers =
    "CREATE TABLE customers (id BIGINT PRIMARY KEY) ENGINE=InnoDB;\n"
    "INSERT INTO customers VALUES (1);";
constexpr std::string_view kFixture =
    "DROP TABLE IF EXISTS orders, purchases;\n"
    "CREATE TABLE orders (id BIGINT NOT NULL, customer_id BIGINT, status VARCHAR(20),\n"
    "  amount INT, note VARCHAR(20), title VARCHAR(100), geo POINT NOT NULL, code INT NOT NULL,\n"
    "  PRIMARY KEY (id), KEY status_idx (status),\n"
    "  CONSTRAINT orders_amount_ck CHECK (amount >= 0),\n"
    "  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)\n"
    ") ENGINE=InnoDB DEFAULT CHARSET=latin1;\n"
    "INSERT INTO orders VALUES (1, 1, 'new', 5, 'n', 't', POINT(1, 1), 7);";

// One clause of each kind, on the fixture.
std::string_view Example(AlterKind kind) {
  switch (kind) {
    case AlterKind::kAddColumnLast:
      return "ADD COLUMN extra TEXT";
    case AlterKind::kAddColumnPositioned:
      return "ADD COLUMN extra INT AFTER id";
    case AlterKind::kAddAutoIncrementColumn:
      return "ADD COLUMN seq INT NOT NULL AUTO_INCREMENT UNIQUE";
    case AlterKind::kDropColumn:
      return "DROP COLUMN note";
    case AlterKind::kRenameColumn:
      return "RENAME COLUMN note TO remark";
    case AlterKind::kChangeColumnType:
      return "MODIFY amount BIGINT";
    case AlterKind::kWidenVarchar:
      return "MODIFY note VARCHAR(50)";
    case AlterKind::kSetColumnNull:
      return "MODIFY code INT NULL";
    case AlterKind::kSetColumnNotNull:
      return "MODIFY amount INT NOT NULL";
    case AlterKind::kSetDefault:
      return "ALTER COLUMN status SET DEFAULT 'new'";
    case AlterKind::kAddIndex:
      return "ADD INDEX amount_idx (amount)";
    case AlterKind::kAddUniqueIndex:
      return "ADD UNIQUE INDEX note_uq (note)";
    case AlterKind::kAddFulltextIndex:
      return "ADD FULLTEXT INDEX title_ft (title)";
    case AlterKind::kAddSpatialIndex:
      return "ADD SPATIAL INDEX geo_sp (geo)";
    case AlterKind::kDropIndex:
      return "DROP INDEX status_idx";
    case AlterKind::kRenameIndex:
      return "RENAME INDEX status_idx TO status_ix";
    case AlterKind::kAddPrimaryKey:
      return "DROP PRIMARY KEY, ADD PRIMARY KEY (id, code)";
    case AlterKind::kDropPrimaryKey:
      return "DROP PRIMARY KEY";
    case AlterKind::kAddForeignKey:
      return "ADD CONSTRAINT orders_customer2_fk FOREIGN KEY (customer_id) REFERENCES customers "
             "(id)";
    case AlterKind::kDropForeignKey:
      return "DROP FOREIGN KEY orders_customer_fk";
    case AlterKind::kAddCheck:
      return "ADD CONSTRAINT orders_code_ck CHECK (code > 0)";
    case AlterKind::kDropCheck:
      return "DROP CONSTRAINT orders_amount_ck";
    case AlterKind::kConvertCharset:
      return "CONVERT TO CHARACTER SET utf8mb4";
    case AlterKind::kRebuild:
      return "ENGINE=InnoDB";
    case AlterKind::kRenameTable:
      return "RENAME TO purchases";
    case AlterKind::kAutoIncrementValue:
      return "AUTO_INCREMENT=100";
  }
  return "";
}

class OnlineDdlOracleTest : public testing::ScratchDatabaseTest {
 protected:
  // Runs the example of `kind` with `options` on a fresh fixture; the server's error number, 0
  // when it accepted the statement.
  int Run(AlterKind kind, const std::string& options) {
    last_error_.clear();
    if (altered_) Exec(kFixture);
    altered_ = false;
    const Status st =
        conn_->ExecuteScript(fmt::format("ALTER TABLE orders {}, {}", Example(kind), options));
    if (st) {
      altered_ = true;
      return 0;
    }
    last_error_ = st.error().message;
    return st.error().server_errno == 0 ? -1 : st.error().server_errno;
  }

  std::string last_error_;
  bool altered_ = true;  // whether orders must be rebuilt before the next statement
};

TEST_P(OnlineDdlOracleTest, TheModelsBestIsAcceptedAndNothingBetterIs) {
  const db::ServerInfo& info = conn_->server();
  ASSERT_EQ(info.product, "MariaDB") << "the oracle runs on MariaDB";
  Exec(kCustomers);
  const MyServer server{false, info.version_number};
  for (int k = 0; k < kAlterKindCount; ++k) {
    const auto kind = static_cast<AlterKind>(k);
    const OnlineDdl best = BestOnlineDdl(kind, server);
    SCOPED_TRACE(fmt::format("{} ({}): the model says {} on {}", AlterKindName(kind), Example(kind),
                             OnlineDdlClauses(best), MyServerName(server)));
    for (int better = 0; better < static_cast<int>(best.algorithm); ++better) {
      const auto algorithm = static_cast<AlterAlgorithm>(better);
      const int error = Run(kind, fmt::format("ALGORITHM={}", AlgorithmName(algorithm)));
      EXPECT_TRUE(error == kNotSupported || error == kNotSupportedReason)
          << "ALGORITHM=" << AlgorithmName(algorithm) << " gave " << error << " " << last_error_;
    }
    if (best.lock != AlterLock::kNone) {  // also for INSTANT: the server says which it takes
      const int error =
          Run(kind, fmt::format("ALGORITHM={}, LOCK=NONE", AlgorithmName(best.algorithm)));
      EXPECT_TRUE(error == kNotSupported || error == kNotSupportedReason)
          << "LOCK=NONE gave " << error << " " << last_error_;
    }
    EXPECT_EQ(Run(kind, fmt::format("ALGORITHM={}, LOCK={}", AlgorithmName(best.algorithm),
                                    LockName(best.lock))),
              0)
        << last_error_;
  }
}

INSTANTIATE_TEST_SUITE_P(MariaDb, OnlineDdlOracleTest, ::testing::Values(db::Dialect::kMariaDb),
                         testing::DialectParamName);

TEST(OnlineDdlTest, VersionsPickTheirSteps) {
  const MyServer mariadb_103{false, 100307};
  const MyServer mariadb_104{false, 100400};
  const MyServer mysql_57{true, 50744};
  const MyServer mysql_8012{true, 80012};
  const MyServer mysql_8029{true, 80029};
  EXPECT_EQ(BestOnlineDdl(AlterKind::kAddColumnLast, mariadb_103).algorithm,
            AlterAlgorithm::kInstant);
  EXPECT_EQ(BestOnlineDdl(AlterKind::kDropColumn, mariadb_103).algorithm, AlterAlgorithm::kInplace);
  EXPECT_EQ(BestOnlineDdl(AlterKind::kDropColumn, mariadb_104).algorithm, AlterAlgorithm::kInstant);
  EXPECT_EQ(BestOnlineDdl(AlterKind::kAddColumnLast, mysql_57).algorithm, AlterAlgorithm::kInplace);
  EXPECT_EQ(BestOnlineDdl(AlterKind::kAddColumnLast, mysql_8012).algorithm,
            AlterAlgorithm::kInstant);
  EXPECT_EQ(BestOnlineDdl(AlterKind::kAddColumnPositioned, mysql_8012).algorithm,
            AlterAlgorithm::kInplace);
  EXPECT_EQ(BestOnlineDdl(AlterKind::kAddColumnPositioned, mysql_8029).algorithm,
            AlterAlgorithm::kInstant);
  for (int k = 0; k < kAlterKindCount; ++k) {
    const auto kind = static_cast<AlterKind>(k);
    // MySQL has no NOCOPY; a newer server never does worse than an older one.
    EXPECT_NE(BestOnlineDdl(kind, mysql_8029).algorithm, AlterAlgorithm::kNocopy);
    EXPECT_LE(BestOnlineDdl(kind, mariadb_104).algorithm,
              BestOnlineDdl(kind, mariadb_103).algorithm);
    EXPECT_FALSE(AlterKindName(kind).empty());
  }
}

}  // namespace
}  // namespace strata::lint
