// 调用 / 复用 / 在线开具 / 告知承诺: each material's source for one application (service.h).
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "catalog/certificates_generation.h"
#include "licences/types_generation.h"
#include "sources/service_impl.h"

namespace tongban::sources {

using cases::MaterialDeclaration;
using cases::MaterialOrigin;
using cases::MaterialState;
using nlohmann::json;
using people::Principal;

namespace {

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

// A person's e-licence that an enterprise's application requires (法定代表人身份证明) is its
// legal representative's: fetched or accepted only when the signed-in caller is that
// representative (a legal representative's own licence; an agent cannot lend it). The
// caller's ID number then, else "".
std::string RepresentativeOf(const Principal& caller, const JurisdictionSubject& subject) {
  if (subject.kind != "enterprise" || subject.code.empty()) return "";
  for (const people::Agency& a : caller.agencies) {
    if (a.uscc == subject.code && a.relation == people::EnterpriseRelation::kLegalRepresentative) {
      return caller.account.id_number;
    }
  }
  return "";
}

const licences::LicenceType* TypeNamed(const std::vector<licences::LicenceType>& types,
                                       const std::string& name) {
  for (const auto& t : types) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

// Whether a licence of type `type_name` in an application is the legal representative's
// rather than the applicant's own: a person's licence type, the applicant an enterprise.
bool RepresentativesLicence(const std::vector<licences::LicenceType>& types,
                            const std::string& type_name, bool enterprise) {
  const licences::LicenceType* t = enterprise ? TypeNamed(types, type_name) : nullptr;
  return t != nullptr && t->holder == licences::HolderKind::kPerson;
}

}  // namespace

Result<Resolution> SourceService::Impl::Resolve(const Principal& caller, const ResolveRequest& in,
                                                const std::vector<MaterialDeclaration>& declared,
                                                std::string* competent_matter_out,
                                                std::vector<trace::Event>* deferred) {
  const Date today = Today();
  // The case service's parsed pinned version (no stored YAML parsed per submission).
  TB_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Matter> matter,
                      cases.MatterInForce(in.matter, today));
  TB_ASSIGN_OR_RETURN(JurisdictionSubject subject,
                      Subject(caller, in.applicant_kind, in.applicant_code, deferred));
  subject.form = in.form;
  TB_RETURN_IF_ERROR(Contradicted(subject));
  Resolution out;
  TB_ASSIGN_OR_RETURN(out.jurisdiction, Decide(caller, *matter, subject, today));
  if (out.jurisdiction.outcome == JurisdictionOutcome::kRedirected) {
    TB_ASSIGN_OR_RETURN(matter, cases.MatterInForce(out.jurisdiction.competent_matter, today));
  }
  if (competent_matter_out) *competent_matter_out = matter->item.code;
  const catalog::Scenario* scenario = nullptr;
  for (const auto& s : matter->item.scenarios) {
    if (in.scenario.empty() || s.code == in.scenario) {
      scenario = &s;
      break;
    }
  }
  if (scenario == nullptr) {
    return Error(ErrorCode::kInvalidArgument, "the application is invalid",
                 {{"scenario",
                   fmt::format("matter {} has no scenario {}", matter->item.code, in.scenario)}});
  }
  // The applicant's licences, read only when a material is to be fetched (调用): not when the
  // applicant declared every material (a read and a parsed document per licence held).
  std::optional<std::vector<licences::Licence>> held, representative_held;
  // Both kept in memory while unchanged (service_impl.h): no read, no JSON per submission.
  TB_ASSIGN_OR_RETURN(auto certificates_held,
                      certificates.Get(clock(), catalog::CertificatesGeneration(),
                                       [&] { return catalog.ListCertificates(); }));
  TB_ASSIGN_OR_RETURN(auto types_held,
                      licence_types.Get(clock(), licences::LicenceTypesGeneration(),
                                        [&] { return licences.ListTypes(); }));
  const std::vector<catalog::Certificate>& certificate_list = *certificates_held;
  const std::string representative = RepresentativeOf(caller, subject);
  // Whether a licence held by `holder` stands for the applicant: the applicant's own, or a
  // person's licence of its legal representative (the caller) for an enterprise.
  const bool enterprise = subject.kind == "enterprise";
  const auto holder_stands = [&](const std::string& holder, const std::string& type) {
    if (subject.code.empty() || holder == subject.code) return true;
    return !representative.empty() && holder == representative &&
           RepresentativesLicence(*types_held, type, enterprise);
  };
  const std::string applicant_region = subject.person   ? subject.person->household_region
                                       : subject.entity ? subject.entity->registered_region
                                                        : "";
  for (size_t i = 0; i < scenario->materials.size(); ++i) {
    const catalog::Material& cm = scenario->materials[i];
    ResolvedMaterial r;
    r.index = static_cast<int>(i);
    r.name = cm.name;
    r.required = cm.required == catalog::Requirement::kAlways;
    r.catalog_source = cm.source;
    const catalog::Certificate* certificate = nullptr;
    for (const auto& c : certificate_list) {
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
        } else if (!holder_stands(l->holder_id, l->type_name)) {
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
    // A person's licence in an enterprise's application: its legal representative's, when the
    // caller is the representative (else nobody's: the applicant provides it).
    const bool representatives = RepresentativesLicence(*types_held, type_name, enterprise);
    std::optional<std::vector<licences::Licence>>& holdings =
        representatives ? representative_held : held;
    const std::string& holder = representatives ? representative : subject.code;
    if (!type_name.empty() && !holdings) {
      holdings.emplace();
      if (!holder.empty()) {
        TB_ASSIGN_OR_RETURN(*holdings, licences.ListByHolder(holder));
      }
    }
    if (!type_name.empty()) {
      for (const auto& l : *holdings) {
        if (l.type_name != type_name) continue;
        // A revoked, replaced or expired licence is never fetched; the applicant is told why
        // the material falls back to them (unless a valid one of the type follows).
        if (std::string problem = LicenceProblem(l, today); !problem.empty()) {
          if (r.detail.empty()) r.detail = problem + "，不能调用，请申请人提交";
          continue;
        }
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
    // 复用: the applicant's own earlier file of this material, within the material's reuse
    // period (the catalog's, else the installation's; 0: never reused).
    const int reuse_days = cm.reuse_days.value_or(options.reuse_days);
    if (!resolved && !subject.code.empty() && reuse_days > 0) {
      auto found = db.Transaction<bool>(store::TxKind::kRead, [&](soci::session& sql) {
        std::string number, hash, media, file;
        long long idx = 0, size = 0;
        long long from = NowMs() - int64_t{reuse_days} * 24 * 3600 * 1000;
        const std::string today_text = today.ToString();
        store::Execute(sql, Q("library_material"), soci::use(subject.code, "applicant_code"),
                       soci::use(from, "since"), soci::use(cm.name, "name"),
                       soci::use(today_text, "today"), soci::into(number), soci::into(idx),
                       soci::into(hash), soci::into(size), soci::into(media), soci::into(file));
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
      if (const licences::LicenceType* t = TypeNamed(*types_held, certificate->licence_type)) {
        std::string dept = IssuerFor(*t, applicant_region, matter->item.region);
        if (!dept.empty()) {
          auto issuer = licences.Department(dept);
          r.source = Source::kCertificateRequest;
          r.reference = dept;
          r.department = dept;
          r.licence_type_code = t->code;
          r.certificate = certificate->code;
          r.request_days = cm.request_days.value_or(options.request_days);
          r.detail = fmt::format("向{}在线开具，{}个工作日内出具",
                                 issuer.ok() ? issuer->name : dept, r.request_days);
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

Result<std::vector<std::string>> SourceService::UnverifiedLicences(const cases::Case& c) {
  Impl& impl = *impl_;
  TB_ASSIGN_OR_RETURN(auto types,
                      impl.licence_types.Get(impl.clock(), licences::LicenceTypesGeneration(),
                                             [&] { return impl.licences.ListTypes(); }));
  const Date today = impl.Today();
  std::vector<std::string> out;
  for (const cases::CaseMaterial& m : c.materials) {
    if (m.origin != MaterialOrigin::kLicence || m.state != MaterialState::kProvided) continue;
    auto l = impl.licences.Get(m.reference);
    if (!l.ok() && l.error().code() != ErrorCode::kNotFound) return std::move(l).error();
    bool stands = l.ok() && LicenceProblem(*l, today).empty();
    if (stands && l->holder_id != c.applicant_code) {
      // Only a person's licence in an enterprise's application (its representative's, checked
      // at submission) may be someone else's.
      stands = RepresentativesLicence(*types, l->type_name,
                                      c.applicant_kind == cases::ApplicantKind::kEnterprise);
    }
    if (!stands) out.push_back(m.name);
  }
  return out;
}

}  // namespace tongban::sources
