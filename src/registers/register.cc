#include "registers/register.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/embedded.h"
#include "base/id.h"
#include "base/region.h"
#include "base/utf8.h"
#include "people/authorization.h"

namespace tongban {
extern const EmbeddedFile kRegistersFiles[];
extern const size_t kRegistersFiles_count;
}  // namespace tongban

namespace tongban::registers {
namespace {

constexpr std::string_view kIdNumber = "id_number";
constexpr std::string_view kPhone = "phone";
constexpr std::string_view kCertificate = "disability_certificate";

}  // namespace

void detail::UsePersonRow(soci::statement& st, PersonRow& r) {
  st.exchange(soci::use(r.id, "id"));
  st.exchange(soci::use(r.id_number_index, "id_number_index"));
  st.exchange(soci::use(r.id_number_sealed, "id_number_sealed"));
  st.exchange(soci::use(r.id_number_masked, "id_number_masked"));
  st.exchange(soci::use(r.name, "name"));
  st.exchange(soci::use(r.sex, "sex"));
  st.exchange(soci::use(r.birth_date, "birth_date"));
  st.exchange(soci::use(r.household_region, "household_region"));
  st.exchange(soci::use(r.address, "address"));
  st.exchange(soci::use(r.phone_index, "phone_index"));
  st.exchange(soci::use(r.phone_sealed, "phone_sealed"));
  st.exchange(soci::use(r.phone_masked, "phone_masked"));
  st.exchange(soci::use(r.income_band, "income_band"));
  st.exchange(soci::use(r.assistance, "assistance"));
  st.exchange(soci::use(r.disability_certificate_sealed, "disability_certificate_sealed"));
  st.exchange(soci::use(r.disability_certificate_masked, "disability_certificate_masked"));
  st.exchange(soci::use(r.disability_category, "disability_category"));
  st.exchange(soci::use(r.disability_level, "disability_level"));
  st.exchange(soci::use(r.long_term_care, "long_term_care"));
  st.exchange(soci::use(r.status, "status"));
  st.exchange(soci::use(r.version, "version"));
  st.exchange(soci::use(r.updated_at, "updated_at"));
  st.exchange(soci::use(r.updated_by, "updated_by"));
}

namespace {

using detail::UsePersonRow;

void IntoPersonRow(soci::statement& st, PersonRow& r) {
  st.exchange(soci::into(r.id));
  st.exchange(soci::into(r.id_number_index));
  st.exchange(soci::into(r.id_number_sealed));
  st.exchange(soci::into(r.id_number_masked));
  st.exchange(soci::into(r.name));
  st.exchange(soci::into(r.sex));
  st.exchange(soci::into(r.birth_date));
  st.exchange(soci::into(r.household_region));
  st.exchange(soci::into(r.address));
  st.exchange(soci::into(r.phone_index));
  st.exchange(soci::into(r.phone_sealed));
  st.exchange(soci::into(r.phone_masked));
  st.exchange(soci::into(r.income_band));
  st.exchange(soci::into(r.assistance));
  st.exchange(soci::into(r.disability_certificate_sealed));
  st.exchange(soci::into(r.disability_certificate_masked));
  st.exchange(soci::into(r.disability_category));
  st.exchange(soci::into(r.disability_level));
  st.exchange(soci::into(r.long_term_care));
  st.exchange(soci::into(r.status));
  st.exchange(soci::into(r.version));
  st.exchange(soci::into(r.updated_at));
  st.exchange(soci::into(r.updated_by));
}

struct EntityRow {
  std::string uscc, name, type, legal_representative, industry, size, registered_region, status;
  int version = 1;
  std::string updated_at, updated_by;
};

void UseEntityRow(soci::statement& st, EntityRow& r) {
  st.exchange(soci::use(r.uscc, "uscc"));
  st.exchange(soci::use(r.name, "name"));
  st.exchange(soci::use(r.type, "type"));
  st.exchange(soci::use(r.legal_representative, "legal_representative"));
  st.exchange(soci::use(r.industry, "industry"));
  st.exchange(soci::use(r.size, "size"));
  st.exchange(soci::use(r.registered_region, "registered_region"));
  st.exchange(soci::use(r.status, "status"));
  st.exchange(soci::use(r.version, "version"));
  st.exchange(soci::use(r.updated_at, "updated_at"));
  st.exchange(soci::use(r.updated_by, "updated_by"));
}

void IntoEntityRow(soci::statement& st, EntityRow& r) {
  st.exchange(soci::into(r.uscc));
  st.exchange(soci::into(r.name));
  st.exchange(soci::into(r.type));
  st.exchange(soci::into(r.legal_representative));
  st.exchange(soci::into(r.industry));
  st.exchange(soci::into(r.size));
  st.exchange(soci::into(r.registered_region));
  st.exchange(soci::into(r.status));
  st.exchange(soci::into(r.version));
  st.exchange(soci::into(r.updated_at));
  st.exchange(soci::into(r.updated_by));
}

// Runs `query` with the exchanges already made; returns affected rows.
long long Run(soci::statement& st, const std::string& query) {
  st.alloc();
  st.prepare(query);
  st.define_and_bind();
  st.execute(true);
  return st.get_affected_rows();
}

// Prepared once per pooled session (store::ExecuteRowsBound): the applicant's row is read on every
// submission.
Result<std::vector<PersonRow>> SelectPersons(soci::session& sql, const std::string& query,
                                             const std::vector<std::string>& params,
                                             const std::vector<std::string>& names) {
  std::vector<PersonRow> out;
  PersonRow row;
  std::vector<std::string> values = params;
  store::ExecuteRowsBound(
      sql, query,
      [&](soci::statement& st) {
        IntoPersonRow(st, row);
        for (size_t i = 0; i < values.size(); ++i) st.exchange(soci::use(values[i], names[i]));
      },
      [&] { out.push_back(row); });
  return out;
}

Result<std::optional<EntityRow>> SelectEntity(soci::session& sql, const std::string& query,
                                              std::string uscc) {
  EntityRow row;
  std::optional<EntityRow> out;
  store::ExecuteRowsBound(
      sql, query,
      [&](soci::statement& st) {
        IntoEntityRow(st, row);
        st.exchange(soci::use(uscc, "uscc"));
      },
      [&] {
        if (!out) out = row;
      });
  return out;
}

Result<Date> ParseStoredDate(const std::string& s) { return Date::Parse(s, "birth_date"); }

// The person of a row, sensitive fields masked.
Person FromRow(const PersonRow& r) {
  Person p;
  p.id = r.id;
  p.id_number = r.id_number_masked;
  p.name = r.name;
  p.sex = ParseSex(r.sex).value_or(Sex::kMale);
  p.birth_date = ParseStoredDate(r.birth_date).value_or(Date());
  p.household_region = r.household_region;
  p.address = r.address;
  p.phone = r.phone_masked;
  p.income_band = ParseIncomeBand(r.income_band).value_or(IncomeBand::kMiddle);
  p.assistance = ParseAssistance(r.assistance).value_or(Assistance::kNone);
  if (r.disability_level > 0) {
    p.disability = Disability{
        .certificate = r.disability_certificate_masked,
        .category =
            ParseDisabilityCategory(r.disability_category).value_or(DisabilityCategory::kPhysical),
        .level = r.disability_level};
  }
  p.long_term_care = r.long_term_care != 0;
  p.status = ParsePersonStatus(r.status).value_or(PersonStatus::kAlive);
  p.version = r.version;
  p.updated_at = r.updated_at;
  p.updated_by = r.updated_by;
  p.masked = true;
  return p;
}

Status Unmask(const FieldCipher& cipher, const PersonRow& r, Person& p) {
  TB_ASSIGN_OR_RETURN(p.id_number, cipher.Open(kIdNumber, r.id_number_sealed));
  if (!r.phone_sealed.empty()) {
    TB_ASSIGN_OR_RETURN(p.phone, cipher.Open(kPhone, r.phone_sealed));
  }
  if (p.disability && !r.disability_certificate_sealed.empty()) {
    TB_ASSIGN_OR_RETURN(p.disability->certificate,
                        cipher.Open(kCertificate, r.disability_certificate_sealed));
  }
  p.masked = false;
  return Ok();
}

Entity FromEntityRow(const EntityRow& r) {
  Entity e;
  e.uscc = r.uscc;
  e.name = r.name;
  e.type = ParseEntityType(r.type).value_or(EntityType::kOther);
  e.legal_representative = r.legal_representative;
  e.industry = r.industry;
  e.size = ParseEntitySize(r.size).value_or(EntitySize::kSmall);
  e.registered_region = r.registered_region;
  e.status = ParseEntityStatus(r.status).value_or(EntityStatus::kActive);
  e.version = r.version;
  e.updated_at = r.updated_at;
  e.updated_by = r.updated_by;
  return e;
}

EntityRow ToEntityRow(const Entity& e) {
  return EntityRow{.uscc = e.uscc,
                   .name = e.name,
                   .type = std::string(EntityTypeName(e.type)),
                   .legal_representative = e.legal_representative,
                   .industry = e.industry,
                   .size = std::string(EntitySizeName(e.size)),
                   .registered_region = e.registered_region,
                   .status = std::string(EntityStatusName(e.status)),
                   .version = static_cast<int>(e.version),
                   .updated_at = e.updated_at,
                   .updated_by = e.updated_by};
}

Status InsertHistory(soci::session& sql, const store::QuerySet& q, store::Backend backend,
                     std::string reg, std::string record_id, int version, std::string at,
                     std::string by, std::string action, std::string old_values) {
  sql << q.Get("insert_history", backend), soci::use(reg, "register"),
      soci::use(record_id, "record_id"), soci::use(version, "version"), soci::use(at, "changed_at"),
      soci::use(by, "changed_by"), soci::use(action, "action"), soci::use(old_values, "old_values");
  return Ok();
}

Result<std::vector<HistoryEntry>> ListHistory(store::Database& db, const store::QuerySet& q,
                                              std::string reg, std::string id) {
  return db.Transaction<std::vector<HistoryEntry>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<HistoryEntry>> {
        std::vector<HistoryEntry> out;
        HistoryEntry h;
        int version = 0;
        soci::statement st =
            (sql.prepare << q.Get("list_history", db.backend()), soci::into(version),
             soci::into(h.changed_at), soci::into(h.changed_by), soci::into(h.action),
             soci::into(h.old_values), soci::use(reg, "register"), soci::use(id, "record_id"));
        if (st.execute(true)) {
          do {
            h.version = version;
            out.push_back(h);
          } while (st.fetch());
        }
        return out;
      });
}

Status ValidatePurpose(const Purpose& purpose) {
  FieldErrors errors;
  if (std::find(std::begin(kPurposeCodes), std::end(kPurposeCodes), purpose.code) ==
      std::end(kPurposeCodes)) {
    errors.Add("purpose_code", purpose.code.empty()
                                   ? "required: a full read needs a stated purpose"
                                   : fmt::format("unknown purpose code '{}'", purpose.code));
  }
  const size_t chars = utf8::CodePointCount(purpose.text);
  if (chars < 4 || chars > 500) {
    errors.Add("purpose", "the purpose (共享条件) must be stated in 4-500 characters");
  }
  if (!errors.empty()) return errors.ToError("a full read needs a stated purpose");
  return Ok();
}

// A full read's rules: register.read_full over the person's household region, and a purpose.
Status FullReadAllowed(const people::Principal& by, const Person& p, const Purpose& purpose,
                       int64_t now_ms) {
  Status allowed = people::Authorize(by, "register.read_full",
                                     people::Target{.region = p.household_region}, now_ms);
  if (allowed.ok()) allowed = ValidatePurpose(purpose);
  return allowed;
}

// The trace event of a person's record read in clear, with the stated purpose.
trace::Event PersonReadEvent(const people::Principal& by, std::string stream,
                             std::string_view action, const Purpose& purpose) {
  return trace::Event{
      .stream = std::move(stream),
      .actor = by.account.id,
      .action = std::string(action),
      .payload = nlohmann::json{{"purpose_code", purpose.code}, {"purpose", purpose.text}}.dump()};
}

}  // namespace

Result<bool> detail::InsertEntity(soci::session& sql, const store::QuerySet& queries,
                                  store::Backend backend, const Entity& entity) {
  EntityRow row = ToEntityRow(entity);
  soci::statement st(sql);
  UseEntityRow(st, row);
  return Run(st, queries.Get("insert_entity", backend)) == 1;
}

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("registers", kRegistersFiles, kRegistersFiles_count);
}

PersonRow ToRow(const FieldCipher& cipher, const Person& p) {
  PersonRow r;
  r.id = p.id;
  r.id_number_index = cipher.Index(kIdNumber, p.id_number);
  r.id_number_sealed = cipher.Seal(kIdNumber, p.id_number);
  r.id_number_masked = MaskIdNumber(p.id_number);
  r.name = p.name;
  r.sex = std::string(SexName(p.sex));
  r.birth_date = p.birth_date.ToString();
  r.household_region = p.household_region;
  r.address = p.address;
  if (!p.phone.empty()) {
    r.phone_index = cipher.Index(kPhone, p.phone);
    r.phone_sealed = cipher.Seal(kPhone, p.phone);
    r.phone_masked = MaskPhone(p.phone);
  }
  r.income_band = std::string(IncomeBandName(p.income_band));
  r.assistance = std::string(AssistanceName(p.assistance));
  if (p.disability) {
    r.disability_certificate_sealed = cipher.Seal(kCertificate, p.disability->certificate);
    r.disability_certificate_masked = MaskCertificate(p.disability->certificate);
    r.disability_category = std::string(DisabilityCategoryName(p.disability->category));
    r.disability_level = p.disability->level;
  }
  r.long_term_care = p.long_term_care ? 1 : 0;
  r.status = std::string(PersonStatusName(p.status));
  r.version = static_cast<int>(p.version);
  r.updated_at = p.updated_at;
  r.updated_by = p.updated_by;
  return r;
}

Result<std::unique_ptr<Registers>> Registers::Create(store::Database& db, FieldCipher cipher,
                                                     trace::Trace& trace, const Clock& clock) {
  TB_ASSIGN_OR_RETURN(store::QuerySet q,
                      store::QuerySet::Load(kRegistersFiles, kRegistersFiles_count));
  return std::unique_ptr<Registers>(
      new Registers(db, std::move(cipher), trace, clock, std::move(q)));
}

int64_t Registers::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
      .count();
}

std::string Registers::NowText() const {
  return trace::FormatTime(std::chrono::time_point_cast<std::chrono::system_clock::duration>(
      std::chrono::system_clock::time_point(clock_.Now().time_since_epoch())));
}

Status Registers::CheckRegionExists(std::string_view field, std::string_view code,
                                    FieldErrors& errors) {
  if (code.empty() || !ParseRegionCode(code).ok()) return Ok();  // reported by validation
  if (LookupRegion(code).ok()) return Ok();
  int n = 0;
  std::string c(code);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    sql << "SELECT COUNT(*) FROM region WHERE code = :code", soci::use(c, "code"), soci::into(n);
    return Ok();
  }));
  if (n == 0) errors.Add(std::string(field), fmt::format("region {} does not exist", code));
  return Ok();
}

void Registers::TraceRefusal(const people::Principal& by, std::string_view stream,
                             std::string_view action, const Error& why,
                             std::string_view purpose_code) {
  nlohmann::json payload = {{"reason", why.message()}, {"code", why.info().name}};
  if (!purpose_code.empty()) payload["purpose_code"] = purpose_code;
  auto r = trace_.Append(trace::Event{.stream = std::string(stream),
                                      .actor = by.account.id,
                                      .action = std::string(action),
                                      .payload = payload.dump()});
  (void)r;  // a refusal stands even when its trace cannot be written; Append logs why
}

Result<Person> Registers::CreatePerson(const people::Principal& by, Person person) {
  FieldErrors errors;
  person.id.clear();
  ValidatePerson(person, TodayInChina(clock_), errors);
  TB_RETURN_IF_ERROR(CheckRegionExists("household_region", person.household_region, errors));
  if (!errors.empty()) return errors.ToError("invalid person");
  TB_RETURN_IF_ERROR(people::Authorize(by, "register.write",
                                       people::Target{.region = person.household_region}, NowMs()));
  static IdGenerator ids;
  person.id = ids.Next(clock_).ToString();
  person.version = 1;
  person.updated_at = NowText();
  person.updated_by = by.account.id;
  PersonRow row = ToRow(cipher_, person);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    for (size_t i = 0; i < person.family.size(); ++i) {
      int n = 0;
      sql << queries_.Get("count_person_id", db_.backend()),
          soci::use(person.family[i].person_id, "id"), soci::into(n);
      if (n == 0) {
        return Error(ErrorCode::kInvalidArgument, "invalid person",
                     {{fmt::format("family/{}/person_id", i), "no such person"}});
      }
    }
    soci::statement st(sql);
    UsePersonRow(st, row);
    if (Run(st, queries_.Get("insert_person", db_.backend())) == 0) {
      return Error(ErrorCode::kAlreadyExists, "a person with this ID number is registered");
    }
    for (const auto& m : person.family) {
      std::string rel(RelationName(m.relation));
      sql << queries_.Get("insert_relation", db_.backend()), soci::use(person.id, "person_id"),
          soci::use(m.person_id, "relative_id"), soci::use(rel, "relation");
    }
    TB_RETURN_IF_ERROR(InsertHistory(sql, queries_, db_.backend(), "person", person.id, 1,
                                     person.updated_at, by.account.id, "created", "{}"));
    return trace_.Append(sql, trace::Event{.stream = "person/" + person.id,
                                           .actor = by.account.id,
                                           .action = "register.person.created",
                                           .payload = nlohmann::json{{"version", 1}}.dump()})
                   .ok()
               ? Ok()
               : Status(Error(ErrorCode::kStorage, "cannot trace the change"));
  }));
  Person out = FromRow(row);
  out.family = person.family;
  return out;
}

namespace {

Result<PersonRow> LoadPersonRow(soci::session& sql, const store::QuerySet& q,
                                store::Backend backend, std::string_view id) {
  TB_ASSIGN_OR_RETURN(std::vector<PersonRow> rows,
                      SelectPersons(sql, q.Get("person_columns", backend) + " WHERE id = :id",
                                    {std::string(id)}, {"id"}));
  if (rows.empty()) return Error(ErrorCode::kNotFound, fmt::format("no person {}", id));
  return rows.front();
}

std::vector<FamilyMember> LoadFamily(soci::session& sql, const store::QuerySet& q,
                                     store::Backend backend, std::string id) {
  std::vector<FamilyMember> out;
  std::string relative, relation;
  store::ExecuteRows(
      sql, q.Get("list_relations", backend),
      [&] {
        out.push_back({ParseRelation(relation).value_or(Relation::kOther), relative});
      },
      soci::into(relative), soci::into(relation), soci::use(id, "person_id"));
  return out;
}

}  // namespace

Result<Person> Registers::PatchPerson(const people::Principal& by, std::string_view id,
                                      int64_t expected_version, const PersonPatch& patch) {
  return db_.Transaction<Person>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<Person> {
    TB_ASSIGN_OR_RETURN(PersonRow old, LoadPersonRow(sql, queries_, db_.backend(), id));
    TB_RETURN_IF_ERROR(people::Authorize(by, "register.write",
                                         people::Target{.region = old.household_region}, NowMs()));
    if (old.version != expected_version) {
      return Error(ErrorCode::kVersionMismatch, fmt::format("person {} is at version {}, not {}",
                                                            id, old.version, expected_version));
    }
    Person p = FromRow(old);
    TB_RETURN_IF_ERROR(Unmask(cipher_, old, p));
    p.family = LoadFamily(sql, queries_, db_.backend(), old.id);
    const std::vector<FamilyMember> old_family = p.family;
    if (patch.name) p.name = *patch.name;
    if (patch.household_region) p.household_region = *patch.household_region;
    if (patch.address) p.address = *patch.address;
    if (patch.phone) p.phone = *patch.phone;
    if (patch.income_band) p.income_band = *patch.income_band;
    if (patch.assistance) p.assistance = *patch.assistance;
    if (patch.disability) p.disability = *patch.disability;
    if (patch.long_term_care) p.long_term_care = *patch.long_term_care;
    if (patch.status) p.status = *patch.status;
    if (patch.family) p.family = *patch.family;
    FieldErrors errors;
    ValidatePerson(p, TodayInChina(clock_), errors);
    if (patch.household_region && *patch.household_region != old.household_region) {
      TB_RETURN_IF_ERROR(CheckRegionExists("household_region", p.household_region, errors));
    }
    if (!errors.empty()) return errors.ToError("invalid person");
    if (p.household_region != old.household_region) {
      TB_RETURN_IF_ERROR(people::Authorize(by, "register.write",
                                           people::Target{.region = p.household_region}, NowMs()));
    }
    p.version = old.version + 1;
    p.updated_at = NowText();
    p.updated_by = by.account.id;
    PersonRow row = ToRow(cipher_, p);
    // Unchanged sealed values keep their ciphertext, so history shows only real changes.
    if (row.phone_index == old.phone_index) {
      row.phone_sealed = old.phone_sealed;
    }
    row.id_number_sealed = old.id_number_sealed;
    if (p.disability && old.disability_level > 0 &&
        row.disability_certificate_masked == old.disability_certificate_masked) {
      row.disability_certificate_sealed = old.disability_certificate_sealed;
    }
    nlohmann::json changed = nlohmann::json::object();
    auto diff = [&](const char* field, const std::string& before, const std::string& after) {
      if (before != after) changed[field] = before;
    };
    diff("name", old.name, row.name);
    diff("household_region", old.household_region, row.household_region);
    diff("address", old.address, row.address);
    diff("phone", old.phone_sealed, row.phone_sealed);
    diff("income_band", old.income_band, row.income_band);
    diff("assistance", old.assistance, row.assistance);
    diff("disability_certificate", old.disability_certificate_sealed,
         row.disability_certificate_sealed);
    diff("disability_category", old.disability_category, row.disability_category);
    if (old.disability_level != row.disability_level) {
      changed["disability_level"] = old.disability_level;
    }
    if (old.long_term_care != row.long_term_care)
      changed["long_term_care"] = old.long_term_care != 0;
    diff("status", old.status, row.status);
    bool family_changed = old_family.size() != p.family.size();
    for (size_t i = 0; !family_changed && i < p.family.size(); ++i) {
      family_changed = old_family[i].person_id != p.family[i].person_id ||
                       old_family[i].relation != p.family[i].relation;
    }
    if (family_changed) {
      nlohmann::json fam = nlohmann::json::array();
      for (const auto& m : old_family) {
        fam.push_back({{"relation", RelationName(m.relation)}, {"person_id", m.person_id}});
      }
      changed["family"] = fam;
      sql << queries_.Get("delete_relations", db_.backend()), soci::use(row.id, "person_id");
      for (size_t i = 0; i < p.family.size(); ++i) {
        int n = 0;
        sql << queries_.Get("count_person_id", db_.backend()),
            soci::use(p.family[i].person_id, "id"), soci::into(n);
        if (n == 0) {
          return Error(ErrorCode::kInvalidArgument, "invalid person",
                       {{fmt::format("family/{}/person_id", i), "no such person"}});
        }
        std::string rel(RelationName(p.family[i].relation));
        sql << queries_.Get("insert_relation", db_.backend()), soci::use(row.id, "person_id"),
            soci::use(p.family[i].person_id, "relative_id"), soci::use(rel, "relation");
      }
    }
    if (changed.empty()) {
      Person same = FromRow(old);
      same.family = old_family;
      return same;
    }
    int old_version = old.version;
    soci::statement st(sql);
    UsePersonRow(st, row);
    st.exchange(soci::use(old_version, "old_version"));
    if (Run(st, queries_.Get("update_person", db_.backend())) != 1) {
      return Error(ErrorCode::kVersionMismatch, "the person was changed meanwhile");
    }
    TB_RETURN_IF_ERROR(InsertHistory(sql, queries_, db_.backend(), "person", row.id, row.version,
                                     row.updated_at, by.account.id, "updated", changed.dump()));
    nlohmann::json fields = nlohmann::json::array();
    for (const auto& [k, v] : changed.items()) fields.push_back(k);
    auto traced = trace_.Append(
        sql, trace::Event{
                 .stream = "person/" + row.id,
                 .actor = by.account.id,
                 .action = "register.person.updated",
                 .payload = nlohmann::json{{"version", row.version}, {"fields", fields}}.dump()});
    if (!traced.ok()) return std::move(traced).error();
    Person out = FromRow(row);
    out.family = p.family;
    return out;
  });
}

Result<Person> Registers::GetPerson(const people::Principal& by, std::string_view id) {
  TB_ASSIGN_OR_RETURN(
      Person p,
      db_.Transaction<Person>(store::TxKind::kRead, [&](soci::session& sql) -> Result<Person> {
        TB_ASSIGN_OR_RETURN(PersonRow row, LoadPersonRow(sql, queries_, db_.backend(), id));
        Person out = FromRow(row);
        out.family = LoadFamily(sql, queries_, db_.backend(), row.id);
        return out;
      }));
  Status allowed =
      people::Authorize(by, "register.read", people::Target{.region = p.household_region}, NowMs());
  if (!allowed.ok()) {
    TraceRefusal(by, "person/" + p.id, "register.person.read_refused", allowed.error(), "");
    return std::move(allowed).error();
  }
  return p;
}

Result<Person> Registers::ReadPersonFull(const people::Principal& by, std::string_view id,
                                         const Purpose& purpose) {
  PersonRow row;
  TB_ASSIGN_OR_RETURN(
      Person p,
      db_.Transaction<Person>(store::TxKind::kRead, [&](soci::session& sql) -> Result<Person> {
        TB_ASSIGN_OR_RETURN(row, LoadPersonRow(sql, queries_, db_.backend(), id));
        Person out = FromRow(row);
        out.family = LoadFamily(sql, queries_, db_.backend(), row.id);
        return out;
      }));
  const std::string stream = "person/" + p.id;
  if (Status allowed = FullReadAllowed(by, p, purpose, NowMs()); !allowed.ok()) {
    TraceRefusal(by, stream, "register.person.read_full_refused", allowed.error(), purpose.code);
    return std::move(allowed).error();
  }
  TB_RETURN_IF_ERROR(Unmask(cipher_, row, p));
  TB_RETURN_IF_ERROR(
      trace_.Append(PersonReadEvent(by, stream, "register.person.read_full", purpose)));
  return p;
}

Result<Person> Registers::ReadApplicant(const people::Principal& by, std::string_view id_number,
                                        const Purpose& purpose,
                                        std::vector<trace::Event>* deferred) {
  std::string normalized(id_number);
  if (normalized.size() == 18 && normalized[17] == 'x') normalized[17] = 'X';
  const std::string index = cipher_.Index(kIdNumber, normalized);
  struct Found {
    PersonRow row;
    std::vector<FamilyMember> family;
  };
  // The row and the family in one read transaction.
  TB_ASSIGN_OR_RETURN(
      std::optional<Found> found,
      db_.Transaction<std::optional<Found>>(
          store::TxKind::kRead, [&](soci::session& sql) -> Result<std::optional<Found>> {
            TB_ASSIGN_OR_RETURN(std::vector<PersonRow> rows,
                                SelectPersons(sql,
                                              queries_.Get("person_columns", db_.backend()) +
                                                  " WHERE id_number_index = :idx",
                                              {index}, {"idx"}));
            if (rows.empty()) return std::optional<Found>();
            Found f{.row = std::move(rows.front()), .family = {}};
            f.family = LoadFamily(sql, queries_, db_.backend(), f.row.id);
            return std::optional<Found>(std::move(f));
          }));
  if (!found) return Error(ErrorCode::kNotFound, "the ID number is not in the register");
  const bool self = by.account.kind == people::AccountKind::kCitizen &&
                    !by.account.id_number.empty() && by.account.id_number == normalized;
  Person p = FromRow(found->row);
  p.family = std::move(found->family);
  const std::string stream = "person/" + p.id;
  if (!self) {
    // ReadPersonFull's rules.
    if (Status allowed = FullReadAllowed(by, p, purpose, NowMs()); !allowed.ok()) {
      TraceRefusal(by, stream, "register.person.read_full_refused", allowed.error(), purpose.code);
      return std::move(allowed).error();
    }
  }
  TB_RETURN_IF_ERROR(Unmask(cipher_, found->row, p));
  trace::Event read = PersonReadEvent(
      by, stream, self ? "register.person.read_self" : "register.person.read_full", purpose);
  if (deferred != nullptr) {
    deferred->push_back(std::move(read));
  } else {
    TB_RETURN_IF_ERROR(trace_.Append(read));
  }
  return p;
}

Result<Entity> Registers::ReadApplicantEntity(const people::Principal& by, std::string_view uscc) {
  std::string normalized(uscc);
  std::transform(normalized.begin(), normalized.end(), normalized.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const int64_t now = NowMs();
  const bool acts_for = std::any_of(by.agencies.begin(), by.agencies.end(), [&](const auto& a) {
    return a.uscc == normalized && a.valid_from <= now && (!a.valid_until || *a.valid_until > now);
  });
  if (!acts_for) return GetEntity(by, normalized);
  TB_ASSIGN_OR_RETURN(
      std::optional<EntityRow> found,
      db_.Transaction<std::optional<EntityRow>>(
          store::TxKind::kRead, [&](soci::session& sql) -> Result<std::optional<EntityRow>> {
            return SelectEntity(
                sql, queries_.Get("entity_columns", db_.backend()) + " WHERE uscc = :uscc",
                normalized);
          }));
  if (!found) return Error(ErrorCode::kNotFound, fmt::format("no entity {}", uscc));
  return FromEntityRow(*found);
}

Result<std::vector<Person>> Registers::FindByIdNumber(const people::Principal& by,
                                                      std::string_view id_number) {
  std::string normalized(id_number);
  if (normalized.size() == 18 && normalized[17] == 'x') normalized[17] = 'X';
  std::string index = cipher_.Index(kIdNumber, normalized);
  TB_ASSIGN_OR_RETURN(
      std::vector<PersonRow> rows,
      db_.Transaction<std::vector<PersonRow>>(
          store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<PersonRow>> {
            return SelectPersons(
                sql,
                queries_.Get("person_columns", db_.backend()) + " WHERE id_number_index = :idx",
                {index}, {"idx"});
          }));
  std::vector<Person> out;
  for (const auto& row : rows) {
    Status allowed = people::Authorize(by, "register.read",
                                       people::Target{.region = row.household_region}, NowMs());
    if (!allowed.ok()) {
      TraceRefusal(by, "person/" + row.id, "register.person.read_refused", allowed.error(), "");
      return std::move(allowed).error();
    }
    out.push_back(FromRow(row));
  }
  return out;
}

Result<std::vector<Person>> Registers::ListPersons(const people::Principal& by,
                                                   std::string_view region,
                                                   std::string_view after_id, int limit) {
  if (limit < 1 || limit > 1000) {
    return Error(ErrorCode::kInvalidArgument, "bad limit", {{"limit", "must be 1-1000"}});
  }
  if (!people::IsRegionCode(region)) {
    return Error(ErrorCode::kInvalidArgument, "bad region", {{"region", "not a region code"}});
  }
  TB_RETURN_IF_ERROR(people::Authorize(by, "register.read",
                                       people::Target{.region = std::string(region)}, NowMs()));
  std::string prefix = people::RegionPrefix(region);
  // The prefix is digits only (IsRegionCode), so the range bound is exact: every code starting
  // with the prefix sorts in [prefix, prefix + ":"), ':' being the character after '9'.
  std::string upper = prefix + ":";
  std::string after(after_id);
  return db_.Transaction<std::vector<Person>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Person>> {
        TB_ASSIGN_OR_RETURN(
            std::vector<PersonRow> rows,
            SelectPersons(sql,
                          queries_.Get("person_columns", db_.backend()) +
                              fmt::format(" WHERE household_region >= :lo AND household_region "
                                          "< :hi AND id > :after ORDER BY id LIMIT {}",
                                          limit),
                          {prefix, upper, after}, {"lo", "hi", "after"}));
        std::vector<Person> out;
        out.reserve(rows.size());
        for (const auto& r : rows) out.push_back(FromRow(r));
        return out;
      });
}

Result<std::vector<HistoryEntry>> Registers::PersonHistory(const people::Principal& by,
                                                           std::string_view id) {
  TB_ASSIGN_OR_RETURN(Person p, GetPerson(by, id));
  return ListHistory(db_, queries_, "person", p.id);
}

Result<Entity> Registers::CreateEntity(const people::Principal& by, Entity entity) {
  FieldErrors errors;
  ValidateEntity(entity, errors);
  TB_RETURN_IF_ERROR(CheckRegionExists("registered_region", entity.registered_region, errors));
  if (!errors.empty()) return errors.ToError("invalid entity");
  TB_RETURN_IF_ERROR(people::Authorize(
      by, "register.write", people::Target{.region = entity.registered_region}, NowMs()));
  entity.version = 1;
  entity.updated_at = NowText();
  entity.updated_by = by.account.id;
  EntityRow row = ToEntityRow(entity);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    soci::statement st(sql);
    UseEntityRow(st, row);
    if (Run(st, queries_.Get("insert_entity", db_.backend())) == 0) {
      return Error(ErrorCode::kAlreadyExists, fmt::format("entity {} is registered", row.uscc));
    }
    TB_RETURN_IF_ERROR(InsertHistory(sql, queries_, db_.backend(), "entity", row.uscc, 1,
                                     row.updated_at, by.account.id, "created", "{}"));
    auto traced = trace_.Append(sql, trace::Event{.stream = "entity/" + row.uscc,
                                                  .actor = by.account.id,
                                                  .action = "register.entity.created",
                                                  .payload = "{\"version\":1}"});
    if (!traced.ok()) return std::move(traced).error();
    return Ok();
  }));
  return entity;
}

Result<Entity> Registers::PatchEntity(const people::Principal& by, std::string_view uscc,
                                      int64_t expected_version, const EntityPatch& patch) {
  return db_.Transaction<Entity>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<Entity> {
    TB_ASSIGN_OR_RETURN(
        std::optional<EntityRow> found,
        SelectEntity(sql, queries_.Get("entity_columns", db_.backend()) + " WHERE uscc = :uscc",
                     std::string(uscc)));
    if (!found) return Error(ErrorCode::kNotFound, fmt::format("no entity {}", uscc));
    const EntityRow old = *found;
    TB_RETURN_IF_ERROR(people::Authorize(by, "register.write",
                                         people::Target{.region = old.registered_region}, NowMs()));
    if (old.version != expected_version) {
      return Error(ErrorCode::kVersionMismatch, fmt::format("entity {} is at version {}, not {}",
                                                            uscc, old.version, expected_version));
    }
    Entity e = FromEntityRow(old);
    if (patch.name) e.name = *patch.name;
    if (patch.type) e.type = *patch.type;
    if (patch.legal_representative) e.legal_representative = *patch.legal_representative;
    if (patch.industry) e.industry = *patch.industry;
    if (patch.size) e.size = *patch.size;
    if (patch.registered_region) e.registered_region = *patch.registered_region;
    if (patch.status) e.status = *patch.status;
    FieldErrors errors;
    ValidateEntity(e, errors);
    if (e.registered_region != old.registered_region) {
      TB_RETURN_IF_ERROR(CheckRegionExists("registered_region", e.registered_region, errors));
    }
    if (!errors.empty()) return errors.ToError("invalid entity");
    if (e.registered_region != old.registered_region) {
      TB_RETURN_IF_ERROR(people::Authorize(by, "register.write",
                                           people::Target{.region = e.registered_region}, NowMs()));
    }
    e.version = old.version + 1;
    e.updated_at = NowText();
    e.updated_by = by.account.id;
    EntityRow row = ToEntityRow(e);
    nlohmann::json changed = nlohmann::json::object();
    auto diff = [&](const char* field, const std::string& before, const std::string& after) {
      if (before != after) changed[field] = before;
    };
    diff("name", old.name, row.name);
    diff("type", old.type, row.type);
    diff("legal_representative", old.legal_representative, row.legal_representative);
    diff("industry", old.industry, row.industry);
    diff("size", old.size, row.size);
    diff("registered_region", old.registered_region, row.registered_region);
    diff("status", old.status, row.status);
    if (changed.empty()) return FromEntityRow(old);
    int old_version = old.version;
    soci::statement st(sql);
    UseEntityRow(st, row);
    st.exchange(soci::use(old_version, "old_version"));
    if (Run(st, queries_.Get("update_entity", db_.backend())) != 1) {
      return Error(ErrorCode::kVersionMismatch, "the entity was changed meanwhile");
    }
    TB_RETURN_IF_ERROR(InsertHistory(sql, queries_, db_.backend(), "entity", row.uscc, row.version,
                                     row.updated_at, by.account.id, "updated", changed.dump()));
    auto traced = trace_.Append(
        sql, trace::Event{.stream = "entity/" + row.uscc,
                          .actor = by.account.id,
                          .action = "register.entity.updated",
                          .payload = nlohmann::json{{"version", row.version}}.dump()});
    if (!traced.ok()) return std::move(traced).error();
    return e;
  });
}

Result<Entity> Registers::GetEntity(const people::Principal& by, std::string_view uscc) {
  std::string normalized(uscc);
  std::transform(normalized.begin(), normalized.end(), normalized.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  TB_ASSIGN_OR_RETURN(
      std::optional<EntityRow> found,
      db_.Transaction<std::optional<EntityRow>>(
          store::TxKind::kRead, [&](soci::session& sql) -> Result<std::optional<EntityRow>> {
            return SelectEntity(
                sql, queries_.Get("entity_columns", db_.backend()) + " WHERE uscc = :uscc",
                normalized);
          }));
  if (!found) return Error(ErrorCode::kNotFound, fmt::format("no entity {}", uscc));
  Status allowed = people::Authorize(by, "register.read",
                                     people::Target{.region = found->registered_region}, NowMs());
  if (!allowed.ok()) {
    TraceRefusal(by, "entity/" + found->uscc, "register.entity.read_refused", allowed.error(), "");
    return std::move(allowed).error();
  }
  return FromEntityRow(*found);
}

Result<std::vector<HistoryEntry>> Registers::EntityHistory(const people::Principal& by,
                                                           std::string_view uscc) {
  TB_ASSIGN_OR_RETURN(Entity e, GetEntity(by, uscc));
  return ListHistory(db_, queries_, "entity", e.uscc);
}

Result<int64_t> Registers::RotatePersons(const std::string& by) {
  const std::string prefix = cipher_.current_key_id() + ":";
  int64_t total = 0;
  std::string after;
  while (true) {
    TB_ASSIGN_OR_RETURN(
        int64_t batch,
        db_.Transaction<int64_t>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<int64_t> {
          TB_ASSIGN_OR_RETURN(std::vector<PersonRow> rows,
                              SelectPersons(sql,
                                            queries_.Get("person_columns", db_.backend()) +
                                                " WHERE id > :after ORDER BY id LIMIT 1000",
                                            {after}, {"after"}));
          if (rows.empty()) return int64_t{-1};
          after = rows.back().id;
          int64_t n = 0;
          for (PersonRow& row : rows) {
            auto stale = [&](const std::string& s) { return !s.empty() && !s.starts_with(prefix); };
            if (!stale(row.id_number_sealed) && !stale(row.phone_sealed) &&
                !stale(row.disability_certificate_sealed)) {
              continue;
            }
            auto reseal = [&](std::string_view field, std::string& s) -> Status {
              if (!stale(s)) return Ok();
              TB_ASSIGN_OR_RETURN(std::string plain, cipher_.Open(field, s));
              s = cipher_.Seal(field, plain);
              return Ok();
            };
            TB_RETURN_IF_ERROR(reseal(kIdNumber, row.id_number_sealed));
            TB_RETURN_IF_ERROR(reseal(kPhone, row.phone_sealed));
            TB_RETURN_IF_ERROR(reseal(kCertificate, row.disability_certificate_sealed));
            int old_version = row.version;
            row.updated_by = row.updated_by;  // key rotation is no change of the record
            soci::statement st(sql);
            UsePersonRow(st, row);
            st.exchange(soci::use(old_version, "old_version"));
            Run(st, queries_.Get("update_person", db_.backend()));
            ++n;
          }
          return n;
        }));
    if (batch < 0) break;
    total += batch;
  }
  (void)by;
  return total;
}

}  // namespace tongban::registers
