// The construction-project service: one write transaction per step, the project's row locked
// first; the record is loaded, changed in memory and written back with its event. This file:
// the helpers, creation, registration, import, reads and lists.
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/embedded.h"
#include "base/id.h"
#include "base/region.h"
#include "base/uscc.h"
#include "people/authorization.h"
#include "projects/service_impl.h"

namespace tongban {
extern const EmbeddedFile kProjectSql[];
extern const size_t kProjectSql_count;
}  // namespace tongban

namespace tongban::projects {

using nlohmann::json;
using people::Principal;

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

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("projects", kProjectSql, kProjectSql_count);
}

ProjectService::ProjectService(store::Database& db, Options options, store::QuerySet queries)
    : db_(db), options_(std::move(options)), queries_(std::move(queries)) {
  if (options_.calendar == nullptr) own_calendar_ = Calendar::WithEmbeddedSchedules();
  calendar_ = options_.calendar != nullptr ? options_.calendar : own_calendar_.get();
  clock_ = options_.clock != nullptr ? options_.clock : &SystemClock::Instance();
  if (options_.sms == nullptr) own_sms_ = std::make_unique<people::SimulatedSmsGateway>();
  sms_ = options_.sms != nullptr ? options_.sms : own_sms_.get();
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

Status ProjectService::CanRead(const Principal& by, const ProjectRecord& r) const {
  Status whole = CanRead(by, r.project);
  if (whole.ok()) return whole;
  const int64_t now = NowMs();
  for (const ProjectMatter& m : r.matters) {
    if (!m.department.empty() &&
        people::Authorize(by, "project.read",
                          {.region = r.project.region, .department = m.department}, now)
            .ok()) {
      return Ok();
    }
  }
  return whole;
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
  TB_RETURN_IF_ERROR(CanRead(by, r));
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
    // Readers of the whole project first; a department's reader (project.read held somewhere)
    // reads those with a matter of its department, judged on the loaded record.
    std::vector<std::pair<std::string, bool>> ids;  // id, read as a whole
    const bool may_read_some = people::HoldsPermission(by, "project.read", NowMs());
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << Q("list_projects"), soci::use(prefix, "prefix"),
           soci::use(filter.limit, "limit"));
      for (const soci::row& row : rows) {
        Project p = Tx::ProjectFromRow(row);
        const bool whole = CanRead(by, p).ok();
        if (whole || may_read_some) ids.emplace_back(p.id, whole);
      }
    }
    for (const auto& [id, whole] : ids) {
      TB_ASSIGN_OR_RETURN(ProjectRecord r, tx.Load(id, false));
      if (!whole && !CanRead(by, r).ok()) continue;
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

}  // namespace tongban::projects
