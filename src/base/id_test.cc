#include "base/id.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>
#include <vector>

namespace tongban {
namespace {

using std::chrono::milliseconds;

Timestamp AtMs(int64_t ms) { return Timestamp(milliseconds(ms)); }

TEST(Id, ParsesTheRfc9562ExampleAndReadsItsTime) {
  // RFC 9562 Appendix A.6: the UUIDv7 for 2022-02-22T19:22:22Z.
  auto id = Id::Parse("017F22E2-79B0-7CC3-98C4-DC0C0C07398F");
  ASSERT_TRUE(id.ok()) << id.error().ToString();
  EXPECT_EQ(id->ToString(), "017f22e2-79b0-7cc3-98c4-dc0c0c07398f");
  EXPECT_EQ(id->unix_ms(), 0x017F22E279B0);
  EXPECT_EQ(id->unix_ms(), 1645557742000);
  EXPECT_EQ(DateInChina(id->timestamp()).ToString(), "2022-02-23");
}

TEST(Id, RefusesWhatIsNotAVersion7Uuid) {
  const char* bad[] = {
      "",
      "017f22e2-79b0-7cc3-98c4-dc0c0c07398",    // 35 characters
      "017f22e2-79b0-7cc3-98c4-dc0c0c07398f0",  // 37
      "017f22e279b0-7cc3-98c4-dc0c0c07398f-",   // hyphens misplaced
      "017f22e2-79b0-7cc3-98c4-dc0c0c07398g",   // not hex
      "550e8400-e29b-41d4-a716-446655440000",   // version 4
      "017f22e2-79b0-7cc3-08c4-dc0c0c07398f",   // NCS variant
      "00000000-0000-0000-0000-000000000000",   // nil
  };
  for (const char* text : bad) {
    auto id = Id::Parse(text, "case_id");
    ASSERT_FALSE(id.ok()) << text;
    EXPECT_EQ(id.error().code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(id.error().fields().at(0).field, "case_id");
  }
}

TEST(Id, GeneratorIsStrictlyIncreasingWithinAMillisecondAndSortsAsText) {
  FakeClock clock(AtMs(1737676800000));  // 2025-01-24T00:00:00Z
  IdGenerator gen(42);
  std::vector<std::string> ids;
  for (int i = 0; i < 5000; ++i) ids.push_back(gen.Next(clock).ToString());
  for (size_t i = 1; i < ids.size(); ++i) ASSERT_LT(ids[i - 1], ids[i]) << i;
  for (const std::string& text : ids) {
    auto id = Id::Parse(text);
    ASSERT_TRUE(id.ok()) << text;
    EXPECT_EQ(id->unix_ms(), 1737676800000);
    EXPECT_EQ(text[14], '7');
    EXPECT_NE(std::string("89ab").find(text[19]), std::string::npos) << text;
  }
  // The next millisecond starts a new run, still above the last.
  clock.Advance(milliseconds(1));
  const Id next = gen.Next(clock);
  EXPECT_EQ(next.unix_ms(), 1737676800001);
  EXPECT_GT(next.ToString(), ids.back());
}

TEST(Id, GeneratorKeepsIncreasingWhenTheClockGoesBack) {
  FakeClock clock(AtMs(1737676800500));
  IdGenerator gen(7);
  const Id a = gen.Next(clock);
  clock.Set(AtMs(1737676800000));  // 500 ms back (NTP step)
  const Id b = gen.Next(clock);
  EXPECT_LT(a, b);
  EXPECT_EQ(b.unix_ms(), 1737676800500);
}

TEST(Id, SeededGeneratorsAreDeterministic) {
  FakeClock clock(AtMs(1737676800000));
  IdGenerator a(99), b(99), c(100);
  const Id x = a.Next(clock), y = b.Next(clock), z = c.Next(clock);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
}

TEST(Id, NewIdIsProcessWideAndIncreasingAcrossThreads) {
  std::vector<std::vector<std::string>> per_thread(2);
  std::vector<std::thread> threads;
  for (auto& out : per_thread) {
    threads.emplace_back([&out] {
      for (int i = 0; i < 2000; ++i) out.push_back(NewId(SystemClock::Instance()));
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& out : per_thread) {
    EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));
    all.insert(out.begin(), out.end());
    EXPECT_TRUE(Id::Parse(out.front()).ok());
  }
  EXPECT_EQ(all.size(), 4000u);  // no duplicates
}

}  // namespace
}  // namespace tongban
