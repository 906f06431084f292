// Construction-project approval (工程建设项目审批, 国办发〔2019〕11号): a project (its 投资项目统一
// 代码, owner enterprise, region and type) runs the four stages of its type's template, each a
// set of matters approved in parallel, under one working-day budget per region and type. The
// clock counts government time; intermediary services, utility connections, public notices,
// hearings, expert reviews and the applicant's corrections are recorded as typed pauses, counted
// or not as the region says, and stated in the clock. Around it: the custom flow table per
// project (同步审, 一企一策, versioned, edited by the service commissioner), pre-review of later
// stages (提前审, findings carried over), approval with missing materials (容缺审 / 先批后验: the
// case material states), exemptions by regional assessment and removals per type (极简审),
// batch review (批量审: one decision document per project), delegation to a park (赋权), and
// escalation to a joint meeting (吹哨报到). The sweep feeds the supervision module's cards, each
// naming its recipients (the commissioner, the owner enterprise's agents) for its notices.
//
// Permissions (data/people/roles.yaml, docs/people.md): project.read, project.register
// (register projects, start stages, record pauses and materials), project.flow_table (the
// service commissioner edits the flow table), project.review (pre-review, decisions, batch
// review: the matter's department), project.configure (exemptions, delegations),
// project.escalate (the commissioner escalates; departments complete their parts).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/result.h"
#include "people/model.h"
#include "people/sms.h"
#include "projects/model.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"

namespace tongban::projects {

// The projects schema. Its sweep writes into supervision's card table: apply supervision's
// migrations first where the sweep runs.
Result<store::MigrationSet> Migrations();

struct RegisterInput {
  std::string code{};  // 投资项目统一代码
  std::string name{};
  std::string uscc{};
  std::string enterprise_name{};
  std::string region{};        // default: the code's region segment
  std::string type{};          // a ProjectType name
  std::string commissioner{};  // the service commissioner's account id
};

struct ListFilter {
  std::string region{};  // a region subtree; "" for the caller's scope
  int limit = 200;       // 1..1000
};

struct ProjectSummary {
  Project project;
  int current_stage = 0;  // the first stage not concluded; 0 when all are
  int used_days = 0;
};

// The applicant's materials for a matter at the start of its stage: name → state (and the
// deadline of a supply_later). A material not named is submitted.
struct MaterialInput {
  std::string name{};
  std::string state{};
  std::string due_on{};
};
using StageMaterials = std::map<std::string, std::vector<MaterialInput>>;  // by matter code
// Form values of the matters' cases (field → value, by matter code), beside those the region's
// `case_matters` take from the project (its name and code).
using StageForms = std::map<std::string, std::map<std::string, std::string>>;

struct PauseInput {
  int stage = 0;  // 0: the project
  std::string kind{};
  std::string from{};  // YYYY-MM-DD; default today
  std::string to{};    // "" while it lasts
  std::string note{};
};

struct BatchItem {
  std::string project_id{};
  std::string matter{};
};

struct BatchInput {
  std::vector<BatchItem> items{};
  bool approve = true;
  std::string note{};
};

struct BatchDocument {
  std::string project_id{};
  std::string project_code{};
  std::string document_number{};
};

struct Batch {
  std::string id{};
  std::string matter{};
  std::vector<BatchDocument> documents{};
};

struct EscalateInput {
  std::string reason{};
  std::string meeting_on{};             // the joint meeting's day
  std::vector<EscalationPart> parts{};  // department, task, due_on
};

struct Savings {
  int matters_removed = 0;
  int matters_exempted = 0;
  int days_saved = 0;  // the legal limits of the removed and exempted matters
  int64_t fees_saved_fen = 0;
  std::map<std::string, int> by_matter{};  // code → projects spared it
};

struct ProjectStatistics {
  int projects = 0;
  int completed = 0;
  std::map<int, int> per_stage{};  // current stage (0 = completed) → projects
  int budget_days_total = 0;       // of the completed projects
  int used_days_total = 0;         // of the completed projects
  int over_budget = 0;             // completed over their budget, or active already over
  int legal_days_total = 0;        // completed projects: per stage the longest legal limit, summed
  Savings savings;
};

// A project's warning or card as it reached one account (supervision routes it: the
// project's service commissioner and the owner enterprise's agents).
struct ProjectNotice {
  std::string id{};
  std::string project_id{};
  std::string project_code{};
  std::string role{};   // commissioner | agent
  std::string level{};  // warning | yellow | red
  std::string text{};
  int64_t created_at = 0;
  int64_t read_at = 0;
  std::string sms_state{};  // pending | sent | none (no phone on record: the portal only)
};

// A step of a matter's case, as the cases side reports it (CaseLink, inside the case's own
// write transaction).
struct MatterCaseStep {
  std::string number{};  // the case number
  std::string action{};  // "case.accepted", "case.approved", …
  std::string actor{};   // the account that took the step
  std::string note{};    // reasons, correction items, the suspension's reason
  // case.suspended: the pause kind its reason (第45条) is recorded as on the stage.
  std::optional<PauseKind> pause{};
  // The case's material states by name (provided → submitted), mirrored onto the matter.
  std::vector<std::pair<std::string, MaterialState>> materials{};
};

// The cases side of a stage's matters, implemented over the cases module's public API by
// CaseLink (case_link.h), so that this module does not depend on cases.
class MatterCases {
 public:
  virtual ~MatterCases() = default;
  // Opens the case of matter `m` of a started stage of `r` on the region's catalog item
  // `target`, for the owner enterprise through an agent it authorised now, with the matter's
  // material states; once per project and matter (a retry returns the same number).
  virtual Result<std::string> Open(const ProjectRecord& r, const ProjectMatter& m,
                                   const CaseMatter& target,
                                   const std::map<std::string, std::string>& form) = 0;
  // Whether `by` may decide case `number` now (it is under review and `by` may approve it):
  // batch review checks every item before deciding any.
  virtual Status CanDecide(const people::Principal& by, const std::string& number) = 0;
  // Decides case `number` as `by` would in the approver's inbox (batch review): its open review
  // task completed, or the case approved or denied directly when it runs no review process.
  virtual Status Decide(const people::Principal& by, const std::string& number, bool approve,
                        const std::string& note) = 0;
  // Withdraws case `number` of project `r` as its submitter, with `reason` on the case (an
  // exempted matter needs no review): its steps reach OnMatterCase, which unlinks it.
  virtual Status Withdraw(const ProjectRecord& r, const std::string& number,
                          const std::string& reason) = 0;
};

struct SweepReport {
  int warnings = 0;
  int yellow_cards = 0;
  int red_cards = 0;
};

class ProjectService {
 public:
  struct Options {
    const tongban::Clock* clock = nullptr;   // default: the system clock
    const Calendar* calendar = nullptr;      // default: the embedded national calendar
    std::optional<RegionsConfig> regions{};  // default: data/projects/regions.yaml
    std::vector<StageTemplate> templates{};  // default: data/projects/templates/*.yaml
    // The SMS adapter project notices go out through; a simulator owned by the service when
    // null (nothing is sent).
    people::SmsGateway* sms = nullptr;
  };
  // `db` must carry people's and the projects' migrations and outlive the service. The
  // configuration's delegations are saved (upserted) into the database.
  static Result<std::unique_ptr<ProjectService>> Create(store::Database& db, Options options);
  ~ProjectService();

  // Registers a project: the code checked segment by segment, the owner's USCC, the region, the
  // type selecting the template; the budget from the region; the stages' and matters' shares
  // scaled to it; matters the region removes for the type recorded as removed with that basis;
  // flow table version 1 generated. project.register over the region.
  Result<ProjectRecord> Register(const people::Principal& by, const RegisterInput& input);
  // The project with stages, matters, pauses, escalations, events and its clocks: project.read
  // over its region, its commissioner, or the owner enterprise's agents.
  Result<ProjectRecord> Get(const people::Principal& by, std::string_view id);
  Result<std::vector<ProjectSummary>> List(const people::Principal& by, const ListFilter& filter);

  // The current flow table and every earlier version (oldest first).
  Result<std::vector<FlowTable>> FlowTables(const people::Principal& by, std::string_view id);
  // Saves a new version of the flow table (project.flow_table, and the caller must be the
  // project's commissioner). `expected_version` must be the current one (kVersionMismatch
  // otherwise). Rows of stages already started cannot change; the matters of the stages not
  // started follow the new version (added, dropped, their department and limit). Every invalid
  // row is listed ("rows[2].limit_days").
  Result<FlowTable> EditFlowTable(const people::Principal& by, std::string_view id,
                                  const std::vector<FlowRow>& rows, int expected_version,
                                  std::string_view note);

  // 提前审: reviews a matter of a stage not yet started, before its predecessor's results
  // (project.review for the matter's department). The findings carry over to the formal review,
  // whose limit becomes one working day.
  Result<ProjectMatter> PreReview(const people::Principal& by, std::string_view id,
                                  std::string_view matter, std::string_view findings);
  // Starts a stage: its predecessor's matters must all be approved (or removed, exempted),
  // otherwise kRefused listing each missing result. Every core material must be submitted; the
  // others may be gap, supply_later (with a due day) or proof_waived. The competent department
  // of each matter is resolved (a valid delegation to a park wins). project.register.
  // With matters as cases, `forms` completes their cases' forms.
  Result<ProjectRecord> StartStage(const people::Principal& by, std::string_view id, int stage,
                                   const StageMaterials& materials, const StageForms& forms = {});
  // Matters as real cases (issue 12). With a MatterCases attached, starting a stage opens a case
  // for each of its matters the region lists in `case_matters` (for the competent department);
  // the case's steps then drive the matter (OnMatterCase) and Decide refuses it. `cases` must
  // outlive the service; null detaches.
  void SetMatterCases(MatterCases* cases) { matter_cases_ = cases; }
  // Opens the cases of the project's running matters that should have one and have none yet
  // (StartStage calls it; a retry after a failure). A case that cannot be opened leaves its
  // matter decided here and records the reason as a "case_not_opened" event. Returns how many
  // were opened; 0 without a MatterCases.
  Result<int> OpenCases(std::string_view id, const StageForms& forms = {});
  // Applies a step of a matter's case inside the case's transaction (`sql`): accepted and
  // concluded are recorded; a correction request opens a `correction` pause of the stage (the
  // applicant's time) that the correction's end closes; approved and denied decide the matter
  // (the case's number its document; the case's own material rules have applied); refused,
  // withdrawn or terminated unlink the case (the matter waits for a new one). Material states
  // are mirrored. Not a matter's case: nothing.
  Status OnMatterCase(soci::session& sql, const MatterCaseStep& step);

  // Marks a gap or supply_later material as submitted (project.register).
  Result<ProjectMatter> SupplyMaterial(const people::Principal& by, std::string_view id,
                                       std::string_view matter, std::string_view material);
  // Decides a matter under review (project.review for its department): approval is refused
  // while a gap material is missing (supply_later and proof_waived do not hold it up). When the
  // last matter of a stage is done, the stage concludes; after the last stage, the project.
  Result<ProjectMatter> Decide(const people::Principal& by, std::string_view id,
                               std::string_view matter, bool approve, std::string_view note);

  // Records a pause of a kind (project.register); `to` empty leaves it open until EndPause.
  Result<Pause> RecordPause(const people::Principal& by, std::string_view id,
                            const PauseInput& input);
  Result<Pause> EndPause(const people::Principal& by, std::string_view id, int64_t pause,
                         std::string_view to);

  // 极简审: exempts a matter not yet decided (pending, pre-reviewed or under review) by a
  // regional assessment of the project's region that is valid today and covers the matter
  // (project.configure). Without an assessment, or with one that does not cover it: kRefused
  // naming "assessment". The matter's open case is withdrawn with the assessment as the reason
  // (it needs no review); where that fails the exemption stands and a `case_not_withdrawn`
  // event says why.
  Result<ProjectMatter> Exempt(const people::Principal& by, std::string_view id,
                               std::string_view matter, std::string_view assessment);
  // Matters removed and exempted, working days and fees saved, over the region's projects.
  Result<Savings> SavingsReport(const people::Principal& by, std::string_view region);

  // 批量审: one review session over the same matter of several projects, each under review in
  // its department; one decision document per project, each project's matter decided and traced
  // on its own. Items naming different matters are refused ("items[i].matter").
  Result<Batch> BatchReview(const people::Principal& by, const BatchInput& input);

  // 赋权: delegations of the region valid on `on` (all when `on` is empty).
  Result<std::vector<Delegation>> Delegations(std::string_view region, std::string_view on);
  // Adds or replaces a delegation (project.configure over its region); basis and validity
  // required.
  Status AddDelegation(const people::Principal& by, const Delegation& delegation);
  // The department competent for `matter` in `region` on `on`: a valid delegation's park, else
  // `department` (a suffix is prefixed with the region). `basis` is the delegation's.
  struct Competent {
    std::string department{};
    std::string basis{};
  };
  Result<Competent> CompetentDepartment(std::string_view region, std::string_view matter,
                                        std::string_view department, Date on);

  // 吹哨报到: escalates the project to a joint meeting with a task and a deadline for each
  // department (project.escalate; the project's commissioner or staff over the region).
  Result<Escalation> Escalate(const people::Principal& by, std::string_view id,
                              const EscalateInput& input);
  // A department reports its part done (staff of that department with project.escalate or
  // project.review).
  Result<Escalation> CompletePart(const people::Principal& by, std::string_view escalation,
                                  std::string_view department, std::string_view note);

  // The supervision feed: a warning when a project or stage has at most 3 working days left, a
  // yellow card when it is over its budget or share or an escalation part is overdue, a red card
  // when a project is more than 5 working days over. Each card once (supervision_card).
  Result<SweepReport> Sweep();
  // The project warnings and cards that reached the caller, newest first (limit 1..200). Each
  // card of the sweep names its recipients; supervision's sweep queues the notices.
  Result<std::vector<ProjectNotice>> Notices(const people::Principal& by, int limit);
  // Marks one of the caller's project notices read (again: no change). kNotFound when no notice
  // of the caller has that id, so another account's notices stay invisible.
  Result<ProjectNotice> MarkNoticeRead(const people::Principal& by, std::string_view notice_id);
  // Sends the pending project notices (supervision_notice, sms_state 'pending', oldest first, at
  // most `limit`) through the SMS adapter to recipients with a phone on record (then 'sent'),
  // marking those without one 'none' (the portal lists them all the same). A notice the gateway
  // cannot take now stays pending for the next call. A crash between a send and its mark sends
  // it again with the same message id, which the gateway drops. Returns how many were sent. The
  // sweeper runs it after every sweep.
  Result<int> SendNotices(int limit = 500);

  // Projects per stage, working days against budget, legal limits, savings (project.read or
  // report.read over the region).
  Result<ProjectStatistics> Statistics(const people::Principal& by, std::string_view region);
  // The same through `sql` (a read transaction of the caller's), without a permission check:
  // for the KPI figure provider, whose report already checked report.read.
  Result<ProjectStatistics> StatisticsIn(soci::session& sql, std::string_view region);

  // Builds a new project of `type` as Register would (budget, stages, shares, removals) without
  // storing it: the demo's generator fills in its history and hands it to Import.
  Result<ProjectRecord> Draft(const RegisterInput& input, std::string_view created_by);
  // Stores projects with their history as given (stages, matters, pauses), each with flow table
  // version 1 and an "imported" event, in one transaction. For the demo; no permission check.
  // kAlreadyExists when a code is taken.
  Status Import(const std::vector<ProjectRecord>& records);
  // Projects registered in the region subtree (for the demo's "already loaded" check).
  Result<int> Count(std::string_view region);

  const RegionsConfig& regions() const { return regions_; }
  const Calendar& calendar() const { return *calendar_; }
  Date Today() const;
  const StageTemplate* TemplateFor(ProjectType type) const;

 private:
  class Tx;
  ProjectService(store::Database& db, Options options, store::QuerySet queries);
  const std::string& Q(std::string_view name) const { return queries_.Get(name, db_.backend()); }
  int64_t NowMs() const;
  ProjectClock ClockOf(const ProjectRecord& r, int stage) const;
  void FillClocks(ProjectRecord& r) const;
  Status CanRead(const people::Principal& by, const Project& p) const;
  // CanRead, or project.read over the department of one of its matters: a park's or a
  // department's reviewer reads the projects it has a matter of, not the whole county's.
  Status CanRead(const people::Principal& by, const ProjectRecord& r) const;
  using Step = std::function<Status(Tx& tx, ProjectRecord& r)>;
  Result<ProjectRecord> OnProject(std::string_view id, const Step& step);

  store::Database& db_;
  Options options_;
  std::unique_ptr<Calendar> own_calendar_;
  const Calendar* calendar_;
  const tongban::Clock* clock_;
  RegionsConfig regions_;
  std::vector<StageTemplate> templates_{};
  store::QuerySet queries_;
  std::unique_ptr<people::SimulatedSmsGateway> own_sms_;
  MatterCases* matter_cases_ = nullptr;
  people::SmsGateway* sms_;
};

}  // namespace tongban::projects
