// KPIs (统计指标) of the case records and of the modules that plug their figures in: the
// pre-aggregated facts, report queries, figures with exact fractions, dashboard series, and the
// 走流程 walk-through records. Plain values: no storage, no HTTP.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"

namespace tongban::kpi {

// The counters of one fact row, in the column order of kpi_fact. Counts by the day received:
// applications … visits except those marked "decided", which count by the day of the decision.
enum class Fact {
  kApplications,
  kAccepted,
  kConcluded,  // decided: a decision (approval or denial) was issued
  kApproved,   // decided
  kDenied,     // decided
  kOnTime,     // decided within the promised limit (plus extension and suspension)
  kRefused,    // 不予受理
  kWithdrawn,
  kTerminated,
  kCrossRegion,   // the applicant is registered in another province (ID number / USCC region)
  kOnline,        // online or mobile channel
  kWorkingDays,   // decided: working days from acceptance to decision, suspension excluded
  kPromisedDays,  // decided: the promised limit in working days (the legal when none promised)
  kLegalDays,     // decided: the legal limit in working days
  kMaterials,     // materials of the case's scenario
  kNotBrought,    // materials the applicant did not bring: e-licence, register, commitment
  kFromLicence,   // 调用: taken as an e-licence
  kFromRegister,  // taken from a base register
  kUploaded,
  kClerkScan,
  kProofWaived,  // 告知承诺
  kGap,          // 容缺
  kSupplyLater,  // 承诺补交
  kVisits,       // 跑动次数 the matter records
};
inline constexpr size_t kFactCount = 24;
// The column names, in Fact order.
extern const std::array<std::string_view, kFactCount> kFactColumns;

using Counters = std::array<int64_t, kFactCount>;

inline int64_t& At(Counters& c, Fact f) { return c[static_cast<size_t>(f)]; }
inline int64_t At(const Counters& c, Fact f) { return c[static_cast<size_t>(f)]; }

// What a report is about. Every filter is optional except the period.
struct ReportQuery {
  std::string region{};      // a region code: it and its subtree; "" = the whole installation
  std::string department{};  // a department code
  std::string matter{};      // an implementation item code
  std::string channel{};     // online, mobile, window, kiosk, service_point, assisted
  std::string window{};      // a window code
  Date from{}, to{};         // inclusive days (CST)
};

// Parses a period: "2026" (a year), "2026-Q3", "2026-11" (a month), "2026-11-27" (a day) or
// "2026-11-01..2026-11-30" (a day range). kInvalidArgument naming `field` otherwise.
Result<std::pair<Date, Date>> ParsePeriod(std::string_view text, std::string_view field);

// The same days one year earlier (29 February becomes 28 February).
std::pair<Date, Date> YearEarlier(Date from, Date to);

enum class FigureKind {
  kCount,    // numerator is the value, denominator 1
  kRate,     // numerator / denominator as a percentage
  kAverage,  // numerator / denominator
};

// One figure of a report: exact (numerator, denominator) plus the rounded value (2 decimals;
// percent for rates; 0 when the denominator is 0).
struct Figure {
  std::string name;   // snake_case id: "applications", "on_time_rate", …
  std::string title;  // 申请量 …
  std::string unit;   // "cases", "percent", "working_days", "materials", "matters", …
  FigureKind kind = FigureKind::kCount;
  std::map<std::string, std::string> labels{};  // extra dimensions: {"list": "nearby", …}
  int64_t numerator = 0;
  int64_t denominator = 1;
  std::string provider;  // the module that computed it: "cases", "catalog", …
  double Rounded() const;
  // The rounded value, or none for a rate or an average over nothing (a growth against a
  // year without applications is unknown, not 0 %): JSON null, an empty CSV or XLSX cell.
  std::optional<double> Value() const;
};

Figure Count(std::string name, std::string title, std::string unit, int64_t value);
Figure Rate(std::string name, std::string title, int64_t numerator, int64_t denominator);
Figure Average(std::string name, std::string title, std::string unit, int64_t numerator,
               int64_t denominator);

struct Report {
  ReportQuery query;
  Date previous_from{}, previous_to{};  // the year-earlier period of the growth figures
  std::vector<Figure> figures;
};

// One point of a dashboard series.
struct SeriesPoint {
  std::string key;  // "2026-11", a department code, a channel
  int64_t applications = 0;
  int64_t concluded = 0;
  int64_t on_time = 0;
  int64_t online = 0;
};

struct Dashboard {
  ReportQuery query;
  std::vector<Figure> totals;
  std::vector<SeriesPoint> by_month;
  std::vector<SeriesPoint> by_department;
  std::vector<SeriesPoint> by_channel;
};

// `tongban report verify`: the stored aggregates against a recomputation from the case table.
struct VerifyResult {
  int64_t cases = 0;                     // case records read (sandbox ones excluded)
  int64_t rows = 0;                      // aggregate rows compared
  std::vector<std::string> differences;  // empty when exact
};

enum class NoteKind {
  kNote,     // friction noted at a step
  kFinding,  // also opens a rectification item for the case's department
};

struct WalkthroughNote {
  std::string id;
  std::string case_number;
  std::string step;      // the step walked: "case.submitted", "materials", a page name …
  std::string friction;  // what got in the way
  std::string author;
  std::string rectification_item;  // the item a finding opened; "" for a plain note
  int64_t created_at_ms = 0;
};

struct RectificationItem {
  std::string id;
  std::string source;     // "walkthrough"
  std::string source_id;  // the note
  std::string case_number;
  std::string region;
  std::string department;
  std::string matter;
  std::string description;
  std::string state;  // "open"
  std::string created_by;
  int64_t created_at_ms = 0;
};

}  // namespace tongban::kpi
