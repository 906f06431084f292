#include <openssl/evp.h>
#include <openssl/pem.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/clock.h"
#include "crypto/sm2.h"
#include "keys/certificate.h"
#include "keys/key_store.h"
#include "keys/master_key.h"
#include "store/testing.h"

namespace tongban::keys {
namespace {

using store::Backend;
using store::testing::TempDatabase;

const Timestamp kStart = StartOfDayInChina(Date::Parse("2026-03-02").value());

// A scratch directory for the openssl command's files, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "keys_test.XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& bytes) const {
    const std::string p = path_ + "/" + name;
    std::ofstream(p, std::ios::binary) << bytes;
    return p;
  }
  std::string Read(const std::string& name) const {
    std::ifstream in(path_ + "/" + name, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs a shell command quietly; its exit status.
int Shell(const std::string& command) {
  const int rc = std::system((command + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

// An SM2 signature made the way a careless caller would: SM3 digest-sign WITHOUT setting the
// distinguishing identifier (OpenSSL 3.0 then uses an empty one).
std::string SignWithoutId(const crypto::Sm2Key& key, const std::string& message) {
  const std::string pem = key.PrivatePem().value();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  std::string sig(128, '\0');
  EVP_DigestSignInit(ctx, nullptr, EVP_sm3(), nullptr, pkey);
  EVP_DigestSignUpdate(ctx, message.data(), message.size());
  len = sig.size();
  EVP_DigestSignFinal(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len);
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return sig;
}

TEST(MasterKeyRing, WrapsAndUnwrapsBoundToItsContext) {
  auto ring = MasterKeyRing::Generate("m1").value();
  const std::string wrapped = ring.Wrap("secret key", "key-a").value();
  EXPECT_EQ(MasterKeyRing::KeyIdOf(wrapped), "m1");
  EXPECT_EQ(ring.Unwrap(wrapped, "key-a").value(), "secret key");
  EXPECT_EQ(ring.Unwrap(wrapped, "key-b").error().code(), ErrorCode::kIntegrity);
  std::string altered = wrapped;
  altered.back() = altered.back() == '0' ? '1' : '0';
  EXPECT_EQ(ring.Unwrap(altered, "key-a").error().code(), ErrorCode::kIntegrity);
  auto other = MasterKeyRing::Generate("m2").value();
  EXPECT_EQ(other.Unwrap(wrapped, "key-a").error().code(), ErrorCode::kNotFound);
}

TEST(MasterKeyRing, ParsesItsFileAndNamesTheBadLine) {
  auto ring = MasterKeyRing::Generate("m1").value();
  auto back = MasterKeyRing::Parse(ring.ToText()).value();
  EXPECT_EQ(back.current_id(), "m1");
  EXPECT_EQ(back.Unwrap(ring.Wrap("x", "c").value(), "c").value(), "x");
  auto bad = MasterKeyRing::Parse("m1 " + std::string(64, 'a') + "\nm2 abcd\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("line 2"), std::string::npos) << bad.error().message();
  EXPECT_FALSE(MasterKeyRing::Parse("# nothing\n").ok());
}

TEST(Certificate, RootCertifiesADepartmentKey) {
  auto root = crypto::Sm2Key::Generate().value();
  auto dept = crypto::Sm2Key::Generate().value();
  CertificateRequest root_request{.common_name = "tongban root",
                                  .organization = "root",
                                  .public_pem = root.PublicPem().value(),
                                  .serial = 1,
                                  .not_before = kStart,
                                  .not_after = kStart + std::chrono::days(3650),
                                  .is_ca = true};
  const std::string root_pem = IssueCertificate(root, "", root_request).value();
  CertificateRequest dept_request{.common_name = "新田县市场监督管理局",
                                  .organization = "431128-scjgj",
                                  .public_pem = dept.PublicPem().value(),
                                  .serial = 2,
                                  .not_before = kStart,
                                  .not_after = kStart + std::chrono::days(365),
                                  .is_ca = false};
  const std::string dept_pem = IssueCertificate(root, root_pem, dept_request).value();

  EXPECT_TRUE(IsSignedBy(root_pem, root_pem).value());
  EXPECT_TRUE(IsSignedBy(dept_pem, root_pem).value());
  EXPECT_FALSE(IsSignedBy(root_pem, dept_pem).value());
  auto info = ReadCertificate(dept_pem).value();
  EXPECT_EQ(info.subject_common_name, "新田县市场监督管理局");
  EXPECT_EQ(info.subject_organization, "431128-scjgj");
  EXPECT_EQ(info.issuer_common_name, "tongban root");
  EXPECT_EQ(info.serial, 2);
  EXPECT_EQ(info.not_before, kStart);
  EXPECT_FALSE(info.is_ca);
  EXPECT_TRUE(ReadCertificate(root_pem).value().is_ca);
  EXPECT_EQ(info.public_key.id(), dept.id());

  // A certificate signed by another root with the same name does not chain to this one.
  auto impostor = crypto::Sm2Key::Generate().value();
  root_request.public_pem = impostor.PublicPem().value();
  const std::string impostor_root = IssueCertificate(impostor, "", root_request).value();
  const std::string forged = IssueCertificate(impostor, impostor_root, dept_request).value();
  EXPECT_FALSE(IsSignedBy(forged, root_pem).value());
  EXPECT_EQ(IsSignedBy("junk", root_pem).error().code(), ErrorCode::kInvalidArgument);

  // The openssl command accepts the chain when told the same identifier.
  TempDir dir;
  const std::string ca = dir.Write("root.pem", root_pem);
  const std::string leaf = dir.Write("dept.pem", dept_pem);
  EXPECT_EQ(Shell("openssl verify -attime " +
                  std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                     (kStart + std::chrono::days(1)).time_since_epoch())
                                     .count()) +
                  " -vfyopt distid:1234567812345678 -CAfile " + ca + " " + leaf),
            0);
}

class Sm2Interop : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = crypto::Sm2Key::Generate().value();
    dir_.Write("key.pem", key_.PrivatePem().value());
    dir_.Write("pub.pem", key_.PublicPem().value());
    dir_.Write("message", message_);
  }
  std::string P(const std::string& name) const { return dir_.path() + "/" + name; }

  crypto::Sm2Key key_;
  TempDir dir_;
  const std::string message_ = R"({"holder":"张三","type":"营业执照"})";
};

TEST_F(Sm2Interop, TongbanSignatureVerifiesWithTheOpensslCommand) {
  dir_.Write("sig", key_.Sign(message_).value());
  EXPECT_EQ(
      Shell("openssl pkeyutl -verify -pubin -inkey " + P("pub.pem") + " -rawin -digest sm3" +
            " -pkeyopt distid:1234567812345678 -in " + P("message") + " -sigfile " + P("sig")),
      0);
  EXPECT_EQ(Shell("openssl dgst -sm3 -verify " + P("pub.pem") +
                  " -sigopt distid:1234567812345678 -signature " + P("sig") + " " + P("message")),
            0);
  // Without the identifier the openssl command refuses it: the ID really is in the signature.
  EXPECT_NE(Shell("openssl dgst -sm3 -verify " + P("pub.pem") + " -signature " + P("sig") + " " +
                  P("message")),
            0);
  // And an altered message fails.
  dir_.Write("message2", message_ + " ");
  EXPECT_NE(Shell("openssl dgst -sm3 -verify " + P("pub.pem") +
                  " -sigopt distid:1234567812345678 -signature " + P("sig") + " " + P("message2")),
            0);
}

TEST_F(Sm2Interop, OpensslCommandSignatureVerifiesInTongban) {
  ASSERT_EQ(Shell("openssl dgst -sm3 -sign " + P("key.pem") +
                  " -sigopt distid:1234567812345678 -out " + P("sig") + " " + P("message")),
            0);
  EXPECT_TRUE(key_.Verify(message_, dir_.Read("sig")).value());
  EXPECT_FALSE(key_.Verify(message_ + " ", dir_.Read("sig")).value());
  ASSERT_EQ(Shell("openssl dgst -sm3 -sign " + P("key.pem") + " -out " + P("sig-noid") + " " +
                  P("message")),
            0);
  EXPECT_FALSE(key_.Verify(message_, dir_.Read("sig-noid")).value());
}

TEST_F(Sm2Interop, SignatureWithoutTheIdDoesNotVerify) {
  const std::string sig = SignWithoutId(key_, message_);
  ASSERT_FALSE(sig.empty());
  EXPECT_FALSE(key_.Verify(message_, sig).value());
  EXPECT_TRUE(key_.Verify(message_, key_.Sign(message_).value()).value());
}

class KeyStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    temp_ = TempDatabase::Create(GetParam());
    if (temp_ == nullptr) return;
    db_ = temp_->Open();
    const store::MigrationSet* sets[] = {&KeysMigrations()};
    ASSERT_TRUE(db_->Migrate(sets).ok());
  }

  std::unique_ptr<TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  FakeClock clock_{kStart};
  MasterKeyRing ring_ = MasterKeyRing::Generate("m1").value();
};

TEST_P(KeyStoreTest, DepartmentKeysChainToTheRootAndRotate) {
  if (db_ == nullptr) return;
  KeyStore keys(*db_, ring_, clock_);
  const Department scjgj{.code = "431128-scjgj", .name = "新田县市场监督管理局"};
  auto first = keys.ActiveKey(scjgj).value();
  auto root = keys.Root().value();
  EXPECT_EQ(root.owner, "root");
  EXPECT_TRUE(IsSignedBy(first.certificate.certificate_pem, root.certificate_pem).value());
  EXPECT_EQ(keys.ActiveKey(scjgj).value().key.id(), first.key.id());
  // A second store on the same database finds the same keys (nothing kept only in memory).
  KeyStore again(*db_, ring_, clock_);
  EXPECT_EQ(again.ActiveKey(scjgj).value().key.id(), first.key.id());
  EXPECT_EQ(again.Root().value().key_id, root.key_id);

  auto rotated = keys.Rotate(scjgj).value();
  EXPECT_NE(rotated.key_id, first.key.id());
  EXPECT_EQ(keys.ActiveKey(scjgj).value().key.id(), rotated.key_id);
  auto old = keys.Certificate(first.key.id()).value();
  EXPECT_EQ(old.status, KeyStatus::kRetired);
  EXPECT_TRUE(IsSignedBy(old.certificate_pem, root.certificate_pem).value());
  EXPECT_EQ(keys.List().value().size(), 3u);
  EXPECT_EQ(keys.Certificate("nope").error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(keys.ActiveKey({.code = "root", .name = "x"}).error().code(),
            ErrorCode::kInvalidArgument);
}

// `tongban licence keys rotate` runs beside a serving process: the server's cached key is
// retired in the database, and it must sign with the new key from then on, never the old one.
TEST_P(KeyStoreTest, ARotationByAnotherProcessRetiresTheCachedKey) {
  if (db_ == nullptr) return;
  const Department wjj{.code = "431128-wjj", .name = "新田县卫生健康局"};
  KeyStore server(*db_, ring_, clock_);
  const std::string before = server.ActiveKey(wjj).value().key.id();
  ASSERT_EQ(server.ActiveKey(wjj).value().key.id(), before);  // now cached
  KeyStore cli(*db_, ring_, clock_);
  const std::string rotated = cli.Rotate(wjj).value().key_id;
  ASSERT_NE(rotated, before);
  auto after = server.ActiveKey(wjj);
  ASSERT_TRUE(after.ok()) << after.error().ToString();
  EXPECT_EQ(after->key.id(), rotated);
  EXPECT_EQ(after->certificate.key_id, rotated);
  EXPECT_EQ(after->certificate.status, KeyStatus::kActive);
  EXPECT_EQ(server.ActiveKey(wjj).value().key.id(), rotated);
}

// A case step seals in its own transaction (ActiveKey(sql, …)): a key created by a transaction
// that then rolls back is cached, but never used again, since every use first checks the
// database names it active. The root certificate is read without any master key.
TEST_P(KeyStoreTest, AKeyCreatedInATransactionThatRollsBackIsNeverUsed) {
  if (db_ == nullptr) return;
  const Department wjj{.code = "431128-wjj", .name = "新田县卫生健康局"};
  KeyStore keys(*db_, ring_, clock_);
  EXPECT_EQ(keys.RootCertificate().error().code(), ErrorCode::kNotFound);
  std::string rolled_back;
  auto tx = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    auto k = keys.ActiveKey(sql, wjj);
    if (!k.ok()) return k.error();
    rolled_back = k->key.id();
    EXPECT_EQ(keys.ActiveKey(sql, wjj).value().key.id(), rolled_back);  // same transaction
    return Error(ErrorCode::kConflict, "the step fails after sealing");
  });
  ASSERT_FALSE(tx.ok());
  ASSERT_EQ(tx.error().code(), ErrorCode::kConflict);
  ASSERT_FALSE(rolled_back.empty());
  ASSERT_TRUE(keys.Cached(wjj.code).has_value());  // stale, and so checked before any use
  EXPECT_EQ(keys.Certificate(rolled_back).error().code(), ErrorCode::kNotFound);
  std::string committed;
  ASSERT_TRUE(db_->Transaction(store::TxKind::kWrite,
                               [&](soci::session& sql) -> Status {
                                 auto k = keys.ActiveKey(sql, wjj);
                                 if (!k.ok()) return k.error();
                                 committed = k->key.id();
                                 return Ok();
                               })
                  .ok());
  EXPECT_NE(committed, rolled_back);
  EXPECT_EQ(keys.ActiveKey(wjj).value().key.id(), committed);
  EXPECT_EQ(keys.Cached(wjj.code)->key.id(), committed);
  // Verifiers read the root certificate with a ring that cannot unwrap anything.
  const MasterKeyRing other = MasterKeyRing::Generate("other").value();
  KeyStore verifier(*db_, other, clock_);
  auto root = verifier.RootCertificate();
  ASSERT_TRUE(root.ok()) << root.error().ToString();
  EXPECT_EQ(root->key_id, keys.Root().value().key_id);
  EXPECT_TRUE(IsSignedBy(keys.Certificate(committed).value().certificate_pem, root->certificate_pem)
                  .value());
}

TEST_P(KeyStoreTest, RewrapMovesEveryKeyToTheNewMasterKey) {
  if (db_ == nullptr) return;
  const Department dept{.code = "431128-wjj", .name = "新田县卫生健康局"};
  std::string key_id;
  {
    KeyStore keys(*db_, ring_, clock_);
    key_id = keys.ActiveKey(dept).value().key.id();
  }
  auto both = MasterKeyRing::Parse(ring_.ToText()).value();
  auto m2 = MasterKeyRing::Generate("m2").value();
  const std::string m2_line = m2.ToText().substr(m2.ToText().find("\nm2 ") + 1);
  both = MasterKeyRing::Parse(ring_.ToText() + m2_line).value();
  ASSERT_EQ(both.current_id(), "m2");
  {
    KeyStore keys(*db_, both, clock_);
    EXPECT_EQ(keys.Rewrap().value(), 2);  // the root and the department
    EXPECT_EQ(keys.Rewrap().value(), 0);
    const auto all = keys.List().value();
    for (const auto& c : all) EXPECT_EQ(c.master_key_id, "m2");
  }
  {
    KeyStore only_new(*db_, m2, clock_);
    EXPECT_EQ(only_new.ActiveKey(dept).value().key.id(), key_id);
  }
  {
    KeyStore only_old(*db_, ring_, clock_);
    EXPECT_EQ(only_old.ActiveKey(dept).error().code(), ErrorCode::kNotFound);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, KeyStoreTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::keys
