// The clocks of a project and its stages, and the typed pauses that stop them or not.
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

namespace tongban::projects {

using nlohmann::json;
using people::Principal;

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

}  // namespace tongban::projects
