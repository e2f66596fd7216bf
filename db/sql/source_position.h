// Byte offsets in a script -> 1-based line and column, and error messages that quote the
// source line with a caret. Columns count characters: every byte that is not a UTF-8
// continuation byte (10xxxxxx) counts as one column, a tab too.
#ifndef STRATA_DB_SQL_SOURCE_POSITION_H_
#define STRATA_DB_SQL_SOURCE_POSITION_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace strata::db::sql {

struct SourcePosition {
  int line = 1;
  int column = 1;
};

// Locates offsets in one text, in non-decreasing order, in time proportional to the distance
// moved since the previous call, so locating every statement of a script is linear overall.
class PositionTracker {
 public:
  explicit PositionTracker(std::string_view text) : text_(text) {}

  // REQUIRES: offset <= text.size() and offset >= the previous call's offset.
  SourcePosition Locate(size_t offset);

 private:
  std::string_view text_;
  size_t offset_ = 0;
  SourcePosition position_;
};

// The position of `offset` in `text`, counted from the start.
SourcePosition LocateFromStart(std::string_view text, size_t offset);

// "file:line:col: message", then on two more lines the source line holding `offset` and a
// caret under it, each indented by two spaces. Long lines are cut to a window around the
// caret, marked with "...". REQUIRES: offset <= text.size().
std::string FormatSourceError(std::string_view file_name, std::string_view text, size_t offset,
                              std::string_view message);

}  // namespace strata::db::sql

#endif  // STRATA_DB_SQL_SOURCE_POSITION_H_
