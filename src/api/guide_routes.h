// The guide's one answer (智能导办, issue 7 item 5): once POST /api/v1/matters/{code}/guide
// selects a scenario, its JSON answer also carries
//   "form":    the scenario's form; for a signed-in applicant pre-filled from the registers and
//              licences (the form route's answer: fields with value and source, ?uscc= for an
//              enterprise, ?id_number= for a clerk with the card's number); anonymous: the
//              fields with null values
//   "sources": for a signed-in applicant, the jurisdiction and each material's source as an
//              application now would resolve them (null anonymous; "sources_problem" says why
//              they could not be resolved, e.g. what the registers contradict)
// so the portal needs no second call. The printable checklist (?format=text|html) is unchanged.
#pragma once

#include "api/auth.h"
#include "api/catalog_routes.h"
#include "api/register_routes.h"
#include "sources/service.h"

namespace tongban::api {

// The hook RegisterCatalogRoutes runs on the guide's answer; everything passed outlives it.
// `prefill` may be empty (no registers: every form anonymous), `sources` null.
GuideAnswerHook GuideAnswer(const Auth& auth, FormPrefill prefill, sources::SourceService* sources);

}  // namespace tongban::api
