#include "db/mariadb/connect.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "base/strings.h"
#include "db/mariadb/errors.h"

namespace strata::db::mariadb {
namespace {

constexpr int kDefaultPort = 3306;

// "SSL_Mode", "ssl-mode" and "sslmode" all become "sslmode".
std::string NormalizeKey(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '-' || c == '_') continue;
    out += AsciiLower(c);
  }
  return out;
}

Result<TlsMode> ParseTlsMode(std::string_view value) {
  const std::string mode = NormalizeKey(value);
  if (mode == "disable" || mode == "disabled") return TlsMode::kDisable;
  if (mode == "preferred" || mode == "prefer") return TlsMode::kPreferred;
  if (mode == "required" || mode == "require") return TlsMode::kRequired;
  if (mode == "verifyca") return TlsMode::kVerifyCa;
  if (mode == "verifyfull" || mode == "verifyidentity") return TlsMode::kVerifyFull;
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("URL parameter ssl-mode: unknown value '{}' (expected disable, "
                         "preferred, required, verify-ca or verify-full)",
                         value));
}

Result<std::chrono::seconds> ParseTimeout(std::string_view value) {
  int seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || seconds <= 0) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("URL parameter connect_timeout: '{}' is not a positive number of "
                           "seconds",
                           value));
  }
  return std::chrono::seconds(seconds);
}

// Applies the URL's query parameters. `tls_mode` stays unset unless ssl-mode is given.
Status ApplyParams(const Url& url, ConnectSettings& settings, std::optional<TlsMode>& tls_mode) {
  for (const auto& [key, value] : url.params) {
    const std::string name = NormalizeKey(key);
    if (name == "sslmode") {
      STRATA_ASSIGN_OR_RETURN(tls_mode, ParseTlsMode(value));
    } else if (name == "sslca" || name == "sslrootcert") {
      settings.ssl_ca = value;
    } else if (name == "sslcert") {
      settings.ssl_cert = value;
    } else if (name == "sslkey") {
      settings.ssl_key = value;
    } else if (name == "socket") {
      settings.unix_socket = value;
    } else if (name == "programname" || name == "applicationname") {
      settings.program_name = value;
    } else if (name == "connecttimeout") {
      STRATA_ASSIGN_OR_RETURN(settings.connect_timeout, ParseTimeout(value));
    } else {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("unknown URL parameter '{}' for {} (known: ssl-mode, ssl-ca, "
                             "ssl-cert, ssl-key, socket, program_name, connect_timeout)",
                             key, url.Redacted()));
    }
  }
  return Ok();
}

// Picks the TLS mode when none is given (as the MySQL client does: a CA means "verify it")
// and rejects combinations that cannot mean what the user wants.
Result<TlsMode> ResolveTlsMode(std::optional<TlsMode> requested, const ConnectSettings& s) {
  const bool has_files = !s.ssl_ca.empty() || !s.ssl_cert.empty() || !s.ssl_key.empty();
  if (!requested) {
    if (!s.ssl_ca.empty()) return TlsMode::kVerifyCa;
    return has_files ? TlsMode::kRequired : TlsMode::kDisable;
  }
  if (*requested == TlsMode::kDisable && has_files) {
    return Err(ErrorCode::kInvalidArgument,
               "URL parameters ssl-ca/ssl-cert/ssl-key contradict ssl-mode=disable");
  }
  if (*requested == TlsMode::kVerifyCa && s.ssl_ca.empty()) {
    return Err(ErrorCode::kInvalidArgument,
               "ssl-mode=verify-ca needs the URL parameter ssl-ca (the CA certificate file)");
  }
  return *requested;
}

Status SetOption(MYSQL* mysql, mysql_option option, const void* value) {
  if (mysql_optionsv(mysql, option, value) != 0) {
    return Err(ErrorCode::kInternal,
               fmt::format("MariaDB Connector/C rejected option {}", static_cast<int>(option)));
  }
  return Ok();
}

Status SetTlsOptions(MYSQL* mysql, const ConnectSettings& s) {
  if (s.tls == TlsMode::kDisable) return Ok();
  if (!s.ssl_ca.empty()) STRATA_TRY(SetOption(mysql, MYSQL_OPT_SSL_CA, s.ssl_ca.c_str()));
  if (!s.ssl_cert.empty()) STRATA_TRY(SetOption(mysql, MYSQL_OPT_SSL_CERT, s.ssl_cert.c_str()));
  if (!s.ssl_key.empty()) STRATA_TRY(SetOption(mysql, MYSQL_OPT_SSL_KEY, s.ssl_key.c_str()));
  const my_bool yes = 1;
  STRATA_TRY(SetOption(mysql, MYSQL_OPT_SSL_ENFORCE, &yes));
  // Connector/C 3.3 checks the chain whenever a CA is set; this adds the host name check
  // and, unlike MYSQL_OPT_SSL_ENFORCE alone, refuses servers without TLS.
  if (s.tls == TlsMode::kVerifyFull) {
    STRATA_TRY(SetOption(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes));
  }
  return Ok();
}

Status SetConnectOptions(MYSQL* mysql, const ConnectSettings& s) {
  const unsigned int timeout = static_cast<unsigned int>(s.connect_timeout.count());
  STRATA_TRY(SetOption(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &timeout));
  // A silent reconnect would drop the transaction, session settings and GET_LOCK locks
  // while the caller believes it still holds them.
  const my_bool no = 0;
  STRATA_TRY(SetOption(mysql, MYSQL_OPT_RECONNECT, &no));
  const unsigned int no_local_infile = 0;
  STRATA_TRY(SetOption(mysql, MYSQL_OPT_LOCAL_INFILE, &no_local_infile));
  STRATA_TRY(SetOption(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4"));
  if (mysql_optionsv(mysql, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", s.program_name.c_str()) !=
      0) {
    return Err(ErrorCode::kInternal, "MariaDB Connector/C rejected the program_name attribute");
  }
  if (!s.runner.empty() &&
      mysql_optionsv(mysql, MYSQL_OPT_CONNECT_ATTR_ADD, "strata_runner", s.runner.c_str()) != 0) {
    return Err(ErrorCode::kInternal, "MariaDB Connector/C rejected the strata_runner attribute");
  }
  return SetTlsOptions(mysql, s);
}

// Connector/C 3.3 falls back to plain text when the server offers no TLS, even with
// MYSQL_OPT_SSL_ENFORCE; for "required" and "verify-ca" that must be an error.
Status CheckTlsInUse(MYSQL* mysql, const ConnectSettings& s) {
  if (s.tls != TlsMode::kRequired && s.tls != TlsMode::kVerifyCa) return Ok();
  if (mysql_get_ssl_cipher(mysql) != nullptr) return Ok();
  return Err(ErrorCode::kConnection,
             fmt::format("cannot connect to {}: the server does not offer TLS, but ssl-mode "
                         "requires it",
                         s.display_url));
}

const char* OrNull(const std::string& text) { return text.empty() ? nullptr : text.c_str(); }

// Registers the calling thread with Connector/C for as long as the thread lives.
struct ThreadRegistration {
  ThreadRegistration() { mysql_thread_init(); }
  ~ThreadRegistration() { mysql_thread_end(); }
  ThreadRegistration(const ThreadRegistration&) = delete;
  ThreadRegistration& operator=(const ThreadRegistration&) = delete;
};

}  // namespace

Result<ConnectSettings> SettingsFromUrl(const Url& url, const ConnectOptions& options) {
  if (url.dialect != Dialect::kMariaDb) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{} is not a mariadb:// or mysql:// URL", url.Redacted()));
  }
  ConnectSettings settings;
  settings.display_url = url.Redacted();
  settings.host = url.host;
  settings.port = url.port != 0 ? url.port : kDefaultPort;
  settings.user = url.user;
  settings.password = url.password ? url.password : options.password;
  settings.database = url.database;
  settings.program_name = options.application_name;
  settings.runner = options.runner;
  settings.connect_timeout = options.connect_timeout;
  std::optional<TlsMode> tls_mode;
  STRATA_TRY(ApplyParams(url, settings, tls_mode));
  STRATA_ASSIGN_OR_RETURN(settings.tls, ResolveTlsMode(tls_mode, settings));
  return settings;
}

Status EnsureClientReady() {
  // mysql_init would call mysql_library_init itself, but not thread-safely; a function-local
  // static runs it exactly once even when threads race here.
  static const int library_status = mysql_library_init(0, nullptr, nullptr);
  if (library_status != 0) {
    return Err(ErrorCode::kInternal, "cannot initialise MariaDB Connector/C");
  }
  thread_local ThreadRegistration registration;
  return Ok();
}

Result<Handle> OpenHandle(const ConnectSettings& settings) {
  STRATA_TRY(EnsureClientReady());
  Handle handle(mysql_init(nullptr));
  if (!handle) return Err(ErrorCode::kInternal, "mysql_init failed: out of memory");
  MYSQL* mysql = handle.get();
  STRATA_TRY(SetConnectOptions(mysql, settings));
  const char* password = settings.password ? settings.password->c_str() : nullptr;
  if (mysql_real_connect(mysql, OrNull(settings.host), OrNull(settings.user), password,
                         OrNull(settings.database), static_cast<unsigned int>(settings.port),
                         OrNull(settings.unix_socket), 0) == nullptr) {
    return ConnectFailure(LastError(mysql), settings.display_url, settings.password);
  }
  STRATA_TRY(CheckTlsInUse(mysql, settings));
  // The handshake already asked for utf8mb4; SET NAMES also fixes the collation to the
  // server's default for utf8mb4, as the mariadb client does.
  if (mysql_set_character_set(mysql, "utf8mb4") != 0) {
    return ConnectFailure(LastError(mysql), settings.display_url, settings.password);
  }
  return handle;
}

}  // namespace strata::db::mariadb
