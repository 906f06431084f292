#include "projects/sweeper.h"

#include <spdlog/spdlog.h>

namespace tongban::projects {

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
      spdlog::warn("project sweep failed: {}", report.error().ToString());
    } else if (report->warnings + report->yellow_cards + report->red_cards > 0) {
      spdlog::info("project sweep: {} warnings, {} yellow, {} red cards", report->warnings,
                   report->yellow_cards, report->red_cards);
    }
    // The notices supervision queued for the cards (its own sweep) go out by SMS.
    auto sent = service_.SendNotices();
    if (!sent.ok()) {
      spdlog::warn("project notices not sent: {}", sent.error().ToString());
    } else if (*sent > 0) {
      spdlog::info("project notices: {} sent by SMS", *sent);
    }
    lock.lock();
    cv_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace tongban::projects
