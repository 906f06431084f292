// What-if of a policy draft: the register's columns and their grouping by region cached a
// minute, the computation in what_if_core.cc.
#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "benefits/benefits.h"
#include "benefits/licence_rules.h"
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
    // By group_digits; each refers to `columns`' register.
    std::map<int, std::shared_ptr<const feel::Grouping>> groupings{};
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
  std::shared_ptr<const feel::Grouping> groups;
  {
    ColumnCache& cache = *column_cache_;
    const std::string key = region + "@" + reference.ToString();
    std::lock_guard<std::mutex> lock(cache.mu);
    auto it = cache.entries.find(key);
    if (it != cache.entries.end() && clock_.Now() - it->second.loaded < kCacheFor) {
      out.cached_register = true;
    } else {
      TB_ASSIGN_OR_RETURN(registers::PersonColumns loaded,
                          registers::LoadPersonColumns(registers_, region, reference));
      it = cache.entries.insert_or_assign(key, ColumnCache::Entry{}).first;
      it->second.columns = std::make_shared<const registers::PersonColumns>(std::move(loaded));
      it->second.loaded = clock_.Now();
    }
    cols = it->second.columns;
    auto& grouping = it->second.groupings[input.group_digits];
    if (!grouping) {
      TB_ASSIGN_OR_RETURN(feel::Grouping g, feel::Grouping::ByPrefix(cols->reg, "household_region",
                                                                     input.group_digits));
      grouping = std::make_shared<const feel::Grouping>(std::move(g));
    }
    groups = grouping;
  }
  // Licences either rule reads: columns beside the cached register's, for this call only.
  LicenceRule licences = RewriteLicenceRefs(policy.eligibility);
  const LicenceRule draft_licences = RewriteLicenceRefs(input.eligibility);
  licences.Merge(draft_licences);
  if (!licences.refs.empty()) {
    TB_ASSIGN_OR_RETURN(
        registers::PersonColumns with,
        WithLicenceColumns(registers_, *cols, licences, Subject::kPerson, reference));
    cols = std::make_shared<const registers::PersonColumns>(std::move(with));
    TB_ASSIGN_OR_RETURN(feel::Grouping g, feel::Grouping::ByPrefix(cols->reg, "household_region",
                                                                   input.group_digits));
    groups = std::make_shared<const feel::Grouping>(std::move(g));
  }
  const std::string now_rule = RewriteLicenceRefs(policy.eligibility).rule;
  const bool costs = policy.kind == PolicyKind::kBenefit;
  out.total.region = region;
  TB_ASSIGN_OR_RETURN(
      out.regions,
      ComputeWhatIf(
          cols->reg, *groups,
          {.now = policy.eligibility,
           .draft = input.eligibility,
           .amount_now = costs ? std::string_view(policy.amount) : "",
           .amount_draft =
               costs ? std::string_view(input.amount.empty() ? policy.amount : input.amount) : ""},
          input.threads, &out.total));
  out.elapsed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace tongban::benefits
