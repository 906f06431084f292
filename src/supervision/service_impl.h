// The supervision service's state, shared by service.cc and sweep.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "people/authorization.h"
#include "people/region_range.h"
#include "store/queries.h"
#include "supervision/service.h"

namespace tongban::supervision {

// The cards with ids in (after_card, last_card] and the SM3 of their rows as issued (one line per
// card: id|dedupe_key|case_id|level|reason|department|person|issued_on|issued_at), which the
// sweep's trace event records; recomputing it checks the card rows against the trace.
struct IssuedCards {
  int64_t count = 0;
  std::string digest;
};
IssuedCards DigestIssuedCards(soci::session& sql, const std::string& query, int64_t after_card,
                              int64_t last_card);

struct SupervisionService::Impl {
  Impl(store::Database& d, trace::Trace& t, store::QuerySet q)
      : db(d), trace(t), queries(std::move(q)) {}

  const std::string& Q(std::string_view name) const { return queries.Get(name, db.backend()); }
  int64_t NowMs() const;

  Result<std::vector<RuleSet>> AllRuleSets();
  static EffectiveRules Effective(std::string_view region, const std::vector<RuleSet>& all);
  // SQL: the OR of the caller's grants giving `permission` (region range, department).
  std::string GrantFilter(const people::Principal& caller, std::string_view permission) const;
  Result<Card> LoadCard(soci::session& sql, int64_t id) const;
  Status Visible(const people::Principal& caller, const Card& c) const;
  Status AddEvent(soci::session& sql, int64_t id, const std::string& actor,
                  const std::string& action, const std::string& note);
  Result<std::string> CaseFile(soci::session& sql, const std::string& case_id) const;

  store::Database& db;
  trace::Trace& trace;
  store::QuerySet queries;
  const Clock* clock = nullptr;
  const Calendar* calendar = nullptr;
  std::unique_ptr<Calendar> own_calendar;
  std::function<const Calendar&(std::string_view region)> region_calendar;
  std::function<std::vector<std::string>()> calendar_regions;

  // The calendar the cases of `region` count in ("" or not a region code: the national one).
  const Calendar& CalendarOf(std::string_view region) const {
    return region_calendar && people::IsRegionCode(region) ? region_calendar(region) : *calendar;
  }
};

}  // namespace tongban::supervision
