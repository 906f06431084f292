// The KPI service (see service.h): the observer that keeps the aggregates exact, rebuild and
// verify, reports, the dashboard and the walk-throughs.
#include "kpi/service.h"

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

#include "base/id.h"
#include "kpi/facts.h"
#include "people/authorization.h"
#include "people/clock.h"
#include "store/queries.h"

namespace tongban {
extern const EmbeddedFile kKpiSql[];
extern const size_t kKpiSql_count;
}  // namespace tongban

namespace tongban::kpi {

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("kpi", kKpiSql, kKpiSql_count);
}

namespace {

constexpr int64_t kChunk = 5000;  // case records per read when recomputing

// The key columns shared by kpi_fact and kpi_duration, in key order after the table.
constexpr std::array<std::string_view, 7> kKeyColumns = {
    "grain", "period", "region_code", "department_code", "matter_code", "channel", "window_code"};

std::string FactUpsertSql() {
  std::string cols, values, updates;
  for (size_t i = 0; i < kKeyColumns.size(); ++i) {
    cols += fmt::format("{}{}", i ? ", " : "", kKeyColumns[i]);
    values += fmt::format("{}:k{}", i ? ", " : "", i);
  }
  for (size_t i = 0; i < kFactCount; ++i) {
    cols += fmt::format(", {}", kFactColumns[i]);
    values += fmt::format(", :v{}", i);
    updates += fmt::format("{}{} = kpi_fact.{} + excluded.{}", i ? ", " : "", kFactColumns[i],
                           kFactColumns[i], kFactColumns[i]);
  }
  return fmt::format(
      "INSERT INTO kpi_fact ({}) VALUES ({}) ON CONFLICT (grain, period, region_code, "
      "department_code, matter_code, channel, window_code) DO UPDATE SET {}",
      cols, values, updates);
}

const std::array<std::string, 7>& KeyNames() {
  static const std::array<std::string, 7> names = {"k0", "k1", "k2", "k3", "k4", "k5", "k6"};
  return names;
}
const std::array<std::string, kFactCount>& ValueNames() {
  static const std::array<std::string, kFactCount> names = [] {
    std::array<std::string, kFactCount> out;
    for (size_t i = 0; i < kFactCount; ++i) out[i] = fmt::format("v{}", i);
    return out;
  }();
  return names;
}

template <size_t... K, size_t... V>
void ExecuteFactUpsert(soci::session& sql, const std::string& text,
                       std::array<std::string, 7>& keys, std::array<long long, kFactCount>& vals,
                       std::index_sequence<K...>, std::index_sequence<V...>) {
  store::Execute(sql, text, soci::use(keys[K], KeyNames()[K])...,
                 soci::use(vals[V], ValueNames()[V])...);
}

struct MatterLimits {
  std::optional<catalog::TimeLimit> promised;
  std::optional<catalog::TimeLimit> legal;
  int visits = 0;
};

// A region filter as a range of codes: the subtree of `region` is every code that starts with
// its significant prefix (':' sorts right after '9').
std::pair<std::string, std::string> RegionRange(const std::string& region) {
  if (region.empty()) return {"", "~"};
  const std::string prefix = people::RegionPrefix(region);
  return {prefix, prefix + ":"};
}

Date FirstOfMonth(Date d) {
  const CivilDate c = d.civil();
  return Date::FromDays(DaysFromCivil(c.year, c.month, 1));
}
Date NextMonth(Date first) {
  const CivilDate c = first.civil();
  return c.month == 12 ? Date::FromDays(DaysFromCivil(c.year + 1, 1, 1))
                       : Date::FromDays(DaysFromCivil(c.year, c.month + 1, 1));
}

struct Segment {
  std::string grain;
  std::string from, to;
};

// The period as whole months (month rows) and the days around them (day rows).
std::vector<Segment> Segments(Date from, Date to, bool months_usable) {
  if (!months_usable) return {{"d", from.ToString(), to.ToString()}};
  const Date first_full = from == FirstOfMonth(from) ? from : NextMonth(FirstOfMonth(from));
  const Date after_last_full =
      NextMonth(FirstOfMonth(to)) == to.AddDays(1) ? to.AddDays(1) : FirstOfMonth(to);
  if (first_full >= after_last_full) return {{"d", from.ToString(), to.ToString()}};
  std::vector<Segment> out;
  out.push_back({"m", first_full.ToString().substr(0, 7),
                 after_last_full.AddDays(-1).ToString().substr(0, 7)});
  if (from < first_full) out.push_back({"d", from.ToString(), first_full.AddDays(-1).ToString()});
  if (after_last_full <= to) out.push_back({"d", after_last_full.ToString(), to.ToString()});
  return out;
}

// The sums of one report's facts, whole or by one dimension.
enum class GroupBy { kNone, kMonth, kDepartment, kChannel };
struct Group {
  std::string key;  // the month, department or channel; "" for kNone
  Counters counters{};
};

}  // namespace

struct KpiService::Impl {
  store::Database& db;
  catalog::CatalogService& catalog;
  KpiOptions options;
  store::QuerySet queries;
  std::unique_ptr<Calendar> own_calendar;
  const Calendar* calendar = nullptr;
  // The calendar a case of `region` counts in: its region's (KpiOptions::region_calendar), else
  // the national one.
  const Calendar& CalendarOf(std::string_view region) const {
    return options.region_calendar ? options.region_calendar(region) : *calendar;
  }
  std::string fact_upsert = FactUpsertSql();
  std::vector<std::unique_ptr<FigureProvider>> providers;
  std::mutex mu;
  std::unordered_map<std::string, MatterLimits> limits;  // by matter version id (immutable)

  Impl(store::Database& db, catalog::CatalogService& catalog, KpiOptions options,
       store::QuerySet queries)
      : db(db), catalog(catalog), options(options), queries(std::move(queries)) {}

  const Clock& clock() const {
    return options.clock ? *options.clock : static_cast<const Clock&>(SystemClock::Instance());
  }
  int64_t NowMs() const { return people::EpochMs(clock()); }
  const std::string& Q(std::string_view name) const { return queries.Get(name, db.backend()); }

  void ApplyRows(soci::session& sql, const Contribution& delta) const {
    std::array<std::string, 7> keys;
    std::array<long long, kFactCount> vals{};
    for (const auto& [key, values] : delta) {
      std::vector<std::string> parts = SplitKey(key);
      for (size_t i = 0; i < 7; ++i) keys[i] = parts[i + 1];
      if (parts[0] == "f") {
        for (size_t i = 0; i < kFactCount; ++i) vals[i] = values[i];
        ExecuteFactUpsert(sql, fact_upsert, keys, vals, std::make_index_sequence<7>(),
                          std::make_index_sequence<kFactCount>());
      } else {
        long long days = std::stoll(parts[8]), cases = values[0];
        store::Execute(sql, Q("upsert_duration"), soci::use(keys[0], "grain"),
                       soci::use(keys[1], "period"), soci::use(keys[2], "region"),
                       soci::use(keys[3], "department"), soci::use(keys[4], "matter"),
                       soci::use(keys[5], "channel"), soci::use(keys[6], "window"),
                       soci::use(days, "days"), soci::use(cases, "cases"));
      }
    }
  }

  Result<MatterLimits> LimitsOf(const std::string& version_id) {
    {
      std::lock_guard lock(mu);
      auto it = limits.find(version_id);
      if (it != limits.end()) return it->second;
    }
    TB_ASSIGN_OR_RETURN(catalog::Matter m, catalog.GetMatterByVersionId(version_id));
    MatterLimits l{m.item.promised_limit, m.item.legal_limit, m.item.visits};
    std::lock_guard lock(mu);
    limits.emplace(version_id, l);
    return l;
  }

  // Calls `each(inputs)` for every counted case of the case table, in id order, chunk by chunk.
  template <typename Each>
  Status ForEachCase(soci::session& sql, const Each& each) {
    std::string after;
    while (true) {
      struct Row {
        std::string id, version;
        CaseInputs in;
        std::string updated_day, stored_decided;
      };
      std::vector<Row> rows;
      {
        std::string id, region, department, matter, version, channel, applicant, state, received,
            accepted, stored_decided, window;
        long long suspended = 0, extension = 0, updated = 0, joint = 0, limit = kChunk;
        store::ExecuteRows(
            sql, Q("select_case_chunk"),
            [&] {
              Row r;
              r.id = id;
              r.version = version;
              r.in.region = region;
              r.in.department = department;
              r.in.matter = matter;
              r.in.channel = channel;
              r.in.window = window;
              r.in.applicant_code = applicant;
              auto s = cases::ParseCaseState(state);
              r.in.state = s ? *s : cases::CaseState::kSubmitted;
              r.in.received_on = *Date::Parse(received);
              if (!accepted.empty()) r.in.accepted_on = *Date::Parse(accepted);
              r.in.suspended_days = suspended;
              r.in.extension_days = extension;
              r.in.joint = joint != 0;
              r.updated_day = DateInChina(people::FromEpochMs(updated)).ToString();
              r.stored_decided = stored_decided;
              rows.push_back(std::move(r));
            },
            soci::into(id), soci::into(region), soci::into(department), soci::into(matter),
            soci::into(version), soci::into(channel), soci::into(applicant), soci::into(state),
            soci::into(received), soci::into(accepted), soci::into(suspended),
            soci::into(extension), soci::into(updated), soci::into(joint),
            soci::into(stored_decided), soci::into(window), soci::use(after, "after"),
            soci::use(limit, "limit"));
      }
      if (rows.empty()) return Ok();
      const std::string last = rows.back().id;
      std::unordered_map<std::string, size_t> index;
      for (size_t i = 0; i < rows.size(); ++i) index[rows[i].id] = i;
      {
        std::string case_id, state, origin;
        store::ExecuteRows(
            sql, Q("select_material_chunk"),
            [&] {
              auto it = index.find(case_id);
              if (it == index.end()) return;
              auto s = cases::ParseMaterialState(state);
              auto o = cases::ParseMaterialOrigin(origin);
              rows[it->second].in.materials.push_back(
                  {s ? *s : cases::MaterialState::kMissing, o ? *o : cases::MaterialOrigin::kNone});
            },
            soci::into(case_id), soci::into(state), soci::into(origin), soci::use(after, "after"),
            soci::use(last, "last"));
      }
      {
        std::string case_id, kind, issued;
        store::ExecuteRows(
            sql, Q("select_decision_chunk"),
            [&] {
              auto it = index.find(case_id);
              if (it == index.end()) return;
              CaseInputs& in = rows[it->second].in;
              const Date d = *Date::Parse(issued);
              if (!in.decided_on || d < *in.decided_on) {
                in.decided_on = d;
                in.denied = kind == "denial_decision";
              }
            },
            soci::into(case_id), soci::into(kind), soci::into(issued), soci::use(after, "after"),
            soci::use(last, "last"));
      }
      for (Row& r : rows) {
        TB_ASSIGN_OR_RETURN(MatterLimits l, LimitsOf(r.version));
        r.in.promised = l.promised;
        r.in.legal = l.legal;
        r.in.visits = l.visits;
        if (!r.in.decided_on && Decided(r.in.state)) {
          // Synthetic cases (case generate) carry no decision document.
          r.in.decided_on =
              *Date::Parse(r.stored_decided.empty() ? r.updated_day : r.stored_decided);
          r.in.denied = r.in.state == cases::CaseState::kDenied;
        }
        TB_RETURN_IF_ERROR(each(r.id, r.in));
      }
      after = last;
    }
  }

  static bool Decided(cases::CaseState s) {
    return s == cases::CaseState::kApproved || s == cases::CaseState::kDenied ||
           s == cases::CaseState::kConcluded;
  }

  // Reads the stored aggregates as a contribution (all rows, zero rows left out).
  Contribution Stored(soci::session& sql) const {
    Contribution out;
    std::string text =
        "SELECT grain, period, region_code, department_code, matter_code, "
        "channel, window_code";
    for (std::string_view c : kFactColumns) text += fmt::format(", {}", c);
    text += " FROM kpi_fact";
    soci::rowset<soci::row> rs = (sql.prepare << text);
    for (const soci::row& row : rs) {
      std::string key = "f";
      for (size_t i = 0; i < 7; ++i) key += "|" + row.get<std::string>(i);
      std::vector<int64_t> values(kFactCount);
      bool zero = true;
      for (size_t i = 0; i < kFactCount; ++i) {
        values[i] = IntegerAt(row, 7 + i);
        zero = zero && values[i] == 0;
      }
      if (!zero) out[key] = std::move(values);
    }
    std::array<std::string, 7> k;
    long long days = 0, cases = 0;
    store::ExecuteRows(
        sql, Q("select_durations"),
        [&] {
          if (cases == 0) return;
          std::string key = "h";
          for (const std::string& part : k) key += "|" + part;
          out[fmt::format("{}|{}", key, days)] = {cases};
        },
        soci::into(k[0]), soci::into(k[1]), soci::into(k[2]), soci::into(k[3]), soci::into(k[4]),
        soci::into(k[5]), soci::into(k[6]), soci::into(days), soci::into(cases));
    return out;
  }

  static int64_t IntegerAt(const soci::row& row, size_t i) {
    switch (row.get_properties(i).get_data_type()) {
      case soci::dt_integer:
        return row.get<int>(i);
      case soci::dt_long_long:
        return row.get<long long>(i);
      case soci::dt_unsigned_long_long:
        return static_cast<int64_t>(row.get<unsigned long long>(i));
      case soci::dt_double:
        return static_cast<int64_t>(row.get<double>(i));
      default:
        return std::stoll(row.get<std::string>(i));
    }
  }

  // ---- reports ----

  Status CheckQuery(const ReportQuery& q) const {
    FieldErrors errors;
    if (!q.region.empty() && !people::IsRegionCode(q.region)) {
      errors.Add("region", "must be a region code of 6, 9 or 12 digits");
    }
    if (!q.channel.empty() && !cases::ParseChannel(q.channel)) {
      errors.Add("channel", "must be online, mobile, window, kiosk, service_point or assisted");
    }
    if (q.to < q.from) errors.Add("period", "ends before it starts");
    if (q.to.days() - q.from.days() > 3700) errors.Add("period", "may span at most ten years");
    if (!errors.empty()) return errors.ToError("the report query is invalid");
    return Ok();
  }

  // The fact sums of `q` over [from, to]: one group, or one per month, department or channel.
  std::vector<Group> Groups(soci::session& sql, const ReportQuery& q, Date from, Date to,
                            GroupBy by) const {
    const bool months = q.matter.empty() && q.window.empty();
    std::map<std::string, Counters> merged;
    auto [lo, hi] = RegionRange(q.region);
    for (const Segment& s : Segments(from, to, months)) {
      const char* key = by == GroupBy::kMonth        ? "substr(period, 1, 7)"
                        : by == GroupBy::kDepartment ? "department_code"
                        : by == GroupBy::kChannel    ? "channel"
                                                     : "''";
      std::string text = fmt::format("SELECT {}", key);
      for (std::string_view c : kFactColumns) text += fmt::format(", CAST(SUM({}) AS BIGINT)", c);
      text +=
          " FROM kpi_fact WHERE grain = :grain AND period >= :from AND period <= :to"
          " AND region_code >= :lo AND region_code < :hi";
      if (!q.department.empty()) text += " AND department_code = :department";
      if (!q.matter.empty()) text += " AND matter_code = :matter";
      if (!q.channel.empty()) text += " AND channel = :channel";
      if (!q.window.empty()) text += " AND window_code = :window";
      if (by != GroupBy::kNone) text += fmt::format(" GROUP BY {}", key);
      std::string group;
      std::array<long long, kFactCount> vals{};
      soci::statement st(sql);
      std::array<soci::indicator, kFactCount> nulls{};
      st.exchange(soci::into(group));
      for (size_t i = 0; i < kFactCount; ++i) st.exchange(soci::into(vals[i], nulls[i]));
      std::string grain = s.grain, f = s.from, t = s.to, dep = q.department, mat = q.matter,
                  ch = q.channel, win = q.window;
      st.exchange(soci::use(grain, "grain"));
      st.exchange(soci::use(f, "from"));
      st.exchange(soci::use(t, "to"));
      st.exchange(soci::use(lo, "lo"));
      st.exchange(soci::use(hi, "hi"));
      if (!dep.empty()) st.exchange(soci::use(dep, "department"));
      if (!mat.empty()) st.exchange(soci::use(mat, "matter"));
      if (!ch.empty()) st.exchange(soci::use(ch, "channel"));
      if (!win.empty()) st.exchange(soci::use(win, "window"));
      st.alloc();
      st.prepare(text);
      st.define_and_bind();
      if (st.execute(true)) {
        do {
          Counters& c = merged[group];
          for (size_t i = 0; i < kFactCount; ++i) {
            c[i] += nulls[i] == soci::i_null ? 0 : vals[i];  // SUM over no rows is NULL
          }
        } while (st.fetch());
      }
    }
    std::vector<Group> out;
    out.reserve(merged.size());
    for (const auto& [key, counters] : merged) out.push_back({key, counters});
    return out;
  }

  // Working days taken by the cases decided in [from, to]: days -> cases.
  std::map<int64_t, int64_t> Histogram(soci::session& sql, const ReportQuery& q, Date from,
                                       Date to) const {
    const bool months =
        q.department.empty() && q.matter.empty() && q.channel.empty() && q.window.empty();
    std::map<int64_t, int64_t> out;
    auto [lo, hi] = RegionRange(q.region);
    for (const Segment& s : Segments(from, to, months)) {
      std::string text =
          "SELECT working_days, CAST(SUM(cases) AS BIGINT) FROM kpi_duration WHERE grain = "
          ":grain AND period >= :from AND period <= :to AND region_code >= :lo AND "
          "region_code < :hi";
      if (!q.department.empty()) text += " AND department_code = :department";
      if (!q.matter.empty()) text += " AND matter_code = :matter";
      if (!q.channel.empty()) text += " AND channel = :channel";
      if (!q.window.empty()) text += " AND window_code = :window";
      text += " GROUP BY working_days";
      long long days = 0, cases = 0;
      std::string grain = s.grain, f = s.from, t = s.to, dep = q.department, mat = q.matter,
                  ch = q.channel, win = q.window;
      soci::statement st(sql);
      st.exchange(soci::into(days));
      st.exchange(soci::into(cases));
      st.exchange(soci::use(grain, "grain"));
      st.exchange(soci::use(f, "from"));
      st.exchange(soci::use(t, "to"));
      st.exchange(soci::use(lo, "lo"));
      st.exchange(soci::use(hi, "hi"));
      if (!dep.empty()) st.exchange(soci::use(dep, "department"));
      if (!mat.empty()) st.exchange(soci::use(mat, "matter"));
      if (!ch.empty()) st.exchange(soci::use(ch, "channel"));
      if (!win.empty()) st.exchange(soci::use(win, "window"));
      st.alloc();
      st.prepare(text);
      st.define_and_bind();
      if (st.execute(true)) {
        do {
          out[days] += cases;
        } while (st.fetch());
      }
    }
    return out;
  }

  static Counters Total(const std::vector<Group>& groups) {
    Counters t{};
    for (const Group& g : groups) {
      for (size_t i = 0; i < kFactCount; ++i) t[i] += g.counters[i];
    }
    return t;
  }

  // Nearest rank: the smallest d with at least 90% of the cases at or below it.
  static int64_t P90(const std::map<int64_t, int64_t>& histogram) {
    int64_t n = 0;
    for (const auto& [days, cases] : histogram) n += cases;
    if (n == 0) return 0;
    const int64_t rank = (9 * n + 9) / 10;
    int64_t seen = 0;
    for (const auto& [days, cases] : histogram) {
      seen += cases;
      if (seen >= rank) return days;
    }
    return histogram.rbegin()->first;
  }

  std::vector<Figure> CaseFigures(soci::session& sql, const Report& r) const {
    const ReportQuery& q = r.query;
    const Counters t = Total(Groups(sql, q, q.from, q.to, GroupBy::kNone));
    const Counters p = Total(Groups(sql, q, r.previous_from, r.previous_to, GroupBy::kNone));
    const int64_t p90 = P90(Histogram(sql, q, q.from, q.to));
    auto v = [&](Fact f) { return At(t, f); };
    std::vector<Figure> out = {
        Count("applications", "申请量", "cases", v(Fact::kApplications)),
        Count("applications_previous_year", "上年同期申请量", "cases", At(p, Fact::kApplications)),
        Rate("applications_growth", "申请量同比增长",
             v(Fact::kApplications) - At(p, Fact::kApplications), At(p, Fact::kApplications)),
        Count("accepted", "受理量", "cases", v(Fact::kAccepted)),
        Count("concluded", "办结量", "cases", v(Fact::kConcluded)),
        Rate("conclusion_rate", "办结率", v(Fact::kConcluded), v(Fact::kApplications)),
        Count("approved", "准予许可", "cases", v(Fact::kApproved)),
        Count("denied", "不予许可", "cases", v(Fact::kDenied)),
        Count("on_time", "按时办结", "cases", v(Fact::kOnTime)),
        Rate("on_time_rate", "按时办结率", v(Fact::kOnTime), v(Fact::kConcluded)),
        Count("refused", "不予受理", "cases", v(Fact::kRefused)),
        Count("withdrawn", "撤回", "cases", v(Fact::kWithdrawn)),
        Count("terminated", "终止", "cases", v(Fact::kTerminated)),
        Average("average_working_days", "平均办理用时", "working_days", v(Fact::kWorkingDays),
                v(Fact::kConcluded)),
        Count("p90_working_days", "90%办件办理用时不超过", "working_days", p90),
        Average("average_materials_per_case", "件均申请材料", "materials", v(Fact::kMaterials),
                v(Fact::kApplications)),
        Count("materials_not_brought", "免于提交的材料", "materials", v(Fact::kNotBrought)),
        Rate("materials_not_brought_rate", "免提交材料占比", v(Fact::kNotBrought),
             v(Fact::kMaterials)),
        Count("materials_fetched_licence", "调用电子证照", "materials", v(Fact::kFromLicence)),
        Count("materials_fetched_register", "调用基础库数据", "materials", v(Fact::kFromRegister)),
        Count("materials_uploaded", "申请人上传", "materials", v(Fact::kUploaded)),
        Count("materials_clerk_scan", "窗口扫描", "materials", v(Fact::kClerkScan)),
        Count("materials_proof_waived", "告知承诺免证明", "materials", v(Fact::kProofWaived)),
        Count("materials_gap", "容缺", "materials", v(Fact::kGap)),
        Count("materials_supply_later", "承诺补交", "materials", v(Fact::kSupplyLater)),
        Rate("case_compression_rate", "办结件承诺时限压缩率",
             v(Fact::kLegalDays) - v(Fact::kPromisedDays), v(Fact::kLegalDays)),
        Rate("online_share", "网上办理占比", v(Fact::kOnline), v(Fact::kApplications)),
        Count("cross_region", "跨省通办件", "cases", v(Fact::kCrossRegion)),
        Average("average_visits", "件均跑动次数", "visits", v(Fact::kVisits),
                v(Fact::kApplications)),
    };
    for (Figure& f : out) f.provider = "cases";
    return out;
  }

  // Figures of the catalog in the query's region and department, as in force today.
  Result<std::vector<Figure>> CatalogFigures(const ReportQuery& q) {
    catalog::MatterFilter filter;
    filter.region = q.region;
    filter.department = q.department;
    std::vector<catalog::MatterSummary> matters;
    catalog::PageRequest page{.limit = 100, .cursor = ""};
    do {
      TB_ASSIGN_OR_RETURN(catalog::MatterPage got, catalog.ListMatters(filter, page));
      for (auto& s : got.items) {
        if (q.matter.empty() || s.code == q.matter) matters.push_back(std::move(s));
      }
      page.cursor = got.next_cursor;
    } while (!page.cursor.empty());
    std::vector<Figure> out;
    out.push_back(Count("matters", "事项数", "matters", static_cast<int64_t>(matters.size())));
    for (const auto& list : catalog::EnumSpecs<catalog::ServiceList>()) {
      for (const auto& level : catalog::EnumSpecs<catalog::Level>()) {
        int64_t n = 0;
        for (const auto& m : matters) {
          const auto& levels = m.lists.Of(list.value);
          n += std::find(levels.begin(), levels.end(), level.value) != levels.end() ? 1 : 0;
        }
        Figure f = Count("matters_on_list", "清单事项数", "matters", n);
        f.labels = {{"list", std::string(list.id)}, {"level", std::string(level.id)}};
        out.push_back(std::move(f));
      }
    }
    for (const auto& mode : catalog::EnumSpecs<catalog::CrossRegionMode>()) {
      int64_t n = 0;
      for (const auto& m : matters) {
        n += std::find(m.cross_region_modes.begin(), m.cross_region_modes.end(), mode.value) !=
                     m.cross_region_modes.end()
                 ? 1
                 : 0;
      }
      Figure f = Count("matters_cross_region_mode", "跨域通办事项数", "matters", n);
      f.labels = {{"mode", std::string(mode.id)}};
      out.push_back(std::move(f));
    }
    int64_t legal = 0, promised = 0, zero_visits = 0, visits = 0;
    for (const auto& m : matters) {
      visits += m.visits;
      zero_visits += m.visits == 0 ? 1 : 0;
      if (m.promised_limit && m.promised_limit->unit == m.legal_limit.unit) {
        legal += m.legal_limit.value;
        promised += m.promised_limit->value;
      }
    }
    out.push_back(Rate("compression_rate", "承诺时限压缩率", legal - promised, legal));
    out.push_back(Average("average_visits_per_matter", "事项平均跑动次数", "visits", visits,
                          static_cast<int64_t>(matters.size())));
    out.push_back(Count("matters_zero_visits", "零跑动事项", "matters", zero_visits));
    // Materials of each matter's first scenario (新办), and where they come from (四个一批).
    int64_t materials = 0, not_applicant = 0, by_licence = 0, by_reuse = 0, by_request = 0,
            by_commitment = 0, waived = 0;
    for (const auto& s : matters) {
      TB_ASSIGN_OR_RETURN(catalog::Matter m, catalog.GetMatter(s.code));
      if (m.item.scenarios.empty()) continue;
      for (const catalog::Material& mat : m.item.scenarios.front().materials) {
        ++materials;
        using catalog::MaterialSource;
        not_applicant += mat.source != MaterialSource::kApplicant ? 1 : 0;
        by_licence += mat.source == MaterialSource::kLicence ? 1 : 0;
        by_reuse += mat.source == MaterialSource::kReuse ? 1 : 0;
        by_request += mat.source == MaterialSource::kCertificateRequest ? 1 : 0;
        by_commitment += mat.source == MaterialSource::kCommitment ? 1 : 0;
        waived += mat.source == MaterialSource::kWaived ? 1 : 0;
      }
    }
    const auto n = static_cast<int64_t>(matters.size());
    out.push_back(
        Average("average_materials_per_matter", "事项平均申请材料", "materials", materials, n));
    out.push_back(Average("average_materials_not_from_applicant", "事项平均免提交材料", "materials",
                          not_applicant, n));
    TB_ASSIGN_OR_RETURN(catalog::CertificateCounts certs, catalog.CountCertificates());
    out.push_back(
        Count("certificates_cancelled", "取消的证明事项", "certificates", certs.cancelled));
    out.push_back(Count("materials_by_licence", "调用电子证照的材料", "materials", by_licence));
    out.push_back(Count("materials_by_reuse", "复用的材料", "materials", by_reuse));
    out.push_back(
        Count("materials_by_certificate_request", "在线开具的证明", "materials", by_request));
    out.push_back(
        Count("materials_by_commitment", "告知承诺替代的材料", "materials", by_commitment));
    out.push_back(Count("materials_waived", "免提交的材料", "materials", waived));
    for (Figure& f : out) f.provider = "catalog";
    return out;
  }

  Result<Report> Build(const ReportQuery& q, bool with_catalog) {
    TB_RETURN_IF_ERROR(CheckQuery(q));
    Report r;
    r.query = q;
    std::tie(r.previous_from, r.previous_to) = YearEarlier(q.from, q.to);
    auto figures = db.Transaction<std::vector<Figure>>(
        store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Figure>> {
          std::vector<Figure> out = CaseFigures(sql, r);
          for (const auto& p : providers) {
            const std::vector<std::string> dims = p->Dimensions();
            auto supports = [&](const char* d) {
              return std::find(dims.begin(), dims.end(), d) != dims.end();
            };
            if ((!q.department.empty() && !supports("department")) ||
                (!q.matter.empty() && !supports("matter")) ||
                (!q.channel.empty() && !supports("channel")) ||
                (!q.window.empty() && !supports("window"))) {
              continue;
            }
            TB_ASSIGN_OR_RETURN(std::vector<Figure> more, p->Figures(sql, q));
            for (Figure& f : more) {
              f.provider = std::string(p->Name());
              out.push_back(std::move(f));
            }
          }
          return out;
        });
    if (!figures.ok()) return std::move(figures).error();
    r.figures = std::move(figures).value();
    if (with_catalog && q.channel.empty() && q.window.empty()) {
      TB_ASSIGN_OR_RETURN(std::vector<Figure> more, CatalogFigures(q));
      for (Figure& f : more) r.figures.push_back(std::move(f));
    }
    return r;
  }

  Status AuthorizeReport(const people::Principal& caller, const ReportQuery& q) const {
    return people::Authorize(caller, "report.read",
                             {.region = q.region, .department = q.department, .matter = q.matter},
                             NowMs());
  }
};

KpiService::KpiService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KpiService::~KpiService() = default;

Result<std::unique_ptr<KpiService>> KpiService::Create(store::Database& db,
                                                       catalog::CatalogService& catalog,
                                                       KpiOptions options) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries, store::QuerySet::Load(kKpiSql, kKpiSql_count));
  auto impl = std::make_unique<Impl>(db, catalog, options, std::move(queries));
  if (options.calendar) {
    impl->calendar = options.calendar;
  } else {
    impl->own_calendar = Calendar::WithEmbeddedSchedules();
    impl->calendar = impl->own_calendar.get();
  }
  return std::unique_ptr<KpiService>(new KpiService(std::move(impl)));
}

Status KpiService::OnCaseChanged(soci::session& sql, const cases::CaseChange& change) {
  Impl& I = *impl_;
  const cases::Case& c = change.record;
  if (change.action == "case.submitted" && c.sandbox) {
    long long now = I.NowMs();
    store::Execute(sql, I.Q("insert_walkthrough_case"), soci::use(c.id, "id"),
                   soci::use(c.number, "number"), soci::use(change.actor.account.id, "staff"),
                   soci::use(c.region, "region"), soci::use(c.department, "department"),
                   soci::use(c.matter, "matter"), soci::use(now, "created_at"));
    return Ok();
  }
  std::string stored_rows, stored_decided;
  const bool counted = store::Execute(sql, I.Q("select_kpi_case"), soci::use(c.id, "id"),
                                      soci::into(stored_rows), soci::into(stored_decided))
                           .got_data;
  if (!counted && change.action != "case.submitted") {
    std::string number;
    if (store::Execute(sql, I.Q("select_walkthrough_case"), soci::use(c.id, "id"),
                       soci::into(number))
            .got_data) {
      return Ok();  // a walk-through: never counted
    }
  }
  CaseInputs in = InputsOf(c, change.matter);
  if (!in.decided_on && Impl::Decided(in.state) && !stored_decided.empty()) {
    in.decided_on = *Date::Parse(stored_decided);  // a synthetic case decided without document
    in.denied = in.state == cases::CaseState::kDenied;
  }
  const Contribution after = Contribute(in, I.CalendarOf(in.region));
  Contribution before;
  if (counted) {
    TB_ASSIGN_OR_RETURN(before, Parse(stored_rows));
  }
  const Contribution delta = Difference(before, after);
  if (delta.empty() && counted) return Ok();
  I.ApplyRows(sql, delta);
  std::string rows = Serialize(after), decided = in.decided_on ? in.decided_on->ToString() : "";
  store::Execute(sql, I.Q("upsert_kpi_case"), soci::use(c.id, "id"),
                 soci::use(decided, "decided_on"), soci::use(rows, "rows"));
  return Ok();
}

Result<int64_t> KpiService::Rebuild() {
  Impl& I = *impl_;
  // The matters' limits are read before the write transaction (never inside it).
  auto versions = I.db.Transaction<std::vector<std::string>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<std::string>> {
        std::vector<std::string> out;
        std::string v;
        store::ExecuteRows(
            sql, I.Q("select_matter_versions"), [&] { out.push_back(v); }, soci::into(v));
        return out;
      });
  if (!versions.ok()) return std::move(versions).error();
  for (const std::string& v : *versions) {
    auto limits = I.LimitsOf(v);
    if (!limits.ok()) return std::move(limits).error();
  }
  return I.db.Transaction<int64_t>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<int64_t> {
        store::Execute(sql, I.Q("clear_facts"));
        store::Execute(sql, I.Q("clear_durations"));
        store::Execute(sql, I.Q("clear_cases"));
        int64_t n = 0;
        Contribution pending;
        std::vector<std::tuple<std::string, std::string, std::string>> snapshots;
        auto flush = [&] {
          I.ApplyRows(sql, pending);
          pending.clear();
          for (auto& [id, decided, rows] : snapshots) {
            store::Execute(sql, I.Q("upsert_kpi_case"), soci::use(id, "id"),
                           soci::use(decided, "decided_on"), soci::use(rows, "rows"));
          }
          snapshots.clear();
        };
        TB_RETURN_IF_ERROR(I.ForEachCase(sql, [&](const std::string& id, const CaseInputs& in) {
          const Contribution c = Contribute(in, I.CalendarOf(in.region));
          Accumulate(pending, c);
          snapshots.emplace_back(id, in.decided_on ? in.decided_on->ToString() : "", Serialize(c));
          if (++n % kChunk == 0) flush();
          return Ok();
        }));
        flush();
        return n;
      });
}

Result<VerifyResult> KpiService::Verify() {
  Impl& I = *impl_;
  return I.db.Transaction<VerifyResult>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<VerifyResult> {
        VerifyResult out;
        Contribution expected;
        TB_RETURN_IF_ERROR(I.ForEachCase(sql, [&](const std::string&, const CaseInputs& in) {
          Accumulate(expected, Contribute(in, I.CalendarOf(in.region)));
          ++out.cases;
          return Ok();
        }));
        std::erase_if(expected, [](const auto& row) {
          return std::all_of(row.second.begin(), row.second.end(),
                             [](int64_t v) { return v == 0; });
        });
        const Contribution stored = I.Stored(sql);
        out.rows = static_cast<int64_t>(std::max(stored.size(), expected.size()));
        const Contribution diff = Difference(stored, expected);
        for (const auto& [key, values] : diff) {
          std::string text;
          for (size_t i = 0; i < values.size(); ++i) {
            if (values[i] == 0) continue;
            const std::string column =
                key.starts_with("f|") ? std::string(kFactColumns[i]) : std::string("cases");
            text += fmt::format("{}{} {:+d}", text.empty() ? "" : ", ", column, values[i]);
          }
          out.differences.push_back(fmt::format("{}: stored is short of {}", key, text));
          if (out.differences.size() >= 100) break;
        }
        return out;
      });
}

void KpiService::AddProvider(std::unique_ptr<FigureProvider> provider) {
  impl_->providers.push_back(std::move(provider));
}

Result<Report> KpiService::BuildReport(const people::Principal& caller, const ReportQuery& query) {
  TB_RETURN_IF_ERROR(impl_->AuthorizeReport(caller, query));
  return impl_->Build(query, true);
}

Result<Report> KpiService::BuildReport(const ReportQuery& query) {
  return impl_->Build(query, true);
}

Result<Report> KpiService::PublicStatistics(const ReportQuery& query) {
  TB_ASSIGN_OR_RETURN(Report r, impl_->Build(query, false));
  static const std::set<std::string, std::less<>> kPublished = {
      "applications",    "applications_growth", "concluded",
      "conclusion_rate", "on_time_rate",        "average_working_days",
      "online_share",    "cross_region",        "materials_not_brought_rate"};
  std::erase_if(r.figures, [](const Figure& f) { return !kPublished.contains(f.name); });
  return r;
}

Result<Dashboard> KpiService::BuildDashboard(const people::Principal& caller, ReportQuery query) {
  Impl& I = *impl_;
  if (query.region.empty()) {
    for (const people::HeldGrant& g : caller.grants) {
      if (std::find(g.permissions.begin(), g.permissions.end(), "report.read") !=
              g.permissions.end() &&
          g.grant.scope.region != people::Scope::kAny) {
        query.region = g.grant.scope.region;
        if (query.department.empty() && g.grant.scope.department != people::Scope::kAny) {
          query.department = g.grant.scope.department;
        }
        break;
      }
    }
  }
  TB_RETURN_IF_ERROR(I.AuthorizeReport(caller, query));
  TB_RETURN_IF_ERROR(I.CheckQuery(query));
  Dashboard d;
  d.query = query;
  struct Series {
    std::vector<Group> by_month, by_department, by_channel;
  };
  auto series =
      I.db.Transaction<Series>(store::TxKind::kRead, [&](soci::session& sql) -> Result<Series> {
        Series out;
        out.by_month = I.Groups(sql, query, query.from, query.to, GroupBy::kMonth);
        out.by_department = I.Groups(sql, query, query.from, query.to, GroupBy::kDepartment);
        out.by_channel = I.Groups(sql, query, query.from, query.to, GroupBy::kChannel);
        return out;
      });
  if (!series.ok()) return std::move(series).error();
  auto points = [](const std::vector<Group>& groups) {
    std::vector<SeriesPoint> out;
    out.reserve(groups.size());
    for (const Group& g : groups) {
      out.push_back({.key = g.key,
                     .applications = At(g.counters, Fact::kApplications),
                     .concluded = At(g.counters, Fact::kConcluded),
                     .on_time = At(g.counters, Fact::kOnTime),
                     .online = At(g.counters, Fact::kOnline)});
    }
    return out;
  };
  d.by_month = points(series->by_month);
  d.by_department = points(series->by_department);
  d.by_channel = points(series->by_channel);
  const Counters t = Impl::Total(series->by_month);
  d.totals = {
      Count("applications", "申请量", "cases", At(t, Fact::kApplications)),
      Count("concluded", "办结量", "cases", At(t, Fact::kConcluded)),
      Rate("conclusion_rate", "办结率", At(t, Fact::kConcluded), At(t, Fact::kApplications)),
      Rate("on_time_rate", "按时办结率", At(t, Fact::kOnTime), At(t, Fact::kConcluded)),
      Rate("online_share", "网上办理占比", At(t, Fact::kOnline), At(t, Fact::kApplications)),
  };
  for (Figure& f : d.totals) f.provider = "cases";
  return d;
}

Result<WalkthroughNote> KpiService::AddNote(const people::Principal& caller,
                                            std::string_view case_number, std::string step,
                                            std::string friction, NoteKind kind) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (step.empty()) errors.Add("step", "name the step walked");
  if (friction.empty()) errors.Add("friction", "say what got in the way");
  if (friction.size() > 4000) errors.Add("friction", "is longer than 4000 bytes");
  if (!errors.empty()) return errors.ToError("the note is invalid");
  return I.db.Transaction<WalkthroughNote>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<WalkthroughNote> {
        const std::string number(case_number);
        std::string case_id, region, department, matter;
        if (!store::Execute(sql, I.Q("select_walkthrough_by_number"), soci::use(number, "number"),
                            soci::into(case_id), soci::into(region), soci::into(department),
                            soci::into(matter))
                 .got_data) {
          return Error(ErrorCode::kNotFound, fmt::format("no walk-through case {}", number));
        }
        TB_RETURN_IF_ERROR(people::Authorize(
            caller, "case.walkthrough",
            {.region = region, .department = department, .matter = matter}, I.NowMs()));
        WalkthroughNote n;
        n.id = NewId(I.clock());
        n.case_number = number;
        n.step = std::move(step);
        n.friction = std::move(friction);
        n.author = caller.account.id;
        n.created_at_ms = I.NowMs();
        long long at = n.created_at_ms;
        store::Execute(sql, I.Q("insert_note"), soci::use(n.id, "id"),
                       soci::use(case_id, "case_id"), soci::use(n.step, "step"),
                       soci::use(n.friction, "friction"), soci::use(n.author, "author"),
                       soci::use(at, "created_at"));
        if (kind == NoteKind::kFinding) {
          n.rectification_item = NewId(I.clock());
          const std::string source = "walkthrough";
          const std::string description = fmt::format("走流程 {}: {}", n.step, n.friction);
          store::Execute(sql, I.Q("insert_rectification"), soci::use(n.rectification_item, "id"),
                         soci::use(source, "source"), soci::use(n.id, "source_id"),
                         soci::use(number, "number"), soci::use(region, "region"),
                         soci::use(department, "department"), soci::use(matter, "matter"),
                         soci::use(description, "description"), soci::use(n.author, "created_by"),
                         soci::use(at, "created_at"));
        }
        return n;
      });
}

Result<std::vector<WalkthroughNote>> KpiService::Notes(const people::Principal& caller,
                                                       std::string_view case_number) {
  Impl& I = *impl_;
  return I.db.Transaction<std::vector<WalkthroughNote>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<WalkthroughNote>> {
        const std::string number(case_number);
        std::string case_id, region, department, matter;
        if (!store::Execute(sql, I.Q("select_walkthrough_by_number"), soci::use(number, "number"),
                            soci::into(case_id), soci::into(region), soci::into(department),
                            soci::into(matter))
                 .got_data) {
          return Error(ErrorCode::kNotFound, fmt::format("no walk-through case {}", number));
        }
        TB_RETURN_IF_ERROR(people::Authorize(
            caller, "case.walkthrough",
            {.region = region, .department = department, .matter = matter}, I.NowMs()));
        std::vector<WalkthroughNote> out;
        WalkthroughNote n;
        long long at = 0;
        store::ExecuteRows(
            sql, I.Q("select_notes"),
            [&] {
              n.case_number = number;
              n.created_at_ms = at;
              out.push_back(n);
            },
            soci::into(n.id), soci::into(n.step), soci::into(n.friction), soci::into(n.author),
            soci::into(at), soci::into(n.rectification_item), soci::use(case_id, "case_id"));
        return out;
      });
}

Result<std::vector<RectificationItem>> KpiService::RectificationItems(
    const people::Principal& caller, const std::string& region, const std::string& department) {
  Impl& I = *impl_;
  if (!region.empty() && !people::IsRegionCode(region)) {
    return Error(ErrorCode::kInvalidArgument, "the region is invalid",
                 {{"region", "must be a region code of 6, 9 or 12 digits"}});
  }
  TB_RETURN_IF_ERROR(people::Authorize(caller, "case.walkthrough",
                                       {.region = region, .department = department}, I.NowMs()));
  return I.db.Transaction<std::vector<RectificationItem>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<RectificationItem>> {
        auto [lo, hi] = RegionRange(region);
        std::vector<RectificationItem> out;
        RectificationItem r;
        long long at = 0;
        store::ExecuteRows(
            sql, I.Q("select_rectifications"),
            [&] {
              r.created_at_ms = at;
              out.push_back(r);
            },
            soci::into(r.id), soci::into(r.source), soci::into(r.source_id),
            soci::into(r.case_number), soci::into(r.region), soci::into(r.department),
            soci::into(r.matter), soci::into(r.description), soci::into(r.state),
            soci::into(r.created_by), soci::into(at), soci::use(lo, "region_lo"),
            soci::use(hi, "region_hi"), soci::use(department, "department"));
        return out;
      });
}

}  // namespace tongban::kpi
