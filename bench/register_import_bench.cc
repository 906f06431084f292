// Person import rows/s on SQLite (WAL, synchronous=FULL, as the product opens it): a
// deterministic register-format CSV (registers/generate.h, seed 1) is written first, then
// imported into a fresh database in committed batches, each row validated, its ID number, phone
// and certificate number sealed with SM4 and indexed with HMAC-SM3. Then the persons are loaded
// as columns and the two subsidy rules counted, as issue 8's runs would.
//
//   register_import_bench [ROWS] [DIR]     (ROWS 1000000, DIR build/bench-registers)
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "base/clock.h"
#include "regions/region_import.h"
#include "registers/columns.h"
#include "registers/field_cipher.h"
#include "registers/generate.h"
#include "registers/import.h"
#include "registers/register.h"
#include "registers/rules.h"
#include "trace/trace.h"

using namespace tongban;  // NOLINT(google-build-using-namespace): a benchmark's main

namespace {

// CPU seconds (user + system, all threads) the process has used so far.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

int Die(const Error& e) {
  std::fprintf(stderr, "register_import_bench: %s\n", e.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1000000;
  const std::string dir = argc > 2 ? argv[2] : "build/bench-registers";
  std::filesystem::create_directories(dir);
  const std::string csv = fmt::format("{}/persons-{}.csv", dir, rows);
  const std::string db_path = fmt::format("{}/persons-{}.db", dir, rows);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db_path + suffix);

  auto t = std::chrono::steady_clock::now();
  if (!std::filesystem::exists(csv)) {
    std::ofstream out(csv, std::ios::binary);
    Status s = registers::GeneratePersonsCsv({.count = rows, .seed = 1}, out);
    if (!s.ok()) return Die(s.error());
  }
  std::printf("generate %lld rows: %.1f s (%s, %.0f MB)\n", static_cast<long long>(rows),
              Seconds(t), csv.c_str(), static_cast<double>(std::filesystem::file_size(csv)) / 1e6);

  auto url = store::ParseDatabaseUrl("sqlite:" + db_path);
  auto db = store::Database::Open(*url, {.pool_size = 2});
  if (!db.ok()) return Die(db.error());
  auto regions_set = regions::Migrations();
  auto registers_set = registers::Migrations();
  const store::MigrationSet* sets[] = {&trace::TraceMigrations(), &*regions_set, &*registers_set};
  if (auto m = (*db)->Migrate(sets); !m.ok()) return Die(m.error());
  trace::Trace trace(**db, {});
  registers::RegisterKeys keys{.sealing_keys = {{"k1", std::string(64, 'a')}},
                               .current_key_id = "k1",
                               .index_key = std::string(64, 'c')};
  auto reg = registers::Registers::Create(**db, *registers::FieldCipher::Create(keys), trace,
                                          SystemClock::Instance());
  if (!reg.ok()) return Die(reg.error());

  t = std::chrono::steady_clock::now();
  const double cpu_before = CpuSeconds();
  auto report = registers::ImportCsv(**reg, registers::ImportKind::kPersons, csv,
                                     {.batch_size = 10000, .report_path = csv + ".errors.csv"});
  if (!report.ok()) return Die(report.error());
  const double import_s = Seconds(t);
  const double import_cpu = CpuSeconds() - cpu_before;
  std::printf(
      "import %lld rows (%lld imported, %lld rejected), SQLite WAL synchronous=FULL, batches of "
      "10000, indexes after: %.1f s = %.0f rows/s\n",
      static_cast<long long>(report->lines), static_cast<long long>(report->imported),
      static_cast<long long>(report->rejected), import_s,
      static_cast<double>(report->lines) / import_s);
  std::printf(
      "import CPU (user + sys, both threads): %.1f s = %.1f us per row, %.0f rows per CPU-second\n",
      import_cpu, import_cpu * 1e6 / static_cast<double>(report->lines),
      static_cast<double>(report->lines) / import_cpu);

  t = std::chrono::steady_clock::now();
  auto columns = registers::LoadPersonColumns(**reg, "", *Date::Parse("2026-11-26"));
  if (!columns.ok()) return Die(columns.error());
  std::printf("load %zu persons as columns: %.1f s\n", columns->reg.rows(), Seconds(t));
  auto rules = registers::BuiltinRegisterRules();
  for (const auto& rule : *rules) {
    t = std::chrono::steady_clock::now();
    auto compiled = feel::CompileColumnar(rule.feel, columns->reg);
    if (!compiled.ok()) return Die(compiled.error());
    auto counts = compiled->Count({.threads = 2});
    std::printf("%s: %llu eligible, %.3f s\n", rule.title.c_str(),
                static_cast<unsigned long long>(counts->total.matches), Seconds(t));
  }
  return 0;
}
