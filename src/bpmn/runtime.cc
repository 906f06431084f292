#include "bpmn/runtime.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <unordered_map>

#include "base/id.h"
#include "bpmn/reader.h"
#include "bpmn/runtime_codec.h"
#include "store/queries.h"

namespace tongban {
extern const EmbeddedFile kBpmnRuntimeFiles[];
extern const size_t kBpmnRuntimeFiles_count;
}  // namespace tongban

namespace tongban::bpmn {
namespace {

using Json = nlohmann::json;

template <typename T>
Status StatusOf(const Result<T>& r) {
  if (!r.ok()) return r.error();
  return Ok();
}

long long Micros(Timestamp t) { return t.time_since_epoch().count(); }
Timestamp FromMicros(long long us) { return Timestamp(std::chrono::microseconds(us)); }

std::string Checksum(std::string_view bytes) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a 64
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return fmt::format("{:016x}-{}", h, bytes.size());
}

std::string RunStatusText(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::kRunning:
      return "running";
    case InstanceStatus::kCompleted:
      return "completed";
    case InstanceStatus::kIncident:
      return "incident";
  }
  return "running";
}

RunStatus ParseRunStatus(std::string_view s) {
  if (s == "completed") return RunStatus::kCompleted;
  if (s == "incident") return RunStatus::kIncident;
  if (s == "cancelled") return RunStatus::kCancelled;
  return RunStatus::kRunning;
}

TaskState ParseTaskState(std::string_view s) {
  if (s == "claimed") return TaskState::kClaimed;
  if (s == "completed") return TaskState::kCompleted;
  if (s == "cancelled") return TaskState::kCancelled;
  return TaskState::kOpen;
}

std::string JoinComma(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> SplitComma(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    if (comma > pos) out.push_back(text.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

std::string ToText(const feel::Value& v) {
  return v.is(feel::Kind::kString) ? v.string() : v.ToString();
}

// Candidate users share the task's candidate column with groups, marked by this prefix.
constexpr std::string_view kUserCandidate = "user:";

// Adds the names a candidate expression evaluated to (a string, comma-separated, or a list of
// strings; null adds nothing) to `out`, each after `prefix`, without duplicates.
void AddNames(const feel::Value& v, std::string_view prefix, std::vector<std::string>& out) {
  auto add = [&](const std::string& text) {
    size_t pos = 0;
    while (pos <= text.size()) {
      size_t comma = text.find(',', pos);
      if (comma == std::string::npos) comma = text.size();
      std::string name = text.substr(pos, comma - pos);
      name.erase(0, name.find_first_not_of(' '));
      name.erase(name.find_last_not_of(' ') + 1);
      std::string entry = std::string(prefix) + name;
      if (!name.empty() && std::find(out.begin(), out.end(), entry) == out.end()) {
        out.push_back(std::move(entry));
      }
      pos = comma + 1;
    }
  };
  if (v.is(feel::Kind::kList)) {
    for (const feel::Value& item : v.list()) {
      if (!item.is(feel::Kind::kNull)) add(ToText(item));
    }
  } else if (!v.is(feel::Kind::kNull)) {
    add(ToText(v));
  }
}

// One external trigger of a step; stored with a failed step's incident so a retry runs it again.
struct Trigger {
  enum class Kind { kStart, kCompleteTask, kFireTimer, kCompleteJob, kMessage, kCallDone };
  Kind kind = Kind::kStart;
  int activity = -1;
  int timer = -1;
  std::string name;
  std::string key;
  feel::Value variables;
  std::string error_code;

  std::string Encode() const {
    Json j;
    j["kind"] = static_cast<int>(kind);
    j["activity"] = activity;
    j["timer"] = timer;
    j["name"] = name;
    j["key"] = key;
    j["vars"] = EncodeValue(variables);
    j["error"] = error_code;
    return j.dump();
  }
  static Result<Trigger> Decode(const std::string& text) {
    Json j = Json::parse(text, nullptr, false);
    if (j.is_discarded()) return Error(ErrorCode::kIntegrity, "stored trigger is not JSON");
    try {
      Trigger t;
      t.kind = static_cast<Kind>(j.at("kind").get<int>());
      t.activity = j.at("activity").get<int>();
      t.timer = j.at("timer").get<int>();
      t.name = j.at("name").get<std::string>();
      t.key = j.at("key").get<std::string>();
      TB_ASSIGN_OR_RETURN(t.variables, DecodeValue(j.at("vars").get<std::string>()));
      t.error_code = j.at("error").get<std::string>();
      return t;
    } catch (const Json::exception& e) {
      return Error(ErrorCode::kIntegrity, fmt::format("stored trigger: {}", e.what()));
    }
  }
};

enum class RowLock { kNone, kForUpdate };

struct InstanceRow {
  std::string process_id;
  int version = 0;
  std::string status;
  std::string state;
  long long revision = 0;
  long long history_seq = 0;
  std::string parent_instance;
  int parent_activity = -1;
  std::string region;
  std::string department;
  std::string started_by;
  bool fresh = false;  // not written yet: the instance's first step inserts it
};

// Who or what caused a step or event, for its history rows: an account, `timer`,
// `job:<type>`, `message:<name>`; and the HTTP request's id when there was one.
struct Cause {
  std::string actor;
  std::string request_id;
};

Cause CauseOf(const Actor& actor) { return {actor.account_id, actor.request_id}; }

// Multi-row history inserts: one statement per step for up to this many events.
constexpr size_t kHistoryChunk = 16;

// A deployed file parsed once; engines reference its Definitions.
struct Loaded {
  Definitions definitions;
  const Process* process = nullptr;
};

// A message subscription of a waiting state: the activity that waits, the event that catches.
struct Subscription {
  std::string id;
  int activity = -1;
  std::string element_id;
  std::string name;
  std::string key;
};

struct HistoryRow {
  std::string element_id;
  std::string kind;
};

// A state a step wrote, at the revision it wrote it with; cached once its transaction commits.
using StagedState = AfterCommit::State;

// The states written by the write transaction running on this thread (null: none is staged).
thread_local std::vector<StagedState>* t_staged = nullptr;

// Stages into `staged` for a scope.
class Staging {
 public:
  explicit Staging(std::vector<StagedState>* staged) : saved_(t_staged) { t_staged = staged; }
  ~Staging() { t_staged = saved_; }
  Staging(const Staging&) = delete;
  Staging& operator=(const Staging&) = delete;

 private:
  std::vector<StagedState>* saved_;
};

// The codec stores a function as null: a state holding one is not cached, so that a cached
// state always equals what decoding the stored text gives.
bool HoldsFunction(const feel::Value& v) {
  if (v.is(feel::Kind::kFunction)) return true;
  if (v.is(feel::Kind::kList)) {
    return std::any_of(v.list().begin(), v.list().end(), HoldsFunction);
  }
  if (v.is(feel::Kind::kContext)) {
    return std::any_of(v.context().begin(), v.context().end(),
                       [](const feel::ContextEntry& e) { return HoldsFunction(e.value); });
  }
  return false;
}

bool HoldsFunction(const std::map<std::string, feel::Value>& values) {
  return std::any_of(values.begin(), values.end(),
                     [](const auto& entry) { return HoldsFunction(entry.second); });
}

bool Cacheable(const InstanceState& s) {
  if (HoldsFunction(s.variables)) return false;
  for (const auto& [id, a] : s.activities) {
    if (HoldsFunction(a.locals)) return false;
    if (std::any_of(a.items.begin(), a.items.end(),
                    [](const feel::Value& v) { return HoldsFunction(v); }) ||
        std::any_of(a.outputs.begin(), a.outputs.end(),
                    [](const feel::Value& v) { return HoldsFunction(v); })) {
      return false;
    }
  }
  for (const CallRequest& c : s.calls) {
    if (HoldsFunction(c.variables)) return false;
  }
  return true;
}

// Instances whose decoded state is kept: beyond this the cache starts over.
constexpr size_t kCachedStates = 65536;

// In-transaction actions one step may run: more is a loop of service tasks, an incident.
constexpr int kActionsPerStep = 1000;

// Calls an in-transaction action; an exception is its error.
Result<feel::Value> CallAction(soci::session& sql, const InTransactionHandler& handler,
                               const Job& job) {
  try {
    return handler(job, sql);
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInternal, e.what());
  }
}

// A registered in-transaction action.
struct InTransactionAction {
  InTransactionHandler handler;
  ActionWrites writes = ActionWrites::kDatabase;
};

// Runs an in-transaction action on `sql`, inside a savepoint when it writes: an error undoes
// what it wrote (on PostgreSQL also what a failed statement left aborted) and is its result.
Result<feel::Value> RunInTransaction(soci::session& sql, const InTransactionAction& action,
                                     const Job& job) {
  if (action.writes == ActionWrites::kNothing) return CallAction(sql, action.handler, job);
  store::Execute(sql, "SAVEPOINT bpmn_action");
  Result<feel::Value> result = CallAction(sql, action.handler, job);
  if (!result.ok()) store::Execute(sql, "ROLLBACK TO SAVEPOINT bpmn_action");
  store::Execute(sql, "RELEASE SAVEPOINT bpmn_action");
  return result;
}

}  // namespace

std::string_view TaskStateName(TaskState s) {
  switch (s) {
    case TaskState::kOpen:
      return "open";
    case TaskState::kClaimed:
      return "claimed";
    case TaskState::kCompleted:
      return "completed";
    case TaskState::kCancelled:
      return "cancelled";
  }
  return "open";
}

std::string_view RunStatusName(RunStatus s) {
  switch (s) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kCompleted:
      return "completed";
    case RunStatus::kIncident:
      return "incident";
    case RunStatus::kCancelled:
      return "cancelled";
  }
  return "running";
}

class Runtime::Impl {
 public:
  Impl(store::Database& db, const Clock& clock, Options options, store::QuerySet queries)
      : db_(db), clock_(clock), options_(std::move(options)), queries_(std::move(queries)) {
    std::string values;
    for (size_t n = 0; n < kHistoryChunk; ++n) {
      std::string k = std::to_string(n);
      values += fmt::format("{}(:i{k}, :s{k}, :e{k}, :k{k}, :t{k}, :a{k}, :r{k})", n ? ", " : "",
                            fmt::arg("k", k));
      history_inserts_.push_back(
          "INSERT INTO bpmn_history (instance_id, seq, element_id, kind, happened_at, actor, "
          "request_id) VALUES " +
          values);
    }
    if (options_.group_commit > 1) writer_ = std::thread([this] { WriterLoop(); });
  }

  ~Impl() {
    if (!writer_.joinable()) return;
    {
      std::lock_guard lock(queue_mu_);
      stop_ = true;
    }
    queue_cv_.notify_all();
    writer_.join();
  }

  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // ---- write transactions, one each or grouped

  // Runs `body` in a write transaction and returns once it is committed. With group commit,
  // the writer thread runs the bodies of several callers in one transaction, each inside its
  // own savepoint (a failing body is rolled back alone), and answers every caller only after
  // the COMMIT: an acknowledged step is durable, and a failed COMMIT fails every step of the
  // batch (none of them took effect). The bodies run one after another, so a step sees the
  // steps batched before it, and the compare-and-set keeps a trigger to one effect.
  Status Write(const std::function<Status(soci::session&)>& body) {
    if (!writer_.joinable()) {
      std::vector<StagedState> staged;
      Staging staging(&staged);
      Status s = db_.Transaction(store::TxKind::kWrite, body);
      if (s.ok()) Publish(staged);
      return s;
    }
    return WriteEach({body}).front();
  }

  // Runs each body as its own write (as Write does), all handed to the group-commit writer at
  // once so that they can share a commit; returns each one's outcome, in order.
  std::vector<Status> WriteEach(const std::vector<std::function<Status(soci::session&)>>& bodies) {
    std::vector<Status> out;
    out.reserve(bodies.size());
    if (!writer_.joinable()) {
      for (const auto& body : bodies) out.push_back(Write(body));
      return out;
    }
    std::vector<Pending> pending(bodies.size());
    std::vector<std::future<Status>> done;
    done.reserve(bodies.size());
    for (size_t i = 0; i < bodies.size(); ++i) {
      pending[i].body = &bodies[i];
      done.push_back(pending[i].done.get_future());
    }
    {
      std::lock_guard lock(queue_mu_);
      for (Pending& p : pending) queue_.push_back(&p);
    }
    queue_cv_.notify_one();
    for (std::future<Status>& f : done) out.push_back(f.get());
    return out;
  }

  template <typename T>
  Result<T> Write(const std::function<Result<T>(soci::session&)>& body) {
    std::optional<Result<T>> out;
    Status s = Write([&](soci::session& sql) -> Status {
      out.emplace(body(sql));
      if (!out->ok()) return out->error();
      return Ok();
    });
    if (!s.ok()) return s.error();
    return std::move(*out);
  }

  struct Pending {
    const std::function<Status(soci::session&)>* body = nullptr;
    std::promise<Status> done;
  };

  void WriterLoop() {
    for (;;) {
      std::vector<Pending*> batch;
      {
        std::unique_lock lock(queue_mu_);
        queue_cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        while (!queue_.empty() && static_cast<int>(batch.size()) < options_.group_commit) {
          batch.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      std::vector<Status> results(batch.size());
      std::vector<StagedState> staged;
      Staging staging(&staged);
      // First without savepoints (two statements less per step): almost every step succeeds.
      // When one fails, the whole batch is rolled back and run again with a savepoint per step,
      // so that the failed one is undone alone; nothing was acknowledged in between.
      bool step_failed = false;
      auto run = [&](bool savepoints) {
        staged.clear();
        return db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
          for (size_t i = 0; i < batch.size(); ++i) {
            const size_t mark = staged.size();
            if (savepoints) store::Execute(sql, "SAVEPOINT step");
            try {
              results[i] = (*batch[i]->body)(sql);
            } catch (const std::exception& e) {
              results[i] = store::ErrorFromException(e);
            }
            if (!savepoints) {
              if (!results[i].ok()) {
                step_failed = true;
                return results[i];
              }
              continue;
            }
            if (!results[i].ok()) {
              store::Execute(sql, "ROLLBACK TO SAVEPOINT step");
              staged.resize(mark);
            }
            store::Execute(sql, "RELEASE SAVEPOINT step");
          }
          return Ok();
        });
      };
      Status commit = run(false);
      if (step_failed) {
        // A batch of one needs no second run: its rollback undid exactly the failed step.
        if (batch.size() == 1) {
          staged.clear();  // what the failed step staged was rolled back
          commit = Ok();
        } else {
          commit = run(true);
        }
      }
      if (commit.ok()) Publish(staged);
      for (size_t i = 0; i < batch.size(); ++i) {
        batch[i]->done.set_value(commit.ok() ? results[i] : commit);
      }
    }
  }

  // ---- decoded states, by instance and revision

  // Makes the states of a committed transaction the cached ones. A revision is written once
  // (compare-and-set), so a state cached for (instance, revision) is the stored one for as long
  // as the row keeps that revision, whichever runtime reads it.
  void Publish(std::vector<StagedState>& staged) {
    if (staged.empty()) return;
    std::lock_guard lock(states_mu_);
    if (states_.size() + staged.size() > kCachedStates) states_.clear();
    for (StagedState& s : staged) {
      if (s.state == nullptr) {
        states_.erase(s.instance_id);
      } else {
        states_[s.instance_id] = {s.revision, std::move(s.state)};
      }
    }
  }

  // The state of a row just read: the cached one when it was stored at the row's revision,
  // else decoded from the row's text.
  Result<InstanceState> StateOf(const std::string& id, const InstanceRow& row) {
    if (t_staged != nullptr) {
      // A step earlier in this same transaction (a group-commit batch) wrote it.
      for (auto it = t_staged->rbegin(); it != t_staged->rend(); ++it) {
        if (it->revision == row.revision && it->state != nullptr && it->instance_id == id) {
          return *it->state;
        }
      }
    }
    {
      std::lock_guard lock(states_mu_);
      auto it = states_.find(id);
      if (it != states_.end() && it->second.first == row.revision) return *it->second.second;
    }
    return DecodeState(row.state);
  }

  // Records the state a step writes at `revision` for Publish after the commit; a state that
  // will not be read again (the instance ended) or cannot be cached drops the entry.
  static void Stage(const std::string& id, long long revision, const InstanceState& state,
                    const std::string& status) {
    if (t_staged == nullptr) return;
    if ((status != "running" && status != "incident") || !Cacheable(state)) {
      t_staged->push_back({id, revision, nullptr});
      return;
    }
    t_staged->push_back({id, revision, std::make_shared<const InstanceState>(state)});
  }

  const std::string& Q(std::string_view name) const { return queries_.Get(name, db_.backend()); }
  Timestamp Now() const { return clock_.Now(); }

  // ---- deployments

  Result<Deployment> Deploy(std::string_view xml, const Actor& actor) {
    TB_ASSIGN_OR_RETURN(Definitions defs, ParseBpmn(xml, "deployment"));
    // ParseBpmn has validated every process; its problems name their elements.
    FieldErrors problems;
    for (const Problem& p : defs.problems) {
      if (p.severity == Severity::kError) problems.Add(p.element_id, p.message);
    }
    if (!problems.empty()) return problems.ToError("the process model is not valid");
    if (defs.processes.empty()) {
      return Error(ErrorCode::kInvalidArgument, "the model has no executable process");
    }
    std::string text(xml);
    std::string checksum = Checksum(text);
    return Write<Deployment>([&](soci::session& sql) -> Result<Deployment> {
      Deployment out;
      std::string existing;
      store::Execute(sql, Q("find_deployment_by_checksum"), soci::use(checksum, "checksum"),
                     soci::into(existing));
      if (sql.got_data()) {
        out.id = existing;
        out.reused = true;
      } else {
        out.id = NewId(clock_);
        long long now = Micros(Now());
        store::Execute(sql, Q("insert_deployment"), soci::use(out.id, "id"),
                       soci::use(checksum, "checksum"), soci::use(text, "xml"),
                       soci::use(actor.account_id, "deployed_by"), soci::use(now, "created_at"));
        for (const Process& p : defs.processes) {
          int latest = 0;
          store::Execute(sql, Q("latest_version"), soci::use(p.id, "process_id"),
                         soci::into(latest));
          int version = latest + 1;
          store::Execute(sql, Q("insert_process_version"), soci::use(p.id, "process_id"),
                         soci::use(version, "version"), soci::use(out.id, "deployment_id"));
        }
      }
      std::string process_id;
      int version = 0;
      soci::statement st =
          (sql.prepare << Q("deployment_versions"), soci::use(out.id, "deployment_id"),
           soci::into(process_id), soci::into(version));
      st.execute();
      while (st.fetch()) out.processes.push_back({process_id, version});
      return out;
    });
  }

  // The parsed process `process_id` version `version`, parsed once per deployment.
  Result<std::shared_ptr<const Loaded>> Load(soci::session& sql, const std::string& process_id,
                                             int version) {
    std::string key = fmt::format("{}@{}", process_id, version);
    {
      std::lock_guard lock(mu_);
      auto it = cache_.find(key);
      if (it != cache_.end()) return it->second;
    }
    std::string deployment_id, xml;
    store::Execute(sql, Q("find_process_xml"), soci::use(process_id, "process_id"),
                   soci::use(version, "version"), soci::into(deployment_id), soci::into(xml));
    if (!sql.got_data()) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("process '{}' version {} is not deployed", process_id, version));
    }
    std::shared_ptr<Loaded> loaded;
    {
      std::lock_guard lock(mu_);
      auto it = by_deployment_.find(deployment_id);
      if (it != by_deployment_.end()) loaded = it->second;
    }
    if (!loaded) {
      TB_ASSIGN_OR_RETURN(Definitions defs, ParseBpmn(xml, deployment_id));
      loaded = std::make_shared<Loaded>();
      loaded->definitions = std::move(defs);
      std::lock_guard lock(mu_);
      by_deployment_.emplace(deployment_id, loaded);
    }
    auto p =
        std::find_if(loaded->definitions.processes.begin(), loaded->definitions.processes.end(),
                     [&](const Process& pr) { return pr.id == process_id; });
    if (p == loaded->definitions.processes.end()) {
      return Error(ErrorCode::kIntegrity,
                   fmt::format("deployment {} lacks '{}'", deployment_id, process_id));
    }
    std::shared_ptr<const Loaded> result = loaded;
    std::lock_guard lock(mu_);
    process_of_[key] = &*p;
    cache_[key] = result;
    return result;
  }

  const Process& ProcessOf(const std::string& process_id, int version) {
    std::lock_guard lock(mu_);
    return *process_of_.at(fmt::format("{}@{}", process_id, version));
  }

  Result<int> LatestVersion(soci::session& sql, const std::string& process_id) const {
    int latest = 0;
    store::Execute(sql, Q("latest_version"), soci::use(process_id, "process_id"),
                   soci::into(latest));
    if (latest == 0) {
      return Error(ErrorCode::kNotFound, fmt::format("process '{}' is not deployed", process_id));
    }
    return latest;
  }

  // ---- instances

  // The instance as stored (or as this transaction's steps left it) on `sql`.
  Result<InstanceInfo> Info(soci::session& sql, const std::string& instance_id) {
    std::optional<InstanceRow> row = LoadRow(sql, instance_id, RowLock::kNone);
    if (!row) return Error(ErrorCode::kNotFound, fmt::format("no instance {}", instance_id));
    InstanceInfo info;
    info.id = instance_id;
    info.process_id = row->process_id;
    info.version = row->version;
    info.status = ParseRunStatus(row->status);
    info.revision = row->revision;
    info.parent_instance = row->parent_instance;
    info.region = row->region;
    info.department = row->department;
    TB_ASSIGN_OR_RETURN(info.state, StateOf(instance_id, *row));
    return info;
  }

  Result<std::string> CreateInstance(soci::session& sql, const std::string& process_id,
                                     std::optional<int> version, const feel::Value& variables,
                                     const Cause& cause, const std::string& parent,
                                     int parent_activity, const std::string& region,
                                     const std::string& department) {
    int v = 0;
    if (version) {
      v = *version;
    } else {
      TB_ASSIGN_OR_RETURN(v, LatestVersion(sql, process_id));
    }
    TB_RETURN_IF_ERROR(StatusOf(Load(sql, process_id, v)));
    // The row is inserted once, by the first step, with the state that step leaves.
    InstanceRow fresh;
    fresh.process_id = process_id;
    fresh.version = v;
    fresh.status = "running";
    fresh.parent_instance = parent;
    fresh.parent_activity = parent.empty() ? -1 : parent_activity;
    fresh.region = region;
    fresh.department = department;
    fresh.started_by = cause.actor;
    fresh.fresh = true;
    std::string id = NewId(clock_);
    Trigger start;
    start.kind = Trigger::Kind::kStart;
    start.variables = variables;
    TB_RETURN_IF_ERROR(StatusOf(Step(sql, id, start, cause, "", nullptr, &fresh)));
    return id;
  }

  // Reads the instance row; kForUpdate (every write) holds it until the transaction ends.
  std::optional<InstanceRow> LoadRow(soci::session& sql, const std::string& id,
                                     RowLock lock = RowLock::kForUpdate) const {
    InstanceRow r;
    store::Execute(sql, Q(lock == RowLock::kForUpdate ? "lock_instance" : "load_instance"),
                   soci::use(id, "id"), soci::into(r.process_id), soci::into(r.version),
                   soci::into(r.status), soci::into(r.state), soci::into(r.revision),
                   soci::into(r.history_seq), soci::into(r.parent_instance),
                   soci::into(r.parent_activity), soci::into(r.region), soci::into(r.department));
    if (!sql.got_data()) return std::nullopt;
    return r;
  }

  // FEEL in the model evaluated against a stored state (correlation keys, assignees, due
  // dates), as the engine evaluates it from `scope`.
  feel::Value Eval(const Definitions& defs, const InstanceState& s, int scope,
                   const Expression& e) const {
    if (!e.feel) return feel::Value::String(e.text);
    ClockOverride clock(clock_);
    const feel::Scope& fs = *defs.scope;
    feel::Bindings b(fs);
    for (int slot = 0; slot < fs.size(); ++slot) {
      const std::string& name = fs.name(slot);
      const feel::Value* found = nullptr;
      for (int a = scope; a >= 0 && found == nullptr;) {
        auto it = s.activities.find(a);
        if (it == s.activities.end()) break;
        auto v = it->second.locals.find(name);
        if (v != it->second.locals.end()) found = &v->second;
        a = it->second.parent;
      }
      if (found == nullptr) {
        auto v = s.variables.find(name);
        if (v != s.variables.end()) found = &v->second;
      }
      if (found != nullptr) b.Set(slot, *found);
    }
    return e.feel->EvaluateFast(b);
  }

  std::vector<Subscription> Subscriptions(const Loaded& l, const Process& p,
                                          const InstanceState& s) const {
    std::vector<Subscription> out;
    auto add = [&](int activity, const Node& event) {
      out.push_back({fmt::format("{}/{}", activity, event.id), activity, event.id,
                     event.message_name,
                     event.correlation_key.empty()
                         ? std::string()
                         : ToText(Eval(l.definitions, s, activity, event.correlation_key))});
    };
    for (const auto& [id, a] : s.activities) {
      const Node& n = p.nodes[a.node];
      if (a.wait == WaitKind::kMessage) add(id, n);
      if (a.wait == WaitKind::kEventGateway) {
        for (int f : n.outgoing) {
          const Node& target = p.nodes[p.flows[f].target];
          if (target.event == EventKind::kMessage || target.kind == NodeKind::kReceiveTask) {
            add(id, target);
          }
        }
      }
      if (a.item < 0) {
        for (int b : n.boundaries) {
          if (p.nodes[b].event == EventKind::kMessage) add(id, p.nodes[b]);
        }
      }
    }
    return out;
  }

  static Status Apply(const Engine& engine, InstanceState& s, const Trigger& t) {
    switch (t.kind) {
      case Trigger::Kind::kStart:
        return engine.Start(s, t.variables);
      case Trigger::Kind::kCompleteTask:
        return engine.CompleteTask(s, t.activity, t.variables);
      case Trigger::Kind::kFireTimer:
        return engine.FireTimer(s, t.timer);
      case Trigger::Kind::kCompleteJob:
        return engine.CompleteJob(s, t.activity, t.variables);
      case Trigger::Kind::kMessage:
        return engine.CorrelateMessage(s, t.name, t.key, t.variables);
      case Trigger::Kind::kCallDone:
        return engine.CompleteCall(
            s, t.activity, t.variables,
            t.error_code.empty() ? std::nullopt : std::optional<std::string>(t.error_code));
    }
    return Error(ErrorCode::kInternal, "unknown trigger");
  }

  // One step on instance `id`, inside the caller's write transaction: load, run `trigger`,
  // deliver buffered messages to new subscriptions, write the state (compare-and-set) and the
  // rows derived from it. `task_id` is the task this step completes (closed as completed, not
  // cancelled), or the job whose row the caller already deleted. `fix`: variables merged before
  // the trigger (an incident's retry); then an instance in incident runs again. `fresh`: a new
  // instance, not yet written: the step inserts its row once, with the state it leaves.
  Result<InstanceStatus> Step(soci::session& sql, const std::string& id, const Trigger& trigger,
                              const Cause& cause, const std::string& task_id,
                              const feel::Value* fix, const InstanceRow* fresh = nullptr) {
    std::optional<InstanceRow> row;
    if (fresh != nullptr) {
      row = *fresh;
    } else {
      row = LoadRow(sql, id);
    }
    if (!row) return Error(ErrorCode::kNotFound, fmt::format("no instance {}", id));
    if (row->status != "running" && !(fix != nullptr && row->status == "incident")) {
      return Error(ErrorCode::kConflict, fmt::format("instance {} is {}", id, row->status));
    }
    TB_ASSIGN_OR_RETURN(std::shared_ptr<const Loaded> loaded,
                        Load(sql, row->process_id, row->version));
    const Process& process = ProcessOf(row->process_id, row->version);
    InstanceState state;
    if (!row->fresh) {
      TB_ASSIGN_OR_RETURN(state, StateOf(id, *row));
    }
    state.status = InstanceStatus::kRunning;
    if (fix != nullptr && fix->is(feel::Kind::kContext)) {
      for (const feel::ContextEntry& e : fix->context()) state.variables[e.name] = e.value;
    }
    const InstanceState before = state;
    Engine engine(loaded->definitions, process, clock_,
                  EngineOptions{.service_tasks = EngineOptions::ServiceTasks::kRunAsJobs});
    TB_RETURN_IF_ERROR(Apply(engine, state, trigger));
    // In-transaction actions run inside one savepoint: when the step ends as an incident, what
    // they wrote is undone with the rest of the step.
    bool actions_ran = false;
    for (;;) {
      TB_RETURN_IF_ERROR(
          RunInTransactionActions(sql, engine, id, process, before, state, actions_ran));
      TB_ASSIGN_OR_RETURN(bool delivered, DeliverBuffered(sql, engine, *loaded, process, state));
      if (!delivered) break;
    }

    // Called processes must be deployed; a missing one is this step's incident.
    std::vector<std::pair<CallRequest, int>> calls;
    if (state.status == InstanceStatus::kRunning) {
      for (const CallRequest& c : state.calls) {
        int latest = 0;
        store::Execute(sql, Q("latest_version"), soci::use(c.process_id, "process_id"),
                       soci::into(latest));
        if (latest == 0) {
          state.status = InstanceStatus::kIncident;
          state.incident_element = process.nodes[state.activities.at(c.activity).node].id;
          state.incident_message =
              fmt::format("the called process '{}' is not deployed", c.process_id);
          break;
        }
        calls.emplace_back(c, latest);
      }
    }
    state.calls.clear();
    if (actions_ran) {
      // The one incident that keeps the step applied is a called process's uncaught error.
      if (state.status == InstanceStatus::kIncident &&
          (state.uncaught_error.empty() || row->parent_instance.empty())) {
        store::Execute(sql, "ROLLBACK TO SAVEPOINT bpmn_actions");
      }
      store::Execute(sql, "RELEASE SAVEPOINT bpmn_actions");
    }

    long long now = Micros(Now());
    std::vector<HistoryRow> events;
    if (trigger.kind == Trigger::Kind::kStart && fix == nullptr) {
      events.push_back({process.id, "started"});
    }
    if (state.status == InstanceStatus::kIncident && !state.uncaught_error.empty() &&
        !row->parent_instance.empty()) {
      // A called process ended with an error nothing in it catches: it ends, and the error is
      // thrown from the call activity of its caller, in the same transaction.
      std::string code = state.uncaught_error;
      state.activities.clear();
      state.timers.clear();
      state.joins.clear();
      TB_RETURN_IF_ERROR(
          SyncRows(sql, id, *loaded, process, before, state, task_id, cause, *row, events));
      for (const std::string& element : state.completed) events.push_back({element, "completed"});
      state.completed.clear();
      events.push_back({process.id, fmt::format("ended with error {}", code)});
      TB_RETURN_IF_ERROR(WriteInstance(sql, id, *row, state, "completed", events, cause));
      Trigger failed;
      failed.kind = Trigger::Kind::kCallDone;
      failed.activity = row->parent_activity;
      failed.error_code = code;
      Result<InstanceStatus> parent = Step(sql, row->parent_instance, failed, cause, "", nullptr);
      if (!parent.ok() && parent.error().code() != ErrorCode::kNotFound) return parent.error();
      return InstanceStatus::kCompleted;
    }
    if (state.status == InstanceStatus::kIncident) {
      // The failed step is not applied: the instance keeps its state before it, and the
      // incident keeps the trigger to run again once fixed.
      std::string incident_id = NewId(clock_);
      std::string encoded = trigger.Encode();
      std::string no_job;
      store::Execute(sql, Q("insert_incident"), soci::use(incident_id, "id"),
                     soci::use(id, "instance_id"), soci::use(state.incident_element, "element_id"),
                     soci::use(state.incident_message, "message"), soci::use(no_job, "job_id"),
                     soci::use(encoded, "retry_trigger"), soci::use(now, "created_at"));
      events.push_back({state.incident_element, "incident"});
      InstanceState kept = before;
      kept.status = InstanceStatus::kIncident;
      TB_RETURN_IF_ERROR(WriteInstance(sql, id, *row, kept, "incident", events, cause));
      return InstanceStatus::kIncident;
    }
    TB_RETURN_IF_ERROR(
        SyncRows(sql, id, *loaded, process, before, state, task_id, cause, *row, events));
    for (const std::string& element : state.completed) events.push_back({element, "completed"});
    state.completed.clear();
    if (state.status == InstanceStatus::kCompleted) events.push_back({process.id, "ended"});
    TB_RETURN_IF_ERROR(
        WriteInstance(sql, id, *row, state, RunStatusText(state.status), events, cause));

    for (const auto& [call, version] : calls) {
      TB_RETURN_IF_ERROR(
          StatusOf(CreateInstance(sql, call.process_id, version, call.variables, cause, id,
                                  call.activity, row->region, row->department)));
    }
    if (state.status == InstanceStatus::kCompleted && !row->parent_instance.empty()) {
      Trigger done;
      done.kind = Trigger::Kind::kCallDone;
      done.activity = row->parent_activity;
      std::vector<feel::ContextEntry> vars;
      vars.reserve(state.variables.size());
      for (const auto& [k, v] : state.variables) vars.push_back({k, v});
      done.variables = feel::Value::Context(std::move(vars));
      Result<InstanceStatus> parent = Step(sql, row->parent_instance, done, cause, "", nullptr);
      // kNotFound: the caller no longer waits (a boundary event left the call activity).
      if (!parent.ok() && parent.error().code() != ErrorCode::kNotFound) return parent.error();
    }
    return state.status;
  }

  Status WriteInstance(soci::session& sql, const std::string& id, const InstanceRow& row,
                       const InstanceState& state, const std::string& status,
                       const std::vector<HistoryRow>& events, const Cause& cause) const {
    std::string encoded = EncodeState(state);
    long long seq = row.history_seq;
    long long next_seq = seq + static_cast<long long>(events.size());
    long long now = Micros(Now());
    if (row.fresh) {
      soci::indicator parent_ind = row.parent_instance.empty() ? soci::i_null : soci::i_ok;
      store::Execute(sql, Q("insert_instance"), soci::use(id, "id"),
                     soci::use(row.process_id, "process_id"), soci::use(row.version, "version"),
                     soci::use(status, "status"), soci::use(encoded, "state"),
                     soci::use(next_seq, "history_seq"),
                     soci::use(row.parent_instance, parent_ind, "parent_instance"),
                     soci::use(row.parent_activity, parent_ind, "parent_activity"),
                     soci::use(row.started_by, "started_by"), soci::use(row.region, "region"),
                     soci::use(row.department, "department"), soci::use(now, "created_at"));
      Stage(id, 1, state, status);
      return AppendHistory(sql, id, seq, events, cause);
    }
    store::Executed updated = store::Execute(
        sql, Q("update_instance"), soci::use(encoded, "state"), soci::use(status, "status"),
        soci::use(next_seq, "history_seq"), soci::use(now, "updated_at"), soci::use(id, "id"),
        soci::use(row.revision, "revision"));
    if (updated.affected_rows != 1) {
      return Error(ErrorCode::kConflict,
                   fmt::format("instance {} was changed by another step; try again", id));
    }
    return AppendHistory(sql, id, seq, events, cause);
  }

  // Appends `events` after sequence number `seq`: one multi-row INSERT per kHistoryChunk
  // events, each row count's statement prepared once per session (a step writes 1–5 events;
  // one statement instead of one per event is most of the saving).
  Status AppendHistory(soci::session& sql, const std::string& id, long long seq,
                       const std::vector<HistoryRow>& events, const Cause& cause) const {
    long long now = Micros(Now());
    for (size_t first = 0; first < events.size(); first += kHistoryChunk) {
      size_t n = std::min(kHistoryChunk, events.size() - first);
      std::vector<long long> seqs(n);
      for (size_t i = 0; i < n; ++i) seqs[i] = seq + static_cast<long long>(first + i) + 1;
      const std::string& query = history_inserts_[n - 1];
      // Bound by position (in the order of the placeholders): no parameter names to build
      // and look up for 7 × n parameters.
      auto bind = [&](soci::statement& st) {
        for (size_t i = 0; i < n; ++i) {
          st.exchange(soci::use(id));
          st.exchange(soci::use(seqs[i]));
          st.exchange(soci::use(events[first + i].element_id));
          st.exchange(soci::use(events[first + i].kind));
          st.exchange(soci::use(now));
          st.exchange(soci::use(cause.actor));
          st.exchange(soci::use(cause.request_id));
        }
      };
      store::StatementCache* cache = store::internal::CacheOf(sql);
      if (cache == nullptr) {
        soci::statement st(sql);
        bind(st);
        st.alloc();
        st.prepare(query);
        st.define_and_bind();
        st.execute(true);
        continue;
      }
      soci::statement& st = cache->Get(sql, query);
      struct Unbind {
        soci::statement& st;
        bool sqlite;
        ~Unbind() { store::internal::Release(st, sqlite); }
      } unbind{st, cache->sqlite()};
      bind(st);
      st.define_and_bind();
      st.execute(true);
    }
    return Ok();
  }

  // A history event outside a step (claim, delegate, cancel): takes the next sequence number
  // and bumps the revision, so a step that raced it fails its compare-and-set.
  Status RecordEvent(soci::session& sql, const std::string& id, const HistoryRow& event,
                     const Cause& cause) const {
    store::Execute(sql, Q("bump_instance"), soci::use(id, "id"));
    long long seq = 0;
    store::Execute(sql, Q("instance_history_seq"), soci::use(id, "id"), soci::into(seq));
    return AppendHistory(sql, id, seq - 1, {event}, cause);
  }

  // Runs the in-transaction actions of the service tasks this step reached (job waits that
  // were not in `before`, not camunda:asyncBefore, whose type has an in-transaction handler),
  // each completing its task at once, until none is left. The first one that writes opens the
  // savepoint `bpmn_actions` and sets `opened` (those before it wrote nothing to undo). A
  // failing action makes the state an incident at its task.
  Status RunInTransactionActions(soci::session& sql, const Engine& engine, const std::string& id,
                                 const Process& process, const InstanceState& before,
                                 InstanceState& state, bool& opened) {
    for (int ran = 0; state.status == InstanceStatus::kRunning; ++ran) {
      int activity = -1;
      std::shared_ptr<const InTransactionAction> handler;
      for (const auto& [aid, a] : state.activities) {
        if (a.wait != WaitKind::kJob || before.activities.contains(aid)) continue;
        const Node& n = process.nodes[a.node];
        if (n.async_before) continue;
        handler = InTransactionHandlerOf(n.task_type);
        if (handler != nullptr) {
          activity = aid;
          break;
        }
      }
      if (handler == nullptr) return Ok();
      const Node& n = process.nodes[state.activities.at(activity).node];
      if (ran == kActionsPerStep) {
        state.status = InstanceStatus::kIncident;
        state.incident_element = n.id;
        state.incident_message =
            fmt::format("more than {} in-transaction actions in one step", kActionsPerStep);
        return Ok();
      }
      if (!opened && handler->writes == ActionWrites::kDatabase) {
        store::Execute(sql, "SAVEPOINT bpmn_actions");
        opened = true;
      }
      Job job{.id = fmt::format("{}/{}", id, activity),
              .instance_id = id,
              .activity = activity,
              .element_id = n.id,
              .task_type = n.task_type,
              .attempt = 1,
              .variables = VisibleVariables(state, activity),
              .headers = n.headers};
      // No savepoint of its own: a failure is an incident, which rolls back to `bpmn_actions`
      // before anything else is written (nothing runs in between: the state is no longer
      // running).
      Result<feel::Value> result = CallAction(sql, handler->handler, job);
      if (!result.ok()) {
        state.status = InstanceStatus::kIncident;
        state.incident_element = n.id;
        state.incident_message =
            fmt::format("action '{}' failed: {}", n.task_type, result.error().message());
        return Ok();
      }
      TB_RETURN_IF_ERROR(engine.CompleteJob(state, activity, *result));
    }
    return Ok();
  }

  std::shared_ptr<const InTransactionAction> InTransactionHandlerOf(const std::string& type) {
    std::lock_guard lock(mu_);
    auto it = in_transaction_handlers_.find(type);
    return it == in_transaction_handlers_.end() ? nullptr : it->second;
  }

  // Delivers buffered messages to the subscriptions the state opened; true when it did.
  Result<bool> DeliverBuffered(soci::session& sql, const Engine& engine, const Loaded& loaded,
                               const Process& process, InstanceState& state) const {
    long long now = Micros(Now());
    bool any = false;
    for (int round = 0; round < 100 && state.status == InstanceStatus::kRunning; ++round) {
      bool delivered = false;
      for (const Subscription& sub : Subscriptions(loaded, process, state)) {
        std::string message_id, vars_text;
        store::Execute(sql, Q("find_buffered_message"), soci::use(sub.name, "message_name"),
                       soci::use(sub.key, "correlation_key"), soci::use(now, "now"),
                       soci::into(message_id), soci::into(vars_text));
        if (!sql.got_data()) continue;
        TB_ASSIGN_OR_RETURN(feel::Value vars, DecodeValue(vars_text));
        TB_RETURN_IF_ERROR(engine.CorrelateMessage(state, sub.name, sub.key, vars));
        store::Execute(sql, Q("delete_message"), soci::use(message_id, "id"));
        delivered = true;
        break;
      }
      if (!delivered) break;
      any = true;
    }
    return any;
  }

  std::optional<Timestamp> DueOf(const feel::Value& v) const {
    std::optional<feel::DateTime> dt;
    if (v.is(feel::Kind::kDateTime)) dt = v.date_time();
    if (v.is(feel::Kind::kDate)) dt = feel::DateTime::Parse(v.date().ToString() + "T00:00:00");
    if (!dt) return std::nullopt;
    if (!dt->OffsetSeconds()) dt = feel::DateTime::Parse(dt->ToString() + "+08:00");
    if (!dt) return std::nullopt;
    std::optional<feel::Instant> instant = dt->ToInstant();
    if (!instant) return std::nullopt;
    return Timestamp(std::chrono::seconds(instant->seconds) +
                     std::chrono::microseconds(instant->nanos / 1000));
  }

  // Makes the derived rows (tasks, timers, jobs, subscriptions) follow the state change.
  Status SyncRows(soci::session& sql, const std::string& id, const Loaded& loaded,
                  const Process& process, const InstanceState& before, const InstanceState& after,
                  const std::string& completing_task, const Cause& cause, const InstanceRow& row,
                  std::vector<HistoryRow>& events) {
    long long now = Micros(Now());
    auto waits = [](const InstanceState& s, WaitKind kind) {
      std::set<int> out;
      for (const auto& [aid, a] : s.activities) {
        if (a.wait == kind) out.insert(aid);
      }
      return out;
    };
    // Tasks.
    std::set<int> tasks_before = waits(before, WaitKind::kTask);
    std::set<int> tasks_after = waits(after, WaitKind::kTask);
    for (int a : tasks_before) {
      if (tasks_after.contains(a)) continue;
      std::string task_id = fmt::format("{}/{}", id, a);
      bool completed = task_id == completing_task;
      std::string state = completed ? "completed" : "cancelled";
      std::string by = completed ? cause.actor : std::string();
      soci::indicator by_ind = completed ? soci::i_ok : soci::i_null;
      store::Execute(sql, Q("close_task"), soci::use(state, "state"),
                     soci::use(by, by_ind, "completed_by"), soci::use(now, "closed_at"),
                     soci::use(task_id, "id"));
      store::Execute(sql, Q("delete_task_candidates"), soci::use(task_id, "task_id"));
      if (!completed)
        events.push_back({process.nodes[before.activities.at(a).node].id, "task-cancelled"});
    }
    for (int a : tasks_after) {
      if (tasks_before.contains(a)) continue;
      const ActivityInstance& act = after.activities.at(a);
      const Node& n = process.nodes[act.node];
      std::string task_id = fmt::format("{}/{}", id, a);
      std::string assignee = n.assignee.empty()
                                 ? std::string()
                                 : ToText(Eval(loaded.definitions, after, a, n.assignee));
      if (assignee == "null") assignee.clear();
      soci::indicator assignee_ind = assignee.empty() ? soci::i_null : soci::i_ok;
      std::optional<Timestamp> due;
      if (!n.due_date.empty()) due = DueOf(Eval(loaded.definitions, after, a, n.due_date));
      long long due_at = due ? Micros(*due) : 0;
      soci::indicator due_ind = due ? soci::i_ok : soci::i_null;
      std::string headers_text = "{}";
      if (!n.headers.empty()) {
        Json headers = Json::object();
        for (const auto& [k, v] : n.headers) headers[k] = v;
        headers_text = headers.dump();
      }
      auto step_it = n.headers.find(std::string(kStepHeader));
      std::string step = step_it == n.headers.end() ? std::string() : step_it->second;
      std::vector<std::string> candidates = n.candidate_groups;
      if (!n.candidate_groups_expr.empty()) {
        AddNames(Eval(loaded.definitions, after, a, n.candidate_groups_expr), "", candidates);
      }
      for (const std::string& u : n.candidate_users) {
        candidates.push_back(std::string(kUserCandidate) + u);
      }
      if (!n.candidate_users_expr.empty()) {
        AddNames(Eval(loaded.definitions, after, a, n.candidate_users_expr), kUserCandidate,
                 candidates);
      }
      std::string groups = JoinComma(candidates);
      std::string state = assignee.empty() ? "open" : "claimed";
      std::string name = n.name.empty() ? n.id : n.name;
      store::Execute(sql, Q("insert_task"), soci::use(task_id, "id"), soci::use(id, "instance_id"),
                     soci::use(a, "activity"), soci::use(n.id, "element_id"),
                     soci::use(name, "name"), soci::use(process.id, "process_id"),
                     soci::use(assignee, assignee_ind, "assignee"),
                     soci::use(groups, "candidate_groups"), soci::use(due_at, due_ind, "due_at"),
                     soci::use(headers_text, "headers"), soci::use(step, "step"),
                     soci::use(state, "state"), soci::use(now, "created_at"),
                     soci::use(row.region, "region"), soci::use(row.department, "department"));
      for (const std::string& g : candidates) {
        store::Execute(sql, Q("insert_task_candidate"), soci::use(g, "group_name"),
                       soci::use(now, "created_at"), soci::use(task_id, "task_id"));
      }
      events.push_back({n.id, "task-created"});
    }
    // Call activities that ended without their called instance (a boundary event, a
    // terminate end): the called instance is cancelled.
    for (int a : waits(before, WaitKind::kCall)) {
      if (after.activities.contains(a)) continue;
      std::string child;
      store::Execute(sql, Q("called_instance_of"), soci::use(id, "id"), soci::use(a, "activity"),
                     soci::into(child));
      if (sql.got_data())
        TB_RETURN_IF_ERROR(Cancel(sql, child,
                                  Actor{.account_id = cause.actor,
                                        .roles = {},
                                        .department = "",
                                        .region = "",
                                        .request_id = cause.request_id}));
    }
    // Jobs.
    std::set<int> jobs_before = waits(before, WaitKind::kJob);
    std::set<int> jobs_after = waits(after, WaitKind::kJob);
    for (int a : jobs_before) {
      if (jobs_after.contains(a)) continue;
      std::string job_id = fmt::format("{}/{}", id, a);
      if (job_id == completing_task) continue;  // the job step deleted its row already
      store::Execute(sql, Q("delete_job"), soci::use(job_id, "id"));
    }
    for (int a : jobs_after) {
      if (jobs_before.contains(a)) continue;
      const Node& n = process.nodes[after.activities.at(a).node];
      std::string job_id = fmt::format("{}/{}", id, a);
      store::Execute(sql, Q("insert_job"), soci::use(job_id, "id"), soci::use(id, "instance_id"),
                     soci::use(a, "activity"), soci::use(n.id, "element_id"),
                     soci::use(n.task_type, "task_type"), soci::use(now, "run_at"));
    }
    // Timers.
    std::set<int> timers_before, timers_after;
    for (const PendingTimer& t : before.timers) timers_before.insert(t.id);
    for (const PendingTimer& t : after.timers) timers_after.insert(t.id);
    for (int t : timers_before) {
      if (timers_after.contains(t)) continue;
      std::string timer_id = fmt::format("{}/{}", id, t);
      store::Execute(sql, Q("delete_timer"), soci::use(timer_id, "id"));
    }
    for (const PendingTimer& t : after.timers) {
      if (timers_before.contains(t.id)) continue;
      std::string timer_id = fmt::format("{}/{}", id, t.id);
      long long due = Micros(t.due);
      store::Execute(sql, Q("insert_timer"), soci::use(timer_id, "id"),
                     soci::use(id, "instance_id"), soci::use(t.id, "timer"),
                     soci::use(process.nodes[t.node].id, "element_id"), soci::use(due, "due_at"));
    }
    // Subscriptions.
    std::map<std::string, Subscription> subs_before, subs_after;
    for (Subscription& s : Subscriptions(loaded, process, before)) subs_before[s.id] = s;
    for (Subscription& s : Subscriptions(loaded, process, after)) subs_after[s.id] = s;
    for (const auto& [sid, s] : subs_before) {
      if (subs_after.contains(sid)) continue;
      std::string row_id = fmt::format("{}/{}", id, sid);
      store::Execute(sql, Q("delete_subscription"), soci::use(row_id, "id"));
    }
    for (const auto& [sid, s] : subs_after) {
      if (subs_before.contains(sid)) continue;
      std::string row_id = fmt::format("{}/{}", id, sid);
      store::Execute(sql, Q("insert_subscription"), soci::use(row_id, "id"),
                     soci::use(id, "instance_id"), soci::use(s.name, "message_name"),
                     soci::use(s.key, "correlation_key"), soci::use(now, "created_at"));
    }
    return Ok();
  }

  // ---- tasks

  // True when the actor is a candidate of a task with these candidates: it holds one of the
  // roles, belongs to one of the departments, or is one of the candidate users.
  static bool InGroup(const Actor& actor, const std::vector<std::string>& groups) {
    for (const std::string& g : groups) {
      if (!actor.department.empty() && g == actor.department) return true;
      if (g.starts_with(kUserCandidate) && g.substr(kUserCandidate.size()) == actor.account_id) {
        return true;
      }
      if (std::find(actor.roles.begin(), actor.roles.end(), g) != actor.roles.end()) return true;
    }
    return false;
  }

  // True when the actor may take an unassigned task: it has no candidates, or the actor is one.
  static bool MayTake(const Actor& actor, const Task& task) {
    if (task.candidate_groups.empty() && task.candidate_users.empty()) return true;
    if (InGroup(actor, task.candidate_groups)) return true;
    return std::find(task.candidate_users.begin(), task.candidate_users.end(), actor.account_id) !=
           task.candidate_users.end();
  }

  // Column buffers of the task queries (they all select the same columns).
  struct TaskBuffer {
    Task task;
    std::string groups, headers, state;
    long long due = -1, created = 0;
  };

  static void IntoTask(soci::details::prepare_temp_type& p, TaskBuffer& b) {
    p, soci::into(b.task.id), soci::into(b.task.instance_id), soci::into(b.task.activity),
        soci::into(b.task.element_id), soci::into(b.task.name), soci::into(b.task.process_id),
        soci::into(b.task.assignee), soci::into(b.groups), soci::into(b.due), soci::into(b.headers),
        soci::into(b.state), soci::into(b.task.delegated_by), soci::into(b.task.completed_by),
        soci::into(b.created), soci::into(b.task.region), soci::into(b.task.department);
  }

  static Task FromBuffer(const TaskBuffer& b) {
    Task row = b.task;
    for (std::string& c : SplitComma(b.groups)) {
      if (c.starts_with(kUserCandidate)) {
        row.candidate_users.push_back(c.substr(kUserCandidate.size()));
      } else {
        row.candidate_groups.push_back(std::move(c));
      }
    }
    row.due = b.due < 0 ? std::nullopt : std::optional<Timestamp>(FromMicros(b.due));
    // Most tasks have no headers: "{}" needs no parser.
    Json h = b.headers == "{}" ? Json() : Json::parse(b.headers, nullptr, false);
    if (h.is_object()) {
      for (const auto& [k, v] : h.items()) {
        row.headers[k] = v.is_string() ? v.get<std::string>() : v.dump();
      }
    }
    row.state = ParseTaskState(b.state);
    row.created = FromMicros(b.created);
    return row;
  }

  Result<Task> FindTask(soci::session& sql, const std::string& task_id) const {
    TaskBuffer b;
    // The columns of IntoTask, through the statement cache: every completion looks its task up.
    store::Executed found = store::Execute(
        sql, Q("find_task"), soci::use(task_id, "id"), soci::into(b.task.id),
        soci::into(b.task.instance_id), soci::into(b.task.activity), soci::into(b.task.element_id),
        soci::into(b.task.name), soci::into(b.task.process_id), soci::into(b.task.assignee),
        soci::into(b.groups), soci::into(b.due), soci::into(b.headers), soci::into(b.state),
        soci::into(b.task.delegated_by), soci::into(b.task.completed_by), soci::into(b.created),
        soci::into(b.task.region), soci::into(b.task.department));
    if (!found.got_data) return Error(ErrorCode::kNotFound, fmt::format("no task {}", task_id));
    return FromBuffer(b);
  }

  Result<TaskPage> ListTasks(std::string_view query, std::string_view param,
                             const std::string& value, int limit,
                             const std::optional<TaskCursor>& after,
                             const TaskFilter& visible = nullptr) {
    if (limit <= 0 || limit > 1000) {
      return Error(ErrorCode::kInvalidArgument, "limit must be 1..1000",
                   {{"limit", "must be 1..1000"}});
    }
    return db_.Transaction<TaskPage>(
        store::TxKind::kRead, [&](soci::session& sql) -> Result<TaskPage> {
          long long after_created = after ? after->created_at : -1;
          std::string after_id = after ? after->task_id : std::string();
          const int fetch = visible ? limit * 20 : limit + 1;
          TaskBuffer b;
          soci::details::prepare_temp_type p = (sql.prepare << Q(query));
          p, soci::use(value, std::string(param)), soci::use(after_created, "after_created"),
              soci::use(after_id, "after_id"), soci::use(fetch, "limit");
          IntoTask(p, b);
          soci::statement st(p);
          st.execute();
          TaskPage page;
          int scanned = 0;
          std::optional<TaskCursor> last;
          while (static_cast<int>(page.tasks.size()) <= limit && st.fetch()) {
            ++scanned;
            Task task = FromBuffer(b);
            last = TaskCursor{b.created, task.id};
            if (!visible || visible(task)) page.tasks.push_back(std::move(task));
          }
          if (static_cast<int>(page.tasks.size()) > limit) {
            page.tasks.resize(limit);
            page.next = TaskCursor{Micros(page.tasks.back().created), page.tasks.back().id};
          } else if (scanned == fetch) {
            page.next = last;  // the scan stopped before the end
          }
          return page;
        });
  }

  Status CompleteTask(const std::string& task_id, const feel::Value& variables,
                      const Actor& actor) {
    return Write([&](soci::session& sql) -> Status {
      TB_ASSIGN_OR_RETURN(Task task, FindTask(sql, task_id));
      if (task.state != TaskState::kOpen && task.state != TaskState::kClaimed) {
        return Error(ErrorCode::kNotFound,
                     fmt::format("task {} is {}", task_id, TaskStateName(task.state)));
      }
      if (task.assignee.empty() ? !MayTake(actor, task) : task.assignee != actor.account_id) {
        return Error(
            ErrorCode::kForbidden,
            fmt::format("{} may not complete task {}: it is assigned to {}", actor.account_id,
                        task_id,
                        task.assignee.empty() ? JoinComma(task.candidate_groups) : task.assignee));
      }
      auto step = task.headers.find(std::string(kStepHeader));
      if (step != task.headers.end() && step->second == kApprovalStep) {
        int count = 0;
        store::Execute(sql, Q("count_acceptances_by"), soci::use(task.instance_id, "instance_id"),
                       soci::use(actor.account_id, "account"), soci::into(count));
        if (count > 0) {
          return Error(ErrorCode::kRefused,
                       fmt::format("{} completed the acceptance of this case and may not also "
                                   "approve it (task {}): acceptance and approval are separate",
                                   actor.account_id, task_id));
        }
      }
      Trigger t;
      t.kind = Trigger::Kind::kCompleteTask;
      t.activity = task.activity;
      t.variables = variables;
      return StatusOf(Step(sql, task.instance_id, t, CauseOf(actor), task_id, nullptr));
    });
  }

  Status ChangeTask(const std::string& task_id, const Actor& actor, std::string_view op,
                    const std::string& to_account) {
    return Write([&](soci::session& sql) -> Status {
      TB_ASSIGN_OR_RETURN(Task task, FindTask(sql, task_id));
      if (task.state != TaskState::kOpen && task.state != TaskState::kClaimed) {
        return Error(ErrorCode::kNotFound,
                     fmt::format("task {} is {}", task_id, TaskStateName(task.state)));
      }
      int affected = 0;
      if (op == "claimed") {
        if (!task.assignee.empty()) {
          return Error(ErrorCode::kConflict,
                       fmt::format("task {} is already claimed by {}", task_id, task.assignee));
        }
        if (!MayTake(actor, task)) {
          return Error(ErrorCode::kForbidden,
                       fmt::format("{} is in none of the groups of task {}: {}", actor.account_id,
                                   task_id, JoinComma(task.candidate_groups)));
        }
        soci::statement st = (sql.prepare << Q("claim_task"),
                              soci::use(actor.account_id, "assignee"), soci::use(task_id, "id"));
        st.execute(true);
        affected = static_cast<int>(st.get_affected_rows());
      } else if (op == "unclaimed") {
        if (task.assignee != actor.account_id) {
          return Error(ErrorCode::kForbidden,
                       fmt::format("only the assignee may unclaim task {}", task_id));
        }
        soci::statement st = (sql.prepare << Q("unclaim_task"),
                              soci::use(actor.account_id, "assignee"), soci::use(task_id, "id"));
        st.execute(true);
        affected = static_cast<int>(st.get_affected_rows());
      } else {
        bool allowed =
            task.assignee.empty() ? MayTake(actor, task) : task.assignee == actor.account_id;
        if (!allowed) {
          return Error(ErrorCode::kForbidden,
                       fmt::format("{} may not delegate task {}", actor.account_id, task_id));
        }
        if (to_account.empty()) {
          return Error(ErrorCode::kInvalidArgument, "delegate to whom?",
                       {{"to_account", "is required"}});
        }
        soci::statement st =
            (sql.prepare << Q("delegate_task"), soci::use(to_account, "to_account"),
             soci::use(actor.account_id, "delegated_by"), soci::use(task_id, "id"));
        st.execute(true);
        affected = static_cast<int>(st.get_affected_rows());
      }
      if (affected != 1) {
        return Error(ErrorCode::kConflict, fmt::format("task {} changed meanwhile", task_id));
      }
      std::string kind =
          op == "delegated" ? fmt::format("delegated to {}", to_account) : std::string(op);
      return RecordEvent(sql, task.instance_id, {task.element_id, kind}, CauseOf(actor));
    });
  }

  // ---- messages

  Result<MessageOutcome> Correlate(const std::string& name, const std::string& key,
                                   const feel::Value& variables, std::chrono::microseconds ttl) {
    if (name.empty()) {
      return Error(ErrorCode::kInvalidArgument, "a message needs a name",
                   {{"name", "is required"}});
    }
    return Write<MessageOutcome>([&](soci::session& sql) -> Result<MessageOutcome> {
      long long now = Micros(Now());
      store::Execute(sql, Q("delete_expired_messages"), soci::use(now, "now"));
      std::string instance_id;
      store::Execute(sql, Q("find_subscription"), soci::use(name, "message_name"),
                     soci::use(key, "correlation_key"), soci::into(instance_id));
      if (sql.got_data()) {
        Trigger t;
        t.kind = Trigger::Kind::kMessage;
        t.name = name;
        t.key = key;
        t.variables = variables;
        TB_RETURN_IF_ERROR(
            StatusOf(Step(sql, instance_id, t, {"message:" + name, ""}, "", nullptr)));
        return MessageOutcome::kCorrelated;
      }
      if (ttl.count() <= 0) return MessageOutcome::kDropped;
      std::string id = NewId(clock_);
      std::string vars = EncodeValue(variables);
      long long expires = now + ttl.count();
      store::Execute(sql, Q("insert_message"), soci::use(id, "id"), soci::use(name, "message_name"),
                     soci::use(key, "correlation_key"), soci::use(vars, "variables"),
                     soci::use(now, "created_at"), soci::use(expires, "expires_at"));
      return MessageOutcome::kBuffered;
    });
  }

  // ---- timers and jobs

  struct Leased {
    std::string id;
    std::string instance_id;
    int number = 0;  // the timer id, or the job's activity
    std::string element_id;
    std::string task_type;
    int attempts = 0;
  };

  Result<std::vector<Leased>> LeaseTimers(int limit) {
    return Write<std::vector<Leased>>([&](soci::session& sql) -> Result<std::vector<Leased>> {
      long long now = Micros(Now());
      long long until = now + options_.lease.count();
      std::vector<Leased> out;
      Leased l;
      store::ExecuteRows(
          sql, Q("due_timers"), [&] { out.push_back(l); }, soci::use(now, "now"),
          soci::use(limit, "limit"), soci::into(l.id), soci::into(l.instance_id),
          soci::into(l.number));
      std::vector<Leased> leased;
      for (const Leased& t : out) {
        if (store::Execute(sql, Q("lease_timer"), soci::use(options_.owner, "owner"),
                           soci::use(until, "until"), soci::use(t.id, "id"), soci::use(now, "now"))
                .affected_rows == 1) {
          leased.push_back(t);
        }
      }
      return leased;
    });
  }

  Result<int> FireDueTimers(int limit) {
    TB_ASSIGN_OR_RETURN(std::vector<Leased> timers, LeaseTimers(limit));
    int fired = 0;
    for (const Leased& t : timers) {
      Status s = Write([&](soci::session& sql) -> Status {
        std::string owner;
        store::Execute(sql, Q("timer_lease_owner"), soci::use(t.id, "id"), soci::into(owner));
        if (!sql.got_data() || owner != options_.owner) {
          return Error(ErrorCode::kConflict, "the timer's lease was lost");
        }
        Trigger trigger;
        trigger.kind = Trigger::Kind::kFireTimer;
        trigger.timer = t.number;
        Result<InstanceStatus> r = Step(sql, t.instance_id, trigger, {"timer", ""}, "", nullptr);
        if (!r.ok() && r.error().code() == ErrorCode::kNotFound) {
          store::Execute(sql, Q("delete_timer"),
                         soci::use(t.id, "id"));  // a stale row: its timer is gone
          return Ok();
        }
        return StatusOf(r);
      });
      if (s.ok()) ++fired;
    }
    return fired;
  }

  // Takes up to `limit` runnable jobs with a lease (a write transaction: only the lease), then
  // reads what each job's handler sees in a read transaction, off the writer thread: decoding
  // the instance states is not the single writer's work.
  Result<std::vector<Job>> LeaseJobs(int limit) {
    TB_ASSIGN_OR_RETURN(
        std::vector<Job> jobs,
        Write<std::vector<Job>>([&](soci::session& sql) -> Result<std::vector<Job>> {
          long long now = Micros(Now());
          long long until = now + options_.lease.count();
          std::vector<Leased> due;
          Leased l;
          store::ExecuteRows(
              sql, Q("due_jobs"), [&] { due.push_back(l); }, soci::use(now, "now"),
              soci::use(limit, "limit"), soci::into(l.id), soci::into(l.instance_id),
              soci::into(l.number), soci::into(l.element_id), soci::into(l.task_type),
              soci::into(l.attempts));
          std::vector<Job> leased;
          for (const Leased& j : due) {
            if (store::Execute(sql, Q("lease_job"), soci::use(options_.owner, "owner"),
                               soci::use(until, "until"), soci::use(until, "run_at"),
                               soci::use(j.id, "id"), soci::use(now, "now"))
                    .affected_rows != 1) {
              continue;
            }
            leased.push_back(Job{.id = j.id,
                                 .instance_id = j.instance_id,
                                 .activity = j.number,
                                 .element_id = j.element_id,
                                 .task_type = j.task_type,
                                 .attempt = j.attempts + 1,
                                 .variables = feel::Value(),
                                 .headers = {}});
          }
          return leased;
        }));
    if (jobs.empty()) return jobs;
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      for (Job& job : jobs) {
        std::optional<InstanceRow> row = LoadRow(sql, job.instance_id, RowLock::kNone);
        if (!row) continue;
        TB_ASSIGN_OR_RETURN(InstanceState s, StateOf(job.instance_id, *row));
        TB_ASSIGN_OR_RETURN(auto loaded, Load(sql, row->process_id, row->version));
        const Process& p = ProcessOf(row->process_id, row->version);
        job.variables = VisibleVariables(s, job.activity);
        if (s.activities.contains(job.activity)) {
          job.headers = p.nodes[s.activities.at(job.activity).node].headers;
        }
      }
      return Ok();
    }));
    return jobs;
  }

  Result<int> RunDueJobs(int limit) {
    TB_ASSIGN_OR_RETURN(std::vector<Job> jobs, LeaseJobs(limit));
    // Every handler runs first; then each job's completion is its own step, all handed to the
    // writer together, so that with group commit they share one commit instead of waiting for
    // one each (each is still acknowledged only after its commit, and fails alone).
    struct Run {
      JobHandler handler;
      std::shared_ptr<const InTransactionAction> in_transaction;
      Result<feel::Value> result = feel::Value();
      bool failed = false;
    };
    std::vector<Run> runs(jobs.size());
    std::vector<std::function<Status(soci::session&)>> bodies;
    bodies.reserve(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i) {
      const Job& job = jobs[i];
      Run& run = runs[i];
      {
        std::lock_guard lock(mu_);
        auto it = handlers_.find(job.task_type);
        if (it != handlers_.end()) run.handler = it->second;
      }
      run.in_transaction = InTransactionHandlerOf(job.task_type);
      if (run.in_transaction == nullptr) {
        run.result = run.handler
                         ? run.handler(job)
                         : Result<feel::Value>(Error(
                               ErrorCode::kNotFound,
                               fmt::format("no job handler for task type '{}'", job.task_type)));
      }
      bodies.emplace_back([this, &job, &run](soci::session& sql) -> Status {
        // An in-transaction action of a job (camunda:asyncBefore) runs in its completion step.
        if (run.in_transaction != nullptr) {
          run.result = RunInTransaction(sql, *run.in_transaction, job);
        }
        return FinishJob(sql, job, run.handler || run.in_transaction != nullptr, run.result,
                         run.failed);
      });
    }
    std::vector<Status> statuses = WriteEach(bodies);
    int done = 0;
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (statuses[i].ok() && !runs[i].failed) ++done;
    }
    return done;
  }

  // The step that records a job's outcome: its completion, or its failure (a retry later, or
  // an incident after the last attempt). `failed` is set when it recorded a failure.
  Status FinishJob(soci::session& sql, const Job& job, bool handler,
                   const Result<feel::Value>& result, bool& failed) {
    if (result.ok()) {
      // Deleting the job row only while this runtime holds its lease is the lease check
      // and the job's end in one statement (the step's own delete then finds nothing).
      if (store::Execute(sql, Q("delete_leased_job"), soci::use(job.id, "id"),
                         soci::use(options_.owner, "owner"))
              .affected_rows != 1) {
        return Error(ErrorCode::kConflict, "the job's lease was lost");
      }
      Trigger t;
      t.kind = Trigger::Kind::kCompleteJob;
      t.activity = job.activity;
      t.variables = *result;
      return StatusOf(Step(sql, job.instance_id, t, {"job:" + job.task_type, ""}, job.id, nullptr));
    }
    std::string owner;
    store::Execute(sql, Q("job_lease_owner"), soci::use(job.id, "id"), soci::into(owner));
    if (!sql.got_data() || owner != options_.owner) {
      return Error(ErrorCode::kConflict, "the job's lease was lost");
    }
    bool incident = !handler || job.attempt >= options_.job_attempts;
    long long run_at =
        Micros(Now()) + options_.job_backoff.count() * (1LL << std::min(job.attempt - 1, 20));
    std::string state = incident ? "incident" : "ready";
    std::string message = result.error().message();
    int attempts = job.attempt;
    store::Execute(sql, Q("fail_job"), soci::use(attempts, "attempts"), soci::use(state, "state"),
                   soci::use(run_at, "run_at"), soci::use(message, "last_error"),
                   soci::use(job.id, "id"));
    if (incident) {
      std::string incident_id = NewId(clock_);
      long long now = Micros(Now());
      std::string none;
      std::string text =
          handler ? fmt::format("job failed {} times: {}", attempts, message) : message;
      store::Execute(sql, Q("insert_incident"), soci::use(incident_id, "id"),
                     soci::use(job.instance_id, "instance_id"),
                     soci::use(job.element_id, "element_id"), soci::use(text, "message"),
                     soci::use(job.id, "job_id"), soci::use(none, "retry_trigger"),
                     soci::use(now, "created_at"));
      TB_RETURN_IF_ERROR(RecordEvent(sql, job.instance_id, {job.element_id, "incident"},
                                     {"job:" + job.task_type, ""}));
    }
    failed = true;
    return Ok();
  }

  // ---- incidents

  Status RetryOrResolve(const std::string& incident_id, const feel::Value* fix,
                        const Actor& actor) {
    return Write([&](soci::session& sql) -> Status {
      std::string instance_id, element_id, message, job_id, trigger_text, state;
      store::Execute(sql, Q("find_incident"), soci::use(incident_id, "id"), soci::into(instance_id),
                     soci::into(element_id), soci::into(message), soci::into(job_id),
                     soci::into(trigger_text), soci::into(state));
      if (!sql.got_data()) {
        return Error(ErrorCode::kNotFound, fmt::format("no incident {}", incident_id));
      }
      if (state != "open") {
        return Error(ErrorCode::kConflict, fmt::format("incident {} is {}", incident_id, state));
      }
      long long now = Micros(Now());
      store::Execute(sql, Q("resolve_incident"), soci::use(now, "now"),
                     soci::use(actor.account_id, "resolved_by"), soci::use(incident_id, "id"));
      if (!job_id.empty()) {
        if (fix != nullptr) {
          // The fixed variables are merged by a step that changes nothing else.
          TB_RETURN_IF_ERROR(MergeVariables(sql, instance_id, *fix, CauseOf(actor)));
          store::Execute(sql, Q("reset_job"), soci::use(now, "now"), soci::use(job_id, "id"));
          return RecordEvent(sql, instance_id, {element_id, "incident-retried"}, CauseOf(actor));
        }
        // Resolved by hand: the job counts as done.
        Trigger t;
        t.kind = Trigger::Kind::kCompleteJob;
        t.activity = std::stoi(job_id.substr(job_id.rfind('/') + 1));
        return StatusOf(Step(sql, instance_id, t, CauseOf(actor), "", nullptr));
      }
      TB_ASSIGN_OR_RETURN(Trigger t, Trigger::Decode(trigger_text));
      if (fix != nullptr && fix->is(feel::Kind::kContext) && t.variables.is(feel::Kind::kContext)) {
        // The fix wins over what the failed trigger carried.
        std::vector<feel::ContextEntry> merged = t.variables.context();
        for (const feel::ContextEntry& e : fix->context()) merged.push_back(e);
        t.variables = feel::Value::Context(std::move(merged));
      }
      if (fix == nullptr) {
        // Resolved without running the step again: the instance goes on from before it.
        std::string running = "running";
        store::Execute(sql, Q("set_instance_status"), soci::use(running, "status"),
                       soci::use(now, "now"), soci::use(instance_id, "id"));
        return RecordEvent(sql, instance_id, {element_id, "incident-resolved"}, CauseOf(actor));
      }
      TB_RETURN_IF_ERROR(
          RecordEvent(sql, instance_id, {element_id, "incident-retried"}, CauseOf(actor)));
      // A retried task completion closes its task as completed (by whoever retried it).
      std::string task_id = t.kind == Trigger::Kind::kCompleteTask
                                ? fmt::format("{}/{}", instance_id, t.activity)
                                : std::string();
      return StatusOf(Step(sql, instance_id, t, CauseOf(actor), task_id, fix));
    });
  }

  Status MergeVariables(soci::session& sql, const std::string& id, const feel::Value& vars,
                        const Cause& cause) const {
    std::optional<InstanceRow> row = LoadRow(sql, id);
    if (!row) return Error(ErrorCode::kNotFound, fmt::format("no instance {}", id));
    TB_ASSIGN_OR_RETURN(InstanceState state, DecodeState(row->state));
    if (vars.is(feel::Kind::kContext)) {
      for (const feel::ContextEntry& e : vars.context()) state.variables[e.name] = e.value;
    }
    return WriteInstance(sql, id, *row, state, row->status, {}, cause);
  }

  Status Cancel(soci::session& sql, const std::string& id, const Actor& actor) {
    std::optional<InstanceRow> row = LoadRow(sql, id);
    if (!row) return Error(ErrorCode::kNotFound, fmt::format("no instance {}", id));
    if (row->status != "running" && row->status != "incident") {
      return Error(ErrorCode::kConflict, fmt::format("instance {} is {}", id, row->status));
    }
    long long now = Micros(Now());
    std::vector<std::string> tasks;
    {
      std::string task_id;
      soci::statement st = (sql.prepare << Q("open_tasks_of_instance"),
                            soci::use(id, "instance_id"), soci::into(task_id));
      st.execute();
      while (st.fetch()) tasks.push_back(task_id);
    }
    for (const std::string& task_id : tasks) {
      std::string cancelled = "cancelled";
      std::string none;
      soci::indicator null_ind = soci::i_null;
      store::Execute(sql, Q("close_task"), soci::use(cancelled, "state"),
                     soci::use(none, null_ind, "completed_by"), soci::use(now, "closed_at"),
                     soci::use(task_id, "id"));
      store::Execute(sql, Q("delete_task_candidates"), soci::use(task_id, "task_id"));
    }
    store::Execute(sql, Q("delete_instance_timers"), soci::use(id, "instance_id"));
    store::Execute(sql, Q("delete_instance_jobs"), soci::use(id, "instance_id"));
    store::Execute(sql, Q("delete_instance_subscriptions"), soci::use(id, "instance_id"));
    store::Execute(sql, Q("resolve_instance_incidents"), soci::use(now, "now"),
                   soci::use(actor.account_id, "resolved_by"), soci::use(id, "instance_id"));
    TB_ASSIGN_OR_RETURN(InstanceState state, DecodeState(row->state));
    state.activities.clear();
    state.timers.clear();
    state.joins.clear();
    TB_RETURN_IF_ERROR(WriteInstance(sql, id, *row, state, "cancelled",
                                     {{row->process_id, "cancelled"}}, CauseOf(actor)));
    std::vector<std::string> children;
    {
      std::string child;
      soci::statement st =
          (sql.prepare << Q("called_instances"), soci::use(id, "id"), soci::into(child));
      st.execute();
      while (st.fetch()) children.push_back(child);
    }
    for (const std::string& c : children) TB_RETURN_IF_ERROR(Cancel(sql, c, actor));
    return Ok();
  }

  store::Database& db_;
  const Clock& clock_;
  Options options_;
  store::QuerySet queries_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Loaded>> cache_;    // "process@version"
  std::map<std::string, const Process*> process_of_;              // "process@version"
  std::map<std::string, std::shared_ptr<Loaded>> by_deployment_;  // deployment id
  std::map<std::string, JobHandler> handlers_;
  std::map<std::string, std::shared_ptr<const InTransactionAction>> in_transaction_handlers_;
  std::vector<std::string> history_inserts_;  // [n - 1]: the INSERT of n history rows
  std::mutex states_mu_;
  // Instance id → the revision and decoded state last committed by this runtime.
  std::unordered_map<std::string, std::pair<long long, std::shared_ptr<const InstanceState>>>
      states_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Pending*> queue_;
  bool stop_ = false;
  std::thread writer_;
};

Result<store::MigrationSet> Runtime::Migrations() {
  return store::LoadMigrations("bpmn", kBpmnRuntimeFiles, kBpmnRuntimeFiles_count);
}

Result<std::unique_ptr<Runtime>> Runtime::Create(store::Database& db, const Clock& clock,
                                                 Options options) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kBpmnRuntimeFiles, kBpmnRuntimeFiles_count));
  return std::unique_ptr<Runtime>(
      new Runtime(std::make_unique<Impl>(db, clock, std::move(options), std::move(queries))));
}

Runtime::Runtime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Runtime::~Runtime() = default;

Result<Deployment> Runtime::Deploy(std::string_view xml, const Actor& actor) {
  return impl_->Deploy(xml, actor);
}

Result<std::string> Runtime::StartInstance(const std::string& process_id,
                                           const feel::Value& variables, const Actor& actor,
                                           std::optional<int> version) {
  return StartInstance(process_id, variables, actor, StartOptions{.version = version});
}

namespace {

// The scope of a new instance: the options', else the `region` and `department` variables (the
// scope the HTTP routes authorise a start by).
std::pair<std::string, std::string> StartScope(const feel::Value& variables,
                                               const StartOptions& options) {
  std::string region = options.region;
  std::string department = options.department;
  if (variables.is(feel::Kind::kContext)) {
    for (const feel::ContextEntry& e : variables.context()) {
      if (!e.value.is(feel::Kind::kString)) continue;
      if (e.name == "region" && region.empty()) region = e.value.string();
      if (e.name == "department" && department.empty()) department = e.value.string();
    }
  }
  return {std::move(region), std::move(department)};
}

}  // namespace

Result<std::string> Runtime::StartInstance(const std::string& process_id,
                                           const feel::Value& variables, const Actor& actor,
                                           const StartOptions& options) {
  const auto [region, department] = StartScope(variables, options);
  return impl_->Write<std::string>([&](soci::session& sql) -> Result<std::string> {
    return impl_->CreateInstance(sql, process_id, options.version, variables, CauseOf(actor), "",
                                 -1, region, department);
  });
}

Result<InstanceInfo> Runtime::StartInstanceIn(soci::session& sql, const std::string& process_id,
                                              const feel::Value& variables, const Actor& actor,
                                              const StartOptions& options, AfterCommit& after) {
  const auto [region, department] = StartScope(variables, options);
  // The steps stage their states into `after` (not into a writer's batch, nor the cache).
  Staging staging(&after.states);
  TB_ASSIGN_OR_RETURN(std::string id,
                      impl_->CreateInstance(sql, process_id, options.version, variables,
                                            CauseOf(actor), "", -1, region, department));
  return impl_->Info(sql, id);
}

void Runtime::Committed(AfterCommit& after) {
  impl_->Publish(after.states);
  after.states.clear();
}

Result<InstanceInfo> Runtime::GetInstance(const std::string& instance_id) {
  return impl_->db_.Transaction<InstanceInfo>(
      store::TxKind::kRead,
      [&](soci::session& sql) -> Result<InstanceInfo> { return impl_->Info(sql, instance_id); });
}

Status Runtime::CancelInstance(const std::string& instance_id, const Actor& actor) {
  return impl_->Write(
      [&](soci::session& sql) -> Status { return impl_->Cancel(sql, instance_id, actor); });
}

Result<TaskPage> Runtime::ListGroupTasks(const std::string& group, int limit,
                                         const std::optional<TaskCursor>& after) {
  return impl_->ListTasks("group_tasks", "group_name", group, limit, after);
}

Result<TaskPage> Runtime::ListGroupTasks(const std::string& group, int limit,
                                         const std::optional<TaskCursor>& after,
                                         const TaskFilter& visible) {
  return impl_->ListTasks("group_tasks", "group_name", group, limit, after, visible);
}

Result<TaskPage> Runtime::ListAssigneeTasks(const std::string& assignee, int limit,
                                            const std::optional<TaskCursor>& after) {
  return impl_->ListTasks("assignee_tasks", "assignee", assignee, limit, after);
}

Result<Task> Runtime::GetTask(const std::string& task_id) {
  return impl_->db_.Transaction<Task>(
      store::TxKind::kRead,
      [&](soci::session& sql) -> Result<Task> { return impl_->FindTask(sql, task_id); });
}

Status Runtime::ClaimTask(const std::string& task_id, const Actor& actor) {
  return impl_->ChangeTask(task_id, actor, "claimed", "");
}

Status Runtime::UnclaimTask(const std::string& task_id, const Actor& actor) {
  return impl_->ChangeTask(task_id, actor, "unclaimed", "");
}

Status Runtime::DelegateTask(const std::string& task_id, const Actor& actor,
                             const std::string& to_account) {
  return impl_->ChangeTask(task_id, actor, "delegated", to_account);
}

Status Runtime::CompleteTask(const std::string& task_id, const feel::Value& variables,
                             const Actor& actor) {
  return impl_->CompleteTask(task_id, variables, actor);
}

Result<MessageOutcome> Runtime::CorrelateMessage(const std::string& name,
                                                 const std::string& correlation_key,
                                                 const feel::Value& variables,
                                                 std::chrono::microseconds ttl) {
  return impl_->Correlate(name, correlation_key, variables, ttl);
}

void Runtime::RegisterJobHandler(const std::string& task_type, JobHandler handler) {
  std::lock_guard lock(impl_->mu_);
  impl_->handlers_[task_type] = std::move(handler);
  impl_->in_transaction_handlers_.erase(task_type);
}

void Runtime::RegisterInTransactionHandler(const std::string& task_type,
                                           InTransactionHandler handler, ActionWrites writes) {
  std::lock_guard lock(impl_->mu_);
  impl_->in_transaction_handlers_[task_type] = std::make_shared<const InTransactionAction>(
      InTransactionAction{.handler = std::move(handler), .writes = writes});
  impl_->handlers_.erase(task_type);
}

Result<int> Runtime::FireDueTimers(int limit) { return impl_->FireDueTimers(limit); }

Result<int> Runtime::RunDueJobs(int limit) { return impl_->RunDueJobs(limit); }

Result<std::vector<Incident>> Runtime::ListIncidents(const std::string& instance_id) {
  return impl_->db_.Transaction<std::vector<Incident>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Incident>> {
        std::vector<Incident> out;
        Incident i;
        std::string state;
        long long created = 0;
        soci::details::prepare_temp_type p =
            (sql.prepare << impl_->Q(instance_id.empty() ? "list_incidents"
                                                         : "list_instance_incidents"));
        if (!instance_id.empty()) p, soci::use(instance_id, "instance_id");
        p, soci::into(i.id), soci::into(i.instance_id), soci::into(i.element_id),
            soci::into(i.message), soci::into(i.job_id), soci::into(state), soci::into(created),
            soci::into(i.region), soci::into(i.department);
        soci::statement st(p);
        st.execute();
        while (st.fetch()) {
          i.open = state == "open";
          i.created = FromMicros(created);
          out.push_back(i);
        }
        return out;
      });
}

Status Runtime::RetryIncident(const std::string& incident_id, const feel::Value& variables,
                              const Actor& actor) {
  return impl_->RetryOrResolve(incident_id, &variables, actor);
}

Status Runtime::ResolveIncident(const std::string& incident_id, const Actor& actor) {
  return impl_->RetryOrResolve(incident_id, nullptr, actor);
}

Result<std::vector<HistoryEvent>> Runtime::History(const std::string& instance_id) {
  return impl_->db_.Transaction<std::vector<HistoryEvent>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<HistoryEvent>> {
        std::vector<HistoryEvent> out;
        HistoryEvent e;
        long long seq = 0, at = 0;
        soci::statement st =
            (sql.prepare << impl_->Q("list_history"), soci::use(instance_id, "instance_id"),
             soci::into(seq), soci::into(e.element_id), soci::into(e.kind), soci::into(at),
             soci::into(e.actor), soci::into(e.request_id));
        st.execute();
        while (st.fetch()) {
          e.seq = seq;
          e.at = FromMicros(at);
          out.push_back(e);
        }
        return out;
      });
}

}  // namespace tongban::bpmn
