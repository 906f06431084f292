#include "app/demo.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include <fmt/format.h>

#include "base/embedded.h"
#include "base/id_number.h"
#include "base/region.h"
#include "bpmn/inspect.h"
#include "people/demo.h"
#include "people/repository.h"
#include "registers/import.h"

namespace tongban {
extern const EmbeddedFile kDemoData[];
extern const size_t kDemoData_count;
}  // namespace tongban

namespace tongban::app {
namespace {

std::string_view DemoFile(std::string_view suffix) {
  for (size_t i = 0; i < kDemoData_count; ++i) {
    if (kDemoData[i].path.ends_with(suffix)) return kDemoData[i].contents;
  }
  return {};
}

}  // namespace

Result<DemoLoad> LoadDemo(store::Database& db, catalog::CatalogService& catalog) {
  const auto start = std::chrono::steady_clock::now();
  DemoLoad out;
  TB_ASSIGN_OR_RETURN(people::DemoPeopleCounts people,
                      people::LoadDemoPeople(db, people::DemoPeopleYaml()));
  out.already_loaded = people.already_loaded;
  out.staff = people.staff;
  out.citizens = people.citizens;
  out.enterprises = people.enterprises;
  // The catalog import is idempotent (unchanged items stay unchanged), so it runs every time:
  // a demo database made by an older binary picks up catalog corrections. Drafts someone opened
  // on the demo are kept as they are (never overwritten, and no reason to refuse to start).
  TB_ASSIGN_OR_RETURN(Date effective, Date::Parse(kDemoEffectiveFrom));
  catalog::ImportOptions options{.actor = "system",
                                 .open_drafts = catalog::OpenDrafts::kKeep,
                                 .publish = true,
                                 .effective_from = effective};
  auto summary = catalog.ImportYaml(DemoFile("data/demo/catalog.yaml"), options);
  if (!summary.ok()) {
    Error e = std::move(summary).error();
    e.Prefix("demo catalog");
    return e;
  }
  out.matters = summary->published;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

std::vector<std::string> DemoLocalities() {
  return {"431128", "430181", "430423", "430204", "430603"};
}

namespace {

// A demo account as a principal, read from the database (the demo loader acts as the system:
// no password is checked).
Result<people::Principal> DemoPrincipal(store::Database& db, const std::string& username,
                                        const std::string& id_number) {
  TB_ASSIGN_OR_RETURN(people::PeopleRepository repo,
                      people::PeopleRepository::Create(db.backend()));
  return db.Transaction<people::Principal>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<people::Principal> {
        auto account = username.empty() ? repo.FindAccountByIdNumber(sql, id_number)
                                        : repo.FindAccountByUsername(sql, username);
        if (!account) {
          return Error(ErrorCode::kNotFound,
                       fmt::format("demo account {}{} is missing", username, id_number));
        }
        people::Principal p;
        p.account = std::move(account->account);
        p.grants = repo.ListHeldGrants(sql, p.account.id);
        p.agencies = repo.ListAgencies(sql, p.account.id);
        return p;
      });
}

Status Done(Result<cases::Case> r) {
  if (!r.ok()) return std::move(r).error();
  return Ok();
}

// A value of the field's type, for a demo application.
std::optional<std::string> DemoValue(const catalog::FormField& f, const std::string& region,
                                     const std::string& id_number) {
  switch (f.type) {
    case catalog::FieldType::kString:
      return "演示";
    case catalog::FieldType::kInteger:
      return "1";
    case catalog::FieldType::kDecimal:
      return "1.5";
    case catalog::FieldType::kDate:
      return "2025-06-01";
    case catalog::FieldType::kBoolean:
      return "true";
    case catalog::FieldType::kEnum:
      if (f.options.empty()) return std::nullopt;
      return f.options.front();
    case catalog::FieldType::kRegion:
      return region;
    case catalog::FieldType::kIdNumber:
      return id_number;
    case catalog::FieldType::kPhone:
      return "13800000001";
    case catalog::FieldType::kUscc:
      return std::nullopt;
  }
  return std::nullopt;
}

// The first matter a citizen can fill in of a department the locality's demo approver decides.
Result<std::optional<cases::SubmitRequest>> DemoApplication(catalog::CatalogService& catalog,
                                                            const std::string& region,
                                                            const std::string& id_number,
                                                            const people::Principal& approver) {
  for (const people::HeldGrant& g : approver.grants) {
    const std::string& department = g.grant.scope.department;
    catalog::PageRequest page{.limit = 100, .cursor = ""};
    TB_ASSIGN_OR_RETURN(catalog::MatterPage matters,
                        catalog.ListMatters({.region = region, .department = department}, page));
    for (const catalog::MatterSummary& s : matters.items) {
      if (s.region_code != region) continue;
      TB_ASSIGN_OR_RETURN(catalog::Matter m, catalog.GetMatter(s.code));
      if (m.item.scenarios.empty()) continue;
      const catalog::Scenario& scenario = m.item.scenarios.front();
      cases::SubmitRequest r;
      r.matter = s.code;
      r.scenario = scenario.code;
      r.channel = cases::Channel::kOnline;
      bool fillable = true;
      for (const catalog::FormField& f : scenario.form) {
        if (!f.required) continue;
        auto v = DemoValue(f, region, id_number);
        if (!v) fillable = false;
        if (v) r.form[f.name] = *v;
      }
      if (!fillable) continue;
      int n = 0;
      for (const catalog::Material& material : scenario.materials) {
        r.materials.push_back({.name = material.name,
                               .state = cases::MaterialState::kProvided,
                               .origin = cases::MaterialOrigin::kLicence,
                               .reference = fmt::format("demo-licence-{}-{}", region, ++n),
                               .due_on = std::nullopt});
      }
      return std::optional<cases::SubmitRequest>(std::move(r));
    }
  }
  return std::optional<cases::SubmitRequest>();
}

}  // namespace

Result<DemoCases> LoadDemoCases(store::Database& db, catalog::CatalogService& catalog,
                                cases::CaseService& cases) {
  const auto start = std::chrono::steady_clock::now();
  DemoCases out;
  people::Principal system;
  system.account.id = "system";
  system.account.kind = people::AccountKind::kStaff;
  people::HeldGrant everything;
  everything.permissions = {"case.read"};
  system.grants.push_back(everything);
  TB_ASSIGN_OR_RETURN(cases::CasePage any, cases.Search(system, {.limit = 1}));
  if (!any.items.empty()) {
    out.already_there = true;
    return out;
  }
  // One applicant per locality: a demo citizen (people.yaml) living there where there is one.
  const std::vector<std::string> citizens = {"431128196803150214", "430181198504200648",
                                             "430423197809300525", "430204198805120310",
                                             "430603199502250484"};
  const std::vector<std::string> names = {"xintian", "liuyang", "hengshan", "shifeng", "yunxi"};
  const std::vector<std::string> regions = DemoLocalities();
  for (size_t i = 0; i < regions.size(); ++i) {
    const std::string& region = regions[i];
    TB_ASSIGN_OR_RETURN(people::Principal citizen, DemoPrincipal(db, "", citizens[i]));
    TB_ASSIGN_OR_RETURN(people::Principal clerk, DemoPrincipal(db, names[i] + ".window_clerk", ""));
    TB_ASSIGN_OR_RETURN(people::Principal approver, DemoPrincipal(db, names[i] + ".approver", ""));
    TB_ASSIGN_OR_RETURN(people::Principal head,
                        DemoPrincipal(db, names[i] + ".department_head", ""));
    TB_ASSIGN_OR_RETURN(auto application, DemoApplication(catalog, region, citizens[i], approver));
    if (!application) {
      return Error(ErrorCode::kNotFound, fmt::format("no demo matter for cases in {}", region));
    }
    auto submit = [&]() -> Result<std::string> {
      TB_ASSIGN_OR_RETURN(cases::SubmitResult s, cases.Submit(citizen, *application));
      ++out.cases;
      return s.record.number;
    };
    auto accepted = [&]() -> Result<std::string> {
      TB_ASSIGN_OR_RETURN(std::string n, submit());
      TB_RETURN_IF_ERROR(Done(cases.Accept(clerk, n, {})));
      return n;
    };
    const std::string item = application->materials.empty() ? std::string("申请表")
                                                            : application->materials.front().name;
    TB_ASSIGN_OR_RETURN(std::string submitted, submit());
    (void)submitted;
    TB_ASSIGN_OR_RETURN(std::string correction, submit());
    TB_RETURN_IF_ERROR(Done(
        cases.RequestCorrection(clerk, correction, {item + "（请补充清晰的原件扫描件）"}, {})));
    TB_ASSIGN_OR_RETURN(std::string review, accepted());
    (void)review;
    TB_ASSIGN_OR_RETURN(std::string suspended, accepted());
    TB_RETURN_IF_ERROR(
        Done(cases.Suspend(approver, suspended, cases::SuspensionReason::kExpertReview, 10, {})));
    TB_ASSIGN_OR_RETURN(std::string extended, accepted());
    TB_RETURN_IF_ERROR(
        Done(cases.Extend(head, extended, "需组织现场核查，十日内无法作出决定", {})));
    TB_ASSIGN_OR_RETURN(std::string approved, accepted());
    TB_RETURN_IF_ERROR(Done(cases.Approve(approver, approved, {})));
    TB_ASSIGN_OR_RETURN(std::string denied, accepted());
    TB_RETURN_IF_ERROR(Done(cases.Deny(approver, denied, "申请人不符合法定条件", {})));
    TB_ASSIGN_OR_RETURN(std::string concluded, accepted());
    TB_RETURN_IF_ERROR(Done(cases.Approve(approver, concluded, {})));
    TB_RETURN_IF_ERROR(Done(cases.Conclude(approver, concluded, {})));
    TB_ASSIGN_OR_RETURN(std::string withdrawn, submit());
    TB_RETURN_IF_ERROR(Done(cases.Withdraw(citizen, withdrawn, {})));
    TB_ASSIGN_OR_RETURN(std::string refused, submit());
    TB_RETURN_IF_ERROR(Done(cases.Refuse(clerk, refused, "申请事项不属于本机关职权范围",
                                         "市人力资源和社会保障局", {})));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

std::vector<std::pair<std::string_view, std::string_view>> DemoProcessFiles() {
  std::vector<std::pair<std::string_view, std::string_view>> out;
  for (size_t i = 0; i < kDemoData_count; ++i) {
    if (kDemoData[i].path.ends_with(".bpmn")) {
      out.emplace_back(kDemoData[i].path, kDemoData[i].contents);
    }
  }
  return out;
}

Result<int> DeployDemoProcesses(
    bpmn::Runtime& runtime, const std::function<Result<std::set<std::string>>()>& known_groups) {
  TB_ASSIGN_OR_RETURN(std::set<std::string> groups, known_groups());
  int versions = 0;
  for (const auto& [path, xml] : DemoProcessFiles()) {
    TB_ASSIGN_OR_RETURN(
        FieldErrors problems,
        bpmn::DeploymentProblems(xml, [&](const std::string& g) { return groups.contains(g); }));
    if (!problems.empty()) return problems.ToError(fmt::format("demo process {}", path));
    TB_ASSIGN_OR_RETURN(
        bpmn::Deployment d,
        runtime.Deploy(
            xml, bpmn::Actor{.account_id = "system", .roles = {}, .department = "", .region = ""}));
    versions += static_cast<int>(d.processes.size());
  }
  return versions;
}

}  // namespace tongban::app

namespace tongban::app {

Result<int> OpenDemoProjectCases(store::Database& db, projects::ProjectService& projects,
                                 cases::CaseService& cases, const std::string& project_id) {
  if (project_id.empty()) return 0;
  // What the park's forms ask beyond the project's name and code.
  const projects::StageForms forms = {
      {"works_planning_permit", {{"floor_area_m2", "18600"}}},
      {"construction_permit", {{"contract_price_wan", "5200"}, {"building_area_m2", "18600"}}}};
  if (auto opened = projects.OpenCases(project_id, forms); !opened.ok()) {
    return std::move(opened).error();
  }
  TB_ASSIGN_OR_RETURN(people::Principal clerk, DemoPrincipal(db, "yunxi.park_clerk", ""));
  TB_ASSIGN_OR_RETURN(cases::CasePage queue,
                      cases.AcceptanceQueue(clerk, "430603", "430603-yqgwh", 50, ""));
  static constexpr std::string_view kPdf =
      "%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n";
  int accepted = 0;
  for (const cases::CaseSummary& summary : queue.items) {
    TB_ASSIGN_OR_RETURN(cases::Case c, cases.Read(summary.number));
    if (!c.submitted_by.starts_with("project:")) continue;
    for (const cases::CaseMaterial& m : c.materials) {
      if (!m.required || m.state != cases::MaterialState::kMissing) continue;
      TB_RETURN_IF_ERROR(Done(cases.SupplyMaterial(
          clerk, c.number, m.index, cases::MaterialOrigin::kClerkScan, kPdf, "scan.pdf", "")));
    }
    TB_RETURN_IF_ERROR(Done(cases.Accept(clerk, c.number, {})));
    ++accepted;
  }
  return accepted;
}

Result<DemoRegisters> LoadDemoRegisters(registers::Registers& registers) {
  DemoRegisters out;
  store::Database& db = registers.db();
  long long count = 0;
  TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    sql << registers.queries().Get("count_persons", db.backend()), soci::into(count);
    return Ok();
  }));
  if (count > 0) {
    out.already_loaded = true;
    return out;
  }
  const std::string_view csv = DemoFile("registers/persons.csv");
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / fmt::format("tongban-demo-persons-{}.csv", getpid());
  {
    std::ofstream f(path, std::ios::binary);
    f << csv;
  }
  auto report = registers::ImportCsv(registers, registers::ImportKind::kPersons, path.string(),
                                     {.report_path = path.string() + ".errors.csv"});
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + ".errors.csv");
  if (!report.ok()) return std::move(report).error();
  out.persons = report->imported;

  // A village of the demo register per county, for the citizens' household regions.
  std::map<std::string, std::string> villages;
  for (std::string_view rest = csv; !rest.empty();) {
    const size_t eol = rest.find('\n');
    auto cells = registers::SplitCsvLine(rest.substr(0, eol));
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (cells.size() > 4 && cells[4].size() == 12)
      villages.emplace(cells[4].substr(0, 6), cells[4]);
  }
  auto village_of = [&](const std::string& id_number) -> std::string {
    auto it = villages.find(id_number.substr(0, 6));
    if (it != villages.end()) return it->second;
    for (const auto& [county, village] : villages) {
      if (county.starts_with(id_number.substr(0, 4))) return village;  // 零陵地区 4329 -> none
    }
    return villages.count("431128") > 0 ? villages["431128"] : villages.begin()->second;
  };
  people::Principal system;
  system.account.id = "system";
  system.account.kind = people::AccountKind::kStaff;
  people::HeldGrant grant;
  grant.grant.scope.region = "*";
  grant.permissions = {"register.write"};
  system.grants.push_back(grant);

  const YAML::Node root = YAML::Load(std::string(people::DemoPeopleYaml()));
  std::map<std::string, std::string> names;
  for (const auto& c : root["citizens"]) {
    registers::Person p;
    p.id_number = c["id_number"].as<std::string>();
    p.name = c["name"].as<std::string>();
    names[p.id_number] = p.name;
    auto info = ParseIdNumber(p.id_number);
    if (!info.ok()) continue;
    p.sex = info->sex;
    const auto& b = info->birth_date;
    auto birth = Date::FromCivil(static_cast<int>(b.year()), static_cast<int>(unsigned(b.month())),
                                 static_cast<int>(unsigned(b.day())));
    if (!birth.ok()) continue;
    p.birth_date = *birth;
    p.household_region = village_of(p.id_number);
    auto region = LookupRegion(p.household_region.substr(0, 6));
    p.address =
        (region.ok() ? region->name : std::string()) + p.household_region.substr(6, 3) + "村1组8号";
    if (c["phone"]) p.phone = c["phone"].as<std::string>();
    p.income_band = registers::IncomeBand::kLowerMiddle;
    // Two citizens hold a disability certificate in a 低保 family, so the demo shows both
    // subsidies of 国发〔2015〕52号 (persons.csv, as generated, has no 低保 certificate holder):
    // 周德华 level 2 needing long-term care qualifies for both, 彭国庆 level 3 for the living
    // subsidy only.
    if (p.id_number == "432930195507020150" || p.id_number == "430603197008180194") {
      const bool severe = p.id_number == "432930195507020150";
      p.income_band = registers::IncomeBand::kLow;
      p.assistance = registers::Assistance::kMinimumLiving;
      p.disability =
          registers::Disability{.certificate = p.id_number + (severe ? "42" : "13"),
                                .category = severe ? registers::DisabilityCategory::kPhysical
                                                   : registers::DisabilityCategory::kVisual,
                                .level = severe ? 2 : 3};
      p.long_term_care = severe;
    }
    auto created = registers.CreatePerson(system, p);
    if (!created.ok() && created.error().code() != ErrorCode::kAlreadyExists) {
      return std::move(created).error();
    }
    if (created.ok()) ++out.persons;
  }
  for (const auto& e : root["enterprises"]) {
    registers::Entity entity;
    entity.uscc = e["uscc"].as<std::string>();
    entity.name = e["name"].as<std::string>();
    const std::string rep = e["legal_representative"].as<std::string>();
    entity.legal_representative = names.count(rep) > 0 ? names[rep] : rep;
    entity.industry = "F5291";
    entity.size = registers::EntitySize::kSmall;
    entity.registered_region = entity.uscc.substr(2, 6);
    auto created = registers.CreateEntity(system, entity);
    if (!created.ok() && created.error().code() != ErrorCode::kAlreadyExists) {
      return std::move(created).error();
    }
    if (created.ok()) ++out.entities;
  }
  return out;
}

}  // namespace tongban::app
