// HTTP routes of the cross-region service (跨省通办), under /api/v1/xregion: the installation's
// identity, partners and agreements (xregion.manage), the offers the portal and windows show,
// the inbox partners post signed envelopes to (authenticated by the envelope's signature, not by
// a token), cross-region cases and their steps, the outbox with its dead letters, and the message
// log with its verification. HttpTransport posts envelopes to partners over HTTP or HTTPS.
#pragma once

#include <functional>
#include <string>

#include "api/auth.h"
#include "api/server.h"
#include "xregion/service.h"

namespace tongban::api {

struct XregionRouteOptions {
  // This installation's licence root certificate (PEM), which GET identity gives partners so
  // that its licences verify there; absent: none given.
  std::function<Result<std::string>()> licence_root = {};
  // Asks partners about their licences (revocation) when one is verified here; null: not asked,
  // so a partner's licence verifies as "revocation unknown".
  xregion::Transport* transport = nullptr;
  // This installation's licence register, which answers partners' status queries; null: the
  // status route answers 404.
  licences::LicenceService* licence_register = nullptr;
};

void RegisterXregionRoutes(Server& server, xregion::Service& service, const Auth& auth,
                           const XregionRouteOptions& options = {});

// Posts to `base_url` + "/api/v1/xregion/messages" with cpp-httplib: plain HTTP, or HTTPS
// (standard TLS through OpenSSL, the server's certificate verified against the system's CA
// store) when the partner's URL starts with https://.
class HttpTransport final : public xregion::Transport {
 public:
  xregion::PostAnswer Post(const std::string& base_url, const std::string& body) override;
  // Posts to `base_url` + "/api/v1/xregion/licences/status", the same way.
  xregion::PostAnswer AskLicenceStatus(const std::string& base_url,
                                       const std::string& body) override;
};

}  // namespace tongban::api
