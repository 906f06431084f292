#include "people/sms.h"

#include <regex>

namespace tongban::people {

Status SimulatedSmsGateway::Send(const SmsMessage& message) {
  std::lock_guard lock(mu_);
  if (!message.id.empty() && !ids_.insert(message.id).second) return Ok();
  messages_.push_back(message);
  while (messages_.size() > capacity_) messages_.pop_front();
  return Ok();
}

std::vector<SmsMessage> SimulatedSmsGateway::Outbox(std::string_view phone, size_t limit) const {
  std::lock_guard lock(mu_);
  std::vector<SmsMessage> out;
  for (auto it = messages_.rbegin(); it != messages_.rend() && out.size() < limit; ++it) {
    if (phone.empty() || it->phone == phone) out.push_back(*it);
  }
  return out;
}

std::optional<std::string> SimulatedSmsGateway::LatestCode(std::string_view phone) const {
  static const std::regex kCode(R"((\d{6}))");
  for (const SmsMessage& m : Outbox(phone, 1)) {
    std::smatch match;
    if (std::regex_search(m.text, match, kCode)) return match[1].str();
  }
  return std::nullopt;
}

size_t SimulatedSmsGateway::size() const {
  std::lock_guard lock(mu_);
  return messages_.size();
}

}  // namespace tongban::people
