#include "demands/sweeper.h"

#include <spdlog/spdlog.h>

namespace tongban::demands {

void Sweeper::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Sweeper::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Sweeper::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto report = service_.Sweep();
    if (!report.ok()) {
      spdlog::warn("demand sweep failed: {}", report.error().ToString());
    } else if (report->sign_overdue + report->reminded + report->supervised > 0) {
      spdlog::info("demand sweep: {} late to sign, {} reminded, {} supervised",
                   report->sign_overdue, report->reminded, report->supervised);
    }
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace tongban::demands
