// Licences across regions (issue 11, item 4): a partner's e-licence verifies here against the
// partner's licence root certificate from the partner record, and against the partner's licence
// register through a signed status query (revocation); the installation's own key certificate,
// which partners record as the agreement's key certificate.
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/id.h"
#include "crypto/sm3.h"
#include "keys/certificate.h"
#include "licences/jcs.h"
#include "xregion/service.h"
#include "xregion/service_impl.h"

namespace tongban::xregion {

namespace {

constexpr std::string_view kNotFound = "not_found";

// {"<member>": object, "signature": hex SM2 over the object's RFC 8785 bytes}.
Result<std::string> SignedObject(const char* member, const json& object,
                                 const crypto::Sm2Key& key) {
  TB_ASSIGN_OR_RETURN(std::string bytes, licences::Canonicalize(object));
  TB_ASSIGN_OR_RETURN(std::string signature, key.Sign(bytes));
  return json{{member, object}, {"signature", crypto::ToHex(signature)}}.dump();
}

// The object under `member` when the text is such a signed object; empty when it is not.
std::optional<json> SignedMember(std::string_view text, const char* member) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains(member) || !j[member].is_object() || !j.contains("signature") ||
      !j["signature"].is_string()) {
    return std::nullopt;
  }
  return j;
}

Result<bool> SignatureHolds(const json& signed_object, const char* member,
                            const crypto::Sm2Key& key) {
  auto signature = crypto::FromHex(signed_object["signature"].get<std::string>());
  if (!signature.ok()) return false;
  TB_ASSIGN_OR_RETURN(std::string bytes, licences::Canonicalize(signed_object[member]));
  return key.Verify(bytes, *signature);
}

// A time as 中国标准时间, for the window's reason text.
std::string FormatInstant(int64_t ms) {
  const Timestamp t{std::chrono::milliseconds(ms)};
  const int64_t seconds = ((ms / 1000) + int64_t{8} * 3600) % 86400;
  return fmt::format("{} {:02}:{:02}:{:02}", DateInChina(t).ToString(), seconds / 3600,
                     seconds / 60 % 60, seconds % 60);
}

Error QueryRefusal(ErrorCode code, std::string_view reason, std::string detail, std::string field) {
  return Error(code, fmt::format("{}: {}", reason, detail), {{std::move(field), detail}});
}

}  // namespace

std::string_view RevocationName(Revocation r) {
  switch (r) {
    case Revocation::kNotChecked:
      return "not_checked";
    case Revocation::kNotRevoked:
      return "not_revoked";
    case Revocation::kRevoked:
      return "revoked";
    case Revocation::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view PartnerLicenceCheck::outcome_name() const {
  if (outcome == licences::VerifyOutcome::kValid && revocation == Revocation::kUnknown) {
    return "revocation_unknown";
  }
  return licences::VerifyOutcomeName(outcome);
}

Result<std::string> Service::AnswerLicenceStatus(std::string_view text,
                                                 licences::LicenceService& register_of_licences) {
  Impl& I = *impl_;
  std::optional<json> signed_query = SignedMember(text, "query");
  if (!signed_query) {
    return QueryRefusal(ErrorCode::kMalformedBody, "malformed", "not a signed licence status query",
                        "query");
  }
  const json& q = (*signed_query)["query"];
  const std::string from = q.value("from", ""), to = q.value("to", ""), id = q.value("id", "");
  const std::string licence_id = q.value("licence_id", "");
  const int64_t at = q.contains("at") && q["at"].is_number_integer() ? q["at"].get<int64_t>() : 0;
  FieldErrors errors;
  if (id.empty()) errors.Add("query/id", "must be a non-empty string");
  if (from.empty()) errors.Add("query/from", "must be a non-empty string");
  if (to.empty()) errors.Add("query/to", "must be a non-empty string");
  if (licence_id.empty()) errors.Add("query/licence_id", "must be a non-empty string");
  if (at <= 0) errors.Add("query/at", "must be a positive integer");
  if (!errors.empty()) return errors.ToError("malformed: not a signed licence status query");
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  TB_ASSIGN_OR_RETURN(std::vector<Partner> partners, ListPartners());
  const Partner* asker = nullptr;
  for (const Partner& p : partners) {
    if (p.region == from) asker = &p;
  }
  Result<std::string> refused = [&]() -> Result<std::string> {
    if (asker == nullptr) {
      return QueryRefusal(ErrorCode::kForbidden, "unknown_sender",
                          fmt::format("{} is no partner", from), "query/from");
    }
    TB_ASSIGN_OR_RETURN(crypto::Sm2Key asker_key, I.KeyOf(asker->public_key));
    TB_ASSIGN_OR_RETURN(bool holds, SignatureHolds(*signed_query, "query", asker_key));
    if (!holds) {
      return QueryRefusal(ErrorCode::kUnauthenticated, "altered",
                          "the signature does not verify against the sender's key", "signature");
    }
    if (to != self.region) {
      return QueryRefusal(ErrorCode::kRefused, "not_receiver",
                          fmt::format("addressed to {}, not {}", to, self.region), "query/to");
    }
    const int64_t now = I.NowMs();
    if (at < now - I.options.skew_tolerance_ms || at > now + I.options.skew_tolerance_ms) {
      return QueryRefusal(ErrorCode::kRefused, "stale",
                          fmt::format("asked {} s from this installation's clock (tolerance ±{} s)",
                                      (at - now) / 1000, I.options.skew_tolerance_ms / 1000),
                          "query/at");
    }
    return std::string();
  }();
  if (!refused.ok()) {
    I.TraceRefusal(refused.error(), from, id);
    return std::move(refused).error();
  }
  std::string status(kNotFound), reason;
  auto held = register_of_licences.Get(licence_id);
  if (held.ok()) {
    status = licences::LicenceStatusName(held->status);
    reason = held->revoked_reason;
  } else if (held.error().code() != ErrorCode::kNotFound) {
    return std::move(held).error();
  }
  return SignedObject("answer",
                      {{"query_id", id},
                       {"from", self.region},
                       {"to", from},
                       {"licence_id", licence_id},
                       {"status", status},
                       {"reason", reason},
                       {"at", I.NowMs()}},
                      I.key);
}

Result<std::string> Service::Certificate() {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  TB_ASSIGN_OR_RETURN(std::string public_pem, I.key.PublicPem());
  const Timestamp now = I.clock.Now();
  return keys::IssueCertificate(I.key, "",
                                {.common_name = self.name,
                                 .organization = self.region,
                                 .public_pem = public_pem,
                                 .serial = 1,
                                 .not_before = now - std::chrono::hours(24),
                                 .not_after = now + std::chrono::hours(24 * 3653),
                                 .is_ca = false});
}

Result<PartnerLicenceCheck> Service::VerifyPartnerLicence(const licences::SignedLicence& presented,
                                                          Transport* transport) {
  Impl& I = *impl_;
  using licences::VerifyOutcome;
  const json doc = json::parse(presented.document, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Error(ErrorCode::kInvalidArgument, "the licence is invalid",
                 {{"document", "must be the licence's canonical JSON"}});
  }
  PartnerLicenceCheck out;
  out.licence_id = doc.value("id", "");
  if (doc.contains("issuer") && doc["issuer"].is_object()) {
    out.issuer_name = doc["issuer"].value("name", "");
  }
  auto fail = [&](VerifyOutcome outcome, std::string reason) {
    out.outcome = outcome;
    out.reason = std::move(reason);
    return out;
  };
  // 1. The certificate chains to a partner's licence root.
  auto cert = keys::ReadCertificate(presented.certificate);
  if (!cert.ok()) return fail(VerifyOutcome::kUnknownIssuer, "签发证书无法识别");
  TB_ASSIGN_OR_RETURN(std::vector<Partner> partners, ListPartners());
  for (const Partner& p : partners) {
    if (p.licence_root.empty()) continue;
    auto chained = keys::IsSignedBy(presented.certificate, p.licence_root);
    if (chained.ok() && *chained) {
      out.partner = p.region;
      break;
    }
  }
  if (out.partner.empty()) {
    return fail(VerifyOutcome::kUnknownIssuer,
                "签发证书不是任何合作地区证照根证书签发的，签发机关无法确认");
  }
  const Timestamp now = I.clock.Now();
  if (now < cert->not_before || now > cert->not_after) {
    return fail(VerifyOutcome::kUnknownIssuer, "签发证书不在有效期内");
  }
  // 2. The signature over the canonical document.
  auto signature = crypto::FromHex(presented.signature);
  auto good = signature.ok() ? cert->public_key.Verify(presented.document, *signature)
                             : Result<bool>(false);
  if (!good.ok()) return good.error();
  if (!*good) {
    return fail(VerifyOutcome::kForgedSignature,
                fmt::format("签名与证照内容不符：证照在 {} 签发后被改动，或签名不是签发机关的",
                            out.partner));
  }
  // 3. Validity today (China's calendar day).
  const Date today = TodayInChina(I.clock);
  auto from = Date::Parse(doc.value("valid_from", ""));
  if (from.ok() && today < *from) {
    return fail(VerifyOutcome::kNotYetValid, fmt::format("证照自 {} 起有效", from->ToString()));
  }
  if (doc.contains("valid_until") && doc["valid_until"].is_string()) {
    auto until = Date::Parse(doc["valid_until"].get<std::string>());
    if (until.ok() && *until < today) {
      return fail(VerifyOutcome::kExpired, fmt::format("证照已于 {} 到期", until->ToString()));
    }
  }
  // 4. Revocation: the issuing partner's register, asked or remembered.
  TB_ASSIGN_OR_RETURN(Identity self, GetIdentity());
  const Partner* issuer = nullptr;
  for (const Partner& p : partners) {
    if (p.region == out.partner) issuer = &p;
  }
  const std::string cache_key = out.partner + "/" + out.licence_id;
  const int64_t now_ms = I.NowMs();
  std::optional<Impl::KnownStatus> known;
  {
    std::lock_guard lock(I.status_mu);
    if (auto it = I.status_cache.find(cache_key); it != I.status_cache.end()) known = it->second;
  }
  if (known && now_ms - known->at_ms <= kLicenceStatusLifetimeMs) {
    out.status_from_cache = true;
  } else {
    std::string asked_error = "no transport to ask it";
    if (transport != nullptr && issuer != nullptr && !out.licence_id.empty()) {
      auto fresh = I.AskLicenceStatus(*transport, self, *issuer, out.licence_id);
      if (fresh.ok()) {
        known = *fresh;
        std::lock_guard lock(I.status_mu);
        I.status_cache[cache_key] = *fresh;
      } else {
        asked_error = fresh.error().message();
      }
    }
    if (!known || now_ms - known->at_ms > kLicenceStatusLifetimeMs) {
      spdlog::warn("xregion: status of licence {} not known from {}: {}", out.licence_id,
                   out.partner, asked_error);
      out.revocation = Revocation::kUnknown;
      out.status_as_of_ms = known ? known->at_ms : 0;
      out.reason =
          known
              ? fmt::format("签名有效，但无法向签发地区 {} 查询是否已撤销；最后已知状态（{}）为{}",
                            out.partner, FormatInstant(known->at_ms),
                            known->status == "valid" ? "有效" : known->status)
              : fmt::format("签名有效，但无法向签发地区 {} 查询是否已撤销，从未获得其状态",
                            out.partner);
      return out;
    }
  }
  out.status_as_of_ms = known->at_ms;
  if (known->status == "valid") {
    out.revocation = Revocation::kNotRevoked;
    out.reason = fmt::format("由合作地区 {} 的 {} 签发，签名有效，签发地证照库确认未撤销",
                             out.partner, out.issuer_name);
    return out;
  }
  out.revocation = Revocation::kRevoked;
  if (known->status == "revoked") {
    return fail(VerifyOutcome::kRevoked,
                fmt::format("签发地区 {} 已撤销该证照：{}", out.partner, known->reason));
  }
  if (known->status == "superseded") {
    return fail(VerifyOutcome::kSuperseded,
                fmt::format("该证照已被签发地区 {} 换发的新版本取代", out.partner));
  }
  return fail(VerifyOutcome::kNotFound,
              fmt::format("签名有效，但签发地区 {} 的证照库中没有这份证照", out.partner));
}

Result<Service::Impl::KnownStatus> Service::Impl::AskLicenceStatus(Transport& transport,
                                                                   const Identity& self,
                                                                   const Partner& issuer,
                                                                   const std::string& licence_id) {
  Impl& I = *this;
  const std::string query_id = NewId(I.clock);
  TB_ASSIGN_OR_RETURN(std::string query, SignedObject("query",
                                                      {{"id", query_id},
                                                       {"from", self.region},
                                                       {"to", issuer.region},
                                                       {"licence_id", licence_id},
                                                       {"at", I.NowMs()}},
                                                      I.key));
  PostAnswer answer = transport.AskLicenceStatus(issuer.base_url, query);
  if (answer.status != 200) {
    return Error(ErrorCode::kUnavailable, fmt::format("the partner answered {}: {}", answer.status,
                                                      answer.body.substr(0, 200)));
  }
  std::optional<json> signed_answer = SignedMember(answer.body, "answer");
  if (!signed_answer) return Error(ErrorCode::kUnavailable, "the partner's answer is malformed");
  TB_ASSIGN_OR_RETURN(crypto::Sm2Key issuer_key, I.KeyOf(issuer.public_key));
  TB_ASSIGN_OR_RETURN(bool holds, SignatureHolds(*signed_answer, "answer", issuer_key));
  const json& a = (*signed_answer)["answer"];
  // A forged, misdirected or replayed answer is no answer at all.
  if (!holds || a.value("query_id", "") != query_id || a.value("from", "") != issuer.region ||
      a.value("to", "") != self.region || a.value("licence_id", "") != licence_id) {
    return Error(ErrorCode::kUnavailable,
                 "the partner's answer is not signed by its key or answers another query");
  }
  return Impl::KnownStatus{
      .status = a.value("status", ""), .reason = a.value("reason", ""), .at_ms = I.NowMs()};
}

}  // namespace tongban::xregion
