// Sending text messages (one-time codes) through an adapter. Installations plug in their
// operator's gateway behind SmsGateway; SimulatedSmsGateway keeps the messages in memory so the
// demo and the tests can read the codes, and sends nothing.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban::people {

struct SmsMessage {
  std::string phone{};
  std::string text{};
  int64_t sent_at = 0;  // ms since the epoch
  std::string id{};     // when set, the gateway hands on one message per id (retries are dropped)
};

class SmsGateway {
 public:
  virtual ~SmsGateway() = default;
  // Hands one message to the operator. kUnavailable when the gateway cannot take it now.
  virtual Status Send(const SmsMessage& message) = 0;
  // True for the simulator: messages are not delivered to anyone.
  virtual bool simulated() const { return false; }
};

// Records messages instead of sending them; keeps the newest `capacity` messages. Thread-safe.
class SimulatedSmsGateway : public SmsGateway {
 public:
  explicit SimulatedSmsGateway(size_t capacity = 1000) : capacity_(capacity) {}

  Status Send(const SmsMessage& message) override;
  bool simulated() const override { return true; }

  // The recorded messages, newest first; only those to `phone` when it is not empty.
  std::vector<SmsMessage> Outbox(std::string_view phone, size_t limit) const;
  // The 6-digit code of the newest message to `phone`, if any.
  std::optional<std::string> LatestCode(std::string_view phone) const;
  size_t size() const;

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::deque<SmsMessage> messages_{};  // oldest first
  std::set<std::string> ids_{};        // ids of the messages taken
};

}  // namespace tongban::people
