// The JSON of cases shared by the case routes (case_routes.cc: submission, steps, materials and
// documents; case_listing_routes.cc: searches, queues and inboxes; case_fulfilment_routes.cc:
// fees, payment, delivery, verification, credit, notices). Internal to src/api.
#pragma once

#include <httplib.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "api/json_body.h"
#include "base/result.h"
#include "cases/service.h"

namespace tongban::api::case_json {

using nlohmann::json;

using api::Nullable;  // an empty string as null
json DateJson(const std::optional<Date>& d);
json ClockJson(const cases::CaseClock& k);
// A document as listed on its case, with the href that reads it.
json DocumentRef(const std::string& number, const cases::Document& d);
// The result licence of the case through `lookup` (null without a lookup or a licence).
json ResultLicence(const std::function<Result<json>(const std::string&)>& lookup,
                   const std::string& number);
// The case as GET /api/v1/cases/{number} answers it.
json CaseJson(const cases::Case& c);
json SummaryJson(const cases::CaseSummary& s);
json TimeJson(const std::optional<Timestamp>& t);
json StepJson(const cases::ReviewStep& s);
json ReviewJson(const cases::Review& r);
json BundleJson(const cases::BundleApplication& a);
// The applicant's view of how far the case is (submitted, accepted, decided, concluded).
json ProgressJson(const cases::Case& c);
// The case with its version as the ETag.
void WriteCase(httplib::Response& res, const cases::Case& c, int status = 200);
// A non-negative integer (a material index, a limit); nullopt for anything else.
std::optional<int> Index(const std::string& text);
// The version named by If-Match (`"3"`, `W/"3"` or `3`); nullopt when absent.
Result<std::optional<int64_t>> IfMatch(const httplib::Request& req);

}  // namespace tongban::api::case_json
