// The case routes of submission, the case itself, its steps, materials and documents, review
// and bundles (case_routes.h); listings are in case_listing_routes.cc, fees, payment, delivery,
// verification, credit and notices in case_fulfilment_routes.cc.
#include "api/case_routes.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "api/case_json.h"
#include "api/json_body.h"
#include "cases/sealer.h"
#include "crypto/sm3.h"
#include "people/authorization.h"

namespace tongban::api {
namespace {

using case_json::BundleJson;
using case_json::CaseJson;
using case_json::IfMatch;
using case_json::Index;
using case_json::ResultLicence;
using case_json::ReviewJson;
using case_json::WriteCase;
using nlohmann::json;
using people::Principal;

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
    if (auto png = r.String("commitment_signature", false)) {  // 承诺签名, a PNG in base64
      auto bytes = crypto::FromBase64(*png);
      if (bytes.ok()) {
        s.commitment_signature = std::move(bytes).value();
      } else {
        errors.Add("commitment_signature", "must be a PNG image in base64");
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
    if (s.commitment_signature.empty())
      return WriteCase(res, out->record, out->replayed ? 200 : 201);
    // The stored signature in the answer: the kiosk shows that it went with the case.
    json answer = CaseJson(out->record);
    auto signature = cases_.CommitmentSignatureOf(out->record);
    answer["commitment_signature"] = signature.ok() && *signature
                                         ? SignatureJson(out->record.number, **signature)
                                         : json(nullptr);
    res.set_header("ETag", fmt::format("\"{}\"", out->record.version));
    WriteJson(res, answer, out->replayed ? 200 : 201);
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
    auto signature = cases_.CommitmentSignatureOf(*c);
    out["commitment_signature"] =
        signature.ok() && *signature ? SignatureJson(c->number, **signature) : json(nullptr);
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

  // 承诺签名: {content_hash, size, signed_at, href} of the case's drawn signature.
  static json SignatureJson(const std::string& number, const cases::CommitmentSignature& s) {
    return {{"content_hash", s.content_hash},
            {"size", s.size},
            {"signed_at", s.created_at},
            {"href", fmt::format("/api/v1/cases/{}/commitment-signature", number)}};
  }

  void PutSignature(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    const std::string number = req.matches[1].str();
    auto out = cases_.SignCommitments(*caller, number, req.body);
    if (!out.ok()) return WriteProblem(res, out.error(), ctx);
    WriteJson(res, SignatureJson(number, out->signature), out->replayed ? 200 : 201);
  }

  void GetSignature(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto bytes = cases_.CommitmentSignatureContent(*caller, req.matches[1].str());
    if (!bytes.ok()) return WriteProblem(res, bytes.error(), ctx);
    res.set_header("Cache-Control", "private, max-age=86400, immutable");
    res.set_content(*bytes, "image/png");
  }

  void GetDocument(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto d = cases_.GetDocument(*caller, req.matches[1].str(), req.matches[2].str());
    if (!d.ok()) return WriteProblem(res, d.error(), ctx);
    auto signed_text = cases::SignedText(d->department, d->content, d->seal_proof);
    if (!signed_text.ok()) return WriteProblem(res, signed_text.error(), ctx);
    json out = {{"id", d->id},
                {"kind", cases::DocumentKindName(d->kind)},
                {"title", cases::DocumentKindTitle(d->kind)},
                {"issued_on", d->issued_on.ToString()},
                {"department", d->department},
                {"content", json::parse(d->content)},
                {"text", d->content},
                {"signed_text", *signed_text},
                {"key_id", d->key_id},
                {"signature", d->signature}};
    if (d->seal_proof.empty()) {
      out["algorithm"] = "SM2-with-SM3, ID 1234567812345678, DER signature in hex, of text";
    } else {
      out["seal_proof"] = json::parse(d->seal_proof);
      out["algorithm"] =
          "SM2-with-SM3, ID 1234567812345678, DER signature in hex, of signed_text: the "
          "statement of an SM3 Merkle tree root (RFC 9162: leaf SM3(0x00||text), node "
          "SM3(0x01||left||right)) to which seal_proof's audit_path leads text";
    }
    WriteJson(res, out);
  }

  void Verify(const httplib::Request& req, httplib::Response& res, RequestContext& ctx) {
    auto caller = Caller(req, res, ctx);
    if (!caller) return;
    auto d = cases_.GetDocument(*caller, req.matches[1].str(), req.matches[2].str());
    if (!d.ok()) return WriteProblem(res, d.error(), ctx);
    auto problem = cases_.DocumentSealProblem(*d);
    if (!problem.ok()) return WriteProblem(res, problem.error(), ctx);
    json out = {{"document", d->id},
                {"valid", problem->empty()},
                {"sealed", d->seal_proof.empty() ? "alone" : "batch"},
                {"department", d->department},
                {"key_id", d->key_id}};
    if (!problem->empty()) out["reason"] = *problem;
    // The key and its certificate, for checking with other tools (openssl); none when the
    // document names no key of its department (then it is not valid either).
    if (auto key = cases_.SealKeyOf(*d); key.ok()) {
      out["public_key"] = key->public_pem;
      if (!key->certificate_pem.empty()) out["certificate"] = key->certificate_pem;
    } else if (key.error().code() != ErrorCode::kNotFound) {
      return WriteProblem(res, key.error(), ctx);
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
  server.Get(R"(/api/v1/cases/([^/]+))", bind(&Routes::Get));
  server.Post(
      R"(/api/v1/cases/([^/]+)/(accept|refuse|correction|fix|withdraw|suspend|resume|extend|approve|deny|conclude))",
      bind(&Routes::Action));
  server.Put(R"(/api/v1/cases/([^/]+)/materials/([^/]+))", bind(&Routes::Upload));
  server.Post(R"(/api/v1/cases/([^/]+)/materials/([^/]+))", bind(&Routes::Reference));
  server.Get(R"(/api/v1/cases/([^/]+)/materials/([^/]+))", bind(&Routes::Download));
  server.Put(R"(/api/v1/cases/([^/]+)/commitment-signature)", bind(&Routes::PutSignature));
  server.Get(R"(/api/v1/cases/([^/]+)/commitment-signature)", bind(&Routes::GetSignature));
  server.Get(R"(/api/v1/cases/([^/]+)/documents/([^/]+))", bind(&Routes::GetDocument));
  server.Get(R"(/api/v1/cases/([^/]+)/documents/([^/]+)/verification)", bind(&Routes::Verify));
  server.Get(R"(/api/v1/cases/([^/]+)/review)", bind(&Routes::Review));
  server.Post(R"(/api/v1/bundles/([^/]+)/applications)", bind(&Routes::SubmitBundle));
  server.Get(R"(/api/v1/bundle-applications/([^/]+))", bind(&Routes::GetBundle));
  server.Post(R"(/api/v1/review-tasks/(.+)/complete)", bind(&Routes::CompleteReviewTask));
  RegisterCaseListingRoutes(server, cases, auth);
  RegisterCaseFulfilmentRoutes(server, cases, auth, std::move(result_licence));
}

}  // namespace tongban::api
