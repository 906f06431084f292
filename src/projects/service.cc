// The construction-project service: one write transaction per step, the project's row locked
// first; the record is loaded, changed in memory and written back with its event.
#include "projects/service.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/embedded.h"
#include "base/id.h"
#include "base/region.h"
#include "base/uscc.h"
#include "people/authorization.h"

namespace tongban {
extern const EmbeddedFile kProjectSql[];
extern const size_t kProjectSql_count;
}  // namespace tongban

namespace tongban::projects {
namespace {

using nlohmann::json;
using people::Principal;

constexpr int kPreReviewedLimitDays = 1;  // a pre-reviewed matter's formal review
constexpr int kWarningDays = 3;           // warn when at most this many working days are left
constexpr int kRedAfterDays = 5;          // red card when a project is this much over budget
constexpr size_t kMaxText = 2000;

int64_t RowInt(const soci::row& r, size_t i) {
  if (r.get_indicator(i) == soci::i_null) return 0;
  switch (r.get_properties(i).get_data_type()) {
    case soci::dt_integer:
      return r.get<int>(i);
    case soci::dt_long_long:
      return r.get<long long>(i);
    case soci::dt_unsigned_long_long:
      return static_cast<int64_t>(r.get<unsigned long long>(i));
    case soci::dt_double:
      return static_cast<int64_t>(r.get<double>(i));
    case soci::dt_string:
      return std::stoll(r.get<std::string>(i));
    default:
      return 0;
  }
}

std::string RowStr(const soci::row& r, size_t i) {
  if (r.get_indicator(i) == soci::i_null) return {};
  return r.get<std::string>(i);
}

Error Refused(std::string message, std::vector<FieldError> fields) {
  return Error(ErrorCode::kRefused, std::move(message), std::move(fields));
}

Error Conflict(std::string field, std::string message) {
  return Error(ErrorCode::kConflict, message, {{std::move(field), message}});
}

Error Invalid(std::string field, std::string message) {
  return Error(ErrorCode::kInvalidArgument, message, {{std::move(field), message}});
}

std::string FullDepartment(std::string_view region, std::string_view department) {
  if (department.find('-') != std::string_view::npos) return std::string(department);
  return fmt::format("{}-{}", region, department);
}

// "430603" → "430603%", "430600" → "4306%", "430000" → "43%", "" → "%".
std::string RegionPrefix(std::string_view region) {
  std::string r(region);
  while (r.size() >= 2 && r.ends_with("00")) r.resize(r.size() - 2);
  return r + "%";
}

json MaterialsJson(const std::vector<MaterialEntry>& list) {
  json out = json::array();
  for (const auto& m : list) {
    out.push_back({{"name", m.name},
                   {"core", m.core},
                   {"state", MaterialStateName(m.state)},
                   {"due_on", m.due_on}});
  }
  return out;
}

std::vector<MaterialEntry> MaterialsFrom(const std::string& text) {
  std::vector<MaterialEntry> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& m : j) {
    MaterialEntry e;
    e.name = m.value("name", "");
    e.core = m.value("core", false);
    e.state = ParseMaterialState(m.value("state", "submitted")).value_or(MaterialState::kSubmitted);
    e.due_on = m.value("due_on", "");
    out.push_back(std::move(e));
  }
  return out;
}

json FlowJson(const std::vector<FlowRow>& rows) {
  json out = json::array();
  for (const auto& r : rows) {
    out.push_back({{"stage", r.stage},
                   {"matter", r.matter},
                   {"title", r.title},
                   {"department", r.department},
                   {"materials", r.materials},
                   {"milestone", r.milestone},
                   {"limit_days", r.limit_days}});
  }
  return out;
}

std::vector<FlowRow> FlowFrom(const std::string& text) {
  std::vector<FlowRow> out;
  json j = json::parse(text, nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& r : j) {
    FlowRow row;
    row.stage = r.value("stage", 0);
    row.matter = r.value("matter", "");
    row.title = r.value("title", "");
    row.department = r.value("department", "");
    row.materials = r.value("materials", std::vector<std::string>{});
    row.milestone = r.value("milestone", "");
    row.limit_days = r.value("limit_days", 0);
    out.push_back(std::move(row));
  }
  return out;
}

// The flow table of the project's current matters (removed and exempted ones left out).
std::vector<FlowRow> FlowOf(const ProjectRecord& r) {
  std::vector<FlowRow> rows;
  for (const auto& m : r.matters) {
    if (m.state == MatterState::kRemoved || m.state == MatterState::kExempted) continue;
    FlowRow row{.stage = m.stage,
                .matter = m.code,
                .title = m.title,
                .department = m.department,
                .milestone = fmt::format("{}办结", r.stages[m.stage - 1].title),
                .limit_days = m.limit_days};
    for (const auto& mat : m.materials) row.materials.push_back(mat.name);
    rows.push_back(std::move(row));
  }
  return rows;
}

ProjectMatter* FindMatter(ProjectRecord& r, std::string_view code) {
  for (auto& m : r.matters) {
    if (m.code == code) return &m;
  }
  return nullptr;
}

Result<ProjectMatter*> MatterOf(ProjectRecord& r, std::string_view code) {
  ProjectMatter* m = FindMatter(r, code);
  if (m == nullptr) {
    return Error(ErrorCode::kNotFound, fmt::format("the project has no matter {}", code),
                 {{"matter", "not a matter of the project"}});
  }
  return m;
}

int ScaleDays(int days, int budget, int template_budget) {
  if (template_budget <= 0) return days;
  return std::max(1, (days * budget + template_budget / 2) / template_budget);
}

// Review work (pre-review, decisions, batch review) belongs to the matter's competent
// department: project.review over the region for that department, and staff attached to
// another department are refused whatever their grant's scope.
Status ReviewAllowed(const Principal& by, const std::string& region, const std::string& department,
                     int64_t now) {
  TB_RETURN_IF_ERROR(
      people::Authorize(by, "project.review", {.region = region, .department = department}, now));
  if (!by.account.department.empty() && by.account.department != department) {
    return Error(ErrorCode::kForbidden, fmt::format("the matter is {}'s to review, not {}'s",
                                                    department, by.account.department));
  }
  return Ok();
}

bool StageDone(const ProjectRecord& r, int seq) {
  return std::all_of(r.matters.begin(), r.matters.end(),
                     [&](const ProjectMatter& m) { return m.stage != seq || IsDone(m.state); });
}

}  // namespace

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("projects", kProjectSql, kProjectSql_count);
}

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
        st.seq = static_cast<int>(RowInt(row, 0));
        st.key = RowStr(row, 1);
        st.title = RowStr(row, 2);
        st.share_days = static_cast<int>(RowInt(row, 3));
        st.state = ParseStageState(RowStr(row, 4)).value_or(StageState::kPending);
        st.started_on = RowStr(row, 5);
        st.concluded_on = RowStr(row, 6);
        r.stages.push_back(std::move(st));
      }
    }
    {
      soci::rowset<soci::row> rows =
          (sql_.prepare << s_.Q("matters_of_project"), soci::use(id, "project_id"));
      for (const soci::row& row : rows) {
        ProjectMatter m;
        m.code = RowStr(row, 0);
        m.stage = static_cast<int>(RowInt(row, 1));
        m.title = RowStr(row, 2);
        m.department = RowStr(row, 3);
        m.delegation_basis = RowStr(row, 4);
        m.legal_days = static_cast<int>(RowInt(row, 5));
        m.limit_days = static_cast<int>(RowInt(row, 6));
        m.fee_fen = RowInt(row, 7);
        m.state = ParseMatterState(RowStr(row, 8)).value_or(MatterState::kPending);
        m.basis = RowStr(row, 9);
        m.started_on = RowStr(row, 10);
        m.decided_on = RowStr(row, 11);
        m.findings = RowStr(row, 12);
        m.pre_reviewed_by = RowStr(row, 13);
        m.document_number = RowStr(row, 14);
        m.batch_id = RowStr(row, 15);
        m.materials = MaterialsFrom(RowStr(row, 16));
        r.matters.push_back(std::move(m));
      }
    }
    {
      const RegionConfig* cfg = s_.regions_.For(r.project.region);
      soci::rowset<soci::row> rows =
          (sql_.prepare << s_.Q("pauses_of_project"), soci::use(id, "project_id"));
      for (const soci::row& row : rows) {
        Pause p;
        p.id = RowInt(row, 0);
        p.stage = static_cast<int>(RowInt(row, 1));
        p.kind = ParsePauseKind(RowStr(row, 2)).value_or(PauseKind::kIntermediary);
        p.from = RowStr(row, 3);
        p.to = RowStr(row, 4);
        p.note = RowStr(row, 5);
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
        const std::string eid = RowStr(row, 0);
        if (r.escalations.empty() || r.escalations.back().id != eid) {
          Escalation e;
          e.id = eid;
          e.project_id = id;
          e.reason = RowStr(row, 1);
          e.meeting_on = RowStr(row, 2);
          e.created_by = RowStr(row, 3);
          e.created_at = RowInt(row, 4);
          r.escalations.push_back(std::move(e));
        }
        r.escalations.back().parts.push_back({.department = RowStr(row, 5),
                                              .task = RowStr(row, 6),
                                              .due_on = RowStr(row, 7),
                                              .done_on = RowStr(row, 8),
                                              .note = RowStr(row, 9)});
      }
    }
    {
      soci::rowset<soci::row> rows =
          (sql_.prepare << s_.Q("events_of_project"), soci::use(id, "project_id"));
      for (const soci::row& row : rows) {
        r.events.push_back({.seq = static_cast<int>(RowInt(row, 0)),
                            .action = RowStr(row, 1),
                            .actor = RowStr(row, 2),
                            .at = RowInt(row, 3),
                            .detail = RowStr(row, 4)});
      }
    }
    return r;
  }

  static Project ProjectFromRow(const soci::row& row) {
    Project p;
    p.id = RowStr(row, 0);
    p.code = RowStr(row, 1);
    p.name = RowStr(row, 2);
    p.uscc = RowStr(row, 3);
    p.enterprise_name = RowStr(row, 4);
    p.region = RowStr(row, 5);
    p.type = ParseProjectType(RowStr(row, 6)).value_or(ProjectType::kGovernmentInvestment);
    p.budget_days = static_cast<int>(RowInt(row, 7));
    p.commissioner = RowStr(row, 8);
    p.state = RowStr(row, 9);
    p.flow_version = static_cast<int>(RowInt(row, 10));
    p.created_at = RowInt(row, 11);
    p.created_by = RowStr(row, 12);
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
          soci::use(materials, "materials"));
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
      t.version = static_cast<int>(RowInt(row, 0));
      t.edited_by = RowStr(row, 1);
      t.edited_at = RowInt(row, 2);
      t.note = RowStr(row, 3);
      t.rows = FlowFrom(RowStr(row, 4));
      out.push_back(std::move(t));
    }
    return out;
  }

  std::vector<Delegation> AllDelegations() {
    std::vector<Delegation> out;
    soci::rowset<soci::row> rows = (sql_.prepare << s_.Q("delegations"));
    for (const soci::row& row : rows) {
      Delegation d;
      d.region = RowStr(row, 0);
      d.matter = RowStr(row, 1);
      d.from_department = RowStr(row, 2);
      d.to_department = RowStr(row, 3);
      d.basis = RowStr(row, 4);
      d.valid_from = Date::Parse(RowStr(row, 5)).value_or(Date{});
      d.valid_to = Date::Parse(RowStr(row, 6)).value_or(Date{});
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

  soci::session& sql() { return sql_; }

 private:
  const ProjectService& s_;
  soci::session& sql_;
};

ProjectService::ProjectService(store::Database& db, Options options, store::QuerySet queries)
    : db_(db), options_(std::move(options)), queries_(std::move(queries)) {
  if (options_.calendar == nullptr) own_calendar_ = Calendar::WithEmbeddedSchedules();
  calendar_ = options_.calendar != nullptr ? options_.calendar : own_calendar_.get();
  clock_ = options_.clock != nullptr ? options_.clock : &SystemClock::Instance();
}

ProjectService::~ProjectService() = default;

Result<std::unique_ptr<ProjectService>> ProjectService::Create(store::Database& db,
                                                               Options options) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kProjectSql, kProjectSql_count));
  RegionsConfig regions;
  if (options.regions) {
    regions = *options.regions;
  } else {
    TB_ASSIGN_OR_RETURN(regions, ShippedRegionsConfig());
  }
  std::vector<StageTemplate> templates = options.templates;
  if (templates.empty()) {
    TB_ASSIGN_OR_RETURN(templates, ShippedTemplates());
  }
  std::unique_ptr<ProjectService> s(new ProjectService(db, std::move(options), std::move(queries)));
  s->regions_ = std::move(regions);
  s->templates_ = std::move(templates);
  TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*s, sql);
    for (const RegionConfig& r : s->regions_.regions) {
      for (const Delegation& d : r.delegations) tx.UpsertDelegation(d);
    }
    return Ok();
  }));
  return s;
}

int64_t ProjectService::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_->Now().time_since_epoch())
      .count();
}

Date ProjectService::Today() const { return TodayInChina(*clock_); }

const StageTemplate* ProjectService::TemplateFor(ProjectType type) const {
  for (const auto& t : templates_) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

ProjectClock ProjectService::ClockOf(const ProjectRecord& r, int stage) const {
  ProjectClock c;
  const RegionConfig* cfg = regions_.For(r.project.region);
  if (cfg != nullptr) {
    for (PauseKind k : cfg->counted_pauses) c.counted_pauses.emplace_back(PauseKindName(k));
  }
  if (stage == 0) {
    // The project's government time is its stages' (the time between stages is the
    // applicant's): their sums.
    c.budget_days = r.project.budget_days;
    bool started = false;
    for (const Stage& st : r.stages) {
      const ProjectClock sc = ClockOf(r, st.seq);
      if (sc.status == "not_started") continue;
      started = true;
      c.elapsed_days += sc.elapsed_days;
      c.used_days += sc.used_days;
      c.provisional = c.provisional || sc.provisional;
      for (const auto& [kind, days] : sc.paused_days) c.paused_days[kind] += days;
    }
    c.remaining_days = c.budget_days - c.used_days;
    if (!started) {
      c.status = "not_started";
    } else if (r.project.state == "completed") {
      c.status = c.remaining_days >= 0 ? "concluded" : "concluded_late";
    } else if (c.remaining_days < 0) {
      c.status = "over_budget";
    } else if (c.remaining_days <= kWarningDays) {
      c.status = "warning";
    } else {
      c.status = "on_track";
    }
    return c;
  }
  const Stage& st = r.stages[stage - 1];
  c.budget_days = st.share_days;
  const std::string& start = st.started_on;
  const bool concluded = st.state == StageState::kConcluded;
  const std::string& end = st.concluded_on;
  if (start.empty()) {
    c.remaining_days = c.budget_days;
    c.status = "not_started";
    return c;
  }
  const Date from = Date::Parse(start).value_or(Today());
  const Date to = concluded ? Date::Parse(end).value_or(Today()) : Today();
  const WorkingDayCount elapsed = calendar_->WorkingDaysBetween(from, to);
  c.elapsed_days = static_cast<int>(elapsed.days);
  c.provisional = elapsed.provisional;
  // Uncounted pauses, merged so overlapping ones stop the clock once.
  std::vector<std::pair<Date, Date>> stopped;
  for (const Pause& p : r.pauses) {
    if (stage != 0 && p.stage != 0 && p.stage != stage) continue;
    Date a = std::max(from, Date::Parse(p.from).value_or(to));
    Date b = std::min(to, p.to.empty() ? to : Date::Parse(p.to).value_or(to));
    if (b <= a) continue;
    c.paused_days[std::string(PauseKindName(p.kind))] +=
        static_cast<int>(calendar_->WorkingDaysBetween(a, b).days);
    if (!p.counted) stopped.emplace_back(a, b);
  }
  std::sort(stopped.begin(), stopped.end());
  int stopped_days = 0;
  for (size_t i = 0; i < stopped.size();) {
    Date a = stopped[i].first, b = stopped[i].second;
    size_t j = i + 1;
    while (j < stopped.size() && stopped[j].first <= b) b = std::max(b, stopped[j++].second);
    stopped_days += static_cast<int>(calendar_->WorkingDaysBetween(a, b).days);
    i = j;
  }
  c.used_days = std::max(0, c.elapsed_days - stopped_days);
  c.remaining_days = c.budget_days - c.used_days;
  if (concluded) {
    c.status = c.remaining_days >= 0 ? "concluded" : "concluded_late";
  } else if (c.remaining_days < 0) {
    c.status = "over_budget";
  } else if (c.remaining_days <= kWarningDays) {
    c.status = "warning";
  } else {
    c.status = "on_track";
  }
  return c;
}

void ProjectService::FillClocks(ProjectRecord& r) const {
  r.clock = ClockOf(r, 0);
  r.stage_clocks.clear();
  for (const Stage& st : r.stages) r.stage_clocks.push_back(ClockOf(r, st.seq));
}

Status ProjectService::CanRead(const Principal& by, const Project& p) const {
  const int64_t now = NowMs();
  if (!by.account.id.empty() && by.account.id == p.commissioner) return Ok();
  if (people::Authorize(by, "project.read", {.region = p.region}, now).ok()) return Ok();
  if (by.account.kind == people::AccountKind::kCitizen &&
      people::AuthorizeForEnterprise(by, p.uscc, now).ok()) {
    return Ok();
  }
  return Error(ErrorCode::kForbidden, "not permitted to read this project");
}

Result<ProjectRecord> ProjectService::OnProject(std::string_view id, const Step& step) {
  TB_ASSIGN_OR_RETURN(ProjectRecord r,
                      db_.Transaction<ProjectRecord>(
                          store::TxKind::kWrite, [&](soci::session& sql) -> Result<ProjectRecord> {
                            Tx tx(*this, sql);
                            TB_ASSIGN_OR_RETURN(ProjectRecord rec, tx.Load(id, true));
                            TB_RETURN_IF_ERROR(step(tx, rec));
                            tx.Save(rec);
                            return tx.Load(id, false);
                          }));
  FillClocks(r);
  return r;
}

Result<ProjectRecord> ProjectService::Draft(const RegisterInput& in, std::string_view created_by) {
  FieldErrors errors;
  const Date today = Today();
  ProjectRecord r;
  Project& p = r.project;
  auto code = ParseProjectCode(in.code, CivilFromDays(today.days()).year);
  if (!code.ok()) {
    errors.Add("project_code", code.error().fields().empty() ? code.error().message()
                                                             : code.error().fields()[0].message);
  }
  if (in.name.empty() || in.name.size() > 300) errors.Add("name", "required, at most 300 bytes");
  auto uscc = ParseUscc(in.uscc);
  if (!uscc.ok()) errors.Add("uscc", uscc.error().message());
  p.region = in.region.empty() && code.ok() ? code->region : in.region;
  if ((code.ok() || !in.region.empty()) && (p.region.size() != 6 || !LookupRegion(p.region).ok())) {
    errors.Add("region", "a GB/T 2260 county code (6 digits) expected");
  }
  auto type = ParseProjectType(in.type);
  if (!type) {
    errors.Add("type", "must be government_investment, social_investment or small_low_risk");
  }
  if (!errors.empty()) return errors.ToError("the project is invalid");
  const StageTemplate* t = TemplateFor(*type);
  if (t == nullptr) return Invalid("type", "no stage template for this type");
  const RegionConfig* cfg = regions_.For(p.region);
  p.id = NewId(*clock_);
  p.code = code->normalized;
  p.name = in.name;
  p.uscc = uscc->normalized;
  p.enterprise_name = in.enterprise_name;
  p.type = *type;
  p.budget_days = t->budget_days;
  if (cfg != nullptr) {
    auto it = cfg->budgets.find(*type);
    if (it != cfg->budgets.end()) p.budget_days = it->second;
  }
  p.commissioner = in.commissioner;
  p.state = "active";
  p.flow_version = 1;
  p.created_at = NowMs();
  p.created_by = std::string(created_by);
  std::set<std::string> removed;
  if (cfg != nullptr) {
    auto it = cfg->removed.find(*type);
    if (it != cfg->removed.end()) removed.insert(it->second.begin(), it->second.end());
  }
  int seq = 0;
  for (const TemplateStage& ts : t->stages) {
    ++seq;
    const int share = ScaleDays(ts.share_days, p.budget_days, t->budget_days);
    r.stages.push_back({.seq = seq, .key = ts.key, .title = ts.title, .share_days = share});
    for (const TemplateMatter& tm : ts.matters) {
      ProjectMatter m;
      m.stage = seq;
      m.code = tm.code;
      m.title = tm.title;
      m.department = FullDepartment(p.region, tm.department);
      m.legal_days = tm.legal_days;
      m.limit_days = std::min(share, ScaleDays(tm.share_days, p.budget_days, t->budget_days));
      m.fee_fen = tm.fee_fen;
      for (const TemplateMaterial& mat : tm.materials) {
        m.materials.push_back({.name = mat.name, .core = mat.core});
      }
      if (removed.contains(tm.code)) {
        m.state = MatterState::kRemoved;
        m.basis = fmt::format("{}对{}取消此事项（极简审）", cfg->name, t->title);
      }
      r.matters.push_back(std::move(m));
    }
  }
  return r;
}

Result<ProjectRecord> ProjectService::Register(const Principal& by, const RegisterInput& in) {
  TB_ASSIGN_OR_RETURN(ProjectRecord r, Draft(in, by.account.id));
  const Project& p = r.project;
  TB_RETURN_IF_ERROR(people::Authorize(by, "project.register", {.region = p.region}, NowMs()));
  const StageTemplate* t = TemplateFor(p.type);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    std::string existing;
    store::Execute(sql, Q("project_by_code"), soci::use(p.code, "code"), soci::into(existing));
    if (!existing.empty()) {
      return Error(ErrorCode::kAlreadyExists, fmt::format("project {} is registered", p.code),
                   {{"project_code", "already registered"}});
    }
    tx.InsertProject(r);
    tx.InsertFlowTable(p.id, {.version = 1,
                              .edited_by = by.account.id,
                              .edited_at = p.created_at,
                              .note = fmt::format("由{}模板生成", t->title),
                              .rows = FlowOf(r)});
    tx.AddEvent(p.id, "registered", by.account.id, p.created_at,
                fmt::format("{} {} {}", p.code, ProjectTypeName(p.type), p.budget_days));
    return Ok();
  }));
  return Get(by, p.id);
}

Status ProjectService::Import(const std::vector<ProjectRecord>& records) {
  return db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    for (const ProjectRecord& r : records) {
      const Project& p = r.project;
      std::string existing;
      store::Execute(sql, Q("project_by_code"), soci::use(p.code, "code"), soci::into(existing));
      if (!existing.empty()) {
        return Error(ErrorCode::kAlreadyExists, fmt::format("project {} is registered", p.code),
                     {{"project_code", "already registered"}});
      }
      tx.InsertProject(r);
      for (const Pause& pause : r.pauses) {
        const std::string kind(PauseKindName(pause.kind));
        const long long seq = pause.id;
        store::Execute(sql, Q("insert_pause"), soci::use(p.id, "project_id"), soci::use(seq, "seq"),
                       soci::use(pause.stage, "stage"), soci::use(kind, "kind"),
                       soci::use(pause.from, "from_on"), soci::use(pause.to, "to_on"),
                       soci::use(pause.note, "note"));
      }
      tx.InsertFlowTable(p.id, {.version = 1,
                                .edited_by = p.created_by,
                                .edited_at = p.created_at,
                                .note = "导入",
                                .rows = FlowOf(r)});
      tx.AddEvent(p.id, "imported", p.created_by, p.created_at, p.code);
    }
    return Ok();
  });
}

Result<int> ProjectService::Count(std::string_view region) {
  const std::string prefix = RegionPrefix(region);
  return db_.Transaction<int>(store::TxKind::kRead, [&](soci::session& sql) -> Result<int> {
    int n = 0;
    store::Execute(sql, "SELECT COUNT(*) FROM project WHERE region LIKE :prefix",
                   soci::use(prefix, "prefix"), soci::into(n));
    return n;
  });
}

Result<ProjectRecord> ProjectService::Get(const Principal& by, std::string_view id) {
  TB_ASSIGN_OR_RETURN(ProjectRecord r,
                      db_.Transaction<ProjectRecord>(
                          store::TxKind::kRead, [&](soci::session& sql) -> Result<ProjectRecord> {
                            Tx tx(*this, sql);
                            return tx.Load(id, false);
                          }));
  TB_RETURN_IF_ERROR(CanRead(by, r.project));
  FillClocks(r);
  return r;
}

Result<std::vector<ProjectSummary>> ProjectService::List(const Principal& by,
                                                         const ListFilter& filter) {
  if (filter.limit < 1 || filter.limit > 1000) return Invalid("limit", "must be 1 to 1000");
  const std::string prefix = RegionPrefix(filter.region);
  std::vector<ProjectSummary> out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    std::vector<std::string> ids;
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << Q("list_projects"), soci::use(prefix, "prefix"),
           soci::use(filter.limit, "limit"));
      for (const soci::row& row : rows) {
        Project p = Tx::ProjectFromRow(row);
        if (CanRead(by, p).ok()) ids.push_back(p.id);
      }
    }
    for (const std::string& id : ids) {
      TB_ASSIGN_OR_RETURN(ProjectRecord r, tx.Load(id, false));
      ProjectSummary s{.project = r.project};
      for (const Stage& st : r.stages) {
        if (st.state != StageState::kConcluded) {
          s.current_stage = st.seq;
          break;
        }
      }
      s.used_days = ClockOf(r, 0).used_days;
      out.push_back(std::move(s));
    }
    return Ok();
  }));
  return out;
}

Result<std::vector<FlowTable>> ProjectService::FlowTables(const Principal& by,
                                                          std::string_view id) {
  TB_ASSIGN_OR_RETURN(ProjectRecord r, Get(by, id));
  return db_.Transaction<std::vector<FlowTable>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<FlowTable>> {
        Tx tx(*this, sql);
        return tx.FlowTables(r.project.id);
      });
}

Result<FlowTable> ProjectService::EditFlowTable(const Principal& by, std::string_view id,
                                                const std::vector<FlowRow>& rows,
                                                int expected_version, std::string_view note) {
  FlowTable saved;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.flow_table", {.region = r.project.region}, NowMs()));
    if (r.project.commissioner != by.account.id) {
      return Error(ErrorCode::kForbidden,
                   "only the project's service commissioner edits its flow "
                   "table");
    }
    if (expected_version != r.project.flow_version) {
      return Error(ErrorCode::kVersionMismatch,
                   fmt::format("the flow table is at version {}", r.project.flow_version),
                   {{"version", fmt::format("current version is {}", r.project.flow_version)}});
    }
    FieldErrors errors;
    std::set<std::string> seen;
    const int stages = static_cast<int>(r.stages.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      const FlowRow& row = rows[i];
      const std::string path = fmt::format("rows[{}]", i);
      if (row.stage < 1 || row.stage > stages) {
        errors.Add(path + ".stage", fmt::format("must be 1 to {}", stages));
        continue;
      }
      if (row.matter.empty()) errors.Add(path + ".matter", "required");
      if (!seen.insert(row.matter).second) errors.Add(path + ".matter", "appears twice");
      if (row.title.empty()) errors.Add(path + ".title", "required");
      if (row.department.empty()) errors.Add(path + ".department", "required");
      const Stage& st = r.stages[row.stage - 1];
      if (row.limit_days < 1 || row.limit_days > st.share_days) {
        errors.Add(path + ".limit_days",
                   fmt::format("must be 1 to the stage's share, {} working days", st.share_days));
      }
      const ProjectMatter* m = FindMatter(r, row.matter);
      if (st.state != StageState::kPending &&
          (m == nullptr || m->stage != row.stage || m->department != row.department ||
           m->limit_days != row.limit_days)) {
        errors.Add(path,
                   fmt::format("stage {} has started: its matters no longer change", row.stage));
      }
      if (m != nullptr && m->stage != row.stage &&
          r.stages[m->stage - 1].state != StageState::kPending) {
        errors.Add(path + ".stage", "the matter's stage has started");
      }
    }
    for (const ProjectMatter& m : r.matters) {
      if (r.stages[m.stage - 1].state == StageState::kPending || seen.contains(m.code) ||
          m.state == MatterState::kRemoved || m.state == MatterState::kExempted) {
        continue;
      }
      errors.Add("rows", fmt::format("matter {} of started stage {} is missing", m.code, m.stage));
    }
    if (!errors.empty()) return errors.ToError("the flow table is invalid");
    std::vector<ProjectMatter> next;
    for (const ProjectMatter& m : r.matters) {
      const bool pending_stage = r.stages[m.stage - 1].state == StageState::kPending;
      if (!pending_stage || (!seen.contains(m.code) && (m.state == MatterState::kRemoved ||
                                                        m.state == MatterState::kExempted))) {
        next.push_back(m);
      }
    }
    for (const FlowRow& row : rows) {
      if (r.stages[row.stage - 1].state != StageState::kPending) continue;
      const ProjectMatter* old = FindMatter(r, row.matter);
      ProjectMatter m = old != nullptr ? *old : ProjectMatter{};
      if (old == nullptr || m.state == MatterState::kRemoved || m.state == MatterState::kExempted) {
        m.state = MatterState::kPending;
        m.basis.clear();
      }
      m.code = row.matter;
      m.stage = row.stage;
      m.title = row.title;
      m.department = row.department;
      m.limit_days = row.limit_days;
      if (old == nullptr) m.legal_days = row.limit_days;
      std::vector<MaterialEntry> materials;
      for (const std::string& name : row.materials) {
        MaterialEntry e{.name = name};
        if (old != nullptr) {
          for (const auto& o : old->materials) {
            if (o.name == name) e.core = o.core;
          }
        }
        materials.push_back(std::move(e));
      }
      m.materials = std::move(materials);
      std::erase_if(next, [&](const ProjectMatter& x) { return x.code == m.code; });
      next.push_back(std::move(m));
    }
    std::sort(next.begin(), next.end(), [](const ProjectMatter& a, const ProjectMatter& b) {
      return std::tie(a.stage, a.code) < std::tie(b.stage, b.code);
    });
    r.matters = std::move(next);
    r.project.flow_version += 1;
    saved = {.version = r.project.flow_version,
             .edited_by = by.account.id,
             .edited_at = NowMs(),
             .note = std::string(note),
             .rows = rows};
    tx.InsertFlowTable(r.project.id, saved);
    tx.AddEvent(r.project.id, "flow_table_edited", by.account.id, saved.edited_at,
                fmt::format("version {}: {}", saved.version, note));
    return Ok();
  }));
  return saved;
}

Result<ProjectMatter> ProjectService::PreReview(const Principal& by, std::string_view id,
                                                std::string_view matter,
                                                std::string_view findings) {
  ProjectMatter out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_ASSIGN_OR_RETURN(ProjectMatter * m, MatterOf(r, matter));
    const Competent c = tx.CompetentFor(r.project.region, m->code, m->department, Today());
    TB_RETURN_IF_ERROR(ReviewAllowed(by, r.project.region, c.department, NowMs()));
    if (findings.empty() || findings.size() > kMaxText) {
      return Invalid("findings", "required, at most 2000 bytes");
    }
    if (r.stages[m->stage - 1].state != StageState::kPending) {
      return Conflict("state", "the matter's stage has started: review it formally");
    }
    if (m->state != MatterState::kPending && m->state != MatterState::kPreReviewed) {
      return Conflict("state", fmt::format("the matter is {}", MatterStateName(m->state)));
    }
    m->state = MatterState::kPreReviewed;
    m->findings = std::string(findings);
    m->pre_reviewed_by = by.account.id;
    m->department = c.department;
    m->delegation_basis = c.basis;
    out = *m;
    tx.AddEvent(r.project.id, "pre_reviewed", by.account.id, NowMs(),
                fmt::format("{}: {}", m->code, findings));
    return Ok();
  }));
  return out;
}

Result<ProjectRecord> ProjectService::StartStage(const Principal& by, std::string_view id,
                                                 int stage, const StageMaterials& materials) {
  return OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.register", {.region = r.project.region}, NowMs()));
    if (stage < 1 || stage > static_cast<int>(r.stages.size())) {
      return Invalid("stage", fmt::format("must be 1 to {}", r.stages.size()));
    }
    Stage& st = r.stages[stage - 1];
    if (st.state != StageState::kPending) {
      return Conflict("state", fmt::format("stage {} is {}", stage, StageStateName(st.state)));
    }
    if (stage > 1) {
      std::vector<FieldError> missing;
      for (const ProjectMatter& m : r.matters) {
        if (m.stage == stage - 1 && !IsDone(m.state)) {
          missing.push_back(
              {fmt::format("stages[{}].matters.{}", stage - 1, m.code),
               fmt::format("{} has no result yet ({})", m.title, MatterStateName(m.state))});
        }
      }
      if (!missing.empty()) {
        return Refused(fmt::format("stage {} cannot start before the results of stage {} (a "
                                   "later stage's matters may be pre-reviewed)",
                                   stage, stage - 1),
                       std::move(missing));
      }
    }
    const Date today = Today();
    FieldErrors errors;
    for (const auto& [code, list] : materials) {
      ProjectMatter* m = FindMatter(r, code);
      if (m == nullptr || m->stage != stage) {
        errors.Add("materials." + code, fmt::format("not a matter of stage {}", stage));
        continue;
      }
      for (const MaterialInput& in : list) {
        const std::string path = fmt::format("materials.{}.{}", code, in.name);
        auto it = std::find_if(m->materials.begin(), m->materials.end(),
                               [&](const MaterialEntry& e) { return e.name == in.name; });
        if (it == m->materials.end()) {
          errors.Add(path, "not a material of the matter");
          continue;
        }
        auto state = ParseMaterialState(in.state);
        if (!state) {
          errors.Add(path, "state must be submitted, gap, supply_later or proof_waived");
          continue;
        }
        if (it->core && *state != MaterialState::kSubmitted) {
          errors.Add(path, "a core material must be submitted (容缺 only for the others)");
          continue;
        }
        it->due_on.clear();
        if (*state == MaterialState::kSupplyLater) {
          auto due = Date::Parse(in.due_on);
          if (!due.ok() || *due <= today) {
            errors.Add(path, "supply_later needs due_on, a day after today");
            continue;
          }
          it->due_on = due->ToString();
        }
        it->state = *state;
      }
    }
    if (!errors.empty()) return errors.ToError("the stage's materials are invalid");
    for (ProjectMatter& m : r.matters) {
      if (m.stage != stage || IsDone(m.state)) continue;
      const Competent c = tx.CompetentFor(r.project.region, m.code, m.department, today);
      m.department = c.department;
      m.delegation_basis = c.basis;
      if (m.state == MatterState::kPreReviewed) {
        m.limit_days = std::min(m.limit_days, kPreReviewedLimitDays);
      }
      m.state = MatterState::kUnderReview;
      m.started_on = today.ToString();
    }
    st.state = StageState::kRunning;
    st.started_on = today.ToString();
    if (StageDone(r, stage)) {
      st.state = StageState::kConcluded;
      st.concluded_on = st.started_on;
    }
    tx.AddEvent(r.project.id, "stage_started", by.account.id, NowMs(),
                fmt::format("{} {}", stage, st.title));
    return Ok();
  });
}

Result<ProjectMatter> ProjectService::SupplyMaterial(const Principal& by, std::string_view id,
                                                     std::string_view matter,
                                                     std::string_view material) {
  ProjectMatter out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.register", {.region = r.project.region}, NowMs()));
    TB_ASSIGN_OR_RETURN(ProjectMatter * m, MatterOf(r, matter));
    auto it = std::find_if(m->materials.begin(), m->materials.end(),
                           [&](const MaterialEntry& e) { return e.name == material; });
    if (it == m->materials.end()) return Invalid("material", "not a material of the matter");
    if (it->state != MaterialState::kGap && it->state != MaterialState::kSupplyLater) {
      return Conflict("material", fmt::format("the material is {}", MaterialStateName(it->state)));
    }
    it->state = MaterialState::kSubmitted;
    it->due_on.clear();
    out = *m;
    tx.AddEvent(r.project.id, "material_supplied", by.account.id, NowMs(),
                fmt::format("{}: {}", m->code, material));
    return Ok();
  }));
  return out;
}

namespace {

// Decides one matter under review in memory; the stage and the project conclude with their
// last result. `document` is the decision document's number.
Status DecideIn(ProjectRecord& r, ProjectMatter& m, bool approve, Date today,
                const std::string& batch) {
  if (m.state != MatterState::kUnderReview) {
    return Conflict("state",
                    fmt::format("{} is {}, not under review", m.code, MatterStateName(m.state)));
  }
  if (approve) {
    std::vector<FieldError> gaps;
    for (const auto& mat : m.materials) {
      if (mat.state == MaterialState::kGap) {
        gaps.push_back({"materials." + mat.name, "容缺 material still missing"});
      }
    }
    if (!gaps.empty()) {
      return Refused(fmt::format("{} waits for its gap materials", m.code), std::move(gaps));
    }
  }
  m.state = approve ? MatterState::kApproved : MatterState::kDenied;
  m.decided_on = today.ToString();
  m.document_number = fmt::format("{}/{}", r.project.code, m.code);
  m.batch_id = batch;
  Stage& st = r.stages[m.stage - 1];
  if (StageDone(r, m.stage)) {
    st.state = StageState::kConcluded;
    st.concluded_on = today.ToString();
    if (std::all_of(r.stages.begin(), r.stages.end(),
                    [](const Stage& s) { return s.state == StageState::kConcluded; })) {
      r.project.state = "completed";
    }
  }
  return Ok();
}

}  // namespace

Result<ProjectMatter> ProjectService::Decide(const Principal& by, std::string_view id,
                                             std::string_view matter, bool approve,
                                             std::string_view note) {
  ProjectMatter out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_ASSIGN_OR_RETURN(ProjectMatter * m, MatterOf(r, matter));
    TB_RETURN_IF_ERROR(ReviewAllowed(by, r.project.region, m->department, NowMs()));
    TB_RETURN_IF_ERROR(DecideIn(r, *m, approve, Today(), ""));
    out = *m;
    tx.AddEvent(r.project.id, approve ? "approved" : "denied", by.account.id, NowMs(),
                fmt::format("{} {}: {}", m->code, m->document_number, note));
    return Ok();
  }));
  return out;
}

Result<Pause> ProjectService::RecordPause(const Principal& by, std::string_view id,
                                          const PauseInput& in) {
  Pause out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.register", {.region = r.project.region}, NowMs()));
    FieldErrors errors;
    auto kind = ParsePauseKind(in.kind);
    if (!kind) {
      errors.Add("kind",
                 "must be intermediary, utility, public_notice, hearing, expert_review or "
                 "correction");
    }
    if (in.stage < 0 || in.stage > static_cast<int>(r.stages.size())) {
      errors.Add("stage", fmt::format("must be 0 (the project) to {}", r.stages.size()));
    }
    Date from = Today();
    if (!in.from.empty()) {
      auto d = Date::Parse(in.from);
      if (d.ok()) {
        from = *d;
      } else {
        errors.Add("from", "must be a date YYYY-MM-DD");
      }
    }
    std::string to;
    if (!in.to.empty()) {
      auto d = Date::Parse(in.to);
      if (!d.ok() || *d < from) {
        errors.Add("to", "must be a date YYYY-MM-DD, not before from");
      } else {
        to = d->ToString();
      }
    }
    if (in.note.size() > kMaxText) errors.Add("note", "at most 2000 bytes");
    if (!errors.empty()) return errors.ToError("the pause is invalid");
    out = {.id = static_cast<int64_t>(r.pauses.size()) + 1,
           .stage = in.stage,
           .kind = *kind,
           .from = from.ToString(),
           .to = to,
           .note = in.note};
    const std::string kind_name(PauseKindName(out.kind));
    const long long seq = out.id;
    store::Execute(tx.sql(), Q("insert_pause"), soci::use(r.project.id, "project_id"),
                   soci::use(seq, "seq"), soci::use(out.stage, "stage"),
                   soci::use(kind_name, "kind"), soci::use(out.from, "from_on"),
                   soci::use(out.to, "to_on"), soci::use(out.note, "note"));
    tx.AddEvent(r.project.id, "paused", by.account.id, NowMs(),
                fmt::format("{} stage {} from {}", kind_name, out.stage, out.from));
    return Ok();
  }));
  return out;
}

Result<Pause> ProjectService::EndPause(const Principal& by, std::string_view id, int64_t pause,
                                       std::string_view to) {
  Pause out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.register", {.region = r.project.region}, NowMs()));
    if (pause < 1 || pause > static_cast<int64_t>(r.pauses.size())) {
      return Error(ErrorCode::kNotFound, "no such pause", {{"pause", "not found"}});
    }
    Pause& p = r.pauses[pause - 1];
    if (!p.to.empty()) return Conflict("pause", "the pause has ended");
    Date end = Today();
    if (!to.empty()) {
      auto d = Date::Parse(to);
      if (!d.ok()) return Invalid("to", "must be a date YYYY-MM-DD");
      end = *d;
    }
    if (end.ToString() < p.from) return Invalid("to", "before the pause's start");
    p.to = end.ToString();
    const long long seq = p.id;
    store::Execute(tx.sql(), Q("end_pause"), soci::use(p.to, "to_on"),
                   soci::use(r.project.id, "project_id"), soci::use(seq, "seq"));
    out = p;
    tx.AddEvent(r.project.id, "pause_ended", by.account.id, NowMs(),
                fmt::format("{} {}", PauseKindName(p.kind), p.to));
    return Ok();
  }));
  return out;
}

Result<ProjectMatter> ProjectService::Exempt(const Principal& by, std::string_view id,
                                             std::string_view matter, std::string_view assessment) {
  ProjectMatter out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.configure", {.region = r.project.region}, NowMs()));
    TB_ASSIGN_OR_RETURN(ProjectMatter * m, MatterOf(r, matter));
    if (m->state != MatterState::kPending && m->state != MatterState::kPreReviewed) {
      return Conflict("state", fmt::format("the matter is {}", MatterStateName(m->state)));
    }
    if (assessment.empty()) {
      return Refused("an exemption needs a regional assessment (区域评估) as its basis",
                     {{"assessment", "required"}});
    }
    const RegionConfig* cfg = regions_.For(r.project.region);
    const Assessment* found = nullptr;
    if (cfg != nullptr) {
      for (const Assessment& a : cfg->assessments) {
        if (a.id == assessment) found = &a;
      }
    }
    if (found == nullptr) {
      return Refused(
          fmt::format("no regional assessment {} in region {}", assessment, r.project.region),
          {{"assessment", "not a regional assessment of the project's region"}});
    }
    const Date today = Today();
    if (today < found->valid_from || found->valid_to < today) {
      return Refused(fmt::format("regional assessment {} is valid {} … {}", found->id,
                                 found->valid_from.ToString(), found->valid_to.ToString()),
                     {{"assessment", "not valid today"}});
    }
    if (std::find(found->exempts.begin(), found->exempts.end(), m->code) == found->exempts.end()) {
      return Refused(fmt::format("regional assessment {} does not cover {}", found->id, m->code),
                     {{"assessment", "does not cover the matter"}});
    }
    m->state = MatterState::kExempted;
    m->basis = fmt::format("区域评估 {} {}（{}）", found->id, found->title, found->basis);
    out = *m;
    if (r.stages[m->stage - 1].state == StageState::kRunning && StageDone(r, m->stage)) {
      r.stages[m->stage - 1].state = StageState::kConcluded;
      r.stages[m->stage - 1].concluded_on = today.ToString();
    }
    tx.AddEvent(r.project.id, "exempted", by.account.id, NowMs(),
                fmt::format("{} by {}", m->code, found->id));
    return Ok();
  }));
  return out;
}

Result<Savings> ProjectService::SavingsReport(const Principal& by, std::string_view region) {
  TB_ASSIGN_OR_RETURN(ProjectStatistics s, Statistics(by, region));
  return s.savings;
}

Result<Batch> ProjectService::BatchReview(const Principal& by, const BatchInput& in) {
  FieldErrors errors;
  if (in.items.empty() || in.items.size() > 200) errors.Add("items", "1 to 200 items");
  std::set<std::string> projects;
  for (size_t i = 0; i < in.items.size(); ++i) {
    const std::string path = fmt::format("items[{}]", i);
    if (in.items[i].matter != in.items[0].matter) {
      errors.Add(path + ".matter", fmt::format("{} differs from {}: a batch reviews one matter",
                                               in.items[i].matter, in.items[0].matter));
    }
    if (!projects.insert(in.items[i].project_id).second) {
      errors.Add(path + ".project_id", "appears twice");
    }
  }
  if (!errors.empty()) return errors.ToError("the batch is invalid");
  Batch batch{.id = NewId(*clock_), .matter = in.items[0].matter};
  const int64_t now = NowMs();
  const Date today = Today();
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    FieldErrors item_errors;
    for (size_t i = 0; i < in.items.size(); ++i) {
      const std::string path = fmt::format("items[{}]", i);
      auto loaded = tx.Load(in.items[i].project_id, true);
      if (!loaded.ok()) {
        item_errors.Add(path + ".project_id", "not found");
        continue;
      }
      ProjectRecord& r = *loaded;
      ProjectMatter* m = FindMatter(r, batch.matter);
      if (m == nullptr) {
        item_errors.Add(path + ".matter", "not a matter of the project");
        continue;
      }
      Status allowed = ReviewAllowed(by, r.project.region, m->department, now);
      if (!allowed.ok()) return allowed;
      Status decided = DecideIn(r, *m, in.approve, today, batch.id);
      if (!decided.ok()) {
        item_errors.Add(path, decided.error().message());
        continue;
      }
      tx.Save(r);
      tx.AddEvent(
          r.project.id, in.approve ? "approved" : "denied", by.account.id, now,
          fmt::format("{} {} in batch {}: {}", m->code, m->document_number, batch.id, in.note));
      batch.documents.push_back({.project_id = r.project.id,
                                 .project_code = r.project.code,
                                 .document_number = m->document_number});
    }
    if (!item_errors.empty()) {
      Error e = item_errors.ToError("the batch cannot be decided");
      return Error(ErrorCode::kRefused, e.message(), e.fields());
    }
    const std::string decision = in.approve ? "approve" : "deny";
    const int count = static_cast<int>(batch.documents.size());
    store::Execute(sql, Q("insert_batch"), soci::use(batch.id, "id"),
                   soci::use(batch.matter, "matter"), soci::use(decision, "decision"),
                   soci::use(by.account.id, "reviewed_by"), soci::use(now, "at"),
                   soci::use(in.note, "note"), soci::use(count, "projects"));
    return Ok();
  }));
  return batch;
}

Result<std::vector<Delegation>> ProjectService::Delegations(std::string_view region,
                                                            std::string_view on) {
  std::optional<Date> day;
  if (!on.empty()) {
    auto d = Date::Parse(on);
    if (!d.ok()) return Invalid("on", "must be a date YYYY-MM-DD");
    day = *d;
  }
  return db_.Transaction<std::vector<Delegation>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Delegation>> {
        Tx tx(*this, sql);
        std::vector<Delegation> out;
        for (Delegation& d : tx.AllDelegations()) {
          if (!region.empty() && d.region != region) continue;
          if (day && (*day < d.valid_from || d.valid_to < *day)) continue;
          out.push_back(std::move(d));
        }
        return out;
      });
}

Status ProjectService::AddDelegation(const Principal& by, const Delegation& d) {
  FieldErrors errors;
  if (d.region.size() != 6 || !LookupRegion(d.region).ok()) errors.Add("region", "a region code");
  if (d.matter.empty()) errors.Add("matter", "required");
  if (d.to_department.empty()) errors.Add("to", "required: the park's department");
  if (d.basis.empty()) errors.Add("basis", "required: the delegation's legal basis");
  if (d.valid_to < d.valid_from) errors.Add("valid_to", "before valid_from");
  if (!errors.empty()) return errors.ToError("the delegation is invalid");
  TB_RETURN_IF_ERROR(people::Authorize(by, "project.configure", {.region = d.region}, NowMs()));
  return db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    tx.UpsertDelegation(d);
    return Ok();
  });
}

Result<ProjectService::Competent> ProjectService::CompetentDepartment(std::string_view region,
                                                                      std::string_view matter,
                                                                      std::string_view department,
                                                                      Date on) {
  return db_.Transaction<Competent>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<Competent> {
        Tx tx(*this, sql);
        return tx.CompetentFor(std::string(region), std::string(matter),
                               FullDepartment(region, department), on);
      });
}

Result<Escalation> ProjectService::Escalate(const Principal& by, std::string_view id,
                                            const EscalateInput& in) {
  Escalation out;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.escalate", {.region = r.project.region}, NowMs()));
    if (r.project.state != "active") return Conflict("state", "the project is completed");
    const Date today = Today();
    FieldErrors errors;
    if (in.reason.empty() || in.reason.size() > kMaxText) {
      errors.Add("reason", "required: why the project is blocked");
    }
    if (!in.meeting_on.empty() && !Date::Parse(in.meeting_on).ok()) {
      errors.Add("meeting_on", "must be a date YYYY-MM-DD");
    }
    if (in.parts.empty()) errors.Add("parts", "required: a task for each department involved");
    std::set<std::string> departments;
    for (size_t i = 0; i < in.parts.size(); ++i) {
      const std::string path = fmt::format("parts[{}]", i);
      const EscalationPart& p = in.parts[i];
      if (p.department.empty()) errors.Add(path + ".department", "required");
      if (!departments.insert(p.department).second) errors.Add(path + ".department", "twice");
      if (p.task.empty()) errors.Add(path + ".task", "required");
      auto due = Date::Parse(p.due_on);
      if (!due.ok() || *due < today) errors.Add(path + ".due_on", "a date, today or later");
    }
    if (!errors.empty()) return errors.ToError("the escalation is invalid");
    out = {.id = NewId(*clock_),
           .project_id = r.project.id,
           .reason = in.reason,
           .meeting_on = in.meeting_on,
           .created_by = by.account.id,
           .created_at = NowMs()};
    store::Execute(tx.sql(), Q("insert_escalation"), soci::use(out.id, "id"),
                   soci::use(out.project_id, "project_id"), soci::use(out.reason, "reason"),
                   soci::use(out.meeting_on, "meeting_on"), soci::use(out.created_by, "created_by"),
                   soci::use(out.created_at, "created_at"));
    for (const EscalationPart& p : in.parts) {
      EscalationPart part{.department = p.department, .task = p.task, .due_on = p.due_on};
      store::Execute(tx.sql(), Q("insert_escalation_part"), soci::use(out.id, "escalation_id"),
                     soci::use(part.department, "department"), soci::use(part.task, "task"),
                     soci::use(part.due_on, "due_on"), soci::use(part.done_on, "done_on"),
                     soci::use(part.note, "note"));
      out.parts.push_back(std::move(part));
    }
    tx.AddEvent(r.project.id, "escalated", by.account.id, out.created_at,
                fmt::format("{}: {}", out.id, in.reason));
    return Ok();
  }));
  return out;
}

Result<Escalation> ProjectService::CompletePart(const Principal& by, std::string_view escalation,
                                                std::string_view department,
                                                std::string_view note) {
  std::string project_id;
  const std::string eid(escalation);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    store::Execute(sql, Q("escalation_project"), soci::use(eid, "id"), soci::into(project_id));
    return Ok();
  }));
  if (project_id.empty()) {
    return Error(ErrorCode::kNotFound, "no such escalation", {{"escalation", "not found"}});
  }
  Escalation out;
  TB_RETURN_IF_ERROR(OnProject(project_id, [&](Tx& tx, ProjectRecord& r) -> Status {
    const people::Target target{.region = r.project.region, .department = std::string(department)};
    const int64_t now = NowMs();
    if (by.account.department != department ||
        (!people::Authorize(by, "project.escalate", target, now).ok() &&
         !people::Authorize(by, "project.review", target, now).ok())) {
      return Error(ErrorCode::kForbidden, "only the department's staff report its part done");
    }
    const std::string dep(department), done = Today().ToString(), text(note);
    const store::Executed e = store::Execute(
        tx.sql(), Q("complete_escalation_part"), soci::use(done, "done_on"),
        soci::use(text, "note"), soci::use(eid, "escalation_id"), soci::use(dep, "department"));
    if (e.affected_rows == 0) {
      return Conflict("department", "no open part of this department in the escalation");
    }
    tx.AddEvent(r.project.id, "escalation_part_done", by.account.id, now,
                fmt::format("{} {}: {}", eid, dep, note));
    return Ok();
  }));
  TB_ASSIGN_OR_RETURN(ProjectRecord r,
                      db_.Transaction<ProjectRecord>(
                          store::TxKind::kRead, [&](soci::session& sql) -> Result<ProjectRecord> {
                            Tx tx(*this, sql);
                            return tx.Load(project_id, false);
                          }));
  for (const Escalation& e : r.escalations) {
    if (e.id == eid) out = e;
  }
  return out;
}

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
      Tx tx(*this, sql);
      TB_ASSIGN_OR_RETURN(ProjectRecord r, tx.Load(id, false));
      FillClocks(r);
      const std::string subject = "project:" + r.project.id;
      const std::string centre = r.project.region + "-zwzx";
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

Result<ProjectStatistics> ProjectService::Statistics(const Principal& by, std::string_view region) {
  const int64_t now = NowMs();
  const std::string scope(region);
  if (!people::Authorize(by, "project.read", {.region = scope}, now).ok()) {
    TB_RETURN_IF_ERROR(people::Authorize(by, "report.read", {.region = scope}, now));
  }
  return db_.Transaction<ProjectStatistics>(
      store::TxKind::kRead,
      [&](soci::session& sql) -> Result<ProjectStatistics> { return StatisticsIn(sql, region); });
}

Result<ProjectStatistics> ProjectService::StatisticsIn(soci::session& sql,
                                                       std::string_view region) {
  ProjectStatistics s;
  const std::string prefix = RegionPrefix(region);
  Status status = [&]() -> Status {
    Tx tx(*this, sql);
    std::vector<std::string> ids;
    {
      const int limit = 100000;
      soci::rowset<soci::row> rows = (sql.prepare << Q("list_projects"),
                                      soci::use(prefix, "prefix"), soci::use(limit, "limit"));
      for (const soci::row& row : rows) ids.push_back(RowStr(row, 0));
    }
    for (const std::string& id : ids) {
      TB_ASSIGN_OR_RETURN(ProjectRecord r, tx.Load(id, false));
      const ProjectClock c = ClockOf(r, 0);
      ++s.projects;
      int current = 0;
      for (const Stage& st : r.stages) {
        if (st.state != StageState::kConcluded) {
          current = st.seq;
          break;
        }
      }
      ++s.per_stage[current];
      const bool completed = r.project.state == "completed";
      if (completed) {
        ++s.completed;
        s.budget_days_total += c.budget_days;
        s.used_days_total += c.used_days;
      }
      if (c.remaining_days < 0) ++s.over_budget;
      // The stages' matters run in parallel: a stage's legal time is its longest matter's.
      std::map<int, int> stage_legal;
      for (const ProjectMatter& m : r.matters) {
        if (completed && m.state == MatterState::kApproved) {
          stage_legal[m.stage] = std::max(stage_legal[m.stage], m.legal_days);
        }
        if (m.state == MatterState::kRemoved || m.state == MatterState::kExempted) {
          if (m.state == MatterState::kRemoved) ++s.savings.matters_removed;
          if (m.state == MatterState::kExempted) ++s.savings.matters_exempted;
          s.savings.days_saved += m.legal_days;
          s.savings.fees_saved_fen += m.fee_fen;
          ++s.savings.by_matter[m.code];
        }
      }
      for (const auto& [stage, days] : stage_legal) s.legal_days_total += days;
    }
    return Ok();
  }();
  TB_RETURN_IF_ERROR(status);
  return s;
}

}  // namespace tongban::projects
