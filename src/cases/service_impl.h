// Internal to src/cases: the case service's state and helpers, shared by the files that
// implement CaseService (service.cc and the files beside it). Not part of the module's interface.
#pragma once

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "base/id.h"
#include "base/id_number.h"
#include "base/uscc.h"
#include "bpmn/runtime.h"
#include "cases/group_commit.h"
#include "cases/sealer.h"
#include "cases/service.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "keys/key_store.h"
#include "people/authorization.h"
#include "people/clock.h"
#include "store/queries.h"

namespace tongban::cases {

using nlohmann::json;
using people::Principal;

inline constexpr int kCorrectionWindowDays = 5;  // 第32条: working days to notify corrections
inline constexpr int kExtensionDays = 10;        // 第42条
inline constexpr int kJointLimitDays = 45;       // 第26条: joint or parallel handling
inline constexpr int kJointExtensionDays = 15;   // 第26条

// 第38条: a denial tells the applicant of its rights and their time limits.
inline constexpr std::string_view kRemedies =
    "申请人如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者自收到本决定书之日起六个月内依法向人民法院提起行政诉讼。";

inline std::string DateText(const std::optional<Date>& d) {
  return d ? d->ToString() : std::string();
}

inline std::optional<Date> ParseStoredDate(const std::string& s) {
  if (s.empty()) return std::nullopt;
  auto d = Date::Parse(s);
  if (!d.ok()) throw std::runtime_error("stored date is invalid: " + s);
  return *d;
}

template <typename E>
inline E Stored(std::optional<E> value, const std::string& text) {
  if (!value) throw std::runtime_error("stored value is invalid: " + text);
  return *value;
}

inline std::string Netstring(std::string_view s) { return fmt::format("{}:{},", s.size(), s); }

// The form as canonical JSON text (keys sorted, values strings).
inline std::string FormJson(const std::map<std::string, std::string>& form) {
  json j = json::object();
  for (const auto& [k, v] : form) j[k] = v;
  return j.dump();
}

inline std::map<std::string, std::string> ParseFormJson(const std::string& text) {
  std::map<std::string, std::string> out;
  json j = json::parse(text);
  for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = it.value().get<std::string>();
  return out;
}

inline std::string ListJson(const std::vector<std::string>& items) { return json(items).dump(); }

inline std::vector<std::string> ParseListJson(const std::string& text) {
  if (text.empty()) return {};
  return json::parse(text).get<std::vector<std::string>>();
}

inline bool IsInteger(std::string_view s) {
  if (s.starts_with('-')) s.remove_prefix(1);
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

inline bool IsDecimal(std::string_view s) {
  if (s.starts_with('-')) s.remove_prefix(1);
  const size_t dot = s.find('.');
  if (dot == std::string_view::npos) return IsInteger(s);
  return IsInteger(s.substr(0, dot)) && IsInteger(s.substr(dot + 1)) &&
         !s.substr(dot + 1).starts_with('-');
}

// Adds an error for every form value that the scenario's form does not allow.
inline void ValidateForm(const std::vector<catalog::FormField>& fields,
                         const std::map<std::string, std::string>& form, const Date& today,
                         FieldErrors& errors) {
  std::set<std::string> known;
  for (const catalog::FormField& f : fields) {
    known.insert(f.name);
    const std::string path = "form/" + f.name;
    auto it = form.find(f.name);
    if (it == form.end() || it->second.empty()) {
      if (f.required) errors.Add(path, fmt::format("{} ({}) is required", f.label, f.name));
      continue;
    }
    const std::string& v = it->second;
    const CivilDate c = today.civil();
    const std::chrono::year_month_day ymd{std::chrono::year(c.year),
                                          std::chrono::month(static_cast<unsigned>(c.month)),
                                          std::chrono::day(static_cast<unsigned>(c.day))};
    switch (f.type) {
      case catalog::FieldType::kString:
        break;
      case catalog::FieldType::kInteger:
        if (!IsInteger(v)) errors.Add(path, "must be an integer");
        break;
      case catalog::FieldType::kDecimal:
        if (!IsDecimal(v)) errors.Add(path, "must be a decimal number");
        break;
      case catalog::FieldType::kDate:
        if (auto d = Date::Parse(v, path); !d.ok()) errors.Add(path, d.error().message());
        break;
      case catalog::FieldType::kBoolean:
        if (v != "true" && v != "false") errors.Add(path, "must be true or false");
        break;
      case catalog::FieldType::kEnum:
        if (std::find(f.options.begin(), f.options.end(), v) == f.options.end()) {
          std::string all;
          for (const auto& o : f.options) all += (all.empty() ? "" : " | ") + o;
          errors.Add(path, "must be one of " + all);
        }
        break;
      case catalog::FieldType::kRegion:
        if (!people::IsRegionCode(v)) errors.Add(path, "must be a region code");
        break;
      case catalog::FieldType::kIdNumber:
        if (auto r = ParseIdNumber(v, ymd); !r.ok()) errors.Add(path, r.error().message());
        break;
      case catalog::FieldType::kUscc:
        if (auto r = ParseUscc(v); !r.ok()) errors.Add(path, r.error().message());
        break;
      case catalog::FieldType::kPhone:
        if (v.size() != 11 || v[0] != '1' || !IsInteger(v)) {
          errors.Add(path, "must be an 11-digit mobile number");
        }
        break;
    }
  }
  for (const auto& [name, value] : form) {
    if (!known.count(name)) errors.Add("form/" + name, "is not a field of this scenario's form");
  }
}

// What the scenario's catalog material allows as a declared state; "" when allowed.
inline std::string MaterialStateProblem(const catalog::Material& m, MaterialState state) {
  switch (state) {
    case MaterialState::kGap:
    case MaterialState::kSupplyLater:
      if (m.core) return "a core material cannot be accepted with a gap (容缺) or supplied later";
      return "";
    case MaterialState::kProofWaived:
      if (m.source != catalog::MaterialSource::kCommitment &&
          m.source != catalog::MaterialSource::kWaived) {
        return "the catalog does not allow a commitment (告知承诺) instead of this material";
      }
      return "";
    default:
      return "";
  }
}

inline json MaterialsJson(const std::vector<CaseMaterial>& materials, MaterialState state) {
  json out = json::array();
  for (const CaseMaterial& m : materials) {
    if (m.state != state) continue;
    json item = {{"name", m.name}};
    if (m.due_on) item["due_on"] = m.due_on->ToString();
    out.push_back(std::move(item));
  }
  return out;
}

struct CaseService::Impl {
  store::Database& db;
  catalog::CatalogService& catalog;
  people::PeopleService& people;
  trace::Trace& trace;
  CaseServiceOptions options;
  store::QuerySet queries;
  std::unique_ptr<Calendar> own_calendar;
  const Calendar* calendar = nullptr;
  SimulatedVirusScanner own_scanner;
  VirusScanner* scanner = nullptr;
  BlobStore blobs;
  std::mutex mu;
  // Pinned versions never change: parsed once, shared by every request that reads them.
  std::unordered_map<std::string, std::shared_ptr<const catalog::Matter>> matters;
  std::unique_ptr<SimulatedPaymentGateway> own_payments;
  PaymentGateway* payments = nullptr;
  people::SimulatedSmsGateway own_sms;
  people::SmsGateway* sms = nullptr;
  SimulatedPostalGateway own_postal;
  PostalGateway* postal = nullptr;
  bpmn::Runtime* runtime = nullptr;  // the review stage (review.cc)
  ReviewOptions review_options;
  // The write transactions of submissions, steps and the notice outbox, grouped: one commit
  // acknowledges every body that arrived while the previous one ran (group_commit.h).
  std::unique_ptr<GroupCommit> writes;

  Impl(store::Database& db, catalog::CatalogService& catalog, people::PeopleService& people,
       trace::Trace& trace, CaseServiceOptions options, store::QuerySet queries)
      : db(db),
        catalog(catalog),
        people(people),
        trace(trace),
        options(std::move(options)),
        queries(std::move(queries)),
        blobs(this->options.data_dir + "/materials"),
        writes(std::make_unique<GroupCommit>(db)) {}

  const Clock& clock() const {
    return options.clock ? *options.clock : static_cast<const Clock&>(SystemClock::Instance());
  }
  int64_t NowMs() const { return people::EpochMs(clock()); }
  Date Today() const { return TodayInChina(clock()); }
  const std::string& Q(std::string_view name) const { return queries.Get(name, db.backend()); }

  Result<std::shared_ptr<const catalog::Matter>> MatterOf(const std::string& version_id) {
    {
      std::lock_guard lock(mu);
      auto it = matters.find(version_id);
      if (it != matters.end()) return it->second;
    }
    TB_ASSIGN_OR_RETURN(catalog::Matter m, catalog.GetMatterByVersionId(version_id));
    auto shared = std::make_shared<const catalog::Matter>(std::move(m));
    std::lock_guard lock(mu);
    return matters.emplace(version_id, std::move(shared)).first->second;
  }

  // The version of matter `code` in force on `day`, from the cache of pinned versions: one
  // indexed read of its id instead of reading and parsing the stored version per submission.
  // kNotFound when none is in force.
  Result<std::shared_ptr<const catalog::Matter>> MatterInForce(const std::string& code, Date day) {
    auto id = db.Transaction<std::string>(
        store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
          std::string version, as_of = day.ToString();
          store::Execute(sql, Q("select_matter_in_force"), soci::use(code, "code"),
                         soci::use(as_of, "as_of"), soci::into(version));
          if (!sql.got_data()) {
            return Error(
                ErrorCode::kNotFound,
                fmt::format("matter {} has no version in force on {}", code, day.ToString()));
          }
          return version;
        });
    if (!id.ok()) return std::move(id).error();
    return MatterOf(*id);
  }

  static const catalog::Scenario* ScenarioOf(const catalog::Matter& m, const std::string& code) {
    for (const auto& s : m.item.scenarios) {
      if (s.code == code) return &s;
    }
    return nullptr;
  }

  // ---- storage ----

  Result<Case> Load(soci::session& sql, std::string_view number_view) const {
    const std::string number(number_view);
    Case c;
    std::string applicant_kind, channel, form, state, received_on, accepted_on, correction_on,
        correction_items, suspension_reason, suspended_since;
    long long version = 0, received_at = 0, suspended_days = 0, extension_days = 0;
    std::string accepted_on_text;
    store::Execute(
        sql, Q("select_case"), soci::use(number, "number"), soci::into(c.id), soci::into(c.number),
        soci::into(c.matter), soci::into(c.matter_version), soci::into(c.scenario),
        soci::into(c.region), soci::into(c.department), soci::into(applicant_kind),
        soci::into(c.applicant_code), soci::into(c.applicant_name), soci::into(c.agent_account),
        soci::into(c.submitted_by), soci::into(channel), soci::into(c.clerk_account),
        soci::into(form), soci::into(state), soci::into(version), soci::into(received_on),
        soci::into(received_at), soci::into(accepted_on), soci::into(c.accepted_by),
        soci::into(correction_on), soci::into(correction_items), soci::into(suspension_reason),
        soci::into(suspended_since), soci::into(suspended_days), soci::into(extension_days),
        soci::into(c.extended_by), soci::into(c.decided_by), soci::into(c.decision_reasons),
        soci::into(c.window));
    if (!sql.got_data()) return Error(ErrorCode::kNotFound, fmt::format("no case {}", number));
    c.applicant_kind = Stored(ParseApplicantKind(applicant_kind), applicant_kind);
    c.channel = Stored(ParseChannel(channel), channel);
    c.state = Stored(ParseCaseState(state), state);
    c.form = ParseFormJson(form);
    c.version = version;
    c.received_on = *ParseStoredDate(received_on);
    c.received_at_ms = received_at;
    c.clock.started_on = ParseStoredDate(accepted_on);
    c.correction_on = ParseStoredDate(correction_on);
    c.correction_items = ParseListJson(correction_items);
    if (!suspension_reason.empty()) {
      c.suspension_reason = Stored(ParseSuspensionReason(suspension_reason), suspension_reason);
    }
    c.suspended_since = ParseStoredDate(suspended_since);
    c.suspended_days = suspended_days;
    c.clock.extension_days = static_cast<int>(extension_days);
    LoadMaterials(sql, c);
    LoadDocuments(sql, c);
    if (runtime) c.joint = LoadJoint(sql, c.id);
    return c;
  }

  void LoadMaterials(soci::session& sql, Case& c) const {
    CaseMaterial m;
    long long idx = 0, required = 0, core = 0, size = 0;
    std::string state, origin, due_on;
    store::ExecuteRows(
        sql, Q("select_materials"),
        [&] {
          CaseMaterial out = m;
          out.index = static_cast<int>(idx);
          out.required = required != 0;
          out.core = core != 0;
          out.state = Stored(ParseMaterialState(state), state);
          out.origin = Stored(ParseMaterialOrigin(origin), origin);
          out.size = size;
          out.due_on = ParseStoredDate(due_on);
          c.materials.push_back(std::move(out));
        },
        soci::use(c.id, "case_id"), soci::into(idx), soci::into(m.name), soci::into(required),
        soci::into(core), soci::into(state), soci::into(origin), soci::into(m.reference),
        soci::into(m.content_hash), soci::into(size), soci::into(m.media_type),
        soci::into(m.file_name), soci::into(due_on));
  }

  void LoadDocuments(soci::session& sql, Case& c) const {
    Document d;
    std::string kind, issued_on;
    store::ExecuteRows(
        sql, Q("select_documents"),
        [&] {
          Document out = d;
          out.kind = Stored(ParseDocumentKind(kind), kind);
          out.issued_on = *ParseStoredDate(issued_on);
          c.documents.push_back(std::move(out));
        },
        soci::use(c.id, "case_id"), soci::into(d.id), soci::into(kind), soci::into(issued_on),
        soci::into(d.department), soci::into(d.key_id), soci::into(d.signature),
        soci::into(d.seal_proof));
  }

  void SaveMaterial(soci::session& sql, const std::string& case_id, const CaseMaterial& m,
                    bool insert) const {
    long long idx = m.index, required = m.required ? 1 : 0, core = m.core ? 1 : 0, size = m.size;
    std::string state(MaterialStateName(m.state)), origin(MaterialOriginName(m.origin)),
        due_on = DateText(m.due_on);
    if (insert) {
      store::Execute(sql, Q("insert_material"), soci::use(case_id, "case_id"),
                     soci::use(idx, "idx"), soci::use(m.name, "name"),
                     soci::use(required, "required"), soci::use(core, "core"),
                     soci::use(state, "state"), soci::use(origin, "origin"),
                     soci::use(m.reference, "reference"), soci::use(m.content_hash, "content_hash"),
                     soci::use(size, "size"), soci::use(m.media_type, "media_type"),
                     soci::use(m.file_name, "file_name"), soci::use(due_on, "due_on"));
    } else {
      store::Execute(sql, Q("update_material"), soci::use(state, "state"),
                     soci::use(origin, "origin"), soci::use(m.reference, "reference"),
                     soci::use(m.content_hash, "content_hash"), soci::use(size, "size"),
                     soci::use(m.media_type, "media_type"), soci::use(m.file_name, "file_name"),
                     soci::use(due_on, "due_on"), soci::use(case_id, "case_id"),
                     soci::use(idx, "idx"));
    }
  }

  // Writes the case's changeable columns, its due day among them, if its stored version is still
  // `c.version`.
  Status SaveCase(soci::session& sql, Case& c, const catalog::Matter& matter) const {
    std::string form = FormJson(c.form), state(CaseStateName(c.state)),
                accepted_on = DateText(c.clock.started_on),
                correction_on = DateText(c.correction_on),
                items = c.correction_items.empty() ? "" : ListJson(c.correction_items),
                reason = c.suspension_reason
                             ? std::string(SuspensionReasonName(*c.suspension_reason))
                             : "",
                since = DateText(c.suspended_since);
    long long suspended_days = c.suspended_days, extension = c.clock.extension_days,
              updated = NowMs(), version = c.version;
    const std::string due = DueColumn(c, matter);
    const store::Executed done = store::Execute(
        sql, Q("update_case"), soci::use(form, "form"), soci::use(state, "state"),
        soci::use(accepted_on, "accepted_on"), soci::use(c.accepted_by, "accepted_by"),
        soci::use(correction_on, "correction_on"), soci::use(items, "correction_items"),
        soci::use(reason, "suspension_reason"), soci::use(since, "suspended_since"),
        soci::use(suspended_days, "suspended_days"), soci::use(extension, "extension_days"),
        soci::use(c.extended_by, "extended_by"), soci::use(c.decided_by, "decided_by"),
        soci::use(c.decision_reasons, "decision_reasons"), soci::use(due, "due_on"),
        soci::use(updated, "updated_at"), soci::use(c.id, "id"), soci::use(version, "version"));
    if (done.affected_rows != 1) {
      return Error(ErrorCode::kVersionMismatch,
                   fmt::format("case {} was changed by someone else", c.number));
    }
    ++c.version;
    return Ok();
  }

  Status Append(soci::session& sql, const Case& c, const std::string& actor,
                std::string_view action, json payload) {
    payload["number"] = c.number;
    payload["state"] = CaseStateName(c.state);
    auto r = trace.Append(sql, {.stream = "case/" + c.id,
                                .actor = actor,
                                .action = std::string(action),
                                .payload = payload.dump()});
    if (!r.ok()) return std::move(r).error();
    return Ok();
  }

  // ---- the department's e-seal ----

  // The department's e-seal key, in the step's transaction (a key it creates commits with it).
  Result<crypto::Sm2Key> DepartmentKey(soci::session& sql, const Case& c,
                                       const catalog::Matter& matter) const {
    TB_ASSIGN_OR_RETURN(
        keys::SigningKey key,
        options.keys->ActiveKey(sql, {.code = c.department, .name = matter.department.name}));
    return std::move(key.key);
  }

  // A document's text sealed before its transaction (PreSeal): the transaction compares the text
  // it would seal with `content` and, when equal, stores this signature instead of signing under
  // the write lock.
  struct PreSealed {
    std::string id;
    std::string content;
    std::string key_id;
    std::string signature;
    std::string seal_proof;
  };

  // One sealer per department key (by key id: a rotated key gets a sealer of its own), shared by
  // every request that seals ahead of its transaction: concurrent acceptances of a department
  // share one SM2 signature (sealer.h).
  std::shared_ptr<Sealer> SealerOf(const keys::SigningKey& key, const std::string& department) {
    const std::string id = key.key.id();
    std::lock_guard lock(sealers_mu);
    auto it = sealers.find(id);
    if (it != sealers.end()) return it->second;
    auto made = std::make_shared<Sealer>(key.key, department,
                                         SealerOptions{.before_sign = options.before_seal});
    return sealers.emplace(id, std::move(made)).first->second;
  }
  mutable std::mutex sealers_mu;
  std::unordered_map<std::string, std::shared_ptr<Sealer>> sealers;

  std::atomic<int64_t> presigned_kept{0};         // Seals()
  std::atomic<int64_t> signed_in_transaction{0};  // Seals()

  // The canonical text of a document of `kind`: `content` with what every document carries.
  std::string DocumentText(const Case& c, const catalog::Matter& matter, DocumentKind kind,
                           json content, const std::string& id, Date issued_on) const {
    content["document_id"] = id;
    content["kind"] = DocumentKindName(kind);
    content["title"] = DocumentKindTitle(kind);
    content["issued_on"] = issued_on.ToString();
    content["case_number"] = c.number;
    content["matter"] = {{"code", c.matter}, {"name", matter.basic.name}};
    content["applicant"] = {{"kind", ApplicantKindName(c.applicant_kind)},
                            {"name", c.applicant_name}};
    content["department"] = {{"code", c.department}, {"name", matter.department.name}};
    return content.dump();  // nlohmann objects keep keys sorted: canonical JSON
  }

  // Seals the document `Seal` would store for `c` now, outside any transaction, through the
  // sealer of the department's key when it is already known (nullopt otherwise: Seal then signs
  // itself): the acceptances sealing at the same time share one signature.
  std::optional<PreSealed> PreSeal(const Case& c, const catalog::Matter& matter, DocumentKind kind,
                                   json content) {
    // The key as last seen: the transaction keeps this seal only if it is still active.
    std::optional<keys::SigningKey> key = options.keys->Cached(c.department);
    if (!key) return std::nullopt;
    PreSealed out;
    out.id = NewId(clock());
    out.content = DocumentText(c, matter, kind, std::move(content), out.id, Today());
    auto seal = SealerOf(*key, c.department)->Seal(out.content);
    if (!seal.ok()) return std::nullopt;
    out.key_id = key->key.id();
    out.signature = std::move(seal->signature);
    out.seal_proof = std::move(seal->proof);
    return out;
  }

  // Seals `content` as a document of `kind`, stores it with the case and lists it on `c`. With
  // `pre` (sealed before the transaction from the same case), its seal is kept when the text is
  // the same, so only a case changed meanwhile is signed under the write lock: alone, never
  // waiting there for another request's batch.
  Result<Document> Seal(soci::session& sql, Case& c, const catalog::Matter& matter,
                        DocumentKind kind, json content, const PreSealed* pre = nullptr) {
    Document d;
    d.id = pre ? pre->id : NewId(clock());
    d.kind = kind;
    d.issued_on = Today();
    d.department = c.department;
    d.content = DocumentText(c, matter, kind, std::move(content), d.id, d.issued_on);
    TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, DepartmentKey(sql, c, matter));
    d.key_id = key.id();
    if (pre && pre->content == d.content && pre->key_id == d.key_id) {
      d.signature = pre->signature;
      d.seal_proof = pre->seal_proof;
      ++presigned_kept;
    } else {
      TB_ASSIGN_OR_RETURN(std::string der, key.Sign(d.content));
      d.signature = crypto::ToHex(der);
      ++signed_in_transaction;
    }
    std::string kind_name(DocumentKindName(kind)), issued = d.issued_on.ToString();
    long long now = NowMs();
    store::Execute(sql, Q("insert_document"), soci::use(d.id, "id"), soci::use(c.id, "case_id"),
                   soci::use(kind_name, "kind"), soci::use(issued, "issued_on"),
                   soci::use(d.department, "department"), soci::use(d.content, "content"),
                   soci::use(d.key_id, "key_id"), soci::use(d.signature, "signature"),
                   soci::use(d.seal_proof, "seal_proof"), soci::use(now, "created_at"));
    Document listed = d;
    listed.content.clear();
    c.documents.push_back(std::move(listed));
    return d;
  }

  // ---- the clock ----

  catalog::TimeLimit Limit(const catalog::Matter& m) const {
    if (m.item.promised_limit) return *m.item.promised_limit;
    if (m.item.legal_limit) return *m.item.legal_limit;
    return {};
  }

  // The calendar the cases of `region` count in: their region's, else the national one.
  const Calendar& CalendarOf(std::string_view region) const {
    return options.region_calendar ? options.region_calendar(region) : *calendar;
  }

  // Days the clock stood still from `since` until `until` (exclusive of `since`), in the
  // calendar of `region`.
  int64_t StoppedDays(const catalog::TimeLimit& limit, std::string_view region, Date since,
                      Date until) const {
    if (limit.unit == catalog::LimitUnit::kWorkingDays) {
      return CalendarOf(region).WorkingDaysBetween(since, until).days;
    }
    return until.days() - since.days();
  }

  void ComputeClock(Case& c, const catalog::Matter& m) const {
    CaseClock& k = c.clock;
    const Calendar& cal = CalendarOf(c.region);
    k.limit = Limit(m);
    if (c.joint) k.limit = {.value = kJointLimitDays, .unit = catalog::LimitUnit::kWorkingDays};
    k.suspended = c.state == CaseState::kSuspended;
    const Date today = Today();
    if (!k.started_on) {
      k.remaining = k.limit.value + k.extension_days;
      k.remaining_working_days = k.limit.unit == catalog::LimitUnit::kWorkingDays ? k.remaining : 0;
      return;
    }
    const Date ref = k.suspended && c.suspended_since ? *c.suspended_since : today;
    const int64_t total = k.limit.value + k.extension_days;
    switch (k.limit.unit) {
      case catalog::LimitUnit::kWorkingDays: {
        auto due = cal.AddWorkingDays(*k.started_on, total + c.suspended_days);
        k.due_on = due.ok() ? due->date : *k.started_on;
        k.remaining = cal.WorkingDaysBetween(ref, *k.due_on).days;
        break;
      }
      case catalog::LimitUnit::kNaturalDays:
        k.due_on = k.started_on->AddDays(total + c.suspended_days);
        k.remaining = k.due_on->days() - ref.days();
        break;
      case catalog::LimitUnit::kHours: {
        k.due_at = StartOfDayInChina(k.started_on->AddDays(1 + c.suspended_days)) +
                   std::chrono::hours(total);
        k.due_on = DateInChina(*k.due_at);
        const Timestamp now = k.suspended && c.suspended_since
                                  ? StartOfDayInChina(*c.suspended_since)
                                  : clock().Now();
        k.remaining = std::chrono::floor<std::chrono::hours>(*k.due_at - now).count();
        break;
      }
    }
    k.remaining_working_days = cal.WorkingDaysBetween(ref, *k.due_on).days;
    k.overdue = k.remaining < 0;
  }

  Result<Case> Finish(Case c) {
    TB_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Matter> m, MatterOf(c.matter_version));
    c.matter_name = m->basic.name;
    c.kind = m->basic.kind;
    ComputeClock(c, *m);
    return c;
  }

  // ---- checks ----

  people::Target TargetOf(const Case& c) const {
    return {.region = c.region, .department = c.department, .matter = c.matter};
  }

  bool IsApplicantSide(const Principal& p, const Case& c) const {
    if (p.account.id == c.submitted_by || p.account.id == c.agent_account) return true;
    if (c.applicant_kind == ApplicantKind::kPerson) {
      return !p.account.id_number.empty() && p.account.id_number == c.applicant_code;
    }
    return people::AuthorizeForEnterprise(p, c.applicant_code, NowMs()).ok();
  }

  Status CanRead(const Principal& p, const Case& c) const {
    if (IsApplicantSide(p, c)) return Ok();
    return people::Authorize(p, "case.read", TargetOf(c), NowMs());
  }

  static Status CheckState(const Case& c, std::initializer_list<CaseState> allowed,
                           std::string_view action) {
    if (IsFinal(c.state)) {
      return Error(ErrorCode::kConflict,
                   fmt::format("case {} is {} and archived: it can no longer be changed", c.number,
                               CaseStateName(c.state)));
    }
    for (CaseState s : allowed) {
      if (c.state == s) return Ok();
    }
    std::string names;
    for (CaseState s : allowed)
      names += (names.empty() ? "" : " or ") + std::string(CaseStateName(s));
    return Error(ErrorCode::kConflict, fmt::format("cannot {} case {}: it is {}, not {}", action,
                                                   c.number, CaseStateName(c.state), names));
  }

  static Status CheckVersion(const Case& c, const Step& step) {
    if (step.expected_version && *step.expected_version != c.version) {
      return Error(ErrorCode::kVersionMismatch,
                   fmt::format("case {} is at version {}, not {}", c.number, c.version,
                               *step.expected_version));
    }
    return Ok();
  }

  // The last day a correction notice may be issued (第32条).
  Date CorrectionDeadline(const Case& c) const {
    auto d = CalendarOf(c.region).AddWorkingDays(c.received_on, kCorrectionWindowDays);
    return d.ok() ? d->date : c.received_on;
  }

  // One transition: loads the case in a write transaction, checks the version, lets `body`
  // check and change it, then saves it with its trace event.
  using Body = std::function<Status(soci::session&, Case&, const catalog::Matter&, json&)>;
  // `matter_version`: the case's pinned version when the caller read it already.
  Result<Case> Transition(const Principal& caller, std::string_view number, const Step& step,
                          std::string_view action, const Body& body,
                          const std::string* matter_version = nullptr) {
    // The pinned catalog version is read before the write transaction (never inside it).
    auto pre = matter_version != nullptr
                   ? Result<std::string>(*matter_version)
                   : db.Transaction<std::string>(
                         store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
                           std::string version;
                           const std::string n(number);
                           store::Execute(sql, Q("select_matter_version"), soci::use(n, "number"),
                                          soci::into(version));
                           if (!sql.got_data()) {
                             return Error(ErrorCode::kNotFound, fmt::format("no case {}", n));
                           }
                           return version;
                         });
    if (!pre.ok()) return std::move(pre).error();
    TB_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Matter> pinned, MatterOf(*pre));
    const catalog::Matter& matter = *pinned;
    Result<Case> done = Error(ErrorCode::kInternal, "the step did not run");
    const auto write = [&](soci::session& sql) -> Result<Case> {
      TB_ASSIGN_OR_RETURN(Case c, Load(sql, number));
      TB_RETURN_IF_ERROR(CheckVersion(c, step));
      json payload = json::object();
      TB_RETURN_IF_ERROR(body(sql, c, matter, payload));
      TB_RETURN_IF_ERROR(AfterStep(sql, c, matter, action));  // fees.cc: orders, notices
      if (!step.note.empty()) payload["note"] = step.note;
      TB_RETURN_IF_ERROR(SaveCase(sql, c, matter));
      if (observer) TB_RETURN_IF_ERROR(observer->OnCaseChanged(sql, {c, matter, action, caller}));
      TB_RETURN_IF_ERROR(Append(sql, c, caller.account.id, action, std::move(payload)));
      return c;
    };
    Status committed = writes->Run([&](soci::session& sql) -> Status {
      done = write(sql);
      return done.ok() ? Ok() : Status(done.error());
    });
    if (!committed.ok()) return std::move(committed).error();
    (void)DrainNoticesAfterCommit();
    if (runtime) AfterTransition(*done, action);
    return Finish(std::move(done).value());
  }

  // In a step's transaction: opens the payment order and the delivery step on approval, and
  // writes the applicant's notice of the step to the outbox (fees.cc).
  Status AfterStep(soci::session& sql, const Case& c, const catalog::Matter& matter,
                   std::string_view action) const;
  // 容缺, 承诺补交 and 告知承诺 are barred by an active 违诺 or serious 失信 entry (credit.cc).
  Status CheckCredit(const std::string& applicant_code,
                     const std::vector<MaterialDeclaration>& materials);
  // The payment, SMS and postal adapters: the options' or the simulators.
  void InitAdapters();
  // Writes one notice to the outbox in the caller's transaction (notices.cc).
  Status QueueNotice(soci::session& sql, const Case& c, std::string_view kind,
                     const std::string& text) const;
  // Sends the outbox; failures stay queued for the next drain (notices.cc).
  Result<int> DrainNoticesAfterCommit();
  // One pass over the outbox: sends what is pending and marks it in one write (notices.cc).
  Result<int> DrainOnce();
  // DrainOnce with an exception turned into an error.
  Result<int> DrainRound();
  // The notifier thread's loop: the rounds a committing request handed over (notices.cc).
  void NotifierLoop();
  std::mutex drain_mu;
  bool draining = false;     // a drain runs (guarded by drain_mu)
  bool drain_again = false;  // a step committed while it ran: it runs once more
  // Guarded by drain_mu: a hand-over waits for the notifier thread; the service is stopping.
  bool notifier_due = false, notifier_stop = false;
  std::condition_variable drain_cv;

  std::string Fingerprint(const std::string& account, const SubmitRequest& r) const {
    std::string s = Netstring(account) + Netstring(r.matter) + Netstring(r.scenario) +
                    Netstring(ChannelName(r.channel)) +
                    Netstring(ApplicantKindName(r.applicant_kind)) + Netstring(r.applicant_code) +
                    Netstring(r.applicant_name) + Netstring(r.agent_account);
    for (const auto& [k, v] : r.form) s += Netstring(k) + Netstring(v);
    s += "|";
    for (const auto& m : r.materials) {
      s += Netstring(m.name) + Netstring(MaterialStateName(m.state)) +
           Netstring(MaterialOriginName(m.origin)) + Netstring(m.reference) +
           Netstring(DateText(m.due_on));
    }
    s += "|" +
         Netstring(r.commitment_signature.empty() ? "" : crypto::Sm3Hex(r.commitment_signature));
    return crypto::Sm3Hex(s);
  }

  Result<SubmitResult> SubmitOnce(const Principal& caller, const SubmitRequest& in);

  // ---- the review stage (review.cc) ----
  // The bundle application a case is a part of: its number and process instance, both empty
  // when the case is not in a bundle.
  struct BundleLink {
    std::string number;
    std::string instance;
  };
  struct StartedReview {
    std::string instance_id;
    std::string process_id;
    bool joint = false;
  };
  // The review process acceptance will start, prepared before the write transaction from the
  // case as read then: the process, its variables, and whether it is expected to be joint.
  struct ReviewPlan {
    int64_t case_version = 0;  // the variables are the case's at this version
    std::string process_id;
    feel::Value variables;
    bool joint = false;  // predicted from the scenario's review departments
  };
  // Before acceptance (outside any transaction): the plan of the case's review, or none (no
  // runtime, or a case that cannot be accepted now: the transaction's checks then refuse it).
  // Refuses a sub-case whose bundle process has not reached it.
  // `loaded`: the case as read before (an error: no plan), `bundle` its bundle, read with it.
  Result<std::optional<ReviewPlan>> PlanReview(const Principal& caller, const Result<Case>& loaded,
                                               const BundleLink& bundle);
  // In acceptance's transaction: starts the planned process with the transaction's own
  // statements (it commits or rolls back with the acceptance); `after` gets what to publish
  // after the commit (bpmn::Runtime::Committed).
  Result<StartedReview> StartReview(soci::session& sql, const Principal& caller, const Case& c,
                                    const ReviewPlan& plan, bpmn::AfterCommit& after);
  // Acceptance's checks and clock on `c` (service.cc); the content of its notice. `joint`: the
  // review opened (or is expected to open) steps of several departments (第26条).
  Result<json> AcceptanceNotice(const Principal& caller, Case& c, const catalog::Matter& matter,
                                bool joint) const;
  Status RecordReview(soci::session& sql, const Case& c, const StartedReview& review) const;
  // After every transition: a case that left review otherwise than through its process
  // (withdrawn, terminated, decided directly) cancels its running instance.
  void AfterTransition(const Case& c, std::string_view action);
  bool LoadJoint(soci::session& sql, const std::string& case_id) const;
  // Bundles (bundle.cc): tells the case's bundle process that the case was decided; refuses
  // to start a sub-case's review before its bundle process reaches it.
  void NotifyBundle(const Case& c, std::string_view action);
  // Decides `c` from its finished review process `info` (review.cc): denied when its
  // decision (or any department's, for joint review) is a denial, approved otherwise.
  Result<Case> DecideFromProcess(const Principal& caller, const Case& c,
                                 const bpmn::InstanceInfo& info, const std::string& reasons) const;
  CaseService* owner = nullptr;               // the service this state belongs to (set by Create)
  CaseObserver* observer = nullptr;           // SetObserver
  SubmissionHook* submission_hook = nullptr;  // SetSubmissionHook
  BundleLink LoadBundleLink(soci::session& sql, const std::string& case_id) const;
  // Refuses to start a sub-case's review before its bundle process (`link`, read with the case)
  // reaches it.
  Status CheckBundleOrder(const Case& c, const BundleLink& link) const;
  // search.cc: the overdue search's column, the last day of the running clock (empty when it
  // does not run); computes `c`'s clock.
  std::string DueColumn(Case& c, const catalog::Matter& matter) const;

  // The notifier thread, started at the first hand-over (notices.cc). Declared last: it is
  // stopped and joined before anything it uses is destroyed.
  struct Notifier {
    Impl* impl = nullptr;
    std::thread thread;
    ~Notifier();
  } notifier{this, {}};
};

}  // namespace tongban::cases
