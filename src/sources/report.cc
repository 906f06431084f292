// The report of materials no longer carried (不再提交), per matter and overall (service.h).
#include "people/authorization.h"
#include "sources/service_impl.h"

namespace tongban {
extern const EmbeddedFile kSourcesSql[];
extern const size_t kSourcesSql_count;
}  // namespace tongban

namespace tongban::sources {

using people::Principal;

Result<SourceReport> SourceService::Report(const Principal& caller,
                                           const SourceReportQuery& query) {
  TB_RETURN_IF_ERROR(people::Authorize(caller, "report.read",
                                       {.region = query.region.empty() ? "" : query.region,
                                        .department = "",
                                        .matter = query.matter},
                                       impl_->NowMs()));
  return Report(query);
}

Result<SourceReport> SourceService::Report(const SourceReportQuery& query) {
  return BuildSourceReport(impl_->db, impl_->catalog, query);
}

namespace {

SourceReport CaseCounts(soci::session& sql, const store::QuerySet& queries, store::Backend backend,
                        const SourceReportQuery& query) {
  const auto Q = [&](std::string_view name) -> const std::string& {
    return queries.Get(name, backend);
  };
  SourceReport out;
  std::string from = query.from ? query.from->ToString() : "0000-01-01",
              to = query.to ? query.to->ToString() : "9999-12-31", region = query.region + "%",
              matter = query.matter;
  std::map<std::string, SourceCounts> by_matter;
  std::string code, source;
  long long count = 0, cases_count = 0;
  store::ExecuteRows(
      sql, Q("report_cases"),
      [&] {
        by_matter[code].matter = code;
        by_matter[code].cases = cases_count;
      },
      soci::use(from, "from"), soci::use(to, "to"), soci::use(region, "region"),
      soci::use(matter, "matter"), soci::into(code), soci::into(cases_count));
  store::ExecuteRows(
      sql, Q("report_rows"),
      [&] {
        SourceCounts& s = by_matter[code];
        s.matter = code;
        s.required += count;
        s.by_source[source] += count;
        if (source != "applicant") s.not_carried += count;
      },
      soci::use(from, "from"), soci::use(to, "to"), soci::use(region, "region"),
      soci::use(matter, "matter"), soci::into(code), soci::into(source), soci::into(count),
      soci::into(cases_count));
  for (auto& [c, s] : by_matter) {
    out.total.cases += s.cases;
    out.total.required += s.required;
    out.total.not_carried += s.not_carried;
    for (const auto& [src, n] : s.by_source) out.total.by_source[src] += n;
    out.matters.push_back(s);
  }
  return out;
}

Status CatalogCounts(catalog::CatalogService& catalog, const SourceReportQuery& query,
                     SourceCounts& out) {
  catalog::PageRequest page{.limit = 100, .cursor = {}};
  for (int pages = 0; pages < 1000; ++pages) {
    auto p = catalog.ListMatters({.region = query.region}, page);
    if (!p.ok()) return std::move(p).error();
    for (const auto& s : p->items) {
      if (!query.matter.empty() && s.code != query.matter) continue;
      auto m = catalog.GetMatter(s.code);
      if (!m.ok()) continue;
      ++out.cases;  // here: matters in force
      for (const auto& sc : m->item.scenarios) {
        for (const auto& mat : sc.materials) {
          if (mat.required != catalog::Requirement::kAlways) continue;
          ++out.required;
          ++out.by_source[std::string(catalog::EnumId(mat.source))];
          if (mat.source != Source::kApplicant) ++out.not_carried;
        }
      }
    }
    if (p->next_cursor.empty()) break;
    page.cursor = p->next_cursor;
  }
  return Ok();
}

}  // namespace

Result<SourceReport> CaseSourceCounts(soci::session& sql, store::Backend backend,
                                      const SourceReportQuery& query) {
  static const Result<store::QuerySet> queries =
      store::QuerySet::Load(kSourcesSql, kSourcesSql_count);
  if (!queries.ok()) return queries.error();
  return CaseCounts(sql, *queries, backend, query);
}

Result<SourceReport> BuildSourceReport(store::Database& db, catalog::CatalogService& catalog,
                                       const SourceReportQuery& query) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kSourcesSql, kSourcesSql_count));
  TB_ASSIGN_OR_RETURN(SourceReport out,
                      db.Transaction<SourceReport>(store::TxKind::kRead, [&](soci::session& sql) {
                        return Result<SourceReport>(CaseCounts(sql, queries, db.backend(), query));
                      }));
  for (SourceCounts& s : out.matters) {
    if (auto m = catalog.GetMatter(s.matter); m.ok()) s.matter_name = m->basic.name;
  }
  TB_RETURN_IF_ERROR(CatalogCounts(catalog, query, out.catalog));
  return out;
}

}  // namespace tongban::sources
