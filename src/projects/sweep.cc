// The supervision feed: warnings and cards of projects, stages, matters and escalations.
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "projects/service_impl.h"

namespace tongban::projects {

Result<SweepReport> ProjectService::Sweep() {
  SweepReport report;
  const Date today = Today();
  const std::string today_text = today.ToString();
  const int64_t now = NowMs();
  std::vector<std::string> ids;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string id;
    store::ExecuteRows(
        sql, Q("active_projects"), [&] { ids.push_back(id); }, soci::into(id));
    return Ok();
  }));
  for (const std::string& id : ids) {
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      // Supervision queues notices up to the last card id under the same lock: a card of this
      // transaction is never passed over.
      store::Execute(sql, Q("lock_card_writers"));
      Tx tx(*this, sql);
      TB_ASSIGN_OR_RETURN(ProjectRecord r, tx.Load(id, false));
      FillClocks(r);
      const std::string subject = "project:" + r.project.id;
      const std::string centre = r.project.region + "-zwzx";
      // Whom the project's warnings and cards reach (account, role): its service commissioner
      // and the owner enterprise's agents, each once.
      std::vector<std::pair<std::string, std::string>> recipients;
      if (!r.project.commissioner.empty()) {
        recipients.emplace_back(r.project.commissioner, "commissioner");
      }
      for (const std::string& agent : tx.EnterpriseAgents(r.project.uscc, now)) {
        if (agent != r.project.commissioner) recipients.emplace_back(agent, "agent");
      }
      auto card = [&](const std::string& step, const std::string& step_name,
                      const std::string& trigger, const std::string& level,
                      const std::string& reason, const std::string& department,
                      const std::string& person) {
        const std::string key = fmt::format("{}|{}|{}", subject, step, trigger);
        const store::Executed e =
            store::Execute(sql, Q("insert_card"), soci::use(key, "dedupe_key"),
                           soci::use(subject, "case_id"), soci::use(r.project.code, "case_number"),
                           soci::use(step, "step"), soci::use(step_name, "step_name"),
                           soci::use(trigger, "trigger_name"), soci::use(level, "level"),
                           soci::use(reason, "reason"), soci::use(r.project.region, "region_code"),
                           soci::use(department, "department_code"), soci::use(person, "person"),
                           soci::use(today_text, "issued_on"), soci::use(now, "issued_at"));
        if (e.affected_rows == 0) return;
        for (const auto& [account, role] : recipients) {
          store::Execute(sql, Q("insert_card_recipient"), soci::use(key, "dedupe_key"),
                         soci::use(account, "account_id"), soci::use(role, "role"));
        }
        if (level == "warning") ++report.warnings;
        if (level == "yellow") ++report.yellow_cards;
        if (level == "red") ++report.red_cards;
      };
      const ProjectClock& c = r.clock;
      if (c.status == "warning") {
        card("", "", "project_budget_warning", "warning",
             fmt::format("项目审批剩余 {} 个工作日（预算 {}）", c.remaining_days, c.budget_days),
             centre, r.project.commissioner);
      } else if (c.status == "over_budget") {
        card("", "", "project_budget_exceeded", "yellow",
             fmt::format("项目审批用时 {} 个工作日，超过预算 {}", c.used_days, c.budget_days),
             centre, r.project.commissioner);
        if (-c.remaining_days > kRedAfterDays) {
          card("", "", "project_budget_red", "red",
               fmt::format("项目审批超过预算 {} 个工作日", -c.remaining_days), centre,
               r.project.commissioner);
        }
      }
      for (size_t i = 0; i < r.stages.size(); ++i) {
        const Stage& st = r.stages[i];
        const ProjectClock& sc = r.stage_clocks[i];
        const std::string step = fmt::format("stage:{}", st.seq);
        if (sc.status == "warning") {
          card(step, st.title, "stage_share_warning", "warning",
               fmt::format("{}剩余 {} 个工作日", st.title, sc.remaining_days), centre,
               r.project.commissioner);
        } else if (sc.status == "over_budget") {
          card(step, st.title, "stage_share_exceeded", "yellow",
               fmt::format("{}用时 {} 个工作日，超过 {}", st.title, sc.used_days, sc.budget_days),
               centre, r.project.commissioner);
        }
      }
      for (const ProjectMatter& m : r.matters) {
        if (m.state != MatterState::kUnderReview) continue;
        auto started = Date::Parse(m.started_on);
        if (!started.ok()) continue;
        const int64_t used = calendar_->WorkingDaysBetween(*started, today).days;
        if (used > m.limit_days) {
          card("matter:" + m.code, m.title, "matter_limit_exceeded", "yellow",
               fmt::format("{}审查用时 {} 个工作日，超过 {}", m.title, used, m.limit_days),
               m.department, "");
        }
      }
      for (const Escalation& e : r.escalations) {
        for (const EscalationPart& p : e.parts) {
          if (p.done_on.empty() && p.due_on < today_text) {
            card(fmt::format("escalation:{}:{}", e.id, p.department), p.task, "escalation_overdue",
                 "yellow", fmt::format("吹哨报到任务逾期（应于 {} 前完成）：{}", p.due_on, p.task),
                 p.department, "");
          }
        }
      }
      return Ok();
    }));
  }
  return report;
}

}  // namespace tongban::projects
