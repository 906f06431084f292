#include "people/authorization.h"
#include "people/region_range.h"

#include <fmt/format.h>

#include <algorithm>

#include "people/timestamp.h"

namespace tongban::people {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool Valid(const Scope& scope, int64_t at_ms) {
  return at_ms >= scope.valid_from && (!scope.valid_until || at_ms < *scope.valid_until);
}

bool HasPermission(const HeldGrant& g, std::string_view permission) {
  return std::binary_search(g.permissions.begin(), g.permissions.end(), permission);
}

std::string Describe(const Target& t) {
  return fmt::format("region {}, department {}, matter {}", t.region.empty() ? "(all)" : t.region,
                     t.department.empty() ? "(all)" : t.department,
                     t.matter.empty() ? "(all)" : t.matter);
}

}  // namespace

bool IsRegionCode(std::string_view code) {
  return AllDigits(code) && (code.size() == 6 || code.size() == 9 || code.size() == 12);
}

std::string RegionPrefix(std::string_view code) {
  if (code.size() == 12 && code.ends_with("000")) code = code.substr(0, 9);
  if (code.size() == 9 && code.ends_with("000")) code = code.substr(0, 6);
  if (code.size() == 6) {
    if (code.ends_with("0000")) return std::string(code.substr(0, 2));
    if (code.ends_with("00")) return std::string(code.substr(0, 4));
  }
  return std::string(code);
}

std::pair<std::string, std::string> RegionSubtreeRange(std::string_view region) {
  std::string lo = IsRegionCode(region) ? RegionPrefix(region) : std::string(region);
  std::string hi = lo;
  while (!hi.empty() && hi.back() == '9') hi.pop_back();
  if (hi.empty()) return {lo, "~"};
  ++hi.back();
  return {lo, hi};
}

bool RegionCovers(std::string_view scope_region, std::string_view region) {
  if (scope_region == Scope::kAny) return true;
  if (!IsRegionCode(scope_region) || !IsRegionCode(region)) return false;
  return RegionPrefix(region).starts_with(RegionPrefix(scope_region));
}

bool ScopeCovers(const Scope& scope, const Target& target, int64_t at_ms, std::string* why) {
  auto fail = [&](std::string reason) {
    if (why) *why = std::move(reason);
    return false;
  };
  if (at_ms < scope.valid_from) {
    return fail(fmt::format("not valid before {}", FormatTimestamp(scope.valid_from)));
  }
  if (scope.valid_until && at_ms >= *scope.valid_until) {
    return fail(fmt::format("expired at {}", FormatTimestamp(*scope.valid_until)));
  }
  if (!RegionCovers(scope.region, target.region)) {
    return fail(fmt::format("region {} is outside {}",
                            target.region.empty() ? "(all)" : target.region, scope.region));
  }
  if (scope.department != Scope::kAny && scope.department != target.department) {
    return fail(fmt::format("department {} is not {}",
                            target.department.empty() ? "(all)" : target.department,
                            scope.department));
  }
  if (!scope.matters.empty() &&
      (target.matter.empty() || std::find(scope.matters.begin(), scope.matters.end(),
                                          target.matter) == scope.matters.end())) {
    return fail(fmt::format("matter {} is not among the {} granted",
                            target.matter.empty() ? "(all)" : target.matter, scope.matters.size()));
  }
  return true;
}

bool ScopeContains(const Scope& outer, const Scope& inner) {
  if (outer.region != Scope::kAny &&
      (inner.region == Scope::kAny || !RegionCovers(outer.region, inner.region))) {
    return false;
  }
  if (outer.department != Scope::kAny && outer.department != inner.department) return false;
  if (!outer.matters.empty()) {
    if (inner.matters.empty()) return false;
    for (const std::string& m : inner.matters) {
      if (std::find(outer.matters.begin(), outer.matters.end(), m) == outer.matters.end()) {
        return false;
      }
    }
  }
  return true;
}

Status Authorize(const Principal& principal, std::string_view permission, const Target& target,
                 int64_t at_ms) {
  std::vector<std::string> reasons;
  for (const HeldGrant& g : principal.grants) {
    if (!HasPermission(g, permission)) continue;
    std::string why;
    if (ScopeCovers(g.grant.scope, target, at_ms, &why)) return Ok();
    reasons.push_back(fmt::format("{} grant: {}", g.grant.role, why));
  }
  if (reasons.empty()) {
    return Error(ErrorCode::kForbidden, fmt::format("missing permission '{}'", permission));
  }
  return Error(ErrorCode::kForbidden,
               fmt::format("permission '{}' is not granted for {} ({})", permission,
                           Describe(target), fmt::join(reasons, "; ")));
}

Status AuthorizeWithin(const Principal& principal, std::string_view permission, const Scope& scope,
                       int64_t at_ms) {
  bool held = false;
  for (const HeldGrant& g : principal.grants) {
    if (!HasPermission(g, permission) || !Valid(g.grant.scope, at_ms)) continue;
    held = true;
    if (ScopeContains(g.grant.scope, scope)) return Ok();
  }
  if (!held) {
    return Error(ErrorCode::kForbidden, fmt::format("missing permission '{}'", permission));
  }
  return Error(
      ErrorCode::kForbidden,
      fmt::format("permission '{}' is held, but not over a scope containing region {}, "
                  "department {} and {}",
                  permission, scope.region, scope.department,
                  scope.matters.empty() ? std::string("every matter")
                                        : fmt::format("{} matters", scope.matters.size())));
}

bool HoldsPermission(const Principal& principal, std::string_view permission, int64_t at_ms) {
  return std::any_of(principal.grants.begin(), principal.grants.end(), [&](const HeldGrant& g) {
    return HasPermission(g, permission) && Valid(g.grant.scope, at_ms);
  });
}

Status AuthorizeForEnterprise(const Principal& principal, std::string_view uscc, int64_t at_ms) {
  bool outside_validity = false;
  for (const Agency& a : principal.agencies) {
    if (a.uscc != uscc) continue;
    if (a.relation == EnterpriseRelation::kLegalRepresentative) return Ok();
    if (at_ms >= a.valid_from && (!a.valid_until || at_ms < *a.valid_until)) return Ok();
    outside_validity = true;
  }
  if (outside_validity) {
    return Error(ErrorCode::kForbidden,
                 fmt::format("the authorisation to act for {} is not valid now", uscc));
  }
  return Error(ErrorCode::kForbidden, fmt::format("not authorised to act for enterprise {}", uscc));
}

}  // namespace tongban::people
