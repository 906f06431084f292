// Electronic supervision (电子监察): plain values, no storage, no HTTP. The rules of a region say
// when a case or one of its review steps earns a warning (预警), a yellow card (黄牌) or a red
// card (红牌); the sweep issues them; departments answer them; red cards may be handed to the
// discipline inspectors (移交) as clues. Wire names are the English ids of GLOSSARY.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace tongban::supervision {

enum class Level { kWarning, kYellow, kRed };

// What a rule looks at: the case (its record and clock), or each open review step of it.
enum class RuleScope { kCase, kStep };

enum class CardState {
  kOpen,        // issued, not yet answered
  kAnswered,    // the department answered with its correction (整改)
  kHandedOver,  // a red card handed to the discipline inspectors as a clue (移交)
};

std::string_view LevelName(Level l);
std::string_view LevelTitle(Level l);  // 预警 / 黄牌 / 红牌
std::optional<Level> ParseLevel(std::string_view s);
std::string_view RuleScopeName(RuleScope s);
std::optional<RuleScope> ParseRuleScope(std::string_view s);
std::string_view CardStateName(CardState s);
std::optional<CardState> ParseCardState(std::string_view s);

// One trigger: a FEEL boolean over the case (or the step) that, when true, issues `level` with
// `reason`. The names a rule may use are listed in docs/supervision.md (`due on`, `today`,
// `warning day`, `red day`, `state`, `step due`, `now`, ...).
struct Rule {
  std::string name;  // [a-z0-9_]+, unique in its rule set; the trigger's name on the card
  RuleScope scope = RuleScope::kCase;
  Level level = Level::kYellow;
  std::string reason;               // what the card says, in Chinese
  std::vector<std::string> states;  // case states the rule looks at; empty: the open ones
  std::string when;                 // FEEL
  bool disabled = false;            // a child region switches an inherited rule off
};

struct WarningSettings {
  int working_days = 1;  // warn when at most this many working days are left
  int percent = 0;       // or at most this share of the limit (0: off)
};

struct EscalationSettings {
  int yellow_cards = 3;  // this many yellow cards …
  int days = 30;         // … issued within this many natural days escalate to a red card
};

// The rules of one region, as saved. Unset settings inherit from the parent region.
struct RuleSet {
  std::string region;
  std::string title;
  std::optional<WarningSettings> warning;
  std::optional<EscalationSettings> escalation;
  std::optional<int> red_after_working_days;  // `red day` = this many working days before today
  std::vector<Rule> rules;
};

// The rules in force in a region: its own over its parents' (province -> city -> county), a
// child's rule replacing the parent's of the same name.
struct EffectiveRules {
  std::string region;
  std::vector<std::string> sources;  // the regions whose rule sets contributed, root first
  WarningSettings warning;
  EscalationSettings escalation;
  int red_after_working_days = 5;
  std::vector<Rule> rules;  // without the disabled ones
};

struct CardEvent {
  int seq = 0;
  int64_t at_ms = 0;
  std::string actor;
  std::string action;  // issued | answered | handed_over
  std::string note;
};

struct Card {
  int64_t id = 0;
  std::string case_id;
  std::string case_number;  // empty for an escalation
  std::string step;         // the review step's task id; empty for the case
  std::string step_name;
  std::string trigger;  // the rule's name, "warning", or "repeated_yellow"
  Level level = Level::kYellow;
  std::string reason;
  std::string region;
  std::string department;
  std::string person;  // the responsible staff account id ('' when none)
  Date issued_on;
  int64_t issued_at_ms = 0;
  CardState state = CardState::kOpen;
  std::string answer;
  std::string answered_by;
  std::string handed_over_by;
  std::vector<CardEvent> history;  // filled by GetCard
};

struct CardPage {
  std::vector<Card> items;
  std::string next_cursor;
};

struct TriggerCount {
  std::string trigger;
  Level level = Level::kYellow;
  int64_t matched = 0;  // cases or steps for which it holds today (when counted)
  int64_t issued = 0;   // of them, new (dry run: would be new)
};

struct SweepResult {
  std::string id;
  Date as_of;
  bool dry_run = false;
  int64_t open_cases = 0;
  std::vector<TriggerCount> triggers;
  int64_t warnings = 0;  // issued (dry run: would be)
  int64_t yellow = 0;
  int64_t red = 0;
  int64_t escalated = 0;  // red cards for repeated yellow cards
  int64_t notices = 0;    // queued notices: case warnings, projects' warnings and cards
  int64_t elapsed_ms = 0;
  // Statements that read only the cases written since their last complete run (same day,
  // same rule and constants): see the incremental sweep in docs/supervision.md.
  int64_t incremental = 0;
  // Case statements that ran on other constants (a new day) reading only the changed cases and
  // the cases due between the old and the new constants (docs/supervision.md).
  int64_t day_incremental = 0;
};

// One line of a card report: a department or a person in a period.
struct ReportRow {
  std::string key;  // department code or account id
  std::string region;
  int64_t warnings = 0;
  int64_t yellow = 0;
  int64_t red = 0;
  int64_t answered = 0;
  int64_t handed_over = 0;
};

enum class ReportBy { kDepartment, kPerson };

struct Report {
  std::string period;  // 2026-11 or 2026-Q4
  Date from, to;       // inclusive
  ReportBy by = ReportBy::kDepartment;
  std::vector<ReportRow> rows;
};

}  // namespace tongban::supervision
