#include "sources/auto_decision.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "catalog/validate.h"
#include "feel/feel.h"
#include "registers/forms.h"
#include "sources/case_licences.h"
#include "sources/jurisdiction.h"
#include "sources/service.h"

namespace tongban::sources {
namespace {

using cases::Case;
using cases::CaseState;
using cases::MaterialState;

// At most this many review steps are completed for one case (a process that keeps opening
// steps is left to staff).
constexpr int kMaxSteps = 8;

people::Principal SystemPrincipal(const char* id, const char* role, const char* permission) {
  people::Principal p;
  p.account.id = id;
  p.account.kind = people::AccountKind::kStaff;
  p.account.name = "智能审批";
  people::HeldGrant g;
  g.grant.id = id;
  g.grant.role = role;
  g.permissions = {permission, "case.read"};
  p.grants.push_back(std::move(g));
  return p;
}

feel::Value TextValue(std::string_view s) { return feel::Value::String(std::string(s)); }

// What a required material still lacks: nothing when provided or committed (承诺补交,
// 告知承诺); missing and 容缺 (the result waits for it) are not enough to decide now.
std::vector<std::string> Lacking(const Case& c) {
  std::vector<std::string> out;
  for (const cases::CaseMaterial& m : c.materials) {
    if (m.required && (m.state == MaterialState::kMissing || m.state == MaterialState::kGap)) {
      out.push_back(m.name);
    }
  }
  return out;
}

std::string Joined(std::string head, const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size(); ++i) head += (i == 0 ? "" : "、") + names[i];
  return head;
}

}  // namespace

const people::Principal& AutoDecisions::Acceptor() {
  static const people::Principal p =
      SystemPrincipal("system:auto-accept", "window_clerk", "case.accept");
  return p;
}

const people::Principal& AutoDecisions::Approver() {
  static const people::Principal p =
      SystemPrincipal("system:auto-decision", "approver", "case.approve");
  return p;
}

Result<cases::SubmissionHook::Prepared> AutoDecisions::Prepare(const people::Principal& caller,
                                                               cases::SubmitRequest& request) {
  if (sources_ == nullptr) return Prepared();
  return sources_->Prepare(caller, request);
}

std::optional<bool> AutoDecisions::Evaluate(const std::string& rule, const Case& c,
                                            const JurisdictionSubject& applicant, Date today) {
  const feel::Scope& scope = catalog::AutoDecisionScope();
  auto program = feel::Compile(rule, scope);
  if (!program.ok()) return std::nullopt;
  std::vector<feel::ContextEntry> form;
  form.reserve(c.form.size());
  for (const auto& [k, v] : c.form) form.push_back({k, Typed(v)});
  std::vector<feel::Value> materials;
  materials.reserve(c.materials.size());
  for (const cases::CaseMaterial& m : c.materials) {
    materials.push_back(
        feel::Value::Context({{"name", TextValue(m.name)},
                              {"required", feel::Value::Boolean(m.required)},
                              {"state", TextValue(cases::MaterialStateName(m.state))},
                              {"origin", TextValue(cases::MaterialOriginName(m.origin))}}));
  }
  feel::Bindings b(scope);
  b.Set(scope.Find("form"), feel::Value::Context(std::move(form)));
  b.Set(scope.Find("applicant"),
        feel::Value::Context({{"kind", TextValue(cases::ApplicantKindName(c.applicant_kind))},
                              {"code", TextValue(c.applicant_code)},
                              {"name", TextValue(c.applicant_name)}}));
  if (applicant.person) {
    b.Set(scope.Find("person"), registers::PersonValue(*applicant.person, today));
  }
  if (applicant.entity) b.Set(scope.Find("entity"), registers::EntityValue(*applicant.entity));
  b.Set(scope.Find("materials"), feel::Value::List(std::move(materials)));
  feel::Value v = program->EvaluateFast(b);
  if (!v.is(feel::Kind::kBoolean)) return std::nullopt;
  return v.boolean();
}

Status AutoDecisions::Note(const Case& c, const std::string& rule, std::optional<bool> result,
                           bool decided, const std::string& reason,
                           const std::vector<std::string>& lacking) {
  nlohmann::json payload = {{"by", "智能审批"},
                            {"rule", rule},
                            {"result", result ? nlohmann::json(*result) : nlohmann::json()},
                            {"decided", decided}};
  if (!reason.empty()) payload["reason"] = reason;
  if (!lacking.empty()) payload["lacking"] = lacking;
  auto event = trace_.Append({.stream = "case/" + c.id,
                              .actor = Approver().account.id,
                              .action = "case.auto_decision",
                              .payload = payload.dump()});
  if (!event.ok()) return event.error();
  return Ok();
}

Result<std::optional<std::string>> AutoDecisions::RuleOf(const Case& record) {
  if (record.sandbox || record.state != CaseState::kSubmitted) {
    return std::optional<std::string>();
  }
  TB_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Matter> pinned,
                      cases_.PinnedMatter(record.matter_version));  // not parsed per submission
  const catalog::Matter& matter = *pinned;
  if (matter.item.handling_type != catalog::HandlingType::kInstant) {
    return std::optional<std::string>();
  }
  for (const catalog::Scenario& s : matter.item.scenarios) {
    if (s.code == record.scenario && s.auto_decision) {
      return std::optional<std::string>(s.auto_decision->rule);
    }
  }
  return std::optional<std::string>();
}

Result<std::optional<Case>> AutoDecisions::AfterSubmit(const people::Principal& caller,
                                                       const Case& record) {
  (void)caller;
  TB_ASSIGN_OR_RETURN(std::optional<std::string> rule, RuleOf(record));
  if (!rule) return std::optional<Case>();
  return Run(record, *rule);
}

Result<std::optional<Case>> AutoDecisions::AfterSupply(const people::Principal& caller,
                                                       const Case& record) {
  (void)caller;
  // Cheap checks first: most supplies are to cases that are not instant or were taken by staff.
  TB_ASSIGN_OR_RETURN(std::optional<std::string> rule, RuleOf(record));
  if (!rule || !Lacking(record).empty()) return std::optional<Case>();
  TB_ASSIGN_OR_RETURN(bool waited, WaitedForMaterials(record));
  if (!waited) return std::optional<Case>();
  return Run(record, *rule);
}

Result<bool> AutoDecisions::WaitedForMaterials(const Case& record) {
  const std::string stream = "case/" + record.id;
  constexpr int kPage = 1000;
  std::optional<nlohmann::json> last;
  for (int64_t after = 0;;) {
    TB_ASSIGN_OR_RETURN(std::vector<trace::Record> events, trace_.Read(stream, after, kPage));
    for (const trace::Record& e : events) {
      if (e.action == "case.auto_decision") last = nlohmann::json::parse(e.payload, nullptr, false);
    }
    if (static_cast<int>(events.size()) < kPage) break;
    after = events.back().seq;
  }
  return last && last->is_object() && last->contains("lacking") && !last->value("decided", false);
}

Result<std::optional<Case>> AutoDecisions::Run(const Case& record, const std::string& rule) {
  if (std::vector<std::string> lacking = Lacking(record); !lacking.empty()) {
    TB_RETURN_IF_ERROR(Note(record, rule, std::nullopt, false,
                            Joined("材料未齐，转人工办理：", lacking), lacking));
    return std::optional<Case>();
  }
  // An e-licence the local register cannot vouch for is a clerk's to check (受理人员核验),
  // never the system's to take on trust.
  if (sources_ != nullptr) {
    TB_ASSIGN_OR_RETURN(std::vector<std::string> unverified, sources_->UnverifiedLicences(record));
    if (!unverified.empty()) {
      TB_RETURN_IF_ERROR(Note(record, rule, std::nullopt, false,
                              Joined("电子证照须由受理人员核验，转人工办理：", unverified)));
      return std::optional<Case>();
    }
  }
  // The applicant's register record, read through the platform with the case-handling purpose
  // (traced); without the sources service, or when the register holds no record, it is null.
  JurisdictionSubject applicant;
  if (sources_ != nullptr) {
    TB_ASSIGN_OR_RETURN(applicant, sources_->Applicant(Approver(), record));
  }
  const std::optional<bool> holds = Evaluate(rule, record, applicant, cases_.Today());
  if (!holds || !*holds) {
    TB_RETURN_IF_ERROR(Note(
        record, rule, holds, false,
        holds ? "不符合自动审批规则，转人工办理" : "自动审批规则无法判定（缺少数据），转人工办理"));
    return std::optional<Case>();
  }
  // 当场出证 promises the licence with the decision: a form its licence cannot be built from is
  // completed with staff first, never concluded without the licence.
  if (licences_ != nullptr) {
    TB_ASSIGN_OR_RETURN(std::vector<std::string> unfilled, licences_->Unfilled(record));
    if (!unfilled.empty()) {
      TB_RETURN_IF_ERROR(
          Note(record, rule, true, false, Joined("出证信息不全，转人工办理：", unfilled)));
      return std::optional<Case>();
    }
  }
  TB_RETURN_IF_ERROR(Note(record, rule, true, true, ""));
  auto decided = Decide(record.number);
  if (!decided.ok()) {
    // Left where it stopped for staff, with the reason on the record.
    TB_RETURN_IF_ERROR(Note(record, rule, true, false,
                            "自动审批未完成，转人工办理：" + decided.error().message()));
    return std::optional<Case>();
  }
  return std::optional<Case>(std::move(decided).value());
}

Result<Case> AutoDecisions::Decide(const std::string& number) {
  TB_ASSIGN_OR_RETURN(Case c, cases_.Accept(Acceptor(), number, {}));
  // The scenario's review process (one approval step for an instant matter): each open step
  // completed as approved; without a process, the approval directly.
  for (int i = 0; i < kMaxSteps && c.state == CaseState::kUnderReview; ++i) {
    auto review = cases_.GetReview(Approver(), number);
    if (!review.ok() || review->steps.empty()) {
      TB_ASSIGN_OR_RETURN(c, cases_.Approve(Approver(), number, {}));
      break;
    }
    for (const cases::ReviewStep& step : review->steps) {
      TB_ASSIGN_OR_RETURN(c, cases_.CompleteReviewTask(Approver(), step.task_id,
                                                       cases::ReviewDecision::kApproved, ""));
    }
  }
  if (c.state != CaseState::kApproved) {
    return Error(ErrorCode::kRefused,
                 fmt::format("the review left the case {}", cases::CaseStateName(c.state)));
  }
  TB_ASSIGN_OR_RETURN(c, cases_.Conclude(Approver(), number, {}));
  // 当场出证: the conclusion queued the result licence; issued now, not at the next poll.
  if (licences_ != nullptr) {
    auto issued = licences_->IssueDue();
    if (!issued.ok()) return std::move(issued).error();
  }
  return c;
}

}  // namespace tongban::sources
