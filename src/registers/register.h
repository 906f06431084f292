// The person and entity registers as a service: writes with history, masked reads within the
// reader's region scope, full reads of sensitive fields only with a permission and a stated
// purpose (共享条件), and every full read, refusal and write recorded in the trace.
//
// Permissions (data/people/roles.yaml): register.read (masked reads and searches in scope),
// register.read_full (sensitive fields in clear, with a purpose), register.write (create and
// change). A person's region for scope checks is the household region; an entity's, the
// registered region.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "people/model.h"
#include "registers/field_cipher.h"
#include "registers/model.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"
#include "trace/trace.h"

namespace tongban::registers {

// The registers' schema, applied after trace's.
Result<store::MigrationSet> Migrations();

// Why a full read is made: a purpose code from kPurposeCodes and free text (共享条件), both
// recorded in the trace with the reader.
struct Purpose {
  std::string code{};
  std::string text{};
};
// case_handling (办件), proactive_grant (免申即享), verification (核查), supervision (监察),
// judicial_assistance (司法协助).
inline constexpr std::string_view kPurposeCodes[] = {
    "case_handling", "proactive_grant", "verification", "supervision", "judicial_assistance"};

// The fields a PATCH may change; nullopt leaves a field as it is.
struct PersonPatch {
  std::optional<std::string> name{};
  std::optional<std::string> household_region{};
  std::optional<std::string> address{};
  std::optional<std::string> phone{};  // "" removes it
  std::optional<IncomeBand> income_band{};
  std::optional<Assistance> assistance{};
  std::optional<std::optional<Disability>> disability{};  // nullopt inside: certificate withdrawn
  std::optional<bool> long_term_care{};
  std::optional<PersonStatus> status{};
  std::optional<std::vector<FamilyMember>> family{};
};

struct EntityPatch {
  std::optional<std::string> name{};
  std::optional<EntityType> type{};
  std::optional<std::string> legal_representative{};
  std::optional<std::string> industry{};
  std::optional<EntitySize> size{};
  std::optional<std::string> registered_region{};
  std::optional<EntityStatus> status{};
};

// One change of a record: version it produced, who, when, and the old values of the fields it
// changed (JSON object text; sealed fields keep their sealed form).
struct HistoryEntry {
  int64_t version = 0;
  std::string changed_at{};
  std::string changed_by{};
  std::string action{};      // "created", "updated"
  std::string old_values{};  // {"address": "…", "phone": "k1:…"}
};

class Registers {
 public:
  // `db` carries the trace and registers migrations; all three must outlive the service.
  static Result<std::unique_ptr<Registers>> Create(store::Database& db, FieldCipher cipher,
                                                   trace::Trace& trace, const Clock& clock);

  // Creates a person (register.write in the household region). Validates every field (each
  // bad one named), checks the region exists and the relatives exist. kAlreadyExists when the
  // ID number is registered. Returns the person masked, with id and version 1.
  Result<Person> CreatePerson(const people::Principal& by, Person person);
  // Changes the fields `patch` names when the stored version is `expected_version`
  // (kVersionMismatch otherwise), recording the old values in the history. The writer needs
  // register.write in the old and, when it moves, the new household region.
  Result<Person> PatchPerson(const people::Principal& by, std::string_view id,
                             int64_t expected_version, const PersonPatch& patch);
  // The person masked (register.read in scope). A read outside the scope is kForbidden and
  // traced as refused.
  Result<Person> GetPerson(const people::Principal& by, std::string_view id);
  // The person with ID number, phone and certificate number in clear: register.read_full in
  // scope and a purpose (known code, text of 4-500 characters), traced with both. Refusals
  // (kForbidden, or kInvalidArgument for the purpose) are traced too.
  Result<Person> ReadPersonFull(const people::Principal& by, std::string_view id,
                                const Purpose& purpose);
  // The persons (0 or 1) holding `id_number`, found through its blind index, masked. A match
  // outside the reader's scope is refused (kForbidden) and traced.
  Result<std::vector<Person>> FindByIdNumber(const people::Principal& by,
                                             std::string_view id_number);
  // The persons whose household region lies in `region`'s subtree, masked, by id after
  // `after_id`, at most `limit` (1..1000). register.read over `region`.
  Result<std::vector<Person>> ListPersons(const people::Principal& by, std::string_view region,
                                          std::string_view after_id, int limit);
  Result<std::vector<HistoryEntry>> PersonHistory(const people::Principal& by, std::string_view id);
  // The applicant's person record in clear, to fill their forms: a citizen reads the record
  // of their own account's ID number without a register permission (traced as
  // register.person.read_self); anyone else reads with register.read_full in scope and
  // `purpose` (ReadPersonFull). kNotFound when the ID number is not registered. With `deferred`,
  // the read's trace event is handed to the caller to append in its own write transaction (a
  // submission's) instead of in one of its own; refusals are traced at once either way.
  Result<Person> ReadApplicant(const people::Principal& by, std::string_view id_number,
                               const Purpose& purpose,
                               std::vector<trace::Event>* deferred = nullptr);
  // The applying entity: for a citizen who is its legal representative or a currently
  // authorised agent, without a register permission; otherwise GetEntity's rules.
  Result<Entity> ReadApplicantEntity(const people::Principal& by, std::string_view uscc);

  Result<Entity> CreateEntity(const people::Principal& by, Entity entity);
  Result<Entity> PatchEntity(const people::Principal& by, std::string_view uscc,
                             int64_t expected_version, const EntityPatch& patch);
  Result<Entity> GetEntity(const people::Principal& by, std::string_view uscc);
  Result<std::vector<HistoryEntry>> EntityHistory(const people::Principal& by,
                                                  std::string_view uscc);

  // Re-seals every person's sealed fields still under an older key with the current key, in
  // batches; returns how many persons were re-sealed. Blind indexes do not change.
  Result<int64_t> RotatePersons(const std::string& by);

  const FieldCipher& cipher() const { return cipher_; }
  store::Database& db() { return db_; }
  const store::QuerySet& queries() const { return queries_; }
  const Clock& clock() const { return clock_; }
  trace::Trace& trace() { return trace_; }

 private:
  Registers(store::Database& db, FieldCipher cipher, trace::Trace& trace, const Clock& clock,
            store::QuerySet queries)
      : db_(db),
        cipher_(std::move(cipher)),
        trace_(trace),
        clock_(clock),
        queries_(std::move(queries)) {}
  int64_t NowMs() const;
  std::string NowText() const;
  Status CheckRegionExists(std::string_view field, std::string_view code, FieldErrors& errors);
  void TraceRefusal(const people::Principal& by, std::string_view stream, std::string_view action,
                    const Error& why, std::string_view purpose_code);

  store::Database& db_;
  FieldCipher cipher_;
  trace::Trace& trace_;
  const Clock& clock_;
  store::QuerySet queries_;
};

// The stored row of a person: sealed values, indexes and masks computed from a validated
// person. Shared by the service and the bulk import.
struct PersonRow {
  std::string id, id_number_index, id_number_sealed, id_number_masked, name, sex, birth_date,
      household_region, address, phone_index, phone_sealed, phone_masked, income_band, assistance,
      disability_certificate_sealed, disability_certificate_masked, disability_category;
  int disability_level = 0;
  int long_term_care = 0;
  std::string status{};
  int version = 1;
  std::string updated_at, updated_by{};
};
PersonRow ToRow(const FieldCipher& cipher, const Person& person);

namespace detail {
// Binds every column of `row` to `st` by name (for insert_person and update_person).
void UsePersonRow(soci::statement& st, PersonRow& row);
// Inserts a validated entity; false when its USCC is registered already.
Result<bool> InsertEntity(soci::session& sql, const store::QuerySet& queries,
                          store::Backend backend, const Entity& entity);
}  // namespace detail

}  // namespace tongban::registers
