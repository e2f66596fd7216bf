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

constexpr std::string_view kSqlSuffix = ".sql";
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

InvalidFileName VersionedNameError(std::string_view prefix, std::string_view suffix,
                                   std::string_view problem) {
  return {fmt::format("not a valid migration name: {} (it should look like {}1.2__description{})",
                      problem, prefix, suffix)};
}

FileName ClassifyVersioned(MigrationKind kind, std::string_view prefix, std::string_view suffix,
                           std::string_view version_text, std::string_view description) {
  if (version_text.empty()) return VersionedNameError(prefix, suffix, "it has no version");
  auto version = Version::Parse(version_text);
  if (!version) {
    return VersionedNameError(prefix, suffix, fmt::format("'{}' is not a version", version_text));
  }
  return MigrationFileName{kind, std::move(*version), UnderscoresToSpaces(description)};
}

FileName ClassifyRepeatable(std::string_view rest, std::string_view version_text,
                            std::string_view description) {
  // Flyway only considers names longer than prefix + suffix, so "R.sql" is no repeatable.
  if (rest.empty() || !version_text.empty()) {
    return InvalidFileName{
        "not a valid migration name: a repeatable migration has no version "
        "(it should look like R__description.sql)"};
  }
  return MigrationFileName{MigrationKind::kRepeatable, std::nullopt,
                           UnderscoresToSpaces(description)};
}

FileName ClassifyCallback(std::string_view event, std::string_view version_text,
                          std::string_view description) {
  if (!version_text.empty()) {
    return InvalidFileName{fmt::format(
        "not a valid callback name (it should look like {0}.sql or {0}__description.sql)", event)};
  }
  return CallbackFileName{std::string(event), UnderscoresToSpaces(description)};
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
  if (name.ends_with(kConfigSuffix)) {
    const std::string_view script = name.substr(0, name.size() - kConfigSuffix.size());
    if (EndsWithIgnoreCase(script, kSqlSuffix)) return ScriptConfigFileName{std::string(script)};
    return OtherFileName{};
  }
  const bool is_job = EndsWithIgnoreCase(name, kJobSuffix);
  if (!is_job && !EndsWithIgnoreCase(name, kSqlSuffix)) return OtherFileName{};
  const std::string_view suffix = is_job ? kJobSuffix : kSqlSuffix;
  const std::string_view base = name.substr(0, name.size() - suffix.size());

  const Prefix* prefix = FindPrefix(base);
  if (prefix == nullptr) return OtherFileName{};

  const std::string_view rest = base.substr(prefix->text.size());
  const auto separator = rest.find(kSeparator);
  const std::string_view version_text = rest.substr(0, separator);
  const std::string_view description =
      separator == std::string_view::npos ? std::string_view() : rest.substr(separator + 2);

  if (is_job && prefix->kind != MigrationKind::kVersioned) {
    return InvalidFileName{
        "only versioned migrations can be .job steps (it should look like "
        "V1.2__description.job)"};
  }
  if (!prefix->kind) return ClassifyCallback(prefix->text, version_text, description);
  if (*prefix->kind == MigrationKind::kRepeatable) {
    return ClassifyRepeatable(rest, version_text, description);
  }
  const MigrationKind kind = is_job ? MigrationKind::kJob : *prefix->kind;
  return ClassifyVersioned(kind, prefix->text, suffix, version_text, description);
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

Status ListLocation(const fs::path& location, std::vector<FoundFile>& found) {
  STRATA_TRY(CheckLocation(location));
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
    found.push_back({entry.path(), ScriptOf(entry.path(), location), ClassifyFileName(name)});
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
  // Takes the names and paths of the migration files it is given when it reads them.
  void Add(FoundFile& file) {
    if (EndsWithIgnoreCase(file.script, kSqlSuffix)) sql_files_.insert(file.path.native());
    if (auto* m = std::get_if<MigrationFileName>(&file.name)) {
      pending_.push_back({&file, m});
    } else if (const auto* c = std::get_if<CallbackFileName>(&file.name)) {
      callbacks_.push_back({c->event, c->description, file.script, file.path, std::nullopt});
    } else if (std::holds_alternative<ScriptConfigFileName>(file.name)) {
      configs_.insert(file.path.native());
    } else if (const auto* invalid = std::get_if<InvalidFileName>(&file.name)) {
      problems_.push_back({file.path, WithNearestName(invalid->message, file.path)});
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
    return Resolution{std::move(migrations_), std::move(callbacks_), std::move(problems_),
                      std::move(skipped_)};
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

  std::vector<PendingMigration> pending_;  // migrations found, not read yet
  std::vector<ResolvedMigration> migrations_;
  std::vector<ResolvedMigration> unreadable_;  // named like migrations, but not UTF-8
  std::vector<SqlCallback> callbacks_;
  std::unordered_set<std::string> configs_;    // configuration files not given to a script yet
  std::unordered_set<std::string> sql_files_;  // every .sql file found, used or not
  std::vector<FileProblem> problems_;
  std::vector<FileProblem> skipped_;  // lookalike names (naming.h)
};

}  // namespace

Result<Resolution> ScanLocations(const ResolveOptions& options) {
  std::vector<FoundFile> found;
  for (const fs::path& location : options.locations) STRATA_TRY(ListLocation(location, found));
  Assembler assembler;
  for (FoundFile& file : found) assembler.Add(file);
  return std::move(assembler).Finish();
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
