#include "xregion/envelope.h"

#include <fmt/format.h>

#include "crypto/sm3.h"
#include "licences/jcs.h"

namespace tongban::xregion {
namespace {

using nlohmann::json;

Result<std::string> HopBytes(const SignedEnvelope& s, const std::string& by, int64_t at_ms) {
  return licences::Canonicalize(json{{"message_id", s.envelope.message_id},
                                     {"signature", s.signature},
                                     {"by", by},
                                     {"at", at_ms}});
}

Result<Envelope> EnvelopeFrom(const json& j) {
  if (!j.is_object()) return RefusalError(Refusal::kMalformed, "the envelope is not an object");
  FieldErrors errors;
  Envelope e;
  auto text = [&](const char* key, std::string& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string() || it->get<std::string>().empty()) {
      errors.Add(fmt::format("envelope/{}", key), "must be a non-empty string");
      return;
    }
    out = it->get<std::string>();
  };
  auto number = [&](const char* key, int64_t& out) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer() || it->get<int64_t>() <= 0) {
      errors.Add(fmt::format("envelope/{}", key), "must be a positive integer");
      return;
    }
    out = it->get<int64_t>();
  };
  text("message_id", e.message_id);
  text("sender", e.sender);
  text("receiver", e.receiver);
  number("sequence", e.sequence);
  number("timestamp", e.timestamp_ms);
  text("case", e.case_ref);
  text("kind", e.kind);
  auto body = j.find("body");
  if (body == j.end() || !body->is_object()) {
    errors.Add("envelope/body", "must be an object");
  } else {
    e.body = *body;
  }
  if (j.size() != 8) errors.Add("envelope", "must have exactly the eight envelope members");
  if (!errors.empty()) {
    return Error(ErrorCode::kMalformedBody, "malformed: not an envelope", errors.fields());
  }
  return e;
}

}  // namespace

std::string_view RefusalName(Refusal r) {
  switch (r) {
    case Refusal::kMalformed:
      return "malformed";
    case Refusal::kUnsigned:
      return "unsigned";
    case Refusal::kUnknownSender:
      return "unknown_sender";
    case Refusal::kAltered:
      return "altered";
    case Refusal::kStale:
      return "stale";
    case Refusal::kReplayed:
      return "replayed";
    case Refusal::kNotReceiver:
      return "not_receiver";
  }
  return "refused";
}

Error RefusalError(Refusal r, std::string detail) {
  ErrorCode code = ErrorCode::kRefused;
  std::string field = "envelope";
  switch (r) {
    case Refusal::kMalformed:
      code = ErrorCode::kMalformedBody;
      break;
    case Refusal::kUnsigned:
    case Refusal::kAltered:
      code = ErrorCode::kUnauthenticated;
      field = "signature";
      break;
    case Refusal::kUnknownSender:
      code = ErrorCode::kForbidden;
      field = "envelope/sender";
      break;
    case Refusal::kStale:
      field = "hop/at";
      break;
    case Refusal::kReplayed:
      code = ErrorCode::kConflict;
      field = "envelope/sequence";
      break;
    case Refusal::kNotReceiver:
      field = "envelope/receiver";
      break;
  }
  const std::string reason(RefusalName(r));
  return Error(code, fmt::format("{}: {}", reason, detail), {{field, reason}});
}

json EnvelopeJson(const Envelope& e) {
  return json{{"message_id", e.message_id},
              {"sender", e.sender},
              {"receiver", e.receiver},
              {"sequence", e.sequence},
              {"timestamp", e.timestamp_ms},
              {"case", e.case_ref},
              {"kind", e.kind},
              {"body", e.body}};
}

Result<std::string> CanonicalBytes(const Envelope& e) {
  return licences::Canonicalize(EnvelopeJson(e));
}

Result<SignedEnvelope> Sign(const Envelope& e, const crypto::Sm2Key& key) {
  TB_ASSIGN_OR_RETURN(std::string bytes, CanonicalBytes(e));
  TB_ASSIGN_OR_RETURN(std::string der, key.Sign(bytes));
  return SignedEnvelope{.envelope = e, .signature = crypto::ToHex(der)};
}

Result<bool> VerifySignature(const SignedEnvelope& s, const crypto::Sm2Key& key) {
  auto der = crypto::FromHex(s.signature);
  if (!der.ok()) return false;
  TB_ASSIGN_OR_RETURN(std::string bytes, CanonicalBytes(s.envelope));
  return key.Verify(bytes, *der);
}

Result<std::string> Digest(const SignedEnvelope& s) {
  TB_ASSIGN_OR_RETURN(std::string bytes, CanonicalBytes(s.envelope));
  return crypto::Sm3Hex(bytes + s.signature);
}

Result<HopStamp> StampHop(const SignedEnvelope& s, std::string by, int64_t at_ms,
                          const crypto::Sm2Key& key) {
  TB_ASSIGN_OR_RETURN(std::string bytes, HopBytes(s, by, at_ms));
  TB_ASSIGN_OR_RETURN(std::string der, key.Sign(bytes));
  return HopStamp{.by = std::move(by), .at_ms = at_ms, .signature = crypto::ToHex(der)};
}

Result<bool> VerifyHop(const SignedEnvelope& s, const HopStamp& hop, const crypto::Sm2Key& key) {
  auto der = crypto::FromHex(hop.signature);
  if (!der.ok()) return false;
  TB_ASSIGN_OR_RETURN(std::string bytes, HopBytes(s, hop.by, hop.at_ms));
  return key.Verify(bytes, *der);
}

std::string SignedText(const SignedEnvelope& s) {
  return json{{"envelope", EnvelopeJson(s.envelope)}, {"signature", s.signature}}.dump();
}

Result<SignedEnvelope> ParseSigned(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("envelope")) {
    return RefusalError(Refusal::kMalformed, "the body is not a signed envelope");
  }
  TB_ASSIGN_OR_RETURN(Envelope e, EnvelopeFrom(j["envelope"]));
  auto sig = j.find("signature");
  if (sig == j.end() || !sig->is_string() || sig->get<std::string>().empty()) {
    return RefusalError(Refusal::kUnsigned, "the envelope carries no signature");
  }
  return SignedEnvelope{.envelope = std::move(e), .signature = sig->get<std::string>()};
}

std::string WireText(const Wire& w) {
  json j = json::parse(SignedText(w.signed_envelope));
  j["hop"] = json{{"by", w.hop.by}, {"at", w.hop.at_ms}, {"signature", w.hop.signature}};
  return j.dump();
}

Result<Wire> ParseWire(std::string_view text) {
  TB_ASSIGN_OR_RETURN(SignedEnvelope s, ParseSigned(text));
  json j = json::parse(text, nullptr, false);
  auto hop = j.find("hop");
  if (hop == j.end() || !hop->is_object() || !hop->contains("signature") ||
      !(*hop)["signature"].is_string() || !hop->contains("by") || !(*hop)["by"].is_string() ||
      !hop->contains("at") || !(*hop)["at"].is_number_integer()) {
    return RefusalError(Refusal::kUnsigned, "the message carries no signed hop stamp");
  }
  return Wire{.signed_envelope = std::move(s),
              .hop = {.by = (*hop)["by"].get<std::string>(),
                      .at_ms = (*hop)["at"].get<int64_t>(),
                      .signature = (*hop)["signature"].get<std::string>()}};
}

}  // namespace tongban::xregion
