// The scheduler of the projects sweep: one thread that calls ProjectService::Sweep() every
// `interval` (warnings and cards of late projects, stages, matters and escalation parts into
// supervision's card table), then SendNotices() (the notices supervision queued for them, by
// SMS), started and stopped by the server.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "projects/service.h"

namespace tongban::projects {

class Sweeper {
 public:
  // `service` must outlive the sweeper.
  Sweeper(ProjectService& service, std::chrono::milliseconds interval)
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

  ProjectService& service_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tongban::projects
