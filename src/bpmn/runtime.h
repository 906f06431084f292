// The durable, exactly-once workflow runtime over store::Database (SQLite and PostgreSQL).
//
// An instance is one row holding the engine's InstanceState and a revision. A step loads the
// row, runs one Engine call (start, task completion, timer, job, message, called process done),
// and in the SAME write transaction writes the new state with revision + 1 (compare-and-set) and
// every row derived from it: open tasks, timers, jobs, message subscriptions, incidents, history
// events. So a crash leaves every instance before or after a step, and a trigger that two
// requests (or two runtimes) race to apply has exactly one effect: the loser finds its task,
// timer or job gone (kNotFound) or the revision moved (kConflict).
//
// Timers and jobs are taken with leases (owner + expiry), so runtimes sharing one database never
// run the same one twice; a job's action runs after the lease is taken and outside any
// transaction, and its completion is a step that deletes the job row.
//
// Service actions, two kinds (as Camunda 7 runs a service task inside the transaction unless it
// is marked camunda:asyncBefore, while Zeebe always makes a job):
//  - an external action (RegisterJobHandler) may touch anything outside the database (a text
//    message, another system): its service task becomes a job, run after the step commits,
//    idempotent because a crash between the action and its completion step runs it again;
//  - an in-transaction action (RegisterInTransactionHandler) only computes on the variables or
//    writes through the step's own session, and touches nothing outside the database: a service
//    task bound to it runs inline, inside the step that reaches it — no job row, no lease, no
//    second commit — so its writes commit or roll back with the step, exactly once. When it
//    fails, the step is an incident at the service task (the instance keeps its state before
//    the step, the action's writes are undone) that RetryIncident runs again. A service task
//    with camunda:asyncBefore="true" is a job even then: its action runs inside the job's
//    completion step instead.
// An action that sends, calls or writes anything outside the database must be external: a
// rolled-back step, or one of two racing completions, would otherwise leave its effect behind.
//
// Acceptance–approval separation: a user task whose zeebe:taskHeaders have
// `tongban.step = approval` cannot be completed by the account that completed a task with
// `tongban.step = acceptance` of the same instance.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "bpmn/engine.h"
#include "feel/value.h"
#include "store/database.h"
#include "store/migrations.h"

namespace tongban::bpmn {

// Who acts: a user completing or claiming a task, deploying, starting. Candidate groups of a
// task name a role or a department; the actor is in a group when it holds that role or belongs
// to that department.
struct Actor {
  std::string account_id;
  std::vector<std::string> roles;
  std::string department;
  std::string region;
  // The HTTP request acting (X-Request-Id), recorded with the history of what it causes.
  std::string request_id{};
};

// The header key and values of acceptance–approval separation.
inline constexpr std::string_view kStepHeader = "tongban.step";
inline constexpr std::string_view kAcceptanceStep = "acceptance";
inline constexpr std::string_view kApprovalStep = "approval";

struct ProcessVersion {
  std::string process_id;
  int version = 0;
};

struct Deployment {
  std::string id;
  std::vector<ProcessVersion> processes;
  bool reused = false;  // the same bytes were deployed before: nothing new was created
};

enum class TaskState { kOpen, kClaimed, kCompleted, kCancelled };
std::string_view TaskStateName(TaskState s);

struct Task {
  std::string id;  // instance id '/' activity id
  std::string instance_id;
  int activity = 0;
  std::string element_id;
  std::string name;
  std::string process_id;
  std::string assignee;                       // empty: unassigned
  std::vector<std::string> candidate_groups;  // roles and department codes
  std::vector<std::string> candidate_users;   // accounts
  std::optional<Timestamp> due;
  std::map<std::string, std::string> headers;
  TaskState state = TaskState::kOpen;
  std::string delegated_by;
  std::string completed_by;
  Timestamp created;
  std::string region;      // the instance's
  std::string department;  // the instance's
};

// Keyset pagination: pass the last page's `next` to get the following page.
struct TaskCursor {
  int64_t created_at = 0;
  std::string task_id;
};
struct TaskPage {
  std::vector<Task> tasks;
  std::optional<TaskCursor> next;  // absent on the last page
};

enum class RunStatus { kRunning, kCompleted, kIncident, kCancelled };
std::string_view RunStatusName(RunStatus s);

struct InstanceInfo {
  std::string id;
  std::string process_id;
  int version = 0;
  RunStatus status = RunStatus::kRunning;
  int64_t revision = 0;
  std::string parent_instance;  // a called instance: its caller
  InstanceState state;
  std::string region;      // set at start (StartOptions); empty: none
  std::string department;  // set at start; empty: none
};

struct Incident {
  std::string id;
  std::string instance_id;
  std::string element_id;
  std::string message;
  std::string job_id;  // a job's incident; empty for a failed step
  bool open = true;
  Timestamp created;
  std::string region;      // the instance's
  std::string department;  // the instance's
};

struct HistoryEvent {
  int64_t seq = 0;
  std::string element_id;
  std::string kind;  // started, completed, task-created, claimed, delegated, incident, ...
  Timestamp at;
  // Who caused it: an account, `timer`, `job:<type>` or `message:<name>`.
  std::string actor;
  std::string request_id;  // the HTTP request that caused it, when there was one
};

// What a job handler gets: the job and the variables its service task sees.
struct Job {
  std::string id;
  std::string instance_id;
  int activity = 0;
  std::string element_id;
  std::string task_type;
  int attempt = 1;
  feel::Value variables;
  std::map<std::string, std::string> headers;
};
// A platform action. Returns the variables to merge (a context, or null); an error makes the
// job retry with backoff, then an incident. Must be idempotent: after a crash between the
// action and the step that records it, the job runs again.
using JobHandler = std::function<Result<feel::Value>(const Job&)>;
// An in-transaction platform action: it runs inside the write transaction of the step that
// reaches its service task, on that step's `session`, and must touch nothing outside the
// database (see the top of this file). `job.id` is "<instance>/<activity>" (there is no job row
// unless the task is camunda:asyncBefore). Returns the variables to merge (a context, or null);
// an error (or an exception) undoes what it wrote and makes the step an incident at the task.
using InTransactionHandler = std::function<Result<feel::Value>(const Job&, soci::session&)>;
// Whether an in-transaction action uses its session. One that runs no statement at all (it only
// computes on the variables) needs no savepoint to undo it: two statements less per step. (On
// PostgreSQL a failed statement without a savepoint would abort the whole step.)
enum class ActionWrites { kDatabase, kNothing };

enum class MessageOutcome { kCorrelated, kBuffered, kDropped };

// How an instance starts: the version (absent: the latest), and the region and department it
// belongs to (e.g. its case's), by which listings are scoped to a caller's grants. A called
// instance inherits its caller's.
struct StartOptions {
  std::optional<int> version{};
  std::string region{};
  std::string department{};
};

// What an instance started inside a caller's transaction (Runtime::StartInstanceIn) leaves for
// after that transaction: the states its steps wrote, which reach the runtime's cache only once
// the caller committed (Runtime::Committed). After a rollback the caller just drops it.
struct AfterCommit {
  struct State {
    std::string instance_id;
    long long revision = 0;
    std::shared_ptr<const InstanceState> state;  // null: drop the cached entry
  };
  std::vector<State> states;
};

// Accepts the rows a listing may show (the caller's grants).
using TaskFilter = std::function<bool(const Task&)>;

class Runtime {
 public:
  struct Options {
    std::string owner = "runtime";  // lease owner: unique per runtime sharing the database
    std::chrono::microseconds lease = std::chrono::seconds(30);
    int job_attempts = 3;  // a failing job becomes an incident after this many attempts
    std::chrono::microseconds job_backoff = std::chrono::seconds(10);  // doubled per attempt
    // Group commit: when > 1, one writer thread commits the steps of up to this many
    // concurrent callers in one transaction (each in its own savepoint), acknowledging each
    // only after the commit. 0 or 1: every step commits on its own.
    int group_commit = 0;
  };

  // The schema of the runtime's tables, for Database::Migrate.
  static Result<store::MigrationSet> Migrations();
  // `db` and `clock` must outlive the runtime. The schema must be migrated.
  static Result<std::unique_ptr<Runtime>> Create(store::Database& db, const Clock& clock,
                                                 Options options);
  ~Runtime();

  // Deploys BPMN XML: each process it contains becomes the next version of its id. The same
  // bytes deployed again return the first deployment (reused). Invalid models are refused
  // (kInvalidArgument) with every problem, each naming its element.
  Result<Deployment> Deploy(std::string_view xml, const Actor& actor);

  // Starts the latest (or the given) version of `process_id`, running its first step. Returns
  // the instance id.
  Result<std::string> StartInstance(const std::string& process_id, const feel::Value& variables,
                                    const Actor& actor, std::optional<int> version = std::nullopt);
  Result<std::string> StartInstance(const std::string& process_id, const feel::Value& variables,
                                    const Actor& actor, const StartOptions& options);
  // Starts an instance inside the caller's write transaction on `sql` (a session of this
  // runtime's database), so that the instance commits or rolls back with the caller's own writes
  // (e.g. a case's acceptance and its review process): the instance row, its first tasks,
  // timers, jobs and history are written with the caller's statements, nothing is committed
  // here, and no group-commit writer is involved. Returns the instance as its first step left
  // it. Call Committed(after) once the caller committed; after a rollback drop `after` (the
  // instance never existed).
  Result<InstanceInfo> StartInstanceIn(soci::session& sql, const std::string& process_id,
                                       const feel::Value& variables, const Actor& actor,
                                       const StartOptions& options, AfterCommit& after);
  // Publishes what StartInstanceIn staged, after the caller's COMMIT, and empties `after`.
  void Committed(AfterCommit& after);
  Result<InstanceInfo> GetInstance(const std::string& instance_id);
  // Closes every task, timer, job and subscription of the instance (and its called instances).
  Status CancelInstance(const std::string& instance_id, const Actor& actor);

  // The open tasks of a candidate group / of an assignee, oldest first.
  Result<TaskPage> ListGroupTasks(const std::string& group, int limit,
                                  const std::optional<TaskCursor>& after = std::nullopt);
  // The same, only the tasks `visible` accepts: a page scans up to 20 × limit rows, and when
  // it found fewer than `limit`, `next` continues after the last row scanned.
  Result<TaskPage> ListGroupTasks(const std::string& group, int limit,
                                  const std::optional<TaskCursor>& after,
                                  const TaskFilter& visible);
  Result<TaskPage> ListAssigneeTasks(const std::string& assignee, int limit,
                                     const std::optional<TaskCursor>& after = std::nullopt);
  Result<Task> GetTask(const std::string& task_id);
  // Claim: an unassigned task for an actor in one of its groups. Unclaim: the assignee gives it
  // back. Delegate: the assignee (or, unassigned, a group member) hands it to `to_account`.
  Status ClaimTask(const std::string& task_id, const Actor& actor);
  Status UnclaimTask(const std::string& task_id, const Actor& actor);
  Status DelegateTask(const std::string& task_id, const Actor& actor,
                      const std::string& to_account);
  // Completes the task with `variables` (a context or null) as one step. A second completion
  // of the same task is kNotFound; a concurrent one kNotFound or kConflict.
  Status CompleteTask(const std::string& task_id, const feel::Value& variables, const Actor& actor);

  // Delivers message `name` to the oldest subscription with `correlation_key`. Without one,
  // the message is buffered until now + ttl (ttl 0: dropped) and delivered in the step that
  // opens a matching subscription.
  Result<MessageOutcome> CorrelateMessage(const std::string& name,
                                          const std::string& correlation_key,
                                          const feel::Value& variables,
                                          std::chrono::microseconds ttl);

  // Jobs run through the handler registered for their zeebe:taskDefinition type. A type has one
  // handler: registering it again, of either kind, replaces the previous one.
  void RegisterJobHandler(const std::string& task_type, JobHandler handler);
  // Service tasks of this type run inline in the step that reaches them (see the top of this
  // file); camunda:asyncBefore ones, and jobs created before this registration, run it inside
  // their job's completion step.
  // `writes` kNothing promises that the action runs no statement on its session.
  void RegisterInTransactionHandler(const std::string& task_type, InTransactionHandler handler,
                                    ActionWrites writes = ActionWrites::kDatabase);
  // Takes up to `limit` due timers with a lease and fires each as a step. Returns how many
  // fired.
  Result<int> FireDueTimers(int limit);
  // Takes up to `limit` runnable jobs with a lease and runs each; returns how many completed.
  Result<int> RunDueJobs(int limit);

  Result<std::vector<Incident>> ListIncidents(const std::string& instance_id = "");
  // Runs the failed step (or the failed job) again, after merging `variables` (a context or
  // null: the fix) into the instance's variables.
  Status RetryIncident(const std::string& incident_id, const feel::Value& variables,
                       const Actor& actor);
  // Marks the incident resolved without running anything (an operator fixed it elsewhere).
  Status ResolveIncident(const std::string& incident_id, const Actor& actor);

  Result<std::vector<HistoryEvent>> History(const std::string& instance_id);

 private:
  class Impl;
  explicit Runtime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tongban::bpmn
