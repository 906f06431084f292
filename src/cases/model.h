// Cases (办件): one application of one matter by one applicant, from submission to conclusion.
// Plain values: no storage, no HTTP. The wire names of every enum are its English ids
// (GLOSSARY.md): the same words in C++, SQL, JSON and URLs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "catalog/model.h"

namespace tongban::cases {

// Where an application came in.
enum class Channel {
  kOnline,        // 网上办事大厅
  kMobile,        // 掌上办
  kWindow,        // 窗口 (大综窗: any window accepts any matter)
  kKiosk,         // 自助终端
  kServicePoint,  // 乡镇、村（社区）便民服务点
  kAssisted,      // 帮办代办: a clerk or service commissioner applies for the applicant
};

enum class ApplicantKind { kPerson, kEnterprise };

// The life of a case in this slice. Acceptance takes a case to kUnderReview (the review stage
// is the BPMN process of a later slice; today an approver decides directly).
enum class CaseState {
  kSubmitted,            // received, not yet accepted
  kCorrectionRequested,  // 一次性补正告知 issued; the applicant supplies what it lists
  kUnderReview,          // 受理: the promised-limit clock runs
  kSuspended,            // 第45条: the clock stands still
  kApproved,             // 准予许可
  kDenied,               // 不予许可
  kConcluded,            // 办结: archived, read-only
  kRefused,              // 不予受理: final, read-only
  kWithdrawn,            // 撤回: final, read-only
  kTerminated,           // 终止: the applicant died or was dissolved, a 容缺 deadline missed
};

// Every material of a case is in one of these; the catalog says which a material may take.
enum class MaterialState {
  kMissing,      // not yet supplied
  kProvided,     // supplied (uploaded, fetched, scanned)
  kGap,          // 容缺: review proceeds, the result waits for it
  kSupplyLater,  // 承诺补交: the result is issued now, the material is due by a date
  kProofWaived,  // 证明事项告知承诺: never supplied, verified later
};

enum class MaterialOrigin {
  kNone,       // not supplied
  kUploaded,   // uploaded by the applicant
  kLicence,    // an e-licence (电子证照) referenced by its identifier
  kRegister,   // taken from a base register (人口库、法人库)
  kClerkScan,  // scanned at the window by the clerk
  kReuse,      // 复用: an earlier case's file from the applicant's materials library
};

// 第45条: the only reasons that stop the clock.
enum class SuspensionReason {
  kHearing,       // 听证
  kTendering,     // 招标
  kAuction,       // 拍卖
  kInspection,    // 检验
  kTesting,       // 检测
  kQuarantine,    // 检疫
  kAppraisal,     // 鉴定
  kExpertReview,  // 专家评审
};

enum class DocumentKind {
  kAcceptanceNotice,     // 受理通知书
  kRefusalDecision,      // 不予受理决定书
  kCorrectionNotice,     // 一次性补正告知书
  kApprovalDecision,     // 准予许可决定书
  kDenialDecision,       // 不予许可决定书
  kSuspensionNotice,     // 中止（特别程序）告知书
  kExtensionNotice,      // 延长期限告知书
  kTerminationDecision,  // 终止办理决定书
  kRectificationOrder,   // 责令限期整改通知书 (告知承诺 condition found untrue)
  kRevocationDecision,   // 撤销行政许可决定书 (告知承诺 not kept or false)
};

std::string_view ChannelName(Channel c);
std::optional<Channel> ParseChannel(std::string_view s);
std::string_view ApplicantKindName(ApplicantKind k);
std::optional<ApplicantKind> ParseApplicantKind(std::string_view s);
std::string_view CaseStateName(CaseState s);
std::optional<CaseState> ParseCaseState(std::string_view s);
std::string_view MaterialStateName(MaterialState s);
std::optional<MaterialState> ParseMaterialState(std::string_view s);
std::string_view MaterialOriginName(MaterialOrigin o);
std::optional<MaterialOrigin> ParseMaterialOrigin(std::string_view s);
std::string_view SuspensionReasonName(SuspensionReason r);
std::string_view SuspensionReasonTitle(SuspensionReason r);  // 听证 …
std::optional<SuspensionReason> ParseSuspensionReason(std::string_view s);
std::string_view DocumentKindName(DocumentKind k);
std::string_view DocumentKindTitle(DocumentKind k);  // 受理通知书 …
std::optional<DocumentKind> ParseDocumentKind(std::string_view s);

// True for the states after which nothing may change (archived or final).
bool IsFinal(CaseState s);

// One material of a case, in the order of the scenario's materials.
struct CaseMaterial {
  int index = 0;
  std::string name;  // the catalog material's name
  bool required = false;
  bool core = false;
  MaterialState state = MaterialState::kMissing;
  MaterialOrigin origin = MaterialOrigin::kNone;
  std::string reference;     // e-licence id or register reference
  std::string content_hash;  // SM3 hex of the uploaded bytes; empty otherwise
  int64_t size = 0;
  std::string media_type;
  std::string file_name;
  std::optional<Date> due_on;  // supply_later
};

// A dated, sealed document kept with the case. `content` is canonical JSON (sorted keys, no
// spaces, UTF-8): the bytes the department's SM2 key signed, alone or in a batch (sealer.h).
struct Document {
  std::string id;
  DocumentKind kind = DocumentKind::kAcceptanceNotice;
  Date issued_on;
  std::string department;
  std::string content;
  std::string key_id;  // SM3 of the department key's public key (crypto::Sm2Key::id())
  // Lower-case hex DER SM2 signature: of `content` when `seal_proof` is empty; otherwise of the
  // statement of the batch root that `seal_proof` leads `content` to (sealer.h, DocumentSeal).
  std::string signature;
  std::string seal_proof;
};

// The promised-limit clock as of one day.
struct CaseClock {
  catalog::TimeLimit limit;         // from the catalog version the case pinned
  int extension_days = 0;           // 第42条: at most one extension of 10 working days
  std::optional<Date> started_on;   // the day of acceptance; counting starts the day after
  std::optional<Date> due_on;       // last day of the limit (hours: the day the hours end)
  std::optional<Timestamp> due_at;  // hour limits only
  bool suspended = false;
  int64_t remaining = 0;  // in the limit's unit; negative when overdue
  int64_t remaining_working_days = 0;
  bool overdue = false;
};

struct Case {
  std::string id;
  std::string number;          // 431128-20261126-000123
  std::string matter;          // implementation item code
  std::string matter_version;  // "<code>@<version>": the catalog version the case pinned
  std::string matter_name;
  catalog::Kind kind = catalog::Kind::kLicensing;
  std::string scenario;
  std::string region;
  std::string department;
  ApplicantKind applicant_kind = ApplicantKind::kPerson;
  std::string applicant_code;  // ID number or USCC
  std::string applicant_name;
  std::string agent_account;  // who acts for an enterprise
  std::string submitted_by;   // the account that submitted
  Channel channel = Channel::kOnline;
  std::string clerk_account;  // the clerk of an assisted/window submission
  std::map<std::string, std::string> form;
  CaseState state = CaseState::kSubmitted;
  int64_t version = 1;  // grows with every change (the ETag)
  Date received_on;
  int64_t received_at_ms = 0;
  std::string accepted_by;
  std::vector<std::string> correction_items;  // what the one correction notice listed
  std::optional<Date> correction_on;
  std::optional<SuspensionReason> suspension_reason;
  std::optional<Date> suspended_since;
  int64_t suspended_days = 0;  // working (or natural) days the clock stood still, all suspensions
  std::string extended_by;
  std::string decided_by;
  std::string decision_reasons;
  std::vector<CaseMaterial> materials;
  std::vector<Document> documents;  // without content (read it with GetDocument)
  bool joint = false;               // 第26条: its review runs several departments' steps at once
  CaseClock clock;
  // 走流程: a staff walk-through as a test applicant; set at submission only (the kpi module
  // records which cases are walk-throughs and never counts them).
  bool sandbox = false;
  std::string window;  // the window (or kiosk) that took the case in; "" online
};

// A page of a listing, keyset-paged.
struct CaseSummary {
  std::string number;
  std::string matter;
  std::string matter_name;
  std::string region;
  std::string department;
  std::string applicant_name;
  CaseState state = CaseState::kSubmitted;
  Date received_on;
  int64_t received_at_ms = 0;
  // In the acceptance queue only: the last working day to accept or to notify corrections
  // (第32条: silent past it, the application is deemed accepted).
  std::optional<Date> accept_due_on{};
};

struct CasePage {
  std::vector<CaseSummary> items;
  std::string next_cursor;  // empty on the last page
};

}  // namespace tongban::cases
