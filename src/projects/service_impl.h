// Internals of the project service shared by its files (service.cc, clock.cc, flow_table.cc,
// stages.cc, review.cc, escalation.cc, sweep.cc, statistics.cc): the helpers and the
// transaction's reads and writes. Not for other modules.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "people/model.h"
#include "projects/service.h"
#include "store/row.h"

namespace tongban::projects {

inline constexpr int kPreReviewedLimitDays = 1;  // a pre-reviewed matter's formal review
inline constexpr int kWarningDays = 3;   // warn when at most this many working days are left
inline constexpr int kRedAfterDays = 5;  // red card when a project is this much over budget
inline constexpr size_t kMaxText = 2000;

Error Refused(std::string message, std::vector<FieldError> fields);

Error Conflict(std::string field, std::string message);

Error Invalid(std::string field, std::string message);

std::string FullDepartment(std::string_view region, std::string_view department);

// "430603" → "430603%", "430600" → "4306%", "430000" → "43%", "" → "%".
std::string RegionPrefix(std::string_view region);

nlohmann::json MaterialsJson(const std::vector<MaterialEntry>& list);

std::vector<MaterialEntry> MaterialsFrom(const std::string& text);

nlohmann::json FlowJson(const std::vector<FlowRow>& rows);

std::vector<FlowRow> FlowFrom(const std::string& text);

// The flow table of the project's current matters (removed and exempted ones left out).
std::vector<FlowRow> FlowOf(const ProjectRecord& r);

ProjectMatter* FindMatter(ProjectRecord& r, std::string_view code);

Result<ProjectMatter*> MatterOf(ProjectRecord& r, std::string_view code);

int ScaleDays(int days, int budget, int template_budget);

// Review work (pre-review, decisions, batch review) belongs to the matter's competent
// department: project.review over the region for that department, and staff attached to
// another department are refused whatever their grant's scope.
Status ReviewAllowed(const people::Principal& by, const std::string& region,
                     const std::string& department, int64_t now);

bool StageDone(const ProjectRecord& r, int seq);

// Who decides a matter: this service (its gap rule applies, the document is
// "<project code>/<matter>"), or the matter's case (the case's material rules applied; the
// document is the case's number).
enum class DecidedBy { kProject, kCase };

// Decides one matter under review in memory; the stage and the project conclude with their
// last result. `batch` is the batch review's id ("" for a single decision).
Status DecideIn(ProjectRecord& r, ProjectMatter& m, bool approve, Date today,
                const std::string& batch, DecidedBy by = DecidedBy::kProject);

// One transaction's reads and writes.
class ProjectService::Tx {
 public:
  Tx(const ProjectService& s, soci::session& sql) : s_(s), sql_(sql) {}

  Result<ProjectRecord> Load(std::string_view id_view, bool lock) {
    const std::string id(id_view);
    if (lock) {
      std::string locked;
      store::Execute(sql_, s_.Q("lock_project"), soci::use(id, "id"), soci::into(locked));
    }
    ProjectRecord r;
    bool found = false;
    {
      soci::rowset<soci::row> rows = (sql_.prepare << s_.Q("project_columns"), soci::use(id, "id"));
      for (const soci::row& row : rows) {
        r.project = ProjectFromRow(row);
        found = true;
      }
    }
    if (!found) {
      return Error(ErrorCode::kNotFound, fmt::format("no project {}", id), {{"id", "not found"}});
    }
    {
      soci::rowset<soci::row> rows =
          (sql_.prepare << s_.Q("stages_of_project"), soci::use(id, "project_id"));
      for (const soci::row& row : rows) {
        Stage st;
        st.seq = static_cast<int>(store::RowInt(row, 0));
        st.key = store::RowStr(row, 1);
        st.title = store::RowStr(row, 2);
        st.share_days = static_cast<int>(store::RowInt(row, 3));
        st.state = ParseStageState(store::RowStr(row, 4)).value_or(StageState::kPending);
        st.started_on = store::RowStr(row, 5);
        st.concluded_on = store::RowStr(row, 6);
        r.stages.push_back(std::move(st));
      }
    }
    {
      soci::rowset<soci::row> rows =
          (sql_.prepare << s_.Q("matters_of_project"), soci::use(id, "project_id"));
      for (const soci::row& row : rows) {
        ProjectMatter m;
        m.code = store::RowStr(row, 0);
        m.stage = static_cast<int>(store::RowInt(row, 1));
        m.title = store::RowStr(row, 2);
        m.department = store::RowStr(row, 3);
        m.delegation_basis = store::RowStr(row, 4);
        m.legal_days = static_cast<int>(store::RowInt(row, 5));
        m.limit_days = static_cast<int>(store::RowInt(row, 6));
        m.fee_fen = store::RowInt(row, 7);
        m.state = ParseMatterState(store::RowStr(row, 8)).value_or(MatterState::kPending);
        m.basis = store::RowStr(row, 9);
        m.started_on = store::RowStr(row, 10);
        m.decided_on = store::RowStr(row, 11);
        m.findings = store::RowStr(row, 12);
        m.pre_reviewed_by = store::RowStr(row, 13);
        m.document_number = store::RowStr(row, 14);
        m.batch_id = store::RowStr(row, 15);
        m.materials = MaterialsFrom(store::RowStr(row, 16));
        m.case_number = store::RowStr(row, 17);
        r.matters.push_back(std::move(m));
      }
    }
    {
      const RegionConfig* cfg = s_.regions_.For(r.project.region);
      soci::rowset<soci::row> rows =
          (sql_.prepare << s_.Q("pauses_of_project"), soci::use(id, "project_id"));
      for (const soci::row& row : rows) {
        Pause p;
        p.id = store::RowInt(row, 0);
        p.stage = static_cast<int>(store::RowInt(row, 1));
        p.kind = ParsePauseKind(store::RowStr(row, 2)).value_or(PauseKind::kIntermediary);
        p.from = store::RowStr(row, 3);
        p.to = store::RowStr(row, 4);
        p.note = store::RowStr(row, 5);
        p.counted = cfg != nullptr &&
                    std::find(cfg->counted_pauses.begin(), cfg->counted_pauses.end(), p.kind) !=
                        cfg->counted_pauses.end();
        r.pauses.push_back(std::move(p));
      }
    }
    {
      soci::rowset<soci::row> rows =
          (sql_.prepare << s_.Q("escalations_of_project"), soci::use(id, "project_id"));
      for (const soci::row& row : rows) {
        const std::string eid = store::RowStr(row, 0);
        if (r.escalations.empty() || r.escalations.back().id != eid) {
          Escalation e;
          e.id = eid;
          e.project_id = id;
          e.reason = store::RowStr(row, 1);
          e.meeting_on = store::RowStr(row, 2);
          e.created_by = store::RowStr(row, 3);
          e.created_at = store::RowInt(row, 4);
          r.escalations.push_back(std::move(e));
        }
        r.escalations.back().parts.push_back({.department = store::RowStr(row, 5),
                                              .task = store::RowStr(row, 6),
                                              .due_on = store::RowStr(row, 7),
                                              .done_on = store::RowStr(row, 8),
                                              .note = store::RowStr(row, 9)});
      }
    }
    {
      soci::rowset<soci::row> rows =
          (sql_.prepare << s_.Q("events_of_project"), soci::use(id, "project_id"));
      for (const soci::row& row : rows) {
        r.events.push_back({.seq = static_cast<int>(store::RowInt(row, 0)),
                            .action = store::RowStr(row, 1),
                            .actor = store::RowStr(row, 2),
                            .at = store::RowInt(row, 3),
                            .detail = store::RowStr(row, 4)});
      }
    }
    return r;
  }

  static Project ProjectFromRow(const soci::row& row) {
    Project p;
    p.id = store::RowStr(row, 0);
    p.code = store::RowStr(row, 1);
    p.name = store::RowStr(row, 2);
    p.uscc = store::RowStr(row, 3);
    p.enterprise_name = store::RowStr(row, 4);
    p.region = store::RowStr(row, 5);
    p.type = ParseProjectType(store::RowStr(row, 6)).value_or(ProjectType::kGovernmentInvestment);
    p.budget_days = static_cast<int>(store::RowInt(row, 7));
    p.commissioner = store::RowStr(row, 8);
    p.state = store::RowStr(row, 9);
    p.flow_version = static_cast<int>(store::RowInt(row, 10));
    p.created_at = store::RowInt(row, 11);
    p.created_by = store::RowStr(row, 12);
    return p;
  }

  void InsertProject(const ProjectRecord& r) {
    const Project& p = r.project;
    const std::string type(ProjectTypeName(p.type));
    store::Execute(sql_, s_.Q("insert_project"), soci::use(p.id, "id"), soci::use(p.code, "code"),
                   soci::use(p.name, "name"), soci::use(p.uscc, "uscc"),
                   soci::use(p.enterprise_name, "enterprise_name"), soci::use(p.region, "region"),
                   soci::use(type, "project_type"), soci::use(p.budget_days, "budget_days"),
                   soci::use(p.commissioner, "commissioner"), soci::use(p.state, "state"),
                   soci::use(p.flow_version, "flow_version"), soci::use(p.created_at, "created_at"),
                   soci::use(p.created_by, "created_by"));
    for (const Stage& st : r.stages) {
      const std::string state(StageStateName(st.state));
      store::Execute(sql_, s_.Q("insert_stage"), soci::use(p.id, "project_id"),
                     soci::use(st.seq, "seq"), soci::use(st.key, "stage_key"),
                     soci::use(st.title, "title"), soci::use(st.share_days, "share_days"),
                     soci::use(state, "state"), soci::use(st.started_on, "started_on"),
                     soci::use(st.concluded_on, "concluded_on"));
    }
    InsertMatters(r);
  }

  void InsertMatters(const ProjectRecord& r) {
    for (const ProjectMatter& m : r.matters) {
      const std::string state(MatterStateName(m.state));
      const std::string materials = MaterialsJson(m.materials).dump();
      const long long fee = m.fee_fen;
      store::Execute(
          sql_, s_.Q("insert_matter"), soci::use(r.project.id, "project_id"),
          soci::use(m.code, "code"), soci::use(m.stage, "stage"), soci::use(m.title, "title"),
          soci::use(m.department, "department"), soci::use(m.delegation_basis, "delegation_basis"),
          soci::use(m.legal_days, "legal_days"), soci::use(m.limit_days, "limit_days"),
          soci::use(fee, "fee_fen"), soci::use(state, "state"), soci::use(m.basis, "basis"),
          soci::use(m.started_on, "started_on"), soci::use(m.decided_on, "decided_on"),
          soci::use(m.findings, "findings"), soci::use(m.pre_reviewed_by, "pre_reviewed_by"),
          soci::use(m.document_number, "document_number"), soci::use(m.batch_id, "batch_id"),
          soci::use(materials, "materials"), soci::use(m.case_number, "case_number"));
    }
  }

  // Writes back what a step may change: the project row, its stages, its matters.
  void Save(const ProjectRecord& r) {
    const Project& p = r.project;
    store::Execute(sql_, s_.Q("update_project"), soci::use(p.commissioner, "commissioner"),
                   soci::use(p.state, "state"), soci::use(p.flow_version, "flow_version"),
                   soci::use(p.id, "id"));
    for (const Stage& st : r.stages) {
      const std::string state(StageStateName(st.state));
      store::Execute(sql_, s_.Q("update_stage"), soci::use(state, "state"),
                     soci::use(st.started_on, "started_on"),
                     soci::use(st.concluded_on, "concluded_on"), soci::use(p.id, "project_id"),
                     soci::use(st.seq, "seq"));
    }
    store::Execute(sql_, s_.Q("delete_matters_of_project"), soci::use(p.id, "project_id"));
    InsertMatters(r);
  }

  void AddEvent(const std::string& project_id, const std::string& action, const std::string& actor,
                int64_t at, const std::string& detail) {
    int seq = 0;
    store::Execute(sql_, s_.Q("last_event"), soci::use(project_id, "project_id"), soci::into(seq));
    ++seq;
    store::Execute(sql_, s_.Q("insert_event"), soci::use(project_id, "project_id"),
                   soci::use(seq, "seq"), soci::use(action, "action"), soci::use(actor, "actor"),
                   soci::use(at, "at"), soci::use(detail, "detail"));
  }

  void InsertFlowTable(const std::string& project_id, const FlowTable& t) {
    const std::string body = FlowJson(t.rows).dump();
    store::Execute(sql_, s_.Q("insert_flow_table"), soci::use(project_id, "project_id"),
                   soci::use(t.version, "version"), soci::use(t.edited_by, "edited_by"),
                   soci::use(t.edited_at, "edited_at"), soci::use(t.note, "note"),
                   soci::use(body, "body"));
  }

  std::vector<FlowTable> FlowTables(const std::string& project_id) {
    std::vector<FlowTable> out;
    soci::rowset<soci::row> rows =
        (sql_.prepare << s_.Q("flow_tables_of_project"), soci::use(project_id, "project_id"));
    for (const soci::row& row : rows) {
      FlowTable t;
      t.version = static_cast<int>(store::RowInt(row, 0));
      t.edited_by = store::RowStr(row, 1);
      t.edited_at = store::RowInt(row, 2);
      t.note = store::RowStr(row, 3);
      t.rows = FlowFrom(store::RowStr(row, 4));
      out.push_back(std::move(t));
    }
    return out;
  }

  std::vector<Delegation> AllDelegations() {
    std::vector<Delegation> out;
    soci::rowset<soci::row> rows = (sql_.prepare << s_.Q("delegations"));
    for (const soci::row& row : rows) {
      Delegation d;
      d.region = store::RowStr(row, 0);
      d.matter = store::RowStr(row, 1);
      d.from_department = store::RowStr(row, 2);
      d.to_department = store::RowStr(row, 3);
      d.basis = store::RowStr(row, 4);
      d.valid_from = Date::Parse(store::RowStr(row, 5)).value_or(Date{});
      d.valid_to = Date::Parse(store::RowStr(row, 6)).value_or(Date{});
      out.push_back(std::move(d));
    }
    return out;
  }

  void UpsertDelegation(const Delegation& d) {
    const std::string from = d.valid_from.ToString(), to = d.valid_to.ToString();
    store::Execute(sql_, s_.Q("upsert_delegation"), soci::use(d.region, "region"),
                   soci::use(d.matter, "matter"), soci::use(d.from_department, "from_department"),
                   soci::use(d.to_department, "to_department"), soci::use(d.basis, "basis"),
                   soci::use(from, "valid_from"), soci::use(to, "valid_to"));
  }

  // The competent department for `matter` on `on` (a valid delegation's, else `fallback`).
  ProjectService::Competent CompetentFor(const std::string& region, const std::string& matter,
                                         const std::string& fallback, Date on) {
    const std::vector<std::string> chain = {region, region.substr(0, 4) + "00",
                                            region.substr(0, 2) + "0000"};
    for (const std::string& code : chain) {
      for (const Delegation& d : AllDelegations()) {
        if (d.region == code && d.matter == matter && d.valid_from <= on && on <= d.valid_to) {
          return {.department = d.to_department, .basis = d.basis};
        }
      }
    }
    return {.department = fallback, .basis = ""};
  }

  // The accounts authorised now as agents of the enterprise `uscc`.
  std::vector<std::string> EnterpriseAgents(const std::string& uscc, int64_t now) {
    std::vector<std::string> out;
    std::string agent;
    long long at = now;
    store::ExecuteRows(
        sql_, s_.Q("enterprise_agents"), [&] { out.push_back(agent); }, soci::use(uscc, "uscc"),
        soci::use(at, "now"), soci::into(agent));
    return out;
  }

  soci::session& sql() { return sql_; }

 private:
  const ProjectService& s_;
  soci::session& sql_;
};

}  // namespace tongban::projects
