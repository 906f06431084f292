// HTTP routes of material sources, certificate requests and jurisdiction (src/sources):
//   POST /api/v1/matters/{code}/scenarios/{scenario}/sources   what an application would
//        resolve to now: the jurisdiction and each material's source (body: applicant, form,
//        authorised_licences; all optional)
//   GET  /api/v1/cases/{number}/sources          the case's recorded sources, 授权用证,
//                                                certificate requests and jurisdiction, and
//                                                the result licence its conclusion issued
//   GET  /api/v1/cases/{number}/licence          the result licence alone (办结出证): queued,
//                                                issued (id, PDF, verification) or failed
//   GET  /api/v1/certificate-requests?department=&limit=   an issuer's inbox (certificate.issue)
//   POST /api/v1/certificate-requests/{id}/answer   {"data": {...}}: the sealed e-certificate
//   POST /api/v1/certificate-requests/{id}/refuse   {"reason": "..."}
//   GET  /api/v1/reports/material-sources?region=&matter=&from=&to=   materials no longer
//        carried, per matter and overall (report.read)
#pragma once

#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "api/server.h"
#include "sources/case_licences.h"
#include "sources/service.h"

namespace tongban::api {

// `case_licences` may be null (no result licences: the routes answer null for them).
void RegisterSourceRoutes(Server& server, sources::SourceService& sources, const Auth& auth,
                          sources::CaseLicences* case_licences = nullptr);

// The result licence of case `number` (办结出证) as the routes show it, null when none; also
// shown with the case and its delivery (case_routes.h).
Result<nlohmann::json> CaseLicenceJson(sources::CaseLicences* case_licences,
                                       const std::string& number);

// The JSON forms, shared with the command line.
nlohmann::json SourceReportJson(const sources::SourceReport& report);
nlohmann::json ResolutionJson(const sources::Resolution& resolution);

}  // namespace tongban::api
