// The coverage report over the agreements and the exchange's metrics (issue 11, item 5).
#include <fmt/format.h>

#include <map>
#include <set>
#include <tuple>

#include "xregion/service.h"
#include "xregion/service_impl.h"

namespace tongban::xregion {

Result<Coverage> Service::CoverageReport() {
  TB_ASSIGN_OR_RETURN(std::vector<Partner> partners, ListPartners());
  TB_ASSIGN_OR_RETURN(std::vector<Agreement> agreements, ListAgreements());
  std::map<std::string, CoverageLine> lines;
  for (const Partner& p : partners) {
    lines[p.region] = {.partner = p.region, .partner_name = p.name};
  }
  std::map<std::string, std::set<Mode>> modes_of;                            // matter -> modes
  std::map<std::string, std::map<std::string, std::set<Mode>>> per_partner;  // partner -> ...
  for (const Agreement& a : agreements) {
    for (const AgreementMatter& m : a.matters) {
      modes_of[m.matter].insert(a.mode);
      per_partner[a.partner][m.matter].insert(a.mode);
    }
  }
  Coverage out;
  out.partners = static_cast<int64_t>(per_partner.size());
  out.matters = static_cast<int64_t>(modes_of.size());
  for (const auto& [matter, modes] : modes_of) {
    if (modes.contains(Mode::kOnline)) ++out.fully_online;
    if (modes.contains(Mode::kProxy)) ++out.proxy;
    if (modes.contains(Mode::kJoint)) ++out.joint;
  }
  for (const auto& [partner, matters] : per_partner) {
    CoverageLine& line = lines[partner];
    line.partner = partner;
    line.matters = static_cast<int64_t>(matters.size());
    for (const auto& [matter, modes] : matters) {
      if (modes.contains(Mode::kOnline)) ++line.online;
      if (modes.contains(Mode::kProxy)) ++line.proxy;
      if (modes.contains(Mode::kJoint)) ++line.joint;
    }
  }
  for (auto& [region, line] : lines) out.lines.push_back(std::move(line));
  return out;
}

std::string Metrics(Service& service) {
  std::string out;
  if (auto counts = service.OutboxCounts(); counts.ok()) {
    out +=
        "# HELP tongban_xregion_outbox_messages Outgoing messages by state (pending: the "
        "backlog; dead: the dead letters)\n# TYPE tongban_xregion_outbox_messages gauge\n";
    for (const auto& [state, n] : *counts) {
      out += fmt::format("tongban_xregion_outbox_messages{{state=\"{}\"}} {}\n", state, n);
    }
  }
  if (auto cases = service.Counts(); cases.ok()) {
    std::map<std::tuple<std::string, std::string, std::string>, int64_t> per;
    for (const auto& c : *cases) per[{c.mode, c.role, c.partner}] += c.cases;
    out +=
        "# HELP tongban_xregion_cases Cross-region cases by mode, role and partner\n"
        "# TYPE tongban_xregion_cases gauge\n";
    for (const auto& [key, n] : per) {
      out += fmt::format("tongban_xregion_cases{{mode=\"{}\",role=\"{}\",partner=\"{}\"}} {}\n",
                         std::get<0>(key), std::get<1>(key), std::get<2>(key), n);
    }
  }
  if (auto overdue = service.OverdueOriginals(); overdue.ok()) {
    out +=
        "# HELP tongban_xregion_originals_overdue Received cases whose paper originals are "
        "past due and not mailed\n# TYPE tongban_xregion_originals_overdue gauge\n";
    out += fmt::format("tongban_xregion_originals_overdue {}\n", overdue->size());
  }
  return out;
}

}  // namespace tongban::xregion
