#include "base/cached_value.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace tongban {
namespace {

using std::chrono::milliseconds;

class CachedValueTest : public ::testing::Test {
 protected:
  // Loads "v<n>" where n counts the loads.
  Result<std::shared_ptr<const std::string>> Get(uint64_t generation) {
    return cache_.Get(clock_, generation,
                      [&]() -> Result<std::string> { return "v" + std::to_string(++loads_); });
  }

  FakeClock clock_{Timestamp(std::chrono::hours(1000))};
  CachedValue<std::string> cache_{milliseconds(5000)};
  int loads_ = 0;
};

TEST_F(CachedValueTest, KeepsTheValueWhileTheGenerationStaysAndTheBoundHasNotPassed) {
  auto first = Get(7);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(**first, "v1");
  clock_.Advance(milliseconds(4999));
  auto again = Get(7);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->get(), first->get());  // the same shared value, not loaded again
  EXPECT_EQ(loads_, 1);
}

TEST_F(CachedValueTest, ACommittedChangeLoadsAgainAtOnce) {
  EXPECT_EQ(**Get(7), "v1");
  EXPECT_EQ(**Get(8), "v2");
  EXPECT_EQ(**Get(8), "v2");
  EXPECT_EQ(loads_, 2);
}

TEST_F(CachedValueTest, AnotherProcesssChangeIsSeenOnceTheBoundHasPassed) {
  EXPECT_EQ(**Get(7), "v1");
  clock_.Advance(milliseconds(5000));
  EXPECT_EQ(**Get(7), "v2");
  EXPECT_EQ(**Get(7), "v2");
  // A clock set back does not keep a value for longer.
  clock_.Advance(-milliseconds(10));
  EXPECT_EQ(**Get(7), "v3");
}

TEST_F(CachedValueTest, AFailedLoadIsReturnedAndNothingIsKept) {
  auto failed = cache_.Get(clock_, 1, []() -> Result<std::string> {
    return Error(ErrorCode::kUnavailable, "database is down");
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(**Get(1), "v1");
}

TEST_F(CachedValueTest, ALoadThatRacedAChangeIsLoadedAgainByTheNextCall) {
  // The change commits while the value is being read (the count moves on from 3 to 4): what
  // was read may predate it, so it is kept under 3 and the caller that sees 4 reads again.
  uint64_t generation = 3;
  auto raced = cache_.Get(clock_, generation, [&]() -> Result<std::string> {
    generation = 4;
    return std::string("before the change");
  });
  ASSERT_TRUE(raced.ok());
  EXPECT_EQ(**raced, "before the change");
  EXPECT_EQ(**Get(generation), "v1");
}

TEST(CachedValue, ABoundOfZeroLoadsEveryTime) {
  FakeClock clock{Timestamp(std::chrono::hours(1))};
  CachedValue<int> off{milliseconds(0)};
  int loads = 0;
  for (int i = 0; i < 3; ++i) {
    auto v = off.Get(clock, 1, [&]() -> Result<int> { return ++loads; });
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(**v, i + 1);
  }
}

TEST(CachedValue, ConcurrentReadersShareOneLoadedValue) {
  FakeClock clock{Timestamp(std::chrono::hours(1))};
  CachedValue<std::vector<int>> cache{milliseconds(5000)};
  ASSERT_TRUE(
      cache.Get(clock, 1,
                []() -> Result<std::vector<int>> {
                  return std::vector<int>{1, 2, 3};
                })
          .ok());
  std::atomic<int> loads{0}, wrong{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t) {
    readers.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        auto v = cache.Get(clock, 1, [&]() -> Result<std::vector<int>> {
          ++loads;
          return std::vector<int>{};
        });
        if (!v.ok() || (*v)->size() != 3) ++wrong;
      }
    });
  }
  for (auto& r : readers) r.join();
  EXPECT_EQ(loads.load(), 0);
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace tongban
