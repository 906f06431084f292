// Exemptions (极简审), the savings report, batch review (批量审) and delegation (赋权).
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "base/embedded.h"
#include "base/id.h"
#include "base/region.h"
#include "base/uscc.h"
#include "people/authorization.h"
#include "projects/service_impl.h"

namespace tongban::projects {

using nlohmann::json;
using people::Principal;

Result<ProjectMatter> ProjectService::Exempt(const Principal& by, std::string_view id,
                                             std::string_view matter, std::string_view assessment) {
  ProjectMatter out;
  ProjectRecord exempted;
  TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
    TB_RETURN_IF_ERROR(
        people::Authorize(by, "project.configure", {.region = r.project.region}, NowMs()));
    TB_ASSIGN_OR_RETURN(ProjectMatter * m, MatterOf(r, matter));
    if (m->state != MatterState::kPending && m->state != MatterState::kPreReviewed &&
        m->state != MatterState::kUnderReview) {
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
    exempted = r;
    return Ok();
  }));
  // The matter needs no review any more: its open case is withdrawn with the exemption as the
  // reason (the case's step unlinks it). A case already decided or closed stays as it is.
  if (!out.case_number.empty() && matter_cases_ != nullptr) {
    const std::string reason = fmt::format("免于审查（极简审）：{}", out.basis);
    Status withdrawn = matter_cases_->Withdraw(exempted, out.case_number, reason);
    if (!withdrawn.ok()) {
      spdlog::warn("project {}: the case {} of exempted {} not withdrawn: {}",
                   exempted.project.code, out.case_number, out.code, withdrawn.error().ToString());
      TB_RETURN_IF_ERROR(OnProject(id, [&](Tx& tx, ProjectRecord& r) -> Status {
        tx.AddEvent(
            r.project.id, "case_not_withdrawn", "system", NowMs(),
            fmt::format("{} {}: {}", out.code, out.case_number, withdrawn.error().message()));
        return Ok();
      }));
    } else {
      out.case_number.clear();
    }
  }
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
  std::vector<std::string> cases;  // the matters decided through their cases, after the commit
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
      if (!m->case_number.empty()) {
        // Decided through its case after this transaction; every case is checked first.
        Status ready = m->state != MatterState::kUnderReview
                           ? Conflict("state", fmt::format("{} is {}, not under review", m->code,
                                                           MatterStateName(m->state)))
                       : matter_cases_ == nullptr
                           ? Error(ErrorCode::kUnavailable, "the cases are not attached")
                           : matter_cases_->CanDecide(by, m->case_number);
        if (!ready.ok()) {
          item_errors.Add(path, ready.error().message());
          continue;
        }
        m->batch_id = batch.id;
        cases.push_back(m->case_number);
        tx.Save(r);
        tx.AddEvent(
            r.project.id, "batch_review", by.account.id, now,
            fmt::format("{} 办件 {} in batch {}: {}", m->code, m->case_number, batch.id, in.note));
        batch.documents.push_back({.project_id = r.project.id,
                                   .project_code = r.project.code,
                                   .document_number = m->case_number});
        continue;
      }
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
  // Each case decided on its own, as its approver's inbox would (its decision reaches the
  // matter through OnMatterCase). One that fails now (decided meanwhile) is reported.
  FieldErrors failed;
  for (size_t i = 0; i < cases.size(); ++i) {
    Status decided = matter_cases_->Decide(by, cases[i], in.approve, in.note);
    if (!decided.ok()) failed.Add(fmt::format("cases.{}", cases[i]), decided.error().message());
  }
  if (!failed.empty()) {
    Error e = failed.ToError("some cases of the batch were not decided");
    return Error(ErrorCode::kConflict, e.message(), e.fields());
  }
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

}  // namespace tongban::projects
