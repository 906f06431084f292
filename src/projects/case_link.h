// A stage's matters as real cases (issue 12, items 1, 4, 6): CaseLink opens the case of each
// matter of a started stage through CaseService's public API — for the project's owner
// enterprise through an agent it authorised, on the implementation item the region's
// `case_matters` names, with the matter's material states (容缺 gap, 承诺补交 supply_later,
// 告知承诺 proof_waived) declared — and, as a CaseObserver, hands every step of such a case to
// ProjectService::OnMatterCase inside the step's transaction: the case's acceptance, correction
// and decision drive the matter, its stage and the project's clock, with no polling. Batch
// review decides the cases through it as the approver's inbox would.
#pragma once

#include <string>

#include "cases/service.h"
#include "people/service.h"
#include "projects/service.h"

namespace tongban::projects {

class CaseLink final : public MatterCases, public cases::CaseObserver {
 public:
  // Everything must outlive the link; `next` continues the observer chain (may be null).
  // Attach with `projects.SetMatterCases(&link)` and `cases.SetObserver(&link)`.
  CaseLink(ProjectService& projects, cases::CaseService& cases, people::PeopleService& people,
           cases::CaseObserver* next)
      : projects_(projects), cases_(cases), people_(people), next_(next) {}

  Result<std::string> Open(const ProjectRecord& r, const ProjectMatter& m, const CaseMatter& target,
                           const std::map<std::string, std::string>& form) override;
  Status CanDecide(const people::Principal& by, const std::string& number) override;
  Status Decide(const people::Principal& by, const std::string& number, bool approve,
                const std::string& note) override;
  Status Withdraw(const ProjectRecord& r, const std::string& number,
                  const std::string& reason) override;
  Status OnCaseChanged(soci::session& sql, const cases::CaseChange& change) override;

  // The account cases of project `id` are submitted under ("project:<id>").
  static std::string SubmitterFor(const std::string& id);

 private:
  ProjectService& projects_;
  cases::CaseService& cases_;
  people::PeopleService& people_;
  cases::CaseObserver* next_;
};

}  // namespace tongban::projects
