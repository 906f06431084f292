#include "benefits/app_push.h"

namespace tongban::benefits {

Status SimulatedAppPush::Send(const AppMessage& message) {
  std::lock_guard lock(mu_);
  if (!message.id.empty() && !ids_.insert(message.id).second) return Ok();
  messages_.push_back(message);
  while (messages_.size() > capacity_) messages_.pop_front();
  return Ok();
}

std::vector<AppMessage> SimulatedAppPush::Outbox(std::string_view recipient, size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<AppMessage> out;
  for (auto it = messages_.rbegin(); it != messages_.rend() && out.size() < limit; ++it) {
    if (recipient.empty() || it->recipient == recipient) out.push_back(*it);
  }
  return out;
}

size_t SimulatedAppPush::size() const {
  std::lock_guard lock(mu_);
  return messages_.size();
}

}  // namespace tongban::benefits
