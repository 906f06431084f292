// Benefit policies (政策, issue 8): a benefit matter with its eligibility rule over the person
// register, its amount rule (money in fen), cycle, region scope, validity, legal basis and mode;
// or a notice-only policy (政策直通车) that only targets whom to inform. Policies are written as
// YAML (data/policies/*.yaml), checked in full before publication and stored by version.
//
// The rules use the names of registers/columns.h (age, household_region, assistance,
// disability_certificate, disability_level, long_term_care, status, ...).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "dmn/evaluator.h"
#include "feel/feel.h"
#include "feel/value.h"

namespace tongban::benefits {

enum class PolicyKind { kBenefit, kNotice };
enum class Cycle { kMonthly, kYearly, kOnce };
enum class GrantMode { kConsentRequired, kDirectWithOptOut };
// Whom a policy's rule reads: persons (the person register) or enterprises (the entity
// register: type, industry, size, registered_region, status; notice-only policies).
enum class Subject { kPerson, kEntity };

std::string_view PolicyKindName(PolicyKind k);
std::string_view CycleName(Cycle c);
std::string_view GrantModeName(GrantMode m);

// A channel's sending rate: at most `count` messages in each window of `window_ms` (aligned on
// the epoch: a fixed-window limit). Written "20/s" or "600/min".
struct SendRate {
  int count = 0;
  int64_t window_ms = 1000;
};
// Parses "N/s" or "N/min", N in 1..100000. kInvalidArgument naming `field`.
Result<SendRate> ParseSendRate(std::string_view text, std::string_view field);

struct Policy {
  std::string name{};  // [a-z0-9_], the stable key of all versions
  int64_t version = 0;
  PolicyKind kind = PolicyKind::kBenefit;
  Subject subject = Subject::kPerson;
  std::string title{};
  std::string matter{};       // the benefit matter's code (kBenefit)
  std::string eligibility{};  // boolean FEEL over the person register (kNotice: the target rule)
  // Or a decision table (YAML, docs/dmn-yaml.md) giving true/false, whose `data` are register
  // names: then `eligibility` is empty and the table is evaluated person by person.
  std::string eligibility_table{};
  std::string amount{};  // FEEL giving whole fen per cycle (kBenefit)
  Cycle cycle = Cycle::kMonthly;
  std::string region{};  // region scope: the subtree the policy applies in
  Date valid_from{};
  std::optional<Date> valid_to{};  // inclusive; nullopt: open-ended
  std::string legal_basis{};
  GrantMode mode = GrantMode::kConsentRequired;
  int opt_out_days = 15;                // kDirectWithOptOut: days to object after the notice
  std::vector<std::string> channels{};  // sms, app, portal, visit
  // `send_rate: {sms: 10/s, app: 600/min}`: overrides the installation's rate of the channels
  // that send (sms, app) for this policy's notices.
  std::map<std::string, SendRate> send_rates{};
  std::string sms_template{};  // {name}, {title}, {amount_yuan} are replaced
  std::string source{};        // the YAML text it was parsed from
  // The proactive grant case (kBenefit): its form fields as FEEL over the person register
  // (field name -> rule; text, number or boolean), in YAML order, and the names of the
  // scenario's materials taken from the registers (declared provided, origin register).
  std::vector<std::pair<std::string, std::string>> case_form{};
  std::vector<std::string> case_materials{};

  bool InForce(Date d) const { return valid_from <= d && (!valid_to || d <= *valid_to); }
};

inline constexpr std::string_view kChannels[] = {"sms", "app", "portal", "visit"};

// Parses one policy's YAML: kInvalidArgument naming every missing or malformed key. Does not
// check the rules (CheckPolicy does).
Result<Policy> ParsePolicy(std::string_view yaml);

// Checks what publication needs: the rules compile against the person register's names (an
// unknown field is named with its position), evaluate without error on sample persons, the
// eligibility rule gives a boolean and the amount rule a whole, non-negative number of fen.
// kInvalidArgument with field "eligibility" or "amount" and the reason.
Status CheckPolicy(const Policy& policy);

// A policy's decision table compiled once, evaluated per person from the register's names.
struct EligibilityTable {
  std::shared_ptr<const dmn::DecisionModel> model;
  std::string decision;
  std::vector<std::string> data;  // the register names it reads, in the table's order
};
// kInvalidArgument naming "eligibility_table": YAML or FEEL problems, data that are not
// register names.
Result<EligibilityTable> CompileEligibilityTable(std::string_view yaml);
// The table's verdict for one person: `value(name)` gives each register value. True only for
// a boolean true; the outcome's explanation lists the table's inputs and matched rules.
Result<dmn::Outcome> EvaluateEligibilityTable(
    const EligibilityTable& table, const std::function<feel::Value(std::string_view)>& value,
    bool explain);

// The policy files shipped in data/policies/, compiled into the binary.
Result<std::vector<Policy>> BuiltinPolicies();

// The names an entity policy's rule may use, as the matching loads them.
feel::Scope EntityScope();

// Formats fen as yuan with two decimals: 123456 -> "1234.56".
std::string FenToYuan(int64_t fen);

}  // namespace tongban::benefits
