// The evaluation's scheduler hook: a thread that sends the due SMS invitations (InviteDue) every
// interval until stopped. The server starts it with its background work; the command line runs
// `tongban rate invite-due` instead.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "evaluation/service.h"

namespace tongban::evaluation {

class InvitationScheduler {
 public:
  // `service` must outlive the scheduler.
  InvitationScheduler(EvaluationService& service, std::chrono::milliseconds interval);
  ~InvitationScheduler();
  // Runs InviteDue at once (that round always runs), then every interval until stopped. A
  // second Start is ignored.
  void Start();
  // Wakes the thread and waits for it to end its round. Also run on destruction.
  void Stop();

 private:
  void Run();

  EvaluationService& service_;
  std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tongban::evaluation
