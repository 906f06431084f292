// HTTP routes of 好差评 (evaluation; JSON <-> evaluation:: types, see docs/evaluation.md):
//   POST /api/v1/cases/{number}/evaluations          一事一评 by the case's applicant
//   POST /api/v1/visits                              a clerk opens a window or kiosk visit
//   POST /api/v1/visits/{id}/evaluation-requests     the clerk asks the rating device (answers
//                                                    with the rating) or for a QR token
//   POST /api/v1/evaluation-tokens/{token}           the applicant rates by the QR code
//   GET  /api/v1/evaluations                         staff listing within evaluation.read
//   GET  /api/v1/rectifications[/{id}]               rectification items within the grants
//   POST /api/v1/rectifications/{id}/{action}        callback, rectify, explain, appeal,
//                                                    review, rate
//   GET  /api/v1/public/evaluation-statistics        public figures, no personal data
#pragma once

#include "api/auth.h"
#include "api/server.h"
#include "evaluation/service.h"

namespace tongban::api {

// Registers the routes above. `evaluation` and `auth` must outlive `server`.
void RegisterEvaluationRoutes(Server& server, evaluation::EvaluationService& evaluation,
                              const Auth& auth);

}  // namespace tongban::api
