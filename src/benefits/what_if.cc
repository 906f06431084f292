// What-if of a policy draft: both eligibility rules column-wise over the cached register, the
// rows that enter or leave found by merging the two selections, and the amount rules evaluated
// for the selected rows only.
#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "benefits/benefits.h"
#include "feel/columnar.h"
#include "feel/feel.h"
#include "people/authorization.h"
#include "registers/columns.h"

namespace tongban::benefits {

// The register's columns of one region at one reference date, kept a minute: typing a draft
// asks many times in a row, and a minute-old register answers a what-if well enough.
struct Benefits::ColumnCache {
  struct Entry {
    std::shared_ptr<const registers::PersonColumns> columns;
    Timestamp loaded{};
  };
  std::mutex mu;
  std::map<std::string, Entry> entries;
};

std::shared_ptr<Benefits::ColumnCache> Benefits::NewColumnCache() {
  return std::make_shared<ColumnCache>();
}

namespace {

constexpr auto kCacheFor = std::chrono::minutes(1);

int64_t Fen(const feel::Value& v) {
  if (!v.is(feel::Kind::kNumber)) return 0;
  const feel::Decimal d = v.number();
  if (!d.IsInteger() || d.IsNegative()) return 0;
  return d.ToInt64().value_or(0);
}

}  // namespace

Result<WhatIf> Benefits::WhatIfDraft(const people::Principal& by, std::string_view policy_name,
                                     const WhatIfInput& input) {
  const auto start = std::chrono::steady_clock::now();
  const Date reference = input.reference ? *input.reference : DateInChina(clock_.Now());
  TB_ASSIGN_OR_RETURN(Policy policy, PolicyInForce(policy_name, reference));
  const std::string region = input.region.empty() ? policy.region : input.region;
  if (!people::IsRegionCode(region) || !people::RegionCovers(policy.region, region)) {
    return Error(ErrorCode::kInvalidArgument, "the region is outside the policy's scope",
                 {{"region", fmt::format("not within {}", policy.region)}});
  }
  if (input.group_digits < 2 || input.group_digits > 12 || input.threads < 1) {
    return Error(ErrorCode::kInvalidArgument, "bad grouping", {{"group_digits", "2..12"}});
  }
  TB_RETURN_IF_ERROR(people::Authorize(by, "policy.match", {.region = region}, NowMs()));
  if (!policy.eligibility_table.empty()) {
    return Error(ErrorCode::kConflict, "a what-if compares FEEL rules; this policy has a table",
                 {{"eligibility", "the version in force is a decision table"}});
  }
  if (input.eligibility.empty()) {
    return Error(ErrorCode::kInvalidArgument, "no draft rule", {{"eligibility", "required"}});
  }

  WhatIf out;
  out.policy = policy.name;
  out.version = policy.version;
  std::shared_ptr<const registers::PersonColumns> cols;
  {
    ColumnCache& cache = *column_cache_;
    const std::string key = region + "@" + reference.ToString();
    std::lock_guard<std::mutex> lock(cache.mu);
    auto it = cache.entries.find(key);
    if (it != cache.entries.end() && clock_.Now() - it->second.loaded < kCacheFor) {
      cols = it->second.columns;
      out.cached_register = true;
    } else {
      TB_ASSIGN_OR_RETURN(registers::PersonColumns loaded,
                          registers::LoadPersonColumns(registers_, region, reference));
      cols = std::make_shared<const registers::PersonColumns>(std::move(loaded));
      cache.entries[key] = {cols, clock_.Now()};
    }
  }
  const feel::Register& reg = cols->reg;
  FieldErrors errors;
  auto now_rule = feel::CompileColumnar(policy.eligibility, reg);
  if (!now_rule.ok()) return now_rule.error();
  auto draft_rule = feel::CompileColumnar(input.eligibility, reg);
  if (!draft_rule.ok()) errors.Add("eligibility", draft_rule.error().message());
  feel::Scope scope;
  for (const auto& c : reg.columns()) scope.Declare(c.spec.name);
  std::optional<feel::Program> amount_now, amount_draft;
  if (policy.kind == PolicyKind::kBenefit) {
    TB_ASSIGN_OR_RETURN(amount_now, feel::Compile(policy.amount, scope));
    auto a = feel::Compile(input.amount.empty() ? policy.amount : input.amount, scope);
    if (!a.ok()) {
      errors.Add("amount", a.error().message());
    } else {
      amount_draft = std::move(*a);
    }
  }
  if (!errors.empty()) return errors.ToError("the draft's rules do not compile");

  TB_ASSIGN_OR_RETURN(feel::Grouping groups,
                      feel::Grouping::ByPrefix(reg, "household_region", input.group_digits));
  std::vector<WhatIfCounts> per(groups.size());
  for (size_t g = 0; g < groups.size(); ++g) per[g].region = groups.key(g).value_or("");
  for (uint32_t g : groups.row_groups()) ++per[g].screened;
  const std::vector<uint32_t> now_rows = now_rule->Select(input.threads);
  const std::vector<uint32_t> draft_rows = draft_rule->Select(input.threads);
  feel::Bindings bindings(scope);
  auto cost = [&](const std::optional<feel::Program>& rule, uint32_t row) -> int64_t {
    if (!rule) return 0;
    for (size_t c = 0; c < reg.columns().size(); ++c) {
      bindings.Set(static_cast<int>(c), reg.Cell(c, row));
    }
    return Fen(rule->EvaluateFast(bindings));
  };
  for (uint32_t r : now_rows) {
    WhatIfCounts& c = per[groups.row_groups()[r]];
    ++c.now;
    c.cost_now_fen += cost(amount_now, r);
  }
  for (uint32_t r : draft_rows) {
    WhatIfCounts& c = per[groups.row_groups()[r]];
    ++c.draft;
    c.cost_draft_fen += cost(amount_draft, r);
  }
  // Both selections are in row order: merge them for who enters and who leaves.
  size_t i = 0, j = 0;
  while (i < now_rows.size() || j < draft_rows.size()) {
    if (j == draft_rows.size() || (i < now_rows.size() && now_rows[i] < draft_rows[j])) {
      ++per[groups.row_groups()[now_rows[i++]]].leaving;
    } else if (i == now_rows.size() || draft_rows[j] < now_rows[i]) {
      ++per[groups.row_groups()[draft_rows[j++]]].entering;
    } else {
      ++i;
      ++j;
    }
  }
  out.total.region = region;
  for (auto& c : per) {
    if (c.screened == 0) continue;
    out.total.screened += c.screened;
    out.total.now += c.now;
    out.total.draft += c.draft;
    out.total.entering += c.entering;
    out.total.leaving += c.leaving;
    out.total.cost_now_fen += c.cost_now_fen;
    out.total.cost_draft_fen += c.cost_draft_fen;
    out.regions.push_back(std::move(c));
  }
  out.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace tongban::benefits
