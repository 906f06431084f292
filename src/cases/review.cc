// The review stage of a case: acceptance starts the scenario's process on the durable runtime,
// its user tasks are the review steps, and the end of the process decides the case through
// Approve / Deny.
#include "cases/review.h"

#include <spdlog/spdlog.h>

#include "cases/service_impl.h"
#include "feel/value.h"

namespace tongban {
extern const EmbeddedFile kDefaultReviewProcess[];
extern const size_t kDefaultReviewProcess_count;
}  // namespace tongban

namespace tongban::cases {

std::string_view ReviewDecisionName(ReviewDecision d) {
  return d == ReviewDecision::kApproved ? "approved" : "denied";
}

std::optional<ReviewDecision> ParseReviewDecision(std::string_view s) {
  if (s == "approved") return ReviewDecision::kApproved;
  if (s == "denied") return ReviewDecision::kDenied;
  return std::nullopt;
}

namespace {

// The variable of a parallel (multi-instance) step naming the department it belongs to.
constexpr char kDepartmentVariable[] = "reviewing_department";

bpmn::Actor ActorOf(const Principal& p, int64_t now_ms) {
  bpmn::Actor actor;
  actor.account_id = p.account.id;
  actor.department = p.account.department;
  actor.region = p.account.region;
  std::set<std::string> roles;
  for (const people::HeldGrant& g : p.grants) {
    const bool valid = now_ms >= g.grant.scope.valid_from &&
                       (!g.grant.scope.valid_until || now_ms < *g.grant.scope.valid_until);
    if (valid) roles.insert(g.grant.role);
  }
  actor.roles.assign(roles.begin(), roles.end());
  return actor;
}

const bpmn::Actor& SystemActor() {
  static const bpmn::Actor actor{
      .account_id = "system", .roles = {}, .department = "", .region = ""};
  return actor;
}

json VariablesJson(const std::map<std::string, feel::Value>& vars) {
  json out = json::object();
  for (const auto& [k, v] : vars) out[k] = json::parse(feel::ToJson(v), nullptr, false);
  return out;
}

// The department a task of `info` belongs to: the multi-instance element variable of its
// scope chain, else `fallback`.
std::string StepDepartment(const bpmn::InstanceInfo& info, int activity,
                           const std::string& fallback) {
  for (int a = activity; a >= 0;) {
    auto it = info.state.activities.find(a);
    if (it == info.state.activities.end()) break;
    auto v = it->second.locals.find(kDepartmentVariable);
    if (v != it->second.locals.end() && v->second.is(feel::Kind::kString)) {
      return v->second.string();
    }
    a = it->second.parent;
  }
  return fallback;
}

}  // namespace

Status CaseService::AttachReview(bpmn::Runtime& runtime, ReviewOptions options) {
  for (size_t i = 0; i < kDefaultReviewProcess_count; ++i) {
    auto d = runtime.Deploy(kDefaultReviewProcess[i].contents, SystemActor());
    if (!d.ok()) return std::move(d).error();
  }
  impl_->runtime = &runtime;
  impl_->review_options = std::move(options);
  return Ok();
}

bool CaseService::Impl::LoadJoint(soci::session& sql, const std::string& case_id) const {
  std::string instance, process;
  long long joint = 0;
  const store::Executed found =
      store::Execute(sql, Q("select_case_review"), soci::use(case_id, "case_id"),
                     soci::into(instance), soci::into(process), soci::into(joint));
  return found.got_data && joint != 0;
}

namespace {

feel::Value ReviewVariables(const Case& c, const catalog::Scenario* scenario) {
  json form = json::object();
  for (const auto& [k, v] : c.form) form[k] = v;
  json vars = {{"case_number", c.number},
               {"matter", c.matter},
               {"scenario", c.scenario},
               {"region", c.region},
               {"department", c.department},
               {"applicant_name", c.applicant_name},
               {"form", form}};
  // 并联审批: the departments the catalog names for the scenario; the joint review's
  // multi-instance opens one step for each.
  if (scenario && !scenario->review_departments.empty()) {
    vars["departments"] = scenario->review_departments;
  }
  auto parsed = feel::ParseJson(vars.dump());
  return parsed.ok() ? std::move(parsed).value() : feel::Value();
}

}  // namespace

Result<std::optional<CaseService::Impl::ReviewPlan>> CaseService::Impl::PlanReview(
    const Principal& caller, const Result<Case>& loaded, const BundleLink& bundle) {
  if (!runtime) return std::optional<ReviewPlan>();
  // The checks acceptance makes again in its transaction: no plan for a case that cannot be
  // accepted now.
  if (!loaded.ok()) return std::optional<ReviewPlan>();
  const Case& c = *loaded;
  if (!people::Authorize(caller, "case.accept", TargetOf(c), NowMs()).ok() ||
      !CheckState(c, {CaseState::kSubmitted, CaseState::kCorrectionRequested}, "accept").ok()) {
    return std::optional<ReviewPlan>();
  }
  TB_RETURN_IF_ERROR(CheckBundleOrder(c, bundle));
  TB_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Matter> matter, MatterOf(c.matter_version));
  const catalog::Scenario* scenario = ScenarioOf(*matter, c.scenario);
  ReviewPlan plan;
  plan.case_version = c.version;
  plan.process_id =
      scenario && !scenario->process.empty() ? scenario->process : review_options.default_process;
  plan.variables = ReviewVariables(c, scenario);
  plan.joint = scenario && scenario->review_departments.size() > 1;
  return std::optional<ReviewPlan>(std::move(plan));
}

Result<CaseService::Impl::StartedReview> CaseService::Impl::StartReview(soci::session& sql,
                                                                        const Principal& caller,
                                                                        const Case& c,
                                                                        const ReviewPlan& plan,
                                                                        bpmn::AfterCommit& after) {
  feel::Value changed;
  if (c.version != plan.case_version) {
    // The case changed since the plan: its variables are the case's as it is now.
    TB_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Matter> matter, MatterOf(c.matter_version));
    changed = ReviewVariables(c, ScenarioOf(*matter, c.scenario));
  }
  const feel::Value& variables = c.version != plan.case_version ? changed : plan.variables;
  const bpmn::Actor actor = ActorOf(caller, NowMs());
  StartedReview started;
  started.process_id = plan.process_id;
  auto info = runtime->StartInstanceIn(sql, started.process_id, variables, actor, {}, after);
  if (!info.ok() && info.error().code() == ErrorCode::kNotFound &&
      started.process_id != review_options.default_process) {
    // The scenario names a process this installation has not deployed (nothing was written):
    // the default review.
    started.process_id = review_options.default_process;
    info = runtime->StartInstanceIn(sql, started.process_id, variables, actor, {}, after);
  }
  if (!info.ok()) {
    return Error(info.error().code(),
                 fmt::format("cannot start the review process {} of case {}: {}",
                             started.process_id, c.number, info.error().message()));
  }
  started.instance_id = info->id;
  // 第26条: the process opened steps of several departments at once.
  std::set<std::string> departments;
  for (const auto& [aid, a] : info->state.activities) {
    if (a.wait == bpmn::WaitKind::kTask) departments.insert(StepDepartment(*info, aid, ""));
  }
  started.joint = departments.size() > 1;
  return started;
}

Status CaseService::Impl::RecordReview(soci::session& sql, const Case& c,
                                       const StartedReview& review) const {
  long long joint = review.joint ? 1 : 0, now = NowMs();
  store::Execute(sql, Q("insert_case_review"), soci::use(c.id, "case_id"),
                 soci::use(review.instance_id, "instance_id"),
                 soci::use(review.process_id, "process_id"), soci::use(joint, "joint"),
                 soci::use(now, "started_at"));
  return Ok();
}

void CaseService::Impl::AfterTransition(const Case& c, std::string_view action) {
  NotifyBundle(c, action);
  if (c.state == CaseState::kUnderReview || c.state == CaseState::kSuspended ||
      c.state == CaseState::kSubmitted || c.state == CaseState::kCorrectionRequested) {
    return;
  }
  auto instance = db.Transaction<std::string>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
        std::string id, process;
        long long joint = 0;
        sql << Q("select_case_review"), soci::use(c.id, "case_id"), soci::into(id),
            soci::into(process), soci::into(joint);
        return id;
      });
  if (!instance.ok() || instance->empty()) return;
  auto info = runtime->GetInstance(*instance);
  if (!info.ok() || info->status != bpmn::RunStatus::kRunning) return;
  Status s = runtime->CancelInstance(*instance, SystemActor());
  if (!s.ok()) {
    spdlog::warn("case {} is {} but its review instance {} could not be cancelled: {}", c.number,
                 CaseStateName(c.state), *instance, s.error().ToString());
  }
}

namespace {

struct ReviewRow {
  std::string instance_id;
  std::string process_id;
  bool joint = false;
};

}  // namespace

// The steps of a running instance, oldest first.
static Result<std::vector<ReviewStep>> OpenSteps(bpmn::Runtime& runtime,
                                                 const bpmn::InstanceInfo& info, const Case& c,
                                                 Timestamp now) {
  std::vector<ReviewStep> steps;
  for (const auto& [aid, a] : info.state.activities) {
    if (a.wait != bpmn::WaitKind::kTask) continue;
    auto task = runtime.GetTask(fmt::format("{}/{}", info.id, aid));
    if (!task.ok()) continue;
    if (task->state != bpmn::TaskState::kOpen && task->state != bpmn::TaskState::kClaimed) continue;
    ReviewStep s;
    s.task_id = task->id;
    s.element_id = task->element_id;
    s.name = task->name;
    auto h = task->headers.find(std::string(bpmn::kStepHeader));
    if (h != task->headers.end()) s.step = h->second;
    s.department = StepDepartment(info, aid, c.department);
    s.assignee = task->assignee;
    s.candidate_groups = task->candidate_groups;
    if (task->due) {
      s.due = task->due;
      s.due_on = DateInChina(*task->due);
      s.overdue = *task->due < now;
    } else if (c.clock.due_on) {
      s.due_on = c.clock.due_on;
      s.due = StartOfDayInChina(c.clock.due_on->AddDays(1));
      s.overdue = *s.due < now;
    }
    steps.push_back(std::move(s));
  }
  return steps;
}

Result<Review> CaseService::GetReview(const Principal& caller, std::string_view number) {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(Case c, Get(caller, number));
  if (!I.runtime) {
    return Error(ErrorCode::kNotFound, "this installation runs no review processes");
  }
  auto row = I.db.Transaction<ReviewRow>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<ReviewRow> {
        ReviewRow r;
        long long joint = 0;
        sql << I.Q("select_case_review"), soci::use(c.id, "case_id"), soci::into(r.instance_id),
            soci::into(r.process_id), soci::into(joint);
        if (!sql.got_data()) {
          return Error(ErrorCode::kNotFound, fmt::format("case {} has no review process (it is {})",
                                                         c.number, CaseStateName(c.state)));
        }
        r.joint = joint != 0;
        return r;
      });
  if (!row.ok()) return std::move(row).error();
  TB_ASSIGN_OR_RETURN(bpmn::InstanceInfo info, I.runtime->GetInstance(row->instance_id));
  Review review;
  review.instance_id = row->instance_id;
  review.process_id = row->process_id;
  review.joint = row->joint;
  review.status = std::string(bpmn::RunStatusName(info.status));
  TB_ASSIGN_OR_RETURN(review.steps, OpenSteps(*I.runtime, info, c, I.clock().Now()));
  return review;
}

Result<std::vector<ReviewTask>> CaseService::ReviewInbox(const Principal& caller, int limit) {
  Impl& I = *impl_;
  if (!I.runtime) return std::vector<ReviewTask>();
  limit = std::clamp(limit, 1, 500);
  const bpmn::Actor actor = ActorOf(caller, I.NowMs());
  std::vector<std::string> groups = actor.roles;
  if (!actor.department.empty()) groups.push_back(actor.department);
  std::map<std::pair<Timestamp, std::string>, bpmn::Task> tasks;
  auto collect = [&](const Result<bpmn::TaskPage>& page) -> Status {
    if (!page.ok()) return page.error();
    for (const bpmn::Task& t : page->tasks) tasks.emplace(std::pair(t.created, t.id), t);
    return Ok();
  };
  constexpr int kScan = 1000;  // tasks looked at per group
  for (const std::string& g : groups)
    TB_RETURN_IF_ERROR(collect(I.runtime->ListGroupTasks(g, kScan)));
  TB_RETURN_IF_ERROR(collect(I.runtime->ListAssigneeTasks(caller.account.id, kScan)));
  std::vector<ReviewTask> out;
  std::map<std::string, bpmn::InstanceInfo> instances;
  for (const auto& [key, task] : tasks) {
    if (static_cast<int>(out.size()) >= limit) break;
    if (!task.assignee.empty() && task.assignee != caller.account.id) continue;
    auto number = I.db.Transaction<std::string>(
        store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
          std::string n;
          sql << I.Q("select_case_by_instance"), soci::use(task.instance_id, "instance_id"),
              soci::into(n);
          return n;
        });
    if (!number.ok() || number->empty()) continue;  // not a case's review
    auto c = Read(*number);
    if (!c.ok() || c->state != CaseState::kUnderReview) continue;
    auto info = I.runtime->GetInstance(task.instance_id);
    if (!info.ok()) continue;
    auto steps = OpenSteps(*I.runtime, *info, *c, I.clock().Now());
    if (!steps.ok()) continue;
    for (const ReviewStep& s : *steps) {
      if (s.task_id != task.id) continue;
      const people::Target target{
          .region = c->region, .department = s.department, .matter = c->matter};
      if (!people::Authorize(caller, "case.approve", target, I.NowMs()).ok()) break;
      ReviewTask rt;
      rt.step = s;
      rt.summary = {.number = c->number,
                    .matter = c->matter,
                    .matter_name = c->matter_name,
                    .region = c->region,
                    .department = c->department,
                    .applicant_name = c->applicant_name,
                    .state = c->state,
                    .received_on = c->received_on,
                    .received_at_ms = c->received_at_ms};
      rt.case_due_on = c->clock.due_on;
      out.push_back(std::move(rt));
    }
  }
  return out;
}

Result<Case> CaseService::CompleteReviewTask(const Principal& caller, const std::string& task_id,
                                             ReviewDecision decision, std::string reasons) {
  Impl& I = *impl_;
  if (decision == ReviewDecision::kDenied && reasons.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the denial is invalid",
                 {{"reasons", "a denial states its reasons (第38条)"}});
  }
  if (!I.runtime) return Error(ErrorCode::kNotFound, "this installation runs no review processes");
  TB_ASSIGN_OR_RETURN(bpmn::Task task, I.runtime->GetTask(task_id));
  if (task.state != bpmn::TaskState::kOpen && task.state != bpmn::TaskState::kClaimed) {
    return Error(ErrorCode::kNotFound,
                 fmt::format("task {} is {}", task_id, bpmn::TaskStateName(task.state)));
  }
  auto number = I.db.Transaction<std::string>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
        std::string n;
        sql << I.Q("select_case_by_instance"), soci::use(task.instance_id, "instance_id"),
            soci::into(n);
        if (!sql.got_data()) {
          return Error(ErrorCode::kNotFound,
                       fmt::format("task {} is not a step of a case's review", task_id));
        }
        return n;
      });
  if (!number.ok()) return std::move(number).error();
  TB_ASSIGN_OR_RETURN(Case c, Read(*number));
  TB_ASSIGN_OR_RETURN(bpmn::InstanceInfo info, I.runtime->GetInstance(task.instance_id));
  const std::string department = StepDepartment(info, task.activity, c.department);
  TB_RETURN_IF_ERROR(people::Authorize(
      caller, "case.approve", {.region = c.region, .department = department, .matter = c.matter},
      I.NowMs()));
  TB_RETURN_IF_ERROR(Impl::CheckState(c, {CaseState::kUnderReview}, "decide"));
  if (!c.accepted_by.empty() && c.accepted_by == caller.account.id) {
    return Error(ErrorCode::kRefused,
                 "the clerk who accepted the case cannot decide it (受审分离)");
  }
  if (decision == ReviewDecision::kApproved) {
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
  }
  json vars = {{"decision", ReviewDecisionName(decision)},
               {"reasons", reasons},
               {"decided_by", caller.account.id}};
  TB_ASSIGN_OR_RETURN(feel::Value variables, feel::ParseJson(vars.dump()));
  TB_RETURN_IF_ERROR(I.runtime->CompleteTask(task_id, variables, ActorOf(caller, I.NowMs())));

  // The process may have ended: its outcome decides the case, once.
  TB_ASSIGN_OR_RETURN(info, I.runtime->GetInstance(task.instance_id));
  if (info.status != bpmn::RunStatus::kCompleted) return Read(*number);
  return I.DecideFromProcess(caller, c, info, reasons);
}

Result<Case> CaseService::Impl::DecideFromProcess(const Principal& caller, const Case& c,
                                                  const bpmn::InstanceInfo& info,
                                                  const std::string& reasons) const {
  json end = VariablesJson(info.state.variables);
  bool denied = false;
  std::string why;
  if (end.contains("reviews") && end["reviews"].is_array()) {
    for (const json& r : end["reviews"]) {
      if (!r.is_object() || r.value("decision", "") != "denied") continue;
      denied = true;
      why += fmt::format("{}{}：{}", why.empty() ? "" : "；", r.value("department", ""),
                         r.value("reasons", ""));
    }
  } else {
    denied = end.value("decision", "") == "denied";
    why = end.value("reasons", "");
  }
  const Step step{.expected_version = std::nullopt, .note = "review process " + info.id};
  // The process decided: whoever completed its last step signs the decision, with the
  // authority over the case's department that completing a step of its review conferred.
  Principal signer = caller;
  people::HeldGrant by_process;
  by_process.grant.id = "review:" + info.id;
  by_process.grant.role = "review_process";
  by_process.grant.scope = {.region = c.region,
                            .department = c.department,
                            .matters = {c.matter},
                            .valid_from = 0,
                            .valid_until = std::nullopt};
  by_process.permissions = {"case.approve"};
  signer.grants.push_back(std::move(by_process));
  CaseService& self = *owner;
  auto decided = denied ? self.Deny(signer, c.number, why.empty() ? reasons : why, step)
                        : self.Approve(signer, c.number, step);
  if (!decided.ok() && decided.error().code() == ErrorCode::kConflict) {
    // Another completion decided it meanwhile.
    TB_ASSIGN_OR_RETURN(Case now, self.Read(c.number));
    if (now.state != CaseState::kUnderReview) return now;
  }
  return decided;
}

Result<int> CaseService::ReconcileReviews() {
  Impl& I = *impl_;
  if (!I.runtime) return 0;
  using Row = std::pair<std::string, std::string>;  // case number, instance id
  TB_ASSIGN_OR_RETURN(
      std::vector<Row> open,
      I.db.Transaction<std::vector<Row>>(
          store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Row>> {
            std::vector<Row> rows;
            Row row;
            soci::statement st = (sql.prepare << I.Q("select_reviews_under_review"),
                                  soci::into(row.first), soci::into(row.second));
            st.execute();
            while (st.fetch()) rows.push_back(row);
            return rows;
          }));
  int decided = 0;
  for (const auto& [number, instance_id] : open) {
    TB_ASSIGN_OR_RETURN(bpmn::InstanceInfo info, I.runtime->GetInstance(instance_id));
    if (info.status != bpmn::RunStatus::kCompleted) continue;
    TB_ASSIGN_OR_RETURN(Case c, Read(number));
    if (c.state != CaseState::kUnderReview) continue;
    // The account that completed the last step, as its completion recorded it.
    json end = VariablesJson(info.state.variables);
    Principal signer;
    signer.account.id = end.value("decided_by", "review_process");
    signer.account.kind = people::AccountKind::kStaff;
    signer.account.name = signer.account.id;
    auto done = I.DecideFromProcess(signer, c, info, end.value("reasons", ""));
    if (!done.ok()) return std::move(done).error();
    if (done->state != CaseState::kUnderReview) ++decided;
  }
  return decided;
}

}  // namespace tongban::cases
