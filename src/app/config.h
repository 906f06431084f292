// Configuration of a tongban installation: defaults, then a YAML file, then TONGBAN_*
// environment variables, then command-line flags, each overriding the one before.
#pragma once

#include <chrono>
#include <string>

#include "api/server.h"
#include "base/log.h"
#include "base/result.h"

namespace tongban::app {

struct Config {
  std::string db_url = "sqlite:tongban.db";
  api::ServerOptions server;
  LogLevel log_level = LogLevel::kInfo;
  // PEM file of the installation's SM2 signing key; empty: trace::DefaultSigningKeyPath().
  std::string signing_key;
  // The master key file encrypting private keys at rest; empty: app::DefaultMasterKeyPath().
  std::string master_key;
  // The public base URL printed in licences' QR codes (GET {public_url}/verify/{id}).
  std::string public_url = "http://localhost:8080";
  // serve --demo: load the demo data set into the database (once) and show the SMS simulator's
  // messages at GET /api/v1/dev/sms-outbox.
  bool demo = false;
  // How often `serve`'s workflow worker looks for due timers and runnable jobs when the last
  // look found none (it goes on at once while there is work).
  std::chrono::milliseconds workflow_poll{1000};
  // 差评整改 limits in working days per region, "431128:5,430181:7,*:15" (evaluation.md).
  std::string rectification_limits;
  // How often `serve` runs the supervision sweep (电子监察), 1 s to 1 day.
  std::chrono::seconds supervision_interval{300};
  // Material sources (src/sources) where the catalog's material sets none: how many days an
  // upload may be reused (复用, 1-3650) and the working days an issuer has to answer a
  // certificate request (在线开具).
  int material_reuse_days = 365;
  int certificate_request_days = 3;
};

// Reads `path` (YAML) over `config`. Keys: db, listen (HOST:PORT), threads, keep_alive_max,
// max_body_bytes, read_timeout_s, tls_cert, tls_key, web_dir, log_level, signing_key,
// workflow_poll_ms, rectification_limits, material_reuse_days, certificate_request_days. Unknown
// keys are refused so that a typo is not silently ignored.
Status LoadConfigFile(const std::string& path, Config& config);
// Applies TONGBAN_DB, TONGBAN_LISTEN, TONGBAN_THREADS, TONGBAN_TLS_CERT, TONGBAN_TLS_KEY,
// TONGBAN_WEB_DIR, TONGBAN_LOG_LEVEL, TONGBAN_WORKFLOW_POLL_MS when set.
Status ApplyEnvironment(Config& config);
// Parses "HOST:PORT" (or ":PORT") into the server options.
Status ParseListen(const std::string& listen, api::ServerOptions& server);

}  // namespace tongban::app
