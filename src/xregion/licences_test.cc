// Licences across regions (issue 11, item 4): a licence issued in 新田县's installation verifies
// in 浏阳市's against the partner's licence root certificate, the partner's key recorded as an
// X.509 certificate; an altered licence fails with the reason; a root nobody recorded is
// unknown; a licence revoked in 新田县's register fails in 浏阳市 once the signed status answer
// it relies on is older than its lifetime, and when 新田县 cannot be asked the answer is
// "revocation unknown", never valid. SQLite and PostgreSQL; the clock is fake.
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

// Hands 浏阳市's status queries to 新田县's AnswerLicenceStatus, unless 新田县 is down.
class StatusLink : public Transport {
 public:
  PostAnswer Post(const std::string&, const std::string&) override {
    return {.status = 0, .body = "no messages here"};
  }
  PostAnswer AskLicenceStatus(const std::string& base_url, const std::string& body) override {
    ++asked;
    if (down || base_url != "http://xintian.test") return {.status = 0, .body = "unreachable"};
    last_query = body;
    auto answer = issuer->AnswerLicenceStatus(body, *register_of_licences);
    if (!answer.ok()) {
      return {.status = answer.error().info().http_status, .body = answer.error().ToString()};
    }
    return {.status = 200, .body = tamper ? tamper(*answer) : *answer};
  }
  Service* issuer = nullptr;
  licences::LicenceService* register_of_licences = nullptr;
  bool down = false;
  int asked = 0;
  std::string last_query;
  std::function<std::string(std::string)> tamper;
};

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
    // 新田县 knows 浏阳市 as a partner: it answers its status queries.
    ASSERT_TRUE(issuer_
                    ->PutPartner({.region = kLiuyang,
                                  .name = "浏阳市",
                                  .base_url = "http://liuyang.test",
                                  .public_key = *verifier_->Certificate(),
                                  .hub = false,
                                  .via = ""})
                    .ok());
    link_.issuer = issuer_.get();
    link_.register_of_licences = licences_.get();
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
  StatusLink link_;
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
  auto v = verifier_->VerifyPartnerLicence(l.signed_licence, &link_);
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_TRUE(v->valid()) << v->reason;
  EXPECT_EQ(v->revocation, Revocation::kNotRevoked);
  EXPECT_EQ(v->outcome_name(), "valid");
  EXPECT_EQ(link_.asked, 1);
  EXPECT_EQ(v->partner, kXintian);
  EXPECT_EQ(v->licence_id, l.id);
  EXPECT_EQ(v->issuer_name, "新田县市场监督管理局");

  // Altered after issue: the holder's name changed in the presented document.
  licences::SignedLicence altered = l.signed_licence;
  const std::string from = "新田县自来水有限公司", to = "新田县供水有限公司";
  altered.document.replace(altered.document.find(from), from.size(), to);
  auto bad = verifier_->VerifyPartnerLicence(altered, &link_);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->outcome, licences::VerifyOutcome::kForgedSignature);
  EXPECT_EQ(bad->revocation, Revocation::kNotChecked);
  EXPECT_EQ(link_.asked, 1);  // a forged licence is not asked about
  EXPECT_NE(bad->reason.find("改动"), std::string::npos) << bad->reason;

  // Not JSON at all: an error naming the document.
  altered.document = "not json";
  auto garbage = verifier_->VerifyPartnerLicence(altered, &link_);
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().fields()[0].field, "document");
}

TEST_P(PartnerLicences, ARootNobodyRecordedIsAnUnknownIssuer) {
  ASSERT_TRUE(RecordIssuer("").ok());
  auto v = verifier_->VerifyPartnerLicence(Issue().signed_licence, &link_);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->outcome, licences::VerifyOutcome::kUnknownIssuer);
  EXPECT_FALSE(v->valid());
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

TEST_P(PartnerLicences, ARevokedLicenceFailsOnceTheCachedAnswerExpires) {
  ASSERT_TRUE(RecordIssuer(keys_->Root()->certificate_pem).ok());
  const licences::Licence l = Issue();
  auto first = verifier_->VerifyPartnerLicence(l.signed_licence, &link_);
  ASSERT_TRUE(first.ok() && first->valid()) << (first.ok() ? first->reason : "");
  const int64_t first_as_of = first->status_as_of_ms;
  EXPECT_GT(first_as_of, 0);
  // Revoked in 新田县's register.
  ASSERT_TRUE(licences_->Revoke(l.id, "营业执照被吊销", "acct-2").ok());
  // Within the answer's lifetime 浏阳市 relies on it and does not ask again.
  clock_.Advance(std::chrono::milliseconds(kLicenceStatusLifetimeMs - 1000));
  auto cached = verifier_->VerifyPartnerLicence(l.signed_licence, &link_);
  ASSERT_TRUE(cached.ok());
  EXPECT_TRUE(cached->valid());
  EXPECT_TRUE(cached->status_from_cache);
  EXPECT_EQ(cached->status_as_of_ms, first_as_of);
  EXPECT_EQ(link_.asked, 1);
  // Past it, 浏阳市 asks and the licence fails as revoked, with 新田县's reason.
  clock_.Advance(std::chrono::milliseconds(2000));
  auto revoked = verifier_->VerifyPartnerLicence(l.signed_licence, &link_);
  ASSERT_TRUE(revoked.ok());
  EXPECT_FALSE(revoked->valid());
  EXPECT_EQ(revoked->outcome, licences::VerifyOutcome::kRevoked);
  EXPECT_EQ(revoked->revocation, Revocation::kRevoked);
  EXPECT_EQ(revoked->outcome_name(), "revoked");
  EXPECT_NE(revoked->reason.find("营业执照被吊销"), std::string::npos) << revoked->reason;
  EXPECT_GT(revoked->status_as_of_ms, first_as_of);
  EXPECT_EQ(link_.asked, 2);
}

TEST_P(PartnerLicences, AnUnreachableIssuerGivesRevocationUnknownNeverValid) {
  ASSERT_TRUE(RecordIssuer(keys_->Root()->certificate_pem).ok());
  const licences::Licence l = Issue();
  // Never asked successfully: unknown, no last known status.
  link_.down = true;
  auto never = verifier_->VerifyPartnerLicence(l.signed_licence, &link_);
  ASSERT_TRUE(never.ok());
  EXPECT_FALSE(never->valid());
  EXPECT_EQ(never->revocation, Revocation::kUnknown);
  EXPECT_EQ(never->outcome_name(), "revocation_unknown");
  EXPECT_EQ(never->status_as_of_ms, 0);
  EXPECT_NE(never->reason.find("无法"), std::string::npos) << never->reason;
  // No transport at all: the same.
  auto no_transport = verifier_->VerifyPartnerLicence(l.signed_licence);
  ASSERT_TRUE(no_transport.ok());
  EXPECT_EQ(no_transport->outcome_name(), "revocation_unknown");
  // Known once, then the partner goes down past the answer's lifetime: unknown, with the time
  // of the last known status.
  link_.down = false;
  auto known = verifier_->VerifyPartnerLicence(l.signed_licence, &link_);
  ASSERT_TRUE(known.ok() && known->valid());
  link_.down = true;
  clock_.Advance(std::chrono::milliseconds(kLicenceStatusLifetimeMs + 1000));
  auto later = verifier_->VerifyPartnerLicence(l.signed_licence, &link_);
  ASSERT_TRUE(later.ok());
  EXPECT_FALSE(later->valid());
  EXPECT_EQ(later->outcome_name(), "revocation_unknown");
  EXPECT_EQ(later->status_as_of_ms, known->status_as_of_ms);
  EXPECT_NE(later->reason.find("最后已知状态"), std::string::npos) << later->reason;
}

TEST_P(PartnerLicences, ForgedOrMisdirectedStatusTrafficIsRefused) {
  ASSERT_TRUE(RecordIssuer(keys_->Root()->certificate_pem).ok());
  const licences::Licence l = Issue();
  // An answer altered on the way (revoked turned into valid, or the reverse) is no answer.
  ASSERT_TRUE(licences_->Revoke(l.id, "吊销", "acct-2").ok());
  link_.tamper = [](std::string a) {
    const std::string from = "\"revoked\"";
    if (auto at = a.find(from); at != std::string::npos) a.replace(at, from.size(), "\"valid\"");
    return a;
  };
  auto tampered = verifier_->VerifyPartnerLicence(l.signed_licence, &link_);
  ASSERT_TRUE(tampered.ok());
  EXPECT_FALSE(tampered->valid());
  EXPECT_EQ(tampered->outcome_name(), "revocation_unknown");
  link_.tamper = nullptr;
  // 新田县 refuses queries that are not a partner's, altered, stale or malformed.
  const std::string query = link_.last_query;
  ASSERT_FALSE(query.empty());
  auto replayed_late = [&] {
    clock_.Advance(std::chrono::milliseconds(kClockSkewToleranceMs + 1000));
    auto r = issuer_->AnswerLicenceStatus(query, *licences_);
    clock_.Advance(-std::chrono::milliseconds(kClockSkewToleranceMs + 1000));
    return r;
  }();
  ASSERT_FALSE(replayed_late.ok());
  EXPECT_EQ(replayed_late.error().fields()[0].field, "query/at");
  std::string altered = query;
  altered.replace(altered.find(l.id), l.id.size(), "91431128MB1711648A-other");
  auto forged = issuer_->AnswerLicenceStatus(altered, *licences_);
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(forged.error().fields()[0].field, "signature");
  auto malformed = issuer_->AnswerLicenceStatus(R"({"query": {"from": "430181"}})", *licences_);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code(), ErrorCode::kMalformedBody);
  ASSERT_TRUE(issuer_->DeletePartner(kLiuyang).ok());
  auto stranger = issuer_->AnswerLicenceStatus(query, *licences_);
  ASSERT_FALSE(stranger.ok());
  EXPECT_EQ(stranger.error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(stranger.error().fields()[0].field, "query/from");
}

INSTANTIATE_TEST_SUITE_P(Backends, PartnerLicences, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::xregion
