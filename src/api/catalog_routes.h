// The catalog over HTTP. Reads are public (政务公开); writes need a bearer token whose grants
// hold catalog.write / catalog.approve / catalog.publish over the matter's region and
// department. Updates name the revision they saw in If-Match (the ETag of the last read).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>

#include "api/auth.h"
#include "api/server.h"
#include "catalog/service.h"

namespace tongban::api {

// `extra` completes the guide's JSON answer once it selects a scenario (guide_routes.h: the form
// pre-filled for the caller and each material's source); an error is the request's problem.
using GuideAnswerHook =
    std::function<Status(const httplib::Request& req, const catalog::Matter& matter,
                         const catalog::Scenario& scenario, nlohmann::json& answer)>;

void RegisterCatalogRoutes(Server& server, catalog::CatalogService& catalog, const Auth& auth,
                           const GuideAnswerHook& extra = {});

}  // namespace tongban::api
