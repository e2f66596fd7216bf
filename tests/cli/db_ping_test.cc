// `strata db ping` against real servers, and the rule that a password never appears in any
// output: successful and failing commands, at the most verbose log level, with the password
// given in the URL, in STRATA_PASSWORD and in a password file.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "db/open.h"
#include "db/url.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"

namespace strata::testing {
namespace {

constexpr const char* kSecret = "Known-Secret-7f3a";
constexpr const char* kWrongSecret = "Wrong-Secret-9c1d";

// The admin URL of `dialect` with user and password replaced.
std::string WithCredentials(const db::Url& admin, const std::string& user,
                            const std::string& password) {
  std::string out = admin.scheme + "://" + user;
  if (!password.empty()) out += ":" + password;
  return out + fmt::format("@{}:{}/{}", admin.host, admin.port, admin.database);
}

// Creates the login role `user` with kSecret on the test server and returns the admin URL.
// Each test uses its own role: ctest runs tests in parallel.
std::optional<db::Url> PrepareUserWithPassword(db::Dialect dialect, const std::string& user) {
  auto admin_text = ServerUrl(dialect);
  if (!admin_text) return std::nullopt;
  auto admin = db::ParseUrl(*admin_text);
  EXPECT_TRUE(admin);
  auto conn = db::Open(*admin);
  EXPECT_TRUE(conn) << (conn ? "" : conn.error().message);
  if (!conn) return std::nullopt;
  if (dialect == db::Dialect::kPostgres) {
    (void)(*conn)->Execute(fmt::format("DROP ROLE IF EXISTS {}", user));
    EXPECT_TRUE((*conn)->Execute(fmt::format("CREATE ROLE {} LOGIN PASSWORD '{}'", user, kSecret)));
  } else {
    (void)(*conn)->Execute(fmt::format("DROP USER IF EXISTS '{}'@'127.0.0.1'", user));
    EXPECT_TRUE((*conn)->Execute(
        fmt::format("CREATE USER '{}'@'127.0.0.1' IDENTIFIED BY '{}'", user, kSecret)));
    EXPECT_TRUE((*conn)->Execute(fmt::format("GRANT ALL ON *.* TO '{}'@'127.0.0.1'", user)));
  }
  return *admin;
}

RunOptions WithEnv(const std::string& name, const std::string& value) {
  RunOptions options;
  options.env[name] = value;
  return options;
}

void ExpectNoSecret(const RunResult& r, const std::string& what) {
  EXPECT_EQ(r.all().find(kSecret), std::string::npos) << what << " printed the password:\n"
                                                      << r.all();
  EXPECT_EQ(r.all().find(kWrongSecret), std::string::npos) << what << " printed a password:\n"
                                                           << r.all();
}

TEST(DbPingTest, SqlitePrintsProductAndVersion) {
  RunResult r = RunStrata({"db", "ping", "--url", "sqlite::memory:"});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(r.out.rfind("SQLite 3.", 0), 0u) << r.out;
}

class ServerPingTest : public ::testing::TestWithParam<db::Dialect> {};

TEST_P(ServerPingTest, PrintsProductAndVersion) {
  auto url = ServerUrl(GetParam());
  if (!url) return;
  RunResult r = RunStrata({"db", "ping", "--url", *url});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  const char* product = GetParam() == db::Dialect::kPostgres ? "PostgreSQL 15." : "MariaDB 10.11";
  EXPECT_EQ(r.out.rfind(product, 0), 0u) << r.out;

  RunResult json = RunStrata({"db", "ping", "--json", "--url", *url});
  EXPECT_EQ(json.exit_code, 0) << json.all();
  EXPECT_NE(json.out.find("\"version_number\":"), std::string::npos) << json.out;
}

TEST_P(ServerPingTest, WrongPasswordIsAConnectionErrorWithoutThePassword) {
  auto admin = PrepareUserWithPassword(GetParam(), "strata_pw_wrong");
  if (!admin) return;
  RunResult r = RunStrata({"db", "ping", "--log-level", "trace", "--url",
                           WithCredentials(*admin, "strata_pw_wrong", kWrongSecret)});
  EXPECT_EQ(r.exit_code, 5) << r.all();
  EXPECT_NE(r.err.find("strata: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":***@"), std::string::npos)
      << "the target should be shown redacted: " << r.err;
  ExpectNoSecret(r, "a failed ping");
}

TEST_P(ServerPingTest, PasswordFromEveryChannelIsNeverPrinted) {
  auto admin = PrepareUserWithPassword(GetParam(), "strata_pw");
  if (!admin) return;
  const std::string no_pw_url = WithCredentials(*admin, "strata_pw", "");
  const auto pw_file = std::filesystem::temp_directory_path() /
                       fmt::format("strata_pw_{}.txt", db::DialectName(GetParam()));
  std::ofstream(pw_file) << kSecret << "\n";
  std::ofstream(pw_file.string() + ".wrong") << kWrongSecret << "\n";

  struct Case {
    std::string what;
    std::vector<std::string> args;
    RunOptions options;
    int exit_code;
  };
  const std::vector<Case> cases = {
      {"password in URL",
       {"db", "ping", "--url", WithCredentials(*admin, "strata_pw", kSecret)},
       {},
       0},
      {"password in URL, json",
       {"db", "ping", "--json", "--url", WithCredentials(*admin, "strata_pw", kSecret)},
       {},
       0},
      {"STRATA_PASSWORD",
       {"db", "ping", "--url", no_pw_url},
       WithEnv("STRATA_PASSWORD", kSecret),
       0},
      {"STRATA_PASSWORD wrong",
       {"db", "ping", "--url", no_pw_url},
       WithEnv("STRATA_PASSWORD", kWrongSecret),
       5},
      {"password file",
       {"db", "ping", "--url", no_pw_url},
       WithEnv("STRATA_PASSWORD_FILE", pw_file.string()),
       0},
      {"password file wrong, json",
       {"db", "ping", "--json", "--url", no_pw_url},
       WithEnv("STRATA_PASSWORD_FILE", pw_file.string() + ".wrong"),
       5},
      {"URL via STRATA_URL, bad port",
       {"db", "ping"},
       WithEnv("STRATA_URL",
               fmt::format("{}://strata_pw:{}@127.0.0.1:99999/x", admin->scheme, kSecret)),
       2},
      {"unknown database",
       {"db", "ping", "--url", WithCredentials(*admin, "strata_pw", kSecret) + "_missing"},
       {},
       5},
      {"unreachable port",
       {"db", "ping", "--url",
        fmt::format("{}://strata_pw:{}@127.0.0.1:1/x", admin->scheme, kSecret)},
       {},
       5},
  };
  for (const Case& c : cases) {
    for (const char* level : {"trace", "warn"}) {
      std::vector<std::string> args = c.args;
      args.insert(args.end(), {"--log-level", level});
      RunResult r = RunStrata(args, c.options);
      EXPECT_EQ(r.exit_code, c.exit_code) << c.what << ":\n" << r.all();
      ExpectNoSecret(r, c.what);
    }
  }
  std::filesystem::remove(pw_file);
  std::filesystem::remove(pw_file.string() + ".wrong");
}

INSTANTIATE_TEST_SUITE_P(Servers, ServerPingTest,
                         ::testing::Values(db::Dialect::kPostgres, db::Dialect::kMariaDb),
                         DialectParamName);

TEST(DbPingTest, BadUrlsGiveOneClearLineAndUsageExit) {
  struct Case {
    std::string url;
    std::string expected;
  };
  for (const Case& c : std::vector<Case>{
           {"oracle://db/x", "unknown URL scheme 'oracle'"},
           {"postgresql://app:hunter2@db:99999/x", "port '99999'"},
           {"localhost:5432", "unknown URL scheme 'localhost'"},
           {"mariadb://", "names no host"},
       }) {
    RunResult r = RunStrata({"db", "ping", "--url", c.url});
    EXPECT_EQ(r.exit_code, 2) << c.url << "\n" << r.all();
    EXPECT_NE(r.err.find(c.expected), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
  }
}

TEST(DbPingTest, WaitRetriesUntilTheDeadline) {
  const auto start = std::chrono::steady_clock::now();
  RunResult r = RunStrata({"db", "ping", "--wait", "2s", "--url", "postgresql://u@127.0.0.1:1/x"});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 5) << r.all();
  EXPECT_GE(elapsed, std::chrono::milliseconds(1500));
}

TEST(CliTest, UnknownCommandSuggestsClosest) {
  RunResult r = RunStrata({"db", "pnig"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Did you mean 'ping'?"), std::string::npos) << r.err;
}

TEST(CliTest, HelpListsCommandsAndExitsZero) {
  RunResult r = RunStrata({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("db"), std::string::npos);
  RunResult sub = RunStrata({"db", "ping", "--help"});
  EXPECT_EQ(sub.exit_code, 0);
  EXPECT_NE(sub.out.find("--wait"), std::string::npos) << sub.out;
}

TEST(CliTest, UnknownConfigKeyIsUsageError) {
  const auto dir = std::filesystem::temp_directory_path() / "strata_cli_cfg";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "strata.toml") << "url = \"sqlite::memory:\"\nlocatoins = [\"x\"]\n";
  RunOptions in_dir;
  in_dir.cwd = dir.string();
  RunResult r = RunStrata({"db", "ping"}, in_dir);
  EXPECT_EQ(r.exit_code, 2) << r.all();
  EXPECT_NE(r.err.find("strata.toml:2:1: unknown key 'locatoins'"), std::string::npos) << r.err;
  RunResult c = RunStrata({"-C", dir.string(), "db", "ping"});
  EXPECT_EQ(c.exit_code, 2) << c.all();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace strata::testing
