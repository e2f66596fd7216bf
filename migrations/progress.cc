// One file of about 750 lines, on purpose: the record's writes, its reconciliation and resuming
// from it share the table's layout and the rules of PartialScript, and read best together. The
// statement-effect parser (ParseEffect) is the one part that could move out if it grows.
#include "migrations/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <map>
#include <thread>

#include "base/strings.h"
#include "db/flavor/flavor.h"
#include "db/runner.h"
#include "db/sql/tokenizer.h"

namespace strata::migrations {
namespace {

// How long migrate waits for a dead runner's statement that is still running to end before it
// refuses; the orphan wait that runs before reconciliation waits longer, and reports.
constexpr std::chrono::milliseconds kStatementGrace{5000};

constexpr const char* kColumns =
    "script, version, description, checksum, statement_no, statement_count, line, state, "
    "connection_id, runner, effect, error";

StatementState ParseState(std::string_view text) {
  if (text == "done") return StatementState::kDone;
  if (text == "failed") return StatementState::kFailed;
  return StatementState::kRunning;
}

std::string Quoted(const db::Connection& conn, const HistoryTableName& history) {
  return ProgressTableName(history).Quoted(conn.dialect());
}

// ---- Statement effects -------------------------------------------------------------------

// The significant tokens of a statement, up to `limit`.
std::vector<db::sql::Token> Significant(std::string_view sql, db::Dialect dialect,
                                        std::size_t limit) {
  std::vector<db::sql::Token> tokens;
  db::sql::Tokenizer tokenizer(sql, dialect);
  while (tokens.size() < limit) {
    std::optional<db::sql::Token> t = tokenizer.NextSignificant();
    if (!t) break;
    tokens.push_back(*t);
  }
  return tokens;
}

// An identifier as the catalog stores it: quotes removed (doubled quotes halved), unquoted
// PostgreSQL names folded to lower case.
std::string Identifier(const db::sql::Token& token, db::Dialect dialect) {
  std::string_view text = token.text;
  if (token.kind == db::sql::TokenKind::kQuotedIdentifier && text.size() >= 2) {
    const char quote = text.front() == '[' ? ']' : text.front();
    std::string out;
    for (std::size_t i = 1; i + 1 < text.size(); ++i) {
      out += text[i];
      if (text[i] == quote && i + 2 < text.size() && text[i + 1] == quote) ++i;
    }
    return out;
  }
  std::string out(text);
  if (dialect == db::Dialect::kPostgres) out = AsciiLower(out);
  return out;
}

bool IsName(const db::sql::Token& t) {
  return t.kind == db::sql::TokenKind::kWord || t.kind == db::sql::TokenKind::kQuotedIdentifier;
}

// Reads `[schema.]name` at tokens[i]; advances i past it. False when there is no name.
bool ReadQualifiedName(const std::vector<db::sql::Token>& tokens, std::size_t& i,
                       db::Dialect dialect, std::string& schema, std::string& name) {
  if (i >= tokens.size() || !IsName(tokens[i])) return false;
  name = Identifier(tokens[i++], dialect);
  schema.clear();
  if (i + 1 < tokens.size() && tokens[i].IsPunctuation('.') && IsName(tokens[i + 1])) {
    schema = std::move(name);
    name = Identifier(tokens[i + 1], dialect);
    i += 2;
  }
  return true;
}

// Skips the words `words` at tokens[i] when they are there, in order.
bool Skip(const std::vector<db::sql::Token>& tokens, std::size_t& i,
          std::initializer_list<std::string_view> words) {
  std::size_t j = i;
  for (std::string_view w : words) {
    if (j >= tokens.size() || !tokens[j].IsWord(w)) return false;
    ++j;
  }
  i = j;
  return true;
}

StatementEffect ParseCreateIndex(const std::vector<db::sql::Token>& t, std::size_t i,
                                 db::Dialect dialect) {
  StatementEffect effect;
  effect.concurrently = Skip(t, i, {"CONCURRENTLY"});
  Skip(t, i, {"IF", "NOT", "EXISTS"});
  std::string ignored_schema;
  if (!ReadQualifiedName(t, i, dialect, ignored_schema, effect.name) || effect.name == "ON") {
    return {};
  }
  // The index lives in its table's schema.
  if (!Skip(t, i, {"ON"})) return {};
  Skip(t, i, {"ONLY"});
  std::string table;
  if (!ReadQualifiedName(t, i, dialect, effect.schema, table)) return {};
  effect.kind = StatementEffect::Kind::kIndex;
  return effect;
}

StatementEffect ParseAlterTable(const std::vector<db::sql::Token>& t, std::size_t i,
                                db::Dialect dialect) {
  StatementEffect effect;
  Skip(t, i, {"IF", "EXISTS"});
  Skip(t, i, {"ONLY"});
  if (!ReadQualifiedName(t, i, dialect, effect.schema, effect.table)) return {};
  if (!Skip(t, i, {"ADD"})) return {};
  Skip(t, i, {"COLUMN"});
  Skip(t, i, {"IF", "NOT", "EXISTS"});
  // ADD CONSTRAINT / INDEX / PRIMARY KEY ... add no column.
  for (std::string_view w : {"CONSTRAINT", "INDEX", "KEY", "PRIMARY", "UNIQUE", "FOREIGN", "CHECK",
                             "FULLTEXT", "SPATIAL", "PARTITION"}) {
    if (i < t.size() && t[i].IsWord(w)) return {};
  }
  if (i >= t.size() || !IsName(t[i])) return {};
  effect.name = Identifier(t[i], dialect);
  effect.kind = StatementEffect::Kind::kColumn;
  return effect;
}

// ---- Reading the table -------------------------------------------------------------------

int IntOr(const db::Cell& cell, int fallback) {
  if (!cell) return fallback;
  int v = fallback;
  std::from_chars(cell->data(), cell->data() + cell->size(), v);
  return v;
}

Result<std::vector<StatementRecord>> ReadRecords(db::Connection& conn,
                                                 const HistoryTableName& history) {
  const std::string table = Quoted(conn, history);
  STRATA_ASSIGN_OR_RETURN(
      db::Rows rows,
      conn.Query(fmt::format("SELECT {} FROM {} ORDER BY script, statement_no", kColumns, table)));
  std::vector<StatementRecord> out;
  for (auto& r : rows.rows) {
    StatementRecord rec;
    rec.script = r[0].value_or("");
    rec.version = r[1];
    rec.description = r[2].value_or("");
    if (r[3]) rec.checksum = IntOr(r[3], 0);
    rec.number = IntOr(r[4], 0);
    rec.count = IntOr(r[5], 0);
    rec.line = IntOr(r[6], 0);
    rec.state = ParseState(r[7].value_or(""));
    rec.connection_id = r[8].value_or("");
    rec.runner = r[9].value_or("");
    rec.effect = r[10].value_or("");
    rec.error = r[11].value_or("");
    out.push_back(std::move(rec));
  }
  return out;
}

// The partial script made of one script's records (ordered by statement number).
PartialScript Summarise(const std::vector<const StatementRecord*>& records) {
  PartialScript p;
  const StatementRecord& first = *records.front();
  p.script = first.script;
  p.version = first.version;
  p.description = first.description;
  p.checksum = first.checksum;
  p.statement_count = first.count;
  int expected = 1;
  for (const StatementRecord* r : records) {
    if (r->number != expected) break;  // a gap: what follows was not reached in order
    if (r->state != StatementState::kDone) {
      p.stopped = *r;
      break;
    }
    p.statements_done = expected++;
  }
  return p;
}

// A U script's rows are its UNDO_SQL rows: the script names differ from the V scripts'.
bool AppliedWithSameChecksum(const PartialScript& p, const std::vector<HistoryRow>& rows) {
  return std::any_of(rows.begin(), rows.end(), [&](const HistoryRow& row) {
    return row.success && row.script == p.script && row.checksum == p.checksum &&
           !IsSynthetic(row.type);
  });
}

// Whether `p` is a U script: the runner that recorded it was `undo`, or the history has an
// UNDO_SQL row for it (a run without a runner label).
bool IsUndoScript(const PartialScript& p, const std::vector<const StatementRecord*>& records,
                  const std::vector<HistoryRow>& rows) {
  const std::optional<db::RunnerIdentity> runner =
      db::RunnerIdentity::Parse(records.front()->runner);
  if (runner) return runner->command == "undo";
  return std::any_of(rows.begin(), rows.end(), [&](const HistoryRow& row) {
    return row.script == p.script && IsUndoType(row.type);
  });
}

// Whether `effect` is in place, as the catalog says; nullopt when it cannot be checked. Adds an
// INVALID index to `invalid`.
Result<std::optional<bool>> EffectInPlace(db::Connection& conn, const StatementEffect& effect,
                                          std::vector<std::string>& invalid) {
  const db::Flavor& flavor = db::FlavorOf(conn);
  switch (effect.kind) {
    case StatementEffect::Kind::kNone:
      return std::optional<bool>();
    case StatementEffect::Kind::kIndex: {
      STRATA_ASSIGN_OR_RETURN(db::Flavor::IndexState state,
                              flavor.IndexStateOf(conn, effect.schema, effect.name));
      if (state == db::Flavor::IndexState::kInvalid) {
        invalid.push_back(flavor.QualifiedName(effect.schema, effect.name));
      }
      return std::optional<bool>(state == db::Flavor::IndexState::kValid);
    }
    case StatementEffect::Kind::kTable: {
      STRATA_ASSIGN_OR_RETURN(bool exists, flavor.TableExists(conn, effect.schema, effect.name));
      return std::optional<bool>(exists);
    }
    case StatementEffect::Kind::kColumn: {
      STRATA_ASSIGN_OR_RETURN(bool exists,
                              flavor.ColumnExists(conn, effect.schema, effect.table, effect.name));
      return std::optional<bool>(exists);
    }
  }
  return std::optional<bool>();
}

// Whether the session `id` still runs a statement, waiting up to `grace` for it to end: a
// runner killed a moment ago leaves its last statement running until the server notices.
Result<bool> StillBusy(db::Connection& conn, const std::string& id,
                       std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (true) {
    std::int64_t number = 0;
    if (std::from_chars(id.data(), id.data() + id.size(), number).ec != std::errc()) return false;
    STRATA_ASSIGN_OR_RETURN(std::optional<db::ServerStatement> running,
                            db::FlavorOf(conn).StatementIn(conn, number));
    const bool busy = running.has_value();
    if (!busy || std::chrono::steady_clock::now() >= deadline) return busy;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Settles the outcome of `p.stopped` from the server's point of view, giving a statement still
// running `grace` to end.
Status Judge(db::Connection& conn, PartialScript& p, std::chrono::milliseconds grace) {
  if (!p.stopped) return Ok();
  const StatementEffect effect = StatementEffect::Decode(p.stopped->effect);
  STRATA_ASSIGN_OR_RETURN(std::optional<bool> in_place,
                          EffectInPlace(conn, effect, p.invalid_indexes));
  if (!p.runner_died()) {
    p.outcome = Outcome::kRecorded;
    return Ok();
  }
  if (!p.stopped->connection_id.empty()) {
    STRATA_ASSIGN_OR_RETURN(bool busy, StillBusy(conn, p.stopped->connection_id, grace));
    if (busy) {
      p.outcome = Outcome::kStillRunning;
      return Ok();
    }
  }
  if (!in_place) {
    p.outcome = Outcome::kUnknown;
  } else {
    p.outcome = *in_place ? Outcome::kFinished : Outcome::kFailed;
  }
  return Ok();
}

// Writes down the outcome strata established for a dead runner's statement.
Status Settle(db::Connection& conn, const HistoryTableName& history, PartialScript& p) {
  if (!p.runner_died() || (p.outcome != Outcome::kFinished && p.outcome != Outcome::kFailed)) {
    return Ok();
  }
  const db::Flavor& flavor = db::FlavorOf(conn);
  const bool finished = p.outcome == Outcome::kFinished;
  const std::string note = finished ? "its runner died; the statement finished (checked in the "
                                      "catalog)"
                                    : "its runner died; the statement did not finish (checked "
                                      "in the catalog)";
  auto done = conn.Execute(
      fmt::format("UPDATE {} SET state = {}, error = {}, finished_at = {} WHERE script = {} AND "
                  "statement_no = {}",
                  Quoted(conn, history), flavor.Param(1), flavor.Param(2), flavor.EpochMillisNow(),
                  flavor.Param(3), flavor.Param(4)),
      {std::string(finished ? "done" : "failed"), note, p.script, std::int64_t{p.stopped->number}});
  if (!done) return std::move(done).error().WithContext("settling " + p.script + "'s progress");
  if (finished) {
    ++p.statements_done;
    p.stopped.reset();
  } else {
    p.stopped->state = StatementState::kFailed;
    p.stopped->error = note;
  }
  return Ok();
}

std::string HostName() {
  std::array<char, 256> host{};
  if (::gethostname(host.data(), host.size() - 1) != 0) return "?";
  return host.data();
}

}  // namespace

// ---- Names and effects ---------------------------------------------------------------------

std::string_view StatementStateName(StatementState state) {
  switch (state) {
    case StatementState::kRunning:
      return "running";
    case StatementState::kDone:
      return "done";
    case StatementState::kFailed:
      return "failed";
  }
  return "";
}

HistoryTableName ProgressTableName(const HistoryTableName& history) {
  return {history.schema, history.table + "_progress"};
}

std::string StatementEffect::Encode() const {
  switch (kind) {
    case Kind::kNone:
      return "";
    case Kind::kIndex:
      return fmt::format("index|{}|{}|{}", schema, name, concurrently ? "concurrently" : "");
    case Kind::kTable:
      return fmt::format("table|{}|{}", schema, name);
    case Kind::kColumn:
      return fmt::format("column|{}|{}|{}", schema, table, name);
  }
  return "";
}

StatementEffect StatementEffect::Decode(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t bar = text.find('|', start);
    parts.emplace_back(text.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) break;
    start = bar + 1;
  }
  StatementEffect e;
  if (parts[0] == "index" && parts.size() == 4) {
    e.kind = Kind::kIndex;
    e.schema = parts[1];
    e.name = parts[2];
    e.concurrently = parts[3] == "concurrently";
  } else if (parts[0] == "table" && parts.size() == 3) {
    e.kind = Kind::kTable;
    e.schema = parts[1];
    e.name = parts[2];
  } else if (parts[0] == "column" && parts.size() == 4) {
    e.kind = Kind::kColumn;
    e.schema = parts[1];
    e.table = parts[2];
    e.name = parts[3];
  }
  return e;
}

StatementEffect ParseEffect(std::string_view sql, db::Dialect dialect) {
  const std::vector<db::sql::Token> t = Significant(sql, dialect, 16);
  std::size_t i = 0;
  if (Skip(t, i, {"CREATE"})) {
    Skip(t, i, {"UNIQUE"});
    if (Skip(t, i, {"INDEX"})) return ParseCreateIndex(t, i, dialect);
    if (!Skip(t, i, {"TABLE"})) return {};
    Skip(t, i, {"IF", "NOT", "EXISTS"});
    StatementEffect effect;
    if (!ReadQualifiedName(t, i, dialect, effect.schema, effect.name)) return {};
    // CREATE TABLE ... AS / LIKE still creates the table; the catalog tells.
    effect.kind = StatementEffect::Kind::kTable;
    return effect;
  }
  if (Skip(t, i, {"ALTER", "TABLE"})) return ParseAlterTable(t, i, dialect);
  return {};
}

// ---- Partial scripts -----------------------------------------------------------------------

std::string StatementsText(int n) {
  if (n <= 0) return "no statement";
  if (n == 1) return "statement 1";
  return fmt::format("statements 1\u2013{}", n);
}

std::string PartialScript::Describe() const {
  const std::string applied =
      fmt::format("{}: {} of {} applied", script, StatementsText(statements_done), statement_count);
  if (!stopped) return applied + ", but its runner died before recording it in the history";
  const std::string where = fmt::format("statement {} (line {})", stopped->number, stopped->line);
  if (!runner_died()) return fmt::format("{}, {} failed: {}", applied, where, stopped->error);
  std::string session = stopped->connection_id.empty()
                            ? std::string()
                            : fmt::format(" in server connection {}", stopped->connection_id);
  // The runner as the server showed it (its runner label), so that the report matches what
  // pg_stat_activity / PROCESSLIST showed while it ran.
  if (!session.empty() && db::RunnerIdentity::Parse(stopped->runner)) {
    session += fmt::format(" ({})", stopped->runner);
  }
  std::string result;
  switch (outcome) {
    case Outcome::kRecorded:
    case Outcome::kFailed:
      result = "it failed";
      break;
    case Outcome::kFinished:
      result = "it finished";
      break;
    case Outcome::kStillRunning:
      result = "it is still running";
      break;
    case Outcome::kUnknown:
      result = "whether it finished cannot be checked, so it runs again";
      break;
  }
  return fmt::format("{}, {} was running{} when the runner died; {}", applied, where, session,
                     result);
}

std::string PartialScript::NextStep() const {
  if (outcome == Outcome::kStillRunning) {
    return fmt::format(
        "wait for it to end, then run strata {}: it resumes where the statement left off",
        command());
  }
  if (!stopped) {
    return fmt::format("run strata {}: it records the {} as applied", command(),
                       undo ? "undo" : "migration");
  }
  return fmt::format(
      "run strata {}: it resumes at statement {} (the file must stay as it is: its checksum "
      "is checked){}",
      command(), resume_at(),
      invalid_indexes.empty()
          ? ""
          : fmt::format(", and first drops the INVALID index {} concurrently and builds it again",
                        invalid_indexes.front()));
}

Result<std::vector<PartialScript>> ReadPartialScripts(db::Connection& conn,
                                                      const HistoryTableName& history) {
  STRATA_ASSIGN_OR_RETURN(bool exists, ProgressTableExists(conn, history));
  if (!exists) return std::vector<PartialScript>();
  SchemaHistory table(conn, history);
  std::vector<HistoryRow> rows;
  STRATA_ASSIGN_OR_RETURN(bool history_exists, table.Exists());
  if (history_exists) {
    STRATA_ASSIGN_OR_RETURN(rows, table.ReadAll());
  }
  return ReconcileProgress(conn, history, rows, /*settle=*/false);
}

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kRecorded:
      return "recorded_failed";
    case Outcome::kFinished:
      return "finished";
    case Outcome::kFailed:
      return "failed";
    case Outcome::kStillRunning:
      return "still_running";
    case Outcome::kUnknown:
      return "unknown";
  }
  return "";
}

const PartialScript* FindPartial(const std::vector<PartialScript>& partials,
                                 std::string_view script) {
  for (const PartialScript& p : partials) {
    if (p.script == script) return &p;
  }
  return nullptr;
}

Result<bool> ProgressTableExists(db::Connection& conn, const HistoryTableName& history) {
  const HistoryTableName table = ProgressTableName(history);
  return db::FlavorOf(conn).TableExists(conn, table.schema, table.table);
}

Result<std::vector<PartialScript>> ReconcileProgress(db::Connection& conn,
                                                     const HistoryTableName& history,
                                                     const std::vector<HistoryRow>& rows,
                                                     bool settle) {
  std::vector<PartialScript> partials;
  STRATA_ASSIGN_OR_RETURN(bool exists, ProgressTableExists(conn, history));
  if (!exists) return partials;
  STRATA_ASSIGN_OR_RETURN(std::vector<StatementRecord> records, ReadRecords(conn, history));
  std::map<std::string, std::vector<const StatementRecord*>> by_script;
  for (const StatementRecord& r : records) by_script[r.script].push_back(&r);
  for (auto& [script, list] : by_script) {
    PartialScript p = Summarise(list);
    p.undo = IsUndoScript(p, list, rows);
    if (AppliedWithSameChecksum(p, rows)) {
      // The runner died between the history row and forgetting the progress.
      if (settle) {
        auto forgot =
            conn.Execute(ForgetProgressStep(conn.dialect(), history, script).sql, {script});
        if (!forgot) return std::move(forgot).error().WithContext("forgetting stale progress");
      }
      continue;
    }
    // A statement still running when migrate looks is usually one whose runner was killed a
    // moment ago; info and validate only look.
    STRATA_TRY(Judge(conn, p, settle ? kStatementGrace : std::chrono::milliseconds(0)));
    if (settle) STRATA_TRY(Settle(conn, history, p));
    partials.push_back(std::move(p));
  }
  return partials;
}

ScriptStep ForgetProgressStep(db::Dialect dialect, const HistoryTableName& history,
                              const std::string& script) {
  return Statement(
      fmt::format("DELETE FROM {} WHERE script = {}", ProgressTableName(history).Quoted(dialect),
                  db::FlavorFor(dialect).Param(1)),
      {script}, "progress");
}

// ---- Resuming ---------------------------------------------------------------------------------

Error ScriptEditedSinceEarlierRun(const PartialScript& p, std::int32_t checksum_now) {
  return Err(ErrorCode::kValidation,
             fmt::format("{} changed since an earlier run applied {} of {} of it (checksum {} "
                         "then, {} now): put the file back as it was and run strata {}, "
                         "which resumes at statement {}; or undo the applied statements by hand "
                         "and run strata repair (it forgets the earlier run), after which strata "
                         "{} runs the whole script",
                         p.script, StatementsText(p.statements_done), p.statement_count,
                         p.checksum ? std::to_string(*p.checksum) : "NULL", checksum_now,
                         p.command(), p.resume_at(), p.command()));
}

Result<std::vector<HistoryRow>> RowsToPlan(const std::vector<HistoryRow>& rows,
                                           const std::vector<PartialScript>& partials,
                                           const std::vector<ResolvedMigration>& resolved,
                                           std::map<std::string, std::int32_t>& resumed_failed,
                                           bool undo_rows) {
  std::vector<HistoryRow> out;
  for (const HistoryRow& row : rows) {
    const PartialScript* p = row.success ? nullptr : FindPartial(partials, row.script);
    const auto file = std::find_if(resolved.begin(), resolved.end(), [&](const auto& m) {
      return m.script == row.script && m.version == row.version;
    });
    if (p == nullptr || IsUndoType(row.type) != undo_rows || file == resolved.end()) {
      out.push_back(row);
      continue;
    }
    if (p->checksum != file->checksum) return ScriptEditedSinceEarlierRun(*p, file->checksum);
    resumed_failed[row.script] = row.installed_rank;
  }
  return out;
}

Result<Script> ResumeSteps(const ResolvedMigration& m, const PartialScript* partial,
                           std::optional<std::int32_t> failed_rank, db::Connection& conn,
                           const std::string& quoted_history, Script& body, int& first_statement) {
  const db::Flavor& flavor = db::FlavorOf(conn);
  Script resume;
  if (partial != nullptr) {
    if (partial->outcome == Outcome::kStillRunning) {
      return Err(ErrorCode::kValidation, fmt::format("{}; {}; nothing was applied",
                                                     partial->Describe(), partial->NextStep()));
    }
    const int count = static_cast<int>(body.size());
    if (partial->checksum != m.checksum || partial->statement_count != count) {
      return ScriptEditedSinceEarlierRun(*partial, m.checksum);
    }
    resume.push_back(Comment(fmt::format("resumed: {}", partial->Describe())));
    if (failed_rank) {
      resume.push_back(Statement(
          fmt::format("DELETE FROM {} WHERE installed_rank = {}", quoted_history, flavor.Param(1)),
          {std::int64_t{*failed_rank}}, "history"));
    }
    const int skip = std::min(partial->statements_done, count);
    body.erase(body.begin(), body.begin() + skip);
    first_statement = skip + 1;
  }
  // An INVALID index is never what a script meant: whether this runner's predecessor or a run
  // before a repair left it, the statement that builds it can only succeed once it is gone.
  for (const ScriptStep& step : body) {
    const StatementEffect effect = ParseEffect(step.sql, conn.dialect());
    if (effect.kind != StatementEffect::Kind::kIndex || !effect.concurrently) continue;
    const std::string drop = flavor.DropIndexConcurrently(effect.schema, effect.name);
    if (drop.empty()) continue;
    STRATA_ASSIGN_OR_RETURN(db::Flavor::IndexState state,
                            flavor.IndexStateOf(conn, effect.schema, effect.name));
    if (state != db::Flavor::IndexState::kInvalid) continue;
    resume.push_back(
        Comment(fmt::format("index {} is INVALID (an interrupted CREATE INDEX CONCURRENTLY): "
                            "dropped concurrently, then built again by {}",
                            flavor.QualifiedName(effect.schema, effect.name), step.origin)));
    resume.push_back(Statement(drop, {}, step.origin));
  }
  return resume;
}

// ---- Recording ------------------------------------------------------------------------------

ProgressRecorder::ProgressRecorder(db::Connection& conn, const HistoryTableName& history)
    : conn_(conn), table_(ProgressTableName(history)), quoted_(Quoted(conn, history)) {}

Status ProgressRecorder::Prepare() {
  if (prepared_) return Ok();
  const db::Flavor& flavor = db::FlavorOf(conn_);
  STRATA_ASSIGN_OR_RETURN(bool exists, flavor.TableExists(conn_, table_.schema, table_.table));
  if (!exists) {
    auto created = conn_.Execute(fmt::format(
        "CREATE TABLE {} (script VARCHAR(1000) NOT NULL, version VARCHAR(50), description "
        "VARCHAR(200) NOT NULL, checksum INTEGER, statement_no INTEGER NOT NULL, "
        "statement_count INTEGER NOT NULL, line INTEGER NOT NULL, state VARCHAR(10) NOT NULL, "
        "connection_id VARCHAR(40), runner VARCHAR(200) NOT NULL, effect VARCHAR(600) NOT NULL, "
        "error VARCHAR(1000), started_at BIGINT NOT NULL, finished_at BIGINT){}",
        quoted_, flavor.TableOptions()));
    if (!created) return std::move(created).error().WithContext("creating " + quoted_);
  }
  // 0 where there is no server (SQLite): nothing is recorded then.
  STRATA_ASSIGN_OR_RETURN(const std::int64_t id, flavor.ServerConnectionId(conn_));
  connection_id_ = id == 0 ? "" : std::to_string(id);
  runner_ = RunnerIdentity();
  if (id != 0) {
    // The runner label the session carries (db/runner.h), as pg_stat_activity / PROCESSLIST
    // show it to others, so that a report on a dead runner's statement names it as they did.
    STRATA_ASSIGN_OR_RETURN(std::optional<db::ServerStatement> own, flavor.StatementIn(conn_, id));
    if (own && !own->label.empty()) runner_ = own->label.substr(0, 200);
  }
  prepared_ = true;
  return Ok();
}

Status ProgressRecorder::Start(const ResolvedMigration& m, int number, int count,
                               const ScriptStep& step) {
  STRATA_TRY(Prepare());
  const db::Flavor& flavor = db::FlavorOf(conn_);
  auto forgot = conn_.Execute(fmt::format("DELETE FROM {} WHERE script = {} AND statement_no >= {}",
                                          quoted_, flavor.Param(1), flavor.Param(2)),
                              {m.script, std::int64_t{number}});
  if (!forgot) return std::move(forgot).error().WithContext("recording progress in " + quoted_);
  db::Params params;
  params.emplace_back(m.script);
  if (m.version) {
    params.emplace_back(m.version->ToString());
  } else {
    params.emplace_back(nullptr);
  }
  params.emplace_back(AbbreviateDescription(m.description));
  params.emplace_back(std::int64_t{m.checksum});
  params.emplace_back(std::int64_t{number});
  params.emplace_back(std::int64_t{count});
  params.emplace_back(std::int64_t{OriginLine(step.origin)});
  if (connection_id_.empty()) {
    params.emplace_back(nullptr);
  } else {
    params.emplace_back(connection_id_);
  }
  params.emplace_back(runner_);
  params.emplace_back(ParseEffect(step.sql, conn_.dialect()).Encode().substr(0, 600));
  std::string values;
  for (int i = 1; i <= 10; ++i) values += flavor.Param(i) + ", ";
  auto done = conn_.Execute(
      fmt::format("INSERT INTO {} (script, version, description, checksum, statement_no, "
                  "statement_count, line, connection_id, runner, effect, state, started_at) "
                  "VALUES ({}'running', {})",
                  quoted_, values, flavor.EpochMillisNow()),
      params);
  if (!done) return std::move(done).error().WithContext("recording progress in " + quoted_);
  return Ok();
}

Status ProgressRecorder::Done(const std::string& script, int number) {
  const db::Flavor& flavor = db::FlavorOf(conn_);
  auto done = conn_.Execute(
      fmt::format("UPDATE {} SET state = 'done', finished_at = {} WHERE script = {} AND "
                  "statement_no = {}",
                  quoted_, flavor.EpochMillisNow(), flavor.Param(1), flavor.Param(2)),
      {script, std::int64_t{number}});
  if (!done) return std::move(done).error().WithContext("recording progress in " + quoted_);
  return Ok();
}

Status ProgressRecorder::Failed(const std::string& script, int number, const std::string& error) {
  const db::Flavor& flavor = db::FlavorOf(conn_);
  auto done = conn_.Execute(
      fmt::format("UPDATE {} SET state = 'failed', error = {}, finished_at = {} WHERE script = {} "
                  "AND statement_no = {}",
                  quoted_, flavor.Param(1), flavor.EpochMillisNow(), flavor.Param(2),
                  flavor.Param(3)),
      {error.substr(0, 1000), script, std::int64_t{number}});
  if (!done) return std::move(done).error().WithContext("recording progress in " + quoted_);
  return Ok();
}

Status ProgressRecorder::Forget(const std::string& script) {
  if (!prepared_) {
    // Nothing recorded by this run; a resumed script whose statements were all done still has
    // the earlier run's rows.
    STRATA_ASSIGN_OR_RETURN(bool exists,
                            db::FlavorOf(conn_).TableExists(conn_, table_.schema, table_.table));
    if (!exists) return Ok();
  }
  auto done = conn_.Execute(
      fmt::format("DELETE FROM {} WHERE script = {}", quoted_, db::FlavorOf(conn_).Param(1)),
      {script});
  if (!done) return std::move(done).error().WithContext("forgetting progress in " + quoted_);
  return Ok();
}

std::string RunnerIdentity() {
  return fmt::format("strata pid {} on {}", ::getpid(), HostName()).substr(0, 200);
}

int OriginLine(const std::string& origin) {
  // "path:line:col": the number between the last two colons.
  const std::size_t last = origin.rfind(':');
  if (last == std::string::npos || last == 0) return 0;
  const std::size_t before = origin.rfind(':', last - 1);
  if (before == std::string::npos) return 0;
  int line = 0;
  std::from_chars(origin.data() + before + 1, origin.data() + last, line);
  return line;
}

}  // namespace strata::migrations
