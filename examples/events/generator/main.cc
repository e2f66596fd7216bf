// strata-events-generate: fills the event platform example's tables with deterministic legacy
// data (see generator.h) and prints what a complete view-metrics backfill must then add.
//
//   strata-events-generate --url URL --events N [--seed S] [--zone Asia/Seoul]
//                          [--covered-fraction 0.2] [--batch 1000] [--append] [--json]
//
// The password comes from the URL or STRATA_PASSWORD and is never printed. Exit codes are
// strata's (cli/exit_codes.h): 0 done, 1 failure, 2 usage (also: tables not empty without
// --append), 5 connection.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/exit_codes.h"
#include "db/open.h"
#include "db/url.h"
#include "examples/events/generator/generator.h"

namespace strata::examples::events {
namespace {

constexpr const char* kProgram = "strata-events-generate";

int Fail(const Error& error, bool json) {
  std::cerr << kProgram << ": error: " << error.message << '\n';
  if (json) {
    // Same shape as strata's own --json failures, so one reader handles both.
    const nlohmann::json detail = {{"code", ErrorCodeName(error.code)}, {"message", error.message}};
    std::cout << nlohmann::json{{"error", detail}}.dump() << '\n';
  }
  return cli::ExitCodeFor(error);
}

int Run(const std::string& url_text, GeneratorOptions options, bool json) {
  auto url = db::ParseUrl(url_text);
  if (!url) return Fail(url.error(), json);
  db::ConnectOptions connect;
  connect.application_name = kProgram;
  if (const char* password = std::getenv("STRATA_PASSWORD"); password != nullptr && *password) {
    connect.password = password;
  }
  auto conn = db::Open(*url, connect);
  if (!conn) return Fail(conn.error(), json);

  // A progress line only for a person watching: pipes and CI logs get just the summary.
  const bool show_progress = ::isatty(STDERR_FILENO) != 0;
  if (show_progress) {
    const std::int64_t total = options.events;
    options.on_batch = [total](std::int64_t written) {
      std::cerr << '\r' << kProgram << ": " << written << " / " << total << " events" << std::flush;
    };
  }
  auto summary = GenerateLegacyData(**conn, options);
  if (show_progress && options.events > 0) std::cerr << '\n';
  if (!summary) return Fail(summary.error(), json);
  std::cout << (json ? SummaryJson(*summary) : SummaryLine(*summary)) << '\n';
  return cli::kExitOk;
}

}  // namespace
}  // namespace strata::examples::events

int main(int argc, char** argv) {
  using strata::examples::events::GeneratorOptions;
  CLI::App app{
      "Writes deterministic legacy event data (events, statistics, some view metrics) into the "
      "event platform example's tables and prints how many metric rows a complete backfill "
      "must add.",
      strata::examples::events::kProgram};
  std::string url;
  GeneratorOptions options;
  bool json = false;
  app.add_option("--url", url, "database URL; the password may come from STRATA_PASSWORD")
      ->required();
  app.add_option("--events", options.events, "number of events to generate")->required();
  app.add_option("--seed", options.seed, "random seed: equal seeds give equal data")
      ->capture_default_str();
  app.add_option("--zone", options.zone, "the platform zone (MariaDB DATETIMEs, metric days)")
      ->capture_default_str();
  app.add_option("--covered-fraction", options.covered_fraction,
                 "share of statistics that already have some metric rows (0..1)")
      ->capture_default_str();
  app.add_option("--batch", options.batch, "events per transaction")->capture_default_str();
  app.add_flag("--append", options.append,
               "add to tables that already hold rows, with ids after theirs");
  app.add_flag("--json", json, "print the summary as one JSON object");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? strata::cli::kExitOk : strata::cli::kExitUsage;
  }
  return strata::examples::events::Run(url, std::move(options), json);
}
