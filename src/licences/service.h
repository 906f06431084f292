// E-licences (电子证照): issuing, the register, verification, revocation, renewal and reissue.
//
// A licence is its signed document: the RFC 8785 canonical JSON (jcs.h) of its id (GB/T 36904,
// base/licence_id.h), type, holder, issuer, validity and data fields, signed SM2/SM3 with the
// issuing department's key (keys/key_store.h, distinguishing id 1234567812345678), plus the
// signature and the department's certificate. The register keeps every licence with its status;
// renewal and reissue make a new version (same serial, version + 1) linked to the old one, which
// is then superseded. Every change is traced (stream "licence/<id>").
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "keys/key_store.h"
#include "licences/licence_type.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"
#include "trace/trace.h"

namespace tongban::licences {

const store::MigrationSet& LicencesMigrations();

enum class LicenceStatus { kValid, kRevoked, kSuperseded };
std::string_view LicenceStatusName(LicenceStatus status);

// An issuing department as the catalog knows it.
struct IssuerDepartment {
  std::string code;    // 431128-scjgj
  std::string name;    // 新田县市场监督管理局
  std::string uscc;    // its 统一社会信用代码, part of every licence id it issues
  std::string region;  // where it serves: the scope a grant must reach (not signed)
};

// What a licence is, exchanged and verified anywhere: the document is the signed bytes.
struct SignedLicence {
  std::string document;     // RFC 8785 canonical JSON
  std::string signature;    // lower-case hex of the DER SM2 signature
  std::string certificate;  // PEM of the signing department's certificate
};

// A licence as the register holds it.
struct Licence {
  std::string id;
  std::string type_code;
  std::string type_name;
  std::string holder_id;
  std::string holder_name;
  IssuerDepartment issuer;
  int version = 1;
  Date valid_from;
  std::optional<Date> valid_until;  // none: long-term
  std::string issued_at;            // ISO 8601 UTC
  LicenceStatus status = LicenceStatus::kValid;
  std::string revoked_reason;
  std::string previous_id;  // the version this one replaced
  std::string next_id;      // the version that replaced this one
  nlohmann::json data;
  std::string key_id;
  SignedLicence signed_licence;
};

struct IssueRequest {
  std::string type_code;
  std::string holder_id;  // 公民身份号码 or 统一社会信用代码, by the type's holder kind
  std::string holder_name;
  std::string issuer;  // department code
  nlohmann::json data = nlohmann::json::object();
  std::optional<Date> valid_from;  // default: today in China
  // The concluding case: recorded in the trace and as the case's one licence (a second issue
  // for the same case is kAlreadyExists).
  std::string case_id;
  std::string actor = "system";
};

enum class VerifyOutcome {
  kValid,
  kAltered,          // the document differs from what was signed or registered
  kForgedSignature,  // the signature is not the certificate's key's signature of the document
  kUnknownIssuer,    // the certificate is not one of ours, does not chain to the root, or was
                     // not valid when the licence was issued
  kRevoked,
  kSuperseded,  // replaced by a renewed or reissued version
  kExpired,
  kNotYetValid,
  kNotFound,  // well signed but not in the register
};
std::string_view VerifyOutcomeName(VerifyOutcome outcome);

struct Verification {
  VerifyOutcome outcome = VerifyOutcome::kValid;
  std::string reason;                       // Chinese, for the public page and the API
  std::vector<std::string> altered_fields;  // "data.name", "holder.id", … for kAltered
  std::optional<Licence> licence;           // the register's record, when there is one
  bool valid() const { return outcome == VerifyOutcome::kValid; }
};

class LicenceService {
 public:
  using DepartmentLookup = std::function<Result<IssuerDepartment>(const std::string& code)>;

  // `db` carries KeysMigrations(), LicencesMigrations() and the trace's; all outlive the service.
  LicenceService(store::Database& db, keys::KeyStore& keys, trace::Trace& trace, const Clock& clock,
                 DepartmentLookup departments);

  // The department `code` as the lookup given at construction knows it.
  Result<IssuerDepartment> Department(const std::string& code) const { return departments_(code); }

  // Stores (inserts or replaces) licence types, e.g. from data/demo/licence_types.yaml.
  Status PutTypes(const std::vector<LicenceType>& types);
  Result<std::vector<LicenceType>> ListTypes();
  Result<LicenceType> GetType(const std::string& code);

  // Issues a licence; the call a case makes when it concludes. kInvalidArgument lists every bad
  // field (unknown type, a department not among the type's issuers, holder id, data fields);
  // the licence, its register entry and its trace event commit together.
  Result<Licence> Issue(const IssueRequest& request);

  // The register's record; kNotFound otherwise.
  Result<Licence> Get(const std::string& id);
  // The id of the licence issued for `case_id` (IssueRequest::case_id); nullopt when none.
  Result<std::optional<std::string>> LicenceOfCase(const std::string& case_id);
  // The holder's licences, newest first.
  Result<std::vector<Licence>> ListByHolder(const std::string& holder_id);

  // Verifies a presented licence: certificate chain to the root, signature, register entry
  // (altered fields are named), status and validity dates today. An answer, not an error, for
  // every way a licence can be bad; kInvalidArgument only when `document` is not JSON.
  Result<Verification> Verify(const SignedLicence& presented);
  // Verifies the register's own copy of `id` (what the QR code's page shows).
  Result<Verification> VerifyById(const std::string& id);

  // Revokes a valid licence; `reason` (1-200 characters) is kept and shown by verification.
  // kConflict when it is not valid.
  Result<Licence> Revoke(const std::string& id, const std::string& reason,
                         const std::string& actor);
  // 延续: a new version with the same data, valid from today for the type's validity period.
  Result<Licence> Renew(const std::string& id, const std::string& actor);
  // 换发/补发: a new version with `changes` merged into the data (null removes a field), the
  // same validity end; `reason` is traced.
  Result<Licence> Reissue(const std::string& id, const nlohmann::json& changes,
                          const std::string& reason, const std::string& actor);

 private:
  struct Draft;
  Result<Licence> Sign(soci::session& sql, const Draft& draft);
  Result<Licence> Load(soci::session& sql, const std::string& id);
  // Records `licence_id` as `case_id`'s licence; kAlreadyExists when the case has one.
  Status RecordCase(soci::session& sql, const std::string& case_id, const std::string& licence_id);
  Result<Licence> NewVersion(const std::string& id, const std::optional<nlohmann::json>& changes,
                             const std::string& reason, const std::string& actor);
  Result<Verification> Check(const SignedLicence& presented, bool from_register);

  store::Database& db_;
  keys::KeyStore& keys_;
  trace::Trace& trace_;
  const Clock& clock_;
  DepartmentLookup departments_;
  const store::QuerySet& queries_;
};

// The licence in its exchange form: {"document": {...}, "signature": "...", "certificate": "..."}.
nlohmann::json SignedLicenceToJson(const SignedLicence& licence);
// kInvalidArgument naming the missing member.
Result<SignedLicence> SignedLicenceFromJson(const nlohmann::json& json);

}  // namespace tongban::licences
