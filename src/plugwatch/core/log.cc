#include "plugwatch/core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <unistd.h>

namespace plugwatch::log {

void Init(std::string_view level) {
  auto logger = spdlog::stderr_color_mt("plugwatch");
  if (!isatty(STDERR_FILENO))
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  else
    logger->set_pattern("%H:%M:%S.%e %^%l%$ %v");
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") lvl = spdlog::level::info;
  logger->set_level(lvl);
  spdlog::set_default_logger(logger);
}

}  // namespace plugwatch::log
