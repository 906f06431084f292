#include "app/demo_benefits.h"

#include <chrono>

namespace tongban::app {

Result<DemoBenefits> LoadDemoBenefits(benefits::Benefits& benefits) {
  const auto start = std::chrono::steady_clock::now();
  DemoBenefits out;
  TB_ASSIGN_OR_RETURN(std::vector<benefits::Policy> existing, benefits.ListPolicies());
  if (!existing.empty()) return out;
  // The county's policy officer, as the demo loader acts.
  people::Principal officer;
  officer.account.id = "system";
  officer.account.kind = people::AccountKind::kStaff;
  people::HeldGrant grant;
  grant.grant.scope.region = "431128";
  grant.permissions = {"policy.grant", "policy.match",  "policy.push",
                       "policy.write", "register.read", "register.read_full"};
  officer.grants.push_back(grant);
  TB_ASSIGN_OR_RETURN(std::vector<benefits::Policy> policies, benefits::BuiltinPolicies());
  for (const auto& p : policies) {
    TB_ASSIGN_OR_RETURN(benefits::Policy published, benefits.Publish(officer, p.source));
    ++out.policies;
    TB_ASSIGN_OR_RETURN(benefits::MatchRun run, benefits.Match(officer, published.name, {}));
    ++out.runs;
    TB_ASSIGN_OR_RETURN(benefits::NotifyReport sent, benefits.Notify(officer, run.id, {}));
    out.notified += sent.sent;
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace tongban::app
