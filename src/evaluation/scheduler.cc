#include "evaluation/scheduler.h"

#include <spdlog/spdlog.h>

namespace tongban::evaluation {

InvitationScheduler::InvitationScheduler(EvaluationService& service,
                                         std::chrono::milliseconds interval)
    : service_(service), interval_(interval) {}

InvitationScheduler::~InvitationScheduler() { Stop(); }

void InvitationScheduler::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void InvitationScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void InvitationScheduler::Run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    lock.unlock();
    auto sent = service_.InviteDue();
    if (!sent.ok()) {
      spdlog::warn("evaluation invitations: {}", sent.error().ToString());
    } else if (*sent > 0) {
      spdlog::info("evaluation invitations: {} sent", *sent);
    }
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

}  // namespace tongban::evaluation
