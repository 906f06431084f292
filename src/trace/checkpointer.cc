#include "trace/checkpointer.h"

#include <spdlog/spdlog.h>

namespace tongban::trace {

Checkpointer::Checkpointer(Trace& trace, Options options)
    : trace_(trace), options_(std::move(options)) {}

Checkpointer::~Checkpointer() { Stop(); }

void Checkpointer::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Run(); });
}

void Checkpointer::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    // wait_for returns early only on Stop(); spurious wake-ups re-check the predicate.
    if (cv_.wait_for(lock, options_.interval, [this] { return stopping_; })) break;
    lock.unlock();
    TakeOne();
    lock.lock();
  }
  lock.unlock();
  TakeOne();
}

void Checkpointer::TakeOne() {
  auto result = trace_.Checkpoint();
  if (!result.ok()) {
    spdlog::error("trace checkpoint failed: {}", result.error().ToString());
  } else if (*result) {
    spdlog::info("trace checkpoint {} signed {} stream heads", (*result)->id,
                 (*result)->heads.size());
  }
  if (options_.observer) options_.observer(result);
}

}  // namespace tongban::trace
