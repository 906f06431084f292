// Yunxi's demo portfolio: a small deterministic generator (its own LCG, so every platform draws
// the same projects) that plays each project's stages forward from its start day.
#include "projects/demo.h"

#include <algorithm>
#include <chrono>
#include <map>

#include <fmt/format.h>

#include "base/uscc.h"

namespace tongban::projects {
namespace {

constexpr const char* kYunxi = "430603";
constexpr int kProjects = 113;
// The demo enterprise (data/demo/people.yaml) whose agent applies for the demo's project cases.
constexpr const char* kCaseUscc = "91430603MA4Q4E0594";
constexpr const char* kCaseEnterprise = "岳阳云溪新材料科技有限公司";

class Lcg {
 public:
  explicit Lcg(uint64_t seed) : x_(seed) {}
  int Next(int bound) {
    x_ = x_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<int>((x_ >> 33) % static_cast<uint64_t>(bound));
  }

 private:
  uint64_t x_;
};

constexpr const char* kEnterprises[] = {
    "岳阳长岭新材料有限公司",   "云溪绿源化工有限公司",     "岳阳兴长石化助剂有限公司",
    "湖南松井精细化工有限公司", "岳阳昌德新材料有限公司",   "云溪港物流有限公司",
    "岳阳鑫瑞医药化工有限公司", "湖南云溪建设投资有限公司", "岳阳中科环保材料有限公司",
    "云溪城市发展集团有限公司", "岳阳恒华科技有限公司",     "湖南道仁堂制药有限公司"};
constexpr const char* kWorks[] = {
    "年产5万吨环保型增塑剂项目", "己内酰胺产业链配套项目", "危险化学品仓储项目",
    "污水处理厂提标改造工程",    "标准化厂房建设项目",     "园区道路及管网工程",
    "年产3万吨电子化学品项目",   "研发中心及中试基地项目", "光伏发电分布式项目",
    "职工公寓建设项目",          "港口码头配套仓储项目",   "固废综合利用项目",
    "中小学校舍改扩建工程",      "安置房建设项目",         "消防站建设工程"};
constexpr const char* kDepartments[] = {"26", "27", "29", "44", "48", "59", "77", "70"};
constexpr const char* kFindings[] = {"方案符合控制性详细规划，建议优化退让",
                                     "材料齐全，待前阶段批复后出证",
                                     "专家预审通过，意见已告知企业"};

// A valid USCC of a Yunxi enterprise: 91 (工商, 企业), 430603, organization code MA4R + 4
// digits with its GB 11714 check, then the GB 32100 check.
std::string DemoUscc(int n) {
  const std::string org8 = fmt::format("MA4R{:04d}", n);
  constexpr int kWeights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) {
    const char c = org8[i];
    const int v = c >= '0' && c <= '9' ? c - '0' : c - 'A' + 10;
    sum += v * kWeights[i];
  }
  const int check = 11 - sum % 11;
  const char org_check = check == 10 ? 'X' : check == 11 ? '0' : static_cast<char>('0' + check);
  const std::string first17 = fmt::format("91{}{}{}", kYunxi, org8, org_check);
  return first17 + UsccCheckCharacter(first17);
}

int64_t MsAt(Date d) {
  // 09:00 China Standard Time = 01:00 UTC.
  return (d.days() * 86400LL + 3600LL) * 1000LL;
}

}  // namespace

Result<DemoProjects> LoadDemoProjects(store::Database& db, ProjectService& service) {
  const auto t0 = std::chrono::steady_clock::now();
  DemoProjects out;
  TB_ASSIGN_OR_RETURN(int existing, service.Count(kYunxi));
  if (existing > 0) return out;
  std::string commissioner;
  TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    store::Execute(sql, "SELECT id FROM account WHERE username = 'yunxi.service_commissioner'",
                   soci::into(commissioner));
    return Ok();
  }));
  const Calendar& cal = service.calendar();
  const Date today = service.Today();
  const RegionConfig* cfg = service.regions().For(kYunxi);
  auto add = [&](Date d, int n) { return cal.AddWorkingDays(d, n).value_or({d, false}).date; };
  auto back = [&](int n) {
    // The working day n working days before today.
    Date d = today;
    for (int step = 0; step < n;) {
      d = Date::FromDays(d.days() - 1);
      if (cal.IsWorkingDay(d).working) ++step;
    }
    return d;
  };
  Lcg rng(20261127);
  std::vector<ProjectRecord> records;
  for (int i = 0; i < kProjects; ++i) {
    const int kind = i % 9;
    const std::string type = kind < 4   ? "government_investment"
                             : kind < 7 ? "social_investment"
                                        : "small_low_risk";
    const bool completed = rng.Next(100) < 55;
    Date day = back(completed ? 70 + rng.Next(260) : 5 + rng.Next(90));
    const int year = CivilFromDays(day.days()).year;
    const char* code_type = kind < 4 ? "01" : "03";
    RegisterInput in{
        .code = MakeProjectCode(year, kYunxi, kDepartments[rng.Next(8)], code_type, 100 + i * 7),
        .name = fmt::format("{}{}", kEnterprises[i % 12], kWorks[rng.Next(15)]),
        .uscc = DemoUscc(i % 12 + 1),
        .enterprise_name = kEnterprises[i % 12],
        .type = type,
        .commissioner = commissioner};
    TB_ASSIGN_OR_RETURN(ProjectRecord r, service.Draft(in, "demo"));
    r.project.created_at = MsAt(day);
    // Regional assessments spare most projects some reviews.
    for (ProjectMatter& m : r.matters) {
      if (m.state != MatterState::kPending || cfg == nullptr) continue;
      for (const Assessment& a : cfg->assessments) {
        if (std::find(a.exempts.begin(), a.exempts.end(), m.code) == a.exempts.end()) continue;
        if (day < a.valid_from || a.valid_to < day || rng.Next(100) >= 75) continue;
        m.state = MatterState::kExempted;
        m.basis = fmt::format("区域评估 {} {}（{}）", a.id, a.title, a.basis);
      }
    }
    int pauses = 0;
    for (Stage& st : r.stages) {
      if (today < day) break;
      // Some later-stage matters were pre-reviewed while the previous stage ran.
      for (ProjectMatter& m : r.matters) {
        if (m.stage == st.seq && st.seq > 1 && m.state == MatterState::kPending &&
            rng.Next(100) < 12) {
          m.state = MatterState::kPreReviewed;
          m.findings = kFindings[rng.Next(3)];
          m.pre_reviewed_by = "demo";
          m.limit_days = 1;
        }
      }
      st.state = StageState::kRunning;
      st.started_on = day.ToString();
      int shift = 0;
      if (rng.Next(100) < 30) {
        static constexpr PauseKind kKinds[] = {PauseKind::kIntermediary, PauseKind::kExpertReview,
                                               PauseKind::kPublicNotice, PauseKind::kUtility,
                                               PauseKind::kCorrection};
        shift = 2 + rng.Next(5);
        const Date from = add(day, 1);
        const Date to = add(from, shift);
        Pause p{.id = ++pauses,
                .stage = st.seq,
                .kind = kKinds[rng.Next(5)],
                .from = from.ToString(),
                .to = today < to ? "" : to.ToString(),
                .note = "演示数据"};
        r.pauses.push_back(std::move(p));
      }
      Date last = day;
      for (ProjectMatter& m : r.matters) {
        if (m.stage != st.seq || IsDone(m.state)) continue;
        for (const Delegation& d : cfg != nullptr ? cfg->delegations : std::vector<Delegation>{}) {
          if (d.matter == m.code && d.valid_from <= day && day <= d.valid_to) {
            m.department = d.to_department;
            m.delegation_basis = d.basis;
          }
        }
        m.state = MatterState::kUnderReview;
        m.started_on = day.ToString();
        int took = 1 + rng.Next(std::max(1, m.limit_days));
        if (rng.Next(100) < 6) took = m.limit_days + 1 + rng.Next(3);  // a few late ones
        const Date decided = add(day, took + shift);
        if (today < decided) {
          if (rng.Next(100) < 20) {
            for (MaterialEntry& mat : m.materials) {
              if (!mat.core) {
                mat.state = MaterialState::kSupplyLater;
                mat.due_on = add(today, 5).ToString();
              }
            }
          }
          continue;
        }
        m.state = MatterState::kApproved;
        m.decided_on = decided.ToString();
        m.document_number = fmt::format("{}/{}", r.project.code, m.code);
        last = std::max(last, decided);
      }
      if (std::any_of(r.matters.begin(), r.matters.end(), [&](const ProjectMatter& m) {
            return m.stage == st.seq && !IsDone(m.state);
          })) {
        break;  // the stage is still running
      }
      st.state = StageState::kConcluded;
      st.concluded_on = last.ToString();
      day = add(last, 3 + rng.Next(20));  // the applicant prepares the next stage
    }
    if (std::all_of(r.stages.begin(), r.stages.end(),
                    [](const Stage& s) { return s.state == StageState::kConcluded; })) {
      r.project.state = "completed";
    }
    records.push_back(std::move(r));
  }
  // One running project's matters in the park become cases (docs/projects.md, "Matters as
  // cases"): its owner is the demo enterprise with an authorised agent, its materials submitted.
  for (ProjectRecord& r : records) {
    if (r.project.state == "completed" || cfg == nullptr) continue;
    const bool park_case = std::any_of(r.matters.begin(), r.matters.end(), [&](const auto& m) {
      return m.state == MatterState::kUnderReview && cfg->CaseMatterFor(m.code, m.department);
    });
    if (!park_case) continue;
    r.project.name.replace(0, r.project.enterprise_name.size(), kCaseEnterprise);
    r.project.uscc = kCaseUscc;
    r.project.enterprise_name = kCaseEnterprise;
    for (ProjectMatter& m : r.matters) {
      if (m.state != MatterState::kUnderReview) continue;
      for (MaterialEntry& mat : m.materials) {
        mat.state = MaterialState::kSubmitted;
        mat.due_on.clear();
      }
    }
    out.case_project = r.project.id;
    break;
  }
  TB_RETURN_IF_ERROR(service.Import(records));
  out.projects = static_cast<int>(records.size());
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace tongban::projects
