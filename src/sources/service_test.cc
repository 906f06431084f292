// Material sources and jurisdiction on both backends: each source resolved at submission and
// recorded with the case (fetch with 授权用证, reuse, certificate request answered by a village
// committee, commitment, upload), the report of materials no longer carried, the jurisdiction
// rule directing an application to the competent region (never refusing it), and the
// applications the registers contradict stopped with the reason.
#include "sources/service.h"

#include "sources/auto_decision.h"
#include "sources/case_licences.h"
#include "sources/figures.h"
#include "sources/library.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "catalog/validate.h"
#include "keys/key_store.h"
#include "people/clock.h"
#include "people/sms.h"
#include "regions/region_import.h"
#include "registers/forms.h"
#include "registers/testing.h"
#include "store/testing.h"

namespace tongban {
extern const EmbeddedFile kSourcesTestCatalog[];
extern const size_t kSourcesTestCatalog_count;
}  // namespace tongban

namespace tongban::sources {
namespace {

using cases::Channel;
using cases::MaterialOrigin;
using cases::MaterialState;
using people::Principal;
using registers::testing::MakeIdNumber;

constexpr char kBenefit[] = "13431128MB170873XW000131006000001";
constexpr char kBenefitLiuyang[] = "13430181MB1721731E000131006000001";
constexpr char kProperty[] = "11431128MB17077618000100900000001";
constexpr char kCardIssue[] = "13431128MB170873XW000131002000001";  // 残疾人证核发
constexpr char kPdf[] = "%PDF-1.4 户口簿";

// 2026-11-26 (a Thursday) 09:00 China Standard Time.
Timestamp T0() { return StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9); }

std::string ReadSource(const std::string& relative) {
  const char* root = std::getenv("TONGBAN_SOURCE_DIR");
  std::ifstream in(std::string(root ? root : ".") + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Principal Staff(std::string id, std::string region, std::string department,
                std::vector<std::string> perms) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  p.account.name = "工作人员";
  people::HeldGrant g;
  g.grant.id = p.account.id + "@" + region;
  g.grant.role = "staff";
  g.grant.scope.region = std::move(region);
  g.grant.scope.department = std::move(department);
  std::sort(perms.begin(), perms.end());
  g.permissions = std::move(perms);
  p.grants.push_back(std::move(g));
  return p;
}

Principal Citizen(std::string id, std::string id_number) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kCitizen;
  p.account.id_number = std::move(id_number);
  p.account.name = "申请人";
  people::HeldGrant g;
  g.grant.id = "applicant";
  g.grant.role = "applicant";
  g.permissions = {"case.apply", "case.read_own"};
  p.grants.push_back(std::move(g));
  return p;
}

class SourcesTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*catalog::CatalogMigrations());
    sets.push_back(*cases::CaseMigrations());
    sets.push_back(keys::KeysMigrations());
    sets.push_back(licences::LicencesMigrations());
    sets.push_back(*registers::Migrations());
    sets.push_back(*Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    auto migrated = db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    people::PeopleOptions po;
    po.password = people::PasswordOptions::Cheap();
    people_ = *people::PeopleService::Create(*db_, sms_, clock_, po);
    ASSERT_TRUE(people_->SeedRoles().ok());
    catalog_ = *catalog::CatalogService::Create(*db_, {.clock = &clock_, .observer = nullptr});
    auto imported =
        catalog_->ImportYaml(std::string(kSourcesTestCatalog[0].contents), {.publish = true});
    ASSERT_TRUE(imported.ok()) << imported.error().ToString();
    trace_ = std::make_unique<trace::Trace>(
        *db_, trace::Trace::Options{.now =
                                        [this] {
                                          return std::chrono::system_clock::time_point(
                                              clock_.Now().time_since_epoch());
                                        },
                                    .signing_key = std::nullopt});
    dir_ = ::testing::TempDir() + "/sources-" + std::to_string(::getpid()) + "-" +
           std::string(store::BackendName(GetParam()));
    // One key store for the case documents and the licences: a department has one e-seal.
    keys_ = std::make_unique<keys::KeyStore>(*db_, ring_, clock_);
    cases_ = *cases::CaseService::Create(*db_, *catalog_, *people_, *trace_,
                                         {.clock = &clock_, .data_dir = dir_, .keys = keys_.get()});
    auto lookup = [this](const std::string& code) -> Result<licences::IssuerDepartment> {
      TB_ASSIGN_OR_RETURN(auto departments, catalog_->ListDepartments());
      for (const auto& d : departments) {
        if (d.code == code) return licences::IssuerDepartment{d.code, d.name, d.uscc, d.region};
      }
      return Error(ErrorCode::kNotFound, "no department " + code);
    };
    licences_ = std::make_unique<licences::LicenceService>(*db_, *keys_, *trace_, clock_, lookup);
    auto types = licences::ParseLicenceTypesYaml(ReadSource("data/demo/licence_types.yaml"));
    ASSERT_TRUE(types.ok()) << types.error().ToString();
    ASSERT_TRUE(licences_->PutTypes(*types).ok());
    registers_ = *registers::Registers::Create(
        *db_, *registers::FieldCipher::Create(registers::testing::FixedKeys()), *trace_, clock_);
    auto sources = SourceService::Create(*db_, *catalog_, *cases_, *licences_, *registers_, *trace_,
                                         {.clock = &clock_});
    ASSERT_TRUE(sources.ok()) << sources.error().ToString();
    sources_ = std::move(sources).value();
    cases_->SetSubmissionHook(sources_.get());
    auto library = MaterialsLibrary::Create(*db_, nullptr, &clock_);
    ASSERT_TRUE(library.ok()) << library.error().ToString();
    library_ = std::move(library).value();
    cases_->SetObserver(library_.get());

    // 张三 of 龙珠村 (新田县), holding a disability certificate; 李四 of 浏阳市.
    zhang_id_ = MakeIdNumber("431128", "19800215", 123);
    li_id_ = MakeIdNumber("430181", "19750301", 135);
    ASSERT_TRUE(Register(zhang_id_, "张三", "431128101200").ok());
    ASSERT_TRUE(Register(li_id_, "李四", "430181").ok());
    auto card = licences_->Issue({.type_code = "11100000000013338W014",
                                  .holder_id = zhang_id_,
                                  .holder_name = "张三",
                                  .issuer = "431128-cl",
                                  .data = {{"category", "肢体"}, {"level", 2}, {"sex", "男"}},
                                  .valid_from = std::nullopt,
                                  .case_id = "",
                                  .actor = "clerk"});
    ASSERT_TRUE(card.ok()) << card.error().ToString();
    card_id_ = card->id;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<registers::Person> Register(const std::string& id, const std::string& name,
                                     const std::string& region) {
    registers::Person p;
    p.id_number = id;
    p.name = name;
    p.sex = Sex::kMale;
    p.birth_date = *Date::Parse(id.substr(6, 4) + "-" + id.substr(10, 2) + "-" + id.substr(12, 2));
    p.household_region = region;
    p.address = "住址";
    return registers_->CreatePerson(registrar_, p);
  }

  cases::SubmitRequest Apply(std::string matter = kBenefit) {
    cases::SubmitRequest r;
    r.matter = std::move(matter);
    r.channel = Channel::kOnline;
    return r;
  }

  const cases::CaseMaterial& MaterialOf(const cases::Case& c, std::string_view name) {
    for (const auto& m : c.materials) {
      if (m.name == name) return m;
    }
    static const cases::CaseMaterial kNone;
    ADD_FAILURE() << "no material " << name;
    return kNone;
  }
  const ResolvedMaterial& SourceOf(const CaseSources& s, std::string_view name) {
    for (const auto& m : s.materials) {
      if (m.name == name) return m;
    }
    static const ResolvedMaterial kNone;
    ADD_FAILURE() << "no source of " << name;
    return kNone;
  }

  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  FakeClock clock_{T0()};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::string dir_;
  keys::MasterKeyRing ring_ = keys::MasterKeyRing::Generate("m1").value();
  std::unique_ptr<keys::KeyStore> keys_;  // the case documents' and licences': outlives cases_
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<licences::LicenceService> licences_;
  std::unique_ptr<registers::Registers> registers_;
  std::unique_ptr<SourceService> sources_;
  std::unique_ptr<MaterialsLibrary> library_;
  Principal registrar_ = Staff("registrar", "*", "*", {"register.write", "register.read"});
  std::string zhang_id_, li_id_, card_id_;
};

TEST_P(SourcesTest, EachMaterialComesFromItsSourceAndTheCaseRecordsIt) {
  if (!db_) GTEST_SKIP() << "backend not available";
  const Principal zhang = Citizen("acct-zhang", zhang_id_);
  // An earlier case in which 张三 uploaded his 户口簿: the materials library.
  auto first = cases_->Submit(zhang, Apply());
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  ASSERT_TRUE(cases_
                  ->SupplyMaterial(zhang, first->record.number, 1, MaterialOrigin::kUploaded, kPdf,
                                   "hukou.pdf", "")
                  .ok());
  // Without 授权用证 the e-licence is not fetched.
  EXPECT_EQ(SourceOf(*sources_->Get(zhang, first->record.number), "残疾人证").source,
            Source::kApplicant);
  EXPECT_EQ(MaterialOf(first->record, "残疾人证").state, MaterialState::kMissing);

  clock_.Advance(std::chrono::hours(24));
  cases::SubmitRequest r = Apply();
  r.authorised_licences = {"残疾人证"};
  auto second = cases_->Submit(zhang, r);
  ASSERT_TRUE(second.ok()) << second.error().ToString();
  const cases::Case& c = second->record;
  // 调用: fetched from the licence register.
  EXPECT_EQ(MaterialOf(c, "残疾人证").state, MaterialState::kProvided);
  EXPECT_EQ(MaterialOf(c, "残疾人证").origin, MaterialOrigin::kLicence);
  EXPECT_EQ(MaterialOf(c, "残疾人证").reference, card_id_);
  // 复用: the earlier file, readable from this case.
  EXPECT_EQ(MaterialOf(c, "户口簿").origin, MaterialOrigin::kReuse);
  EXPECT_EQ(MaterialOf(c, "户口簿").reference, first->record.number + "/1");
  EXPECT_EQ(*cases_->MaterialContent(zhang, c.number, 1), kPdf);
  // 告知承诺.
  EXPECT_EQ(MaterialOf(c, "收入情况说明").state, MaterialState::kProofWaived);
  // 在线开具: missing until the issuer answers.
  EXPECT_EQ(MaterialOf(c, "无犯罪记录证明").state, MaterialState::kMissing);
  EXPECT_EQ(MaterialOf(c, "居住证明").state, MaterialState::kMissing);

  auto s = sources_->Get(zhang, c.number);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(s->authorised_licences, std::vector<std::string>{"残疾人证"});
  EXPECT_EQ(s->jurisdiction.outcome, JurisdictionOutcome::kCompetent);
  EXPECT_EQ(SourceOf(*s, "残疾人证").source, Source::kLicence);
  EXPECT_EQ(SourceOf(*s, "户口簿").source, Source::kReuse);
  EXPECT_EQ(SourceOf(*s, "无犯罪记录证明").source, Source::kCertificateRequest);
  EXPECT_EQ(SourceOf(*s, "居住证明").source, Source::kCertificateRequest);
  EXPECT_EQ(SourceOf(*s, "收入情况说明").source, Source::kCommitment);
  EXPECT_EQ(SourceOf(*s, "近期照片").source, Source::kApplicant);
  // A conditional material is requested only when its condition holds over the form.
  EXPECT_EQ(SourceOf(*s, "代办人无犯罪记录证明").source, Source::kApplicant);
  auto by_agent = sources_->Resolve(zhang, {.matter = kBenefit, .form = {{"by_agent", "true"}}});
  ASSERT_TRUE(by_agent.ok()) << by_agent.error().ToString();
  EXPECT_EQ(by_agent->materials.back().name, "代办人无犯罪记录证明");
  EXPECT_EQ(by_agent->materials.back().source, Source::kCertificateRequest);
  ASSERT_EQ(s->requests.size(), 2u);
  // The police of the applicant's county and the applicant's village committee.
  EXPECT_EQ(s->requests[0].department, "431128-gaj");
  EXPECT_EQ(s->requests[1].department, "431128101200-cwh");
  EXPECT_EQ(s->requests[1].certificate, "ZM-2");
  // The time limit: the installation's 3 working days after Fri 27th for the police; the
  // catalog's 5 (request_days) for the village committee's residence certificate.
  EXPECT_EQ(s->requests[0].due_on.ToString(), "2026-12-02");
  EXPECT_EQ(s->requests[1].due_on.ToString(), "2026-12-04");

  // The village committee's inbox; nobody else's grant reaches it.
  const Principal committee =
      Staff("cwh-1", "431128101200", "431128101200-cwh", {"certificate.issue"});
  const Principal police = Staff("gaj-1", "431128", "431128-gaj", {"certificate.issue"});
  EXPECT_EQ(sources_->Inbox(police, "431128101200-cwh", 10).error().code(), ErrorCode::kForbidden);
  auto inbox = sources_->Inbox(committee, "431128101200-cwh", 10);
  ASSERT_TRUE(inbox.ok()) << inbox.error().ToString();
  ASSERT_EQ(inbox->size(), 2u);  // the first case asked too
  const CertificateRequest& mine = (*inbox)[0].case_number == c.number ? (*inbox)[0] : (*inbox)[1];
  EXPECT_EQ(mine.case_number, c.number);
  EXPECT_EQ(sources_->Answer(police, mine.id, {{"address", "龙珠村"}}).error().code(),
            ErrorCode::kForbidden);
  // A bad answer (a field the type lacks) issues nothing.
  EXPECT_EQ(sources_->Answer(committee, mine.id, {{"colour", "red"}}).error().code(),
            ErrorCode::kInvalidArgument);
  auto answered = sources_->Answer(committee, mine.id, {{"address", "新田县金陵镇龙珠村"}});
  ASSERT_TRUE(answered.ok()) << answered.error().ToString();
  EXPECT_EQ(answered->state, RequestState::kAnswered);
  EXPECT_EQ(sources_->Answer(committee, mine.id, {{"address", "x"}}).error().code(),
            ErrorCode::kConflict);
  EXPECT_EQ(sources_->Inbox(committee, "431128101200-cwh", 10)->size(), 1u);
  // The sealed e-certificate landed in the case and verifies.
  auto after = cases_->Get(zhang, c.number);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(MaterialOf(*after, "居住证明").state, MaterialState::kProvided);
  EXPECT_EQ(MaterialOf(*after, "居住证明").reference, answered->licence_id);
  auto verified = licences_->VerifyById(answered->licence_id);
  ASSERT_TRUE(verified.ok());
  EXPECT_TRUE(verified->valid()) << verified->reason;
  EXPECT_EQ(verified->licence->holder_id, zhang_id_);
  EXPECT_EQ(verified->licence->issuer.code, "431128101200-cwh");
  // The police refuse theirs: the material falls back to the applicant.
  auto refused = sources_->Refuse(police, s->requests[0].id, "申请人户籍不在本县");
  ASSERT_TRUE(refused.ok()) << refused.error().ToString();
  auto s2 = sources_->Get(zhang, c.number);
  EXPECT_EQ(SourceOf(*s2, "无犯罪记录证明").source, Source::kApplicant);
  EXPECT_EQ(SourceOf(*s2, "居住证明").reference, answered->licence_id);

  // The report: required materials by source, and how many were not carried.
  auto report = sources_->Report({});
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  ASSERT_EQ(report->matters.size(), 1u);
  const SourceCounts& m = report->matters[0];
  EXPECT_EQ(m.matter, kBenefit);
  EXPECT_EQ(m.matter_name, "困难残疾人生活补贴和重度残疾人护理补贴");
  EXPECT_EQ(m.cases, 2);
  EXPECT_EQ(m.required, 10);  // 5 required materials in each of the two cases
  // First case: 残疾人证 and 户口簿 by the applicant, two requests, a commitment. Second: a
  // fetch, a reuse, a commitment, an answered request, a refused one (now the applicant's).
  EXPECT_EQ(m.by_source.at("applicant"), 3);
  EXPECT_EQ(m.by_source.at("licence"), 1);
  EXPECT_EQ(m.by_source.at("reuse"), 1);
  EXPECT_EQ(m.by_source.at("certificate_request"), 3);
  EXPECT_EQ(m.by_source.at("commitment"), 2);
  EXPECT_EQ(m.not_carried, 7);
  EXPECT_EQ(report->total.not_carried, 7);
  EXPECT_EQ(report->total.required, 10);
  // The catalog: 4 matters, 5 + 2 + (1 + 1) + 2 required materials, 4 of them fetched.
  EXPECT_EQ(report->catalog.cases, 4);
  EXPECT_EQ(report->catalog.required, 11);
  EXPECT_EQ(report->catalog.by_source.at("licence"), 4);
  EXPECT_EQ(report->catalog.not_carried, 8);
  // The same figures in the KPI report (kpi::FigureProvider).
  SourceFigures figures(db_->backend());
  auto kpi_figures =
      db_->Transaction<std::vector<kpi::Figure>>(store::TxKind::kRead, [&](soci::session& sql) {
        return figures.Figures(
            sql, {.from = *Date::Parse("2026-11-01"), .to = *Date::Parse("2026-11-30")});
      });
  ASSERT_TRUE(kpi_figures.ok()) << kpi_figures.error().ToString();
  ASSERT_FALSE(kpi_figures->empty());
  EXPECT_EQ((*kpi_figures)[0].name, "materials_not_carried_rate");
  EXPECT_EQ((*kpi_figures)[0].numerator, 7);
  EXPECT_EQ((*kpi_figures)[0].denominator, 10);
  // Scoped: another region's report is empty; report.read is needed.
  EXPECT_TRUE(sources_->Report({.region = "430181"})->matters.empty());
  EXPECT_EQ(sources_->Report(zhang, {}).error().code(), ErrorCode::kForbidden);
}

// The licence types and the certificates a submission reads are kept in memory: a change
// committed through the services of this process is seen by the next submission, one another
// process makes over the same database within 5 s.
TEST_P(SourcesTest, LicenceTypeAndCertificateChangesAreSeenByTheNextSubmission) {
  if (!db_) GTEST_SKIP() << "backend not available";
  const Principal zhang = Citizen("acct-zhang", zhang_id_);
  const auto police_request = [&]() -> ResolvedMaterial {
    auto s = sources_->Resolve(zhang, {.matter = kBenefit});
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    if (!s.ok()) return {};
    for (const ResolvedMaterial& m : s->materials) {
      if (m.name == "无犯罪记录证明") return m;
    }
    ADD_FAILURE() << "no 无犯罪记录证明";
    return {};
  };
  EXPECT_EQ(police_request().reference, "431128-gaj");
  // The county's police no longer issue it: 浏阳市's do.
  auto type = licences_->GetType("11100000000013338W015");
  ASSERT_TRUE(type.ok()) << type.error().ToString();
  type->issuers = {"430181-gaj"};
  ASSERT_TRUE(licences_->PutTypes({*type}).ok());
  EXPECT_EQ(police_request().reference, "430181-gaj");

  // Another process's change: written to the table directly, seen once the 5 s have passed.
  type->issuers = {"431128-gaj"};
  const std::string definition = licences::LicenceTypeToJson(*type).dump();
  ASSERT_TRUE(db_->Transaction(store::TxKind::kWrite,
                               [&](soci::session& sql) -> Status {
                                 sql << "UPDATE licence_type SET definition = :d WHERE code = :c",
                                     soci::use(definition, "d"), soci::use(type->code, "c");
                                 return Ok();
                               })
                  .ok());
  EXPECT_EQ(police_request().reference, "430181-gaj");
  clock_.Advance(std::chrono::seconds(5));
  EXPECT_EQ(police_request().reference, "431128-gaj");

  // An import that takes the e-licence off the certificate: no longer requested online.
  std::string catalog(kSourcesTestCatalog[0].contents);
  const std::string with_type = ", licence_type: 无犯罪记录证明}";
  ASSERT_NE(catalog.find(with_type), std::string::npos);
  catalog.replace(catalog.find(with_type), with_type.size(), "}");
  auto imported = catalog_->ImportYaml(catalog, {.publish = true});
  ASSERT_TRUE(imported.ok()) << imported.error().ToString();
  EXPECT_EQ(police_request().source, Source::kApplicant);
}

TEST_P(SourcesTest, TheReusePeriodIsTheMaterialsElseTheInstallations) {
  if (!db_) GTEST_SKIP() << "backend not available";
  const Principal zhang = Citizen("acct-zhang", zhang_id_);
  auto first = cases_->Submit(zhang, Apply());
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  for (int index : {1, 5}) {  // 户口簿 (reuse_days: 400 in the catalog) and 近期照片 (unset)
    ASSERT_TRUE(cases_
                    ->SupplyMaterial(zhang, first->record.number, index, MaterialOrigin::kUploaded,
                                     kPdf, "f.pdf", "")
                    .ok());
  }
  // An installation configured to reuse uploads for 10 days.
  auto short_lived = SourceService::Create(*db_, *catalog_, *cases_, *licences_, *registers_,
                                           *trace_, {.clock = &clock_, .reuse_days = 10});
  ASSERT_TRUE(short_lived.ok()) << short_lived.error().ToString();
  const auto source = [&](SourceService& s, std::string_view name) {
    auto r = s.Resolve(zhang, {.matter = kBenefit});
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    for (const auto& m : r->materials) {
      if (m.name == name) return m.source;
    }
    ADD_FAILURE() << "no material " << name;
    return Source::kWaived;
  };
  clock_.Advance(std::chrono::hours(24 * 9));
  EXPECT_EQ(source(**short_lived, "近期照片"), Source::kReuse);
  EXPECT_EQ(source(**short_lived, "户口簿"), Source::kReuse);
  clock_.Advance(std::chrono::hours(24 * 2));  // 11 days after the upload
  EXPECT_EQ(source(**short_lived, "近期照片"), Source::kApplicant);
  EXPECT_EQ(source(**short_lived, "户口簿"), Source::kReuse);  // the catalog's 400 days
  EXPECT_EQ(source(*sources_, "近期照片"), Source::kReuse);    // the default 365 days
  clock_.Advance(std::chrono::hours(24 * 390));                // 401 days after
  EXPECT_EQ(source(*sources_, "户口簿"), Source::kApplicant);
  // Bad installation values are refused when the service is made.
  EXPECT_EQ(SourceService::Create(*db_, *catalog_, *cases_, *licences_, *registers_, *trace_,
                                  {.clock = &clock_, .request_days = 0})
                .error()
                .code(),
            ErrorCode::kInvalidArgument);
}

TEST_P(SourcesTest, TheLibraryIsOneIndexReadAndForgetsWithdrawnCases) {
  if (!db_) GTEST_SKIP() << "backend not available";
  const Principal zhang = Citizen("acct-zhang", zhang_id_);
  auto first = cases_->Submit(zhang, Apply());
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  ASSERT_TRUE(cases_
                  ->SupplyMaterial(zhang, first->record.number, 1, MaterialOrigin::kUploaded, kPdf,
                                   "hukou.pdf", "")
                  .ok());
  const auto hukou = [&] {
    auto r = sources_->Resolve(zhang, {.matter = kBenefit});
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    for (const auto& m : r->materials) {
      if (m.name == "户口簿") return m;
    }
    return ResolvedMaterial{};
  };
  EXPECT_EQ(hukou().source, Source::kReuse);
  EXPECT_EQ(hukou().reference, first->record.number + "/1");
  EXPECT_EQ(hukou().file_name, "hukou.pdf");
  // Someone else's upload is never reused for 张三; a withdrawn case's files leave the library.
  const Principal li = Citizen("acct-li", li_id_);
  auto for_li = sources_->Resolve(li, {.matter = kBenefitLiuyang});
  ASSERT_TRUE(for_li.ok()) << for_li.error().ToString();
  for (const auto& m : for_li->materials) EXPECT_NE(m.source, Source::kReuse) << m.name;
  const Principal committee =
      Staff("cwh-1", "431128101200", "431128101200-cwh", {"certificate.issue"});
  ASSERT_EQ(sources_->Inbox(committee, "431128101200-cwh", 10)->size(), 1u);
  clock_.Advance(std::chrono::hours(1));
  ASSERT_TRUE(cases_->Withdraw(zhang, first->record.number, {}).ok());
  EXPECT_EQ(hukou().source, Source::kApplicant);
  // The withdrawn case's certificate requests leave the issuers' inboxes, dated and explained.
  EXPECT_TRUE(sources_->Inbox(committee, "431128101200-cwh", 10)->empty());
  auto ended = sources_->Get(zhang, first->record.number);
  ASSERT_TRUE(ended.ok()) << ended.error().ToString();
  ASSERT_EQ(ended->requests.size(), 2u);
  for (const CertificateRequest& r : ended->requests) {
    EXPECT_EQ(r.state, RequestState::kCancelled) << r.department;
    EXPECT_FALSE(r.overdue);
    EXPECT_EQ(r.reason, "办件已结束，无需开具");
  }
  // The lookup reads the index, never the table or the cases.
  auto plan = library_->ExplainLookup();
  ASSERT_TRUE(plan.ok()) << plan.error().ToString();
  std::string text;
  for (const auto& line : *plan) text += line + "\n";
  EXPECT_NE(text.find("material_library_lookup"), std::string::npos) << text;
  EXPECT_EQ(text.find("case_material"), std::string::npos) << text;
}

TEST_P(SourcesTest, AnApplicationOutsideTheRuleGoesToTheCompetentRegion) {
  if (!db_) GTEST_SKIP() << "backend not available";
  // 李四 of 浏阳市 applies for 新田县's matter online: directed to 浏阳市's, not refused.
  const Principal li = Citizen("acct-li", li_id_);
  auto preview = sources_->Resolve(li, {.matter = kBenefit});
  ASSERT_TRUE(preview.ok()) << preview.error().ToString();
  EXPECT_EQ(preview->jurisdiction.outcome, JurisdictionOutcome::kRedirected);
  EXPECT_EQ(preview->jurisdiction.competent_matter, kBenefitLiuyang);
  EXPECT_EQ(preview->jurisdiction.competent_department, "430181-cl");
  ASSERT_EQ(preview->materials.size(), 2u);  // the competent matter's materials
  auto c = cases_->Submit(li, Apply());
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->record.matter, kBenefitLiuyang);
  EXPECT_EQ(c->record.region, "430181");
  auto s = sources_->Get(li, c->record.number);
  EXPECT_EQ(s->jurisdiction.requested_matter, kBenefit);
  EXPECT_EQ(s->jurisdiction.outcome, JurisdictionOutcome::kRedirected);

  // A 新田县 clerk at the "wrong" window, without grants in 浏阳市: received here for 浏阳市
  // (跨域代收), not refused.
  const Principal clerk = Staff("clerk-xt", "431128", "*", {"case.assist", "case.read"});
  cases::SubmitRequest r = Apply();
  r.channel = Channel::kWindow;
  r.applicant_code = li_id_;
  r.applicant_name = "李四";
  auto at_window = cases_->Submit(clerk, r);
  ASSERT_TRUE(at_window.ok()) << at_window.error().ToString();
  EXPECT_EQ(at_window->record.matter, kBenefit);
  auto ws = sources_->Get(clerk, at_window->record.number);
  ASSERT_TRUE(ws.ok()) << ws.error().ToString();
  EXPECT_EQ(ws->jurisdiction.outcome, JurisdictionOutcome::kCrossRegion);
  EXPECT_EQ(ws->jurisdiction.competent_matter, kBenefitLiuyang);

  // Property location, not household: 李四 querying a 新田县 property is competent there.
  auto here =
      sources_->Resolve(li, {.matter = kProperty, .form = {{"property_region", "431128101200"}}});
  ASSERT_TRUE(here.ok()) << here.error().ToString();
  EXPECT_EQ(here->jurisdiction.outcome, JurisdictionOutcome::kCompetent);
  auto elsewhere =
      sources_->Resolve(li, {.matter = kProperty, .form = {{"property_region", "430181"}}});
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_EQ(elsewhere->jurisdiction.outcome, JurisdictionOutcome::kCrossRegion);
  // An applicant the register does not know: undetermined, handled here.
  const Principal stranger = Citizen("acct-x", MakeIdNumber("431128", "19900101", 111));
  auto unknown = sources_->Resolve(stranger, {.matter = kBenefit});
  ASSERT_TRUE(unknown.ok()) << unknown.error().ToString();
  EXPECT_EQ(unknown->jurisdiction.outcome, JurisdictionOutcome::kUndetermined);
}

// A person's e-licence in an enterprise's application (法定代表人居民身份证) is its legal
// representative's: fetched, with 授权用证, when the representative applies himself; never
// lent by an agent, neither fetched nor accepted when declared.
TEST_P(SourcesTest, AnEnterprisesRepresentativeLendsHisOwnLicenceAndNoAgentCan) {
  if (!db_) GTEST_SKIP() << "backend not available";
  constexpr char kUscc[] = "91431128MA4L0A019K";
  auto id_card = licences_->Issue({.type_code = "11100000000013338W019",
                                   .holder_id = zhang_id_,
                                   .holder_name = "张三",
                                   .issuer = "431128-gaj",
                                   .data = {{"name", "张三"},
                                            {"sex", "男"},
                                            {"birth_date", "1980-02-15"},
                                            {"address", "新田县金陵镇龙珠村"}},
                                   .valid_from = std::nullopt,
                                   .case_id = "",
                                   .actor = "clerk"});
  ASSERT_TRUE(id_card.ok()) << id_card.error().ToString();
  ASSERT_TRUE(people_->RequestSmsCode({.phone = "13800000031"}).ok());
  auto rep_account = people_->RegisterCitizen({.id_number = zhang_id_,
                                               .name = "张三",
                                               .phone = "13800000031",
                                               .code = *sms_.LatestCode("13800000031")});
  ASSERT_TRUE(rep_account.ok()) << rep_account.error().ToString();
  Principal rep = Citizen(rep_account->id, zhang_id_);
  ASSERT_TRUE(people_
                  ->RegisterEnterprise(rep, {.uscc = kUscc,
                                             .name = "新田县富硒农产品有限公司",
                                             .legal_representative = rep_account->id})
                  .ok());
  rep.agencies.push_back({.uscc = kUscc,
                          .enterprise_name = "新田县富硒农产品有限公司",
                          .relation = people::EnterpriseRelation::kLegalRepresentative});
  Principal agent = Citizen("acct-li", li_id_);
  agent.agencies.push_back({.uscc = kUscc,
                            .enterprise_name = "新田县富硒农产品有限公司",
                            .relation = people::EnterpriseRelation::kAgent});
  const auto apply = [&] {
    cases::SubmitRequest r = Apply(kProperty);
    r.scenario = "enterprise";
    r.applicant_kind = cases::ApplicantKind::kEnterprise;
    r.applicant_code = kUscc;
    r.form = {{"property_region", "431128101200"}};
    r.authorised_licences = {"居民身份证"};
    return r;
  };
  auto by_rep = cases_->Submit(rep, apply());
  ASSERT_TRUE(by_rep.ok()) << by_rep.error().ToString();
  const cases::CaseMaterial& fetched = MaterialOf(by_rep->record, "法定代表人居民身份证");
  EXPECT_EQ(fetched.state, MaterialState::kProvided);
  EXPECT_EQ(fetched.origin, MaterialOrigin::kLicence);
  EXPECT_EQ(fetched.reference, id_card->id);
  auto stands = sources_->UnverifiedLicences(by_rep->record);
  ASSERT_TRUE(stands.ok()) << stands.error().ToString();
  EXPECT_TRUE(stands->empty());
  // An agent's application: the representative's licence is not the agent's to lend.
  auto by_agent = cases_->Submit(agent, apply());
  ASSERT_TRUE(by_agent.ok()) << by_agent.error().ToString();
  EXPECT_EQ(MaterialOf(by_agent->record, "法定代表人居民身份证").state, MaterialState::kMissing);
  cases::SubmitRequest declared = apply();
  declared.materials = {{.name = "法定代表人居民身份证",
                         .state = MaterialState::kProvided,
                         .origin = MaterialOrigin::kLicence,
                         .reference = id_card->id}};
  auto lent = cases_->Submit(agent, declared);
  ASSERT_FALSE(lent.ok());
  EXPECT_EQ(lent.error().code(), ErrorCode::kRefused);
  auto own = cases_->Submit(rep, declared);
  ASSERT_TRUE(own.ok()) << own.error().ToString();
  EXPECT_EQ(MaterialOf(own->record, "法定代表人居民身份证").reference, id_card->id);
}

// The applicant's register read (who applies, for jurisdiction and pre-fill) is traced once
// per submission: with the case, in the submission's transaction, when the case is saved; on
// its own when nothing is saved (the application invalid, or a replay of an earlier key).
TEST_P(SourcesTest, TheApplicantsRegisterReadIsTracedOncePerSubmissionSavedOrNot) {
  if (!db_) GTEST_SKIP() << "backend not available";
  const Principal zhang = Citizen("acct-zhang", zhang_id_);
  auto person = registers_->FindByIdNumber(registrar_, zhang_id_);
  ASSERT_TRUE(person.ok() && person->size() == 1);
  const std::string stream = "person/" + (*person)[0].id;
  const auto reads = [&] {
    auto events = trace_->Read(stream, 0, 1000);
    EXPECT_TRUE(events.ok());
    int n = 0;
    for (const auto& e : events.value_or(std::vector<trace::Record>{})) {
      if (e.action == "register.person.read_self") {
        EXPECT_EQ(e.actor, "acct-zhang");
        EXPECT_NE(e.payload.find("case_handling"), std::string::npos) << e.payload;
        ++n;
      }
    }
    return n;
  };
  ASSERT_EQ(reads(), 0);
  cases::SubmitRequest r = Apply();
  r.idempotency_key = "apply-1";
  auto saved = cases_->Submit(zhang, r);
  ASSERT_TRUE(saved.ok()) << saved.error().ToString();
  EXPECT_EQ(reads(), 1);
  // The same key again: the same case, read (and traced) again, nothing saved.
  auto replayed = cases_->Submit(zhang, r);
  ASSERT_TRUE(replayed.ok()) << replayed.error().ToString();
  EXPECT_TRUE(replayed->replayed);
  EXPECT_EQ(replayed->record.number, saved->record.number);
  EXPECT_EQ(reads(), 2);
  // Invalid after the read: refused, and the read stays on the record.
  cases::SubmitRequest invalid = Apply();
  invalid.idempotency_key = std::string(201, 'k');
  auto refused = cases_->Submit(zhang, invalid);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(reads(), 3);
  // Stopped by the registers (a revoked licence declared): traced too.
  ASSERT_TRUE(licences_->Revoke(card_id_, "残疾等级复核后注销", "clerk").ok());
  cases::SubmitRequest stopped = Apply();
  stopped.materials = {{.name = "残疾人证",
                        .state = MaterialState::kProvided,
                        .origin = MaterialOrigin::kLicence,
                        .reference = card_id_}};
  ASSERT_EQ(cases_->Submit(zhang, stopped).error().code(), ErrorCode::kRefused);
  EXPECT_EQ(reads(), 4);
  // Every hash chain holds.
  auto verified = trace_->Verify();
  ASSERT_TRUE(verified.ok()) << verified.error().ToString();
  EXPECT_TRUE(verified->ok()) << verified->breaks.front().ToString();
}

TEST_P(SourcesTest, WhatTheRegistersContradictIsStoppedWithTheReason) {
  if (!db_) GTEST_SKIP() << "backend not available";
  const Principal zhang = Citizen("acct-zhang", zhang_id_);
  // A declared licence that was revoked.
  ASSERT_TRUE(licences_->Revoke(card_id_, "残疾等级复核后注销", "clerk").ok());
  cases::SubmitRequest r = Apply();
  r.materials = {{.name = "残疾人证",
                  .state = MaterialState::kProvided,
                  .origin = MaterialOrigin::kLicence,
                  .reference = card_id_}};
  auto revoked = cases_->Submit(zhang, r);
  ASSERT_FALSE(revoked.ok());
  EXPECT_EQ(revoked.error().code(), ErrorCode::kRefused);
  EXPECT_NE(revoked.error().message().find("残疾等级复核后注销"), std::string::npos)
      << revoked.error().message();
  // Someone else's licence.
  auto other = licences_->Issue({.type_code = "11100000000013338W014",
                                 .holder_id = li_id_,
                                 .holder_name = "李四",
                                 .issuer = "431128-cl",
                                 .data = {{"category", "视力"}, {"level", 1}, {"sex", "男"}},
                                 .valid_from = std::nullopt,
                                 .case_id = "",
                                 .actor = "clerk"});
  ASSERT_TRUE(other.ok()) << other.error().ToString();
  r.materials[0].reference = other->id;
  auto foreign = cases_->Submit(zhang, r);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code(), ErrorCode::kRefused);
  // A revoked licence is never fetched: with 授权用证 the material stays the applicant's.
  cases::SubmitRequest plain = Apply();
  plain.authorised_licences = {"*"};
  auto ok = cases_->Submit(zhang, plain);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(MaterialOf(ok->record, "残疾人证").state, MaterialState::kMissing);
  auto told = sources_->Get(zhang, ok->record.number);  // and is told why
  ASSERT_TRUE(told.ok()) << told.error().ToString();
  EXPECT_NE(SourceOf(*told, "残疾人证").detail.find("已被吊销/撤销"), std::string::npos)
      << SourceOf(*told, "残疾人证").detail;
  // The applicant registered dead.
  auto person = registers_->FindByIdNumber(registrar_, zhang_id_);
  ASSERT_TRUE(person.ok() && person->size() == 1);
  ASSERT_TRUE(registers_
                  ->PatchPerson(registrar_, (*person)[0].id, (*person)[0].version,
                                {.status = registers::PersonStatus::kDeceased})
                  .ok());
  auto dead = cases_->Submit(zhang, Apply());
  ASSERT_FALSE(dead.ok());
  EXPECT_EQ(dead.error().code(), ErrorCode::kRefused);
  EXPECT_NE(dead.error().message().find("死亡"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, SourcesTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

// 办结出证: the conclusion of an approved case issues the matter's result licence from the
// form, once, recorded with the case.
class CaseLicencesTest : public SourcesTest {
 protected:
  void SetUp() override {
    SourcesTest::SetUp();
    if (!db_) return;
    auto made =
        CaseLicences::Create(*db_, *catalog_, *cases_, *licences_, *trace_, clock_, library_.get());
    ASSERT_TRUE(made.ok()) << made.error().ToString();
    case_licences_ = std::move(made).value();
    cases_->SetObserver(case_licences_.get());
  }

  // 张三's application for his disability certificate, accepted and approved (or denied).
  cases::Case Decided(bool approve, std::map<std::string, std::string> form) {
    cases::SubmitRequest r = Apply(kCardIssue);
    r.form = std::move(form);
    auto submitted = cases_->Submit(zhang_, r);
    EXPECT_TRUE(submitted.ok()) << submitted.error().ToString();
    if (!submitted.ok()) return {};
    const std::string number = submitted->record.number;
    auto accepted = cases_->Accept(clerk_, number, {});
    EXPECT_TRUE(accepted.ok()) << accepted.error().ToString();
    auto decided = approve ? cases_->Approve(approver_, number, {})
                           : cases_->Deny(approver_, number, "不符合条件", {});
    EXPECT_TRUE(decided.ok()) << decided.error().ToString();
    return decided.ok() ? *decided : cases::Case{};
  }

  std::unique_ptr<CaseLicences> case_licences_;
  Principal zhang_ = Citizen("acct-zhang", "");
  Principal clerk_ = Staff("clerk-cl", "431128", "431128-cl", {"case.accept", "case.read"});
  Principal approver_ = Staff("approver-cl", "431128", "431128-cl", {"case.approve", "case.read"});
};

TEST_P(CaseLicencesTest, AnApprovedConclusionIssuesTheResultLicenceOnce) {
  if (!db_) GTEST_SKIP() << "backend not available";
  zhang_.account.id_number = zhang_id_;
  const cases::Case c = Decided(
      true, {{"category", "肢体"}, {"level", "2"}, {"gender", "男"}, {"address", "龙珠村"}});
  ASSERT_FALSE(c.number.empty());
  // Approved but not concluded: nothing queued yet.
  EXPECT_FALSE(case_licences_->ForCase(c.number)->has_value());
  EXPECT_EQ(*case_licences_->IssueDue(), 0);
  ASSERT_TRUE(cases_->Conclude(approver_, c.number, {}).ok());
  auto job = case_licences_->ForCase(c.number);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->state, CaseLicenceState::kPending);
  EXPECT_EQ((*job)->type_code, "11100000000013338W014");

  auto issued = case_licences_->IssueDue();
  ASSERT_TRUE(issued.ok()) << issued.error().ToString();
  EXPECT_EQ(*issued, 1);
  job = case_licences_->ForCase(c.number);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->state, CaseLicenceState::kIssued);
  const std::string id = (*job)->licence_id;
  auto licence = licences_->Get(id);
  ASSERT_TRUE(licence.ok()) << licence.error().ToString();
  EXPECT_EQ(licence->holder_id, zhang_id_);
  EXPECT_EQ(licence->issuer.code, "431128-cl");  // the deciding department signs
  EXPECT_EQ(
      licence->data,
      (nlohmann::json{{"category", "肢体"}, {"level", 2}, {"sex", "男"}, {"address", "龙珠村"}}));
  ASSERT_TRUE(licence->valid_until.has_value());  // the type's 10 years
  EXPECT_EQ(licence->valid_until->year(), licence->valid_from.year() + 10);
  EXPECT_TRUE(licences_->VerifyById(id)->valid());
  EXPECT_EQ(*licences_->LicenceOfCase(c.id), std::optional<std::string>(id));
  // The case's history shows it.
  auto events = trace_->Read("case/" + c.id, 0, 100);
  ASSERT_TRUE(events.ok());
  bool recorded = false;
  for (const auto& e : *events) {
    recorded =
        recorded || (e.action == "case.licence_issued" && e.payload.find(id) != std::string::npos);
  }
  EXPECT_TRUE(recorded);

  // Never twice: a second run, a job a crash left pending, an issue naming the same case.
  EXPECT_EQ(*case_licences_->IssueDue(), 0);
  ASSERT_TRUE(
      db_->Transaction(store::TxKind::kWrite,
                       [](soci::session& sql) -> Status {
                         sql << "UPDATE case_licence SET state = 'pending', licence_id = ''";
                         return Ok();
                       })
          .ok());
  EXPECT_EQ(*case_licences_->IssueDue(), 0);
  EXPECT_EQ((*case_licences_->ForCase(c.number))->licence_id, id);
  auto again = licences_->Issue({.type_code = "11100000000013338W014",
                                 .holder_id = zhang_id_,
                                 .holder_name = "张三",
                                 .issuer = "431128-cl",
                                 .data = licence->data,
                                 .valid_from = std::nullopt,
                                 .case_id = c.id,
                                 .actor = "clerk"});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  auto held = licences_->ListByHolder(zhang_id_);
  ASSERT_TRUE(held.ok());
  EXPECT_EQ(held->size(), 2U);  // the card of SetUp and this one
  // Renewal still makes a new version.
  auto renewed = licences_->Renew(id, "clerk");
  ASSERT_TRUE(renewed.ok()) << renewed.error().ToString();
  EXPECT_EQ(renewed->version, 2);
}

TEST_P(CaseLicencesTest, DenialWithdrawalAndWalkThroughsIssueNothing) {
  if (!db_) GTEST_SKIP() << "backend not available";
  zhang_.account.id_number = zhang_id_;
  const std::map<std::string, std::string> form = {
      {"category", "肢体"}, {"level", "2"}, {"gender", "男"}};
  const cases::Case denied = Decided(false, form);
  ASSERT_FALSE(denied.number.empty());
  ASSERT_TRUE(cases_->Conclude(approver_, denied.number, {}).ok());
  cases::SubmitRequest r = Apply(kCardIssue);
  r.form = form;
  auto withdrawn = cases_->Submit(zhang_, r);
  ASSERT_TRUE(withdrawn.ok());
  ASSERT_TRUE(cases_->Withdraw(zhang_, withdrawn->record.number, {}).ok());
  EXPECT_EQ(*case_licences_->IssueDue(), 0);
  EXPECT_FALSE(case_licences_->ForCase(denied.number)->has_value());
  EXPECT_FALSE(case_licences_->ForCase(withdrawn->record.number)->has_value());
  EXPECT_EQ(licences_->ListByHolder(zhang_id_)->size(), 1U);  // only the card of SetUp
}

TEST_P(CaseLicencesTest, AFormThatCannotMakeTheLicenceFailsWithTheReason) {
  if (!db_) GTEST_SKIP() << "backend not available";
  zhang_.account.id_number = zhang_id_;
  // No gender: the licence's required sex has no value.
  const cases::Case c = Decided(true, {{"category", "肢体"}, {"level", "2"}});
  ASSERT_FALSE(c.number.empty());
  ASSERT_TRUE(cases_->Conclude(approver_, c.number, {}).ok());
  EXPECT_EQ(*case_licences_->IssueDue(), 0);
  auto job = case_licences_->ForCase(c.number);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->state, CaseLicenceState::kFailed);
  EXPECT_NE((*job)->error.find("data.sex"), std::string::npos) << (*job)->error;
  EXPECT_FALSE(licences_->LicenceOfCase(c.id)->has_value());
}

// 秒批: the 残疾人证核发 scenario "auto" carries `form.level <= 2 and applicant.kind = "person"`
// and needs the applicant's 残疾人证 (fetched when he authorises it).
class AutoDecisionsTest : public CaseLicencesTest {
 protected:
  void SetUp() override {
    CaseLicencesTest::SetUp();
    if (!db_) return;
    auto_ = std::make_unique<AutoDecisions>(*cases_, *trace_, sources_.get(), case_licences_.get());
    cases_->SetSubmissionHook(auto_.get());
    zhang_.account.id_number = zhang_id_;
  }

  Result<cases::SubmitResult> ApplyAuto(std::string level, bool authorise,
                                        std::string scenario = "auto") {
    cases::SubmitRequest r = Apply(kCardIssue);
    r.scenario = std::move(scenario);
    r.channel = Channel::kKiosk;
    r.form = {{"category", "肢体"}, {"level", std::move(level)}, {"gender", "男"}};
    if (authorise) r.authorised_licences = {"*"};
    return cases_->Submit(zhang_, r);
  }

  // The payloads of the case's "case.auto_decision" events.
  std::vector<nlohmann::json> AutoEvents(const cases::Case& c) {
    std::vector<nlohmann::json> out;
    auto events = trace_->Read("case/" + c.id, 0, 100);
    EXPECT_TRUE(events.ok());
    if (!events.ok()) return out;
    for (const auto& e : *events) {
      if (e.action == "case.auto_decision") out.push_back(nlohmann::json::parse(e.payload));
    }
    return out;
  }

  std::unique_ptr<AutoDecisions> auto_;
};

TEST_P(AutoDecisionsTest, TheRuleHoldingConcludesTheCaseAndIssuesTheLicenceAtOnce) {
  if (!db_) GTEST_SKIP() << "backend not available";
  auto submitted = ApplyAuto("2", true);
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  const cases::Case& c = submitted->record;
  EXPECT_EQ(c.state, cases::CaseState::kConcluded);
  EXPECT_EQ(c.accepted_by, "system:auto-accept");
  EXPECT_EQ(c.decided_by, "system:auto-decision");
  std::vector<cases::DocumentKind> kinds;
  for (const auto& d : c.documents) {
    kinds.push_back(d.kind);
    auto full = cases_->ReadDocument(c.number, d.id);  // with its content
    ASSERT_TRUE(full.ok()) << full.error().ToString();
    auto verified = cases_->VerifyDocument(*full);
    EXPECT_TRUE(verified.ok() && *verified) << cases::DocumentKindName(d.kind);
  }
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), cases::DocumentKind::kAcceptanceNotice),
            kinds.end());
  EXPECT_NE(std::find(kinds.begin(), kinds.end(), cases::DocumentKind::kApprovalDecision),
            kinds.end());
  // The licence exists now, before any poll.
  auto job = case_licences_->ForCase(c.number);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->state, CaseLicenceState::kIssued);
  auto licence = licences_->Get((*job)->licence_id);
  ASSERT_TRUE(licence.ok()) << licence.error().ToString();
  EXPECT_EQ(licence->holder_id, zhang_id_);
  EXPECT_EQ(licence->data.at("level"), 2);
  const auto events = AutoEvents(c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("by"), "智能审批");
  EXPECT_EQ(events[0].at("result"), true);
  EXPECT_EQ(events[0].at("decided"), true);
  EXPECT_NE(events[0].at("rule").get<std::string>().find("form.level <= 2"), std::string::npos);
  // A replay of the same submission decides nothing again.
  EXPECT_EQ(AutoEvents(c).size(), 1u);
}

TEST_P(AutoDecisionsTest, TheRuleNotHoldingLeavesTheCaseToStaffWithTheReason) {
  if (!db_) GTEST_SKIP() << "backend not available";
  auto submitted = ApplyAuto("3", true);
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  const cases::Case& c = submitted->record;
  EXPECT_EQ(c.state, cases::CaseState::kSubmitted);
  EXPECT_TRUE(c.accepted_by.empty());
  const auto events = AutoEvents(c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("result"), false);
  EXPECT_EQ(events[0].at("decided"), false);
  EXPECT_NE(events[0].at("reason").get<std::string>().find("不符合自动审批规则"),
            std::string::npos);
  EXPECT_FALSE(case_licences_->ForCase(c.number)->has_value());
  // Staff take it from there, the separation check as for any case.
  ASSERT_TRUE(cases_->Accept(clerk_, c.number, {}).ok());
  auto clerk_approver = clerk_;
  clerk_approver.grants[0].permissions = {"case.accept", "case.approve", "case.read"};
  EXPECT_EQ(cases_->Approve(clerk_approver, c.number, {}).error().code(), ErrorCode::kRefused);
  EXPECT_TRUE(cases_->Approve(approver_, c.number, {}).ok());
}

TEST_P(AutoDecisionsTest, AMissingMaterialLeavesTheCaseToStaff) {
  if (!db_) GTEST_SKIP() << "backend not available";
  // Not authorised: his 残疾人证 is not fetched, so the required material is missing.
  auto submitted = ApplyAuto("1", false);
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  const cases::Case& c = submitted->record;
  EXPECT_EQ(c.state, cases::CaseState::kSubmitted);
  EXPECT_EQ(MaterialOf(c, "残疾人证").state, MaterialState::kMissing);
  const auto events = AutoEvents(c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].at("result").is_null());
  EXPECT_NE(events[0].at("reason").get<std::string>().find("材料未齐，转人工办理：残疾人证"),
            std::string::npos);
}

// A declared e-licence this installation's register does not hold is taken for a clerk to
// check (受理人员核验); the system never decides on it alone. The same licence fetched from the
// register is decided.
TEST_P(AutoDecisionsTest, ALicenceTheRegisterCannotVouchForIsLeftToStaff) {
  if (!db_) GTEST_SKIP() << "backend not available";
  cases::SubmitRequest r = Apply(kCardIssue);
  r.scenario = "auto";
  r.channel = Channel::kKiosk;
  r.form = {{"category", "肢体"}, {"level", "2"}, {"gender", "男"}};
  r.materials = {{.name = "残疾人证",
                  .state = MaterialState::kProvided,
                  .origin = MaterialOrigin::kLicence,
                  .reference = "残疾人证"}};  // what the kiosk used to send: the type's name
  auto submitted = cases_->Submit(zhang_, r);
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  const cases::Case& c = submitted->record;
  EXPECT_EQ(MaterialOf(c, "残疾人证").state, MaterialState::kProvided);
  EXPECT_EQ(c.state, cases::CaseState::kSubmitted);
  EXPECT_TRUE(c.accepted_by.empty());
  const auto events = AutoEvents(c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("decided"), false);
  EXPECT_NE(events[0].at("reason").get<std::string>().find(
                "电子证照须由受理人员核验，转人工办理：残疾人证"),
            std::string::npos);
  EXPECT_FALSE(case_licences_->ForCase(c.number)->has_value());
  // Declared by its identifier, the register's licence stands and the case is decided.
  r.materials[0].reference = card_id_;
  auto by_id = cases_->Submit(zhang_, r);
  ASSERT_TRUE(by_id.ok()) << by_id.error().ToString();
  EXPECT_EQ(by_id->record.state, cases::CaseState::kConcluded);
}

// 当场出证: the result licence needs its holder's 性别 (sex, required by the type) and the form
// left it empty (optional there). The system does not conclude a case whose licence it cannot
// build; staff complete it.
TEST_P(AutoDecisionsTest, AFormTheResultLicenceCannotBeBuiltFromIsLeftToStaff) {
  if (!db_) GTEST_SKIP() << "backend not available";
  cases::SubmitRequest r = Apply(kCardIssue);
  r.scenario = "auto";
  r.channel = Channel::kKiosk;
  r.form = {{"category", "肢体"}, {"level", "2"}};
  r.authorised_licences = {"*"};
  auto submitted = cases_->Submit(zhang_, r);
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  const cases::Case& c = submitted->record;
  EXPECT_EQ(c.state, cases::CaseState::kSubmitted);
  EXPECT_TRUE(c.accepted_by.empty());
  auto unfilled = case_licences_->Unfilled(c);
  ASSERT_TRUE(unfilled.ok()) << unfilled.error().ToString();
  EXPECT_EQ(*unfilled, std::vector<std::string>{"性别"});
  const auto events = AutoEvents(c);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].at("decided"), false);
  EXPECT_EQ(events[0].at("reason"), "出证信息不全，转人工办理：性别");
  EXPECT_FALSE(case_licences_->ForCase(c.number)->has_value());
  // With the field the same application is decided and its licence issued.
  r.form["gender"] = "男";
  auto complete = cases_->Submit(zhang_, r);
  ASSERT_TRUE(complete.ok()) << complete.error().ToString();
  EXPECT_EQ(complete->record.state, cases::CaseState::kConcluded);
  EXPECT_TRUE(case_licences_->Unfilled(complete->record)->empty());
  auto job = case_licences_->ForCase(complete->record.number);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->state, CaseLicenceState::kIssued);
}

TEST_P(AutoDecisionsTest, AMissingMaterialSuppliedLaterDecidesTheCase) {
  if (!db_) GTEST_SKIP() << "backend not available";
  auto submitted = ApplyAuto("1", false);
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  const cases::Case& c = submitted->record;
  ASSERT_EQ(c.state, cases::CaseState::kSubmitted);
  ASSERT_EQ(AutoEvents(c).size(), 1u);
  EXPECT_EQ(AutoEvents(c)[0].at("lacking"), nlohmann::json::array({"残疾人证"}));
  // The applicant supplies his e-licence afterwards: decided at once, licence issued.
  auto supplied =
      cases_->SupplyMaterial(zhang_, c.number, 0, MaterialOrigin::kLicence, "", "", card_id_);
  ASSERT_TRUE(supplied.ok()) << supplied.error().ToString();
  EXPECT_EQ(supplied->state, cases::CaseState::kConcluded);
  EXPECT_EQ(supplied->accepted_by, "system:auto-accept");
  EXPECT_EQ(supplied->decided_by, "system:auto-decision");
  auto job = case_licences_->ForCase(c.number);
  ASSERT_TRUE(job.ok() && job->has_value());
  EXPECT_EQ((*job)->state, CaseLicenceState::kIssued);
  const auto events = AutoEvents(c);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].at("decided"), true);
  EXPECT_EQ(events[1].at("result"), true);
}

TEST_P(AutoDecisionsTest, ACaseStaffTookOrTheRuleRefusedIsNotDecidedOnSupply) {
  if (!db_) GTEST_SKIP() << "backend not available";
  // Staff asked for a correction before the material came: theirs now.
  auto taken = ApplyAuto("1", false);
  ASSERT_TRUE(taken.ok()) << taken.error().ToString();
  ASSERT_TRUE(cases_->RequestCorrection(clerk_, taken->record.number, {"残疾人证"}, {}).ok());
  auto supplied = cases_->SupplyMaterial(zhang_, taken->record.number, 0, MaterialOrigin::kLicence,
                                         "", "", card_id_);
  ASSERT_TRUE(supplied.ok()) << supplied.error().ToString();
  EXPECT_EQ(supplied->state, cases::CaseState::kCorrectionRequested);
  EXPECT_EQ(AutoEvents(taken->record).size(), 1u);
  // Level 3: the rule said no at submission; a material supplied later changes nothing.
  auto refused = ApplyAuto("3", true);
  ASSERT_TRUE(refused.ok()) << refused.error().ToString();
  ASSERT_EQ(refused->record.state, cases::CaseState::kSubmitted);
  auto again = cases_->SupplyMaterial(zhang_, refused->record.number, 0, MaterialOrigin::kLicence,
                                      "", "", card_id_);
  ASSERT_TRUE(again.ok()) << again.error().ToString();
  EXPECT_EQ(again->state, cases::CaseState::kSubmitted);
  EXPECT_EQ(AutoEvents(refused->record).size(), 1u);
}

// The scenario auto_resident needs a 居住证明 from the applicant's village committee (在线开具)
// and decides over the person register: household in 龙珠村, adult, alive.
TEST_P(AutoDecisionsTest, ACertificateRequestAnsweredDecidesOverThePersonRegister) {
  if (!db_) GTEST_SKIP() << "backend not available";
  const Principal committee =
      Staff("cwh-1", "431128101200", "431128101200-cwh", {"certificate.issue"});
  const auto answer = [&](const cases::Case& c) -> Result<CertificateRequest> {
    TB_ASSIGN_OR_RETURN(auto inbox, sources_->Inbox(committee, "431128101200-cwh", 10));
    for (const CertificateRequest& r : inbox) {
      if (r.case_number == c.number)
        return sources_->Answer(committee, r.id, {{"address", "龙珠村"}});
    }
    return Error(ErrorCode::kNotFound, "no request of " + c.number);
  };
  auto submitted = ApplyAuto("2", false, "auto_resident");
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  const cases::Case& c = submitted->record;
  ASSERT_EQ(c.state, cases::CaseState::kSubmitted);
  EXPECT_EQ(MaterialOf(c, "居住证明").state, MaterialState::kMissing);
  auto answered = answer(c);
  ASSERT_TRUE(answered.ok()) << answered.error().ToString();
  EXPECT_EQ(answered->state, RequestState::kAnswered);
  auto after = cases_->Read(c.number);
  ASSERT_TRUE(after.ok()) << after.error().ToString();
  EXPECT_EQ(after->state, cases::CaseState::kConcluded);
  EXPECT_EQ(MaterialOf(*after, "居住证明").reference, answered->licence_id);
  EXPECT_EQ(AutoEvents(c).back().at("decided"), true);
  // The request stays answered (the conclusion cancels only open ones); the inbox is empty.
  auto sources = sources_->Get(zhang_, c.number);
  ASSERT_TRUE(sources.ok()) << sources.error().ToString();
  ASSERT_EQ(sources->requests.size(), 1u);
  EXPECT_EQ(sources->requests[0].state, RequestState::kAnswered);
  EXPECT_EQ(SourceOf(*sources, "居住证明").reference, answered->licence_id);
  EXPECT_TRUE(sources_->Inbox(committee, "431128101200-cwh", 10)->empty());

  // 李四's household is in 浏阳市: the register says no, and the case waits for staff.
  Principal li = Citizen("acct-li", li_id_);
  cases::SubmitRequest r = Apply(kCardIssue);
  r.scenario = "auto_resident";
  r.channel = Channel::kKiosk;
  r.form = {{"category", "肢体"}, {"level", "2"}};
  auto theirs = cases_->Submit(li, r);
  ASSERT_TRUE(theirs.ok()) << theirs.error().ToString();
  ASSERT_TRUE(answer(theirs->record).ok());
  auto waiting = cases_->Read(theirs->record.number);
  ASSERT_TRUE(waiting.ok());
  EXPECT_EQ(waiting->state, cases::CaseState::kSubmitted);
  const auto events = AutoEvents(theirs->record);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].at("result"), false);
  EXPECT_EQ(events[1].at("decided"), false);
}

TEST_P(AutoDecisionsTest, AScenarioWithoutARuleIsLeftAlone) {
  if (!db_) GTEST_SKIP() << "backend not available";
  auto submitted = ApplyAuto("2", true, "new");
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  EXPECT_EQ(submitted->record.state, cases::CaseState::kSubmitted);
  EXPECT_TRUE(AutoEvents(submitted->record).empty());
}

TEST(AutoDecisionRule, SeesTheFormTheApplicantAndTheMaterials) {
  cases::Case c;
  c.form = {{"level", "2"}, {"central_ac", "false"}, {"name", "龙泉宾馆"}};
  c.applicant_kind = cases::ApplicantKind::kEnterprise;
  cases::CaseMaterial m;
  m.name = "营业执照";
  m.required = true;
  m.state = MaterialState::kProvided;
  c.materials.push_back(m);
  EXPECT_EQ(AutoDecisions::Evaluate("form.level < 3 and not(form.central_ac)", c), true);
  EXPECT_EQ(AutoDecisions::Evaluate("applicant.kind = \"person\"", c), false);
  EXPECT_EQ(AutoDecisions::Evaluate("materials[name = \"营业执照\"][1].state = \"provided\"", c),
            true);
  EXPECT_EQ(AutoDecisions::Evaluate("form.missing > 1", c), std::nullopt);
  EXPECT_EQ(AutoDecisions::Evaluate("form.level <", c), std::nullopt);
}

TEST(AutoDecisionRule, SeesTheApplicantsRegisterRecord) {
  cases::Case c;
  c.applicant_kind = cases::ApplicantKind::kPerson;
  JurisdictionSubject applicant;
  registers::Person p;
  p.sex = Sex::kFemale;
  p.birth_date = *Date::Parse("1950-03-01");
  p.household_region = "431128101200";
  p.assistance = registers::Assistance::kMinimumLiving;
  p.disability = registers::Disability{};
  p.disability->level = 1;
  p.long_term_care = true;
  applicant.person = p;
  const Date today = *Date::Parse("2026-11-26");
  const std::string rule =
      "person.sex = \"female\" and person.age >= 60 and person.assistance = \"minimum_living\" "
      "and person.disability.level <= 2 and person.long_term_care";
  EXPECT_EQ(AutoDecisions::Evaluate(rule, c, applicant, today), true);
  EXPECT_EQ(AutoDecisions::Evaluate(rule, c, applicant, *Date::Parse("2000-01-01")), false);
  EXPECT_EQ(
      AutoDecisions::Evaluate("person.birth_date < date(\"1960-01-01\")", c, applicant, today),
      true);
  // Without a record (not registered) `person` is null: an equality is false, a comparison
  // gives no answer; the case waits for staff either way.
  EXPECT_EQ(AutoDecisions::Evaluate(rule, c), false);
  EXPECT_EQ(AutoDecisions::Evaluate("person.age >= 60", c), std::nullopt);
  EXPECT_EQ(AutoDecisions::Evaluate("person = null", c), true);
  // An enterprise: the entity register's fields.
  registers::Entity e;
  e.type = registers::EntityType::kCompany;
  e.size = registers::EntitySize::kSmall;
  e.registered_region = "431128";
  e.industry = "餐饮业";
  JurisdictionSubject firm;
  firm.entity = e;
  EXPECT_EQ(AutoDecisions::Evaluate("entity.size in (\"micro\", \"small\") and entity.status = "
                                    "\"active\" and starts with(entity.registered_region, "
                                    "\"4311\")",
                                    c, firm, today),
            true);
}

// The names docs/catalog-format.md promises a rule are the names it is given: every member of
// the person and entity records the decision binds passes the catalog's check, and an unknown
// one is refused with the names it has.
TEST(AutoDecisionRule, TheCatalogCheckKnowsExactlyTheBoundNames) {
  const Date today = *Date::Parse("2026-11-26");
  const auto members = [](const feel::Value& v) {
    std::set<std::string, std::less<>> out;
    for (const auto& e : v.context()) out.insert(e.name);
    return out;
  };
  registers::Person p;
  p.birth_date = *Date::Parse("1950-03-01");
  EXPECT_EQ(members(registers::PersonValue(p, today)), catalog::AutoDecisionMembers().at("person"));
  EXPECT_EQ(members(registers::EntityValue(registers::Entity{})),
            catalog::AutoDecisionMembers().at("entity"));
  for (const auto& name : catalog::AutoDecisionMembers().at("person")) {
    EXPECT_TRUE(catalog::CheckAutoDecision("person." + name + " != null").empty()) << name;
  }
  EXPECT_TRUE(
      catalog::CheckAutoDecision("entity.size = \"small\" and applicant.kind = \"enterprise\" and "
                                 "form.anything > 1 and count(materials) > 0")
          .empty());
  const auto unknown = catalog::CheckAutoDecision("form.level <= 2 and person.disabled");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_NE(unknown[0].message.find("'person' has no member 'disabled'"), std::string::npos)
      << unknown[0].message;
  EXPECT_EQ(unknown[0].column, 28);
  EXPECT_FALSE(catalog::CheckAutoDecision("entity.capital > 1").empty());
  EXPECT_FALSE(catalog::CheckAutoDecision("household = \"x\"").empty());
}

INSTANTIATE_TEST_SUITE_P(Backends, AutoDecisionsTest,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

TEST(CaseLicenceData, FormFieldsMapToTheTypesFieldsByNameOrThroughLicenceFields) {
  licences::LicenceType type;
  const auto spec = [](std::string name, licences::FieldType t) {
    licences::FieldSpec f;
    f.name = std::move(name);
    f.type = t;
    return f;
  };
  type.fields = {
      spec("name", licences::FieldType::kString), spec("area", licences::FieldType::kNumber),
      spec("staff", licences::FieldType::kInteger),
      spec("central_ac", licences::FieldType::kBoolean), spec("since", licences::FieldType::kDate)};
  catalog::Matter matter;
  matter.item.licence_fields = {{"name", "venue_name"}, {"staff", "staff_count"}};
  cases::Case c;
  c.form = {{"venue_name", "龙泉宾馆"}, {"name", "ignored"},    {"area", "120.5"},
            {"staff_count", "many"},    {"central_ac", "true"}, {"since", ""}};
  EXPECT_EQ(CaseLicences::DataFromForm(type, matter, c),
            (nlohmann::json{
                {"name", "龙泉宾馆"}, {"area", 120.5}, {"staff", "many"}, {"central_ac", true}}));
}

INSTANTIATE_TEST_SUITE_P(Backends, CaseLicencesTest,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::sources
