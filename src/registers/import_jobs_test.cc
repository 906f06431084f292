// Register imports started from the web: queued, run on the worker thread with their progress,
// bounded by the starter's scope, and resumed by the next process from their checkpoint.
#include "registers/import_jobs.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/clock.h"
#include "regions/region_import.h"
#include "registers/field_cipher.h"
#include "registers/test_fixture.h"
#include "registers/testing.h"
#include "store/testing.h"
#include "trace/trace.h"

namespace tongban::registers {
namespace {

using testing::MakeIdNumber;
using testing::Staff;

constexpr const char* kVillage = "431128001001";
constexpr const char* kHeader =
    "id_number,name,sex,birth_date,household_region,address,phone,income_band,assistance,"
    "disability_certificate,disability_category,disability_level,long_term_care\n";

// Six rows: four good (lines 2, 3, 6, 7), a bad check character (line 4) and a household in
// 浏阳 (430181), outside a 新田 (431128) importer's scope (line 5).
std::string SampleCsv() {
  std::string text = kHeader;
  for (int i = 0; i < 5; ++i) {
    const std::string id = MakeIdNumber("431128", "19700101", 101 + 2 * i);
    if (i == 2) {
      text += fmt::format("{},坏,male,1970-01-01,{},,,,,,,,\n",
                          id.substr(0, 17) + (id[17] == '1' ? '2' : '1'), kVillage);
      continue;
    }
    text += fmt::format("{},人{},male,1970-01-01,{},,,low,none,,,,false\n", id, i,
                        i == 3 ? "430181" : kVillage);
  }
  text += fmt::format("{},人9,male,1970-01-01,{},,,low,none,,,,false\n",
                      MakeIdNumber("431128", "19700101", 121), kVillage);
  return text;
}

class ImportJobsTest : public testing::RegistersFixture {
 protected:
  void SetUp() override {
    RegistersFixture::SetUp();
    if (!registers_) return;
    dir_ = ::testing::TempDir() + "/import_jobs_" + std::string(store::BackendName(GetParam()));
    std::filesystem::remove_all(dir_);
    clerk_.account.username = "clerk";
    outsider_.account.username = "outsider";
  }

  std::unique_ptr<ImportJobs> Jobs(int stop_after_batches) {
    auto jobs = ImportJobs::Create(*registers_, {.dir = dir_,
                                                 .max_bytes = 4096,
                                                 .batch_size = 2,
                                                 .stop_after_batches = stop_after_batches});
    EXPECT_TRUE(jobs.ok()) << jobs.error().ToString();
    return jobs.ok() ? std::move(jobs).value() : nullptr;
  }

  std::string dir_;
  people::Principal clerk_ = Staff("clerk", "431128", {"register.read", "register.write"});
  people::Principal outsider_ = Staff("outsider", "430181", {"register.read", "register.write"});
  people::Principal reader_ = Staff("reader", "431128", {"register.read"});
};

TEST_P(ImportJobsTest, ImportsInTheBackgroundWithinTheStartersScope) {
  if (!registers_) return;
  auto jobs = Jobs(0);
  ASSERT_TRUE(jobs);
  jobs->Start();
  auto started = jobs->Submit(clerk_, ImportKind::kPersons, SampleCsv(), "人口.csv");
  ASSERT_TRUE(started.ok()) << started.error().ToString();
  EXPECT_TRUE(started->created);
  EXPECT_EQ(started->job.id.size(), 32U);
  jobs->WaitIdle();

  auto job = jobs->Get(clerk_, started->job.id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, ImportJobState::kDone) << job->error;
  EXPECT_EQ(job->progress.lines, 6);
  EXPECT_EQ(job->progress.imported, 4);
  EXPECT_EQ(job->progress.rejected, 2);
  EXPECT_EQ(job->Percent(), 100);
  EXPECT_EQ(job->runs, 1);
  EXPECT_FALSE(job->import_id.empty());

  auto bad = jobs->BadRows(clerk_, job->id);
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(bad->starts_with("line,field,reason\n")) << *bad;
  EXPECT_NE(bad->find("4,id_number,"), std::string::npos) << *bad;
  EXPECT_NE(bad->find("5,household_region,outside the importer's scope"), std::string::npos)
      << *bad;
  auto found = registers_->FindByIdNumber(clerk_, MakeIdNumber("431128", "19700101", 121));
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->size(), 1U);

  // The same bytes again: the same job, nothing imported twice.
  auto again = jobs->Submit(clerk_, ImportKind::kPersons, SampleCsv(), "again.csv");
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->created);
  EXPECT_EQ(again->job.id, job->id);
  // Another county's importer neither sees the job nor its bad rows.
  EXPECT_EQ(jobs->Get(outsider_, job->id).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(jobs->BadRows(outsider_, job->id).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(jobs->List(outsider_).empty());
  EXPECT_EQ(jobs->List(clerk_).size(), 1U);
}

TEST_P(ImportJobsTest, RefusesWithoutThePermissionAndBadFiles) {
  if (!registers_) return;
  auto jobs = Jobs(0);
  ASSERT_TRUE(jobs);
  auto refused = jobs->Submit(reader_, ImportKind::kPersons, SampleCsv(), "x.csv");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kForbidden);

  auto header = jobs->Submit(clerk_, ImportKind::kEntities, SampleCsv(), "x.csv");
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(header.error().ToString().find("file/header/uscc"), std::string::npos)
      << header.error().ToString();
  EXPECT_NE(header.error().ToString().find("file/header/registered_region"), std::string::npos);

  auto empty = jobs->Submit(clerk_, ImportKind::kPersons, "", "x.csv");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code(), ErrorCode::kInvalidArgument);

  auto large = jobs->Submit(clerk_, ImportKind::kPersons, std::string(4097, 'x'), "x.csv");
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error().code(), ErrorCode::kPayloadTooLarge);
  EXPECT_TRUE(jobs->List(clerk_).empty());
}

TEST_P(ImportJobsTest, TheNextProcessResumesAnInterruptedJobFromItsCheckpoint) {
  if (!registers_) return;
  std::string id;
  {
    auto first = Jobs(1);  // stops after one committed batch, as a server stopping would
    ASSERT_TRUE(first);
    first->Start();
    auto started = first->Submit(clerk_, ImportKind::kPersons, SampleCsv(), "人口.csv");
    ASSERT_TRUE(started.ok()) << started.error().ToString();
    id = started->job.id;
    first->WaitIdle();
    auto job = first->Get(clerk_, id);
    ASSERT_TRUE(job.ok());
    EXPECT_EQ(job->state, ImportJobState::kQueued);
    EXPECT_EQ(job->progress.lines, 2);
    EXPECT_EQ(job->progress.imported, 2);
    EXPECT_GT(job->Percent(), 0);
    EXPECT_LT(job->Percent(), 100);
  }
  auto second = Jobs(0);
  ASSERT_TRUE(second);
  auto queued = second->Get(clerk_, id);
  ASSERT_TRUE(queued.ok());
  EXPECT_EQ(queued->state, ImportJobState::kQueued);
  second->Start();
  second->WaitIdle();
  auto job = second->Get(clerk_, id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, ImportJobState::kDone) << job->error;
  EXPECT_EQ(job->runs, 2);
  EXPECT_EQ(job->progress.lines, 6);
  EXPECT_EQ(job->progress.imported, 4);
  EXPECT_EQ(job->progress.rejected, 2);
  auto bad = second->BadRows(clerk_, id);
  ASSERT_TRUE(bad.ok());
  // Each bad row reported once over both runs.
  EXPECT_EQ(std::count(bad->begin(), bad->end(), '\n'), 3) << *bad;
}

INSTANTIATE_TEST_SUITE_P(Backends, ImportJobsTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::registers
