// Comparing two snapshots (schema/snapshot.h) line by line, object by object.
#ifndef STRATA_SCHEMA_DIFF_H_
#define STRATA_SCHEMA_DIFF_H_

#include <string>
#include <string_view>
#include <vector>

namespace strata::schema {

enum class ObjectChangeKind { kAdded, kRemoved, kChanged };

// "added", "removed", "changed".
const char* ObjectChangeKindName(ObjectChangeKind kind);

struct ObjectChange {
  std::string object;  // the block's header line, e.g. "table event"; "header" for the preamble
  ObjectChangeKind kind = ObjectChangeKind::kChanged;
};

struct SnapshotDiff {
  // The objects that differ, in the order they appear in the snapshots.
  std::vector<ObjectChange> objects;
  // A unified diff (`diff -u` / `patch` compatible, 3 lines of context) from `from` to `to`.
  // Every hunk stays inside one object and names it after its @@ range, as git names functions:
  // "@@ -12,7 +12,7 @@ table event". Empty when the snapshots are equal.
  std::string unified;

  bool equal() const { return objects.empty(); }
};

// Compares two snapshot texts. Blocks are matched by their header line, so the work is linear in
// the size of the snapshots plus the square of the size of each changed object (objects are
// small); an object present on one side only is one hunk. `from_label` / `to_label` name the
// sides on the ---/+++ lines.
SnapshotDiff DiffSnapshots(std::string_view from, std::string_view to, std::string_view from_label,
                           std::string_view to_label);

}  // namespace strata::schema

#endif  // STRATA_SCHEMA_DIFF_H_
