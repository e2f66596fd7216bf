#include "lint/linter.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "base/strings.h"
#include "db/sql/splitter.h"
#include "db/sql/tokenizer.h"
#include "lint/checks.h"

namespace strata::lint {
namespace {

using internal::Candidate;

constexpr std::string_view kIgnoreMarker = "strata:lint-ignore";

// Line and column of a byte offset, counted as the splitter counts them (splitter.h): lines by
// '\n', columns in characters (every byte that is not a UTF-8 continuation byte).
class LineIndex {
 public:
  explicit LineIndex(std::string_view text) : text_(text) {
    starts_.push_back(0);
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') starts_.push_back(i + 1);
    }
  }
  std::pair<int, int> Position(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    const auto it = std::upper_bound(starts_.begin(), starts_.end(), offset) - 1;
    int column = 1;
    for (std::size_t i = *it; i < offset; ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    return {static_cast<int>(it - starts_.begin()) + 1, column};
  }

 private:
  std::string_view text_;
  std::vector<std::size_t> starts_;
};

// One `-- strata:lint-ignore RULE[,RULE...] reason` comment, and the statement it covers.
struct Suppression {
  std::size_t statement = 0;
  std::vector<const Rule*> rules;
  std::string reason;
};

Finding MakeFinding(std::string_view rule_id, const std::string& file, std::pair<int, int> pos,
                    std::string message) {
  Finding f;
  f.rule = FindRule(rule_id);
  f.severity = f.rule->severity;
  f.file = file;
  f.line = pos.first;
  f.column = pos.second;
  f.message = std::move(message);
  return f;
}

std::size_t OffsetIn(std::string_view text, std::string_view part) {
  return static_cast<std::size_t>(part.data() - text.data());
}

// The statement a comment at `offset` covers: the one it precedes or sits inside, or the one
// it trails on the same line ("...; -- strata:lint-ignore ...").
std::size_t CoveredStatement(const std::vector<db::sql::Statement>& statements,
                             std::string_view text, const LineIndex& lines, std::size_t offset) {
  for (std::size_t k = 0; k < statements.size(); ++k) {
    const std::size_t end = OffsetIn(text, statements[k].text) + statements[k].text.size();
    if (offset >= end) continue;
    if (k > 0) {
      const std::size_t previous_end =
          OffsetIn(text, statements[k - 1].text) + statements[k - 1].text.size();
      if (lines.Position(previous_end).first == lines.Position(offset).first) return k - 1;
    }
    return k;
  }
  return statements.empty() ? 0 : statements.size() - 1;
}

// Reads the suppression comments of a script; malformed ones become findings.
std::vector<Suppression> ReadSuppressions(const SourceFile& file, db::Dialect dialect,
                                          const std::vector<db::sql::Statement>& statements,
                                          const LineIndex& lines, std::vector<Finding>& problems) {
  std::vector<Suppression> out;
  if (file.text.find(kIgnoreMarker) == std::string::npos) return out;
  db::sql::Tokenizer tokenizer(file.text, dialect);
  while (auto token = tokenizer.Next()) {
    if (token->kind != db::sql::TokenKind::kComment) continue;
    const std::size_t marker = token->text.find(kIgnoreMarker);
    if (marker == std::string_view::npos) continue;
    std::string_view rest = token->text.substr(marker + kIgnoreMarker.size());
    if (rest.size() >= 2 && rest.substr(rest.size() - 2) == "*/") rest.remove_suffix(2);
    rest = Trim(rest);
    const std::size_t space = rest.find_first_of(" \t");
    const std::string_view ids = rest.substr(0, space);
    const std::string_view reason =
        space == std::string_view::npos ? std::string_view() : Trim(rest.substr(space));
    const auto pos = lines.Position(token->offset);
    if (ids.empty() || reason.empty()) {
      problems.push_back(
          MakeFinding("ST001", file.name, pos,
                      fmt::format("strata:lint-ignore {}without a reason: write why, e.g. "
                                  "`-- strata:lint-ignore PG101 orders holds 200 rows`",
                                  ids.empty() ? "" : std::string(ids) + " ")));
      continue;
    }
    Suppression s;
    s.statement = CoveredStatement(statements, file.text, lines, token->offset);
    s.reason = std::string(reason);
    std::string_view list = ids;
    while (!list.empty()) {
      const std::size_t comma = list.find(',');
      const std::string_view id = Trim(list.substr(0, comma));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
      if (id.empty()) continue;
      if (const Rule* rule = FindRule(id)) {
        s.rules.push_back(rule);
      } else {
        problems.push_back(MakeFinding(
            "ST003", file.name, pos,
            fmt::format("strata:lint-ignore names {}, which is not a rule", std::string(id))));
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

// "name:12:5: message\n..." (splitter.h's error format): the position and the message.
Finding SplitProblem(const SourceFile& file, const std::string& error) {
  std::string_view first = error;
  first = first.substr(0, first.find('\n'));
  std::pair<int, int> pos{1, 1};
  if (first.substr(0, file.name.size()) == file.name && first.size() > file.name.size()) {
    std::string_view rest = first.substr(file.name.size() + 1);
    const char* p = rest.data();
    const char* end = rest.data() + rest.size();
    auto line = std::from_chars(p, end, pos.first);
    if (line.ec == std::errc() && line.ptr < end && *line.ptr == ':') {
      auto column = std::from_chars(line.ptr + 1, end, pos.second);
      if (column.ec == std::errc() && column.ptr + 1 < end) first = column.ptr + 2;
    }
  }
  return MakeFinding("ST002", file.name, pos, fmt::format("not linted: {}", Trim(first)));
}

void CheckStatement(db::Dialect dialect, const internal::StatementInput& in,
                    internal::FileState& file, internal::SetState& set,
                    std::vector<Candidate>& out) {
  switch (dialect) {
    case db::Dialect::kPostgres:
      return internal::CheckPostgres(in, file, set, out);
    case db::Dialect::kMariaDb:
      return internal::CheckMariaDb(in, file, set, out);
    case db::Dialect::kSqlite:
      return internal::CheckSqlite(in, file, set, out);
  }
}

void AnalyzeFile(const SourceFile& file, const AnalyzeOptions& options, internal::SetState& set,
                 Analysis& result) {
  db::sql::SplitOptions split;
  split.dialect = options.dialect;
  split.server_version = options.dialect == db::Dialect::kPostgres ? options.server_version : 0;
  split.file_name = file.name;
  auto statements = db::sql::Split(file.text, split);
  if (!statements) {
    result.findings.push_back(SplitProblem(file, statements.error().message));
    return;
  }
  const LineIndex lines(file.text);
  std::vector<Finding> problems;
  const std::vector<Suppression> suppressions =
      ReadSuppressions(file, options.dialect, *statements, lines, problems);
  internal::FileState state;
  state.statement_count = statements->size();
  for (const db::sql::Statement& s : *statements) state.no_transaction_count += s.no_transaction;
  std::vector<Candidate> candidates;
  std::vector<std::size_t> statement_of;
  for (std::size_t k = 0; k < statements->size(); ++k) {
    const internal::StatementInput in{(*statements)[k], options.server_version, options.mysql};
    CheckStatement(options.dialect, in, state, set, candidates);
    statement_of.resize(candidates.size(), k);
  }
  for (std::size_t j = 0; j < candidates.size(); ++j) {
    Candidate& c = candidates[j];
    if (c.cancelled) continue;
    const db::sql::Statement& s = (*statements)[statement_of[j]];
    const std::size_t offset = OffsetIn(file.text, s.text) + std::min(c.offset, s.text.size());
    Finding f = MakeFinding(c.rule_id, file.name, lines.Position(offset), std::move(c.message));
    f.table = std::move(c.table);
    f.live_key = std::move(c.live_key);
    for (const Suppression& sup : suppressions) {
      if (sup.statement != statement_of[j]) continue;
      if (std::find(sup.rules.begin(), sup.rules.end(), f.rule) == sup.rules.end()) continue;
      f.suppressed = true;
      f.suppression_reason = sup.reason;
    }
    if (!f.table.empty() && f.rule->size_sensitive) result.tables.insert(f.table);
    result.findings.push_back(std::move(f));
  }
  for (Finding& p : problems) result.findings.push_back(std::move(p));
}

std::string Scaled(double value, const char* const* units, int count, double step) {
  int unit = 0;
  while (value >= step && unit + 1 < count) {
    value /= step;
    ++unit;
  }
  if (unit == 0) return fmt::format("{:.0f}{}", value, units[0]);
  return value < 10 ? fmt::format("{:.1f}{}", value, units[unit])
                    : fmt::format("{:.0f}{}", value, units[unit]);
}

// "orders: ~48M rows, 19 GiB".
std::string SizeText(const std::string& table, const TableFacts& facts) {
  std::vector<std::string> parts;
  if (facts.rows) parts.push_back(fmt::format("~{} rows", HumanCount(*facts.rows)));
  if (facts.bytes) parts.push_back(HumanBytes(*facts.bytes));
  if (parts.empty()) parts.emplace_back("size unknown");
  return fmt::format("{}: {}", table, fmt::join(parts, ", "));
}

// PG104 on a column that a validated CHECK (column IS NOT NULL) already covers: PostgreSQL 12+
// proves the constraint from it and skips the scan (the check only runs from 12: see
// OnSetNotNull), so the statement is the safe recipe's last step.
bool SettledByFacts(const Finding& f, const TableFacts& facts) {
  return f.rule->id == "PG104" && !f.live_key.empty() &&
         facts.not_null_checked.count(f.live_key) != 0;
}

// An index built on columns an existing index already covers in the same order (PG101; MY201
// and MY202 of a CREATE INDEX / ADD INDEX): say so, the index may not be needed at all.
void NoteDuplicateIndex(Finding& f, const TableFacts& facts) {
  if (f.live_key.empty()) return;
  if (f.rule->id != "PG101" && f.rule->id != "MY201" && f.rule->id != "MY202") return;
  for (const auto& [name, columns] : facts.indexes) {
    if (columns != f.live_key) continue;
    f.message += fmt::format("; {} already has index {} on ({}): this one may duplicate it",
                             f.table, name, columns);
    return;
  }
}

}  // namespace

Analysis Analyze(const std::vector<SourceFile>& files, const AnalyzeOptions& options) {
  Analysis result;
  internal::SetState set;
  for (const SourceFile& file : files) AnalyzeFile(file, options, set, result);
  return result;
}

std::vector<Finding> Judge(std::vector<Finding> findings, const JudgeOptions& options) {
  std::vector<Finding> out;
  out.reserve(findings.size());
  for (Finding& f : findings) {
    Severity severity = f.rule->severity;
    if (auto it = options.severities.find(std::string(f.rule->id));
        it != options.severities.end()) {
      severity = it->second;
    }
    if (severity == Severity::kOff) continue;
    if (f.rule->size_sensitive && !f.table.empty()) {
      if (options.live == nullptr) {
        f.message += " (no URL: assumed a large table)";
      } else if (auto it = options.live->tables.find(f.table); it == options.live->tables.end()) {
        f.message += fmt::format(" ({}: not on the target)", f.table);
        severity = std::min(severity, Severity::kWarning);
      } else {
        const TableFacts& facts = it->second;
        if (SettledByFacts(f, facts)) continue;
        NoteDuplicateIndex(f, facts);
        const bool large = (facts.rows && *facts.rows >= options.large_rows) ||
                           (facts.bytes && *facts.bytes >= options.large_bytes);
        if (large) {
          f.message += fmt::format(" ({})", SizeText(f.table, facts));
        } else {
          f.message += fmt::format(" ({}, below lint_large_table)", SizeText(f.table, facts));
          severity = std::min(severity, Severity::kWarning);
        }
      }
    }
    f.severity = severity;
    out.push_back(std::move(f));
  }
  return out;
}

bool HasErrors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) {
    return !f.suppressed && f.severity == Severity::kError;
  });
}

std::string HumanCount(std::int64_t n) {
  static const char* const kUnits[] = {"", "k", "M", "G", "T"};
  return Scaled(static_cast<double>(std::max<std::int64_t>(n, 0)), kUnits, 5, 1000);
}

std::string HumanBytes(std::int64_t n) {
  static const char* const kUnits[] = {" B", " KiB", " MiB", " GiB", " TiB"};
  return Scaled(static_cast<double>(std::max<std::int64_t>(n, 0)), kUnits, 5, 1024);
}

}  // namespace strata::lint
