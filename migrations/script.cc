#include "migrations/script.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <optional>
#include <utility>

#include "db/flavor/flavor.h"
#include "db/sql/tokenizer.h"

namespace strata::migrations {
namespace {

std::size_t CountStatements(const Script& script) {
  return static_cast<std::size_t>(
      std::count_if(script.begin(), script.end(),
                    [](const ScriptStep& s) { return s.kind == ScriptStep::Kind::kStatement; }));
}

Error StepError(const ScriptStep& step, std::size_t number, std::size_t total, const Error& cause) {
  Error e = cause;
  e.message =
      fmt::format("{}: statement {} of {} failed: {}", step.origin.empty() ? "script" : step.origin,
                  number, total, cause.message);
  return e;
}

Status RunStatement(const ScriptStep& step, db::Connection& conn) {
  if (step.copy_data) return conn.CopyFrom(step.sql, *step.copy_data);
  auto done = conn.Execute(step.sql, step.params);
  if (!done) return std::move(done).error();
  return Ok();
}

Status RunStep(const ScriptStep& step, db::Connection& conn) {
  switch (step.kind) {
    case ScriptStep::Kind::kComment:
      return Ok();
    case ScriptStep::Kind::kBegin: {
      db::TxOptions options;
      // SQLite: take the write lock at BEGIN, so that a writer never fails half-way with
      // SQLITE_BUSY on upgrading a read lock; other engines ignore it.
      options.immediate = true;
      return conn.Begin(options);
    }
    case ScriptStep::Kind::kCommit:
      return conn.Commit();
    case ScriptStep::Kind::kStatement:
      return RunStatement(step, conn);
  }
  return Ok();
}

// ---- Rendering --------------------------------------------------------------------------

// Replaces the dialect's parameter placeholders ($1; ?, ?NNN) outside strings, quoted
// identifiers and comments with SQL literals. The statements that carry parameters are
// strata's own bookkeeping (history rows); script statements never have parameters.
std::string InlineParams(std::string_view sql, const db::Params& params, const db::Flavor& flavor) {
  if (params.empty()) return std::string(sql);
  std::string out;
  std::size_t next_positional = 0;
  db::sql::Tokenizer tokens(sql, flavor.dialect());
  while (std::optional<db::sql::Token> token = tokens.Next()) {
    if (token->kind != db::sql::TokenKind::kPlaceholder) {
      out.append(token->text);
      continue;
    }
    // "$3" and "?3" are numbered from 1; a bare "?" takes the one after the previous.
    const std::string_view number = token->text.substr(1);
    std::size_t index = next_positional;
    if (!number.empty()) {
      std::size_t n = 0;
      std::from_chars(number.data(), number.data() + number.size(), n);
      index = n - 1;
    }
    next_positional = index + 1;
    if (index < params.size()) {
      out += flavor.Literal(params[index]);
    } else {
      out.append(token->text);
    }
  }
  return out;
}

void RenderComment(std::string_view text, std::string& out) {
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find('\n', start);
    const std::string_view line =
        text.substr(start, end == std::string_view::npos ? end : end - start);
    out += line.empty() ? "--\n" : fmt::format("-- {}\n", line);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
}

void RenderStatement(const ScriptStep& step, const db::Flavor& flavor, std::string& out) {
  const std::string sql = InlineParams(step.sql, step.params, flavor);
  if (step.copy_data) {
    out += sql + ";\n" + *step.copy_data;
    if (!step.copy_data->empty() && step.copy_data->back() != '\n') out += '\n';
    out += "\\.\n";
    return;
  }
  out += flavor.ClientStatement(sql);
}

}  // namespace

ScriptStep Comment(std::string text) {
  ScriptStep step;
  step.kind = ScriptStep::Kind::kComment;
  step.sql = std::move(text);
  return step;
}

ScriptStep Begin() {
  ScriptStep step;
  step.kind = ScriptStep::Kind::kBegin;
  return step;
}

ScriptStep Commit() {
  ScriptStep step;
  step.kind = ScriptStep::Kind::kCommit;
  return step;
}

ScriptStep Statement(std::string sql, db::Params params, std::string origin) {
  ScriptStep step;
  step.kind = ScriptStep::Kind::kStatement;
  step.sql = std::move(sql);
  step.params = std::move(params);
  step.origin = std::move(origin);
  return step;
}

ScriptStep CopyStatement(std::string sql, std::string data, std::string origin) {
  ScriptStep step = Statement(std::move(sql), {}, std::move(origin));
  step.copy_data = std::move(data);
  return step;
}

Status Execute(const Script& script, db::Connection& conn) {
  const std::size_t total = CountStatements(script);
  std::size_t number = 0;
  for (const ScriptStep& step : script) {
    if (step.kind == ScriptStep::Kind::kStatement) ++number;
    Status done = RunStep(step, conn);
    if (done) continue;
    Error error = step.kind == ScriptStep::Kind::kStatement
                      ? StepError(step, number, total, done.error())
                      : done.error();
    // Nothing half-applied where the engine can help it: an open transaction is undone.
    if (conn.InTransaction()) (void)conn.Rollback();
    return error;
  }
  return Ok();
}

std::string RenderDryRun(const Script& script, db::Dialect dialect) {
  const db::Flavor& flavor = db::FlavorFor(dialect);
  std::string out;
  for (const ScriptStep& step : script) {
    switch (step.kind) {
      case ScriptStep::Kind::kComment:
        RenderComment(step.sql, out);
        break;
      case ScriptStep::Kind::kBegin:
        out += fmt::format("{};\n", flavor.BeginWriteTransaction());
        break;
      case ScriptStep::Kind::kCommit:
        out += "COMMIT;\n";
        break;
      case ScriptStep::Kind::kStatement:
        RenderStatement(step, flavor, out);
        break;
    }
  }
  return out;
}

}  // namespace strata::migrations
