#include "xregion/worker.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace tongban::xregion {

DeliveryWorker::DeliveryWorker(Service& service, Transport& transport,
                               std::chrono::milliseconds idle)
    : service_(service), transport_(transport), idle_(idle) {}

DeliveryWorker::~DeliveryWorker() { Stop(); }

void DeliveryWorker::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void DeliveryWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void DeliveryWorker::Wake() {
  {
    std::lock_guard lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void DeliveryWorker::SetEachRound(std::function<void()> work) { each_round_ = std::move(work); }

void DeliveryWorker::Run() {
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      woken_ = false;
    }
    std::chrono::milliseconds wait = idle_;
    if (each_round_) each_round_();
    auto round = service_.DeliverDue(transport_);
    if (!round.ok()) {
      // kNotFound: no identity yet; anything else is logged and retried next time.
      if (round.error().code() != ErrorCode::kNotFound) {
        spdlog::warn("xregion delivery: {}", round.error().ToString());
      }
    }
    auto next = service_.NextDueMs();
    if (next.ok() && *next > 0) {
      const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      wait =
          std::clamp(std::chrono::milliseconds(*next - now), std::chrono::milliseconds(0), idle_);
    }
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, wait, [this] { return stop_ || woken_; });
  }
}

}  // namespace tongban::xregion
