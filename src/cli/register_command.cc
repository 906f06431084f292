// tongban register import|show|find|generate|rotate-keys: the person and entity registers from
// the command line. The operator running it holds the database itself, so the command acts as
// "cli:<user>" with every register permission; full reads still need a stated purpose and are
// traced like any other.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>

#include <fmt/format.h>

#include "app/app.h"
#include "cli/command.h"
#include "registers/field_cipher.h"
#include "registers/generate.h"
#include "registers/import.h"
#include "registers/register.h"
#include "trace/signing_key.h"

namespace tongban::cli {
namespace {

struct RegisterFlags {
  DatabaseFlags db;
  std::string keys;
  std::string arg;
  std::string arg2;
  bool resume = false;
  int batch = 10000;
  std::string report;
  std::string purpose;
  std::string purpose_code;
  int64_t count = 1000;
  uint64_t seed = 1;
  std::string out;
};

// The keys: --keys, else TONGBAN_REGISTER_KEYS, else (SQLite) DB.register-keys.yaml beside the
// database, created with fresh keys (mode 0600) on first use.
Result<registers::FieldCipher> LoadCipher(const RegisterFlags& f, const store::DatabaseUrl& url) {
  std::string path = f.keys;
  if (path.empty()) {
    const char* env = std::getenv("TONGBAN_REGISTER_KEYS");
    if (env != nullptr) path = env;
  }
  if (path.empty()) {
    if (url.backend != store::Backend::kSqlite) {
      return Error(ErrorCode::kInvalidArgument, "register keys needed",
                   {{"keys", "give --keys FILE or TONGBAN_REGISTER_KEYS"}});
    }
    path = url.target + ".register-keys.yaml";
    if (!std::filesystem::exists(path)) {
      std::ofstream out(path);
      out << registers::GenerateRegisterKeysYaml();
      out.close();
      std::filesystem::permissions(
          path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
      std::fprintf(stderr, "tongban: new register keys written to %s\n", path.c_str());
    }
  }
  std::ifstream in(path);
  if (!in) return Error(ErrorCode::kInvalidArgument, "cannot read register keys " + path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  TB_ASSIGN_OR_RETURN(registers::RegisterKeys keys, registers::ParseRegisterKeys(text));
  return registers::FieldCipher::Create(keys);
}

struct Opened {
  std::unique_ptr<store::Database> db;
  std::unique_ptr<trace::Trace> trace;
  std::unique_ptr<registers::Registers> registers;
};

Result<Opened> Open(const RegisterFlags& f) {
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(f.db));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  Opened o;
  TB_ASSIGN_OR_RETURN(o.db, store::Database::Open(url, store::Database::Options{.pool_size = 2}));
  TB_ASSIGN_OR_RETURN(auto sets, app::App::AllMigrations());
  TB_ASSIGN_OR_RETURN(sets.emplace_back(), registers::Migrations());
  std::vector<const store::MigrationSet*> ptrs;
  ptrs.reserve(sets.size());
  for (const auto& s : sets) ptrs.push_back(&s);
  TB_ASSIGN_OR_RETURN(int applied, o.db->Migrate(ptrs));
  (void)applied;
  TB_ASSIGN_OR_RETURN(registers::FieldCipher cipher, LoadCipher(f, url));
  o.trace = std::make_unique<trace::Trace>(*o.db, trace::Trace::Options{});
  TB_ASSIGN_OR_RETURN(o.registers, registers::Registers::Create(*o.db, std::move(cipher), *o.trace,
                                                                SystemClock::Instance()));
  return o;
}

people::Principal Operator() {
  people::Principal p;
  const char* user = std::getenv("USER");
  p.account.id = fmt::format("cli:{}", user != nullptr ? user : "operator");
  people::HeldGrant g;
  g.permissions = {"register.read", "register.read_full", "register.write"};
  p.grants.push_back(g);
  return p;
}

void PrintPerson(const registers::Person& p) {
  std::printf("id\t%s\nid_number\t%s\nname\t%s\nsex\t%s\nbirth_date\t%s\n", p.id.c_str(),
              p.id_number.c_str(), p.name.c_str(), std::string(SexName(p.sex)).c_str(),
              p.birth_date.ToString().c_str());
  std::printf("household_region\t%s\naddress\t%s\nphone\t%s\nincome_band\t%s\nassistance\t%s\n",
              p.household_region.c_str(), p.address.c_str(), p.phone.c_str(),
              std::string(registers::IncomeBandName(p.income_band)).c_str(),
              std::string(registers::AssistanceName(p.assistance)).c_str());
  if (p.disability) {
    std::printf("disability_certificate\t%s\ndisability_category\t%s\ndisability_level\t%d\n",
                p.disability->certificate.c_str(),
                std::string(registers::DisabilityCategoryName(p.disability->category)).c_str(),
                p.disability->level);
  }
  std::printf("long_term_care\t%s\nstatus\t%s\nversion\t%lld\n",
              p.long_term_care ? "true" : "false",
              std::string(registers::PersonStatusName(p.status)).c_str(),
              static_cast<long long>(p.version));
  for (const auto& m : p.family) {
    std::printf("family\t%s\t%s\n", std::string(registers::RelationName(m.relation)).c_str(),
                m.person_id.c_str());
  }
}

int Import(const RegisterFlags& f) {
  registers::ImportKind kind;
  if (f.arg == "persons") {
    kind = registers::ImportKind::kPersons;
  } else if (f.arg == "entities") {
    kind = registers::ImportKind::kEntities;
  } else {
    return Fail(Error(ErrorCode::kInvalidArgument, "import persons|entities FILE"));
  }
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  const bool tty = isatty(fileno(stderr)) != 0;
  const auto start = std::chrono::steady_clock::now();
  int last_percent = -1;
  auto progress = [&](const registers::ImportProgress& p) {
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const int percent =
        p.bytes_total > 0 ? static_cast<int>(100 * p.bytes_done / p.bytes_total) : 100;
    const double rate = secs > 0 ? static_cast<double>(p.lines) / secs : 0;
    if (tty) {
      std::string bar(static_cast<size_t>(percent * 30 / 100), '#');
      bar.resize(30, '.');
      std::fprintf(stderr, "\r[%s] %3d%%  %lld rows  %lld imported  %lld rejected  %.0f rows/s",
                   bar.c_str(), percent, static_cast<long long>(p.lines),
                   static_cast<long long>(p.imported), static_cast<long long>(p.rejected), rate);
    } else if (percent / 10 != last_percent / 10 || percent == 100) {
      std::fprintf(stderr, "progress %d%% rows %lld imported %lld rejected %lld\n", percent,
                   static_cast<long long>(p.lines), static_cast<long long>(p.imported),
                   static_cast<long long>(p.rejected));
    }
    last_percent = percent;
  };
  auto report =
      registers::ImportCsv(*o->registers, kind, f.arg2,
                           {.batch_size = f.batch,
                            .resume = f.resume ? registers::Resume::kYes : registers::Resume::kNo,
                            .report_path = f.report,
                            .actor = Operator().account.id,
                            .progress = progress,
                            .stop_after_batches = 0});
  if (tty) std::fprintf(stderr, "\n");
  if (!report.ok()) return Fail(report.error());
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("import %s%s: %lld rows, %lld imported, %lld rejected (report %s), %.1f s\n",
              report->job_id.c_str(), report->resumed ? " (resumed)" : "",
              static_cast<long long>(report->lines), static_cast<long long>(report->imported),
              static_cast<long long>(report->rejected), report->report_path.c_str(), secs);
  return report->rejected > 0 ? 1 : 0;
}

int Show(const RegisterFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  people::Principal op = Operator();
  std::string id = f.arg;
  if (id.size() == 18) {  // an ID number: found through its blind index
    auto found = o->registers->FindByIdNumber(op, id);
    if (!found.ok()) return Fail(found.error());
    if (found->empty()) return Fail(Error(ErrorCode::kNotFound, "no person with this ID number"));
    id = (*found)[0].id;
  }
  Result<registers::Person> p =
      f.purpose.empty() && f.purpose_code.empty()
          ? o->registers->GetPerson(op, id)
          : o->registers->ReadPersonFull(op, id, {.code = f.purpose_code, .text = f.purpose});
  if (!p.ok()) return Fail(p.error());
  PrintPerson(*p);
  return 0;
}

int Find(const RegisterFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  auto found = o->registers->FindByIdNumber(Operator(), f.arg);
  if (!found.ok()) return Fail(found.error());
  for (const auto& p : *found) {
    std::printf("%s\t%s\t%s\t%s\n", p.id.c_str(), p.id_number.c_str(), p.name.c_str(),
                p.household_region.c_str());
  }
  return found->empty() ? 1 : 0;
}

int Generate(const RegisterFlags& f) {
  registers::GenerateOptions options{.count = f.count, .seed = f.seed};
  if (!f.arg.empty()) options.counties = {f.arg};
  Status s = Ok();
  if (f.out.empty()) {
    s = registers::GeneratePersonsCsv(options, std::cout);
  } else {
    std::ofstream out(f.out, std::ios::binary);
    s = registers::GeneratePersonsCsv(options, out);
  }
  return s.ok() ? 0 : Fail(s.error());
}

int Rotate(const RegisterFlags& f) {
  auto o = Open(f);
  if (!o.ok()) return Fail(o.error());
  auto n = o->registers->RotatePersons(Operator().account.id);
  if (!n.ok()) return Fail(n.error());
  std::printf("re-sealed %lld persons under key %s\n", static_cast<long long>(*n),
              o->registers->cipher().current_key_id().c_str());
  return 0;
}

}  // namespace

void AddRegisterCommands(CLI::App& cli, Context& ctx) {
  auto* reg = cli.add_subcommand("register", "the person and entity registers (人口库, 法人库)");
  reg->require_subcommand(1);
  auto add = [&](const char* name, const char* help, auto run) {
    auto flags = std::make_shared<RegisterFlags>();
    auto* cmd = reg->add_subcommand(name, help);
    AddDatabaseFlags(cmd, flags->db);
    cmd->add_option("--keys", flags->keys, "register key file (YAML)");
    cmd->callback([flags, &ctx, run] { ctx.exit_code = run(*flags); });
    return std::make_pair(cmd, flags);
  };
  {
    auto [cmd, f] =
        add("import", "import persons|entities from CSV (bad rows to a report)", Import);
    cmd->add_option("KIND", f->arg, "persons or entities")->required();
    cmd->add_option("FILE", f->arg2, "CSV with a header line")->required();
    cmd->add_flag("--resume", f->resume, "continue an interrupted import of FILE");
    cmd->add_option("--batch", f->batch, "rows per committed batch (10000)");
    cmd->add_option("--report", f->report, "bad rows CSV (FILE.errors.csv)");
  }
  {
    auto [cmd, f] =
        add("show", "a person, masked; in clear with --purpose-code and --purpose", Show);
    cmd->add_option("ID", f->arg, "person id or ID number")->required();
    cmd->add_option("--purpose", f->purpose, "共享条件: why the full record is read");
    cmd->add_option("--purpose-code", f->purpose_code,
                    "case_handling|proactive_grant|verification|supervision|judicial_assistance");
  }
  {
    auto [cmd, f] = add("find", "persons holding an ID number (blind index), masked", Find);
    cmd->add_option("ID_NUMBER", f->arg, "18 characters")->required();
  }
  {
    auto [cmd, f] = add("generate", "deterministic register-format persons CSV", Generate);
    cmd->add_option("--count", f->count, "rows (1000)");
    cmd->add_option("--seed", f->seed, "random seed (1)");
    cmd->add_option("--county", f->arg, "one county code (default: the five demo localities)");
    cmd->add_option("--out", f->out, "file (default stdout)");
  }
  add("rotate-keys", "re-seal every person under the current key", Rotate);
}

}  // namespace tongban::cli
