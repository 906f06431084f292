#include "cases/model.h"

#include <array>
#include <utility>

namespace tongban::cases {
namespace {

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "?";
}

template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& table,
                       std::string_view text) {
  for (const auto& [e, name] : table) {
    if (name == text) return e;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<Channel, std::string_view>, 6> kChannels{{
    {Channel::kOnline, "online"},
    {Channel::kMobile, "mobile"},
    {Channel::kWindow, "window"},
    {Channel::kKiosk, "kiosk"},
    {Channel::kServicePoint, "service_point"},
    {Channel::kAssisted, "assisted"},
}};
constexpr std::array<std::pair<ApplicantKind, std::string_view>, 2> kApplicantKinds{{
    {ApplicantKind::kPerson, "person"},
    {ApplicantKind::kEnterprise, "enterprise"},
}};
constexpr std::array<std::pair<CaseState, std::string_view>, 10> kStates{{
    {CaseState::kSubmitted, "submitted"},
    {CaseState::kCorrectionRequested, "correction_requested"},
    {CaseState::kUnderReview, "under_review"},
    {CaseState::kSuspended, "suspended"},
    {CaseState::kApproved, "approved"},
    {CaseState::kDenied, "denied"},
    {CaseState::kConcluded, "concluded"},
    {CaseState::kRefused, "refused"},
    {CaseState::kWithdrawn, "withdrawn"},
    {CaseState::kTerminated, "terminated"},
}};
constexpr std::array<std::pair<MaterialState, std::string_view>, 5> kMaterialStates{{
    {MaterialState::kMissing, "missing"},
    {MaterialState::kProvided, "provided"},
    {MaterialState::kGap, "gap"},
    {MaterialState::kSupplyLater, "supply_later"},
    {MaterialState::kProofWaived, "proof_waived"},
}};
constexpr std::array<std::pair<MaterialOrigin, std::string_view>, 6> kOrigins{{
    {MaterialOrigin::kNone, "none"},
    {MaterialOrigin::kUploaded, "uploaded"},
    {MaterialOrigin::kLicence, "licence"},
    {MaterialOrigin::kRegister, "register"},
    {MaterialOrigin::kClerkScan, "clerk_scan"},
    {MaterialOrigin::kReuse, "reuse"},
}};
constexpr std::array<std::pair<SuspensionReason, std::string_view>, 8> kReasons{{
    {SuspensionReason::kHearing, "hearing"},
    {SuspensionReason::kTendering, "tendering"},
    {SuspensionReason::kAuction, "auction"},
    {SuspensionReason::kInspection, "inspection"},
    {SuspensionReason::kTesting, "testing"},
    {SuspensionReason::kQuarantine, "quarantine"},
    {SuspensionReason::kAppraisal, "appraisal"},
    {SuspensionReason::kExpertReview, "expert_review"},
}};
constexpr std::array<std::pair<SuspensionReason, std::string_view>, 8> kReasonTitles{{
    {SuspensionReason::kHearing, "听证"},
    {SuspensionReason::kTendering, "招标"},
    {SuspensionReason::kAuction, "拍卖"},
    {SuspensionReason::kInspection, "检验"},
    {SuspensionReason::kTesting, "检测"},
    {SuspensionReason::kQuarantine, "检疫"},
    {SuspensionReason::kAppraisal, "鉴定"},
    {SuspensionReason::kExpertReview, "专家评审"},
}};
constexpr std::array<std::pair<DocumentKind, std::string_view>, 10> kDocuments{{
    {DocumentKind::kAcceptanceNotice, "acceptance_notice"},
    {DocumentKind::kRefusalDecision, "refusal_decision"},
    {DocumentKind::kCorrectionNotice, "correction_notice"},
    {DocumentKind::kApprovalDecision, "approval_decision"},
    {DocumentKind::kDenialDecision, "denial_decision"},
    {DocumentKind::kSuspensionNotice, "suspension_notice"},
    {DocumentKind::kExtensionNotice, "extension_notice"},
    {DocumentKind::kTerminationDecision, "termination_decision"},
    {DocumentKind::kRectificationOrder, "rectification_order"},
    {DocumentKind::kRevocationDecision, "revocation_decision"},
}};
constexpr std::array<std::pair<DocumentKind, std::string_view>, 10> kDocumentTitles{{
    {DocumentKind::kAcceptanceNotice, "受理通知书"},
    {DocumentKind::kRefusalDecision, "不予受理决定书"},
    {DocumentKind::kCorrectionNotice, "一次性补正告知书"},
    {DocumentKind::kApprovalDecision, "准予行政许可决定书"},
    {DocumentKind::kDenialDecision, "不予行政许可决定书"},
    {DocumentKind::kSuspensionNotice, "特别程序告知书"},
    {DocumentKind::kExtensionNotice, "延长办理期限告知书"},
    {DocumentKind::kTerminationDecision, "终止办理决定书"},
    {DocumentKind::kRectificationOrder, "责令限期整改通知书"},
    {DocumentKind::kRevocationDecision, "撤销行政许可决定书"},
}};

}  // namespace

std::string_view ChannelName(Channel c) { return NameOf(kChannels, c); }
std::optional<Channel> ParseChannel(std::string_view s) { return Parse(kChannels, s); }
std::string_view ApplicantKindName(ApplicantKind k) { return NameOf(kApplicantKinds, k); }
std::optional<ApplicantKind> ParseApplicantKind(std::string_view s) {
  return Parse(kApplicantKinds, s);
}
std::string_view CaseStateName(CaseState s) { return NameOf(kStates, s); }
std::optional<CaseState> ParseCaseState(std::string_view s) { return Parse(kStates, s); }
std::string_view MaterialStateName(MaterialState s) { return NameOf(kMaterialStates, s); }
std::optional<MaterialState> ParseMaterialState(std::string_view s) {
  return Parse(kMaterialStates, s);
}
std::string_view MaterialOriginName(MaterialOrigin o) { return NameOf(kOrigins, o); }
std::optional<MaterialOrigin> ParseMaterialOrigin(std::string_view s) { return Parse(kOrigins, s); }
std::string_view SuspensionReasonName(SuspensionReason r) { return NameOf(kReasons, r); }
std::string_view SuspensionReasonTitle(SuspensionReason r) { return NameOf(kReasonTitles, r); }
std::optional<SuspensionReason> ParseSuspensionReason(std::string_view s) {
  return Parse(kReasons, s);
}
std::string_view DocumentKindName(DocumentKind k) { return NameOf(kDocuments, k); }
std::string_view DocumentKindTitle(DocumentKind k) { return NameOf(kDocumentTitles, k); }
std::optional<DocumentKind> ParseDocumentKind(std::string_view s) { return Parse(kDocuments, s); }

bool IsFinal(CaseState s) {
  return s == CaseState::kConcluded || s == CaseState::kRefused || s == CaseState::kWithdrawn ||
         s == CaseState::kTerminated;
}

}  // namespace tongban::cases
