// The registers: validation and masks, field encryption and blind indexes, and the register
// service's contract on SQLite and PostgreSQL (history, scope, purpose-gated full reads, trace).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "base/clock.h"
#include "regions/region_import.h"
#include "registers/columns.h"
#include "registers/field_cipher.h"
#include "registers/import.h"
#include "registers/model.h"
#include "registers/register.h"
#include "registers/rules.h"
#include "registers/test_fixture.h"
#include "registers/testing.h"
#include "store/testing.h"
#include "trace/trace.h"

namespace tongban::registers {
namespace {

using testing::MakeIdNumber;
using testing::Staff;

constexpr const char* kVillage = "431128001001";  // 新田县 双碧社区

Person SamplePerson(int sequence = 123) {
  Person p;
  p.id_number = MakeIdNumber("431128", "19800215", sequence);
  p.name = "张三";
  p.sex = sequence % 2 == 1 ? Sex::kMale : Sex::kFemale;
  p.birth_date = *Date::Parse("1980-02-15");
  p.household_region = kVillage;
  p.address = "新田县龙泉镇1号";
  p.phone = "13812345678";
  p.income_band = IncomeBand::kLow;
  p.assistance = Assistance::kMinimumLiving;
  p.disability = Disability{
      .certificate = p.id_number + "42", .category = DisabilityCategory::kPhysical, .level = 2};
  p.long_term_care = true;
  return p;
}

Date Today() { return *Date::Parse("2026-11-26"); }

TEST(Masks, KeepOnlyTheEnds) {
  EXPECT_EQ(MaskIdNumber("430111199001011234"), "4301**********1234");
  EXPECT_EQ(MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(MaskCertificate("43011119900101123442"), "4301**********123442");
}

TEST(ValidatePerson, AcceptsAConsistentPerson) {
  Person p = SamplePerson();
  FieldErrors errors;
  ValidatePerson(p, Today(), errors);
  EXPECT_TRUE(errors.empty()) << errors.ToError("x").ToString();
}

TEST(ValidatePerson, NamesEveryBadField) {
  Person p = SamplePerson();
  p.id_number[17] = p.id_number[17] == '0' ? '1' : '0';  // wrong check character
  p.phone = "12345";
  p.household_region = "43112";
  p.name = "";
  FieldErrors errors;
  ValidatePerson(p, Today(), errors);
  std::vector<std::string> fields;
  for (const auto& f : errors.fields()) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"id_number", "name", "household_region", "phone"}));

  Person q = SamplePerson();
  q.birth_date = *Date::Parse("1980-02-16");
  q.sex = Sex::kFemale;
  q.disability->level = 1;  // the certificate says 2
  FieldErrors e2;
  ValidatePerson(q, Today(), e2);
  ASSERT_EQ(e2.size(), 3u);
  EXPECT_EQ(e2.fields()[0].field, "birth_date");
  EXPECT_EQ(e2.fields()[1].field, "sex");
  EXPECT_EQ(e2.fields()[2].field, "disability.certificate");
}

TEST(ValidateEntity, ChecksTheUsccAndTheIndustry) {
  Entity e{.uscc = "91350100M000100Y43",
           .name = "某某餐饮有限公司",
           .type = EntityType::kCompany,
           .legal_representative = "李四",
           .industry = "H62",
           .size = EntitySize::kMicro,
           .registered_region = "431128"};
  FieldErrors ok;
  ValidateEntity(e, ok);
  EXPECT_TRUE(ok.empty()) << ok.ToError("x").ToString();
  e.uscc = "91350100M000100Y44";
  e.industry = "Z9";
  FieldErrors bad;
  ValidateEntity(e, bad);
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad.fields()[0].field, "uscc");
  EXPECT_EQ(bad.fields()[1].field, "industry");
}

TEST(FieldCipher, SealsOpensRotatesAndIndexes) {
  auto c1 = FieldCipher::Create(testing::FixedKeys());
  ASSERT_TRUE(c1.ok()) << c1.error().ToString();
  std::string sealed = c1->Seal("phone", "13812345678");
  EXPECT_TRUE(sealed.starts_with("k1:"));
  EXPECT_EQ(sealed.find("13812345678"), std::string::npos);
  EXPECT_EQ(*c1->Open("phone", sealed), "13812345678");
  EXPECT_FALSE(c1->Open("id_number", sealed).ok());  // bound to its field
  std::string relabelled = "k2" + sealed.substr(2);
  EXPECT_FALSE(c1->Open("phone", relabelled).ok());  // bound to its key id

  RegisterKeys rotated = testing::FixedKeys();
  rotated.current_key_id = "k2";
  auto c2 = FieldCipher::Create(rotated);
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ(*c2->Open("phone", sealed), "13812345678");  // old values still open
  EXPECT_TRUE(c2->Seal("phone", "x").starts_with("k2:"));
  EXPECT_EQ(c1->Index("phone", "13812345678"), c2->Index("phone", "13812345678"));
  EXPECT_EQ(c1->Index("phone", "13812345678").size(), 32u);
  EXPECT_NE(c1->Index("phone", "13812345678"), c1->Index("id_number", "13812345678"));

  RegisterKeys other = testing::FixedKeys();
  other.index_key = std::string(64, 'd');
  EXPECT_NE(FieldCipher::Create(other)->Index("phone", "1"), c1->Index("phone", "1"));

  RegisterKeys broken = testing::FixedKeys();
  broken.current_key_id = "k9";
  broken.index_key = "12";
  auto bad = FieldCipher::Create(broken);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields().size(), 2u);
}

TEST(RegisterKeys, ParsesTheKeyFileAndGeneratesFreshOnes) {
  auto keys = ParseRegisterKeys(GenerateRegisterKeysYaml());
  ASSERT_TRUE(keys.ok()) << keys.error().ToString();
  EXPECT_EQ(keys->current_key_id, "k1");
  EXPECT_TRUE(FieldCipher::Create(*keys).ok());
  EXPECT_FALSE(ParseRegisterKeys("current: k1\n").ok());
}

class RegistersContract : public testing::RegistersFixture {
 protected:
  std::vector<trace::Record> Events(const std::string& stream) {
    auto r = trace_->Read(stream, 0, 100);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<trace::Record>{};
  }

  people::Principal clerk_ = Staff("clerk", "431128", {"register.read", "register.write"});
  people::Principal officer_ = Staff("officer", "431128", {"register.read", "register.read_full"});
  people::Principal outsider_ =
      Staff("outsider", "430181", {"register.read", "register.read_full", "register.write"});
};

TEST_P(RegistersContract, StoresSensitiveFieldsSealedAndFindsThemByBlindIndex) {
  if (!registers_) return;
  Person in = SamplePerson();
  auto created = registers_->CreatePerson(clerk_, in);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_TRUE(created->masked);
  EXPECT_EQ(created->id_number, MaskIdNumber(in.id_number));
  EXPECT_EQ(created->phone, "138****5678");
  EXPECT_EQ(created->version, 1);

  // Nothing in the row holds the ID number or the phone number in clear.
  auto raw = db_->Transaction<std::string>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
        std::string a, b, c, d;
        sql << "SELECT id_number_sealed, phone_sealed, disability_certificate_sealed, "
               "id_number_index FROM person",
            soci::into(a), soci::into(b), soci::into(c), soci::into(d);
        return a + "|" + b + "|" + c + "|" + d;
      });
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->find(in.id_number), std::string::npos);
  EXPECT_EQ(raw->find(in.id_number.substr(6, 8)), std::string::npos);  // not even the birth date
  EXPECT_EQ(raw->find("13812345678"), std::string::npos);

  auto found = registers_->FindByIdNumber(clerk_, in.id_number);
  ASSERT_TRUE(found.ok());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, created->id);
  EXPECT_EQ((*found)[0].id_number, "4311**********" + in.id_number.substr(14));
  EXPECT_TRUE(registers_->FindByIdNumber(clerk_, MakeIdNumber("431128", "19800215", 125))->empty());

  auto again = registers_->CreatePerson(clerk_, in);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
}

TEST_P(RegistersContract, AFullReadNeedsThePermissionAndAPurposeAndIsTraced) {
  if (!registers_) return;
  Person in = SamplePerson();
  auto created = registers_->CreatePerson(clerk_, in);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  const std::string stream = "person/" + created->id;

  auto no_permission = registers_->ReadPersonFull(
      clerk_, created->id, {.code = "case_handling", .text = "受理低保申请核对身份"});
  ASSERT_FALSE(no_permission.ok());
  EXPECT_EQ(no_permission.error().code(), ErrorCode::kForbidden);

  auto no_purpose = registers_->ReadPersonFull(officer_, created->id, {});
  ASSERT_FALSE(no_purpose.ok());
  EXPECT_EQ(no_purpose.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(no_purpose.error().fields().size(), 2u);

  auto outside = registers_->ReadPersonFull(
      outsider_, created->id, {.code = "case_handling", .text = "异地办理核对身份信息"});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code(), ErrorCode::kForbidden);
  EXPECT_FALSE(registers_->GetPerson(outsider_, created->id).ok());
  EXPECT_FALSE(registers_->FindByIdNumber(outsider_, in.id_number).ok());

  auto full = registers_->ReadPersonFull(
      officer_, created->id, {.code = "proactive_grant", .text = "残疾人两项补贴免申即享核对"});
  ASSERT_TRUE(full.ok()) << full.error().ToString();
  EXPECT_FALSE(full->masked);
  EXPECT_EQ(full->id_number, in.id_number);
  EXPECT_EQ(full->phone, "13812345678");
  EXPECT_EQ(full->disability->certificate, in.id_number + "42");

  std::vector<std::string> actions;
  for (const auto& e : Events(stream)) {
    actions.push_back(e.actor + " " + e.action);
    EXPECT_EQ(e.payload.find(in.id_number), std::string::npos);
  }
  EXPECT_EQ(actions, (std::vector<std::string>{
                         "clerk register.person.created",
                         "clerk register.person.read_full_refused",
                         "officer register.person.read_full_refused",
                         "outsider register.person.read_full_refused",
                         "outsider register.person.read_refused",
                         "outsider register.person.read_refused",
                         "officer register.person.read_full",
                     }));
  EXPECT_NE(Events(stream).back().payload.find("残疾人两项补贴免申即享核对"), std::string::npos);
}

TEST_P(RegistersContract, ChangesKeepTheirHistoryAndVersion) {
  if (!registers_) return;
  auto spouse = registers_->CreatePerson(clerk_, SamplePerson(124));
  auto created = registers_->CreatePerson(clerk_, SamplePerson(123));
  ASSERT_TRUE(spouse.ok() && created.ok());
  clock_.Advance(std::chrono::hours(1));
  PersonPatch patch{.address = "新田县龙泉镇2号",
                    .phone = "13900001111",
                    .assistance = Assistance::kNone,
                    .family = std::vector<FamilyMember>{{Relation::kSpouse, spouse->id}}};
  auto changed = registers_->PatchPerson(clerk_, created->id, 1, patch);
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(changed->version, 2);
  EXPECT_EQ(changed->phone, "139****1111");
  ASSERT_EQ(changed->family.size(), 1u);

  auto stale = registers_->PatchPerson(clerk_, created->id, 1, patch);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code(), ErrorCode::kVersionMismatch);
  auto bad = registers_->PatchPerson(clerk_, created->id, 2, PersonPatch{.phone = "123"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields().at(0).field, "phone");
  EXPECT_EQ(registers_->PatchPerson(outsider_, created->id, 2, PersonPatch{.name = "李四"})
                .error()
                .code(),
            ErrorCode::kForbidden);

  auto history = registers_->PersonHistory(clerk_, created->id);
  ASSERT_TRUE(history.ok()) << history.error().ToString();
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].action, "created");
  const HistoryEntry& h = (*history)[1];
  EXPECT_EQ(h.version, 2);
  EXPECT_EQ(h.changed_by, "clerk");
  EXPECT_EQ(h.changed_at, "2026-11-25T17:00:00.000Z");
  EXPECT_NE(h.old_values.find("\"address\":\"新田县龙泉镇1号\""), std::string::npos);
  EXPECT_NE(h.old_values.find("\"assistance\":\"minimum_living\""), std::string::npos);
  EXPECT_NE(h.old_values.find("\"phone\":\"k1:"), std::string::npos);  // old value, sealed
  EXPECT_EQ(h.old_values.find("13812345678"), std::string::npos);
  EXPECT_NE(h.old_values.find("\"family\":[]"), std::string::npos);
  EXPECT_EQ(h.old_values.find("name"), std::string::npos);

  auto listed = registers_->ListPersons(clerk_, "431128", "", 10);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 2u);
  EXPECT_EQ(registers_->ListPersons(clerk_, "430181", "", 10).error().code(),
            ErrorCode::kForbidden);
}

TEST_P(RegistersContract, RefusesUnknownRegionsAndRelatives) {
  if (!registers_) return;
  Person p = SamplePerson();
  p.household_region = "431128001999";
  auto r = registers_->CreatePerson(clerk_, p);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().fields().at(0).field, "household_region");
  Person q = SamplePerson();
  q.family = {{Relation::kChild, "0192f3a4-5b6c-7d8e-9f01-23456789abcd"}};
  auto r2 = registers_->CreatePerson(clerk_, q);
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.error().fields().at(0).field, "family/0/person_id");
}

TEST_P(RegistersContract, RotationReSealsUnderTheCurrentKey) {
  if (!registers_) return;
  auto created = registers_->CreatePerson(clerk_, SamplePerson());
  ASSERT_TRUE(created.ok());
  RegisterKeys rotated = testing::FixedKeys();
  rotated.current_key_id = "k2";
  auto reg2 = Registers::Create(*db_, *FieldCipher::Create(rotated), *trace_, clock_);
  ASSERT_TRUE(reg2.ok());
  auto n = (*reg2)->RotatePersons("system");
  ASSERT_TRUE(n.ok()) << n.error().ToString();
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(*(*reg2)->RotatePersons("system"), 0);
  auto full = (*reg2)->ReadPersonFull(officer_, created->id,
                                      {.code = "verification", .text = "告知承诺事后核查"});
  ASSERT_TRUE(full.ok()) << full.error().ToString();
  EXPECT_EQ(full->phone, "13812345678");
  // The old key alone can no longer open the re-sealed values.
  RegisterKeys only_k1 = testing::FixedKeys();
  only_k1.sealing_keys.erase("k2");
  auto reg1 = Registers::Create(*db_, *FieldCipher::Create(only_k1), *trace_, clock_);
  EXPECT_EQ((*reg1)
                ->ReadPersonFull(officer_, created->id,
                                 {.code = "verification", .text = "告知承诺事后核查"})
                .error()
                .code(),
            ErrorCode::kIntegrity);
}

TEST_P(RegistersContract, EntitiesKeepHistoryToo) {
  if (!registers_) return;
  Entity e{.uscc = "91350100M000100Y43",
           .name = "某某餐饮有限公司",
           .type = EntityType::kCompany,
           .legal_representative = "李四",
           .industry = "H62",
           .size = EntitySize::kMicro,
           .registered_region = "431128"};
  auto created = registers_->CreateEntity(clerk_, e);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(registers_->CreateEntity(clerk_, e).error().code(), ErrorCode::kAlreadyExists);
  auto changed =
      registers_->PatchEntity(clerk_, e.uscc, 1, EntityPatch{.status = EntityStatus::kCancelled});
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(changed->version, 2);
  auto got = registers_->GetEntity(clerk_, "91350100m000100y43");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, EntityStatus::kCancelled);
  auto history = registers_->EntityHistory(clerk_, e.uscc);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[1].old_values, "{\"status\":\"active\"}");
  EXPECT_EQ(registers_->GetEntity(outsider_, e.uscc).error().code(), ErrorCode::kForbidden);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SplitCsvLine, HonoursQuotes) {
  EXPECT_EQ(SplitCsvLine("a,\"b,c\",\"d\"\"e\","),
            (std::vector<std::string>{"a", "b,c", "d\"e", ""}));
}

TEST_P(RegistersContract, ImportsGoodRowsReportsBadOnesAndResumes) {
  if (!registers_) return;
  const std::string dir = ::testing::TempDir();
  const std::string csv = dir + "/persons_" + std::string(store::BackendName(GetParam())) + ".csv";
  std::string text =
      "id_number,name,sex,birth_date,household_region,address,phone,income_band,assistance,"
      "disability_certificate,disability_category,disability_level,long_term_care\n";
  std::vector<std::string> good;
  for (int i = 0; i < 7; ++i) {
    std::string id = MakeIdNumber("431128", "19700101", 101 + 2 * i);  // men
    good.push_back(id);
    text +=
        fmt::format("{},人{},male,1970-01-01,{},\"新田县, {}号\",1381234{:04d},low,none,,,,false\n",
                    id, i, kVillage, i, i);
    if (i == 1) {  // line 4: wrong check character
      std::string bad = id.substr(0, 17) + (id[17] == '1' ? '2' : '1');
      text += fmt::format("{},坏,male,1970-01-01,{},,,,,,,,\n", bad, kVillage);
    }
    if (i == 3) {  // line 7: birth date and sex disagree; line 8: unknown region and enum
      text += fmt::format("{},坏,female,1970-01-02,{},,,,,,,,\n",
                          MakeIdNumber("431128", "19700101", 301), kVillage);
      text += fmt::format("{},坏,male,1970-01-01,431128001999,,,rich,,,,,\n",
                          MakeIdNumber("431128", "19700101", 303));
    }
  }
  text += fmt::format("{},重复,male,1970-01-01,{},,,,,,,,\n", good[0], kVillage);  // line 12
  {
    std::ofstream out(csv);
    out << text;
  }
  std::vector<int64_t> progress;
  ImportOptions options{.batch_size = 3,
                        .report_path = csv + ".report",
                        .progress = [&](const ImportProgress& p) { progress.push_back(p.lines); },
                        .stop_after_batches = 2};
  auto first = ImportCsv(*registers_, ImportKind::kPersons, csv, options);
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_FALSE(first->complete);
  // A batch holds 3 good rows: lines 2-5 (4 bad), then lines 6-10 (7, 8 bad).
  EXPECT_EQ(first->imported, 6);
  EXPECT_EQ(progress, (std::vector<int64_t>{4, 9}));

  auto refused = ImportCsv(*registers_, ImportKind::kPersons, csv, {.batch_size = 3});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);

  options.resume = Resume::kYes;
  options.stop_after_batches = 0;
  auto second = ImportCsv(*registers_, ImportKind::kPersons, csv, options);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  EXPECT_TRUE(second->resumed);
  EXPECT_TRUE(second->complete);
  EXPECT_EQ(second->job_id, first->job_id);
  EXPECT_EQ(second->lines, 11);
  EXPECT_EQ(second->imported, 7);
  EXPECT_EQ(second->rejected, 4);

  for (const auto& id : good) {
    auto found = registers_->FindByIdNumber(clerk_, id);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->size(), 1u) << id;
  }
  auto listed = registers_->ListPersons(clerk_, "431128", "", 100);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 7u);  // nothing twice
  EXPECT_EQ((*listed)[0].address.substr(0, 10), "新田县,");

  std::string report = ReadFile(csv + ".report");
  EXPECT_EQ(report.substr(0, report.find('\n')), "line,field,reason");
  EXPECT_NE(report.find("\n4,id_number,"), std::string::npos) << report;
  EXPECT_NE(report.find("\n7,birth_date,"), std::string::npos) << report;
  EXPECT_NE(report.find("\n7,sex,"), std::string::npos) << report;
  EXPECT_NE(report.find("\n8,income_band,unknown value 'rich'"), std::string::npos) << report;
  EXPECT_NE(report.find("\n12,id_number,already registered"), std::string::npos) << report;
  EXPECT_EQ(std::count(report.begin(), report.end(), '\n'), 6) << report;

  auto again = ImportCsv(*registers_, ImportKind::kPersons, csv, options);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  auto events = Events("import/" + second->job_id);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].action, "register.import.completed");
}

TEST_P(RegistersContract, ImportsEntitiesAndRefusesABadHeader) {
  if (!registers_) return;
  const std::string csv =
      ::testing::TempDir() + "/entities_" + std::string(store::BackendName(GetParam())) + ".csv";
  {
    std::ofstream out(csv);
    out << "uscc,name,type,legal_representative,industry,size,registered_region,status\n"
        << "91350100M000100Y43,某某餐饮有限公司,company,李四,H62,micro,431128,active\n"
        << "91350100M000100Y44,坏,company,李四,H62,micro,431128,active\n";
  }
  auto r = ImportCsv(*registers_, ImportKind::kEntities, csv, {});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->imported, 1);
  EXPECT_EQ(r->rejected, 1);
  EXPECT_TRUE(registers_->GetEntity(clerk_, "91350100M000100Y43").ok());
  auto wrong = ImportCsv(*registers_, ImportKind::kPersons, csv, {});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().fields().size(), 4u);  // id_number, sex, birth_date, household_region

  // A file that ends exactly with a full batch is still recorded as imported completely.
  const std::string exact = csv + ".exact.csv";
  {
    std::ofstream out(exact);
    out << "uscc,name,type,legal_representative,industry,size,registered_region,status\n"
        << "91431128MA4L0A019K,某某农产品有限公司,company,王五,A01,small,431128,active\n";
  }
  auto once = ImportCsv(*registers_, ImportKind::kEntities, exact, {.batch_size = 1});
  ASSERT_TRUE(once.ok()) << once.error().ToString();
  EXPECT_EQ(once->imported, 1);
  auto twice = ImportCsv(*registers_, ImportKind::kEntities, exact, {.batch_size = 1});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code(), ErrorCode::kConflict);
  EXPECT_NE(twice.error().message().find("imported completely"), std::string::npos)
      << twice.error().message();
}

TEST(AgeAt, CountsWholeYears) {
  EXPECT_EQ(AgeAt(*Date::Parse("1980-02-15"), *Date::Parse("2026-02-14")), 45);
  EXPECT_EQ(AgeAt(*Date::Parse("1980-02-15"), *Date::Parse("2026-02-15")), 46);
  EXPECT_EQ(AgeAt(*Date::Parse("2000-02-29"), *Date::Parse("2026-02-28")), 25);
  EXPECT_EQ(AgeAt(*Date::Parse("2000-02-29"), *Date::Parse("2026-03-01")), 26);
}

TEST(RegisterRules, TheTwoSubsidiesShipWithTheirLegalBasis) {
  auto rules = BuiltinRegisterRules();
  ASSERT_TRUE(rules.ok()) << rules.error().ToString();
  ASSERT_EQ(rules->size(), 2u);
  for (const auto& r : *rules) {
    EXPECT_NE(r.legal_basis.find("国发〔2015〕52号"), std::string::npos) << r.name;
    EXPECT_TRUE(feel::Compile(r.feel, PersonScope()).ok()) << r.feel;
  }
  EXPECT_FALSE(ParseRegisterRule("name: x\n").ok());
}

// The two subsidies over a small register: each rule selects exactly the persons the policy
// names, through the interpreter (one person at a time) and column-wise (the whole register).
TEST_P(RegistersContract, TheSubsidyRulesSelectExactlyTheEligible) {
  if (!registers_) return;
  struct Case {
    const char* label;
    Assistance assistance;
    std::optional<std::pair<DisabilityCategory, int>> disability;
    bool care;
    bool living;   // expected: 困难残疾人生活补贴
    bool nursing;  // expected: 重度残疾人护理补贴
  };
  using C = DisabilityCategory;
  const std::vector<Case> cases = {
      {"低保, level 2, care", Assistance::kMinimumLiving, {{C::kPhysical, 2}}, true, true, true},
      {"低保, level 4", Assistance::kMinimumLiving, {{C::kHearing, 4}}, false, true, false},
      {"低保, no certificate", Assistance::kMinimumLiving, std::nullopt, true, false, false},
      {"特困, level 3", Assistance::kExtremePoverty, {{C::kVisual, 3}}, false, false, false},
      {"level 1, care, not poor", Assistance::kNone, {{C::kIntellectual, 1}}, true, false, true},
      {"level 1, no care", Assistance::kNone, {{C::kMental, 1}}, false, false, false},
      {"level 3, care", Assistance::kNone, {{C::kMultiple, 3}}, true, false, false},
      {"nobody special", Assistance::kNone, std::nullopt, false, false, false},
  };
  std::map<std::string, std::string> label_of;
  std::vector<Person> persons;
  for (size_t i = 0; i < cases.size(); ++i) {
    Person p = SamplePerson(101 + 2 * static_cast<int>(i));
    p.assistance = cases[i].assistance;
    p.long_term_care = cases[i].care;
    p.disability.reset();
    if (cases[i].disability) {
      p.disability =
          Disability{.certificate = p.id_number +
                                    std::to_string(static_cast<int>(cases[i].disability->first)) +
                                    std::to_string(cases[i].disability->second),
                     .category = cases[i].disability->first,
                     .level = cases[i].disability->second};
    }
    auto created = registers_->CreatePerson(clerk_, p);
    ASSERT_TRUE(created.ok()) << cases[i].label << ": " << created.error().ToString();
    label_of[created->id] = cases[i].label;
    persons.push_back(*created);
  }
  // A dead person who would qualify for both is selected by neither.
  Person dead = SamplePerson(199);
  auto d = registers_->CreatePerson(clerk_, dead);
  ASSERT_TRUE(d.ok());
  auto died =
      registers_->PatchPerson(clerk_, d->id, 1, PersonPatch{.status = PersonStatus::kDeceased});
  ASSERT_TRUE(died.ok());
  label_of[d->id] = "deceased";
  persons.push_back(*died);

  const Date reference = *Date::Parse("2026-11-26");
  auto columns = LoadPersonColumns(*registers_, "431128", reference);
  ASSERT_TRUE(columns.ok()) << columns.error().ToString();
  ASSERT_EQ(columns->reg.rows(), persons.size());
  EXPECT_TRUE(LoadPersonColumns(*registers_, "430181", reference)->person_ids.empty());

  auto rules = BuiltinRegisterRules();
  ASSERT_TRUE(rules.ok());
  const feel::Scope scope = PersonScope();
  for (const auto& rule : *rules) {
    const bool living = rule.name == "disability_living_subsidy";
    std::set<std::string> expected;
    for (size_t i = 0; i < cases.size(); ++i) {
      if (living ? cases[i].living : cases[i].nursing) expected.insert(cases[i].label);
    }
    auto program = feel::Compile(rule.feel, scope);
    ASSERT_TRUE(program.ok());
    std::set<std::string> interpreted;
    for (const auto& p : persons) {
      feel::Value v = program->Evaluate(PersonBindings(scope, p, reference)).value;
      if (v == feel::Value::Boolean(true)) interpreted.insert(label_of[p.id]);
    }
    EXPECT_EQ(interpreted, expected) << rule.name;

    auto columnar = feel::CompileColumnar(rule.feel, columns->reg);
    ASSERT_TRUE(columnar.ok()) << columnar.error().ToString();
    EXPECT_EQ(columnar->fallback_reason(), "") << rule.name;
    std::set<std::string> selected;
    for (uint32_t row : columnar->Select(2)) selected.insert(label_of[columns->person_ids[row]]);
    EXPECT_EQ(selected, expected) << rule.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, RegistersContract,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::registers
