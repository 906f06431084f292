#include "app/config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdlib>

namespace tongban::app {
namespace {

Result<int> ParsePositive(const std::string& what, const std::string& text, int max) {
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 1 || v > max) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{} must be an integer from 1 to {}, not '{}'", what, max, text));
  }
  return v;
}

Status Apply(Config& c, const std::string& key, const std::string& value) {
  if (key == "db") {
    c.db_url = value;
  } else if (key == "listen") {
    return ParseListen(value, c.server);
  } else if (key == "threads") {
    TB_ASSIGN_OR_RETURN(c.server.threads, ParsePositive(key, value, 256));
  } else if (key == "keep_alive_max") {
    TB_ASSIGN_OR_RETURN(c.server.keep_alive_max_count, ParsePositive(key, value, 100000));
  } else if (key == "max_body_bytes") {
    TB_ASSIGN_OR_RETURN(int v, ParsePositive(key, value, 1 << 30));
    c.server.max_body_bytes = static_cast<size_t>(v);
  } else if (key == "read_timeout_s") {
    TB_ASSIGN_OR_RETURN(c.server.read_timeout_s, ParsePositive(key, value, 3600));
  } else if (key == "tls_cert") {
    c.server.tls_cert_file = value;
  } else if (key == "tls_key") {
    c.server.tls_key_file = value;
  } else if (key == "signing_key") {
    c.signing_key = value;
  } else if (key == "workflow_poll_ms") {
    TB_ASSIGN_OR_RETURN(int ms, ParsePositive(key, value, 3'600'000));
    c.workflow_poll = std::chrono::milliseconds(ms);
  } else if (key == "rectification_limits") {
    c.rectification_limits = value;
  } else if (key == "supervision_interval_s") {
    TB_ASSIGN_OR_RETURN(int s, ParsePositive(key, value, 86'400));
    c.supervision_interval = std::chrono::seconds(s);
  } else if (key == "material_reuse_days") {
    TB_ASSIGN_OR_RETURN(c.material_reuse_days, ParsePositive(key, value, 3650));
  } else if (key == "certificate_request_days") {
    TB_ASSIGN_OR_RETURN(c.certificate_request_days, ParsePositive(key, value, 60));
  } else if (key == "master_key") {
    c.master_key = value;
  } else if (key == "public_url") {
    c.public_url = value;
  } else if (key == "web_dir") {
    c.server.web_dir = value;
  } else if (key == "log_level") {
    if (!ParseLogLevel(value, &c.log_level)) {
      return Error(
          ErrorCode::kInvalidArgument,
          fmt::format("log_level must be debug, info, warn, error or off, not '{}'", value));
    }
  } else {
    return Error(ErrorCode::kInvalidArgument, fmt::format("unknown configuration key '{}'", key));
  }
  return Ok();
}

}  // namespace

Status ParseListen(const std::string& listen, api::ServerOptions& server) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("listen address must be HOST:PORT, not '{}'", listen));
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  int port = 0;
  const std::string p = listen.substr(colon + 1);
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc() || end != p.data() + p.size() || port < 0 || port > 65535) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("port must be 0 to 65535, not '{}'", p));
  }
  server.host = host.empty() ? "0.0.0.0" : host;
  server.port = port;
  return Ok();
}

Status LoadConfigFile(const std::string& path, Config& config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("configuration {}: {}", path, e.what()));
  }
  if (!root.IsMap()) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("configuration {} must be a mapping", path));
  }
  FieldErrors errors;
  for (const auto& kv : root) {
    const std::string key = kv.first.as<std::string>();
    if (!kv.second.IsScalar()) {
      errors.Add(key, "must be a single value");
      continue;
    }
    Status s = Apply(config, key, kv.second.as<std::string>());
    if (!s.ok()) errors.Add(key, s.error().message());
  }
  if (!errors.empty()) return errors.ToError(fmt::format("configuration {} is invalid", path));
  return Ok();
}

Status ApplyEnvironment(Config& config) {
  static const std::pair<const char*, const char*> kVars[] = {
      {"TONGBAN_DB", "db"},
      {"TONGBAN_LISTEN", "listen"},
      {"TONGBAN_THREADS", "threads"},
      {"TONGBAN_TLS_CERT", "tls_cert"},
      {"TONGBAN_TLS_KEY", "tls_key"},
      {"TONGBAN_WEB_DIR", "web_dir"},
      {"TONGBAN_LOG_LEVEL", "log_level"},
      {"TONGBAN_WORKFLOW_POLL_MS", "workflow_poll_ms"},
      {"TONGBAN_SUPERVISION_INTERVAL_S", "supervision_interval_s"}};
  for (const auto& [var, key] : kVars) {
    const char* v = std::getenv(var);
    if (!v || !*v) continue;
    Status s = Apply(config, key, v);
    if (!s.ok())
      return Error(ErrorCode::kInvalidArgument, fmt::format("{}: {}", var, s.error().message()));
  }
  return Ok();
}

}  // namespace tongban::app
