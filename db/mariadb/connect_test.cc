#include "db/mariadb/connect.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace strata::db::mariadb {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Result<ConnectSettings> Settings(const std::string& text, const ConnectOptions& options = {}) {
  auto url = ParseUrl(text);
  EXPECT_TRUE(url.has_value()) << text;
  if (!url) return url.error();
  return SettingsFromUrl(*url, options);
}

TEST(SettingsFromUrl, TakesEveryPartOfTheUrl) {
  auto s = Settings("mariadb://app:pw@db.example:3307/events");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->host, "db.example");
  EXPECT_EQ(s->port, 3307);
  EXPECT_EQ(s->user, "app");
  EXPECT_EQ(s->password, "pw");
  EXPECT_EQ(s->database, "events");
  EXPECT_EQ(s->display_url, "mariadb://app:***@db.example:3307/events");
  EXPECT_EQ(s->tls, TlsMode::kDisable);
  EXPECT_EQ(s->program_name, "strata");
  EXPECT_EQ(s->connect_timeout, std::chrono::seconds(10));
}

TEST(SettingsFromUrl, DefaultsPortTo3306) {
  auto s = Settings("mysql://app@127.0.0.1/events");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->port, 3306);
  EXPECT_EQ(s->password, std::nullopt);
}

TEST(SettingsFromUrl, PasswordFromOptionsOnlyWhenTheUrlHasNone) {
  ConnectOptions options;
  options.password = "from-env";
  EXPECT_EQ(Settings("mariadb://app@h/d", options)->password, "from-env");
  EXPECT_EQ(Settings("mariadb://app:in-url@h/d", options)->password, "in-url");
}

TEST(SettingsFromUrl, ProgramNameAndTimeoutFromOptionsOrUrl) {
  ConnectOptions options;
  options.application_name = "backfill";
  options.connect_timeout = std::chrono::seconds(3);
  auto from_options = Settings("mariadb://h/d", options);
  EXPECT_EQ(from_options->program_name, "backfill");
  EXPECT_EQ(from_options->connect_timeout, std::chrono::seconds(3));
  auto from_url = Settings("mariadb://h/d?program_name=worker-7&connect_timeout=5", options);
  ASSERT_TRUE(from_url.has_value()) << from_url.error().message;
  EXPECT_EQ(from_url->program_name, "worker-7");
  EXPECT_EQ(from_url->connect_timeout, std::chrono::seconds(5));
}

TEST(SettingsFromUrl, RejectsBadTimeout) {
  auto s = Settings("mariadb://h/d?connect_timeout=soon");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(s.error().message, HasSubstr("connect_timeout: 'soon'"));
}

TEST(SettingsFromUrl, UnknownParameterIsNamedAndPasswordIsNot) {
  auto s = Settings("mariadb://app:sekret123@h/d?sslmod=required");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(s.error().message, HasSubstr("unknown URL parameter 'sslmod'"));
  EXPECT_THAT(s.error().message, Not(HasSubstr("sekret123")));
}

TEST(SettingsFromUrl, TlsModesInEverySpelling) {
  EXPECT_EQ(Settings("mariadb://h/d?ssl-mode=disable")->tls, TlsMode::kDisable);
  EXPECT_EQ(Settings("mariadb://h/d?sslmode=preferred")->tls, TlsMode::kPreferred);
  EXPECT_EQ(Settings("mariadb://h/d?ssl-mode=REQUIRED")->tls, TlsMode::kRequired);
  EXPECT_EQ(Settings("mariadb://h/d?ssl_mode=require")->tls, TlsMode::kRequired);
  EXPECT_EQ(Settings("mariadb://h/d?ssl-mode=VERIFY_CA&ssl-ca=/ca.pem")->tls, TlsMode::kVerifyCa);
  EXPECT_EQ(Settings("mariadb://h/d?sslmode=verify-full")->tls, TlsMode::kVerifyFull);
  EXPECT_EQ(Settings("mariadb://h/d?ssl-mode=verify_identity")->tls, TlsMode::kVerifyFull);
}

TEST(SettingsFromUrl, TlsFiles) {
  auto s = Settings(
      "mariadb://h/d?ssl-mode=verify-full&ssl-ca=/etc/ca.pem&ssl-cert=/c.pem&ssl-key=/k.pem");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->ssl_ca, "/etc/ca.pem");
  EXPECT_EQ(s->ssl_cert, "/c.pem");
  EXPECT_EQ(s->ssl_key, "/k.pem");
}

TEST(SettingsFromUrl, TlsModeDefaultsFollowTheFilesGiven) {
  EXPECT_EQ(Settings("mariadb://h/d?ssl-ca=/ca.pem")->tls, TlsMode::kVerifyCa);
  EXPECT_EQ(Settings("mariadb://h/d?ssl-cert=/c.pem&ssl-key=/k.pem")->tls, TlsMode::kRequired);
}

TEST(SettingsFromUrl, RejectsUnknownTlsMode) {
  auto s = Settings("mariadb://h/d?ssl-mode=maybe");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(s.error().message, HasSubstr("unknown value 'maybe'"));
}

TEST(SettingsFromUrl, RejectsContradictoryTls) {
  auto disabled = Settings("mariadb://h/d?ssl-mode=disable&ssl-ca=/ca.pem");
  ASSERT_FALSE(disabled.has_value());
  EXPECT_THAT(disabled.error().message, HasSubstr("contradict ssl-mode=disable"));
  auto no_ca = Settings("mariadb://h/d?ssl-mode=verify-ca");
  ASSERT_FALSE(no_ca.has_value());
  EXPECT_THAT(no_ca.error().message, HasSubstr("verify-ca needs the URL parameter ssl-ca"));
}

TEST(SettingsFromUrl, SocketParameter) {
  auto s = Settings("mariadb://root@localhost/d?socket=/tmp/my.sock");
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->host, "localhost");
  EXPECT_EQ(s->unix_socket, "/tmp/my.sock");
}

TEST(SettingsFromUrl, RejectsOtherDialects) {
  auto s = Settings("postgresql://h/d");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace strata::db::mariadb
