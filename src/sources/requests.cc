// 在线开具: certificate requests in the issuing departments' inboxes, answered with sealed
// e-certificates or refused (service.h).
#include <fmt/format.h>

#include "people/authorization.h"
#include "sources/service_impl.h"

namespace tongban::sources {

using cases::MaterialOrigin;
using nlohmann::json;
using people::Principal;

std::string_view RequestStateName(RequestState s) {
  switch (s) {
    case RequestState::kRequested:
      return "requested";
    case RequestState::kAnswered:
      return "answered";
    case RequestState::kRefused:
      return "refused";
    case RequestState::kCancelled:
      return "cancelled";
  }
  return "requested";
}

namespace {

RequestState ParseRequestState(std::string_view s) {
  if (s == "answered") return RequestState::kAnswered;
  if (s == "refused") return RequestState::kRefused;
  if (s == "cancelled") return RequestState::kCancelled;
  return RequestState::kRequested;
}

// The common prefix length of two region codes: how close a department is to the applicant.
size_t Closeness(const std::string& a, const std::string& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

}  // namespace

// The issuing department of a certificate request: among the licence type's issuers, the
// one closest to the applicant (then to the matter's region).
std::string SourceService::Impl::IssuerFor(const licences::LicenceType& type,
                                           const std::string& applicant_region,
                                           const std::string& matter_region) const {
  std::string best;
  std::pair<size_t, size_t> best_score{0, 0};
  for (const std::string& code : type.issuers) {
    auto d = licences.Department(code);
    if (!d.ok()) continue;
    std::pair<size_t, size_t> score{Closeness(d->region, applicant_region),
                                    Closeness(d->region, matter_region)};
    if (best.empty() || score > best_score) {
      best = code;
      best_score = score;
    }
  }
  return best;
}

Result<CertificateRequest> SourceService::Impl::LoadRequest(soci::session& sql,
                                                            const std::string& id) const {
  std::vector<CertificateRequest> found;
  TB_RETURN_IF_ERROR(ReadRequests(sql, Q("request_columns") + " WHERE id = :id", found, id));
  if (found.empty()) return Error(ErrorCode::kNotFound, "no such certificate request");
  return found.front();
}

Status SourceService::Impl::ReadRequests(soci::session& sql, const std::string& query,
                                         std::vector<CertificateRequest>& out,
                                         const std::string& key) const {
  CertificateRequest r;
  std::string state, due, applicant_code;
  long long idx = 0, at = 0;
  const Date today = Today();
  auto on_row = [&] {
    CertificateRequest copy = r;
    copy.index = static_cast<int>(idx);
    copy.state = ParseRequestState(state);
    copy.requested_at_ms = at;
    if (auto d = Date::Parse(due); d.ok()) copy.due_on = *d;
    copy.overdue = copy.state == RequestState::kRequested && copy.due_on < today;
    out.push_back(std::move(copy));
  };
  auto intos = [&](auto&&... uses) {
    store::ExecuteRows(sql, query, on_row, std::forward<decltype(uses)>(uses)..., soci::into(r.id),
                       soci::into(r.case_number), soci::into(idx), soci::into(r.material),
                       soci::into(r.certificate), soci::into(r.licence_type_code),
                       soci::into(r.department), soci::into(r.region), soci::into(applicant_code),
                       soci::into(r.applicant_name), soci::into(state), soci::into(at),
                       soci::into(due), soci::into(r.answered_by), soci::into(r.licence_id),
                       soci::into(r.reason));
  };
  if (query.find(":case_number") != std::string::npos) {
    intos(soci::use(key, "case_number"));
  } else if (query.find(":department") != std::string::npos) {
    intos(soci::use(key, "department"));
  } else {
    intos(soci::use(key, "id"));
  }
  return Ok();
}

// A principal that may supply the case's material: the issuing department answering
// through the platform, limited to this case's region, department and matter.
Principal SourceService::Impl::Supplier(const cases::Case& c, const std::string& actor) {
  Principal p;
  p.account.id = actor;
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.role = "certificate_request";
  g.grant.scope.region = c.region;
  g.grant.scope.department = c.department;
  g.grant.scope.matters = {c.matter};
  g.permissions = {"case.accept"};
  p.grants.push_back(std::move(g));
  return p;
}

Result<std::vector<CertificateRequest>> SourceService::Inbox(const Principal& caller,
                                                             const std::string& department,
                                                             int limit) {
  if (limit < 1 || limit > 500) {
    return Error(ErrorCode::kInvalidArgument, "the query is invalid",
                 {{"limit", "must be an integer from 1 to 500"}});
  }
  auto dept = impl_->licences.Department(department);
  if (!dept.ok()) {
    return Error(ErrorCode::kNotFound, fmt::format("no department {}", department));
  }
  TB_RETURN_IF_ERROR(people::Authorize(caller, "certificate.issue",
                                       {.region = dept->region, .department = department},
                                       impl_->NowMs()));
  return impl_->db.Transaction<std::vector<CertificateRequest>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CertificateRequest>> {
        std::vector<CertificateRequest> out;
        TB_RETURN_IF_ERROR(impl_->ReadRequests(
            sql,
            impl_->Q("request_columns") +
                fmt::format(" WHERE department = :department AND state = 'requested' "
                            "ORDER BY due_on, requested_at, id LIMIT {}",
                            limit),
            out, department));
        return out;
      });
}

Result<CertificateRequest> SourceService::Answer(const Principal& caller, const std::string& id,
                                                 const json& data) {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(CertificateRequest r, I.db.Transaction<CertificateRequest>(
                                                store::TxKind::kRead, [&](soci::session& sql) {
                                                  return I.LoadRequest(sql, id);
                                                }));
  TB_RETURN_IF_ERROR(people::Authorize(
      caller, "certificate.issue", {.region = r.region, .department = r.department}, I.NowMs()));
  if (r.state != RequestState::kRequested) {
    return Error(ErrorCode::kConflict, fmt::format("certificate request {} is already {}", id,
                                                   RequestStateName(r.state)));
  }
  TB_ASSIGN_OR_RETURN(cases::Case c, I.cases.Read(r.case_number));
  // The applicant's code is in the case; the request row keeps it only to match the case.
  TB_ASSIGN_OR_RETURN(licences::Licence l,
                      I.licences.Issue({.type_code = r.licence_type_code,
                                        .holder_id = c.applicant_code,
                                        .holder_name = c.applicant_name,
                                        .issuer = r.department,
                                        .data = data.is_object() ? data : json::object(),
                                        .valid_from = std::nullopt,
                                        .case_id = c.id,
                                        .actor = caller.account.id}));
  // Closed before the certificate is supplied: the supply may conclude the case at once (秒批
  // of a case that waited for it, cases::SubmissionHook::AfterSupply), which takes the case's
  // open requests out of the inboxes, this one included were it still open. Closing first also
  // lets only one of two racing answers supply.
  Status closed = I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    std::string state = "answered", by = caller.account.id, reason;
    long long at = I.NowMs();
    auto done = store::Execute(sql, I.Q("close_request"), soci::use(state, "state"),
                               soci::use(at, "answered_at"), soci::use(by, "answered_by"),
                               soci::use(l.id, "licence_id"), soci::use(reason, "reason"),
                               soci::use(id, "id"));
    if (done.affected_rows != 1) {
      return Error(ErrorCode::kConflict, fmt::format("certificate request {} was closed", id));
    }
    return Ok();
  });
  TB_RETURN_IF_ERROR(closed);
  const std::string actor = "certificate-request:" + id;
  auto supplied = I.cases.SupplyMaterial(Impl::Supplier(c, actor), c.number, r.index,
                                         MaterialOrigin::kLicence, "", "", l.id);
  if (!supplied.ok()) {
    // Back in the inbox, to be answered again once the case can take it.
    (void)I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      store::Execute(sql, I.Q("reopen_request"), soci::use(id, "id"));
      return Ok();
    });
    return std::move(supplied).error();
  }
  Status recorded = I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    // The row keeps the source resolved (certificate_request); its reference becomes the
    // sealed e-certificate that answered it.
    std::string source = "certificate_request", detail = fmt::format("在线开具，电子证明{}", l.id);
    long long idx = r.index;
    store::Execute(sql, I.Q("update_source"), soci::use(source, "source"),
                   soci::use(l.id, "reference"), soci::use(detail, "detail"),
                   soci::use(r.case_number, "case_number"), soci::use(idx, "idx"));
    auto t = I.trace.Append(sql, {.stream = "sources/" + c.id,
                                  .actor = caller.account.id,
                                  .action = "sources.certificate_answered",
                                  .payload = json{{"request", id}, {"licence", l.id}}.dump()});
    if (!t.ok()) return std::move(t).error();
    return Ok();
  });
  TB_RETURN_IF_ERROR(recorded);
  r.state = RequestState::kAnswered;
  r.answered_by = caller.account.id;
  r.licence_id = l.id;
  r.overdue = false;
  return r;
}

Result<CertificateRequest> SourceService::Refuse(const Principal& caller, const std::string& id,
                                                 const std::string& reason) {
  Impl& I = *impl_;
  if (reason.empty() || reason.size() > 600) {
    return Error(ErrorCode::kInvalidArgument, "the refusal is invalid",
                 {{"reason", "must be 1-200 characters"}});
  }
  return I.db.Transaction<CertificateRequest>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<CertificateRequest> {
        TB_ASSIGN_OR_RETURN(CertificateRequest r, I.LoadRequest(sql, id));
        TB_RETURN_IF_ERROR(people::Authorize(caller, "certificate.issue",
                                             {.region = r.region, .department = r.department},
                                             I.NowMs()));
        std::string state = "refused", by = caller.account.id, none;
        long long at = I.NowMs();
        auto done = store::Execute(sql, I.Q("close_request"), soci::use(state, "state"),
                                   soci::use(at, "answered_at"), soci::use(by, "answered_by"),
                                   soci::use(none, "licence_id"), soci::use(reason, "reason"),
                                   soci::use(id, "id"));
        if (done.affected_rows != 1) {
          return Error(ErrorCode::kConflict, fmt::format("certificate request {} is already {}", id,
                                                         RequestStateName(r.state)));
        }
        std::string source = "applicant", detail = "开具单位不予出具：" + reason, ref;
        long long idx = r.index;
        store::Execute(sql, I.Q("update_source"), soci::use(source, "source"),
                       soci::use(ref, "reference"), soci::use(detail, "detail"),
                       soci::use(r.case_number, "case_number"), soci::use(idx, "idx"));
        auto t = I.trace.Append(sql, {.stream = "sources/request/" + id,
                                      .actor = caller.account.id,
                                      .action = "sources.certificate_refused",
                                      .payload = json{{"reason", reason}}.dump()});
        if (!t.ok()) return std::move(t).error();
        r.state = RequestState::kRefused;
        r.answered_by = by;
        r.reason = reason;
        r.overdue = false;
        return r;
      });
}

}  // namespace tongban::sources
