// The rating device (评价器) at a window or kiosk, behind an adapter: the clerk's workstation asks
// the device at its terminal to collect the applicant's rating of one visit (一次一评); the device
// shows the visit and the levels, and answers with what the applicant pressed, or with an error a
// real device also gives (nobody pressed within its time, the device unplugged). The clerk never
// sees or touches the keys: nothing in the request carries a level. A vendor's device (a serial or
// USB pad, a screen beside the window) implements RatingDevice; the simulator serves tests and the
// demo.
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban::devices {

// What the device shows the applicant.
struct RatingPrompt {
  std::string visit{};       // the visit's id
  std::string department{};  // the department code of the service rated
  std::string window{};      // the window's code
  // The tags the applicant may pick per level, by level name ("very_satisfied" …).
  std::map<std::string, std::vector<std::string>> tags{};
};

// What the applicant pressed: a level's wire name ("very_satisfied" … "very_dissatisfied"),
// the tags picked, an optional text typed on the device.
struct DeviceRating {
  std::string level{};
  std::vector<std::string> tags{};
  std::string text{};
};

class RatingDevice {
 public:
  virtual ~RatingDevice() = default;
  // Shows `prompt` on the device of `terminal` and waits for the applicant's rating. kTimeout:
  // nobody rated within the device's time; kUnavailable: the device does not answer. Both say
  // so in Chinese for the clerk's screen.
  virtual Result<DeviceRating> Collect(std::string_view terminal, const RatingPrompt& prompt) = 0;
};

// A simulated device: the applicant's presses are queued per terminal ahead of the request and
// taken one per Collect; with none queued the applicant "did not rate". Records every prompt
// shown. Thread-safe.
class SimulatedRatingDevice : public RatingDevice {
 public:
  enum class Fault { kNone, kOffline };

  // The applicant at `terminal` will press `rating` the next time the device asks.
  void Press(std::string terminal, DeviceRating rating);
  void SetFault(std::string terminal, Fault fault);
  // The prompts shown on `terminal`, oldest first.
  std::vector<RatingPrompt> Prompts(std::string_view terminal);

  Result<DeviceRating> Collect(std::string_view terminal, const RatingPrompt& prompt) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::deque<DeviceRating>, std::less<>> presses_;
  std::map<std::string, Fault, std::less<>> faults_;
  std::map<std::string, std::vector<RatingPrompt>, std::less<>> prompts_;
};

}  // namespace tongban::devices
