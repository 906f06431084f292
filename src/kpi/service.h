// The KPI service: keeps the case aggregates exact (it is the case service's observer, called in
// the transaction of every case change), rebuilds and verifies them against the case table,
// answers reports and the dashboard from them, and records 走流程 walk-throughs. Figures of
// other modules plug in as FigureProviders. No HTTP, no JSON.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/result.h"
#include "cases/service.h"
#include "catalog/service.h"
#include "kpi/model.h"
#include "people/model.h"
#include "store/database.h"
#include "store/migrations.h"

namespace tongban::kpi {

Result<store::MigrationSet> Migrations();

// A module's figures for a report: the supervision cards, the evaluation ratings, the demand
// work orders plug in here (docs/kpi.md lists which figures wait for which module).
class FigureProvider {
 public:
  virtual ~FigureProvider() = default;
  // Written on each of its figures ("supervision").
  virtual std::string_view Name() const = 0;
  // The filters it can apply, of "region", "department", "matter", "channel", "window",
  // "period". A report filtered by another dimension leaves this provider's figures out rather
  // than show unfiltered numbers.
  virtual std::vector<std::string> Dimensions() const = 0;
  // The figures for `query`, read through `sql` (a read transaction): one query per figure.
  virtual Result<std::vector<Figure>> Figures(soci::session& sql, const ReportQuery& query) = 0;
};

struct KpiOptions {
  const Clock* clock = nullptr;        // the system clock when null
  const Calendar* calendar = nullptr;  // the embedded national calendar when null
  // The calendar the cases of `region` count in (calendars::CalendarService::ForRegion, the one
  // the case service counts their due days in), so that a case's working days taken and its
  // on-time verdict count its region's own holidays; `calendar` for every case when null. The
  // references it returns must outlive the service.
  std::function<const Calendar&(std::string_view region)> region_calendar = nullptr;
};

class KpiService final : public cases::CaseObserver {
 public:
  // `db` (with the case and kpi migrations applied) and `catalog` must outlive the service.
  static Result<std::unique_ptr<KpiService>> Create(store::Database& db,
                                                    catalog::CatalogService& catalog,
                                                    KpiOptions options);
  ~KpiService() override;

  // The observer: subtracts what the case contributed before this change and adds what it
  // contributes now, in the change's own transaction. A sandbox submission records the
  // walk-through instead; its case never counts.
  Status OnCaseChanged(soci::session& sql, const cases::CaseChange& change) override;

  // Recomputes every aggregate from the case table (after `case generate`, or to repair), in
  // one write transaction. Returns the number of cases counted.
  Result<int64_t> Rebuild();
  // Recomputes the aggregates from the case table and compares them with those stored.
  Result<VerifyResult> Verify();

  // Adds a module's figures to every report. Not thread-safe: call before serving.
  void AddProvider(std::unique_ptr<FigureProvider> provider);

  // The report for `query`, for a holder of report.read over its region and department
  // (kForbidden outside them). Figures of the cases, the catalog and each provider.
  Result<Report> BuildReport(const people::Principal& caller, const ReportQuery& query);
  // The same without a caller: for the operator's command line.
  Result<Report> BuildReport(const ReportQuery& query);
  // The published statistics (政务公开): counts and rates only, for anyone; no personal data
  // exists in the aggregates, and figures of single cases are never listed.
  Result<Report> PublicStatistics(const ReportQuery& query);
  // The dashboard's charts: totals and series by month, department and channel. An empty
  // region is the caller's first report.read region.
  Result<Dashboard> BuildDashboard(const people::Principal& caller, ReportQuery query);

  // 走流程: a note of the friction met at one step of a sandbox case, by a holder of
  // case.walkthrough over the case; a finding also opens a rectification item for the case's
  // department. kNotFound for a case that is not a walk-through.
  Result<WalkthroughNote> AddNote(const people::Principal& caller, std::string_view case_number,
                                  std::string step, std::string friction, NoteKind kind);
  Result<std::vector<WalkthroughNote>> Notes(const people::Principal& caller,
                                             std::string_view case_number);
  // Rectification items of `department` ("" = every one in the caller's scope), newest first.
  Result<std::vector<RectificationItem>> RectificationItems(const people::Principal& caller,
                                                            const std::string& region,
                                                            const std::string& department);

 private:
  struct Impl;
  explicit KpiService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// CSV (UTF-8 with BOM, RFC 4180) and XLSX of a report: one row per figure.
std::string ReportCsv(const Report& report);
// Writes the XLSX to `path`; kInvalidArgument when it cannot be created.
Status WriteReportXlsx(const Report& report, const std::string& path);
// The XLSX bytes (through a temporary file).
Result<std::string> ReportXlsx(const Report& report);

}  // namespace tongban::kpi
