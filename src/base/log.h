// Logging through spdlog: one logger, JSON-free plain lines with the request id when known.
#pragma once

#include <spdlog/spdlog.h>

#include <string_view>

namespace tongban {

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

// Sets the process-wide level. Tests call it with kWarn to keep their output short.
void SetLogLevel(LogLevel level);
// Parses "debug", "info", "warn", "error", "off".
bool ParseLogLevel(std::string_view text, LogLevel* level);

}  // namespace tongban
