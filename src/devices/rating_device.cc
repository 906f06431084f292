#include "devices/rating_device.h"

#include <fmt/format.h>

namespace tongban::devices {

void SimulatedRatingDevice::Press(std::string terminal, DeviceRating rating) {
  std::lock_guard lock(mu_);
  presses_[std::move(terminal)].push_back(std::move(rating));
}

void SimulatedRatingDevice::SetFault(std::string terminal, Fault fault) {
  std::lock_guard lock(mu_);
  faults_[std::move(terminal)] = fault;
}

std::vector<RatingPrompt> SimulatedRatingDevice::Prompts(std::string_view terminal) {
  std::lock_guard lock(mu_);
  auto it = prompts_.find(terminal);
  return it == prompts_.end() ? std::vector<RatingPrompt>{} : it->second;
}

Result<DeviceRating> SimulatedRatingDevice::Collect(std::string_view terminal,
                                                    const RatingPrompt& prompt) {
  std::lock_guard lock(mu_);
  auto fault = faults_.find(terminal);
  if (fault != faults_.end() && fault->second == Fault::kOffline) {
    return Error(ErrorCode::kUnavailable,
                 fmt::format("终端 {} 的评价器无响应，请改用二维码评价", terminal));
  }
  prompts_[std::string(terminal)].push_back(prompt);
  auto it = presses_.find(terminal);
  if (it == presses_.end() || it->second.empty()) {
    return Error(ErrorCode::kTimeout, "申请人未在评价器上评价，可改用二维码评价");
  }
  DeviceRating r = std::move(it->second.front());
  it->second.pop_front();
  return r;
}

}  // namespace tongban::devices
