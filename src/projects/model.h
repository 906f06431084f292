// Construction projects (工程建设项目) as plain values: the stage templates and the regional
// configuration (data/projects/*.yaml), a project with its stages, matters, materials, pauses,
// flow table, batches and escalations. No storage, no HTTP.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "projects/project_code.h"

namespace tongban::projects {

// 政府投资 / 社会投资 / 社会投资小型低风险: selects the stage template and the budget.
enum class ProjectType { kGovernmentInvestment, kSocialInvestment, kSmallLowRisk };
std::string_view ProjectTypeName(ProjectType t);
std::optional<ProjectType> ParseProjectType(std::string_view name);

// What stops or runs alongside the government's clock, recorded separately so the figure is
// honest: 中介服务, 市政公用报装接入, 公示, 听证, 专家评审, 申请人补正.
enum class PauseKind {
  kIntermediary,
  kUtility,
  kPublicNotice,
  kHearing,
  kExpertReview,
  kCorrection
};
std::string_view PauseKindName(PauseKind k);
std::optional<PauseKind> ParsePauseKind(std::string_view name);
const std::vector<PauseKind>& AllPauseKinds();

enum class StageState { kPending, kRunning, kConcluded };
std::string_view StageStateName(StageState s);
std::optional<StageState> ParseStageState(std::string_view name);

// pending → (pre_reviewed) → under_review → approved | denied; removed and exempted never run.
enum class MatterState {
  kPending,
  kPreReviewed,
  kUnderReview,
  kApproved,
  kDenied,
  kRemoved,
  kExempted
};
std::string_view MatterStateName(MatterState s);
std::optional<MatterState> ParseMatterState(std::string_view name);
bool IsDone(MatterState s);  // approved, removed or exempted: the stage's result is there

// The case material states (src/cases): submitted, or 容缺 gap (the result waits for it),
// 承诺补交 supply_later (result now, the material by a deadline), 证明事项告知承诺 proof_waived.
enum class MaterialState { kSubmitted, kGap, kSupplyLater, kProofWaived };
std::string_view MaterialStateName(MaterialState s);
std::optional<MaterialState> ParseMaterialState(std::string_view name);

// --- Templates and regional configuration (data) ---

struct TemplateMaterial {
  std::string name{};
  bool core = false;  // 核心材料: never a gap, never supplied later
};

struct TemplateMatter {
  std::string code{};
  std::string title{};
  std::string department{};  // the department's suffix in the region: "zrzyj" → "430603-zrzyj"
  int legal_days = 0;
  int share_days = 0;
  int64_t fee_fen = 0;  // fees and required reports the applicant typically pays (fee_yuan × 100)
  std::vector<TemplateMaterial> materials{};
};

struct TemplateStage {
  std::string key{};  // land_use_planning, works_permit, construction_permit, completion_acceptance
  std::string title{};
  int share_days = 0;
  std::vector<TemplateMatter> matters{};
};

struct StageTemplate {
  ProjectType type = ProjectType::kGovernmentInvestment;
  std::string title{};
  int budget_days = 0;  // what the shares add up to
  std::vector<TemplateStage> stages{};
};

// Parses one template file; every fault listed with its path ("stages[1].matters[0].code").
Result<StageTemplate> ParseTemplate(std::string_view yaml, std::string_view origin);
// The shipped templates, one per type.
Result<std::vector<StageTemplate>> ShippedTemplates();

struct Assessment {  // 区域评估
  std::string id{};
  std::string kind{};  // water_soil_conservation, cultural_relics, …
  std::string title{};
  std::string basis{};
  Date valid_from{}, valid_to{};
  std::vector<std::string> exempts{};  // matter codes whose review it replaces
};

struct Delegation {  // 赋权
  std::string region{};
  std::string matter{};
  std::string from_department{};  // suffix or full code
  std::string to_department{};    // the park administration's full code
  std::string basis{};
  Date valid_from{}, valid_to{};
};

// A template matter handled as a case of the region's catalog: the stage's start opens it
// through the cases module (one case per matter) and the case's steps drive the matter.
struct CaseMatter {
  std::string matter{};  // the template's matter code
  // The competent department this item belongs to (full code): a matter delegated to a park is
  // a case only where the park publishes its own item. "" for any department.
  std::string department{};
  std::string item{};      // the implementation item code
  std::string scenario{};  // "" for the item's first scenario
  // Form field → value: "project.name", "project.code", "project.enterprise_name",
  // "matter.findings" (the pre-review's findings, 提前审; left out when there are none) or a
  // literal.
  std::map<std::string, std::string> form{};
  // The template's material name → the catalog scenario's, where they differ.
  std::map<std::string, std::string> materials{};
};

struct RegionConfig {
  std::string region{};  // 6 digits, or "cn"
  std::string name{};
  std::map<ProjectType, int> budgets{};
  std::vector<PauseKind> counted_pauses{};
  std::map<ProjectType, std::vector<std::string>> removed{};
  std::vector<Assessment> assessments{};
  std::vector<Delegation> delegations{};
  std::vector<CaseMatter> case_matters{};
  // The entry for `matter` when `department` is competent for it; null when it is not a case.
  const CaseMatter* CaseMatterFor(std::string_view matter, std::string_view department) const;
};

struct RegionsConfig {
  std::vector<RegionConfig> regions{};
  // The entry for `region`: itself, its city (RRRR00), its province (RR0000), then "cn".
  const RegionConfig* For(std::string_view region) const;
};

Result<RegionsConfig> ParseRegionsConfig(std::string_view yaml, std::string_view origin);
Result<RegionsConfig> ShippedRegionsConfig();

// --- A project ---

struct MaterialEntry {
  std::string name{};
  bool core = false;
  MaterialState state = MaterialState::kSubmitted;
  std::string due_on{};  // supply_later: the deadline (YYYY-MM-DD)
};

struct ProjectMatter {
  int stage = 0;  // 1-based
  std::string code{};
  std::string title{};
  std::string department{};  // the competent department now (a delegation's park while valid)
  std::string delegation_basis{};
  int legal_days = 0;
  int limit_days = 0;  // its share
  int64_t fee_fen = 0;
  MatterState state = MatterState::kPending;
  std::string basis{};  // removed / exempted: why (the assessment's id and title)
  std::string started_on{}, decided_on{};
  std::string findings{};  // the pre-review's, carried over to the formal review
  std::string pre_reviewed_by{};
  std::string document_number{};  // the decision document (one per project, also in a batch)
  std::string batch_id{};
  std::vector<MaterialEntry> materials{};
  // The case handling it (issue 12): its steps decide the matter; "" when it is decided here.
  std::string case_number{};
};

struct Stage {
  int seq = 0;
  std::string key{};
  std::string title{};
  int share_days = 0;
  StageState state = StageState::kPending;
  std::string started_on{}, concluded_on{};
};

struct Pause {
  int64_t id = 0;
  int stage = 0;  // 0: the whole project
  PauseKind kind = PauseKind::kIntermediary;
  std::string from{}, to{};  // days (from, to] are paused; to "" while open
  std::string note{};
  bool counted = false;  // counts against the budget in the project's region
};

struct Project {
  std::string id{};
  std::string code{};  // 投资项目统一代码
  std::string name{};
  std::string uscc{};
  std::string enterprise_name{};
  std::string region{};
  ProjectType type = ProjectType::kGovernmentInvestment;
  int budget_days = 0;
  std::string commissioner{};  // the service commissioner's account id
  std::string state{};         // active, completed
  int flow_version = 0;
  int64_t created_at = 0;
  std::string created_by{};
};

// The clock of the project or of one stage, in working days.
struct ProjectClock {
  int budget_days = 0;
  int used_days = 0;  // government time: elapsed working days minus uncounted pauses
  int elapsed_days = 0;
  std::map<std::string, int> paused_days{};   // per pause kind
  std::vector<std::string> counted_pauses{};  // the kinds that count in this region
  int remaining_days = 0;
  std::string status{};  // not_started, on_track, warning, over_budget, concluded, concluded_late
  bool provisional = false;
};

struct FlowRow {
  int stage = 0;
  std::string matter{};
  std::string title{};
  std::string department{};
  std::vector<std::string> materials{};
  std::string milestone{};
  int limit_days = 0;
};

struct FlowTable {
  int version = 0;
  std::string edited_by{};
  int64_t edited_at = 0;
  std::string note{};
  std::vector<FlowRow> rows{};
};

struct EscalationPart {
  std::string department{};
  std::string task{};
  std::string due_on{};
  std::string done_on{};
  std::string note{};
};

struct Escalation {
  std::string id{};
  std::string project_id{};
  std::string reason{};
  std::string meeting_on{};
  std::string created_by{};
  int64_t created_at = 0;
  std::vector<EscalationPart> parts{};
};

struct Event {
  int seq = 0;
  std::string action{};
  std::string actor{};
  int64_t at = 0;
  std::string detail{};
};

struct ProjectRecord {
  Project project;
  std::vector<Stage> stages{};
  std::vector<ProjectMatter> matters{};
  std::vector<Pause> pauses{};
  std::vector<Escalation> escalations{};
  std::vector<Event> events{};
  ProjectClock clock;
  std::vector<ProjectClock> stage_clocks{};  // one per stage, same order
};

}  // namespace tongban::projects
