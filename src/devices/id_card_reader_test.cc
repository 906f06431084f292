// The simulated ID-card reader reads the card placed on a terminal and fails as a real one does.
#include "devices/id_card_reader.h"

#include <gtest/gtest.h>

namespace tongban::devices {
namespace {

TEST(SimulatedIdCardReader, ReadsThePlacedCardAndFailsLikeARealReader) {
  SimulatedIdCardReader reader;
  auto none = reader.Read("kiosk-1");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), ErrorCode::kNotFound);

  reader.Place("kiosk-1", CardFor("431128196803150214", "邓桂英", Sex::kMale,
                                  *Date::Parse("1968-03-15"), "新田县龙泉镇1号"));
  auto card = reader.Read("kiosk-1");
  ASSERT_TRUE(card.ok()) << card.error().ToString();
  EXPECT_EQ(card->id_number, "431128196803150214");
  EXPECT_EQ(card->name, "邓桂英");
  EXPECT_EQ(card->birth_date.ToString(), "1968-03-15");
  EXPECT_EQ(card->issuer, "新田县公安局");
  EXPECT_EQ(card->valid_from, "1986-03-15");
  EXPECT_EQ(card->valid_until, "长期");
  EXPECT_FALSE(card->photo.empty());
  // Another terminal's reader holds no card.
  EXPECT_EQ(reader.Read("kiosk-2").error().code(), ErrorCode::kNotFound);

  reader.SetFault("kiosk-1", SimulatedIdCardReader::Fault::kUnreadable);
  EXPECT_EQ(reader.Read("kiosk-1").error().code(), ErrorCode::kUnavailable);
  reader.SetFault("kiosk-1", SimulatedIdCardReader::Fault::kReaderOffline);
  reader.Remove("kiosk-1");
  EXPECT_EQ(reader.Read("kiosk-1").error().code(), ErrorCode::kUnavailable);
  reader.SetFault("kiosk-1", SimulatedIdCardReader::Fault::kNone);
  EXPECT_EQ(reader.Read("kiosk-1").error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tongban::devices
