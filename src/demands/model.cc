#include "demands/model.h"

#include <array>
#include <utility>

namespace tongban::demands {
namespace {

// One row per enumerator: the wire name and, where there is one, the Chinese name.
template <typename E, size_t N>
using Names = std::array<std::pair<E, std::array<std::string_view, 2>>, N>;

template <typename E, size_t N>
std::string_view NameOf(const Names<E, N>& names, E v) {
  for (const auto& [e, n] : names) {
    if (e == v) return n[0];
  }
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> Parse(const Names<E, N>& names, std::string_view s) {
  for (const auto& [e, n] : names) {
    if (s == n[0] || (!n[1].empty() && s == n[1])) return e;
  }
  return std::nullopt;
}

constexpr Names<Channel, 4> kChannels{{{Channel::kPortal, {"portal", "企业服务平台"}},
                                       {Channel::kHotline, {"hotline", "12345"}},
                                       {Channel::kGroup, {"group", "政企群"}},
                                       {Channel::kServiceLine, {"service_line", "企业专线"}}}};
constexpr Names<DemandClass, 6> kClasses{{{DemandClass::kConsultation, {"consultation", "咨询"}},
                                          {DemandClass::kHelp, {"help", "求助"}},
                                          {DemandClass::kComplaint, {"complaint", "投诉"}},
                                          {DemandClass::kReport, {"report", "举报"}},
                                          {DemandClass::kSuggestion, {"suggestion", "建议"}},
                                          {DemandClass::kPraise, {"praise", "表扬"}}}};
constexpr Names<Urgency, 2> kUrgencies{
    {{Urgency::kUrgent, {"urgent", "紧急"}}, {Urgency::kOrdinary, {"ordinary", "一般"}}}};
constexpr Names<DemandState, 6> kStates{{{DemandState::kReceived, {"received", ""}},
                                         {DemandState::kDispatched, {"dispatched", ""}},
                                         {DemandState::kReturned, {"returned", ""}},
                                         {DemandState::kHandling, {"handling", ""}},
                                         {DemandState::kClosed, {"closed", ""}},
                                         {DemandState::kFinished, {"finished", ""}}}};
constexpr Names<ReceiverKind, 2> kReceivers{{{ReceiverKind::kDepartment, {"department", ""}},
                                             {ReceiverKind::kCommissioner, {"commissioner", ""}}}};
constexpr Names<OrderState, 4> kOrderStates{{{OrderState::kPending, {"pending", ""}},
                                             {OrderState::kSigned, {"signed", ""}},
                                             {OrderState::kReturned, {"returned", ""}},
                                             {OrderState::kClosed, {"closed", ""}}}};
constexpr Names<ExtensionState, 4> kExtensions{{{ExtensionState::kNone, {"none", ""}},
                                                {ExtensionState::kRequested, {"requested", ""}},
                                                {ExtensionState::kApproved, {"approved", ""}},
                                                {ExtensionState::kRefused, {"refused", ""}}}};
constexpr Names<ContactKind, 2> kContacts{
    {{ContactKind::kCommissioner, {"commissioner", "服务专员"}},
     {ContactKind::kLiaison, {"liaison", "联系干部"}}}};

}  // namespace

std::string_view ChannelName(Channel v) { return NameOf(kChannels, v); }
std::optional<Channel> ParseChannel(std::string_view s) { return Parse(kChannels, s); }
std::string_view DemandClassName(DemandClass v) { return NameOf(kClasses, v); }
std::optional<DemandClass> ParseDemandClass(std::string_view s) { return Parse(kClasses, s); }
std::string_view UrgencyName(Urgency v) { return NameOf(kUrgencies, v); }
std::optional<Urgency> ParseUrgency(std::string_view s) { return Parse(kUrgencies, s); }
std::string_view DemandStateName(DemandState v) { return NameOf(kStates, v); }
std::optional<DemandState> ParseDemandState(std::string_view s) { return Parse(kStates, s); }
std::string_view ReceiverKindName(ReceiverKind v) { return NameOf(kReceivers, v); }
std::optional<ReceiverKind> ParseReceiverKind(std::string_view s) { return Parse(kReceivers, s); }
std::string_view OrderStateName(OrderState v) { return NameOf(kOrderStates, v); }
std::optional<OrderState> ParseOrderState(std::string_view s) { return Parse(kOrderStates, s); }
std::string_view ExtensionStateName(ExtensionState v) { return NameOf(kExtensions, v); }
std::optional<ExtensionState> ParseExtensionState(std::string_view s) {
  return Parse(kExtensions, s);
}
std::string_view ContactKindName(ContactKind v) { return NameOf(kContacts, v); }
std::optional<ContactKind> ParseContactKind(std::string_view s) { return Parse(kContacts, s); }

}  // namespace tongban::demands
