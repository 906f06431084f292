// HTTP routes of people, roles and scope (JSON <-> people:: types; see docs/people.md):
//   POST   /api/v1/sms-codes                         a one-time code for a phone
//   POST   /api/v1/citizens                          register by real name with the code
//   POST   /api/v1/sessions                          log in -> bearer token
//   DELETE /api/v1/sessions/current                  log out
//   GET    /api/v1/me                                account, roles with scopes, enterprises
//   POST   /api/v1/enterprises                       register an enterprise (USCC)
//   GET    /api/v1/enterprises/{uscc}/agents         its agents (legal representative)
//   POST   /api/v1/enterprises/{uscc}/agents         authorise an agent
//   DELETE /api/v1/enterprises/{uscc}/agents/{id}    revoke an authorisation
//   POST   /api/v1/accounts                          create a staff account (account.create)
//   POST   /api/v1/accounts/{id}/roles               grant a role with a scope (role.grant)
//   DELETE /api/v1/accounts/{id}/roles/{grant}       revoke a grant (role.grant)
//   DELETE /api/v1/accounts/{id}/sessions            end every session of an account
//   GET    /api/v1/roles                             roles and permissions (role.read)
//   GET    /api/v1/dev/sms-outbox                    demo only: the SMS simulator's messages
#pragma once

#include "api/auth.h"
#include "api/server.h"
#include "people/service.h"
#include "people/sms.h"

namespace tongban::api {

struct PeopleRoutesOptions {
  // Demo and tests only: when set, GET /api/v1/dev/sms-outbox?phone=... lists the simulator's
  // messages so a person trying the demo can read the codes. Never set with a real gateway.
  const people::SimulatedSmsGateway* sms_outbox = nullptr;
};

// Registers the routes above. `people` and `auth` must outlive `server`.
void RegisterPeopleRoutes(Server& server, people::PeopleService& people, const Auth& auth,
                          PeopleRoutesOptions options);

}  // namespace tongban::api
