#include "db/sql/splitter.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "db/sql/dialect_traits.h"
#include "db/sql/source_position.h"

namespace strata::db::sql {
namespace {

constexpr size_t kNone = std::string_view::npos;

// What a byte can start at the top level of a statement. One table per dialect (and per
// MariaDB delimiter) keeps the hot loop to a load and a switch.
enum CharClass : uint8_t {
  kOther,        // a one-byte token: operators, punctuation, `;` where it is not a delimiter
  kSpace,        // whitespace, including newlines
  kWord,         // starts an identifier or keyword
  kDigit,        // starts a number (PostgreSQL; elsewhere digits are word bytes)
  kSingleQuote,  // '...'
  kDoubleQuote,  // "..."
  kBacktick,     // `...`
  kBracket,      // [...] (SQLite)
  kDollar,       // $1, $$...$$, $tag$...$tag$ (PostgreSQL)
  kDash,         // - or a -- comment
  kSlash,        // / or a /* comment */
  kHash,         // # comment (MariaDB)
  kBackslash,    // client command (or MariaDB's \N)
  kOpenParen,
  kCloseParen,
  kSemicolon,  // ends a statement unless parentheses or a routine body hold it
  kDelimiter,  // MariaDB: first byte of the current delimiter
};

using ClassTable = std::array<CharClass, 256>;
using ByteSet = std::array<bool, 256>;

bool IsAsciiLetter(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAsciiDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsHorizontalSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f'; }
bool IsSpace(char c) { return IsHorizontalSpace(c) || c == '\n' || c == '\v'; }

// PostgreSQL's ident_start / dolq_start: letters, '_' and every byte >= 0x80.
bool IsIdentStart(unsigned char c) { return IsAsciiLetter(c) || c == '_' || c >= 0x80; }

ClassTable BaseClasses(const DialectTraits& t) {
  ClassTable table{};
  for (int c = 0; c < 256; ++c) {
    auto b = static_cast<unsigned char>(c);
    if (IsSpace(static_cast<char>(b))) {
      table[c] = kSpace;
    } else if (IsIdentStart(b) || (!t.dollar_quotes && (IsAsciiDigit(b) || b == '$'))) {
      table[c] = kWord;
    } else if (IsAsciiDigit(b)) {
      table[c] = kDigit;
    } else {
      table[c] = kOther;
    }
  }
  table['\''] = kSingleQuote;
  table['"'] = kDoubleQuote;
  if (t.backtick_identifiers) table['`'] = kBacktick;
  if (t.bracket_identifiers) table['['] = kBracket;
  if (t.dollar_quotes) table['$'] = kDollar;
  table['-'] = kDash;
  table['/'] = kSlash;
  if (t.hash_comments) table['#'] = kHash;
  if (t.client != ClientKind::kSqliteShell) table['\\'] = kBackslash;
  table['('] = kOpenParen;
  table[')'] = kCloseParen;
  table[';'] = t.delimiter_command ? kOther : kSemicolon;
  return table;
}

// Bytes that continue a word: PostgreSQL's ident_cont; the same set elsewhere.
ByteSet WordBytes() {
  ByteSet set{};
  for (int c = 0; c < 256; ++c) {
    auto b = static_cast<unsigned char>(c);
    set[c] = IsIdentStart(b) || IsAsciiDigit(b) || b == '$';
  }
  return set;
}

class Splitter {
 public:
  Splitter(std::string_view script, const SplitOptions& options)
      : src_(script),
        n_(script.size()),
        options_(options),
        traits_(TraitsFor(options.dialect)),
        file_name_(options.file_name.empty() ? "<input>" : options.file_name),
        base_classes_(BaseClasses(traits_)),
        classes_(base_classes_),
        base_word_bytes_(WordBytes()),
        word_bytes_(base_word_bytes_),
        tracker_(script) {}

  Result<std::vector<Statement>> Run();

 private:
  // --- the main loop's steps: each consumes at least one byte at pos_ or sets error_ ---
  bool LexAt(CharClass cls);
  bool LexWord();
  void LexNumber();
  bool LexQuoted(char quote, bool backslash_escapes, bool identifier, size_t token_start);
  bool LexBracketIdentifier();
  bool LexDollar();
  bool LexDash();
  bool LexSlash();
  bool LexBackslash();
  void LexParen(bool open);
  bool LexSemicolon();
  bool LexDelimiter();
  void SkipToEndOfLine(bool stop_at_cr);
  bool SkipBlockComment();

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
  void UseDelimiter(std::string delimiter);

  bool Fail(size_t offset, std::string_view message);
  bool FailClientCommand(size_t offset, std::string_view command);

  std::string_view src_;
  size_t n_;
  const SplitOptions& options_;
  const DialectTraits& traits_;
  std::string file_name_;
  ClassTable base_classes_;
  ClassTable classes_;
  ByteSet base_word_bytes_;
  ByteSet word_bytes_;
  PositionTracker tracker_;
  std::optional<Error> error_;
  std::vector<Statement> statements_;
  size_t pos_ = 0;

  // MariaDB's current delimiter.
  std::string delimiter_ = ";";

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
  if (src_.substr(0, 3) == "\xEF\xBB\xBF") {
    // Columns of line 1 start after the byte order mark.
    src_.remove_prefix(3);
    n_ -= 3;
    tracker_ = PositionTracker(src_);
  }
  if (traits_.delimiter_command) UseDelimiter(";");
  while (pos_ < n_) {
    CharClass cls = classes_[static_cast<unsigned char>(src_[pos_])];
    if (cls == kSpace) {
      size_t end = pos_ + 1;
      while (end < n_ && classes_[static_cast<unsigned char>(src_[end])] == kSpace) ++end;
      pos_ = end;
      continue;
    }
    if (stmt_start_ == kNone && !HandleStatementStartLine()) return std::move(*error_);
    if (pos_ >= n_) break;
    if (!LexAt(classes_[static_cast<unsigned char>(src_[pos_])])) return std::move(*error_);
  }
  bool copy = IsPendingCopyFromStdin();
  if (!FinishStatement() || (copy && !EndCopyAtEndOfFile())) return std::move(*error_);
  return std::move(statements_);
}

bool Splitter::LexAt(CharClass cls) {
  switch (cls) {
    case kSpace:
      ++pos_;
      return true;
    case kWord:
      return LexWord();
    case kDigit:
      LexNumber();
      return true;
    case kSingleQuote:
      return LexQuoted('\'', traits_.backslash_escapes, false, pos_);
    case kDoubleQuote:
      return traits_.double_quote_is_string ? LexQuoted('"', traits_.backslash_escapes, false, pos_)
                                            : LexQuoted('"', false, true, pos_);
    case kBacktick:
      return LexQuoted('`', false, true, pos_);
    case kBracket:
      return LexBracketIdentifier();
    case kDollar:
      return LexDollar();
    case kDash:
      return LexDash();
    case kSlash:
      return LexSlash();
    case kHash:
      SkipToEndOfLine(false);
      return true;
    case kBackslash:
      return LexBackslash();
    case kOpenParen:
    case kCloseParen:
      LexParen(cls == kOpenParen);
      return true;
    case kSemicolon:
      return LexSemicolon();
    case kDelimiter:
      return LexDelimiter();
    case kOther:
      break;
  }
  Token(pos_, pos_ + 1);
  ++pos_;
  return true;
}

// ------------------------------------------------------------------------------------------
// Tokens

bool Splitter::LexWord() {
  size_t start = pos_;
  size_t end = start + 1;
  while (end < n_ && word_bytes_[static_cast<unsigned char>(src_[end])]) ++end;
  std::string_view word = src_.substr(start, end - start);
  char next = end < n_ ? src_[end] : '\0';

  if (traits_.escape_string_prefix && word.size() == 1) {
    // PostgreSQL's one-letter string prefixes: E'..' (escapes), B'..', X'..', N'..', and
    // U&'..' / U&".." (Unicode escapes, otherwise standard quoting).
    char letter = static_cast<char>(word[0] | 0x20);
    if (next == '\'' && (letter == 'e' || letter == 'b' || letter == 'x' || letter == 'n')) {
      pos_ = end;
      return LexQuoted('\'', letter == 'e', false, start);
    }
    if (letter == 'u' && next == '&' && end + 1 < n_ &&
        (src_[end + 1] == '\'' || src_[end + 1] == '"')) {
      pos_ = end + 1;
      return LexQuoted(src_[end + 1], false, src_[end + 1] == '"', start);
    }
  }
  MarkToken(start, end);
  if (keyword_.empty() && stmt_start_ == start) keyword_ = word;
  pos_ = end;
  OnIdentifier(word);
  return true;
}

void Splitter::LexNumber() {
  // PostgreSQL numbers: digits, a fraction, an exponent. They matter only because they end
  // before a '$' (so "1$$x$$" holds a dollar quote) and are not identifiers.
  size_t start = pos_;
  size_t end = start;
  while (end < n_ && IsAsciiDigit(src_[end])) ++end;
  if (end + 1 < n_ && src_[end] == '.' && IsAsciiDigit(src_[end + 1])) {
    ++end;
    while (end < n_ && IsAsciiDigit(src_[end])) ++end;
  }
  if (end < n_ && (src_[end] == 'e' || src_[end] == 'E')) {
    size_t digits = end + 1;
    if (digits < n_ && (src_[digits] == '+' || src_[digits] == '-')) ++digits;
    if (digits < n_ && IsAsciiDigit(src_[digits])) {
      end = digits;
      while (end < n_ && IsAsciiDigit(src_[end])) ++end;
    }
  }
  Token(start, end);
  pos_ = end;
}

// A literal or quoted identifier whose opening quote is at pos_; `token_start` is where its
// prefix (E, U&) starts. Doubled quotes stand for one; with `backslash_escapes`, a backslash
// escapes the next byte.
bool Splitter::LexQuoted(char quote, bool backslash_escapes, bool identifier, size_t token_start) {
  size_t i = pos_ + 1;
  size_t close = kNone;  // the first quote at or after i, found once per quote (linear time)
  for (;;) {
    if (close == kNone || close < i) close = i < n_ ? src_.find(quote, i) : kNone;
    if (close == kNone) {
      return Fail(token_start,
                  identifier ? "unterminated quoted identifier" : "unterminated quoted string");
    }
    if (backslash_escapes) {
      const void* backslash = std::memchr(src_.data() + i, '\\', close - i);
      if (backslash != nullptr) {
        i = static_cast<size_t>(static_cast<const char*>(backslash) - src_.data()) + 2;
        continue;
      }
    }
    if (close + 1 < n_ && src_[close + 1] == quote) {
      i = close + 2;
      continue;
    }
    Token(token_start, close + 1);
    if (identifier && paren_depth_ == 0) {
      words_.Add(src_.substr(token_start, close + 1 - token_start));
    }
    pos_ = close + 1;
    return true;
  }
}

bool Splitter::LexBracketIdentifier() {
  size_t close = src_.find(']', pos_ + 1);
  if (close == kNone) return Fail(pos_, "unterminated quoted identifier");
  Token(pos_, close + 1);
  if (paren_depth_ == 0) words_.Add(src_.substr(pos_, close + 1 - pos_));
  pos_ = close + 1;
  return true;
}

bool Splitter::LexDollar() {
  // psqlscan.l: {param} \$[0-9]+, {dolqdelim} \$(tag)?\$ where a tag is an identifier without
  // '$', and a lone '$' otherwise. The body ends at the first occurrence of the same delimiter.
  size_t start = pos_;
  size_t i = start + 1;
  if (i < n_ && IsAsciiDigit(src_[i])) {
    while (i < n_ && IsAsciiDigit(src_[i])) ++i;
    Token(start, i);
    pos_ = i;
    return true;
  }
  if (i < n_ && IsIdentStart(static_cast<unsigned char>(src_[i]))) {
    while (i < n_ && (IsIdentStart(static_cast<unsigned char>(src_[i])) || IsAsciiDigit(src_[i]))) {
      ++i;
    }
  }
  if (i >= n_ || src_[i] != '$') {
    Token(start, start + 1);
    pos_ = start + 1;
    return true;
  }
  std::string_view delimiter = src_.substr(start, i + 1 - start);
  size_t close = src_.find(delimiter, i + 1);
  if (close == kNone) {
    return Fail(start, "unterminated dollar-quoted string " + std::string(delimiter));
  }
  Token(start, close + delimiter.size());
  pos_ = close + delimiter.size();
  return true;
}

bool Splitter::LexDash() {
  bool comment = pos_ + 1 < n_ && src_[pos_ + 1] == '-';
  if (comment && traits_.dash_comment_needs_space) {
    // mariadb client: "-- " needs whitespace or the end of the line after the dashes, except at
    // the start of a statement, where any "--" begins a comment.
    comment = pos_ + 2 >= n_ || IsSpace(src_[pos_ + 2]) || stmt_start_ == kNone;
  }
  if (comment) {
    SkipToEndOfLine(traits_.dash_comment_ends_at_cr);
    return true;
  }
  Token(pos_, pos_ + 1);
  ++pos_;
  return true;
}

bool Splitter::LexSlash() {
  if (pos_ + 1 >= n_ || src_[pos_ + 1] != '*') {
    Token(pos_, pos_ + 1);
    ++pos_;
    return true;
  }
  if (traits_.executable_comments) {
    // /*!..., /*M!...: the mariadb client keeps them as SQL; only the opener is a token here,
    // and what follows is lexed as usual (a delimiter inside ends the statement).
    size_t bang = pos_ + 2;
    if (bang < n_ && src_[bang] == 'M') ++bang;
    if (bang < n_ && src_[bang] == '!') {
      Token(pos_, bang + 1);
      pos_ = bang + 1;
      return true;
    }
  }
  return SkipBlockComment();
}

bool Splitter::SkipBlockComment() {
  size_t start = pos_;
  if (!traits_.nested_block_comments) {
    size_t close = src_.find("*/", start + 2);
    if (close == kNone) return Fail(start, "unterminated /* comment");
    pos_ = close + 2;
    return true;
  }
  int depth = 0;
  size_t i = start + 2;
  while (i + 1 < n_) {
    if (src_[i] == '/' && src_[i + 1] == '*') {
      ++depth;
      i += 2;
    } else if (src_[i] == '*' && src_[i + 1] == '/') {
      if (depth == 0) {
        pos_ = i + 2;
        return true;
      }
      --depth;
      i += 2;
    } else {
      ++i;
    }
  }
  return Fail(start, "unterminated /* comment");
}

void Splitter::SkipToEndOfLine(bool stop_at_cr) {
  size_t end = src_.find('\n', pos_);
  if (end == kNone) end = n_;
  if (stop_at_cr) {
    const void* cr = std::memchr(src_.data() + pos_, '\r', end - pos_);
    if (cr != nullptr) end = static_cast<size_t>(static_cast<const char*>(cr) - src_.data());
  }
  pos_ = end;
}

bool Splitter::LexBackslash() {
  size_t start = pos_;
  if (traits_.client == ClientKind::kMariaDb && start + 1 < n_ && src_[start + 1] == 'N') {
    Token(start, start + 2);  // \N is MariaDB's NULL
    pos_ = start + 2;
    return true;
  }
  size_t end = start + 1;
  if (traits_.client == ClientKind::kMariaDb) {
    if (end < n_) ++end;  // the mariadb client's commands are one character: \g, \G, \.
  } else {
    while (end < n_ && end - start < 24 && !IsSpace(src_[end])) ++end;
  }
  return FailClientCommand(start, src_.substr(start, end - start));
}

void Splitter::LexParen(bool open) {
  Token(pos_, pos_ + 1);
  if (open) {
    ++paren_depth_;
  } else if (paren_depth_ > 0) {
    --paren_depth_;
  }
  ++pos_;
}

bool Splitter::LexSemicolon() {
  size_t at = pos_;
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
    ++pos_;
    return true;
  }
  pos_ = at + 1;
  bool copy = IsPendingCopyFromStdin();
  if (!FinishStatement()) return false;
  return copy ? ReadCopyData(at + 1) : true;
}

bool Splitter::LexDelimiter() {
  if (src_.compare(pos_, delimiter_.size(), delimiter_) != 0) {
    return LexAt(base_classes_[static_cast<unsigned char>(src_[pos_])]);
  }
  pos_ += delimiter_.size();
  return FinishStatement();
}

// ------------------------------------------------------------------------------------------
// Statements

// Any token but an identifier (LexWord() marks those and calls OnIdentifier()).
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
// A word (or, for an empty `word`, any other token) moves it on; LexSemicolon() handles ';'.
void Splitter::TrackSqliteTrigger(std::string_view word) {
  // Fast paths: NORMAL and TRIGGER are absorbing for every token but ';', which
  // LexSemicolon() handles; SEMI and END only look for END.
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
  if (line.find("\\g") != kNone || (!is_delimiter && line.find(delimiter_) != kNone)) return true;
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
  UseDelimiter(std::string(delimiter));
  return true;
}

void Splitter::UseDelimiter(std::string delimiter) {
  delimiter_ = std::move(delimiter);
  classes_ = base_classes_;
  word_bytes_ = base_word_bytes_;
  auto first = static_cast<unsigned char>(delimiter_[0]);
  // The delimiter is found anywhere outside quotes and comments, even inside a word ("a$$b"
  // with DELIMITER $$), as the client compares it at every byte.
  classes_[first] = kDelimiter;
  word_bytes_[first] = false;
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
