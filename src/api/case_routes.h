// HTTP routes of cases (办件; JSON <-> cases:: types, see docs/ARCHITECTURE.md "Cases"):
//   POST /api/v1/cases                                   submit (Idempotency-Key)
//   GET  /api/v1/cases?number=&applicant=&matter=&state=&region=&department=&from=&to=
//        &overdue=&limit=&cursor=                        staff search within the caller's grants
//   GET  /api/v1/me/cases                                the caller's own cases with progress
//   GET  /api/v1/cases/{number}                          the case with its clock and documents
//   POST /api/v1/cases/{number}/{action}                 accept, refuse, correction, fix,
//                                                        withdraw, suspend, resume, extend,
//                                                        approve, deny, conclude (If-Match)
//   PUT  /api/v1/cases/{number}/materials/{index}        upload a material's bytes
//   POST /api/v1/cases/{number}/materials/{index}        an e-licence or register reference
//   GET  /api/v1/cases/{number}/materials/{index}        the uploaded bytes
//   GET  /api/v1/cases/{number}/documents/{id}           a sealed document
//   GET  /api/v1/cases/{number}/documents/{id}/verification   whether its seal verifies
//   GET  /api/v1/acceptance-queue                        a clerk's queue, keyset-paged
//   GET  /api/v1/supervision/deemed-accepted             第32条: silent for 5 working days
// Fees, notices, delivery and termination (RegisterCaseFulfilmentRoutes, called by the above):
//   GET  /api/v1/cases/{number}/fees | payment | delivery
//   POST /api/v1/cases/{number}/payment/waiver           减免 with its reason
//   POST /api/v1/payment-notifications                   the platform's signed callback
//   POST /api/v1/cases/{number}/delivery                 第44条 送达 (window, mail, electronic)
//   POST /api/v1/cases/{number}/terminate                终止 with its reason (If-Match)
//   GET  /api/v1/supervision/overdue-gaps                容缺 deadlines missed
//   GET  /api/v1/me/notices, POST /api/v1/me/notices/{id}/read   the applicant's notices
//   GET|POST /api/v1/cases/{number}/verification         告知承诺 核查 and its findings
//   GET  /api/v1/verifications                           open verifications, earliest due first
//   GET  /api/v1/credit/{applicant_code}, POST /api/v1/credit, POST /api/v1/credit/{id}/repair
// Demo only (RegisterPaymentSimulatorRoutes, when the server runs the demo):
//   POST /api/v1/dev/payment-simulator/payments/{id}     the simulated platform's cashier
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "api/auth.h"
#include "api/server.h"
#include "cases/service.h"

namespace tongban::api {

// Registers the routes above (the listings and the fulfilment routes too). `cases` and `auth`
// must outlive `server`.
// The result licence a case's conclusion issued (办结出证, src/sources), as JSON or null: shown
// with the case and its delivery.
using ResultLicenceLookup = std::function<Result<nlohmann::json>(const std::string& number)>;
void RegisterCaseRoutes(Server& server, cases::CaseService& cases, const Auth& auth,
                        ResultLicenceLookup result_licence = {});
// The searches, the applicant's cases, the acceptance queue, the cases deemed accepted and the
// review inbox (case_listing_routes.cc); called by RegisterCaseRoutes.
void RegisterCaseListingRoutes(Server& server, cases::CaseService& cases, const Auth& auth);
// Fees, payment, delivery, termination, verification, credit, notices
// (case_fulfilment_routes.cc); called by RegisterCaseRoutes.
void RegisterCaseFulfilmentRoutes(Server& server, cases::CaseService& cases, const Auth& auth,
                                  ResultLicenceLookup result_licence = {});
// The simulated payment platform's cashier, for the demo's pages: the applicant "pays" (or the
// payment fails) and the platform's signed callback reaches the case as a real one would. Not
// registered when the case service has a real gateway (no simulator).
void RegisterPaymentSimulatorRoutes(Server& server, cases::CaseService& cases);

}  // namespace tongban::api
