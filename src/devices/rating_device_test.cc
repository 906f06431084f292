// The simulated rating device answers with what the applicant pressed, once per press, and
// fails as a real device does.
#include "devices/rating_device.h"

#include <gtest/gtest.h>

namespace tongban::devices {
namespace {

TEST(SimulatedRatingDevice, AnswersWithThePressAndFailsLikeARealDevice) {
  SimulatedRatingDevice device;
  RatingPrompt prompt{.visit = "v1", .department = "431128-rsj", .window = "A01", .tags = {}};
  auto none = device.Collect("win-1", prompt);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kTimeout);

  device.Press("win-1", {.level = "dissatisfied", .tags = {"等待时间长"}, .text = "排队太久"});
  auto r = device.Collect("win-1", prompt);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->level, "dissatisfied");
  EXPECT_EQ(r->tags, std::vector<std::string>{"等待时间长"});
  EXPECT_EQ(r->text, "排队太久");
  // One press answers one request; another terminal's device has none.
  EXPECT_EQ(device.Collect("win-1", prompt).error().code(), ErrorCode::kTimeout);
  device.Press("win-2", {.level = "satisfied", .tags = {}, .text = ""});
  EXPECT_EQ(device.Collect("win-1", prompt).error().code(), ErrorCode::kTimeout);
  // Every request showed its prompt on win-1's device, answered or not.
  EXPECT_EQ(device.Prompts("win-1").size(), 4u);
  EXPECT_EQ(device.Prompts("win-1")[0].visit, "v1");

  device.SetFault("win-2", SimulatedRatingDevice::Fault::kOffline);
  EXPECT_EQ(device.Collect("win-2", prompt).error().code(), ErrorCode::kUnavailable);
  device.SetFault("win-2", SimulatedRatingDevice::Fault::kNone);
  EXPECT_EQ(device.Collect("win-2", prompt)->level, "satisfied");
}

}  // namespace
}  // namespace tongban::devices
