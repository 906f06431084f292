// The licence a case's conclusion issues (办结出证): when a case whose matter names a
// result_licence_type that the licence catalogue knows is concluded as approved, the e-licence
// of that type is issued to the applicant, its data fields filled from the case's form (the
// matter's licence_fields, else the field of the same name), signed by the deciding
// department's key, valid as the type says.
//
// Exactly once: the conclusion's transaction queues one job per case (this is a case
// observer); IssueDue issues the queued licences after the commit — the signing key is read
// (and on first use created) in a transaction of its own, which cannot run inside the
// conclusion's. The licence register's key on the case (licences::LicenceService::RecordCase)
// makes a retried job (a crash between the licence and the job's update, a restart) find the
// licence already issued instead of issuing another. Only a scenario of kind new issues a
// licence (a change, renewal or reissue changes the one held: LicenceService::Reissue, Renew).
// Refusal, denial, withdrawal and termination queue nothing. A bundle's sub-cases conclude one
// by one and each issues its own.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/result.h"
#include "cases/service.h"
#include "catalog/service.h"
#include "licences/service.h"
#include "store/database.h"
#include "store/queries.h"
#include "trace/trace.h"

namespace tongban::sources {

enum class CaseLicenceState { kPending, kIssued, kFailed };
std::string_view CaseLicenceStateName(CaseLicenceState s);

// One case's result licence as the job records it.
struct CaseLicence {
  std::string case_id;
  std::string case_number;
  std::string type_code;
  CaseLicenceState state = CaseLicenceState::kPending;
  std::string licence_id;  // once issued
  std::string error;       // why it failed (a field the form lacks, an issuer the type refuses)
  int64_t attempts = 0;
  int64_t queued_at_ms = 0;
  int64_t issued_at_ms = 0;
};

class CaseLicences final : public cases::CaseObserver {
 public:
  // Every reference outlives the object; `db` carries Migrations() (sources) and the licences'
  // migrations. `next` continues the observer chain (may be null).
  static Result<std::unique_ptr<CaseLicences>> Create(store::Database& db,
                                                      catalog::CatalogService& catalog,
                                                      cases::CaseService& cases,
                                                      licences::LicenceService& licences,
                                                      trace::Trace& trace, const Clock& clock,
                                                      cases::CaseObserver* next);

  // Queues the licence of a case concluded as approved, in the conclusion's transaction.
  Status OnCaseChanged(soci::session& sql, const cases::CaseChange& change) override;

  // Issues up to `limit` queued licences, oldest first; returns how many were issued. A licence
  // the case's data cannot make (a required field missing, an issuer the type does not allow)
  // marks its job failed with the reason; a storage failure leaves it queued for the next call.
  // Run after conclusions (the workflow worker's poll) and at start-up; safe to run
  // concurrently (the case's licence key keeps it once).
  Result<int> IssueDue(int limit = 100);

  // The case's result licence job; nullopt when its conclusion issues none.
  Result<std::optional<CaseLicence>> ForCase(std::string_view number);

  // What the case's result licence would lack if the case concluded now: the labels of the form
  // fields (the licence type's description when no form field maps to it) that the type requires
  // and the case's form leaves empty. Empty when the case issues no licence or lacks nothing.
  // 秒批 leaves such a case to staff instead of concluding it without its licence.
  Result<std::vector<std::string>> Unfilled(const cases::Case& c);

  // The licence data the case's form gives for `type` through `matter`'s licence_fields:
  // each type field from its form field, converted to the field's type (a value that does not
  // convert is passed as text, for the type's validation to name). Fields the form lacks are
  // left out.
  static nlohmann::json DataFromForm(const licences::LicenceType& type,
                                     const catalog::Matter& matter, const cases::Case& c);

 private:
  CaseLicences(store::Database& db, catalog::CatalogService& catalog, cases::CaseService& cases,
               licences::LicenceService& licences, trace::Trace& trace, const Clock& clock,
               cases::CaseObserver* next, store::QuerySet queries);
  const std::string& Q(std::string_view name) const { return queries_.Get(name, db_.backend()); }
  Status Finish(const CaseLicence& job, CaseLicenceState state, const std::string& licence_id,
                const std::string& error);

  store::Database& db_;
  catalog::CatalogService& catalog_;
  cases::CaseService& cases_;
  licences::LicenceService& licences_;
  trace::Trace& trace_;
  const Clock& clock_;
  cases::CaseObserver* next_;
  store::QuerySet queries_;
};

}  // namespace tongban::sources
