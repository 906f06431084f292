// The people service on SQLite and PostgreSQL: registration with SMS codes, login and lockout,
// tokens, grants with scopes, 三员分立, enterprises and agents; secrets never stored in clear.
#include "people/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include <fmt/format.h>

#include "people/repository.h"
#include "store/testing.h"

namespace tongban::people {

using store::TxKind;
namespace {

using ::testing::HasSubstr;

constexpr int64_t kT0 = 1'750'000'000'000;  // 2025-06-15T15:06:40Z
constexpr char kPassword[] = "s3cret-pass";

// Valid GB 11643 numbers for fictional people (check characters computed).
constexpr char kIdA[] = "431128199001010037";  // 新田县
constexpr char kIdB[] = "430181198504200648";  // 浏阳市
constexpr char kIdC[] = "430181199211080130";
constexpr char kUscc[] = "91431128MA4L0A019K";  // 新田县

std::vector<std::string> Fields(const Error& e) {
  std::vector<std::string> out;
  for (const FieldError& f : e.fields()) out.push_back(f.field + ": " + f.message);
  return out;
}

class PeopleServiceTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    ASSERT_TRUE(db_);
    auto set = PeopleMigrations();
    ASSERT_TRUE(set.ok()) << set.error().ToString();
    const store::MigrationSet* sets[] = {&*set};
    auto migrated = db_->Migrate(sets);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    PeopleOptions options;
    options.password = PasswordOptions::Cheap();
    auto service = PeopleService::Create(*db_, sms_, clock_, options);
    ASSERT_TRUE(service.ok());
    service_ = std::move(service).value();
    ASSERT_TRUE(service_->SeedRoles().ok());
  }

  std::string SendCode(const std::string& phone, CodePurpose purpose = CodePurpose::kRegister) {
    auto sent = service_->RequestSmsCode({phone, purpose});
    EXPECT_TRUE(sent.ok()) << sent.error().ToString();
    return sms_.LatestCode(phone).value_or("");
  }

  Result<Account> Register(const std::string& id_number, const std::string& name,
                           const std::string& phone) {
    const std::string code = SendCode(phone);
    Advance(61'000);  // past the resend interval, for the next registration
    return service_->RegisterCitizen({id_number, name, phone, code, std::string(kPassword)});
  }

  Account Staff(const std::string& username, const std::string& region,
                std::vector<GrantRequest> grants) {
    auto a = service_->BootstrapStaffAccount(
        {.username = username, .name = "测试", .password = kPassword, .region = region},
        std::move(grants));
    EXPECT_TRUE(a.ok()) << a.error().ToString();
    return a.ok() ? *a : Account{};
  }

  Principal LoginAs(LoginMethod method, const std::string& who, const std::string& secret) {
    auto s = service_->Login({method, who, secret});
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    if (!s.ok()) return {};
    auto p = service_->Authenticate(s->token);
    EXPECT_TRUE(p.ok()) << p.error().ToString();
    return p.ok() ? *p : Principal{};
  }

  Principal StaffPrincipal(const std::string& username) {
    return LoginAs(LoginMethod::kUsernamePassword, username, kPassword);
  }

  // Every value of one text column, for asserting what is (not) stored.
  std::vector<std::string> Column(const std::string& table, const std::string& column) {
    auto r = db_->Transaction<std::vector<std::string>>(
        TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<std::string>> {
          std::vector<std::string> out;
          std::string v;
          soci::indicator ind = soci::i_ok;
          soci::statement st =
              (sql.prepare << "SELECT " + column + " FROM " + table, soci::into(v, ind));
          st.execute();
          while (st.fetch()) out.push_back(ind == soci::i_ok ? v : "");
          return out;
        });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<std::string>{};
  }

  // Milliseconds since the epoch on the fake clock.
  int64_t Now() const { return EpochMs(clock_); }
  void Advance(int64_t ms) { clock_.Advance(std::chrono::milliseconds(ms)); }
  void SetNow(int64_t ms) { clock_.Set(FromEpochMs(ms)); }

  FakeClock clock_{FromEpochMs(kT0)};
  SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<PeopleService> service_;
};

TEST_P(PeopleServiceTest, RegistersACitizenWithTheSmsCode) {
  auto sent = service_->RequestSmsCode({"13800000001", CodePurpose::kRegister});
  ASSERT_TRUE(sent.ok()) << sent.error().ToString();
  EXPECT_EQ(sent->expires_at, kT0 + 5 * kMinuteMs);
  ASSERT_EQ(sms_.size(), 1u);
  const SmsMessage m = sms_.Outbox("13800000001", 1).at(0);
  EXPECT_THAT(m.text, HasSubstr("注册验证码"));
  const std::string code = *sms_.LatestCode("13800000001");
  EXPECT_THAT(m.text, HasSubstr(code));

  auto a = service_->RegisterCitizen({"11010519491231002x", "李秀英", "13800000001", code, {}});
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->kind, AccountKind::kCitizen);
  EXPECT_EQ(a->id_number, "11010519491231002X");  // normalised
  EXPECT_EQ(a->name, "李秀英");

  // The code is used up.
  auto again = service_->RegisterCitizen({kIdA, "李志强", "13800000001", code, {}});
  ASSERT_FALSE(again.ok());

  // Phone + code login; the account holds the applicant role.
  Advance(61'000);
  const std::string login_code = SendCode("13800000001", CodePurpose::kLogin);
  EXPECT_THAT(sms_.Outbox("13800000001", 1).at(0).text, HasSubstr("登录验证码"));
  Principal p = LoginAs(LoginMethod::kPhoneCode, "13800000001", login_code);
  EXPECT_EQ(p.account.id, a->id);
  ASSERT_EQ(p.grants.size(), 1u);
  EXPECT_EQ(p.grants[0].grant.role, "applicant");
  EXPECT_TRUE(service_->Authorize(p, "case.apply", {"430181", "430181-wjj", "any"}).ok());
  EXPECT_FALSE(service_->Authorize(p, "case.accept", {"430181", "", ""}).ok());
  // Registered without a password: password login is refused like a wrong one.
  EXPECT_EQ(service_->Login({LoginMethod::kIdNumberPassword, "11010519491231002X", "anything1"})
                .error()
                .code(),
            ErrorCode::kUnauthenticated);
}

TEST_P(PeopleServiceTest, CitizensWithAPasswordLogInByIdNumber) {
  ASSERT_TRUE(Register(kIdA, "李志强", "13800000003").ok());
  Principal p = LoginAs(LoginMethod::kIdNumberPassword, kIdA, kPassword);
  EXPECT_EQ(p.account.id_number, kIdA);
  EXPECT_EQ(p.session_expires_at, Now() + 30 * kDayMs);  // citizens: 30 days
}

TEST_P(PeopleServiceTest, ListsEveryInvalidField) {
  auto r = service_->RegisterCitizen({"431128199001010038", "", "23800000001", "12", "short"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  const auto fields = Fields(r.error());
  ASSERT_EQ(fields.size(), 5u) << r.error().ToString();
  EXPECT_THAT(fields[0], HasSubstr("id_number: "));
  EXPECT_THAT(fields[0], HasSubstr("check"));
  EXPECT_EQ(fields[1], "name: is required");
  EXPECT_THAT(fields[2], HasSubstr("phone: must be a mainland mobile number"));
  EXPECT_EQ(fields[3], "code: must be the 6 digits sent by SMS");
  EXPECT_EQ(fields[4], "password: must be at least 8 characters long");
}

TEST_P(PeopleServiceTest, WrongCodesAreCountedUntilTheCodeIsVoid) {
  const std::string code = SendCode("13800000001");
  const std::string wrong = code == "000000" ? "000001" : "000000";
  for (int i = 0; i < 5; ++i) {
    auto r = service_->RegisterCitizen({kIdA, "李志强", "13800000001", wrong, {}});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_THAT(Fields(r.error()), ::testing::ElementsAre("code: is wrong"));
  }
  EXPECT_EQ(Column("sms_code", "attempts"), std::vector<std::string>{"5"});
  // The sixth try fails even with the right code.
  auto r = service_->RegisterCitizen({kIdA, "李志强", "13800000001", code, {}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kTooManyRequests);
  EXPECT_TRUE(Column("account", "id").empty());
  // A new code works.
  Advance(61'000);
  const std::string fresh = SendCode("13800000001");
  EXPECT_TRUE(service_->RegisterCitizen({kIdA, "李志强", "13800000001", fresh, {}}).ok());
}

TEST_P(PeopleServiceTest, CodesExpireAfterFiveMinutes) {
  const std::string code = SendCode("13800000001");
  Advance(5 * kMinuteMs);
  auto r = service_->RegisterCitizen({kIdA, "李志强", "13800000001", code, {}});
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(Fields(r.error()), ::testing::ElementsAre("code: has expired; request a new one"));
  auto none = service_->RegisterCitizen({kIdB, "刘红霞", "13800000004", "123456", {}});
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(Fields(none.error()), ::testing::ElementsAre(HasSubstr("code: no code was sent")));
}

TEST_P(PeopleServiceTest, RateLimitsCodesPerPhone) {
  SendCode("13800000001");
  auto soon = service_->RequestSmsCode({"13800000001", CodePurpose::kRegister});
  ASSERT_FALSE(soon.ok());
  EXPECT_EQ(soon.error().code(), ErrorCode::kTooManyRequests);
  EXPECT_THAT(soon.error().message(), HasSubstr("retry in 60 s"));
  // Another phone is not affected.
  EXPECT_TRUE(service_->RequestSmsCode({"13800000002", CodePurpose::kRegister}).ok());
  for (int i = 0; i < 4; ++i) {
    Advance(61'000);
    EXPECT_TRUE(service_->RequestSmsCode({"13800000001", CodePurpose::kRegister}).ok()) << i;
  }
  Advance(61'000);
  auto hourly = service_->RequestSmsCode({"13800000001", CodePurpose::kRegister});
  ASSERT_FALSE(hourly.ok());
  EXPECT_THAT(hourly.error().message(), HasSubstr("at most 5 codes per hour"));
  Advance(kHourMs);
  EXPECT_TRUE(service_->RequestSmsCode({"13800000001", CodePurpose::kRegister}).ok());
  EXPECT_EQ(sms_.Outbox("13800000001", 100).size(), 6u);
}

TEST_P(PeopleServiceTest, ConcurrentCodeRequestsForOnePhoneSendOne) {
  std::atomic<int> sent{0}, limited{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto r = service_->RequestSmsCode({"13800000001", CodePurpose::kRegister});
      if (r.ok())
        ++sent;
      else if (r.error().code() == ErrorCode::kTooManyRequests)
        ++limited;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(sent.load(), 1);
  EXPECT_EQ(limited.load(), 3);
  EXPECT_EQ(sms_.size(), 1u);
}

TEST_P(PeopleServiceTest, RegisteredPhonesAndIdNumbersAreRefused) {
  ASSERT_TRUE(Register(kIdA, "李志强", "13800000003").ok());
  // A registration code for a registered phone is answered and sent like any other, so the
  // answer does not tell who is registered; only the code's holder learns of the conflict.
  auto code = service_->RequestSmsCode({"13800000003", CodePurpose::kRegister});
  ASSERT_TRUE(code.ok()) << code.error().ToString();
  const std::string sent = sms_.LatestCode("13800000003").value_or("");
  const std::string wrong = sent == "000000" ? "111111" : "000000";
  auto guess = service_->RegisterCitizen({kIdB, "王芳", "13800000003", wrong, {}});
  ASSERT_FALSE(guess.ok());
  EXPECT_EQ(guess.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(Fields(guess.error()), ::testing::ElementsAre("code: is wrong"));
  auto holder = service_->RegisterCitizen({kIdB, "王芳", "13800000003", sent, {}});
  ASSERT_FALSE(holder.ok());
  EXPECT_EQ(holder.error().code(), ErrorCode::kAlreadyExists);
  EXPECT_THAT(holder.error().message(), HasSubstr("phone already belongs to an account"));
  Advance(61'000);
  auto dup = Register(kIdA, "李志强", "13800000009");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code(), ErrorCode::kAlreadyExists);
  // A login code for a phone without an account is answered, but nothing is sent.
  const size_t before = sms_.size();
  EXPECT_TRUE(service_->RequestSmsCode({"13900000000", CodePurpose::kLogin}).ok());
  EXPECT_EQ(sms_.size(), before);
}

TEST_P(PeopleServiceTest, SecretsAreNeverStoredInClear) {
  const std::string code = SendCode("13800000003");
  ASSERT_TRUE(
      service_->RegisterCitizen({kIdA, "李志强", "13800000003", code, std::string(kPassword)})
          .ok());
  auto session = service_->Login({LoginMethod::kIdNumberPassword, kIdA, kPassword});
  ASSERT_TRUE(session.ok());
  for (const std::string& hash : Column("account", "password_hash")) {
    EXPECT_TRUE(hash.starts_with("$argon2id$v=19$")) << hash;
    EXPECT_EQ(hash.find(kPassword), std::string::npos);
  }
  for (const std::string& stored : Column("sms_code", "code_hash")) {
    EXPECT_EQ(stored.size(), 64u);
    EXPECT_EQ(stored.find(code), std::string::npos);
  }
  for (const std::string& stored : Column("auth_session", "token_hash")) {
    EXPECT_EQ(stored.size(), 64u);
    EXPECT_NE(stored, session->token);
    EXPECT_EQ(stored.find(session->token), std::string::npos);
  }
  // Nothing anywhere in the session table is the token.
  for (const char* column : {"id", "account_id", "token_hash"}) {
    for (const std::string& v : Column("auth_session", column)) {
      EXPECT_EQ(v.find(session->token), std::string::npos) << column;
    }
  }
}

TEST_P(PeopleServiceTest, LocksAfterFiveFailedLoginsEvenForTheRightPassword) {
  Staff("clerk", "431128", {{.role = "window_clerk", .scope = {.region = "431128"}}});
  for (int i = 0; i < 4; ++i) {
    auto r = service_->Login({LoginMethod::kUsernamePassword, "clerk", "wrong-pass1"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated);
    EXPECT_EQ(r.error().message(), "wrong username or password");
  }
  EXPECT_EQ(Column("account", "failed_logins"), std::vector<std::string>{"4"});
  // The fifth wrong password locks the account, but a wrong password never tells so.
  auto fifth = service_->Login({LoginMethod::kUsernamePassword, "clerk", "wrong-pass1"});
  ASSERT_FALSE(fifth.ok());
  EXPECT_EQ(fifth.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(fifth.error().message(), "wrong username or password");
  EXPECT_EQ(Column("account", "locked_until"),
            std::vector<std::string>{std::to_string(kT0 + 15 * kMinuteMs)});
  auto sixth = service_->Login({LoginMethod::kUsernamePassword, "clerk", "wrong-pass2"});
  EXPECT_EQ(sixth.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_EQ(Column("account", "failed_logins"), std::vector<std::string>{"1"});  // still counted
  // The right password learns of the lock.
  auto right = service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword});
  ASSERT_FALSE(right.ok());
  EXPECT_EQ(right.error().code(), ErrorCode::kLocked);
  EXPECT_THAT(right.error().message(), HasSubstr("locked until 2025-06-15T15:21:40Z"));
  Advance(15 * kMinuteMs - 1);
  EXPECT_EQ(service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword}).error().code(),
            ErrorCode::kLocked);
  Advance(1);
  EXPECT_TRUE(service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword}).ok());
  EXPECT_EQ(Column("account", "failed_logins"), std::vector<std::string>{"0"});
}

TEST_P(PeopleServiceTest, ADisabledAccountIsToldOnlyToTheRightSecret) {
  Staff("clerk", "431128", {{.role = "window_clerk", .scope = {.region = "431128"}}});
  const std::string phone = "13800000004";
  ASSERT_TRUE(Register(kIdA, "李志强", phone).ok());
  ASSERT_TRUE(db_->Transaction(TxKind::kWrite,
                               [](soci::session& sql) -> Status {
                                 sql << "UPDATE account SET status = 'disabled'";
                                 return Ok();
                               })
                  .ok());
  for (const LoginRequest& wrong :
       {LoginRequest{LoginMethod::kUsernamePassword, "clerk", "wrong-pass1"},
        LoginRequest{LoginMethod::kUsernamePassword, "nobody", "wrong-pass1"},
        LoginRequest{LoginMethod::kIdNumberPassword, kIdA, "wrong-pass1"},
        LoginRequest{LoginMethod::kIdNumberPassword, kIdB, "wrong-pass1"}}) {
    auto r = service_->Login(wrong);
    ASSERT_FALSE(r.ok()) << wrong.identifier;
    EXPECT_EQ(r.error().code(), ErrorCode::kUnauthenticated) << wrong.identifier;
    EXPECT_EQ(r.error().message(), "wrong username or password") << wrong.identifier;
  }
  EXPECT_EQ(Column("account", "failed_logins"), (std::vector<std::string>{"1", "1"}));
  EXPECT_EQ(service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword}).error().code(),
            ErrorCode::kForbidden);
  EXPECT_EQ(service_->Login({LoginMethod::kIdNumberPassword, kIdA, kPassword}).error().code(),
            ErrorCode::kForbidden);
  // Phone login: a wrong code is a plain 401, the right one tells.
  const std::string code = SendCode(phone, CodePurpose::kLogin);
  ASSERT_FALSE(code.empty());
  const std::string wrong_code = code == "000000" ? "111111" : "000000";
  EXPECT_EQ(service_->Login({LoginMethod::kPhoneCode, phone, wrong_code}).error().code(),
            ErrorCode::kUnauthenticated);
  EXPECT_EQ(service_->Login({LoginMethod::kPhoneCode, phone, code}).error().code(),
            ErrorCode::kForbidden);
}

TEST_P(PeopleServiceTest, ASuccessfulLoginClearsTheFailureCount) {
  Staff("clerk", "431128", {{.role = "window_clerk", .scope = {.region = "431128"}}});
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(service_->Login({LoginMethod::kUsernamePassword, "clerk", "wrong-pass1"}).ok());
  }
  EXPECT_TRUE(service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword}).ok());
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(
        service_->Login({LoginMethod::kUsernamePassword, "clerk", "wrong-pass1"}).error().code(),
        ErrorCode::kUnauthenticated);
  }
  // Unknown users get the same answer as wrong passwords.
  auto unknown = service_->Login({LoginMethod::kUsernamePassword, "nobody", kPassword});
  EXPECT_EQ(unknown.error().message(), "wrong username or password");
}

TEST_P(PeopleServiceTest, TokensExpireAndAreRevoked) {
  Staff("clerk", "431128", {{.role = "window_clerk", .scope = {.region = "431128"}}});
  auto s = service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->expires_at, kT0 + 8 * kHourMs);  // staff: 8 hours
  SetNow(kT0 + 8 * kHourMs - 1);
  EXPECT_TRUE(service_->Authenticate(s->token).ok());
  SetNow(kT0 + 8 * kHourMs);
  auto expired = service_->Authenticate(s->token);
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.error().code(), ErrorCode::kUnauthenticated);
  EXPECT_THAT(expired.error().message(), HasSubstr("expired"));

  auto a = service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword});
  auto b = service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword});
  auto c = service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword});
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  auto pa = service_->Authenticate(a->token);
  ASSERT_TRUE(pa.ok());
  ASSERT_TRUE(service_->Logout(*pa).ok());
  auto ended = service_->Authenticate(a->token);
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().message(), "the session was ended");
  EXPECT_TRUE(service_->Authenticate(b->token).ok());
  auto pb = service_->Authenticate(b->token);
  auto revoked = service_->RevokeAllSessions(*pb, pb->account.id);
  ASSERT_TRUE(revoked.ok()) << revoked.error().ToString();
  EXPECT_EQ(*revoked, 2);  // b and c (a was already ended)
  EXPECT_FALSE(service_->Authenticate(b->token).ok());
  EXPECT_FALSE(service_->Authenticate(c->token).ok());
  EXPECT_EQ(service_->Authenticate("not-a-token").error().message(),
            "the bearer token is malformed");
  EXPECT_EQ(service_->Authenticate(std::string(43, 'A')).error().message(),
            "the bearer token is not known");
}

TEST_P(PeopleServiceTest, PrincipalsAreCachedUntilAChangeCommitsOrTheBoundPasses) {
  Staff("security", "431128", {{.role = "security_admin", .scope = {.region = "431128"}}});
  Account clerk =
      Staff("clerk", "431128", {{.role = "window_clerk", .scope = {.region = "431128"}}});
  Principal security = StaffPrincipal("security");
  auto s = service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword});
  ASSERT_TRUE(s.ok());
  auto first = service_->Authenticate(s->token);
  ASSERT_TRUE(first.ok());
  const size_t grants = first->grants.size();
  EXPECT_FALSE(
      service_->Authorize(*first, "case.approve", {"431128", "431128-wjj", "000172009000"}).ok());

  // A grant committed through the service is held by the same token at once, and its revocation
  // is too.
  auto grant =
      service_->GrantRole(security, {.account_id = clerk.id,
                                     .role = "approver",
                                     .scope = {.region = "431128", .department = "431128-wjj"}});
  ASSERT_TRUE(grant.ok()) << grant.error().ToString();
  auto granted = service_->Authenticate(s->token);
  ASSERT_TRUE(granted.ok());
  EXPECT_EQ(granted->grants.size(), grants + 1);
  EXPECT_TRUE(
      service_->Authorize(*granted, "case.approve", {"431128", "431128-wjj", "000172009000"}).ok());
  ASSERT_TRUE(service_->RevokeGrant(security, clerk.id, grant->id).ok());
  auto revoked = service_->Authenticate(s->token);
  ASSERT_TRUE(revoked.ok());
  EXPECT_EQ(revoked->grants.size(), grants);

  // A session ended behind the service's back (another process over the same database) is
  // answered from the cache for at most principal_cache_ms.
  ASSERT_TRUE(db_->Transaction(TxKind::kWrite,
                               [&](soci::session& sql) -> Status {
                                 sql << "UPDATE auth_session SET revoked_at = " << Now();
                                 return Ok();
                               })
                  .ok());
  EXPECT_TRUE(service_->Authenticate(s->token).ok());  // cached
  Advance(service_->options().principal_cache_ms - 1);
  EXPECT_TRUE(service_->Authenticate(s->token).ok());
  Advance(1);
  auto ended = service_->Authenticate(s->token);
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().message(), "the session was ended");
}

TEST_P(PeopleServiceTest, WithoutThePrincipalCacheEveryRequestReadsTheSession) {
  PeopleOptions options;
  options.password = PasswordOptions::Cheap();
  options.principal_cache_ms = 0;
  auto uncached = PeopleService::Create(*db_, sms_, clock_, options);
  ASSERT_TRUE(uncached.ok());
  Staff("clerk", "431128", {{.role = "window_clerk", .scope = {.region = "431128"}}});
  auto s = (*uncached)->Login({LoginMethod::kUsernamePassword, "clerk", kPassword});
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*uncached)->Authenticate(s->token).ok());
  ASSERT_TRUE(db_->Transaction(TxKind::kWrite,
                               [&](soci::session& sql) -> Status {
                                 sql << "UPDATE auth_session SET revoked_at = " << Now();
                                 return Ok();
                               })
                  .ok());
  auto ended = (*uncached)->Authenticate(s->token);
  ASSERT_FALSE(ended.ok());
  EXPECT_EQ(ended.error().message(), "the session was ended");
}

TEST_P(PeopleServiceTest, RecordsWhenATokenWasLastUsed) {
  Staff("clerk", "431128", {{.role = "window_clerk", .scope = {.region = "431128"}}});
  auto s = service_->Login({LoginMethod::kUsernamePassword, "clerk", kPassword});
  ASSERT_TRUE(s.ok());
  Advance(30'000);
  ASSERT_TRUE(service_->Authenticate(s->token).ok());
  EXPECT_EQ(Column("auth_session", "last_used_at"),
            std::vector<std::string>{std::to_string(kT0)});  // within the touch interval
  Advance(31'000);
  ASSERT_TRUE(service_->Authenticate(s->token).ok());
  EXPECT_EQ(Column("auth_session", "last_used_at"),
            std::vector<std::string>{std::to_string(kT0 + 61'000)});
}

TEST_P(PeopleServiceTest, GrantsCarryScopes) {
  Staff("security", "431128", {{.role = "security_admin", .scope = {.region = "431128"}}});
  Account clerk = Staff("clerk", "431128", {});
  Principal security = StaffPrincipal("security");
  auto grant = service_->GrantRole(security, {.account_id = clerk.id,
                                              .role = "approver",
                                              .scope = {.region = "431128101",
                                                        .department = "431128-wjj",
                                                        .matters = {"000172009000"},
                                                        .valid_until = kT0 + 10 * kDayMs}});
  ASSERT_TRUE(grant.ok()) << grant.error().ToString();
  EXPECT_EQ(grant->scope.valid_from, kT0);  // not given: now
  EXPECT_EQ(grant->granted_by, security.account.id);
  // The epoch is a start like any other, not "unset"; and a scope's own valid_from is not read.
  auto since_epoch =
      service_->GrantRole(security, {.account_id = clerk.id,
                                     .role = "window_clerk",
                                     .scope = {.region = "431128", .valid_from = kT0 + kDayMs},
                                     .valid_from = 0});
  ASSERT_TRUE(since_epoch.ok()) << since_epoch.error().ToString();
  EXPECT_EQ(since_epoch->scope.valid_from, 0);
  ASSERT_TRUE(service_->RevokeGrant(security, clerk.id, since_epoch->id).ok());

  Principal p = StaffPrincipal("clerk");
  EXPECT_TRUE(
      service_->Authorize(p, "case.approve", {"431128101", "431128-wjj", "000172009000"}).ok());
  EXPECT_TRUE(
      service_->Authorize(p, "case.approve", {"431128101201", "431128-wjj", "000172009000"}).ok());
  Status other_town =
      service_->Authorize(p, "case.approve", {"431128102", "431128-wjj", "000172009000"});
  ASSERT_FALSE(other_town.ok());
  EXPECT_EQ(other_town.error().code(), ErrorCode::kForbidden);
  EXPECT_THAT(other_town.error().message(), HasSubstr("region 431128102 is outside 431128101"));
  EXPECT_FALSE(
      service_->Authorize(p, "case.approve", {"431128101", "431128-jtj", "000172009000"}).ok());
  EXPECT_FALSE(service_->Authorize(p, "case.approve", {"431128101", "431128-wjj", "other"}).ok());
  SetNow(kT0 + 10 * kDayMs);
  EXPECT_FALSE(
      service_->Authorize(p, "case.approve", {"431128101", "431128-wjj", "000172009000"}).ok());

  // Only inside the granter's own scope.
  auto outside = service_->GrantRole(
      security, {.account_id = clerk.id, .role = "approver", .scope = {.region = "430181"}});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code(), ErrorCode::kForbidden);
  auto everywhere = service_->GrantRole(
      security, {.account_id = clerk.id, .role = "approver", .scope = {.region = "*"}});
  EXPECT_EQ(everywhere.error().code(), ErrorCode::kForbidden);
  // Nobody grants to themselves; citizen roles do not go to staff; unknown roles are named.
  auto self = service_->GrantRole(
      security,
      {.account_id = security.account.id, .role = "catalog_admin", .scope = {.region = "431128"}});
  EXPECT_EQ(self.error().code(), ErrorCode::kRefused);
  auto citizen_role = service_->GrantRole(
      security, {.account_id = clerk.id, .role = "applicant", .scope = {.region = "431128"}});
  EXPECT_EQ(citizen_role.error().code(), ErrorCode::kRefused);
  auto unknown = service_->GrantRole(
      security, {.account_id = clerk.id, .role = "wizard", .scope = {.region = "431128"}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(Fields(unknown.error()), ::testing::ElementsAre("role: 'wizard' is not a role"));
  auto bad = service_->GrantRole(
      security,
      {.account_id = clerk.id,
       .role = "approver",
       .scope = {.region = "4311", .department = "a b", .matters = {""}, .valid_until = kT0},
       .valid_from = kT0});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields().size(), 4u) << bad.error().ToString();

  // A clerk without role.grant cannot grant.
  auto by_clerk = service_->GrantRole(
      p, {.account_id = security.account.id, .role = "approver", .scope = {.region = "431128"}});
  ASSERT_FALSE(by_clerk.ok());
  EXPECT_EQ(by_clerk.error().message(), "missing permission 'role.grant'");

  // Revocation takes effect at the next authentication.
  SetNow(kT0);
  ASSERT_TRUE(service_->RevokeGrant(security, clerk.id, grant->id).ok());
  Principal after = StaffPrincipal("clerk");
  EXPECT_TRUE(after.grants.empty());
  EXPECT_EQ(service_->RevokeGrant(security, clerk.id, grant->id).error().code(),
            ErrorCode::kNotFound);
}

TEST_P(PeopleServiceTest, SeparatesTheThreeAdministrators) {
  Staff("security", "431128", {{.role = "security_admin", .scope = {.region = "431128"}}});
  Account sys = Staff("sys", "431128", {{.role = "system_admin", .scope = {.region = "431128"}}});
  Principal security = StaffPrincipal("security");
  for (const char* role : {"security_admin", "audit_admin"}) {
    auto r = service_->GrantRole(
        security, {.account_id = sys.id, .role = role, .scope = {.region = "431128"}});
    ASSERT_FALSE(r.ok()) << role;
    EXPECT_EQ(r.error().code(), ErrorCode::kRefused);
    EXPECT_THAT(r.error().message(), HasSubstr("三员分立"));
  }
  // The same duty again (another scope) is fine; so is a non-administrator role.
  EXPECT_TRUE(service_
                  ->GrantRole(security, {.account_id = sys.id,
                                         .role = "system_admin",
                                         .scope = {.region = "431128101"}})
                  .ok());
  EXPECT_TRUE(
      service_
          ->GrantRole(security,
                      {.account_id = sys.id, .role = "supervisor", .scope = {.region = "431128"}})
          .ok());
  // Bootstrapping refuses two duties on one account too, and inserts nothing.
  auto both = service_->BootstrapStaffAccount(
      {.username = "both", .name = "两职", .password = kPassword, .region = "431128"},
      {{.role = "system_admin", .scope = {.region = "431128"}},
       {.role = "audit_admin", .scope = {.region = "431128"}}});
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.error().code(), ErrorCode::kRefused);
  EXPECT_EQ(Column("account", "username").size(), 2u);

  // The system administrator creates accounts but cannot grant roles or read the audit.
  Principal system = StaffPrincipal("sys");
  auto created = service_->CreateStaffAccount(system, {.username = "new.clerk",
                                                       .name = "新人",
                                                       .password = kPassword,
                                                       .region = "431128101",
                                                       .department = "431128-zwzx"});
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  EXPECT_EQ(created->region, "431128101");
  EXPECT_EQ(service_
                ->GrantRole(system, {.account_id = created->id,
                                     .role = "window_clerk",
                                     .scope = {.region = "431128"}})
                .error()
                .message(),
            "missing permission 'role.grant'");
  EXPECT_FALSE(service_->Authorize(system, "audit.read", {"431128", "", ""}).ok());
  // The security administrator cannot create accounts.
  auto by_security = service_->CreateStaffAccount(
      security, {.username = "x.clerk", .name = "某", .password = kPassword, .region = "431128"});
  ASSERT_FALSE(by_security.ok());
  EXPECT_EQ(by_security.error().message(), "missing permission 'account.create'");
}

TEST_P(PeopleServiceTest, StaffAccountsAreCreatedInsideTheAdministratorsScope) {
  Staff("sys", "431128", {{.role = "system_admin", .scope = {.region = "431128"}}});
  Principal system = StaffPrincipal("sys");
  auto outside = service_->CreateStaffAccount(
      system, {.username = "ly.clerk", .name = "某", .password = kPassword, .region = "430181"});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().code(), ErrorCode::kForbidden);
  auto invalid = service_->CreateStaffAccount(system, {.username = "X",
                                                       .name = "",
                                                       .password = "short",
                                                       .region = "999999",
                                                       .department = "",
                                                       .phone = "12"});
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(invalid.error().fields().size(), 5u) << invalid.error().ToString();
  ASSERT_TRUE(
      service_
          ->CreateStaffAccount(
              system,
              {.username = "xt.clerk", .name = "某", .password = kPassword, .region = "431128"})
          .ok());
  EXPECT_EQ(
      service_
          ->CreateStaffAccount(
              system,
              {.username = "xt.clerk", .name = "某", .password = kPassword, .region = "431128"})
          .error()
          .code(),
      ErrorCode::kAlreadyExists);
  Principal created = StaffPrincipal("xt.clerk");
  EXPECT_EQ(created.account.kind, AccountKind::kStaff);
  EXPECT_TRUE(created.grants.empty());
}

TEST_P(PeopleServiceTest, EnterprisesAndTheirAgents) {
  auto rep_account = Register(kIdA, "李志强", "13800000003");
  auto agent_account = Register(kIdB, "刘红霞", "13800000004");
  auto stranger_account = Register(kIdC, "陈俊杰", "13800000005");
  ASSERT_TRUE(rep_account.ok() && agent_account.ok() && stranger_account.ok());
  Principal rep = LoginAs(LoginMethod::kIdNumberPassword, kIdA, kPassword);
  Principal stranger = LoginAs(LoginMethod::kIdNumberPassword, kIdC, kPassword);

  // Registering someone else as legal representative needs enterprise.register.
  auto for_other =
      service_->RegisterEnterprise(stranger, {kUscc, "新田县富硒农产品有限公司", rep.account.id});
  ASSERT_FALSE(for_other.ok());
  EXPECT_EQ(for_other.error().code(), ErrorCode::kForbidden);
  auto invalid = service_->RegisterEnterprise(rep, {"91431128MA4L0A0190", "", ""});
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(invalid.error().fields().size(), 3u) << invalid.error().ToString();
  auto e = service_->RegisterEnterprise(rep, {kUscc, "新田县富硒农产品有限公司", rep.account.id});
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_EQ(service_->RegisterEnterprise(rep, {kUscc, "x", rep.account.id}).error().code(),
            ErrorCode::kAlreadyExists);

  const int64_t until = kT0 + 365 * kDayMs;
  auto wrong_name = service_->AuthoriseAgent(rep, {kUscc, kIdB, "刘红", {}, until});
  ASSERT_FALSE(wrong_name.ok());
  EXPECT_THAT(Fields(wrong_name.error()),
              ::testing::ElementsAre("name: does not match the registered real name"));
  EXPECT_EQ(service_->AuthoriseAgent(stranger, {kUscc, kIdB, "刘红霞", {}, until}).error().code(),
            ErrorCode::kForbidden);
  auto past = service_->AuthoriseAgent(rep, {kUscc, kIdB, "刘红霞", {}, Now() - 1});
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.error().fields().at(0).field, "valid_until");

  auto auth = service_->AuthoriseAgent(rep, {kUscc, kIdB, "刘红霞", {}, until});
  ASSERT_TRUE(auth.ok()) << auth.error().ToString();
  EXPECT_EQ(service_->AuthoriseAgent(rep, {kUscc, kIdB, "刘红霞", {}, until}).error().code(),
            ErrorCode::kAlreadyExists);

  Principal agent = LoginAs(LoginMethod::kIdNumberPassword, kIdB, kPassword);
  ASSERT_EQ(agent.agencies.size(), 1u);
  EXPECT_EQ(agent.agencies[0].uscc, kUscc);
  EXPECT_EQ(agent.agencies[0].relation, EnterpriseRelation::kAgent);
  EXPECT_TRUE(AuthorizeForEnterprise(agent, kUscc, Now()).ok());
  EXPECT_FALSE(AuthorizeForEnterprise(agent, kUscc, until).ok());
  EXPECT_FALSE(AuthorizeForEnterprise(stranger, kUscc, Now()).ok());
  bool has_agent_role = false;
  for (const HeldGrant& g : agent.grants) has_agent_role |= g.grant.role == "enterprise_agent";
  EXPECT_TRUE(has_agent_role);
  Principal rep_again = LoginAs(LoginMethod::kIdNumberPassword, kIdA, kPassword);
  ASSERT_EQ(rep_again.agencies.size(), 1u);
  EXPECT_EQ(rep_again.agencies[0].relation, EnterpriseRelation::kLegalRepresentative);

  EXPECT_EQ(service_->RevokeAgent(stranger, kUscc, auth->id).error().code(), ErrorCode::kForbidden);
  ASSERT_TRUE(service_->RevokeAgent(rep, kUscc, auth->id).ok());
  EXPECT_EQ(service_->RevokeAgent(rep, kUscc, auth->id).error().code(), ErrorCode::kNotFound);
  Principal revoked = LoginAs(LoginMethod::kIdNumberPassword, kIdB, kPassword);
  EXPECT_TRUE(revoked.agencies.empty());
  EXPECT_FALSE(AuthorizeForEnterprise(revoked, kUscc, Now()).ok());
  // After revocation the agent may be authorised again.
  EXPECT_TRUE(service_->AuthoriseAgent(rep, {kUscc, kIdB, "刘红霞", {}, until}).ok());
}

TEST_P(PeopleServiceTest, WindowsRegisterEnterprisesForCitizens) {
  auto rep_account = Register(kIdA, "李志强", "13800000003");
  ASSERT_TRUE(rep_account.ok());
  Staff("clerk", "431128", {{.role = "window_clerk", .scope = {.region = "431128"}}});
  Staff("ly.clerk", "430181", {{.role = "window_clerk", .scope = {.region = "430181"}}});
  // The USCC's registration region (431128) must lie in the clerk's scope.
  auto elsewhere =
      service_->RegisterEnterprise(StaffPrincipal("ly.clerk"), {kUscc, "某公司", rep_account->id});
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_THAT(elsewhere.error().message(), HasSubstr("region 431128 is outside 430181"));
  auto here =
      service_->RegisterEnterprise(StaffPrincipal("clerk"), {kUscc, "某公司", rep_account->id});
  ASSERT_TRUE(here.ok()) << here.error().ToString();
  EXPECT_EQ(here->legal_representative, rep_account->id);
}

TEST_P(PeopleServiceTest, AnEarlierReleasesRolesBecomeTheShippedRolesAtTheNextStart) {
  if (!db_) GTEST_SKIP() << "backend unavailable";
  auto shipped = ShippedRoles();
  ASSERT_TRUE(shipped.ok());
  const Role& role = shipped->roles.front();
  ASSERT_GE(role.permissions.size(), 2u);
  auto repo = PeopleRepository::Create(db_->backend());
  ASSERT_TRUE(repo.ok());
  auto stored_permissions = [&] {
    std::vector<std::string> out;
    auto roles = db_->Transaction<std::vector<Role>>(
        TxKind::kRead, [&](soci::session& sql) { return repo->ListRoles(sql); });
    EXPECT_TRUE(roles.ok());
    for (const Role& r : roles.ok() ? *roles : std::vector<Role>{}) {
      if (r.name == role.name) out = r.permissions;
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  std::vector<std::string> expected = role.permissions;
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(stored_permissions(), expected);
  // An installation made by an earlier release: the role lacked a permission this release
  // ships and held one that release shipped and this one took away. Its security administrator
  // had also given the role a permission of their own.
  const std::string lacked = expected.front();
  const std::string dropped = "audit.read";
  const std::string own = "audit.verify";
  ASSERT_TRUE(std::find(expected.begin(), expected.end(), dropped) == expected.end());
  ASSERT_TRUE(std::find(expected.begin(), expected.end(), own) == expected.end());
  ASSERT_TRUE(
      db_->Transaction(
             TxKind::kWrite,
             [&](soci::session& sql) -> Status {
               for (const char* table : {"role_permission", "shipped_role_permission"}) {
                 sql << fmt::format("DELETE FROM {} WHERE role = :r AND permission = :p", table),
                     soci::use(role.name), soci::use(lacked);
                 sql << fmt::format("INSERT INTO {} (role, permission) VALUES (:r, :p)", table),
                     soci::use(role.name), soci::use(dropped);
               }
               sql << "INSERT INTO role_permission (role, permission) VALUES (:r, :p)",
                   soci::use(role.name), soci::use(own);
               return Ok();
             })
          .ok());
  ASSERT_NE(stored_permissions(), expected);
  std::vector<std::string> with_own = expected;
  with_own.push_back(own);
  std::sort(with_own.begin(), with_own.end());
  ASSERT_TRUE(service_->SeedRoles().ok());
  EXPECT_EQ(stored_permissions(), with_own);
  // Idempotent; and a permission the administrator took away stays away.
  ASSERT_TRUE(
      db_->Transaction(TxKind::kWrite,
                       [&](soci::session& sql) -> Status {
                         sql << "DELETE FROM role_permission WHERE role = :r AND permission = :p",
                             soci::use(role.name), soci::use(lacked);
                         return Ok();
                       })
          .ok());
  ASSERT_TRUE(service_->SeedRoles().ok());
  with_own.erase(std::find(with_own.begin(), with_own.end(), lacked));
  EXPECT_EQ(stored_permissions(), with_own);
}

// The administrators' list: only accounts inside the caller's account.read grants, filtered by
// role, region subtree and department, a page at a time by id.
TEST_P(PeopleServiceTest, AccountsAreListedInsideTheReadersScopeAPageAtATime) {
  Staff("sys", "431128", {{.role = "system_admin", .scope = {.region = "431128"}}});
  Staff("xt.clerk", "431128", {{.role = "window_clerk", .scope = {.region = "431128"}}});
  Staff("xt.town", "431128101", {{.role = "window_clerk", .scope = {.region = "431128101"}}});
  Staff("xt.approver", "431128",
        {{.role = "approver", .scope = {.region = "431128", .department = "431128-rsj"}}});
  Staff("ly.clerk", "430181", {{.role = "window_clerk", .scope = {.region = "430181"}}});
  Principal system = StaffPrincipal("sys");
  // The department filter is the account's own department (a grant's scope may differ).
  ASSERT_TRUE(service_
                  ->CreateStaffAccount(system, {.username = "xt.rsj",
                                                .name = "某",
                                                .password = kPassword,
                                                .region = "431128",
                                                .department = "431128-rsj"})
                  .ok());
  auto names = [](const AccountPage& page) {
    std::vector<std::string> out;
    for (const AccountListing& i : page.items) out.push_back(i.account.username);
    std::sort(out.begin(), out.end());
    return out;
  };

  auto all = service_->ListAccounts(system, {});
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  // 浏阳市's clerk is outside the administrator's 新田县.
  EXPECT_EQ(names(*all),
            (std::vector<std::string>{"sys", "xt.approver", "xt.clerk", "xt.rsj", "xt.town"}));
  EXPECT_TRUE(all->next_cursor.empty());
  for (const AccountListing& i : all->items) {
    if (i.account.username == "xt.approver") {
      EXPECT_EQ(i.roles, std::vector<std::string>{"approver"});
    }
  }

  auto clerks = service_->ListAccounts(system, {.role = "window_clerk"});
  ASSERT_TRUE(clerks.ok());
  EXPECT_EQ(names(*clerks), (std::vector<std::string>{"xt.clerk", "xt.town"}));
  auto town = service_->ListAccounts(system, {.region = "431128101"});
  ASSERT_TRUE(town.ok());
  EXPECT_EQ(names(*town), std::vector<std::string>{"xt.town"});
  auto rsj = service_->ListAccounts(system, {.department = "431128-rsj"});
  ASSERT_TRUE(rsj.ok());
  EXPECT_EQ(names(*rsj), std::vector<std::string>{"xt.rsj"});
  auto elsewhere = service_->ListAccounts(system, {.region = "430181"});
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_TRUE(elsewhere->items.empty());

  // Pages of two: every account once, in id order, then no cursor.
  std::vector<std::string> paged;
  AccountQuery q{.limit = 2};
  for (int i = 0; i < 5; ++i) {
    auto page = service_->ListAccounts(system, q);
    ASSERT_TRUE(page.ok());
    EXPECT_LE(page->items.size(), 2u);
    for (const AccountListing& item : page->items) paged.push_back(item.account.id);
    if (page->next_cursor.empty()) break;
    q.after = page->next_cursor;
  }
  ASSERT_EQ(paged.size(), 5u);
  EXPECT_TRUE(std::is_sorted(paged.begin(), paged.end()));

  // Without account.read anywhere: refused.
  auto refused = service_->ListAccounts(StaffPrincipal("xt.clerk"), {});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kForbidden);
}

INSTANTIATE_TEST_SUITE_P(Backends, PeopleServiceTest,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::people
