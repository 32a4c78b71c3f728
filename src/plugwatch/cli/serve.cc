#include <boost/asio/io_context.hpp>

#include "plugwatch/cli/command.h"
#include "plugwatch/cli/run_service.h"
#include "plugwatch/core/log.h"

namespace plugwatch::cli {

void RegisterServe(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("serve", "run the service from a config file");
  auto path = std::make_shared<std::string>("plugwatch.toml");
  cmd->add_option("-c,--config", *path, "config file")->capture_default_str();
  cmd->callback([&ctx, path] {
    auto cfg = config::LoadFile(*path);
    if (!cfg) Throw(cfg.error(), kExitUsage);
    spdlog::set_level(spdlog::level::from_str(cfg->log.level));
    boost::asio::io_context io(1);
    ctx.exit_code = RunWithApi(io, std::move(*cfg), engine::ServiceOptions{});
  });
}

}  // namespace plugwatch::cli
