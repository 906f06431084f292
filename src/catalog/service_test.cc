// The catalog service on SQLite and PostgreSQL: import, export, versions and publication,
// optimistic concurrency, listing with filters and keyset pagination.
#include "catalog/service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <atomic>
#include <set>
#include <thread>

#include "catalog/testing.h"
#include "catalog/yaml_io.h"
#include "regions/region_import.h"
#include "store/testing.h"

namespace tongban::catalog {
namespace {

using store::Backend;
using testing::Describe;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Paths;
using testing::TestFile;
using ::testing::UnorderedElementsAre;

constexpr char kHygiene[] = "11431128MB1234562L000172003000001";
constexpr char kFreight[] = "11431128MB1234570F000120031000001";
constexpr char kSubsidy[] = "11431128MB1234562L000110013000002";

Date D(const char* text) { return *Date::Parse(text); }

// Records every change; can be told to refuse.
class RecordingObserver : public ChangeObserver {
 public:
  Status OnCatalogChange(soci::session&, const CatalogChange& change) override {
    if (refuse) return Error(ErrorCode::kUnavailable, "trace is down");
    changes.push_back(change);
    return Ok();
  }
  std::vector<CatalogChange> changes;
  bool refuse = false;
};

class CatalogServiceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = Open(*temp_);
    ASSERT_TRUE(db_);
    service_ = MakeService(*db_);
  }

  std::unique_ptr<store::Database> Open(const store::testing::TempDatabase& temp) {
    auto db = temp.Open();
    // The catalog reads the regions module's table of imported regions.
    auto regions = regions::Migrations();
    auto set = CatalogMigrations();
    EXPECT_TRUE(regions.ok() && set.ok());
    const store::MigrationSet* sets[] = {&*regions, &*set};
    auto migrated = db->Migrate(sets);
    EXPECT_TRUE(migrated.ok()) << migrated.error().ToString();
    return db;
  }

  std::unique_ptr<CatalogService> MakeService(store::Database& db) {
    auto s = CatalogService::Create(db, {.clock = &clock_, .observer = &observer_});
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return std::move(s).value();
  }

  ImportSummary ImportSmall(bool publish, std::optional<Date> effective = std::nullopt) {
    auto r =
        service_->ImportYaml(TestFile("small.yaml"),
                             {.actor = "admin-1", .publish = publish, .effective_from = effective});
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return r.ok() ? *r : ImportSummary{};
  }

  std::vector<std::string> Codes(const MatterFilter& filter, int limit = 100) {
    auto page = service_->ListMatters(filter, {.limit = limit});
    EXPECT_TRUE(page.ok()) << page.error().ToString();
    std::vector<std::string> out;
    if (page.ok()) {
      for (const auto& m : page->items) out.push_back(m.code);
    }
    return out;
  }

  ImplementationItem SmallItem(size_t i) {
    FieldErrors errors;
    CatalogFile f = ParseCatalogYaml(TestFile("small.yaml"), errors);
    return f.implementation_items.at(i);
  }

  // 2025-05-10 10:00 in China.
  FakeClock clock_{StartOfDayInChina(*Date::Parse("2025-05-10")) + std::chrono::hours(10)};
  RecordingObserver observer_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<CatalogService> service_;
};

TEST_P(CatalogServiceTest, ImportsTheSmallCatalog) {
  ImportSummary s = ImportSmall(false);
  EXPECT_EQ(s.regions, 2);
  EXPECT_EQ(s.departments, 2);
  EXPECT_EQ(s.windows, 2);
  EXPECT_EQ(s.certificates, 3);
  EXPECT_EQ(s.basic_items, 3);
  EXPECT_EQ(s.items_created, 3);
  EXPECT_EQ(s.bundles, 1);
  EXPECT_EQ(s.published, 0);

  auto departments = service_->ListDepartments();
  ASSERT_TRUE(departments.ok());
  ASSERT_EQ(departments->size(), 2u);
  EXPECT_EQ((*departments)[1].name, "新田县卫生健康局");
  auto bundles = service_->ListBundles();
  ASSERT_TRUE(bundles.ok());
  ASSERT_EQ(bundles->size(), 1u);
  EXPECT_THAT((*bundles)[0].matters, ElementsAre(kHygiene, kFreight));
  auto counts = service_->CountCertificates();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->retained, 2);
  EXPECT_EQ(counts->cancelled, 1);
  auto certificates = service_->ListCertificates();
  ASSERT_TRUE(certificates.ok());
  EXPECT_EQ((*certificates)[2].cancelled_basis, "《国务院关于取消一批证明事项的决定》");

  // Drafts are not in force.
  EXPECT_EQ(service_->GetMatter(kHygiene).error().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(Codes({}).empty());
  auto latest = service_->GetLatestMatter(kHygiene);
  ASSERT_TRUE(latest.ok()) << latest.error().ToString();
  EXPECT_EQ(latest->version.status, VersionStatus::kDraft);
  EXPECT_EQ(latest->version.id, std::string(kHygiene) + "@1");
  EXPECT_EQ(latest->version.created_by, "admin-1");
  EXPECT_EQ(latest->version.created_at, "2025-05-10T02:00:00Z");
  EXPECT_EQ(latest->basic.name, "公共场所卫生许可");
  EXPECT_EQ(latest->department.name, "新田县卫生健康局");
  EXPECT_EQ(latest->item, SmallItem(0));

  // Importing the same file again changes nothing.
  ImportSummary again = ImportSmall(false);
  EXPECT_EQ(again.unchanged, 3);
  EXPECT_EQ(again.items_created + again.drafts_updated + again.versions_created, 0);
}

TEST_P(CatalogServiceTest, PublishingImportPutsItemsInForce) {
  ImportSummary s = ImportSmall(true, D("2025-05-01"));
  EXPECT_EQ(s.published, 3);
  auto m = service_->GetMatter(kFreight);
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  EXPECT_EQ(m->version.status, VersionStatus::kPublished);
  EXPECT_EQ(m->version.effective_from, D("2025-05-01"));
  EXPECT_EQ(m->version.approved_by, "admin-1");
  EXPECT_EQ(m->version.published_by, "admin-1");
  EXPECT_EQ(m->basic.kind, Kind::kLicensing);
  EXPECT_EQ(m->basic.legal_basis, "《中华人民共和国道路运输条例》第二十一条");
  EXPECT_EQ(service_->GetMatter(kFreight, D("2025-04-30")).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(Codes({}).size(), 3u);
  // The trace hears of every change, and of the import as a whole.
  ASSERT_FALSE(observer_.changes.empty());
  EXPECT_EQ(observer_.changes.back().action, CatalogChange::Action::kImported);
  EXPECT_EQ(observer_.changes.back().actor, "admin-1");
  int published = 0;
  for (const auto& c : observer_.changes)
    published += c.action == CatalogChange::Action::kPublished;
  EXPECT_EQ(published, 3);
  // Today (by the fake clock) is the default effective date.
  ASSERT_TRUE(service_->ImportYaml(TestFile("small.yaml"), {.actor = "a", .publish = true}).ok());
}

TEST_P(CatalogServiceTest, AnInvalidFileImportsNothing) {
  std::string text = TestFile("small.yaml");
  text.replace(text.find("certificate: \"ZM-431128-001\""), 28, "certificate: \"ZM-431128-090\"");
  auto r = service_->ImportYaml(text, {.actor = "admin-1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(Paths(r.error().fields()),
              ElementsAre("implementation_items/1/scenarios/0/materials/0/certificate"));
  auto exported = service_->ExportYaml({});
  ASSERT_TRUE(exported.ok());
  EXPECT_EQ(*exported, "{}\n");
  EXPECT_TRUE(observer_.changes.empty());

  // A problem found only against stored versions also leaves nothing behind.
  ImportSmall(true, D("2025-05-01"));
  std::string changed = TestFile("small.yaml");
  changed.replace(changed.find("visits: 1"), 9, "visits: 2");
  changed.replace(changed.find("name: 新田县交通运输局"), 27, "name: 新田县交通局");
  auto early = service_->ImportYaml(
      changed, {.actor = "a", .publish = true, .effective_from = D("2025-04-01")});
  ASSERT_FALSE(early.ok());
  // Only the changed item would be published; the unchanged ones stay as they are.
  EXPECT_THAT(Paths(early.error().fields()), ElementsAre("implementation_items/1"));
  auto departments = service_->ListDepartments();
  EXPECT_EQ((*departments)[0].name, "新田县交通运输局");
  EXPECT_EQ(service_->ListVersions(kFreight)->size(), 1u);

  // An observer that fails rolls the whole import back.
  observer_.refuse = true;
  auto refused = service_->ImportYaml(changed, {.actor = "a"});
  EXPECT_EQ(refused.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(service_->ListVersions(kFreight)->size(), 1u);
  EXPECT_EQ((*service_->ListDepartments())[0].name, "新田县交通运输局");
}

TEST_P(CatalogServiceTest, AnImportNeverSilentlyOverwritesAnOpenDraft) {
  ImportSmall(false);  // three drafts
  ASSERT_TRUE(service_->Approve(kHygiene, 1, "approver-1").ok());
  std::string changed = TestFile("small.yaml");
  changed.replace(changed.find("visits: 1"), 9, "visits: 2");  // the freight item
  const std::string department = "name: 新田县交通运输局";
  changed.replace(changed.find(department), department.size(), "name: 新田县交通局");
  const size_t hygiene = changed.find("code: \"" + std::string(kHygiene) + "\"");
  ASSERT_NE(hygiene, std::string::npos);
  changed.replace(changed.find("visits: 0", hygiene), 9, "visits: 3");
  const size_t events = observer_.changes.size();

  auto refused = service_->ImportYaml(changed, {.actor = "admin-2"});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);
  EXPECT_THAT(refused.error().message(), HasSubstr("2 unpublished versions; nothing was imported"));
  ASSERT_THAT(Paths(refused.error().fields()),
              UnorderedElementsAre("implementation_items/0", "implementation_items/1"));
  for (const FieldError& f : refused.error().fields()) {
    EXPECT_THAT(f.message, HasSubstr("--replace-drafts"));
  }
  EXPECT_THAT(Describe(refused.error().fields()),
              HasSubstr(std::string(kFreight) + " has an unpublished version 1 (draft"));
  EXPECT_THAT(Describe(refused.error().fields()),
              HasSubstr(std::string(kHygiene) + " has an unpublished version 1 (approved"));
  EXPECT_EQ(service_->GetLatestMatter(kFreight)->item.visits, 1);
  EXPECT_EQ((*service_->ListDepartments())[0].name, "新田县交通运输局");
  EXPECT_EQ(observer_.changes.size(), events);

  // The same content is no conflict: importing a file twice still changes nothing.
  auto same = service_->ImportYaml(TestFile("small.yaml"), {.actor = "admin-2"});
  ASSERT_TRUE(same.ok()) << same.error().ToString();
  EXPECT_EQ(same->unchanged, 3);

  // Kept: the open drafts stay as they are, the rest of the file is imported.
  auto kept = service_->ImportYaml(
      changed, {.actor = "admin-2", .open_drafts = OpenDrafts::kKeep, .publish = true});
  ASSERT_TRUE(kept.ok()) << kept.error().ToString();
  EXPECT_EQ(kept->drafts_kept, 2);
  EXPECT_EQ(kept->published, 1);  // the subsidy item, unchanged
  EXPECT_EQ((*service_->ListDepartments())[0].name, "新田县交通局");
  EXPECT_EQ(service_->GetLatestMatter(kFreight)->item.visits, 1);
  EXPECT_EQ(service_->GetLatestMatter(kHygiene)->version.status, VersionStatus::kApproved);

  auto replaced =
      service_->ImportYaml(changed, {.actor = "admin-2", .open_drafts = OpenDrafts::kReplace});
  ASSERT_TRUE(replaced.ok()) << replaced.error().ToString();
  EXPECT_EQ(replaced->drafts_updated, 2);
  EXPECT_EQ(service_->GetLatestMatter(kFreight)->item.visits, 2);
  EXPECT_EQ(service_->GetLatestMatter(kHygiene)->version.status, VersionStatus::kDraft);
}

TEST_P(CatalogServiceTest, RegionsImportedIntoTheDatabaseCount) {
  // 431128101299 is in no embedded list; once `tongban regions import` has stored it, catalog
  // entries may name it, and its name fills a region listed without one.
  std::string text = TestFile("small.yaml");
  text.replace(text.find("region: \"431128101000\""), 22, "region: \"431128101299\"");
  text.replace(text.find("  - code: \"431128101000\"\n    name: 金陵镇\n"),
               std::string("  - code: \"431128101000\"\n    name: 金陵镇\n").size(),
               "  - code: \"431128101299\"\n");
  auto refused = service_->ImportYaml(text, {.actor = "a"});
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(Paths(refused.error().fields()),
              UnorderedElementsAre("regions/1/code", "implementation_items/2/region"));
  auto regions = regions::RegionRepository::Create(*db_);
  ASSERT_TRUE(regions.ok());
  ASSERT_TRUE(regions
                  ->Import({{.code = "431128101299",
                             .name = "新建村",
                             .level = RegionLevel::kVillage,
                             .parent_code = "431128101"}})
                  .ok());
  auto imported = service_->ImportYaml(text, {.actor = "a"});
  ASSERT_TRUE(imported.ok()) << imported.error().ToString();
  auto listed = service_->ListRegions();
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->at(1).name, "新建村");
}

TEST_P(CatalogServiceTest, NoCertificateOffTheListWhenADraftIsSaved) {
  ImportSmall(false);
  ImplementationItem item = SmallItem(0);
  item.code = "NEW-ITEM-1";
  item.scenarios[0].materials[2].certificate = "ZM-431128-404";
  auto r = service_->CreateDraft(item, std::nullopt, "admin-1");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(r.error().fields().size(), 1u) << r.error().ToString();
  EXPECT_EQ(r.error().fields()[0].field, "scenarios/0/materials/2/certificate");
  EXPECT_THAT(r.error().fields()[0].message, HasSubstr("清单外无证明"));
  item.scenarios[0].materials[2].certificate = "ZM-431128-090";  // cancelled
  EXPECT_EQ(service_->CreateDraft(item, std::nullopt, "admin-1").error().fields()[0].field,
            "scenarios/0/materials/2/certificate");
  item.scenarios[0].materials[2].certificate = "ZM-431128-002";
  auto ok = service_->CreateDraft(item, std::nullopt, "admin-1");
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(ok->version.id, "NEW-ITEM-1@1");
  EXPECT_EQ(ok->version.revision, 1);
}

TEST_P(CatalogServiceTest, AJurisdictionRuleThatCannotDecideIsRefusedAtImportAndSave) {
  std::string text = TestFile("small.yaml");
  const std::string rule = "jurisdiction: 'starts with(applicant.region, \"431128\")'";
  ASSERT_NE(text.find(rule), std::string::npos);
  std::string bad = text;
  bad.replace(bad.find(rule), rule.size(), "jurisdiction: 'starts with(applicant_region, \"43\")'");
  auto r = service_->ImportYaml(bad, {.actor = "admin-1"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(r.error().fields().size(), 1u) << r.error().ToString();
  EXPECT_THAT(r.error().fields()[0].field, HasSubstr("/jurisdiction"));
  EXPECT_THAT(r.error().fields()[0].message, HasSubstr("unknown name 'applicant_region'"));
  EXPECT_EQ(*service_->ExportYaml({}), "{}\n");

  ImportSmall(false);
  ImplementationItem item = SmallItem(0);
  item.code = "NEW-ITEM-2";
  item.jurisdiction = "applicant.region in (";
  auto draft = service_->CreateDraft(item, std::nullopt, "admin-1");
  ASSERT_FALSE(draft.ok());
  ASSERT_EQ(draft.error().fields().size(), 1u) << draft.error().ToString();
  EXPECT_EQ(draft.error().fields()[0].field, "jurisdiction");
  EXPECT_THAT(draft.error().fields()[0].message, HasSubstr("matter 'NEW-ITEM-2'"));
  item.jurisdiction = "starts with(applicant.region, \"431128\")";
  EXPECT_TRUE(service_->CreateDraft(item, std::nullopt, "admin-1").ok());
}

TEST_P(CatalogServiceTest, DraftApprovedPublishedWithOptimisticConcurrency) {
  ImportSmall(false);
  auto m = service_->GetLatestMatter(kHygiene);
  ASSERT_TRUE(m.ok());
  const int64_t r1 = m->version.revision;

  EXPECT_EQ(service_->Approve(kHygiene, std::nullopt, "boss").error().code(),
            ErrorCode::kPreconditionRequired);
  EXPECT_EQ(service_->Approve(kHygiene, r1 + 7, "boss").error().code(),
            ErrorCode::kVersionMismatch);
  EXPECT_EQ(service_->Publish(kHygiene, D("2025-06-01"), r1, "boss").error().code(),
            ErrorCode::kConflict);  // not approved yet

  // Update the draft: a stale or missing revision is refused.
  ImplementationItem item = SmallItem(0);
  item.visits = 1;
  EXPECT_EQ(service_->UpdateDraft(kHygiene, item, std::nullopt, "clerk").error().code(),
            ErrorCode::kPreconditionRequired);
  EXPECT_EQ(service_->UpdateDraft(kHygiene, item, r1 - 1, "clerk").error().code(),
            ErrorCode::kVersionMismatch);
  ImplementationItem other = item;
  other.code = kFreight;
  EXPECT_THAT(Paths(service_->UpdateDraft(kHygiene, other, r1, "clerk").error().fields()),
              ElementsAre("code"));
  auto updated = service_->UpdateDraft(kHygiene, item, r1, "clerk");
  ASSERT_TRUE(updated.ok()) << updated.error().ToString();
  EXPECT_EQ(updated->item.visits, 1);
  EXPECT_EQ(updated->version.updated_by, "clerk");
  EXPECT_EQ(updated->version.created_by, "admin-1");
  const int64_t r2 = updated->version.revision;
  EXPECT_GT(r2, r1);
  // The revision the first editor saw is now stale.
  EXPECT_EQ(service_->UpdateDraft(kHygiene, item, r1, "clerk2").error().code(),
            ErrorCode::kVersionMismatch);

  auto approved = service_->Approve(kHygiene, r2, "boss");
  ASSERT_TRUE(approved.ok()) << approved.error().ToString();
  EXPECT_EQ(approved->version.status, VersionStatus::kApproved);
  EXPECT_EQ(approved->version.approved_by, "boss");
  const int64_t r3 = approved->version.revision;
  EXPECT_EQ(service_->UpdateDraft(kHygiene, item, r3, "clerk").error().code(),
            ErrorCode::kConflict);  // approved versions do not change
  auto published = service_->Publish(kHygiene, D("2025-03-01"), r3, "boss");
  ASSERT_TRUE(published.ok()) << published.error().ToString();
  EXPECT_EQ(published->version.status, VersionStatus::kPublished);
  const int64_t r4 = published->version.revision;

  // Version 2: a new draft of a published item needs the revision too.
  ImplementationItem v2 = item;
  v2.visits = 0;
  v2.promised_limit->value = 2;
  EXPECT_EQ(service_->CreateDraft(v2, std::nullopt, "clerk").error().code(),
            ErrorCode::kPreconditionRequired);
  EXPECT_EQ(service_->CreateDraft(v2, r3, "clerk").error().code(), ErrorCode::kVersionMismatch);
  auto draft2 = service_->CreateDraft(v2, r4, "clerk");
  ASSERT_TRUE(draft2.ok()) << draft2.error().ToString();
  EXPECT_EQ(draft2->version.version, 2);
  const int64_t r5 = draft2->version.revision;
  EXPECT_EQ(service_->CreateDraft(v2, r5, "clerk").error().code(), ErrorCode::kConflict);
  auto approved2 = service_->Approve(kHygiene, r5, "boss");
  ASSERT_TRUE(approved2.ok());
  const int64_t r6 = approved2->version.revision;
  // What was in force on a past day never changes: no publication before version 1's date.
  auto too_early = service_->Publish(kHygiene, D("2025-02-01"), r6, "boss");
  ASSERT_FALSE(too_early.ok());
  EXPECT_THAT(Paths(too_early.error().fields()), ElementsAre("effective_from"));
  ASSERT_TRUE(service_->Publish(kHygiene, D("2025-06-01"), r6, "boss").ok());

  // The version in force depends on the date; a pinned version stays readable.
  EXPECT_EQ(service_->GetMatter(kHygiene, D("2025-02-28")).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(service_->GetMatter(kHygiene, D("2025-03-01"))->version.version, 1);
  EXPECT_EQ(service_->GetMatter(kHygiene, D("2025-05-31"))->version.version, 1);
  EXPECT_EQ(service_->GetMatter(kHygiene, D("2025-06-01"))->version.version, 2);
  EXPECT_EQ(service_->GetMatter(kHygiene)->version.version, 1);  // today is 2025-05-10
  auto pinned = service_->GetMatterByVersionId(std::string(kHygiene) + "@1");
  ASSERT_TRUE(pinned.ok());
  EXPECT_EQ(pinned->item.visits, 1);
  EXPECT_EQ(service_->GetMatterVersion(kHygiene, 2)->item.promised_limit->value, 2);
  EXPECT_EQ(service_->GetMatterVersion(kHygiene, 3).error().code(), ErrorCode::kNotFound);

  auto page = service_->ListMatters({.as_of = D("2025-06-15")}, {.limit = 10});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].version.id, std::string(kHygiene) + "@2");
  page = service_->ListMatters({.as_of = D("2025-05-15")}, {.limit = 10});
  EXPECT_EQ(page->items[0].version.id, std::string(kHygiene) + "@1");

  auto versions = service_->ListVersions(kHygiene);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].effective_from, D("2025-03-01"));
  EXPECT_EQ((*versions)[1].published_by, "boss");
  EXPECT_EQ(service_->ListVersions("nope").error().code(), ErrorCode::kNotFound);
}

TEST_P(CatalogServiceTest, ConcurrentEditorsOfOneRevisionNeverBothWin) {
  ImportSmall(false);
  for (int round = 0; round < 10; ++round) {
    auto m = service_->GetLatestMatter(kFreight);
    ASSERT_TRUE(m.ok());
    const int64_t seen = m->version.revision;
    std::atomic<int> won{0}, lost{0};
    std::vector<std::thread> editors;
    for (int e = 0; e < 2; ++e) {
      editors.emplace_back([&, e] {
        ImplementationItem item = SmallItem(1);
        item.visits = round * 2 + e;
        auto r = service_->UpdateDraft(kFreight, item, seen, fmt::format("editor-{}", e));
        if (r.ok()) {
          ++won;
        } else if (r.error().code() == ErrorCode::kVersionMismatch) {
          ++lost;
        }
      });
    }
    for (auto& t : editors) t.join();
    EXPECT_EQ(won.load(), 1) << "round " << round;
    EXPECT_EQ(lost.load(), 1) << "round " << round;
    EXPECT_EQ(service_->GetLatestMatter(kFreight)->version.revision, seen + 1);
  }
}

TEST_P(CatalogServiceTest, FiltersUseRegionSubtreesDepartmentsKindsListsModesAndKeywords) {
  ImportSmall(true, D("2025-01-01"));
  EXPECT_THAT(Codes({}), ElementsAre(kSubsidy, kHygiene, kFreight));
  EXPECT_THAT(Codes({.region = "431128"}), ElementsAre(kSubsidy, kHygiene, kFreight));
  EXPECT_THAT(Codes({.region = "431100"}), ElementsAre(kSubsidy, kHygiene, kFreight));
  EXPECT_THAT(Codes({.region = "430000"}), ElementsAre(kSubsidy, kHygiene, kFreight));
  EXPECT_THAT(Codes({.region = "431128101000"}), ElementsAre(kSubsidy));
  EXPECT_THAT(Codes({.region = "431128101"}), ElementsAre(kSubsidy));
  EXPECT_THAT(Codes({.region = "431128102"}), ElementsAre());
  EXPECT_THAT(Codes({.region = "430181"}), ElementsAre());
  EXPECT_THAT(Codes({.department = "431128-jtj"}), ElementsAre(kFreight));
  EXPECT_THAT(Codes({.kind = Kind::kLicensing}), ElementsAre(kHygiene, kFreight));
  EXPECT_THAT(Codes({.kind = Kind::kBenefit}), ElementsAre(kSubsidy));
  EXPECT_THAT(Codes({.list = ServiceList::kNearby}), ElementsAre(kSubsidy, kHygiene));
  EXPECT_THAT(Codes({.list = ServiceList::kNearby, .level = Level::kTown}), ElementsAre(kHygiene));
  EXPECT_THAT(Codes({.list = ServiceList::kNearby, .level = Level::kCounty}), ElementsAre());
  EXPECT_THAT(Codes({.list = ServiceList::kOnline, .level = Level::kCounty}),
              ElementsAre(kHygiene, kFreight));
  EXPECT_THAT(Codes({.level = Level::kCounty}), ElementsAre(kSubsidy, kHygiene, kFreight));
  EXPECT_THAT(Codes({.mode = CrossRegionMode::kJointHandling}), ElementsAre(kFreight));
  EXPECT_THAT(Codes({.mode = CrossRegionMode::kOnline}), ElementsAre(kHygiene));
  EXPECT_THAT(Codes({.keyword = "卫生"}), ElementsAre(kHygiene));
  EXPECT_THAT(Codes({.keyword = "hygiene"}), ElementsAre(kHygiene));
  EXPECT_THAT(Codes({.keyword = "残疾人"}), ElementsAre(kSubsidy));
  EXPECT_THAT(Codes({.keyword = "0001200"}), ElementsAre(kFreight));  // the basic code
  EXPECT_THAT(Codes({.keyword = "%"}), ElementsAre());
  EXPECT_THAT(Codes({.keyword = "_"}), ElementsAre());
  EXPECT_THAT(Codes({.region = "431128",
                     .department = "431128-wjj",
                     .kind = Kind::kLicensing,
                     .list = ServiceList::kAssisted,
                     .level = Level::kVillage,
                     .mode = CrossRegionMode::kProxyAcceptance,
                     .keyword = "许可"}),
              ElementsAre(kHygiene));

  auto page = service_->ListMatters({.department = "431128-jtj"}, {.limit = 5});
  ASSERT_TRUE(page.ok());
  const MatterSummary& m = page->items.at(0);
  EXPECT_EQ(m.name, "普通货物运输经营许可");
  EXPECT_EQ(m.region_code, "431128");
  EXPECT_EQ(m.department.code, "431128-jtj");
  EXPECT_EQ(m.department.name, "新田县交通运输局");
  EXPECT_EQ(m.legal_limit, (TimeLimit{20, LimitUnit::kWorkingDays}));
  EXPECT_EQ(m.promised_limit, (TimeLimit{5, LimitUnit::kWorkingDays}));
  EXPECT_EQ(m.lists.online, std::vector<Level>{Level::kCounty});
  EXPECT_EQ(m.cross_region_modes, std::vector<CrossRegionMode>{CrossRegionMode::kJointHandling});
  EXPECT_EQ(m.version.effective_from, D("2025-01-01"));
  EXPECT_EQ(page->next_cursor, "");
}

TEST_P(CatalogServiceTest, RegionDepartmentAndKindFiltersUseTheirIndexes) {
  // SQLite plans without statistics, so its choice is stable; PostgreSQL's depends on them
  // (bench/catalog_bench prints both at scale).
  if (GetParam() != Backend::kSqlite) GTEST_SKIP() << "plans are checked on SQLite";
  ImportSmall(true, D("2025-01-01"));
  auto plan = [&](const MatterFilter& f) {
    auto lines = service_->ExplainListMatters(f, {.limit = 20});
    EXPECT_TRUE(lines.ok()) << lines.error().ToString();
    return lines.ok() && !lines->empty() ? lines->front() : std::string();
  };
  EXPECT_THAT(plan({}),
              HasSubstr("USING INDEX catalog_version_in_force (status=? AND item_code>?)"));
  EXPECT_THAT(plan({.region = "430000"}), HasSubstr("catalog_version_province (status=? AND "));
  EXPECT_THAT(plan({.region = "431100"}), HasSubstr("catalog_version_city (status=? AND "));
  EXPECT_THAT(plan({.region = "431128"}), HasSubstr("catalog_version_county (status=? AND "));
  EXPECT_THAT(plan({.region = "431128101"}), HasSubstr("catalog_version_town (status=? AND "));
  EXPECT_THAT(plan({.region = "431128101201"}), HasSubstr("catalog_version_region (status=? AND "));
  EXPECT_THAT(plan({.department = "431128-wjj"}),
              HasSubstr("catalog_version_department (status=? AND department_code=? AND "));
  EXPECT_THAT(plan({.kind = Kind::kBenefit}),
              HasSubstr("catalog_version_kind (status=? AND kind=? AND item_code>?)"));
}

TEST_P(CatalogServiceTest, BadFiltersNameTheirFields) {
  auto r = service_->ListMatters({.region = "43", .keyword = std::string(101, 'k')},
                                 {.limit = 101, .cursor = "not a cursor!"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  EXPECT_THAT(Paths(r.error().fields()),
              UnorderedElementsAre("limit", "cursor", "region", "keyword"));
  EXPECT_THAT(Paths(service_->ListMatters({}, {.limit = 0}).error().fields()),
              ElementsAre("limit"));
}

TEST_P(CatalogServiceTest, PagesOverManyItemsWithoutGapsOrRepeats) {
  ImportSmall(false);
  CatalogFile f;
  ImplementationItem base = SmallItem(1);
  for (int i = 0; i < 250; ++i) {
    ImplementationItem it = base;
    // Codes not inserted in order, to show the order comes from the index, not the insertion.
    it.code = fmt::format("T{:04d}", (i * 37) % 250);
    it.region = i % 2 ? "431128" : "431128101000";
    f.implementation_items.push_back(it);
  }
  auto imported =
      service_->Import(f, {.actor = "bulk", .publish = true, .effective_from = D("2025-01-01")});
  ASSERT_TRUE(imported.ok()) << imported.error().ToString();
  EXPECT_EQ(imported->published, 250);

  auto walk = [&](const MatterFilter& filter, int limit) {
    std::vector<std::string> codes;
    std::vector<size_t> sizes;
    PageRequest page{.limit = limit};
    for (int guard = 0; guard < 100; ++guard) {
      auto r = service_->ListMatters(filter, page);
      EXPECT_TRUE(r.ok()) << r.error().ToString();
      if (!r.ok()) break;
      sizes.push_back(r->items.size());
      for (const auto& m : r->items) codes.push_back(m.code);
      if (r->next_cursor.empty()) break;
      page.cursor = r->next_cursor;
    }
    return std::make_pair(codes, sizes);
  };
  auto [all, sizes] = walk({}, 100);
  EXPECT_THAT(sizes, ElementsAre(100, 100, 50));
  ASSERT_EQ(all.size(), 250u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 250u);
  EXPECT_EQ(all.front(), "T0000");
  EXPECT_EQ(all.back(), "T0249");

  auto [towns, town_sizes] = walk({.region = "431128101"}, 40);
  EXPECT_THAT(town_sizes, ElementsAre(40, 40, 40, 5));
  EXPECT_EQ(std::set<std::string>(towns.begin(), towns.end()).size(), 125u);

  // The cursor keeps the first page's date: an item that comes into force after it does not
  // appear on later pages of the same listing, even once that date has come.
  auto first = service_->ListMatters({}, {.limit = 100});
  ASSERT_TRUE(first.ok());
  CatalogFile later;
  later.implementation_items.push_back(base);
  later.implementation_items[0].code = "T0150A";
  ASSERT_TRUE(
      service_->Import(later, {.actor = "bulk", .publish = true, .effective_from = D("2025-06-01")})
          .ok());
  clock_.Advance(std::chrono::hours(24 * 60));
  auto second = service_->ListMatters({}, {.limit = 100, .cursor = first->next_cursor});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->items.front().code, "T0100");
  EXPECT_EQ(second->items.back().code, "T0199");
  EXPECT_EQ(walk({}, 100).first.size(), 251u);
}

TEST_P(CatalogServiceTest, ExportImportExportGivesTheSameText) {
  ImportSmall(true, D("2025-01-01"));
  // A second version in draft: export carries the latest version of every item.
  ImplementationItem v2 = SmallItem(2);
  v2.visits = 7;
  auto m = service_->GetLatestMatter(kSubsidy);
  ASSERT_TRUE(service_->CreateDraft(v2, m->version.revision, "clerk").ok());
  auto first = service_->ExportYaml({});
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_THAT(*first, HasSubstr("visits: 7"));
  EXPECT_THAT(*first, HasSubstr("reuse_days: 180\n            request_days: 5\n"));
  // The region name omitted in the file comes from the region list.
  EXPECT_THAT(*first, HasSubstr("  - code: \"431128\"\n    name: 新田县\n"));

  auto in_force = service_->ExportYaml({.in_force_at = D("2025-02-01")});
  ASSERT_TRUE(in_force.ok());
  EXPECT_THAT(*in_force, ::testing::Not(HasSubstr("visits: 7")));

  auto other = store::testing::TempDatabase::Create(GetParam());
  ASSERT_TRUE(other);
  auto other_db = Open(*other);
  auto other_service = MakeService(*other_db);
  auto imported = other_service->ImportYaml(*first, {.actor = "copy"});
  ASSERT_TRUE(imported.ok()) << imported.error().ToString();
  auto second = other_service->ExportYaml({});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
}

INSTANTIATE_TEST_SUITE_P(Backends, CatalogServiceTest,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::catalog
