// The catalog of matters in the two levels GB/T 39554.1 codes: basic items (基本目录, identical at
// every level) and implementation items (实施清单, a matter as one department in one region
// implements it), with the reference data they point at. Plain values: no storage, no JSON,
// no YAML. The file format that carries them is docs/catalog-format.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tongban::catalog {

// 事项类型: the kind of a basic item.
enum class Kind {
  kLicensing,      // 行政许可
  kBenefit,        // 行政给付
  kConfirmation,   // 行政确认
  kLevy,           // 行政征收
  kReward,         // 行政奖励
  kAdjudication,   // 行政裁决
  kInspection,     // 行政检查
  kOtherPower,     // 其他行政权力
  kPublicService,  // 公共服务
};

// 办件类型.
enum class HandlingType {
  kInstant,   // 即办件: concluded on the spot
  kPromised,  // 承诺件: concluded within the promised limit
};

enum class LimitUnit { kWorkingDays, kNaturalDays, kHours };

// Administrative levels, for the four lists.
enum class Level { kProvince, kCity, kCounty, kTown, kVillage };

// 四个清单.
enum class ServiceList {
  kNearby,     // 就近办
  kProactive,  // 主动办
  kOnline,     // 掌上网上办
  kAssisted,   // 帮代办
};

// 跨域通办 modes.
enum class CrossRegionMode {
  kOnline,           // 全程网办
  kProxyAcceptance,  // 异地代收代办
  kJointHandling,    // 多地联办
};

enum class WindowKind {
  kGeneral,      // 综合窗口: any matter
  kMatter,       // 专窗
  kCrossRegion,  // 跨省通办窗口
};

enum class CertificateStatus { kRetained, kCancelled };

enum class ScenarioKind { kNew, kReissue, kChange, kRenewal, kCancellation, kOther };

enum class FieldType {
  kString,
  kInteger,
  kDecimal,
  kDate,
  kBoolean,
  kEnum,
  kRegion,
  kIdNumber,
  kUscc,
  kPhone,
};

// Whether a material must be supplied.
enum class Requirement {
  kAlways,       // required
  kConditional,  // required when the material's FEEL condition holds
  kOptional,
};

// Where a material comes from (四个一批 and the rest).
enum class MaterialSource {
  kApplicant,           // uploaded by the applicant
  kLicence,             // fetched as an e-licence of `licence_type` (调用)
  kReuse,               // reused from the materials library (复用)
  kCertificateRequest,  // requested from the issuer online (在线开具)
  kCommitment,          // replaced by the applicant's commitment (告知承诺)
  kWaived,              // not needed at all (免提交)
};

// The life of one version of an implementation item.
enum class VersionStatus { kDraft, kApproved, kPublished };

// The English id and the accepted Chinese names of one enumerator. Files and the API write the
// id; import also accepts the aliases (行政许可, 即办件, 新办 …).
template <typename E>
struct EnumSpec {
  E value;
  std::string_view id;
  std::string_view alias = {};
  std::string_view alias2 = {};
};

// Every enumerator of E with its names, in declaration order. Specialised in model.cc.
template <typename E>
std::span<const EnumSpec<E>> EnumSpecs();

template <typename E>
std::string_view EnumId(E value) {
  for (const auto& s : EnumSpecs<E>()) {
    if (s.value == value) return s.id;
  }
  return "?";
}

// Accepts the English id or a Chinese alias; nullopt for anything else.
template <typename E>
std::optional<E> ParseEnum(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (const auto& s : EnumSpecs<E>()) {
    if (text == s.id || text == s.alias || text == s.alias2) return s.value;
  }
  return std::nullopt;
}

// "a | b | c": the accepted ids, for error messages.
template <typename E>
std::string EnumIds() {
  std::string out;
  for (const auto& s : EnumSpecs<E>()) {
    if (!out.empty()) out += " | ";
    out += s.id;
  }
  return out;
}

template <>
std::span<const EnumSpec<Kind>> EnumSpecs<Kind>();
template <>
std::span<const EnumSpec<HandlingType>> EnumSpecs<HandlingType>();
template <>
std::span<const EnumSpec<LimitUnit>> EnumSpecs<LimitUnit>();
template <>
std::span<const EnumSpec<Level>> EnumSpecs<Level>();
template <>
std::span<const EnumSpec<ServiceList>> EnumSpecs<ServiceList>();
template <>
std::span<const EnumSpec<CrossRegionMode>> EnumSpecs<CrossRegionMode>();
template <>
std::span<const EnumSpec<WindowKind>> EnumSpecs<WindowKind>();
template <>
std::span<const EnumSpec<CertificateStatus>> EnumSpecs<CertificateStatus>();
template <>
std::span<const EnumSpec<ScenarioKind>> EnumSpecs<ScenarioKind>();
template <>
std::span<const EnumSpec<FieldType>> EnumSpecs<FieldType>();
template <>
std::span<const EnumSpec<Requirement>> EnumSpecs<Requirement>();
template <>
std::span<const EnumSpec<MaterialSource>> EnumSpecs<MaterialSource>();
template <>
std::span<const EnumSpec<VersionStatus>> EnumSpecs<VersionStatus>();

// A region the installation serves (行政区划: GB/T 2260, or a 12-digit town/village code).
struct Region {
  std::string code;
  std::string name;
  bool operator==(const Region&) const = default;
};

// 部门: an organisation unit that implements matters.
struct Department {
  std::string code;  // installation-local id
  std::string name;
  std::string uscc;    // 统一社会信用代码
  std::string region;  // region code
  bool operator==(const Department&) const = default;
};

// 窗口: a service counter.
struct Window {
  std::string code;
  std::string name;
  std::string region;
  WindowKind kind = WindowKind::kGeneral;
  std::string department;  // optional: the department of a matter window
  std::string address;
  std::string hours;
  bool operator==(const Window&) const = default;
};

// One entry of the certificate list (证明事项清单). Cancelled entries stay, with the decision
// that cancelled them, so cancellations can be counted.
struct Certificate {
  std::string code;
  std::string name;
  std::string issuer;
  std::string basis;
  CertificateStatus status = CertificateStatus::kRetained;
  std::string cancelled_basis;  // required when cancelled
  std::string licence_type;     // an e-licence type that stands in for it, optional
  bool operator==(const Certificate&) const = default;
};

// 基本目录 item: the matter as defined nationally, the same at every level (四级四同).
struct BasicItem {
  std::string code;
  std::string name;
  Kind kind = Kind::kLicensing;
  std::string legal_basis;
  bool operator==(const BasicItem&) const = default;
};

struct TimeLimit {
  int value = 0;
  LimitUnit unit = LimitUnit::kWorkingDays;
  bool operator==(const TimeLimit&) const = default;
};

struct Fee {
  std::string name;
  int64_t amount_fen = 0;
  std::string basis;
  bool operator==(const Fee&) const = default;
};

// The four lists, each naming the levels at which the matter is on that list.
struct ServiceLists {
  std::vector<Level> nearby;
  std::vector<Level> proactive;
  std::vector<Level> online;
  std::vector<Level> assisted;

  const std::vector<Level>& Of(ServiceList list) const;
  std::vector<Level>& Of(ServiceList list);
  bool operator==(const ServiceLists&) const = default;
};

struct FormField {
  std::string name;  // identifier used by FEEL conditions: [a-z_][a-z0-9_]*
  std::string label;
  FieldType type = FieldType::kString;
  bool required = false;
  std::vector<std::string> options;  // kEnum only
  // A FEEL expression over `person`, `entity` and `licence("类型")` giving the value the form
  // arrives with (registers/forms.h); empty: the applicant types it.
  std::string prefill{};
  // FEEL unary tests the value must pass (`[1..10000]`, `> 0`, `"宾馆","旅店"`), checked when
  // the form is pre-filled and at submission, and the message shown when it fails.
  std::string validation{};
  std::string validation_message{};
  bool operator==(const FormField&) const = default;
};

struct Material {
  std::string name;
  Requirement required = Requirement::kAlways;
  std::string condition;  // FEEL, kConditional only
  bool core = false;      // a core material can never be accepted with gaps (容缺)
  MaterialSource source = MaterialSource::kApplicant;
  std::string licence_type;  // required for kLicence
  std::string certificate;   // a code on the certificate list; required for kCertificateRequest
  // 复用: for how many days an earlier upload of this material may be reused from the
  // applicant's materials library; 0 never. Unset: the installation's material_reuse_days.
  std::optional<int> reuse_days;
  // 在线开具: the working days the issuing department has to answer a certificate request;
  // kCertificateRequest only. Unset: the installation's certificate_request_days.
  std::optional<int> request_days;
  bool operator==(const Material&) const = default;
};

// 办理情形: one situation of a matter with its own form and materials.
// 秒批 (无人干预自动审批) of an instant matter's scenario: when every required material is provided
// or committed and `rule` holds, the system accepts, approves and concludes the case at once
// (src/sources/auto_decision.h). `rule` is FEEL over AutoDecisionScope (catalog/validate.h).
struct AutoDecision {
  std::string rule;
  bool operator==(const AutoDecision&) const = default;
};

struct Scenario {
  std::string code;  // unique within the item
  std::string name;
  ScenarioKind kind = ScenarioKind::kOther;
  std::string process;  // the BPMN process name
  std::vector<FormField> form;
  std::vector<Material> materials;
  // 并联审批: the departments (catalog codes) whose steps the review process opens at once; its
  // `departments` variable. Empty: the process decides (its own default).
  std::vector<std::string> review_departments{};
  std::optional<AutoDecision> auto_decision{};  // instant matters only
  bool operator==(const Scenario&) const = default;
};

// One answer a guide question offers. In a question tree it leads on: to the next question
// (`next`) or to a scenario (`scenario`), exactly one of them. Under a decision table it leads
// nowhere itself (the table maps the answers to a scenario).
struct GuideOption {
  std::string value;  // what the answer is called in the API and in the table: a code
  std::string label;  // what the applicant reads
  std::string next;
  std::string scenario;
  bool operator==(const GuideOption&) const = default;
};

struct GuideQuestion {
  std::string id;  // an identifier: the decision table reads the answer under this name
  std::string text;
  std::vector<GuideOption> options;
  bool operator==(const GuideQuestion&) const = default;
};

// 智能导办: questions whose answers select the scenario. Either a question tree (the first
// question is asked first; each option leads to a question or a scenario) or, with
// `decision_table`, the questions asked in order and then a decision table (docs/dmn-yaml.md)
// over the answers whose single output is the scenario code.
struct Guide {
  std::vector<GuideQuestion> questions;
  std::string decision_table;  // YAML decision table text; empty for a question tree
  bool operator==(const Guide&) const = default;
};

// 实施清单 item. Name, kind and legal basis come from its basic item.
struct ImplementationItem {
  std::string code;  // implementation code, unique
  std::string basic_item;
  std::string department;
  std::string region;
  HandlingType handling_type = HandlingType::kPromised;
  std::optional<TimeLimit> legal_limit;     // required
  std::optional<TimeLimit> promised_limit;  // required for promised matters
  std::vector<Fee> fees;                    // empty: free of charge
  std::string place;
  std::string hours;
  std::string phone;
  std::vector<std::string> windows;
  int visits = 0;        // 跑动次数
  int online_depth = 0;  // 网办深度 1..4 (4 = 全程网办)
  ServiceLists lists;
  std::vector<CrossRegionMode> cross_region_modes;
  std::string jurisdiction;  // FEEL, kept as text
  std::string result_licence_type;
  // How the result licence's data fields are filled from the case's form: licence field ->
  // form field. A licence field not named here takes the form field of the same name.
  std::map<std::string, std::string> licence_fields;
  std::vector<std::string> keywords;
  std::vector<std::string> aliases;
  std::vector<Scenario> scenarios;
  std::optional<Guide> guide;
  // 告知承诺: natural days from approval within which the verification (核查) of a commitment
  // is due. Unset: kDefaultVerificationDays.
  std::optional<int> verification_within_days{};
  bool operator==(const ImplementationItem&) const = default;
  int VerificationDays() const {
    return verification_within_days.value_or(kDefaultVerificationDays);
  }
  static constexpr int kDefaultVerificationDays = 60;
};

// 一件事一次办.
struct Bundle {
  std::string code;
  std::string name;
  std::string region;
  std::vector<std::string> matters;  // implementation item codes
  std::string process;
  bool operator==(const Bundle&) const = default;
};

// The content of one catalog file: any of its parts may be empty.
struct CatalogFile {
  std::vector<Region> regions;
  std::vector<Department> departments;
  std::vector<Window> windows;
  std::vector<Certificate> certificates;
  std::vector<BasicItem> basic_items;
  std::vector<ImplementationItem> implementation_items;
  std::vector<Bundle> bundles;
  bool operator==(const CatalogFile&) const = default;
};

}  // namespace tongban::catalog
