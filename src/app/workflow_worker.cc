#include "app/workflow_worker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace tongban::app {
namespace {

// A string variable of the job, or "".
std::string Variable(const bpmn::Job& job, const std::string& name) {
  nlohmann::json vars = nlohmann::json::parse(feel::ToJson(job.variables), nullptr, false);
  if (!vars.is_object() || !vars.contains(name) || !vars[name].is_string()) return "";
  return vars[name].get<std::string>();
}

}  // namespace

void RegisterPlatformActions(bpmn::Runtime& runtime, people::SmsGateway& sms, const Clock& clock) {
  runtime.RegisterJobHandler("log", [](const bpmn::Job& job) -> Result<feel::Value> {
    std::string headers;
    for (const auto& [k, v] : job.headers) headers += fmt::format(" {}={}", k, v);
    spdlog::info("workflow log: instance {} element {} attempt {}{}", job.instance_id,
                 job.element_id, job.attempt, headers);
    return feel::Value();
  });
  runtime.RegisterJobHandler("notify", [&sms, &clock](const bpmn::Job& job) -> Result<feel::Value> {
    const std::string phone = Variable(job, "phone");
    if (phone.empty()) return feel::Value();
    auto header = job.headers.find("message");
    std::string text = header != job.headers.end()
                           ? header->second
                           : fmt::format("【通办】您的办件有新进展（{}）", job.element_id);
    const int64_t now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
            .count();
    TB_RETURN_IF_ERROR(sms.Send({.phone = phone, .text = text, .sent_at = now_ms}));
    return feel::Value();
  });
}

WorkflowWorker::WorkflowWorker(bpmn::Runtime& runtime, Options options)
    : runtime_(runtime), options_(std::move(options)) {}

WorkflowWorker::~WorkflowWorker() { Stop(); }

void WorkflowWorker::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Run(); });
}

void WorkflowWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::pair<int, int> WorkflowWorker::RunOnce() {
  int timers = 0, jobs = 0;
  auto fired = runtime_.FireDueTimers(options_.batch);
  if (fired.ok()) {
    timers = *fired;
  } else {
    spdlog::warn("workflow worker: timers: {}", fired.error().ToString());
  }
  auto ran = runtime_.RunDueJobs(options_.batch);
  if (ran.ok()) {
    jobs = *ran;
  } else {
    spdlog::warn("workflow worker: jobs: {}", ran.error().ToString());
  }
  if (options_.observer) options_.observer(timers, jobs);
  return {timers, jobs};
}

void WorkflowWorker::Run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto [timers, jobs] = RunOnce();
    lock.lock();
    // A full batch means more may be due: go on at once; otherwise wait for the next poll.
    if (timers < options_.batch && jobs < options_.batch) {
      cv_.wait_for(lock, options_.poll, [this] { return stopping_; });
    }
  }
}

}  // namespace tongban::app
