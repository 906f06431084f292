// The cross-region exchange: partners and agreements, the durable outbox (written in the same
// transaction as the case change it reports), delivery with retries and exponential backoff,
// the idempotent inbox applying each sender's messages in sequence order, hub relay, the
// hash-chained message log, and the cross-region cases of the three modes. No HTTP: posting is
// the Transport's job (src/api/xregion_transport.cc).
#pragma once

#include <soci/soci.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "crypto/sm2.h"
#include "licences/service.h"
#include "store/database.h"
#include "store/migrations.h"
#include "trace/trace.h"
#include "xregion/envelope.h"
#include "xregion/model.h"

namespace tongban::xregion {

Result<store::MigrationSet> Migrations();

// What a partner answered to one post.
struct PostAnswer {
  int status = 0;  // HTTP status; 0 when nothing answered (refused connection, time-out)
  std::string body{};
};

// Posts a wire message to a partner's inbox route (`base_url` + /api/v1/xregion/messages).
class Transport {
 public:
  virtual ~Transport() = default;
  virtual PostAnswer Post(const std::string& base_url, const std::string& body) = 0;
  // Posts a signed licence status query to the partner's status route (`base_url` +
  // /api/v1/xregion/licences/status) and returns its answer. A transport that cannot ask
  // answers nothing (status 0): the revocation stays unknown.
  virtual PostAnswer AskLicenceStatus(const std::string& base_url, const std::string& body) {
    (void)base_url;
    (void)body;
    return {.status = 0, .body = "this transport asks no licence status"};
  }
};

// How long a partner's signed answer about one of its licences is relied on before it is asked
// again (docs/xregion.md): a revocation is seen here at most this long after the partner
// recorded it.
inline constexpr int64_t kLicenceStatusLifetimeMs = 10 * 60 * 1000;

struct ServiceOptions {
  const Clock* clock = nullptr;   // the system clock when null
  trace::Trace* trace = nullptr;  // refusals are traced in stream "xregion/refusals" when set
  int64_t skew_tolerance_ms = kClockSkewToleranceMs;
  int64_t backoff_base_ms = 200;   // first retry after this, doubling
  int64_t backoff_max_ms = 30000;  // never more than this between tries
  // Called after a change put messages in the outbox (wakes the delivery thread).
  std::function<void()> on_enqueue = {};
  // Called after a receipt applied messages (wakes the delivery thread, whose round opens the
  // received cases as cases here).
  std::function<void()> on_received = {};
};

enum class ReceiveStatus {
  kStored,     // new: kept in the inbox (and applied when its predecessors were)
  kDuplicate,  // this message id was received before: nothing changed
  kRelayed,    // addressed to another installation: kept in the hub's outbox
};
std::string_view ReceiveStatusName(ReceiveStatus s);

struct ReceiveOutcome {
  ReceiveStatus status = ReceiveStatus::kStored;
  std::string message_id{};
  int applied = 0;  // messages applied by this receipt (this one and any it unblocked)
};

struct DeliveryRound {
  int delivered = 0;
  int failed = 0;  // will be retried
  int dead = 0;    // refused by the receiver: wait in the dead-letter list
};

struct OutboxEntry {
  std::string message_id{};
  std::string receiver{};
  std::string next_hop{};
  std::string case_ref{};
  std::string kind{};
  std::string state{};  // pending, delivered, dead
  int attempts = 0;
  int64_t next_attempt_at_ms = 0;
  std::string last_error{};
  int64_t created_at_ms = 0;
};

struct LogEntry {
  int64_t position = 0;
  std::string direction{};  // out, in, relay
  std::string message_id{};
  std::string partner{};
  std::string digest{};
  std::string hash{};
  int64_t at_ms = 0;
};

struct LogVerification {
  bool ok = true;
  int64_t entries = 0;
  int64_t first_bad = 0;  // the first position whose hash or digest does not match
  std::string problem{};
};

struct NewMaterial {
  std::string name{};
  std::string bytes{};
};

// 异地代收代办 / 全程网办: a case of a partner's matter, received here and forwarded.
struct ForwardRequest {
  Mode mode = Mode::kProxy;  // kProxy or kOnline
  std::string matter{};      // a matter of an agreement, handled by the partner
  std::string applicant_name{};
  std::string applicant_code{};
  std::map<std::string, std::string> form{};
  std::vector<NewMaterial> materials{};
  std::string delivery = "window";  // online, window, mail
  std::string actor{};              // account id
};

struct JointPartRequest {
  std::string region{};
  std::string matter{};
};

// 多地联办: a lead case here with a part in each partner's installation.
struct JointRequest {
  std::string matter{};  // this region's own matter (the lead's)
  std::string matter_name{};
  std::vector<JointPartRequest> parts{};
  std::string applicant_name{};
  std::string applicant_code{};
  std::map<std::string, std::string> form{};
  std::vector<NewMaterial> materials{};
  std::string actor{};
};

// A step of the handling side (accept, refuse, approve, deny, mail, conclude) or of the
// receiving side (deliver: the result handed to the applicant).
struct StepRequest {
  std::string step{};
  std::string note{};
  std::string result{};
  std::string tracking_number{};  // mail
  std::string actor{};
};

// What the issuing partner's licence register says about a licence, as last known here.
enum class Revocation {
  kNotChecked,  // the licence failed before its register was asked (forged, unknown issuer, …)
  kNotRevoked,  // the partner's register holds it in force
  kRevoked,     // revoked (or superseded) in the partner's register
  kUnknown,     // the partner could not be asked and no answer within its lifetime is known
};
std::string_view RevocationName(Revocation r);

struct PartnerLicenceCheck {
  licences::VerifyOutcome outcome = licences::VerifyOutcome::kValid;
  std::string reason{};   // Chinese, for the window and the API
  std::string partner{};  // the partner whose root the certificate chains to
  std::string licence_id{};
  std::string issuer_name{};
  Revocation revocation = Revocation::kNotChecked;
  // When the partner's register last answered for this licence (this installation's clock,
  // ms since the epoch); 0 when it never did.
  int64_t status_as_of_ms = 0;
  bool status_from_cache = false;  // the answer is a cached one, within its lifetime
  // Valid only when the partner's register said, within the answer's lifetime, that the
  // licence is in force: "revocation unknown" is never valid.
  bool valid() const {
    return outcome == licences::VerifyOutcome::kValid && revocation == Revocation::kNotRevoked;
  }
  // The outcome's wire name: licences::VerifyOutcomeName, or "revocation_unknown".
  std::string_view outcome_name() const;
};

struct CaseCounts {
  std::string mode{};
  std::string role{};  // receiving or lead: started here; handling or part: decided here
  std::string partner{};
  std::string matter{};
  int64_t cases = 0;
};

// One partner's line of the coverage report: the matters its agreements cover, per mode.
struct CoverageLine {
  std::string partner{};
  std::string partner_name{};
  int64_t matters = 0;
  int64_t online = 0;  // 全程网办
  int64_t proxy = 0;   // 异地代收代办
  int64_t joint = 0;   // 多地联办
};

// The article's "100 matters, 65 fully online", answered over the agreements: distinct matters
// covered by any agreement, and how many of them some agreement offers fully online.
struct Coverage {
  int64_t partners = 0;
  int64_t matters = 0;
  int64_t fully_online = 0;
  int64_t proxy = 0;
  int64_t joint = 0;
  std::vector<CoverageLine> lines{};  // per partner, by region code
};

class Service {
 public:
  // `db` must have Migrations() applied; `key` is this installation's signing key (the trace
  // key); db, key and the options' trace outlive the service.
  static Result<std::unique_ptr<Service>> Create(store::Database& db, crypto::Sm2Key key,
                                                 ServiceOptions options);
  ~Service();

  // ---- identity, partners, agreements ----
  Status SetIdentity(const Identity& identity);
  // kNotFound until the identity is set.
  Result<Identity> GetIdentity();
  const crypto::Sm2Key& key() const;
  // The agreement's key certificate this installation gives its partners: a self-signed X.509
  // certificate (SM3withSM2, default distinguishing ID) of its exchange key, subject CN = its
  // name, O = its region code, valid ten years from now. kNotFound until the identity is set.
  Result<std::string> Certificate();
  // Verifies an e-licence issued by a partner's department (licences.cc): its certificate must
  // chain to a partner's licence root, the signature verify over the canonical document, today
  // lie within its validity, and the issuing partner's register hold it in force — asked by a
  // signed status query through `transport` (null: not asked) unless an answer younger than
  // kLicenceStatusLifetimeMs is cached. When the partner cannot be asked the answer is
  // "revocation unknown" with the time of the last known status, never valid. An answer for
  // every way a licence can be bad (outcome and a Chinese reason); kInvalidArgument only when
  // the document is not JSON.
  Result<PartnerLicenceCheck> VerifyPartnerLicence(const licences::SignedLicence& presented,
                                                   Transport* transport = nullptr);
  // Answers a partner's signed licence status query (the route /api/v1/xregion/licences/status)
  // from this installation's licence register: the query must come from a partner, verify
  // against its key, be addressed here and be fresh (±kClockSkewToleranceMs); refusals are
  // RefusalError values. The answer (status valid, revoked, superseded or not_found) is signed
  // by this installation's key and binds the query's id.
  Result<std::string> AnswerLicenceStatus(std::string_view query,
                                          licences::LicenceService& register_of_licences);
  // Adds or replaces a partner; the key must be an X.509 certificate of the partner's region
  // (or a bare SM2 public key), the licence root a CA certificate.
  Status PutPartner(const Partner& partner);
  Result<std::vector<Partner>> ListPartners();
  Status DeletePartner(std::string_view region);
  // Adds or replaces an agreement: its partner must exist, its matters be handled by this
  // region or the partner, at least one matter.
  Status PutAgreement(const Agreement& agreement);
  Result<std::vector<Agreement>> ListAgreements();
  Status DeleteAgreement(std::string_view id);
  // Matters of the agreements handled by a partner: those the portal and windows here may
  // offer. `region` (a partner's code) narrows to one partner; empty: all.
  Result<std::vector<Offer>> Offers(std::string_view region);
  // Loads identity, partners and agreements from YAML (data/xregion/*.yaml); every error names
  // its path. Returns the number of agreements.
  Result<int> LoadYaml(std::string_view text);

  // ---- the exchange ----
  // Receives one posted message: checks it (signed, unaltered, known sender, fresh hop stamp,
  // sequence not used by another message), stores it idempotently with its log entry and
  // applies what is now in order, all in one transaction. Refusals are RefusalError values and
  // are traced.
  Result<ReceiveOutcome> Receive(std::string_view wire);
  // One delivery round: posts each due outbox message in order per next hop, stopping a hop at
  // its first failure (a case's messages keep their order). Safe to run from one thread.
  Result<DeliveryRound> DeliverDue(Transport& transport);
  // The earliest next attempt among pending messages, or 0 when none.
  Result<int64_t> NextDueMs();
  Result<std::vector<OutboxEntry>> Outbox(std::string_view state, int limit);
  // Outgoing messages per state (pending: the backlog; dead: the dead letters).
  Result<std::map<std::string, int64_t>> OutboxCounts();
  // Puts a dead letter back in the queue, due now.
  Status Retry(std::string_view message_id);
  Result<std::vector<LogEntry>> Log(std::string_view partner, int limit);
  // Recomputes the chain and each entry's digest from the stored envelope.
  Result<LogVerification> VerifyLog();

  // ---- cross-region cases ----
  Result<CrossCase> Forward(const ForwardRequest& request);
  Result<CrossCase> StartJoint(const JointRequest& request);
  Result<CrossCase> Step(std::string_view ref, const StepRequest& request);
  Result<CrossCase> Get(std::string_view ref);
  // Cases of one role (handling: the forwarded-case queue) in one state ("" = any), oldest
  // first.
  Result<std::vector<CrossCase>> List(std::string_view role, std::string_view state, int limit);
  // Counts of cross-region cases per mode, role, partner and matter (KPIs).
  Result<std::vector<CaseCounts>> Counts();
  // The coverage report over the agreements (report.cc).
  Result<Coverage> CoverageReport();
  // The bytes of a material file, by its hash.
  Result<std::string> File(std::string_view hash);

  // ---- the handling side as a real case (src/xregion/cases_bridge.h drives these) ----
  // Received cases (handling, part) not yet opened as a case here and not stopped by an error,
  // oldest first.
  Result<std::vector<CrossCase>> Unopened(int limit);
  // Records that `ref` is case `case_number` here, in `sql`'s transaction: the submission's,
  // so that a case is linked exactly once (kNotFound when `ref` is no cross-region case).
  Status LinkCase(soci::session& sql, std::string_view ref, std::string_view case_number);
  // Records why `ref` could not be opened as a case (the matter is not in this catalog, the
  // form does not fit): it stays an exchange record, stepped by Step.
  Status RecordOpenError(std::string_view ref, std::string_view error);
  // In `sql`'s transaction (the case step's): when case `case_number` is a cross-region case,
  // moves it to `state` and writes the message that tells the partner to the outbox. False when
  // the case is no cross-region case.
  Result<bool> CaseStepped(soci::session& sql, std::string_view case_number, std::string_view state,
                           std::string_view note, std::string_view result);
  // Received cases whose paper originals are past their due time and not yet mailed (the
  // supervised timed step), earliest due first.
  Result<std::vector<CrossCase>> OverdueOriginals();

 private:
  struct Impl;
  explicit Service(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Prometheus lines for /metrics: tongban_xregion_outbox_messages{state} (the backlog and the dead
// letters), tongban_xregion_cases{mode,role,partner}, tongban_xregion_originals_overdue.
std::string Metrics(Service& service);

}  // namespace tongban::xregion
