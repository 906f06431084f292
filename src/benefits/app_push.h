// Push messages to the government-services app (掌上通办): the `app` notice channel. An
// installation plugs its push service in behind AppPushGateway; SimulatedAppPush keeps the
// messages in memory so the demo and the tests can read them, and sends nothing.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace tongban::benefits {

struct AppMessage {
  std::string recipient{};  // the person's register id: the app account bound to it
  std::string title{};
  std::string text{};
  int64_t sent_at = 0;  // ms since the epoch
  std::string id{};     // when set, the gateway hands on one message per id (retries are dropped)
};

class AppPushGateway {
 public:
  virtual ~AppPushGateway() = default;
  // Hands one message to the push service. kUnavailable when it cannot take it now, kNotFound
  // when the recipient has no app installation; the notice is then "failed".
  virtual Status Send(const AppMessage& message) = 0;
  // True for the simulator: messages are not delivered to anyone.
  virtual bool simulated() const { return false; }
};

// Records messages instead of sending them; keeps the newest `capacity`. Thread-safe.
class SimulatedAppPush : public AppPushGateway {
 public:
  explicit SimulatedAppPush(size_t capacity = 1000) : capacity_(capacity) {}

  Status Send(const AppMessage& message) override;
  bool simulated() const override { return true; }

  // The recorded messages, newest first; only those to `recipient` when it is not empty.
  std::vector<AppMessage> Outbox(std::string_view recipient, size_t limit) const;
  size_t size() const;

 private:
  size_t capacity_;
  mutable std::mutex mu_;
  std::deque<AppMessage> messages_{};  // oldest first
  std::set<std::string> ids_{};        // ids of the messages taken
};

}  // namespace tongban::benefits
