#include "app/demo.h"

#include <chrono>

#include "base/embedded.h"
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

}  // namespace tongban::app
