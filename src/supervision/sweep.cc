// The sweep: every rule in force, compiled from FEEL to SQL, runs as one INSERT … SELECT over
// the open cases (or open review steps) of the regions it governs. The unique dedupe_key makes
// issuing idempotent: a crash loses the statements of the open transaction (one each on
// PostgreSQL, a group of them on SQLite: RunSteps), which the next sweep issues.
//
// Regions: every region with a saved rule set governs its subtree, minus the subtrees of deeper
// regions with their own rule sets (which inherit from it through Merge instead). Each such
// partition is split again by the regions with calendar days of their own (a county's holiday),
// so that the day constants are computed once per calendar: partitions whose constants agree
// still share one statement.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <deque>
#include <functional>
#include <optional>
#include <regex>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "base/id.h"
#include "crypto/sm3.h"
#include "people/authorization.h"
#include "supervision/notices.h"
#include "supervision/rules.h"
#include "supervision/service_impl.h"

namespace tongban::supervision {
namespace {

constexpr const char* kOpenStates =
    "'submitted', 'correction_requested', 'under_review', 'suspended', 'approved', 'denied'";

// The constants a rule may name, fixed for the whole sweep.
struct Constants {
  Date today, warning_day, red_day;
  int64_t now_ms = 0;
};

// On SQLite the column is written `+column`, so that the planner keeps to the state and due-day
// index (supervision_case_due) rather than a region range, which selects far less.
std::string RangeFilter(std::string_view column, std::string_view region, bool sqlite = false) {
  auto [lo, hi] = people::RegionSubtreeRange(region);
  return fmt::format("{3}{0} >= '{1}' AND {3}{0} < '{2}'", column, lo, hi, sqlite ? "+" : "");
}

struct Partition {
  std::string region;
  EffectiveRules rules;
  std::vector<std::string> excluded;  // deeper regions with their own rule sets or calendars
  std::string limit_to;               // the sweep's --region, when narrower than `region`
  // The region whose calendar every case of the partition counts in (ServiceOptions::
  // region_calendar): no region with days of its own lies inside the partition below it.
  std::string calendar_region;

  std::string Filter(std::string_view column, bool sqlite = false) const {
    std::string f = RangeFilter(column, region, sqlite);
    for (const std::string& e : excluded) {
      f += " AND NOT (" + RangeFilter(column, e, sqlite) + ")";
    }
    if (!limit_to.empty()) f += " AND " + RangeFilter(column, limit_to, sqlite);
    return f;
  }
};

// Splits each partition by the regions with calendar days of their own that lie inside it (a
// region's calendar inherits its city's and province's days, so a partition's own calendar
// region already accounts for those above it): one more partition per such region, governed by
// the same rules, and the region excluded from the partition it came from.
std::vector<Partition> SplitByCalendar(std::vector<Partition> partitions,
                                       const std::vector<std::string>& own) {
  std::vector<Partition> out;
  for (Partition& p : partitions) {
    const std::string& area = p.limit_to.empty() ? p.region : p.limit_to;
    p.calendar_region = area;
    std::vector<std::string> inside;
    for (const std::string& c : own) {
      if (c == area || !people::IsRegionCode(c) || !people::RegionCovers(area, c)) continue;
      if (std::any_of(p.excluded.begin(), p.excluded.end(),
                      [&](const std::string& e) { return people::RegionCovers(e, c); })) {
        continue;  // another rule set's partition: split there
      }
      inside.push_back(c);
    }
    for (const std::string& c : inside) {
      Partition q;
      q.region = c;
      q.rules = p.rules;
      q.calendar_region = c;
      for (const std::string& e : p.excluded) {
        if (people::RegionCovers(c, e)) q.excluded.push_back(e);
      }
      for (const std::string& d : inside) {
        if (d != c && people::RegionCovers(c, d)) q.excluded.push_back(d);
      }
      out.push_back(std::move(q));
    }
    for (const std::string& c : inside) {
      const bool nested = std::any_of(inside.begin(), inside.end(), [&](const std::string& d) {
        return d != c && people::RegionCovers(d, c);
      });
      if (!nested) p.excluded.push_back(c);
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::string StatesSql(const Rule& rule) {
  if (rule.states.empty()) return kOpenStates;
  std::string out;
  for (const std::string& s : rule.states) out += (out.empty() ? "'" : ", '") + s + "'";
  return out;
}

// A case as the rules see it (the names of CaseSchema()).
std::string CaseColumns(store::Backend b, const Constants& k) {
  const bool pg = b == store::Backend::kPostgresql;
  auto date_col = [&](const char* col) {
    return pg ? fmt::format("CAST(NULLIF(c.{0}, '') AS DATE)", col)
              : fmt::format("NULLIF(c.{0}, '')", col);
  };
  auto date_const = [&](Date d) {
    return pg ? fmt::format("DATE '{}'", d.ToString()) : fmt::format("'{}'", d.ToString());
  };
  // Natural days from `a` to `b` (null when either is).
  auto days_between = [&](const std::string& a, const std::string& b) {
    return pg ? fmt::format("({} - {})", b, a)
              : fmt::format("CAST(julianday({}) - julianday({}) AS INTEGER)", b, a);
  };
  return fmt::format(
      "c.id AS case_id, c.number AS case_number, c.state AS state, c.matter_code AS matter, "
      "c.region_code AS region, c.department_code AS department, c.channel AS channel, "
      "{0} AS received_on, {1} AS accepted_on, {2} AS due_on, "
      "c.decision_reasons AS decision_reasons, c.suspended_days AS suspended_days, "
      "c.extension_days AS extension_days, "
      "CASE WHEN c.accepted_by <> '' THEN c.accepted_by ELSE c.clerk_account END AS person, "
      "{3} AS today, {4} AS warning_day, {5} AS red_day, CAST({6} AS BIGINT) AS now_ms, "
      "{7} AS days_left, {8} AS limit_days",
      pg ? "CAST(c.received_on AS DATE)" : "c.received_on", date_col("accepted_on"),
      date_col("due_on"), date_const(k.today), date_const(k.warning_day), date_const(k.red_day),
      k.now_ms, days_between(date_const(k.today), date_col("due_on")),
      days_between(date_col("accepted_on"), date_col("due_on")));
}

// The regions of several partitions that run the same statement.
std::string AnyOf(const std::vector<const Partition*>& parts, std::string_view column,
                  bool sqlite) {
  std::string out = "(";
  for (size_t i = 0; i < parts.size(); ++i) {
    out += (i ? " OR (" : "(") + parts[i]->Filter(column, sqlite) + ")";
  }
  return out + ")";
}

// How an incremental statement narrows the open cases (case rules only): to the cases written at
// or after `since_ms`, or to those due within [due_from, due_to]. On SQLite the updated_at index
// is named, since without statistics the planner prefers the state index.
struct Narrow {
  std::optional<int64_t> since_ms;
  std::optional<std::pair<Date, Date>> due;
};

std::string View(store::Backend b, const Constants& k, const Rule& rule,
                 const std::vector<const Partition*>& parts, const Narrow& narrow = {}) {
  if (rule.scope == RuleScope::kCase) {
    const bool sqlite = b == store::Backend::kSqlite;
    std::string extra;
    if (narrow.since_ms) extra = fmt::format(" AND c.updated_at >= {}", *narrow.since_ms);
    // The raw column ('' when the clock does not run sorts before any day): index case_record_due.
    if (narrow.due) {
      extra = fmt::format(" AND c.due_on >= '{}' AND c.due_on <= '{}'",
                          narrow.due->first.ToString(), narrow.due->second.ToString());
    }
    return fmt::format("SELECT {} FROM case_record c{} WHERE c.state IN ({}) AND {}{}",
                       CaseColumns(b, k),
                       narrow.since_ms && sqlite ? " INDEXED BY supervision_case_updated" : "",
                       StatesSql(rule), AnyOf(parts, "c.region_code", sqlite), extra);
  }
  return fmt::format(
      "SELECT {}, t.id AS step_task, t.element_id AS step, t.name AS step_name, "
      "CASE WHEN t.department <> '' THEN t.department ELSE c.department_code END "
      "AS step_department, t.created_at AS step_created, t.due_at AS step_due, "
      "COALESCE(t.assignee, '') AS step_person "
      // CROSS JOIN: SQLite keeps this order (the open tasks are few, the cases many).
      "FROM bpmn_task t CROSS JOIN case_review r CROSS JOIN case_record c "
      "WHERE r.instance_id = t.instance_id AND c.id = r.case_id "
      "AND t.state IN ('open', 'claimed') AND c.state IN ({}) AND {}",
      CaseColumns(b, k), StatesSql(rule), AnyOf(parts, "c.region_code", false));
}

std::string DedupeKey(const Rule& rule) {
  return rule.scope == RuleScope::kCase
             ? fmt::format("v.case_id || '||{}'", rule.name)
             : fmt::format("v.case_id || '|' || v.step_task || '|{}'", rule.name);
}

// Binds a compiled rule's parameters by name (:p1, :p2, …); `store` keeps them alive.
struct Bound {
  std::deque<long long> ints;
  std::deque<double> reals;
  std::deque<std::string> texts;
  std::deque<std::string> names;
};

void BindParams(soci::statement& st, const feel::SqlWhere& w, Bound& b) {
  for (size_t i = 0; i < w.params.size(); ++i) {
    const feel::SqlParam& p = w.params[i];
    const std::string& name = b.names.emplace_back(fmt::format("p{}", i + 1));
    switch (p.kind) {
      case feel::SqlParam::Kind::kInteger:
        st.exchange(soci::use(b.ints.emplace_back(p.integer), name));
        break;
      case feel::SqlParam::Kind::kReal:
        st.exchange(soci::use(b.reals.emplace_back(p.real), name));
        break;
      case feel::SqlParam::Kind::kText:
        st.exchange(soci::use(b.texts.emplace_back(p.text), name));
        break;
    }
  }
}

// The calling thread's CPU time: the statement log's figure that load on the machine does not
// inflate as it does wall time.
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_nsec) / 1e6;
}

// Runs `text` (with the rule's parameters and an optional :reason) and returns the affected
// rows, or the single count it selects.
long long Run(soci::session& sql, const std::string& text, const feel::SqlWhere& w,
              const std::string* reason, bool count) {
  soci::statement st(sql);
  Bound b;
  BindParams(st, w, b);
  std::string r = reason ? *reason : std::string();
  if (reason) st.exchange(soci::use(r, "reason"));
  long long n = 0;
  if (count) st.exchange(soci::into(n));
  const auto started = std::chrono::steady_clock::now();
  const double cpu_started = ThreadCpuMs();
  st.alloc();
  st.prepare(text);
  st.define_and_bind();
  st.execute(true);
  const long long out = count ? n : st.get_affected_rows();
  spdlog::debug("sweep statement: {} rows, {} ms, {:.0f} ms CPU: {}", out,
                std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - started)
                    .count(),
                ThreadCpuMs() - cpu_started, text.substr(0, 160));
  return out;
}

// How long before a statement starts the cases changed are judged again by the next run of the
// same statement: a case transaction that took its updated_at before the statement's snapshot
// but committed after it is still seen, as long as it took less than this.
constexpr int64_t kMarkMarginMs = 5 * 60 * 1000;

// The mark of a statement (see 0002_sweep_marks.sql): its text, its parameters and its reason.
std::string MarkKey(const std::string& text, const feel::SqlWhere& w, const std::string& reason) {
  std::string all = text;
  for (const feel::SqlParam& p : w.params) {
    all += fmt::format("|{}:{}:{}:{}", static_cast<int>(p.kind), p.integer, p.real, p.text);
  }
  return crypto::Sm3Hex(all + "|" + reason);
}

std::optional<int64_t> ReadMark(soci::session& sql, const std::string& query,
                                const std::string& key) {
  long long through = 0;
  sql << query, soci::use(key, "key"), soci::into(through);
  if (!sql.got_data()) return std::nullopt;
  return through;
}

void WriteMark(soci::session& sql, const std::string& query, const std::string& key,
               int64_t through, int64_t now) {
  long long t = through, n = now;
  std::string k = key;
  sql << query, soci::use(k, "key"), soci::use(t, "through"), soci::use(n, "updated_at");
}

// The earliest day X with at most `n` working days in (X, d]: a case due before X is more than
// n working days overdue on d.
Date RedDay(const Calendar& cal, Date d, int n) {
  Date x = d;
  while (cal.WorkingDaysBetween(x.AddDays(-1), d).days <= n) x = x.AddDays(-1);
  return x;
}

// Whether a case rule's verdict for an unchanged case can change from one day to the next only
// when its due day lies between the old and the new constants: every `today`, `warning day` and
// `red day` it names is compared directly with `due on` (`due on < today`, `red day >= due on`),
// as a whole operand of `and`/`or`/parentheses, and it reads neither the clock (`now`) nor the
// day counts (`days left`, `limit days`). Anything else (a constant compared with another day, in
// arithmetic, in `between`) is judged by a full pass, as before.
bool DayIncremental(const std::string& when) {
  for (const char* name : {"now", "days left", "limit days"}) {
    if (when.find(name) != std::string::npos) return false;
  }
  static const std::regex kAtom(
      R"((^|[(]|\band|\bor)\s*(due on\s*(<=|>=|!=|<|>|=)\s*(today|warning day|red day)|)"
      R"((today|warning day|red day)\s*(<=|>=|!=|<|>|=)\s*due on)\s*(?=$|[)]|and\b|or\b))");
  std::string rest = std::regex_replace(when, kAtom, "$1 _ ");
  for (const char* name : {"today", "warning day", "red day"}) {
    if (rest.find(name) != std::string::npos) return false;
  }
  return true;
}

// The constants a rule names, as the bounds of the due days whose verdict can differ between
// two sets of constants (nullopt: the rule names none, so no unchanged case can change).
std::optional<std::pair<Date, Date>> CrossedDays(const std::string& when, const Constants& a,
                                                 const Constants& b) {
  std::vector<Date> days;
  if (when.find("today") != std::string::npos) days.insert(days.end(), {a.today, b.today});
  if (when.find("warning day") != std::string::npos) {
    days.insert(days.end(), {a.warning_day, b.warning_day});
  }
  if (when.find("red day") != std::string::npos) days.insert(days.end(), {a.red_day, b.red_day});
  if (days.empty()) return std::nullopt;
  return std::make_pair(*std::min_element(days.begin(), days.end()),
                        *std::max_element(days.begin(), days.end()));
}

// A rule's mark (0003_rule_marks.sql): the constants of its last complete run and `through`.
struct RuleMark {
  Constants k;
  Date full_on;
  int64_t through = 0;
};

// A day-to-day pass only within a week of the rule's last full pass.
constexpr int kFullPassEveryDays = 7;

std::optional<RuleMark> ReadRuleMark(soci::session& sql, const std::string& query,
                                     const std::string& key) {
  std::string today, warning_day, red_day, full_on;
  long long through = 0;
  sql << query, soci::use(key, "key"), soci::into(today), soci::into(warning_day),
      soci::into(red_day), soci::into(full_on), soci::into(through);
  if (!sql.got_data()) return std::nullopt;
  Result<Date> t = Date::Parse(today), w = Date::Parse(warning_day), r = Date::Parse(red_day),
               f = Date::Parse(full_on);
  if (!t.ok() || !w.ok() || !r.ok() || !f.ok()) return std::nullopt;  // unreadable: a full pass
  RuleMark m;
  m.full_on = *f;
  m.k.today = *t;
  m.k.warning_day = *w;
  m.k.red_day = *r;
  m.through = through;
  return m;
}

void WriteRuleMark(soci::session& sql, const std::string& query, const std::string& key,
                   const RuleMark& m, int64_t now) {
  std::string rk = key, today = m.k.today.ToString(), warning_day = m.k.warning_day.ToString(),
              red_day = m.k.red_day.ToString(), full_on = m.full_on.ToString();
  long long t = m.through, n = now;
  sql << query, soci::use(rk, "key"), soci::use(today, "today"),
      soci::use(warning_day, "warning_day"), soci::use(red_day, "red_day"),
      soci::use(full_on, "full_on"), soci::use(t, "through"), soci::use(n, "updated_at");
}

// A step of the sweep on the session of its transaction; returns the cards it wrote.
using SweepStep = std::function<Result<int64_t>(soci::session&)>;

// How many cards a SQLite transaction of the sweep writes before it commits and the next steps
// start another: a day's cards (up to ~60,000 over 1,000,000 open cases) in one.
constexpr int64_t kCardsPerSqliteTransaction = 100000;

// Runs the steps in order. On PostgreSQL each step is its own transaction, as it always was
// (writers of other rows go on meanwhile; the card lock is taken per step). On SQLite, where
// writes are serial anyway, consecutive steps share one transaction until it has written
// kCardsPerSqliteTransaction cards: every page the day's cards dirty (the dedupe-key index is
// written all over) goes to the WAL once instead of once per rule, and one commit syncs it. A
// crash loses the steps of the open transaction, which the next sweep issues again (every card
// has its dedupe key); the write lock is held for that group of steps (about a second on the
// heaviest day over 1,000,000 cases), released between groups.
Status RunSteps(store::Database& db, store::TxKind kind, const std::vector<SweepStep>& steps) {
  const int64_t per_transaction =
      db.backend() == store::Backend::kSqlite ? kCardsPerSqliteTransaction : 0;
  size_t next = 0;
  while (next < steps.size()) {
    TB_RETURN_IF_ERROR(db.Transaction(kind, [&](soci::session& sql) -> Status {
      int64_t cards = 0;
      do {
        TB_ASSIGN_OR_RETURN(const int64_t n, steps[next](sql));
        cards += n;
        ++next;
      } while (next < steps.size() && cards < per_transaction);
      return Ok();
    }));
  }
  return Ok();
}

}  // namespace

IssuedCards DigestIssuedCards(soci::session& sql, const std::string& query, int64_t after_card,
                              int64_t last_card) {
  IssuedCards out;
  std::string rows, key, case_id, level, reason, department, person, issued_on;
  long long id = 0, issued_at = 0, after = after_card, last = last_card;
  store::ExecuteRows(
      sql, query,
      [&] {
        ++out.count;
        rows += fmt::format("{}|{}|{}|{}|{}|{}|{}|{}|{}\n", id, key, case_id, level, reason,
                            department, person, issued_on, issued_at);
      },
      soci::use(after, "after"), soci::use(last, "last"), soci::into(id), soci::into(key),
      soci::into(case_id), soci::into(level), soci::into(reason), soci::into(department),
      soci::into(person), soci::into(issued_on), soci::into(issued_at));
  out.digest = crypto::Sm3Hex(rows);
  return out;
}

Result<SweepResult> SupervisionService::Sweep(const SweepOptions& options) {
  Impl& I = *impl_;
  const auto started = std::chrono::steady_clock::now();
  if (!options.region.empty() && !people::IsRegionCode(options.region)) {
    return Error(ErrorCode::kInvalidArgument, "the sweep is invalid",
                 {{"region", "must be a region code"}});
  }
  SweepResult result;
  result.id = NewId(*I.clock);
  result.dry_run = options.dry_run;
  result.as_of = options.as_of ? *options.as_of : TodayInChina(*I.clock);
  Constants k;
  k.today = result.as_of;
  k.now_ms = I.NowMs();
  if (options.as_of && *options.as_of != TodayInChina(*I.clock)) {
    // Judged as of the end of that day.
    k.now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                   StartOfDayInChina(options.as_of->AddDays(1)).time_since_epoch())
                   .count() -
               1;
  }
  TB_ASSIGN_OR_RETURN(std::vector<RuleSet> all, I.AllRuleSets());

  std::vector<Partition> partitions;
  for (const RuleSet& s : all) {
    Partition p;
    p.region = s.region;
    if (!options.region.empty()) {
      if (people::RegionCovers(s.region, options.region)) {
        if (s.region != options.region) p.limit_to = options.region;
      } else if (!people::RegionCovers(options.region, s.region)) {
        continue;
      }
    }
    for (const RuleSet& other : all) {
      if (other.region != s.region && people::RegionCovers(s.region, other.region)) {
        p.excluded.push_back(other.region);
      }
    }
    p.rules = Impl::Effective(s.region, all);
    partitions.push_back(std::move(p));
  }
  partitions =
      SplitByCalendar(std::move(partitions),
                      I.calendar_regions ? I.calendar_regions() : std::vector<std::string>{});

  const store::Backend backend = I.db.backend();
  const feel::SqlDialect dialect = backend == store::Backend::kPostgresql
                                       ? feel::SqlDialect::kPostgresql
                                       : feel::SqlDialect::kSqlite;
  const std::vector<feel::SqlColumn> case_schema = CaseSchema(), step_schema = StepSchema();
  const std::string today_text = k.today.ToString();
  const int notified = 0;

  {
    std::string text = fmt::format(
        "SELECT COUNT(*) FROM case_record c WHERE c.state IN ({}){}", kOpenStates,
        options.region.empty() ? "" : " AND " + RangeFilter("c.region_code", options.region));
    TB_ASSIGN_OR_RETURN(
        result.open_cases,
        I.db.Transaction<int64_t>(store::TxKind::kRead, [&](soci::session& sql) -> Result<int64_t> {
          return Run(sql, text, {}, nullptr, true);
        }));
  }

  // One statement per distinct rule: partitions whose rule is the same (an inherited rule, with
  // the same values of the constants it names) share one pass over the cases.
  struct Job {
    Rule rule;
    Constants k;
    std::vector<const Partition*> parts;
  };
  struct Escalation {
    EscalationSettings settings;
    std::vector<const Partition*> parts;
  };
  std::vector<Job> jobs;
  std::vector<Escalation> escalations;
  for (const Partition& p : partitions) {
    const EffectiveRules& e = p.rules;
    const Calendar& calendar = I.CalendarOf(p.calendar_region);
    TB_ASSIGN_OR_RETURN(CalendarDate wd, calendar.AddWorkingDays(k.today, e.warning.working_days));
    Constants pk = k;
    pk.warning_day = wd.date;
    pk.red_day = RedDay(calendar, k.today, e.red_after_working_days);

    // Warnings first (built in, from the settings), then the region's rules.
    std::vector<Rule> rules;
    // With a percentage, also when at most that share of the limit is left (natural days of
    // the acceptance-to-due span: a percentage of working days would need the calendar per row).
    const int pct = e.warning.percent;
    rules.push_back(
        {.name = "warning",
         .scope = RuleScope::kCase,
         .level = Level::kWarning,
         .reason = pct > 0 ? fmt::format("距办结时限不足{}个工作日或剩余时限不足{}%",
                                         e.warning.working_days + 1, pct)
                           : fmt::format("距办结时限不足{}个工作日", e.warning.working_days + 1),
         .states = {"under_review"},
         .when = pct > 0 ? fmt::format("due on >= today and (due on <= warning day or "
                                       "(limit days > 0 and days left * 100 <= limit days * {}))",
                                       pct)
                         : "due on >= today and due on <= warning day"});
    for (const Rule& r : e.rules) rules.push_back(r);
    for (const Rule& rule : rules) {
      const bool uses_warning = rule.when.find("warning day") != std::string::npos;
      const bool uses_red = rule.when.find("red day") != std::string::npos;
      auto same = std::find_if(jobs.begin(), jobs.end(), [&](const Job& j) {
        return j.rule.name == rule.name && j.rule.when == rule.when && j.rule.scope == rule.scope &&
               j.rule.level == rule.level && j.rule.reason == rule.reason &&
               j.rule.states == rule.states &&
               (!uses_warning || j.k.warning_day == pk.warning_day) &&
               (!uses_red || j.k.red_day == pk.red_day);
      });
      if (same != jobs.end()) {
        same->parts.push_back(&p);
      } else {
        jobs.push_back({.rule = rule, .k = pk, .parts = {&p}});
      }
    }
    auto esc = std::find_if(escalations.begin(), escalations.end(), [&](const Escalation& x) {
      return x.settings.yellow_cards == e.escalation.yellow_cards &&
             x.settings.days == e.escalation.days;
    });
    if (esc != escalations.end()) {
      esc->parts.push_back(&p);
    } else {
      escalations.push_back({.settings = e.escalation, .parts = {&p}});
    }
  }

  // Issues a rule's new cards: one INSERT … SELECT over its view of the open cases.
  // Incremental: a case rule that does not read the clock (`now`) gives the same verdict for a
  // case that did not change, as long as its constants are the same: then only the cases written
  // since its last complete run are read. On a new day, a rule that compares its constants only
  // with `due on` can change its verdict for an unchanged case only when the case's due day lies
  // between the old and the new constants: that due-day range is read as well (DayIncremental).
  // Otherwise, and on the first run, a full pass.
  auto issue_cards = [&](soci::session& sql, const Job& job, const feel::SqlWhere& w,
                         const std::string& view, const std::string& key) -> int64_t {
    const Rule& rule = job.rule;
    const bool step = rule.scope == RuleScope::kStep;
    const std::string text = fmt::format(
        "INSERT INTO supervision_card (dedupe_key, case_id, case_number, step, step_name, "
        "trigger_name, level, reason, region_code, department_code, person, issued_on, "
        "issued_at, state, notified, answer, answered_by, answered_at, handed_over_by, "
        "handed_over_at) "
        "SELECT {0}, v.case_id, v.case_number, {1}, {2}, '{3}', '{4}', CAST(:reason AS TEXT), "
        "v.region, {5}, {6}, '{7}', {8}, 'open', {9}, '', '', 0, '', 0 "
        "FROM ({10}) v WHERE {11} AND NOT EXISTS (SELECT 1 FROM supervision_card x WHERE "
        "x.dedupe_key = {0}) ON CONFLICT (dedupe_key) DO NOTHING",
        key, step ? "v.step_task" : "''", step ? "v.step_name" : "''", rule.name,
        LevelName(rule.level), step ? "v.step_department" : "v.department",
        step ? "CASE WHEN v.step_person <> '' THEN v.step_person ELSE v.person END" : "v.person",
        today_text, k.now_ms, notified, view, w.sql);
    const bool incremental = !step && rule.when.find("now") == std::string::npos;
    store::Execute(sql, I.Q("lock_card_writers"));
    if (!incremental) return Run(sql, text, w, &rule.reason, false);
    const bool day_incremental = DayIncremental(rule.when);
    Constants k0;  // the rule's text without the day's constants
    const std::string mark_key =
        MarkKey(fmt::format("{}|{}", View(backend, k0, rule, job.parts), key), w, rule.reason);
    const int64_t started_ms = I.NowMs();
    const std::optional<RuleMark> mark = ReadRuleMark(sql, I.Q("select_rule_mark"), mark_key);
    const bool same_day = mark && mark->k.today == job.k.today &&
                          mark->k.warning_day == job.k.warning_day &&
                          mark->k.red_day == job.k.red_day;
    auto narrowed = [&](const Narrow& n) {
      std::string t = text;
      t.replace(t.find(view), view.size(), View(backend, job.k, rule, job.parts, n));
      return t;
    };
    const bool day_pass = mark && !same_day && day_incremental &&
                          mark->full_on > job.k.today.AddDays(-kFullPassEveryDays) &&
                          mark->full_on <= job.k.today;
    RuleMark next{.k = job.k, .full_on = job.k.today, .through = started_ms - kMarkMarginMs};
    long long n = 0;
    if (same_day || day_pass) {
      next.full_on = mark->full_on;
      n = Run(sql, narrowed({.since_ms = mark->through, .due = std::nullopt}), w, &rule.reason,
              false);
      if (!same_day) {
        if (auto days = CrossedDays(rule.when, mark->k, job.k)) {
          n += Run(sql, narrowed({.since_ms = std::nullopt, .due = days}), w, &rule.reason, false);
        }
        ++result.day_incremental;
      } else {
        ++result.incremental;
      }
    } else {
      n = Run(sql, text, w, &rule.reason, false);
    }
    WriteRuleMark(sql, I.Q("upsert_rule_mark"), mark_key, next, started_ms);
    return n;
  };

  // The sweep's work as steps, run in order by RunSteps (one transaction each on PostgreSQL,
  // grouped on SQLite); each returns the cards it wrote.
  std::vector<SweepStep> steps;
  struct Compiled {
    feel::SqlWhere w;
    std::string view, key;
    TriggerCount tc;
  };
  std::vector<Compiled> compiled;
  compiled.reserve(jobs.size());
  for (const Job& job : jobs) {
    const Rule& rule = job.rule;
    TB_ASSIGN_OR_RETURN(
        feel::SqlWhere w,
        feel::CompileToSql(rule.when, rule.scope == RuleScope::kStep ? step_schema : case_schema,
                           dialect));
    compiled.push_back({.w = std::move(w),
                        .view = View(backend, job.k, rule, job.parts),
                        .key = DedupeKey(rule),
                        .tc = {.trigger = rule.name, .level = rule.level}});
    steps.emplace_back([&, &c = compiled.back()](soci::session& sql) -> Result<int64_t> {
      const feel::SqlWhere& w = c.w;
      const std::string& view = c.view;
      const std::string& key = c.key;
      TriggerCount& tc = c.tc;
      if (options.dry_run || options.count_matched) {
        tc.matched = Run(sql, fmt::format("SELECT COUNT(*) FROM ({}) v WHERE {}", view, w.sql), w,
                         nullptr, true);
      }
      if (options.dry_run) {
        const std::string text = fmt::format(
            "SELECT COUNT(*) FROM ({}) v WHERE {} AND NOT EXISTS (SELECT 1 FROM "
            "supervision_card k WHERE k.dedupe_key = {})",
            view, w.sql, key);
        tc.issued = Run(sql, text, w, nullptr, true);
      } else if (tc.matched > 0 || !options.count_matched) {
        tc.issued = issue_cards(sql, job, c.w, view, key);
      }
      (rule.level == Level::kWarning  ? result.warnings
       : rule.level == Level::kYellow ? result.yellow
                                      : result.red) += tc.issued;
      auto same = std::find_if(result.triggers.begin(), result.triggers.end(),
                               [&](const TriggerCount& t) { return t.trigger == tc.trigger; });
      if (same != result.triggers.end()) {
        same->matched += tc.matched;
        same->issued += tc.issued;
      } else {
        result.triggers.push_back(tc);
      }
      return options.dry_run ? 0 : tc.issued;
    });
  }
  // Repeated yellow cards: one red card per department (and per person) and month.
  for (const Escalation& esc : escalations) {
    steps.emplace_back([&](soci::session& sql) -> Result<int64_t> {
      const EscalationSettings& e = esc.settings;
      const Date since = k.today.AddDays(-e.days);
      const std::string month = today_text.substr(0, 7);
      // Within a month, a group (department or person) can only newly reach the count with a
      // yellow card issued since escalation last ran, on this day or an earlier one: cards are
      // never deleted, and the window's shift to a later day drops cards, never adds any. So
      // the mark (per month, settings and regions) is the last card id when it last ran, with
      // the day it ran as of; when no yellow card since then belongs to a group still without
      // this month's red card, the window is not grouped at all (most days of a month, once the
      // busy groups have their card). A new month, other settings or an earlier as-of day (a
      // window that may hold cards the marked one did not) group the window as before.
      const std::string regions =
          AnyOf(esc.parts, "k.region_code", backend == store::Backend::kSqlite);
      const std::string mark_key = crypto::Sm3Hex(
          fmt::format("repeated_yellow|{}|{}|{}|{}", month, e.yellow_cards, e.days, regions));
      const std::string day_key = mark_key + "|day";
      const int64_t day_number = k.today.days();
      auto last_card = [&] {
        long long last = 0;
        store::Execute(sql, I.Q("select_last_card"), soci::into(last));
        return static_cast<int64_t>(last);
      };
      if (!options.dry_run) {
        // Card writers hold the same lock: no card is committed between this read and the mark.
        store::Execute(sql, I.Q("lock_card_writers"));
        const int64_t last = last_card();
        const std::optional<int64_t> mark = ReadMark(sql, I.Q("select_sweep_mark"), mark_key);
        const std::optional<int64_t> marked_day = ReadMark(sql, I.Q("select_sweep_mark"), day_key);
        if (mark && marked_day && *marked_day <= day_number) {
          if (*mark == last) return 0;  // nothing issued since: nothing to escalate
          int candidates = 0;
          sql << fmt::format(
              "SELECT CASE WHEN EXISTS (SELECT 1 FROM supervision_card k WHERE k.id > {0} "
              "AND k.level = 'yellow' AND {1} AND (NOT EXISTS (SELECT 1 FROM "
              "supervision_card x WHERE x.dedupe_key = 'repeated_yellow|department_code|' "
              "|| k.department_code || '|{2}') OR (k.person <> '' AND NOT EXISTS (SELECT 1 "
              "FROM supervision_card x WHERE x.dedupe_key = 'repeated_yellow|person|' || "
              "k.person || '|{2}')))) THEN 1 ELSE 0 END",
              *mark, regions, month),
              soci::into(candidates);
          if (candidates == 0) {
            WriteMark(sql, I.Q("upsert_sweep_mark"), mark_key, last, I.NowMs());
            WriteMark(sql, I.Q("upsert_sweep_mark"), day_key, day_number, I.NowMs());
            return 0;
          }
        }
      }
      // One pass over the window's yellow cards, grouped by department and person (`y`, a few
      // thousand rows), then both escalations from it: a department's and a person's red card.
      const std::string with = fmt::format(
          "WITH y AS (SELECT k.department_code AS department_code, k.person AS person, "
          "MIN(k.region_code) AS region_code, COUNT(*) AS n FROM supervision_card k "
          "WHERE k.level = 'yellow' AND k.issued_on > '{0}' AND k.issued_on <= '{1}' AND {2} "
          "GROUP BY k.department_code, k.person), "
          "e AS (SELECT 'repeated_yellow|department_code|' || department_code || '|{3}' "
          "AS dedupe_key, '{4}黄牌 ' || CAST(SUM(n) AS TEXT) || ' 张，升级为红牌' AS reason, "
          "MIN(region_code) AS region_code, department_code, '' AS person FROM y "
          "GROUP BY department_code HAVING SUM(n) >= {5} "
          "UNION ALL SELECT 'repeated_yellow|person|' || person || '|{3}', "
          "'{4}黄牌 ' || CAST(SUM(n) AS TEXT) || ' 张，升级为红牌', MIN(region_code), "
          "MIN(department_code), person FROM y WHERE person <> '' "
          "GROUP BY person HAVING SUM(n) >= {5}) ",
          since.ToString(), today_text,
          AnyOf(esc.parts, "k.region_code", backend == store::Backend::kSqlite), month,
          fmt::format("{}日内", e.days), e.yellow_cards);
      int64_t n = 0;
      if (options.dry_run) {
        n = Run(sql,
                with +
                    "SELECT COUNT(*) FROM e WHERE NOT EXISTS (SELECT 1 FROM "
                    "supervision_card x WHERE x.dedupe_key = e.dedupe_key)",
                {}, nullptr, true);
      } else {
        const std::string text = fmt::format(
            "{}INSERT INTO supervision_card (dedupe_key, case_id, case_number, step, step_name, "
            "trigger_name, level, reason, region_code, department_code, person, issued_on, "
            "issued_at, state, notified, answer, answered_by, answered_at, handed_over_by, "
            "handed_over_at) "
            "SELECT e.dedupe_key, '', '', '', '', 'repeated_yellow', 'red', e.reason, "
            "e.region_code, e.department_code, e.person, '{}', {}, 'open', 0, '', '', 0, '', 0 "
            "FROM e WHERE 1 = 1 ON CONFLICT (dedupe_key) DO NOTHING",
            with, today_text, k.now_ms);
        n = Run(sql, text, {}, nullptr, false);
        // The mark is the last card after this statement's own red cards, which change no
        // yellow count: a re-sweep after an escalation does not group the window again.
        WriteMark(sql, I.Q("upsert_sweep_mark"), mark_key, last_card(), I.NowMs());
        WriteMark(sql, I.Q("upsert_sweep_mark"), day_key, day_number, I.NowMs());
      }
      result.escalated += n;
      result.red += n;
      return options.dry_run ? 0 : n;
    });
  }

  if (!options.dry_run) {
    steps.emplace_back([&](soci::session& sql) -> Result<int64_t> {
      long long last = 0;
      // Card writers hold the same lock (lock_card_writers), so every card up to the last id
      // is committed and none is skipped by the mark.
      store::Execute(sql, I.Q("lock_card_writers"));
      const int64_t from = ReadMark(sql, I.Q("select_sweep_mark"), "notices").value_or(0);
      store::Execute(sql, I.Q("select_last_card"), soci::into(last));
      if (last <= from) return 0;
      const double cpu_started = ThreadCpuMs();
      // Routed by the card's subject (notices.h): cases' and projects' cards alike.
      const RoutedNotices routed = RouteCardNotices(sql, I.queries, I.db.backend(), k.now_ms, from);
      result.notices = routed.case_notices + routed.subject_notices;
      WriteMark(sql, I.Q("upsert_sweep_mark"), "notices", last, k.now_ms);
      // One trace event records every card issued since the last (ids from+1 … last) and the
      // SM3 of their rows as issued, instead of an event per card.
      const IssuedCards issued = DigestIssuedCards(sql, I.Q("select_issued_cards"), from, last);
      TB_ASSIGN_OR_RETURN(trace::Record record,
                          I.trace.Append(sql, {.stream = "supervision_cards/issued",
                                               .actor = "system",
                                               .action = "supervision.cards_issued",
                                               .payload = nlohmann::json{{"sweep", result.id},
                                                                         {"as_of", today_text},
                                                                         {"after_card", from},
                                                                         {"last_card", last},
                                                                         {"cards", issued.count},
                                                                         {"digest", issued.digest}}
                                                              .dump()}));
      (void)record;
      spdlog::debug("sweep notices and trace: {} notices, {} cards digested, {:.0f} ms CPU",
                    result.notices, issued.count, ThreadCpuMs() - cpu_started);
      return 0;
    });
    steps.emplace_back([&](soci::session& sql) -> Result<int64_t> {
      long long started_at = k.now_ms, finished_at = I.NowMs(), open = result.open_cases,
                warnings = result.warnings, yellow = result.yellow, red = result.red,
                issued = result.warnings + result.yellow + result.red;
      const std::string as_of = result.as_of.ToString();
      store::Execute(sql, I.Q("insert_sweep"), soci::use(result.id, "id"),
                     soci::use(as_of, "as_of"), soci::use(options.region, "region"),
                     soci::use(started_at, "started_at"), soci::use(finished_at, "finished_at"),
                     soci::use(open, "open_cases"), soci::use(warnings, "warnings"),
                     soci::use(yellow, "yellow"), soci::use(red, "red"),
                     soci::use(issued, "issued"));
      // Marks of other days' statements are never read again.
      long long before = finished_at - 2LL * 24 * 3600 * 1000;
      store::Execute(sql, I.Q("delete_old_sweep_marks"), soci::use(before, "before"));
      // A rule mark older than this gives a due-day range longer than a full pass is worth.
      long long stale = finished_at - 40LL * 24 * 3600 * 1000;
      store::Execute(sql, I.Q("delete_old_rule_marks"), soci::use(stale, "before"));
      return 0;
    });
  }
  TB_RETURN_IF_ERROR(
      RunSteps(I.db, options.dry_run ? store::TxKind::kRead : store::TxKind::kWrite, steps));
  result.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
  return result;
}

}  // namespace tongban::supervision
