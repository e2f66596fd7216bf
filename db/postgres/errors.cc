#include "db/postgres/errors.h"

#include <fmt/format.h>

#include <cstddef>
#include <exception>
#include <pqxx/pqxx>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/strings.h"

namespace strata::db::postgres {
namespace {

// Collapses runs of spaces and tabs into one space.
std::string CollapseSpaces(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() == ' ') continue;
      c = ' ';
    }
    out += c;
  }
  return out;
}

// The first CONTEXT line of a server error (for COPY it names the input line and column).
std::string ContextLine(std::string_view what) {
  constexpr std::string_view kContext = "\nCONTEXT:";
  const std::size_t at = what.find(kContext);
  if (at == std::string_view::npos) return "";
  std::string_view rest = what.substr(at + kContext.size());
  return std::string(Trim(rest.substr(0, rest.find('\n'))));
}

}  // namespace

std::string OneLine(std::string_view text) {
  std::string out;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    const std::string_view line = Trim(text.substr(0, newline));
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    if (line.empty()) continue;
    if (!out.empty()) out += "; ";
    out += CollapseSpaces(line);
  }
  return out;
}

std::string PrimaryMessage(std::string_view what) {
  std::string_view line = Trim(what.substr(0, what.find('\n')));
  for (std::string_view severity : {"ERROR:", "FATAL:", "PANIC:"}) {
    if (line.substr(0, severity.size()) == severity) {
      line = Trim(line.substr(severity.size()));
      break;
    }
  }
  return std::string(line);
}

std::string Scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

std::pair<int, int> LineAndColumn(std::string_view sql, int position) {
  int line = 1;
  int column = 1;
  int character = 1;
  for (char c : sql) {
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;
    if (character == position) break;
    ++character;
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return {line, column};
}

bool IsTransientSqlstate(std::string_view sqlstate) {
  return sqlstate == "40001" ||                         // serialization_failure
         sqlstate == "40P01" ||                         // deadlock_detected
         sqlstate == "55P03" ||                         // lock_not_available
         sqlstate == "53300" ||                         // too_many_connections
         sqlstate.substr(0, 2) == "08" ||               // connection exceptions
         sqlstate == "57P01" || sqlstate == "57P02" ||  // admin / crash shutdown
         sqlstate == "57P03";                           // cannot_connect_now
}

Error ErrorFromCurrentException(std::string_view sql, bool with_context,
                                const ErrorContext& context) {
  const std::vector<std::string>& secrets = context.secrets;
  // libpqxx 6.4 throws the 40xxx classes without their SQLSTATE, so it is restored from the
  // class.
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    Error error = Err(ErrorCode::kConnection, Scrub(OneLine(e.what()), secrets));
    error.transient = true;
    return error;
  } catch (const pqxx::deadlock_detected& e) {
    return ServerError("40P01", e.what(), with_context, secrets);
  } catch (const pqxx::serialization_failure& e) {
    return ServerError("40001", e.what(), with_context, secrets);
  } catch (const pqxx::statement_completion_unknown& e) {
    return ServerError("40003", e.what(), with_context, secrets);
  } catch (const pqxx::transaction_rollback& e) {
    return ServerError("40000", e.what(), with_context, secrets);
  } catch (const pqxx::syntax_error& e) {
    Error error = ServerError(e.sqlstate(), e.what(), with_context, secrets);
    if (e.error_position > 0) {
      const auto [line, column] = LineAndColumn(sql, e.error_position);
      error.message += fmt::format(" (at line {}, column {} of the statement)", line, column);
    }
    return error;
  } catch (const pqxx::sql_error& e) {
    return ServerError(e.sqlstate(), e.what(), with_context, secrets);
  } catch (const pqxx::usage_error& e) {
    return Err(ErrorCode::kInternal,
               fmt::format("libpqxx usage error on {}: {}", context.display_url,
                           Scrub(OneLine(e.what()), secrets)));
  } catch (const std::exception& e) {
    return Err(ErrorCode::kDatabase, Scrub(OneLine(e.what()), secrets));
  } catch (...) {
    return Err(ErrorCode::kInternal, "unknown exception from libpqxx");
  }
}

Error ServerError(std::string sqlstate, std::string_view what, bool with_context,
                  const std::vector<std::string>& secrets) {
  std::string message = PrimaryMessage(what);
  if (with_context) {
    const std::string context = ContextLine(what);
    if (!context.empty()) message += " (" + context + ")";
  }
  // 57014 is also what statement_timeout raises; only a cancel request is kCancelled.
  const bool cancelled =
      sqlstate == "57014" && message.find("statement timeout") == std::string::npos;
  Error error = Err(cancelled ? ErrorCode::kCancelled : ErrorCode::kDatabase,
                    Scrub(std::move(message), secrets));
  error.transient = IsTransientSqlstate(sqlstate);
  error.sqlstate = std::move(sqlstate);
  return error;
}

}  // namespace strata::db::postgres
