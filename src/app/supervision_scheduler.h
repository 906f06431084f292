// The server's supervision scheduler: one thread that runs the supervision sweep (电子监察) every
// interval. The sweep is idempotent (one card per case, step and trigger), so several servers on
// one database may each run one; a card is still issued once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "supervision/service.h"

namespace tongban::app {

class SupervisionScheduler {
 public:
  // `service` must outlive the scheduler; `after_sweep` (may be empty) runs after a sweep that
  // queued notices, to drain the outbox.
  SupervisionScheduler(supervision::SupervisionService& service, std::chrono::seconds interval,
                       std::function<void()> after_sweep);
  ~SupervisionScheduler();  // Stop()
  SupervisionScheduler(const SupervisionScheduler&) = delete;
  SupervisionScheduler& operator=(const SupervisionScheduler&) = delete;

  // Starts the thread; its first sweep is one interval after the start.
  void Start();
  // Wakes the thread, lets a sweep in progress finish and joins it. Idempotent.
  void Stop();

 private:
  void Run();

  supervision::SupervisionService& service_;
  std::chrono::seconds interval_;
  std::function<void()> after_sweep_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tongban::app
