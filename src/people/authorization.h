// Authorisation by permission and scope: "may this principal do `permission` to `target` at this
// moment?" Pure functions over a Principal (which carries its grants), so a request is authorised
// without touching the database. Every write of every capability goes through Authorize().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "people/model.h"

namespace tongban::people {

// True when `code` is a region code a scope may name: 6 digits (GB/T 2260: province, city,
// county), 9 digits (town) or 12 digits (town/village, GB/T 10114 style).
bool IsRegionCode(std::string_view code);

// The significant prefix of a region code, so that subtrees compare by prefix: trailing zero
// levels are dropped ("430000" -> "43", "431100" -> "4311", "431128101000" -> "431128101").
// Precondition: IsRegionCode(code).
std::string RegionPrefix(std::string_view code);

// True when `region` lies in the subtree of `scope_region` ("*" covers every region, "431128"
// covers "431128" and its towns "431128101", "431100" covers "431128"). An empty `region` (the
// whole installation) is covered only by "*".
bool RegionCovers(std::string_view scope_region, std::string_view region);

// True when `scope` covers `target` at `at_ms`; otherwise `why` (if given) says which dimension
// fails ("region 430181 is outside 431128").
bool ScopeCovers(const Scope& scope, const Target& target, int64_t at_ms, std::string* why);

// True when every target `inner` covers is also covered by `outer` (regions, departments and
// matters; validity windows are not compared). Used when a grant is delegated onwards.
bool ScopeContains(const Scope& outer, const Scope& inner);

// Ok when one of the principal's grants gives `permission` with a scope that covers `target` at
// `at_ms`. Otherwise kForbidden naming the missing permission, or the permission and the scope
// dimension no grant reaches.
Status Authorize(const Principal& principal, std::string_view permission, const Target& target,
                 int64_t at_ms);

// Ok when one of the principal's grants valid at `at_ms` gives `permission` over a scope that
// contains all of `scope`: a security administrator can only hand out what lies inside its own
// scope. kForbidden otherwise.
Status AuthorizeWithin(const Principal& principal, std::string_view permission, const Scope& scope,
                       int64_t at_ms);

// True when the principal holds `permission` through any grant valid at `at_ms`, whatever its
// scope (for listing what a user may see, never as the check before a write).
bool HoldsPermission(const Principal& principal, std::string_view permission, int64_t at_ms);

// Ok when the principal may act for the enterprise `uscc` at `at_ms`: it is the legal
// representative, or an agent with an authorisation valid then. kForbidden otherwise.
Status AuthorizeForEnterprise(const Principal& principal, std::string_view uscc, int64_t at_ms);

}  // namespace tongban::people
