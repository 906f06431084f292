// The trace on both backends: chains, checkpoints, verification, tampering of every kind the
// verifier names, concurrent writers, an online backup that verifies, the checkpoint thread and
// the signing key file.
#include "trace/trace.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <latch>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "crypto/sm3.h"
#include "store/testing.h"
#include "trace/checkpointer.h"
#include "trace/signing_key.h"

namespace tongban::trace {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// Computed independently (Python's hashlib SM3 over the documented netstring serialisation),
// so a change to the canonical form cannot pass unnoticed.
TEST(Canonical, EventHashMatchesAnIndependentComputation) {
  Record r{.stream = "case/42",
           .seq = 7,
           .time = "2025-05-01T08:00:00.123Z",
           .actor = "acc-1",
           .action = "case.accepted",
           .payload = R"({"note":"受理"})",
           .prev_hash = std::string(kGenesisHash),
           .hash = ""};
  EXPECT_EQ(EventHash(r), "8db82bffe0cb8b2be8fb117ebfda2ab335023b72a7df18b20a999948fbd67054");
  // Every field is covered.
  const std::string base = EventHash(r);
  for (int field = 0; field < 7; ++field) {
    Record changed = r;
    switch (field) {
      case 0:
        changed.stream = "case/43";
        break;
      case 1:
        changed.seq = 8;
        break;
      case 2:
        changed.time = "2025-05-01T08:00:00.124Z";
        break;
      case 3:
        changed.actor = "acc-2";
        break;
      case 4:
        changed.action = "case.refused";
        break;
      case 5:
        changed.payload = R"({"note":"受理 "})";
        break;
      case 6:
        changed.prev_hash[0] = '1';
        break;
    }
    EXPECT_NE(EventHash(changed), base) << "field " << field;
  }
  // Moving bytes between fields changes the hash (netstrings, not plain concatenation).
  Record shifted = r;
  shifted.actor = "acc-1c";
  shifted.action = "ase.accepted";
  EXPECT_NE(EventHash(shifted), base);
}

TEST(Canonical, CheckpointDigestMatchesAnIndependentComputationInAnyHeadOrder) {
  CheckpointRecord c{
      .id = 3,
      .time = "2025-05-01T08:10:00.000Z",
      .prev_digest = std::string(64, 'a'),
      .digest = "",
      .key_id = std::string(64, 'b'),
      .signature = "",
      .heads = {{"case/2", 1, std::string(64, 'd')}, {"case/1", 4, std::string(64, 'c')}}};
  EXPECT_EQ(CheckpointDigest(c),
            "06a481aec335d6db15a52936f20a0ad017d808b00c43e37c048ad44e39ddb803");
  c.heads[0].seq = 2;
  EXPECT_NE(CheckpointDigest(c),
            "06a481aec335d6db15a52936f20a0ad017d808b00c43e37c048ad44e39ddb803");
}

TEST(Canonical, FormatsTimeAsUtcWithMilliseconds) {
  EXPECT_EQ(FormatTime(system_clock::time_point(milliseconds(1746086400123))),
            "2025-05-01T08:00:00.123Z");
  EXPECT_EQ(FormatTime(system_clock::time_point(milliseconds(0))), "1970-01-01T00:00:00.000Z");
}

TEST(Migrations, LoadForBothBackends) {
  const store::MigrationSet& set = TraceMigrations();
  EXPECT_EQ(set.module, "trace");
  ASSERT_EQ(set.migrations.size(), 2u);
  EXPECT_NE(set.migrations[0].postgresql_sql.find("trace_refuse_change"), std::string::npos);
  // SQLite's append-only triggers, each one statement with its BEGIN ... END body.
  const std::string& sqlite = set.migrations[1].sqlite_sql;
  EXPECT_NE(sqlite.find("CREATE TRIGGER trace_event_no_update"), std::string::npos);
  EXPECT_EQ(store::SplitStatements(sqlite).size(), 8u);
  EXPECT_TRUE(store::SplitStatements(set.migrations[1].postgresql_sql).empty());
}

const crypto::Sm2Key& InstallationKey() {
  static const crypto::Sm2Key key = *crypto::Sm2Key::Generate();
  return key;
}

class TraceTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open(8);
    ASSERT_TRUE(db_);
    const store::MigrationSet* sets[] = {&TraceMigrations()};
    auto migrated = db_->Migrate(sets);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    trace_ = MakeTrace(*db_);
  }

  std::unique_ptr<Trace> MakeTrace(store::Database& db) {
    // A fake clock: each reading is one second after the one before.
    return std::make_unique<Trace>(
        db, Trace::Options{.now =
                               [this] {
                                 return system_clock::time_point(milliseconds(1746086400000) +
                                                                 std::chrono::seconds(ticks_++));
                               },
                           .signing_key = InstallationKey()});
  }

  Record Append(const std::string& stream, const std::string& action,
                const std::string& payload = "{}") {
    auto r = trace_->Append(
        Event{.stream = stream, .actor = "acc-1", .action = action, .payload = payload});
    EXPECT_TRUE(r.ok()) << r.error().ToString();
    return r.ok() ? *r : Record{};
  }

  CheckpointRecord TakeCheckpoint() {
    auto c = trace_->Checkpoint();
    EXPECT_TRUE(c.ok()) << c.error().ToString();
    EXPECT_TRUE(c.ok() && c->has_value());
    return c.ok() && c->has_value() ? **c : CheckpointRecord{};
  }

  VerifyReport Verify(const VerifyOptions& options = {}) {
    auto report = trace_->Verify(options);
    EXPECT_TRUE(report.ok()) << report.error().ToString();
    return report.ok() ? *report : VerifyReport{};
  }

  // Runs raw SQL as someone with owner rights would, past the append-only triggers (disabled on
  // PostgreSQL, dropped on SQLite, which cannot disable them).
  void Tamper(const std::string& statement) {
    Status s = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      for (const char* t :
           {"trace_event", "trace_checkpoint", "trace_checkpoint_head", "trace_key"}) {
        if (GetParam() == store::Backend::kPostgresql) {
          sql << fmt::format("ALTER TABLE {} DISABLE TRIGGER USER", t);
        } else {
          for (const char* event : {"update", "delete"}) {
            sql << fmt::format("DROP TRIGGER IF EXISTS {}_no_{}", t, event);
          }
        }
      }
      sql << statement;
      return Ok();
    });
    ASSERT_TRUE(s.ok()) << statement << ": " << s.error().ToString();
  }

  std::string QueryText(const std::string& query) {
    auto r = db_->Transaction<std::string>(store::TxKind::kRead,
                                           [&](soci::session& sql) -> Result<std::string> {
                                             std::string out;
                                             sql << query, soci::into(out);
                                             return out;
                                           });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : "";
  }

  std::atomic<int64_t> ticks_{0};
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Trace> trace_;
};

TEST_P(TraceTest, TheDatabaseRefusesToChangeOrRemoveTraceRecords) {
  Append("case/1", "case.submitted");
  Append("case/1", "case.accepted");
  TakeCheckpoint();
  for (const std::string statement :
       {"UPDATE trace_event SET payload = 'changed' WHERE stream = 'case/1' AND seq = 2",
        "DELETE FROM trace_event WHERE stream = 'case/1' AND seq = 2",
        "UPDATE trace_checkpoint SET signature = 'x'", "DELETE FROM trace_checkpoint_head",
        "UPDATE trace_key SET public_key = 'x'", "DELETE FROM trace_key"}) {
    Status s = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      sql << statement;
      return Ok();
    });
    ASSERT_FALSE(s.ok()) << statement;
  }
  EXPECT_EQ(QueryText("SELECT payload FROM trace_event WHERE stream = 'case/1' AND seq = 2"), "{}");
  EXPECT_TRUE(Verify().ok());
}

TEST_P(TraceTest, AppendsGaplessLinkedChainsPerStream) {
  Record a1 = Append("case/1", "case.submitted", R"({"matter":"公共场所卫生许可"})");
  Record b1 = Append("case/2", "case.submitted");
  Record a2 = Append("case/1", "case.accepted");
  Record a3 = Append("case/1", "case.concluded");
  EXPECT_EQ(a1.seq, 1);
  EXPECT_EQ(b1.seq, 1);
  EXPECT_EQ(a2.seq, 2);
  EXPECT_EQ(a3.seq, 3);
  EXPECT_EQ(a1.prev_hash, kGenesisHash);
  EXPECT_EQ(b1.prev_hash, kGenesisHash);
  EXPECT_EQ(a2.prev_hash, a1.hash);
  EXPECT_EQ(a3.prev_hash, a2.hash);
  EXPECT_EQ(a1.time, "2025-05-01T08:00:00.000Z");
  EXPECT_EQ(a1.hash, EventHash(a1));

  auto events = trace_->Read("case/1", 1, 100);
  ASSERT_TRUE(events.ok()) << events.error().ToString();
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].hash, a2.hash);
  EXPECT_EQ((*events)[1].action, "case.concluded");
  auto first = trace_->Read("case/1", 0, 1);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 1u);
  EXPECT_EQ((*first)[0].payload, R"({"matter":"公共场所卫生许可"})");
  EXPECT_FALSE(trace_->Read("case/1", 0, 0).ok());

  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok()) << report.breaks[0].ToString();
  EXPECT_EQ(report.streams, 2);
  EXPECT_EQ(report.events, 4);
  EXPECT_EQ(report.checkpoints, 0);
}

TEST_P(TraceTest, AnEventCommitsOrRollsBackWithTheCallersTransaction) {
  Status refused = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    auto r = trace_->Append(
        sql, Event{.stream = "catalog/11430000", .actor = "acc-9", .action = "catalog.published"});
    EXPECT_TRUE(r.ok());
    return Error(ErrorCode::kRefused, "the catalog change was refused after all");
  });
  EXPECT_EQ(refused.error().code(), ErrorCode::kRefused);
  auto none = trace_->Read("catalog/11430000", 0, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  Status committed = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    TB_RETURN_IF_ERROR(trace_->Append(
        sql, Event{.stream = "catalog/11430000", .actor = "acc-9", .action = "catalog.published"}));
    return trace_->Append(sql, Event{.stream = "catalog/11430000",
                                     .actor = "acc-9",
                                     .action = "catalog.withdrawn"})
                   .ok()
               ? Ok()
               : Error(ErrorCode::kInternal, "second append failed");
  });
  ASSERT_TRUE(committed.ok()) << committed.error().ToString();
  auto two = trace_->Read("catalog/11430000", 0, 10);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(two->size(), 2u);
  EXPECT_EQ((*two)[0].seq, 1);
  EXPECT_EQ((*two)[1].seq, 2);
  EXPECT_TRUE(Verify().ok());
}

TEST_P(TraceTest, RefusesInvalidEventsNamingEveryField) {
  auto r = trace_->Append(
      Event{.stream = "no-slash", .actor = "", .action = "Case Accepted", .payload = ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
  std::vector<std::string> fields;
  for (const auto& f : r.error().fields()) fields.push_back(f.field);
  EXPECT_EQ(fields, (std::vector<std::string>{"stream", "actor", "action", "payload"}));
  EXPECT_FALSE(trace_->Append(Event{.stream = "case/1\n", .actor = "a", .action = "x"}).ok());
  EXPECT_FALSE(trace_->Append(Event{.stream = "case/", .actor = "a", .action = "x"}).ok());
  EXPECT_TRUE(Verify().ok());
  EXPECT_EQ(Verify().events, 0);
}

TEST_P(TraceTest, CheckpointsSignTheHeadsOfChangedStreamsAndChain) {
  Append("case/1", "case.submitted");
  Record b = Append("case/2", "case.submitted");
  Record a = Append("case/1", "case.accepted");
  CheckpointRecord first = TakeCheckpoint();
  EXPECT_EQ(first.id, 1);
  EXPECT_EQ(first.prev_digest, kGenesisHash);
  EXPECT_EQ(first.key_id, InstallationKey().id());
  ASSERT_EQ(first.heads.size(), 2u);
  EXPECT_EQ(first.heads[0], (Head{"case/1", 2, a.hash}));
  EXPECT_EQ(first.heads[1], (Head{"case/2", 1, b.hash}));
  EXPECT_EQ(first.digest, CheckpointDigest(first));
  EXPECT_TRUE(
      *InstallationKey().Verify(*crypto::FromHex(first.digest), *crypto::FromHex(first.signature)));

  // Nothing changed: no checkpoint.
  auto none = trace_->Checkpoint();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  Record a3 = Append("case/1", "case.concluded");
  CheckpointRecord second = TakeCheckpoint();
  EXPECT_EQ(second.id, 2);
  EXPECT_EQ(second.prev_digest, first.digest);
  ASSERT_EQ(second.heads.size(), 1u);
  EXPECT_EQ(second.heads[0], (Head{"case/1", 3, a3.hash}));

  VerifyReport report = Verify({.trusted_key_ids = {InstallationKey().id()}});
  EXPECT_TRUE(report.ok()) << report.breaks[0].ToString();
  EXPECT_EQ(report.checkpoints, 2);
  EXPECT_EQ(report.events, 4);
}

// Pages of one or two rows: streams and checkpoints cross page boundaries, and a break that
// sits exactly on one is still found.
TEST_P(TraceTest, VerificationReadsPageByPage) {
  for (int i = 0; i < 3; ++i) Append("case/a", "case.step");
  TakeCheckpoint();
  Append("case/b", "case.step");
  TakeCheckpoint();
  for (int i = 0; i < 2; ++i) Append("case/c", "case.step");
  TakeCheckpoint();
  for (int page : {1, 2, 3, 1000}) {
    VerifyReport report = Verify({.trusted_key_ids = {}, .page_size = page});
    EXPECT_TRUE(report.ok()) << "page " << page << ": " << report.breaks[0].ToString();
    EXPECT_EQ(report.streams, 3) << "page " << page;
    EXPECT_EQ(report.events, 6) << "page " << page;
    EXPECT_EQ(report.checkpoints, 3) << "page " << page;
  }
  Tamper("DELETE FROM trace_event WHERE stream = 'case/a' AND seq = 3");
  for (int page : {1, 2, 1000}) {
    VerifyReport report = Verify({.trusted_key_ids = {}, .page_size = page});
    ASSERT_FALSE(report.ok());
    EXPECT_EQ(report.breaks[0].kind, BreakKind::kHeadMismatch) << "page " << page;
    EXPECT_EQ(report.breaks[0].stream, "case/a");
    EXPECT_EQ(report.breaks[1].kind, BreakKind::kCheckpointHeadMismatch);
    EXPECT_EQ(report.total_breaks, 2) << "page " << page;
  }
  EXPECT_FALSE(trace_->Verify({.trusted_key_ids = {}, .page_size = 0}).ok());
}

TEST_P(TraceTest, CheckpointNeedsAPrivateKey) {
  Append("case/1", "case.submitted");
  Trace unsigned_trace(*db_, Trace::Options{});
  auto r = unsigned_trace.Checkpoint();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ErrorCode::kCrypto);
  auto public_only = crypto::Sm2Key::FromPublicPem(*InstallationKey().PublicPem());
  Trace verifier(*db_, Trace::Options{.now = nullptr, .signing_key = *public_only});
  EXPECT_EQ(verifier.Checkpoint().error().code(), ErrorCode::kCrypto);
}

TEST_P(TraceTest, AnEditedPayloadIsNamedByStreamAndSeq) {
  Append("case/1", "case.submitted");
  Append("case/7", "case.submitted");
  Append("case/7", "case.accepted", R"({"window":"3"})");
  Append("case/7", "case.concluded");
  TakeCheckpoint();
  Tamper(
      R"(UPDATE trace_event SET payload = '{"window":"4"}' WHERE stream = 'case/7' AND seq = 2)");
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.total_breaks, 1);
  EXPECT_EQ(report.breaks[0].kind, BreakKind::kHashMismatch);
  EXPECT_EQ(report.breaks[0].stream, "case/7");
  EXPECT_EQ(report.breaks[0].seq, 2);
  EXPECT_EQ(report.breaks[0].ToString().rfind("stream case/7 seq 2: hash_mismatch", 0), 0u)
      << report.breaks[0].ToString();
}

TEST_P(TraceTest, ADeletedMiddleEventIsAGap) {
  for (int i = 0; i < 5; ++i) Append("partner/430181", "exchange.sent");
  Tamper("DELETE FROM trace_event WHERE stream = 'partner/430181' AND seq = 3");
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.breaks[0].kind, BreakKind::kGap);
  EXPECT_EQ(report.breaks[0].stream, "partner/430181");
  EXPECT_EQ(report.breaks[0].seq, 3);
  EXPECT_EQ(report.breaks[0].detail, "event 3 is missing");
  EXPECT_EQ(report.total_breaks, 1);
  EXPECT_EQ(report.events, 4);
}

TEST_P(TraceTest, ADeletedLastEventDisagreesWithTheHead) {
  for (int i = 0; i < 3; ++i) Append("account/9", "account.login");
  Append("account/10", "account.login");
  Tamper("DELETE FROM trace_event WHERE stream = 'account/9' AND seq = 3");
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.breaks[0].kind, BreakKind::kHeadMismatch);
  EXPECT_EQ(report.breaks[0].stream, "account/9");

  Tamper("DELETE FROM trace_event WHERE stream = 'account/10'");
  report = Verify();
  ASSERT_EQ(report.total_breaks, 2);
  EXPECT_EQ(report.breaks[1].kind, BreakKind::kHeadMismatch);
  EXPECT_EQ(report.breaks[1].stream, "account/10");
  EXPECT_EQ(report.streams, 2);
}

TEST_P(TraceTest, AForgedCheckpointSignatureIsNamed) {
  Append("case/1", "case.submitted");
  CheckpointRecord c = TakeCheckpoint();
  Append("case/1", "case.accepted");
  TakeCheckpoint();
  // A valid signature of the same digest, but by another key.
  auto forger = crypto::Sm2Key::Generate();
  ASSERT_TRUE(forger.ok());
  const std::string forged = crypto::ToHex(*forger->Sign(*crypto::FromHex(c.digest)));
  Tamper(fmt::format("UPDATE trace_checkpoint SET signature = '{}' WHERE id = 1", forged));
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.total_breaks, 1);
  EXPECT_EQ(report.breaks[0].kind, BreakKind::kBadSignature);
  EXPECT_EQ(report.breaks[0].checkpoint_id, 1);
  EXPECT_EQ(report.breaks[0].ToString().rfind("checkpoint 1: bad_signature", 0), 0u);

  // One flipped hex digit in the second checkpoint's signature.
  std::string sig2 = QueryText("SELECT signature FROM trace_checkpoint WHERE id = 2");
  sig2[20] = sig2[20] == '0' ? '1' : '0';
  Tamper(fmt::format("UPDATE trace_checkpoint SET signature = '{}' WHERE id = 2", sig2));
  report = Verify();
  ASSERT_EQ(report.total_breaks, 2);
  EXPECT_EQ(report.breaks[1].kind, BreakKind::kBadSignature);
  EXPECT_EQ(report.breaks[1].checkpoint_id, 2);
}

// Someone who can write the database rewrites a stream consistently (every hash recomputed,
// head moved): the chain alone looks intact, the signed checkpoint does not.
TEST_P(TraceTest, ARewrittenChainIsCaughtByTheSignedCheckpoint) {
  Record r1 = Append("case/5", "case.submitted");
  Append("case/5", "case.accepted", R"({"decision":"deny"})");
  TakeCheckpoint();
  Record fake{.stream = "case/5",
              .seq = 2,
              .time = "2025-05-01T08:00:01.000Z",
              .actor = "acc-1",
              .action = "case.accepted",
              .payload = R"({"decision":"approve"})",
              .prev_hash = r1.hash,
              .hash = ""};
  fake.hash = EventHash(fake);
  Tamper(
      fmt::format("UPDATE trace_event SET payload = '{}', hash = '{}' WHERE stream = 'case/5' "
                  "AND seq = 2",
                  fake.payload, fake.hash));
  Tamper(fmt::format("UPDATE trace_head SET hash = '{}' WHERE stream = 'case/5'", fake.hash));
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.total_breaks, 1);
  EXPECT_EQ(report.breaks[0].kind, BreakKind::kCheckpointHeadMismatch);
  EXPECT_EQ(report.breaks[0].stream, "case/5");
  EXPECT_EQ(report.breaks[0].seq, 2);
  EXPECT_EQ(report.breaks[0].checkpoint_id, 1);
}

// A forger who also records a key of their own and re-signs passes a verifier that trusts the
// database's keys, and fails one that pins the installation's key.
TEST_P(TraceTest, ReSigningWithAnotherKeyFailsWhenTheInstallationKeyIsPinned) {
  Append("case/1", "case.submitted");
  CheckpointRecord c = TakeCheckpoint();
  auto forger = crypto::Sm2Key::Generate();
  ASSERT_TRUE(forger.ok());
  c.key_id = forger->id();
  c.digest = CheckpointDigest(c);
  c.signature = crypto::ToHex(*forger->Sign(*crypto::FromHex(c.digest)));
  Tamper(
      fmt::format("INSERT INTO trace_key (key_id, public_key, created_at) VALUES ('{}', '{}', "
                  "'2025-05-01T00:00:00.000Z')",
                  forger->id(), *forger->PublicPem()));
  Tamper(fmt::format(
      "UPDATE trace_checkpoint SET key_id = '{}', digest = '{}', signature = '{}' WHERE id = 1",
      c.key_id, c.digest, c.signature));
  EXPECT_TRUE(Verify().ok());
  VerifyReport pinned = Verify({.trusted_key_ids = {InstallationKey().id()}});
  ASSERT_FALSE(pinned.ok());
  EXPECT_EQ(pinned.breaks[0].kind, BreakKind::kUntrustedKey);
  EXPECT_EQ(pinned.breaks[0].checkpoint_id, 1);
}

TEST_P(TraceTest, CheckpointTamperingIsNamed) {
  Append("case/1", "case.submitted");
  Append("case/2", "case.submitted");
  TakeCheckpoint();
  Append("case/1", "case.accepted");
  TakeCheckpoint();
  Append("case/1", "case.concluded");
  TakeCheckpoint();

  // A head removed from checkpoint 1 changes its digest.
  Tamper("DELETE FROM trace_checkpoint_head WHERE checkpoint_id = 1 AND stream = 'case/2'");
  VerifyReport report = Verify();
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.breaks[0].kind, BreakKind::kCheckpointDigest);
  EXPECT_EQ(report.breaks[0].checkpoint_id, 1);

  // Checkpoint 2 removed entirely: a gap at 2.
  Tamper("DELETE FROM trace_checkpoint_head WHERE checkpoint_id = 2");
  Tamper("DELETE FROM trace_checkpoint WHERE id = 2");
  report = Verify();
  ASSERT_EQ(report.total_breaks, 2);
  EXPECT_EQ(report.breaks[1].kind, BreakKind::kCheckpointGap);
  EXPECT_EQ(report.breaks[1].checkpoint_id, 2);
  EXPECT_EQ(report.checkpoints, 2);
}

TEST_P(TraceTest, ConcurrentAppendsToOneStreamStayGapless) {
  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::atomic<int> failures{0};
  std::atomic<bool> writing{true};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = trace_->Append(Event{.stream = "case/hot",
                                      .actor = fmt::format("acc-{}", t),
                                      .action = "case.note_added",
                                      .payload = fmt::format(R"({{"i":{}}})", i)});
        if (!r.ok()) {
          ADD_FAILURE() << r.error().ToString();
          ++failures;
        }
      }
    });
  }
  // Checkpoints taken while the writers run must neither block them for good nor miss heads.
  std::thread checkpointer([&] {
    while (writing) {
      auto c = trace_->Checkpoint();
      if (!c.ok()) {
        ADD_FAILURE() << c.error().ToString();
        return;
      }
    }
  });
  for (auto& t : threads) t.join();
  writing = false;
  checkpointer.join();
  auto last = trace_->Checkpoint();
  ASSERT_TRUE(last.ok()) << last.error().ToString();
  EXPECT_EQ(failures, 0);

  auto events = trace_->Read("case/hot", 0, 1000);
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), static_cast<size_t>(kThreads * kEach));
  for (size_t i = 0; i < events->size(); ++i) EXPECT_EQ((*events)[i].seq, int64_t(i) + 1);
  VerifyReport report = Verify({.trusted_key_ids = {InstallationKey().id()}});
  EXPECT_TRUE(report.ok()) << report.breaks[0].ToString();
  EXPECT_EQ(report.events, kThreads * kEach);
  EXPECT_GE(report.checkpoints, 1);
  // The last checkpoint (or the one before, if nothing changed since) holds the final head.
  EXPECT_EQ(
      QueryText("SELECT hash FROM trace_checkpoint_head WHERE stream = 'case/hot' AND seq = " +
                std::to_string(kThreads * kEach)),
      events->back().hash);
}

// Threads racing to append the first event of the same new streams: one creates each head, the
// others (on PostgreSQL, waiting on that uncommitted head) read it again and append after it.
TEST_P(TraceTest, ConcurrentFirstAppendsCreateOneHeadPerStream) {
  constexpr int kThreads = 4;
  constexpr int kStreams = 20;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < kStreams; ++k) {
        auto r = trace_->Append(Event{.stream = fmt::format("case/new-{}", k),
                                      .actor = fmt::format("acc-{}", t),
                                      .action = "case.note_added",
                                      .payload = "{}"});
        if (!r.ok()) {
          ADD_FAILURE() << r.error().ToString();
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  for (int k = 0; k < kStreams; ++k) {
    auto events = trace_->Read(fmt::format("case/new-{}", k), 0, 100);
    ASSERT_TRUE(events.ok());
    ASSERT_EQ(events->size(), static_cast<size_t>(kThreads)) << k;
    EXPECT_EQ(events->front().prev_hash, std::string(kGenesisHash)) << k;
    for (size_t i = 0; i < events->size(); ++i) EXPECT_EQ((*events)[i].seq, int64_t(i) + 1) << k;
  }
  auto checkpoint = trace_->Checkpoint();
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.error().ToString();
  VerifyReport report = Verify({.trusted_key_ids = {InstallationKey().id()}});
  EXPECT_TRUE(report.ok()) << report.breaks[0].ToString();
  EXPECT_EQ(report.events, kThreads * kStreams);
  EXPECT_EQ(
      QueryText("SELECT CAST(COUNT(*) AS TEXT) FROM trace_head WHERE stream LIKE 'case/new-%'"),
      std::to_string(kStreams));
}

TEST_P(TraceTest, EventsCannotBeChangedThroughTheApplicationOnPostgresql) {
  if (GetParam() != store::Backend::kPostgresql) GTEST_SKIP() << "PostgreSQL triggers only";
  Append("case/1", "case.submitted");
  Status s = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    sql << "DELETE FROM trace_event";
    return Ok();
  });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(Verify().events, 1);
}

// The issue's requirement: a consistent online copy while the server keeps writing; the copy,
// opened as a fresh database, verifies.
TEST_P(TraceTest, AnOnlineBackupVerifies) {
  if (GetParam() != store::Backend::kSqlite) GTEST_SKIP() << "PostgreSQL is backed up by pg_dump";
  constexpr int kWriters = 3;
  constexpr int kEach = 40;
  std::latch started(kWriters);
  std::vector<std::thread> writers;
  writers.reserve(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kEach; ++i) {
        auto r = trace_->Append(Event{.stream = fmt::format("case/{}", i % 4),
                                      .actor = "system",
                                      .action = "case.step",
                                      .payload = fmt::format(R"({{"writer":{}}})", w)});
        if (!r.ok()) ADD_FAILURE() << r.error().ToString();
        if (i == 10) started.count_down();
        if (i % 10 == 0 && !trace_->Checkpoint().ok()) ADD_FAILURE() << "checkpoint failed";
      }
    });
  }
  started.wait();
  const std::string copy = temp_->url().target + ".backup";
  Status backed_up = db_->Backup(copy);
  for (auto& w : writers) w.join();
  ASSERT_TRUE(backed_up.ok()) << backed_up.error().ToString();

  auto restored = store::Database::Open(*store::ParseDatabaseUrl("sqlite:" + copy));
  ASSERT_TRUE(restored.ok()) << restored.error().ToString();
  Trace from_copy(**restored, Trace::Options{});
  auto report = from_copy.Verify({.trusted_key_ids = {InstallationKey().id()}});
  ASSERT_TRUE(report.ok()) << report.error().ToString();
  EXPECT_TRUE(report->ok()) << report->breaks[0].ToString();
  EXPECT_GE(report->events, kWriters * 11);
  EXPECT_LE(report->events, kWriters * kEach);
  EXPECT_GE(report->checkpoints, 1);
  // The original went on; it verifies too and holds everything.
  VerifyReport full = Verify();
  EXPECT_TRUE(full.ok());
  EXPECT_EQ(full.events, kWriters * kEach);
  restored->reset();
  std::filesystem::remove(copy);
}

TEST_P(TraceTest, TheCheckpointThreadSignsOnStopAndOnItsTimer) {
  Append("case/1", "case.submitted");
  {
    Checkpointer idle(*trace_, {.interval = std::chrono::hours(1), .observer = nullptr});
    idle.Start();
    idle.Stop();  // does not wait for the hour; takes a final checkpoint
  }
  EXPECT_EQ(Verify().checkpoints, 1);

  Append("case/1", "case.accepted");
  std::mutex mu;
  std::condition_variable cv;
  int signed_checkpoints = 0;
  Checkpointer ticking(*trace_, {.interval = milliseconds(1), .observer = [&](const auto& r) {
                                   std::lock_guard lock(mu);
                                   if (r.ok() && r->has_value()) ++signed_checkpoints;
                                   cv.notify_all();
                                 }});
  ticking.Start();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(60), [&] { return signed_checkpoints; }));
  }
  ticking.Stop();
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.checkpoints, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, TraceTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

class SigningKeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("tongban_key_test_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SigningKeyFile, IsCreatedPrivatelyOnceAndLoadedAfterwards) {
  const std::string path = (dir_ / "tongban.db.signing-key.pem").string();
  EXPECT_EQ(
      DefaultSigningKeyPath(*store::ParseDatabaseUrl("sqlite:" + (dir_ / "tongban.db").string())),
      path);
  EXPECT_EQ(DefaultSigningKeyPath(*store::ParseDatabaseUrl("postgresql://u@h/db")),
            "tongban.signing-key.pem");
  auto created = LoadOrCreateSigningKey(path);
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto again = LoadOrCreateSigningKey(path);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id(), created->id());
  EXPECT_TRUE(again->has_private_key());
  // Nothing but the key is left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(SigningKeyFile, RefusesPublicKeysAndGarbage) {
  const std::string pub = (dir_ / "public.pem").string();
  std::ofstream(pub) << *InstallationKey().PublicPem();
  auto loaded = LoadKeyFile(pub);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->id(), InstallationKey().id());
  EXPECT_EQ(LoadOrCreateSigningKey(pub).error().code(), ErrorCode::kCrypto);
  const std::string junk = (dir_ / "junk.pem").string();
  std::ofstream(junk) << "not a key";
  EXPECT_EQ(LoadOrCreateSigningKey(junk).error().code(), ErrorCode::kCrypto);
  EXPECT_EQ(LoadKeyFile((dir_ / "missing.pem").string()).error().code(), ErrorCode::kNotFound);
}

TEST_F(SigningKeyFile, TwoStartsAtOnceAgreeOnOneKey) {
  const std::string path = (dir_ / "race.pem").string();
  std::vector<std::string> ids(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] {
      auto k = LoadOrCreateSigningKey(path);
      if (k.ok()) ids[i] = k->id();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& id : ids) EXPECT_EQ(id, ids[0]);
  EXPECT_FALSE(ids[0].empty());
}

}  // namespace
}  // namespace tongban::trace
