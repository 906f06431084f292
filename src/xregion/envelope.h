// Signed envelopes of the cross-region exchange. An envelope is signed once, by the installation
// that wrote it (SM2 with SM3 and the default distinguishing identifier 1234567812345678, over
// the RFC 8785 canonical bytes of the envelope object), and that signature travels unchanged
// through any hub. Each hop adds a fresh stamp, signed by whoever posts it, binding the
// envelope's signature to the time of posting: the receiver checks the clock-skew window on the
// stamp, so a message that waited in an outbox for hours is still accepted while a captured
// request replayed later is not.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/result.h"
#include "crypto/sm2.h"

namespace tongban::xregion {

// How far a hop stamp may be from the receiver's clock, either way (docs/xregion.md).
inline constexpr int64_t kClockSkewToleranceMs = 300 * 1000;

struct Envelope {
  std::string message_id{};
  std::string sender{};    // region code of the writing installation
  std::string receiver{};  // region code of the final receiver
  int64_t sequence = 0;    // per sender and receiver: 1, 2, …
  int64_t timestamp_ms = 0;
  std::string case_ref{};
  std::string kind{};  // case.forwarded, case.step, part.started, case.closed
  nlohmann::json body = nlohmann::json::object();
};

struct SignedEnvelope {
  Envelope envelope{};
  std::string signature{};  // lower-case hex DER SM2 signature of CanonicalBytes(envelope)
};

struct HopStamp {
  std::string by{};  // region code of the poster: the sender, or a hub
  int64_t at_ms = 0;
  std::string signature{};  // hex SM2 signature of HopBytes()
};

struct Wire {
  SignedEnvelope signed_envelope{};
  HopStamp hop{};
};

// Why a message was refused; the wire names are the problem's reason.
enum class Refusal {
  kMalformed,      // not an envelope
  kUnsigned,       // no signature or no hop stamp
  kUnknownSender,  // the sender (or the hop's poster) is no partner
  kAltered,        // the signature does not verify against the partner's key
  kStale,          // the hop stamp is outside the clock-skew window
  kReplayed,       // the sender's sequence number was used by another message
  kNotReceiver,    // addressed to another installation and this one is no hub
};
std::string_view RefusalName(Refusal r);
// The catalog error of a refusal: its message starts with the reason ("altered: …") and its
// one field names the part of the envelope at fault.
Error RefusalError(Refusal r, std::string detail);

nlohmann::json EnvelopeJson(const Envelope& e);
// The RFC 8785 bytes the sender's signature covers.
Result<std::string> CanonicalBytes(const Envelope& e);
Result<SignedEnvelope> Sign(const Envelope& e, const crypto::Sm2Key& key);
// True when the signature is `key`'s over the envelope's canonical bytes.
Result<bool> VerifySignature(const SignedEnvelope& s, const crypto::Sm2Key& key);
// The message's log digest: SM3 hex of the canonical bytes followed by the signature hex.
Result<std::string> Digest(const SignedEnvelope& s);

// A hop stamp by `by` at `at_ms`, binding the envelope's message id and signature.
Result<HopStamp> StampHop(const SignedEnvelope& s, std::string by, int64_t at_ms,
                          const crypto::Sm2Key& key);
Result<bool> VerifyHop(const SignedEnvelope& s, const HopStamp& hop, const crypto::Sm2Key& key);

// The signed envelope as stored in an outbox: {"envelope": …, "signature": …}.
std::string SignedText(const SignedEnvelope& s);
Result<SignedEnvelope> ParseSigned(std::string_view text);
// What is posted: the signed envelope and its hop stamp.
std::string WireText(const Wire& w);
// Parses a posted body: kMalformed or kUnsigned refusals when it is not a whole envelope.
Result<Wire> ParseWire(std::string_view text);

}  // namespace tongban::xregion
