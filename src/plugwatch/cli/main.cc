#include <cstdio>

#include "plugwatch/cli/command.h"
#include "plugwatch/core/log.h"
#include "plugwatch/notify/telegram/extension.h"

namespace plugwatch::cli {

int Main(int argc, char** argv) {
  CLI::App app{"plugwatch — watches the electricity in homes and small sites", "plugwatch"};
  app.require_subcommand(1);
  app.fallthrough();
  std::string level;
  app.add_option("--log-level", level,
                 "trace | debug | info | warn | error | off (default: info for serve, demo, "
                 "sim and heartbeat; off for one-shot commands, which print their own one-line "
                 "errors)");
  app.parse_complete_callback([&] {
    if (level.empty())
      level = app.got_subcommand("serve") || app.got_subcommand("demo") ||
                      app.got_subcommand("sim") || app.got_subcommand("heartbeat")
                  ? "info"
                  : "off";
    log::Init(level);
  });
  // The Telegram module plugs into every notification runtime (serve, notify test).
  static SystemClock telegram_clock;
  notify::NotifyExtensions().push_back(notify::telegram::MakeTelegramExtension(telegram_clock));
  Context ctx;
  using Registrar = void (*)(CLI::App&, Context&);
  for (Registrar r : {RegisterServe, RegisterDemo, RegisterSim, RegisterDevice, RegisterEvents,
                      RegisterPower, RegisterHeartbeat, RegisterAdmin, RegisterNotify})
    r(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "plugwatch: %s — see `plugwatch --help`\n", e.what());
    return kExitUsage;
  } catch (const Exit& e) {
    if (!e.message.empty()) std::fprintf(stderr, "plugwatch: %s\n", e.message.c_str());
    return e.code;
  }
  return ctx.exit_code;
}

}  // namespace plugwatch::cli
