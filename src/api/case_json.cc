#include "api/case_json.h"

#include <fmt/format.h>

#include <charconv>

#include "api/json_body.h"
#include "people/timestamp.h"

namespace tongban::api::case_json {

json DateJson(const std::optional<Date>& d) { return d ? json(d->ToString()) : json(nullptr); }

json ClockJson(const cases::CaseClock& k) {
  return {{"limit", {{"value", k.limit.value}, {"unit", catalog::EnumId(k.limit.unit)}}},
          {"extension_days", k.extension_days},
          {"started_on", DateJson(k.started_on)},
          {"due_on", DateJson(k.due_on)},
          {"suspended", k.suspended},
          {"remaining", k.remaining},
          {"remaining_working_days", k.remaining_working_days},
          {"overdue", k.overdue}};
}

json ResultLicence(const std::function<Result<json>(const std::string&)>& lookup,
                   const std::string& number) {
  if (!lookup) return nullptr;
  auto l = lookup(number);
  return l.ok() ? *l : json(nullptr);
}

json DocumentRef(const std::string& number, const cases::Document& d) {
  return {{"id", d.id},
          {"kind", cases::DocumentKindName(d.kind)},
          {"title", cases::DocumentKindTitle(d.kind)},
          {"issued_on", d.issued_on.ToString()},
          {"href", fmt::format("/api/v1/cases/{}/documents/{}", number, d.id)}};
}

json CaseJson(const cases::Case& c) {
  json materials = json::array();
  for (const cases::CaseMaterial& m : c.materials) {
    materials.push_back({{"index", m.index},
                         {"name", m.name},
                         {"required", m.required},
                         {"core", m.core},
                         {"state", cases::MaterialStateName(m.state)},
                         {"origin", cases::MaterialOriginName(m.origin)},
                         {"reference", Nullable(m.reference)},
                         {"sm3", Nullable(m.content_hash)},
                         {"size", m.size},
                         {"media_type", Nullable(m.media_type)},
                         {"file_name", Nullable(m.file_name)},
                         {"due_on", DateJson(m.due_on)}});
  }
  json documents = json::array();
  for (const cases::Document& d : c.documents) documents.push_back(DocumentRef(c.number, d));
  json form = json::object();
  for (const auto& [k, v] : c.form) form[k] = v;
  return {{"number", c.number},
          {"state", cases::CaseStateName(c.state)},
          {"version", c.version},
          {"matter",
           {{"code", c.matter},
            {"name", c.matter_name},
            {"version", c.matter_version},
            {"kind", catalog::EnumId(c.kind)}}},
          {"scenario", c.scenario},
          {"region", c.region},
          {"department", c.department},
          {"applicant",
           {{"kind", cases::ApplicantKindName(c.applicant_kind)},
            {"code", c.applicant_code},
            {"name", c.applicant_name},
            {"agent_account", Nullable(c.agent_account)}}},
          {"channel", cases::ChannelName(c.channel)},
          {"submitted_by", c.submitted_by},
          {"clerk_account", Nullable(c.clerk_account)},
          {"window", Nullable(c.window)},
          {"received_on", c.received_on.ToString()},
          {"received_at", people::FormatTimestamp(c.received_at_ms)},
          {"accepted_by", Nullable(c.accepted_by)},
          {"correction_items", c.correction_items},
          {"suspension_reason", c.suspension_reason
                                    ? json(cases::SuspensionReasonName(*c.suspension_reason))
                                    : json(nullptr)},
          {"decided_by", Nullable(c.decided_by)},
          {"form", form},
          {"materials", materials},
          {"documents", documents},
          {"clock", ClockJson(c.clock)},
          {"remaining_working_days", c.clock.remaining_working_days}};
}

json SummaryJson(const cases::CaseSummary& s) {
  json out = {{"number", s.number},
              {"matter", s.matter},
              {"region", s.region},
              {"department", s.department},
              {"applicant_name", s.applicant_name},
              {"state", cases::CaseStateName(s.state)},
              {"received_on", s.received_on.ToString()},
              {"received_at", people::FormatTimestamp(s.received_at_ms)},
              {"href", "/api/v1/cases/" + s.number}};
  if (s.accept_due_on) out["accept_due_on"] = s.accept_due_on->ToString();
  return out;
}

json TimeJson(const std::optional<Timestamp>& t) {
  if (!t) return nullptr;
  return people::FormatTimestamp(
      std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count());
}

json StepJson(const cases::ReviewStep& s) {
  return {{"task_id", s.task_id},
          {"element_id", s.element_id},
          {"name", s.name},
          {"step", Nullable(s.step)},
          {"department", s.department},
          {"assignee", Nullable(s.assignee)},
          {"candidate_groups", s.candidate_groups},
          {"due", TimeJson(s.due)},
          {"due_on", DateJson(s.due_on)},
          {"overdue", s.overdue},
          {"complete", fmt::format("/api/v1/review-tasks/{}/complete", s.task_id)}};
}

json ReviewJson(const cases::Review& r) {
  json steps = json::array();
  for (const auto& s : r.steps) steps.push_back(StepJson(s));
  return {{"instance_id", r.instance_id},
          {"process_id", r.process_id},
          {"status", r.status},
          {"joint", r.joint},
          {"steps", steps}};
}

json BundleJson(const cases::BundleApplication& a) {
  json matters = json::array();
  for (const cases::Case& c : a.cases) {
    matters.push_back({{"matter", {{"code", c.matter}, {"name", c.matter_name}}},
                       {"case", c.number},
                       {"state", cases::CaseStateName(c.state)},
                       {"decision_reasons", Nullable(c.decision_reasons)},
                       {"clock", ClockJson(c.clock)},
                       {"href", "/api/v1/cases/" + c.number}});
  }
  return {{"number", a.number},
          {"bundle", {{"code", a.bundle}, {"name", a.name}}},
          {"region", a.region},
          {"process_id", a.process_id},
          {"instance_id", Nullable(a.instance_id)},
          {"status", Nullable(a.status)},
          {"concluded", a.concluded},
          {"clock",
           {{"due_on", DateJson(a.due_on)},
            {"remaining_working_days", a.remaining_working_days},
            {"overdue", a.overdue}}},
          {"matters", matters}};
}

// Where a case stands for its applicant: the four stages of the law (受理, 审查, 决定, 办结),
// each done or not with its date where a sealed document dates it, and the current one.
json ProgressJson(const cases::Case& c) {
  using cases::CaseState;
  using cases::DocumentKind;
  auto issued = [&](std::initializer_list<DocumentKind> kinds) -> json {
    for (const cases::Document& d : c.documents) {
      for (DocumentKind k : kinds) {
        if (d.kind == k) return d.issued_on.ToString();
      }
    }
    return nullptr;
  };
  int reached = 0;  // stages done
  switch (c.state) {
    case CaseState::kSubmitted:
    case CaseState::kCorrectionRequested:
    case CaseState::kRefused:
      reached = 1;
      break;
    case CaseState::kWithdrawn:
    case CaseState::kTerminated:
      reached = c.clock.started_on ? 2 : 1;
      break;
    case CaseState::kUnderReview:
    case CaseState::kSuspended:
      reached = 2;
      break;
    case CaseState::kApproved:
    case CaseState::kDenied:
      reached = 3;
      break;
    case CaseState::kConcluded:
      reached = 4;
      break;
  }
  const json steps = json::array(
      {{{"step", "submitted"}, {"title", "申请"}, {"done", true}, {"on", c.received_on.ToString()}},
       {{"step", "accepted"},
        {"title", "受理"},
        {"done", reached >= 2},
        {"on", issued({DocumentKind::kAcceptanceNotice})}},
       {{"step", "decided"},
        {"title", "决定"},
        {"done", reached >= 3},
        {"on", issued({DocumentKind::kApprovalDecision, DocumentKind::kDenialDecision})}},
       {{"step", "concluded"}, {"title", "办结"}, {"done", reached >= 4}, {"on", nullptr}}});
  return {{"state", cases::CaseStateName(c.state)},
          {"steps_done", reached},
          {"steps_total", 4},
          {"steps", steps},
          {"final", cases::IsFinal(c.state)},
          {"remaining_working_days", c.clock.remaining_working_days},
          {"overdue", c.clock.overdue}};
}

void WriteCase(httplib::Response& res, const cases::Case& c, int status) {
  res.set_header("ETag", fmt::format("\"{}\"", c.version));
  WriteJson(res, CaseJson(c), status);
}

Result<std::optional<int64_t>> IfMatch(const httplib::Request& req) {
  if (!req.has_header("If-Match")) return std::optional<int64_t>();
  std::string v = req.get_header_value("If-Match");
  if (v.starts_with("W/")) v = v.substr(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  int64_t version = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
  if (ec != std::errc() || end != v.data() + v.size() || version < 1) {
    return Error(ErrorCode::kInvalidArgument, "If-Match must be an ETag of this case",
                 {{"If-Match", "is not a case version"}});
  }
  return std::optional<int64_t>(version);
}

std::optional<int> Index(const std::string& text) {
  int index = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (ec != std::errc() || end != text.data() + text.size() || index < 0) return std::nullopt;
  return index;
}

}  // namespace tongban::api::case_json
