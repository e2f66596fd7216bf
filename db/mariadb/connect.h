// Opening Connector/C handles: the URL and ConnectOptions turned into validated settings, and
// a handle connected with them. Internal to the mariadb driver (the connection and its
// canceler both open handles this way).
//
// URL parameters understood (anything else is kInvalidArgument naming the parameter):
//   ssl-mode (alias sslmode)  disable | preferred | required | verify-ca | verify-full
//                             (case-insensitive, '_' = '-', verify-identity = verify-full).
//                             Default: verify-ca when ssl-ca is given, required when only
//                             ssl-cert/ssl-key are, otherwise disable.
//     disable      no TLS.
//     preferred    TLS when the server offers it, certificate not checked.
//     required     TLS or fail, certificate not checked.
//     verify-ca    TLS or fail, certificate chain checked against ssl-ca (required).
//     verify-full  as verify-ca (ssl-ca optional: the system store is used), and the host
//                  name must match the certificate.
//   ssl-ca, ssl-cert, ssl-key  PEM file paths (also spelled ssl_ca, sslca, ...).
//   socket                     unix socket path, used when the host is "localhost" or empty.
//   program_name (alias application_name)  overrides ConnectOptions::application_name.
//   connect_timeout            seconds, overrides ConnectOptions::connect_timeout.
#ifndef STRATA_DB_MARIADB_CONNECT_H_
#define STRATA_DB_MARIADB_CONNECT_H_

#include <mysql.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "base/result.h"
#include "db/connection.h"
#include "db/url.h"

namespace strata::db::mariadb {

enum class TlsMode { kDisable, kPreferred, kRequired, kVerifyCa, kVerifyFull };

// Everything needed to open a connection, checked up front so that a mistyped TLS parameter
// fails loudly instead of yielding an unencrypted connection.
struct ConnectSettings {
  std::string display_url;  // redacted; names the target in every message
  std::string host;         // empty: Connector/C's default ("localhost": the unix socket)
  int port = 3306;
  std::string user;  // empty: Connector/C's default (the OS user)
  std::optional<std::string> password;
  std::string database;  // empty: none selected
  std::string unix_socket;
  std::string program_name;
  std::string runner;  // ConnectOptions::runner: the strata_runner attribute; "" for none
  std::chrono::seconds connect_timeout{10};
  TlsMode tls = TlsMode::kDisable;
  std::string ssl_ca;
  std::string ssl_cert;
  std::string ssl_key;
};

// Validates `url` (a mariadb:// or mysql:// URL) and merges `options` into settings.
// Errors are kInvalidArgument and never contain the password.
Result<ConnectSettings> SettingsFromUrl(const Url& url, const ConnectOptions& options);

// Initialises Connector/C once per process and once per calling thread (mysql_thread_init,
// with mysql_thread_end at thread exit). Every driver entry point calls it, so callers need
// not.
Status EnsureClientReady();

struct HandleCloser {
  void operator()(MYSQL* mysql) const { mysql_close(mysql); }
};
using Handle = std::unique_ptr<MYSQL, HandleCloser>;

// Connects with `settings`: utf8mb4 (SET NAMES), auto-reconnect off, LOAD DATA LOCAL off,
// the server's own sql_mode untouched. Failure is kConnection naming the redacted URL.
Result<Handle> OpenHandle(const ConnectSettings& settings);

}  // namespace strata::db::mariadb

#endif  // STRATA_DB_MARIADB_CONNECT_H_
