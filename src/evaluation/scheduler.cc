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
  // One round at once, even when stopped at the same moment: a started scheduler always looks.
  while (true) {
    auto sent = service_.InviteDue();
    if (!sent.ok()) {
      spdlog::warn("evaluation invitations: {}", sent.error().ToString());
    } else if (*sent > 0) {
      spdlog::info("evaluation invitations: {} sent", *sent);
    }
    std::unique_lock lock(mu_);
    if (wake_.wait_for(lock, interval_, [this] { return stop_; })) return;
  }
}

}  // namespace tongban::evaluation
