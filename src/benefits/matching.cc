// Matching runs: the policy's rule column-wise over the register, the difference against the
// grant roll, explanations for the listed persons only, everything stored in one transaction.
#include <algorithm>
#include <unordered_set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/id.h"
#include "benefits/benefits.h"
#include "feel/columnar.h"
#include "feel/feel.h"
#include "people/authorization.h"
#include "people/timestamp.h"
#include "registers/columns.h"

namespace tongban::benefits {
namespace {

std::string TraceJson(const feel::Evaluation& e) {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : e.trace) {
    steps.push_back({{"text", s.text}, {"value", s.value.ToString()}, {"depth", s.depth}});
  }
  return steps.dump();
}

// The amount rule's value in whole fen, or 0 when it gives no whole non-negative number.
int64_t Fen(const feel::Value& v) {
  if (!v.is(feel::Kind::kNumber)) return 0;
  const feel::Decimal d = v.number();
  if (!d.IsInteger() || d.IsNegative()) return 0;
  return d.ToInt64().value_or(0);
}

}  // namespace

Result<MatchRun> Benefits::Match(const people::Principal& by, std::string_view policy_name,
                                 const MatchOptions& options) {
  const Date reference = options.reference ? *options.reference : DateInChina(clock_.Now());
  TB_ASSIGN_OR_RETURN(Policy policy, PolicyInForce(policy_name, reference));
  const std::string region = options.region.empty() ? policy.region : options.region;
  if (!people::IsRegionCode(region) || !people::RegionCovers(policy.region, region)) {
    return Error(ErrorCode::kInvalidArgument, "the region is outside the policy's scope",
                 {{"region", fmt::format("not within {}", policy.region)}});
  }
  if (options.group_digits < 2 || options.group_digits > 12) {
    return Error(ErrorCode::kInvalidArgument, "bad grouping", {{"group_digits", "2..12"}});
  }
  TB_RETURN_IF_ERROR(people::Authorize(by, "policy.match", {.region = region}, NowMs()));
  auto progress = [&](std::string_view stage, double f) {
    if (options.progress) options.progress(stage, f);
  };

  MatchRun run;
  run.policy = policy.name;
  run.version = policy.version;
  run.region = region;
  run.reference = reference;
  run.created_by = by.account.id;
  run.as_of = people::FormatTimestamp(NowMs());
  progress("load", 0);
  TB_ASSIGN_OR_RETURN(registers::PersonColumns cols,
                      registers::LoadPersonColumns(registers_, region, reference));
  const feel::Register& reg = cols.reg;
  const size_t n = reg.rows();
  progress("match", 0.4);
  TB_ASSIGN_OR_RETURN(feel::ColumnarRule rule, feel::CompileColumnar(policy.eligibility, reg));
  const std::vector<uint32_t> selected = rule.Select(std::max(1, options.threads));
  std::vector<uint8_t> eligible(n, 0);
  for (uint32_t r : selected) eligible[r] = 1;

  progress("difference", 0.6);
  std::unordered_set<std::string> receiving;
  if (policy.kind == PolicyKind::kBenefit) {
    std::string day = reference.ToString();
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      std::string person;
      store::ExecuteRows(
          sql, Q("receiving"), [&] { receiving.insert(person); }, soci::use(policy.name, "policy"),
          soci::use(day, "day"), soci::into(person));
      return Ok();
    }));
  }

  // Interpreted rules for the listed rows only: slots are the register's columns in order.
  feel::Scope scope;
  for (const auto& c : reg.columns()) scope.Declare(c.spec.name);
  TB_ASSIGN_OR_RETURN(feel::Program explain, feel::Compile(policy.eligibility, scope));
  std::optional<feel::Program> amount;
  if (policy.kind == PolicyKind::kBenefit) {
    TB_ASSIGN_OR_RETURN(amount, feel::Compile(policy.amount, scope));
  }
  const int region_col = reg.Find("household_region");
  TB_ASSIGN_OR_RETURN(feel::Grouping groups,
                      feel::Grouping::ByPrefix(reg, "household_region", options.group_digits));
  std::vector<RegionCounts> per_group(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) per_group[g].region = groups.key(g).value_or("");
  feel::Bindings bindings(scope);
  for (size_t row = 0; row < n; ++row) {
    RegionCounts& counts = per_group[groups.row_groups()[row]];
    ++counts.screened;
    const bool is_eligible = eligible[row] != 0;
    const bool is_receiving = !receiving.empty() && receiving.contains(cols.person_ids[row]);
    if (is_eligible) ++counts.eligible;
    if (is_eligible == is_receiving) continue;
    (is_eligible ? counts.eligible_not_receiving : counts.no_longer_eligible)++;
    for (size_t c = 0; c < reg.columns().size(); ++c) {
      bindings.Set(static_cast<int>(c), reg.Cell(c, row));
    }
    MatchResult r;
    r.person_id = cols.person_ids[row];
    r.region = reg.Cell(region_col, row).string();
    r.kind = is_eligible ? "eligible_not_receiving" : "no_longer_eligible";
    r.explanation = TraceJson(explain.Evaluate(bindings, {.trace = true}));
    if (is_eligible && amount) r.amount_fen = Fen(amount->EvaluateFast(bindings));
    run.results.push_back(std::move(r));
  }
  for (auto& g : per_group) {
    if (g.screened == 0) continue;
    run.total.screened += g.screened;
    run.total.eligible += g.eligible;
    run.total.eligible_not_receiving += g.eligible_not_receiving;
    run.total.no_longer_eligible += g.no_longer_eligible;
    run.regions.push_back(std::move(g));
  }
  run.total.region = region;
  if (options.dry_run) {
    progress("done", 1);
    return run;
  }

  progress("write", 0.8);
  run.id = NewId(clock_);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    std::string ref = run.reference.ToString();
    int digits = options.group_digits;
    store::Execute(sql, Q("insert_run"), soci::use(run.id, "id"), soci::use(run.policy, "policy"),
                   soci::use(run.version, "version"), soci::use(run.region, "region"),
                   soci::use(ref, "reference_date"), soci::use(run.as_of, "as_of"),
                   soci::use(run.created_by, "created_by"), soci::use(digits, "group_digits"),
                   soci::use(run.total.screened, "screened"),
                   soci::use(run.total.eligible, "eligible"),
                   soci::use(run.total.eligible_not_receiving, "eligible_not_receiving"),
                   soci::use(run.total.no_longer_eligible, "no_longer_eligible"));
    for (auto& g : run.regions) {
      store::Execute(sql, Q("insert_run_region"), soci::use(run.id, "run_id"),
                     soci::use(g.region, "region"), soci::use(g.screened, "screened"),
                     soci::use(g.eligible, "eligible"),
                     soci::use(g.eligible_not_receiving, "eligible_not_receiving"),
                     soci::use(g.no_longer_eligible, "no_longer_eligible"));
    }
    int written = 0;
    for (auto& r : run.results) {
      if (options.fail_after_results > 0 && written == options.fail_after_results) {
        return Error(ErrorCode::kUnavailable, "interrupted (test)");
      }
      store::Execute(sql, Q("insert_result"), soci::use(run.id, "run_id"),
                     soci::use(r.person_id, "person_id"), soci::use(r.region, "region"),
                     soci::use(r.kind, "kind"), soci::use(r.amount_fen, "amount_fen"),
                     soci::use(r.explanation, "explanation"));
      ++written;
    }
    return Ok();
  }));
  progress("done", 1);
  return run;
}

Result<std::vector<MatchRun>> Benefits::RunDue(const people::Principal& by) {
  const Date today = DateInChina(clock_.Now());
  TB_ASSIGN_OR_RETURN(std::vector<Policy> policies, ListPolicies());
  std::vector<MatchRun> runs;
  for (const auto& newest : policies) {
    auto policy = PolicyInForce(newest.name, today);
    if (!policy.ok()) continue;  // no version in force today
    std::string latest;
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      store::Execute(sql, Q("latest_run_reference"), soci::use(policy->name, "policy"),
                     soci::into(latest));
      return Ok();
    }));
    const std::string now = today.ToString();
    const size_t digits = policy->cycle == Cycle::kMonthly ? 7 : 4;
    const bool due = latest.empty() || (policy->cycle != Cycle::kOnce &&
                                        latest.substr(0, digits) != now.substr(0, digits));
    if (!due) continue;
    TB_ASSIGN_OR_RETURN(MatchRun run, Match(by, policy->name, {.reference = today}));
    run.results.clear();
    runs.push_back(std::move(run));
  }
  return runs;
}

Result<MatchRun> Benefits::GetRun(std::string_view run_id) {
  MatchRun run;
  run.id = std::string(run_id);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string ref;
    int digits = 0;
    if (!store::Execute(sql, Q("get_run"), soci::use(run.id, "id"), soci::into(run.policy),
                        soci::into(run.version), soci::into(run.region), soci::into(ref),
                        soci::into(run.as_of), soci::into(run.created_by), soci::into(digits),
                        soci::into(run.total.screened), soci::into(run.total.eligible),
                        soci::into(run.total.eligible_not_receiving),
                        soci::into(run.total.no_longer_eligible))
             .got_data) {
      return Error(ErrorCode::kNotFound, fmt::format("no matching run {}", run_id));
    }
    TB_ASSIGN_OR_RETURN(run.reference, Date::Parse(ref));
    run.total.region = run.region;
    RegionCounts g;
    store::ExecuteRows(
        sql, Q("run_regions"), [&] { run.regions.push_back(g); }, soci::use(run.id, "run_id"),
        soci::into(g.region), soci::into(g.screened), soci::into(g.eligible),
        soci::into(g.eligible_not_receiving), soci::into(g.no_longer_eligible));
    return Ok();
  }));
  return run;
}

Result<std::vector<MatchResult>> Benefits::RunResults(std::string_view run_id,
                                                      std::string_view kind, std::string_view after,
                                                      int limit) {
  if (limit < 1 || limit > 100000) {
    return Error(ErrorCode::kInvalidArgument, "bad limit", {{"limit", "1..100000"}});
  }
  if (!kind.empty() && kind != "eligible_not_receiving" && kind != "no_longer_eligible") {
    return Error(ErrorCode::kInvalidArgument, "bad kind",
                 {{"kind", "eligible_not_receiving or no_longer_eligible"}});
  }
  if (auto run = GetRun(run_id); !run.ok()) return run.error();
  std::vector<MatchResult> out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string id(run_id), k(kind), a(after);
    MatchResult r;
    store::ExecuteRows(
        sql, Q("run_results"), [&] { out.push_back(r); }, soci::use(id, "run_id"),
        soci::use(a, "after"), soci::use(k, "kind"), soci::use(limit, "limit"),
        soci::into(r.person_id), soci::into(r.region), soci::into(r.kind), soci::into(r.amount_fen),
        soci::into(r.explanation));
    return Ok();
  }));
  return out;
}

Result<std::pair<bool, std::string>> Benefits::Explain(const people::Principal& by,
                                                       std::string_view policy_name,
                                                       std::string_view person_id, Date reference) {
  TB_ASSIGN_OR_RETURN(Policy policy, PolicyInForce(policy_name, reference));
  TB_ASSIGN_OR_RETURN(registers::Person person, registers_.GetPerson(by, person_id));
  const feel::Scope scope = registers::PersonScope();
  TB_ASSIGN_OR_RETURN(feel::Program rule, feel::Compile(policy.eligibility, scope));
  feel::Evaluation e =
      rule.Evaluate(registers::PersonBindings(scope, person, reference), {.trace = true});
  const bool yes = e.value.is(feel::Kind::kBoolean) && e.value.boolean();
  return std::pair<bool, std::string>(yes, TraceJson(e));
}

}  // namespace tongban::benefits
