#include "trace/trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "crypto/sm3.h"

namespace tongban {
extern const EmbeddedFile kTraceSql[];
extern const size_t kTraceSql_count;
}  // namespace tongban

namespace tongban::trace {
namespace {

constexpr size_t kMaxStreamBytes = 200;
constexpr size_t kMaxActorBytes = 200;
constexpr size_t kMaxActionBytes = 100;
constexpr size_t kMaxPayloadBytes = 1 << 20;

const store::QuerySet& Queries() {
  static const store::QuerySet* queries = [] {
    auto q = store::QuerySet::Load(kTraceSql, kTraceSql_count);
    // The files are compiled in and covered by the module's tests; failing here is a build bug.
    if (!q.ok()) throw std::logic_error(q.error().ToString());
    return new store::QuerySet(std::move(q).value());
  }();
  return *queries;
}

void AppendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ',';
}

bool HasControlCharacter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

Status Validate(const Event& e) {
  FieldErrors errors;
  const size_t slash = e.stream.find('/');
  if (e.stream.empty() || e.stream.size() > kMaxStreamBytes) {
    errors.Add("stream", fmt::format("must be 1 to {} bytes", kMaxStreamBytes));
  } else if (slash == std::string::npos || slash == 0 || slash + 1 == e.stream.size() ||
             HasControlCharacter(e.stream) || e.stream.find(' ') != std::string::npos) {
    errors.Add("stream", "must be <kind>/<id> without spaces, e.g. case/42");
  }
  if (e.actor.empty() || e.actor.size() > kMaxActorBytes || HasControlCharacter(e.actor)) {
    errors.Add("actor",
               fmt::format("must be an account id or \"system\", 1 to {} bytes", kMaxActorBytes));
  }
  const bool action_chars_ok = std::all_of(e.action.begin(), e.action.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
  if (e.action.empty() || e.action.size() > kMaxActionBytes || !action_chars_ok) {
    errors.Add("action", "must be lower-case words joined by dots, e.g. catalog.published");
  }
  if (e.payload.empty() || e.payload.size() > kMaxPayloadBytes) {
    errors.Add("payload", fmt::format("must be JSON text of 1 to {} bytes", kMaxPayloadBytes));
  }
  if (!errors.empty()) return errors.ToError("the trace event is invalid");
  return Ok();
}

std::string Short(std::string_view hash) {
  return std::string(hash.substr(0, 16)) + (hash.size() > 16 ? "…" : "");
}

class BreakSink {
 public:
  explicit BreakSink(VerifyReport& report) : report_(report) {}
  void Add(BreakKind kind, std::string stream, int64_t seq, int64_t checkpoint_id,
           std::string detail) {
    ++report_.total_breaks;
    if (report_.breaks.size() < VerifyReport::kMaxBreaks) {
      report_.breaks.push_back(Break{.kind = kind,
                                     .stream = std::move(stream),
                                     .seq = seq,
                                     .checkpoint_id = checkpoint_id,
                                     .detail = std::move(detail)});
    }
  }

 private:
  VerifyReport& report_;
};

// The chain walk of one stream: fed its events in seq order, it reports what is broken.
class StreamWalk {
 public:
  StreamWalk(std::string stream, int64_t head_seq, std::string head_hash, BreakSink& sink)
      : stream_(std::move(stream)),
        head_seq_(head_seq),
        head_hash_(std::move(head_hash)),
        sink_(sink) {}

  const std::string& stream() const { return stream_; }

  void Add(const Record& r) {
    if (r.seq != expected_) {
      sink_.Add(BreakKind::kGap, stream_, expected_, 0,
                r.seq == expected_ + 1
                    ? fmt::format("event {} is missing", expected_)
                    : fmt::format("events {} to {} are missing", expected_, r.seq - 1));
    } else if (r.prev_hash != prev_hash_) {
      sink_.Add(BreakKind::kBrokenLink, stream_, r.seq, 0,
                fmt::format("prev_hash {} is not the hash {} of event {}", Short(r.prev_hash),
                            Short(prev_hash_), r.seq - 1));
    }
    const std::string computed = EventHash(r);
    if (computed != r.hash) {
      sink_.Add(BreakKind::kHashMismatch, stream_, r.seq, 0,
                fmt::format("stored hash {}, fields hash to {}", Short(r.hash), Short(computed)));
    }
    prev_hash_ = r.hash;
    expected_ = r.seq + 1;
  }

  void Finish() {
    const int64_t last = expected_ - 1;
    if (head_seq_ != last || head_hash_ != prev_hash_) {
      sink_.Add(BreakKind::kHeadMismatch, stream_, last, 0,
                head_seq_ < 0 ? std::string("the stream has no head row")
                              : fmt::format("the head records event {} ({}), the chain ends at "
                                            "event {} ({})",
                                            head_seq_, Short(head_hash_), last, Short(prev_hash_)));
    }
  }

 private:
  std::string stream_;
  int64_t head_seq_;
  std::string head_hash_;
  BreakSink& sink_;
  int64_t expected_ = 1;
  std::string prev_hash_{kGenesisHash};
};

// The public keys recorded in the database, each checked against the id it is recorded under.
struct KnownKey {
  std::optional<crypto::Sm2Key> key;
  std::string problem;  // why it cannot be used, when key is empty
};

Status VerifyEvents(soci::session& sql, store::Backend backend, int page_size, VerifyReport& report,
                    BreakSink& sink) {
  const std::string& query = Queries().Get("verify_events_page", backend);
  std::optional<StreamWalk> walk;
  std::string after_stream;
  long long after_seq = -1;
  for (;;) {
    Record r;
    long long seq = 0, head_seq = 0;
    std::string head_hash;
    int limit = page_size;
    // Bound values must stay put while the statement runs (SQLite reads them in place).
    const std::string from_stream = after_stream;
    const long long from_seq = after_seq;
    soci::statement st =
        (sql.prepare << query, soci::use(from_stream, "stream"), soci::use(from_seq, "seq"),
         soci::use(limit, "limit"), soci::into(r.stream), soci::into(seq), soci::into(r.time),
         soci::into(r.actor), soci::into(r.action), soci::into(r.payload), soci::into(r.prev_hash),
         soci::into(r.hash), soci::into(head_seq), soci::into(head_hash));
    st.execute();
    int rows = 0;
    while (st.fetch()) {
      ++rows;
      r.seq = seq;
      if (!walk || walk->stream() != r.stream) {
        if (walk) walk->Finish();
        walk.emplace(r.stream, head_seq, head_hash, sink);
        ++report.streams;
      }
      walk->Add(r);
      ++report.events;
      after_stream = r.stream;
      after_seq = seq;
    }
    if (rows < page_size) break;
  }
  if (walk) walk->Finish();

  std::string stream;
  long long head_seq = 0;
  int limit = static_cast<int>(VerifyReport::kMaxBreaks);
  soci::statement orphans = (sql.prepare << Queries().Get("orphan_heads", backend),
                             soci::use(limit, "limit"), soci::into(stream), soci::into(head_seq));
  orphans.execute();
  while (orphans.fetch()) {
    ++report.streams;
    sink.Add(BreakKind::kHeadMismatch, stream, head_seq, 0,
             fmt::format("the head records event {} but the stream has no events", head_seq));
  }
  return Ok();
}

std::map<std::string, KnownKey> LoadKeys(soci::session& sql, store::Backend backend) {
  std::map<std::string, KnownKey> keys;
  std::string id, pem;
  soci::statement st =
      (sql.prepare << Queries().Get("keys", backend), soci::into(id), soci::into(pem));
  st.execute();
  while (st.fetch()) {
    KnownKey& k = keys[id];
    auto parsed = crypto::Sm2Key::FromPublicPem(pem);
    if (!parsed.ok()) {
      k.problem = "its recorded public key cannot be read";
    } else if (parsed->id() != id) {
      k.problem = fmt::format("its recorded public key is key {}", Short(parsed->id()));
    } else {
      k.key = std::move(parsed).value();
    }
  }
  return keys;
}

Status VerifyCheckpoints(soci::session& sql, store::Backend backend, const VerifyOptions& options,
                         VerifyReport& report, BreakSink& sink) {
  const std::map<std::string, KnownKey> keys = LoadKeys(sql, backend);
  const std::set<std::string> trusted(options.trusted_key_ids.begin(),
                                      options.trusted_key_ids.end());
  int64_t expected_id = 1;
  std::string expected_prev(kGenesisHash);
  long long after = 0;
  for (;;) {
    std::vector<CheckpointRecord> page;
    std::vector<int> head_counts;
    {
      CheckpointRecord c;
      long long id = 0;
      int head_count = 0;
      int limit = options.page_size;
      const long long from = after;  // bound values stay put while the statement runs
      soci::statement st = (sql.prepare << Queries().Get("checkpoints_page", backend),
                            soci::use(from, "after"), soci::use(limit, "limit"), soci::into(id),
                            soci::into(c.time), soci::into(c.prev_digest), soci::into(c.digest),
                            soci::into(c.key_id), soci::into(c.signature), soci::into(head_count));
      st.execute();
      while (st.fetch()) {
        c.id = id;
        page.push_back(c);
        head_counts.push_back(head_count);
        after = id;
      }
    }
    for (size_t i = 0; i < page.size(); ++i) {
      CheckpointRecord& c = page[i];
      ++report.checkpoints;
      // The heads as recorded, each with the hash of the event at that position (empty: none).
      std::vector<std::string> chain_hashes;
      {
        Head h;
        long long seq = 0;
        std::string chain_hash;
        long long id = c.id;
        soci::statement st =
            (sql.prepare << Queries().Get("checkpoint_heads", backend), soci::use(id, "id"),
             soci::into(h.stream), soci::into(seq), soci::into(h.hash), soci::into(chain_hash));
        st.execute();
        std::vector<std::pair<Head, std::string>> rows;
        while (st.fetch()) {
          h.seq = seq;
          rows.emplace_back(h, chain_hash);
        }
        std::sort(rows.begin(), rows.end(),
                  [](const auto& a, const auto& b) { return a.first.stream < b.first.stream; });
        for (auto& [head, hash] : rows) {
          c.heads.push_back(head);
          chain_hashes.push_back(hash);
        }
      }

      if (c.id != expected_id) {
        sink.Add(BreakKind::kCheckpointGap, "", 0, expected_id,
                 c.id == expected_id + 1
                     ? fmt::format("checkpoint {} is missing", expected_id)
                     : fmt::format("checkpoints {} to {} are missing", expected_id, c.id - 1));
      } else if (c.prev_digest != expected_prev) {
        sink.Add(BreakKind::kCheckpointLink, "", 0, c.id,
                 fmt::format("prev_digest {} is not the digest {} of checkpoint {}",
                             Short(c.prev_digest), Short(expected_prev), c.id - 1));
      }
      const std::string computed = CheckpointDigest(c);
      if (computed != c.digest || static_cast<size_t>(head_counts[i]) != c.heads.size()) {
        sink.Add(
            BreakKind::kCheckpointDigest, "", 0, c.id,
            computed != c.digest
                ? fmt::format("stored digest {}, its {} heads hash to {}", Short(c.digest),
                              c.heads.size(), Short(computed))
                : fmt::format("records {} heads, {} are present", head_counts[i], c.heads.size()));
      }
      auto known = keys.find(c.key_id);
      if (known == keys.end() || !known->second.key) {
        sink.Add(BreakKind::kUnknownKey, "", 0, c.id,
                 known == keys.end()
                     ? fmt::format("signed by key {}, which is not recorded", Short(c.key_id))
                     : fmt::format("signed by key {}: {}", Short(c.key_id), known->second.problem));
      } else if (!trusted.empty() && !trusted.contains(c.key_id)) {
        sink.Add(BreakKind::kUntrustedKey, "", 0, c.id,
                 fmt::format("signed by key {}, which is not a trusted key", Short(c.key_id)));
      } else {
        auto digest_bytes = crypto::FromHex(c.digest);
        auto signature = crypto::FromHex(c.signature);
        bool valid = false;
        if (digest_bytes.ok() && signature.ok()) {
          TB_ASSIGN_OR_RETURN(valid, known->second.key->Verify(*digest_bytes, *signature));
        }
        if (!valid) {
          sink.Add(BreakKind::kBadSignature, "", 0, c.id,
                   fmt::format("the signature does not verify with key {}", Short(c.key_id)));
        }
      }
      for (size_t h = 0; h < c.heads.size(); ++h) {
        const Head& head = c.heads[h];
        if (chain_hashes[h] == head.hash) continue;
        sink.Add(BreakKind::kCheckpointHeadMismatch, head.stream, head.seq, c.id,
                 chain_hashes[h].empty()
                     ? fmt::format("checkpoint {} records event {} ({}), which is missing", c.id,
                                   head.seq, Short(head.hash))
                     : fmt::format("checkpoint {} records hash {}, the chain has {}", c.id,
                                   Short(head.hash), Short(chain_hashes[h])));
      }
      expected_id = c.id + 1;
      expected_prev = c.digest;
    }
    if (page.size() < static_cast<size_t>(options.page_size)) break;
  }
  return Ok();
}

}  // namespace

const store::MigrationSet& TraceMigrations() {
  static const store::MigrationSet* set = [] {
    auto s = store::LoadMigrations("trace", kTraceSql, kTraceSql_count);
    if (!s.ok()) throw std::logic_error(s.error().ToString());
    return new store::MigrationSet(std::move(s).value());
  }();
  return *set;
}

std::string FormatTime(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch());
  auto secs = std::chrono::floor<std::chrono::seconds>(ms);
  const std::time_t tt = secs.count();
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     static_cast<int>((ms - secs).count()));
}

std::string EventHash(const Record& r) {
  std::string text;
  text.reserve(r.payload.size() + r.stream.size() + 256);
  AppendField(text, "tongban.trace.event.v1");
  AppendField(text, r.stream);
  AppendField(text, std::to_string(r.seq));
  AppendField(text, r.time);
  AppendField(text, r.actor);
  AppendField(text, r.action);
  AppendField(text, r.payload);
  AppendField(text, r.prev_hash);
  return crypto::Sm3Hex(text);
}

std::string CheckpointDigest(const CheckpointRecord& c) {
  std::vector<const Head*> heads;
  heads.reserve(c.heads.size());
  for (const Head& h : c.heads) heads.push_back(&h);
  std::sort(heads.begin(), heads.end(),
            [](const Head* a, const Head* b) { return a->stream < b->stream; });
  std::string text;
  AppendField(text, "tongban.trace.checkpoint.v1");
  AppendField(text, std::to_string(c.id));
  AppendField(text, c.time);
  AppendField(text, c.prev_digest);
  AppendField(text, c.key_id);
  AppendField(text, std::to_string(heads.size()));
  for (const Head* h : heads) {
    AppendField(text, h->stream);
    AppendField(text, std::to_string(h->seq));
    AppendField(text, h->hash);
  }
  return crypto::Sm3Hex(text);
}

std::string_view BreakKindName(BreakKind kind) {
  switch (kind) {
    case BreakKind::kHashMismatch:
      return "hash_mismatch";
    case BreakKind::kBrokenLink:
      return "broken_link";
    case BreakKind::kGap:
      return "gap";
    case BreakKind::kHeadMismatch:
      return "head_mismatch";
    case BreakKind::kCheckpointGap:
      return "checkpoint_gap";
    case BreakKind::kCheckpointLink:
      return "checkpoint_link";
    case BreakKind::kCheckpointDigest:
      return "checkpoint_digest";
    case BreakKind::kBadSignature:
      return "bad_signature";
    case BreakKind::kUnknownKey:
      return "unknown_key";
    case BreakKind::kUntrustedKey:
      return "untrusted_key";
    case BreakKind::kCheckpointHeadMismatch:
      return "checkpoint_head_mismatch";
  }
  return "unknown";
}

std::string Break::ToString() const {
  if (stream.empty()) {
    return fmt::format("checkpoint {}: {}: {}", checkpoint_id, BreakKindName(kind), detail);
  }
  return fmt::format("stream {} seq {}: {}: {}", stream, seq, BreakKindName(kind), detail);
}

Trace::Trace(store::Database& db, Options options)
    : db_(db), options_(std::move(options)), queries_(Queries()) {}

std::string Trace::Now() const {
  return FormatTime(options_.now ? options_.now() : std::chrono::system_clock::now());
}

Result<Record> Trace::Append(soci::session& sql, const Event& event) {
  TB_RETURN_IF_ERROR(Validate(event));
  const store::Backend backend = db_.backend();
  try {
    // Prepared once per pooled session (store::Execute): every case step appends here. The head
    // is read first. A stream's first event creates the head already at that event (three
    // statements, not four: a submission starts two streams). That insert may find that a
    // concurrent first append created the head meanwhile (PostgreSQL: the INSERT waited for that
    // transaction and then did nothing); the head is then read, and locked, again, and the event
    // follows it.
    long long head_seq = 0;
    std::string head_hash;
    const auto lock_head = [&] {
      return store::Execute(sql, queries_.Get("lock_head", backend),
                            soci::use(event.stream, "stream"), soci::into(head_seq),
                            soci::into(head_hash))
          .got_data;
    };
    // The event that follows the head just read.
    const auto next = [&] {
      Record r{.stream = event.stream,
               .seq = head_seq + 1,
               .time = Now(),
               .actor = event.actor,
               .action = event.action,
               .payload = event.payload,
               .prev_hash = head_hash,
               .hash = ""};
      r.hash = EventHash(r);
      return r;
    };
    Record r;
    bool created = false;  // the head was created at this event: nothing to move
    if (lock_head()) {
      r = next();
    } else {
      head_seq = 0;
      head_hash = std::string(kGenesisHash);
      r = next();
      long long first = r.seq;
      created =
          store::Execute(sql, queries_.Get("create_head", backend), soci::use(r.stream, "stream"),
                         soci::use(first, "seq"), soci::use(r.hash, "hash"))
              .affected_rows == 1;
      if (!created) {
        if (!lock_head()) {
          return Error(ErrorCode::kInternal, fmt::format("stream {} has no head", event.stream));
        }
        r = next();
      }
    }
    long long seq = r.seq;
    store::Execute(sql, queries_.Get("insert_event", backend), soci::use(r.stream, "stream"),
                   soci::use(seq, "seq"), soci::use(r.time, "time"), soci::use(r.actor, "actor"),
                   soci::use(r.action, "action"), soci::use(r.payload, "payload"),
                   soci::use(r.prev_hash, "prev_hash"), soci::use(r.hash, "hash"));
    if (!created) {
      store::Execute(sql, queries_.Get("advance_head", backend), soci::use(seq, "seq"),
                     soci::use(r.hash, "hash"), soci::use(r.stream, "stream"));
    }
    return r;
  } catch (const std::exception& e) {
    return store::ErrorFromException(e);
  }
}

Result<Record> Trace::Append(const Event& event) {
  return db_.Transaction<Record>(store::TxKind::kWrite,
                                 [&](soci::session& sql) { return Append(sql, event); });
}

Result<std::vector<Record>> Trace::Read(std::string_view stream, int64_t after_seq, int limit) {
  if (limit < 1 || limit > 1000) {
    return Error(ErrorCode::kInvalidArgument, "limit must be 1 to 1000",
                 {{"limit", "must be 1 to 1000"}});
  }
  return db_.Transaction<std::vector<Record>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Record>> {
        std::vector<Record> out;
        std::string s(stream);
        long long after = after_seq;
        Record r;
        long long seq = 0;
        soci::statement st =
            (sql.prepare << queries_.Get("read_events", db_.backend()), soci::use(s, "stream"),
             soci::use(after, "after"), soci::use(limit, "limit"), soci::into(seq),
             soci::into(r.time), soci::into(r.actor), soci::into(r.action), soci::into(r.payload),
             soci::into(r.prev_hash), soci::into(r.hash));
        st.execute();
        while (st.fetch()) {
          r.stream = s;
          r.seq = seq;
          out.push_back(r);
        }
        return out;
      });
}

Result<std::optional<CheckpointRecord>> Trace::Checkpoint() {
  if (!options_.signing_key || !options_.signing_key->has_private_key()) {
    return Error(ErrorCode::kCrypto, "checkpoints need the installation's SM2 private key");
  }
  const crypto::Sm2Key& key = *options_.signing_key;
  TB_ASSIGN_OR_RETURN(std::string public_pem, key.PublicPem());
  const store::Backend backend = db_.backend();
  return db_.Transaction<std::optional<CheckpointRecord>>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<std::optional<CheckpointRecord>> {
        sql << queries_.Get("lock_checkpoints", backend);
        long long last_id = 0;
        std::string last_digest(kGenesisHash);
        sql << queries_.Get("last_checkpoint", backend), soci::into(last_id),
            soci::into(last_digest);
        if (!sql.got_data()) {
          last_id = 0;
          last_digest = std::string(kGenesisHash);
        }
        CheckpointRecord c;
        {
          Head h;
          long long seq = 0;
          soci::statement st = (sql.prepare << queries_.Get("pending_heads", backend),
                                soci::into(h.stream), soci::into(seq), soci::into(h.hash));
          st.execute();
          while (st.fetch()) {
            h.seq = seq;
            c.heads.push_back(h);
          }
        }
        if (c.heads.empty()) return std::optional<CheckpointRecord>();
        std::sort(c.heads.begin(), c.heads.end(),
                  [](const Head& a, const Head& b) { return a.stream < b.stream; });
        c.id = last_id + 1;
        c.time = Now();
        c.prev_digest = last_digest;
        c.key_id = key.id();
        c.digest = CheckpointDigest(c);
        TB_ASSIGN_OR_RETURN(std::string digest_bytes, crypto::FromHex(c.digest));
        TB_ASSIGN_OR_RETURN(std::string signature, key.Sign(digest_bytes));
        c.signature = crypto::ToHex(signature);

        sql << queries_.Get("register_key", backend), soci::use(c.key_id, "key_id"),
            soci::use(public_pem, "public_key"), soci::use(c.time, "created_at");
        long long id = c.id;
        int head_count = static_cast<int>(c.heads.size());
        sql << queries_.Get("insert_checkpoint", backend), soci::use(id, "id"),
            soci::use(c.time, "time"), soci::use(c.prev_digest, "prev_digest"),
            soci::use(c.digest, "digest"), soci::use(c.key_id, "key_id"),
            soci::use(c.signature, "signature"), soci::use(head_count, "head_count");
        for (const Head& h : c.heads) {
          long long seq = h.seq;
          sql << queries_.Get("insert_checkpoint_head", backend), soci::use(id, "checkpoint_id"),
              soci::use(h.stream, "stream"), soci::use(seq, "seq"), soci::use(h.hash, "hash");
          sql << queries_.Get("mark_checkpointed", backend), soci::use(seq, "seq"),
              soci::use(h.stream, "stream");
        }
        return std::optional<CheckpointRecord>(std::move(c));
      });
}

Result<VerifyReport> Trace::Verify(const VerifyOptions& options) {
  if (options.page_size < 1) {
    return Error(ErrorCode::kInvalidArgument, "page_size must be at least 1");
  }
  const store::Backend backend = db_.backend();
  return db_.Transaction<VerifyReport>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<VerifyReport> {
        VerifyReport report;
        BreakSink sink(report);
        TB_RETURN_IF_ERROR(VerifyEvents(sql, backend, options.page_size, report, sink));
        TB_RETURN_IF_ERROR(VerifyCheckpoints(sql, backend, options, report, sink));
        return report;
      });
}

}  // namespace tongban::trace
