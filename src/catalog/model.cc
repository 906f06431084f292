#include "catalog/model.h"

#include <fmt/format.h>

#include <utility>

namespace tongban::catalog {

template <>
std::span<const EnumSpec<Kind>> EnumSpecs<Kind>() {
  static constexpr EnumSpec<Kind> kSpecs[] = {
      {Kind::kLicensing, "licensing", "行政许可"},
      {Kind::kBenefit, "benefit", "行政给付"},
      {Kind::kConfirmation, "confirmation", "行政确认"},
      {Kind::kLevy, "levy", "行政征收"},
      {Kind::kReward, "reward", "行政奖励"},
      {Kind::kAdjudication, "adjudication", "行政裁决"},
      {Kind::kInspection, "inspection", "行政检查"},
      {Kind::kOtherPower, "other_power", "其他行政权力"},
      {Kind::kPublicService, "public_service", "公共服务"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<HandlingType>> EnumSpecs<HandlingType>() {
  static constexpr EnumSpec<HandlingType> kSpecs[] = {
      {HandlingType::kInstant, "instant", "即办件", "即办"},
      {HandlingType::kPromised, "promised", "承诺件", "承诺办"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<LimitUnit>> EnumSpecs<LimitUnit>() {
  static constexpr EnumSpec<LimitUnit> kSpecs[] = {
      {LimitUnit::kWorkingDays, "working_days", "工作日"},
      {LimitUnit::kNaturalDays, "natural_days", "自然日"},
      {LimitUnit::kHours, "hours", "小时"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<Level>> EnumSpecs<Level>() {
  static constexpr EnumSpec<Level> kSpecs[] = {
      {Level::kProvince, "province", "省级", "省"}, {Level::kCity, "city", "市级", "市"},
      {Level::kCounty, "county", "县级", "县"},     {Level::kTown, "town", "乡级", "乡镇"},
      {Level::kVillage, "village", "村级", "村"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<ServiceList>> EnumSpecs<ServiceList>() {
  static constexpr EnumSpec<ServiceList> kSpecs[] = {
      {ServiceList::kNearby, "nearby", "就近办"},
      {ServiceList::kProactive, "proactive", "主动办"},
      {ServiceList::kOnline, "online", "掌上网上办", "网上办"},
      {ServiceList::kAssisted, "assisted", "帮代办"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<CrossRegionMode>> EnumSpecs<CrossRegionMode>() {
  static constexpr EnumSpec<CrossRegionMode> kSpecs[] = {
      {CrossRegionMode::kOnline, "online", "全程网办"},
      {CrossRegionMode::kProxyAcceptance, "proxy_acceptance", "异地代收代办"},
      {CrossRegionMode::kJointHandling, "joint_handling", "多地联办"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<WindowKind>> EnumSpecs<WindowKind>() {
  static constexpr EnumSpec<WindowKind> kSpecs[] = {
      {WindowKind::kGeneral, "general", "综合窗口"},
      {WindowKind::kMatter, "matter", "专窗", "专业窗口"},
      {WindowKind::kCrossRegion, "cross_region", "跨省通办窗口", "跨域通办窗口"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<CertificateStatus>> EnumSpecs<CertificateStatus>() {
  static constexpr EnumSpec<CertificateStatus> kSpecs[] = {
      {CertificateStatus::kRetained, "retained", "保留"},
      {CertificateStatus::kCancelled, "cancelled", "取消"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<ScenarioKind>> EnumSpecs<ScenarioKind>() {
  static constexpr EnumSpec<ScenarioKind> kSpecs[] = {
      {ScenarioKind::kNew, "new", "新办"},
      {ScenarioKind::kReissue, "reissue", "补办"},
      {ScenarioKind::kChange, "change", "变更"},
      {ScenarioKind::kRenewal, "renewal", "换发", "延续"},
      {ScenarioKind::kCancellation, "cancellation", "注销"},
      {ScenarioKind::kOther, "other", "其他"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<FieldType>> EnumSpecs<FieldType>() {
  static constexpr EnumSpec<FieldType> kSpecs[] = {
      {FieldType::kString, "string"},   {FieldType::kInteger, "integer"},
      {FieldType::kDecimal, "decimal"}, {FieldType::kDate, "date"},
      {FieldType::kBoolean, "boolean"}, {FieldType::kEnum, "enum"},
      {FieldType::kRegion, "region"},   {FieldType::kIdNumber, "id_number"},
      {FieldType::kUscc, "uscc"},       {FieldType::kPhone, "phone"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<Requirement>> EnumSpecs<Requirement>() {
  static constexpr EnumSpec<Requirement> kSpecs[] = {
      {Requirement::kAlways, "always", "必要"},
      {Requirement::kConditional, "conditional", "情形必要"},
      {Requirement::kOptional, "optional", "非必要"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<MaterialSource>> EnumSpecs<MaterialSource>() {
  static constexpr EnumSpec<MaterialSource> kSpecs[] = {
      {MaterialSource::kApplicant, "applicant", "申请人提交"},
      {MaterialSource::kLicence, "licence", "调用", "证照调用"},
      {MaterialSource::kReuse, "reuse", "复用"},
      {MaterialSource::kCertificateRequest, "certificate_request", "在线开具"},
      {MaterialSource::kCommitment, "commitment", "告知承诺"},
      {MaterialSource::kWaived, "waived", "免提交"},
  };
  return kSpecs;
}

template <>
std::span<const EnumSpec<VersionStatus>> EnumSpecs<VersionStatus>() {
  static constexpr EnumSpec<VersionStatus> kSpecs[] = {
      {VersionStatus::kDraft, "draft", "草稿"},
      {VersionStatus::kApproved, "approved", "已审核"},
      {VersionStatus::kPublished, "published", "已发布"},
  };
  return kSpecs;
}

const std::vector<Level>& ServiceLists::Of(ServiceList list) const {
  switch (list) {
    case ServiceList::kNearby:
      return nearby;
    case ServiceList::kProactive:
      return proactive;
    case ServiceList::kOnline:
      return online;
    case ServiceList::kAssisted:
      return assisted;
  }
  return nearby;
}

std::vector<Level>& ServiceLists::Of(ServiceList list) {
  return const_cast<std::vector<Level>&>(std::as_const(*this).Of(list));
}

}  // namespace tongban::catalog
