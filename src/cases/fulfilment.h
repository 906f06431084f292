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

std::string_view PaymentStateName(PaymentState s);
std::optional<PaymentState> ParsePaymentState(std::string_view s);
std::string_view DeliveryMethodName(DeliveryMethod m);
std::optional<DeliveryMethod> ParseDeliveryMethod(std::string_view s);
std::string_view TerminationReasonName(TerminationReason r);
std::optional<TerminationReason> ParseTerminationReason(std::string_view s);

}  // namespace tongban::cases
