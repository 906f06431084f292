// The demands model (诉求 / 工单, 国办发〔2020〕53号, GB/T 33358): a demand as it arrives, the work
// orders it is dispatched as, every step taken on it, and the liaison cadres and service
// commissioners assigned to enterprises. Plain values; no SQL, no JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tongban::demands {

// Where a demand came in.
enum class Channel {
  kPortal,       // the enterprise portal: the enterprise's agent (or representative) enters it
  kHotline,      // 12345: an operator enters it and records the caller
  kGroup,        // a messaging group (政企群): an operator enters it
  kServiceLine,  // an enterprise service line (企业专线): an operator enters it
};

// 咨询 / 求助 / 投诉 / 举报 / 建议 / 表扬.
enum class DemandClass { kConsultation, kHelp, kComplaint, kReport, kSuggestion, kPraise };

// 紧急 / 一般.
enum class Urgency { kUrgent, kOrdinary };

// Where a demand stands. A demand has at most one open work order at a time.
enum class DemandState {
  kReceived,    // entered, not yet dispatched (or re-opened and waiting for a new dispatch)
  kDispatched,  // its order waits to be signed for
  kReturned,    // its order was returned with a reason and waits for the arbiter
  kHandling,    // its order was signed for
  kClosed,      // answered; the satisfaction callback is due
  kFinished,    // the callback found the demander satisfied (or the demand is praise)
};

enum class ReceiverKind {
  kDepartment,    // a department's staff holding demand.handle sign for it
  kCommissioner,  // the enterprise's service commissioner (服务专员) signs for it
};

enum class OrderState { kPending, kSigned, kReturned, kClosed };

enum class ExtensionState { kNone, kRequested, kApproved, kRefused };

enum class ContactKind {
  kCommissioner,  // 服务专员: handles the enterprise's demands dispatched "to commissioner"
  kLiaison,       // 联系干部: the cadre who keeps in touch with the enterprise
};

struct Demand {
  std::string id{};
  std::string number{};  // human-readable, e.g. "SQ431128-20261126-0001"
  Channel channel = Channel::kPortal;
  DemandClass demand_class = DemandClass::kConsultation;
  Urgency urgency = Urgency::kOrdinary;
  bool complex = false;  // 疑难复杂: the longer limit of the configuration applies
  std::string region{};  // 6-digit region code the demand concerns
  std::string uscc{};    // the enterprise concerned ("" for a citizen's demand)
  std::string title{};
  std::string text{};
  // The demander. For a report (举报) these are hidden from the handling department.
  std::string submitted_by{};  // the account that entered it (agent or operator)
  std::string caller_name{};   // hotline/service line/group: who called; portal: the agent
  std::string caller_phone{};
  DemandState state = DemandState::kReceived;
  int limit_days = 0;               // handling limit in working days (0: the same day)
  int64_t created_at = 0;           // ms since the epoch
  int64_t closed_at = 0;            // 0 while open
  std::string answer{};             // the closing answer of the last closed order
  std::optional<bool> satisfied{};  // the callback's result, once recorded
  int64_t callback_due = 0;         // closed: the callback is due by then
  bool reporter_hidden = false;     // set on reads: the demander fields were blanked
};

struct WorkOrder {
  std::string id{};
  std::string demand_id{};
  int seq = 0;  // 1 for the first dispatch of the demand
  ReceiverKind receiver_kind = ReceiverKind::kDepartment;
  std::string department{};  // kDepartment: the department code
  std::string assignee{};    // kCommissioner: the commissioner's account id
  bool arbitrated = false;   // dispatched by the arbiter after a return: cannot be returned
  OrderState state = OrderState::kPending;
  std::string dispatched_by{};
  int64_t dispatched_at = 0;
  int64_t sign_due = 0;  // sign-for limit (working hours from dispatch)
  int64_t due = 0;       // handling limit (working days from dispatch; extensions add to it)
  std::string signed_by{};
  int64_t signed_at = 0;
  std::string return_reason{};
  ExtensionState extension = ExtensionState::kNone;
  int extension_days = 0;
  std::string extension_reason{};
  int reminders = 0;
  bool sign_overdue = false;   // the sweep found the sign-for limit passed
  bool late_reminded = false;  // the sweep reminded it after the handling limit passed
  bool supervised = false;
  std::string answer{};
  int64_t closed_at = 0;
  std::string callback{};  // "", "satisfied", "unsatisfied"
};

// One traced step: who did what to the demand, and when.
struct Step {
  int seq = 0;
  std::string action{};  // received, dispatched, signed, returned, arbitrated, …
  std::string actor{};   // account id, or "system" for the sweep
  int64_t at = 0;
  std::string detail{};
};

// A demand with its orders (oldest first) and steps.
struct DemandRecord {
  Demand demand{};
  std::vector<WorkOrder> orders{};
  std::vector<Step> steps{};
};

struct Contact {
  std::string uscc{};
  ContactKind kind = ContactKind::kCommissioner;
  std::string account_id{};
  std::string account_name{};     // on reads: the account's name
  std::string enterprise_name{};  // on reads: the enterprise's name, when registered
  std::string assigned_by{};
  int64_t assigned_at = 0;
};

// A suggested duplicate: an earlier demand of the same enterprise or region and how alike the
// two texts are (Dice coefficient over CJK bigrams and ASCII words, 0..1).
struct Duplicate {
  std::string demand_id{};
  std::string number{};
  std::string title{};
  DemandState state = DemandState::kReceived;
  double similarity = 0;
};

// Wire and storage names ("portal", "consultation", "urgent", "handling", …); Parse* returns
// nullopt for anything else. The Chinese names (咨询, 紧急, …) are accepted by Parse too.
std::string_view ChannelName(Channel v);
std::optional<Channel> ParseChannel(std::string_view s);
std::string_view DemandClassName(DemandClass v);
std::optional<DemandClass> ParseDemandClass(std::string_view s);
std::string_view UrgencyName(Urgency v);
std::optional<Urgency> ParseUrgency(std::string_view s);
std::string_view DemandStateName(DemandState v);
std::optional<DemandState> ParseDemandState(std::string_view s);
std::string_view ReceiverKindName(ReceiverKind v);
std::optional<ReceiverKind> ParseReceiverKind(std::string_view s);
std::string_view OrderStateName(OrderState v);
std::optional<OrderState> ParseOrderState(std::string_view s);
std::string_view ExtensionStateName(ExtensionState v);
std::optional<ExtensionState> ParseExtensionState(std::string_view s);
std::string_view ContactKindName(ContactKind v);
std::optional<ContactKind> ParseContactKind(std::string_view s);

}  // namespace tongban::demands
