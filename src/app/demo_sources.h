// The demo's material sources (四个一批): applications of one demo citizen, 周德华, made through
// the submission hook so that every source occurs in `serve --demo` — fetched e-licences (with
// 授权用证), a reused photo, certificate requests to the 民政局 (one answered with a sealed
// e-certificate, one waiting in the inbox of xintian.certificate_issuer), a commitment, waived
// materials and uploads. Before them, each demo enterprise receives its 营业执照 from its
// county's 市场监管局, so that its forms fill their address and its applications fetch it.
#pragma once

#include "cases/service.h"
#include "licences/service.h"
#include "registers/register.h"
#include "sources/service.h"

namespace tongban::app {

struct DemoSources {
  int cases = 0;  // 0 when they were there already
};

// Once per database: does nothing when material sources were already recorded.
Result<DemoSources> LoadDemoSources(store::Database& db, cases::CaseService& cases,
                                    sources::SourceService& sources,
                                    licences::LicenceService& licences);

}  // namespace tongban::app
