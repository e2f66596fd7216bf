#include "db/url.h"

#include <gtest/gtest.h>

namespace strata::db {
namespace {

TEST(UrlTest, ParsesPostgresUrlWithEverything) {
  auto url = ParseUrl(
      "postgresql://app:s%40cr%3At@db.example:6543/events?sslmode=require&connect_timeout=5");
  ASSERT_TRUE(url) << url.error().message;
  EXPECT_EQ(url->dialect, Dialect::kPostgres);
  EXPECT_EQ(url->user, "app");
  EXPECT_EQ(url->password, "s@cr:t");
  EXPECT_EQ(url->host, "db.example");
  EXPECT_EQ(url->port, 6543);
  EXPECT_EQ(url->database, "events");
  EXPECT_EQ(url->Param("sslmode"), "require");
  EXPECT_EQ(url->Param("connect_timeout"), "5");
}

TEST(UrlTest, AcceptsSchemeAliases) {
  EXPECT_EQ(ParseUrl("postgres://h/db")->dialect, Dialect::kPostgres);
  EXPECT_EQ(ParseUrl("mysql://root@127.0.0.1:3306/x")->dialect, Dialect::kMariaDb);
  EXPECT_EQ(ParseUrl("mariadb://root@127.0.0.1/x")->dialect, Dialect::kMariaDb);
  EXPECT_EQ(ParseUrl("POSTGRESQL://h/db")->dialect, Dialect::kPostgres);
}

TEST(UrlTest, ParsesSqliteForms) {
  EXPECT_EQ(ParseUrl("sqlite:events.db")->database, "events.db");
  EXPECT_EQ(ParseUrl("sqlite:///tmp/events.db")->database, "/tmp/events.db");
  EXPECT_EQ(ParseUrl("sqlite::memory:")->database, ":memory:");
  EXPECT_EQ(ParseUrl("sqlite:dir/my%20db.db")->database, "dir/my db.db");
  EXPECT_FALSE(ParseUrl("sqlite:"));
}

TEST(UrlTest, ParsesIpv6Host) {
  auto url = ParseUrl("postgresql://u@[::1]:5433/db");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 5433);
  EXPECT_EQ(url->Redacted(), "postgresql://u@[::1]:5433/db");
}

TEST(UrlTest, RedactsPasswordEverywhere) {
  auto url = ParseUrl("postgresql://app:hunter2@db:5432/events?password=hunter3&sslmode=disable");
  ASSERT_TRUE(url);
  const std::string shown = url->Redacted();
  EXPECT_EQ(shown, "postgresql://app:***@db:5432/events?password=***&sslmode=disable");
  EXPECT_EQ(shown.find("hunter"), std::string::npos);
}

TEST(UrlTest, ErrorsNameTheWrongPartButNeverThePassword) {
  auto no_scheme = ParseUrl("localhost:5432");
  ASSERT_FALSE(no_scheme);
  EXPECT_NE(no_scheme.error().message.find("unknown URL scheme 'localhost'"), std::string::npos);

  auto bad_port = ParseUrl("postgresql://app:hunter2@db:99999/events");
  ASSERT_FALSE(bad_port);
  EXPECT_NE(bad_port.error().message.find("port '99999'"), std::string::npos);
  EXPECT_EQ(bad_port.error().message.find("hunter2"), std::string::npos);

  auto bad_pw = ParseUrl("mariadb://app:hun%zzter2@db/events");
  ASSERT_FALSE(bad_pw);
  EXPECT_NE(bad_pw.error().message.find("password"), std::string::npos);
  EXPECT_EQ(bad_pw.error().message.find("hun"), std::string::npos);

  auto scheme = ParseUrl("oracle://db/x");
  ASSERT_FALSE(scheme);
  EXPECT_NE(scheme.error().message.find("unknown URL scheme 'oracle'"), std::string::npos);

  auto no_host = ParseUrl("postgresql:///events");
  ASSERT_FALSE(no_host);
  EXPECT_NE(no_host.error().message.find("no host"), std::string::npos);

  auto no_slashes = ParseUrl("postgresql:db/events");
  ASSERT_FALSE(no_slashes);
  EXPECT_NE(no_slashes.error().message.find("'//'"), std::string::npos);

  EXPECT_FALSE(ParseUrl(""));
  EXPECT_FALSE(ParseUrl("postgresql://h/db?novalue"));
}

TEST(UrlTest, RedactUrlTextHandlesUnparsableInput) {
  EXPECT_EQ(RedactUrlText("postgresql://app:hunter2@db:99999/x"),
            "postgresql://app:***@db:99999/x");
  EXPECT_EQ(RedactUrlText("host=db password=hunter2 user=app"), "host=db password=*** user=app");
  EXPECT_EQ(RedactUrlText("mysql://x@y/z?password=abc&a=b"), "mysql://x@y/z?password=***&a=b");
}

TEST(DialectTest, PlaceholdersAndQuoting) {
  EXPECT_EQ(Placeholder(Dialect::kPostgres, 3), "$3");
  EXPECT_EQ(Placeholder(Dialect::kMariaDb, 3), "?");
  EXPECT_EQ(Placeholder(Dialect::kSqlite, 3), "?3");
  EXPECT_EQ(QuoteIdentifier(Dialect::kPostgres, "a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteIdentifier(Dialect::kMariaDb, "a`b"), "`a``b`");
}

}  // namespace
}  // namespace strata::db
