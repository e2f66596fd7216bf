#include "cli/fleet_live.h"

#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <ostream>
#include <thread>
#include <utility>

#include "base/duration.h"

namespace strata::cli {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

std::string Elapsed(std::int64_t ms) { return FormatDuration(std::chrono::milliseconds(ms)); }

// The number of UTF-8 characters in `text` (continuation bytes not counted).
std::size_t Columns(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

std::string PadRight(std::string text, std::size_t width) {
  const std::size_t columns = Columns(text);
  if (columns < width) text.append(width - columns, ' ');
  return text;
}

std::string Header(const LiveSnapshot& s) {
  return fmt::format("{}: {} target{}, {} done, {} running, {} queued, {} failed  {}", s.command,
                     s.total, s.total == 1 ? "" : "s", s.done, s.running, s.queued, s.failed,
                     Elapsed(s.elapsed_ms));
}

// The rows of one list, `room` lines at most, the last saying how many more when cut.
void AddRows(const std::vector<LiveRow>& rows, std::size_t room, std::string_view what,
             std::size_t name_width, std::size_t width, std::vector<std::string>& lines) {
  if (room == 0) return;
  const bool cut = rows.size() > room;
  const std::size_t shown = cut ? room - 1 : rows.size();
  for (std::size_t i = 0; i < shown; ++i) {
    const LiveRow& row = rows[i];
    const std::string line = fmt::format("  {}  {:<7}  {:>7}  {}",
                                         PadRight(FitToWidth(row.name, name_width), name_width),
                                         row.state, Elapsed(row.elapsed_ms), row.detail);
    lines.push_back(FitToWidth(line, width));
  }
  if (cut) {
    lines.push_back(
        FitToWidth(fmt::format("  ... and {} more {}", rows.size() - shown, what), width));
  }
}

}  // namespace

std::string FitToWidth(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t columns = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const bool continuation = (byte & 0xC0U) == 0x80U;
    if (!continuation) {
      if (columns == width) {
        // Something is left: the last character shown becomes "~".
        if (width == 0) return out;
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0U) == 0x80U) {
          out.pop_back();
        }
        if (!out.empty()) out.back() = '~';
        return out;
      }
      ++columns;
    }
    out += byte < 0x20 || byte == 0x7F ? ' ' : text[i];
  }
  return out;
}

std::vector<std::string> RenderLiveView(const LiveSnapshot& s, std::size_t width,
                                        std::size_t height) {
  std::vector<std::string> lines;
  if (width == 0 || height == 0) return lines;
  lines.push_back(FitToWidth(Header(s), width));
  const std::size_t budget = height - 1;
  const std::size_t failed_needed = s.failed_rows.size();
  const std::size_t running_needed = s.running_rows.size();
  // The failures keep at least half of the rows; the running targets get the rest.
  const std::size_t left_by_running = budget > running_needed ? budget - running_needed : 0;
  const std::size_t failed_room =
      std::min({failed_needed, budget, std::max(left_by_running, (budget + 1) / 2)});
  const std::size_t running_room = std::min(running_needed, budget - failed_room);
  // Names take at most a third of the line, so that what a target does stays visible.
  std::size_t name_width = 0;
  for (const auto* rows : {&s.running_rows, &s.failed_rows}) {
    for (const LiveRow& row : *rows) name_width = std::max(name_width, Columns(row.name));
  }
  name_width = std::min(name_width, std::max<std::size_t>(width / 3, 1));
  AddRows(s.running_rows, running_room, "running", name_width, width, lines);
  AddRows(s.failed_rows, failed_room, "failed", name_width, width, lines);
  return lines;
}

std::string EventActivity(const nlohmann::json& event) {
  if (!event.is_object() || event.value("event", "") != "progress") return "";
  const auto number = [&](const char* key) {
    return event.contains(key) && event[key].is_number() ? event[key].dump() : std::string("?");
  };
  return fmt::format("{}/{} keys, {} rows written", number("keys_done"), number("total_keys"),
                     number("rows_written"));
}

bool LiveViewWanted(bool interactive, bool json, bool no_live, const Getenv& getenv) {
  if (!interactive || json || no_live) return false;
  const std::optional<std::string> term = getenv("TERM");
  return term && !term->empty() && *term != "dumb";
}

// ---- Plain: a line per target -------------------------------------------------------------

namespace {

class PlainReporter : public FleetReporter {
 public:
  explicit PlainReporter(Output& out) : out_(out) {}

  void Started(std::size_t /*index*/) override {}
  void Said(std::size_t /*index*/, std::string_view /*line*/) override {}
  void Sent(std::size_t /*index*/, const nlohmann::json& /*event*/) override {}
  void Warning(std::string text) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    out_.Warning(text);
  }
  void Finished(std::size_t /*index*/, bool /*ok*/, std::string line,
                std::string /*error*/) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    out_.Line(line);
  }
  void End() override {}

 private:
  Output& out_;
  std::mutex mutex_;
};

// ---- Live: the view redrawn in place ------------------------------------------------------

struct TerminalSize {
  std::size_t width = 80;
  std::size_t height = 24;
};

TerminalSize SizeOf(int fd) {
  winsize size{};
  if (::ioctl(fd, TIOCGWINSZ, &size) != 0 || size.ws_col == 0 || size.ws_row == 0) return {};
  return {size.ws_col, size.ws_row};
}

// A log sink that hands each message to `push` instead of writing it: while the live view is
// drawn, log lines (a PostgreSQL WARNING notice) must not land in the middle of it.
class HandOverSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  using Push = std::function<void(spdlog::level::level_enum, std::string)>;
  explicit HandOverSink(Push push) : push_(std::move(push)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    push_(msg.level, std::string(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  Push push_;
};

class LiveReporter : public FleetReporter {
 public:
  LiveReporter(Output& out, std::ostream& terminal, int fd, std::string command,
               std::vector<std::string> names, int interval_ms)
      : out_(out),
        terminal_(terminal),
        fd_(fd),
        command_(std::move(command)),
        names_(std::move(names)),
        targets_(names_.size()),
        interval_(interval_ms),
        start_(Clock::now()) {
    // Log lines go through the drawing thread, which writes them with the logger they were for.
    logger_ = spdlog::default_logger();
    auto sink =
        std::make_shared<HandOverSink>([this](spdlog::level::level_enum level, std::string text) {
          const std::lock_guard<std::mutex> lock(mutex_);
          logs_.emplace_back(level, std::move(text));
        });
    auto handover = std::make_shared<spdlog::logger>("strata", sink);
    handover->set_level(logger_->level());
    spdlog::set_default_logger(handover);
    drawer_ = std::thread([this] { Draw(); });
  }
  ~LiveReporter() override { Stop(); }
  LiveReporter(const LiveReporter&) = delete;
  LiveReporter& operator=(const LiveReporter&) = delete;

  void Started(std::size_t index) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    targets_[index].state = State::kRunning;
    targets_[index].start = Clock::now();
    targets_[index].detail = "started";
    started_.push_back(index);
  }
  void Said(std::size_t index, std::string_view line) override {
    if (line.empty()) return;
    const std::lock_guard<std::mutex> lock(mutex_);
    targets_[index].detail = std::string(line);
  }
  void Sent(std::size_t index, const nlohmann::json& event) override {
    std::string activity = EventActivity(event);
    if (activity.empty()) return;
    const std::lock_guard<std::mutex> lock(mutex_);
    targets_[index].detail = std::move(activity);
  }
  void Warning(std::string text) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    warnings_.push_back(std::move(text));
  }
  void Finished(std::size_t index, bool ok, std::string line, std::string error) override {
    const std::lock_guard<std::mutex> lock(mutex_);
    Target& target = targets_[index];
    target.state = ok ? State::kOk : State::kFailed;
    target.elapsed_ms = MillisSince(target.start);
    target.detail = std::move(error);
    if (!ok) failed_.push_back(index);
    final_lines_.push_back(std::move(line));
  }
  void End() override { Stop(); }

 private:
  // End's work; not virtual, for the destructor too.
  void Stop() {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      if (ended_) return;
      ended_ = true;
    }
    wake_.notify_all();
    drawer_.join();
    spdlog::set_default_logger(logger_);
    // The view is gone: what a plain run prints follows, through the same output.
    Erase();
    PrintWarnings(warnings_, logs_);
    for (const std::string& line : final_lines_) out_.Line(line);
  }

  enum class State { kQueued, kRunning, kOk, kFailed };
  struct Target {
    State state = State::kQueued;
    Clock::time_point start;
    std::int64_t elapsed_ms = 0;
    std::string detail;
  };

  // The drawing thread: the only one that writes to the terminal until End.
  void Draw() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!ended_) {
      const LiveSnapshot snapshot = Snapshot();
      std::vector<std::string> warnings = std::exchange(warnings_, {});
      std::vector<LogLine> logs = std::exchange(logs_, {});
      lock.unlock();
      const TerminalSize size = SizeOf(fd_);
      if (!warnings.empty() || !logs.empty()) {
        Erase();
        PrintWarnings(warnings, logs);
      }
      // One column and one line are kept free: a full line or a full screen would make the
      // terminal wrap or scroll, and the next redraw would miss its start.
      Redraw(RenderLiveView(snapshot, size.width - 1, std::max<std::size_t>(size.height, 2) - 1));
      lock.lock();
      wake_.wait_for(lock, interval_, [this] { return ended_; });
    }
  }

  LiveSnapshot Snapshot() const {
    LiveSnapshot s;
    s.command = command_;
    s.total = targets_.size();
    s.elapsed_ms = MillisSince(start_);
    for (const Target& target : targets_) {
      s.done += target.state == State::kOk ? 1 : 0;
      s.running += target.state == State::kRunning ? 1 : 0;
      s.queued += target.state == State::kQueued ? 1 : 0;
      s.failed += target.state == State::kFailed ? 1 : 0;
    }
    for (const std::size_t index : started_) {
      const Target& target = targets_[index];
      if (target.state != State::kRunning) continue;
      s.running_rows.push_back(
          {names_[index], "running", MillisSince(target.start), target.detail});
    }
    for (const std::size_t index : failed_) {
      s.failed_rows.push_back(
          {names_[index], "failed", targets_[index].elapsed_ms, targets_[index].detail});
    }
    return s;
  }

  // Back to the view's first line, and everything below it erased.
  std::string EraseSequence() const {
    return drawn_ == 0 ? std::string("\r") : fmt::format("\r\x1b[{}A\x1b[J", drawn_);
  }

  void Erase() {
    if (drawn_ == 0) return;
    terminal_ << EraseSequence() << std::flush;
    drawn_ = 0;
  }

  // Draws `lines` over the previous view, in one write.
  void Redraw(const std::vector<std::string>& lines) {
    std::string frame = EraseSequence();
    for (const std::string& line : lines) frame += line + "\n";
    terminal_ << frame << std::flush;
    drawn_ = lines.size();
  }

  using LogLine = std::pair<spdlog::level::level_enum, std::string>;

  void PrintWarnings(const std::vector<std::string>& warnings, const std::vector<LogLine>& logs) {
    for (const auto& [level, text] : logs) logger_->log(level, "{}", text);
    for (const std::string& warning : warnings) out_.Warning(warning);
  }

  Output& out_;
  std::ostream& terminal_;
  int fd_;
  std::string command_;
  std::vector<std::string> names_;
  std::vector<Target> targets_;
  std::chrono::milliseconds interval_;
  Clock::time_point start_;

  std::mutex mutex_;  // guards the members below but drawn_ (the drawing thread's)
  std::condition_variable wake_;
  std::vector<std::size_t> started_;
  std::vector<std::size_t> failed_;
  std::vector<std::string> warnings_;
  std::vector<std::pair<spdlog::level::level_enum, std::string>> logs_;
  std::vector<std::string> final_lines_;
  bool ended_ = false;

  std::shared_ptr<spdlog::logger> logger_;  // the process's logger, back at End
  std::size_t drawn_ = 0;                   // lines of the view on the screen
  std::thread drawer_;
};

}  // namespace

std::unique_ptr<FleetReporter> FleetReporter::Plain(Output& out) {
  return std::make_unique<PlainReporter>(out);
}

std::unique_ptr<FleetReporter> FleetReporter::Live(Output& out, std::ostream& terminal, int fd,
                                                   std::string command,
                                                   std::vector<std::string> names,
                                                   int interval_ms) {
  return std::make_unique<LiveReporter>(out, terminal, fd, std::move(command), std::move(names),
                                        interval_ms);
}

}  // namespace strata::cli
