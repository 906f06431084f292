// Proactive grant cases (免申即享, issue 8): consent (or no objection within an opt-out period)
// opens a case of the policy's benefit matter for the person through src/cases, its form and
// materials taken from the registers; the case goes through acceptance and approval like any
// other, and its conclusion after approval writes the grant roll (from the consent's day, the
// run's amount) in the conclusion's own transaction.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "benefits/benefits.h"
#include "cases/service.h"
#include "people/model.h"
#include "registers/register.h"
#include "store/database.h"
#include "store/queries.h"

namespace tongban::benefits {

struct GrantCaseOptions {
  // Who opens the proactive cases: a staff principal holding case.assist (the matter's region
  // and department) and register.read_full (the persons' regions), e.g. the installation's
  // system account. The cases are submitted on the assisted channel in its name.
  people::Principal submitter{};
  std::string scenario{};  // the matter's scenario; empty: its first
  // Receives every case change after this observer (the KPI aggregates); may be null.
  cases::CaseObserver* next = nullptr;
};

class GrantCases final : public cases::CaseObserver {
 public:
  // `db` carries the benefits migrations; every argument outlives the object. Install it with
  // `benefits.SetGrantHandler(grant_cases->Handler())` and `cases.SetObserver(grant_cases)`.
  static Result<std::unique_ptr<GrantCases>> Create(store::Database& db, Benefits& benefits,
                                                    registers::Registers& registers,
                                                    cases::CaseService& cases,
                                                    GrantCaseOptions options);

  // Opens the grant case of `request` (the GrantHandler): the policy version's matter, the
  // person as applicant (ID number and name read in clear, purpose proactive_grant), the form
  // from the policy's case_form over the person's register record with the request's own
  // fields over it, the policy's case_materials provided from the register. A repeated call
  // for the same run and person finds the same case (idempotency key "grant:<run>:<person>").
  // Returns the case number.
  Result<std::string> Open(const GrantRequest& request);
  GrantHandler Handler() {
    return [this](const GrantRequest& r) -> Status {
      auto opened = Open(r);
      if (!opened.ok()) return opened.error();
      return Ok();
    };
  }
  // The grant case of a run's person; kNotFound when none was opened.
  Result<std::string> CaseOf(std::string_view run_id, std::string_view person_id);

  // case.approved / case.denied note the decision of a grant case; case.concluded of an
  // approved one writes the grant (source "case") through `sql`. Then hands over to `next`.
  Status OnCaseChanged(soci::session& sql, const cases::CaseChange& change) override;

 private:
  GrantCases(store::Database& db, Benefits& benefits, registers::Registers& registers,
             cases::CaseService& cases, GrantCaseOptions options, store::QuerySet queries)
      : db_(db),
        benefits_(benefits),
        registers_(registers),
        cases_(cases),
        options_(std::move(options)),
        queries_(std::move(queries)) {}
  const std::string& Q(std::string_view name) const { return queries_.Get(name, db_.backend()); }

  store::Database& db_;
  Benefits& benefits_;
  registers::Registers& registers_;
  cases::CaseService& cases_;
  GrantCaseOptions options_;
  store::QuerySet queries_;
};

}  // namespace tongban::benefits
