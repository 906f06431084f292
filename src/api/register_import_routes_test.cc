// The register-import routes over a real server on port 0 with real logins: upload a CSV, poll
// its progress until done, download its bad rows; refusals (permission, kind, type, header).
#include "api/register_import_routes.h"

#include <gtest/gtest.h>

#include <filesystem>

#include <fmt/format.h>

#include "api/route_test_fixture.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "registers/testing.h"
#include "trace/trace.h"

namespace tongban::api {
namespace {

using registers::testing::MakeIdNumber;

constexpr const char* kVillage = "431128001001";

class RegisterImportRoutesTest : public RouteTestFixture {
 protected:
  void SetUp() override {
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*registers::Migrations());
    OpenDatabase(sets);
    CreatePeople(clock_);
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    registers_ = *registers::Registers::Create(
        *db_, *registers::FieldCipher::Create(registers::testing::FixedKeys()), *trace_, clock_);
    const std::string dir = ::testing::TempDir() + "/register_import_routes";
    std::filesystem::remove_all(dir);
    jobs_ = *registers::ImportJobs::Create(*registers_, {.dir = dir, .max_bytes = 2048});
    jobs_->Start();
    StartServer([this](Server& s) { RegisterRegisterImportRoutes(s, *jobs_, *auth_); });
    admin_ = Staff("xintian.register_admin", "register_admin", "431128");
    clerk_ = Staff("xintian.clerk", "window_clerk", "431128");
  }
  void TearDown() override {
    RouteTestFixture::TearDown();
    if (jobs_) jobs_->Stop();
  }

  Answer Upload(const std::string& query, const std::string& csv, const std::string& token,
                const std::string& type = "text/csv") {
    httplib::Headers headers{{"Authorization", "Bearer " + token}};
    auto r = client_->Post("/api/v1/register-imports" + query, headers, csv, type);
    Answer a;
    if (!r) {
      ADD_FAILURE() << "no answer";
      return a;
    }
    a.status = r->status;
    a.text = r->body;
    a.type = r->get_header_value("Content-Type");
    a.body = nlohmann::json::parse(r->body, nullptr, false);
    return a;
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26"))};
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<registers::Registers> registers_;
  std::unique_ptr<registers::ImportJobs> jobs_;
  std::string admin_;
  std::string clerk_;
};

std::string Csv() {
  std::string text =
      "id_number,name,sex,birth_date,household_region,address,phone,income_band,assistance,"
      "disability_certificate,disability_category,disability_level,long_term_care\n";
  text += fmt::format("{},甲,male,1970-01-01,{},,,low,none,,,,false\n",
                      MakeIdNumber("431128", "19700101", 101), kVillage);
  text += fmt::format("{},乙,male,1970-01-01,{},,,low,none,,,,false\n",
                      MakeIdNumber("431128", "19700101", 103), "430181");  // outside the scope
  text += fmt::format("{},丙,male,1970-01-01,{},,,rich,none,,,,false\n",
                      MakeIdNumber("431128", "19700101", 105), kVillage);  // unknown band
  text += fmt::format("{},丁,female,1970-01-01,{},,,low,none,,,,false\n",
                      MakeIdNumber("431128", "19700101", 102), kVillage);
  return text;
}

TEST_F(RegisterImportRoutesTest, UploadsPollsAndDownloadsTheBadRows) {
  Answer started = Upload("?kind=persons&file_name=%E4%BA%BA%E5%8F%A3.csv", Csv(), admin_);
  ASSERT_EQ(started.status, 202) << started.text;
  const std::string id = started.body.value("id", "");
  EXPECT_EQ(id.size(), 32U);
  EXPECT_EQ(started.body["kind"], "persons");
  EXPECT_EQ(started.body["file_name"], "人口.csv");
  EXPECT_EQ(started.body["started_by"], "xintian.register_admin");
  jobs_->WaitIdle();

  Answer job = Get("/api/v1/register-imports/" + id, admin_);
  ASSERT_EQ(job.status, 200) << job.text;
  EXPECT_EQ(job.body["state"], "done");
  EXPECT_EQ(job.body["lines"], 4);
  EXPECT_EQ(job.body["imported"], 2);
  EXPECT_EQ(job.body["rejected"], 2);
  EXPECT_EQ(job.body["percent"], 100);
  EXPECT_TRUE(job.body["rows_per_second"].is_number());
  EXPECT_EQ(job.body["bad_rows"], "/api/v1/register-imports/" + id + "/bad-rows");

  Answer bad = Get("/api/v1/register-imports/" + id + "/bad-rows", admin_);
  ASSERT_EQ(bad.status, 200);
  EXPECT_TRUE(bad.type.starts_with("text/csv")) << bad.type;
  EXPECT_EQ(bad.text,
            "line,field,reason\n3,household_region,outside the importer's scope\n"
            "4,income_band,unknown value 'rich'\n");

  Answer list = Get("/api/v1/register-imports", admin_);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["items"].size(), 1U);
  EXPECT_EQ(list.body["items"][0]["id"], id);

  // The same file again is the same job.
  Answer again = Upload("?kind=persons", Csv(), admin_);
  EXPECT_EQ(again.status, 200) << again.text;
  EXPECT_EQ(again.body["id"], id);
}

TEST_F(RegisterImportRoutesTest, RefusesWhatCannotBeImported) {
  EXPECT_EQ(Upload("?kind=persons", Csv(), clerk_).status, 403);
  EXPECT_EQ(Upload("?kind=persons", Csv(), "").status, 401);
  Answer kind = Upload("?kind=cats", Csv(), admin_);
  EXPECT_EQ(kind.status, 400);
  EXPECT_EQ(kind.body["errors"][0]["field"], "kind") << kind.text;
  EXPECT_EQ(Upload("?kind=persons", Csv(), admin_, "application/json").status, 415);
  Answer header = Upload("?kind=entities", Csv(), admin_);
  EXPECT_EQ(header.status, 400);
  EXPECT_NE(header.text.find("file/header/uscc"), std::string::npos) << header.text;
  EXPECT_EQ(Upload("?kind=persons", std::string(3000, 'x'), admin_).status, 413);
  EXPECT_EQ(Get("/api/v1/register-imports/0123456789abcdef0123456789abcdef", admin_).status, 404);
  Answer list = Get("/api/v1/register-imports", admin_);
  EXPECT_EQ(list.body["items"].size(), 0U);
}

}  // namespace
}  // namespace tongban::api
