// The supervision service (电子监察): rule sets per region, the sweep that issues warnings and
// cards, answers, hand-over to the discipline inspectors, and card reports. What the HTTP routes,
// the command line and the server's scheduler call.
//
// The sweep is set-based: each rule is compiled from FEEL to SQL once per sweep and run as one
// INSERT … SELECT over the open cases (or open review steps) of the regions it governs, so only
// new cards are written and a re-run inserts nothing twice (a unique key per case, step and
// trigger). Each rule is one write transaction: a crash loses at most the rule in progress, and
// the next sweep issues it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/result.h"
#include "people/model.h"
#include "store/database.h"
#include "store/migrations.h"
#include "supervision/model.h"
#include "trace/trace.h"

namespace tongban::supervision {

Result<store::MigrationSet> SupervisionMigrations();

// The rule sets shipped in data/supervision (the demo regions), compiled into the binary:
// (file name, YAML text).
std::vector<std::pair<std::string, std::string>> BuiltinRuleFiles();

struct ServiceOptions {
  const Clock* clock = nullptr;        // the system clock when null
  const Calendar* calendar = nullptr;  // the embedded national calendar when null
  // The calendar the cases of `region` count in (calendars::CalendarService::ForRegion, the one
  // the case service counts their due days in), and the regions with days of their own
  // (CalendarService::RegionsWithOwnDays): the sweep splits its regions by those, so that it
  // computes its day constants (`warning day`, `red day`) once per calendar, never per case.
  // `calendar` for every case when either is null. References must outlive the service.
  std::function<const Calendar&(std::string_view region)> region_calendar = nullptr;
  std::function<std::vector<std::string>()> calendar_regions = nullptr;
};

struct SweepOptions {
  std::string region{};         // only cases in this region's subtree; all when empty
  bool dry_run = false;         // count what would be issued, write nothing
  std::optional<Date> as_of{};  // the day to judge by (China time); today when absent
  std::string actor{"system"};
  // Also count, per trigger, every case or step for which it holds (issued before or not): one
  // more pass per rule. Dry runs always count.
  bool count_matched = true;
};

struct CardQuery {
  std::string region{};      // subtree
  std::string department{};  // exact code
  std::string person{};      // account id
  std::string case_number{};
  std::optional<Level> level{};
  std::optional<CardState> state{};
  bool include_warnings = false;  // warnings are listed only when asked (or level=warning)
  int limit = 50;                 // 1 to 200
  std::string cursor{};           // next_cursor of the previous page
};

struct HandOverResult {
  Card card;
  std::string bundle;  // the case file: JSON of the case record, its documents and its trace
  std::string digest;  // SM3 hex of `bundle`
};

class SupervisionService {
 public:
  // `db` (with SupervisionMigrations and the cases, bpmn, trace and people migrations applied)
  // and `trace` must outlive the service.
  static Result<std::unique_ptr<SupervisionService>> Create(store::Database& db,
                                                            trace::Trace& trace,
                                                            ServiceOptions options);
  ~SupervisionService();

  // Saves `yaml` as the rule set of `region` (supervision.card over that region). A rule set
  // that does not parse, names another region, or has a rule whose FEEL does not compile is
  // refused (kInvalidArgument naming each rule and its error) and nothing is saved.
  Result<RuleSet> SaveRules(const people::Principal& caller, std::string_view region,
                            std::string_view yaml);
  // Saves each builtin rule set whose region has none yet (start-up; API edits are kept).
  // Returns how many were saved.
  Result<int> LoadBuiltinRules();
  // The region's own rule set; kNotFound when it has none.
  Result<RuleSet> OwnRules(std::string_view region);
  // The rules in force in `region`: its own over its parents'.
  Result<EffectiveRules> RulesInForce(std::string_view region);

  // Runs the sweep (see the file comment). Repeated yellow cards of a department or a person
  // within the configured days escalate to one red card per month. Warnings are also queued as
  // notices to the responsible person (the case notice outbox, drained by the cases module).
  Result<SweepResult> Sweep(const SweepOptions& options);

  // Cards within the caller's supervision.read grants (region subtree and department), newest
  // first, keyset-paged by id.
  Result<CardPage> ListCards(const people::Principal& caller, const CardQuery& query);
  // One card with its history; kNotFound outside the caller's grants too.
  Result<Card> GetCard(const people::Principal& caller, int64_t id);
  // The department answers a card with its correction (supervision.answer over the card's region
  // and department). Once: a second answer, or an answer to a handed-over card, is kConflict.
  Result<Card> Answer(const people::Principal& caller, int64_t id, std::string_view correction);
  // Hands a red card to the discipline inspectors (supervision.clue over the card's region and
  // department) with the case file; once (kConflict after), refused (kRefused) for a yellow
  // card or a warning. Traced on stream "supervision/<id>".
  Result<HandOverResult> HandOver(const people::Principal& caller, int64_t id,
                                  std::string_view note);
  // The clue of a handed-over card (supervision.clue).
  Result<HandOverResult> GetClue(const people::Principal& caller, int64_t id);

  // Cards per department or person for a month ("2026-11") or a quarter ("2026-Q4"), within the
  // caller's supervision.read grants (and `region` when given).
  Result<Report> CardReport(const people::Principal& caller, std::string_view period, ReportBy by,
                            std::string_view region);

 private:
  struct Impl;
  explicit SupervisionService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The report as CSV (header line, one line per row, RFC 4180 quoting).
std::string ReportCsv(const Report& report);

}  // namespace tongban::supervision
