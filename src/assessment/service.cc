// The assessment report: one read transaction, one grouped query per source (cards, ratings,
// rectifications, work orders), each row a (department, person) pair that is summed into the
// department's or the person's line, then scored by the rule set of the line's region.
#include "assessment/service.h"

#include <algorithm>
#include <charconv>
#include <map>

#include <fmt/format.h>

#include "base/embedded.h"
#include "people/authorization.h"
#include "people/region_range.h"
#include "store/queries.h"

namespace tongban {
extern const EmbeddedFile kAssessmentSql[];
extern const size_t kAssessmentSql_count;
extern const EmbeddedFile kAssessmentRules[];
extern const size_t kAssessmentRules_count;
}  // namespace tongban

namespace tongban::assessment {
namespace {

int64_t MsOf(Date d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             StartOfDayInChina(d).time_since_epoch())
      .count();
}

// One line being summed: its inputs, its lowest region, and (for a person) how many inputs
// each department contributed.
struct Line {
  Inputs inputs{};
  std::string region;
  std::map<std::string, int64_t> departments;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> BuiltinRuleFiles() {
  std::vector<std::pair<std::string, std::string>> out;
  for (size_t i = 0; i < kAssessmentRules_count; ++i) {
    out.emplace_back(std::string(kAssessmentRules[i].path),
                     std::string(kAssessmentRules[i].contents));
  }
  return out;
}

struct AssessmentService::Impl {
  store::Database& db;
  const Clock* clock;
  store::QuerySet queries;
  std::vector<ScoringRules> rules;

  const std::string& Q(std::string_view name) const { return queries.Get(name, db.backend()); }
  int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock->Now().time_since_epoch())
        .count();
  }

  Result<Report> Build(const Query& query);
};

AssessmentService::AssessmentService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AssessmentService::~AssessmentService() = default;

Result<std::unique_ptr<AssessmentService>> AssessmentService::Create(store::Database& db,
                                                                     Options options) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kAssessmentSql, kAssessmentSql_count));
  std::vector<std::pair<std::string, std::string>> files;
  if (options.rule_files.empty()) {
    files = BuiltinRuleFiles();
  } else {
    for (size_t i = 0; i < options.rule_files.size(); ++i) {
      files.emplace_back(fmt::format("rules[{}]", i), options.rule_files[i]);
    }
  }
  std::vector<ScoringRules> rules;
  FieldErrors errors;
  for (const auto& [name, yaml] : files) {
    Result<ScoringRules> r = ParseScoringRules(yaml);
    if (!r.ok()) {
      for (const FieldError& f : r.error().fields()) errors.Add(name + ": " + f.field, f.message);
      continue;
    }
    rules.push_back(std::move(*r));
  }
  if (!errors.empty()) return errors.ToError("the scoring rules are invalid");
  auto impl = std::unique_ptr<Impl>(
      new Impl{.db = db,
               .clock = options.clock ? options.clock : &SystemClock::Instance(),
               .queries = std::move(queries),
               .rules = std::move(rules)});
  return std::unique_ptr<AssessmentService>(new AssessmentService(std::move(impl)));
}

ScoringRules AssessmentService::RulesFor(std::string_view region) const {
  return assessment::RulesFor(region, impl_->rules);
}

Result<Report> AssessmentService::BuildReport(const people::Principal& caller, const Query& query) {
  TB_RETURN_IF_ERROR(people::Authorize(caller, "report.read",
                                       {.region = query.region, .department = query.department},
                                       impl_->NowMs()));
  return impl_->Build(query);
}

Result<Report> AssessmentService::BuildReport(const Query& query) { return impl_->Build(query); }

Result<Report> AssessmentService::Impl::Build(const Query& query) {
  FieldErrors errors;
  int year = 0, month = 0;
  const std::string& m = query.month;
  const bool month_ok = m.size() == 7 && m[4] == '-' &&
                        std::from_chars(m.data(), m.data() + 4, year).ec == std::errc() &&
                        std::from_chars(m.data() + 5, m.data() + 7, month).ec == std::errc() &&
                        year >= 2000 && year <= 2100 && month >= 1 && month <= 12;
  if (!month_ok) errors.Add("month", "must be a month YYYY-MM");
  if (!query.region.empty() && !people::IsRegionCode(query.region)) {
    errors.Add("region", "must be a region code");
  }
  if (query.department.size() > 64 ||
      query.department.find_first_of("'\"\\;\r\n") != std::string::npos) {
    errors.Add("department", "must be a department code");
  }
  if (!errors.empty()) return errors.ToError("the assessment request is invalid");

  Report report;
  report.query = query;
  TB_ASSIGN_OR_RETURN(report.from, Date::FromCivil(year, month, 1));
  TB_ASSIGN_OR_RETURN(Date next, month == 12 ? Date::FromCivil(year + 1, 1, 1)
                                             : Date::FromCivil(year, month + 1, 1));
  report.to = next.AddDays(-1);
  const std::string from = report.from.ToString(), to = report.to.ToString();
  const std::string today = DateInChina(clock->Now()).ToString();
  long long from_ms = MsOf(report.from), to_ms = MsOf(next);
  auto [lo, hi] = people::RegionSubtreeRange(query.region);
  const std::string& department = query.department;
  const bool by_person = query.by == AssessBy::kPerson;

  std::map<std::string, Line> lines;
  // Runs one source's query and adds its columns (after department, person, region) to `into`.
  auto run = [&](soci::session& sql, std::string_view name, bool days,
                 std::vector<Input> into) -> Status {
    std::string dept, person, region;
    std::vector<long long> values(into.size());
    soci::statement st(sql);
    if (days) {
      st.exchange(soci::use(from, "from"));
      st.exchange(soci::use(to, "to"));
    } else {
      st.exchange(soci::use(from_ms, "from_ms"));
      st.exchange(soci::use(to_ms, "to_ms"));
    }
    if (name == "rectification_inputs") st.exchange(soci::use(today, "today"));
    st.exchange(soci::use(lo, "lo"));
    st.exchange(soci::use(hi, "hi"));
    st.exchange(soci::use(department, "department"));
    st.exchange(soci::use(department, "department2"));
    st.exchange(soci::into(dept));
    st.exchange(soci::into(person));
    st.exchange(soci::into(region));
    for (long long& v : values) st.exchange(soci::into(v));
    st.alloc();
    st.prepare(Q(name));
    st.define_and_bind();
    st.execute(false);
    while (st.fetch()) {
      const std::string& key = by_person ? person : dept;
      if (key.empty()) continue;
      Line& line = lines[key];
      int64_t n = 0;
      for (size_t i = 0; i < into.size(); ++i) {
        At(line.inputs, into[i]) += values[i];
        n += values[i];
      }
      if (line.region.empty() || (!region.empty() && region < line.region)) line.region = region;
      line.departments[dept] += n;
    }
    return Ok();
  };
  TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    TB_RETURN_IF_ERROR(
        run(sql, "card_inputs", true,
            {Input::kWarnings, Input::kYellowCards, Input::kRedCards, Input::kCardsAnswered}));
    TB_RETURN_IF_ERROR(run(sql, "rating_inputs", false,
                           {Input::kRatings, Input::kGoodRatings, Input::kBadRatings}));
    TB_RETURN_IF_ERROR(
        run(sql, "rectification_inputs", false,
            {Input::kRectifications, Input::kRectified, Input::kRectificationsLate}));
    return run(
        sql, "demand_inputs", false,
        {Input::kWorkOrders, Input::kWorkOrdersOnTime, Input::kSatisfied, Input::kUnsatisfied});
  }));

  for (auto& [key, line] : lines) {
    Row row;
    row.key = key;
    row.region = line.region;
    row.inputs = line.inputs;
    if (by_person) {
      int64_t best = -1;
      for (const auto& [d, n] : line.departments) {
        if (n > best) {
          best = n;
          row.department = d;
        }
      }
    } else {
      row.department = key;
    }
    Score(assessment::RulesFor(row.region, rules), row);
    report.rows.push_back(std::move(row));
  }
  return report;
}

}  // namespace tongban::assessment
