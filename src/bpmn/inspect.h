// The read side of the durable runtime for operators and the HTTP API: deployed process
// versions, instances filtered by process and status in keyset pages, what an instance waits
// for, and the check a server makes before deploying (every candidate group must resolve). It
// only reads the runtime's tables (bpmn/runtime.h owns them and every write).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "bpmn/runtime.h"
#include "store/database.h"

namespace tongban::bpmn {

struct DeployedVersion {
  std::string process_id;
  int version = 0;
  std::string deployment_id;
  std::string deployed_by;
  Timestamp deployed_at;
};

struct InstanceSummary {
  std::string id;
  std::string process_id;
  int version = 0;
  RunStatus status = RunStatus::kRunning;
  std::string started_by;
  Timestamp created;
  Timestamp updated;
  std::string region;      // set at start; empty: none
  std::string department;  // set at start; empty: none
};

// Keyset pagination over instances, oldest first.
struct InstanceCursor {
  int64_t created_at = 0;
  std::string instance_id;
};
struct InstanceFilter {
  std::string process_id;           // empty: any process
  std::optional<RunStatus> status;  // absent: any status
  int limit = 50;
  std::optional<InstanceCursor> after;
  // When set, only the instances it accepts are listed (the caller's grants). A page then scans
  // up to 20 × limit rows; when it found fewer than `limit`, `next` continues after the last
  // row scanned.
  std::function<bool(const InstanceSummary&)> visible;
};
struct InstancePage {
  std::vector<InstanceSummary> instances;
  std::optional<InstanceCursor> next;  // absent on the last page
};

// What a running instance waits for, each with the element that waits.
struct Waits {
  struct TaskWait {
    std::string task_id, element_id;
  };
  struct TimerWait {
    std::string timer_id, element_id;
    Timestamp due;
  };
  struct JobWait {
    std::string job_id, element_id, task_type, state;
  };
  struct MessageWait {
    std::string subscription_id, message_name, correlation_key;
  };
  std::vector<TaskWait> tasks;
  std::vector<TimerWait> timers;
  std::vector<JobWait> jobs;
  std::vector<MessageWait> messages;
};

std::optional<RunStatus> ParseRunStatus(std::string_view name);

class Inspector {
 public:
  // `db` must outlive the inspector and hold the runtime's schema.
  static Result<std::unique_ptr<Inspector>> Create(store::Database& db);
  ~Inspector();

  // Every deployed version of every process, by process id then version.
  Result<std::vector<DeployedVersion>> ListProcesses();
  // The BPMN XML deployed as `version` of `process_id` (absent: the latest), as deployed (it
  // may hold other processes of the same file), so a modeller can show and edit it.
  // kNotFound when the process or that version was never deployed.
  Result<std::string> ProcessXml(const std::string& process_id, std::optional<int> version);
  // Instances matching `filter`, oldest first; `limit` is clamped to 1..500.
  Result<InstancePage> ListInstances(const InstanceFilter& filter);
  Result<Waits> WaitsOf(const std::string& instance_id);

 private:
  class Impl;
  explicit Inspector(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The deployment check of a server: reads `xml` and returns every problem a deployment would
// be refused for, each keyed by its element id: the model's own errors, and each candidate
// group for which `known_group` is false (a group must name a role of the role catalog or a
// department of the catalog). Empty when the model may be deployed. kInvalidArgument when the
// text is not BPMN at all.
Result<FieldErrors> DeploymentProblems(std::string_view xml,
                                       const std::function<bool(const std::string&)>& known_group);

}  // namespace tongban::bpmn
