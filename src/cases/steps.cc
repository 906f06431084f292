// The steps of a case's lifecycle: acceptance (with its review process and pre-signed notice),
// refusal, correction, withdrawal, suspension, extension, decision and conclusion; each one
// transaction with its trace event (CaseService::Impl::Transition).
#include "cases/service.h"
#include "cases/service_impl.h"

namespace tongban::cases {

Result<json> CaseService::Impl::AcceptanceNotice(const Principal& caller, Case& c,
                                                 const catalog::Matter& matter, bool joint) const {
  TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", TargetOf(c), NowMs()));
  TB_RETURN_IF_ERROR(
      CheckState(c, {CaseState::kSubmitted, CaseState::kCorrectionRequested}, "accept"));
  FieldErrors errors;
  bool with_gaps = false, cores_present = true;
  for (const CaseMaterial& m : c.materials) {
    const std::string path = fmt::format("materials/{}", m.index);
    if (m.state == MaterialState::kGap || m.state == MaterialState::kSupplyLater) {
      with_gaps = true;
    }
    if (m.core && m.state != MaterialState::kProvided) cores_present = false;
    if (m.required && m.state == MaterialState::kMissing) {
      errors.Add(path, fmt::format("{} is missing", m.name));
    }
  }
  if (with_gaps && !cores_present) {
    for (const CaseMaterial& m : c.materials) {
      if (m.core && m.state != MaterialState::kProvided) {
        errors.Add(fmt::format("materials/{}", m.index),
                   fmt::format("容缺 needs every core material: {} is not provided", m.name));
      }
    }
  }
  if (!errors.empty()) {
    Error e = errors.ToError("the application is incomplete: issue a correction notice");
    return Error(ErrorCode::kRefused, e.message(), e.fields());
  }
  // 第32条: no correction notice within 5 working days: accepted from the day received.
  const Date today = Today();
  const bool deemed = !c.correction_on && today > CorrectionDeadline(c);
  c.clock.started_on = deemed ? c.received_on : today;
  c.accepted_by = caller.account.id;
  c.state = CaseState::kUnderReview;
  c.joint = joint;
  ComputeClock(c, matter);
  for (const CaseMaterial& m : c.materials) {
    if (m.state == MaterialState::kSupplyLater && c.clock.due_on && m.due_on &&
        *m.due_on > *c.clock.due_on) {
      errors.Add(fmt::format("materials/{}/due_on", m.index),
                 fmt::format("the due date may not pass the promised limit ({})",
                             c.clock.due_on->ToString()));
    }
  }
  if (!errors.empty()) {
    Error e = errors.ToError("a material's due date passes the promised limit");
    return Error(ErrorCode::kRefused, e.message(), e.fields());
  }
  return json{
      {"accepted_on", c.clock.started_on->ToString()},
      {"deemed_accepted", deemed},
      {"limit", {{"value", c.clock.limit.value}, {"unit", catalog::EnumId(c.clock.limit.unit)}}},
      {"due_on", DateText(c.clock.due_on)},
      {"gap_materials", MaterialsJson(c.materials, MaterialState::kGap)},
      {"supply_later_materials", MaterialsJson(c.materials, MaterialState::kSupplyLater)},
      {"proof_waived_materials", MaterialsJson(c.materials, MaterialState::kProofWaived)}};
}

Result<Case> CaseService::Accept(const Principal& caller, std::string_view number,
                                 const Step& step) {
  Impl& I = *impl_;
  // The case (and its bundle, if any) read once before the write: the review process is planned
  // from it, and the acceptance notice is signed from it outside the write lock (the write
  // compares the text it would sign and signs again only when the case changed meanwhile).
  Impl::BundleLink bundle;
  auto before =
      I.db.Transaction<Case>(store::TxKind::kRead, [&](soci::session& sql) -> Result<Case> {
        TB_ASSIGN_OR_RETURN(Case c, I.Load(sql, number));
        if (I.runtime) bundle = I.LoadBundleLink(sql, c.id);
        return c;
      });
  TB_ASSIGN_OR_RETURN(std::optional<Impl::ReviewPlan> plan, I.PlanReview(caller, before, bundle));
  std::optional<Impl::PreSealed> presealed;
  if (before.ok()) {
    auto matter = I.MatterOf(before->matter_version);
    Case draft = *before;
    auto content = matter.ok() ? I.AcceptanceNotice(caller, draft, **matter, plan && plan->joint)
                               : Result<json>(matter.error());
    if (content.ok()) {
      presealed =
          I.PreSeal(draft, **matter, DocumentKind::kAcceptanceNotice, std::move(content).value());
    }
  }
  if (I.options.after_accept_presign) I.options.after_accept_presign(number);
  // The review process starts in the acceptance's own transaction: both commit, or neither.
  bpmn::AfterCommit after;
  auto accepted = I.Transition(
      caller, number, step, "case.accepted",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        after.states.clear();  // a group commit may run this body again
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(
            I.CheckState(c, {CaseState::kSubmitted, CaseState::kCorrectionRequested}, "accept"));
        std::optional<Impl::StartedReview> review;
        if (plan) {
          TB_ASSIGN_OR_RETURN(review, I.StartReview(sql, caller, c, *plan, after));
        }
        TB_ASSIGN_OR_RETURN(json content,
                            I.AcceptanceNotice(caller, c, matter, review && review->joint));
        if (review) TB_RETURN_IF_ERROR(I.RecordReview(sql, c, *review));
        const bool deemed = content["deemed_accepted"].get<bool>();
        TB_ASSIGN_OR_RETURN(
            Document d, I.Seal(sql, c, matter, DocumentKind::kAcceptanceNotice, std::move(content),
                               presealed ? &*presealed : nullptr));
        payload = {{"accepted_on", c.clock.started_on->ToString()},
                   {"deemed", deemed},
                   {"document", d.id}};
        if (review) payload["review"] = review->instance_id;
        return Ok();
      },
      before.ok() ? &before->matter_version : nullptr);
  if (accepted.ok() && I.runtime) I.runtime->Committed(after);
  return accepted;
}

Result<Case> CaseService::Refuse(const Principal& caller, std::string_view number,
                                 std::string reason, std::string competent_agency,
                                 const Step& step) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (reason.empty()) errors.Add("reason", "is required");
  if (competent_agency.empty()) {
    errors.Add("competent_agency", "name the agency competent for the application");
  }
  if (!errors.empty()) return errors.ToError("the refusal is invalid");
  return I.Transition(
      caller, number, step, "case.refused",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(
            I.CheckState(c, {CaseState::kSubmitted, CaseState::kCorrectionRequested}, "refuse"));
        c.state = CaseState::kRefused;
        c.decision_reasons = reason;
        c.decided_by = caller.account.id;
        TB_ASSIGN_OR_RETURN(Document d, I.Seal(sql, c, matter, DocumentKind::kRefusalDecision,
                                               {{"reason", reason},
                                                {"competent_agency", competent_agency},
                                                {"remedies", kRemedies}}));
        payload = {{"reason", reason}, {"competent_agency", competent_agency}, {"document", d.id}};
        return Ok();
      });
}

Result<Case> CaseService::RequestCorrection(const Principal& caller, std::string_view number,
                                            std::vector<std::string> items, const Step& step) {
  Impl& I = *impl_;
  if (items.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the notice is invalid",
                 {{"items", "list everything missing, at least one item"}});
  }
  return I.Transition(
      caller, number, step, "case.correction_requested",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
        if (c.correction_on) {
          FieldErrors errors;
          for (size_t i = 0; i < items.size(); ++i) {
            if (std::find(c.correction_items.begin(), c.correction_items.end(), items[i]) ==
                c.correction_items.end()) {
              errors.Add(fmt::format("items/{}", i),
                         fmt::format("{} was not listed in the one correction notice of {}",
                                     items[i], c.correction_on->ToString()));
            }
          }
          Error e = errors.ToError("一次性告知: the case already had its one correction notice");
          return Error(ErrorCode::kRefused, e.message(), e.fields());
        }
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kSubmitted}, "request a correction of"));
        const Date deadline = I.CorrectionDeadline(c);
        if (I.Today() > deadline) {
          return Error(ErrorCode::kRefused,
                       fmt::format("no correction notice was issued by {} (5 working days after "
                                   "receipt): the case counts as accepted from {} (第32条)",
                                   deadline.ToString(), c.received_on.ToString()));
        }
        c.state = CaseState::kCorrectionRequested;
        c.correction_on = I.Today();
        c.correction_items = items;
        TB_ASSIGN_OR_RETURN(Document d, I.Seal(sql, c, matter, DocumentKind::kCorrectionNotice,
                                               {{"items", items}}));
        payload = {{"items", items}, {"document", d.id}};
        return Ok();
      });
}

Result<Case> CaseService::FixForm(const Principal& caller, std::string_view number,
                                  std::map<std::string, std::string> changes, const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.form_fixed",
      [&](soci::session&, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kSubmitted, CaseState::kCorrectionRequested},
                                        "fix the form of"));
        json changed = json::array();
        for (const auto& [k, v] : changes) {
          auto old = c.form.find(k);
          changed.push_back(
              {{"field", k}, {"old", old == c.form.end() ? "" : old->second}, {"new", v}});
          if (v.empty()) {
            c.form.erase(k);
          } else {
            c.form[k] = v;
          }
        }
        const catalog::Scenario* s = Impl::ScenarioOf(matter, c.scenario);
        FieldErrors errors;
        if (s) ValidateForm(s->form, c.form, I.Today(), errors);
        if (!errors.empty()) return errors.ToError("the fixed form is invalid");
        payload = {{"changes", changed}};
        return Ok();
      });
}

Result<Case> CaseService::Withdraw(const Principal& caller, std::string_view number,
                                   const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.withdrawn",
      [&](soci::session&, Case& c, const catalog::Matter&, json&) -> Status {
        if (!I.IsApplicantSide(caller, c)) {
          return Error(ErrorCode::kForbidden, "only the applicant may withdraw the application");
        }
        TB_RETURN_IF_ERROR(I.CheckState(c,
                                        {CaseState::kSubmitted, CaseState::kCorrectionRequested,
                                         CaseState::kUnderReview, CaseState::kSuspended},
                                        "withdraw"));
        c.state = CaseState::kWithdrawn;
        return Ok();
      });
}

Result<Case> CaseService::Suspend(const Principal& caller, std::string_view number,
                                  SuspensionReason reason, int expected_days, const Step& step) {
  Impl& I = *impl_;
  if (expected_days <= 0) {
    return Error(ErrorCode::kInvalidArgument, "the suspension is invalid",
                 {{"expected_days", "must be at least 1"}});
  }
  return I.Transition(
      caller, number, step, "case.suspended",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.review", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kUnderReview}, "suspend"));
        c.state = CaseState::kSuspended;
        c.suspension_reason = reason;
        c.suspended_since = I.Today();
        TB_ASSIGN_OR_RETURN(
            Document d,
            I.Seal(sql, c, matter, DocumentKind::kSuspensionNotice,
                   {{"reason", SuspensionReasonName(reason)},
                    {"reason_title", SuspensionReasonTitle(reason)},
                    {"expected_days", expected_days},
                    {"basis", "《中华人民共和国行政许可法》第四十五条：所需时间不计算在期限内"}}));
        payload = {{"reason", SuspensionReasonName(reason)},
                   {"expected_days", expected_days},
                   {"document", d.id}};
        return Ok();
      });
}

Result<Case> CaseService::Resume(const Principal& caller, std::string_view number,
                                 const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.resumed",
      [&](soci::session&, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.review", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kSuspended}, "resume"));
        const int64_t stopped =
            I.StoppedDays(I.Limit(matter), c.region, *c.suspended_since, I.Today());
        c.suspended_days += stopped;
        c.state = CaseState::kUnderReview;
        c.suspension_reason.reset();
        c.suspended_since.reset();
        payload = {{"stopped_days", stopped}};
        return Ok();
      });
}

Result<Case> CaseService::Extend(const Principal& caller, std::string_view number,
                                 std::string reasons, const Step& step) {
  Impl& I = *impl_;
  if (reasons.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the extension is invalid",
                 {{"reasons", "the applicant must be told why"}});
  }
  return I.Transition(
      caller, number, step, "case.extended",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.extend", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(
            I.CheckState(c, {CaseState::kUnderReview, CaseState::kSuspended}, "extend"));
        if (c.clock.extension_days > 0) {
          return Error(ErrorCode::kRefused,
                       fmt::format("case {} was already extended once (第42条)", c.number));
        }
        c.clock.extension_days = c.joint ? kJointExtensionDays : kExtensionDays;
        c.extended_by = caller.account.id;
        I.ComputeClock(c, matter);
        TB_ASSIGN_OR_RETURN(Document d, I.Seal(sql, c, matter, DocumentKind::kExtensionNotice,
                                               {{"reasons", reasons},
                                                {"extension_working_days", c.clock.extension_days},
                                                {"due_on", DateText(c.clock.due_on)}}));
        payload = {{"reasons", reasons}, {"document", d.id}};
        return Ok();
      });
}

namespace {

// 受审分离: the clerk who accepted a case never decides it.
Status CheckSeparation(const Case& c, const Principal& caller) {
  if (!c.accepted_by.empty() && c.accepted_by == caller.account.id) {
    return Error(ErrorCode::kRefused,
                 "the clerk who accepted the case cannot decide it (受审分离)");
  }
  return Ok();
}

}  // namespace

Result<Case> CaseService::Approve(const Principal& caller, std::string_view number,
                                  const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.approved",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.approve", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kUnderReview}, "approve"));
        TB_RETURN_IF_ERROR(CheckSeparation(c, caller));
        FieldErrors gaps;
        for (const CaseMaterial& m : c.materials) {
          if (m.state == MaterialState::kGap) {
            gaps.Add(fmt::format("materials/{}", m.index),
                     fmt::format("{} (容缺) must be supplied before the result", m.name));
          }
        }
        if (!gaps.empty()) {
          Error e = gaps.ToError("the result waits for the gap materials");
          return Error(ErrorCode::kRefused, e.message(), e.fields());
        }
        c.state = CaseState::kApproved;
        c.decided_by = caller.account.id;
        TB_ASSIGN_OR_RETURN(Document d,
                            I.Seal(sql, c, matter, DocumentKind::kApprovalDecision,
                                   {{"decision", "approved"},
                                    {"legal_basis", matter.basic.legal_basis},
                                    {"result_licence_type", matter.item.result_licence_type},
                                    {"supply_later_materials",
                                     MaterialsJson(c.materials, MaterialState::kSupplyLater)}}));
        payload = {{"document", d.id}};
        return Ok();
      });
}

Result<Case> CaseService::Deny(const Principal& caller, std::string_view number,
                               std::string reasons, const Step& step) {
  Impl& I = *impl_;
  if (reasons.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the denial is invalid",
                 {{"reasons", "a denial states its reasons (第38条)"}});
  }
  return I.Transition(
      caller, number, step, "case.denied",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.approve", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kUnderReview}, "deny"));
        TB_RETURN_IF_ERROR(CheckSeparation(c, caller));
        c.state = CaseState::kDenied;
        c.decided_by = caller.account.id;
        c.decision_reasons = reasons;
        TB_ASSIGN_OR_RETURN(Document d, I.Seal(sql, c, matter, DocumentKind::kDenialDecision,
                                               {{"decision", "denied"},
                                                {"reasons", reasons},
                                                {"remedies", kRemedies},
                                                {"reconsideration_days", 60},
                                                {"litigation_months", 6}}));
        payload = {{"reasons", reasons}, {"document", d.id}};
        return Ok();
      });
}

Result<Case> CaseService::Conclude(const Principal& caller, std::string_view number,
                                   const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.concluded",
      [&](soci::session&, Case& c, const catalog::Matter&, json&) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.approve", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c, {CaseState::kApproved, CaseState::kDenied}, "conclude"));
        c.state = CaseState::kConcluded;
        return Ok();
      });
}

}  // namespace tongban::cases
