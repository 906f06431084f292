#include "sources/service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>

#include "base/id.h"
#include "sources/service_impl.h"

namespace tongban {
extern const EmbeddedFile kSourcesSql[];
extern const size_t kSourcesSql_count;
}  // namespace tongban

namespace tongban::sources {

using cases::ApplicantKind;
using cases::MaterialDeclaration;
using cases::MaterialOrigin;
using cases::MaterialState;
using nlohmann::json;
using people::Principal;

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("sources", kSourcesSql, kSourcesSql_count);
}

namespace {

std::optional<JurisdictionOutcome> ParseOutcome(std::string_view s) {
  for (auto o : {JurisdictionOutcome::kCompetent, JurisdictionOutcome::kRedirected,
                 JurisdictionOutcome::kCrossRegion, JurisdictionOutcome::kUndetermined}) {
    if (JurisdictionOutcomeName(o) == s) return o;
  }
  return std::nullopt;
}

}  // namespace

// Who applies, from the registers: the person (citizen or staff with a purpose) or the
// enterprise. A record the caller may not read or that does not exist is left out.
Result<JurisdictionSubject> SourceService::Impl::Subject(const Principal& caller,
                                                         ApplicantKind kind, std::string code,
                                                         std::vector<trace::Event>* deferred) {
  JurisdictionSubject s;
  if (kind == ApplicantKind::kPerson) {
    if (code.empty()) code = caller.account.id_number;
    s.kind = "person";
    s.code = code;
    if (!code.empty()) {
      const registers::Purpose purpose{.code = "case_handling",
                                       .text = "办件申请时核对申请人、确定管辖和材料来源"};
      auto p = registers.ReadApplicant(caller, code, purpose, deferred);
      // A clerk at a window outside the applicant's region reads through the platform (the
      // read is traced with the purpose and the clerk's id).
      if (!p.ok() && p.error().code() == ErrorCode::kForbidden) {
        p = registers.ReadApplicant(Platform(caller), code, purpose, deferred);
      }
      if (p.ok()) {
        s.person = std::move(p).value();
        s.name = s.person->name;
      } else if (p.error().code() != ErrorCode::kNotFound &&
                 p.error().code() != ErrorCode::kForbidden &&
                 p.error().code() != ErrorCode::kInvalidArgument) {
        return std::move(p).error();
      }
    }
  } else {
    s.kind = "enterprise";
    for (char& c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    s.code = code;
    auto e = registers.ReadApplicantEntity(caller, code);
    if (!e.ok() && e.error().code() == ErrorCode::kForbidden) {
      e = registers.ReadApplicantEntity(Platform(caller), code);
    }
    if (e.ok()) {
      s.entity = std::move(e).value();
      s.name = s.entity->name;
    } else if (e.error().code() != ErrorCode::kNotFound &&
               e.error().code() != ErrorCode::kForbidden &&
               e.error().code() != ErrorCode::kInvalidArgument) {
      return std::move(e).error();
    }
  }
  return s;
}

Result<JurisdictionSubject> SourceService::Applicant(const Principal& caller,
                                                     const cases::Case& c) {
  TB_ASSIGN_OR_RETURN(JurisdictionSubject s,
                      impl_->Subject(caller, c.applicant_kind, c.applicant_code));
  s.form = c.form;
  s.channel = std::string(cases::ChannelName(c.channel));
  return s;
}

// The platform reading the registers for `caller`'s application: register.read and
// register.read_full everywhere, under an id that names the caller.
Principal SourceService::Impl::Platform(const Principal& caller) {
  Principal p;
  p.account.id = "platform:sources/" + caller.account.id;
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.role = "platform";
  g.permissions = {"register.read", "register.read_full"};
  p.grants.push_back(std::move(g));
  return p;
}

// 申请人登记为死亡 / 已注销: stopped with the reason.
Status SourceService::Impl::Contradicted(const JurisdictionSubject& s) {
  if (s.person && s.person->status == registers::PersonStatus::kDeceased) {
    return Error(ErrorCode::kRefused, "人口库登记申请人已死亡，申请不能提交",
                 {{"applicant/code", "the person register records the applicant as deceased"}});
  }
  if (s.entity && s.entity->status != registers::EntityStatus::kActive) {
    return Error(
        ErrorCode::kRefused,
        fmt::format("法人库登记申请单位已{}，申请不能提交",
                    s.entity->status == registers::EntityStatus::kRevoked ? "吊销" : "注销"),
        {{"applicant/code", "the entity register records the applicant as dissolved"}});
  }
  return Ok();
}

Status SourceService::Impl::RecordCase(soci::session& sql, const cases::Case& c,
                                       const Resolution& res,
                                       const std::vector<std::string>& authorised,
                                       const std::string& actor) {
  const Jurisdiction& j = res.jurisdiction;
  std::string outcome(JurisdictionOutcomeName(j.outcome)), auth = json(authorised).dump();
  store::Execute(sql, Q("insert_resolution"), soci::use(c.id, "case_id"),
                 soci::use(c.number, "case_number"), soci::use(outcome, "outcome"),
                 soci::use(j.requested_matter, "requested_matter"),
                 soci::use(j.competent_matter, "competent_matter"),
                 soci::use(j.competent_region, "competent_region"),
                 soci::use(j.competent_department, "competent_department"),
                 soci::use(j.note, "note"), soci::use(auth, "authorised_licences"));
  const std::string received = c.received_on.ToString();
  long long sandbox = c.sandbox ? 1 : 0;
  json payload = {{"number", c.number},
                  {"jurisdiction", outcome},
                  {"competent_matter", j.competent_matter},
                  {"authorised_licences", authorised}};
  json sources = json::array();
  for (const ResolvedMaterial& m : res.materials) {
    std::string reference = m.reference;
    if (m.source == Source::kCertificateRequest) {
      TB_ASSIGN_OR_RETURN(CalendarDate due,
                          calendar->AddWorkingDays(c.received_on, m.request_days));
      reference = NewId(clock());
      auto dept = licences.Department(m.department);
      std::string region = dept.ok() ? dept->region : "", due_on = due.date.ToString();
      long long idx = m.index, at = NowMs();
      const std::string& certificate = m.certificate;
      store::Execute(
          sql, Q("insert_request"), soci::use(reference, "id"), soci::use(c.id, "case_id"),
          soci::use(c.number, "case_number"), soci::use(idx, "idx"), soci::use(m.name, "material"),
          soci::use(certificate, "certificate"), soci::use(m.licence_type_code, "licence_type"),
          soci::use(m.department, "department"), soci::use(region, "region_code"),
          soci::use(c.applicant_code, "applicant_code"),
          soci::use(c.applicant_name, "applicant_name"), soci::use(at, "requested_at"),
          soci::use(due_on, "due_on"));
    }
    std::string catalog_source(catalog::EnumId(m.catalog_source)),
        source(catalog::EnumId(m.source));
    long long idx = m.index, required = m.required ? 1 : 0;
    store::Execute(sql, Q("insert_source"), soci::use(c.id, "case_id"),
                   soci::use(c.number, "case_number"), soci::use(idx, "idx"),
                   soci::use(m.name, "name"), soci::use(c.matter, "matter_code"),
                   soci::use(c.region, "region_code"), soci::use(required, "required"),
                   soci::use(catalog_source, "catalog_source"), soci::use(source, "source"),
                   soci::use(reference, "reference"), soci::use(m.detail, "detail"),
                   soci::use(received, "received_on"), soci::use(sandbox, "sandbox"));
    sources.push_back({{"index", m.index}, {"source", source}, {"reference", reference}});
  }
  payload["materials"] = std::move(sources);
  auto r = trace.Append(sql, {.stream = "sources/" + c.id,
                              .actor = actor,
                              .action = "sources.resolved",
                              .payload = payload.dump()});
  if (!r.ok()) return std::move(r).error();
  return Ok();
}

SourceService::SourceService(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SourceService::~SourceService() = default;

Result<std::unique_ptr<SourceService>> SourceService::Create(
    store::Database& db, catalog::CatalogService& catalog, cases::CaseService& cases,
    licences::LicenceService& licences, registers::Registers& registers, trace::Trace& trace,
    SourceOptions options) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kSourcesSql, kSourcesSql_count));
  if (options.reuse_days < 0 || options.request_days < 1) {
    return Error(ErrorCode::kInvalidArgument, "reuse_days must be >= 0 and request_days >= 1");
  }
  auto impl = std::unique_ptr<Impl>(new Impl{.db = db,
                                             .catalog = catalog,
                                             .cases = cases,
                                             .licences = licences,
                                             .registers = registers,
                                             .trace = trace,
                                             .options = options,
                                             .queries = std::move(queries),
                                             .own_calendar = nullptr,
                                             .calendar = options.calendar,
                                             .mu = {},
                                             .rules = {}});
  if (impl->calendar == nullptr) {
    impl->own_calendar = Calendar::WithEmbeddedSchedules();
    impl->calendar = impl->own_calendar.get();
  }
  return std::unique_ptr<SourceService>(new SourceService(std::move(impl)));
}

Result<Resolution> SourceService::Resolve(const Principal& caller, const ResolveRequest& request) {
  return impl_->Resolve(caller, request, {}, nullptr);
}

Result<cases::SubmissionHook::Prepared> SourceService::Prepare(const Principal& caller,
                                                               cases::SubmitRequest& request) {
  ResolveRequest in{.matter = request.matter,
                    .scenario = request.scenario,
                    .applicant_kind = request.applicant_kind,
                    .applicant_code = request.applicant_code,
                    .form = request.form,
                    .authorised_licences = request.authorised_licences};
  std::string competent;
  // The applicant's register read is traced in the submission's transaction (no write
  // transaction of its own); when the submission ends without recording, on its own.
  auto reads = std::make_shared<std::vector<trace::Event>>();
  trace::Trace* trace = &impl_->trace;
  const auto trace_reads = [trace, reads] {
    for (const trace::Event& e : *reads) {
      if (auto appended = trace->Append(e); !appended.ok()) {
        spdlog::warn("the register read of a submission not recorded: {}",
                     appended.error().ToString());
      }
    }
    reads->clear();
  };
  auto resolved = impl_->Resolve(caller, in, request.materials, &competent, reads.get());
  if (!resolved.ok()) {
    trace_reads();
    // An unknown matter or scenario is the case service's to report, in its words.
    if (resolved.error().code() == ErrorCode::kNotFound ||
        resolved.error().code() == ErrorCode::kInvalidArgument) {
      return Prepared();
    }
    return std::move(resolved).error();
  }
  request.matter = competent;
  for (const ResolvedMaterial& m : resolved->materials) {
    const bool declared = std::any_of(request.materials.begin(), request.materials.end(),
                                      [&](const auto& d) { return d.name == m.name; });
    if (declared) continue;
    MaterialDeclaration d{.name = m.name};
    switch (m.source) {
      case Source::kLicence:
        d.state = MaterialState::kProvided;
        d.origin = MaterialOrigin::kLicence;
        d.reference = m.reference;
        break;
      case Source::kReuse:
        d.state = MaterialState::kProvided;
        d.origin = MaterialOrigin::kReuse;
        d.reference = m.reference;
        d.content_hash = m.content_hash;
        d.size = m.size;
        d.media_type = m.media_type;
        d.file_name = m.file_name;
        break;
      case Source::kCommitment:
      case Source::kWaived:
        d.state = MaterialState::kProofWaived;
        break;
      case Source::kApplicant:
      case Source::kCertificateRequest:
        continue;  // missing until uploaded or answered
    }
    request.materials.push_back(std::move(d));
  }
  Impl* impl = impl_.get();
  auto authorised = request.authorised_licences;
  std::string actor = caller.account.id;
  return Prepared{.record = [impl, resolution = std::move(resolved).value(), authorised, actor,
                             reads](soci::session& sql, const cases::Case& c) -> Status {
                    for (const trace::Event& e : *reads)
                      TB_RETURN_IF_ERROR(impl->trace.Append(sql, e));
                    return impl->RecordCase(sql, c, resolution, authorised, actor);
                  },
                  .unrecorded = trace_reads};
}

Result<CaseSources> SourceService::Get(const Principal& caller, std::string_view number) {
  TB_ASSIGN_OR_RETURN(cases::Case c, impl_->cases.Get(caller, number));
  return impl_->db.Transaction<CaseSources>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<CaseSources> {
        CaseSources out;
        std::string outcome, auth;
        store::Execute(sql, impl_->Q("select_resolution"), soci::use(c.number, "case_number"),
                       soci::into(outcome), soci::into(out.jurisdiction.requested_matter),
                       soci::into(out.jurisdiction.competent_matter),
                       soci::into(out.jurisdiction.competent_region),
                       soci::into(out.jurisdiction.competent_department),
                       soci::into(out.jurisdiction.note), soci::into(auth));
        if (sql.got_data()) {
          out.jurisdiction.outcome =
              ParseOutcome(outcome).value_or(JurisdictionOutcome::kUndetermined);
          auto a = json::parse(auth, nullptr, false);
          if (a.is_array()) {
            for (const auto& t : a) {
              if (t.is_string()) out.authorised_licences.push_back(t.get<std::string>());
            }
          }
        }
        ResolvedMaterial m;
        long long idx = 0, required = 0;
        std::string catalog_source, source;
        store::ExecuteRows(
            sql, impl_->Q("select_sources"),
            [&] {
              ResolvedMaterial copy = m;
              copy.index = static_cast<int>(idx);
              copy.required = required != 0;
              copy.catalog_source =
                  catalog::ParseEnum<Source>(catalog_source).value_or(Source::kApplicant);
              copy.source = catalog::ParseEnum<Source>(source).value_or(Source::kApplicant);
              out.materials.push_back(std::move(copy));
            },
            soci::use(c.number, "case_number"), soci::into(idx), soci::into(m.name),
            soci::into(required), soci::into(catalog_source), soci::into(source),
            soci::into(m.reference), soci::into(m.detail));
        TB_RETURN_IF_ERROR(impl_->ReadRequests(
            sql, impl_->Q("request_columns") + " WHERE case_number = :case_number ORDER BY idx",
            out.requests, c.number));
        return out;
      });
}

}  // namespace tongban::sources
