// Benefits without application (免申即享, issue 8): published policies by version, the grant
// roll and the payment roll per cycle, matching runs over the person register (who is eligible
// and receives nothing, who receives and is no longer eligible), notices, consent, and the
// funnel from screened to granted per region.
//
// Permissions (data/people/roles.yaml, role policy_officer): policy.write to publish,
// policy.match to run and read matches, policy.push to notify, policy.grant to record consent
// and write the grant roll; each over the region concerned.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "benefits/app_push.h"
#include "benefits/policy.h"
#include "benefits/what_if_core.h"
#include "people/model.h"
#include "people/sms.h"
#include "registers/register.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"

namespace tongban::benefits {

// The benefits schema, applied after the registers'.
Result<store::MigrationSet> Migrations();

// One row of the grant roll: the person receives `amount_fen` per cycle of the policy from
// `start` (inclusive) to `end` (inclusive; nullopt: until stopped).
struct Grant {
  std::string policy{};
  std::string person_id{};
  std::string region{};  // the person's household region when granted
  int64_t amount_fen = 0;
  Date start{};
  std::optional<Date> end{};
  std::string source{};  // import, consent, opt_out, manual
  std::string run_id{};  // the matching run that led to it, if any
};

struct LineError {
  int64_t line = 0;  // 1 is the header
  std::string field{};
  std::string reason{};
};

struct GrantImport {
  int64_t imported = 0;
  std::vector<LineError> rejected{};
};

// A line of the payment roll (发放名册) of one cycle.
struct PaymentLine {
  std::string person_id{};
  std::string region{};
  int64_t amount_fen = 0;
};

struct RegionCounts {
  std::string region{};  // household region cut to the run's group_digits
  int64_t screened = 0;
  int64_t eligible = 0;
  int64_t eligible_not_receiving = 0;
  int64_t no_longer_eligible = 0;
};

// A listed person of a run, with the rule's trace that explains the decision.
struct MatchResult {
  std::string person_id{};
  std::string region{};  // full household region code
  std::string kind{};    // eligible_not_receiving, no_longer_eligible
  int64_t amount_fen = 0;
  std::string explanation{};  // JSON: [{"text": sub-expression, "value": its value, "depth": n}]
};

struct MatchRun {
  std::string id{};  // empty for a dry run
  std::string policy{};
  int64_t version = 0;  // the version in force on the reference date
  std::string region{};
  Date reference{};
  std::string as_of{};  // the register snapshot read: its time (RerunAsOf reads it again)
  std::string created_by{};
  RegionCounts total{};
  std::vector<RegionCounts> regions{};
  std::vector<MatchResult> results{};  // filled by Match; GetRun leaves it empty
};

// How far a matching run is: its stage (load, match, difference, write, done), the fraction of
// the whole run done, and the persons (or entities) of the register it reads, 0 until loaded.
struct MatchProgress {
  std::string_view stage{};
  double fraction = 0;
  int64_t persons = 0;
};

struct MatchOptions {
  std::string region{};             // empty: the policy's region scope
  std::optional<Date> reference{};  // default: today in China
  bool dry_run = false;             // compute and return, store nothing
  int group_digits = 9;             // regions counted to the town (9 digits)
  // The register snapshot to read (ISO-8601 UTC, as a run's as_of): the register's current
  // state with every change recorded after it undone from register_history, and the grant
  // roll as it stood then. Empty: now.
  std::string as_of{};
  int64_t version = 0;  // the policy version to run (0: the one in force on the reference date)
  int threads = 1;
  // Called at each stage and every few thousand persons within one (the CLI's progress bar).
  std::function<void(const MatchProgress&)> progress{};
  // Tests: fail the write after this many results as if the process died (0: never).
  int fail_after_results = 0;
};

// A what-if of a policy draft (issue 8, item 4): the draft's rules against the version in force.
struct WhatIfInput {
  std::string eligibility{};        // the draft's eligibility rule (FEEL over the register)
  std::string amount{};             // the draft's amount rule; empty: the version's
  std::string region{};             // empty: the policy's scope
  std::optional<Date> reference{};  // default: today in China
  int group_digits = 9;
  int threads = 2;
};
struct WhatIf {
  std::string policy{};
  int64_t version = 0;  // the version in force the draft is compared with
  WhatIfCounts total{};
  std::vector<WhatIfCounts> regions{};
  double elapsed_ms = 0;
  bool cached_register = false;  // the register's columns came from the cache
};

// The installation's sending rates when a policy names none (`send_rate:`): SMS 20 per second,
// app messages 100 per second. Portal messages and the visit list are not rate-limited.
std::map<std::string, SendRate> DefaultSendRates();

struct NotifyOptions {
  int limit = 1000;         // at most this many notices per call
  int visit_due_days = 10;  // visit/phone list: due this many days after today
};

struct NotifyReport {
  int64_t sent = 0;       // new notices made by this call
  int64_t failed = 0;     // of those, delivery failed (status "failed")
  int64_t scheduled = 0;  // of those, over the channel's rate: sent when due (SendDue)
  int64_t remaining = 0;  // listed persons of the run still without a notice
};

struct Notice {
  std::string run_id{};
  std::string person_id{};
  std::string channel{};          // sms, app, portal, visit
  std::string status{};           // scheduled, queued, sent, failed, delivered, assigned
  std::string assigned_region{};  // visit: the village whose staff call or visit
  std::string due_date{};         // visit: by when
  std::string outcome{};
  int64_t send_at_ms = 0;  // sms, app: when it was (scheduled: is to be) sent
  std::string decision{};  // the person's consent so far: "", accepted, declined
};

enum class Decision { kAccepted, kDeclined };

// A notice as the person it went to sees it (我的消息): the policy and what it offers, and the
// person's decision so far ("" while undecided, "accepted", "declined").
struct PersonNotice {
  std::string run_id{};
  std::string person_id{};  // the register's id, which a consent names
  std::string policy{};
  int64_t version = 0;
  std::string title{};
  PolicyKind kind = PolicyKind::kBenefit;  // kNotice: a policy push (政策直通车), nothing to decide
  GrantMode mode = GrantMode::kConsentRequired;
  int64_t amount_fen = 0;  // per cycle
  Cycle cycle = Cycle::kMonthly;
  std::string legal_basis{};
  std::string channel{};
  std::string notified_at{};  // RFC 3339
  std::string decision{};
};

struct ConsentInput {
  Decision decision = Decision::kAccepted;
  bool by_staff = false;   // 代为登记: staff record it after a visit or call
  std::string evidence{};  // required when by_staff (what was seen or heard, a file reference)
  // Information the registers lack, completed in the same step (e.g. the bank account): form
  // fields of the grant case, over those the policy's case_form fills.
  std::map<std::string, std::string> form{};
};

// What consent (or the end of an opt-out period) hands on to grant the benefit. The proactive
// grant case (src/cases) plugs in here; without a handler the grant goes straight to the roll.
struct GrantRequest {
  std::string policy{};
  int64_t version = 0;
  std::string run_id{};
  std::string person_id{};
  std::string region{};
  int64_t amount_fen = 0;
  Date start{};
  std::map<std::string, std::string> form{};  // ConsentInput::form
};
using GrantHandler = std::function<Status(const GrantRequest&)>;

enum class ReviewDecision { kStop, kKeep };

struct ReviewInput {
  ReviewDecision decision = ReviewDecision::kKeep;
  std::string note{};         // why: required
  std::optional<Date> end{};  // kStop: the last day paid (default: yesterday)
};

struct Review {
  std::string run_id{};
  std::string person_id{};
  std::string decision{};  // stop, keep
  std::string reviewer{};
  std::string note{};
  std::string end_date{};  // stop: the last day paid
  std::string reviewed_at{};
};

struct FunnelRow {
  std::string region{};
  int64_t screened = 0, eligible = 0, eligible_not_receiving = 0, notified = 0, consented = 0,
          granted = 0, read = 0;  // read: notices their recipient opened
};
struct Funnel {
  std::string run_id{};
  std::string policy{};
  int64_t version = 0;
  FunnelRow total{};
  std::vector<FunnelRow> regions{};
};

class Benefits {
 public:
  // `db` carries the registers' and the benefits' migrations; all arguments outlive the
  // service. `sms` may be null (then sms notices fall back to the visit list).
  static Result<std::unique_ptr<Benefits>> Create(store::Database& db,
                                                  registers::Registers& registers,
                                                  const Clock& clock, people::SmsGateway* sms);

  // Publishes a policy version after ParsePolicy and CheckPolicy (errors name the field and
  // reason). policy.write over the policy's region. kAlreadyExists when the version exists,
  // kConflict when it is not above the newest published version.
  Result<Policy> Publish(const people::Principal& by, std::string_view yaml);
  // The newest version of each policy, by name.
  Result<std::vector<Policy>> ListPolicies();
  // One version (0: the newest). kNotFound.
  Result<Policy> GetPolicy(std::string_view name, int64_t version = 0);
  // The highest version in force on `date`. kNotFound when none is.
  Result<Policy> PolicyInForce(std::string_view name, Date date);

  // Imports grant roll rows, CSV with header person_id (or id_number, found through its blind
  // index),amount_fen,start_date[,end_date], for
  // `policy`: every bad line is reported (line, field, reason) and the good lines are written
  // together. policy.grant over each person's region.
  Result<GrantImport> ImportGrants(const people::Principal& by, std::string_view policy,
                                   std::string_view csv);
  // Adds one grant; kAlreadyExists when the person has a grant of the policy from that date.
  Status AddGrant(const people::Principal& by, const Grant& grant);
  // The persons to pay for the cycle `period` ("2026-11" monthly, "2026" yearly, "once"):
  // grants of the policy whose validity overlaps it, by person id.
  Result<std::vector<PaymentLine>> PaymentRoll(std::string_view policy, std::string_view period);

  // Matches the policy version in force on the reference date against the register (or the
  // options' region within the policy's scope): eligible-not-receiving and
  // receiving-but-no-longer-eligible (listed for review, never stopped), with explanations for
  // the listed persons and counts per region. Stored in one transaction (an interrupted run
  // leaves nothing; run it again). policy.match over the region.
  Result<MatchRun> Match(const people::Principal& by, std::string_view policy,
                         const MatchOptions& options);
  // The scheduler hook: matches every policy in force today (on the injected clock) that has
  // no run yet in the current cycle (the month, the year; `once`: ever), over its whole scope.
  // A scheduler calls it periodically; a second call in the same cycle runs nothing.
  Result<std::vector<MatchRun>> RunDue(const people::Principal& by);
  Result<MatchRun> GetRun(std::string_view run_id);
  // A page of the policy's runs, newest first, those before the run id `before` (keyset; empty:
  // from the newest), at most `limit` (1..1000) read; runs over regions where the caller lacks
  // policy.match are left out. `next` is the cursor for the following page ("" at the end).
  struct RunPage {
    std::vector<MatchRun> runs{};  // totals only (no regions, no results)
    std::string next{};
  };
  Result<RunPage> Runs(const people::Principal& by, std::string_view policy,
                       std::string_view before, int limit);
  // Runs a stored run again over the register as of its as_of (same policy version, region,
  // reference date and grouping): the same counts and listed persons whatever changed since.
  // A dry run (nothing stored) unless `store` is kStore.
  enum class Rerun { kDryRun, kStore };
  Result<MatchRun> RerunAsOf(const people::Principal& by, std::string_view run_id,
                             Rerun store = Rerun::kDryRun);
  // The listed persons of a run, by person id after `after`, at most `limit`; `kind` empty: all.
  Result<std::vector<MatchResult>> RunResults(std::string_view run_id, std::string_view kind,
                                              std::string_view after, int limit);

  // Notifies the run's eligible-not-receiving persons that have no notice yet, through the
  // policy's first channel (sms falls back to the visit list without a phone): one notice per
  // run and person, by the table's key. policy.push over the run's region.
  Result<NotifyReport> Notify(const people::Principal& by, std::string_view run_id,
                              const NotifyOptions& options);
  Result<std::vector<Notice>> Notices(std::string_view run_id);
  // Sends the notices whose scheduled time has come (at most `limit`, oldest first) and records
  // each one's delivery status: the second half of rate-limited bulk sending, called by the
  // scheduler every second. Returns how many it handed on (sent or failed). `by` reads the
  // phones (register.read_full, purpose proactive_grant).
  Result<int64_t> SendDue(const people::Principal& by, int limit = 1000);
  // The app push service (`app` channel); by default a simulator the Benefits own. `app` must
  // outlive the service.
  void SetAppPush(AppPushGateway* app) { app_ = app; }
  AppPushGateway* app_push() const { return app_; }
  // The installation's sending rates (channel -> rate), over DefaultSendRates().
  void SetSendRates(const std::map<std::string, SendRate>& rates) {
    std::lock_guard lock(send_mu_);
    for (const auto& [channel, rate] : rates) send_rates_[channel] = rate;
  }
  // Records a notified person's decision (online by the person, or by staff with evidence);
  // acceptance grants through the handler (or straight onto the roll). kConflict when already
  // decided; kFailedPrecondition-like kConflict when the person was not notified.
  Status RecordConsent(const people::Principal& by, std::string_view run_id,
                       std::string_view person_id, const ConsentInput& input);
  // The notices sent to the caller's own person record (found by the account's ID number),
  // newest first, with each one's decision. A staff account, or a citizen the register does not
  // hold, has none.
  Result<std::vector<PersonNotice>> NoticesFor(const people::Principal& by);
  // The recipient opened the notice of a run: the person themself (a citizen signed in under
  // the person's ID number) or, for an enterprise, its legal representative or an authorised
  // agent. The first read counts; a second changes nothing. kNotFound when there is no notice.
  Status MarkNoticeRead(const people::Principal& by, std::string_view run_id,
                        std::string_view recipient);

  // direct_with_opt_out: grants every notified person who has not declined within the policy's
  // opt-out days. Returns how many were granted.
  Result<int64_t> ConcludeOptOuts(const people::Principal& by, std::string_view run_id);

  // The human review of a receiving-but-no-longer-eligible person of a run (never cut
  // automatically): kStop ends the person's grants of the policy on `end` (default: the day
  // before today), kKeep records that the grant continues. Once per run and person (kConflict
  // after); kNotFound when the person is not listed as no_longer_eligible in the run.
  // policy.grant over the person's region; the note is required.
  Status ReviewNoLongerEligible(const people::Principal& by, std::string_view run_id,
                                std::string_view person_id, const ReviewInput& input);
  Result<std::vector<Review>> Reviews(std::string_view run_id);

  // screened → eligible → eligible-not-receiving → notified → consented → granted, per region.
  Result<Funnel> FunnelOf(std::string_view run_id);

  // Why the person is or is not eligible under the policy in force on `reference`: the
  // verdict and the rule's trace, for a person's request for human review (个人信息保护法
  // 第24条). register.read over the person.
  Result<std::pair<bool, std::string>> Explain(const people::Principal& by, std::string_view policy,
                                               std::string_view person_id, Date reference);

  // How many persons the draft would make eligible or drop, and the cost per cycle, per region,
  // against the version in force: fast enough to answer while typing (the register's columns
  // are cached for a minute per region and reference date; the rules are compiled per call).
  // A rule that does not compile is kInvalidArgument naming "eligibility" or "amount".
  // policy.match over the region.
  Result<WhatIf> WhatIfDraft(const people::Principal& by, std::string_view policy,
                             const WhatIfInput& input);

  void SetGrantHandler(GrantHandler handler) { grant_handler_ = std::move(handler); }

 private:
  Benefits(store::Database& db, registers::Registers& registers, const Clock& clock,
           people::SmsGateway* sms, store::QuerySet queries)
      : db_(db), registers_(registers), clock_(clock), sms_(sms), queries_(std::move(queries)) {}
  const std::string& Q(std::string_view name) const { return queries_.Get(name, db_.backend()); }
  int64_t NowMs() const;
  Status GrantNow(const GrantRequest& request, std::string_view source, std::string_view by);
  // Sends one notice through its channel (sms, app). `by` reads the phone unless `phone` is
  // given (read already).
  Status Deliver(const people::Principal& by, const Policy& policy, const std::string& run_id,
                 const std::string& person_id, const std::string& channel, int64_t now_ms,
                 std::string phone = {});

  store::Database& db_;
  registers::Registers& registers_;
  const Clock& clock_;
  people::SmsGateway* sms_;
  std::unique_ptr<SimulatedAppPush> own_app_ = std::make_unique<SimulatedAppPush>();
  AppPushGateway* app_ = own_app_.get();
  std::map<std::string, SendRate> send_rates_ = DefaultSendRates();
  std::mutex send_mu_;  // guards send_rates_ (the slots themselves are rows: benefit_send_slot)
  store::QuerySet queries_;
  GrantHandler grant_handler_{};
  struct ColumnCache;
  static std::shared_ptr<ColumnCache> NewColumnCache();
  std::shared_ptr<ColumnCache> column_cache_ = NewColumnCache();
};

// Writes the payment roll as CSV (person_id,region,amount_fen,amount_yuan) / XLSX (one sheet,
// the same columns and a total line).
void WritePaymentRollCsv(const std::vector<PaymentLine>& lines, std::ostream& out);
Status WritePaymentRollXlsx(const std::vector<PaymentLine>& lines, std::string_view title,
                            const std::string& path);
// Writes run results as CSV (person_id,region,kind,amount_fen,explanation).
void WriteResultsCsv(const std::vector<MatchResult>& results, std::ostream& out);

}  // namespace tongban::benefits
