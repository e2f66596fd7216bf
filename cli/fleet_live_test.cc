#include "cli/fleet_live.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace strata::cli {
namespace {

LiveSnapshot Fleet(std::size_t running, std::size_t failed) {
  LiveSnapshot s;
  s.command = "migrate";
  s.total = 1500;
  s.running = running;
  s.failed = failed;
  s.done = 10;
  s.queued = s.total - s.running - s.failed - s.done;
  s.elapsed_ms = 14'200;
  for (std::size_t i = 0; i < running; ++i) {
    s.running_rows.push_back(
        {fmt::format("tenant_{:04}", i), "running", 1200, "applied version 7 - t7 (3ms)"});
  }
  for (std::size_t i = 0; i < failed; ++i) {
    s.failed_rows.push_back({fmt::format("broken_{}", i), "failed", 80, "exit 5: cannot connect"});
  }
  return s;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

TEST(RenderLiveViewTest, HeaderCountsTheTargetsAndEveryRunningTargetHasARow) {
  const std::vector<std::string> lines = RenderLiveView(Fleet(3, 0), 100, 20);
  ASSERT_EQ(lines.size(), 4U);
  EXPECT_EQ(lines[0], "migrate: 1500 targets, 10 done, 3 running, 1487 queued, 0 failed  14.2s");
  EXPECT_EQ(lines[1], "  tenant_0000  running     1.2s  applied version 7 - t7 (3ms)");
  EXPECT_NE(lines[3].find("tenant_0002"), std::string::npos);
}

TEST(RenderLiveViewTest, NeverTallerThanTheTerminalAndSaysHowManyMore) {
  // 1,500 targets running at once on a 10-line terminal.
  LiveSnapshot s = Fleet(1500, 0);
  const std::vector<std::string> lines = RenderLiveView(s, 80, 10);
  ASSERT_EQ(lines.size(), 10U);
  EXPECT_EQ(lines[9], "  ... and 1492 more running");
  EXPECT_NE(lines[8].find("tenant_0007"), std::string::npos);
  // A terminal of one line: the header alone; of none: nothing.
  EXPECT_EQ(RenderLiveView(s, 80, 1).size(), 1U);
  EXPECT_TRUE(RenderLiveView(s, 80, 0).empty());
}

TEST(RenderLiveViewTest, FailuresStayVisibleBesideManyRunningTargets) {
  const std::vector<std::string> lines = RenderLiveView(Fleet(100, 3), 80, 11);
  ASSERT_EQ(lines.size(), 11U);
  const std::string text = Joined(lines);
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(text.find(fmt::format("broken_{}", i)), std::string::npos) << text;
  }
  EXPECT_NE(text.find("failed      80ms  exit 5: cannot connect"), std::string::npos) << text;
  EXPECT_NE(text.find("... and 94 more running"), std::string::npos) << text;
}

TEST(RenderLiveViewTest, ManyFailuresKeepHalfTheRowsAndSayHowManyMore) {
  const std::vector<std::string> lines = RenderLiveView(Fleet(20, 50), 80, 11);
  ASSERT_EQ(lines.size(), 11U);
  const std::string text = Joined(lines);
  EXPECT_NE(text.find("... and 16 more running"), std::string::npos) << text;
  EXPECT_NE(text.find("... and 46 more failed"), std::string::npos) << text;
  // Few running targets: the failures take the rows left.
  const std::string few = Joined(RenderLiveView(Fleet(2, 50), 80, 11));
  EXPECT_NE(few.find("... and 43 more failed"), std::string::npos) << few;
}

TEST(RenderLiveViewTest, LongNamesAndDetailsAreCutToTheWidth) {
  LiveSnapshot s = Fleet(2, 0);
  s.running_rows[0].name = std::string(200, 'n');
  s.running_rows[1].detail = std::string(500, 'd');
  const std::vector<std::string> lines = RenderLiveView(s, 60, 10);
  for (const std::string& line : lines) EXPECT_LE(line.size(), 60U) << line;
  // The name is cut to a third of the line, so the state and time still show.
  EXPECT_NE(lines[1].find(std::string(19, 'n') + "~  running"), std::string::npos) << lines[1];
  EXPECT_EQ(lines[2].back(), '~');
}

TEST(FitToWidthTest, CountsCharactersNotBytesAndBlanksControlCharacters) {
  EXPECT_EQ(FitToWidth("tenant_ä", 8), "tenant_ä");
  EXPECT_EQ(FitToWidth("tenant_äbc", 8), "tenant_~");
  EXPECT_EQ(FitToWidth("a\x1b[2Jb\tc", 20), "a [2Jb c");
  EXPECT_EQ(FitToWidth("abc", 0), "");
}

TEST(EventActivityTest, ABackfillsProgressIsARow) {
  EXPECT_EQ(EventActivity({{"event", "progress"},
                           {"keys_done", 1200},
                           {"total_keys", 5000},
                           {"rows_written", 1100}}),
            "1200/5000 keys, 1100 rows written");
  EXPECT_EQ(EventActivity({{"event", "progress"}, {"keys_done", 3}, {"total_keys", nullptr}}),
            "3/? keys, ? rows written");
  EXPECT_EQ(EventActivity({{"event", "chunk_done"}}), "");
}

TEST(LiveViewWantedTest, OnlyOnATerminalWithoutJsonNoLiveOrADumbTerminal) {
  std::map<std::string, std::string> env = {{"TERM", "xterm-256color"}};
  const Getenv getenv = [&](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  EXPECT_TRUE(LiveViewWanted(true, false, false, getenv));
  EXPECT_FALSE(LiveViewWanted(false, false, false, getenv));
  EXPECT_FALSE(LiveViewWanted(true, true, false, getenv));
  EXPECT_FALSE(LiveViewWanted(true, false, true, getenv));
  env["TERM"] = "dumb";
  EXPECT_FALSE(LiveViewWanted(true, false, false, getenv));
  env.erase("TERM");
  EXPECT_FALSE(LiveViewWanted(true, false, false, getenv));
}

// The live reporter: it draws with escape sequences, and at the end erases its view and prints
// what a plain run prints, in the order the targets finished.
TEST(LiveReporterTest, EndsWithThePlainLines) {
  std::ostringstream terminal;
  std::ostringstream out_text;
  std::ostringstream err_text;
  Output out(out_text, err_text, /*json=*/false, /*color=*/false);
  {
    auto reporter = FleetReporter::Live(out, terminal, /*fd=*/-1, "migrate", {"a", "b"}, 1);
    reporter->Started(0);
    reporter->Said(0, "applied version 1 - x");
    reporter->Warning("a: slow");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    reporter->Finished(0, true, "a  ok  1  3 ms", "");
    reporter->Started(1);
    reporter->Finished(1, false, "b  failed  2 ms  exit 5: no", "exit 5: no");
    reporter->End();
  }
  EXPECT_NE(terminal.str().find("migrate: 2 targets"), std::string::npos) << terminal.str();
  EXPECT_NE(terminal.str().find("\x1b[J"), std::string::npos) << terminal.str();
  EXPECT_EQ(out_text.str(), "a  ok  1  3 ms\nb  failed  2 ms  exit 5: no\n");
  EXPECT_EQ(err_text.str(), "strata: warning: a: slow\n");
}

// A log line said while the view is drawn goes through the drawing thread to the logger it was
// for, and that logger is the process's again at the end.
TEST(LiveReporterTest, LogLinesGoThroughTheDrawingThread) {
  std::ostringstream log_text;
  auto logger = std::make_shared<spdlog::logger>(
      "test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text, true));
  logger->set_pattern("%l: %v");
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  std::ostringstream terminal;
  std::ostringstream out_text;
  Output out(out_text, out_text, /*json=*/false, /*color=*/false);
  auto reporter = FleetReporter::Live(out, terminal, /*fd=*/-1, "migrate", {"a"}, 1);
  spdlog::warn("WARNING: a notice");
  EXPECT_NE(spdlog::default_logger(), logger);
  reporter->End();
  EXPECT_EQ(spdlog::default_logger(), logger);
  EXPECT_EQ(log_text.str(), "warning: WARNING: a notice\n");
  EXPECT_EQ(terminal.str().find("a notice"), std::string::npos);
  spdlog::set_default_logger(previous);
}

}  // namespace
}  // namespace strata::cli
