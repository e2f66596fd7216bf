#include "schema/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

namespace strata::schema {
namespace {

constexpr std::size_t kContext = 3;
// Above this many line pairs an object is shown as wholly replaced instead of diffed line by
// line (the table of the longest common subsequence would grow too large).
constexpr std::size_t kMaxLinePairs = 4'000'000;

struct Block {
  std::string header;
  std::size_t begin = 0;  // index of its first line
  std::size_t end = 0;    // one past its last line (trailing blank lines included)
};

struct Text {
  std::vector<std::string_view> lines;
  std::vector<Block> blocks;
  std::unordered_map<std::string, std::size_t> block_index;  // header -> index in blocks
};

bool IsHeader(std::string_view line) {
  return !line.empty() && line[0] != ' ' && line[0] != '\\' && line.rfind("--", 0) != 0;
}

Text Split(std::string_view text) {
  Text t;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      t.lines.push_back(text.substr(start));
      t.lines.emplace_back("\\ No newline at end of file");
      break;
    }
    t.lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  // A block owns the blank lines before its header, so that the last block, which has none
  // after it, compares equal to the same block elsewhere.
  t.blocks.push_back({"header", 0, 0});
  for (std::size_t i = 0; i < t.lines.size(); ++i) {
    if (IsHeader(t.lines[i])) {
      std::size_t begin = i;
      while (begin > t.blocks.back().begin && t.lines[begin - 1].empty()) --begin;
      t.blocks.back().end = begin;
      t.blocks.push_back({std::string(t.lines[i]), begin, begin});
    }
  }
  t.blocks.back().end = t.lines.size();
  for (std::size_t i = 0; i < t.blocks.size(); ++i) t.block_index.emplace(t.blocks[i].header, i);
  return t;
}

struct Op {
  char kind;  // ' ', '-', '+'
  std::string_view line;
  std::size_t a_before;  // old lines before this one (whole file)
  std::size_t b_before;  // new lines before this one
};

// The edit script turning a's lines [ab, ae) into b's lines [bb, be), by longest common
// subsequence.
std::vector<Op> LineDiff(const Text& a, std::size_t ab, std::size_t ae, const Text& b,
                         std::size_t bb, std::size_t be) {
  const std::size_t n = ae - ab;
  const std::size_t m = be - bb;
  std::vector<Op> ops;
  if (n * m > kMaxLinePairs) {
    for (std::size_t i = 0; i < n; ++i) ops.push_back({'-', a.lines[ab + i], ab + i, bb});
    for (std::size_t j = 0; j < m; ++j) ops.push_back({'+', b.lines[bb + j], ae, bb + j});
    return ops;
  }
  // lcs[i][j]: length of the LCS of a's lines from i and b's lines from j.
  std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
  auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t j = m; j-- > 0;) {
      at(i, j) = a.lines[ab + i] == b.lines[bb + j] ? at(i + 1, j + 1) + 1
                                                    : std::max(at(i + 1, j), at(i, j + 1));
    }
  }
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a.lines[ab + i] == b.lines[bb + j]) {
      ops.push_back({' ', a.lines[ab + i], ab + i, bb + j});
      ++i;
      ++j;
    } else if (j < m && (i == n || at(i, j + 1) > at(i + 1, j))) {
      ops.push_back({'+', b.lines[bb + j], ab + i, bb + j});
      ++j;
    } else {
      ops.push_back({'-', a.lines[ab + i], ab + i, bb + j});
      ++i;
    }
  }
  return ops;
}

// Appends the hunks of `ops` (one object's edit script) to `out`.
void AppendHunks(const std::vector<Op>& ops, const std::string& object, std::string& out) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;  // [first, last] op indices
  for (std::size_t k = 0; k < ops.size(); ++k) {
    if (ops[k].kind == ' ') continue;
    const std::size_t first = k >= kContext ? k - kContext : 0;
    const std::size_t last = std::min(k + kContext, ops.size() - 1);
    if (!ranges.empty() && first <= ranges.back().second + 1) {
      ranges.back().second = last;
    } else {
      ranges.emplace_back(first, last);
    }
  }
  for (const auto& [first, last] : ranges) {
    std::size_t old_count = 0;
    std::size_t new_count = 0;
    for (std::size_t k = first; k <= last; ++k) {
      if (ops[k].kind != '+') ++old_count;
      if (ops[k].kind != '-') ++new_count;
    }
    const std::size_t old_start = ops[first].a_before + (old_count > 0 ? 1 : 0);
    const std::size_t new_start = ops[first].b_before + (new_count > 0 ? 1 : 0);
    out +=
        fmt::format("@@ -{},{} +{},{} @@ {}\n", old_start, old_count, new_start, new_count, object);
    for (std::size_t k = first; k <= last; ++k) {
      out += ops[k].kind;
      out += ops[k].line;
      out += '\n';
    }
  }
}

}  // namespace

const char* ObjectChangeKindName(ObjectChangeKind kind) {
  switch (kind) {
    case ObjectChangeKind::kAdded:
      return "added";
    case ObjectChangeKind::kRemoved:
      return "removed";
    case ObjectChangeKind::kChanged:
      return "changed";
  }
  return "changed";
}

SnapshotDiff DiffSnapshots(std::string_view from, std::string_view to, std::string_view from_label,
                           std::string_view to_label) {
  const Text a = Split(from);
  const Text b = Split(to);
  SnapshotDiff diff;
  std::string hunks;
  auto later_in = [](const Text& t, const std::string& header, std::size_t from_index) {
    auto it = t.block_index.find(header);
    return it != t.block_index.end() && it->second >= from_index;
  };
  auto whole = [&](const Text& t, const Block& block, char kind, std::size_t a_at,
                   std::size_t b_at) {
    std::vector<Op> ops;
    for (std::size_t k = block.begin; k < block.end; ++k) {
      const std::size_t offset = k - block.begin;
      ops.push_back({kind, t.lines[k], kind == '-' ? a_at + offset : a_at,
                     kind == '+' ? b_at + offset : b_at});
    }
    AppendHunks(ops, block.header, hunks);
  };

  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.blocks.size() || j < b.blocks.size()) {
    const Block* ba = i < a.blocks.size() ? &a.blocks[i] : nullptr;
    const Block* bb = j < b.blocks.size() ? &b.blocks[j] : nullptr;
    const std::size_t a_at = ba != nullptr ? ba->begin : a.lines.size();
    const std::size_t b_at = bb != nullptr ? bb->begin : b.lines.size();
    if (ba != nullptr && bb != nullptr && ba->header == bb->header) {
      const std::vector<Op> ops = LineDiff(a, ba->begin, ba->end, b, bb->begin, bb->end);
      if (std::any_of(ops.begin(), ops.end(), [](const Op& op) { return op.kind != ' '; })) {
        diff.objects.push_back({ba->header, ObjectChangeKind::kChanged});
        AppendHunks(ops, ba->header, hunks);
      }
      ++i;
      ++j;
    } else if (ba != nullptr && (bb == nullptr || !later_in(b, ba->header, j))) {
      diff.objects.push_back({ba->header, ObjectChangeKind::kRemoved});
      whole(a, *ba, '-', a_at, b_at);
      ++i;
    } else if (bb != nullptr) {
      // Added, or (when both sides hold both headers in another order) moved: shown as added
      // here and removed where the other side has it.
      diff.objects.push_back({bb->header, later_in(a, bb->header, i) ? ObjectChangeKind::kChanged
                                                                     : ObjectChangeKind::kAdded});
      whole(b, *bb, '+', a_at, b_at);
      ++j;
    } else {
      break;  // unreachable: the loop runs while one side has blocks left
    }
  }
  if (!hunks.empty()) {
    diff.unified = fmt::format("--- {}\n+++ {}\n", from_label, to_label) + hunks;
  }
  return diff;
}

}  // namespace strata::schema
