#include "sources/case_licences.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <vector>

#include "people/clock.h"

namespace tongban {
extern const EmbeddedFile kSourcesSql[];
extern const size_t kSourcesSql_count;
}  // namespace tongban

namespace tongban::sources {

using cases::Case;
using cases::DocumentKind;

std::string_view CaseLicenceStateName(CaseLicenceState s) {
  switch (s) {
    case CaseLicenceState::kPending:
      return "pending";
    case CaseLicenceState::kIssued:
      return "issued";
    case CaseLicenceState::kFailed:
      return "failed";
  }
  return "pending";
}

namespace {

std::optional<CaseLicenceState> ParseState(std::string_view s) {
  for (auto v :
       {CaseLicenceState::kPending, CaseLicenceState::kIssued, CaseLicenceState::kFailed}) {
    if (CaseLicenceStateName(v) == s) return v;
  }
  return std::nullopt;
}

// Concluded as approved: an approval decision, and no denial or revocation after it.
bool ConcludedApproved(const Case& c) {
  bool approved = false;
  for (const cases::Document& d : c.documents) {
    if (d.kind == DocumentKind::kApprovalDecision) approved = true;
    if (d.kind == DocumentKind::kDenialDecision || d.kind == DocumentKind::kRevocationDecision) {
      return false;
    }
  }
  return approved;
}

// A new licence is what a scenario of kind new (新办) results in; a change, renewal or reissue
// scenario changes the licence the applicant holds (LicenceService::Reissue / Renew), and a
// cancellation ends it.
bool IssuesNew(const catalog::Matter& matter, const std::string& scenario) {
  for (const catalog::Scenario& s : matter.item.scenarios) {
    if (s.code == scenario) return s.kind == catalog::ScenarioKind::kNew;
  }
  return false;
}

// The form field a licence field is filled from: the matter's licence_fields mapping, else the
// field of the same name.
const std::string& FormFieldOf(const catalog::Matter& matter, const licences::FieldSpec& f) {
  auto mapped = matter.item.licence_fields.find(f.name);
  return mapped == matter.item.licence_fields.end() ? f.name : mapped->second;
}

// A form value as the licence field's type wants it; text when it does not convert.
nlohmann::json Convert(licences::FieldType type, const std::string& text) {
  switch (type) {
    case licences::FieldType::kInteger: {
      int64_t v = 0;
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, v);
      if (ec == std::errc() && ptr == end && !text.empty()) return v;
      return text;
    }
    case licences::FieldType::kNumber: {
      double v = 0;
      const char* end = text.data() + text.size();
      auto [ptr, ec] = std::from_chars(text.data(), end, v);
      if (ec == std::errc() && ptr == end && !text.empty()) return v;
      return text;
    }
    case licences::FieldType::kBoolean:
      if (text == "true") return true;
      if (text == "false") return false;
      return text;
    case licences::FieldType::kString:
    case licences::FieldType::kDate:
      return text;
  }
  return text;
}

}  // namespace

Result<std::unique_ptr<CaseLicences>> CaseLicences::Create(store::Database& db,
                                                           catalog::CatalogService& catalog,
                                                           cases::CaseService& cases,
                                                           licences::LicenceService& licences,
                                                           trace::Trace& trace, const Clock& clock,
                                                           cases::CaseObserver* next) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kSourcesSql, kSourcesSql_count));
  return std::unique_ptr<CaseLicences>(
      new CaseLicences(db, catalog, cases, licences, trace, clock, next, std::move(queries)));
}

CaseLicences::CaseLicences(store::Database& db, catalog::CatalogService& catalog,
                           cases::CaseService& cases, licences::LicenceService& licences,
                           trace::Trace& trace, const Clock& clock, cases::CaseObserver* next,
                           store::QuerySet queries)
    : db_(db),
      catalog_(catalog),
      cases_(cases),
      licences_(licences),
      trace_(trace),
      clock_(clock),
      next_(next),
      queries_(std::move(queries)) {}

Status CaseLicences::OnCaseChanged(soci::session& sql, const cases::CaseChange& change) {
  const Case& c = change.record;
  const std::string& type_name = change.matter.item.result_licence_type;
  if (change.action == "case.concluded" && !type_name.empty() && !c.sandbox &&
      IssuesNew(change.matter, c.scenario) && ConcludedApproved(c)) {
    std::string type_code;
    store::Execute(sql, Q("licence_type_by_name"), soci::use(type_name, "name"),
                   soci::into(type_code));
    // A result the licence catalogue does not know (a paper certificate) issues nothing.
    if (sql.got_data()) {
      const long long now = people::EpochMs(clock_);
      store::Execute(sql, Q("queue_case_licence"), soci::use(c.id, "case_id"),
                     soci::use(c.number, "case_number"), soci::use(type_code, "type_code"),
                     soci::use(now, "queued_at"));
    }
  }
  return next_ ? next_->OnCaseChanged(sql, change) : Ok();
}

nlohmann::json CaseLicences::DataFromForm(const licences::LicenceType& type,
                                          const catalog::Matter& matter, const Case& c) {
  nlohmann::json data = nlohmann::json::object();
  for (const licences::FieldSpec& f : type.fields) {
    const std::string& form_field = FormFieldOf(matter, f);
    auto value = c.form.find(form_field);
    if (value == c.form.end() || value->second.empty()) continue;
    data[f.name] = Convert(f.type, value->second);
  }
  return data;
}

Result<std::vector<std::string>> CaseLicences::Unfilled(const Case& c) {
  std::vector<std::string> out;
  if (c.sandbox) return out;
  TB_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Matter> pinned,
                      cases_.PinnedMatter(c.matter_version));
  const catalog::Matter& matter = *pinned;
  const std::string& type_name = matter.item.result_licence_type;
  if (type_name.empty() || !IssuesNew(matter, c.scenario)) return out;
  std::string type_code;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    store::Execute(sql, Q("licence_type_by_name"), soci::use(type_name, "name"),
                   soci::into(type_code));
    if (!sql.got_data()) type_code.clear();
    return Ok();
  }));
  if (type_code.empty()) return out;  // a paper certificate: nothing to build
  TB_ASSIGN_OR_RETURN(licences::LicenceType type, licences_.GetType(type_code));
  const nlohmann::json data = DataFromForm(type, matter, c);
  const catalog::Scenario* scenario = nullptr;
  for (const catalog::Scenario& s : matter.item.scenarios) {
    if (s.code == c.scenario) scenario = &s;
  }
  for (const licences::FieldSpec& f : type.fields) {
    if (!f.required || data.contains(f.name)) continue;
    const std::string& form_field = FormFieldOf(matter, f);
    std::string label = f.description.empty() ? f.name : f.description;
    if (scenario != nullptr) {
      for (const catalog::FormField& ff : scenario->form) {
        if (ff.name == form_field && !ff.label.empty()) label = ff.label;
      }
    }
    out.push_back(std::move(label));
  }
  return out;
}

Status CaseLicences::Finish(const CaseLicence& job, CaseLicenceState state,
                            const std::string& licence_id, const std::string& error) {
  return db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    const std::string state_name(CaseLicenceStateName(state));
    const long long now = people::EpochMs(clock_);
    const long long issued_at = state == CaseLicenceState::kIssued ? now : 0;
    store::Executed done =
        store::Execute(sql, Q("case_licence_done"), soci::use(state_name, "state"),
                       soci::use(licence_id, "licence_id"), soci::use(error, "error"),
                       soci::use(issued_at, "issued_at"), soci::use(job.case_id, "case_id"));
    if (done.affected_rows == 0) return Ok();  // another run finished it
    // The case's own history (and so its case file) shows the result licence.
    nlohmann::json payload = {{"licence_type", job.type_code}, {"state", state_name}};
    if (!licence_id.empty()) payload["licence"] = licence_id;
    if (!error.empty()) payload["error"] = error;
    auto event =
        trace_.Append(sql, {.stream = "case/" + job.case_id,
                            .actor = "system",
                            .action = state == CaseLicenceState::kIssued ? "case.licence_issued"
                                                                         : "case.licence_failed",
                            .payload = payload.dump()});
    if (!event.ok()) return event.error();
    return Ok();
  });
}

Result<int> CaseLicences::IssueDue(int limit) {
  std::vector<CaseLicence> jobs;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    CaseLicence row;
    const int n = limit;
    store::ExecuteRows(
        sql, Q("pending_case_licences"), [&] { jobs.push_back(row); }, soci::use(n, "limit"),
        soci::into(row.case_id), soci::into(row.case_number), soci::into(row.type_code));
    return Ok();
  }));
  int issued = 0;
  for (const CaseLicence& job : jobs) {
    // Issued already (a crash after the licence, before the job's update): record it.
    TB_ASSIGN_OR_RETURN(std::optional<std::string> existing, licences_.LicenceOfCase(job.case_id));
    if (existing) {
      TB_RETURN_IF_ERROR(Finish(job, CaseLicenceState::kIssued, *existing, ""));
      continue;
    }
    TB_ASSIGN_OR_RETURN(Case c, cases_.Read(job.case_number));
    TB_ASSIGN_OR_RETURN(catalog::Matter matter, catalog_.GetMatterByVersionId(c.matter_version));
    auto type = licences_.GetType(job.type_code);
    if (!type.ok()) {
      TB_RETURN_IF_ERROR(Finish(job, CaseLicenceState::kFailed, "", type.error().message()));
      continue;
    }
    auto licence = licences_.Issue({.type_code = job.type_code,
                                    .holder_id = c.applicant_code,
                                    .holder_name = c.applicant_name,
                                    .issuer = c.department,
                                    .data = DataFromForm(*type, matter, c),
                                    .valid_from = std::nullopt,
                                    .case_id = c.id,
                                    .actor = "system"});
    if (licence.ok()) {
      TB_RETURN_IF_ERROR(Finish(job, CaseLicenceState::kIssued, licence->id, ""));
      ++issued;
      continue;
    }
    const Error& e = licence.error();
    if (e.code() == ErrorCode::kAlreadyExists) {
      // Another run issued it between our check and our issue.
      TB_ASSIGN_OR_RETURN(existing, licences_.LicenceOfCase(job.case_id));
      if (existing) TB_RETURN_IF_ERROR(Finish(job, CaseLicenceState::kIssued, *existing, ""));
      continue;
    }
    if (e.code() == ErrorCode::kInvalidArgument || e.code() == ErrorCode::kNotFound) {
      // What the case's data cannot make: kept with the reason for staff to see.
      std::string reason = e.message();
      for (const auto& f : e.fields()) reason += fmt::format("; {}: {}", f.field, f.message);
      TB_RETURN_IF_ERROR(Finish(job, CaseLicenceState::kFailed, "", reason));
      continue;
    }
    // Storage or keys: the job stays queued for the next run.
    const std::string reason = e.message();
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      store::Execute(sql, Q("case_licence_retry"), soci::use(reason, "error"),
                     soci::use(job.case_id, "case_id"));
      return Ok();
    }));
    return e;
  }
  return issued;
}

Result<std::optional<CaseLicence>> CaseLicences::ForCase(std::string_view number) {
  return db_.Transaction<std::optional<CaseLicence>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::optional<CaseLicence>> {
        CaseLicence row;
        std::string state;
        long long attempts = 0, queued_at = 0, issued_at = 0;
        const std::string n(number);
        store::Execute(sql, Q("case_licence_by_number"), soci::use(n, "case_number"),
                       soci::into(row.case_id), soci::into(row.case_number),
                       soci::into(row.type_code), soci::into(state), soci::into(row.licence_id),
                       soci::into(row.error), soci::into(attempts), soci::into(queued_at),
                       soci::into(issued_at));
        if (!sql.got_data()) return std::optional<CaseLicence>();
        row.state = ParseState(state).value_or(CaseLicenceState::kPending);
        row.attempts = attempts;
        row.queued_at_ms = queued_at;
        row.issued_at_ms = issued_at;
        return std::optional<CaseLicence>(std::move(row));
      });
}

}  // namespace tongban::sources
