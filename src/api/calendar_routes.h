// Working-day calendars over HTTP (calendars/service.h holds the rules):
//   GET /api/v1/calendars/{region}/{year}   the year day by day (public: holidays are published),
//                                           with the national schedule and the region's additions
//   PUT /api/v1/calendars/{region}/{year}   {"source", "holidays": [{"name", "from", "to",
//       "make_up_working_days": [...]}], "version"}: replaces the region's additions ("cn": the
//       national schedule), calendar.write over the region ("cn": over every region); `version`
//       is the one read (0 before the first change), 412 when another change came first
#pragma once

#include <nlohmann/json.hpp>

#include "api/auth.h"
#include "api/server.h"
#include "calendars/service.h"

namespace tongban::api {

// `calendars` and `auth` must outlive `server`.
void RegisterCalendarRoutes(Server& server, calendars::CalendarService& calendars,
                            const Auth& auth);

nlohmann::json CalendarYearToJson(const calendars::CalendarYear& year);

}  // namespace tongban::api
