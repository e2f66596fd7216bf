#include "cli/jdbc_url.h"

#include <fmt/format.h>

#include <cctype>
#include <map>
#include <optional>
#include <vector>

#include "db/url.h"

namespace strata::cli {
namespace {

namespace fs = std::filesystem;

Error Invalid(std::string message) { return Err(ErrorCode::kInvalidArgument, std::move(message)); }

std::string Encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

// JDBC parameters of PostgreSQL's driver that mean the same in libpq, with libpq's names.
std::optional<std::string> LibpqName(const std::string& jdbc_name) {
  static const std::map<std::string, std::string> kNames = {
      {"sslmode", "sslmode"},
      {"sslrootcert", "sslrootcert"},
      {"sslcert", "sslcert"},
      {"sslkey", "sslkey"},
      {"options", "options"},
      {"ApplicationName", "application_name"},
      {"connectTimeout", "connect_timeout"},
  };
  auto it = kNames.find(jdbc_name);
  if (it == kNames.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<std::string> TranslateJdbcUrl(std::string_view jdbc, const std::string& user,
                                     const fs::path& base_dir) {
  if (jdbc.rfind("jdbc:", 0) != 0) {
    return Invalid(
        fmt::format("'{}' is not a JDBC URL (jdbc:postgresql://…, jdbc:mariadb://…, "
                    "jdbc:mysql://…, jdbc:sqlite:…)",
                    db::RedactUrlText(jdbc)));
  }
  std::string_view rest = jdbc.substr(5);
  const std::size_t colon = rest.find(':');
  const std::string driver(rest.substr(0, colon));
  rest = colon == std::string_view::npos ? std::string_view() : rest.substr(colon + 1);
  if (driver == "sqlite") {
    std::string path(rest);
    if (path.find('?') != std::string::npos) {
      return Invalid("SQLite JDBC URL parameters are not supported by strata");
    }
    if (path.empty() || path == ":memory:") return std::string("sqlite::memory:");
    if (!base_dir.empty() && fs::path(path).is_relative()) {
      path = (base_dir / path).lexically_normal().string();
    }
    return "sqlite:" + path;
  }
  if (driver != "postgresql" && driver != "mariadb" && driver != "mysql") {
    return Invalid(
        fmt::format("JDBC driver '{}' is not supported by strata (PostgreSQL, "
                    "MariaDB/MySQL and SQLite are)",
                    driver));
  }
  const bool postgres = driver == "postgresql";
  std::string host = "localhost";
  std::string port;
  if (rest.rfind("//", 0) == 0) {
    rest.remove_prefix(2);
    const std::size_t end = rest.find_first_of("/?");
    std::string authority(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    if (authority.find(',') != std::string::npos) {
      return Invalid("JDBC URLs with several hosts are not supported by strata");
    }
    const std::size_t port_colon = authority.rfind(':');
    if (port_colon != std::string::npos && authority.find(']') == std::string::npos) {
      port = authority.substr(port_colon + 1);
      authority.resize(port_colon);
    }
    if (!authority.empty()) host = authority;
    if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  }
  // JDBC always connects over TCP; to strata's MariaDB driver `localhost` means the socket.
  if (!postgres && host == "localhost") host = "127.0.0.1";
  const std::size_t question = rest.find('?');
  const std::string database(rest.substr(0, question));
  std::string name = user;
  std::optional<std::string> password;
  std::vector<std::string> params;
  std::string_view query =
      question == std::string_view::npos ? std::string_view() : rest.substr(question + 1);
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string pair(query.substr(0, amp));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t eq = pair.find('=');
    const std::string k = pair.substr(0, eq);
    const std::string v = eq == std::string::npos ? "" : pair.substr(eq + 1);
    if (k == "user") {
      if (name.empty()) name = v;
    } else if (k == "password") {
      password = v;
    } else if (auto libpq = postgres ? LibpqName(k) : std::nullopt) {
      params.push_back(*libpq + "=" + Encode(v));
    } else {
      return Invalid(
          fmt::format("JDBC parameter '{}' has no strata translation: write strata's "
                      "own URL in STRATA_URL or strata.toml (README: Database URLs)",
                      k));
    }
  }
  std::string out = (postgres ? std::string("postgresql") : driver) + "://";
  if (!name.empty() || password) {
    out += Encode(name);
    if (password) out += ":" + Encode(*password);
    out += "@";
  }
  out += host;
  if (!port.empty()) out += ":" + port;
  out += "/" + Encode(database);
  if (!params.empty()) out += "?" + fmt::format("{}", fmt::join(params, "&"));
  auto parsed = db::ParseUrl(out);
  if (!parsed) return Invalid(parsed.error().message);
  return out;
}

}  // namespace strata::cli
