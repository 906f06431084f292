// `tongban case show | verify | deemed-accepted` against a database the application wrote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "app/app.h"
#include "subprocess.h"

namespace tongban {
extern const EmbeddedFile kCaseCliTestData[];
extern const size_t kCaseCliTestData_count;
}  // namespace tongban

namespace tongban {
namespace {

using ::testing::HasSubstr;

people::HeldGrant Grant(std::string role, std::vector<std::string> perms) {
  people::HeldGrant g;
  g.grant.role = std::move(role);
  g.grant.scope.region = "431128";
  std::sort(perms.begin(), perms.end());
  g.permissions = std::move(perms);
  return g;
}

TEST(CaseCli, ShowsACaseAndVerifiesItsSeals) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tongban_case_cli_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string db = "sqlite:" + (dir / "t.db").string();
  std::string number, document;
  {
    app::Config config;
    config.db_url = db;
    config.signing_key = (dir / "key.pem").string();
    auto app = app::App::Create(config);
    ASSERT_TRUE(app.ok()) << app.error().ToString();
    ASSERT_TRUE((*app)
                    ->catalog()
                    .ImportYaml(std::string(kCaseCliTestData[0].contents), {.publish = true})
                    .ok());
    people::Principal citizen;
    citizen.account.id = "acct-1";
    citizen.account.id_number = "431128199001010037";
    citizen.account.name = "李志强";
    citizen.grants.push_back(Grant("applicant", {"case.apply"}));
    citizen.grants.back().grant.scope.region = "*";
    people::Principal clerk;
    clerk.account.id = "acct-clerk";
    clerk.account.kind = people::AccountKind::kStaff;
    clerk.grants.push_back(Grant("window_clerk", {"case.accept", "case.read"}));
    cases::SubmitRequest r;
    r.matter = "11431128MB1234562L000172003000001";
    r.form = {{"venue_name", "龙泉宾馆"}, {"area_m2", "80"}, {"venue_kind", "宾馆"}};
    auto c = (*app)->cases().Submit(citizen, r);
    ASSERT_TRUE(c.ok()) << c.error().ToString();
    number = c->record.number;
    auto notice = (*app)->cases().RequestCorrection(clerk, number, {"营业执照"}, {});
    ASSERT_TRUE(notice.ok()) << notice.error().ToString();
    document = notice->documents[0].id;
  }
  auto show = testing::Run({"case", "show", number, "--db", db, "--log-level", "warn"});
  EXPECT_EQ(show.exit_code, 0) << show.output;
  EXPECT_THAT(show.output, HasSubstr("correction_requested"));
  EXPECT_THAT(show.output, HasSubstr("公共场所卫生许可"));
  EXPECT_THAT(show.output, HasSubstr("correction_notice"));
  auto verify = testing::Run({"case", "verify", number, document, "--db", db});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
  EXPECT_THAT(verify.output, HasSubstr("valid: 一次性补正告知书"));
  auto missing = testing::Run({"case", "show", "431128-20000101-000001", "--db", db});
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_THAT(missing.output, HasSubstr("no case"));
  {
    // Someone edits the stored text: the seal no longer verifies.
    auto opened = store::Database::Open(*store::ParseDatabaseUrl(db));
    ASSERT_TRUE(opened.ok());
    ASSERT_TRUE((*opened)
                    ->Transaction(store::TxKind::kWrite,
                                  [](soci::session& sql) -> Status {
                                    sql << "UPDATE case_document SET content = "
                                           "replace(content, '营业执照', '身份证')";
                                    return Ok();
                                  })
                    .ok());
  }
  auto forged = testing::Run({"case", "verify", number, document, "--db", db});
  EXPECT_EQ(forged.exit_code, 1) << forged.output;
  EXPECT_THAT(forged.output, HasSubstr("INVALID"));
  EXPECT_THAT(forged.output, HasSubstr("reason: the signature is not the department key's "
                                       "signature of the document's text"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tongban
