// Secrets and passwords: shapes, and that stored forms reveal nothing.
#include "people/secrets.h"

#include <gtest/gtest.h>

#include <set>

#include "people/password.h"

namespace tongban::people {
namespace {

TEST(Token, Is32RandomBytesInBase64Url) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const std::string t = NewToken();
    EXPECT_EQ(t.size(), 43u);
    EXPECT_TRUE(LooksLikeToken(t)) << t;
    EXPECT_EQ(t.find_first_of("+/="), std::string::npos);
    seen.insert(t);
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_FALSE(LooksLikeToken("short"));
  EXPECT_FALSE(LooksLikeToken(std::string(43, '+')));
}

TEST(Token, StoredAsSha256Hex) {
  // SHA-256("abc"), FIPS 180-2 test vector.
  EXPECT_EQ(HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string t = NewToken();
  EXPECT_EQ(HashToken(t).size(), 64u);
  EXPECT_EQ(HashToken(t).find(t), std::string::npos);
}

TEST(SmsCode, SixDigitsAndASaltedHash) {
  for (int i = 0; i < 50; ++i) {
    const std::string c = NewSmsCode();
    ASSERT_EQ(c.size(), 6u);
    for (char ch : c) EXPECT_TRUE(ch >= '0' && ch <= '9');
  }
  const std::string salt = NewSalt();
  EXPECT_EQ(salt.size(), 32u);
  const std::string h = HashSmsCode("123456", "13800000001", salt);
  EXPECT_EQ(h, HashSmsCode("123456", "13800000001", salt));
  EXPECT_NE(h, HashSmsCode("123457", "13800000001", salt));
  EXPECT_NE(h, HashSmsCode("123456", "13800000002", salt));
  EXPECT_NE(h, HashSmsCode("123456", "13800000001", NewSalt()));
  EXPECT_EQ(h.find("123456"), std::string::npos);
}

TEST(Ids, SortByCreationTime) {
  const std::string a = NewId("acc_", 1'750'000'000'000);
  const std::string b = NewId("acc_", 1'750'000'000'001);
  EXPECT_EQ(a.size(), 4u + 12u + 16u);
  EXPECT_LT(a, b);
  EXPECT_TRUE(a.starts_with("acc_0197"));
}

TEST(Password, Argon2idHashesVerify) {
  auto h = HashPassword("correct horse 1", PasswordOptions::Cheap());
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_TRUE(h->starts_with("$argon2id$v=19$m=8,t=1,p=1$")) << *h;
  EXPECT_EQ(h->find("correct horse"), std::string::npos);
  EXPECT_TRUE(VerifyPassword(*h, "correct horse 1"));
  EXPECT_FALSE(VerifyPassword(*h, "correct horse 2"));
  EXPECT_FALSE(VerifyPassword("", "correct horse 1"));
  EXPECT_FALSE(VerifyPassword("$argon2id$garbage", "correct horse 1"));
  // Two hashes of one password differ (random salt).
  EXPECT_NE(*h, *HashPassword("correct horse 1", PasswordOptions::Cheap()));
}

TEST(Password, ProductionLimitsAreInteractiveOrBetter) {
  const PasswordOptions p = PasswordOptions::Interactive();
  EXPECT_GE(p.ops_limit, 2u);
  EXPECT_GE(p.mem_limit, 64u << 20);
}

TEST(Password, Policy) {
  EXPECT_EQ(PasswordPolicyViolation("abc1"), "must be at least 8 characters long");
  EXPECT_EQ(PasswordPolicyViolation("abcdefghij"),
            "must mix at least two of letters, digits and other characters");
  EXPECT_EQ(PasswordPolicyViolation("12345678"),
            "must mix at least two of letters, digits and other characters");
  EXPECT_EQ(PasswordPolicyViolation("tongban-demo"), "");
  EXPECT_EQ(PasswordPolicyViolation("abcd1234"), "");
  EXPECT_EQ(PasswordPolicyViolation(std::string(129, 'a') + "1"), "must be at most 128 bytes long");
}

}  // namespace
}  // namespace tongban::people
