// The case service: submission, materials, the steps before acceptance, decision, conclusion
// and the promised-limit clock. What the HTTP routes and the command line call. Every change is
// one write transaction together with its trace event (stream "case/<id>"); every transition
// checks who may do it (permission over the case's region, the matter's department and the
// matter), in which state, and the version the caller saw when it names one.
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
#include "cases/files.h"
#include "cases/fulfilment.h"
#include "cases/model.h"
#include "cases/payment.h"
#include "cases/review.h"
#include "catalog/service.h"
#include "people/model.h"
#include "people/service.h"
#include "people/sms.h"
#include "store/database.h"
#include "store/migrations.h"
#include "trace/trace.h"

namespace tongban::keys {
class KeyStore;
}  // namespace tongban::keys

namespace tongban::bpmn {
class Runtime;
}  // namespace tongban::bpmn

namespace tongban::cases {

Result<store::MigrationSet> CaseMigrations();

// Where material files go by default: beside a SQLite file ("<file>.files"), else
// "tongban-files" in the working directory.
std::string DefaultDataDir(const store::DatabaseUrl& url);

// A material as the applicant declares it at submission: its state when not uploaded later.
struct MaterialDeclaration {
  std::string name{};
  MaterialState state = MaterialState::kMissing;
  MaterialOrigin origin = MaterialOrigin::kNone;  // kLicence / kRegister with a reference
  std::string reference{};
  std::optional<Date> due_on{};  // kSupplyLater
  // kReuse: the earlier material's stored file (content-addressed), copied into the case.
  std::string content_hash{};
  int64_t size = 0;
  std::string media_type{};
  std::string file_name{};
};

struct SubmitRequest {
  std::string matter{};    // implementation item code (the version in force today is pinned)
  std::string scenario{};  // scenario code; the first scenario when empty
  Channel channel = Channel::kOnline;
  ApplicantKind applicant_kind = ApplicantKind::kPerson;
  // Person: the ID number (a citizen applying for themself may leave it empty). Enterprise:
  // the USCC.
  std::string applicant_code{};
  std::string applicant_name{};  // for staff-assisted person applications
  // Staff submitting for an enterprise: the agent account the enterprise authorised.
  std::string agent_account{};
  std::map<std::string, std::string> form{};  // field name -> value as text
  std::vector<MaterialDeclaration> materials{};
  // Scoped per submitting account, kept at least 24 h.
  std::string idempotency_key{};
  // 走流程: a sandbox case of a staff walk-through (needs case.walkthrough); never counted.
  bool sandbox = false;
  // 窗口: the code of the window (or kiosk) that takes the case in; staff and kiosk only.
  std::string window{};
  // 授权用证: the licence types (names) whose e-licences the applicant lets the departments
  // fetch for this case; "*" for every type. Recorded on the case by the submission hook.
  std::vector<std::string> authorised_licences{};
  // 承诺签名: the drawn signature under the applicant's commitments (a PNG, at most
  // max_signature_bytes), stored with the case in its submission's transaction, so that a case
  // decided at once (秒批) is decided on a signed commitment. Empty when none was drawn.
  std::string commitment_signature{};
};

struct SubmitResult {
  Case record;
  bool replayed = false;  // the same key and body were seen before: this is the original case
};

// A transition's common fields.
struct Step {
  std::optional<int64_t> expected_version{};  // If-Match; unchecked when absent
  std::string note{};
};

// A staff search (search.cc). Every filter is optional; those given are all applied, within the
// caller's case.read grants. Newest first, keyset-paged.
struct CaseQuery {
  std::string number{};     // the exact case number
  std::string applicant{};  // an ID number or a USCC: matched, never stored or logged
  std::string matter{};     // implementation item code
  std::optional<CaseState> state{};
  std::string region{};              // a region code: its subtree
  std::string department{};          // a department code
  std::optional<Date> from{}, to{};  // received on these days (CST), inclusive
  bool overdue = false;              // under review past the last day of its limit
  int limit = 20;                    // 1 to 100
  std::string cursor{};              // next_cursor of the previous page
};

// The applicant's own cases, full (documents, clock), newest first.
struct OwnCasesPage {
  std::vector<Case> items;
  std::string next_cursor;
};

// What `tongban case generate` writes (search.cc): synthetic cases for benchmarks.
struct GenerateOptions {
  int64_t count = 0;
  uint64_t seed = 1;
  int64_t batch = 1000;  // rows per INSERT statement
  int64_t per_transaction = 100000;
};

// What CaseService::RecomputeDueDays read and changed.
struct RecomputedDueDays {
  int64_t open_cases = 0;  // cases under review (their due day stored) in the region's subtree
  int64_t moved = 0;       // of them, those whose stored due day changed
};

// The inputs of a case's clock that its stored due day (`case_record.due_on`) depends on.
struct DueDayInputs {
  std::string matter_version{};  // the pinned matter version (its promised or legal limit)
  std::string region{};          // the case's region: the calendar it counts in
  Date accepted_on{};            // the day its clock started
  int64_t suspended_days = 0;
  int extension_days = 0;
  bool joint = false;  // a joint review (并联审批): the joint limit replaces the matter's
};

// 承诺签名: the applicant's drawn signature under the case's commitments (a PNG).
struct CommitmentSignature {
  std::string content_hash{};  // SM3 hex of the PNG, which names its stored file
  int64_t size = 0;
  std::string signed_by{};  // the account that uploaded it (applicant or assisting staff)
  int64_t created_at = 0;   // ms since the epoch
};

struct CaseServiceOptions {
  const Clock* clock = nullptr;        // the system clock when null
  const Calendar* calendar = nullptr;  // the embedded national calendar when null
  // The calendar a case of `region` counts in (its region's own holidays over the national
  // ones: calendars::CalendarService::ForRegion); `calendar` for every case when null. The
  // references it returns must outlive the service.
  std::function<const Calendar&(std::string_view region)> region_calendar = nullptr;
  std::string data_dir = {};        // material files go to <data_dir>/materials
  VirusScanner* scanner = nullptr;  // the simulator when null
  int64_t max_material_bytes = 20 * 1024 * 1024;
  int64_t max_signature_bytes = 512 * 1024;          // a drawn signature's PNG
  int64_t idempotency_keep_ms = 48LL * 3600 * 1000;  // at least 24 h
  // Adapters; the simulators when null (the payment simulator's secret is payment_secret).
  PaymentGateway* payments = nullptr;
  std::string payment_secret = "tongban-simulated-payment";
  people::SmsGateway* sms = nullptr;
  PostalGateway* postal = nullptr;
  // The department keys documents are sealed with (电子印章: certified by the installation root,
  // private keys encrypted at rest). Required; must outlive the service.
  keys::KeyStore* keys = nullptr;
  // Tests only: runs inside Accept after the acceptance notice was signed from the case as read
  // and before the write transaction (so that a test can change the case in between).
  std::function<void(std::string_view number)> after_accept_presign = nullptr;
  // Tests only: called by a department sealer's signing thread with its batch's size before it
  // signs (SealerOptions::before_sign).
  std::function<void(size_t batch)> before_seal = nullptr;
};

// A document's sealing key (CaseService::SealKeyOf).
struct SealKey {
  std::string public_pem;
  std::string certificate_pem;  // empty for a key from before the key store
};

// How the documents' SM2 seals were made: sealed before the write transaction and kept (the
// text in the transaction was the same), or signed inside it; and how many SM2 signatures the
// departments' sealers made for how many documents sealed ahead (group sealing, sealer.h: one
// signature per batch of documents sealed at the same time), and how many wait for one now.
struct SealCounts {
  int64_t presigned_kept = 0;
  int64_t signed_in_transaction = 0;
  int64_t batch_signatures = 0;
  int64_t batch_documents = 0;
  int64_t queued = 0;
};

// Called inside the write transaction of every submission and transition, after the case is
// saved, with that transaction's session: it must write through `sql` only, and an error it
// returns rolls the change back (the KPI aggregates stay exact that way).
struct CaseChange {
  const Case& record;
  const catalog::Matter& matter;  // the catalog version the case pinned
  std::string_view action;        // "case.submitted", "case.accepted", …
  const people::Principal& actor;
};
class CaseObserver {
 public:
  virtual ~CaseObserver() = default;
  virtual Status OnCaseChanged(soci::session& sql, const CaseChange& change) = 0;
};

// Completes or stops a submission before it is checked (src/sources: material sources,
// jurisdiction, what the registers contradict). Prepare runs outside any transaction and may
// change `request` (declare materials, name the competent matter) or stop it with an error (the
// reason); the function it returns runs in the submission's write transaction once the case is
// saved, with that transaction's session, to record what was resolved (an error rolls back).
class SubmissionHook {
 public:
  using Record = std::function<Status(soci::session& sql, const Case& record)>;
  struct Prepared {
    Record record;  // in the submission's write transaction, once the case is saved
    // Runs (outside any transaction) when the submission ends without `record` committed:
    // refused, invalid, replayed or failed. It keeps what must stand anyway (the register
    // read's trace event that `record` would have appended).
    std::function<void()> unrecorded;
  };
  virtual ~SubmissionHook() = default;
  virtual Result<Prepared> Prepare(const people::Principal& caller, SubmitRequest& request) = 0;
  // Runs once a new submission committed (never for a replay), outside any transaction: it may
  // take the case further (src/sources: 秒批 accepts, approves and concludes an instant matter's
  // case) and returns the case as it is then, nullopt when it did nothing. Its error does not
  // undo the submission, which stands as submitted for staff.
  virtual Result<std::optional<Case>> AfterSubmit(const people::Principal& caller,
                                                  const Case& record) {
    (void)caller;
    (void)record;
    return std::optional<Case>();
  }
  // Runs once a supplied material committed (SupplyMaterial, a certificate request answered),
  // outside any transaction, with the case as it is then: it may take the case further
  // (src/sources: 秒批 decides an instant case that only waited for this material) and returns
  // the case as it is then, nullopt when it did nothing. Its error does not undo the supply.
  virtual Result<std::optional<Case>> AfterSupply(const people::Principal& caller,
                                                  const Case& record) {
    (void)caller;
    (void)record;
    return std::optional<Case>();
  }
};

class CaseService {
 public:
  // `db` (with CaseMigrations and the trace, people and catalog migrations applied), `catalog`,
  // `people` and `trace` must outlive the service.
  static Result<std::unique_ptr<CaseService>> Create(store::Database& db,
                                                     catalog::CatalogService& catalog,
                                                     people::PeopleService& people,
                                                     trace::Trace& trace,
                                                     CaseServiceOptions options);
  ~CaseService();

  // Submits a case. A citizen applies for themself, or for an enterprise it may act for (legal
  // representative or authorised agent); staff with case.assist over the matter's region and
  // department apply for others through the window, kiosk, service point or assisted channels
  // (the clerk is recorded). The form is checked against the scenario's form (every required
  // field present, every value of its type, no unknown field); declared material states against
  // what the catalog allows. The same idempotency key with the same request returns the original
  // case (replayed); with a different request it is kConflict naming the key. The case number
  // is allocated in the transaction: region + date (CST) + a sequence per region and day.
  Result<SubmitResult> Submit(const people::Principal& caller, const SubmitRequest& request);

  // The case as `caller` may see it: its applicant, agent or submitter, or staff with case.read
  // over its region and department. The clock is computed for today.
  Result<Case> Get(const people::Principal& caller, std::string_view number);
  // The same without a caller: for the operator's command line.
  Result<Case> Read(std::string_view number);

  // Uploads a material's bytes (applicant: kUploaded; clerk with case.accept: kClerkScan):
  // size limit, sniffed type, virus scan, then stored content-addressed and the material marked
  // provided. Or, with no bytes, records an e-licence/register reference (kLicence/kRegister).
  Result<Case> SupplyMaterial(const people::Principal& caller, std::string_view number, int index,
                              MaterialOrigin origin, std::string_view bytes, std::string file_name,
                              std::string reference);
  // The stored bytes of a material, for those who may read the case.
  Result<std::string> MaterialContent(const people::Principal& caller, std::string_view number,
                                      int index);

  // Stores the applicant's drawn commitment signature (a PNG of at most
  // max_signature_bytes, judged by its bytes) with the case, content-addressed, and traces it
  // ("case.commitment_signed"). The applicant side may sign its own case; staff only with
  // case.assist over the case and only for kiosk and window cases (they hold the pad). Once per
  // case: the same bytes again return the stored signature unchanged (`replayed`), other bytes
  // are kConflict. Too large: kPayloadTooLarge; not a PNG: kUnsupportedMediaType.
  struct SignatureResult {
    CommitmentSignature signature;
    bool replayed = false;
  };
  Result<SignatureResult> SignCommitments(const people::Principal& caller, std::string_view number,
                                          std::string_view png);
  // The case's commitment signature for whoever may read the case; nullopt when unsigned.
  Result<std::optional<CommitmentSignature>> GetCommitmentSignature(const people::Principal& caller,
                                                                    std::string_view number);
  // The same for a case the caller has just read through Get (no second read of the case).
  Result<std::optional<CommitmentSignature>> CommitmentSignatureOf(const Case& read);
  // The signature's PNG bytes; kNotFound when the case is unsigned.
  Result<std::string> CommitmentSignatureContent(const people::Principal& caller,
                                                 std::string_view number);

  // 受理. Every required material must be provided or in a state the catalog allows; gap and
  // supply_later only for non-core materials and only when every core material is provided.
  // Issues the 受理通知书 and starts the clock the day after. A case received more than 5
  // working days before without a correction notice counts as accepted from the day received.
  Result<Case> Accept(const people::Principal& caller, std::string_view number, const Step& step);
  // 不予受理, naming the competent agency. Issues the 不予受理决定书; final.
  Result<Case> Refuse(const people::Principal& caller, std::string_view number, std::string reason,
                      std::string competent_agency, const Step& step);
  // 一次性补正告知: ONE notice listing everything missing, within 5 working days of receipt.
  // A second notice is refused (kRefused naming what the first did not list).
  Result<Case> RequestCorrection(const people::Principal& caller, std::string_view number,
                                 std::vector<std::string> items, const Step& step);
  // Fix on the spot by the clerk: form fields changed before acceptance, recorded (old and
  // new values) in the trace.
  Result<Case> FixForm(const people::Principal& caller, std::string_view number,
                       std::map<std::string, std::string> changes, const Step& step);
  // Withdrawal by the applicant (or its agent or submitter) before decision.
  Result<Case> Withdraw(const people::Principal& caller, std::string_view number, const Step& step);

  // 第45条: stops the clock. The reason must be on the list; the applicant is told in writing
  // (a suspension notice with the reason and expected length).
  Result<Case> Suspend(const people::Principal& caller, std::string_view number,
                       SuspensionReason reason, int expected_days, const Step& step);
  Result<Case> Resume(const people::Principal& caller, std::string_view number, const Step& step);
  // 第42条: one extension of 10 working days, with reasons, by a holder of case.extend.
  Result<Case> Extend(const people::Principal& caller, std::string_view number, std::string reasons,
                      const Step& step);

  // 准予 / 不予许可 by a holder of case.approve who did not accept the case (受审分离). A denial
  // needs reasons and carries the 行政复议/行政诉讼 rights and limits. A gap (容缺) material
  // still missing holds the result back.
  Result<Case> Approve(const people::Principal& caller, std::string_view number, const Step& step);
  Result<Case> Deny(const people::Principal& caller, std::string_view number, std::string reasons,
                    const Step& step);
  // 办结: archives a decided case; read-only afterwards.
  Result<Case> Conclude(const people::Principal& caller, std::string_view number, const Step& step);

  // The clerk's acceptance queue: submitted and correction-requested cases of `region` (and
  // its subtree) and `department` ("" = every department, which needs a scope of "*"), oldest
  // first, keyset-paged. Needs case.accept over that region and department.
  Result<CasePage> AcceptanceQueue(const people::Principal& caller, const std::string& region,
                                   const std::string& department, int limit,
                                   const std::string& cursor);
  // How the database runs the acceptance queue's query (plan lines), to check it uses
  // case_record_queue. On PostgreSQL sequential scans are disabled for the check, since tiny
  // test tables would otherwise be scanned.
  Result<std::vector<std::string>> ExplainAcceptanceQueue(const std::string& region,
                                                          const std::string& department);
  // 第32条 supervision: cases still submitted although more than 5 working days passed since
  // receipt without a correction notice: they count as accepted from the day received.
  Result<std::vector<CaseSummary>> DeemedAccepted(std::optional<Date> as_of);

  // Staff search (search.cc): needs case.read; only cases inside the caller's case.read grants
  // (region subtree, department, matters) are found. A region asked for outside every grant is
  // kForbidden. Bad filters are kInvalidArgument naming each field; the applicant's code is
  // never echoed in an error.
  Result<CasePage> Search(const people::Principal& caller, const CaseQuery& query);
  // How the database runs `caller`'s search (plan lines), to check each access path uses its
  // index. On PostgreSQL sequential scans are disabled for the check (tiny test tables).
  Result<std::vector<std::string>> ExplainSearch(const people::Principal& caller,
                                                 const CaseQuery& query);
  // The caller's own cases: those it applied for (its ID number), submitted, or acts for as an
  // enterprise's agent. Full cases with documents and the clock, newest first, keyset-paged.
  Result<OwnCasesPage> OwnCases(const people::Principal& caller, int limit,
                                const std::string& cursor);
  // Recomputes the stored due day (`case_record.due_on`, which the search's overdue filter and
  // the supervision sweep read) of every case under review in `region`'s subtree ("cn": of every
  // region) in the calendars as they are now: after a calendar change, which would otherwise
  // reach a case's stored due day only at its next step. Batches of one write transaction each;
  // a case whose stored due day changed meanwhile is left as its own step wrote it (compare and
  // set). Idempotent. Supply-later dates and notices' deadlines are applicants' promises: they
  // keep. kInvalidArgument naming "region" for anything but "cn" or a region code.
  Result<RecomputedDueDays> RecomputeDueDays(std::string_view region);
  // The due day the clock of a case under review gives in the calendars as they are now: what
  // its steps store as `case_record.due_on` and RecomputeDueDays recomputes. For writers of
  // synthetic cases (the demo's history), whose stored due day must be the one a calendar change
  // would recompute. kNotFound for an unknown matter version.
  Result<Date> DueDay(const DueDayInputs& inputs);
  // Fills the database with `options.count` synthetic cases of the matters in force (benchmarks
  // and scale tests; never on a production installation). Multi-row inserts in large
  // transactions; no trace events, materials or documents. Returns the number written.
  Result<int64_t> Generate(const GenerateOptions& options);

  // A document with its content.
  Result<Document> GetDocument(const people::Principal& caller, std::string_view number,
                               std::string_view document_id);
  Result<Document> ReadDocument(std::string_view number, std::string_view document_id);
  // Whether `document`'s seal is its department's e-seal on its content: the key it names is
  // that department's, certified by the installation root (or, for a document sealed before the
  // key store sealed case documents, the key the department had then), and the SM2 signature
  // (SM3, ID 1234567812345678) verifies with it: of the content, or, for a document sealed in a
  // batch, of the statement of the batch root its proof leads the content to.
  Result<bool> VerifyDocument(const Document& document);
  // Why `document`'s seal does not hold (the key is not the department's or not certified by the
  // root, the text or proof does not lead to the signed root, the signature is not the key's);
  // "" when it holds.
  Result<std::string> DocumentSealProblem(const Document& document);
  // The key that sealed `document`, for verifying outside tongban: its public key (PEM) and the
  // X.509 certificate the installation root issued for it (empty for a key from before the key
  // store). kNotFound when the document names no key of its department.
  Result<SealKey> SealKeyOf(const Document& document);
  // Since this service started (benchmarks, tests).
  SealCounts Seals() const;
  // The parsed version of matter `code` in force on `day`, shared from this service's cache of
  // pinned versions: one indexed read, no stored YAML parsed per call (submission hooks use it).
  // kNotFound when none is in force.
  Result<std::shared_ptr<const catalog::Matter>> MatterInForce(const std::string& code, Date day);
  // The parsed catalog version `version_id` (a case's pinned matter_version), shared from the
  // same cache: published versions never change, so each is read and parsed once.
  Result<std::shared_ptr<const catalog::Matter>> PinnedMatter(const std::string& version_id);

  Date Today() const;
  // Sets (or clears) the observer of case changes. Not thread-safe: call before serving.
  void SetObserver(CaseObserver* observer);
  // Sets (or clears) the submission hook. Not thread-safe: call before serving.
  void SetSubmissionHook(SubmissionHook* hook);

  // ---- fees, payment, notices, delivery, termination (fees.cc, notices.cc, delivery.cc) ----

  // The fees the case's matter charges (from the catalog version it pinned); empty: free.
  Result<std::vector<catalog::Fee>> Fees(const people::Principal& caller, std::string_view number);
  // The case's payment order (opened on approval when a fee is due); kNotFound when none.
  Result<Payment> GetPayment(const people::Principal& caller, std::string_view number);
  // 减免: a holder of case.approve waives the fees of a case with an open order, with reasons.
  Result<Payment> WaiveFees(const people::Principal& caller, std::string_view number,
                            std::string reason);
  // The platform's callback: verified by the gateway, then applied once. A repeated callback
  // for a paid order changes nothing and returns the order; an amount that differs from the
  // order is kInvalidArgument.
  Result<Payment> PaymentCallback(std::string_view body, std::string_view signature);
  // The simulated platform, for the demo and the tests (null when a real gateway is plugged).
  const SimulatedPaymentGateway* SimulatedPayments() const;

  // The applicant's notices, newest first: those of the cases `caller` submitted or applies in
  // as a person. `unread_only` leaves out those marked read.
  Result<std::vector<Notice>> Notices(const people::Principal& caller, bool unread_only, int limit);
  Status MarkNoticeRead(const people::Principal& caller, std::string_view notice_id);
  // Sends the notices not yet sent by SMS (the outbox written with each step). Each message
  // carries the notice id, by which the gateway drops repeats; returns how many were handed
  // over. Run after every step and at start-up; safe to run concurrently.
  Result<int> DrainNotices();

  // The delivery step of a decided case: its due day and, once done, how it was delivered.
  Result<Delivery> GetDelivery(const people::Principal& caller, std::string_view number);
  // 第44条 送达 by a holder of case.accept: an approved (or concluded) case whose fees are paid
  // or waived. Mail books the parcel with the postal adapter and records its tracking number.
  Result<Delivery> Deliver(const people::Principal& caller, std::string_view number,
                           const DeliveryRequest& request);
  // Cases with a gap or supply-later material past its due day and not yet provided, as of
  // `as_of` (today when absent): candidates for termination.
  Result<std::vector<CaseSummary>> OverdueGaps(std::optional<Date> as_of);
  // 终止 by a holder of case.accept, with a reason and a note; issues the sealed 终止办理决定书.
  // A missed-deadline termination needs a material actually overdue.
  Result<Case> Terminate(const people::Principal& caller, std::string_view number,
                         TerminationReason reason, const Step& step);

  // ---- 告知承诺 verification and the applicant credit record (credit.cc) ----

  // Records a credit entry (失信 / 违诺) against an applicant; needs case.approve anywhere.
  Result<CreditEntry> RecordCredit(const people::Principal& caller, CreditRequest request);
  // 信用修复: ends an entry before it expires, with a note; needs case.approve.
  Result<CreditEntry> RepairCredit(const people::Principal& caller, std::string_view entry_id,
                                   std::string note);
  // The applicant's entries, newest first, each marked active or not as of today.
  Result<std::vector<CreditEntry>> CreditRecord(std::string_view applicant_code);
  // Whether the applicant may declare gap, supply_later or proof_waived materials: kRefused
  // naming the barring entry (and each such material) when not. Submission calls it.
  Status CreditAllows(std::string_view applicant_code,
                      const std::vector<MaterialDeclaration>& materials);

  // The verification (核查) of a case concluded on a commitment, scheduled on approval.
  Result<Verification> GetVerification(const people::Principal& caller, std::string_view number);
  // Open verifications (scheduled or rectifying) of a department ("" = all) due by `as_of`
  // (every one when absent), earliest first.
  Result<std::vector<Verification>> DueVerifications(const std::string& department,
                                                     std::optional<Date> as_of);
  // Records a verification finding (case.approve over the case): kTrue confirms; kUntrue
  // issues a rectification order due `rectify_by`; then kRectified, or kNotRectified after the
  // deadline, which revokes the result; kFalseCommitment revokes at once. Revocation issues the
  // sealed decision and writes a 违诺 entry (serious for a false commitment).
  Result<Verification> VerifyCommitment(const people::Principal& caller, std::string_view number,
                                        VerificationFinding finding, std::optional<Date> rectify_by,
                                        std::string note);
  // ---- The review stage (review.cc) ----
  // Lets acceptance start the scenario's process on `runtime` (which must outlive the
  // service): the one named by the scenario's `process:` when deployed, else
  // options.default_process. Deploys the built-in default (case_single_approval; the same
  // bytes again are reused). Without it, acceptance starts nothing and approvers decide
  // directly.
  Status AttachReview(bpmn::Runtime& runtime, ReviewOptions options);
  // The case's review: its instance and open steps with their due times.
  Result<Review> GetReview(const people::Principal& caller, std::string_view number);
  // The approver's inbox: open review tasks of the caller's groups whose case the caller may
  // decide (case.approve over its region and the step's department), oldest first.
  Result<std::vector<ReviewTask>> ReviewInbox(const people::Principal& caller, int limit);
  // Completes a review task with a decision (受审分离: not by the clerk who accepted; the
  // runtime also refuses an approval task to whoever completed the acceptance task). When the
  // process ends, the case is decided through Approve / Deny. A task completed twice is
  // kNotFound the second time: the case is decided once.
  Result<Case> CompleteReviewTask(const people::Principal& caller, const std::string& task_id,
                                  ReviewDecision decision, std::string reasons);
  // Completing the last review task and deciding the case are two transactions: a crash
  // between them leaves a finished process and a case still under review. This decides every
  // such case from its process's outcome, signed for whoever completed the last step (as
  // CompleteReviewTask would have); returns how many it decided. Run at start-up and by the
  // workflow worker; safe to run concurrently with completions (a case is decided once).
  Result<int> ReconcileReviews();

  // ---- One-thing bundles (bundle.cc) ----
  // Submits a bundle application: the merged form is split by each matter's form (a field no
  // form has is an error naming it), one sub-case is submitted per matter, and the bundle's
  // process (its catalog `process:`, else bundle_parallel) waits for each sub-case's decision:
  // in parallel, or in order (bundle_sequence), where a sub-case is accepted only when the
  // process reaches it. Needs an attached review runtime.
  Result<BundleApplication> SubmitBundle(const people::Principal& caller,
                                         const BundleRequest& request);
  // The application with each sub-case and its clock, for whoever may read every sub-case.
  Result<BundleApplication> GetBundle(const people::Principal& caller, std::string_view number);

 private:
  struct Impl;
  explicit CaseService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tongban::cases
