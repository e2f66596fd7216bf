#include "db/postgres/connect.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace strata::db::postgres {
namespace {

// A conninfo value in single quotes with \ and ' escaped survives any character.
std::string QuoteConninfoValue(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

bool IsConninfoKeyword(std::string_view key) {
  return !key.empty() && std::all_of(key.begin(), key.end(),
                                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

}  // namespace

Result<std::string> BuildConninfo(const Url& url, const ConnectOptions& options) {
  std::vector<std::pair<std::string, std::string>> settings;
  if (!url.host.empty()) settings.emplace_back("host", url.host);
  if (url.port != 0) settings.emplace_back("port", std::to_string(url.port));
  if (!url.user.empty()) settings.emplace_back("user", url.user);
  if (url.password) {
    settings.emplace_back("password", *url.password);
  } else if (options.password) {
    settings.emplace_back("password", *options.password);
  }
  if (!url.database.empty()) settings.emplace_back("dbname", url.database);
  if (!url.Param("connect_timeout")) {
    settings.emplace_back("connect_timeout", std::to_string(options.connect_timeout.count()));
  }
  // A runner's label wins over the URL's name: other runners find its statements by it.
  const bool labelled = !options.runner.empty();
  if (labelled) {
    settings.emplace_back("application_name", options.runner);
  } else if (!url.Param("application_name") && !options.application_name.empty()) {
    settings.emplace_back("application_name", options.application_name);
  }
  for (const auto& [key, value] : url.params) {
    if (labelled && key == "application_name") continue;
    if (!IsConninfoKeyword(key)) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("URL parameter '{}' of {} is not a libpq connection keyword", key,
                             url.Redacted()));
    }
    settings.emplace_back(key, value);
  }
  std::string conninfo;
  for (const auto& [key, value] : settings) {
    if (!conninfo.empty()) conninfo += ' ';
    conninfo += key + "=" + QuoteConninfoValue(value);
  }
  return conninfo;
}

std::vector<std::string> SecretsOf(const Url& url, const ConnectOptions& options) {
  std::vector<std::string> secrets;
  for (const std::optional<std::string>& secret :
       {url.password, options.password, url.Param("password"), url.Param("sslpassword")}) {
    if (secret && !secret->empty()) secrets.push_back(*secret);
  }
  return secrets;
}

}  // namespace strata::db::postgres
