// After the decision: fees and their payment, the applicant's notices, delivery of the result
// (第44条) and termination. Plain values; the CaseService methods that use them live in
// fees.cc, notices.cc and delivery.cc.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "catalog/model.h"

namespace tongban::cases {

enum class PaymentState {
  kDue,     // the payment order is open
  kPaid,    // the platform confirmed it
  kFailed,  // the last attempt failed; the applicant may pay again
  kWaived,  // 减免: recorded with its reason
};

// One payment order per case whose matter charges a fee, opened on approval.
struct Payment {
  std::string id;  // the payment order id the platform reports back
  std::string case_number;
  std::vector<catalog::Fee> fees;
  int64_t amount_fen = 0;
  PaymentState state = PaymentState::kDue;
  std::string waiver_reason;
  std::string waived_by;
  std::string transaction_id;
  int64_t created_at = 0;  // ms since the epoch
  int64_t settled_at = 0;  // paid or waived; 0 before
};

enum class DeliveryMethod {
  kWindow,      // 窗口领取
  kMail,        // 免费邮寄, with a tracking number
  kElectronic,  // 电子证照 / 电子送达
};

// The delivery step of a decided case: due 10 working days after the decision (第44条).
struct Delivery {
  std::string case_number;
  Date decided_on;
  Date due_on;
  std::optional<DeliveryMethod> method;  // unset until delivered
  std::string address;                   // kMail
  std::string tracking_number;           // kMail
  std::string delivered_by;
  std::optional<Date> delivered_on;
  bool overdue = false;  // not delivered and past due_on (as of today)
};

struct DeliveryRequest {
  DeliveryMethod method = DeliveryMethod::kWindow;
  std::string recipient{};  // kMail; the applicant's name when empty
  std::string address{};    // kMail
  std::string phone{};      // kMail
};

// What the applicant is told, kept for the portal and sent by SMS after the commit.
struct Notice {
  std::string id;
  std::string case_number;
  std::string kind;  // the trace action without "case.": accepted, approved, payment_due ...
  std::string text;
  int64_t created_at = 0;
  bool sms_sent = false;
  bool read = false;
};

enum class TerminationReason {
  kApplicantDeceased,   // 申请人死亡
  kApplicantDissolved,  // 申请人终止（注销）
  kGapDeadlineMissed,   // 容缺 / 承诺补交 材料逾期未补
};

enum class CreditKind {
  kDishonest,         // 失信: listed by an authority (serious or not)
  kBrokenCommitment,  // 违诺: a false commitment (告知承诺) or a commitment not kept
};

// An applicant's credit record entry. Active until repaired or expired; an active 违诺 entry or
// an active serious 失信 entry bars 容缺, 承诺补交 and 告知承诺 at submission.
struct CreditEntry {
  std::string id;
  std::string applicant_code;  // ID number or USCC
  CreditKind kind = CreditKind::kDishonest;
  bool serious = false;
  std::string source;  // the case number, or the authority that listed it
  std::string reason;
  Date recorded_on;
  Date expires_on;
  std::string recorded_by;
  std::optional<Date> repaired_on;  // 信用修复
  std::string repaired_by;
  std::string repair_note;
  bool active = false;  // as of today
};

struct CreditRequest {
  std::string applicant_code{};
  CreditKind kind = CreditKind::kDishonest;
  bool serious = false;
  std::string source{};
  std::string reason{};
  std::optional<Date> expires_on{};  // default: three years from today
};

// 告知承诺 verification (核查), scheduled on approval for a case with proof_waived materials.
enum class VerificationState {
  kScheduled,   // due by due_on
  kConfirmed,   // the condition is true
  kRectifying,  // found untrue: a rectification order with a deadline
  kRectified,   // rectified in time
  kRevoked,     // not rectified, or the commitment was false: the result is revoked
};

enum class VerificationFinding {
  kTrue,             // the committed condition holds
  kUntrue,           // it does not: order rectification by a deadline
  kRectified,        // (rectifying) rectified
  kNotRectified,     // (rectifying, past the deadline) revoke; a 违诺 entry
  kFalseCommitment,  // the commitment was false: revoke; a serious 违诺 entry
};

struct Verification {
  std::string case_number;
  std::string department;
  Date due_on;
  VerificationState state = VerificationState::kScheduled;
  std::optional<Date> rectify_by;
  std::string verified_by;
  std::string note;
};

std::string_view CreditKindName(CreditKind k);
std::optional<CreditKind> ParseCreditKind(std::string_view s);
std::string_view VerificationStateName(VerificationState s);
std::optional<VerificationState> ParseVerificationState(std::string_view s);
std::string_view VerificationFindingName(VerificationFinding f);
std::optional<VerificationFinding> ParseVerificationFinding(std::string_view s);
std::string_view PaymentStateName(PaymentState s);
std::optional<PaymentState> ParsePaymentState(std::string_view s);
std::string_view DeliveryMethodName(DeliveryMethod m);
std::optional<DeliveryMethod> ParseDeliveryMethod(std::string_view s);
std::string_view TerminationReasonName(TerminationReason r);
std::optional<TerminationReason> ParseTerminationReason(std::string_view s);

}  // namespace tongban::cases
