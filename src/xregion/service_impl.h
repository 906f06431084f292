// Internal to src/xregion: the service's state (Impl) and the helpers its parts share —
// exchange.cc (envelopes, outbox, inbox, delivery), partners.cc (identity, partners, agreements,
// the message log), modes.cc (the cross-region cases of the three modes). Not for other modules.
#pragma once

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/id.h"
#include "base/region.h"
#include "crypto/sm3.h"
#include "keys/certificate.h"
#include "store/queries.h"
#include "xregion/service.h"

namespace tongban {
extern const EmbeddedFile kXregionSql[];
extern const size_t kXregionSql_count;
}  // namespace tongban

namespace tongban::xregion {

using nlohmann::json;

inline const store::QuerySet& Queries() {
  static const store::QuerySet* queries = [] {
    auto q = store::QuerySet::Load(kXregionSql, kXregionSql_count);
    if (!q.ok()) throw std::logic_error(q.error().ToString());
    return new store::QuerySet(std::move(q).value());
  }();
  return *queries;
}

inline bool IsFinalState(std::string_view s) {
  return s == "concluded" || s == "refused" || s == "delivered";
}

// The public key of a partner's PEM: a public key, or the subject key of a certificate.
inline Result<crypto::Sm2Key> PartnerKey(const std::string& pem) {
  if (pem.find("BEGIN CERTIFICATE") == std::string::npos) return crypto::Sm2Key::FromPem(pem);
  TB_ASSIGN_OR_RETURN(keys::CertificateInfo info, keys::ReadCertificate(pem));
  return info.public_key;
}

inline json FormJson(const std::map<std::string, std::string>& form) {
  json j = json::object();
  for (const auto& [k, v] : form) j[k] = v;
  return j;
}

inline json MaterialsJson(const std::vector<Material>& materials) {
  json j = json::array();
  for (const Material& m : materials) {
    j.push_back({{"name", m.name}, {"hash", m.hash}, {"size", m.size}});
  }
  return j;
}

inline std::vector<Material> MaterialsFrom(const json& j) {
  std::vector<Material> out;
  if (!j.is_array()) return out;
  for (const json& m : j) {
    out.push_back({.name = m.value("name", ""),
                   .hash = m.value("hash", ""),
                   .size = m.value("size", int64_t{0})});
  }
  return out;
}

inline json EventJson(const TimelineEntry& e) {
  return {{"id", e.id}, {"at", e.at_ms}, {"region", e.region}, {"kind", e.kind}, {"note", e.note}};
}

inline TimelineEntry EventFrom(const json& j) {
  return {.id = j.value("id", ""),
          .at_ms = j.value("at", int64_t{0}),
          .region = j.value("region", ""),
          .kind = j.value("kind", ""),
          .note = j.value("note", "")};
}

struct Service::Impl {
  store::Database& db;
  crypto::Sm2Key key;
  ServiceOptions options;
  const Clock& clock;
  std::mutex keys_mu;
  std::map<std::string, crypto::Sm2Key> key_cache;  // PEM -> key
  // A partner's last signed answer about one of its licences (licences.cc).
  struct KnownStatus {
    std::string status{};  // valid, revoked, superseded, not_found
    std::string reason{};
    int64_t at_ms = 0;  // when it was received (this installation's clock)
  };
  std::mutex status_mu;
  std::map<std::string, KnownStatus> status_cache;  // partner region + "/" + licence id
  // Asks `issuer` for the status of `licence_id` by a signed query; kUnavailable when no signed
  // answer to this very query comes back (licences.cc).
  Result<KnownStatus> AskLicenceStatus(Transport& transport, const Identity& self,
                                       const Partner& issuer, const std::string& licence_id);

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
        soci::into(hub), soci::into(p.via), soci::into(p.licence_root));
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
    int originals_days = 0;
    store::ExecuteRows(
        sql, Q("select_agreements"),
        [&] {
          if (out.empty() || out.back().id != id) {
            out.push_back({.id = id,
                           .partner = partner,
                           .mode = ParseMode(mode).value_or(Mode::kProxy),
                           .title = title,
                           .matters = {},
                           .originals_days = originals_days});
          }
          out.back().matters.push_back(
              {.matter = matter, .name = name, .handling_region = handling});
        },
        soci::into(id), soci::into(partner), soci::into(mode), soci::into(title),
        soci::into(originals_days), soci::into(matter), soci::into(name), soci::into(handling));
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
    long long created = 0, updated = 0, originals_due = 0, originals_mailed = 0,
              originals_received = 0;
    store::Execute(
        sql, Q("select_case"), soci::use(ref, "ref"), soci::into(c.ref), soci::into(mode),
        soci::into(role), soci::into(c.matter), soci::into(c.matter_name),
        soci::into(c.receiving_region), soci::into(c.handling_region), soci::into(c.counterpart),
        soci::into(c.parent_ref), soci::into(c.applicant_name), soci::into(c.applicant_code),
        soci::into(form), soci::into(materials), soci::into(c.delivery), soci::into(c.state),
        soci::into(c.result), soci::into(c.tracking_number), soci::into(created),
        soci::into(updated), soci::into(c.case_number), soci::into(c.open_error),
        soci::into(originals_due), soci::into(c.originals_tracking), soci::into(originals_mailed),
        soci::into(originals_received));
    if (!sql.got_data()) return std::nullopt;
    c.originals_due_at_ms = originals_due;
    c.originals_mailed_at_ms = originals_mailed;
    c.originals_received_at_ms = originals_received;
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
  // Moves `c` to `state` with a timeline entry and tells the counterpart, in `sql`'s
  // transaction (a step here: by Step, or by the case's own step through CaseStepped).
  Status RecordStep(soci::session& sql, const Identity& self, CrossCase& c,
                    const std::string& state, const std::string& note);
  // Paper originals: mailed (receiving side) or received (handling side), told to the other.
  Status RecordOriginals(soci::session& sql, const Identity& self, CrossCase& c,
                         const std::string& step, const std::string& tracking_number,
                         const std::string& note);
};

}  // namespace tongban::xregion
