#include "app/demo.h"

#include <chrono>

#include <fmt/format.h>

#include "base/embedded.h"
#include "bpmn/inspect.h"
#include "people/demo.h"

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
