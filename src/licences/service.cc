#include "licences/service.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <atomic>
#include <set>

#include "base/id_number.h"
#include "base/licence_id.h"
#include "base/uscc.h"
#include "crypto/sm3.h"
#include "keys/certificate.h"
#include "licences/jcs.h"
#include "licences/types_generation.h"

namespace tongban {
extern const EmbeddedFile kLicencesSql[];
extern const size_t kLicencesSql_count;
}  // namespace tongban

namespace tongban::licences {
namespace {

constexpr size_t kMaxReasonCharacters = 200;

// Characters of UTF-8 text (not bytes: 200 Chinese characters are 600 bytes).
size_t Characters(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

const store::QuerySet& Queries() {
  static const store::QuerySet* queries = [] {
    auto q = store::QuerySet::Load(kLicencesSql, kLicencesSql_count);
    if (!q.ok()) throw std::logic_error(q.error().ToString());
    return new store::QuerySet(std::move(q).value());
  }();
  return *queries;
}

std::string IsoTime(Timestamp t) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                     std::chrono::time_point_cast<std::chrono::seconds>(t));
}

LicenceStatus ParseStatus(std::string_view s) {
  if (s == "revoked") return LicenceStatus::kRevoked;
  if (s == "superseded") return LicenceStatus::kSuperseded;
  return LicenceStatus::kValid;
}

// The validity end of a licence valid from `from` for `years` (the day before the anniversary);
// none for long-term types.
std::optional<Date> ValidUntil(Date from, int years) {
  if (years == 0) return std::nullopt;
  const CivilDate c = from.civil();
  const int year = c.year + years;
  const int day = std::min(c.day, DaysInMonth(year, c.month));
  return Date::FromDays(DaysFromCivil(year, c.month, day)).AddDays(-1);
}

// Fills the register's fields of a licence from its signed document.
Result<Licence> FromDocument(const std::string& document) {
  try {
    const auto j = nlohmann::json::parse(document);
    Licence l;
    l.id = j.at("id").get<std::string>();
    l.type_code = j.at("type").at("code").get<std::string>();
    l.type_name = j.at("type").at("name").get<std::string>();
    l.holder_id = j.at("holder").at("id").get<std::string>();
    l.holder_name = j.at("holder").at("name").get<std::string>();
    l.issuer.code = j.at("issuer").at("code").get<std::string>();
    l.issuer.name = j.at("issuer").at("name").get<std::string>();
    l.issuer.uscc = j.at("issuer").at("uscc").get<std::string>();
    l.version = j.at("version").get<int>();
    l.issued_at = j.at("issued_at").get<std::string>();
    TB_ASSIGN_OR_RETURN(l.valid_from, Date::Parse(j.at("valid_from").get<std::string>()));
    if (!j.at("valid_until").is_null()) {
      TB_ASSIGN_OR_RETURN(Date until, Date::Parse(j.at("valid_until").get<std::string>()));
      l.valid_until = until;
    }
    l.previous_id = j.at("previous").get<std::string>();
    l.data = j.at("data");
    return l;
  } catch (const nlohmann::json::exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("document: not a licence document ({})", e.what()));
  }
}

// The members of two documents that differ, as paths ("holder.name", "data.capital").
std::vector<std::string> Differences(const nlohmann::json& a, const nlohmann::json& b,
                                     const std::string& prefix = "") {
  std::vector<std::string> out;
  if (!a.is_object() || !b.is_object()) {
    if (a != b) out.push_back(prefix.empty() ? "document" : prefix);
    return out;
  }
  std::set<std::string> names;
  for (auto it = a.begin(); it != a.end(); ++it) names.insert(it.key());
  for (auto it = b.begin(); it != b.end(); ++it) names.insert(it.key());
  for (const auto& name : names) {
    std::string path = prefix;
    if (!path.empty()) path += '.';
    path += name;
    const auto ia = a.find(name);
    const auto ib = b.find(name);
    if (ia == a.end() || ib == b.end()) {
      out.push_back(path);
    } else if (*ia != *ib) {
      auto sub = Differences(*ia, *ib, path);
      out.insert(out.end(), sub.begin(), sub.end());
    }
  }
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : "、") + s;
  return out;
}

}  // namespace

std::string_view LicenceStatusName(LicenceStatus status) {
  switch (status) {
    case LicenceStatus::kValid:
      return "valid";
    case LicenceStatus::kRevoked:
      return "revoked";
    case LicenceStatus::kSuperseded:
      return "superseded";
  }
  return "valid";
}

std::string_view VerifyOutcomeName(VerifyOutcome outcome) {
  switch (outcome) {
    case VerifyOutcome::kValid:
      return "valid";
    case VerifyOutcome::kAltered:
      return "altered";
    case VerifyOutcome::kForgedSignature:
      return "forged_signature";
    case VerifyOutcome::kUnknownIssuer:
      return "unknown_issuer";
    case VerifyOutcome::kRevoked:
      return "revoked";
    case VerifyOutcome::kSuperseded:
      return "superseded";
    case VerifyOutcome::kExpired:
      return "expired";
    case VerifyOutcome::kNotYetValid:
      return "not_yet_valid";
    case VerifyOutcome::kNotFound:
      return "not_found";
  }
  return "valid";
}

const store::MigrationSet& LicencesMigrations() {
  static const store::MigrationSet* set = [] {
    auto s = store::LoadMigrations("licences", kLicencesSql, kLicencesSql_count);
    if (!s.ok()) throw std::logic_error(s.error().ToString());
    return new store::MigrationSet(std::move(s).value());
  }();
  return *set;
}

nlohmann::json SignedLicenceToJson(const SignedLicence& l) {
  return {{"document", nlohmann::json::parse(l.document)},
          {"signature", l.signature},
          {"certificate", l.certificate}};
}

Result<SignedLicence> SignedLicenceFromJson(const nlohmann::json& j) {
  FieldErrors errors;
  if (!j.is_object()) {
    errors.Add("licence", "must be an object with document, signature and certificate");
    return errors.ToError("the licence is malformed");
  }
  SignedLicence out;
  const auto doc = j.find("document");
  if (doc == j.end() || !doc->is_object()) {
    errors.Add("document", "must be the licence's JSON document");
  } else {
    auto canonical = Canonicalize(*doc);
    if (!canonical.ok()) {
      errors.Add("document", canonical.error().message());
    } else {
      out.document = std::move(canonical).value();
    }
  }
  for (const char* name : {"signature", "certificate"}) {
    const auto it = j.find(name);
    if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      errors.Add(name, "is required (text)");
    } else {
      (std::string_view(name) == "signature" ? out.signature : out.certificate) =
          it->get<std::string>();
    }
  }
  if (!errors.empty()) return errors.ToError("the licence is malformed");
  return out;
}

LicenceService::LicenceService(store::Database& db, keys::KeyStore& keys, trace::Trace& trace,
                               const Clock& clock, DepartmentLookup departments)
    : db_(db),
      keys_(keys),
      trace_(trace),
      clock_(clock),
      departments_(std::move(departments)),
      queries_(Queries()) {}

namespace {
std::atomic<uint64_t> puts_committed{0};  // LicenceTypesGeneration()
}  // namespace

uint64_t LicenceTypesGeneration() { return puts_committed.load(std::memory_order_acquire); }

Status LicenceService::PutTypes(const std::vector<LicenceType>& types) {
  Status s = db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    try {
      for (const auto& t : types) {
        const std::string definition = LicenceTypeToJson(t).dump();
        sql << queries_.Get("upsert_type", db_.backend()), soci::use(t.code, "code"),
            soci::use(t.name, "name"), soci::use(definition, "definition");
      }
      return Ok();
    } catch (const std::exception& e) {
      return store::ErrorFromException(e);
    }
  });
  // Counted after the commit (types_generation.h).
  if (s.ok()) puts_committed.fetch_add(1, std::memory_order_release);
  return s;
}

Result<std::vector<LicenceType>> LicenceService::ListTypes() {
  return db_.Transaction<std::vector<LicenceType>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<LicenceType>> {
        std::vector<LicenceType> out;
        try {
          soci::rowset<std::string> rows =
              (sql.prepare << queries_.Get("list_types", db_.backend()));
          for (const auto& definition : rows) {
            TB_ASSIGN_OR_RETURN(LicenceType t,
                                LicenceTypeFromJson(nlohmann::json::parse(definition)));
            out.push_back(std::move(t));
          }
        } catch (const std::exception& e) {
          return store::ErrorFromException(e);
        }
        return out;
      });
}

Result<LicenceType> LicenceService::GetType(const std::string& code) {
  return db_.Transaction<LicenceType>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<LicenceType> {
        std::string definition;
        try {
          sql << queries_.Get("get_type", db_.backend()), soci::use(code, "code"),
              soci::into(definition);
        } catch (const std::exception& e) {
          return store::ErrorFromException(e);
        }
        if (!sql.got_data()) {
          return Error(ErrorCode::kNotFound, fmt::format("no licence type {}", code));
        }
        return LicenceTypeFromJson(nlohmann::json::parse(definition));
      });
}

struct LicenceService::Draft {
  LicenceType type;
  IssuerDepartment issuer;
  std::string holder_id;
  std::string holder_name;
  nlohmann::json data;
  Date valid_from;
  std::optional<Date> valid_until;
  std::string serial;  // empty: a new one
  int version = 1;
  std::string previous_id;
  keys::SigningKey key;  // fetched before the transaction: the key store writes on its own
};

Result<Licence> LicenceService::Sign(soci::session& sql, const Draft& d) {
  const store::Backend backend = db_.backend();
  std::string serial = d.serial;
  try {
    if (serial.empty()) {
      const int year = d.valid_from.year();
      long long next = 0;
      sql << queries_.Get("bump_counter", backend), soci::use(d.issuer.uscc, "issuer_uscc"),
          soci::use(year, "year");
      sql << queries_.Get("read_counter", backend), soci::use(d.issuer.uscc, "issuer_uscc"),
          soci::use(year, "year"), soci::into(next);
      serial = fmt::format("{}{:06d}", year, next);
    }
  } catch (const std::exception& e) {
    return store::ErrorFromException(e);
  }
  const std::string version = fmt::format("{:03d}", d.version);
  TB_ASSIGN_OR_RETURN(std::string id, MakeLicenceId({.type_code = d.type.code,
                                                     .issuer_uscc = d.issuer.uscc,
                                                     .serial = serial,
                                                     .version = version}));
  const std::string issued_at = IsoTime(clock_.Now());
  nlohmann::json doc = {
      {"id", id},
      {"type", {{"code", d.type.code}, {"name", d.type.name}}},
      {"holder", {{"id", d.holder_id}, {"name", d.holder_name}}},
      {"issuer", {{"code", d.issuer.code}, {"name", d.issuer.name}, {"uscc", d.issuer.uscc}}},
      {"version", d.version},
      {"issued_at", issued_at},
      {"valid_from", d.valid_from.ToString()},
      {"valid_until", d.valid_until ? nlohmann::json(d.valid_until->ToString()) : nullptr},
      {"previous", d.previous_id},
      {"data", d.data}};
  TB_ASSIGN_OR_RETURN(std::string document, Canonicalize(doc));
  const keys::SigningKey& key = d.key;
  TB_ASSIGN_OR_RETURN(std::string signature, key.key.Sign(document));
  const std::string signature_hex = crypto::ToHex(signature);
  try {
    sql << queries_.Get("insert_licence", backend), soci::use(id, "id"),
        soci::use(d.type.code, "type_code"), soci::use(d.holder_id, "holder_id"),
        soci::use(d.issuer.code, "issuer_code"), soci::use(serial, "serial"),
        soci::use(d.version, "version"), soci::use(d.previous_id, "previous_id"),
        soci::use(document, "document"), soci::use(signature_hex, "signature"),
        soci::use(key.key.id(), "key_id"), soci::use(issued_at, "issued_at");
  } catch (const std::exception& e) {
    return store::ErrorFromException(e);
  }
  TB_ASSIGN_OR_RETURN(Licence l, FromDocument(document));
  l.key_id = key.key.id();
  l.signed_licence = {.document = document,
                      .signature = signature_hex,
                      .certificate = key.certificate.certificate_pem};
  return l;
}

Result<Licence> LicenceService::Issue(const IssueRequest& r) {
  FieldErrors errors;
  auto type = GetType(r.type_code);
  if (!type.ok()) {
    if (type.error().code() != ErrorCode::kNotFound) return type.error();
    errors.Add("type_code", fmt::format("no licence type {}", r.type_code));
    return errors.ToError("the licence cannot be issued");
  }
  Draft d;
  d.type = std::move(type).value();
  if (std::find(d.type.issuers.begin(), d.type.issuers.end(), r.issuer) == d.type.issuers.end()) {
    errors.Add("issuer", fmt::format("{} does not issue {}", r.issuer, d.type.name));
  } else {
    auto dept = departments_(r.issuer);
    if (!dept.ok()) {
      errors.Add("issuer", fmt::format("no department {}", r.issuer));
    } else {
      d.issuer = std::move(dept).value();
    }
  }
  if (d.type.holder == HolderKind::kPerson) {
    auto id = ParseIdNumber(r.holder_id);
    if (!id.ok()) {
      errors.Add("holder_id", id.error().message());
    } else {
      d.holder_id = id.value().normalized;
    }
  } else {
    auto uscc = ParseUscc(r.holder_id);
    if (!uscc.ok()) {
      errors.Add("holder_id", uscc.error().message());
    } else {
      d.holder_id = uscc.value().normalized;
    }
  }
  if (r.holder_name.empty()) errors.Add("holder_name", "is required");
  d.holder_name = r.holder_name;
  ValidateData(d.type, r.data, errors);
  if (!errors.empty()) return errors.ToError("the licence cannot be issued");
  d.data = r.data;
  d.valid_from = r.valid_from.value_or(TodayInChina(clock_));
  d.valid_until = ValidUntil(d.valid_from, d.type.validity_years);
  TB_ASSIGN_OR_RETURN(d.key, keys_.ActiveKey({.code = d.issuer.code, .name = d.issuer.name}));
  return db_.Transaction<Licence>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<Licence> {
        TB_ASSIGN_OR_RETURN(Licence l, Sign(sql, d));
        if (!r.case_id.empty()) {
          TB_RETURN_IF_ERROR(RecordCase(sql, r.case_id, l.id));
        }
        // A person's ID number never in clear in the trace
        // (the licence row names the holder); a USCC is public.
        nlohmann::json payload = {
            {"type", l.type_code},
            {"holder",
             d.type.holder == HolderKind::kPerson ? MaskIdNumber(l.holder_id) : l.holder_id},
            {"issuer", l.issuer.code},
            {"case", r.case_id}};
        auto event = trace_.Append(sql, {.stream = "licence/" + l.id,
                                         .actor = r.actor,
                                         .action = "licence.issued",
                                         .payload = payload.dump()});
        if (!event.ok()) return event.error();
        return l;
      });
}

Status LicenceService::RecordCase(soci::session& sql, const std::string& case_id,
                                  const std::string& licence_id) {
  std::string existing;
  try {
    sql << queries_.Get("licence_of_case", db_.backend()), soci::use(case_id, "case_id"),
        soci::into(existing);
    if (sql.got_data()) {
      return Error(ErrorCode::kAlreadyExists,
                   fmt::format("case {} already has its licence {}", case_id, existing));
    }
    sql << queries_.Get("insert_licence_case", db_.backend()), soci::use(case_id, "case_id"),
        soci::use(licence_id, "licence_id");
  } catch (const std::exception& e) {
    return store::ErrorFromException(e);
  }
  return Ok();
}

Result<std::optional<std::string>> LicenceService::LicenceOfCase(const std::string& case_id) {
  return db_.Transaction<std::optional<std::string>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::optional<std::string>> {
        std::string id;
        try {
          sql << queries_.Get("licence_of_case", db_.backend()), soci::use(case_id, "case_id"),
              soci::into(id);
        } catch (const std::exception& e) {
          return store::ErrorFromException(e);
        }
        if (!sql.got_data()) return std::optional<std::string>();
        return std::optional<std::string>(id);
      });
}

Result<Licence> LicenceService::Load(soci::session& sql, const std::string& id) {
  std::string status;
  std::string reason;
  std::string previous;
  std::string next;
  std::string document;
  std::string signature;
  std::string key_id;
  try {
    store::Execute(sql, queries_.Get("get_licence", db_.backend()), soci::use(id, "id"),
                   soci::into(status), soci::into(reason), soci::into(previous), soci::into(next),
                   soci::into(document), soci::into(signature), soci::into(key_id));
  } catch (const std::exception& e) {
    return store::ErrorFromException(e);
  }
  if (!sql.got_data()) return Error(ErrorCode::kNotFound, fmt::format("no licence {}", id));
  auto parsed = FromDocument(document);
  if (!parsed.ok()) return Error(ErrorCode::kIntegrity, parsed.error().message());
  Licence l = std::move(parsed).value();
  l.id = id;
  l.status = ParseStatus(status);
  l.revoked_reason = reason;
  l.next_id = next;
  l.key_id = key_id;
  l.signed_licence = {.document = document, .signature = signature, .certificate = ""};
  return l;
}

Result<Licence> LicenceService::Get(const std::string& id) {
  TB_ASSIGN_OR_RETURN(Licence l,
                      db_.Transaction<Licence>(store::TxKind::kRead,
                                               [&](soci::session& sql) { return Load(sql, id); }));
  auto cert = keys_.Certificate(l.key_id);
  if (cert.ok()) l.signed_licence.certificate = cert.value().certificate_pem;
  return l;
}

Result<std::vector<Licence>> LicenceService::ListByHolder(const std::string& holder_id) {
  TB_ASSIGN_OR_RETURN(
      std::vector<std::string> ids,
      db_.Transaction<std::vector<std::string>>(
          store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<std::string>> {
            std::vector<std::string> out;
            try {
              soci::rowset<std::string> rows =
                  (sql.prepare << queries_.Get("licences_by_holder", db_.backend()),
                   soci::use(holder_id, "holder_id"));
              for (const auto& id : rows) out.push_back(id);
            } catch (const std::exception& e) {
              return store::ErrorFromException(e);
            }
            return out;
          }));
  std::vector<Licence> out;
  for (const auto& id : ids) {
    TB_ASSIGN_OR_RETURN(Licence l, Get(id));
    out.push_back(std::move(l));
  }
  return out;
}

Result<Licence> LicenceService::Revoke(const std::string& id, const std::string& reason,
                                       const std::string& actor) {
  if (reason.empty() || Characters(reason) > kMaxReasonCharacters) {
    FieldErrors errors;
    errors.Add("reason", "is required: 1 to 200 characters");
    return errors.ToError("the licence cannot be revoked");
  }
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    try {
      sql << queries_.Get("lock_licence", db_.backend()), soci::use(id, "id");
    } catch (const std::exception& e) {
      return store::ErrorFromException(e);
    }
    TB_ASSIGN_OR_RETURN(Licence l, Load(sql, id));
    if (l.status != LicenceStatus::kValid) {
      return Error(ErrorCode::kConflict,
                   fmt::format("licence {} is {}", id, LicenceStatusName(l.status)));
    }
    try {
      sql << queries_.Get("revoke", db_.backend()), soci::use(reason, "reason"),
          soci::use(id, "id");
    } catch (const std::exception& e) {
      return store::ErrorFromException(e);
    }
    nlohmann::json payload = {{"reason", reason}};
    auto record = trace_.Append(sql, {.stream = "licence/" + id,
                                      .actor = actor,
                                      .action = "licence.revoked",
                                      .payload = payload.dump()});
    if (!record.ok()) return record.error();
    return Ok();
  }));
  return Get(id);
}

Result<Licence> LicenceService::NewVersion(const std::string& id,
                                           const std::optional<nlohmann::json>& changes,
                                           const std::string& reason, const std::string& actor) {
  TB_ASSIGN_OR_RETURN(Licence old, Get(id));
  if (old.status != LicenceStatus::kValid) {
    return Error(ErrorCode::kConflict,
                 fmt::format("licence {} is {}", id, LicenceStatusName(old.status)));
  }
  TB_ASSIGN_OR_RETURN(LicenceType type, GetType(old.type_code));
  TB_ASSIGN_OR_RETURN(LicenceIdInfo info, ParseLicenceId(id));
  Draft d{.type = type,
          .issuer = old.issuer,
          .holder_id = old.holder_id,
          .holder_name = old.holder_name,
          .data = old.data,
          .valid_from = old.valid_from,
          .valid_until = old.valid_until,
          .serial = info.serial,
          .version = old.version + 1,
          .previous_id = id,
          .key = {}};
  if (d.version > 999) return Error(ErrorCode::kConflict, "the licence has 999 versions");
  if (changes.has_value()) {
    FieldErrors errors;
    if (!changes->is_object()) {
      errors.Add("changes", "must be an object of data fields");
      return errors.ToError("the licence cannot be reissued");
    }
    d.data.merge_patch(*changes);
    ValidateData(type, d.data, errors);
    if (!errors.empty()) return errors.ToError("the licence cannot be reissued");
  } else {
    d.valid_from = TodayInChina(clock_);
    d.valid_until = ValidUntil(d.valid_from, type.validity_years);
  }
  // The department may have been renamed or rotated its key since: the new version is signed
  // with its current name and key.
  if (auto dept = departments_(old.issuer.code); dept.ok()) d.issuer = std::move(dept).value();
  TB_ASSIGN_OR_RETURN(d.key, keys_.ActiveKey({.code = d.issuer.code, .name = d.issuer.name}));
  const char* action = changes.has_value() ? "licence.reissued" : "licence.renewed";
  return db_.Transaction<Licence>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<Licence> {
        try {
          sql << queries_.Get("lock_licence", db_.backend()), soci::use(id, "id");
        } catch (const std::exception& e) {
          return store::ErrorFromException(e);
        }
        TB_ASSIGN_OR_RETURN(Licence current, Load(sql, id));
        if (current.status != LicenceStatus::kValid) {
          return Error(ErrorCode::kConflict,
                       fmt::format("licence {} is {}", id, LicenceStatusName(current.status)));
        }
        TB_ASSIGN_OR_RETURN(Licence l, Sign(sql, d));
        try {
          sql << queries_.Get("supersede", db_.backend()), soci::use(l.id, "next_id"),
              soci::use(id, "id");
        } catch (const std::exception& e) {
          return store::ErrorFromException(e);
        }
        nlohmann::json payload = {{"previous", id}, {"reason", reason}};
        auto event = trace_.Append(sql, {.stream = "licence/" + l.id,
                                         .actor = actor,
                                         .action = action,
                                         .payload = payload.dump()});
        if (!event.ok()) return event.error();
        nlohmann::json old_payload = {{"next", l.id}};
        auto superseded = trace_.Append(sql, {.stream = "licence/" + id,
                                              .actor = actor,
                                              .action = "licence.superseded",
                                              .payload = old_payload.dump()});
        if (!superseded.ok()) return superseded.error();
        return l;
      });
}

Result<Licence> LicenceService::Renew(const std::string& id, const std::string& actor) {
  return NewVersion(id, std::nullopt, "renewed", actor);
}

Result<Licence> LicenceService::Reissue(const std::string& id, const nlohmann::json& changes,
                                        const std::string& reason, const std::string& actor) {
  return NewVersion(id, changes, reason.empty() ? "reissued" : reason, actor);
}

Result<Verification> LicenceService::Verify(const SignedLicence& presented) {
  return Check(presented, /*from_register=*/false);
}

Result<Verification> LicenceService::VerifyById(const std::string& id) {
  auto l = Get(id);
  if (!l.ok()) {
    if (l.error().code() != ErrorCode::kNotFound) return l.error();
    Verification v;
    v.outcome = VerifyOutcome::kNotFound;
    v.reason = fmt::format("证照库中没有编号为 {} 的电子证照", id);
    return v;
  }
  return Check(l.value().signed_licence, /*from_register=*/true);
}

Result<Verification> LicenceService::Check(const SignedLicence& presented, bool from_register) {
  Verification v;
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(presented.document);
  } catch (const nlohmann::json::exception&) {
    return Error(ErrorCode::kInvalidArgument, "document: not JSON");
  }
  auto fail = [&](VerifyOutcome outcome, std::string reason) {
    v.outcome = outcome;
    v.reason = std::move(reason);
    return v;
  };
  const auto id_it = doc.find("id");
  const std::string id = id_it != doc.end() && id_it->is_string() ? id_it->get<std::string>() : "";
  // The register's record, if any: it names altered fields and carries the status.
  std::optional<Licence> registered;
  if (!id.empty()) {
    auto r = Get(id);
    if (r.ok()) {
      registered = std::move(r).value();
    } else if (r.error().code() != ErrorCode::kNotFound) {
      return r.error();
    }
  }
  v.licence = registered;
  auto altered = [&]() -> std::optional<Verification> {
    if (!registered || registered->signed_licence.document == presented.document) {
      return std::nullopt;
    }
    v.altered_fields = Differences(nlohmann::json::parse(registered->signed_licence.document), doc);
    return fail(VerifyOutcome::kAltered,
                fmt::format("证照内容与登记不符，被改动的项目：{}", Join(v.altered_fields)));
  };

  // 1. The certificate: one of ours, chaining to the root.
  auto cert = keys::ReadCertificate(presented.certificate);
  if (!cert.ok()) return fail(VerifyOutcome::kUnknownIssuer, "签发证书无法识别");
  auto stored = keys_.Certificate(cert.value().public_key.id());
  TB_ASSIGN_OR_RETURN(keys::StoredCertificate root, keys_.Root());
  auto chained = keys::IsSignedBy(presented.certificate, root.certificate_pem);
  if (!stored.ok() || !chained.ok() || !chained.value() ||
      stored.value().owner == keys::kRootOwner) {
    return fail(VerifyOutcome::kUnknownIssuer,
                "签发证书不是本平台根证书签发的部门证书，签发机关无法确认");
  }
  // 2. The signature over the canonical document.
  auto signature = crypto::FromHex(presented.signature);
  auto good = signature.ok() ? cert.value().public_key.Verify(presented.document, signature.value())
                             : Result<bool>(false);
  if (!good.ok()) return good.error();
  if (!good.value()) {
    if (auto a = altered()) return *a;
    if (from_register) {
      v.altered_fields = {"document"};
      return fail(VerifyOutcome::kAltered, "证照库中的内容与其签名不符，已被改动");
    }
    return fail(VerifyOutcome::kForgedSignature,
                "电子签名无效：签名不是该签发证书对本证照内容的签名");
  }
  // 3. Signed by the department the document names, with a certificate valid at issuing time.
  auto issuer_code = doc.find("issuer");
  if (issuer_code == doc.end() || !issuer_code->is_object() ||
      issuer_code->value("code", "") != stored.value().owner) {
    return fail(VerifyOutcome::kForgedSignature, "签名所用证书不属于证照上的签发机关");
  }
  // 4. The register.
  if (!registered) return fail(VerifyOutcome::kNotFound, "签名有效，但证照库中没有这张证照");
  if (auto a = altered()) return *a;
  const Licence& l = *registered;
  if (l.status == LicenceStatus::kRevoked) {
    return fail(VerifyOutcome::kRevoked, fmt::format("该证照已被注销，原因：{}", l.revoked_reason));
  }
  if (l.status == LicenceStatus::kSuperseded) {
    return fail(VerifyOutcome::kSuperseded, fmt::format("该证照已被新版本 {} 取代", l.next_id));
  }
  const Date today = TodayInChina(clock_);
  if (today < l.valid_from) {
    return fail(VerifyOutcome::kNotYetValid,
                fmt::format("该证照自 {} 起有效", l.valid_from.ToString()));
  }
  if (l.valid_until && today > *l.valid_until) {
    return fail(VerifyOutcome::kExpired,
                fmt::format("该证照已于 {} 过期", l.valid_until->ToString()));
  }
  if (l.issued_at < IsoTime(cert.value().not_before) ||
      l.issued_at > IsoTime(cert.value().not_after)) {
    return fail(VerifyOutcome::kUnknownIssuer, "签发证书在证照签发时不在有效期内");
  }
  v.reason = "证照有效：签名、签发机关、状态和有效期均已核验";
  return v;
}

}  // namespace tongban::licences
