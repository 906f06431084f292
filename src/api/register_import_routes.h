// Register imports over HTTP (registers/import_jobs.h holds the rules):
//   POST /api/v1/register-imports?kind=persons|entities&file_name=…   the CSV as the body
//        (text/csv): 202 with the queued job and its Location, 200 when the same bytes were
//        uploaded before (that job); register.write, rows outside the starter's scope are bad
//   GET  /api/v1/register-imports                  the caller's visible jobs, newest first
//   GET  /api/v1/register-imports/{id}             state and progress (rows read, imported,
//                                                  bad, percent, rows per second)
//   GET  /api/v1/register-imports/{id}/bad-rows    the bad rows as CSV "line,field,reason"
#pragma once

#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "api/server.h"
#include "registers/import_jobs.h"

namespace tongban::api {

// `jobs` and `auth` must outlive `server`.
void RegisterRegisterImportRoutes(Server& server, registers::ImportJobs& jobs, const Auth& auth);

nlohmann::json ImportJobToJson(const registers::ImportJob& job);

}  // namespace tongban::api
