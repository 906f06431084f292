// The delivery thread: runs Service::DeliverDue whenever a change wakes it, or when the earliest
// retry falls due, and at least every `idle` otherwise.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "xregion/service.h"

namespace tongban::xregion {

class DeliveryWorker {
 public:
  // `service` and `transport` outlive the worker.
  DeliveryWorker(Service& service, Transport& transport, std::chrono::milliseconds idle);
  ~DeliveryWorker();
  void Start();
  // Finishes the round in progress, then returns.
  void Stop();
  // Asks for a round now (after a change put messages in the outbox).
  void Wake();

 private:
  void Run();

  Service& service_;
  Transport& transport_;
  std::chrono::milliseconds idle_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace tongban::xregion
