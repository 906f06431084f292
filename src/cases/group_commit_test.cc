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

  std::vector<long long> Stored() {
    std::vector<long long> ids;
    Status read = db_->Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      long long id = 0;
      soci::statement st = (sql.prepare << "SELECT id FROM gc_item ORDER BY id", soci::into(id));
      st.execute();
      while (st.fetch()) ids.push_back(id);
      return Ok();
    });
    EXPECT_TRUE(read.ok());
    return ids;
  }

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

INSTANTIATE_TEST_SUITE_P(Backends, GroupCommitTest, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::cases
