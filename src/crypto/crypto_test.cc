// SM3 against the standard's vectors; SM2 round trips, tampering, wrong keys, PEM, and a
// signature made by the openssl command line with the default identifier.
#include <gtest/gtest.h>

#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "crypto/sm4.h"

namespace tongban::crypto {
namespace {

TEST(Sm3, MatchesTheStandardsExamples) {
  // GB/T 32905-2016, appendix A.
  EXPECT_EQ(Sm3Hex("abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
  std::string sixty_four;
  for (int i = 0; i < 16; ++i) sixty_four += "abcd";
  EXPECT_EQ(Sm3Hex(sixty_four), "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732");
  EXPECT_EQ(Sm3("abc").size(), 32u);
  EXPECT_NE(Sm3Hex("abc"), Sm3Hex("abd"));
}

TEST(Sm4, CtrMatchesTheStandardsBlock) {
  // GB/T 32907-2016 appendix A: E(K, P) with K = P = 0123456789abcdeffedcba9876543210 is
  // 681edf34d206965e86b3e94f536e4246; CTR's first block is P xor E(K, IV), so IV = P and a
  // zero block gives that ciphertext.
  auto raw = FromHex("0123456789abcdeffedcba9876543210");
  ASSERT_TRUE(raw.ok());
  Sm4Key key{};
  Sm4Iv iv{};
  std::copy(raw->begin(), raw->end(), key.begin());
  std::copy(raw->begin(), raw->end(), iv.begin());
  EXPECT_EQ(ToHex(Sm4Ctr(key, iv, std::string(16, '\0'))), "681edf34d206965e86b3e94f536e4246");
  EXPECT_EQ(Sm4Ctr(key, iv, Sm4Ctr(key, iv, "13812345678")), "13812345678");
}

TEST(HmacSm3, MatchesTheOpensslCommand) {
  // printf 'what do ya want for nothing?' | openssl dgst -sm3 -hmac Jefe
  EXPECT_EQ(ToHex(HmacSm3("Jefe", "what do ya want for nothing?")),
            "2e87f1d16862e6d964b50a5200bf2b10b764faa9680a296a2405f24bec39f882");
  const HmacSm3Key jefe("Jefe");
  EXPECT_EQ(ToHex(jefe.Mac("what do ya want for nothing?")),
            "2e87f1d16862e6d964b50a5200bf2b10b764faa9680a296a2405f24bec39f882");
  EXPECT_EQ(ToHex(jefe.Mac("what do ya ", "want for nothing?")),
            "2e87f1d16862e6d964b50a5200bf2b10b764faa9680a296a2405f24bec39f882");
}

TEST(Sm4Seal, OpensWhatItSealedAndRefusesTampering) {
  Sm4Key key{};
  key.fill(7);
  const HmacSm3Key mac("mac-key");
  const HmacSm3Key other("other");
  std::string sealed = Sm4Seal(key, mac, "k1/id_number", "430111199001011234");
  EXPECT_EQ(sealed.size(), 16u + 18u + 16u);
  auto opened = Sm4Open(key, mac, "k1/id_number", sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "430111199001011234");
  // Two seals of one value differ (random IV).
  EXPECT_NE(Sm4Seal(key, mac, "k1/id_number", "x"), Sm4Seal(key, mac, "k1/id_number", "x"));
  std::string flipped = sealed;
  flipped[20] ^= 1;
  EXPECT_EQ(Sm4Open(key, mac, "k1/id_number", flipped).error().code(), ErrorCode::kIntegrity);
  EXPECT_FALSE(Sm4Open(key, mac, "k1/phone", sealed).ok());
  EXPECT_FALSE(Sm4Open(key, other, "k1/id_number", sealed).ok());
  EXPECT_FALSE(Sm4Open(key, mac, "k1/id_number", sealed.substr(0, 20)).ok());
}

TEST(Hex, RoundTripsAndRefusesBadDigits) {
  const std::string bytes("\x00\x7f\x80\xff", 4);
  EXPECT_EQ(ToHex(bytes), "007f80ff");
  auto back = FromHex("007F80ff");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, bytes);
  EXPECT_FALSE(FromHex("abc").ok());
  EXPECT_FALSE(FromHex("zz").ok());
}

TEST(Base64, DecodesRfc4648AndRefusesWhatIsNot) {
  // RFC 4648 §10's test vectors.
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"Zg==", "f"},
                                                         {"Zm8=", "fo"},
                                                         {"Zm9v", "foo"},
                                                         {"Zm9vYg==", "foob"},
                                                         {"Zm9vYmE=", "fooba"},
                                                         {"Zm9vYmFy", "foobar"}};
  for (const auto& [text, bytes] : vectors) {
    auto got = FromBase64(text);
    ASSERT_TRUE(got.ok()) << text;
    EXPECT_EQ(*got, bytes) << text;
  }
  auto binary = FromBase64("AH+A/w==");
  ASSERT_TRUE(binary.ok());
  EXPECT_EQ(*binary, std::string("\x00\x7f\x80\xff", 4));
  for (const char* bad : {"Zg", "Zg=", "Z===", "Zm9v\nYmFy", "Zm-_", "Z=g=", "===="}) {
    EXPECT_FALSE(FromBase64(bad).ok()) << bad;
  }
}

class Sm2 : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = Sm2Key::Generate();
    ASSERT_TRUE(k.ok()) << k.error().ToString();
    key_ = std::move(k).value();
  }
  Sm2Key key_;
};

TEST_F(Sm2, SignsAndVerifies) {
  auto sig = key_.Sign("checkpoint 1");
  ASSERT_TRUE(sig.ok()) << sig.error().ToString();
  EXPECT_TRUE(*key_.Verify("checkpoint 1", *sig));
  EXPECT_FALSE(*key_.Verify("checkpoint 2", *sig));
  EXPECT_EQ(key_.id().size(), 64u);
}

TEST_F(Sm2, AFlippedBitFailsVerification) {
  auto sig = key_.Sign("heads");
  ASSERT_TRUE(sig.ok());
  for (size_t i : {size_t{0}, sig->size() / 2, sig->size() - 1}) {
    std::string bad = *sig;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    auto ok = key_.Verify("heads", bad);
    ASSERT_TRUE(ok.ok());
    EXPECT_FALSE(*ok) << "byte " << i;
  }
  std::string message = "heads";
  message[0] ^= 0x20;
  EXPECT_FALSE(*key_.Verify(message, *sig));
  EXPECT_FALSE(*key_.Verify("heads", ""));
  EXPECT_FALSE(*key_.Verify("heads", "not a signature"));
}

TEST_F(Sm2, AWrongKeyFailsVerification) {
  auto other = Sm2Key::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->id(), key_.id());
  auto sig = key_.Sign("heads");
  ASSERT_TRUE(sig.ok());
  EXPECT_FALSE(*other->Verify("heads", *sig));
}

TEST_F(Sm2, PemRoundTripKeepsTheKey) {
  auto priv = key_.PrivatePem();
  auto pub = key_.PublicPem();
  ASSERT_TRUE(priv.ok() && pub.ok());
  EXPECT_NE(priv->find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  EXPECT_NE(pub->find("-----BEGIN PUBLIC KEY-----"), std::string::npos);

  auto loaded = Sm2Key::FromPrivatePem(*priv);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_TRUE(loaded->has_private_key());
  EXPECT_EQ(loaded->id(), key_.id());
  auto public_only = Sm2Key::FromPem(*pub);
  ASSERT_TRUE(public_only.ok()) << public_only.error().ToString();
  EXPECT_FALSE(public_only->has_private_key());
  EXPECT_EQ(public_only->id(), key_.id());

  // Signed with the reloaded private key, verified with the public key alone.
  auto sig = loaded->Sign("restored");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(*public_only->Verify("restored", *sig));
  auto refused = public_only->Sign("x");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kCrypto);
  EXPECT_FALSE(public_only->PrivatePem().ok());
}

TEST(Sm2Pem, RefusesGarbageAndOtherKeyTypes) {
  auto garbage = Sm2Key::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code(), ErrorCode::kCrypto);
  // A P-256 (prime256v1) public key is an EC key, not SM2.
  auto p256 = Sm2Key::FromPublicPem(
      "-----BEGIN PUBLIC KEY-----\n"
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEdRpX4w+pOLFapfnDPKhG0qcVDG5o\n"
      "GAH5afxcdFWW+CCnHioCglo0BXbfqdNs7akQiSOTmYWEAavOWKW5lh+noQ==\n"
      "-----END PUBLIC KEY-----\n");
  ASSERT_FALSE(p256.ok());
  EXPECT_EQ(p256.error().code(), ErrorCode::kCrypto);
}

// Made with: openssl pkeyutl -sign -rawin -digest sm3 -pkeyopt distid:1234567812345678.
// OpenSSL 3.0's command line uses an empty identifier unless told, so this vector only
// verifies when Verify() uses the standard default identifier.
TEST(Sm2Interop, VerifiesAnOpensslSignatureWithTheDefaultIdentifier) {
  auto pub = Sm2Key::FromPublicPem(
      "-----BEGIN PUBLIC KEY-----\n"
      "MFkwEwYHKoZIzj0CAQYIKoEcz1UBgi0DQgAEbxz7ZH12KJcl2Z78lJ8nWNknN43t\n"
      "UZxsUFEn4YDHuR5LU10cSSa5zrEqQ95P84LlJ1OENvB01SNrvDNZxlnvyQ==\n"
      "-----END PUBLIC KEY-----\n");
  ASSERT_TRUE(pub.ok()) << pub.error().ToString();
  auto sig = FromHex(
      "30440220259534d300572a8c3097de216c849fe785f675edf00c19486a9f280a42fc91170220050c840a1130"
      "d7a506914cef8faff7e1c248752e8e63385c8015c63950f74256");
  ASSERT_TRUE(sig.ok());
  EXPECT_TRUE(*pub->Verify("tongban checkpoint", *sig));
  EXPECT_FALSE(*pub->Verify("tongban checkpoinT", *sig));
}

}  // namespace
}  // namespace tongban::crypto
