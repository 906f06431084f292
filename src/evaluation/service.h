// The evaluation service (好差评): ratings of visits and cases, QR tokens, SMS invitations, the
// rectification of bad ratings and the public statistics. What the HTTP routes and the command
// line call. Each change is one write transaction with its trace event (streams
// "evaluation/<id>" and "rectification/<id>"); notices to the applicant go to the case's notice
// outbox (case_notice) in the same transaction and are sent by SMS after the commit.
//
// Who may do what: only the applicant rates (a staff account never does: 一次一评 goes through the
// rating device or the applicant's own phone); only staff with evaluation.rectify over the
// item's region and department act on a rectification item; only staff with evaluation.review
// over its region decide an appeal (申诉复核).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/result.h"
#include "devices/rating_device.h"
#include "evaluation/model.h"
#include "people/model.h"
#include "store/database.h"
#include "store/migrations.h"
#include "trace/trace.h"

namespace tongban::evaluation {

Result<store::MigrationSet> Migrations();

// The rectification limit of a region (its subtree): 15, 7 or 5 working days are all in use.
struct RegionLimit {
  std::string region;  // a region code; the longest matching prefix wins
  int working_days = 15;
};

// Parses "431128:5,430181:7,*:15" (region or "*" for the default, then working days) into
// `limits` and `default_days`; every bad entry is named ("rectification_limits/1"). Empty text
// changes nothing.
Status ParseRegionLimits(std::string_view text, std::vector<RegionLimit>& limits,
                         int& default_days);

struct EvaluationOptions {
  const Clock* clock = nullptr;             // the system clock when null
  const Calendar* calendar = nullptr;       // the embedded national calendar when null
  trace::Trace* trace = nullptr;            // no trace events when null
  devices::RatingDevice* device = nullptr;  // no device rating when null
  // The key QR tokens are signed with (HMAC-SM3); a random key when empty (tokens then end with
  // the process: they live minutes).
  std::string token_key = {};
  int64_t token_ttl_ms = 15LL * 60 * 1000;
  // The SMS invitation goes to cases unrated this long after they ended (natural time), and
  // only to cases that ended within `invite_window_ms` before that.
  int64_t invite_after_ms = 3LL * 24 * 3600 * 1000;
  int64_t invite_window_ms = 30LL * 24 * 3600 * 1000;
  int default_limit_days = 15;
  std::vector<RegionLimit> limits = {};
  // The tags an applicant may pick per level; DefaultTags() when empty.
  std::map<Level, std::vector<std::string>> tags = {};
  // Called after a commit that queued notices (the app drains the case notice outbox).
  std::function<void()> after_notices = {};
};

// The tags of GB/T 39734's examples, per level.
std::map<Level, std::vector<std::string>> DefaultTags();

// A clerk's opening of a visit. With a case number, the region, department, matter and
// applicant come from the case.
struct VisitRequest {
  std::string case_number{};
  VisitChannel channel = VisitChannel::kWindow;
  std::string window{};
  std::string terminal{};  // the rating device's terminal; the window's code when empty
  std::string region{};
  std::string department{};
  std::string matter{};
  std::string applicant_account{};
  std::string applicant_code{};
};

enum class RatingMethod { kDevice, kQrCode };

// What a clerk's rating request gives back: the rating when the device collected one, or the
// token to show as a QR code.
struct RatingRequestResult {
  std::optional<Evaluation> evaluation;
  std::string token;
  int64_t expires_at = 0;
};

struct RectificationQuery {
  std::optional<RectificationState> state{};
  std::string region{};
  std::string department{};
  bool overdue = false;
  int limit = 50;  // 1 to 500
};

struct EvaluationQuery {
  std::string region{};
  std::string department{};
  std::optional<Level> level{};
  bool bad_only = false;
  int limit = 50;        // 1 to 500
  std::string before{};  // an evaluation id: older ones (the previous page's next_cursor)
};

struct EvaluationPage {
  std::vector<Evaluation> items;
  std::string next_cursor;
};

class EvaluationService {
 public:
  // `db` must have Migrations() and the case migrations applied and outlive the service.
  static Result<std::unique_ptr<EvaluationService>> Create(store::Database& db,
                                                           EvaluationOptions options);
  ~EvaluationService();

  // ---- ratings ----

  // 一事一评: the case's applicant (person, submitter, or whoever may act for the enterprise)
  // rates it once after conclusion, refusal or withdrawal. kForbidden for a staff account or
  // somebody else's case, kRefused before the case ended, kConflict for a second online rating,
  // kInvalidArgument naming a tag not configured for the level or an over-long text. A bad
  // rating opens a rectification item.
  Result<Evaluation> RateCase(const people::Principal& caller, std::string_view number,
                              const RatingInput& input);

  // Opens a window or kiosk visit: staff with case.accept over its region and department.
  Result<Visit> OpenVisit(const people::Principal& caller, const VisitRequest& request);
  Result<Visit> GetVisit(std::string_view id);

  // 一次一评 at the end of a visit, whatever its case's state: the clerk (case.accept over the
  // visit) asks the rating device, which returns what the applicant pressed (recorded as the
  // applicant's rating), or asks for a QR token (signed, single use, expiring) for the
  // applicant's phone. kConflict when the visit is rated already.
  Result<RatingRequestResult> RequestVisitRating(const people::Principal& caller,
                                                 std::string_view visit_id, RatingMethod method);
  // The applicant rates by the token of a QR code, signed in (`caller`) or not. A staff account
  // is refused; a forged, expired or used token is kForbidden / kRefused.
  Result<Evaluation> RateByToken(const people::Principal* caller, std::string_view token,
                                 const RatingInput& input);

  // Staff listing within the caller's evaluation.read grants, newest first.
  Result<EvaluationPage> ListEvaluations(const people::Principal& caller,
                                         const EvaluationQuery& query);
  // SMS invitations to ended cases unrated after options.invite_after_ms, once per case.
  // Returns how many were queued. Safe to run concurrently (the invitation row is unique).
  Result<int> InviteDue();

  // ---- rectification (差评整改) ----

  Result<Rectification> GetRectification(const people::Principal& caller, std::string_view id);
  // Items within the caller's evaluation.read / evaluation.rectify / evaluation.review grants.
  Result<std::vector<Rectification>> ListRectifications(const people::Principal& caller,
                                                        const RectificationQuery& query);
  // 回访核实: once per item, for a named rating (an anonymous one has nobody to call).
  Result<Rectification> RecordCallback(const people::Principal& caller, std::string_view id,
                                       CallbackOutcome outcome, std::string note);
  // 整改 / 解释说明: an open item; a named rating must be called back first. The applicant is
  // told the outcome.
  Result<Rectification> Rectify(const people::Principal& caller, std::string_view id,
                                std::string note);
  Result<Rectification> Explain(const people::Principal& caller, std::string_view id,
                                std::string note);
  // 申诉: the department holds the rating mistaken or malicious; the supervisor reviews it.
  Result<Rectification> Appeal(const people::Principal& caller, std::string_view id,
                               std::string reason);
  // 申诉复核 by a holder of evaluation.review: uphold (the item is open again) or void (the
  // rating is excluded from statistics, kept). The applicant is told.
  Result<Rectification> Review(const people::Principal& caller, std::string_view id,
                               ReviewDecision decision, std::string note);
  // The applicant rates the handling of a rectified, explained or voided item, once.
  Result<Rectification> RateRectification(const people::Principal& caller, std::string_view id,
                                          Level level);

  // ---- statistics ----

  // Public figures (no personal data) per department, matter, window or region, read from the
  // pre-aggregated rows (evaluation_stat) the service keeps exact in every change's transaction.
  Result<Statistics> ComputeStatistics(const StatisticsQuery& query);
  // Recomputes the pre-aggregated rows from the ratings and rectification items (after rows were
  // written around the service, e.g. the demo's history); returns the ratings read.
  Result<int64_t> RebuildStatistics();

  // The working-day limit for a bad rating in `region`.
  int LimitDays(std::string_view region) const;
  const std::map<Level, std::vector<std::string>>& tags() const;
  Date Today() const;

 private:
  struct Impl;
  explicit EvaluationService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tongban::evaluation
