#include "db/url.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "base/strings.h"

namespace strata::db {
namespace {

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  return (std::tolower(static_cast<unsigned char>(c)) - 'a') + 10;
}

// Percent-decodes `in`; `what` names the part for the error message.
Result<std::string> Decode(std::string_view in, std::string_view what) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out += in[i];
      continue;
    }
    if (i + 2 >= in.size() || !IsHexDigit(in[i + 1]) || !IsHexDigit(in[i + 2])) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("bad percent-encoding in the {} of the URL", what));
    }
    out += static_cast<char>(HexValue(in[i + 1]) * 16 + HexValue(in[i + 2]));
    i += 2;
  }
  return out;
}

bool IsSensitiveParam(std::string_view key) {
  const std::string lower = AsciiLower(key);
  return lower == "password" || lower == "pass" || lower == "pwd" || lower == "sslpassword";
}

Result<Dialect> DialectOfScheme(std::string_view scheme) {
  if (scheme == "postgresql" || scheme == "postgres") return Dialect::kPostgres;
  if (scheme == "mariadb" || scheme == "mysql") return Dialect::kMariaDb;
  if (scheme == "sqlite" || scheme == "sqlite3") return Dialect::kSqlite;
  return Err(ErrorCode::kInvalidArgument,
             fmt::format("unknown URL scheme '{}': use postgresql://, mariadb://, mysql:// or "
                         "sqlite:",
                         scheme));
}

Status ParseParams(std::string_view query, Url& url) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("URL parameter '{}' is not of the form key=value",
                             IsSensitiveParam(pair) ? "***" : std::string(pair)));
    }
    STRATA_ASSIGN_OR_RETURN(std::string key, Decode(pair.substr(0, eq), "parameter names"));
    STRATA_ASSIGN_OR_RETURN(std::string value,
                            Decode(pair.substr(eq + 1), fmt::format("parameter '{}'", key)));
    url.params.emplace_back(std::move(key), std::move(value));
  }
  return Ok();
}

Result<Url> ParseSqlite(std::string_view rest, Url url) {
  // sqlite:path, sqlite://path (relative), sqlite:///abs/path, sqlite::memory:
  if (rest.substr(0, 2) == "//") rest.remove_prefix(2);
  const std::size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    STRATA_TRY(ParseParams(rest.substr(q + 1), url));
    rest = rest.substr(0, q);
  }
  if (rest.empty()) {
    return Err(ErrorCode::kInvalidArgument,
               "the SQLite URL names no file: write sqlite:path/to/file.db or sqlite::memory:");
  }
  STRATA_ASSIGN_OR_RETURN(url.database, Decode(rest, "path"));
  return url;
}

Status ParseHostPort(std::string_view hostport, Url& url) {
  std::string_view port_text;
  if (!hostport.empty() && hostport.front() == '[') {
    const std::size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      return Err(ErrorCode::kInvalidArgument, "unclosed '[' in the host of the URL");
    }
    url.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        return Err(ErrorCode::kInvalidArgument, "unexpected text after ']' in the host of the URL");
      }
      port_text = after.substr(1);
    }
  } else {
    const std::size_t colon = hostport.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = hostport.substr(colon + 1);
      hostport = hostport.substr(0, colon);
    }
    STRATA_ASSIGN_OR_RETURN(url.host, Decode(hostport, "host"));
  }
  if (url.host.find_first_of(" /?#@") != std::string::npos) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("the host '{}' of the URL is not a valid host name", url.host));
  }
  if (!port_text.empty()) {
    int port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return Err(
          ErrorCode::kInvalidArgument,
          fmt::format("the port '{}' of the URL is not a number from 1 to 65535", port_text));
    }
    url.port = port;
  }
  return Ok();
}

Result<Url> ParseServerUrl(std::string_view rest, Url url) {
  if (rest.substr(0, 2) != "//") {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("expected '//' after '{}:' in the URL, as in {}://user@host/db",
                           url.scheme, url.scheme));
  }
  rest.remove_prefix(2);
  const std::size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    STRATA_TRY(ParseParams(rest.substr(q + 1), url));
    rest = rest.substr(0, q);
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    STRATA_ASSIGN_OR_RETURN(url.database, Decode(rest.substr(slash + 1), "database name"));
  }
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    const std::size_t colon = userinfo.find(':');
    STRATA_ASSIGN_OR_RETURN(url.user, Decode(userinfo.substr(0, colon), "user name"));
    if (colon != std::string_view::npos) {
      // Never echo the password: the message only says that its encoding is wrong.
      STRATA_ASSIGN_OR_RETURN(std::string pw, Decode(userinfo.substr(colon + 1), "password"));
      url.password = std::move(pw);
    }
  }
  if (authority.empty()) {
    return Err(
        ErrorCode::kInvalidArgument,
        fmt::format("the URL names no host: write {}://user@host:port/database", url.scheme));
  }
  STRATA_TRY(ParseHostPort(authority, url));
  return url;
}

std::string Encode(std::string_view in) {
  std::string out;
  for (char c : in) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> Url::Param(std::string_view key) const {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string Url::Redacted() const {
  std::string out = scheme + ":";
  if (dialect == Dialect::kSqlite) {
    out += database;
  } else {
    out += "//";
    if (!user.empty() || password) {
      out += Encode(user);
      if (password) out += ":***";
      out += "@";
    }
    out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != 0) out += fmt::format(":{}", port);
    if (!database.empty()) {
      // Not `"/" + Encode(...)`: GCC 12 at -O3 warns falsely about it (-Wrestrict, PR 105651).
      out += '/';
      out += Encode(database);
    }
  }
  char sep = '?';
  for (const auto& [k, v] : params) {
    out += sep;
    out += Encode(k) + "=" + (IsSensitiveParam(k) ? "***" : Encode(v));
    sep = '&';
  }
  return out;
}

Result<Url> ParseUrl(std::string_view text) {
  if (text.empty()) {
    return Err(ErrorCode::kInvalidArgument,
               "no database URL given: pass --url, set STRATA_URL, or set url in strata.toml");
  }
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("'{}' is not a database URL: it has no scheme such as postgresql:// "
                           "or sqlite:",
                           RedactUrlText(text)));
  }
  Url url;
  url.scheme = AsciiLower(text.substr(0, colon));
  STRATA_ASSIGN_OR_RETURN(url.dialect, DialectOfScheme(url.scheme));
  std::string_view rest = text.substr(colon + 1);
  if (url.dialect == Dialect::kSqlite) return ParseSqlite(rest, std::move(url));
  return ParseServerUrl(rest, std::move(url));
}

std::string RedactUrlText(std::string_view text) {
  std::string out(text);
  const std::size_t scheme_end = out.find("://");
  if (scheme_end != std::string::npos) {
    const std::size_t auth_begin = scheme_end + 3;
    const std::size_t auth_end = out.find_first_of("/?", auth_begin);
    const std::size_t at = out.rfind('@', auth_end == std::string::npos ? out.npos : auth_end);
    if (at != std::string::npos && at >= auth_begin) {
      const std::size_t colon = out.find(':', auth_begin);
      if (colon != std::string::npos && colon < at) {
        out.replace(colon + 1, at - colon - 1, "***");
      }
    }
  }
  // password=... inside a query string or a key=value conninfo.
  for (std::string_view key : {"password=", "pass=", "pwd=", "sslpassword="}) {
    std::size_t pos = 0;
    while ((pos = out.find(key, pos)) != std::string::npos) {
      const std::size_t begin = pos + key.size();
      const std::size_t end = out.find_first_of("& ", begin);
      out.replace(begin, (end == std::string::npos ? out.size() : end) - begin, "***");
      pos = begin + 3;
    }
  }
  return out;
}

}  // namespace strata::db
