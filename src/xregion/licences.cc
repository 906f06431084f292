// Licences across regions (issue 11, item 4): a partner's e-licence verifies here against the
// partner's licence root certificate from the partner record; the installation's own key
// certificate, which partners record as the agreement's key certificate.
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "keys/certificate.h"
#include "xregion/service.h"
#include "xregion/service_impl.h"

namespace tongban::xregion {

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

Result<PartnerLicenceCheck> Service::VerifyPartnerLicence(
    const licences::SignedLicence& presented) {
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
  out.reason = fmt::format("由合作地区 {} 的 {} 签发，签名有效", out.partner, out.issuer_name);
  return out;
}

}  // namespace tongban::xregion
