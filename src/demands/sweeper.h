// The scheduler of the demands sweep: one thread that calls DemandService::Sweep() every
// `interval` (reminders and supervision of late work orders), started and stopped by the server.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "demands/service.h"

namespace tongban::demands {

class Sweeper {
 public:
  // `service` must outlive the sweeper.
  Sweeper(DemandService& service, std::chrono::milliseconds interval)
      : service_(service), interval_(interval) {}
  ~Sweeper() { Stop(); }
  Sweeper(const Sweeper&) = delete;
  Sweeper& operator=(const Sweeper&) = delete;

  // Starts the thread; its first sweep runs at once.
  void Start();
  // Wakes the thread, lets a sweep in progress finish and joins it. Idempotent.
  void Stop();

 private:
  void Run();

  DemandService& service_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tongban::demands
