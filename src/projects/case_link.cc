#include "projects/case_link.h"

#include <fmt/format.h>

#include <algorithm>

namespace tongban::projects {
namespace {

constexpr std::string_view kSubmitterPrefix = "project:";

// The project's principal for opening its cases: it assists (submits at the window for the
// enterprise) over the project's region and reads the enterprise; it never accepts or decides.
people::Principal ProjectPrincipal(const Project& p) {
  people::Principal out;
  out.account.id = CaseLink::SubmitterFor(p.id);
  out.account.kind = people::AccountKind::kStaff;
  out.account.region = p.region;
  people::HeldGrant& g = out.grants.emplace_back();
  g.grant.scope.region = p.region;
  g.permissions = {"case.assist", "enterprise.serve"};
  return out;
}

std::string FormValue(const Project& p, const ProjectMatter& m, const std::string& source) {
  if (source == "matter.findings") return m.findings;
  if (source == "project.name") return p.name;
  if (source == "project.code") return p.code;
  if (source == "project.enterprise_name") return p.enterprise_name;
  return source;
}

MaterialState FromCase(cases::MaterialState s) {
  switch (s) {
    case cases::MaterialState::kGap:
      return MaterialState::kGap;
    case cases::MaterialState::kSupplyLater:
      return MaterialState::kSupplyLater;
    case cases::MaterialState::kProofWaived:
      return MaterialState::kProofWaived;
    case cases::MaterialState::kMissing:
    case cases::MaterialState::kProvided:
      break;
  }
  return MaterialState::kSubmitted;
}

// 第45条's reasons as the project's pause kinds: a hearing and an expert review are their own
// kinds; tendering, auction, inspection, testing, quarantine and appraisal are done by third
// parties (中介服务), the intermediary kind.
PauseKind PauseOf(cases::SuspensionReason r) {
  switch (r) {
    case cases::SuspensionReason::kHearing:
      return PauseKind::kHearing;
    case cases::SuspensionReason::kExpertReview:
      return PauseKind::kExpertReview;
    case cases::SuspensionReason::kTendering:
    case cases::SuspensionReason::kAuction:
    case cases::SuspensionReason::kInspection:
    case cases::SuspensionReason::kTesting:
    case cases::SuspensionReason::kQuarantine:
    case cases::SuspensionReason::kAppraisal:
      break;
  }
  return PauseKind::kIntermediary;
}

}  // namespace

std::string CaseLink::SubmitterFor(const std::string& id) {
  return std::string(kSubmitterPrefix) + id;
}

Result<std::string> CaseLink::Open(const ProjectRecord& r, const ProjectMatter& m,
                                   const CaseMatter& target,
                                   const std::map<std::string, std::string>& form) {
  const Project& p = r.project;
  // The enterprise applies through an agent it authorised and whose authorisation holds now.
  TB_ASSIGN_OR_RETURN(std::vector<people::AgentAuthorisation> agents, people_.ListAgents(p.uscc));
  const int64_t now = people_.Now();
  auto agent = std::find_if(agents.begin(), agents.end(), [&](const auto& a) {
    return !a.revoked_at && now >= a.valid_from && (!a.valid_until || now < *a.valid_until);
  });
  if (agent == agents.end()) {
    return Error(ErrorCode::kRefused,
                 fmt::format("{} has no agent authorised now to apply for its cases", p.uscc),
                 {{"agent", "the owner enterprise authorises an agent first"}});
  }
  cases::SubmitRequest request;
  request.matter = target.item;
  request.scenario = target.scenario;
  request.channel = cases::Channel::kWindow;
  request.applicant_kind = cases::ApplicantKind::kEnterprise;
  request.applicant_code = p.uscc;
  request.agent_account = agent->agent_account;
  request.window = "";
  for (const auto& [field, source] : target.form) {
    // The pre-review's findings (提前审) carry over into the case the approver reads.
    std::string value = FormValue(p, m, source);
    if (!value.empty() || !source.starts_with("matter.")) request.form[field] = std::move(value);
  }
  for (const auto& [field, value] : form) request.form[field] = value;
  for (const MaterialEntry& e : m.materials) {
    cases::MaterialDeclaration d;
    auto renamed = target.materials.find(e.name);
    d.name = renamed == target.materials.end() ? e.name : renamed->second;
    switch (e.state) {
      case MaterialState::kGap:
        d.state = cases::MaterialState::kGap;
        break;
      case MaterialState::kSupplyLater:
        d.state = cases::MaterialState::kSupplyLater;
        if (auto due = Date::Parse(e.due_on); due.ok()) d.due_on = *due;
        break;
      case MaterialState::kProofWaived:
        d.state = cases::MaterialState::kProofWaived;
        break;
      case MaterialState::kSubmitted:
        continue;  // supplied to the case itself (uploaded, scanned at acceptance)
    }
    request.materials.push_back(std::move(d));
  }
  // Once per project and matter: a retry replays the first case.
  request.idempotency_key = fmt::format("{}:{}", p.id, m.code);
  TB_ASSIGN_OR_RETURN(cases::SubmitResult submitted, cases_.Submit(ProjectPrincipal(p), request));
  return submitted.record.number;
}

Status CaseLink::CanDecide(const people::Principal& by, const std::string& number) {
  TB_ASSIGN_OR_RETURN(cases::Case c, cases_.Get(by, number));
  if (c.state != cases::CaseState::kUnderReview) {
    return Error(
        ErrorCode::kConflict,
        fmt::format("case {} is {}, not under review", number, cases::CaseStateName(c.state)),
        {{"state", "the case must be accepted first"}});
  }
  return people::Authorize(by, "case.approve",
                           {.region = c.region, .department = c.department, .matter = c.matter},
                           people_.Now());
}

Status CaseLink::Decide(const people::Principal& by, const std::string& number, bool approve,
                        const std::string& note) {
  auto review = cases_.GetReview(by, number);
  if (review.ok() && review->status == "running" && !review->steps.empty()) {
    Error last(ErrorCode::kForbidden, "no review step of this case is the caller's");
    for (const cases::ReviewStep& s : review->steps) {
      auto done = cases_.CompleteReviewTask(
          by, s.task_id,
          approve ? cases::ReviewDecision::kApproved : cases::ReviewDecision::kDenied, note);
      if (done.ok()) return Ok();
      last = std::move(done).error();
    }
    return last;
  }
  auto decided = approve ? cases_.Approve(by, number, {.note = note})
                         : cases_.Deny(by, number, note.empty() ? std::string("不予许可") : note,
                                       {.note = note});
  if (!decided.ok()) return std::move(decided).error();
  return Ok();
}

Status CaseLink::Withdraw(const ProjectRecord& r, const std::string& number,
                          const std::string& reason) {
  auto withdrawn = cases_.Withdraw(ProjectPrincipal(r.project), number, {.note = reason});
  if (!withdrawn.ok()) return std::move(withdrawn).error();
  return Ok();
}

Status CaseLink::OnCaseChanged(soci::session& sql, const cases::CaseChange& change) {
  const cases::Case& c = change.record;
  if (c.submitted_by.starts_with(kSubmitterPrefix) && change.action != "case.submitted") {
    MatterCaseStep step{
        .number = c.number, .action = std::string(change.action), .actor = change.actor.account.id};
    if (change.action == "case.correction_requested") {
      for (const std::string& i : c.correction_items)
        step.note += (step.note.empty() ? "" : "、") + i;
    } else if (change.action == "case.denied") {
      step.note = c.decision_reasons;
    } else if (change.action == "case.suspended" && c.suspension_reason) {
      step.pause = PauseOf(*c.suspension_reason);
      step.note = cases::SuspensionReasonTitle(*c.suspension_reason);
    }
    for (const cases::CaseMaterial& m : c.materials) {
      step.materials.emplace_back(m.name, FromCase(m.state));
    }
    TB_RETURN_IF_ERROR(projects_.OnMatterCase(sql, step));
  }
  return next_ != nullptr ? next_->OnCaseChanged(sql, change) : Ok();
}

}  // namespace tongban::projects
