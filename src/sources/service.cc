#include "sources/service.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/id.h"
#include "people/authorization.h"
#include "people/clock.h"
#include "sources/jurisdiction.h"

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

std::string_view JurisdictionOutcomeName(JurisdictionOutcome o) {
  switch (o) {
    case JurisdictionOutcome::kCompetent:
      return "competent";
    case JurisdictionOutcome::kRedirected:
      return "redirected";
    case JurisdictionOutcome::kCrossRegion:
      return "cross_region";
    case JurisdictionOutcome::kUndetermined:
      return "undetermined";
  }
  return "undetermined";
}

std::string_view RequestStateName(RequestState s) {
  switch (s) {
    case RequestState::kRequested:
      return "requested";
    case RequestState::kAnswered:
      return "answered";
    case RequestState::kRefused:
      return "refused";
  }
  return "requested";
}

namespace {

std::optional<JurisdictionOutcome> ParseOutcome(std::string_view s) {
  for (auto o : {JurisdictionOutcome::kCompetent, JurisdictionOutcome::kRedirected,
                 JurisdictionOutcome::kCrossRegion, JurisdictionOutcome::kUndetermined}) {
    if (JurisdictionOutcomeName(o) == s) return o;
  }
  return std::nullopt;
}

RequestState ParseRequestState(std::string_view s) {
  if (s == "answered") return RequestState::kAnswered;
  if (s == "refused") return RequestState::kRefused;
  return RequestState::kRequested;
}

bool Authorised(const std::vector<std::string>& authorised, const std::string& type_name) {
  return std::any_of(authorised.begin(), authorised.end(),
                     [&](const std::string& a) { return a == "*" || a == type_name; });
}

// Whether `licence` stands for its holder today: valid status and within its dates.
std::string LicenceProblem(const licences::Licence& l, Date today) {
  switch (l.status) {
    case licences::LicenceStatus::kRevoked:
      return fmt::format("电子证照{}已被吊销/撤销：{}", l.id, l.revoked_reason);
    case licences::LicenceStatus::kSuperseded:
      return fmt::format("电子证照{}已被新版本{}替代", l.id, l.next_id);
    case licences::LicenceStatus::kValid:
      break;
  }
  if (today < l.valid_from) return fmt::format("电子证照{}尚未生效", l.id);
  if (l.valid_until && *l.valid_until < today) {
    return fmt::format("电子证照{}已于{}过期", l.id, l.valid_until->ToString());
  }
  return "";
}

// The common prefix length of two region codes: how close a department is to the applicant.
size_t Closeness(const std::string& a, const std::string& b) {
  size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return n;
}

}  // namespace

struct SourceService::Impl {
  store::Database& db;
  catalog::CatalogService& catalog;
  cases::CaseService& cases;
  licences::LicenceService& licences;
  registers::Registers& registers;
  trace::Trace& trace;
  SourceOptions options;
  store::QuerySet queries;
  std::unique_ptr<Calendar> own_calendar;
  const Calendar* calendar = nullptr;
  std::mutex mu;
  std::map<std::string, std::optional<feel::Program>> rules;  // by matter version id

  const Clock& clock() const {
    return options.clock ? *options.clock : static_cast<const Clock&>(SystemClock::Instance());
  }
  int64_t NowMs() const { return people::EpochMs(clock()); }
  Date Today() const { return TodayInChina(clock()); }
  const std::string& Q(std::string_view name) const { return queries.Get(name, db.backend()); }

  // The compiled jurisdiction rule of a matter version; nullopt when it does not compile.
  std::optional<feel::Program> Rule(const catalog::Matter& m) {
    std::lock_guard lock(mu);
    auto it = rules.find(m.version.id);
    if (it != rules.end()) return it->second;
    std::optional<feel::Program> p;
    if (auto c = CompileJurisdiction(m.item.jurisdiction); c.ok()) p = std::move(c).value();
    rules.emplace(m.version.id, p);
    return p;
  }

  // Who applies, from the registers: the person (citizen or staff with a purpose) or the
  // enterprise. A record the caller may not read or that does not exist is left out.
  Result<JurisdictionSubject> Subject(const Principal& caller, ApplicantKind kind,
                                      std::string code) {
    JurisdictionSubject s;
    if (kind == ApplicantKind::kPerson) {
      if (code.empty()) code = caller.account.id_number;
      s.kind = "person";
      s.code = code;
      if (!code.empty()) {
        const registers::Purpose purpose{.code = "case_handling",
                                         .text = "办件申请时核对申请人、确定管辖和材料来源"};
        auto p = registers.ReadApplicant(caller, code, purpose);
        // A clerk at a window outside the applicant's region reads through the platform (the
        // read is traced with the purpose and the clerk's id).
        if (!p.ok() && p.error().code() == ErrorCode::kForbidden) {
          p = registers.ReadApplicant(Platform(caller), code, purpose);
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

  // The platform reading the registers for `caller`'s application: register.read and
  // register.read_full everywhere, under an id that names the caller.
  static Principal Platform(const Principal& caller) {
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
  static Status Contradicted(const JurisdictionSubject& s) {
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

  // Every matter in force of the same basic item (the implementations in other regions).
  Result<std::vector<catalog::MatterSummary>> Siblings(const catalog::Matter& m) {
    std::vector<catalog::MatterSummary> out;
    catalog::PageRequest page{.limit = 100, .cursor = {}};
    for (int pages = 0; pages < 1000; ++pages) {
      TB_ASSIGN_OR_RETURN(catalog::MatterPage p, catalog.ListMatters({}, page));
      for (auto& s : p.items) {
        if (s.basic_item == m.item.basic_item && s.code != m.item.code) out.push_back(s);
      }
      if (p.next_cursor.empty()) break;
      page.cursor = p.next_cursor;
    }
    return out;
  }

  Result<Jurisdiction> Decide(const Principal& caller, const catalog::Matter& matter,
                              const JurisdictionSubject& subject, Date today) {
    Jurisdiction j;
    j.requested_matter = matter.item.code;
    j.competent_matter = matter.item.code;
    j.competent_region = matter.item.region;
    j.competent_department = matter.item.department;
    auto rule = Rule(matter);
    std::optional<bool> here;
    if (rule) {
      here = EvaluateJurisdiction(*rule, subject, matter.item.code, matter.item.region, today);
    }
    if (!here) {
      j.outcome = JurisdictionOutcome::kUndetermined;
      j.note = "管辖规则无法判定（无登记信息），由本地受理";
      return j;
    }
    if (*here) {
      j.outcome = JurisdictionOutcome::kCompetent;
      j.note = fmt::format("由{}办理", matter.department.name);
      return j;
    }
    TB_ASSIGN_OR_RETURN(auto siblings, Siblings(matter));
    for (const auto& s : siblings) {
      auto other = catalog.GetMatter(s.code, today);
      if (!other.ok()) continue;
      auto other_rule = Rule(*other);
      if (!other_rule) continue;
      auto there =
          EvaluateJurisdiction(*other_rule, subject, other->item.code, other->item.region, today);
      if (!there || !*there) continue;
      j.competent_matter = other->item.code;
      j.competent_region = other->item.region;
      j.competent_department = other->item.department;
      // A citizen applying online or at a kiosk goes straight to the competent matter; a clerk
      // does when allowed to assist there, else receives it here for that region (异地代收).
      const bool may_redirect = caller.account.kind != people::AccountKind::kStaff ||
                                people::Authorize(caller, "case.assist",
                                                  {.region = other->item.region,
                                                   .department = other->item.department,
                                                   .matter = other->item.code},
                                                  NowMs())
                                    .ok();
      if (may_redirect) {
        j.outcome = JurisdictionOutcome::kRedirected;
        j.note = fmt::format("按管辖规则由{}办理，已转至该事项", other->department.name);
      } else {
        j.outcome = JurisdictionOutcome::kCrossRegion;
        j.note = fmt::format("按管辖规则由{}办理，本窗口跨域代收", other->department.name);
      }
      return j;
    }
    j.outcome = JurisdictionOutcome::kCrossRegion;
    j.note = "未找到有管辖权的其他地区事项，按跨域通办由本地受理";
    return j;
  }

  // The issuing department of a certificate request: among the licence type's issuers, the
  // one closest to the applicant (then to the matter's region).
  std::string IssuerFor(const licences::LicenceType& type, const std::string& applicant_region,
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

  Result<Resolution> Resolve(const Principal& caller, const ResolveRequest& in,
                             const std::vector<MaterialDeclaration>& declared,
                             std::string* competent_matter_out) {
    const Date today = Today();
    TB_ASSIGN_OR_RETURN(catalog::Matter matter, catalog.GetMatter(in.matter, today));
    TB_ASSIGN_OR_RETURN(JurisdictionSubject subject,
                        Subject(caller, in.applicant_kind, in.applicant_code));
    subject.form = in.form;
    TB_RETURN_IF_ERROR(Contradicted(subject));
    Resolution out;
    TB_ASSIGN_OR_RETURN(out.jurisdiction, Decide(caller, matter, subject, today));
    if (out.jurisdiction.outcome == JurisdictionOutcome::kRedirected) {
      TB_ASSIGN_OR_RETURN(matter, catalog.GetMatter(out.jurisdiction.competent_matter, today));
    }
    if (competent_matter_out) *competent_matter_out = matter.item.code;
    const catalog::Scenario* scenario = nullptr;
    for (const auto& s : matter.item.scenarios) {
      if (in.scenario.empty() || s.code == in.scenario) {
        scenario = &s;
        break;
      }
    }
    if (scenario == nullptr) {
      return Error(ErrorCode::kInvalidArgument, "the application is invalid",
                   {{"scenario",
                     fmt::format("matter {} has no scenario {}", matter.item.code, in.scenario)}});
    }
    // The applicant's licences by type name, and the certificate list by code.
    std::vector<licences::Licence> held;
    if (!subject.code.empty()) {
      TB_ASSIGN_OR_RETURN(held, licences.ListByHolder(subject.code));
    }
    TB_ASSIGN_OR_RETURN(auto certificates, catalog.ListCertificates());
    TB_ASSIGN_OR_RETURN(auto types, licences.ListTypes());
    const auto type_named = [&](const std::string& name) -> const licences::LicenceType* {
      for (const auto& t : types) {
        if (t.name == name) return &t;
      }
      return nullptr;
    };
    const std::string applicant_region = subject.person   ? subject.person->household_region
                                         : subject.entity ? subject.entity->registered_region
                                                          : "";
    const int64_t since = NowMs() - int64_t{options.reuse_days} * 24 * 3600 * 1000;
    for (size_t i = 0; i < scenario->materials.size(); ++i) {
      const catalog::Material& cm = scenario->materials[i];
      ResolvedMaterial r;
      r.index = static_cast<int>(i);
      r.name = cm.name;
      r.required = cm.required == catalog::Requirement::kAlways;
      r.catalog_source = cm.source;
      const catalog::Certificate* certificate = nullptr;
      for (const auto& c : certificates) {
        if (!cm.certificate.empty() && c.code == cm.certificate) certificate = &c;
      }
      // What the applicant declared stands; a declared licence must be theirs and valid.
      auto d = std::find_if(declared.begin(), declared.end(),
                            [&](const MaterialDeclaration& x) { return x.name == cm.name; });
      if (d != declared.end()) {
        if (d->origin == MaterialOrigin::kLicence && d->state == MaterialState::kProvided) {
          auto l = licences.Get(d->reference);
          if (!l.ok() && l.error().code() != ErrorCode::kNotFound) return std::move(l).error();
          // A licence this installation's register does not hold (another region's) is taken
          // as declared and checked by the clerk; one it holds must stand for the applicant.
          std::string why;
          if (!l.ok()) {
            why = "";
          } else if (!subject.code.empty() && l->holder_id != subject.code) {
            why = fmt::format("电子证照{}的持证主体不是申请人", d->reference);
          } else {
            why = LicenceProblem(*l, today);
          }
          if (!why.empty()) {
            return Error(ErrorCode::kRefused, why,
                         {{fmt::format("materials/{}/reference", d - declared.begin()), why}});
          }
          r.source = Source::kLicence;
          r.reference = d->reference;
          r.detail = l.ok() ? "申请人提供电子证照" : "本地证照库外的电子证照，由受理人员核验";
        } else if (d->state == MaterialState::kProofWaived) {
          r.source = cm.source == Source::kWaived ? Source::kWaived : Source::kCommitment;
          r.detail = "申请人告知承诺";
        } else {
          r.source = Source::kApplicant;
          r.detail = "申请人自行提交";
        }
        out.materials.push_back(std::move(r));
        continue;
      }
      // 调用: the type the material names, or the e-licence standing in for its certificate.
      std::string type_name = cm.source == Source::kLicence ? cm.licence_type : "";
      if (type_name.empty() && certificate) type_name = certificate->licence_type;
      bool resolved = false;
      if (!type_name.empty()) {
        for (const auto& l : held) {
          if (l.type_name != type_name || !LicenceProblem(l, today).empty()) continue;
          if (Authorised(in.authorised_licences, type_name)) {
            r.source = Source::kLicence;
            r.reference = l.id;
            r.detail = fmt::format("已授权调用电子证照{}", type_name);
            resolved = true;
          } else {
            r.detail = fmt::format("持有电子证照{}，未授权调用", type_name);
          }
          break;
        }
      }
      // 复用: the applicant's own earlier file of this material.
      if (!resolved && !subject.code.empty()) {
        auto found = db.Transaction<bool>(store::TxKind::kRead, [&](soci::session& sql) {
          std::string number, hash, media, file;
          long long idx = 0, size = 0;
          long long from = since;
          store::Execute(sql, Q("library_material"), soci::use(subject.code, "applicant_code"),
                         soci::use(from, "since"), soci::use(cm.name, "name"), soci::into(number),
                         soci::into(idx), soci::into(hash), soci::into(size), soci::into(media),
                         soci::into(file));
          if (!sql.got_data()) return Result<bool>(false);
          r.source = Source::kReuse;
          r.reference = fmt::format("{}/{}", number, idx);
          r.content_hash = hash;
          r.size = size;
          r.media_type = media;
          r.file_name = file;
          r.detail = fmt::format("复用办件{}中已提交的材料", number);
          return Result<bool>(true);
        });
        if (!found.ok()) return std::move(found).error();
        resolved = *found;
      }
      // 在线开具: the certificate's e-licence type names who issues it; only when the material
      // is needed (always, or its condition holds over the form), never for an optional one.
      const bool needed = cm.required == catalog::Requirement::kAlways ||
                          (cm.required == catalog::Requirement::kConditional &&
                           ConditionHolds(cm.condition, subject, today).value_or(false));
      if (!resolved && needed && cm.source == Source::kCertificateRequest && certificate &&
          !certificate->licence_type.empty()) {
        if (const licences::LicenceType* t = type_named(certificate->licence_type)) {
          std::string dept = IssuerFor(*t, applicant_region, matter.item.region);
          if (!dept.empty()) {
            auto issuer = licences.Department(dept);
            r.source = Source::kCertificateRequest;
            r.reference = dept;
            r.department = dept;
            r.licence_type_code = t->code;
            r.certificate = certificate->code;
            r.detail = fmt::format("向{}在线开具，{}个工作日内出具",
                                   issuer.ok() ? issuer->name : dept, options.request_days);
            resolved = true;
          }
        }
      }
      // 告知承诺 / 免提交 where the catalog allows and the credit record does not bar it.
      if (!resolved && (cm.source == Source::kCommitment || cm.source == Source::kWaived)) {
        const std::vector<MaterialDeclaration> one{
            {.name = cm.name, .state = MaterialState::kProofWaived}};
        if (subject.code.empty() || cases.CreditAllows(subject.code, one).ok()) {
          r.source = cm.source;
          r.detail = cm.source == Source::kWaived ? "免提交" : "告知承诺代替提交";
          resolved = true;
        }
      }
      if (!resolved) {
        r.source = Source::kApplicant;
        if (r.detail.empty()) r.detail = "申请人提交";
      }
      out.materials.push_back(std::move(r));
    }
    return out;
  }

  Status RecordCase(soci::session& sql, const cases::Case& c, const Resolution& res,
                    const std::vector<std::string>& authorised, const std::string& actor) {
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
                            calendar->AddWorkingDays(c.received_on, options.request_days));
        reference = NewId(clock());
        auto dept = licences.Department(m.department);
        std::string region = dept.ok() ? dept->region : "", due_on = due.date.ToString();
        long long idx = m.index, at = NowMs();
        const std::string& certificate = m.certificate;
        store::Execute(
            sql, Q("insert_request"), soci::use(reference, "id"), soci::use(c.id, "case_id"),
            soci::use(c.number, "case_number"), soci::use(idx, "idx"),
            soci::use(m.name, "material"), soci::use(certificate, "certificate"),
            soci::use(m.licence_type_code, "licence_type"), soci::use(m.department, "department"),
            soci::use(region, "region_code"), soci::use(c.applicant_code, "applicant_code"),
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

  Result<CertificateRequest> LoadRequest(soci::session& sql, const std::string& id) {
    std::vector<CertificateRequest> found;
    TB_RETURN_IF_ERROR(ReadRequests(sql, Q("request_columns") + " WHERE id = :id", found, id));
    if (found.empty()) return Error(ErrorCode::kNotFound, "no such certificate request");
    return found.front();
  }

  Status ReadRequests(soci::session& sql, const std::string& query,
                      std::vector<CertificateRequest>& out, const std::string& key) const {
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
      store::ExecuteRows(
          sql, query, on_row, std::forward<decltype(uses)>(uses)..., soci::into(r.id),
          soci::into(r.case_number), soci::into(idx), soci::into(r.material),
          soci::into(r.certificate), soci::into(r.licence_type_code), soci::into(r.department),
          soci::into(r.region), soci::into(applicant_code), soci::into(r.applicant_name),
          soci::into(state), soci::into(at), soci::into(due), soci::into(r.answered_by),
          soci::into(r.licence_id), soci::into(r.reason));
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
  static Principal Supplier(const cases::Case& c, const std::string& actor) {
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
};

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

Result<cases::SubmissionHook::Record> SourceService::Prepare(const Principal& caller,
                                                             cases::SubmitRequest& request) {
  ResolveRequest in{.matter = request.matter,
                    .scenario = request.scenario,
                    .applicant_kind = request.applicant_kind,
                    .applicant_code = request.applicant_code,
                    .form = request.form,
                    .authorised_licences = request.authorised_licences};
  std::string competent;
  auto resolved = impl_->Resolve(caller, in, request.materials, &competent);
  if (!resolved.ok()) {
    // An unknown matter or scenario is the case service's to report, in its words.
    if (resolved.error().code() == ErrorCode::kNotFound ||
        resolved.error().code() == ErrorCode::kInvalidArgument) {
      return Record();
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
  return Record([impl, resolution = std::move(resolved).value(), authorised, actor](
                    soci::session& sql, const cases::Case& c) {
    return impl->RecordCase(sql, c, resolution, authorised, actor);
  });
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
  const std::string actor = "certificate-request:" + id;
  TB_ASSIGN_OR_RETURN(cases::Case updated,
                      I.cases.SupplyMaterial(Impl::Supplier(c, actor), c.number, r.index,
                                             MaterialOrigin::kLicence, "", "", l.id));
  (void)updated;
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
  TB_RETURN_IF_ERROR(closed);
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

Result<SourceReport> SourceService::Report(const Principal& caller,
                                           const SourceReportQuery& query) {
  TB_RETURN_IF_ERROR(people::Authorize(caller, "report.read",
                                       {.region = query.region.empty() ? "" : query.region,
                                        .department = "",
                                        .matter = query.matter},
                                       impl_->NowMs()));
  return Report(query);
}

Result<SourceReport> SourceService::Report(const SourceReportQuery& query) {
  return BuildSourceReport(impl_->db, impl_->catalog, query);
}

namespace {

SourceReport CaseCounts(soci::session& sql, const store::QuerySet& queries, store::Backend backend,
                        const SourceReportQuery& query) {
  const auto Q = [&](std::string_view name) -> const std::string& {
    return queries.Get(name, backend);
  };
  SourceReport out;
  std::string from = query.from ? query.from->ToString() : "0000-01-01",
              to = query.to ? query.to->ToString() : "9999-12-31", region = query.region + "%",
              matter = query.matter;
  std::map<std::string, SourceCounts> by_matter;
  std::string code, source;
  long long count = 0, cases_count = 0;
  store::ExecuteRows(
      sql, Q("report_cases"),
      [&] {
        by_matter[code].matter = code;
        by_matter[code].cases = cases_count;
      },
      soci::use(from, "from"), soci::use(to, "to"), soci::use(region, "region"),
      soci::use(matter, "matter"), soci::into(code), soci::into(cases_count));
  store::ExecuteRows(
      sql, Q("report_rows"),
      [&] {
        SourceCounts& s = by_matter[code];
        s.matter = code;
        s.required += count;
        s.by_source[source] += count;
        if (source != "applicant") s.not_carried += count;
      },
      soci::use(from, "from"), soci::use(to, "to"), soci::use(region, "region"),
      soci::use(matter, "matter"), soci::into(code), soci::into(source), soci::into(count),
      soci::into(cases_count));
  for (auto& [c, s] : by_matter) {
    out.total.cases += s.cases;
    out.total.required += s.required;
    out.total.not_carried += s.not_carried;
    for (const auto& [src, n] : s.by_source) out.total.by_source[src] += n;
    out.matters.push_back(s);
  }
  return out;
}

Status CatalogCounts(catalog::CatalogService& catalog, const SourceReportQuery& query,
                     SourceCounts& out) {
  catalog::PageRequest page{.limit = 100, .cursor = {}};
  for (int pages = 0; pages < 1000; ++pages) {
    auto p = catalog.ListMatters({.region = query.region}, page);
    if (!p.ok()) return std::move(p).error();
    for (const auto& s : p->items) {
      if (!query.matter.empty() && s.code != query.matter) continue;
      auto m = catalog.GetMatter(s.code);
      if (!m.ok()) continue;
      ++out.cases;  // here: matters in force
      for (const auto& sc : m->item.scenarios) {
        for (const auto& mat : sc.materials) {
          if (mat.required != catalog::Requirement::kAlways) continue;
          ++out.required;
          ++out.by_source[std::string(catalog::EnumId(mat.source))];
          if (mat.source != Source::kApplicant) ++out.not_carried;
        }
      }
    }
    if (p->next_cursor.empty()) break;
    page.cursor = p->next_cursor;
  }
  return Ok();
}

}  // namespace

Result<SourceReport> CaseSourceCounts(soci::session& sql, store::Backend backend,
                                      const SourceReportQuery& query) {
  static const Result<store::QuerySet> queries =
      store::QuerySet::Load(kSourcesSql, kSourcesSql_count);
  if (!queries.ok()) return queries.error();
  return CaseCounts(sql, *queries, backend, query);
}

Result<SourceReport> BuildSourceReport(store::Database& db, catalog::CatalogService& catalog,
                                       const SourceReportQuery& query) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kSourcesSql, kSourcesSql_count));
  TB_ASSIGN_OR_RETURN(SourceReport out,
                      db.Transaction<SourceReport>(store::TxKind::kRead, [&](soci::session& sql) {
                        return Result<SourceReport>(CaseCounts(sql, queries, db.backend(), query));
                      }));
  for (SourceCounts& s : out.matters) {
    if (auto m = catalog.GetMatter(s.matter); m.ok()) s.matter_name = m->basic.name;
  }
  TB_RETURN_IF_ERROR(CatalogCounts(catalog, query, out.catalog));
  return out;
}

}  // namespace tongban::sources
