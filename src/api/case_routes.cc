#include "api/case_routes.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>

#include "api/json_body.h"
#include "people/authorization.h"
#include "people/timestamp.h"

namespace tongban::api {
namespace {

using nlohmann::json;
using people::Principal;

json Nullable(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

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

json DocumentRef(const std::string& number, const cases::Document& d) {
  return {{"id", d.id},
          {"kind", cases::DocumentKindName(d.kind)},
          {"title", cases::DocumentKindTitle(d.kind)},
          {"issued_on", d.issued_on.ToString()},
          {"href", fmt::format("/api/v1/cases/{}/documents/{}", number, d.id)}};
}

json ResultLicence(const ResultLicenceLookup& lookup, const std::string& number) {
  if (!lookup) return nullptr;
  auto l = lookup(number);
  return l.ok() ? *l : json(nullptr);
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

void WriteCase(httplib::Response& res, const cases::Case& c, int status = 200) {
  res.set_header("ETag", fmt::format("\"{}\"", c.version));
  WriteJson(res, CaseJson(c), status);
}

// The version named by If-Match (`"3"`, `W/"3"` or `3`); nullopt when absent.
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

// A form value as text: strings as they are, numbers and booleans as JSON writes them.
std::optional<std::string> FormValue(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  return std::nullopt;
}

// The channel, applicant and form of an application body, as a case submission and a bundle
// application both carry them. A single case names its channel and applicant kind; a bundle
// defaults them and must carry its merged form.
template <typename Request>
void ReadApplication(ObjectReader& r, FieldErrors& errors, bool single_case, Request& out) {
  const std::string channel = r.String("channel", single_case).value_or("online");
  if (auto c = cases::ParseChannel(channel)) {
    out.channel = *c;
  } else {
    errors.Add("channel", "must be online | mobile | window | kiosk | service_point | assisted");
  }
  if (const json* a = r.Member("applicant", json::value_t::object, false)) {
    ObjectReader ar(*a, "applicant", errors);
    const std::string kind = ar.String("kind", single_case).value_or("person");
    if (auto k = cases::ParseApplicantKind(kind)) {
      out.applicant_kind = *k;
    } else {
      errors.Add("applicant/kind", "must be person or enterprise");
    }
    out.applicant_code = ar.String("code", false).value_or("");
    out.applicant_name = ar.String("name", false).value_or("");
    out.agent_account = ar.String("agent_account", false).value_or("");
    ar.Finish();
  }
  if (const json* f = r.Member("form", json::value_t::object, !single_case)) {
    for (const auto& [k, v] : f->items()) {
      if (v.is_null()) continue;
      auto text = FormValue(v);
      if (!text) {
        errors.Add("form/" + k, "must be a string, number or boolean");
      } else {
        out.form[k] = *text;
      }
    }
  }
}

class Routes {
 public:
  Routes(cases::CaseService& cases, const Auth& auth) : cases_(cases), auth_(auth) {}
  ResultLicenceLookup result_licence;  // none: null

  std::optional<Principal> Caller(const httplib::Request& req, httplib::Response& res,
                                  const RequestContext& ctx) {
    return CallerOrProblem(auth_, req, res, ctx);
  }

  // The body as a JSON object; an empty body is an empty object (actions without fields).
  static std::optional<json> Body(const httplib::Request& req, httplib::Response& res,
                                  const RequestContext& ctx, bool empty_ok) {
    return JsonBodyOrProblem(req, res, ctx, empty_ok);
  }

  void Submit(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    cases::SubmitRequest s;
    s.idempotency_key = req.get_header_value("Idempotency-Key");
    s.matter = r.String("matter", true).value_or("");
    s.scenario = r.String("scenario", false).value_or("");
    s.sandbox = r.Bool("sandbox", false).value_or(false);  // 走流程 (case.walkthrough)
    s.window = r.String("window", false).value_or("");     // 窗口
    ReadApplication(r, errors, /*single_case=*/true, s);
    if (const json* al = r.Member("authorised_licences", json::value_t::array, false)) {
      for (const json& t : *al) {
        if (t.is_string())
          s.authorised_licences.push_back(t.get<std::string>());
        else
          errors.Add("authorised_licences", "must be licence type names");
      }
    }
    if (const json* ms = r.Member("materials", json::value_t::array, false)) {
      for (size_t i = 0; i < ms->size(); ++i) {
        const std::string path = fmt::format("materials/{}", i);
        if (!(*ms)[i].is_object()) {
          errors.Add(path, "must be an object");
          continue;
        }
        ObjectReader mr((*ms)[i], path, errors);
        cases::MaterialDeclaration d;
        d.name = mr.String("name", true).value_or("");
        const std::string state = mr.String("state", true).value_or("missing");
        if (auto st = cases::ParseMaterialState(state)) {
          d.state = *st;
        } else {
          errors.Add(path + "/state",
                     "must be missing | provided | gap | supply_later | proof_waived");
        }
        const std::string origin = mr.String("origin", false).value_or("none");
        if (auto o = cases::ParseMaterialOrigin(origin)) {
          d.origin = *o;
        } else {
          errors.Add(path + "/origin", "must be licence or register");
        }
        d.reference = mr.String("reference", false).value_or("");
        if (auto due = mr.String("due_on", false)) {
          auto date = Date::Parse(*due, path + "/due_on");
          if (date.ok()) {
            d.due_on = *date;
          } else {
            errors.Add(path + "/due_on", date.error().message());
          }
        }
        mr.Finish();
        s.materials.push_back(std::move(d));
      }
    }
    r.Finish();
    if (!errors.empty())
      return WriteProblem(res, errors.ToError("the application is invalid"), ctx);
    auto out = cases_.Submit(*caller, s);
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    res.set_header("Location", "/api/v1/cases/" + out->record.number);
    WriteCase(res, out->record, out->replayed ? 200 : 201);
  }

  void Get(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto c = cases_.Get(*caller, req.matches[1].str());
    if (!c.ok()) return WriteProblem(res, c.error(), ctx);
    json out = CaseJson(*c);
    // The review stage's open steps with their due times, when the case has a process.
    auto review = cases_.GetReview(*caller, c->number);
    out["review"] = review.ok() ? ReviewJson(*review) : json(nullptr);
    out["result_licence"] = ResultLicence(result_licence, c->number);
    res.set_header("ETag", fmt::format("\"{}\"", c->version));
    WriteJson(res, out);
  }

  void Review(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto review = cases_.GetReview(*caller, req.matches[1].str());
    if (!review.ok()) return WriteProblem(res, review.error(), ctx);
    WriteJson(res, ReviewJson(*review));
  }

  // The approver's inbox: review tasks of cases in the caller's scope, oldest first.
  void ReviewTasks(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    int limit = 50;
    if (req.has_param("limit")) {
      auto l = Index(req.get_param_value("limit"));
      if (!l || *l < 1 || *l > 500) {
        return WriteProblem(res,
                            Error(ErrorCode::kInvalidArgument, "the query is invalid",
                                  {{"limit", "must be an integer from 1 to 500"}}),
                            ctx);
      }
      limit = *l;
    }
    auto tasks = cases_.ReviewInbox(*caller, limit);
    if (!tasks.ok()) return WriteProblem(res, tasks.error(), ctx);
    json items = json::array();
    for (const auto& t : *tasks) {
      json item = StepJson(t.step);
      item["case"] = SummaryJson(t.summary);
      item["case"]["due_on"] = DateJson(t.case_due_on);
      items.push_back(std::move(item));
    }
    WriteJson(res, {{"items", items}});
  }

  void SubmitBundle(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    cases::BundleRequest b;
    b.bundle = req.matches[1].str();
    b.idempotency_key = req.get_header_value("Idempotency-Key");
    ReadApplication(r, errors, /*single_case=*/false, b);
    r.Finish();
    if (!errors.empty()) {
      return WriteProblem(res, errors.ToError("the bundle application is invalid"), ctx);
    }
    auto a = cases_.SubmitBundle(*caller, b);
    if (!a.ok()) return WriteProblem(res, a.error(), ctx);
    res.set_header("Location", "/api/v1/bundle-applications/" + a->number);
    WriteJson(res, BundleJson(*a), a->replayed ? 200 : 201);
  }

  void GetBundle(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto a = cases_.GetBundle(*caller, req.matches[1].str());
    if (!a.ok()) return WriteProblem(res, a.error(), ctx);
    WriteJson(res, BundleJson(*a));
  }

  void CompleteReviewTask(const httplib::Request& req, httplib::Response& res,
                          RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    const std::string decision = r.String("decision", true).value_or("");
    const std::string reasons = r.String("reasons", false).value_or("");
    r.Finish();
    auto parsed = cases::ParseReviewDecision(decision);
    if (!parsed && !decision.empty()) errors.Add("decision", "must be approved or denied");
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the decision is invalid"), ctx);
    auto c = cases_.CompleteReviewTask(*caller, req.matches[1].str(), *parsed, reasons);
    if (!c.ok()) return WriteProblem(res, c.error(), ctx);
    WriteCase(res, *c);
  }

  void Action(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx, true);
    if (!body) return;
    auto version = IfMatch(req);
    if (!version.ok()) return WriteProblem(res, version.error(), ctx);
    const std::string number = req.matches[1].str(), action = req.matches[2].str();
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    cases::Step step{.expected_version = *version, .note = r.String("note", false).value_or("")};
    Result<cases::Case> out = Error(ErrorCode::kNotFound, "no such action");
    if (action == "accept") {
      r.Finish();
      if (errors.empty()) out = cases_.Accept(*caller, number, step);
    } else if (action == "refuse") {
      std::string reason = r.String("reason", true).value_or("");
      std::string agency = r.String("competent_agency", true).value_or("");
      r.Finish();
      if (errors.empty()) out = cases_.Refuse(*caller, number, reason, agency, step);
    } else if (action == "correction") {
      std::vector<std::string> items;
      if (const json* list = r.Member("items", json::value_t::array, true)) {
        for (size_t i = 0; i < list->size(); ++i) {
          if ((*list)[i].is_string()) {
            items.push_back((*list)[i].get<std::string>());
          } else {
            errors.Add(fmt::format("items/{}", i), "must be a string");
          }
        }
      }
      r.Finish();
      if (errors.empty()) out = cases_.RequestCorrection(*caller, number, items, step);
    } else if (action == "fix") {
      std::map<std::string, std::string> changes;
      if (const json* f = r.Member("changes", json::value_t::object, true)) {
        for (const auto& [k, v] : f->items()) {
          auto text = v.is_null() ? std::optional<std::string>("") : FormValue(v);
          if (!text) {
            errors.Add("changes/" + k, "must be a string, number, boolean or null");
          } else {
            changes[k] = *text;
          }
        }
      }
      r.Finish();
      if (errors.empty()) out = cases_.FixForm(*caller, number, changes, step);
    } else if (action == "withdraw") {
      r.Finish();
      if (errors.empty()) out = cases_.Withdraw(*caller, number, step);
    } else if (action == "suspend") {
      const std::string reason = r.String("reason", true).value_or("");
      auto days = r.Integer("expected_days", true);
      r.Finish();
      auto parsed = cases::ParseSuspensionReason(reason);
      if (!parsed && !reason.empty()) {
        errors.Add("reason",
                   "must be one of 第45条: hearing | tendering | auction | inspection | testing | "
                   "quarantine | appraisal | expert_review");
      }
      if (days && (*days < 1 || *days > 3650)) errors.Add("expected_days", "must be 1 to 3650");
      if (errors.empty()) {
        out = cases_.Suspend(*caller, number, *parsed, static_cast<int>(*days), step);
      }
    } else if (action == "resume") {
      r.Finish();
      if (errors.empty()) out = cases_.Resume(*caller, number, step);
    } else if (action == "extend") {
      std::string reasons = r.String("reasons", true).value_or("");
      r.Finish();
      if (errors.empty()) out = cases_.Extend(*caller, number, reasons, step);
    } else if (action == "approve") {
      r.Finish();
      if (errors.empty()) out = cases_.Approve(*caller, number, step);
    } else if (action == "deny") {
      std::string reasons = r.String("reasons", true).value_or("");
      r.Finish();
      if (errors.empty()) out = cases_.Deny(*caller, number, reasons, step);
    } else if (action == "conclude") {
      r.Finish();
      if (errors.empty()) out = cases_.Conclude(*caller, number, step);
    }
    if (!errors.empty()) {
      return WriteProblem(res, errors.ToError(fmt::format("the {} request is invalid", action)),
                          ctx);
    }
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteCase(res, *out);
  }

  static std::optional<int> Index(const std::string& text) {
    int index = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), index);
    if (ec != std::errc() || end != text.data() + text.size() || index < 0) return std::nullopt;
    return index;
  }

  void Upload(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto index = Index(req.matches[2].str());
    if (!index) {
      return WriteProblem(res, Error(ErrorCode::kNotFound, "no such material"), ctx);
    }
    const std::string origin_text =
        req.has_param("origin") ? req.get_param_value("origin") : "uploaded";
    auto origin = cases::ParseMaterialOrigin(origin_text);
    if (!origin || (*origin != cases::MaterialOrigin::kUploaded &&
                    *origin != cases::MaterialOrigin::kClerkScan)) {
      return WriteProblem(res,
                          Error(ErrorCode::kInvalidArgument, "the upload is invalid",
                                {{"origin", "must be uploaded or clerk_scan"}}),
                          ctx);
    }
    auto out = cases_.SupplyMaterial(*caller, req.matches[1].str(), *index, *origin, req.body,
                                     req.get_param_value("file_name"), "");
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteCase(res, *out);
  }

  void Reference(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto body = Body(req, res, ctx, false);
    if (!body) return;
    auto index = Index(req.matches[2].str());
    if (!index) {
      return WriteProblem(res, Error(ErrorCode::kNotFound, "no such material"), ctx);
    }
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    const std::string origin_text = r.String("origin", true).value_or("");
    const std::string reference = r.String("reference", true).value_or("");
    r.Finish();
    auto origin = cases::ParseMaterialOrigin(origin_text);
    if (!origin_text.empty() && (!origin || (*origin != cases::MaterialOrigin::kLicence &&
                                             *origin != cases::MaterialOrigin::kRegister))) {
      errors.Add("origin", "must be licence or register");
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the reference is invalid"), ctx);
    auto out =
        cases_.SupplyMaterial(*caller, req.matches[1].str(), *index, *origin, "", "", reference);
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteCase(res, *out);
  }

  void Download(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto index = Index(req.matches[2].str());
    if (!index) return WriteProblem(res, Error(ErrorCode::kNotFound, "no such material"), ctx);
    auto bytes = cases_.MaterialContent(*caller, req.matches[1].str(), *index);
    if (!bytes.ok()) return WriteProblem(res, bytes.error(), ctx);
    const std::string type = cases::SniffMediaType(*bytes);
    res.set_content(*bytes, type.empty() ? "application/octet-stream" : type);
  }

  void GetDocument(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto d = cases_.GetDocument(*caller, req.matches[1].str(), req.matches[2].str());
    if (!d.ok()) return WriteProblem(res, d.error(), ctx);
    WriteJson(res, {{"id", d->id},
                    {"kind", cases::DocumentKindName(d->kind)},
                    {"title", cases::DocumentKindTitle(d->kind)},
                    {"issued_on", d->issued_on.ToString()},
                    {"department", d->department},
                    {"content", json::parse(d->content)},
                    {"signed_text", d->content},
                    {"key_id", d->key_id},
                    {"signature", d->signature},
                    {"algorithm", "SM2-with-SM3, ID 1234567812345678, DER signature in hex"}});
  }

  void Verify(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto d = cases_.GetDocument(*caller, req.matches[1].str(), req.matches[2].str());
    if (!d.ok()) return WriteProblem(res, d.error(), ctx);
    auto valid = cases_.VerifyDocument(*d);
    if (!valid.ok()) return WriteProblem(res, valid.error(), ctx);
    auto pem = cases_.DepartmentPublicKey(d->department);
    if (!pem.ok()) return WriteProblem(res, pem.error(), ctx);
    WriteJson(res, {{"document", d->id},
                    {"valid", *valid},
                    {"department", d->department},
                    {"key_id", d->key_id},
                    {"public_key", *pem}});
  }

  void Queue(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    const std::string region =
        req.has_param("region") ? req.get_param_value("region") : caller->account.region;
    // 大综窗: a clerk's queue holds every department's matters unless one is asked for.
    const std::string department = req.get_param_value("department");
    int limit = 20;
    if (req.has_param("limit")) {
      auto l = Index(req.get_param_value("limit"));
      limit = l ? *l : 0;
    }
    auto page =
        cases_.AcceptanceQueue(*caller, region, department, limit, req.get_param_value("cursor"));
    if (!page.ok()) return WriteProblem(res, page.error(), ctx);
    json items = json::array();
    for (const auto& s : page->items) items.push_back(SummaryJson(s));
    json out = {{"items", items}, {"next", nullptr}};
    if (!page->next_cursor.empty()) {
      out["next"] =
          fmt::format("/api/v1/acceptance-queue?region={}&department={}&limit={}&cursor={}", region,
                      department, limit, page->next_cursor);
    }
    WriteJson(res, out);
  }

  void DeemedAccepted(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    const int64_t now = auth_.people().Now();
    if (!people::HoldsPermission(*caller, "supervision.read", now)) {
      return WriteProblem(res, Error(ErrorCode::kForbidden, "not permitted: supervision.read"),
                          ctx);
    }
    std::optional<Date> as_of;
    if (req.has_param("as_of")) {
      auto d = Date::Parse(req.get_param_value("as_of"), "as_of");
      if (!d.ok()) {
        return WriteProblem(res,
                            Error(ErrorCode::kInvalidArgument, "the query is invalid",
                                  {{"as_of", d.error().message()}}),
                            ctx);
      }
      as_of = *d;
    }
    auto rows = cases_.DeemedAccepted(as_of);
    if (!rows.ok()) return WriteProblem(res, rows.error(), ctx);
    json items = json::array();
    for (const auto& s : *rows) {
      if (people::Authorize(*caller, "supervision.read",
                            {.region = s.region, .department = s.department, .matter = s.matter},
                            now)
              .ok()) {
        items.push_back(SummaryJson(s));
      }
    }
    WriteJson(res, {{"items", items}});
  }

  // GET /api/v1/cases?number=&applicant=&matter=&state=&region=&department=&from=&to=&overdue=
  // &limit=&cursor=: staff search within the caller's grants. The applicant's ID number is a
  // query parameter only: the access log records the path without the query, and the next link
  // carries the cursor, never the filters' values beyond what the caller sent.
  void Search(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    FieldErrors errors;
    cases::CaseQuery q;
    q.number = req.get_param_value("number");
    q.applicant = req.get_param_value("applicant");
    q.matter = req.get_param_value("matter");
    q.region = req.get_param_value("region");
    q.department = req.get_param_value("department");
    q.cursor = req.get_param_value("cursor");
    if (req.has_param("state")) {
      auto st = cases::ParseCaseState(req.get_param_value("state"));
      if (st) {
        q.state = *st;
      } else {
        errors.Add("state", "is not a case state");
      }
    }
    for (const char* name : {"from", "to"}) {
      if (!req.has_param(name)) continue;
      auto d = Date::Parse(req.get_param_value(name), name);
      if (!d.ok()) {
        errors.Add(name, d.error().message());
      } else {
        (std::string_view(name) == "from" ? q.from : q.to) = *d;
      }
    }
    if (req.has_param("overdue")) {
      const std::string v = req.get_param_value("overdue");
      if (v != "true" && v != "false") errors.Add("overdue", "must be true or false");
      q.overdue = v == "true";
    }
    if (req.has_param("limit")) {
      auto l = Index(req.get_param_value("limit"));
      q.limit = l ? *l : 0;
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the search is invalid"), ctx);
    auto page = cases_.Search(*caller, q);
    if (!page.ok()) return WriteProblem(res, page.error(), ctx);
    json items = json::array();
    for (const auto& s : page->items) items.push_back(SummaryJson(s));
    json out = {{"items", items}, {"next_cursor", Nullable(page->next_cursor)}};
    WriteJson(res, out);
  }

  // GET /api/v1/me/cases?limit=&cursor=: the caller's own cases with progress, documents and
  // the remaining working days.
  void OwnCases(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    int limit = 20;
    if (req.has_param("limit")) {
      auto l = Index(req.get_param_value("limit"));
      limit = l ? *l : 0;
    }
    auto page = cases_.OwnCases(*caller, limit, req.get_param_value("cursor"));
    if (!page.ok()) return WriteProblem(res, page.error(), ctx);
    json items = json::array();
    for (const cases::Case& c : page->items) {
      json item = CaseJson(c);
      item["progress"] = ProgressJson(c);
      items.push_back(std::move(item));
    }
    json out = {{"items", items}, {"next_cursor", Nullable(page->next_cursor)}};
    if (!page->next_cursor.empty()) {
      out["next"] = fmt::format("/api/v1/me/cases?limit={}&cursor={}", limit, page->next_cursor);
    }
    WriteJson(res, out);
  }

 private:
  cases::CaseService& cases_;
  const Auth& auth_;
};

}  // namespace

void RegisterCaseRoutes(Server& server, cases::CaseService& cases, const Auth& auth,
                        ResultLicenceLookup result_licence) {
  auto routes = std::make_shared<Routes>(cases, auth);
  routes->result_licence = result_licence;
  auto bind = [routes](void (Routes::*method)(const httplib::Request&, httplib::Response&,
                                              RequestContext&)) {
    return [routes, method](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { ((*routes).*method)(req, res, ctx); };
  };
  server.Post("/api/v1/cases", bind(&Routes::Submit));
  server.Get("/api/v1/cases", bind(&Routes::Search));
  server.Get("/api/v1/me/cases", bind(&Routes::OwnCases));
  server.Get(R"(/api/v1/cases/([^/]+))", bind(&Routes::Get));
  server.Post(
      R"(/api/v1/cases/([^/]+)/(accept|refuse|correction|fix|withdraw|suspend|resume|extend|approve|deny|conclude))",
      bind(&Routes::Action));
  server.Put(R"(/api/v1/cases/([^/]+)/materials/([^/]+))", bind(&Routes::Upload));
  server.Post(R"(/api/v1/cases/([^/]+)/materials/([^/]+))", bind(&Routes::Reference));
  server.Get(R"(/api/v1/cases/([^/]+)/materials/([^/]+))", bind(&Routes::Download));
  server.Get(R"(/api/v1/cases/([^/]+)/documents/([^/]+))", bind(&Routes::GetDocument));
  server.Get(R"(/api/v1/cases/([^/]+)/documents/([^/]+)/verification)", bind(&Routes::Verify));
  server.Get("/api/v1/acceptance-queue", bind(&Routes::Queue));
  server.Get(R"(/api/v1/cases/([^/]+)/review)", bind(&Routes::Review));
  server.Get("/api/v1/review-tasks", bind(&Routes::ReviewTasks));
  server.Post(R"(/api/v1/bundles/([^/]+)/applications)", bind(&Routes::SubmitBundle));
  server.Get(R"(/api/v1/bundle-applications/([^/]+))", bind(&Routes::GetBundle));
  server.Post(R"(/api/v1/review-tasks/(.+)/complete)", bind(&Routes::CompleteReviewTask));
  server.Get("/api/v1/supervision/deemed-accepted", bind(&Routes::DeemedAccepted));
  RegisterCaseFulfilmentRoutes(server, cases, auth, std::move(result_licence));
}

}  // namespace tongban::api

// ---- fees and payment, notices, delivery, termination ----

namespace tongban::api {
namespace {

json FeeJson(const catalog::Fee& f) {
  return {{"name", f.name}, {"amount_fen", f.amount_fen}, {"basis", f.basis}};
}

json PaymentJson(const cases::Payment& p) {
  json fees = json::array();
  for (const catalog::Fee& f : p.fees) fees.push_back(FeeJson(f));
  return {{"id", p.id},
          {"case_number", p.case_number},
          {"fees", fees},
          {"amount_fen", p.amount_fen},
          {"state", cases::PaymentStateName(p.state)},
          {"waiver_reason", Nullable(p.waiver_reason)},
          {"waived_by", Nullable(p.waived_by)},
          {"transaction_id", Nullable(p.transaction_id)},
          {"created_at", people::FormatTimestamp(p.created_at)},
          {"settled_at", p.settled_at ? json(people::FormatTimestamp(p.settled_at)) : json()}};
}

json DeliveryJson(const cases::Delivery& d) {
  return {{"case_number", d.case_number},
          {"decided_on", d.decided_on.ToString()},
          {"due_on", d.due_on.ToString()},
          {"method", d.method ? json(cases::DeliveryMethodName(*d.method)) : json()},
          {"address", Nullable(d.address)},
          {"tracking_number", Nullable(d.tracking_number)},
          {"delivered_by", Nullable(d.delivered_by)},
          {"delivered_on", DateJson(d.delivered_on)},
          {"overdue", d.overdue}};
}

json NoticeJson(const cases::Notice& n) {
  return {{"id", n.id},
          {"case_number", n.case_number},
          {"kind", n.kind},
          {"text", n.text},
          {"created_at", people::FormatTimestamp(n.created_at)},
          {"sms_sent", n.sms_sent},
          {"read", n.read}};
}

json VerificationJson(const cases::Verification& v) {
  return {{"case_number", v.case_number},
          {"department", v.department},
          {"due_on", v.due_on.ToString()},
          {"state", cases::VerificationStateName(v.state)},
          {"rectify_by", DateJson(v.rectify_by)},
          {"verified_by", Nullable(v.verified_by)},
          {"note", Nullable(v.note)}};
}

json CreditJson(const cases::CreditEntry& e) {
  return {{"id", e.id},
          {"applicant_code", e.applicant_code},
          {"kind", cases::CreditKindName(e.kind)},
          {"serious", e.serious},
          {"source", e.source},
          {"reason", e.reason},
          {"recorded_on", e.recorded_on.ToString()},
          {"expires_on", e.expires_on.ToString()},
          {"recorded_by", e.recorded_by},
          {"repaired_on", DateJson(e.repaired_on)},
          {"repaired_by", Nullable(e.repaired_by)},
          {"repair_note", Nullable(e.repair_note)},
          {"active", e.active}};
}

class FulfilmentRoutes {
 public:
  FulfilmentRoutes(cases::CaseService& cases, const Auth& auth) : cases_(cases), auth_(auth) {}
  ResultLicenceLookup result_licence;  // none: null

  void Fees(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    auto fees = cases_.Fees(*caller, req.matches[1].str());
    if (!fees.ok()) return WriteProblem(res, fees.error(), ctx);
    json items = json::array();
    int64_t total = 0;
    for (const catalog::Fee& f : *fees) {
      items.push_back(FeeJson(f));
      total += f.amount_fen;
    }
    WriteJson(res, {{"fees", items}, {"total_fen", total}});
  }

  void Payment(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    auto p = cases_.GetPayment(*caller, req.matches[1].str());
    if (!p.ok()) return WriteProblem(res, p.error(), ctx);
    WriteJson(res, PaymentJson(*p));
  }

  void Waive(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    auto body = Routes::Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    const std::string reason = r.String("reason", true).value_or("");
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the waiver is invalid"), ctx);
    auto p = cases_.WaiveFees(*caller, req.matches[1].str(), reason);
    if (!p.ok()) return WriteProblem(res, p.error(), ctx);
    WriteJson(res, PaymentJson(*p));
  }

  // The platform's callback: no token; the signature header vouches for the raw body.
  void Notification(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto body = ParseJsonBody(req);  // 415 for another type, 400 for malformed JSON
    if (!body.ok()) return WriteProblem(res, body.error(), ctx);
    auto p = cases_.PaymentCallback(req.body, req.get_header_value("X-Payment-Signature"));
    if (!p.ok()) return WriteProblem(res, p.error(), ctx);
    WriteJson(res, PaymentJson(*p));
  }

  void Delivery(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    auto d = cases_.GetDelivery(*caller, req.matches[1].str());
    if (!d.ok()) return WriteProblem(res, d.error(), ctx);
    json out = DeliveryJson(*d);
    out["result_licence"] = ResultLicence(result_licence, req.matches[1].str());
    WriteJson(res, out);
  }

  void Deliver(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    auto body = Routes::Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    cases::DeliveryRequest d;
    const std::string method = r.String("method", true).value_or("");
    if (auto m = cases::ParseDeliveryMethod(method)) {
      d.method = *m;
    } else if (!method.empty()) {
      errors.Add("method", "must be window | mail | electronic");
    }
    d.recipient = r.String("recipient", false).value_or("");
    d.address = r.String("address", false).value_or("");
    d.phone = r.String("phone", false).value_or("");
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the delivery is invalid"), ctx);
    auto out = cases_.Deliver(*caller, req.matches[1].str(), d);
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteJson(res, DeliveryJson(*out));
  }

  void Terminate(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    auto body = Routes::Body(req, res, ctx, false);
    if (!body) return;
    auto version = IfMatch(req);
    if (!version.ok()) return WriteProblem(res, version.error(), ctx);
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    const std::string reason_text = r.String("reason", true).value_or("");
    cases::Step step{.expected_version = *version, .note = r.String("note", false).value_or("")};
    r.Finish();
    auto reason = cases::ParseTerminationReason(reason_text);
    if (!reason && !reason_text.empty()) {
      errors.Add("reason",
                 "must be applicant_deceased | applicant_dissolved | gap_deadline_missed");
    }
    if (!errors.empty()) {
      return WriteProblem(res, errors.ToError("the termination is invalid"), ctx);
    }
    auto out = cases_.Terminate(*caller, req.matches[1].str(), *reason, step);
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteCase(res, *out);
  }

  void OverdueGaps(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    // Supervision, or the clerks who terminate those cases.
    const int64_t now = auth_.people().Now();
    if (!people::HoldsPermission(*caller, "supervision.read", now) &&
        !people::HoldsPermission(*caller, "case.accept", now)) {
      return WriteProblem(
          res, Error(ErrorCode::kForbidden, "not permitted: supervision.read or case.accept"), ctx);
    }
    std::optional<Date> as_of;
    if (req.has_param("as_of")) {
      auto d = Date::Parse(req.get_param_value("as_of"), "as_of");
      if (!d.ok()) return WriteProblem(res, d.error(), ctx);
      as_of = *d;
    }
    auto rows = cases_.OverdueGaps(as_of);
    if (!rows.ok()) return WriteProblem(res, rows.error(), ctx);
    json items = json::array();
    for (const cases::CaseSummary& s : *rows) items.push_back(SummaryJson(s));
    WriteJson(res, {{"items", items}});
  }

  void GetVerification(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    auto v = cases_.GetVerification(*caller, req.matches[1].str());
    if (!v.ok()) return WriteProblem(res, v.error(), ctx);
    WriteJson(res, VerificationJson(*v));
  }

  void Verify(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    auto body = Routes::Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    const std::string finding_text = r.String("finding", true).value_or("");
    std::optional<Date> rectify_by;
    if (auto text = r.String("rectify_by", false)) {
      auto d = Date::Parse(*text, "rectify_by");
      if (d.ok()) {
        rectify_by = *d;
      } else {
        errors.Add("rectify_by", d.error().message());
      }
    }
    const std::string note = r.String("note", false).value_or("");
    r.Finish();
    auto finding = cases::ParseVerificationFinding(finding_text);
    if (!finding && !finding_text.empty()) {
      errors.Add("finding", "must be true | untrue | rectified | not_rectified | false_commitment");
    }
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the finding is invalid"), ctx);
    auto v = cases_.VerifyCommitment(*caller, req.matches[1].str(), *finding, rectify_by, note);
    if (!v.ok()) return WriteProblem(res, v.error(), ctx);
    WriteJson(res, VerificationJson(*v));
  }

  void DueVerifications(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    if (!people::HoldsPermission(*caller, "case.approve", auth_.people().Now())) {
      return WriteProblem(res, Error(ErrorCode::kForbidden, "not permitted: case.approve"), ctx);
    }
    std::optional<Date> as_of;
    if (req.has_param("as_of")) {
      auto d = Date::Parse(req.get_param_value("as_of"), "as_of");
      if (!d.ok()) return WriteProblem(res, d.error(), ctx);
      as_of = *d;
    }
    auto rows = cases_.DueVerifications(req.get_param_value("department"), as_of);
    if (!rows.ok()) return WriteProblem(res, rows.error(), ctx);
    json items = json::array();
    for (const cases::Verification& v : *rows) items.push_back(VerificationJson(v));
    WriteJson(res, {{"items", items}});
  }

  void Credit(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    const std::string code = req.matches[1].str();
    // Staff who decide, or the applicant (a person) reading its own record.
    const bool own = !caller->account.id_number.empty() && caller->account.id_number == code;
    if (!own && !people::HoldsPermission(*caller, "case.approve", auth_.people().Now())) {
      return WriteProblem(res, Error(ErrorCode::kForbidden, "not permitted: case.approve"), ctx);
    }
    auto rows = cases_.CreditRecord(code);
    if (!rows.ok()) return WriteProblem(res, rows.error(), ctx);
    json items = json::array();
    for (const cases::CreditEntry& e : *rows) items.push_back(CreditJson(e));
    WriteJson(res, {{"items", items}});
  }

  void RecordCredit(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    auto body = Routes::Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    cases::CreditRequest c;
    c.applicant_code = r.String("applicant_code", true).value_or("");
    const std::string kind = r.String("kind", true).value_or("");
    if (auto k = cases::ParseCreditKind(kind)) {
      c.kind = *k;
    } else if (!kind.empty()) {
      errors.Add("kind", "must be dishonest or broken_commitment");
    }
    c.serious = r.Bool("serious", false).value_or(false);
    c.source = r.String("source", true).value_or("");
    c.reason = r.String("reason", true).value_or("");
    if (auto text = r.String("expires_on", false)) {
      auto d = Date::Parse(*text, "expires_on");
      if (d.ok()) {
        c.expires_on = *d;
      } else {
        errors.Add("expires_on", d.error().message());
      }
    }
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the entry is invalid"), ctx);
    auto e = cases_.RecordCredit(*caller, c);
    if (!e.ok()) return WriteProblem(res, e.error(), ctx);
    WriteJson(res, CreditJson(*e), 201);
  }

  void RepairCredit(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    auto body = Routes::Body(req, res, ctx, false);
    if (!body) return;
    FieldErrors errors;
    ObjectReader r(*body, "", errors);
    const std::string note = r.String("note", true).value_or("");
    r.Finish();
    if (!errors.empty()) return WriteProblem(res, errors.ToError("the repair is invalid"), ctx);
    auto e = cases_.RepairCredit(*caller, req.matches[1].str(), note);
    if (!e.ok()) return WriteProblem(res, e.error(), ctx);
    WriteJson(res, CreditJson(*e));
  }

  void Notices(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    int limit = 50;
    if (req.has_param("limit")) {
      const std::string text = req.get_param_value("limit");
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
      if (ec != std::errc() || end != text.data() + text.size()) limit = 0;
    }
    const bool unread = req.has_param("unread") && req.get_param_value("unread") == "true";
    auto notices = cases_.Notices(*caller, unread, limit);
    if (!notices.ok()) return WriteProblem(res, notices.error(), ctx);
    json items = json::array();
    for (const cases::Notice& n : *notices) items.push_back(NoticeJson(n));
    WriteJson(res, {{"items", items}});
  }

  void MarkRead(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Routes(cases_, auth_).Caller(req, res, ctx);
    if (!caller) return;
    Status s = cases_.MarkNoticeRead(*caller, req.matches[1].str());
    if (!s.ok()) return WriteProblem(res, s.error(), ctx);
    res.status = 204;
  }

 private:
  cases::CaseService& cases_;
  const Auth& auth_;
};

}  // namespace

void RegisterCaseFulfilmentRoutes(Server& server, cases::CaseService& cases, const Auth& auth,
                                  ResultLicenceLookup result_licence) {
  auto routes = std::make_shared<FulfilmentRoutes>(cases, auth);
  routes->result_licence = std::move(result_licence);
  auto bind = [routes](void (FulfilmentRoutes::*method)(const httplib::Request&, httplib::Response&,
                                                        RequestContext&)) {
    return [routes, method](const httplib::Request& req, httplib::Response& res,
                            RequestContext& ctx) { ((*routes).*method)(req, res, ctx); };
  };
  server.Get(R"(/api/v1/cases/([^/]+)/fees)", bind(&FulfilmentRoutes::Fees));
  server.Get(R"(/api/v1/cases/([^/]+)/payment)", bind(&FulfilmentRoutes::Payment));
  server.Post(R"(/api/v1/cases/([^/]+)/payment/waiver)", bind(&FulfilmentRoutes::Waive));
  server.Post("/api/v1/payment-notifications", bind(&FulfilmentRoutes::Notification));
  server.Get(R"(/api/v1/cases/([^/]+)/delivery)", bind(&FulfilmentRoutes::Delivery));
  server.Post(R"(/api/v1/cases/([^/]+)/delivery)", bind(&FulfilmentRoutes::Deliver));
  server.Post(R"(/api/v1/cases/([^/]+)/terminate)", bind(&FulfilmentRoutes::Terminate));
  server.Get("/api/v1/supervision/overdue-gaps", bind(&FulfilmentRoutes::OverdueGaps));
  server.Get(R"(/api/v1/cases/([^/]+)/verification)", bind(&FulfilmentRoutes::GetVerification));
  server.Post(R"(/api/v1/cases/([^/]+)/verification)", bind(&FulfilmentRoutes::Verify));
  server.Get("/api/v1/verifications", bind(&FulfilmentRoutes::DueVerifications));
  server.Get(R"(/api/v1/credit/([^/]+))", bind(&FulfilmentRoutes::Credit));
  server.Post("/api/v1/credit", bind(&FulfilmentRoutes::RecordCredit));
  server.Post(R"(/api/v1/credit/([^/]+)/repair)", bind(&FulfilmentRoutes::RepairCredit));
  server.Get("/api/v1/me/notices", bind(&FulfilmentRoutes::Notices));
  server.Post(R"(/api/v1/me/notices/([^/]+)/read)", bind(&FulfilmentRoutes::MarkRead));
}

void RegisterPaymentSimulatorRoutes(Server& server, cases::CaseService& cases) {
  if (cases.SimulatedPayments() == nullptr) return;
  server.Post(R"(/api/v1/dev/payment-simulator/payments/([^/]+))",
              [&cases](const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
                auto body = JsonBodyOrProblem(req, res, ctx, false);
                if (!body) return;
                FieldErrors errors;
                ObjectReader r(*body, "", errors);
                const auto amount = r.Integer("amount_fen", true);
                const std::string outcome = r.String("outcome", false).value_or("paid");
                r.Finish();
                if (outcome != "paid" && outcome != "failed") {
                  errors.Add("outcome", "must be paid | failed");
                }
                if (amount && *amount < 0) errors.Add("amount_fen", "must not be negative");
                if (!errors.empty()) {
                  return WriteProblem(res, errors.ToError("the payment is invalid"), ctx);
                }
                const cases::SimulatedPaymentGateway& platform = *cases.SimulatedPayments();
                const std::string id = req.matches[1].str();
                const cases::PaymentCallback callback =
                    outcome == "paid" ? platform.Pay(id, *amount) : platform.Fail(id);
                auto p = cases.PaymentCallback(callback.body, callback.signature);
                if (!p.ok()) return WriteProblem(res, p.error(), ctx);
                WriteJson(res, PaymentJson(*p));
              });
}

}  // namespace tongban::api
