// Fees and payment, notices, delivery, termination, verification and credit (case_routes.h).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>

#include "api/case_json.h"
#include "api/case_routes.h"
#include "api/json_body.h"
#include "people/authorization.h"
#include "people/timestamp.h"

namespace tongban::api {
namespace {

using case_json::DateJson;
using case_json::IfMatch;
using case_json::Nullable;
using case_json::ResultLicence;
using case_json::SummaryJson;
using case_json::WriteCase;
using nlohmann::json;
using people::Principal;

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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto p = cases_.GetPayment(*caller, req.matches[1].str());
    if (!p.ok()) return WriteProblem(res, p.error(), ctx);
    WriteJson(res, PaymentJson(*p));
  }

  void Waive(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto body = JsonBodyOrProblem(req, res, ctx, false);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto d = cases_.GetDelivery(*caller, req.matches[1].str());
    if (!d.ok()) return WriteProblem(res, d.error(), ctx);
    json out = DeliveryJson(*d);
    out["result_licence"] = ResultLicence(result_licence, req.matches[1].str());
    WriteJson(res, out);
  }

  void Deliver(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto body = JsonBodyOrProblem(req, res, ctx, false);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto body = JsonBodyOrProblem(req, res, ctx, false);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto v = cases_.GetVerification(*caller, req.matches[1].str());
    if (!v.ok()) return WriteProblem(res, v.error(), ctx);
    WriteJson(res, VerificationJson(*v));
  }

  void Verify(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto body = JsonBodyOrProblem(req, res, ctx, false);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto body = JsonBodyOrProblem(req, res, ctx, false);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
    if (!caller) return;
    auto body = JsonBodyOrProblem(req, res, ctx, false);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
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
    auto caller = CallerOrProblem(auth_, req, res, ctx);
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
