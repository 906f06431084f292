// The server's checkpoint thread: signs the heads of changed streams every `interval`, and
// once more when stopped, so a clean shutdown leaves nothing unsigned.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "trace/trace.h"

namespace tongban::trace {

class Checkpointer {
 public:
  struct Options {
    std::chrono::milliseconds interval = std::chrono::minutes(10);
    // Called on the checkpoint thread after each attempt (tests and metrics); may be empty.
    std::function<void(const Result<std::optional<CheckpointRecord>>&)> observer;
  };

  // `trace` must outlive the Checkpointer.
  Checkpointer(Trace& trace, Options options);
  ~Checkpointer();  // Stop()
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Starts the thread; the first checkpoint comes one interval later.
  void Start();
  // Wakes the thread, lets it take a final checkpoint and joins it. Idempotent.
  void Stop();

 private:
  void Run();
  void TakeOne();

  Trace& trace_;
  Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tongban::trace
