// 秒批 (无人干预自动审批): an instant matter's scenario that the catalog gives an auto_decision
// rule is decided by the system right after its submission. When every required material is
// provided or committed and the rule holds, the case is accepted by the system's acceptor and
// approved and concluded by the system's approver (two principals, so 受审分离 holds and no human
// acts), each step sealed as usual, and the result licence is issued at once
// (CaseLicences::IssueDue), so the kiosk prints it within the same visit. Otherwise the case waits
// for staff as before. Either way the case's history records "case.auto_decision" (by 智能审批)
// with the rule, its result and the reason.
//
// The rule is FEEL over catalog::AutoDecisionScope:
//   form       the form's fields by name (numbers and booleans typed)
//   applicant  {kind ("person" | "enterprise"), code, name}
//   materials  [{name, required, state, origin}] as the case holds them after submission
#pragma once

#include <optional>
#include <string>

#include "base/result.h"
#include "cases/service.h"
#include "catalog/service.h"
#include "trace/trace.h"

namespace tongban::sources {

class CaseLicences;

class AutoDecisions final : public cases::SubmissionHook {
 public:
  // Every reference outlives the object. `inner` (the material sources; may be null) prepares
  // each submission as before; `licences` (may be null) issues the result licence after the
  // system's conclusion.
  AutoDecisions(catalog::CatalogService& catalog, cases::CaseService& cases, trace::Trace& trace,
                cases::SubmissionHook* inner, CaseLicences* licences)
      : catalog_(catalog), cases_(cases), trace_(trace), inner_(inner), licences_(licences) {}

  Result<Record> Prepare(const people::Principal& caller, cases::SubmitRequest& request) override;

  // Decides `record` when its scenario carries an auto_decision; nullopt when it does not
  // (or the case is a walk-through). Returns the case as it is afterwards: concluded, or still
  // submitted with the reason recorded.
  Result<std::optional<cases::Case>> AfterSubmit(const people::Principal& caller,
                                                 const cases::Case& record) override;

  // The rule's answer for `c`: true, false, or nullopt when it does not compile or gives no
  // boolean (a field the form left empty).
  static std::optional<bool> Evaluate(const std::string& rule, const cases::Case& c);

  // The system principals: the acceptor (case.accept) and the approver (case.approve), both
  // everywhere; distinct accounts, so the separation check applies to them as to staff.
  static const people::Principal& Acceptor();
  static const people::Principal& Approver();

 private:
  Status Note(const cases::Case& c, const std::string& rule, std::optional<bool> result,
              bool decided, const std::string& reason);
  Result<cases::Case> Decide(const std::string& number);

  catalog::CatalogService& catalog_;
  cases::CaseService& cases_;
  trace::Trace& trace_;
  cases::SubmissionHook* inner_;
  CaseLicences* licences_;
};

}  // namespace tongban::sources
