#include "app/supervision_scheduler.h"

#include <spdlog/spdlog.h>

namespace tongban::app {

SupervisionScheduler::SupervisionScheduler(supervision::SupervisionService& service,
                                           std::chrono::seconds interval,
                                           std::function<void()> after_sweep)
    : service_(service), interval_(interval), after_sweep_(std::move(after_sweep)) {}

SupervisionScheduler::~SupervisionScheduler() { Stop(); }

void SupervisionScheduler::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Run(); });
}

void SupervisionScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SupervisionScheduler::Run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, interval_, [this] { return stopping_; })) return;
    }
    auto r = service_.Sweep({.count_matched = false});
    if (!r.ok()) {
      spdlog::warn("supervision sweep failed: {}", r.error().ToString());
      continue;
    }
    spdlog::info(
        "supervision sweep as of {}: {} open cases, {} warnings, {} yellow, {} red ({} ms)",
        r->as_of.ToString(), r->open_cases, r->warnings, r->yellow, r->red, r->elapsed_ms);
    if (r->notices > 0 && after_sweep_) after_sweep_();
  }
}

}  // namespace tongban::app
