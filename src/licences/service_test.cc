#include "licences/service.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/licence_id.h"
#include "crypto/sm3.h"
#include "keys/certificate.h"
#include "licences/jcs.h"
#include "licences/pdf.h"
#include "store/testing.h"

namespace tongban::licences {
namespace {

using store::Backend;
using store::testing::TempDatabase;

const Timestamp kStart =
    StartOfDayInChina(Date::Parse("2026-03-02").value()) + std::chrono::hours(9);

std::string ReadSource(const std::string& relative) {
  const char* root = std::getenv("TONGBAN_SOURCE_DIR");
  std::ifstream in(std::string(root ? root : ".") + "/" + relative);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Result<IssuerDepartment> Departments(const std::string& code) {
  if (code == "431128-scjgj")
    return IssuerDepartment{code, "新田县市场监督管理局", "11431128MB170582X2", "431128"};
  if (code == "431128-wjj")
    return IssuerDepartment{code, "新田县卫生健康局", "11431128MB17009738", "431128"};
  if (code == "431128-cl")
    return IssuerDepartment{code, "新田县残疾人联合会", "13431128MB170873XW", "431128"};
  return Error(ErrorCode::kNotFound, "no department");
}

struct TempDirForPdf {
  TempDirForPdf() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "licence_pdf.XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDirForPdf() { std::filesystem::remove_all(path); }
  std::string path;
};

// Runs `command` in a shell, its output to `out` (or discarded); the exit status.
int Shell(const std::string& command, const std::string& out = "/dev/null") {
  const int rc = std::system((command + " >" + out + " 2>/dev/null").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

IssueRequest BusinessLicence() {
  return {.type_code = "11100000000013338W011",
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
          .actor = "acct-1"};
}

class LicenceServiceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    temp_ = TempDatabase::Create(GetParam());
    if (temp_ == nullptr) return;
    db_ = temp_->Open();
    const store::MigrationSet* sets[] = {&keys::KeysMigrations(), &trace::TraceMigrations(),
                                         &LicencesMigrations()};
    ASSERT_TRUE(db_->Migrate(sets).ok());
    keys_ = std::make_unique<keys::KeyStore>(*db_, ring_, clock_);
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    service_ = std::make_unique<LicenceService>(*db_, *keys_, *trace_, clock_, Departments);
    auto types = ParseLicenceTypesYaml(ReadSource("data/demo/licence_types.yaml"));
    ASSERT_TRUE(types.ok()) << types.error().ToString();
    ASSERT_TRUE(service_->PutTypes(types.value()).ok());
  }

  std::unique_ptr<TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  FakeClock clock_{kStart};
  keys::MasterKeyRing ring_ = keys::MasterKeyRing::Generate("m1").value();
  std::unique_ptr<keys::KeyStore> keys_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<LicenceService> service_;
};

TEST_P(LicenceServiceTest, IssuesASignedLicenceThatVerifies) {
  if (db_ == nullptr) return;
  EXPECT_EQ(service_->ListTypes().value().size(), 11u);
  auto l = service_->Issue(BusinessLicence());
  ASSERT_TRUE(l.ok()) << l.error().ToString();
  const Licence& licence = l.value();
  EXPECT_EQ(licence.id, MakeLicenceId({.type_code = "11100000000013338W011",
                                       .issuer_uscc = "11431128MB170582X2",
                                       .serial = "2026000001",
                                       .version = "001"})
                            .value());
  EXPECT_EQ(licence.valid_from.ToString(), "2026-03-02");
  EXPECT_FALSE(licence.valid_until.has_value());
  // The signed bytes are the canonical JSON of the document.
  EXPECT_EQ(Canonicalize(nlohmann::json::parse(licence.signed_licence.document)).value(),
            licence.signed_licence.document);
  auto cert = keys::ReadCertificate(licence.signed_licence.certificate).value();
  EXPECT_EQ(cert.subject_organization, "431128-scjgj");
  EXPECT_TRUE(cert.public_key
                  .Verify(licence.signed_licence.document,
                          crypto::FromHex(licence.signed_licence.signature).value())
                  .value());

  auto v = service_->Verify(licence.signed_licence).value();
  EXPECT_EQ(v.outcome, VerifyOutcome::kValid) << v.reason;
  EXPECT_EQ(service_->VerifyById(licence.id).value().outcome, VerifyOutcome::kValid);
  // Through its exchange form too.
  auto round = SignedLicenceFromJson(SignedLicenceToJson(licence.signed_licence)).value();
  EXPECT_EQ(service_->Verify(round).value().outcome, VerifyOutcome::kValid);

  // One licence per case: the same case again is refused, nothing signed.
  auto again = service_->Issue(BusinessLicence());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(service_->LicenceOfCase("case-1").value(), std::optional<std::string>(licence.id));
  EXPECT_FALSE(service_->LicenceOfCase("case-2").value().has_value());
  // The next licence of the issuer gets the next serial; the holder lists both.
  IssueRequest next = BusinessLicence();
  next.case_id = "case-2";
  auto second = service_->Issue(next).value();
  EXPECT_NE(second.id.find(".2026000002.001."), std::string::npos) << second.id;
  EXPECT_EQ(service_->ListByHolder("91431128MB1711648A").value().size(), 2u);
  // Each issue is traced.
  EXPECT_EQ(trace_->Read("licence/" + licence.id, 0, 10).value().at(0).action, "licence.issued");
  EXPECT_NE(trace_->Read("licence/" + licence.id, 0, 10)
                .value()
                .at(0)
                .payload.find("\"holder\":\"91431128MB1711648A\""),
            std::string::npos);
}

TEST_P(LicenceServiceTest, BadRequestsNameEveryField) {
  if (db_ == nullptr) return;
  IssueRequest r = BusinessLicence();
  r.holder_id = "91431128MB1711648B";
  r.holder_name = "";
  r.data.erase("name");
  r.data["established"] = "2010-13-01";
  r.data["colour"] = "red";
  r.issuer = "431128-wjj";
  auto l = service_->Issue(r);
  ASSERT_FALSE(l.ok());
  std::vector<std::string> fields;
  for (const auto& f : l.error().fields()) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"issuer", "holder_id", "holder_name", "data.name",
                                              "data.established", "data.colour"}));
  r = BusinessLicence();
  r.type_code = "11100000000013338W099";
  EXPECT_EQ(service_->Issue(r).error().fields().at(0).field, "type_code");
}

TEST_P(LicenceServiceTest, AlteredForgedAndForeignLicencesFailWithTheReason) {
  if (db_ == nullptr) return;
  const Licence l = service_->Issue(BusinessLicence()).value();

  // An altered field.
  auto doc = nlohmann::json::parse(l.signed_licence.document);
  doc["data"]["capital"] = "5000万元";
  SignedLicence altered = l.signed_licence;
  altered.document = Canonicalize(doc).value();
  auto v = service_->Verify(altered).value();
  EXPECT_EQ(v.outcome, VerifyOutcome::kAltered);
  EXPECT_EQ(v.altered_fields, std::vector<std::string>{"data.capital"});
  EXPECT_NE(v.reason.find("data.capital"), std::string::npos) << v.reason;

  // A signature by a key that is not the certificate's.
  SignedLicence forged = l.signed_licence;
  auto other = crypto::Sm2Key::Generate().value();
  forged.signature = crypto::ToHex(other.Sign(forged.document).value());
  EXPECT_EQ(service_->Verify(forged).value().outcome, VerifyOutcome::kForgedSignature);

  // A licence signed with a self-made certificate: an unknown issuer.
  const Timestamp now = clock_.Now();
  const std::string fake_root = keys::IssueCertificate(other, "",
                                                       {.common_name = "tongban root",
                                                        .organization = "root",
                                                        .public_pem = other.PublicPem().value(),
                                                        .serial = 1,
                                                        .not_before = now,
                                                        .not_after = now + std::chrono::days(9),
                                                        .is_ca = true})
                                    .value();
  SignedLicence foreign{.document = l.signed_licence.document,
                        .signature = crypto::ToHex(other.Sign(l.signed_licence.document).value()),
                        .certificate = fake_root};
  EXPECT_EQ(service_->Verify(foreign).value().outcome, VerifyOutcome::kUnknownIssuer);

  // Signed by another department's genuine key.
  auto wjj = keys_->ActiveKey({.code = "431128-wjj", .name = "新田县卫生健康局"}).value();
  SignedLicence wrong_department{
      .document = l.signed_licence.document,
      .signature = crypto::ToHex(wjj.key.Sign(l.signed_licence.document).value()),
      .certificate = wjj.certificate.certificate_pem};
  EXPECT_EQ(service_->Verify(wrong_department).value().outcome, VerifyOutcome::kForgedSignature);

  // The register's copy altered behind the service's back.
  std::string tampered = l.signed_licence.document;
  tampered.replace(tampered.find("张三"), std::string("张三").size(), "王五");
  ASSERT_TRUE(db_->Transaction(store::TxKind::kWrite,
                               [&](soci::session& sql) -> Status {
                                 sql << "UPDATE licence SET document = :d WHERE id = :id",
                                     soci::use(tampered), soci::use(l.id);
                                 return Ok();
                               })
                  .ok());
  auto t = service_->VerifyById(l.id).value();
  EXPECT_EQ(t.outcome, VerifyOutcome::kAltered) << t.reason;
  // And the genuine copy, presented, now disagrees with the register on that field.
  auto g = service_->Verify(l.signed_licence).value();
  EXPECT_EQ(g.outcome, VerifyOutcome::kAltered);
  EXPECT_EQ(g.altered_fields, std::vector<std::string>{"data.legal_representative"});
}

TEST_P(LicenceServiceTest, RevokeRenewReissueAndExpiry) {
  if (db_ == nullptr) return;
  IssueRequest r{.type_code = "11100000000013338W014",
                 .holder_id = "431128199001010037",
                 .holder_name = "李四",
                 .issuer = "431128-cl",
                 .data = {{"category", "肢体残疾"}, {"level", 2}, {"sex", "男"}},
                 .valid_from = std::nullopt,
                 .case_id = "",
                 .actor = "system"};
  const Licence first = service_->Issue(r).value();
  EXPECT_EQ(first.valid_until->ToString(), "2036-03-01");
  // The trace names a person holder by the masked ID number only (a USCC stays: it is public).
  const auto issued = trace_->Read("licence/" + first.id, 0, 10).value().at(0);
  EXPECT_EQ(issued.action, "licence.issued");
  EXPECT_EQ(issued.payload.find("431128199001010037"), std::string::npos) << issued.payload;
  EXPECT_NE(issued.payload.find("\"holder\":\"4311**********0037\""), std::string::npos)
      << issued.payload;

  const Licence renewed = service_->Renew(first.id, "acct-1").value();
  EXPECT_EQ(renewed.version, 2);
  EXPECT_EQ(renewed.previous_id, first.id);
  EXPECT_NE(renewed.id.find(".002."), std::string::npos);
  auto old = service_->VerifyById(first.id).value();
  EXPECT_EQ(old.outcome, VerifyOutcome::kSuperseded);
  EXPECT_NE(old.reason.find(renewed.id), std::string::npos);
  EXPECT_EQ(service_->Renew(first.id, "acct-1").error().code(), ErrorCode::kConflict);

  const Licence reissued =
      service_->Reissue(renewed.id, {{"level", 1}}, "等级变更", "acct-1").value();
  EXPECT_EQ(reissued.version, 3);
  EXPECT_EQ(reissued.data["level"], 1);
  EXPECT_EQ(reissued.valid_until, renewed.valid_until);
  EXPECT_EQ(service_->Reissue(reissued.id, {{"level", "一级"}}, "", "acct-1")
                .error()
                .fields()
                .at(0)
                .field,
            "data.level");

  EXPECT_FALSE(service_->Revoke(reissued.id, "", "acct-1").ok());
  // At most 200 characters, whatever their bytes: 201 ASCII letters are refused.
  EXPECT_FALSE(service_->Revoke(reissued.id, std::string(201, 'x'), "acct-1").ok());
  const Licence revoked = service_->Revoke(reissued.id, "证件遗失后补办", "acct-1").value();
  EXPECT_EQ(revoked.status, LicenceStatus::kRevoked);
  auto v = service_->VerifyById(reissued.id).value();
  EXPECT_EQ(v.outcome, VerifyOutcome::kRevoked);
  EXPECT_NE(v.reason.find("证件遗失后补办"), std::string::npos);
  EXPECT_EQ(service_->Revoke(reissued.id, "again", "acct-1").error().code(), ErrorCode::kConflict);
  auto events = trace_->Read("licence/" + reissued.id, 0, 10).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].action, "licence.revoked");
  EXPECT_EQ(events[1].actor, "acct-1");

  // Expiry.
  clock_.Advance(std::chrono::days(3660));
  auto expired = service_->VerifyById(first.id).value();
  EXPECT_EQ(expired.outcome, VerifyOutcome::kSuperseded);
  const Licence renewed_late = service_->Issue(r).value();
  clock_.Advance(std::chrono::days(3653));
  auto e = service_->VerifyById(renewed_late.id).value();
  EXPECT_EQ(e.outcome, VerifyOutcome::kExpired) << e.reason;
  EXPECT_EQ(service_->VerifyById("1.2.156.3005.2.nope").value().outcome, VerifyOutcome::kNotFound);
  // Key rotation: what the old key signed still verifies.
  (void)keys_->Rotate({.code = "431128-cl", .name = "新田县残疾人联合会"}).value();
  clock_.Set(kStart + std::chrono::days(3661));
  EXPECT_EQ(service_->VerifyById(renewed_late.id).value().outcome, VerifyOutcome::kValid);
}

TEST_P(LicenceServiceTest, PrintsAPdfWithAnEmbeddedCjkFont) {
  if (db_ == nullptr) return;
  const Licence l = service_->Issue(BusinessLicence()).value();
  const LicenceType type = service_->GetType(l.type_code).value();
  const std::string pdf = RenderPdf(l, type, "https://tongban.example/verify/" + l.id).value();
  ASSERT_GT(pdf.size(), 1000u);
  EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
  // cairo embeds a subset of the CJK font, named "<6 letters>+NotoSerifCJKsc-…".
  EXPECT_NE(pdf.find("NotoSerifCJK"), std::string::npos);
  EXPECT_NE(pdf.find("NotoSansCJK"), std::string::npos);
  EXPECT_NE(pdf.find("/FontFile3"), std::string::npos);  // an embedded CFF font program
  TempDirForPdf dir;
  // What the PDF says, as poppler reads it (poppler-utils is a test package): the holder, the
  // licence identifier and the issuer; the seal (drawn, with its purpose) and the QR code's
  // caption.
  const std::string file = dir.path + "/printed.pdf";
  std::ofstream(file, std::ios::binary) << pdf;
  ASSERT_EQ(Shell("pdftotext -enc UTF-8 " + file + " -", dir.path + "/text"), 0);
  const std::string text = ReadFile(dir.path + "/text");
  EXPECT_NE(text.find("新田县自来水有限公司"), std::string::npos) << text;
  EXPECT_NE(text.find(l.id), std::string::npos) << text;
  EXPECT_NE(text.find("新田县市场监督管理局"), std::string::npos) << text;
  EXPECT_NE(text.find("电子证照专用章"), std::string::npos) << text;
  EXPECT_NE(text.find("扫码核验真伪"), std::string::npos) << text;
  if (std::system("command -v pdffonts >/dev/null 2>&1") == 0) {
    const std::string path = dir.path + "/licence.pdf";
    std::ofstream(path, std::ios::binary) << pdf;
    const std::string cmd = "pdffonts " + path + " | grep -c 'CJK.*yes' > " + dir.path + "/n";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    std::ifstream n(dir.path + "/n");
    int embedded = 0;
    n >> embedded;
    EXPECT_GE(embedded, 2);
  }
}

// Interoperability with the openssl command, both ways, on a licence itself: the signed bytes
// are the canonical JSON, the signature SM2/SM3 with the distinguishing ID 1234567812345678.
TEST_P(LicenceServiceTest, LicenceSignaturesInteroperateWithTheOpensslCommand) {
  if (db_ == nullptr) return;
  const Licence l = service_->Issue(BusinessLicence()).value();
  TempDirForPdf dir;
  const std::string doc = dir.path + "/document.json", sig = dir.path + "/signature.der",
                    cert = dir.path + "/certificate.pem", pub = dir.path + "/public.pem";
  std::ofstream(doc, std::ios::binary) << l.signed_licence.document;
  std::ofstream(sig, std::ios::binary) << crypto::FromHex(l.signed_licence.signature).value();
  std::ofstream(cert, std::ios::binary) << l.signed_licence.certificate;
  ASSERT_EQ(Shell("openssl x509 -in " + cert + " -pubkey -noout", pub), 0);
  // tongban -> openssl: the licence verifies with the identifier, and not without it.
  EXPECT_EQ(Shell("openssl dgst -sm3 -verify " + pub + " -sigopt distid:1234567812345678" +
                  " -signature " + sig + " " + doc),
            0);
  EXPECT_NE(Shell("openssl dgst -sm3 -verify " + pub + " -signature " + sig + " " + doc), 0);

  // openssl -> tongban: the department's key signs the same document with the openssl
  // command; tongban accepts that signature, and refuses one made without the identifier.
  const keys::SigningKey key =
      keys_->ActiveKey({.code = "431128-scjgj", .name = "新田县市场监督管理局"}).value();
  const std::string private_pem = dir.path + "/key.pem";
  std::ofstream(private_pem, std::ios::binary) << key.key.PrivatePem().value();
  const std::string by_openssl = dir.path + "/by-openssl.der";
  ASSERT_EQ(Shell("openssl dgst -sm3 -sign " + private_pem +
                  " -sigopt distid:1234567812345678 -out " + by_openssl + " " + doc),
            0);
  SignedLicence presented = l.signed_licence;
  presented.signature = crypto::ToHex(ReadFile(by_openssl));
  ASSERT_NE(presented.signature, l.signed_licence.signature);  // SM2 signatures are randomised
  auto v = service_->Verify(presented);
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ(v->outcome, VerifyOutcome::kValid) << v->reason;
  ASSERT_EQ(Shell("openssl dgst -sm3 -sign " + private_pem + " -out " + by_openssl + " " + doc), 0);
  presented.signature = crypto::ToHex(ReadFile(by_openssl));
  v = service_->Verify(presented);
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  EXPECT_EQ(v->outcome, VerifyOutcome::kForgedSignature) << v->reason;
}

INSTANTIATE_TEST_SUITE_P(Backends, LicenceServiceTest,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::licences
