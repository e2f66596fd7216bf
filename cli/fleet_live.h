// How a fleet run (cli/fleet.h) reports while it runs. Not on a terminal: one line per target as
// it finishes (FleetReporter::Plain). On a terminal: a live view redrawn in place (ANSI
// cursor-up and erase, no curses) — a header counting the targets by state, a row per running
// target saying what it is doing now, the failures so far — never taller than the terminal;
// when the run ends the view is replaced by the same lines a plain run prints, so the
// terminal's scrollback ends with the full result (docs/fleets.md, "Results").
#ifndef STRATA_CLI_FLEET_LIVE_H_
#define STRATA_CLI_FLEET_LIVE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "cli/config.h"
#include "cli/output.h"

namespace strata::cli {

// ---- The view, as a pure function ----------------------------------------------------------

// One row of the view: a running target, or a failed one.
struct LiveRow {
  std::string name;
  std::string state;            // "running" | "failed"
  std::int64_t elapsed_ms = 0;  // since it started (a failed target: how long it ran)
  std::string detail;           // what it is doing now, or its error
};

// What the view shows, taken under the reporter's lock.
struct LiveSnapshot {
  std::string command;  // "migrate", "backfill run"
  std::size_t total = 0;
  std::size_t done = 0;  // finished well
  std::size_t running = 0;
  std::size_t queued = 0;
  std::size_t failed = 0;
  std::int64_t elapsed_ms = 0;        // since the run started
  std::vector<LiveRow> running_rows;  // in the order they started
  std::vector<LiveRow> failed_rows;   // in the order they failed
};

// The lines of the view for a terminal `width` columns wide and at most `height` lines tall:
// the header, then the failures and the running targets. When they do not all fit, the
// failures keep at least half of the rows (all of them if they need no more), the running
// targets the rest, and the last row of each cut list says "... and N more running" / "...
// and N more failed". Every line is at most `width` columns (UTF-8 characters). No line when
// `height` or `width` is 0.
std::vector<std::string> RenderLiveView(const LiveSnapshot& snapshot, std::size_t width,
                                        std::size_t height);

// `text` cut to at most `width` UTF-8 characters, the last one "~" when something was cut;
// control characters (an escape sequence a command printed) become spaces.
std::string FitToWidth(std::string_view text, std::size_t width);

// What a command's progress event says in a row ("1200/5000 keys, 1100 rows written" for a
// backfill's progress), or "" for an event that says nothing worth a row.
std::string EventActivity(const nlohmann::json& event);

// Whether a fleet run gets the live view: stdout is a terminal (`interactive`), no --json, no
// --no-live, and TERM is set and not "dumb".
bool LiveViewWanted(bool interactive, bool json, bool no_live, const Getenv& getenv);

// ---- Reporting a run -----------------------------------------------------------------------

// Receives a fleet run's progress from its worker threads (thread-safe) and prints it. Targets
// are indexes into the fleet's list.
class FleetReporter {
 public:
  virtual ~FleetReporter() = default;

  // Target `index` started.
  virtual void Started(std::size_t index) = 0;
  // Target `index` said `line` (a line of its output, a warning) or sent `event`.
  virtual void Said(std::size_t index, std::string_view line) = 0;
  virtual void Sent(std::size_t index, const nlohmann::json& event) = 0;
  // A warning of a target, already naming it ("tenant_a: ...").
  virtual void Warning(std::string text) = 0;
  // Target `index` finished: `line` is its result line, `error` its error's first line ("" when
  // it succeeded).
  virtual void Finished(std::size_t index, bool ok, std::string line, std::string error) = 0;
  // The run is over: whatever is still to print is printed (the live view replaced by every
  // target's line, in the order they finished). Nothing prints after this but the caller's.
  virtual void End() = 0;

  // One line per target through `out` as it finishes, warnings as they come: output with no
  // terminal, or with --no-live.
  static std::unique_ptr<FleetReporter> Plain(Output& out);

  // The live view on `terminal` (stdout, a terminal), its size read with TIOCGWINSZ on `fd`
  // (80x24 when that fails), redrawn at most every `interval_ms` by a thread of its own that
  // also prints the warnings (through `out`) and the log lines (spdlog's default logger is
  // replaced until End) above it; `out` prints the final lines at End.
  static std::unique_ptr<FleetReporter> Live(Output& out, std::ostream& terminal, int fd,
                                             std::string command, std::vector<std::string> names,
                                             int interval_ms = 100);
};

}  // namespace strata::cli

#endif  // STRATA_CLI_FLEET_LIVE_H_
