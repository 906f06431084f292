// The state the parts of the source service share (service.cc, materials.cc, jurisdiction.cc,
// requests.cc): the services it reads, the options, the named queries and the cache of compiled
// jurisdiction rules. Internal to src/sources.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/cached_value.h"
#include "people/clock.h"
#include "sources/jurisdiction.h"
#include "sources/service.h"

namespace tongban::sources {

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
  // What every submission reads, kept while unchanged (base/cached_value.h): the catalog's
  // certificates (catalog/certificates_generation.h) and the parsed licence types
  // (licences/types_generation.h). A change another process makes is seen within kCacheMs.
  static constexpr int64_t kCacheMs = 5000;
  CachedValue<std::vector<catalog::Certificate>> certificates{std::chrono::milliseconds(kCacheMs)};
  CachedValue<std::vector<licences::LicenceType>> licence_types{
      std::chrono::milliseconds(kCacheMs)};

  const Clock& clock() const {
    return options.clock ? *options.clock : static_cast<const Clock&>(SystemClock::Instance());
  }
  int64_t NowMs() const { return people::EpochMs(clock()); }
  Date Today() const { return TodayInChina(clock()); }
  const std::string& Q(std::string_view name) const { return queries.Get(name, db.backend()); }

  // The compiled jurisdiction rule of a matter version; nullopt when it does not compile.
  std::optional<feel::Program> Rule(const catalog::Matter& m);

  // Who applies, from the registers: the person (citizen or staff with a purpose) or the
  // enterprise. A record the caller may not read or that does not exist is left out.
  // With `deferred`, a register read's trace event goes there (Registers::ReadApplicant).
  Result<JurisdictionSubject> Subject(const people::Principal& caller, cases::ApplicantKind kind,
                                      std::string code,
                                      std::vector<trace::Event>* deferred = nullptr);

  // The platform reading the registers for `caller`'s application: register.read and
  // register.read_full everywhere, under an id that names the caller.
  static people::Principal Platform(const people::Principal& caller);

  // 申请人登记为死亡 / 已注销: stopped with the reason.
  static Status Contradicted(const JurisdictionSubject& s);

  // Every matter in force of the same basic item (the implementations in other regions).
  Result<std::vector<catalog::MatterSummary>> Siblings(const catalog::Matter& m);

  // Which matter is competent for `subject` (jurisdiction.h): this one, another region's
  // implementation of the same basic item (redirected, or received here for it), or none.
  Result<Jurisdiction> Decide(const people::Principal& caller, const catalog::Matter& matter,
                              const JurisdictionSubject& subject, Date today);

  // The issuing department of a certificate request: among the licence type's issuers, the
  // one closest to the applicant (then to the matter's region).
  std::string IssuerFor(const licences::LicenceType& type, const std::string& applicant_region,
                        const std::string& matter_region) const;

  // The jurisdiction and each material's source (materials.cc); `declared` are what the
  // applicant declared, which stand once checked; the competent matter goes to
  // `competent_matter_out` when set; the register reads' trace events to `deferred` when set
  // (appended by the caller, in the submission's transaction).
  Result<Resolution> Resolve(const people::Principal& caller, const ResolveRequest& in,
                             const std::vector<cases::MaterialDeclaration>& declared,
                             std::string* competent_matter_out,
                             std::vector<trace::Event>* deferred = nullptr);

  // Writes the resolution, the certificate requests and the trace event in the submission's
  // transaction.
  Status RecordCase(soci::session& sql, const cases::Case& c, const Resolution& res,
                    const std::vector<std::string>& authorised, const std::string& actor);

  // One certificate request by id; kNotFound when there is none.
  Result<CertificateRequest> LoadRequest(soci::session& sql, const std::string& id) const;

  // The requests `query` (request_columns and a WHERE on :case_number, :department or :id,
  // bound to `key`) selects, appended to `out` with their overdue flag as of today.
  Status ReadRequests(soci::session& sql, const std::string& query,
                      std::vector<CertificateRequest>& out, const std::string& key) const;

  // A principal that may supply the case's material: the issuing department answering
  // through the platform, limited to this case's region, department and matter.
  static people::Principal Supplier(const cases::Case& c, const std::string& actor);
};

}  // namespace tongban::sources
