// Envelopes: the signature covers every byte of the canonical envelope, the hop stamp binds the
// signature to the time of posting, and the wire format refuses what is not a whole envelope.
#include "xregion/envelope.h"

#include <gtest/gtest.h>

namespace tongban::xregion {
namespace {

Envelope Sample() {
  return {.message_id = "m-1",
          .sender = "430181",
          .receiver = "360926",
          .sequence = 1,
          .timestamp_ms = 1'790'000'000'000,
          .case_ref = "430181-c1",
          .kind = "case.forwarded",
          .body = {{"matter", "M1"}, {"applicant_name", "张三"}}};
}

TEST(Envelope, SignatureVerifiesAndAnAlteredByteDoesNot) {
  auto key = crypto::Sm2Key::Generate();
  ASSERT_TRUE(key.ok());
  auto other = crypto::Sm2Key::Generate();
  ASSERT_TRUE(other.ok());
  auto s = Sign(Sample(), *key);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_TRUE(*VerifySignature(*s, *key));
  EXPECT_FALSE(*VerifySignature(*s, *other));
  // Each field altered alone breaks it.
  SignedEnvelope altered = *s;
  altered.envelope.body["applicant_name"] = "李四";
  EXPECT_FALSE(*VerifySignature(altered, *key));
  altered = *s;
  altered.envelope.sequence = 2;
  EXPECT_FALSE(*VerifySignature(altered, *key));
  altered = *s;
  altered.signature[10] = altered.signature[10] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(*VerifySignature(altered, *key));
  // Member order on the wire does not matter: JCS sorts.
  auto parsed = ParseSigned(SignedText(*s));
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(*VerifySignature(*parsed, *key));
  EXPECT_EQ(*Digest(*parsed), *Digest(*s));
}

TEST(Envelope, HopStampBindsTheSignatureAndTheTime) {
  auto key = crypto::Sm2Key::Generate();
  ASSERT_TRUE(key.ok());
  auto s = Sign(Sample(), *key);
  ASSERT_TRUE(s.ok());
  auto hop = StampHop(*s, "430181", 1'790'000'001'000, *key);
  ASSERT_TRUE(hop.ok());
  EXPECT_TRUE(*VerifyHop(*s, *hop, *key));
  HopStamp moved = *hop;
  moved.at_ms += 1000;  // a replayer cannot refresh the time
  EXPECT_FALSE(*VerifyHop(*s, moved, *key));
  auto wire = ParseWire(WireText({.signed_envelope = *s, .hop = *hop}));
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(wire->hop.at_ms, 1'790'000'001'000);
  EXPECT_TRUE(*VerifyHop(wire->signed_envelope, wire->hop, *key));
}

TEST(Envelope, MalformedAndUnsignedAreRefusedByName) {
  auto bad = ParseWire("[1,2]");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code(), ErrorCode::kMalformedBody);
  EXPECT_TRUE(bad.error().message().starts_with("malformed:"));
  nlohmann::json unsigned_env = {{"envelope", EnvelopeJson(Sample())}};
  auto u = ParseWire(unsigned_env.dump());
  ASSERT_FALSE(u.ok());
  EXPECT_EQ(u.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_TRUE(u.error().message().starts_with("unsigned:"));
  nlohmann::json missing = EnvelopeJson(Sample());
  missing.erase("sequence");
  auto m = ParseWire(nlohmann::json{{"envelope", missing}, {"signature", "00"}}.dump());
  ASSERT_FALSE(m.ok());
  ASSERT_EQ(m.error().fields().size(), 2u);  // the member and the member count
  EXPECT_EQ(m.error().fields()[0].field, "envelope/sequence");
}

}  // namespace
}  // namespace tongban::xregion
