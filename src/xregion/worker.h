// The delivery thread: runs Service::DeliverDue whenever a change wakes it, or when the earliest
// retry falls due, and at least every `idle` otherwise.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
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
  // Asks for a round now (after a change put messages in the outbox, or a receipt).
  void Wake();
  // Runs `work` at the start of every round (the case bridge opens received cases there).
  // Call before Start.
  void SetEachRound(std::function<void()> work);

 private:
  void Run();

  Service& service_;
  Transport& transport_;
  std::chrono::milliseconds idle_;
  std::function<void()> each_round_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace tongban::xregion
