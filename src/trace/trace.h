// Trace (痕迹化): every action recorded, tamper-evident. Events are appended to one hash chain
// per stream ("case/<id>", "partner/<code>", "catalog/<code>", "account/<id>"), never to one
// global chain, so unrelated writers never contend. The heads of the chains are checkpointed
// periodically; each checkpoint chains to the one before and is signed with the installation's
// SM2 key (SM3 digest). Verify() recomputes everything and names the first broken item.
//
// Nothing here deletes or changes an event: the retention rule (at least six months, see
// docs/ARCHITECTURE.md) holds because there is no such path at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/sm2.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"

namespace tongban::trace {

// The trace module's schema, for the application to apply with its other modules' sets.
const store::MigrationSet& TraceMigrations();

// What a caller records. The trace adds the position, time and hashes.
struct Event {
  std::string stream;          // "<kind>/<id>", e.g. "case/0190f3a2-…"; at most 200 bytes
  std::string actor;           // an account id, or "system"
  std::string action;          // dotted lower-case verb, e.g. "catalog.published"
  std::string payload = "{}";  // JSON text, stored and hashed byte for byte
};

// An event as stored in its chain.
struct Record {
  std::string stream;
  int64_t seq = 0;   // 1, 2, … without gaps within the stream
  std::string time;  // ISO-8601 UTC with milliseconds, "2025-05-01T08:00:00.000Z"
  std::string actor;
  std::string action;
  std::string payload;
  std::string prev_hash;  // hash of the event before; kGenesisHash for seq 1
  std::string hash;       // EventHash(*this), lower-case hex SM3
};

// The prev_hash of the first event of every stream, and prev_digest of the first checkpoint.
inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// SM3 over the canonical serialisation of every field of `r` except `hash`: a domain tag
// followed by each field as a netstring ("<byte length>:<bytes>,"), so no choice of field
// contents can make two different events serialise alike.
std::string EventHash(const Record& r);

// One stream head as a checkpoint records it.
struct Head {
  std::string stream;
  int64_t seq = 0;
  std::string hash;
  bool operator==(const Head&) const = default;
};

struct CheckpointRecord {
  int64_t id = 0;  // 1, 2, … without gaps
  std::string time;
  std::string prev_digest;  // digest of checkpoint id - 1, kGenesisHash for the first
  std::string digest;       // CheckpointDigest(...)
  std::string key_id;       // crypto::Sm2Key::id() of the signing key
  std::string signature;    // lower-case hex of the DER SM2 signature of the digest's bytes
  std::vector<Head> heads;  // sorted by stream (bytewise)
};

// SM3 over a domain tag, the checkpoint's id, time, prev_digest and key_id, and its heads sorted
// bytewise by stream, all as netstrings. Signing this digest signs every head and, through
// prev_digest, every earlier checkpoint.
std::string CheckpointDigest(const CheckpointRecord& c);

enum class BreakKind {
  kHashMismatch,            // an event's stored hash is not the hash of its fields
  kBrokenLink,              // an event's prev_hash is not the hash of the event before it
  kGap,                     // sequence numbers missing in a stream
  kHeadMismatch,            // the stream's head row disagrees with its last event (truncated tail)
  kCheckpointGap,           // checkpoint ids missing
  kCheckpointLink,          // a checkpoint's prev_digest is not the digest of the one before
  kCheckpointDigest,        // a checkpoint's digest is not the digest of its fields and heads
  kBadSignature,            // the signature does not verify with the recorded key
  kUnknownKey,              // the signing key is not recorded, or its record was altered
  kUntrustedKey,            // signed by a key the verifier was not told to trust
  kCheckpointHeadMismatch,  // a checkpointed head is not in the chain as recorded
};

std::string_view BreakKindName(BreakKind kind);

struct Break {
  BreakKind kind;
  std::string stream;         // empty for checkpoint-level breaks
  int64_t seq = 0;            // the event concerned (0 if none)
  int64_t checkpoint_id = 0;  // the checkpoint concerned (0 if none)
  std::string detail;
  // "stream case/7 seq 3: hash_mismatch (…)" or "checkpoint 4: bad_signature (…)".
  std::string ToString() const;
};

struct VerifyReport {
  int64_t streams = 0;
  int64_t events = 0;
  int64_t checkpoints = 0;
  // Problems in walking order: every stream in (stream, seq) order, then every checkpoint in
  // id order. breaks[0] is the first broken item. At most kMaxBreaks are kept; total counts all.
  std::vector<Break> breaks;
  int64_t total_breaks = 0;
  bool ok() const { return total_breaks == 0; }
  static constexpr size_t kMaxBreaks = 100;
};

struct VerifyOptions {
  // Key ids (crypto::Sm2Key::id()) whose signatures are trusted. Empty: trust the public keys
  // recorded in the database, which proves the checkpoints are intact but not who made them;
  // pinning the installation's key also defeats someone who re-signs with a key of their own.
  std::vector<std::string> trusted_key_ids;
  // Rows read per query; bounds memory on large databases (tests use tiny pages).
  int page_size = 1000;
};

class Trace {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  struct Options {
    // The time stamped on events and checkpoints. Defaults to the system clock.
    Clock now;
    // The installation's key; needed by Checkpoint() only.
    std::optional<crypto::Sm2Key> signing_key;
  };

  // `db` must outlive the Trace and carry TraceMigrations().
  Trace(store::Database& db, Options options);

  // Appends `event` to its stream inside the caller's write transaction `sql`, so a change and
  // its trace event commit or roll back together. On SQLite the transaction must be
  // TxKind::kWrite; on PostgreSQL the stream's head row stays locked until it ends, which
  // serialises writers of one stream and never those of different streams.
  // kInvalidArgument names each invalid field of `event`.
  Result<Record> Append(soci::session& sql, const Event& event);
  // Appends `event` in a transaction of its own.
  Result<Record> Append(const Event& event);

  // Events of `stream` after `after_seq`, oldest first, at most `limit` (1 to 1000).
  Result<std::vector<Record>> Read(std::string_view stream, int64_t after_seq, int limit);

  // Records and signs the heads of every stream changed since the last checkpoint. Returns the
  // new checkpoint, or nullopt when no stream changed. kCrypto without a signing key.
  // Safe to call from several threads and servers: checkpoints are taken one at a time.
  Result<std::optional<CheckpointRecord>> Checkpoint();

  // Walks every stream and every checkpoint in one consistent snapshot, recomputing hashes,
  // links, sequence numbers, digests and signatures. Errors only when the database cannot be
  // read; a broken chain is a report, not an error.
  Result<VerifyReport> Verify(const VerifyOptions& options);
  Result<VerifyReport> Verify() { return Verify(VerifyOptions{}); }

  store::Database& db() { return db_; }

 private:
  std::string Now() const;

  store::Database& db_;
  Options options_;
  const store::QuerySet& queries_;
};

// ISO-8601 UTC with milliseconds: "2025-05-01T08:00:00.000Z".
std::string FormatTime(std::chrono::system_clock::time_point t);

}  // namespace tongban::trace
