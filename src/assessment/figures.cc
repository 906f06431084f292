// Each provider runs one grouped query whose sums become its figures; every filter is bound.
#include "assessment/figures.h"

#include <chrono>
#include <string>

#include <fmt/format.h>

#include "people/authorization.h"
#include "people/region_range.h"

namespace tongban::assessment {
namespace {

using kpi::Count;
using kpi::Figure;
using kpi::Rate;
using kpi::ReportQuery;

long long MsOf(Date d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             StartOfDayInChina(d).time_since_epoch())
      .count();
}

// The bound filters of one query: `where` names :lo, :hi and, when given, the others.
struct Filters {
  std::string lo, hi, department, matter, window, from, to;
  long long from_ms = 0, to_ms = 0;

  explicit Filters(const ReportQuery& q)
      : department(q.department),
        matter(q.matter),
        window(q.window),
        from(q.from.ToString()),
        to(q.to.ToString()),
        from_ms(MsOf(q.from)),
        to_ms(MsOf(q.to.AddDays(1))) {
    std::tie(lo, hi) = people::RegionSubtreeRange(q.region);
  }
};

// Runs `text` (one row of sums, ending in a space) with the filters it names, into `values`.
void SumRow(soci::session& sql, const std::string& text, Filters& f,
            std::vector<long long>& values) {
  soci::statement st(sql);
  std::vector<soci::indicator> inds(values.size(), soci::i_ok);
  // A filter is bound when the text names it (every name is followed by a space).
  auto named = [&](std::string_view name) {
    return text.find(fmt::format(":{} ", name)) != std::string::npos;
  };
  if (named("lo")) st.exchange(soci::use(f.lo, "lo"));
  if (named("hi")) st.exchange(soci::use(f.hi, "hi"));
  if (named("department")) st.exchange(soci::use(f.department, "department"));
  if (named("matter")) st.exchange(soci::use(f.matter, "matter"));
  if (named("window")) st.exchange(soci::use(f.window, "window"));
  if (named("from")) st.exchange(soci::use(f.from, "from"));
  if (named("to")) st.exchange(soci::use(f.to, "to"));
  if (named("from_ms")) st.exchange(soci::use(f.from_ms, "from_ms"));
  if (named("to_ms")) st.exchange(soci::use(f.to_ms, "to_ms"));
  for (size_t i = 0; i < values.size(); ++i) st.exchange(soci::into(values[i], inds[i]));
  st.alloc();
  st.prepare(text);
  st.define_and_bind();
  st.execute(true);
  for (size_t i = 0; i < values.size(); ++i) {
    if (inds[i] != soci::i_ok) values[i] = 0;  // SUM over no rows
  }
}

class Supervision final : public kpi::FigureProvider {
 public:
  std::string_view Name() const override { return "supervision"; }
  std::vector<std::string> Dimensions() const override {
    return {"region", "department", "period"};
  }
  Result<std::vector<Figure>> Figures(soci::session& sql, const ReportQuery& q) override {
    Filters f(q);
    std::string text =
        "SELECT COUNT(*), SUM(CASE WHEN level = 'warning' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN level = 'yellow' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN level = 'red' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN level <> 'warning' AND state = 'answered' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN state = 'handed_over' THEN 1 ELSE 0 END) FROM supervision_card "
        "WHERE issued_on >= :from AND issued_on <= :to AND region_code >= :lo "
        "AND region_code < :hi ";
    if (!q.department.empty()) text += "AND department_code = :department ";
    std::vector<long long> v(6);
    SumRow(sql, text, f, v);
    const long long cards = v[2] + v[3];
    return std::vector<Figure>{
        Count("warnings_issued", "电子监察预警", "cards", v[1]),
        Count("yellow_cards", "黄牌", "cards", v[2]),
        Count("red_cards", "红牌", "cards", v[3]),
        Count("cards_answered", "已答复整改的黄红牌", "cards", v[4]),
        Rate("card_answer_rate", "黄红牌整改答复率", v[4], cards),
        Count("clues_handed_over", "移交纪检监察线索", "cards", v[5]),
    };
  }
};

class Evaluation final : public kpi::FigureProvider {
 public:
  std::string_view Name() const override { return "evaluation"; }
  std::vector<std::string> Dimensions() const override {
    return {"region", "department", "matter", "window", "period"};
  }
  Result<std::vector<Figure>> Figures(soci::session& sql, const ReportQuery& q) override {
    Filters f(q);
    std::string filter = "AND region_code >= :lo AND region_code < :hi ";
    if (!q.department.empty()) filter += "AND department_code = :department ";
    if (!q.matter.empty()) filter += "AND matter_code = :matter ";
    if (!q.window.empty()) filter += "AND window_code = :window ";
    std::vector<long long> r(3);
    SumRow(sql,
           "SELECT COUNT(*), SUM(CASE WHEN level IN ('very_satisfied', 'satisfied', "
           "'basically_satisfied') THEN 1 ELSE 0 END), SUM(CASE WHEN level IN ('dissatisfied', "
           "'very_dissatisfied') THEN 1 ELSE 0 END) FROM evaluation WHERE voided = 0 AND "
           "created_at >= :from_ms AND created_at < :to_ms " +
               filter,
           f, r);
    std::vector<long long> k(4);
    SumRow(sql,
           "SELECT COUNT(*), SUM(CASE WHEN state IN ('rectified', 'explained', 'voided') THEN 1 "
           "ELSE 0 END), SUM(named), SUM(CASE WHEN named = 1 AND callback_at > 0 THEN 1 ELSE 0 "
           "END) FROM rectification WHERE opened_at >= :from_ms AND opened_at < :to_ms " +
               filter,
           f, k);
    return std::vector<Figure>{
        Count("ratings", "评价数", "ratings", r[0]),
        Count("good_ratings", "好评数", "ratings", r[1]),
        Count("bad_ratings", "差评数", "ratings", r[2]),
        Rate("good_rating_rate", "好评率", r[1], r[0]),
        Count("rectifications", "差评整改件", "items", k[0]),
        Count("rectified", "已整改", "items", k[1]),
        Rate("rectification_rate", "差评整改率", k[1], k[0]),
        Rate("named_bad_callback_rate", "实名差评回访率", k[3], k[2]),
    };
  }
};

class Demands final : public kpi::FigureProvider {
 public:
  std::string_view Name() const override { return "demands"; }
  std::vector<std::string> Dimensions() const override { return {"region", "period"}; }
  Result<std::vector<Figure>> Figures(soci::session& sql, const ReportQuery& q) override {
    Filters f(q);
    std::vector<long long> v(5);
    SumRow(sql,
           "SELECT COUNT(*), SUM(CASE WHEN d.state IN ('closed', 'finished') THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN EXISTS (SELECT 1 FROM work_order w WHERE w.demand_id = d.id AND "
           "w.state = 'closed' AND w.closed_at <= w.due) THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN d.satisfied = 1 THEN 1 ELSE 0 END), "
           "SUM(CASE WHEN d.satisfied >= 0 THEN 1 ELSE 0 END) FROM demand d "
           "WHERE d.created_at >= :from_ms AND d.created_at < :to_ms AND d.region >= :lo "
           "AND d.region < :hi ",
           f, v);
    return std::vector<Figure>{
        Count("demands_received", "受理企业诉求", "demands", v[0]),
        Count("demands_closed", "已办结诉求", "demands", v[1]),
        Rate("demand_closure_rate", "诉求办结率", v[1], v[0]),
        Rate("demand_on_time_rate", "诉求按时办结率", v[2], v[1]),
        Rate("demand_satisfaction_rate", "诉求回访满意率", v[3], v[4]),
    };
  }
};

}  // namespace

std::unique_ptr<kpi::FigureProvider> SupervisionFigures() {
  return std::make_unique<Supervision>();
}
std::unique_ptr<kpi::FigureProvider> EvaluationFigures() { return std::make_unique<Evaluation>(); }
std::unique_ptr<kpi::FigureProvider> DemandFigures() { return std::make_unique<Demands>(); }

std::vector<std::unique_ptr<kpi::FigureProvider>> OversightFigures() {
  std::vector<std::unique_ptr<kpi::FigureProvider>> out;
  out.push_back(SupervisionFigures());
  out.push_back(EvaluationFigures());
  out.push_back(DemandFigures());
  return out;
}

}  // namespace tongban::assessment
