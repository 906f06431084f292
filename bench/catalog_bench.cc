// Listing matters in force over a catalog the size of a province: how long one page takes with
// each filter, and the query plan each filter gets (printed once, to show the index it uses).
// Database: TONGBAN_BENCH_DB (an empty database URL) or a temporary SQLite file.
// Size: TONGBAN_BENCH_ITEMS implementation items (default 20000).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "app/app.h"
#include "base/region.h"
#include "base/uscc.h"
#include "catalog/service.h"

namespace tongban::catalog {
namespace {

struct Fixture {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<CatalogService> service;
  std::string county;  // a county holding about 1 % of the items
  std::string town;
  std::string department;
  std::string path;
};

Fixture* fixture = nullptr;

// Counties and towns of Hunan from the region list, so every code validates.
std::vector<std::pair<std::string, std::vector<std::string>>> HunanCounties() {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  auto cities = ListChildRegions("430000");
  if (!cities.ok()) return out;
  for (const auto& city : *cities) {
    auto counties = ListChildRegions(city.code);
    if (!counties.ok()) continue;
    for (const auto& county : *counties) {
      std::vector<std::string> towns;
      if (auto t = ListChildRegions(county.code); t.ok()) {
        for (size_t i = 0; i < t->size() && i < 4; ++i) towns.push_back((*t)[i].code + "000");
      }
      out.emplace_back(county.code, towns);
    }
  }
  return out;
}

CatalogFile Generate(int items) {
  CatalogFile f;
  const auto counties = HunanCounties();
  f.certificates.push_back({.code = "ZM-1",
                            .name = "证明",
                            .issuer = "公安机关",
                            .basis = "规定",
                            .status = CertificateStatus::kRetained,
                            .cancelled_basis = "",
                            .licence_type = ""});
  for (size_t c = 0; c < counties.size(); ++c) {
    for (int d = 0; d < 3; ++d) {
      auto uscc = MakeUscc(fmt::format("11{}MB{:05d}{}", counties[c].first, c, d));
      f.departments.push_back({.code = fmt::format("{}-d{}", counties[c].first, d),
                               .name = fmt::format("部门{}-{}", c, d),
                               .uscc = uscc.ok() ? *uscc : "",
                               .region = counties[c].first});
    }
  }
  const Kind kinds[] = {Kind::kLicensing, Kind::kBenefit, Kind::kConfirmation, Kind::kPublicService,
                        Kind::kOtherPower};
  for (int b = 0; b < 500; ++b) {
    f.basic_items.push_back({.code = fmt::format("B{:05d}", b),
                             .name = fmt::format("事项{}{}", b, b % 7 == 0 ? "卫生许可" : ""),
                             .kind = kinds[b % 5],
                             .legal_basis = "《某条例》第一条"});
  }
  for (int i = 0; i < items; ++i) {
    const auto& [county, towns] = counties[static_cast<size_t>(i) % counties.size()];
    ImplementationItem it;
    it.code = fmt::format("I{:07d}", (i * 7919) % items);
    it.basic_item = f.basic_items[static_cast<size_t>(i) % f.basic_items.size()].code;
    it.department = fmt::format("{}-d{}", county, i % 3);
    it.region =
        (i % 4 == 0 && !towns.empty()) ? towns[static_cast<size_t>(i / 4) % towns.size()] : county;
    it.handling_type = HandlingType::kPromised;
    it.legal_limit = TimeLimit{20, LimitUnit::kWorkingDays};
    it.promised_limit = TimeLimit{5, LimitUnit::kWorkingDays};
    it.visits = i % 2;
    it.online_depth = 1 + i % 4;
    if (i % 3 == 0) it.lists.nearby = {Level::kTown, Level::kVillage};
    if (i % 5 == 0) it.lists.online = {Level::kCounty};
    if (i % 11 == 0) it.cross_region_modes = {CrossRegionMode::kJointHandling};
    it.jurisdiction = "true";
    it.keywords = {fmt::format("关键词{}", i % 50)};
    it.scenarios = {Scenario{.code = "new",
                             .name = "新办",
                             .kind = ScenarioKind::kNew,
                             .process = "p",
                             .form = {FormField{.name = "a",
                                                .label = "面积",
                                                .type = FieldType::kDecimal,
                                                .required = true,
                                                .options = {}}},
                             .materials = {Material{.name = "证明",
                                                    .required = Requirement::kAlways,
                                                    .condition = "",
                                                    .core = true,
                                                    .source = MaterialSource::kCertificateRequest,
                                                    .licence_type = "",
                                                    .certificate = "ZM-1"}}}};
    f.implementation_items.push_back(std::move(it));
  }
  return f;
}

bool SetUp() {
  fixture = new Fixture;
  const char* url_env = std::getenv("TONGBAN_BENCH_DB");
  std::string url = url_env ? url_env : "";
  if (url.empty()) {
    fixture->path = (std::filesystem::temp_directory_path() /
                     fmt::format("tongban-catalog-bench-{}.db", getpid()))
                        .string();
    url = "sqlite:" + fixture->path;
  }
  const char* items_env = std::getenv("TONGBAN_BENCH_ITEMS");
  const int items = items_env ? std::atoi(items_env) : 20000;
  auto parsed = store::ParseDatabaseUrl(url);
  if (!parsed.ok()) return false;
  auto db = store::Database::Open(*parsed, {.pool_size = 2});
  if (!db.ok()) return false;
  fixture->db = std::move(db).value();
  auto sets = app::App::AllMigrations();
  std::vector<const store::MigrationSet*> ptrs;
  for (const auto& s : *sets) ptrs.push_back(&s);
  if (!fixture->db->Migrate(ptrs).ok()) return false;
  auto service = CatalogService::Create(*fixture->db);
  if (!service.ok()) return false;
  fixture->service = std::move(service).value();

  // TONGBAN_BENCH_CATALOG: a catalog file (e.g. data/demo/catalog.yaml) instead of a generated one.
  const char* catalog_env = std::getenv("TONGBAN_BENCH_CATALOG");
  if (catalog_env != nullptr) {
    std::ifstream in(catalog_env, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto imported = fixture->service->ImportYaml(
        text, {.actor = "bench", .publish = true, .effective_from = *Date::Parse("2025-01-01")});
    if (!imported.ok()) return false;
    std::fprintf(stderr, "imported %s (%d items)\n", catalog_env, imported->published);
    fixture->county = "431128";
    fixture->town = "431128";
    fixture->department = "431128-wjj";
    return true;
  }
  CatalogFile file = Generate(items);
  fixture->county = file.implementation_items[1].region;
  fixture->town = file.implementation_items[0].region;
  fixture->department = file.implementation_items[1].department;
  const auto start = std::chrono::steady_clock::now();
  auto imported = fixture->service->Import(
      file, {.actor = "bench", .publish = true, .effective_from = *Date::Parse("2025-01-01")});
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!imported.ok()) {
    std::fprintf(stderr, "import failed: %s\n", imported.error().ToString().c_str());
    return false;
  }
  std::fprintf(stderr, "%s: imported %d items (%zu departments) with --publish in %.1f s\n",
               fixture->db->url().display.c_str(), items, file.departments.size(), seconds);
  return true;
}

std::vector<std::pair<std::string, MatterFilter>> Filters() {
  return {
      {"all", {}},
      {"region_county", {.region = fixture->county}},
      {"region_town", {.region = fixture->town}},
      {"region_province", {.region = "430000"}},
      {"department", {.department = fixture->department}},
      {"kind", {.kind = Kind::kBenefit}},
      {"list_level", {.list = ServiceList::kNearby, .level = Level::kVillage}},
      {"mode", {.mode = CrossRegionMode::kJointHandling}},
      {"keyword", {.keyword = "卫生"}},
      {"county_kind_list",
       {.region = fixture->county, .kind = Kind::kLicensing, .list = ServiceList::kOnline}},
  };
}

void PrintPlans() {
  for (const auto& [name, filter] : Filters()) {
    auto plan = fixture->service->ExplainListMatters(filter, {.limit = 20});
    std::fprintf(stderr, "plan %s:\n", name.c_str());
    if (!plan.ok()) continue;
    for (const auto& line : *plan) std::fprintf(stderr, "    %s\n", line.c_str());
  }
}

// Search latency percentiles over `runs` runs of each query (a page of 20), and each plan.
void PrintSearchPercentiles(int runs) {
  for (const char* q :
       {"我要开餐馆", "公共场所卫生", "卫生许可", "关键词7", "事项", "水", "许可"}) {
    std::vector<double> us;
    size_t hits = 0;
    for (int i = 0; i < runs; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auto page = fixture->service->SearchMatters(q, {}, {.limit = 20});
      us.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
      hits = page.ok() ? page->items.size() : 0;
    }
    std::sort(us.begin(), us.end());
    std::fprintf(stderr, "search %-8s page of %2zu: p50 %8.0f us  p99 %8.0f us  (%d runs)\n", q,
                 hits, us[us.size() / 2], us[us.size() * 99 / 100], runs);
  }
  auto plan = fixture->service->ExplainSearch("我要开餐馆", {});
  std::fprintf(stderr, "plan search:\n");
  if (plan.ok()) {
    for (const auto& line : *plan) std::fprintf(stderr, "    %s\n", line.c_str());
  }
}

void BM_ListMatters(benchmark::State& state, const MatterFilter& filter) {
  size_t rows = 0;
  for (auto _ : state) {
    auto page = fixture->service->ListMatters(filter, {.limit = 20});
    if (!page.ok()) state.SkipWithError(page.error().ToString().c_str());
    rows = page.ok() ? page->items.size() : 0;
    benchmark::DoNotOptimize(page);
  }
  state.counters["rows"] = static_cast<double>(rows);
}

void BM_ListDeepPage(benchmark::State& state) {
  // Keyset pagination: page 500 costs what page 1 costs.
  PageRequest page{.limit = 20};
  for (int i = 0; i < 500; ++i) {
    auto p = fixture->service->ListMatters({}, page);
    if (!p.ok() || p->next_cursor.empty()) break;
    page.cursor = p->next_cursor;
  }
  for (auto _ : state) {
    auto p = fixture->service->ListMatters({}, page);
    benchmark::DoNotOptimize(p);
  }
}

void BM_GetMatter(benchmark::State& state) {
  for (auto _ : state) {
    auto m = fixture->service->GetMatter("I0000001", *Date::Parse("2025-06-01"));
    if (!m.ok()) state.SkipWithError(m.error().ToString().c_str());
    benchmark::DoNotOptimize(m);
  }
}

}  // namespace
}  // namespace tongban::catalog

int main(int argc, char** argv) {
  using namespace tongban::catalog;
  benchmark::Initialize(&argc, argv);
  if (!SetUp()) return 1;
  PrintPlans();
  PrintSearchPercentiles(200);
  for (const auto& [name, filter] : Filters()) {
    benchmark::RegisterBenchmark(("ListMatters/" + name).c_str(), BM_ListMatters, filter)
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("ListMatters/page_500", BM_ListDeepPage)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("GetMatter", BM_GetMatter)->Unit(benchmark::kMicrosecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  fixture->service.reset();
  fixture->db.reset();
  if (!fixture->path.empty()) {
    std::filesystem::remove(fixture->path);
    std::filesystem::remove(fixture->path + "-wal");
    std::filesystem::remove(fixture->path + "-shm");
  }
  return 0;
}
