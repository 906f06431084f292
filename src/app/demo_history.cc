#include "app/demo_history.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "app/demo.h"
#include "base/id.h"
#include "base/id_number.h"

namespace tongban::app {
namespace {

constexpr int kDays = 180;  // the history's span, ending yesterday
constexpr int kCasesPerLocality = 120;
constexpr int64_t kDayMs = 24LL * 3600 * 1000;

std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

int64_t Ms(Timestamp t) {
  return std::chrono::floor<std::chrono::milliseconds>(t).time_since_epoch().count();
}

struct Pick {
  std::string code, version, scenario, region, department;
  catalog::TimeLimit promised;
};

// The natural days a decision takes: within the promised limit (on time: natural days never
// hold more working days than they are long) or well past it (late).
int DaysTaken(const catalog::TimeLimit& limit, bool late, std::mt19937_64& rng) {
  if (limit.unit == catalog::LimitUnit::kHours || limit.value <= 0) return late ? 3 : 0;
  const int within = static_cast<int>(rng() % static_cast<uint64_t>(limit.value + 1));
  return late ? limit.value * 7 / 5 + 5 + static_cast<int>(rng() % 6) : within;
}

// The due day the case clock gives a history case of `m` under review since `accepted_on`.
Result<Date> HistoryDueDay(cases::CaseService& cases, const Pick& m, Date accepted_on) {
  return cases.DueDay(
      {.matter_version = m.version, .region = m.region, .accepted_on = accepted_on});
}

}  // namespace

Result<DemoHistory> LoadDemoHistory(store::Database& db, catalog::CatalogService& catalog,
                                    cases::CaseService& cases, kpi::KpiService& kpi,
                                    evaluation::EvaluationService& evaluation, const Clock& clock) {
  const auto started = std::chrono::steady_clock::now();
  DemoHistory out;
  TB_ASSIGN_OR_RETURN(
      int64_t existing,
      db.Transaction<int64_t>(store::TxKind::kRead, [](soci::session& sql) -> Result<int64_t> {
        long long n = 0;
        const std::string who = kDemoHistorySubmitter;
        sql << "SELECT COUNT(*) FROM case_record WHERE submitted_by = :who", soci::use(who, "who"),
            soci::into(n);
        return n;
      }));
  if (existing > 0) {
    out.already_there = true;
    return out;
  }
  const Date today = DateInChina(clock.Now());
  std::mt19937_64 rng(20261126);
  IdGenerator ids(20261126);
  std::vector<std::string> cases_sql, ratings_sql, rectifications_sql;
  for (const std::string& locality : DemoLocalities()) {
    std::vector<Pick> picks;
    catalog::PageRequest page{.limit = 100, .cursor = ""};
    do {
      TB_ASSIGN_OR_RETURN(catalog::MatterPage p, catalog.ListMatters({.region = locality}, page));
      for (const catalog::MatterSummary& s : p.items) {
        TB_ASSIGN_OR_RETURN(catalog::Matter m, catalog.GetMatter(s.code));
        if (m.item.scenarios.empty()) continue;
        picks.push_back({.code = m.item.code,
                         .version = m.version.id,
                         .scenario = m.item.scenarios.front().code,
                         .region = m.item.region,
                         .department = m.item.department,
                         .promised = m.item.promised_limit.value_or(
                             m.item.legal_limit.value_or(catalog::TimeLimit{}))});
      }
      page.cursor = p.next_cursor;
    } while (!page.cursor.empty());
    if (picks.empty()) continue;
    for (int i = 0; i < kCasesPerLocality; ++i) {
      const Pick& m = picks[rng() % picks.size()];
      // Received on a day of the span, at 09:00-16:59 China time.
      Date received = today.AddDays(-kDays + static_cast<int>(rng() % kDays));
      const int64_t time_of_day = (9 + static_cast<int64_t>(rng() % 8)) * 3600 * 1000 +
                                  static_cast<int64_t>(rng() % 3600) * 1000;
      // 1 in 20 applicants registered in another province (跨省通办).
      const std::string body = fmt::format(
          "{}{:04d}{:02d}{:02d}{:03d}", rng() % 20 == 0 ? "440305" : m.region.substr(0, 6),
          1950 + rng() % 55, 1 + rng() % 12, 1 + rng() % 28, rng() % 1000);
      const std::string applicant = body + IdNumberCheckCharacter(body);
      // Channels: online 55 %, mobile 10 %, window 30 % (three windows), assisted 5 %.
      const int c = static_cast<int>(rng() % 100);
      const std::string channel = c < 55   ? "online"
                                  : c < 65 ? "mobile"
                                  : c < 95 ? "window"
                                           : "assisted";
      const std::string window =
          channel == "window" || channel == "assisted"
              ? fmt::format("{}-W{:02d}", locality, 1 + static_cast<int>(rng() % 3))
              : "";
      // States: concluded 88 % (1 in 10 of them late), refused 4 %, withdrawn 6 %, still under
      // review past the due day 2 %.
      const int s = static_cast<int>(rng() % 100);
      const std::string state = s < 88   ? "concluded"
                                : s < 92 ? "refused"
                                : s < 98 ? "withdrawn"
                                         : "under_review";
      const bool late = state == "concluded" && rng() % 10 == 0;
      const bool accepted = state != "refused";
      const int taken = DaysTaken(m.promised, late, rng);
      Date decided = received.AddDays(taken);
      if (decided >= today) decided = today.AddDays(-1);
      std::string due;
      if (state == "under_review") {
        // Past its due day by 1-12 days: received (and accepted) early enough for that. The due
        // day is the one its clock gives (the case service's), so that a calendar change
        // recomputing it leaves it where it is.
        const Date target = today.AddDays(-1 - static_cast<int>(rng() % 12));
        TB_ASSIGN_OR_RETURN(Date due_day, HistoryDueDay(cases, m, received));
        received = received.AddDays(static_cast<int>(target.days() - due_day.days()));
        TB_ASSIGN_OR_RETURN(due_day, HistoryDueDay(cases, m, received));
        while (due_day > target) {  // a working-day limit ends on a working day only
          received = received.AddDays(-1);
          TB_ASSIGN_OR_RETURN(due_day, HistoryDueDay(cases, m, received));
        }
        due = due_day.ToString();
      }
      const int64_t received_at = Ms(StartOfDayInChina(received)) + time_of_day;
      FakeClock at{Timestamp(std::chrono::milliseconds(received_at))};
      const std::string id = ids.Next(at).ToString();
      std::string compact = received.ToString();
      compact.erase(std::remove(compact.begin(), compact.end(), '-'), compact.end());
      const std::string number =
          fmt::format("{}-{}-{:06d}", m.region.substr(0, 6), compact, 700000 + i);
      const int64_t updated_at = state == "concluded"
                                     ? Ms(StartOfDayInChina(decided)) + 15 * 3600000
                                 : state == "under_review" ? received_at
                                                           : received_at + 3600000;
      cases_sql.push_back(fmt::format(
          "({},{},{},{},{},{},{},'person',{},'申请人{:03d}','',{},{},'','{{}}',{},1,{},{},{},{},'',"
          "'','','',0,0,'',{},{},{},{},{})",
          Quote(id), Quote(number), Quote(m.code), Quote(m.version), Quote(m.scenario),
          Quote(m.region), Quote(m.department), Quote(applicant), i, Quote(kDemoHistorySubmitter),
          Quote(channel), Quote(state), Quote(received.ToString()), received_at,
          Quote(accepted ? received.ToString() : ""), Quote(accepted ? "demo-history-clerk" : ""),
          Quote(state == "concluded" ? "demo-history-approver" : ""),
          Quote(state == "refused" ? "材料不齐全，不予受理" : ""), updated_at, Quote(due),
          Quote(window)));
      ++out.cases;
      // Four in five concluded cases rated online the day after: 1 in 40 bad, each bad rating
      // with its rectification item, rectified and rated by the applicant.
      if (state != "concluded" || rng() % 5 == 0) continue;
      const int l = static_cast<int>(rng() % 40);
      const int r = static_cast<int>(rng() % 100);
      const std::string level = l == 0   ? (r < 50 ? "dissatisfied" : "very_dissatisfied")
                                : r < 85 ? "very_satisfied"
                                : r < 97 ? "satisfied"
                                         : "basically_satisfied";
      const int64_t rated_at = updated_at + kDayMs;
      if (rated_at + 2 * kDayMs > Ms(clock.Now())) continue;  // nothing in the future
      FakeClock rated_clock{Timestamp(std::chrono::milliseconds(rated_at))};
      const std::string evaluation_id = ids.Next(rated_clock).ToString();
      ratings_sql.push_back(fmt::format("({},'online',{},'',{},{},{},{},{},'','','',{},1,{},0)",
                                        Quote(evaluation_id), Quote(number), Quote(m.region),
                                        Quote(m.department), Quote(m.code), Quote(window),
                                        Quote(level), Quote(applicant), rated_at));
      ++out.ratings;
      if (l != 0) continue;
      // All rectified and rated (today's demo ratings hold the open and appealed items).
      rectifications_sql.push_back(fmt::format(
          "({},{},{},'',{},{},{},{},{},1,'',{},{},{},{},{},{},{},{},{},{},'','','',{},{})",
          Quote(ids.Next(rated_clock).ToString()), Quote(evaluation_id), Quote(number),
          Quote(m.region), Quote(m.department), Quote(m.code), Quote(window), Quote(level),
          Quote(applicant), Quote("rectified"), rated_at,
          Quote(
              DateInChina(Timestamp(std::chrono::milliseconds(rated_at + 5 * kDayMs))).ToString()),
          rated_at + kDayMs, Quote("confirmed"), Quote("已回访核实"), Quote("已整改：补充窗口指引"),
          Quote("demo-history-head"), rated_at + 2 * kDayMs, Quote("satisfied"),
          rated_at + 2 * kDayMs));
      ++out.rectifications;
    }
  }
  auto insert = [](soci::session& sql, const std::string& head,
                   const std::vector<std::string>& rows) {
    for (size_t i = 0; i < rows.size(); i += 200) {
      std::string text = head;
      for (size_t j = i; j < std::min(rows.size(), i + 200); ++j) {
        text += (j == i ? "" : ",") + rows[j];
      }
      sql << text;
    }
  };
  TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    insert(sql,
           "INSERT INTO case_record (id, number, matter_code, matter_version, scenario, "
           "region_code, department_code, applicant_kind, applicant_code, applicant_name, "
           "agent_account, submitted_by, channel, clerk_account, form, state, version, "
           "received_on, received_at, accepted_on, accepted_by, correction_on, "
           "correction_items, suspension_reason, suspended_since, suspended_days, "
           "extension_days, extended_by, decided_by, decision_reasons, updated_at, due_on, "
           "window_code) VALUES ",
           cases_sql);
    insert(sql,
           "INSERT INTO evaluation (id, source, case_number, visit_id, region_code, "
           "department_code, matter_code, window_code, level, tags, text, rater_account, "
           "rater_code, named, created_at, voided) VALUES ",
           ratings_sql);
    insert(sql,
           "INSERT INTO rectification (id, evaluation_id, case_number, visit_id, region_code, "
           "department_code, matter_code, window_code, level, named, rater_account, rater_code, "
           "state, opened_at, due_on, callback_at, callback_outcome, callback_note, action_note, "
           "acted_by, acted_at, review_decision, review_note, reviewed_by, applicant_level, "
           "updated_at) VALUES ",
           rectifications_sql);
    return Ok();
  }));
  // The KPI aggregates recomputed from the cases, the history's included.
  TB_ASSIGN_OR_RETURN(int64_t rebuilt, kpi.Rebuild());
  TB_ASSIGN_OR_RETURN(int64_t rated, evaluation.RebuildStatistics());
  (void)rebuilt;
  (void)rated;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace tongban::app
