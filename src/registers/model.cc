#include "registers/model.h"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "base/region.h"
#include "base/uscc.h"
#include "base/utf8.h"

namespace tongban::registers {
namespace {

template <typename E, size_t N>
std::string_view NameOf(const std::array<std::pair<E, std::string_view>, N>& names, E v) {
  for (const auto& [e, n] : names) {
    if (e == v) return n;
  }
  return "";
}

template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::pair<E, std::string_view>, N>& names,
                       std::string_view s) {
  for (const auto& [e, n] : names) {
    if (n == s) return e;
  }
  return std::nullopt;
}

constexpr std::array<std::pair<IncomeBand, std::string_view>, 4> kIncomeBands = {{
    {IncomeBand::kLow, "low"},
    {IncomeBand::kLowerMiddle, "lower_middle"},
    {IncomeBand::kMiddle, "middle"},
    {IncomeBand::kHigh, "high"},
}};
constexpr std::array<std::pair<Assistance, std::string_view>, 3> kAssistance = {{
    {Assistance::kNone, "none"},
    {Assistance::kMinimumLiving, "minimum_living"},
    {Assistance::kExtremePoverty, "extreme_poverty"},
}};
constexpr std::array<std::pair<DisabilityCategory, std::string_view>, 7> kCategories = {{
    {DisabilityCategory::kVisual, "visual"},
    {DisabilityCategory::kHearing, "hearing"},
    {DisabilityCategory::kSpeech, "speech"},
    {DisabilityCategory::kPhysical, "physical"},
    {DisabilityCategory::kIntellectual, "intellectual"},
    {DisabilityCategory::kMental, "mental"},
    {DisabilityCategory::kMultiple, "multiple"},
}};
constexpr std::array<std::pair<PersonStatus, std::string_view>, 2> kPersonStatus = {{
    {PersonStatus::kAlive, "alive"},
    {PersonStatus::kDeceased, "deceased"},
}};
constexpr std::array<std::pair<Relation, std::string_view>, 7> kRelations = {{
    {Relation::kSpouse, "spouse"},
    {Relation::kParent, "parent"},
    {Relation::kChild, "child"},
    {Relation::kSibling, "sibling"},
    {Relation::kGrandparent, "grandparent"},
    {Relation::kGrandchild, "grandchild"},
    {Relation::kOther, "other"},
}};
constexpr std::array<std::pair<EntityType, std::string_view>, 7> kEntityTypes = {{
    {EntityType::kCompany, "company"},
    {EntityType::kSoleProprietor, "sole_proprietor"},
    {EntityType::kPartnership, "partnership"},
    {EntityType::kCooperative, "cooperative"},
    {EntityType::kPublicInstitution, "public_institution"},
    {EntityType::kSocialOrganisation, "social_organisation"},
    {EntityType::kOther, "other"},
}};
constexpr std::array<std::pair<EntitySize, std::string_view>, 4> kSizes = {{
    {EntitySize::kMicro, "micro"},
    {EntitySize::kSmall, "small"},
    {EntitySize::kMedium, "medium"},
    {EntitySize::kLarge, "large"},
}};
constexpr std::array<std::pair<EntityStatus, std::string_view>, 3> kEntityStatus = {{
    {EntityStatus::kActive, "active"},
    {EntityStatus::kRevoked, "revoked"},
    {EntityStatus::kCancelled, "cancelled"},
}};

bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

void CheckText(std::string_view field, std::string_view value, size_t max, bool required,
               FieldErrors& errors) {
  if (value.empty()) {
    if (required) errors.Add(std::string(field), "required");
    return;
  }
  if (HasControl(value)) {
    errors.Add(std::string(field), "contains a control character");
  } else if (utf8::CodePointCount(value) > max) {
    errors.Add(std::string(field), fmt::format("longer than {} characters", max));
  }
}

void CheckRegion(std::string_view field, std::string_view code, FieldErrors& errors) {
  if (code.empty()) {
    errors.Add(std::string(field), "required");
    return;
  }
  auto parsed = ParseRegionCode(code);
  if (!parsed.ok()) errors.Add(std::string(field), parsed.error().message());
}

}  // namespace

std::string_view IncomeBandName(IncomeBand v) { return NameOf(kIncomeBands, v); }
std::optional<IncomeBand> ParseIncomeBand(std::string_view s) { return Parse(kIncomeBands, s); }
std::string_view AssistanceName(Assistance v) { return NameOf(kAssistance, v); }
std::optional<Assistance> ParseAssistance(std::string_view s) { return Parse(kAssistance, s); }
std::string_view DisabilityCategoryName(DisabilityCategory v) { return NameOf(kCategories, v); }
std::optional<DisabilityCategory> ParseDisabilityCategory(std::string_view s) {
  return Parse(kCategories, s);
}
std::string_view PersonStatusName(PersonStatus v) { return NameOf(kPersonStatus, v); }
std::optional<PersonStatus> ParsePersonStatus(std::string_view s) {
  return Parse(kPersonStatus, s);
}
std::string_view RelationName(Relation v) { return NameOf(kRelations, v); }
std::optional<Relation> ParseRelation(std::string_view s) { return Parse(kRelations, s); }
std::string_view EntityTypeName(EntityType v) { return NameOf(kEntityTypes, v); }
std::optional<EntityType> ParseEntityType(std::string_view s) { return Parse(kEntityTypes, s); }
std::string_view EntitySizeName(EntitySize v) { return NameOf(kSizes, v); }
std::optional<EntitySize> ParseEntitySize(std::string_view s) { return Parse(kSizes, s); }
std::string_view EntityStatusName(EntityStatus v) { return NameOf(kEntityStatus, v); }
std::optional<EntityStatus> ParseEntityStatus(std::string_view s) {
  return Parse(kEntityStatus, s);
}
std::optional<Sex> ParseSex(std::string_view s) {
  if (s == "male") return Sex::kMale;
  if (s == "female") return Sex::kFemale;
  return std::nullopt;
}

std::string MaskPhone(std::string_view phone) {
  if (phone.size() <= 4) return std::string(phone.size(), '*');
  if (phone.size() < 11) {
    return std::string(phone.size() - 4, '*') + std::string(phone.substr(phone.size() - 4));
  }
  return std::string(phone.substr(0, 3)) + std::string(phone.size() - 7, '*') +
         std::string(phone.substr(phone.size() - 4));
}

std::string MaskCertificate(std::string_view certificate) {
  if (certificate.size() < 18) return MaskIdNumber(certificate);
  return MaskIdNumber(certificate.substr(0, 18)) + std::string(certificate.substr(18));
}

void ValidatePerson(Person& person, Date today, FieldErrors& errors) {
  const CivilDate c = today.civil();
  const std::chrono::year_month_day ymd{std::chrono::year(c.year),
                                        std::chrono::month(static_cast<unsigned>(c.month)),
                                        std::chrono::day(static_cast<unsigned>(c.day))};
  auto id = ParseIdNumber(person.id_number, ymd);
  if (!id.ok()) {
    errors.Add("id_number", person.id_number.empty() ? "required" : id.error().message());
  } else {
    person.id_number = id->normalized;
    const auto& b = id->birth_date;
    const int64_t id_days = DaysFromCivil(static_cast<int>(b.year()),
                                          static_cast<int>(static_cast<unsigned>(b.month())),
                                          static_cast<int>(static_cast<unsigned>(b.day())));
    if (id_days != person.birth_date.days()) {
      errors.Add("birth_date",
                 fmt::format("{} disagrees with the ID number's birth date {}",
                             person.birth_date.ToString(), Date::FromDays(id_days).ToString()));
    }
    if (id->sex != person.sex) {
      errors.Add("sex", fmt::format("{} disagrees with the ID number ({})", SexName(person.sex),
                                    SexName(id->sex)));
    }
  }
  CheckText("name", person.name, 50, true, errors);
  CheckText("address", person.address, 200, false, errors);
  CheckRegion("household_region", person.household_region, errors);
  if (!person.phone.empty()) {
    bool digits = person.phone.size() == 11 && person.phone[0] == '1';
    for (char ch : person.phone) digits = digits && ch >= '0' && ch <= '9';
    if (!digits) errors.Add("phone", "not a mobile number (11 digits starting with 1)");
  }
  if (person.disability) {
    const Disability& d = *person.disability;
    if (d.level < 1 || d.level > 4) {
      errors.Add("disability.level", fmt::format("{} is not a level 1-4", d.level));
    }
    std::string upper = d.certificate;
    if (upper.size() >= 18 && upper[17] == 'x') upper[17] = 'X';
    if (upper.size() != 20) {
      errors.Add("disability.certificate", "must be 20 characters: the ID number, category, level");
    } else if (id.ok() && upper.substr(0, 18) != id->normalized) {
      errors.Add("disability.certificate", "does not begin with the holder's ID number");
    } else if (upper[18] != static_cast<char>('0' + static_cast<int>(d.category)) ||
               upper[19] != static_cast<char>('0' + d.level)) {
      errors.Add("disability.certificate",
                 fmt::format("category and level digits {} disagree with {} level {}",
                             upper.substr(18), DisabilityCategoryName(d.category), d.level));
    } else {
      person.disability->certificate = upper;
    }
  }
  for (size_t i = 0; i < person.family.size(); ++i) {
    const auto& m = person.family[i];
    if (m.person_id.empty()) errors.Add(fmt::format("family/{}/person_id", i), "required");
    if (m.person_id == person.id && !person.id.empty()) {
      errors.Add(fmt::format("family/{}/person_id", i), "a person is not their own relative");
    }
  }
}

void ValidateEntity(Entity& entity, FieldErrors& errors) {
  auto uscc = ParseUscc(entity.uscc);
  if (!uscc.ok()) {
    errors.Add("uscc", entity.uscc.empty() ? "required" : uscc.error().message());
  } else {
    entity.uscc = uscc->normalized;
  }
  CheckText("name", entity.name, 100, true, errors);
  CheckText("legal_representative", entity.legal_representative, 50, true, errors);
  CheckRegion("registered_region", entity.registered_region, errors);
  const std::string& ind = entity.industry;
  bool ok = !ind.empty() && ind.size() <= 5 && ind[0] >= 'A' && ind[0] <= 'T';
  for (size_t i = 1; ok && i < ind.size(); ++i) ok = ind[i] >= '0' && ind[i] <= '9';
  if (!ok) errors.Add("industry", "not a GB/T 4754 code (a section letter A-T and up to 4 digits)");
}

}  // namespace tongban::registers
