// How commands talk to the person or machine that ran them. Human text and tables go to
// stdout, JSON documents (with --json) go to stdout, errors and logs go to stderr. Engines
// never print: commands render the results engines return through this class.
#ifndef STRATA_CLI_OUTPUT_H_
#define STRATA_CLI_OUTPUT_H_

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace strata::cli {

class Output {
 public:
  // `color`: whether human output may use ANSI colors (a terminal, no --no-color, no NO_COLOR).
  Output(std::ostream& out, std::ostream& err, bool json, bool color)
      : out_(out), err_(err), json_(json), color_(color) {}

  bool json() const { return json_; }

  // A line of human output (suppressed with --json).
  void Line(std::string_view text);
  // A table with a header row (suppressed with --json). Columns are padded to fit.
  void Table(const std::vector<std::string>& header,
             const std::vector<std::vector<std::string>>& rows);
  // The machine-readable result document (only with --json): one JSON value, one line.
  void Json(const nlohmann::json& document);
  // A failure: "strata: error: <message>" on stderr; with --json also {"error": {...}} on
  // stdout so that a pipeline reading stdout always gets a document.
  void Failure(const Error& error);
  // A warning on stderr: "strata: warning: <message>".
  void Warning(std::string_view text);

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
  bool json_printed_ = false;  // a result document went out: a failure adds none
};

}  // namespace strata::cli

#endif  // STRATA_CLI_OUTPUT_H_
