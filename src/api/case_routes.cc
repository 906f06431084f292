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
  return {{"number", s.number},
          {"matter", s.matter},
          {"region", s.region},
          {"department", s.department},
          {"applicant_name", s.applicant_name},
          {"state", cases::CaseStateName(s.state)},
          {"received_on", s.received_on.ToString()},
          {"received_at", people::FormatTimestamp(s.received_at_ms)},
          {"href", "/api/v1/cases/" + s.number}};
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

class Routes {
 public:
  Routes(cases::CaseService& cases, const Auth& auth) : cases_(cases), auth_(auth) {}

  std::optional<Principal> Caller(const httplib::Request& req, httplib::Response& res,
                                  const RequestContext& ctx) {
    auto p = auth_.Authenticate(req);
    if (!p.ok()) {
      WriteAuthProblem(res, p.error(), ctx);
      return std::nullopt;
    }
    return std::move(p).value();
  }

  // The body as a JSON object; an empty body is an empty object (actions without fields).
  static std::optional<json> Body(const httplib::Request& req, httplib::Response& res,
                                  const RequestContext& ctx, bool empty_ok) {
    if (empty_ok && req.body.empty()) return json::object();
    auto body = ParseJsonBody(req);
    if (!body.ok()) {
      WriteProblem(res, body.error(), ctx);
      return std::nullopt;
    }
    return std::move(body).value();
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
    const std::string channel = r.String("channel", true).value_or("online");
    if (auto c = cases::ParseChannel(channel)) {
      s.channel = *c;
    } else {
      errors.Add("channel", "must be online | mobile | window | kiosk | service_point | assisted");
    }
    if (const json* a = r.Member("applicant", json::value_t::object, false)) {
      ObjectReader ar(*a, "applicant", errors);
      const std::string kind = ar.String("kind", true).value_or("person");
      if (auto k = cases::ParseApplicantKind(kind)) {
        s.applicant_kind = *k;
      } else {
        errors.Add("applicant/kind", "must be person or enterprise");
      }
      s.applicant_code = ar.String("code", false).value_or("");
      s.applicant_name = ar.String("name", false).value_or("");
      s.agent_account = ar.String("agent_account", false).value_or("");
      ar.Finish();
    }
    if (const json* f = r.Member("form", json::value_t::object, false)) {
      for (const auto& [k, v] : f->items()) {
        if (v.is_null()) continue;
        auto text = FormValue(v);
        if (!text) {
          errors.Add("form/" + k, "must be a string, number or boolean");
        } else {
          s.form[k] = *text;
        }
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

void RegisterCaseRoutes(Server& server, cases::CaseService& cases, const Auth& auth) {
  auto routes = std::make_shared<Routes>(cases, auth);
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
  server.Get("/api/v1/supervision/deemed-accepted", bind(&Routes::DeemedAccepted));
}

}  // namespace tongban::api
