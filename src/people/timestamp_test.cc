#include "people/timestamp.h"

#include <gtest/gtest.h>

namespace tongban::people {
namespace {

TEST(Timestamp, ParsesOffsetsAndFractions) {
  EXPECT_EQ(*ParseTimestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(*ParseTimestamp("2025-06-15T15:06:40Z"), 1'750'000'000'000);
  EXPECT_EQ(*ParseTimestamp("2025-06-15T23:06:40+08:00"), 1'750'000'000'000);
  EXPECT_EQ(*ParseTimestamp("2025-06-15T15:06:40.250Z"), 1'750'000'000'250);
  EXPECT_EQ(*ParseTimestamp("2024-02-29T00:00:00Z"), 1'709'164'800'000);
  EXPECT_EQ(*ParseTimestamp("1969-12-31T23:59:59Z"), -1000);
}

TEST(Timestamp, RefusesWhatIsNotRfc3339) {
  for (const char* bad : {"", "2025-06-15", "2025-06-15 15:06:40Z", "2025-06-15T15:06:40",
                          "2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z", "2025-06-15T24:00:00Z",
                          "2025-06-15T15:06:40+0800", "2025-06-15T15:06:40Zjunk", "２０２５"}) {
    auto r = ParseTimestamp(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().code(), ErrorCode::kInvalidArgument);
    }
  }
}

TEST(Timestamp, FormatsUtc) {
  EXPECT_EQ(FormatTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(1'750'000'000'000), "2025-06-15T15:06:40Z");
  EXPECT_EQ(FormatTimestamp(1'750'000'000'250), "2025-06-15T15:06:40.250Z");
  EXPECT_EQ(FormatTimestamp(-1000), "1969-12-31T23:59:59Z");
  for (int64_t ms : {int64_t{1'709'164'800'000}, int64_t{4'102'444'799'999}}) {
    EXPECT_EQ(*ParseTimestamp(FormatTimestamp(ms)), ms);
  }
}

}  // namespace
}  // namespace tongban::people
