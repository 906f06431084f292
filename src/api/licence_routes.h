// E-licences over HTTP. Verification is public and unauthenticated (anyone holding a licence,
// or scanning its QR code, may check it): POST /api/v1/licences/verify and the HTML page
// GET /verify/{id}. Issuing, renewing and reissuing need licence.issue, revoking licence.revoke,
// reading the register, the PDF and the QR code licence.read, each over the issuing department and
// its region, unless the caller holds the licence (GET /api/v1/me/licences lists those);
// rotating a department's key needs key.manage.
#pragma once

#include <string>

#include "api/auth.h"
#include "api/server.h"
#include "keys/key_store.h"
#include "licences/service.h"

namespace tongban::api {

struct LicenceRouteOptions {
  // The public base URL the QR codes point to, e.g. "https://zwfw.example.gov.cn".
  std::string public_base_url = "http://localhost:8080";
};

void RegisterLicenceRoutes(Server& server, licences::LicenceService& licences, keys::KeyStore& keys,
                           const Auth& auth, const LicenceRouteOptions& options);

// The HTML of the public verification page for `v` (Chinese, no scripts).
std::string VerificationPage(const std::string& id, const licences::Verification& v);

}  // namespace tongban::api
