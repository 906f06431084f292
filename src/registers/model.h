// The base registers (基础数据库): the person register (人口库) and the entity register (法人库).
// Plain values with their wire/SQL names and validation; no SQL, no HTTP, no JSON.
//
// Sensitive fields (ID number, phone, disability certificate number, which embeds the ID
// number) hold the plaintext only in an input or a full read; everywhere else they hold the
// masked form (4301**********1234, 138****5678) and `masked` is true.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/id_number.h"
#include "base/result.h"

namespace tongban::registers {

enum class IncomeBand { kLow, kLowerMiddle, kMiddle, kHigh };
// 社会救助: none, 最低生活保障 (低保) or 特困人员救助供养 (特困).
enum class Assistance { kNone, kMinimumLiving, kExtremePoverty };
// 残疾类别 as the second-generation certificate's 19th character numbers them (GB/T 26341):
// 1 视力 … 7 多重.
enum class DisabilityCategory {
  kVisual = 1,
  kHearing,
  kSpeech,
  kPhysical,
  kIntellectual,
  kMental,
  kMultiple
};
enum class PersonStatus { kAlive, kDeceased };
enum class Relation { kSpouse, kParent, kChild, kSibling, kGrandparent, kGrandchild, kOther };

struct Disability {
  // 第二代残疾人证号: the holder's 18-character ID number, the category digit and the level
  // digit (20 characters).
  std::string certificate{};
  DisabilityCategory category = DisabilityCategory::kPhysical;
  int level = 4;  // 1 (most severe) … 4
};

struct FamilyMember {
  Relation relation = Relation::kOther;
  std::string person_id{};  // the relative's person id in this register
};

struct Person {
  std::string id{};  // UUIDv7, assigned by the register
  std::string id_number{};
  std::string name{};
  Sex sex = Sex::kMale;
  Date birth_date{};
  std::string household_region{};  // 户籍地 region code (6, 9 or 12 digits)
  std::string address{};
  std::string phone{};  // empty: none
  IncomeBand income_band = IncomeBand::kMiddle;
  Assistance assistance = Assistance::kNone;
  std::optional<Disability> disability{};
  bool long_term_care = false;  // 需要长期照护
  PersonStatus status = PersonStatus::kAlive;
  std::vector<FamilyMember> family{};
  int64_t version = 0;
  std::string updated_at{};  // ISO-8601 UTC
  std::string updated_by{};  // account id, "import:<job id>" or "system"
  bool masked = false;
};

enum class EntityType {
  kCompany,
  kSoleProprietor,  // 个体工商户
  kPartnership,
  kCooperative,  // 农民专业合作社
  kPublicInstitution,
  kSocialOrganisation,
  kOther
};
enum class EntitySize { kMicro, kSmall, kMedium, kLarge };
enum class EntityStatus { kActive, kRevoked, kCancelled };  // 存续, 吊销, 注销

struct Entity {
  std::string uscc{};
  std::string name{};
  EntityType type = EntityType::kCompany;
  std::string legal_representative{};  // the representative's name
  std::string industry{};              // GB/T 4754 code: a section letter, then up to 4 digits
  EntitySize size = EntitySize::kSmall;
  std::string registered_region{};
  EntityStatus status = EntityStatus::kActive;
  int64_t version = 0;
  std::string updated_at{};
  std::string updated_by{};
};

// Wire and SQL names ("low", "minimum_living", "intellectual", "spouse", …) and their parsers.
std::string_view IncomeBandName(IncomeBand v);
std::optional<IncomeBand> ParseIncomeBand(std::string_view s);
std::string_view AssistanceName(Assistance v);
std::optional<Assistance> ParseAssistance(std::string_view s);
std::string_view DisabilityCategoryName(DisabilityCategory v);
std::optional<DisabilityCategory> ParseDisabilityCategory(std::string_view s);
std::string_view PersonStatusName(PersonStatus v);
std::optional<PersonStatus> ParsePersonStatus(std::string_view s);
std::string_view RelationName(Relation v);
std::optional<Relation> ParseRelation(std::string_view s);
std::string_view EntityTypeName(EntityType v);
std::optional<EntityType> ParseEntityType(std::string_view s);
std::string_view EntitySizeName(EntitySize v);
std::optional<EntitySize> ParseEntitySize(std::string_view s);
std::string_view EntityStatusName(EntityStatus v);
std::optional<EntityStatus> ParseEntityStatus(std::string_view s);
std::optional<Sex> ParseSex(std::string_view s);

// 4301**********1234: the first 4 and last 4 characters kept (base/id_number.h).
using ::tongban::MaskIdNumber;
// 138****5678: the first 3 and last 4 digits kept (shorter numbers: all but the last 4 masked).
std::string MaskPhone(std::string_view phone);
// The certificate number with its ID-number part masked: 4301**********123412.
std::string MaskCertificate(std::string_view certificate);

// Checks every field of a person to be written, as of `today`, and normalises the ID number
// (lower-case x) in place. Adds one error per bad field to `errors` (field names as in JSON:
// "id_number", "birth_date", "disability.certificate", …): the ID number's checksum, its birth
// date and sex agreeing with those fields, a mobile number (11 digits starting with 1), a
// region code of valid shape (existence is checked by the caller against the region table),
// a certificate number made of this person's ID number, the category and the level, a level
// 1-4, a name of 1-50 characters.
void ValidatePerson(Person& person, Date today, FieldErrors& errors);
// The same for an entity: the USCC checksum (normalised in place), name, representative,
// industry code and region shape.
void ValidateEntity(Entity& entity, FieldErrors& errors);

}  // namespace tongban::registers
