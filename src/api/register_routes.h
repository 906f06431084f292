// The person and entity registers over HTTP (registers/register.h holds the rules):
//   GET  /api/v1/persons?id_number=…                 find through the blind index, masked
//   GET  /api/v1/persons?region=…&after=…&limit=…    list a region's subtree, masked
//   GET  /api/v1/persons/{id}                        one person, masked
//   POST /api/v1/persons/{id}/full-read              {"purpose": {"code", "text"}}: in clear,
//                                                    register.read_full and a purpose, traced
//   GET  /api/v1/persons/{id}/history                who changed what, when
//   GET  /api/v1/entities?uscc=…                     find an entity by USCC
//   GET  /api/v1/entities/{uscc}                     one entity
//   GET  /api/v1/entities/{uscc}/history
// Every route needs register.read over the record's region (household / registered region);
// refusals are traced by the service.
//
// Forms that fill themselves and the kiosk (registers/forms.h, devices/id_card_reader.h):
//   POST /api/v1/id-card-reads                       {"terminal"}: the card on that terminal's
//                                                    reader (404 no card, 503 unreadable)
//   GET  /api/v1/matters/{code}/scenarios/{s}/form?id_number=…&uscc=…
//        the scenario's form pre-filled for the applicant, each field with its source. A
//        citizen fills from their own record (no id_number, or their own); a clerk names the
//        ID number (or USCC) read from the card and needs register.read_full (traced with the
//        purpose case_handling).
//   POST /api/v1/matters/{code}/scenarios/{s}/form/check   {"form": {...}}: the validations
//        the submission runs, 200 {"valid", "errors"}
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "api/auth.h"
#include "api/server.h"
#include "catalog/service.h"
#include "devices/id_card_reader.h"
#include "licences/service.h"
#include "registers/register.h"

namespace tongban::api {

// `registers` and `auth` must outlive `server`.
void RegisterRegisterRoutes(Server& server, registers::Registers& registers, const Auth& auth);

struct FormRouteOptions {
  licences::LicenceService* licences = nullptr;  // none: licence("…") is always null
  devices::IdCardReader* reader = nullptr;       // none: /id-card-reads answers 503
  // Demo only: PUT/DELETE /api/v1/dev/id-card-readers/{terminal} put a person's card on (or take
  // it off) this simulated reader, as a person at a kiosk or window would; none: not served.
  devices::SimulatedIdCardReader* card_slot = nullptr;
};
// The scenario's form pre-filled for `caller` as the form route answers it: the caller's own
// record when `id_number` is empty (a clerk names the card's), and the enterprise `uscc` when
// given. kNotFound for an unknown matter or scenario; register refusals as the registers say.
using FormPrefill = std::function<Result<nlohmann::json>(
    const people::Principal& caller, const std::string& matter, const std::string& scenario,
    const std::string& id_number, const std::string& uscc)>;
// The form and kiosk routes above; everything passed must outlive `server`. Returns the
// pre-fill the form route runs, for the guide's one answer (guide_routes.h).
FormPrefill RegisterFormRoutes(Server& server, registers::Registers& registers,
                               catalog::CatalogService& catalog, const Auth& auth,
                               FormRouteOptions options);

// The JSON of a person (masked or full, as the service returned it) and of an entity.
nlohmann::json PersonToJson(const registers::Person& p);
nlohmann::json EntityToJson(const registers::Entity& e);

}  // namespace tongban::api
