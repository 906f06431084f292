// Material sources (四个一批: 调用 / 复用 / 在线开具, and 告知承诺) and jurisdiction (管辖),
// resolved when an application starts. The service is the cases module's SubmissionHook: before
// a submission is checked it decides, for each material of the scenario, where it comes from —
//   licence              the applicant holds a valid e-licence of the type and authorised its use
//                        (授权用证): fetched from the licence register;
//   reuse                the same material, uploaded in an earlier case of the applicant no longer
//                        ago than the reuse period: its stored file is copied (材料库);
//   certificate_request  requested from the issuing department (a village committee included):
//                        a request lands in its inbox with a time limit and is answered with a
//                        sealed e-certificate that lands in the case;
//   commitment / waived  the catalog allows a commitment (告知承诺) or needs nothing;
//   applicant            uploaded otherwise —
// and which matter (department and region) is competent by the matters' jurisdiction rules. An
// application outside the rule is directed to the competent matter, or handled as cross-region
// service; it is never refused for being at the "wrong" window. An application the registers
// contradict (the applicant registered dead or dissolved, a declared licence revoked, expired or
// someone else's) is stopped with the reason. What was resolved is recorded with the case in the
// submission's transaction; the report counts the materials applicants no longer had to bring.
// No HTTP, no JSON on the outside.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/result.h"
#include "cases/service.h"
#include "catalog/service.h"
#include "licences/service.h"
#include "people/model.h"
#include "registers/register.h"
#include "sources/jurisdiction.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"
#include "trace/trace.h"

namespace tongban::sources {

Result<store::MigrationSet> Migrations();

// Where one material comes from; the same ids as the catalog's material sources.
using Source = catalog::MaterialSource;

// The jurisdiction decision for an application (管辖).
enum class JurisdictionOutcome {
  kCompetent,     // the matter applied for is competent
  kRedirected,    // another region's implementation of the same basic item is: applied there
  kCrossRegion,   // received here for the competent region (跨域通办), or none found competent
  kUndetermined,  // the rule gives no answer (no register record, a null result): handled here
};
std::string_view JurisdictionOutcomeName(JurisdictionOutcome o);

struct Jurisdiction {
  JurisdictionOutcome outcome = JurisdictionOutcome::kUndetermined;
  std::string requested_matter;
  std::string competent_matter;  // the matter the case is (or should be) handled under
  std::string competent_region;
  std::string competent_department;
  std::string note;  // why, in Chinese, for the applicant
};

struct ResolvedMaterial {
  int index = 0;
  std::string name;
  bool required = false;
  Source catalog_source = Source::kApplicant;  // what the catalog declares
  Source source = Source::kApplicant;          // what was resolved for this applicant
  // licence: the licence id; reuse: "<case number>/<material index>"; certificate_request:
  // the issuing department's code (the request id once recorded).
  std::string reference;
  std::string detail;  // in Chinese: 已授权调用营业执照, 持有但未授权调用, 3个工作日内开具 …
  // reuse: the earlier file.
  std::string content_hash, media_type, file_name;
  int64_t size = 0;
  // certificate_request: the licence type issued in answer and the issuing department.
  std::string licence_type_code, department, certificate;
  int request_days = 0;  // certificate_request: the working days the issuer has to answer
};

struct Resolution {
  Jurisdiction jurisdiction;
  std::vector<ResolvedMaterial> materials;
};

// What the applicant would apply with: the same fields as cases::SubmitRequest.
struct ResolveRequest {
  std::string matter{};
  std::string scenario{};  // the first scenario when empty
  cases::ApplicantKind applicant_kind = cases::ApplicantKind::kPerson;
  std::string applicant_code{};  // empty: a citizen's own ID number
  std::map<std::string, std::string> form{};
  std::vector<std::string> authorised_licences{};  // type names, or "*"
};

// kCancelled: the case ended (concluded, refused, withdrawn, terminated) while the request was
// still open, so nobody needs the certificate any more.
enum class RequestState { kRequested, kAnswered, kRefused, kCancelled };
std::string_view RequestStateName(RequestState s);

// 在线开具: one certificate request in an issuing department's inbox.
struct CertificateRequest {
  std::string id;
  std::string case_number;
  int index = 0;
  std::string material;
  std::string certificate;        // the certificate list's code
  std::string licence_type_code;  // what the answer is issued as
  std::string department;         // the issuing department (a village committee included)
  std::string region;             // the department's region
  std::string applicant_name;
  RequestState state = RequestState::kRequested;
  int64_t requested_at_ms = 0;
  Date due_on;  // the time limit: the last working day to answer
  bool overdue = false;
  std::string answered_by;
  std::string licence_id;  // the sealed e-certificate issued in answer
  std::string reason;      // of a refusal
};

// One case's sources as recorded at submission.
struct CaseSources {
  Jurisdiction jurisdiction;
  std::vector<std::string> authorised_licences;
  std::vector<ResolvedMaterial> materials;
  std::vector<CertificateRequest> requests;
};

// The report of materials no longer carried (不再提交), per matter and overall.
struct SourceCounts {
  std::string matter;  // "" for the total
  std::string matter_name;
  int64_t cases = 0;
  int64_t required = 0;     // required materials of those cases
  int64_t not_carried = 0;  // of them, not brought by the applicant (every source but applicant)
  std::map<std::string, int64_t> by_source;  // source id -> required materials
};
struct SourceReport {
  std::vector<SourceCounts> matters;  // by matter code
  SourceCounts total;
  // What the catalog in force declares: required materials of every scenario by source (the
  // article's "99 of 362" is this count for source licence).
  // (`cases` counts matters here.)
  SourceCounts catalog;
};

struct SourceReportQuery {
  std::string region{};              // the cases' region subtree; "" everywhere
  std::string matter{};              // one matter; "" every matter
  std::optional<Date> from{}, to{};  // received on these days, inclusive
};

struct SourceOptions {
  const Clock* clock = nullptr;        // the system clock when null
  const Calendar* calendar = nullptr;  // the embedded national calendar when null
  // The installation's defaults (configuration material_reuse_days and
  // certificate_request_days) for materials whose catalog entry sets no reuse_days or
  // request_days (docs/catalog-format.md).
  int reuse_days = 365;  // how long an uploaded material may be reused; 0: never
  int request_days = 3;  // working days an issuer has to answer a request
};

class SourceService final : public cases::SubmissionHook {
 public:
  // Every reference must outlive the service; `db` carries Migrations() after the cases',
  // licences' and registers'.
  static Result<std::unique_ptr<SourceService>> Create(store::Database& db,
                                                       catalog::CatalogService& catalog,
                                                       cases::CaseService& cases,
                                                       licences::LicenceService& licences,
                                                       registers::Registers& registers,
                                                       trace::Trace& trace, SourceOptions options);
  ~SourceService() override;

  // What an application would resolve to for `caller` now: the jurisdiction and each
  // material's source (the form and checklist pages show it). Nothing is written; errors only
  // for an unknown matter or scenario, and for what the registers contradict (kRefused).
  Result<Resolution> Resolve(const people::Principal& caller, const ResolveRequest& request);

  // The hook (cases::SubmissionHook): resolves, fills the undeclared materials, redirects to the
  // competent matter, stops what the registers contradict; records it all with the case.
  Result<Prepared> Prepare(const people::Principal& caller, cases::SubmitRequest& request) override;

  // The case's applicant as the registers hold it now (the person or the enterprise record,
  // read by `caller` or else through the platform with the case-handling purpose, traced), for
  // rules decided after submission (秒批, auto_decision.h). A record that does not exist or may
  // not be read is left out; other failures are errors.
  Result<JurisdictionSubject> Applicant(const people::Principal& caller, const cases::Case& c);

  // 秒批's check before the system decides alone: the names of the case's e-licence materials
  // this installation's licence register cannot vouch for — not held here (another region's,
  // taken as declared for a clerk to check), no longer valid, or not the applicant's. Empty
  // when every e-licence material stands.
  Result<std::vector<std::string>> UnverifiedLicences(const cases::Case& c);

  // The case's recorded sources, requests and jurisdiction, for whoever may read the case.
  Result<CaseSources> Get(const people::Principal& caller, std::string_view number);

  // An issuing department's inbox of requests still to answer, earliest due first. Needs
  // certificate.issue over the department's region and the department.
  Result<std::vector<CertificateRequest>> Inbox(const people::Principal& caller,
                                                const std::string& department, int limit);
  // Answers a request: issues the sealed e-certificate (the licence type's fields in `data`)
  // in the department's name to the applicant and supplies it to the case's material.
  // kConflict when already answered or refused.
  Result<CertificateRequest> Answer(const people::Principal& caller, const std::string& id,
                                    const nlohmann::json& data);
  // Refuses a request with a reason (1-200 characters): the material falls back to the
  // applicant. kConflict when not open.
  Result<CertificateRequest> Refuse(const people::Principal& caller, const std::string& id,
                                    const std::string& reason);

  // The report of materials no longer carried; needs report.read over the region.
  Result<SourceReport> Report(const people::Principal& caller, const SourceReportQuery& query);
  // The same without a caller: for the operator's command line.
  Result<SourceReport> Report(const SourceReportQuery& query);

 private:
  struct Impl;
  explicit SourceService(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The report without the service, for the command line (which opens only the database and
// the catalog): the same as SourceService::Report without a caller.
Result<SourceReport> BuildSourceReport(store::Database& db, catalog::CatalogService& catalog,
                                       const SourceReportQuery& query);

// Only the cases' part of the report (matters and total; no names, no catalog), read through
// `sql`: what the KPI figures (figures.h) run inside the report's read transaction.
Result<SourceReport> CaseSourceCounts(soci::session& sql, store::Backend backend,
                                      const SourceReportQuery& query);

}  // namespace tongban::sources
