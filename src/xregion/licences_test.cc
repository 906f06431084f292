// Licences across regions (issue 11, item 4): a licence issued in 新田县's installation verifies
// in 浏阳市's against the partner's licence root certificate, the partner's key recorded as an
// X.509 certificate; an altered licence fails with the reason; a root nobody recorded is
// unknown. SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "keys/certificate.h"
#include "keys/key_store.h"
#include "keys/master_key.h"
#include "licences/service.h"
#include "store/testing.h"
#include "trace/trace.h"
#include "xregion/service.h"

namespace tongban::xregion {
namespace {

constexpr char kXintian[] = "431128";
constexpr char kLiuyang[] = "430181";

std::string ReadSource(const std::string& relative) {
  const char* root = std::getenv("TONGBAN_SOURCE_DIR");
  std::ifstream in(std::string(root ? root : ".") + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<licences::IssuerDepartment> Departments(const std::string& code) {
  if (code == "431128-scjgj") {
    return licences::IssuerDepartment{code, "新田县市场监督管理局", "11431128MB170582X2", "431128"};
  }
  return Error(ErrorCode::kNotFound, "no department");
}

class PartnerLicences : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    issuer_temp_ = store::testing::TempDatabase::Create(GetParam());
    verifier_temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!issuer_temp_ || !verifier_temp_) GTEST_SKIP() << "no database for this backend";
    auto xregion = Migrations();
    ASSERT_TRUE(xregion.ok());
    issuer_db_ = issuer_temp_->Open();
    const store::MigrationSet* sets[] = {&keys::KeysMigrations(), &trace::TraceMigrations(),
                                         &licences::LicencesMigrations(), &*xregion};
    ASSERT_TRUE(issuer_db_->Migrate(sets).ok());
    keys_ = std::make_unique<keys::KeyStore>(*issuer_db_, ring_, clock_);
    trace_ = std::make_unique<trace::Trace>(*issuer_db_, trace::Trace::Options{});
    licences_ = std::make_unique<licences::LicenceService>(*issuer_db_, *keys_, *trace_, clock_,
                                                           Departments);
    auto types = licences::ParseLicenceTypesYaml(ReadSource("data/demo/licence_types.yaml"));
    ASSERT_TRUE(types.ok()) << types.error().ToString();
    ASSERT_TRUE(licences_->PutTypes(*types).ok());
    issuer_ = *Service::Create(*issuer_db_, *crypto::Sm2Key::Generate(), {.clock = &clock_});
    ASSERT_TRUE(issuer_->SetIdentity({.region = kXintian, .name = "新田县", .hub = false}).ok());

    verifier_db_ = verifier_temp_->Open();
    const store::MigrationSet* vsets[] = {&*xregion};
    ASSERT_TRUE(verifier_db_->Migrate(vsets).ok());
    verifier_ = *Service::Create(*verifier_db_, *crypto::Sm2Key::Generate(), {.clock = &clock_});
    ASSERT_TRUE(verifier_->SetIdentity({.region = kLiuyang, .name = "浏阳市", .hub = false}).ok());
  }

  Status RecordIssuer(std::string licence_root) {
    auto certificate = issuer_->Certificate();
    if (!certificate.ok()) return std::move(certificate).error();
    return verifier_->PutPartner({.region = kXintian,
                                  .name = "新田县",
                                  .base_url = "http://xintian.test",
                                  .public_key = *certificate,
                                  .hub = false,
                                  .via = "",
                                  .licence_root = std::move(licence_root)});
  }

  licences::Licence Issue() {
    auto l = licences_->Issue({.type_code = "11100000000013338W011",
                               .holder_id = "91431128MB1711648A",
                               .holder_name = "新田县自来水有限公司",
                               .issuer = "431128-scjgj",
                               .data = {{"name", "新田县自来水有限公司"},
                                        {"kind", "有限责任公司"},
                                        {"legal_representative", "张三"},
                                        {"capital", "500万元"},
                                        {"established", "2010-05-04"},
                                        {"address", "新田县龙泉镇"},
                                        {"scope", "自来水生产与供应"}},
                               .valid_from = std::nullopt,
                               .case_id = "case-1",
                               .actor = "acct-1"});
    EXPECT_TRUE(l.ok()) << l.error().ToString();
    return l.ok() ? *l : licences::Licence{};
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9)};
  keys::MasterKeyRing ring_ = keys::MasterKeyRing::Generate("m1").value();
  std::unique_ptr<store::testing::TempDatabase> issuer_temp_, verifier_temp_;
  std::unique_ptr<store::Database> issuer_db_, verifier_db_;
  std::unique_ptr<keys::KeyStore> keys_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<licences::LicenceService> licences_;
  std::unique_ptr<Service> issuer_, verifier_;
};

TEST_P(PartnerLicences, IssuedInOneRegionVerifiesInAnother) {
  auto root = keys_->Root();
  ASSERT_TRUE(root.ok()) << root.error().ToString();
  Status recorded = RecordIssuer(root->certificate_pem);
  ASSERT_TRUE(recorded.ok()) << recorded.error().ToString();
  // The partner's key is kept as its X.509 certificate.
  auto partners = verifier_->ListPartners();
  ASSERT_EQ(partners->size(), 1u);
  EXPECT_NE((*partners)[0].public_key.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(keys::ReadCertificate((*partners)[0].public_key)->subject_organization, kXintian);

  const licences::Licence l = Issue();
  auto v = verifier_->VerifyPartnerLicence(l.signed_licence);
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_TRUE(v->valid()) << v->reason;
  EXPECT_EQ(v->partner, kXintian);
  EXPECT_EQ(v->licence_id, l.id);
  EXPECT_EQ(v->issuer_name, "新田县市场监督管理局");

  // Altered after issue: the holder's name changed in the presented document.
  licences::SignedLicence altered = l.signed_licence;
  const std::string from = "新田县自来水有限公司", to = "新田县供水有限公司";
  altered.document.replace(altered.document.find(from), from.size(), to);
  auto bad = verifier_->VerifyPartnerLicence(altered);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->outcome, licences::VerifyOutcome::kForgedSignature);
  EXPECT_NE(bad->reason.find("改动"), std::string::npos) << bad->reason;

  // Not JSON at all: an error naming the document.
  altered.document = "not json";
  auto garbage = verifier_->VerifyPartnerLicence(altered);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().fields()[0].field, "document");
}

TEST_P(PartnerLicences, ARootNobodyRecordedIsAnUnknownIssuer) {
  ASSERT_TRUE(RecordIssuer("").ok());
  auto v = verifier_->VerifyPartnerLicence(Issue().signed_licence);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->outcome, licences::VerifyOutcome::kUnknownIssuer);
  EXPECT_NE(v->reason.find("合作地区"), std::string::npos) << v->reason;
}

TEST_P(PartnerLicences, TheKeyCertificateMustBeThePartnersAndTheRootACa) {
  auto certificate = issuer_->Certificate();
  ASSERT_TRUE(certificate.ok());
  // 新田县's certificate recorded for another region.
  Status wrong = verifier_->PutPartner({.region = "360926",
                                        .name = "铜鼓县",
                                        .base_url = "http://tonggu.test",
                                        .public_key = *certificate,
                                        .hub = false,
                                        .via = "",
                                        .licence_root = *certificate});  // no CA either
  ASSERT_FALSE(wrong.ok());
  ASSERT_EQ(wrong.error().fields().size(), 2u);
  EXPECT_EQ(wrong.error().fields()[0].field, "public_key");
  EXPECT_NE(wrong.error().fields()[0].message.find(kXintian), std::string::npos);
  EXPECT_EQ(wrong.error().fields()[1].field, "licence_root");
}

INSTANTIATE_TEST_SUITE_P(Backends, PartnerLicences, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::xregion
