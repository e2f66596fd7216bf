// A fleet's live view (cli/fleet_live.h, docs/fleets.md "Results") as a person sees it: the
// real strata binary under a pseudo-terminal, its output replayed on a small terminal model.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "db/url.h"
#include "tests/support/run_strata.h"
#include "tests/support/test_env.h"
#include "tests/support/test_project.h"

namespace strata::testing {
namespace {

// Runs strata in `cwd` with a terminal of `rows` x `cols` as stdin, stdout and stderr; returns
// the exit code and everything the terminal received.
RunResult RunStrataOnTerminal(const std::vector<std::string>& args, const std::string& cwd,
                              unsigned short rows, unsigned short cols) {
  RunResult result;
  winsize size{};
  size.ws_row = rows;
  size.ws_col = cols;
  int master = -1;
  const pid_t pid = ::forkpty(&master, nullptr, nullptr, &size);
  if (pid < 0) return result;
  if (pid == 0) {
    ::setenv("TERM", "xterm", 1);
    ::unsetenv("NO_COLOR");
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    std::vector<std::string> copy = args;
    std::string binary = StrataBinary();
    std::vector<char*> argv = {binary.data()};
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  char buf[4096];
  while (true) {
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) {
      result.out.append(buf, static_cast<std::size_t>(n));
    } else if (n < 0 && errno == EINTR) {
      continue;
    } else {
      break;  // EIO: the child closed the terminal
    }
  }
  ::close(master);
  result.exit_code = WaitStrata(pid);
  return result;
}

// The text a terminal shows (its scrollback included) after receiving `bytes`: printable
// characters, CR, LF, and the CSI sequences the live view uses (cursor up, erase line, erase
// below); colors are ignored.
std::vector<std::string> Screen(const std::string& bytes) {
  std::vector<std::string> lines(1);
  std::size_t row = 0;
  std::size_t col = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\r') {
      col = 0;
    } else if (c == '\n') {
      if (++row == lines.size()) lines.emplace_back();
    } else if (c == '\x1b' && i + 1 < bytes.size() && bytes[i + 1] == '[') {
      std::size_t end = i + 2;
      while (end < bytes.size() && (std::isdigit(static_cast<unsigned char>(bytes[end])) != 0 ||
                                    bytes[end] == ';' || bytes[end] == '?')) {
        ++end;
      }
      if (end == bytes.size()) break;
      const std::string param = bytes.substr(i + 2, end - i - 2);
      const int n = param.empty() ? 1 : std::atoi(param.c_str());
      switch (bytes[end]) {
        case 'A':
          row -= std::min<std::size_t>(row, static_cast<std::size_t>(n));
          break;
        case 'K':
          lines[row].resize(param == "2" ? 0 : std::min(col, lines[row].size()));
          break;
        case 'J':
          lines[row].resize(std::min(col, lines[row].size()));
          lines.resize(row + 1);
          break;
        default:
          break;  // colors
      }
      i = end;
    } else {
      if (lines[row].size() < col) lines[row].resize(col, ' ');
      if (col < lines[row].size()) {
        lines[row][col] = c;
      } else {
        lines[row] += c;
      }
      ++col;
    }
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  return lines;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

class FleetLiveCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = std::make_unique<TestProject>("fleet_live");
    // A migration that takes a moment, so that the view shows targets running.
    project_->Write("V1__a.sql", "CREATE TABLE live_a (id INTEGER PRIMARY KEY);\n");
    project_->Write("V2__slow.sql",
                    "CREATE TABLE live_b AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT "
                    "x + 1 FROM c WHERE x < 400000) SELECT count(*) AS n FROM c;\n");
    std::string list;
    for (int i = 0; i < 5; ++i) {
      files_.push_back(ScratchDatabase::Create(db::Dialect::kSqlite));
      list += files_.back()->url() + "\n";
    }
    list += "sqlite:/nonexistent-strata-directory/broken.db\n";
    std::ofstream(project_->root() / "fleet.txt") << list;
  }

  std::vector<std::string> Names() const {
    std::vector<std::string> names;
    for (const auto& file : files_) {
      names.push_back(std::filesystem::path(db::ParseUrl(file->url())->database).stem().string());
    }
    return names;
  }

  std::unique_ptr<TestProject> project_;
  std::vector<std::unique_ptr<ScratchDatabase>> files_;
};

TEST_F(FleetLiveCliTest, TheViewIsRedrawnInPlaceAndReplacedByEveryTargetsLine) {
  const RunResult run =
      RunStrataOnTerminal({"migrate", "--targets", "fleet.txt", "--all-targets", "--parallel", "2"},
                          project_->root().string(), 12, 100);
  EXPECT_EQ(run.exit_code, 5) << run.out;  // the broken target cannot be opened
  // The view was drawn and redrawn in place.
  EXPECT_NE(run.out.find("migrate: 6 targets, "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("A\x1b[J"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(" running "), std::string::npos) << run.out;
  // The screen at the end: a line per target and the summary, and nothing of the view.
  const std::vector<std::string> screen = Screen(run.out);
  const std::string text = Joined(screen);
  for (const std::string& name : Names()) {
    EXPECT_NE(text.find(fmt::format("{}  ok  <none> -> 2", name)), std::string::npos)
        << name << "\n"
        << text;
  }
  EXPECT_NE(text.find("broken  failed"), std::string::npos) << text;
  // Six target lines, the summary, and the fleet's error on stderr (the same terminal).
  ASSERT_EQ(screen.size(), 8U) << text;
  EXPECT_TRUE(screen[6].starts_with("6 targets: 5 at version 2, 1 failed (broken: ")) << text;
  EXPECT_TRUE(screen[7].starts_with("strata: error: 6 targets: ")) << text;
  EXPECT_EQ(text.find("migrate: 6 targets, "), std::string::npos) << text;

  // --no-live: a line per target, no escape sequence.
  const RunResult plain =
      RunStrataOnTerminal({"info", "--targets", "fleet.txt", "--all-targets", "--no-live"},
                          project_->root().string(), 12, 100);
  EXPECT_EQ(plain.out.find("\x1b[J"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("6 targets: 5 at version 2"), std::string::npos) << plain.out;
}

}  // namespace
}  // namespace strata::testing
