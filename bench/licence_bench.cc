// E-licence issue and verify per core (issue 7), next to `openssl speed sm2` in the same run
// (bench/licence_side_by_side.sh). Four levels, so the cost of each layer shows:
//   Sm2Sign / Sm2Verify        the SM2 operation alone on a licence-sized document (what
//                              `openssl speed sm2` measures, through the same OpenSSL)
//   SignDocument               JCS canonicalisation of the document + SM2 signature
//   Issue (SQLite)             the whole service call: schema check, id, JCS, sign, register
//                              row and trace event in one committed transaction
//   Verify (SQLite)            a presented licence: certificate chain to the root, signature,
//                              register lookup, status and dates
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "keys/key_store.h"
#include "licences/jcs.h"
#include "licences/service.h"
#include "trace/trace.h"

namespace tongban::licences {
namespace {

nlohmann::json Document() {
  return {{"id", "1.2.156.3005.2.11100000000013338W011.11431128MB170582X2.2026000001.001.8"},
          {"type", {{"code", "11100000000013338W011"}, {"name", "营业执照"}}},
          {"holder", {{"id", "91431128MB1711648A"}, {"name", "新田县自来水有限公司"}}},
          {"issuer",
           {{"code", "431128-scjgj"},
            {"name", "新田县市场监督管理局"},
            {"uscc", "11431128MB170582X2"}}},
          {"version", 1},
          {"issued_at", "2026-03-02T01:00:00Z"},
          {"valid_from", "2026-03-02"},
          {"valid_until", nullptr},
          {"previous", ""},
          {"data",
           {{"name", "新田县自来水有限公司"},
            {"kind", "有限责任公司"},
            {"legal_representative", "张三"},
            {"capital", "500万元"},
            {"established", "2010-05-04"},
            {"address", "新田县龙泉镇"},
            {"scope", "自来水生产与供应"}}}};
}

void Sm2Sign(benchmark::State& state) {
  auto key = crypto::Sm2Key::Generate().value();
  const std::string doc = Canonicalize(Document()).value();
  for (auto _ : state) benchmark::DoNotOptimize(key.Sign(doc).value());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Sm2Sign)->MeasureProcessCPUTime();

void Sm2Verify(benchmark::State& state) {
  auto key = crypto::Sm2Key::Generate().value();
  const std::string doc = Canonicalize(Document()).value();
  const std::string sig = key.Sign(doc).value();
  for (auto _ : state) {
    if (!key.Verify(doc, sig).value()) state.SkipWithError("signature did not verify");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Sm2Verify)->MeasureProcessCPUTime();

void SignDocument(benchmark::State& state) {
  auto key = crypto::Sm2Key::Generate().value();
  const nlohmann::json doc = Document();
  for (auto _ : state) benchmark::DoNotOptimize(key.Sign(Canonicalize(doc).value()).value());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(SignDocument)->MeasureProcessCPUTime();

// A service over a fresh SQLite file with the demo's business-licence type.
struct Fixture {
  Fixture() {
    path = (std::filesystem::temp_directory_path() /
            ("licence_bench_" + std::to_string(::getpid()) + ".db"))
               .string();
    std::filesystem::remove(path);
    db = store::Database::Open(store::ParseDatabaseUrl("sqlite:" + path).value()).value();
    const store::MigrationSet* sets[] = {&keys::KeysMigrations(), &trace::TraceMigrations(),
                                         &LicencesMigrations()};
    if (!db->Migrate(sets).ok()) std::abort();
    keys = std::make_unique<keys::KeyStore>(*db, ring, SystemClock::Instance());
    trace = std::make_unique<trace::Trace>(*db, trace::Trace::Options{});
    service = std::make_unique<LicenceService>(
        *db, *keys, *trace, SystemClock::Instance(),
        [](const std::string& code) -> Result<IssuerDepartment> {
          return IssuerDepartment{code, "新田县市场监督管理局", "11431128MB170582X2", "431128"};
        });
    LicenceType type{.code = "11100000000013338W011",
                     .name = "营业执照",
                     .holder = HolderKind::kEntity,
                     .issuers = {"431128-scjgj"},
                     .validity_years = 0,
                     .fields = {}};
    for (const char* f :
         {"name", "kind", "legal_representative", "capital", "established", "address", "scope"}) {
      type.fields.push_back(
          {.name = f,
           .type = std::string_view(f) == "established" ? FieldType::kDate : FieldType::kString,
           .required = true,
           .description = f});
    }
    if (!service->PutTypes({type}).ok()) std::abort();
  }
  ~Fixture() {
    service.reset();
    trace.reset();
    keys.reset();
    db.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  IssueRequest Request() const {
    return {.type_code = "11100000000013338W011",
            .holder_id = "91431128MB1711648A",
            .holder_name = "新田县自来水有限公司",
            .issuer = "431128-scjgj",
            .data = Document()["data"],
            .valid_from = std::nullopt,
            .case_id = "",
            .actor = "bench"};
  }

  std::string path;
  std::unique_ptr<store::Database> db;
  keys::MasterKeyRing ring = keys::MasterKeyRing::Generate("m1").value();
  std::unique_ptr<keys::KeyStore> keys;
  std::unique_ptr<trace::Trace> trace;
  std::unique_ptr<LicenceService> service;
};

void Issue(benchmark::State& state) {
  Fixture f;
  const IssueRequest request = f.Request();
  for (auto _ : state) {
    if (!f.service->Issue(request).ok()) state.SkipWithError("issue failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Issue)->MeasureProcessCPUTime();

void Verify(benchmark::State& state) {
  Fixture f;
  const SignedLicence licence = f.service->Issue(f.Request()).value().signed_licence;
  for (auto _ : state) {
    if (!f.service->Verify(licence).value().valid()) state.SkipWithError("not valid");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(Verify)->MeasureProcessCPUTime();

}  // namespace
}  // namespace tongban::licences

BENCHMARK_MAIN();
