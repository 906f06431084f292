// 秒批 (无人干预自动审批): an instant matter's scenario that the catalog gives an auto_decision
// rule is decided by the system right after its submission. When every required material is
// provided or committed and the rule holds, the case is accepted by the system's acceptor and
// approved and concluded by the system's approver (two principals, so 受审分离 holds and no human
// acts), each step sealed as usual, and the result licence is issued at once
// (CaseLicences::IssueDue), so the kiosk prints it within the same visit. Otherwise the case waits
// for staff as before. Either way the case's history records "case.auto_decision" (by 智能审批)
// with the rule, its result and the reason.
//
// A case left for staff only because a required material was missing ("lacking" in that
// event) is decided again, by the same rule, once the material arrives (AfterSupply: the
// applicant's upload, or a certificate request answered), as long as staff have not taken it
// (it is still submitted).
//
// The rule is FEEL over catalog::AutoDecisionScope (docs/catalog-format.md lists the names):
//   form       the form's fields by name (numbers and booleans typed)
//   applicant  {kind ("person" | "enterprise"), code, name}
//   person     the applicant's person register record (registers::PersonValue: sex,
//              birth_date, age, household_region, assistance (低保/特困), disability …);
//              null for an enterprise or a person the register does not hold
//   entity     the applying enterprise's register record (registers::EntityValue: type,
//              industry, size, registered_region, status …); null for a person
//   materials  [{name, required, state, origin}] as the case holds them at the decision
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "cases/service.h"
#include "catalog/service.h"
#include "sources/jurisdiction.h"
#include "trace/trace.h"

namespace tongban::sources {

class CaseLicences;
class SourceService;

class AutoDecisions final : public cases::SubmissionHook {
 public:
  // Every reference outlives the object. `sources` (the material sources; may be null)
  // prepares each submission as before and reads the applicant's register record for the
  // rule (without it `person` and `entity` are null); `licences` (may be null) issues the
  // result licence after the system's conclusion.
  AutoDecisions(cases::CaseService& cases, trace::Trace& trace, SourceService* sources,
                CaseLicences* licences)
      : cases_(cases), trace_(trace), sources_(sources), licences_(licences) {}

  Result<Prepared> Prepare(const people::Principal& caller, cases::SubmitRequest& request) override;

  // Decides `record` when its scenario carries an auto_decision; nullopt when it does not
  // (or the case is a walk-through). Returns the case as it is afterwards: concluded, or still
  // submitted with the reason recorded.
  Result<std::optional<cases::Case>> AfterSubmit(const people::Principal& caller,
                                                 const cases::Case& record) override;

  // Decides `record` again when a material was supplied to it, it is still submitted, and the
  // last decision left it to staff only for missing materials; nullopt otherwise. Returns the
  // case as it is afterwards, like AfterSubmit.
  Result<std::optional<cases::Case>> AfterSupply(const people::Principal& caller,
                                                 const cases::Case& record) override;

  // The rule's answer for `c` and its applicant's register record (`applicant.person` or
  // `applicant.entity`; absent: null), `person.age` as of `today`: true, false, or nullopt
  // when it does not compile or gives no boolean (a field the form left empty, a register
  // field the record does not hold).
  static std::optional<bool> Evaluate(const std::string& rule, const cases::Case& c,
                                      const JurisdictionSubject& applicant, Date today);
  static std::optional<bool> Evaluate(const std::string& rule, const cases::Case& c) {
    return Evaluate(rule, c, JurisdictionSubject{}, Date());
  }

  // The system principals: the acceptor (case.accept) and the approver (case.approve), both
  // everywhere; distinct accounts, so the separation check applies to them as to staff.
  static const people::Principal& Acceptor();
  static const people::Principal& Approver();

 private:
  // The scenario's rule when `record` is a live instant case whose scenario has one.
  Result<std::optional<std::string>> RuleOf(const cases::Case& record);
  // Whether the last "case.auto_decision" of `record` left it only for missing materials.
  Result<bool> WaitedForMaterials(const cases::Case& record);
  // Applies `rule` to `record` (materials, then the rule, then the decision), noting it.
  Result<std::optional<cases::Case>> Run(const cases::Case& record, const std::string& rule);
  Status Note(const cases::Case& c, const std::string& rule, std::optional<bool> result,
              bool decided, const std::string& reason,
              const std::vector<std::string>& lacking = {});
  Result<cases::Case> Decide(const std::string& number);

  cases::CaseService& cases_;
  trace::Trace& trace_;
  SourceService* sources_;
  CaseLicences* licences_;
};

}  // namespace tongban::sources
