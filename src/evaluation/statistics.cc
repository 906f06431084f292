// The public statistics read from the pre-aggregated rows (month rows for whole months, day rows
// for the rest) and their set-based rebuild.
#include "evaluation/service_impl.h"

namespace tongban::evaluation {

Result<Statistics> EvaluationService::ComputeStatistics(const StatisticsQuery& query) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (!query.region.empty() && !people::IsRegionCode(query.region)) {
    errors.Add("region", "must be a region code");
  }
  if (query.from && query.to && *query.from > *query.to) errors.Add("to", "is before from");
  if (!errors.empty()) return errors.ToError("the statistics query is invalid");
  const long long from = query.from ? Ms(StartOfDayInChina(*query.from)) : 0;
  const long long to =
      query.to ? Ms(StartOfDayInChina(query.to->AddDays(1))) : std::numeric_limits<int64_t>::max();
  std::string column;
  switch (query.by) {
    case Dimension::kDepartment:
      column = "department_code";
      break;
    case Dimension::kMatter:
      column = "matter_code";
      break;
    case Dimension::kWindow:
      column = "window_code";
      break;
    case Dimension::kRegion:
      column = "region_code";
      break;
  }
  auto with_key = [&](std::string_view name) {
    std::string q = I.Q(name);
    for (size_t at = q.find("__key__"); at != std::string::npos; at = q.find("__key__")) {
      q.replace(at, 7, column);
    }
    return q;
  };
  const std::string region = RegionPattern(query.region);
  const std::string from_day = query.from ? query.from->ToString() : "0000-00-00",
                    to_day = query.to ? query.to->ToString() : "9999-99-99";
  return I.db.Transaction<Statistics>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<Statistics> {
        std::map<std::string, StatisticsRow> rows;
        std::string key, level;
        long long n = 0, rectified = 0, named = 0, called = 0;
        // The pre-aggregated rows, exact for whole CST days: the period's whole months from
        // evaluation_stat_month (not by matter: the month rows leave it out), the days of its
        // partial months (or every day, by matter) from evaluation_stat.
        long long rated = 0;
        auto add = [&] {
          auto l = ParseLevel(level);
          if (!l || (query.by == Dimension::kWindow && key.empty())) return;
          StatisticsRow& r = rows[key];
          r.by_level[static_cast<size_t>(*l)] += rated;
          r.rated += rated;
          (IsGood(*l) ? r.good : r.bad) += rated;
          r.rectified += rectified;
          r.named_bad += named;
          r.called_back += called;
        };
        auto days = [&](const std::string& first, const std::string& last) {
          store::ExecuteRows(sql, with_key("statistics_aggregates"), add,
                             soci::use(first, "from_day"), soci::use(last, "to_day"),
                             soci::use(region, "region"), soci::into(key), soci::into(level),
                             soci::into(rated), soci::into(n), soci::into(rectified),
                             soci::into(named), soci::into(called));
        };
        const PeriodSplit split = SplitPeriod(query.from, query.to);
        if (query.by == Dimension::kMatter || !split.months) {
          days(from_day, to_day);
        } else {
          const auto& [first_month, last_month] = *split.months;
          store::ExecuteRows(sql, with_key("statistics_aggregates_months"), add,
                             soci::use(first_month, "from_month"),
                             soci::use(last_month, "to_month"), soci::use(region, "region"),
                             soci::into(key), soci::into(level), soci::into(rated), soci::into(n),
                             soci::into(rectified), soci::into(named), soci::into(called));
          for (const auto& [first, last] : split.days) days(first, last);
        }
        // By window: unrated visits and unrated cases the window took in (online cases have none).
        std::vector<std::string> unrated = {with_key("statistics_unrated")};
        if (query.by == Dimension::kWindow) unrated.push_back(I.Q("statistics_unrated_visits"));
        for (const std::string& text : unrated) {
          store::ExecuteRows(
              sql, text,
              [&] {
                if (query.by != Dimension::kWindow || !key.empty()) rows[key].unrated += n;
              },
              soci::use(from, "from"), soci::use(to, "to"), soci::use(region, "region"),
              soci::into(key), soci::into(n));
        }
        Statistics out;
        auto rates = [](StatisticsRow& r) {
          if (r.rated > 0) r.good_rate = static_cast<double>(r.good) / static_cast<double>(r.rated);
          if (r.bad > 0) {
            r.rectification_rate = static_cast<double>(r.rectified) / static_cast<double>(r.bad);
          }
          if (r.named_bad > 0) {
            r.callback_rate = static_cast<double>(r.called_back) / static_cast<double>(r.named_bad);
          }
        };
        for (auto& [k, r] : rows) {
          r.key = k;
          rates(r);
          out.total.rated += r.rated;
          out.total.good += r.good;
          out.total.bad += r.bad;
          for (int i = 0; i < kLevelCount; ++i) out.total.by_level[i] += r.by_level[i];
          out.total.unrated += r.unrated;
          out.total.rectified += r.rectified;
          out.total.named_bad += r.named_bad;
          out.total.called_back += r.called_back;
          out.rows.push_back(r);
        }
        rates(out.total);
        return out;
      });
}

Result<int64_t> EvaluationService::RebuildStatistics() {
  Impl& I = *impl_;
  return I.db.Transaction<int64_t>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<int64_t> {
        // Set-based on both backends: the day rows grouped from the ratings in one INSERT …
        // SELECT … GROUP BY, then the month rows from the day rows.
        long long read = 0;
        store::Execute(sql, I.Q("count_stat_sources"), soci::into(read));
        store::Execute(sql, I.Q("clear_stats"));
        store::Execute(sql, I.Q("clear_stat_months"));
        std::string days = I.Q("rebuild_stat_days");
        days.replace(days.find("__day__"), 7,
                     I.db.backend() == store::Backend::kPostgresql
                         ? "to_char(to_timestamp(e.created_at / 1000 + 28800) AT TIME ZONE "
                           "'UTC', 'YYYY-MM-DD')"
                         : "date(e.created_at / 1000 + 28800, 'unixepoch')");
        store::Execute(sql, days);
        store::Execute(sql, I.Q("rebuild_stat_months"));
        // A bulk load: the planner's statistics of both tables, as autovacuum would gather later
        // (without them a period's day range may be read by a scan of every day row).
        if (I.db.backend() == store::Backend::kPostgresql) {
          store::Execute(sql, "ANALYZE evaluation_stat");
          store::Execute(sql, "ANALYZE evaluation_stat_month");
        }
        return static_cast<int64_t>(read);
      });
}

}  // namespace tongban::evaluation
