// The server's workflow worker: one thread that fires due timers and runs runnable jobs of the
// durable runtime in batches, and the platform actions those jobs run. Timers and jobs are taken
// with leases (bpmn/runtime.h), so several servers on one database may each run a worker.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "base/clock.h"
#include "bpmn/runtime.h"
#include "people/sms.h"

namespace tongban::app {

// Registers the platform actions a service task may name in zeebe:taskDefinition type:
//   log     writes the job's element, instance and headers to the server log; returns nothing.
//   notify  sends a text message through the SMS adapter to the `phone` variable (header
//           `message`, or a default naming the element); without a phone, it does nothing.
//           Idempotent as the runtime requires: a resent message only repeats a notice.
// Both return null (no variables). `sms` must outlive `runtime`.
void RegisterPlatformActions(bpmn::Runtime& runtime, people::SmsGateway& sms, const Clock& clock);

class WorkflowWorker {
 public:
  struct Options {
    std::chrono::milliseconds poll{1000};  // the wait when a round found nothing to do
    int batch = 100;                       // timers and jobs taken per round
    // Called after each round with what it did (tests); may be empty.
    std::function<void(int timers, int jobs)> observer;
  };

  // `runtime` must outlive the worker.
  WorkflowWorker(bpmn::Runtime& runtime, Options options);
  ~WorkflowWorker();  // Stop()
  WorkflowWorker(const WorkflowWorker&) = delete;
  WorkflowWorker& operator=(const WorkflowWorker&) = delete;

  void Start();
  // Wakes the thread, lets the round in progress finish and joins it. Idempotent.
  void Stop();
  // Runs one round on the calling thread: fires due timers and runs runnable jobs until a round
  // finds none or `batch` of each were taken. Returns how many timers and jobs it handled.
  std::pair<int, int> RunOnce();

 private:
  void Run();

  bpmn::Runtime& runtime_;
  Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tongban::app
