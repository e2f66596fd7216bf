// `strata db ping`: connect to the target and report what it is.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "base/clock.h"
#include "base/duration.h"
#include "cli/command.h"
#include "db/open.h"

namespace strata::cli {
namespace {

struct PingOptions {
  std::string wait = "0s";  // --wait: keep retrying a failed connection this long (default 0s)
};

// Connects, retrying connection failures until `wait` has passed: in a pipeline the database
// often starts alongside the job. Other errors (a malformed URL) fail at once.
Result<std::unique_ptr<db::Connection>> ConnectWithin(const Context& ctx,
                                                      std::chrono::milliseconds wait) {
  STRATA_ASSIGN_OR_RETURN(db::Url url, ctx.TargetUrl());
  STRATA_ASSIGN_OR_RETURN(db::ConnectOptions options, ctx.ConnectOptionsFor());
  Clock& clock = Clock::Real();
  const auto deadline = clock.Now() + wait;
  while (true) {
    auto conn = db::Open(url, options);
    if (conn || conn.error().code != ErrorCode::kConnection) return conn;
    const auto left = deadline - clock.Now();
    if (left <= Clock::Duration::zero()) return conn;
    spdlog::info("waiting for {}: {}", url.Redacted(), conn.error().message);
    clock.SleepFor(std::min<Clock::Duration>(left, std::chrono::seconds(1)));
  }
}

Status RunPing(Context& ctx, const PingOptions& options) {
  STRATA_ASSIGN_OR_RETURN(std::chrono::milliseconds wait, ParseDuration(options.wait));
  STRATA_ASSIGN_OR_RETURN(std::unique_ptr<db::Connection> conn, ConnectWithin(ctx, wait));
  const db::ServerInfo& server = conn->server();
  ctx.out().Line(fmt::format("{} {} at {}", server.product, server.version, conn->display_url()));
  ctx.out().Json({{"product", server.product},
                  {"version", server.version},
                  {"version_number", server.version_number},
                  {"dialect", db::DialectName(conn->dialect())},
                  {"url", conn->display_url()}});
  return Ok();
}

}  // namespace

void RegisterDbCommands(CLI::App& app, CommandTable& table) {
  CLI::App* db = app.add_subcommand("db", "Database utilities");
  db->require_subcommand(1);

  auto options = std::make_shared<PingOptions>();
  CLI::App* ping = db->add_subcommand(
      "ping", "Connect to the target database and print its product and version");
  ping->add_option("--wait", options->wait,
                   "Keep retrying a failed connection for this long, e.g. 30s (default 0s)");
  table.Add(ping, [options](Context& ctx) { return RunPing(ctx, *options); });
}

}  // namespace strata::cli
