// Resolving migration files: naming (Flyway's prefixes, separator and suffixes, configurable),
// listing the locations, reading and checksumming, and the checks across files. Longer than most
// files here (about 750 lines) because each stage feeds the next in one pass over the files (the
// names classified while listing decide what is read, what is a problem and what is skipped), and
// the problems of every stage are collected into one report.
#include "migrations/resolver.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <system_error>
#include <thread>
#include <tuple>
#include <unordered_set>

#include "base/file.h"
#include "base/strings.h"
#include "migrations/checksum.h"
#include "migrations/naming.h"
#include "migrations/script_config.h"

namespace strata::migrations {
namespace fs = std::filesystem;
namespace {

// Flyway's callback event ids (docs/flyway.md §7). They are file name prefixes too.
constexpr std::array<std::string_view, 42> kCallbackEvents = {
    "beforeMigrate",
    "beforeRepeatables",
    "beforeEachMigrate",
    "beforeEachMigrateStatement",
    "afterEachMigrateStatement",
    "afterEachMigrateStatementError",
    "afterEachMigrate",
    "afterEachMigrateError",
    "afterVersioned",
    "afterMigrateApplied",
    "afterMigrate",
    "afterMigrateError",
    "afterMigrateOperationFinish",
    "beforeUndo",
    "beforeEachUndo",
    "beforeEachUndoStatement",
    "afterEachUndoStatement",
    "afterEachUndoStatementError",
    "afterEachUndo",
    "afterEachUndoError",
    "afterUndo",
    "afterUndoError",
    "beforeClean",
    "afterClean",
    "afterCleanError",
    "beforeValidate",
    "afterValidate",
    "afterValidateError",
    "beforeBaseline",
    "afterBaseline",
    "afterBaselineError",
    "beforeRepair",
    "afterRepair",
    "afterRepairError",
    "beforeInfo",
    "afterInfo",
    "afterInfoError",
    "afterInfoOperationFinish",
    "createSchema",
    "beforeCreateSchema",
    "beforeConnect",
    "afterConnect",
};

constexpr std::string_view kJobSuffix = ".job";
constexpr std::string_view kConfigSuffix = ".conf";
constexpr std::string_view kSeparator = "__";

// What a prefix announces. Callbacks are one entry per event.
struct Prefix {
  std::string_view text;
  std::optional<MigrationKind> kind;  // nullopt: a callback event
};

constexpr std::array<Prefix, 4> kMigrationPrefixes = {{{"V", MigrationKind::kVersioned},
                                                       {"R", MigrationKind::kRepeatable},
                                                       {"U", MigrationKind::kUndo},
                                                       {"B", MigrationKind::kBaseline}}};

// The callback prefixes, longest first, so that "beforeEachMigrateStatement" wins over
// "beforeEachMigrate" (Flyway's ResourceNameParser sorts all prefixes the same way).
const std::vector<Prefix>& CallbackPrefixesLongestFirst() {
  static const std::vector<Prefix> prefixes = [] {
    std::vector<Prefix> all;
    all.reserve(kCallbackEvents.size());
    for (const std::string_view event : kCallbackEvents) all.push_back({event, std::nullopt});
    std::stable_sort(all.begin(), all.end(), [](const Prefix& a, const Prefix& b) {
      return a.text.size() > b.text.size();
    });
    return all;
  }();
  return prefixes;
}

constexpr bool IsLowerAscii(char c) { return c >= 'a' && c <= 'z'; }
static_assert(std::all_of(kCallbackEvents.begin(), kCallbackEvents.end(),
                          [](std::string_view event) { return IsLowerAscii(event.front()); }));

// The longest prefix `base` starts with, or null. Every callback event starts with a lower-case
// letter and every migration prefix is one upper-case letter, so the first character tells
// which list to search: the common case compares one character instead of 46 prefixes.
const Prefix* FindPrefix(std::string_view base) {
  if (base.empty()) return nullptr;
  if (!IsLowerAscii(base.front())) {
    const auto letter = std::find_if(kMigrationPrefixes.begin(), kMigrationPrefixes.end(),
                                     [&](const Prefix& p) { return base.starts_with(p.text); });
    return letter == kMigrationPrefixes.end() ? nullptr : &*letter;
  }
  const auto& callbacks = CallbackPrefixesLongestFirst();
  const auto callback = std::find_if(callbacks.begin(), callbacks.end(),
                                     [&](const Prefix& p) { return base.starts_with(p.text); });
  return callback == callbacks.end() ? nullptr : &*callback;
}

std::string UnderscoresToSpaces(std::string_view raw) {
  std::string description(raw);
  std::replace(description.begin(), description.end(), '_', ' ');
  return description;
}

// What a name is made of besides its prefix, for messages: the separator and the suffix.
struct NameParts {
  std::string_view separator;
  std::string_view suffix;
};

InvalidFileName VersionedNameError(std::string_view prefix, NameParts parts,
                                   std::string_view problem) {
  return {fmt::format("not a valid migration name: {} (it should look like {}1.2{}description{})",
                      problem, prefix, parts.separator, parts.suffix)};
}

FileName ClassifyVersioned(MigrationKind kind, std::string_view prefix, NameParts parts,
                           std::string_view version_text, std::string_view description) {
  if (version_text.empty()) return VersionedNameError(prefix, parts, "it has no version");
  auto version = Version::Parse(version_text);
  if (!version) {
    return VersionedNameError(prefix, parts, fmt::format("'{}' is not a version", version_text));
  }
  return MigrationFileName{kind, std::move(*version), UnderscoresToSpaces(description)};
}

FileName ClassifyRepeatable(std::string_view prefix, NameParts parts, std::string_view rest,
                            std::string_view version_text, std::string_view description) {
  // Flyway only considers names longer than prefix + suffix, so "R.sql" is no repeatable.
  if (rest.empty() || !version_text.empty()) {
    return InvalidFileName{
        fmt::format("not a valid migration name: a repeatable migration has no version "
                    "(it should look like {}{}description{})",
                    prefix, parts.separator, parts.suffix)};
  }
  return MigrationFileName{MigrationKind::kRepeatable, std::nullopt,
                           UnderscoresToSpaces(description)};
}

FileName ClassifyCallback(std::string_view event, NameParts parts, std::string_view version_text,
                          std::string_view description) {
  if (!version_text.empty()) {
    return InvalidFileName{fmt::format(
        "not a valid callback name (it should look like {0}{2} or {0}{1}description{2})", event,
        parts.separator, parts.suffix)};
  }
  return CallbackFileName{std::string(event), UnderscoresToSpaces(description)};
}

// The prefixes of one naming, longest first. Flyway's own names take the fast path of
// FindPrefix; other names are searched in one list.
class PrefixTable {
 public:
  explicit PrefixTable(const MigrationNaming& naming)
      : flyway_defaults_(naming == MigrationNaming()) {
    if (flyway_defaults_) return;
    all_ = {{naming.versioned_prefix, MigrationKind::kVersioned},
            {naming.repeatable_prefix, MigrationKind::kRepeatable},
            {naming.undo_prefix, MigrationKind::kUndo},
            {naming.baseline_prefix, MigrationKind::kBaseline}};
    for (const std::string_view event : kCallbackEvents) all_.push_back({event, std::nullopt});
    std::stable_sort(all_.begin(), all_.end(), [](const Prefix& a, const Prefix& b) {
      return a.text.size() > b.text.size();
    });
  }

  const Prefix* Find(std::string_view base) const {
    if (flyway_defaults_) return FindPrefix(base);
    const auto found = std::find_if(all_.begin(), all_.end(),
                                    [&](const Prefix& p) { return base.starts_with(p.text); });
    return found == all_.end() ? nullptr : &*found;
  }

 private:
  bool flyway_defaults_;
  std::vector<Prefix> all_;  // views into the naming's strings and kCallbackEvents
};

// The configured suffix `name` ends with (the longest, compared case-insensitively), or "".
std::string_view SqlSuffixOf(std::string_view name, const MigrationNaming& naming) {
  std::string_view best;
  for (const std::string& suffix : naming.suffixes) {
    if (suffix.size() > best.size() && EndsWithIgnoreCase(name, suffix)) best = suffix;
  }
  return best;
}

FileName Classify(std::string_view name, const MigrationNaming& naming,
                  const PrefixTable& prefixes) {
  if (name.ends_with(kConfigSuffix)) {
    const std::string_view script = name.substr(0, name.size() - kConfigSuffix.size());
    if (!SqlSuffixOf(script, naming).empty()) return ScriptConfigFileName{std::string(script)};
    return OtherFileName{};
  }
  const bool is_job = EndsWithIgnoreCase(name, kJobSuffix);
  const std::string_view suffix = is_job ? kJobSuffix : SqlSuffixOf(name, naming);
  if (suffix.empty()) return OtherFileName{};
  const std::string_view base = name.substr(0, name.size() - suffix.size());

  const Prefix* prefix = prefixes.Find(base);
  if (prefix == nullptr) return OtherFileName{};

  const NameParts parts{naming.separator, suffix};
  const std::string_view rest = base.substr(prefix->text.size());
  const auto separator = rest.find(naming.separator);
  const std::string_view version_text = rest.substr(0, separator);
  const std::string_view description = separator == std::string_view::npos
                                           ? std::string_view()
                                           : rest.substr(separator + naming.separator.size());

  if (is_job && prefix->kind != MigrationKind::kVersioned) {
    return InvalidFileName{fmt::format(
        "only versioned migrations can be .job steps (it should look like {}1.2{}description.job)",
        naming.versioned_prefix, naming.separator)};
  }
  if (!prefix->kind) return ClassifyCallback(prefix->text, parts, version_text, description);
  if (*prefix->kind == MigrationKind::kRepeatable) {
    return ClassifyRepeatable(prefix->text, parts, rest, version_text, description);
  }
  const MigrationKind kind = is_job ? MigrationKind::kJob : *prefix->kind;
  return ClassifyVersioned(kind, prefix->text, parts, version_text, description);
}

}  // namespace

MigrationType ResolvedMigration::type() const {
  switch (kind) {
    case MigrationKind::kVersioned:
    case MigrationKind::kRepeatable:
      return MigrationType::kSql;
    case MigrationKind::kUndo:
      return MigrationType::kUndoSql;
    case MigrationKind::kBaseline:
      return MigrationType::kSqlBaseline;
    case MigrationKind::kJob:
      // Flyway must be able to read every row strata writes, and fails on unknown types. JDBC is
      // Flyway's type for code migrations — the Java counterpart of a native job step — so a
      // Flyway reading the table sees a code migration it cannot resolve, which is the truth.
      // CUSTOM (custom resolvers) would also load, but says less.
      return MigrationType::kJdbc;
  }
  return MigrationType::kSql;
}

bool ResolvedMigration::ChecksumMatches(std::optional<std::int32_t> applied) const {
  return !applied || *applied == checksum ||
         (equivalent_checksum && *applied == *equivalent_checksum);
}

std::string FileProblem::ToString() const {
  if (line > 0) return fmt::format("{}:{}: {}", path.string(), line, message);
  return fmt::format("{}: {}", path.string(), message);
}

int KindRank(MigrationKind kind) {
  switch (kind) {
    case MigrationKind::kBaseline:
      return 0;
    case MigrationKind::kVersioned:
    case MigrationKind::kJob:
      return 1;
    case MigrationKind::kUndo:
      return 2;
    case MigrationKind::kRepeatable:
      return 3;
  }
  return 3;
}

FileName ClassifyFileName(std::string_view name) {
  static const MigrationNaming kFlyway;
  static const PrefixTable kFlywayPrefixes(kFlyway);
  return Classify(name, kFlyway, kFlywayPrefixes);
}

FileName ClassifyFileName(std::string_view name, const MigrationNaming& naming) {
  return Classify(name, naming, PrefixTable(naming));
}

Status CheckMigrationNaming(const MigrationNaming& naming) {
  const std::pair<std::string_view, const std::string*> prefixes[] = {
      {"sql_migration_prefix", &naming.versioned_prefix},
      {"repeatable_sql_migration_prefix", &naming.repeatable_prefix},
      {"undo_sql_migration_prefix", &naming.undo_prefix},
      {"baseline_migration_prefix", &naming.baseline_prefix}};
  for (const auto& [key, value] : prefixes) {
    if (value->empty() && value != &naming.versioned_prefix) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{} may not be empty (only sql_migration_prefix may)", key));
    }
    for (const auto& [other_key, other] : prefixes) {
      if (other != value && *other == *value && key < other_key) {
        return Err(ErrorCode::kInvalidArgument,
                   fmt::format("{} and {} are both '{}': each kind of migration needs a prefix "
                               "of its own",
                               key, other_key, *value));
      }
    }
  }
  if (naming.separator.empty()) {
    return Err(ErrorCode::kInvalidArgument, "sql_migration_separator may not be empty");
  }
  if (naming.suffixes.empty()) {
    return Err(ErrorCode::kInvalidArgument,
               "sql_migration_suffixes needs at least one suffix, e.g. [\".sql\"]");
  }
  for (const std::string& suffix : naming.suffixes) {
    if (suffix.empty() || EndsWithIgnoreCase(suffix, kConfigSuffix) ||
        EndsWithIgnoreCase(suffix, kJobSuffix)) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("sql_migration_suffixes: '{}' cannot be a suffix of SQL migrations "
                             "(empty, or taken by .conf files or .job steps)",
                             suffix));
    }
  }
  return Ok();
}

namespace {

// A file found under a location, before it is read.
struct FoundFile {
  fs::path path;       // location / relative
  std::string script;  // relative, `/`-separated
  FileName name;
};

// The last component of a path the directory iterator produced (which never ends with '/').
std::string_view FileNameOf(const fs::path& path) {
  const std::string_view full = path.native();
  const std::size_t slash = full.rfind('/');
  return slash == std::string_view::npos ? full : full.substr(slash + 1);
}

bool IsHidden(std::string_view name) { return !name.empty() && name.front() == '.'; }

// `path` relative to `location`, `/`-separated. The iterator's paths are `location` followed by
// the names below it, so the relative path is their tail; lexically_relative (which allocates
// a path per component) is kept for anything else.
std::string ScriptOf(const fs::path& path, const fs::path& location) {
  const std::string& full = path.native();
  const std::string& base = location.native();
  if (full.size() > base.size() && full.starts_with(base)) {
    std::size_t start = base.size();
    while (start < full.size() && full[start] == '/') ++start;
    if (start < full.size() && (start > base.size() || base.ends_with('/'))) {
      return full.substr(start);
    }
  }
  return path.lexically_relative(location).generic_string();
}

Error ListingError(const fs::path& location, const std::error_code& ec) {
  return Err(ErrorCode::kIo,
             fmt::format("cannot list migration location {}: {}", location.string(), ec.message()));
}

Status CheckLocation(const fs::path& location) {
  std::error_code ec;
  const fs::file_status status = fs::status(location, ec);
  if (status.type() == fs::file_type::not_found) {
    return Err(ErrorCode::kNotFound,
               fmt::format("migration location {} does not exist", location.string()));
  }
  if (ec) return ListingError(location, ec);
  if (status.type() != fs::file_type::directory) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("migration location {} is not a directory", location.string()));
  }
  return Ok();
}

// A location as Flyway writes it: `filesystem:dir` is the directory dir; `classpath:x` names
// a Java resource, which strata cannot read: refused, naming the directory it usually is.
Result<fs::path> FlywayLocation(const fs::path& location) {
  constexpr std::string_view kFilesystem = "filesystem:";
  constexpr std::string_view kClasspath = "classpath:";
  const std::string& text = location.native();
  if (text.starts_with(kFilesystem)) return fs::path(text.substr(kFilesystem.size()));
  const std::size_t classpath = text.find(kClasspath);
  if (classpath != std::string::npos) {
    std::string resource = text.substr(classpath + kClasspath.size());
    while (!resource.empty() && resource.front() == '/') resource.erase(0, 1);
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("location '{}': strata reads migrations from directories, not from a "
                           "Java classpath; name the directory instead, e.g. "
                           "filesystem:src/main/resources/{} (where Maven and Gradle projects "
                           "keep classpath resources)",
                           text.substr(classpath), resource.empty() ? "db/migration" : resource));
  }
  return location;
}

// How the files of a scan are named.
struct Naming {
  const MigrationNaming& names;
  const PrefixTable& prefixes;
};

Status ListLocation(const fs::path& location, const Naming& naming, std::vector<FoundFile>& found) {
  std::error_code ec;
  fs::recursive_directory_iterator it(location, ec);
  if (ec) return ListingError(location, ec);
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) return ListingError(location, ec);
    const fs::directory_entry& entry = *it;
    const std::string_view name = FileNameOf(entry.path());
    if (IsHidden(name)) {
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file(ec)) continue;
    found.push_back({entry.path(), ScriptOf(entry.path(), location),
                     Classify(name, naming.names, naming.prefixes)});
  }
  if (ec) return ListingError(location, ec);
  return Ok();
}

// The listing found a regular file at `path`, which saves asking for its size. A migration file
// that cannot be read is kIo, even one removed since it was listed.
Result<std::string_view> ReadMigrationFile(const fs::path& path, std::string& scratch) {
  Result<std::string_view> read = ReadFileInto(path, scratch, /*regular_file=*/true);
  if (!read && read.error().code == ErrorCode::kNotFound) {
    return Err(ErrorCode::kIo, std::move(read).error().message);
  }
  return read;
}

std::string NotUtf8Message(const Utf8Error& error) {
  return fmt::format("not valid UTF-8 (line {}, byte {}); save the file as UTF-8", error.line,
                     error.offset);
}

// Whether two migrations cannot both exist: same version among V and job files, among U files or
// among B files; or the same description among R files.
bool Collide(const ResolvedMigration& a, const ResolvedMigration& b) {
  if (KindRank(a.kind) != KindRank(b.kind)) return false;
  if (a.kind == MigrationKind::kRepeatable) return a.description == b.description;
  return *a.version == *b.version;
}

// What migrations are ordered by. Every field comes from the file's name and place, so the
// order is known before the files are read.
struct OrderKey {
  const std::optional<Version>& version;
  MigrationKind kind;
  const std::string& description;
  const std::string& script;
  const fs::path& path;
};

bool KeyOrder(const OrderKey& a, const OrderKey& b) {
  if (a.version.has_value() != b.version.has_value()) return a.version.has_value();
  if (a.version) {
    if (*a.version != *b.version) return *a.version < *b.version;
    if (KindRank(a.kind) != KindRank(b.kind)) return KindRank(a.kind) < KindRank(b.kind);
  } else if (a.description != b.description) {
    return a.description < b.description;
  }
  return std::tie(a.script, a.path) < std::tie(b.script, b.path);
}

bool MigrationOrder(const ResolvedMigration& a, const ResolvedMigration& b) {
  auto key = [](const ResolvedMigration& m) {
    return OrderKey{m.version, m.kind, m.description, m.script, m.path};
  };
  return KeyOrder(key(a), key(b));
}

std::string CollisionSubject(const ResolvedMigration& m) {
  switch (m.kind) {
    case MigrationKind::kRepeatable:
      return fmt::format("repeatable migration description '{}'", m.description);
    case MigrationKind::kUndo:
      return fmt::format("undo version {}", m.version->ToString());
    case MigrationKind::kBaseline:
      return fmt::format("baseline version {}", m.version->ToString());
    case MigrationKind::kVersioned:
    case MigrationKind::kJob:
      break;
  }
  return fmt::format("version {}", m.version->ToString());
}

// Calls report(member, others) for every member of every run of adjacent items that `same`
// groups together. Items must be sorted so that such runs are contiguous.
template <typename T, typename Same, typename Report>
void ForEachDuplicate(const std::vector<T>& items, Same same, Report report) {
  for (std::size_t begin = 0; begin < items.size();) {
    std::size_t end = begin + 1;
    while (end < items.size() && same(items[begin], items[end])) ++end;
    if (end - begin > 1) {
      for (std::size_t i = begin; i < end; ++i) {
        std::vector<std::string> others;
        for (std::size_t j = begin; j < end; ++j) {
          if (j != i) others.push_back(items[j].path.string());
        }
        report(items[i], fmt::format("{}", fmt::join(others, ", ")));
      }
    }
    begin = end;
  }
}

void ReportDuplicateMigrations(const std::vector<ResolvedMigration>& migrations,
                               std::vector<FileProblem>& problems) {
  ForEachDuplicate(migrations, Collide, [&](const ResolvedMigration& m, const std::string& others) {
    problems.push_back({m.path, fmt::format("{} is also used by {}", CollisionSubject(m), others)});
  });
}

void ReportDuplicateCallbacks(const std::vector<SqlCallback>& callbacks,
                              std::vector<FileProblem>& problems) {
  auto same = [](const SqlCallback& a, const SqlCallback& b) {
    return a.event == b.event && a.description == b.description;
  };
  ForEachDuplicate(callbacks, same, [&](const SqlCallback& c, const std::string& others) {
    problems.push_back(
        {c.path, fmt::format("callback {}{} is also defined by {}", c.event,
                             c.description.empty() ? "" : " " + c.description, others)});
  });
}

// What reading a migration file yields.
struct Digest {
  Status read;                       // kIo when the file cannot be read
  std::optional<Utf8Error> invalid;  // where it stops being UTF-8
  std::int32_t checksum = 0;
};

Digest DigestFile(const fs::path& path, std::string& scratch) {
  Digest digest;
  Result<std::string_view> content = ReadMigrationFile(path, scratch);
  if (!content) {
    digest.read = std::move(content).error();
    return digest;
  }
  digest.invalid = FindInvalidUtf8(*content);
  if (!digest.invalid) digest.checksum = FlywayChecksum(*content);
  return digest;
}

// Reading and checksumming the files is nearly all the work of `validate` and `info` on 10,000
// migrations, and it is independent per file: it runs on up to one thread per core once there
// are enough files to be worth a thread.
std::vector<Digest> DigestFiles(const std::vector<const fs::path*>& paths) {
  constexpr std::size_t kFilesPerThread = 512;
  constexpr unsigned kMaxThreads = 8;
  std::vector<Digest> digests(paths.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    std::string scratch;  // one per thread, reused for every file
    for (std::size_t i = next++; i < paths.size(); i = next++) {
      digests[i] = DigestFile(*paths[i], scratch);
    }
  };
  const std::size_t wanted =
      std::min<std::size_t>({std::max(1u, std::thread::hardware_concurrency()), kMaxThreads,
                             paths.size() / kFilesPerThread + 1});
  std::vector<std::jthread> helpers;
  for (std::size_t t = 1; t < wanted; ++t) {
    try {
      helpers.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads available: the ones we have finish the work
    }
  }
  work();
  return digests;  // the jthreads join before this returns
}

// The problem of a configuration file from ParseScriptConfig's "<path>:<line>: <message>".
FileProblem ConfigProblem(const fs::path& config, std::string_view error) {
  FileProblem problem{config, std::string(error)};
  const std::string prefix = config.string() + ":";
  if (!error.starts_with(prefix)) return problem;
  std::string_view rest = error.substr(prefix.size());
  const std::size_t colon = rest.find(": ");
  int line = 0;
  if (colon == std::string_view::npos ||
      std::from_chars(rest.data(), rest.data() + colon, line).ptr != rest.data() + colon) {
    problem.message = std::string(rest);
    return problem;
  }
  problem.line = line;
  problem.message = std::string(rest.substr(colon + 2));
  return problem;
}

// An invalid name's message, with the valid name it likely meant when there is one.
std::string WithNearestName(const std::string& message, const fs::path& path) {
  std::optional<std::string> nearest = NearestValidName(path.filename().string());
  return nearest ? fmt::format("{}; did you mean {}?", message, *nearest) : message;
}

// Builds the migrations and callbacks from the files found.
class Assembler {
 public:
  Assembler(const MigrationNaming& naming, bool validate_naming)
      : naming_(naming), validate_naming_(validate_naming) {}

  // Takes the names and paths of the migration files it is given when it reads them.
  void Add(FoundFile& file) {
    if (!SqlSuffixOf(file.script, naming_).empty()) sql_files_.insert(file.path.native());
    if (auto* m = std::get_if<MigrationFileName>(&file.name)) {
      pending_.push_back({&file, m});
    } else if (const auto* c = std::get_if<CallbackFileName>(&file.name)) {
      callbacks_.push_back({c->event, c->description, file.script, file.path, std::nullopt});
    } else if (std::holds_alternative<ScriptConfigFileName>(file.name)) {
      configs_.insert(file.path.native());
    } else if (const auto* invalid = std::get_if<InvalidFileName>(&file.name)) {
      if (validate_naming_) {
        problems_.push_back({file.path, WithNearestName(invalid->message, file.path)});
      } else {
        skipped_.push_back({file.path, "skipped (validate_migration_naming = false): " +
                                           WithNearestName(invalid->message, file.path)});
      }
    } else if (auto nearest = NearestValidName(file.path.filename().string())) {
      skipped_.push_back(
          {file.path,
           fmt::format("skipped: not a migration or callback name; did you mean {}?", *nearest)});
    }
  }

  // Reads every migration added, then orders and checks the whole set.
  Result<Resolution> Finish() && {
    // Ordering the (small) pending entries rather than the migrations read from them: the
    // migrations come out in order, and reading in version order is as good as any.
    std::sort(pending_.begin(), pending_.end(),
              [](const PendingMigration& a, const PendingMigration& b) {
                return KeyOrder(a.Key(), b.Key());
              });
    STRATA_TRY(ReadMigrations());
    AttachConfigs();
    std::sort(callbacks_.begin(), callbacks_.end(), [](const SqlCallback& a, const SqlCallback& b) {
      return std::tie(a.event, a.description, a.script, a.path) <
             std::tie(b.event, b.description, b.script, b.path);
    });
    ReportDuplicates();
    ReportDuplicateCallbacks(callbacks_, problems_);
    std::sort(problems_.begin(), problems_.end(), [](const FileProblem& a, const FileProblem& b) {
      return std::tie(a.path, a.message) < std::tie(b.path, b.message);
    });
    std::sort(skipped_.begin(), skipped_.end(),
              [](const FileProblem& a, const FileProblem& b) { return a.path < b.path; });
    return Resolution{std::move(migrations_),
                      std::move(callbacks_),
                      std::move(problems_),
                      std::move(skipped_),
                      {}};
  }

 private:
  struct PendingMigration {
    FoundFile* file;
    MigrationFileName* name;

    OrderKey Key() const {
      return {name->version, name->kind, name->description, file->script, file->path};
    }
  };

  Status ReadMigrations() {
    std::vector<const fs::path*> paths;
    paths.reserve(pending_.size());
    for (const PendingMigration& p : pending_) paths.push_back(&p.file->path);
    std::vector<Digest> digests = DigestFiles(paths);
    migrations_.reserve(pending_.size());
    for (std::size_t i = 0; i < pending_.size(); ++i) {
      FoundFile& file = *pending_[i].file;
      Digest& digest = digests[i];
      if (!digest.read) return std::move(digest.read).error();
      if (digest.invalid) {
        problems_.push_back({file.path, NotUtf8Message(*digest.invalid)});
      }
      MigrationFileName& name = *pending_[i].name;
      ResolvedMigration m;
      m.kind = name.kind;
      m.version = std::move(name.version);
      m.description = std::move(name.description);
      m.script = std::move(file.script);
      m.path = std::move(file.path);
      m.checksum = digest.checksum;
      (digest.invalid ? unreadable_ : migrations_).push_back(std::move(m));
    }
    return Ok();
  }

  // A file that is not UTF-8 still takes part in the name checks, so that every problem is
  // reported at once.
  void ReportDuplicates() {
    if (unreadable_.empty()) return ReportDuplicateMigrations(migrations_, problems_);
    std::vector<ResolvedMigration> all = migrations_;
    all.insert(all.end(), unreadable_.begin(), unreadable_.end());
    std::sort(all.begin(), all.end(), MigrationOrder);
    ReportDuplicateMigrations(all, problems_);
  }

  // Gives each script its "<file name>.conf" from the same directory. A configuration file with
  // no script beside it is most likely misnamed, and ignoring it would run its script with the
  // wrong settings: it is a problem.
  void AttachConfigs() {
    if (configs_.empty()) return;
    for (ResolvedMigration& m : migrations_) m.config_path = TakeConfig(m.path);
    for (SqlCallback& c : callbacks_) c.config_path = TakeConfig(c.path);
    for (const ResolvedMigration& m : migrations_) CheckConfig(m.config_path);
    for (const SqlCallback& c : callbacks_) CheckConfig(c.config_path);
    for (const std::string& config : configs_) {
      const std::string script = config.substr(0, config.size() - kConfigSuffix.size());
      if (sql_files_.count(script) != 0) continue;  // beside a script strata does not run
      problems_.push_back(
          {config, fmt::format("configuration file without a script beside it (no {})",
                               fs::path(script).filename().string())});
    }
  }

  // A configuration file that does not parse is reported with the other problems, so that
  // `validate` and `info` refuse it as `migrate` does, also beside a script applied long ago.
  void CheckConfig(const std::optional<fs::path>& config) {
    if (!config) return;
    Result<ScriptConfig> parsed = ReadScriptConfig(config);
    if (parsed) return;
    problems_.push_back(ConfigProblem(*config, parsed.error().message));
  }

  std::optional<fs::path> TakeConfig(const fs::path& script) {
    std::string config = script.native();
    config += kConfigSuffix;
    if (configs_.erase(config) == 0) return std::nullopt;
    return config;
  }

  const MigrationNaming& naming_;
  bool validate_naming_;                   // misnamed files are problems, else skipped
  std::vector<FileProblem> skipped_;       // lookalike names (naming.h); misnamed ones if !validate
  std::vector<PendingMigration> pending_;  // migrations found, not read yet
  std::vector<ResolvedMigration> migrations_;
  std::vector<ResolvedMigration> unreadable_;  // named like migrations, but not UTF-8
  std::vector<SqlCallback> callbacks_;
  std::unordered_set<std::string> configs_;    // configuration files not given to a script yet
  std::unordered_set<std::string> sql_files_;  // every .sql file found, used or not
  std::vector<FileProblem> problems_;
};

}  // namespace

Result<Resolution> ScanLocations(const ResolveOptions& options) {
  STRATA_TRY(CheckMigrationNaming(options.naming));
  const PrefixTable prefixes(options.naming);
  const Naming naming{options.naming, prefixes};
  std::vector<FoundFile> found;
  std::vector<fs::path> missing;
  for (const fs::path& written : options.locations) {
    STRATA_ASSIGN_OR_RETURN(fs::path location, FlywayLocation(written));
    Status checked = CheckLocation(location);
    if (!checked && checked.error().code == ErrorCode::kNotFound &&
        !options.fail_on_missing_locations) {
      missing.push_back(std::move(location));
      continue;
    }
    STRATA_TRY(std::move(checked));
    STRATA_TRY(ListLocation(location, naming, found));
  }
  Assembler assembler(options.naming, options.validate_migration_naming);
  for (FoundFile& file : found) assembler.Add(file);
  STRATA_ASSIGN_OR_RETURN(Resolution resolution, std::move(assembler).Finish());
  resolution.missing_locations = std::move(missing);
  return resolution;
}

Result<Resolution> ResolveMigrations(const ResolveOptions& options) {
  STRATA_ASSIGN_OR_RETURN(Resolution resolution, ScanLocations(options));
  if (resolution.problems.empty()) return resolution;
  std::vector<std::string> lines;
  for (const FileProblem& problem : resolution.problems) lines.push_back(problem.ToString());
  const std::size_t n = resolution.problems.size();
  return Err(ErrorCode::kInvalidArgument, fmt::format("{} problem{} with migration files:\n  {}", n,
                                                      n == 1 ? "" : "s", fmt::join(lines, "\n  ")));
}

}  // namespace strata::migrations
