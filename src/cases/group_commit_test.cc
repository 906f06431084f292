// Group commit on both backends: each body's writes commit with its batch or not at all, a
// failing body undoes only its own writes, and bodies that arrive while a batch runs share the
// next transaction.
#include "cases/group_commit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "store/testing.h"

namespace tongban::cases {
namespace {

class GroupCommitTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open(8);
    Status made = db_->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
      sql << "CREATE TABLE gc_item (id BIGINT PRIMARY KEY)";
      return Ok();
    });
    ASSERT_TRUE(made.ok()) << made.error().ToString();
  }

  // The one column `query` selects, row by row.
  std::vector<long long> Column(const std::string& query) {
    std::vector<long long> values;
    Status read = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      long long v = 0;
      soci::statement st = (sql.prepare << query, soci::into(v));
      st.execute();
      while (st.fetch()) values.push_back(v);
      return Ok();
    });
    EXPECT_TRUE(read.ok());
    return values;
  }

  std::vector<long long> Stored() { return Column("SELECT id FROM gc_item ORDER BY id"); }

  static GroupCommit::Body Insert(long long id) {
    return [id](soci::session& sql) -> Status {
      long long v = id;
      sql << "INSERT INTO gc_item (id) VALUES (:id)", soci::use(v, "id");
      return Ok();
    };
  }

  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
};

TEST_P(GroupCommitTest, AFailingBodyUndoesOnlyItsOwnWrites) {
  if (!db_) GTEST_SKIP() << "backend not available";
  GroupCommit group(*db_);
  ASSERT_TRUE(group.Run(Insert(1)).ok());
  // An error value after a write: the write is undone, the error returned as it was.
  Status refused = group.Run([](soci::session& sql) -> Status {
    sql << "INSERT INTO gc_item (id) VALUES (2)";
    return Error(ErrorCode::kConflict, "no");
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), ErrorCode::kConflict);
  // A statement that throws (a duplicate key) maps like Database::Transaction maps it.
  Status duplicate = group.Run(Insert(1));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(group.Run(Insert(3)).ok());
  EXPECT_THAT(Stored(), ::testing::ElementsAre(1, 3));
  EXPECT_EQ(group.transactions(), 4u);
  EXPECT_EQ(group.bodies(), 4u);
}

TEST_P(GroupCommitTest, BodiesArrivingDuringABatchShareTheNextTransaction) {
  if (!db_) GTEST_SKIP() << "backend not available";
  GroupCommit group(*db_);
  constexpr int kFollowers = 5;
  // The first body holds its batch open until the other threads have queued theirs; one of
  // them (a duplicate of an id in the same batch) fails alone.
  std::atomic<bool> inside{false};
  std::thread first([&] {
    Status s = group.Run([&](soci::session& sql) -> Status {
      inside = true;
      while (group.queued() < kFollowers) std::this_thread::yield();
      sql << "INSERT INTO gc_item (id) VALUES (100)";
      return Ok();
    });
    EXPECT_TRUE(s.ok());
  });
  while (!inside) std::this_thread::yield();  // the first thread leads its batch now
  std::vector<std::thread> followers;
  followers.reserve(kFollowers);
  std::atomic<int> failed{0};
  for (int i = 0; i < kFollowers; ++i) {
    followers.emplace_back([&, i] {
      const long long id = i == kFollowers - 1 ? 1 : i + 1;  // the last repeats id 1
      Status s = group.Run(Insert(id));
      if (!s.ok()) {
        EXPECT_EQ(s.error().code(), ErrorCode::kAlreadyExists);
        ++failed;
      }
    });
  }
  for (auto& t : followers) t.join();
  first.join();
  EXPECT_EQ(failed.load(), 1);
  EXPECT_THAT(Stored(), ::testing::ElementsAre(1, 2, 3, 4, 100));
  EXPECT_EQ(group.bodies(), static_cast<size_t>(kFollowers + 1));
  EXPECT_EQ(group.transactions(), 2u);  // the first body's, then all five followers'
}

// PostgreSQL runs transactions side by side, so a batch's body can lock rows in one order while
// another transaction locks them in the other: PostgreSQL ends the cycle by failing one of
// them. A body that is the victim runs again alone after its batch and succeeds.
TEST_P(GroupCommitTest, ADeadlockVictimRunsAgainAloneAfterItsBatch) {
  if (!db_) GTEST_SKIP() << "backend not available";
  if (GetParam() == store::Backend::kSqlite) {
    GTEST_SKIP() << "SQLite has one writer: no two transactions hold row locks at once";
  }
  Status made = db_->Transaction(store::TxKind::kWrite, [](soci::session& sql) -> Status {
    sql << "CREATE TABLE gc_row (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)";
    sql << "INSERT INTO gc_row (id, v) VALUES (1, 0), (2, 0)";
    return Ok();
  });
  ASSERT_TRUE(made.ok()) << made.error().ToString();
  GroupCommit group(*db_);
  std::atomic<bool> group_has_1{false}, other_has_2{false};
  std::atomic<int> runs{0};
  // The other transaction waits long before looking for a deadlock, the body briefly: the body's
  // statement is the one PostgreSQL fails.
  std::thread other([&] {
    Status s = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      sql << "SET LOCAL deadlock_timeout = '30s'";
      while (!group_has_1) std::this_thread::yield();
      sql << "UPDATE gc_row SET v = v + 10 WHERE id = 2";
      other_has_2 = true;
      // Until the body waits for row 2, then row 1: the cycle.
      for (int waiting = 0; waiting == 0;) {
        sql << "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
               " AND datname = current_database()",
            soci::into(waiting);
      }
      sql << "UPDATE gc_row SET v = v + 10 WHERE id = 1";
      return Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().ToString();
  });
  Status s = group.Run([&](soci::session& sql) -> Status {
    ++runs;
    sql << "SET LOCAL deadlock_timeout = '50ms'";
    sql << "UPDATE gc_row SET v = v + 1 WHERE id = 1";
    group_has_1 = true;
    while (!other_has_2) std::this_thread::yield();
    sql << "UPDATE gc_row SET v = v + 1 WHERE id = 2";
    return Ok();
  });
  other.join();
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(runs.load(), 2);  // the victim's run, then its run alone
  // Both transactions' writes, each once.
  EXPECT_THAT(Column("SELECT v FROM gc_row ORDER BY id"), ::testing::ElementsAre(11, 11));
}

INSTANTIATE_TEST_SUITE_P(Backends, GroupCommitTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::cases
