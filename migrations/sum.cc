#include "migrations/sum.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "base/file.h"
#include "migrations/resolver.h"

namespace strata::migrations {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kHeader = "strata.sum v1 ";
constexpr std::size_t kHexDigits = 64;

using Digest = std::array<unsigned char, 32>;

Digest Sha256(std::string_view a, std::string_view b = {}) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  Digest digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest.data(), &length);
  EVP_MD_CTX_free(ctx);
  return digest;
}

std::string Hex(const Digest& digest) {
  std::string hex;
  hex.reserve(2 * digest.size());
  for (unsigned char byte : digest) hex += fmt::format("{:02x}", byte);
  return hex;
}

bool IsHex64(std::string_view text) {
  return text.size() == kHexDigits && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string EntryLine(const SumEntry& e) { return e.sha256 + "  " + e.script; }

// The files a location's sum covers, in sum order, as paths relative to the location.
std::vector<std::string> SummedScripts(const Resolution& resolution) {
  std::vector<std::string> scripts;
  auto add_conf = [&](const std::string& script, const std::optional<fs::path>& conf) {
    if (conf) scripts.push_back(script + ".conf");
  };
  for (const ResolvedMigration& m : resolution.migrations) {
    scripts.push_back(m.script);
    add_conf(m.script, m.config_path);
  }
  for (const SqlCallback& c : resolution.callbacks) {
    scripts.push_back(c.script);
    add_conf(c.script, c.config_path);
  }
  return scripts;
}

std::string ProblemLine(const fs::path& location, const SumProblem& p) {
  return p.script.empty() ? fmt::format("{}: {}", (location / kSumFileName).string(), p.message)
                          : fmt::format("{}: {}", (location / p.script).string(), p.message);
}

}  // namespace

std::string SumTotal(const std::vector<SumEntry>& entries) {
  Digest chain{};
  for (const SumEntry& e : entries) {
    const std::string line = EntryLine(e) + "\n";
    chain =
        Sha256(std::string_view(reinterpret_cast<const char*>(chain.data()), chain.size()), line);
  }
  return Hex(chain);
}

Result<SumFile> ComputeSum(const fs::path& location) {
  ResolveOptions options;
  options.locations = {location};
  STRATA_ASSIGN_OR_RETURN(Resolution resolution, ResolveMigrations(options));
  SumFile sum;
  std::string buffer;
  for (std::string& script : SummedScripts(resolution)) {
    if (script.find('\n') != std::string::npos || script.find('\r') != std::string::npos) {
      return Err(ErrorCode::kInvalidArgument,
                 fmt::format("{}: a line break in a migration file name cannot be listed in "
                             "strata.sum: rename the file",
                             (location / script).string()));
    }
    STRATA_ASSIGN_OR_RETURN(std::string_view bytes, ReadFileInto(location / script, buffer));
    sum.entries.push_back({Hex(Sha256(bytes)), std::move(script)});
  }
  sum.total = SumTotal(sum.entries);
  return sum;
}

std::string RenderSum(const SumFile& sum) {
  std::string text = std::string(kHeader) + sum.total + "\n";
  for (const SumEntry& e : sum.entries) text += EntryLine(e) + "\n";
  return text;
}

Result<SumFile> ParseSum(std::string_view text, const fs::path& file) {
  auto bad = [&](std::size_t line, const std::string& what) {
    return Err(ErrorCode::kInvalidArgument,
               fmt::format("{}:{}: {}: regenerate the file with `strata sum` (its lines are "
                           "\"<sha256>  <file>\" after a \"strata.sum v1 <total>\" line)",
                           file.string(), line, what));
  };
  SumFile sum;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line_number == 1) {
      if (line.rfind(kHeader, 0) != 0 || !IsHex64(line.substr(kHeader.size()))) {
        return bad(1, "the first line is not \"strata.sum v1 <64 hex digits>\"");
      }
      sum.total = std::string(line.substr(kHeader.size()));
      continue;
    }
    if (line.empty()) continue;
    if (line.size() < kHexDigits + 3 || !IsHex64(line.substr(0, kHexDigits)) ||
        line.substr(kHexDigits, 2) != "  ") {
      return bad(line_number, "not \"<64 hex digits>  <file>\"");
    }
    sum.entries.push_back(
        {std::string(line.substr(0, kHexDigits)), std::string(line.substr(kHexDigits + 2))});
  }
  if (line_number == 0) return bad(1, "the file is empty");
  return sum;
}

const char* SumProblemKindName(SumProblemKind kind) {
  switch (kind) {
    case SumProblemKind::kEdited:
      return "edited";
    case SumProblemKind::kAdded:
      return "added";
    case SumProblemKind::kMissing:
      return "missing";
    case SumProblemKind::kOrder:
      return "order";
    case SumProblemKind::kTotal:
      return "total";
  }
  return "edited";
}

std::vector<SumProblem> CompareSums(const SumFile& recorded, const SumFile& actual) {
  std::vector<SumProblem> problems;
  if (recorded.total != SumTotal(recorded.entries)) {
    problems.push_back({SumProblemKind::kTotal, "",
                        "the total on the first line does not match the file lines (edited by "
                        "hand or merged)"});
  }
  std::map<std::string, const SumEntry*> now;
  for (const SumEntry& e : actual.entries) now.emplace(e.script, &e);
  std::set<std::string> listed;
  for (const SumEntry& e : recorded.entries) {
    listed.insert(e.script);
    auto it = now.find(e.script);
    if (it == now.end()) {
      problems.push_back({SumProblemKind::kMissing, e.script,
                          "missing: listed in strata.sum, but the file is gone"});
    } else if (it->second->sha256 != e.sha256) {
      problems.push_back(
          {SumProblemKind::kEdited, e.script, "edited since strata.sum was written"});
    }
  }
  for (const SumEntry& e : actual.entries) {
    if (listed.count(e.script) == 0) {
      problems.push_back({SumProblemKind::kAdded, e.script, "added: not listed in strata.sum"});
    }
  }
  if (problems.empty() && recorded.total != actual.total) {
    problems.push_back(
        {SumProblemKind::kOrder, "", "the files are listed in another order than their versions"});
  }
  return problems;
}

Result<std::vector<SumCheck>> CheckSums(const std::vector<fs::path>& locations) {
  std::vector<SumCheck> checks;
  for (const fs::path& location : locations) {
    SumCheck check;
    check.location = location;
    check.sum_file = location / kSumFileName;
    std::error_code ec;
    check.present = fs::exists(check.sum_file, ec);
    if (check.present) {
      STRATA_ASSIGN_OR_RETURN(SumFile actual, ComputeSum(location));
      STRATA_ASSIGN_OR_RETURN(std::string text, ReadFile(check.sum_file));
      STRATA_ASSIGN_OR_RETURN(SumFile recorded, ParseSum(text, check.sum_file));
      check.files = actual.entries.size();
      check.problems = CompareSums(recorded, actual);
    }
    checks.push_back(std::move(check));
  }
  return checks;
}

Status SumCheckStatus(const std::vector<SumCheck>& checks, bool require_sum_file) {
  std::vector<std::string> lines;
  for (const SumCheck& c : checks) {
    if (!c.present && require_sum_file) {
      lines.push_back(
          fmt::format("{}: no strata.sum: create it with `strata sum`", c.location.string()));
    }
    for (const SumProblem& p : c.problems) lines.push_back(ProblemLine(c.location, p));
  }
  if (lines.empty()) return Ok();
  return Err(ErrorCode::kValidation,
             fmt::format("migration files do not match strata.sum ({} problem{}); if the "
                         "changes are intended, run `strata sum` and commit strata.sum — an "
                         "edited file that is already applied somewhere needs a new migration "
                         "instead:\n  {}",
                         lines.size(), lines.size() == 1 ? "" : "s", fmt::join(lines, "\n  ")));
}

Status VerifySumFiles(const std::vector<fs::path>& locations) {
  STRATA_ASSIGN_OR_RETURN(std::vector<SumCheck> checks, CheckSums(locations));
  return SumCheckStatus(checks, /*require_sum_file=*/false);
}

Result<std::vector<SumFile>> WriteSumFiles(const std::vector<fs::path>& locations) {
  std::vector<SumFile> sums;
  for (const fs::path& location : locations) {
    STRATA_ASSIGN_OR_RETURN(SumFile sum, ComputeSum(location));
    sums.push_back(std::move(sum));
  }
  // Written only when every location could be summed: nothing half-done.
  for (std::size_t i = 0; i < locations.size(); ++i) {
    STRATA_TRY(WriteFileAtomically(locations[i] / kSumFileName, RenderSum(sums[i])));
  }
  return sums;
}

}  // namespace strata::migrations
