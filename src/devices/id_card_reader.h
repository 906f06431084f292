// The second-generation resident ID card reader (二代身份证阅读器, GA 450) at a window or a
// self-service kiosk, behind an adapter: the kiosk flow asks the reader at its terminal for the
// card on it and gets the chip's fields, or an error a real reader also gives (no card on the
// reader, a card it cannot read, the reader unplugged). A vendor SDK (e.g. a serial/USB reader's
// SDTAPI) implements IdCardReader; the simulator serves tests and the demo.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/id_number.h"
#include "base/result.h"

namespace tongban::devices {

// The fields on the card's chip.
struct IdCard {
  std::string id_number{};
  std::string name{};
  Sex sex = Sex::kMale;
  std::string ethnicity{};  // 民族, e.g. "汉"
  Date birth_date{};
  std::string address{};  // 住址 as printed
  std::string issuer{};   // 签发机关
  std::string valid_from{};
  std::string valid_until{};  // "长期" or YYYY-MM-DD
  std::string photo{};        // the chip's photo (WLT decoded to JPEG); placeholder in the demo
};

class IdCardReader {
 public:
  virtual ~IdCardReader() = default;
  // Reads the card on the reader of `terminal`. kNotFound: no card on it; kUnavailable: the card
  // cannot be read (moved away, damaged chip) or the reader does not answer; both say so in
  // Chinese for the kiosk screen.
  virtual Result<IdCard> Read(std::string_view terminal) = 0;
};

// A simulated reader: cards are "placed" on a terminal's reader and read until removed, with
// the failures of a real one on demand. Thread-safe.
class SimulatedIdCardReader : public IdCardReader {
 public:
  enum class Fault { kNone, kUnreadable, kReaderOffline };

  // Puts `card` on `terminal`'s reader (replacing any).
  void Place(std::string terminal, IdCard card);
  void Remove(std::string_view terminal);
  // The next reads on `terminal` fail this way until set to kNone.
  void SetFault(std::string terminal, Fault fault);

  Result<IdCard> Read(std::string_view terminal) override;

 private:
  std::mutex mu_;
  std::map<std::string, IdCard, std::less<>> cards_;
  std::map<std::string, Fault, std::less<>> faults_;
};

// A card for a person of the register: the fields a real card holds (the issuer is the public
// security bureau of the ID number's county, valid for 20 years from the 18th birthday in the
// demo), with a placeholder photo.
IdCard CardFor(std::string id_number, std::string name, Sex sex, Date birth_date,
               std::string address);

}  // namespace tongban::devices
