#include "benefits/match_scheduler.h"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace tongban::benefits {

people::Principal SchedulerPrincipal() {
  people::Principal p;
  p.account.id = "system";
  p.account.kind = people::AccountKind::kStaff;
  people::HeldGrant g;
  g.grant.scope.region = "*";
  g.permissions = {"policy.match", "register.read_full"};
  p.grants.push_back(g);
  return p;
}

void MatchScheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void MatchScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MatchScheduler::Run() {
  const people::Principal system = SchedulerPrincipal();
  std::unique_lock<std::mutex> lock(mu_);
  auto next_match = std::chrono::steady_clock::now();
  while (!stopping_) {
    lock.unlock();
    auto sent = benefits_.SendDue(system);
    if (!sent.ok()) spdlog::warn("sending due notices failed: {}", sent.error().ToString());
    if (std::chrono::steady_clock::now() < next_match) {
      lock.lock();
      cv_.wait_for(lock, send_interval_, [this] { return stopping_; });
      continue;
    }
    next_match = std::chrono::steady_clock::now() + interval_;
    auto runs = benefits_.RunDue(system);
    if (!runs.ok()) {
      spdlog::warn("scheduled matching failed: {}", runs.error().ToString());
    } else {
      for (const MatchRun& r : *runs) {
        spdlog::info("scheduled matching run {} of {} v{}: {} screened, {} eligible not receiving",
                     r.id, r.policy, r.version, r.total.screened, r.total.eligible_not_receiving);
      }
    }
    lock.lock();
    cv_.wait_for(lock, std::min(interval_, send_interval_), [this] { return stopping_; });
  }
}

}  // namespace tongban::benefits
