// Scheduled matching runs (issue 8, item 3): one thread that calls Benefits::RunDue every
// `interval` as the system, so each policy in force is matched once per cycle (month, year,
// once) without anyone asking; and Benefits::SendDue every `send_interval`, so the notices
// bulk sending scheduled over a channel's rate go out when due. Started and stopped by the
// server.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "benefits/benefits.h"

namespace tongban::benefits {

// The principal scheduled runs and sends are made as: "system", policy.match everywhere, and
// register.read_full to read the phones of the scheduled SMS notices.
people::Principal SchedulerPrincipal();

class MatchScheduler {
 public:
  // `benefits` must outlive the scheduler.
  MatchScheduler(Benefits& benefits, std::chrono::milliseconds interval,
                 std::chrono::milliseconds send_interval = std::chrono::seconds(1))
      : benefits_(benefits), interval_(interval), send_interval_(send_interval) {}
  ~MatchScheduler() { Stop(); }
  MatchScheduler(const MatchScheduler&) = delete;
  MatchScheduler& operator=(const MatchScheduler&) = delete;

  // Starts the thread; its first round runs at once.
  void Start();
  // Wakes the thread, lets a round in progress finish and joins it. Idempotent.
  void Stop();

 private:
  void Run();

  Benefits& benefits_;
  std::chrono::milliseconds interval_;
  std::chrono::milliseconds send_interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tongban::benefits
