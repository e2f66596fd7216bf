// How commands talk to the person or machine that ran them. Human text and tables go to
// stdout, JSON documents (with --json) go to stdout, errors and logs go to stderr. Engines
// never print: commands render the results engines return through this class.
//
// The JSON contract (docs/json.md, schemas in docs/json-schema/): with --json, stdout holds
// exactly one result document per run, printed when the run ends (Finish), carrying
// "schema_version" and "command" and, when the run failed, "error" (ErrorJson) beside whatever
// result the command had when it failed. `backfill run` streams progress events before it, one
// JSON line each (Event).
#ifndef STRATA_CLI_OUTPUT_H_
#define STRATA_CLI_OUTPUT_H_

#include <functional>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace strata::cli {

// The version of the JSON contract every document carries as "schema_version". Raised on a
// change that can break a reader (a field removed, renamed or retyped, a value renamed);
// fields added keep it.
inline constexpr int kJsonSchemaVersion = 1;

// An enumerated value as JSON documents spell it: snake_case ASCII, e.g. "Out of Order" ->
// "out_of_order", "Failed (Missing)" -> "failed_missing", "SQL_BASELINE" -> "sql_baseline".
std::string JsonName(std::string_view name);

// The stable snake_case `kind` of an error code, e.g. kLockTimeout -> "lock_timeout".
std::string_view ErrorKindName(ErrorCode code);

// The "error" object of a failure: {"kind", "exit_code", "message"}, plus "file", "line",
// "column" when the message starts with a location ("V2__x.sql:3:1: ..."), "sqlstate" and
// "server_errno" when the server gave them, "transient": true when retrying may succeed.
// `kind` overrides the kind derived from the code ("usage" for a bad command line).
nlohmann::json ErrorJson(const Error& error, std::optional<std::string_view> kind = {});

// Sees what a command says while it runs, even with --json, where lines are not printed: a
// fleet's live view shows each target's latest line (cli/fleet_live.h). Called on the thread
// that says it.
struct OutputObserver {
  std::function<void(std::string_view)> line;        // each Line and Warning text
  std::function<void(const nlohmann::json&)> event;  // each Event (json or not)
};

class Output {
 public:
  // `color`: whether human output may use ANSI colors (a terminal, no --no-color, no NO_COLOR).
  Output(std::ostream& out, std::ostream& err, bool json, bool color)
      : out_(out), err_(err), json_(json), color_(color) {}

  bool json() const { return json_; }

  // The command the document is about, as typed: "migrate", "schema verify" ("" while the
  // command line is not understood: the document says null).
  void SetCommand(std::string command) { command_ = std::move(command); }

  // Tells `observer` what the command says from now on (see OutputObserver).
  void Observe(OutputObserver observer) { observer_ = std::move(observer); }

  // A line of human output (suppressed with --json).
  void Line(std::string_view text);
  // A table with a header row (suppressed with --json). Columns are padded to fit.
  void Table(const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows);
  // Sets the result document (only with --json; a later call replaces it). Printed by Finish,
  // so that a failure after it adds its "error" to the same document.
  void Json(const nlohmann::json& document);
  // A progress event (only with --json): one JSON line on stdout now, with "schema_version".
  void Event(const nlohmann::json& event);
  // A warning on stderr: "strata: warning: <message>".
  void Warning(std::string_view text);

  // Ends the run and returns its exit code: on failure "strata: error: <message>" on stderr;
  // with --json the result document (or {} when the command set none) on stdout, with
  // "schema_version", "command" and, on failure, "error" (ErrorJson, with `kind`).
  int Finish(const Status& status, std::optional<std::string_view> kind = {});

  // Wraps text in color codes when color is on.
  std::string Green(std::string_view text) const;
  std::string Red(std::string_view text) const;
  std::string Yellow(std::string_view text) const;
  std::string Bold(std::string_view text) const;

 private:
  std::string Paint(std::string_view code, std::string_view text) const;

  std::ostream& out_;
  std::ostream& err_;
  bool json_;
  bool color_;
  std::string command_;
  nlohmann::json document_ = nlohmann::json::object();
  OutputObserver observer_;
};

}  // namespace strata::cli

#endif  // STRATA_CLI_OUTPUT_H_
