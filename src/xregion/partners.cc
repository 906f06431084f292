// Identity, partners, agreements, offers, the YAML loader and the hash-chained message log.
#include <yaml-cpp/yaml.h>

#include "xregion/service_impl.h"

namespace tongban::xregion {

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
  if (p.public_key.find("BEGIN CERTIFICATE") != std::string::npos) {
    auto cert = keys::ReadCertificate(p.public_key);
    if (!cert.ok()) {
      errors.Add("public_key", "must be an X.509 certificate with an SM2 key");
    } else if (cert->subject_organization != p.region) {
      errors.Add("public_key", fmt::format("the certificate is {}'s, not {}'s",
                                           cert->subject_organization, p.region));
    }
  } else if (!PartnerKey(p.public_key).ok()) {
    errors.Add("public_key", "must be an X.509 certificate (or an SM2 public key PEM)");
  }
  if (!p.licence_root.empty()) {
    auto root = keys::ReadCertificate(p.licence_root);
    if (!root.ok() || !root->is_ca) {
      errors.Add("licence_root", "must be an X.509 CA certificate with an SM2 key");
    }
  }
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
                   soci::use(p.via, "via"), soci::use(p.licence_root, "licence_root"),
                   soci::use(now, "updated_at"));
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
    if (a.originals_days < 0 || a.originals_days > 60) {
      errors.Add("originals_days", "must be between 0 and 60");
    }
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
    int originals_days = a.originals_days;
    store::Execute(sql, I.Q("upsert_agreement"), soci::use(a.id, "id"),
                   soci::use(a.partner, "partner"), soci::use(mode, "mode"),
                   soci::use(a.title, "title"), soci::use(originals_days, "originals_days"),
                   soci::use(now, "updated_at"));
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
                           .via = str(p, "via"),
                           .licence_root = str(p, "licence_root")});
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
                        .matters = {},
                        .originals_days = 0};
    if (a["originals_days"]) {
      try {
        agreement.originals_days = a["originals_days"].as<int>();
      } catch (const YAML::Exception&) {
        return Error(
            ErrorCode::kInvalidArgument, "the agreements are invalid",
            {{fmt::format("agreements/{}/originals_days", i), "must be a number of days"}});
      }
    }
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

}  // namespace tongban::xregion
