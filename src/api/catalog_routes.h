// The catalog over HTTP. Reads are public (政务公开); writes need a bearer token whose grants
// hold catalog.write / catalog.approve / catalog.publish over the matter's region and
// department. Updates name the revision they saw in If-Match (the ETag of the last read).
#pragma once

#include "api/auth.h"
#include "api/server.h"
#include "catalog/service.h"

namespace tongban::api {

void RegisterCatalogRoutes(Server& server, catalog::CatalogService& catalog, const Auth& auth);

}  // namespace tongban::api
