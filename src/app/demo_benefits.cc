#include "app/demo_benefits.h"

#include <atomic>
#include <chrono>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "benefits/demo_funnel.h"

namespace tongban::app {
namespace {

// The clerks taking the funnel's grant cases through their process at once.
constexpr int kDemoClerks = 6;

// The outcome of a step whose answer is not needed.
template <typename T>
Status Done(Result<T> r) {
  if (!r.ok()) return std::move(r).error();
  return Ok();
}

people::Principal Staff(std::string id, std::vector<std::string> permissions,
                        std::string role = "") {
  people::Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant grant;
  grant.grant.scope.region = "431128";
  grant.grant.role = std::move(role);
  grant.permissions = std::move(permissions);
  p.grants.push_back(std::move(grant));
  return p;
}

// Takes a proactive grant case through its process as 新田县 民政局's staff would: the clerk
// records the materials the registers could not give as seen at the visit (the social security
// card as an e-licence reference, the signed application form as the staff-recorded consent
// `visit`), accepts it, each open review step is completed (approved) by an approver or the
// department head (受审分离: never the clerk, and no one completes two steps), then concluded.
Status ApproveGrantCase(cases::CaseService& cases, const std::string& number,
                        const std::string& visit) {
  static const people::Principal kClerk =
      Staff("demo-mzj-clerk", {"case.accept", "case.read"}, "window_clerk");
  static const people::Principal kApprover =
      Staff("demo-mzj-approver", {"case.approve", "case.read"}, "approver");
  static const people::Principal kHead =
      Staff("demo-mzj-head", {"case.approve", "case.read"}, "department_head");
  TB_ASSIGN_OR_RETURN(cases::Case submitted, cases.Read(number));
  for (const cases::CaseMaterial& m : submitted.materials) {
    if (!m.required || m.state != cases::MaterialState::kMissing) continue;
    const bool card = m.name == "社会保障卡";
    TB_RETURN_IF_ERROR(Done(cases.SupplyMaterial(
        kClerk, number, m.index,
        card ? cases::MaterialOrigin::kLicence : cases::MaterialOrigin::kRegister, "", "",
        card ? "社会保障卡（入户走访核验）" : visit)));
  }
  TB_RETURN_IF_ERROR(Done(cases.Accept(kClerk, number, {})));
  bool reviewed_once = false;
  for (int round = 0; round < 4; ++round) {
    TB_ASSIGN_OR_RETURN(cases::Case c, cases.Read(number));
    if (c.state != cases::CaseState::kUnderReview) break;
    TB_ASSIGN_OR_RETURN(cases::Review review, cases.GetReview(kApprover, number));
    if (review.steps.empty()) {
      // No process step open (an installation without review processes): decide directly.
      TB_RETURN_IF_ERROR(Done(cases.Approve(kApprover, number, {})));
      break;
    }
    for (const cases::ReviewStep& step : review.steps) {
      const people::Principal& by = reviewed_once ? kHead : kApprover;
      TB_RETURN_IF_ERROR(
          Done(cases.CompleteReviewTask(by, step.task_id, cases::ReviewDecision::kApproved, "")));
      reviewed_once = true;
    }
  }
  return Done(cases.Conclude(kApprover, number, {}));
}

}  // namespace

Result<DemoBenefits> LoadDemoBenefits(benefits::Benefits& benefits, registers::Registers& registers,
                                      benefits::GrantCases& grant_cases,
                                      cases::CaseService& cases) {
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  DemoBenefits out;
  TB_ASSIGN_OR_RETURN(std::vector<benefits::Policy> existing, benefits.ListPolicies());
  if (!existing.empty()) return out;
  // The county's policy officer, as the demo loader acts.
  const people::Principal officer =
      Staff("system", {"policy.grant", "policy.match", "policy.push", "policy.write",
                       "register.read", "register.read_full", "register.write"});
  TB_ASSIGN_OR_RETURN(std::vector<benefits::Policy> policies, benefits::BuiltinPolicies());
  for (const auto& p : policies) {
    TB_RETURN_IF_ERROR(Done(benefits.Publish(officer, p.source)));
    ++out.policies;
  }
  // The article's funnel: the two subsidies over the generated county beside the demo's persons.
  // Each accepted consent opened its grant case; the cases are taken through their process
  // afterwards by a few clerks at once, as a department's staff would, so that their commits
  // share the store's group commits instead of waiting for one sync each.
  std::vector<std::pair<std::string, std::string>> accepted;  // run, person
  TB_ASSIGN_OR_RETURN(
      benefits::ArticleFunnel funnel,
      benefits::SeedArticleFunnel(
          benefits, registers, officer,
          {.on_accepted = [&](const std::string& run, const std::string& person) -> Status {
            accepted.emplace_back(run, person);
            return Ok();
          }}));
  const auto case_start = std::chrono::steady_clock::now();
  std::atomic<size_t> next{0};
  std::atomic<int> granted{0};
  std::mutex failed_mu;
  std::optional<Error> failed;
  const auto clerk = [&] {
    for (size_t i = next++; i < accepted.size(); i = next++) {
      const auto& [run, person] = accepted[i];
      Status done = [&]() -> Status {
        TB_ASSIGN_OR_RETURN(std::string number, grant_cases.CaseOf(run, person));
        return ApproveGrantCase(cases, number, "benefit_consent:" + run + ":" + person);
      }();
      if (done.ok()) {
        ++granted;
        continue;
      }
      std::lock_guard lock(failed_mu);
      if (!failed) failed = std::move(done).error();
      next = accepted.size();  // the others stop at their next case
    }
  };
  {
    std::vector<std::jthread> clerks;
    for (int i = 0; i < kDemoClerks; ++i) clerks.emplace_back(clerk);
  }
  if (failed) return *std::move(failed);
  out.granted = granted;
  out.case_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - case_start).count();
  out.generated = funnel.persons;
  out.runs += static_cast<int>(funnel.runs.size());
  out.notified += funnel.total.total.notified;
  for (const auto& p : policies) {
    if (p.kind != benefits::PolicyKind::kNotice) continue;
    TB_ASSIGN_OR_RETURN(benefits::MatchRun run, benefits.Match(officer, p.name, {}));
    ++out.runs;
    TB_ASSIGN_OR_RETURN(benefits::NotifyReport sent, benefits.Notify(officer, run.id, {}));
    out.notified += sent.sent;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  return out;
}

}  // namespace tongban::app
