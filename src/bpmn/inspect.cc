#include "bpmn/inspect.h"

#include <fmt/format.h>

#include <algorithm>

#include "bpmn/reader.h"
#include "store/queries.h"

namespace tongban {
extern const EmbeddedFile kBpmnInspectFiles[];
extern const size_t kBpmnInspectFiles_count;
}  // namespace tongban

namespace tongban::bpmn {
namespace {

Timestamp FromMicros(long long us) { return Timestamp(std::chrono::microseconds(us)); }
long long Micros(Timestamp t) { return t.time_since_epoch().count(); }

}  // namespace

std::optional<RunStatus> ParseRunStatus(std::string_view name) {
  for (RunStatus s :
       {RunStatus::kRunning, RunStatus::kCompleted, RunStatus::kIncident, RunStatus::kCancelled}) {
    if (RunStatusName(s) == name) return s;
  }
  return std::nullopt;
}

class Inspector::Impl {
 public:
  Impl(store::Database& db, store::QuerySet queries) : db_(db), queries_(std::move(queries)) {}

  const std::string& Q(std::string_view name) const { return queries_.Get(name, db_.backend()); }

  Result<std::vector<DeployedVersion>> ListProcesses() {
    return db_.Transaction<std::vector<DeployedVersion>>(
        store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<DeployedVersion>> {
          std::vector<DeployedVersion> out;
          DeployedVersion v;
          long long at = 0;
          soci::statement st = (sql.prepare << Q("list_process_versions"), soci::into(v.process_id),
                                soci::into(v.version), soci::into(v.deployment_id),
                                soci::into(v.deployed_by), soci::into(at));
          st.execute();
          while (st.fetch()) {
            v.deployed_at = FromMicros(at);
            out.push_back(v);
          }
          return out;
        });
  }

  Result<std::string> ProcessXml(const std::string& process_id, std::optional<int> version) {
    return db_.Transaction<std::string>(
        store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
          std::string xml;
          int version_any = version ? 0 : 1;
          int wanted = version.value_or(0);
          soci::indicator ind = soci::i_null;
          sql << Q("process_version_xml"), soci::use(process_id, "process_id"),
              soci::use(version_any, "version_any"), soci::use(wanted, "version"),
              soci::into(xml, ind);
          if (!sql.got_data() || ind != soci::i_ok) {
            return Error(ErrorCode::kNotFound,
                         "process " + process_id +
                             (version ? " version " + std::to_string(*version) : std::string()) +
                             " is not deployed");
          }
          return xml;
        });
  }

  Result<InstancePage> ListInstances(const InstanceFilter& filter) {
    const int limit = std::clamp(filter.limit, 1, 500);
    return db_.Transaction<
        InstancePage>(store::TxKind::kRead, [&](soci::session& sql) -> Result<InstancePage> {
      int process_any = filter.process_id.empty() ? 1 : 0;
      int status_any = filter.status ? 0 : 1;
      std::string status(filter.status ? RunStatusName(*filter.status) : "");
      long long after_created = filter.after ? filter.after->created_at : -1;
      std::string after_id = filter.after ? filter.after->instance_id : std::string();
      const int fetch = filter.visible ? limit * 20 : limit + 1;
      InstanceSummary s;
      std::string status_text;
      long long created = 0, updated = 0;
      soci::statement st =
          (sql.prepare << Q("list_instances"), soci::use(process_any, "process_any"),
           soci::use(filter.process_id, "process_id"), soci::use(status_any, "status_any"),
           soci::use(status, "status"), soci::use(after_created, "after_created"),
           soci::use(after_created, "after_created2"), soci::use(after_id, "after_id"),
           soci::use(fetch, "limit"), soci::into(s.id), soci::into(s.process_id),
           soci::into(s.version), soci::into(status_text), soci::into(s.started_by),
           soci::into(created), soci::into(updated), soci::into(s.region),
           soci::into(s.department));
      st.execute();
      InstancePage page;
      int scanned = 0;
      std::optional<InstanceCursor> last;
      while (static_cast<int>(page.instances.size()) <= limit && st.fetch()) {
        ++scanned;
        s.status = ParseRunStatus(status_text).value_or(RunStatus::kRunning);
        s.created = FromMicros(created);
        s.updated = FromMicros(updated);
        last = InstanceCursor{created, s.id};
        if (!filter.visible || filter.visible(s)) page.instances.push_back(s);
      }
      if (static_cast<int>(page.instances.size()) > limit) {
        page.instances.resize(limit);
        page.next = InstanceCursor{Micros(page.instances.back().created), page.instances.back().id};
      } else if (scanned == fetch) {
        page.next = last;  // the scan stopped before the end: the next page goes on from there
      }
      return page;
    });
  }

  Result<Waits> WaitsOf(const std::string& instance_id) {
    return db_.Transaction<Waits>(store::TxKind::kRead, [&](soci::session& sql) -> Result<Waits> {
      Waits w;
      {
        Waits::TaskWait t;
        soci::statement st =
            (sql.prepare << Q("instance_open_tasks"), soci::use(instance_id, "instance_id"),
             soci::into(t.task_id), soci::into(t.element_id));
        st.execute();
        while (st.fetch()) w.tasks.push_back(t);
      }
      {
        Waits::TimerWait t;
        long long due = 0;
        soci::statement st =
            (sql.prepare << Q("instance_timers"), soci::use(instance_id, "instance_id"),
             soci::into(t.timer_id), soci::into(t.element_id), soci::into(due));
        st.execute();
        while (st.fetch()) {
          t.due = FromMicros(due);
          w.timers.push_back(t);
        }
      }
      {
        Waits::JobWait j;
        soci::statement st =
            (sql.prepare << Q("instance_jobs"), soci::use(instance_id, "instance_id"),
             soci::into(j.job_id), soci::into(j.element_id), soci::into(j.task_type),
             soci::into(j.state));
        st.execute();
        while (st.fetch()) w.jobs.push_back(j);
      }
      {
        Waits::MessageWait m;
        soci::statement st = (sql.prepare << Q("instance_subscriptions"),
                              soci::use(instance_id, "instance_id"), soci::into(m.subscription_id),
                              soci::into(m.message_name), soci::into(m.correlation_key));
        st.execute();
        while (st.fetch()) w.messages.push_back(m);
      }
      return w;
    });
  }

 private:
  store::Database& db_;
  store::QuerySet queries_;
};

Result<std::unique_ptr<Inspector>> Inspector::Create(store::Database& db) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kBpmnInspectFiles, kBpmnInspectFiles_count));
  return std::unique_ptr<Inspector>(new Inspector(std::make_unique<Impl>(db, std::move(queries))));
}

Inspector::Inspector(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Inspector::~Inspector() = default;

Result<std::vector<DeployedVersion>> Inspector::ListProcesses() { return impl_->ListProcesses(); }
Result<std::string> Inspector::ProcessXml(const std::string& process_id,
                                          std::optional<int> version) {
  return impl_->ProcessXml(process_id, version);
}
Result<InstancePage> Inspector::ListInstances(const InstanceFilter& filter) {
  return impl_->ListInstances(filter);
}
Result<Waits> Inspector::WaitsOf(const std::string& instance_id) {
  return impl_->WaitsOf(instance_id);
}

Result<FieldErrors> DeploymentProblems(std::string_view xml,
                                       const std::function<bool(const std::string&)>& known_group) {
  TB_ASSIGN_OR_RETURN(Definitions defs, ParseBpmn(xml, "deployment"));
  FieldErrors problems;
  for (const Problem& p : defs.problems) {
    if (p.severity == Severity::kError) problems.Add(p.element_id, p.message);
  }
  if (defs.processes.empty()) problems.Add("definitions", "the model has no executable process");
  for (const Process& process : defs.processes) {
    for (const Node& n : process.nodes) {
      for (const std::string& group : n.candidate_groups) {
        if (!known_group(group)) {
          problems.Add(n.id, fmt::format("candidate group '{}' is neither a role nor a "
                                         "department code of the catalog",
                                         group));
        }
      }
    }
  }
  return problems;
}

}  // namespace tongban::bpmn
