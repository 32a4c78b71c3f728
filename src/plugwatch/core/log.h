// The logging facade over spdlog. One process-wide logger writing to stderr
// (journald-friendly: no colours when not a TTY). info = lifecycle with
// identifying fields, warn = transient failure with a hint, error = failed
// state, debug = protocol frames. Never log secrets. Thread-safe.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace plugwatch::log {

// level: "trace", "debug", "info", "warn", "error", "off". Unknown → info.
void Init(std::string_view level = "info");

using spdlog::debug;
using spdlog::error;
using spdlog::info;
using spdlog::warn;

}  // namespace plugwatch::log
