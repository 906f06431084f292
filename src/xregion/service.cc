// The exchange and the cross-region cases. Invariants: a message is in the outbox iff its log
// entry "out" (or "relay") exists, written in the same transaction as the change it reports; a
// message is in the inbox iff its log entry "in" exists; a sender's messages are applied in
// sequence order, each once (xregion_applied holds the last one applied).
#include "xregion/service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "base/id.h"
#include "base/region.h"
#include "crypto/sm3.h"
#include "store/queries.h"

namespace tongban {
extern const EmbeddedFile kXregionSql[];
extern const size_t kXregionSql_count;
}  // namespace tongban

namespace tongban::xregion {

using nlohmann::json;

std::string_view ModeName(Mode m) {
  switch (m) {
    case Mode::kOnline:
      return "online";
    case Mode::kProxy:
      return "proxy";
    case Mode::kJoint:
      return "joint";
  }
  return "proxy";
}

std::optional<Mode> ParseMode(std::string_view s) {
  if (s == "online") return Mode::kOnline;
  if (s == "proxy") return Mode::kProxy;
  if (s == "joint") return Mode::kJoint;
  return std::nullopt;
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kReceiving:
      return "receiving";
    case Role::kHandling:
      return "handling";
    case Role::kLead:
      return "lead";
    case Role::kPart:
      return "part";
  }
  return "receiving";
}

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "receiving") return Role::kReceiving;
  if (s == "handling") return Role::kHandling;
  if (s == "lead") return Role::kLead;
  if (s == "part") return Role::kPart;
  return std::nullopt;
}

std::string_view ReceiveStatusName(ReceiveStatus s) {
  switch (s) {
    case ReceiveStatus::kStored:
      return "stored";
    case ReceiveStatus::kDuplicate:
      return "duplicate";
    case ReceiveStatus::kRelayed:
      return "relayed";
  }
  return "stored";
}

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("xregion", kXregionSql, kXregionSql_count);
}

namespace {

const store::QuerySet& Queries() {
  static const store::QuerySet* queries = [] {
    auto q = store::QuerySet::Load(kXregionSql, kXregionSql_count);
    if (!q.ok()) throw std::logic_error(q.error().ToString());
    return new store::QuerySet(std::move(q).value());
  }();
  return *queries;
}

bool IsFinalState(std::string_view s) {
  return s == "concluded" || s == "refused" || s == "delivered";
}

// The public key of a partner's PEM: a public key, or the subject key of a certificate.
Result<crypto::Sm2Key> PartnerKey(const std::string& pem) { return crypto::Sm2Key::FromPem(pem); }

json FormJson(const std::map<std::string, std::string>& form) {
  json j = json::object();
  for (const auto& [k, v] : form) j[k] = v;
  return j;
}

json MaterialsJson(const std::vector<Material>& materials) {
  json j = json::array();
  for (const Material& m : materials) {
    j.push_back({{"name", m.name}, {"hash", m.hash}, {"size", m.size}});
  }
  return j;
}

std::vector<Material> MaterialsFrom(const json& j) {
  std::vector<Material> out;
  if (!j.is_array()) return out;
  for (const json& m : j) {
    out.push_back({.name = m.value("name", ""),
                   .hash = m.value("hash", ""),
                   .size = m.value("size", int64_t{0})});
  }
  return out;
}

json EventJson(const TimelineEntry& e) {
  return {{"id", e.id}, {"at", e.at_ms}, {"region", e.region}, {"kind", e.kind}, {"note", e.note}};
}

TimelineEntry EventFrom(const json& j) {
  return {.id = j.value("id", ""),
          .at_ms = j.value("at", int64_t{0}),
          .region = j.value("region", ""),
          .kind = j.value("kind", ""),
          .note = j.value("note", "")};
}

}  // namespace

struct Service::Impl {
  store::Database& db;
  crypto::Sm2Key key;
  ServiceOptions options;
  const Clock& clock;
  std::mutex keys_mu;
  std::map<std::string, crypto::Sm2Key> key_cache;  // PEM -> key

  Impl(store::Database& d, crypto::Sm2Key k, ServiceOptions o)
      : db(d),
        key(std::move(k)),
        options(std::move(o)),
        clock(options.clock ? *options.clock : SystemClock::Instance()) {}

  const std::string& Q(std::string_view name) const { return Queries().Get(name, db.backend()); }
  int64_t NowMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
        .count();
  }

  Result<crypto::Sm2Key> KeyOf(const std::string& pem) {
    std::lock_guard lock(keys_mu);
    auto it = key_cache.find(pem);
    if (it != key_cache.end()) return it->second;
    TB_ASSIGN_OR_RETURN(crypto::Sm2Key k, PartnerKey(pem));
    key_cache.emplace(pem, k);
    return k;
  }

  static Result<Identity> IdentityIn(soci::session& sql, const std::string& q) {
    Identity id;
    int hub = 0;
    store::Execute(sql, q, soci::into(id.region), soci::into(id.name), soci::into(hub));
    if (!sql.got_data()) {
      return Error(ErrorCode::kNotFound,
                   "this installation's cross-region identity is not set (PUT "
                   "/api/v1/xregion/identity)");
    }
    id.hub = hub != 0;
    return id;
  }

  std::vector<Partner> PartnersIn(soci::session& sql) const {
    std::vector<Partner> out;
    Partner p;
    int hub = 0;
    store::ExecuteRows(
        sql, Q("select_partners"),
        [&] {
          p.hub = hub != 0;
          out.push_back(p);
        },
        soci::into(p.region), soci::into(p.name), soci::into(p.base_url), soci::into(p.public_key),
        soci::into(hub), soci::into(p.via));
    return out;
  }

  std::optional<Partner> PartnerIn(soci::session& sql, const std::string& region) const {
    for (Partner& p : PartnersIn(sql)) {
      if (p.region == region) return p;
    }
    return std::nullopt;
  }

  std::vector<Agreement> AgreementsIn(soci::session& sql) const {
    std::vector<Agreement> out;
    std::string id, partner, mode, title, matter, name, handling;
    store::ExecuteRows(
        sql, Q("select_agreements"),
        [&] {
          if (out.empty() || out.back().id != id) {
            out.push_back({.id = id,
                           .partner = partner,
                           .mode = ParseMode(mode).value_or(Mode::kProxy),
                           .title = title,
                           .matters = {}});
          }
          out.back().matters.push_back(
              {.matter = matter, .name = name, .handling_region = handling});
        },
        soci::into(id), soci::into(partner), soci::into(mode), soci::into(title),
        soci::into(matter), soci::into(name), soci::into(handling));
    return out;
  }

  // Appends a log entry inside `sql`'s write transaction; returns its position.
  int64_t AppendLog(soci::session& sql, std::string_view direction, const std::string& message_id,
                    const std::string& partner, const std::string& digest) const {
    store::Execute(sql, Q("lock_log_head"));
    long long position = 0;
    std::string prev;
    store::Execute(sql, Q("select_log_head"), soci::into(position), soci::into(prev));
    std::string hash = crypto::Sm3Hex(prev + digest);
    std::string dir(direction);
    long long at = NowMs();
    store::Execute(sql, Q("insert_log"), soci::use(position, "position"),
                   soci::use(dir, "direction"), soci::use(message_id, "message_id"),
                   soci::use(partner, "partner"), soci::use(digest, "digest"),
                   soci::use(prev, "prev_hash"), soci::use(hash, "hash"), soci::use(at, "at"));
    store::Execute(sql, Q("set_log_head_hash"), soci::use(hash, "hash"));
    return position;
  }

  // Writes a new message to `receiver` into the outbox, in the caller's transaction.
  Status Enqueue(soci::session& sql, const Identity& self, const std::string& message_id,
                 const std::string& receiver, const std::string& case_ref, const std::string& kind,
                 json body) const {
    std::optional<Partner> partner = PartnerIn(sql, receiver);
    if (!partner) {
      return Error(ErrorCode::kRefused,
                   fmt::format("{} is no partner of this installation", receiver),
                   {{"receiver", "unknown partner"}});
    }
    const std::string next_hop = partner->via.empty() ? receiver : partner->via;
    store::Execute(sql, Q("bump_sequence"), soci::use(receiver, "receiver"));
    long long sequence = 0;
    store::Execute(sql, Q("select_sequence"), soci::use(receiver, "receiver"),
                   soci::into(sequence));
    Envelope e{.message_id = message_id,
               .sender = self.region,
               .receiver = receiver,
               .sequence = sequence,
               .timestamp_ms = NowMs(),
               .case_ref = case_ref,
               .kind = kind,
               .body = std::move(body)};
    TB_ASSIGN_OR_RETURN(SignedEnvelope signed_envelope, Sign(e, key));
    TB_ASSIGN_OR_RETURN(std::string digest, Digest(signed_envelope));
    long long ordinal = AppendLog(sql, "out", message_id, receiver, digest);
    std::string wire = SignedText(signed_envelope);
    int relayed = 0;
    long long now = NowMs();
    store::Execute(sql, Q("insert_outbox"), soci::use(message_id, "message_id"),
                   soci::use(ordinal, "ordinal"), soci::use(receiver, "receiver"),
                   soci::use(next_hop, "next_hop"), soci::use(case_ref, "case_ref"),
                   soci::use(kind, "kind"), soci::use(wire, "wire"), soci::use(relayed, "relayed"),
                   soci::use(now, "next_attempt_at"), soci::use(now, "created_at"));
    return Ok();
  }

  void InsertEvent(soci::session& sql, const std::string& case_ref, const TimelineEntry& e) const {
    long long at = e.at_ms;
    store::Execute(sql, Q("insert_event"), soci::use(case_ref, "case_ref"), soci::use(e.id, "id"),
                   soci::use(at, "at"), soci::use(e.region, "region"), soci::use(e.kind, "kind"),
                   soci::use(e.note, "note"));
  }

  void InsertCase(soci::session& sql, const CrossCase& c) const {
    std::string mode(ModeName(c.mode)), role(RoleName(c.role));
    std::string form = FormJson(c.form).dump(), materials = MaterialsJson(c.materials).dump();
    long long created = c.created_at_ms, updated = c.updated_at_ms;
    store::Execute(
        sql, Q("insert_case"), soci::use(c.ref, "ref"), soci::use(mode, "mode"),
        soci::use(role, "role"), soci::use(c.matter, "matter"),
        soci::use(c.matter_name, "matter_name"), soci::use(c.receiving_region, "receiving_region"),
        soci::use(c.handling_region, "handling_region"), soci::use(c.counterpart, "counterpart"),
        soci::use(c.parent_ref, "parent_ref"), soci::use(c.applicant_name, "applicant_name"),
        soci::use(c.applicant_code, "applicant_code"), soci::use(form, "form"),
        soci::use(materials, "materials"), soci::use(c.delivery, "delivery"),
        soci::use(c.state, "state"), soci::use(created, "created_at"),
        soci::use(updated, "updated_at"));
  }

  void UpdateState(soci::session& sql, const CrossCase& c) const {
    long long now = NowMs();
    store::Execute(sql, Q("update_case_state"), soci::use(c.state, "state"),
                   soci::use(c.result, "result"), soci::use(c.tracking_number, "tracking_number"),
                   soci::use(now, "updated_at"), soci::use(c.ref, "ref"));
  }

  std::optional<CrossCase> CaseIn(soci::session& sql, const std::string& ref) const {
    CrossCase c;
    std::string mode, role, form, materials;
    long long created = 0, updated = 0;
    store::Execute(sql, Q("select_case"), soci::use(ref, "ref"), soci::into(c.ref),
                   soci::into(mode), soci::into(role), soci::into(c.matter),
                   soci::into(c.matter_name), soci::into(c.receiving_region),
                   soci::into(c.handling_region), soci::into(c.counterpart),
                   soci::into(c.parent_ref), soci::into(c.applicant_name),
                   soci::into(c.applicant_code), soci::into(form), soci::into(materials),
                   soci::into(c.delivery), soci::into(c.state), soci::into(c.result),
                   soci::into(c.tracking_number), soci::into(created), soci::into(updated));
    if (!sql.got_data()) return std::nullopt;
    c.mode = ParseMode(mode).value_or(Mode::kProxy);
    c.role = ParseRole(role).value_or(Role::kReceiving);
    c.created_at_ms = created;
    c.updated_at_ms = updated;
    json f = json::parse(form, nullptr, false);
    if (f.is_object()) {
      for (auto it = f.begin(); it != f.end(); ++it) {
        c.form[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
      }
    }
    c.materials = MaterialsFrom(json::parse(materials, nullptr, false));
    TimelineEntry e;
    long long at = 0;
    store::ExecuteRows(
        sql, Q("select_events"),
        [&] {
          e.at_ms = at;
          c.timeline.push_back(e);
        },
        soci::use(ref, "case_ref"), soci::into(e.id), soci::into(at), soci::into(e.region),
        soci::into(e.kind), soci::into(e.note));
    Part p;
    store::ExecuteRows(
        sql, Q("select_parts"), [&] { c.parts.push_back(p); }, soci::use(ref, "parent_ref"),
        soci::into(p.part_ref), soci::into(p.region), soci::into(p.matter), soci::into(p.state));
    return c;
  }

  // Stores `bytes` content-addressed; returns the material record.
  Material StoreFile(soci::session& sql, const std::string& name, const std::string& bytes) const {
    Material m{
        .name = name, .hash = crypto::Sm3Hex(bytes), .size = static_cast<int64_t>(bytes.size())};
    std::string content = crypto::ToHex(bytes);
    long long size = m.size;
    store::Execute(sql, Q("insert_file"), soci::use(m.hash, "hash"), soci::use(size, "size"),
                   soci::use(content, "content"));
    return m;
  }

  // The materials as a message carries them: the bytes only of the files `partner` lacks.
  json MaterialsFor(soci::session& sql, const std::string& partner,
                    const std::vector<Material>& materials) const {
    json out = json::array();
    for (const Material& m : materials) {
      json item = {{"name", m.name}, {"hash", m.hash}, {"size", m.size}};
      int sent = 0;
      store::Execute(sql, Q("count_file_sent"), soci::use(partner, "partner"),
                     soci::use(m.hash, "hash"), soci::into(sent));
      if (sent == 0) {
        std::string content;
        store::Execute(sql, Q("select_file"), soci::use(m.hash, "hash"), soci::into(content));
        item["content"] = content;
        store::Execute(sql, Q("insert_file_sent"), soci::use(partner, "partner"),
                       soci::use(m.hash, "hash"));
      }
      out.push_back(std::move(item));
    }
    return out;
  }

  // Stores the files a message carries, after checking each against its hash.
  Status StoreCarriedFiles(soci::session& sql, const json& materials) const {
    if (!materials.is_array()) return Ok();
    for (const json& m : materials) {
      if (!m.contains("content")) continue;
      TB_ASSIGN_OR_RETURN(std::string bytes, crypto::FromHex(m["content"].get<std::string>()));
      if (crypto::Sm3Hex(bytes) != m.value("hash", "")) {
        return Error(ErrorCode::kIntegrity, "a carried material does not match its hash");
      }
      (void)StoreFile(sql, m.value("name", ""), bytes);
    }
    return Ok();
  }

  void TraceRefusal(const Error& error, const std::string& sender,
                    const std::string& message_id) const {
    spdlog::warn("xregion: refused a message from '{}' ({}): {}", sender, message_id,
                 error.message());
    if (options.trace == nullptr) return;
    json payload = {{"sender", sender}, {"message_id", message_id}, {"refusal", error.message()}};
    auto r = options.trace->Append({.stream = "xregion/refusals",
                                    .actor = "system",
                                    .action = "xregion.refused",
                                    .payload = payload.dump()});
    if (!r.ok()) spdlog::error("xregion: tracing a refusal failed: {}", r.error().ToString());
  }

  Status Apply(soci::session& sql, const Identity& self, const SignedEnvelope& s);
  Result<ReceiveOutcome> ReceiveIn(soci::session& sql, const Identity& self, const Wire& wire,
                                   const std::string& text, std::optional<Error>& refusal);
  Status CompleteLeadIfDone(soci::session& sql, const Identity& self, CrossCase& lead);
};

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() = default;

Result<std::unique_ptr<Service>> Service::Create(store::Database& db, crypto::Sm2Key key,
                                                 ServiceOptions options) {
  if (!key.has_private_key()) {
    return Error(ErrorCode::kCrypto, "the exchange needs the installation's private key");
  }
  (void)Queries();
  return std::unique_ptr<Service>(
      new Service(std::make_unique<Impl>(db, std::move(key), std::move(options))));
}

const crypto::Sm2Key& Service::key() const { return impl_->key; }

// ---- identity, partners, agreements ----

Status Service::SetIdentity(const Identity& identity) {
  FieldErrors errors;
  if (!LookupRegion(identity.region).ok()) errors.Add("region", "must be a known region code");
  if (identity.name.empty()) errors.Add("name", "must not be empty");
  if (!errors.empty()) return errors.ToError("the identity is invalid");
  Impl& I = *impl_;
  return I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    int hub = identity.hub ? 1 : 0;
    long long now = I.NowMs();
    store::Execute(sql, I.Q("upsert_identity"), soci::use(identity.region, "region"),
                   soci::use(identity.name, "name"), soci::use(hub, "hub"),
                   soci::use(now, "updated_at"));
    return Ok();
  });
}

Result<Identity> Service::GetIdentity() {
  Impl& I = *impl_;
  return I.db.Transaction<Identity>(store::TxKind::kRead, [&](soci::session& sql) {
    return Impl::IdentityIn(sql, I.Q("select_identity"));
  });
}

Status Service::PutPartner(const Partner& p) {
  FieldErrors errors;
  if (!LookupRegion(p.region).ok()) errors.Add("region", "must be a known region code");
  if (p.name.empty()) errors.Add("name", "must not be empty");
  if (!p.base_url.starts_with("http://") && !p.base_url.starts_with("https://")) {
    errors.Add("base_url", "must start with http:// or https://");
  }
  if (!PartnerKey(p.public_key).ok()) errors.Add("public_key", "must be an SM2 public key PEM");
  if (!errors.empty()) return errors.ToError("the partner is invalid");
  Impl& I = *impl_;
  return I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    if (!p.via.empty()) {
      std::optional<Partner> hub = I.PartnerIn(sql, p.via);
      if (!hub || !hub->hub) {
        return Error(ErrorCode::kInvalidArgument, "the partner is invalid",
                     {{"via", "must name a hub partner"}});
      }
    }
    int hub = p.hub ? 1 : 0;
    long long now = I.NowMs();
    std::string base = p.base_url;
    while (base.ends_with('/')) base.pop_back();
    store::Execute(sql, I.Q("upsert_partner"), soci::use(p.region, "region"),
                   soci::use(p.name, "name"), soci::use(base, "base_url"),
                   soci::use(p.public_key, "public_key"), soci::use(hub, "hub"),
                   soci::use(p.via, "via"), soci::use(now, "updated_at"));
    return Ok();
  });
}

Result<std::vector<Partner>> Service::ListPartners() {
  Impl& I = *impl_;
  return I.db.Transaction<std::vector<Partner>>(
      store::TxKind::kRead,
      [&](soci::session& sql) -> Result<std::vector<Partner>> { return I.PartnersIn(sql); });
}

Status Service::DeletePartner(std::string_view region) {
  Impl& I = *impl_;
  const std::string r(region);
  return I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    int agreements = 0;
    store::Execute(sql, I.Q("count_agreements_of_partner"), soci::use(r, "partner"),
                   soci::into(agreements));
    if (agreements > 0) {
      return Error(ErrorCode::kConflict,
                   fmt::format("partner {} still has {} agreement(s)", r, agreements));
    }
    auto done = store::Execute(sql, I.Q("delete_partner"), soci::use(r, "region"));
    if (done.affected_rows == 0) return Error(ErrorCode::kNotFound, "no partner " + r);
    return Ok();
  });
}

Status Service::PutAgreement(const Agreement& a) {
  Impl& I = *impl_;
  return I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    TB_ASSIGN_OR_RETURN(Identity self, Impl::IdentityIn(sql, I.Q("select_identity")));
    FieldErrors errors;
    if (a.id.empty()) errors.Add("id", "must not be empty");
    if (a.title.empty()) errors.Add("title", "must not be empty");
    if (!I.PartnerIn(sql, a.partner)) errors.Add("partner", "must be a partner's region code");
    if (a.matters.empty()) errors.Add("matters", "must list at least one matter");
    std::set<std::string> seen;
    for (size_t i = 0; i < a.matters.size(); ++i) {
      const AgreementMatter& m = a.matters[i];
      if (m.matter.empty()) errors.Add(fmt::format("matters/{}/matter", i), "must not be empty");
      if (!seen.insert(m.matter).second) {
        errors.Add(fmt::format("matters/{}/matter", i), "is listed twice");
      }
      if (m.name.empty()) errors.Add(fmt::format("matters/{}/name", i), "must not be empty");
      if (m.handling_region != self.region && m.handling_region != a.partner) {
        errors.Add(fmt::format("matters/{}/handling_region", i),
                   "must be this installation's region or the partner's");
      }
    }
    if (!errors.empty()) return errors.ToError("the agreement is invalid");
    std::string mode(ModeName(a.mode));
    long long now = I.NowMs();
    store::Execute(sql, I.Q("upsert_agreement"), soci::use(a.id, "id"),
                   soci::use(a.partner, "partner"), soci::use(mode, "mode"),
                   soci::use(a.title, "title"), soci::use(now, "updated_at"));
    store::Execute(sql, I.Q("delete_agreement_matters"), soci::use(a.id, "id"));
    for (const AgreementMatter& m : a.matters) {
      store::Execute(sql, I.Q("insert_agreement_matter"), soci::use(a.id, "id"),
                     soci::use(m.matter, "matter"), soci::use(m.name, "name"),
                     soci::use(m.handling_region, "handling_region"));
    }
    return Ok();
  });
}

Result<std::vector<Agreement>> Service::ListAgreements() {
  Impl& I = *impl_;
  return I.db.Transaction<std::vector<Agreement>>(
      store::TxKind::kRead,
      [&](soci::session& sql) -> Result<std::vector<Agreement>> { return I.AgreementsIn(sql); });
}

Status Service::DeleteAgreement(std::string_view id) {
  Impl& I = *impl_;
  const std::string i(id);
  return I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    store::Execute(sql, I.Q("delete_agreement_matters"), soci::use(i, "id"));
    auto done = store::Execute(sql, I.Q("delete_agreement"), soci::use(i, "id"));
    if (done.affected_rows == 0) return Error(ErrorCode::kNotFound, "no agreement " + i);
    return Ok();
  });
}

Result<std::vector<Offer>> Service::Offers(std::string_view region) {
  Impl& I = *impl_;
  return I.db.Transaction<std::vector<Offer>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Offer>> {
        TB_ASSIGN_OR_RETURN(Identity self, Impl::IdentityIn(sql, I.Q("select_identity")));
        std::map<std::string, std::string> names;
        for (const Partner& p : I.PartnersIn(sql)) names[p.region] = p.name;
        std::vector<Offer> out;
        for (const Agreement& a : I.AgreementsIn(sql)) {
          if (!region.empty() && a.partner != region) continue;
          for (const AgreementMatter& m : a.matters) {
            if (m.handling_region == self.region) continue;
            out.push_back({.matter = m.matter,
                           .name = m.name,
                           .handling_region = m.handling_region,
                           .partner_name = names[a.partner],
                           .mode = a.mode,
                           .agreement_id = a.id});
          }
        }
        return out;
      });
}

Result<int> Service::LoadYaml(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("the YAML does not parse: {}", e.what()));
  }
  auto str = [](const YAML::Node& n, const char* key) {
    return n[key] && n[key].IsScalar() ? n[key].as<std::string>() : std::string();
  };
  const YAML::Node identity = root["identity"];
  if (identity) {
    TB_RETURN_IF_ERROR(SetIdentity({.region = str(identity, "region"),
                                    .name = str(identity, "name"),
                                    .hub = identity["hub"] && identity["hub"].as<bool>()}));
  }
  for (size_t i = 0; root["partners"] && i < root["partners"].size(); ++i) {
    const YAML::Node p = root["partners"][i];
    Status s = PutPartner({.region = str(p, "region"),
                           .name = str(p, "name"),
                           .base_url = str(p, "base_url"),
                           .public_key = str(p, "public_key"),
                           .hub = p["hub"] && p["hub"].as<bool>(),
                           .via = str(p, "via")});
    if (!s.ok()) return std::move(s).error().Prefix(fmt::format("partners/{}", i));
  }
  int agreements = 0;
  for (size_t i = 0; root["agreements"] && i < root["agreements"].size(); ++i) {
    const YAML::Node a = root["agreements"][i];
    std::optional<Mode> mode = ParseMode(str(a, "mode"));
    if (!mode) {
      return Error(ErrorCode::kInvalidArgument, "the agreements are invalid",
                   {{fmt::format("agreements/{}/mode", i), "must be online, proxy or joint"}});
    }
    Agreement agreement{.id = str(a, "id"),
                        .partner = str(a, "partner"),
                        .mode = *mode,
                        .title = str(a, "title"),
                        .matters = {}};
    for (size_t j = 0; a["matters"] && j < a["matters"].size(); ++j) {
      const YAML::Node m = a["matters"][j];
      agreement.matters.push_back({.matter = str(m, "matter"),
                                   .name = str(m, "name"),
                                   .handling_region = str(m, "handling_region")});
    }
    Status s = PutAgreement(agreement);
    if (!s.ok()) return std::move(s).error().Prefix(fmt::format("agreements/{}", i));
    ++agreements;
  }
  return agreements;
}

// ---- the exchange ----

Result<ReceiveOutcome> Service::Impl::ReceiveIn(soci::session& sql, const Identity& self,
                                                const Wire& wire, const std::string& text,
                                                std::optional<Error>& refusal) {
  const Envelope& e = wire.signed_envelope.envelope;
  auto refuse = [&](Refusal r, std::string detail) -> Error {
    refusal = RefusalError(r, std::move(detail));
    return *refusal;
  };
  std::optional<Partner> sender = PartnerIn(sql, e.sender);
  if (!sender) return refuse(Refusal::kUnknownSender, fmt::format("{} is no partner", e.sender));
  TB_ASSIGN_OR_RETURN(crypto::Sm2Key sender_key, KeyOf(sender->public_key));
  TB_ASSIGN_OR_RETURN(bool valid, VerifySignature(wire.signed_envelope, sender_key));
  if (!valid) {
    return refuse(Refusal::kAltered, "the signature does not verify against the sender's key");
  }
  crypto::Sm2Key hop_key = sender_key;
  if (wire.hop.by != e.sender) {
    std::optional<Partner> hub = PartnerIn(sql, wire.hop.by);
    if (!hub || !hub->hub) {
      return refuse(Refusal::kUnknownSender, fmt::format("{} is no hub partner", wire.hop.by));
    }
    TB_ASSIGN_OR_RETURN(hop_key, KeyOf(hub->public_key));
  }
  TB_ASSIGN_OR_RETURN(bool hop_valid, VerifyHop(wire.signed_envelope, wire.hop, hop_key));
  if (!hop_valid) return refuse(Refusal::kAltered, "the hop stamp's signature does not verify");
  const int64_t now = NowMs();
  if (wire.hop.at_ms < now - options.skew_tolerance_ms ||
      wire.hop.at_ms > now + options.skew_tolerance_ms) {
    return refuse(Refusal::kStale,
                  fmt::format("posted {} s from this installation's clock (tolerance ±{} s)",
                              (wire.hop.at_ms - now) / 1000, options.skew_tolerance_ms / 1000));
  }
  TB_ASSIGN_OR_RETURN(std::string digest, Digest(wire.signed_envelope));
  ReceiveOutcome out{.status = ReceiveStatus::kStored, .message_id = e.message_id, .applied = 0};
  if (e.receiver != self.region) {
    if (!self.hub) {
      return refuse(Refusal::kNotReceiver,
                    fmt::format("addressed to {}, and this installation is no hub", e.receiver));
    }
    int known = 0;
    store::Execute(sql, Q("count_outbox_id"), soci::use(e.message_id, "message_id"),
                   soci::into(known));
    out.status = known > 0 ? ReceiveStatus::kDuplicate : ReceiveStatus::kRelayed;
    if (known > 0) return out;
    std::optional<Partner> receiver = PartnerIn(sql, e.receiver);
    if (!receiver) {
      return refuse(Refusal::kNotReceiver, fmt::format("no route to {}", e.receiver));
    }
    long long ordinal = AppendLog(sql, "relay", e.message_id, e.receiver, digest);
    std::string stored = SignedText(wire.signed_envelope);
    std::string next_hop = receiver->via.empty() ? e.receiver : receiver->via;
    int relayed = 1;
    long long at = now;
    store::Execute(sql, Q("insert_outbox"), soci::use(e.message_id, "message_id"),
                   soci::use(ordinal, "ordinal"), soci::use(e.receiver, "receiver"),
                   soci::use(next_hop, "next_hop"), soci::use(e.case_ref, "case_ref"),
                   soci::use(e.kind, "kind"), soci::use(stored, "wire"),
                   soci::use(relayed, "relayed"), soci::use(at, "next_attempt_at"),
                   soci::use(at, "created_at"));
    return out;
  }
  int known = 0;
  store::Execute(sql, Q("count_inbox_id"), soci::use(e.message_id, "message_id"),
                 soci::into(known));
  if (known > 0) {
    out.status = ReceiveStatus::kDuplicate;
    return out;
  }
  long long sequence = e.sequence;
  int used = 0;
  store::Execute(sql, Q("count_inbox_sequence"), soci::use(e.sender, "sender"),
                 soci::use(sequence, "sequence"), soci::into(used));
  long long applied_to = 0;
  store::Execute(sql, Q("select_applied"), soci::use(e.sender, "sender"), soci::into(applied_to));
  if (used > 0 || sequence <= applied_to) {
    return refuse(Refusal::kReplayed,
                  fmt::format("sequence {} of {} was used by another message", sequence, e.sender));
  }
  AppendLog(sql, "in", e.message_id, e.sender, digest);
  std::string stored = SignedText(wire.signed_envelope);
  long long received = now;
  store::Execute(sql, Q("insert_inbox"), soci::use(e.message_id, "message_id"),
                 soci::use(e.sender, "sender"), soci::use(sequence, "sequence"),
                 soci::use(e.case_ref, "case_ref"), soci::use(e.kind, "kind"),
                 soci::use(stored, "wire"), soci::use(received, "received_at"));
  (void)text;
  // Apply every message of this sender that is now next in sequence.
  for (;;) {
    long long next = applied_to + 1;
    std::string id, next_wire;
    store::Execute(sql, Q("select_inbox_at"), soci::use(e.sender, "sender"),
                   soci::use(next, "sequence"), soci::into(id), soci::into(next_wire));
    if (!sql.got_data()) break;
    TB_ASSIGN_OR_RETURN(SignedEnvelope s, ParseSigned(next_wire));
    Status applied = Apply(sql, self, s);
    std::string problem;
    if (!applied.ok()) {
      if (applied.error().code() == ErrorCode::kStorage) return std::move(applied).error();
      problem = applied.error().ToString();
      spdlog::warn("xregion: message {} from {} not applied: {}", id, e.sender, problem);
    }
    long long at = NowMs();
    store::Execute(sql, Q("mark_applied"), soci::use(at, "now"), soci::use(problem, "apply_error"),
                   soci::use(id, "message_id"));
    applied_to = next;
    store::Execute(sql, Q("upsert_applied"), soci::use(e.sender, "sender"),
                   soci::use(applied_to, "last_sequence"));
    ++out.applied;
  }
  return out;
}

Result<ReceiveOutcome> Service::Receive(std::string_view text) {
  Impl& I = *impl_;
  auto wire = ParseWire(text);
  if (!wire.ok()) {
    I.TraceRefusal(wire.error(), "", "");
    return std::move(wire).error();
  }
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  std::optional<Error> refusal;
  const std::string body(text);
  auto out = I.db.Transaction<ReceiveOutcome>(store::TxKind::kWrite,
                                              [&](soci::session& sql) -> Result<ReceiveOutcome> {
                                                refusal.reset();
                                                return I.ReceiveIn(sql, self, *wire, body, refusal);
                                              });
  if (refusal) {
    I.TraceRefusal(*refusal, wire->signed_envelope.envelope.sender,
                   wire->signed_envelope.envelope.message_id);
  }
  return out;
}

Result<DeliveryRound> Service::DeliverDue(Transport& transport) {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  struct Due {
    std::string id, hop, wire;
    int attempts = 0;
  };
  struct Work {
    std::vector<Due> due;
    std::map<std::string, std::string> urls;
  };
  const long long now = I.NowMs();
  TB_ASSIGN_OR_RETURN(
      Work work, I.db.Transaction<Work>(store::TxKind::kRead, [&](soci::session& sql) {
        Work w;
        Due d;
        store::ExecuteRows(
            sql, I.Q("select_due"), [&] { w.due.push_back(d); }, soci::use(now, "now"),
            soci::into(d.id), soci::into(d.hop), soci::into(d.wire), soci::into(d.attempts));
        for (const Partner& p : I.PartnersIn(sql)) w.urls[p.region] = p.base_url;
        return Result<Work>(std::move(w));
      }));
  DeliveryRound round;
  std::set<std::string> blocked;  // hops that failed this round: later messages wait
  for (const Due& d : work.due) {
    if (blocked.contains(d.hop)) continue;
    auto url = work.urls.find(d.hop);
    std::string outcome, error;
    if (url == work.urls.end()) {
      outcome = "dead";
      error = fmt::format("no partner {} to deliver to", d.hop);
    } else {
      TB_ASSIGN_OR_RETURN(SignedEnvelope s, ParseSigned(d.wire));
      TB_ASSIGN_OR_RETURN(HopStamp hop, StampHop(s, self.region, I.NowMs(), I.key));
      PostAnswer answer =
          transport.Post(url->second, WireText({.signed_envelope = s, .hop = std::move(hop)}));
      if (answer.status >= 200 && answer.status < 300) {
        outcome = "delivered";
      } else if (answer.status >= 400 && answer.status < 500 && answer.status != 408 &&
                 answer.status != 429) {
        outcome = "dead";
        error = fmt::format("{}: {}", answer.status, answer.body.substr(0, 500));
      } else {
        outcome = "failed";
        error = answer.status == 0
                    ? std::string("no answer")
                    : fmt::format("{}: {}", answer.status, answer.body.substr(0, 500));
      }
    }
    Status marked = I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      long long at = I.NowMs();
      if (outcome == "delivered") {
        store::Execute(sql, I.Q("mark_delivered"), soci::use(at, "now"),
                       soci::use(d.id, "message_id"));
      } else if (outcome == "dead") {
        store::Execute(sql, I.Q("mark_dead"), soci::use(error, "last_error"),
                       soci::use(d.id, "message_id"));
      } else {
        const int shift = std::min(d.attempts, 20);
        long long next = at + std::min(I.options.backoff_max_ms,
                                       I.options.backoff_base_ms * (int64_t{1} << shift));
        store::Execute(sql, I.Q("mark_failed"), soci::use(next, "next_attempt_at"),
                       soci::use(error, "last_error"), soci::use(d.id, "message_id"));
      }
      return Ok();
    });
    TB_RETURN_IF_ERROR(marked);
    if (outcome == "delivered") {
      ++round.delivered;
    } else if (outcome == "dead") {
      ++round.dead;
      spdlog::warn("xregion: message {} to {} refused, kept as a dead letter: {}", d.id, d.hop,
                   error);
    } else {
      ++round.failed;
      blocked.insert(d.hop);
    }
  }
  return round;
}

Result<int64_t> Service::NextDueMs() {
  Impl& I = *impl_;
  return I.db.Transaction<int64_t>(store::TxKind::kRead, [&](soci::session& sql) {
    long long next = 0;
    store::Execute(sql, I.Q("next_due"), soci::into(next));
    return Result<int64_t>(static_cast<int64_t>(next));
  });
}

Result<std::vector<OutboxEntry>> Service::Outbox(std::string_view state, int limit) {
  Impl& I = *impl_;
  if (limit < 1 || limit > 1000) {
    return Error(ErrorCode::kInvalidArgument, "the listing is invalid",
                 {{"limit", "must be between 1 and 1000"}});
  }
  const std::string st(state);
  if (!st.empty() && st != "pending" && st != "delivered" && st != "dead") {
    return Error(ErrorCode::kInvalidArgument, "the listing is invalid",
                 {{"state", "must be pending, delivered or dead"}});
  }
  return I.db.Transaction<std::vector<OutboxEntry>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<OutboxEntry>> {
        std::vector<OutboxEntry> out;
        OutboxEntry o;
        long long next = 0, created = 0, lim = limit;
        store::ExecuteRows(
            sql, I.Q("select_outbox"),
            [&] {
              o.next_attempt_at_ms = next;
              o.created_at_ms = created;
              out.push_back(o);
            },
            soci::use(st, "state"), soci::use(st, "state2"), soci::use(lim, "limit"),
            soci::into(o.message_id), soci::into(o.receiver), soci::into(o.next_hop),
            soci::into(o.case_ref), soci::into(o.kind), soci::into(o.state), soci::into(o.attempts),
            soci::into(next), soci::into(o.last_error), soci::into(created));
        return out;
      });
}

Result<std::map<std::string, int64_t>> Service::OutboxCounts() {
  Impl& I = *impl_;
  return I.db.Transaction<std::map<std::string, int64_t>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::map<std::string, int64_t>> {
        std::map<std::string, int64_t> out = {{"pending", 0}, {"delivered", 0}, {"dead", 0}};
        std::string state;
        long long n = 0;
        store::ExecuteRows(
            sql, I.Q("count_outbox_by_state"), [&] { out[state] = n; }, soci::into(state),
            soci::into(n));
        return out;
      });
}

Status Service::Retry(std::string_view message_id) {
  Impl& I = *impl_;
  const std::string id(message_id);
  return I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    long long now = I.NowMs();
    auto done = store::Execute(sql, I.Q("retry_outbox"), soci::use(now, "now"),
                               soci::use(id, "message_id"));
    if (done.affected_rows == 0) return Error(ErrorCode::kNotFound, "no dead letter " + id);
    return Ok();
  });
}

Result<std::vector<LogEntry>> Service::Log(std::string_view partner, int limit) {
  Impl& I = *impl_;
  if (limit < 1 || limit > 10000) {
    return Error(ErrorCode::kInvalidArgument, "the listing is invalid",
                 {{"limit", "must be between 1 and 10000"}});
  }
  const std::string p(partner);
  return I.db.Transaction<std::vector<LogEntry>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<LogEntry>> {
        std::vector<LogEntry> out;
        LogEntry e;
        long long position = 0, at = 0, lim = limit;
        store::ExecuteRows(
            sql, I.Q("select_log"),
            [&] {
              e.position = position;
              e.at_ms = at;
              out.push_back(e);
            },
            soci::use(p, "partner"), soci::use(p, "partner2"), soci::use(lim, "limit"),
            soci::into(position), soci::into(e.direction), soci::into(e.message_id),
            soci::into(e.partner), soci::into(e.digest), soci::into(e.hash), soci::into(at));
        return out;
      });
}

Result<LogVerification> Service::VerifyLog() {
  Impl& I = *impl_;
  return I.db.Transaction<LogVerification>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<LogVerification> {
        LogVerification v;
        std::string expected_prev(64, '0');
        long long position = 0;
        std::string direction, id, digest, prev, hash, wire;
        store::ExecuteRows(
            sql, I.Q("select_log_verify"),
            [&] {
              ++v.entries;
              if (!v.ok) return;
              auto fail = [&](std::string problem) {
                v.ok = false;
                v.first_bad = position;
                v.problem = std::move(problem);
              };
              if (prev != expected_prev) return fail("the link to the previous entry is broken");
              if (crypto::Sm3Hex(prev + digest) != hash) return fail("the entry's hash is wrong");
              auto s = ParseSigned(wire);
              auto d = s.ok() ? Digest(*s) : Result<std::string>(s.error());
              if (!d.ok() || *d != digest) {
                return fail(fmt::format("message {} does not match its digest", id));
              }
              expected_prev = hash;
            },
            soci::into(position), soci::into(direction), soci::into(id), soci::into(digest),
            soci::into(prev), soci::into(hash), soci::into(wire));
        std::string head;
        long long head_position = 0;
        store::Execute(sql, I.Q("select_log_head"), soci::into(head_position), soci::into(head));
        if (v.ok && (head != expected_prev || head_position != v.entries)) {
          v.ok = false;
          v.first_bad = v.entries;
          v.problem = "the head does not match the last entry (entries were removed)";
        }
        return v;
      });
}

// ---- cross-region cases ----

Status Service::Impl::Apply(soci::session& sql, const Identity& self, const SignedEnvelope& s) {
  const Envelope& e = s.envelope;
  const json& b = e.body;
  const TimelineEntry event = EventFrom(b.value("event", json::object()));
  if (e.kind == "case.forwarded" || e.kind == "part.started") {
    if (CaseIn(sql, e.case_ref)) return Ok();  // applied before under another message
    TB_RETURN_IF_ERROR(StoreCarriedFiles(sql, b.value("materials", json::array())));
    CrossCase c;
    c.ref = e.case_ref;
    c.mode = ParseMode(b.value("mode", "")).value_or(Mode::kProxy);
    c.role = e.kind == "part.started" ? Role::kPart : Role::kHandling;
    c.matter = b.value("matter", "");
    c.matter_name = b.value("matter_name", "");
    c.receiving_region = b.value("receiving_region", "");
    c.handling_region = self.region;
    c.counterpart = e.sender;
    c.parent_ref = b.value("lead_ref", "");
    c.applicant_name = b.value("applicant_name", "");
    c.applicant_code = b.value("applicant_code", "");
    if (b.contains("form") && b["form"].is_object()) {
      for (auto it = b["form"].begin(); it != b["form"].end(); ++it) {
        c.form[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
      }
    }
    c.materials = MaterialsFrom(b.value("materials", json::array()));
    c.delivery = b.value("delivery", "window");
    c.state = "forwarded";
    c.created_at_ms = c.updated_at_ms = NowMs();
    InsertCase(sql, c);
    InsertEvent(sql, c.ref, event);
    return Ok();
  }
  if (e.kind == "case.step") {
    // A part's step reaches the lead under the lead's ref.
    const std::string target = b.value("lead_ref", e.case_ref);
    std::optional<CrossCase> c = CaseIn(sql, target);
    if (!c) return Error(ErrorCode::kNotFound, "no cross-region case " + target);
    InsertEvent(sql, c->ref, event);
    if (c->role == Role::kLead) {
      const std::string state = b.value("state", "");
      store::Execute(sql, Q("update_part_state"), soci::use(state, "state"),
                     soci::use(c->ref, "parent_ref"), soci::use(e.case_ref, "part_ref"));
      return CompleteLeadIfDone(sql, self, *c);
    }
    c->state = b.value("state", c->state);
    if (b.contains("result")) c->result = b.value("result", "");
    if (b.contains("tracking_number")) c->tracking_number = b.value("tracking_number", "");
    UpdateState(sql, *c);
    return Ok();
  }
  if (e.kind == "case.closed") {
    std::optional<CrossCase> c = CaseIn(sql, e.case_ref);
    if (!c) return Error(ErrorCode::kNotFound, "no cross-region case " + e.case_ref);
    InsertEvent(sql, c->ref, event);
    return Ok();
  }
  return Error(ErrorCode::kRefused, "unknown message kind " + e.kind);
}

Status Service::Impl::CompleteLeadIfDone(soci::session& sql, const Identity& self,
                                         CrossCase& lead) {
  std::optional<CrossCase> fresh = CaseIn(sql, lead.ref);
  if (!fresh || fresh->state == "concluded") return Ok();
  for (const Part& p : fresh->parts) {
    if (!IsFinalState(p.state)) return Ok();
  }
  fresh->state = "concluded";
  UpdateState(sql, *fresh);
  const std::string event_id = NewId(clock);
  TimelineEntry done{.id = event_id,
                     .at_ms = NowMs(),
                     .region = self.region,
                     .kind = "concluded",
                     .note = "每个协办地区均已办结"};
  InsertEvent(sql, fresh->ref, done);
  for (const Part& p : fresh->parts) {
    TB_RETURN_IF_ERROR(Enqueue(sql, self, NewId(clock), p.region, p.part_ref, "case.closed",
                               json{{"event", EventJson(done)}, {"lead_ref", fresh->ref}}));
  }
  return Ok();
}

Result<CrossCase> Service::Forward(const ForwardRequest& r) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (r.mode == Mode::kJoint) errors.Add("mode", "must be online or proxy (joint: StartJoint)");
  if (r.applicant_name.empty()) errors.Add("applicant_name", "must not be empty");
  if (r.applicant_code.empty()) errors.Add("applicant_code", "must not be empty");
  if (r.delivery != "online" && r.delivery != "window" && r.delivery != "mail") {
    errors.Add("delivery", "must be online, window or mail");
  }
  for (size_t i = 0; i < r.materials.size(); ++i) {
    if (r.materials[i].name.empty()) {
      errors.Add(fmt::format("materials/{}/name", i), "must not be empty");
    }
  }
  TB_ASSIGN_OR_RETURN(std::vector<Offer> offers, Offers(""));
  const Offer* offer = nullptr;
  for (const Offer& o : offers) {
    if (o.matter == r.matter && o.mode == r.mode) offer = &o;
  }
  if (offer == nullptr) {
    errors.Add("matter",
               fmt::format("is not offered in mode {} by any agreement", ModeName(r.mode)));
  }
  if (!errors.empty()) return errors.ToError("the cross-region case is invalid");
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  const std::string ref = fmt::format("{}-{}", self.region, NewId(I.clock));
  TB_RETURN_IF_ERROR(I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    CrossCase c;
    c.ref = ref;
    c.mode = r.mode;
    c.role = Role::kReceiving;
    c.matter = r.matter;
    c.matter_name = offer->name;
    // 全程网办: the competent region receives the application itself.
    c.receiving_region = r.mode == Mode::kOnline ? offer->handling_region : self.region;
    c.handling_region = offer->handling_region;
    c.counterpart = offer->handling_region;
    c.applicant_name = r.applicant_name;
    c.applicant_code = r.applicant_code;
    c.form = r.form;
    for (const NewMaterial& m : r.materials)
      c.materials.push_back(I.StoreFile(sql, m.name, m.bytes));
    c.delivery = r.delivery;
    c.state = "forwarded";
    c.created_at_ms = c.updated_at_ms = I.NowMs();
    I.InsertCase(sql, c);
    const std::string message_id = NewId(I.clock);
    TimelineEntry event{.id = message_id,
                        .at_ms = I.NowMs(),
                        .region = self.region,
                        .kind = "forwarded",
                        .note = r.mode == Mode::kOnline ? "全程网办：网上提交至办理地"
                                                        : "异地代收：收件地窗口核验后转办理地"};
    I.InsertEvent(sql, ref, event);
    json body = {{"mode", ModeName(c.mode)},
                 {"matter", c.matter},
                 {"matter_name", c.matter_name},
                 {"receiving_region", c.receiving_region},
                 {"applicant_name", c.applicant_name},
                 {"applicant_code", c.applicant_code},
                 {"form", FormJson(c.form)},
                 {"materials", I.MaterialsFor(sql, c.counterpart, c.materials)},
                 {"delivery", c.delivery},
                 {"event", EventJson(event)}};
    return I.Enqueue(sql, self, message_id, c.counterpart, ref, "case.forwarded", std::move(body));
  }));
  if (I.options.on_enqueue) I.options.on_enqueue();
  return Get(ref);
}

Result<CrossCase> Service::StartJoint(const JointRequest& r) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (r.matter.empty()) errors.Add("matter", "must not be empty");
  if (r.matter_name.empty()) errors.Add("matter_name", "must not be empty");
  if (r.applicant_name.empty()) errors.Add("applicant_name", "must not be empty");
  if (r.applicant_code.empty()) errors.Add("applicant_code", "must not be empty");
  if (r.parts.empty()) errors.Add("parts", "must list at least one partner's part");
  TB_ASSIGN_OR_RETURN(std::vector<Offer> offers, Offers(""));
  std::vector<const Offer*> part_offers;
  for (size_t i = 0; i < r.parts.size(); ++i) {
    const Offer* found = nullptr;
    for (const Offer& o : offers) {
      if (o.mode == Mode::kJoint && o.matter == r.parts[i].matter &&
          o.handling_region == r.parts[i].region) {
        found = &o;
      }
    }
    if (found == nullptr) {
      errors.Add(fmt::format("parts/{}", i), "no joint agreement covers this region and matter");
    }
    part_offers.push_back(found);
  }
  if (!errors.empty()) return errors.ToError("the joint case is invalid");
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  const std::string ref = fmt::format("{}-{}", self.region, NewId(I.clock));
  TB_RETURN_IF_ERROR(I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    CrossCase c;
    c.ref = ref;
    c.mode = Mode::kJoint;
    c.role = Role::kLead;
    c.matter = r.matter;
    c.matter_name = r.matter_name;
    c.receiving_region = c.handling_region = self.region;
    c.applicant_name = r.applicant_name;
    c.applicant_code = r.applicant_code;
    c.form = r.form;
    for (const NewMaterial& m : r.materials)
      c.materials.push_back(I.StoreFile(sql, m.name, m.bytes));
    c.delivery = "window";
    c.state = "started";
    c.created_at_ms = c.updated_at_ms = I.NowMs();
    I.InsertCase(sql, c);
    I.InsertEvent(sql, ref,
                  {.id = NewId(I.clock),
                   .at_ms = I.NowMs(),
                   .region = self.region,
                   .kind = "started",
                   .note = "多地联办：牵头地受理"});
    for (size_t i = 0; i < r.parts.size(); ++i) {
      const Offer& o = *part_offers[i];
      const std::string part_ref = fmt::format("{}-p{}", ref, i + 1);
      std::string state = "forwarded";
      store::Execute(sql, I.Q("insert_part"), soci::use(ref, "parent_ref"),
                     soci::use(part_ref, "part_ref"), soci::use(o.handling_region, "region"),
                     soci::use(o.matter, "matter"), soci::use(state, "state"));
      const std::string message_id = NewId(I.clock);
      TimelineEntry event{.id = message_id,
                          .at_ms = I.NowMs(),
                          .region = self.region,
                          .kind = "forwarded",
                          .note = fmt::format("协办事项 {} 转 {}", o.name, o.handling_region)};
      I.InsertEvent(sql, ref, event);
      json body = {{"mode", "joint"},
                   {"matter", o.matter},
                   {"matter_name", o.name},
                   {"receiving_region", self.region},
                   {"lead_ref", ref},
                   {"applicant_name", c.applicant_name},
                   {"applicant_code", c.applicant_code},
                   {"form", FormJson(c.form)},
                   {"materials", I.MaterialsFor(sql, o.handling_region, c.materials)},
                   {"delivery", "window"},
                   {"event", EventJson(event)}};
      TB_RETURN_IF_ERROR(
          I.Enqueue(sql, self, message_id, o.handling_region, part_ref, "part.started", body));
    }
    return Ok();
  }));
  if (I.options.on_enqueue) I.options.on_enqueue();
  return Get(ref);
}

Result<CrossCase> Service::Step(std::string_view ref_view, const StepRequest& r) {
  Impl& I = *impl_;
  const std::string ref(ref_view);
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  TB_RETURN_IF_ERROR(I.db.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    std::optional<CrossCase> c = I.CaseIn(sql, ref);
    if (!c) return Error(ErrorCode::kNotFound, "no cross-region case " + ref);
    // step -> (allowed roles, allowed from-states, new state)
    struct Rule {
      std::vector<Role> roles;
      std::vector<std::string> from;
      std::string to;
    };
    static const std::map<std::string, Rule> kRules = {
        {"accept", {{Role::kHandling, Role::kPart}, {"forwarded"}, "accepted"}},
        {"refuse", {{Role::kHandling, Role::kPart}, {"forwarded"}, "refused"}},
        {"approve", {{Role::kHandling, Role::kPart}, {"accepted"}, "approved"}},
        {"deny", {{Role::kHandling, Role::kPart}, {"accepted"}, "denied"}},
        {"mail", {{Role::kHandling, Role::kPart}, {"approved", "denied"}, "mailed"}},
        {"conclude",
         {{Role::kHandling, Role::kPart}, {"approved", "denied", "mailed"}, "concluded"}},
        {"deliver", {{Role::kReceiving}, {"concluded"}, "delivered"}},
    };
    auto rule = kRules.find(r.step);
    if (rule == kRules.end()) {
      return Error(ErrorCode::kInvalidArgument, "the step is invalid",
                   {{"step", "must be accept, refuse, approve, deny, mail, conclude or deliver"}});
    }
    if (std::find(rule->second.roles.begin(), rule->second.roles.end(), c->role) ==
        rule->second.roles.end()) {
      return Error(ErrorCode::kRefused,
                   fmt::format("the {} side of a case may not {} it", RoleName(c->role), r.step));
    }
    if (std::find(rule->second.from.begin(), rule->second.from.end(), c->state) ==
        rule->second.from.end()) {
      return Error(ErrorCode::kConflict, fmt::format("a {} case cannot be {}ed", c->state, r.step));
    }
    if (r.step == "mail" && r.tracking_number.empty()) {
      return Error(ErrorCode::kInvalidArgument, "the step is invalid",
                   {{"tracking_number", "is required to mail"}});
    }
    if ((r.step == "refuse" || r.step == "deny") && r.note.empty()) {
      return Error(ErrorCode::kInvalidArgument, "the step is invalid",
                   {{"note", "must give the reasons"}});
    }
    c->state = rule->second.to;
    if (!r.result.empty()) c->result = r.result;
    if (!r.tracking_number.empty()) c->tracking_number = r.tracking_number;
    I.UpdateState(sql, *c);
    const std::string message_id = NewId(I.clock);
    TimelineEntry event{.id = message_id,
                        .at_ms = I.NowMs(),
                        .region = self.region,
                        .kind = c->state,
                        .note = r.tracking_number.empty()
                                    ? r.note
                                    : fmt::format("{} 邮件号 {}", r.note, r.tracking_number)};
    I.InsertEvent(sql, ref, event);
    json body = {{"state", c->state},
                 {"result", c->result},
                 {"tracking_number", c->tracking_number},
                 {"event", EventJson(event)}};
    if (c->role == Role::kPart) body["lead_ref"] = c->parent_ref;
    return I.Enqueue(sql, self, message_id, c->counterpart, ref, "case.step", std::move(body));
  }));
  if (I.options.on_enqueue) I.options.on_enqueue();
  return Get(ref);
}

Result<CrossCase> Service::Get(std::string_view ref_view) {
  Impl& I = *impl_;
  const std::string ref(ref_view);
  return I.db.Transaction<CrossCase>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<CrossCase> {
        std::optional<CrossCase> c = I.CaseIn(sql, ref);
        if (!c) {
          return Error(ErrorCode::kNotFound, "no cross-region case " + ref);
        }
        return *c;
      });
}

Result<std::vector<CrossCase>> Service::List(std::string_view role, std::string_view state,
                                             int limit) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (!role.empty() && !ParseRole(role)) {
    errors.Add("role", "must be receiving, handling, lead or part");
  }
  if (limit < 1 || limit > 500) errors.Add("limit", "must be between 1 and 500");
  if (!errors.empty()) return errors.ToError("the listing is invalid");
  const std::string ro(role), st(state);
  return I.db.Transaction<std::vector<CrossCase>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CrossCase>> {
        std::vector<std::string> refs;
        std::string ref;
        long long lim = limit;
        store::ExecuteRows(
            sql, I.Q("select_case_refs"), [&] { refs.push_back(ref); }, soci::use(ro, "role"),
            soci::use(ro, "role2"), soci::use(st, "state"), soci::use(st, "state2"),
            soci::use(lim, "limit"), soci::into(ref));
        std::vector<CrossCase> out;
        for (const std::string& r : refs) {
          if (auto c = I.CaseIn(sql, r)) out.push_back(std::move(*c));
        }
        return out;
      });
}

Result<std::vector<CaseCounts>> Service::Counts() {
  Impl& I = *impl_;
  return I.db.Transaction<std::vector<CaseCounts>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CaseCounts>> {
        std::vector<CaseCounts> out;
        CaseCounts c;
        long long n = 0;
        store::ExecuteRows(
            sql, I.Q("select_counts"),
            [&] {
              c.cases = n;
              out.push_back(c);
            },
            soci::into(c.mode), soci::into(c.partner), soci::into(c.matter), soci::into(n));
        return out;
      });
}

Result<std::string> Service::File(std::string_view hash) {
  Impl& I = *impl_;
  const std::string h(hash);
  TB_ASSIGN_OR_RETURN(std::string hex,
                      I.db.Transaction<std::string>(
                          store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
                            std::string content;
                            store::Execute(sql, I.Q("select_file"), soci::use(h, "hash"),
                                           soci::into(content));
                            if (!sql.got_data()) {
                              return Error(ErrorCode::kNotFound, "no material file " + h);
                            }
                            return content;
                          }));
  return crypto::FromHex(hex);
}

}  // namespace tongban::xregion
