#include "base/batcher.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

namespace tongban {
namespace {

struct Job {
  int in = 0;
  int out = 0;
};

TEST(Batcher, ALoneCallerRunsItsOwnBatchAtOnce) {
  Batcher<Job> batcher(8);
  Job job{.in = 21};
  std::vector<size_t> sizes;
  batcher.Run(job, [&](const std::vector<Job*>& batch) {
    sizes.push_back(batch.size());
    for (Job* j : batch) j->out = 2 * j->in;
  });
  EXPECT_EQ(job.out, 42);
  EXPECT_EQ(sizes, std::vector<size_t>{1});
  EXPECT_EQ(batcher.batches(), 1);
  EXPECT_EQ(batcher.jobs(), 1);
  EXPECT_EQ(batcher.queued(), 0U);
}

// While one batch runs, the callers arriving queue up; when it ends they run as the next batches,
// at most `max_batch` jobs each, and every caller returns with its own job's result.
TEST(Batcher, CallersArrivingDuringABatchRunTogetherNext) {
  constexpr int kFollowers = 7;
  Batcher<Job> batcher(3);
  std::mutex sizes_mu;
  std::vector<size_t> sizes;
  std::atomic<bool> release{false};
  const auto run = [&](const std::vector<Job*>& batch) {
    {
      std::lock_guard lock(sizes_mu);
      sizes.push_back(batch.size());
    }
    for (Job* j : batch) {
      if (j->in == 0) {
        while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      j->out = 2 * j->in + 1;
    }
  };
  Job first{.in = 0};
  std::thread leader([&] { batcher.Run(first, run); });
  const auto batches_started = [&] {
    std::lock_guard lock(sizes_mu);
    return sizes.size();
  };
  while (batches_started() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<Job> jobs(kFollowers);
  std::vector<std::thread> followers;
  for (int i = 0; i < kFollowers; ++i) {
    jobs[i].in = i + 1;
    followers.emplace_back([&, i] { batcher.Run(jobs[i], run); });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (batcher.queued() != kFollowers && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(batcher.queued(), static_cast<size_t>(kFollowers)) << "the followers wait, not run";
  EXPECT_EQ(batcher.batches(), 0);
  release = true;
  leader.join();
  for (std::thread& t : followers) t.join();
  EXPECT_EQ(first.out, 1);
  for (int i = 0; i < kFollowers; ++i) EXPECT_EQ(jobs[i].out, 2 * (i + 1) + 1) << i;
  EXPECT_EQ(sizes, (std::vector<size_t>{1, 3, 3, 1}));
  EXPECT_EQ(batcher.batches(), 4);
  EXPECT_EQ(batcher.jobs(), 1 + kFollowers);
  EXPECT_EQ(batcher.queued(), 0U);
}

}  // namespace
}  // namespace tongban
