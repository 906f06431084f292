// Leader/follower batching: callers on many threads hand in a job each, and one of them runs every
// job queued so far as one batch while the others wait. The costly part (a write transaction's
// commit, an SM2 signature) is then paid once per batch instead of once per job. No caller waits
// for a timer: when no batch runs, the caller runs its own at once (alone, if nobody else is
// queued); those arriving meanwhile form the next batch, which the first of them to wake runs.
// Group commit (cases/group_commit.h) and group sealing (cases/sealer.h) are the two users.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace tongban {

template <typename Job>
class Batcher {
 public:
  // `max_batch` (≥ 1) bounds how many jobs one batch takes.
  explicit Batcher(size_t max_batch) : max_batch_(max_batch < 1 ? 1 : max_batch) {}

  // Queues `job` (which must outlive the call) and returns once a batch holding it has run:
  // `run_batch(const std::vector<Job*>& batch)` is called, without the lock, by whichever caller
  // leads that batch, and must fill each job's result. Batches run one at a time, in queue order.
  // `run_batch` must not throw: an exception out of it ends the process (std::terminate) rather
  // than leave the batch's other callers waiting forever or returning a result never made.
  template <typename RunBatch>
  void Run(Job& job, RunBatch&& run_batch) {
    std::unique_lock lock(mu_);
    queue_.push_back(&job);
    // Batches take the queue in order, so this job is done once as many jobs have run as were
    // ever queued up to it.
    const int64_t place = ++queued_ever_;
    while (jobs_ < place) {
      if (leading_) {
        cv_.wait(lock);
        continue;
      }
      // Lead: take what is queued (this job among it, or an earlier leader took it and it is
      // done by the time this thread looks again).
      leading_ = true;
      const size_t n = std::min(queue_.size(), max_batch_);
      const std::vector<Job*> batch(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
      lock.unlock();
      RunLeaderBatch(run_batch, batch);
      lock.lock();
      ++batches_;
      jobs_ += static_cast<int64_t>(n);
      leading_ = false;
      cv_.notify_all();
    }
  }

  // Batches run, jobs they held, and jobs waiting for the next batch now.
  int64_t batches() const {
    std::lock_guard lock(mu_);
    return batches_;
  }
  int64_t jobs() const {
    std::lock_guard lock(mu_);
    return jobs_;
  }
  size_t queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
  }

 private:
  template <typename RunBatch>
  static void RunLeaderBatch(RunBatch& run_batch, const std::vector<Job*>& batch) noexcept {
    run_batch(batch);
  }

  const size_t max_batch_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;
  bool leading_ = false;  // a thread runs a batch now
  int64_t batches_ = 0;
  int64_t queued_ever_ = 0;
  int64_t jobs_ = 0;  // jobs run: the first `jobs_` ever queued
};

}  // namespace tongban
