#include "db/sql/splitter.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/sql/dialect_traits.h"
#include "db/sql/lexer.h"
#include "db/sql/source_position.h"
#include "db/sql/tokenizer.h"

namespace strata::db::sql {
namespace {

constexpr size_t kNone = std::string_view::npos;

bool IsAsciiLetter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsHorizontalSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }
bool IsSpace(char c) { return IsHorizontalSpace(c) || c == '\n' || c == '\v'; }

// A UTF-8 byte order mark at the start is not part of the script: columns of line 1 start
// after it.
std::string_view WithoutByteOrderMark(std::string_view script) {
  return script.substr(0, 3) == "\xEF\xBB\xBF" ? script.substr(3) : script;
}

class Splitter {
 public:
  Splitter(std::string_view script, const SplitOptions& options)
      : src_(WithoutByteOrderMark(script)),
        n_(src_.size()),
        options_(options),
        traits_(TraitsFor(options.dialect)),
        file_name_(options.file_name.empty() ? "<input>" : options.file_name),
        lexer_(src_, traits_),
        tracker_(src_) {}

  Result<std::vector<Statement>> Run();

 private:
  // --- tokens: what each one means to the statement being read ---
  bool TakeToken(TokenKind kind, size_t start, size_t end);
  bool TakePunctuation(size_t start, size_t end);
  bool TakeBackslash(size_t start);
  void TakeParen(size_t at, bool open);
  bool TakeSemicolon(size_t at);

  // --- statements ---
  void Token(size_t start, size_t end);
  void MarkToken(size_t start, size_t end);
  void StartStatement(size_t start);
  bool FinishStatement();
  bool IsPendingCopyFromStdin() const;
  bool CheckClientCommandStatement(const Statement& statement);
  bool ReadCopyData(size_t after_delimiter);
  bool EndCopyAtEndOfFile();

  // --- dialect hooks on identifiers and statement starts ---
  void OnIdentifier(std::string_view word);
  void TrackPsqlRoutineBody(std::string_view word);
  void TrackSqliteTrigger(std::string_view word);
  bool HandleStatementStartLine();
  bool HandleMariaDbLineCommand(size_t start);
  bool SetDelimiter(std::string_view argument, size_t command_start);

  bool Fail(size_t offset, std::string_view message);
  bool FailClientCommand(size_t offset, std::string_view command);

  std::string_view src_;
  size_t n_;
  const SplitOptions& options_;
  const DialectTraits& traits_;
  std::string file_name_;
  Lexer lexer_;
  PositionTracker tracker_;
  std::optional<Error> error_;
  std::vector<Statement> statements_;
  size_t pos_ = 0;

  // The statement being read; stmt_start_ == kNone between statements.
  size_t stmt_start_ = kNone;
  size_t last_token_end_ = 0;
  std::string_view keyword_;
  StatementWords words_;
  int paren_depth_ = 0;
  // psql: identifiers seen, the first four classified (create/function/procedure/or/replace),
  // and BEGIN/CASE nesting inside a CREATE FUNCTION|PROCEDURE body.
  int identifier_count_ = 0;
  std::array<char, 4> routine_words_{};
  int begin_depth_ = 0;
  // sqlite3_complete()'s state: see TrackSqliteTrigger().
  int trigger_state_ = 1;
};

// ------------------------------------------------------------------------------------------
// Main loop

Result<std::vector<Statement>> Splitter::Run() {
  // One allocation for scripts whose statements average 64 bytes or more (migrations do); the
  // vector grows as usual otherwise. Untouched capacity costs address space, not memory.
  statements_.reserve(n_ / 64 + 16);
  if (traits_.delimiter_command) lexer_.SetDelimiter(";");
  while (pos_ < n_) {
    if (lexer_.IsSpaceAt(pos_)) {
      pos_ = lexer_.SkipSpace(pos_ + 1);
      continue;
    }
    if (stmt_start_ == kNone && !HandleStatementStartLine()) return std::move(*error_);
    if (pos_ >= n_) break;
    const size_t start = pos_;
    Lexed token;
    if (!lexer_.Lex(start, stmt_start_ == kNone, token)) {
      Fail(start, lexer_.error());
      return std::move(*error_);
    }
    pos_ = token.end;
    if (!TakeToken(token.kind, start, token.end)) return std::move(*error_);
  }
  bool copy = IsPendingCopyFromStdin();
  if (!FinishStatement() || (copy && !EndCopyAtEndOfFile())) return std::move(*error_);
  return std::move(statements_);
}

// What the token [start, end) means to the statement being read. pos_ is already at `end`;
// a step may move it further (COPY data) or fail.
bool Splitter::TakeToken(TokenKind kind, size_t start, size_t end) {
  switch (kind) {
    case TokenKind::kWhitespace:
    case TokenKind::kComment:
      return true;
    case TokenKind::kWord: {
      MarkToken(start, end);
      std::string_view word = src_.substr(start, end - start);
      if (keyword_.empty() && stmt_start_ == start) keyword_ = word;
      OnIdentifier(word);
      return true;
    }
    case TokenKind::kQuotedIdentifier:
      Token(start, end);
      if (paren_depth_ == 0) words_.Add(src_.substr(start, end - start));
      return true;
    case TokenKind::kString:
    case TokenKind::kDollarString:
    case TokenKind::kNumber:
    case TokenKind::kPlaceholder:
    case TokenKind::kExecutableComment:
      Token(start, end);
      return true;
    case TokenKind::kPunctuation:
      return TakePunctuation(start, end);
    case TokenKind::kDelimiter:
      return FinishStatement();
  }
  return true;
}

bool Splitter::TakePunctuation(size_t start, size_t end) {
  switch (src_[start]) {
    case '(':
    case ')':
      TakeParen(start, src_[start] == '(');
      return true;
    case ';':
      // MariaDB's ';' ends a statement only as the delimiter (a kDelimiter token).
      if (!traits_.delimiter_command) return TakeSemicolon(start);
      break;
    case '\\':
      // Every backslash outside quotes and comments is a client command, except MariaDB's \N
      // (a two-byte token); the sqlite3 shell has no backslash commands.
      if (end == start + 1 && traits_.client != ClientKind::kSqliteShell) {
        return TakeBackslash(start);
      }
      break;
    default:
      break;
  }
  Token(start, end);
  return true;
}

bool Splitter::TakeBackslash(size_t start) {
  size_t end = start + 1;
  if (traits_.client == ClientKind::kMariaDb) {
    if (end < n_) ++end;  // the mariadb client's commands are one character: \g, \G, \.
  } else {
    while (end < n_ && end - start < 24 && !IsSpace(src_[end])) ++end;
  }
  return FailClientCommand(start, src_.substr(start, end - start));
}

void Splitter::TakeParen(size_t at, bool open) {
  Token(at, at + 1);
  if (open) {
    ++paren_depth_;
  } else if (paren_depth_ > 0) {
    --paren_depth_;
  }
}

bool Splitter::TakeSemicolon(size_t at) {
  bool held = false;
  if (traits_.parentheses_hold_semicolons && paren_depth_ > 0) held = true;
  if (traits_.body_tracking == BodyTracking::kPsqlRoutine && begin_depth_ > 0) held = true;
  if (traits_.body_tracking == BodyTracking::kSqliteTrigger && stmt_start_ != kNone) {
    // sqlite3_complete(): inside a trigger (states 5-6) a ';' stays in the body; after
    // "; END" (state 7) it completes the statement.
    if (trigger_state_ == 5 || trigger_state_ == 6) {
      trigger_state_ = 6;
      held = true;
    }
  }
  if (held) {
    MarkToken(at, at + 1);
    return true;
  }
  bool copy = IsPendingCopyFromStdin();
  if (!FinishStatement()) return false;
  return copy ? ReadCopyData(at + 1) : true;
}

// ------------------------------------------------------------------------------------------
// Statements

// Any token but an identifier (TakeToken() marks those and calls OnIdentifier()).
void Splitter::Token(size_t start, size_t end) {
  MarkToken(start, end);
  if (traits_.body_tracking == BodyTracking::kSqliteTrigger) TrackSqliteTrigger({});
}

void Splitter::MarkToken(size_t start, size_t end) {
  if (stmt_start_ == kNone) StartStatement(start);
  last_token_end_ = end;
}

void Splitter::StartStatement(size_t start) {
  stmt_start_ = start;
  keyword_ = {};
  words_.Clear();
  paren_depth_ = 0;
  identifier_count_ = 0;
  routine_words_ = {};
  begin_depth_ = 0;
  trigger_state_ = 1;
}

bool Splitter::FinishStatement() {
  if (stmt_start_ == kNone) return true;
  Statement statement;
  statement.text = src_.substr(stmt_start_, last_token_end_ - stmt_start_);
  SourcePosition position = tracker_.Locate(stmt_start_);
  statement.line = position.line;
  statement.column = position.column;
  statement.keyword_size = static_cast<uint32_t>(keyword_.size());
  statement.no_transaction = traits_.needs_no_transaction(words_, options_);
  if (!CheckClientCommandStatement(statement)) return false;
  statements_.push_back(statement);
  stmt_start_ = kNone;
  return true;
}

bool Splitter::IsPendingCopyFromStdin() const {
  return stmt_start_ != kNone && traits_.copy_from_stdin && IsCopyFromStdin(words_);
}

// The mariadb client runs a statement whose first word names one of its commands itself
// (mysql.cc: find_command() on the buffer at the delimiter).
bool Splitter::CheckClientCommandStatement(const Statement& statement) {
  if (traits_.client != ClientKind::kMariaDb) return true;
  std::string_view text = statement.text;
  size_t word_end = 0;  // client command names are short: looking at 10 bytes is enough
  while (word_end < text.size() && word_end < 10 && !IsSpace(text[word_end])) ++word_end;
  const ClientCommand* command = FindMariaDbClientCommand(text.substr(0, word_end));
  if (command == nullptr) return true;
  bool has_arguments = word_end < text.size();
  if (has_arguments && !command->takes_arguments) return true;
  if (command->name == "use") return true;
  if (command->name == "delimiter") {
    return Fail(stmt_start_, "DELIMITER must be on a line of its own, at the start of a statement");
  }
  return FailClientCommand(stmt_start_, text.substr(0, word_end));
}

// psql sends COPY ... FROM STDIN, then reads the data from the lines after the one holding the
// statement's ';', up to a line "\." (or the end of the file).
bool Splitter::ReadCopyData(size_t after_delimiter) {
  size_t i = after_delimiter;
  while (i < n_ && IsHorizontalSpace(src_[i])) ++i;
  if (i + 1 < n_ && src_[i] == '-' && src_[i + 1] == '-') {
    i = src_.find('\n', i);
    if (i == kNone) i = n_;
  }
  if (i < n_ && src_[i] != '\n') {
    return Fail(i,
                "COPY ... FROM STDIN must be the last statement on its line: its data starts on "
                "the next line");
  }
  size_t data_start = i < n_ ? i + 1 : n_;
  for (size_t line = data_start; line < n_;) {
    if (src_[line] == '\\' && line + 1 < n_ && src_[line + 1] == '.') {
      size_t after = line + 2;
      if (after < n_ && src_[after] == '\r') ++after;
      if (after >= n_ || src_[after] == '\n') {
        statements_.back().copy_data = src_.substr(data_start, line - data_start);
        pos_ = after < n_ ? after + 1 : n_;
        return true;
      }
    }
    size_t newline = src_.find('\n', line);
    line = newline == kNone ? n_ : newline + 1;
  }
  pos_ = n_;
  statements_.back().copy_data = src_.substr(data_start);
  return EndCopyAtEndOfFile();
}

bool Splitter::EndCopyAtEndOfFile() {
  Statement& copy = statements_.back();
  if (!copy.copy_data) copy.copy_data = src_.substr(n_);
  if (!options_.require_copy_terminator) return true;
  size_t start = static_cast<size_t>(copy.text.data() - src_.data());
  return Fail(start, "unterminated COPY data: no \\. line before the end of the file");
}

// ------------------------------------------------------------------------------------------
// Dialect hooks

void Splitter::OnIdentifier(std::string_view word) {
  if (paren_depth_ == 0) words_.Add(word);
  if (traits_.body_tracking == BodyTracking::kPsqlRoutine) {
    TrackPsqlRoutineBody(word);
  } else if (traits_.body_tracking == BodyTracking::kSqliteTrigger) {
    TrackSqliteTrigger(word);
  }
}

// psqlscan.l's {identifier} rule: a statement that starts CREATE [OR REPLACE] FUNCTION or
// PROCEDURE counts BEGIN (and CASE inside it) against END outside parentheses, and a ';' ends
// the statement only at depth 0 (BEGIN ATOMIC ... END bodies).
void Splitter::TrackPsqlRoutineBody(std::string_view word) {
  if (identifier_count_ < 4) {
    char letter = 0;
    if (IsKeyword(word, "create")) {
      letter = 'c';
    } else if (IsKeyword(word, "function")) {
      letter = 'f';
    } else if (IsKeyword(word, "procedure")) {
      letter = 'p';
    } else if (IsKeyword(word, "or")) {
      letter = 'o';
    } else if (IsKeyword(word, "replace")) {
      letter = 'r';
    }
    routine_words_[identifier_count_] = letter;
  }
  ++identifier_count_;
  const std::array<char, 4>& w = routine_words_;
  bool routine = w[0] == 'c' && (w[1] == 'f' || w[1] == 'p' ||
                                 (w[1] == 'o' && w[2] == 'r' && (w[3] == 'f' || w[3] == 'p')));
  if (!routine || paren_depth_ != 0 || word.size() < 3 || word.size() > 5) return;
  if (IsKeyword(word, "begin")) {
    ++begin_depth_;
  } else if (IsKeyword(word, "case")) {
    if (begin_depth_ >= 1) ++begin_depth_;
  } else if (IsKeyword(word, "end")) {
    if (begin_depth_ > 0) --begin_depth_;
  }
}

// sqlite3_complete()'s state machine (sqlite3/src/complete.c), states 1-7:
//   1 START, 2 NORMAL, 3 EXPLAIN, 4 CREATE, 5 TRIGGER, 6 SEMI, 7 END.
// A word (or, for an empty `word`, any other token) moves it on; TakeSemicolon() handles ';'.
void Splitter::TrackSqliteTrigger(std::string_view word) {
  // Fast paths: NORMAL and TRIGGER are absorbing for every token but ';', which
  // TakeSemicolon() handles; SEMI and END only look for END.
  if (trigger_state_ == 2 || trigger_state_ == 5) return;
  if (trigger_state_ >= 6) {
    trigger_state_ = trigger_state_ == 6 && IsKeyword(word, "end") ? 7 : 5;
    return;
  }
  enum Token { kOtherToken, kExplain, kCreate, kTemp, kTrigger, kEnd };
  Token token = kOtherToken;
  if (IsKeyword(word, "explain")) {
    token = kExplain;
  } else if (IsKeyword(word, "create")) {
    token = kCreate;
  } else if (IsKeyword(word, "temp") || IsKeyword(word, "temporary")) {
    token = kTemp;
  } else if (IsKeyword(word, "trigger")) {
    token = kTrigger;
  } else if (IsKeyword(word, "end")) {
    token = kEnd;
  }
  //                                       OTHER EXPLAIN CREATE TEMP TRIGGER END
  static constexpr int kNext[5][6] = {{2, 3, 4, 2, 2, 2},   // 0 (unused)
                                      {2, 3, 4, 2, 2, 2},   // 1 START
                                      {2, 2, 2, 2, 2, 2},   // 2 NORMAL
                                      {3, 2, 4, 2, 2, 2},   // 3 EXPLAIN
                                      {2, 2, 2, 4, 5, 2}};  // 4 CREATE
  trigger_state_ = kNext[trigger_state_][token];
}

// Runs before the first token of a statement: client commands that the client recognises by
// looking at a whole line.
bool Splitter::HandleStatementStartLine() {
  if (traits_.client == ClientKind::kMariaDb) return HandleMariaDbLineCommand(pos_);
  if (traits_.client == ClientKind::kSqliteShell && src_[pos_] == '.' && pos_ + 1 < n_ &&
      IsAsciiLetter(src_[pos_ + 1])) {
    size_t end = pos_ + 1;
    while (end < n_ && !IsSpace(src_[end])) ++end;
    return FailClientCommand(pos_, src_.substr(pos_, end - pos_));
  }
  return true;
}

// mysql.cc read_and_execute(): when no statement is pending, a line whose first word names a
// client command is that command, unless the line holds the delimiter (DELIMITER lines
// excepted) or "\g", or the command takes no arguments and the line has some.
bool Splitter::HandleMariaDbLineCommand(size_t start) {
  size_t line_start = start;
  while (line_start > 0 && (src_[line_start - 1] == ' ' || src_[line_start - 1] == '\t')) {
    --line_start;
  }
  if (line_start > 0 && src_[line_start - 1] != '\n') return true;  // not first on its line
  size_t word_end = start;
  while (word_end < n_ && word_end - start < 10 && !IsSpace(src_[word_end])) ++word_end;
  const ClientCommand* command = FindMariaDbClientCommand(src_.substr(start, word_end - start));
  if (command == nullptr) return true;
  size_t line_end = src_.find('\n', word_end);
  if (line_end == kNone) line_end = n_;
  std::string_view line = src_.substr(start, line_end - start);
  while (!line.empty() && IsSpace(line.back())) line.remove_suffix(1);
  word_end = std::min(word_end - start, line.size());
  bool is_delimiter = command->name == "delimiter";
  if (line.find("\\g") != kNone || (!is_delimiter && line.find(lexer_.delimiter()) != kNone))
    return true;
  std::string_view arguments = line.substr(word_end);
  while (!arguments.empty() && IsSpace(arguments.front())) arguments.remove_prefix(1);
  if (!arguments.empty() && !command->takes_arguments) return true;

  if (is_delimiter) {
    if (!SetDelimiter(arguments, start)) return false;
  } else if (command->name == "use") {
    // Sent to the server as the statement `USE db` (see splitter.h).
    MarkToken(start, start + line.size());
    keyword_ = line.substr(0, word_end);
    pos_ = line_end;
    return FinishStatement();
  } else {
    return FailClientCommand(start, line.substr(0, word_end));
  }
  pos_ = line_end;
  return true;
}

// mysql.cc com_delimiter() and get_arg(): the first argument, unquoted up to a space or quoted
// with ', " or `. It may not contain a backslash.
bool Splitter::SetDelimiter(std::string_view argument, size_t command_start) {
  std::string_view delimiter = argument;
  if (!argument.empty() && (argument[0] == '\'' || argument[0] == '"' || argument[0] == '`')) {
    size_t close = argument.find(argument[0], 1);
    delimiter = argument.substr(1, close == kNone ? kNone : close - 1);
  } else {
    delimiter = argument.substr(0, std::min(argument.find_first_of(" \t"), argument.size()));
  }
  if (delimiter.empty()) {
    return Fail(command_start, "DELIMITER must be followed by a delimiter character or string");
  }
  if (delimiter.find('\\') != kNone) {
    return Fail(command_start, "DELIMITER cannot contain a backslash character");
  }
  lexer_.SetDelimiter(std::string(delimiter));
  return true;
}

bool Splitter::Fail(size_t offset, std::string_view message) {
  error_ = Err(ErrorCode::kInvalidArgument, FormatSourceError(file_name_, src_, offset, message));
  return false;
}

bool Splitter::FailClientCommand(size_t offset, std::string_view command) {
  std::string message(command);
  switch (traits_.client) {
    case ClientKind::kPsql:
      message += " is a psql meta-command";
      break;
    case ClientKind::kMariaDb:
      message += " is a mariadb client command";
      break;
    case ClientKind::kSqliteShell:
      message += " is a sqlite3 shell dot-command";
      break;
  }
  message += ", not SQL: it cannot run in a migration";
  return Fail(offset, message);
}

}  // namespace

Result<std::vector<Statement>> Split(std::string_view script, const SplitOptions& options) {
  return Splitter(script, options).Run();
}

}  // namespace strata::db::sql
