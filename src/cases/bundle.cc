// One-thing bundles (一件事一次办): one application, one sub-case per matter, and the bundle's
// BPMN process that waits for each sub-case's decision (message `case_decided`, correlated by
// the sub-case's number) in parallel or in order.
#include <spdlog/spdlog.h>

#include "cases/review.h"
#include "cases/service_impl.h"
#include "feel/value.h"

namespace tongban::cases {
namespace {

constexpr char kDefaultBundleProcess[] = "bundle_parallel";
constexpr char kDecidedMessage[] = "case_decided";
// The variable of the bundle process's per-matter step naming its sub-case.
constexpr char kSubCaseVariable[] = "sub_case";
// A decision that arrives before its step is open waits this long.
constexpr auto kDecisionTtl = std::chrono::hours(24 * 365);

const bpmn::Actor& BundleActor() {
  static const bpmn::Actor actor{
      .account_id = "system", .roles = {}, .department = "", .region = ""};
  return actor;
}

struct BundleRow {
  std::string id, number, code, name, region, submitted_by, process_id, instance_id;
  long long received_at = 0;
  std::vector<std::string> cases;
};

}  // namespace

void CaseService::Impl::NotifyBundle(const Case& c, std::string_view action) {
  if (action != "case.approved" && action != "case.denied" && action != "case.refused" &&
      action != "case.withdrawn" && action != "case.terminated") {
    return;
  }
  auto bundle = db.Transaction<BundleLink>(
      store::TxKind::kRead,
      [&](soci::session& sql) -> Result<BundleLink> { return LoadBundleLink(sql, c.id); });
  if (!bundle.ok() || bundle->instance.empty()) return;
  json vars = {{"decision", CaseStateName(c.state)}, {"reasons", c.decision_reasons}};
  auto value = feel::ParseJson(vars.dump());
  if (!value.ok()) return;
  auto sent = runtime->CorrelateMessage(kDecidedMessage, c.number, *value, kDecisionTtl);
  if (!sent.ok()) {
    spdlog::warn("the bundle process {} was not told of case {}: {}", bundle->instance, c.number,
                 sent.error().ToString());
  }
}

CaseService::Impl::BundleLink CaseService::Impl::LoadBundleLink(soci::session& sql,
                                                                const std::string& case_id) const {
  BundleLink link;
  store::Execute(sql, Q("select_bundle_of_case"), soci::use(case_id, "case_id"),
                 soci::into(link.number), soci::into(link.instance));
  return link;
}

Status CaseService::Impl::CheckBundleOrder(const Case& c, const BundleLink& link) const {
  const auto& [number, instance] = link;
  if (instance.empty()) return Ok();  // not in a bundle
  TB_ASSIGN_OR_RETURN(bpmn::InstanceInfo info, runtime->GetInstance(instance));
  for (const auto& [id, a] : info.state.activities) {
    if (a.wait != bpmn::WaitKind::kMessage) continue;
    auto v = a.locals.find(kSubCaseVariable);
    if (v != a.locals.end() && v->second.is(feel::Kind::kString) &&
        v->second.string() == c.number) {
      return Ok();
    }
  }
  return Error(ErrorCode::kConflict,
               info.status == bpmn::RunStatus::kRunning
                   ? fmt::format("case {} waits for the result of an earlier matter of bundle "
                                 "application {}",
                                 c.number, number)
                   : fmt::format("bundle application {} is concluded: case {} is not reviewed",
                                 number, c.number));
}

Result<BundleApplication> CaseService::SubmitBundle(const Principal& caller,
                                                    const BundleRequest& request) {
  Impl& I = *impl_;
  if (!I.runtime) {
    return Error(ErrorCode::kNotFound, "this installation runs no bundle processes");
  }
  if (!request.idempotency_key.empty()) {
    auto earlier = I.db.Transaction<std::string>(
        store::TxKind::kRead, [&](soci::session& sql) -> Result<std::string> {
          std::string number;
          sql << I.Q("select_bundle_by_key"), soci::use(caller.account.id, "submitted_by"),
              soci::use(request.idempotency_key, "idempotency_key"), soci::into(number);
          return number;
        });
    if (!earlier.ok()) return std::move(earlier).error();
    if (!earlier->empty()) {
      TB_ASSIGN_OR_RETURN(BundleApplication a, GetBundle(caller, *earlier));
      a.replayed = true;
      return a;
    }
  }
  TB_ASSIGN_OR_RETURN(std::vector<catalog::Bundle> bundles, I.catalog.ListBundles());
  auto b = std::find_if(bundles.begin(), bundles.end(),
                        [&](const catalog::Bundle& x) { return x.code == request.bundle; });
  if (b == bundles.end()) {
    return Error(ErrorCode::kNotFound, fmt::format("no bundle {}", request.bundle));
  }
  // Split the merged form: each matter's first scenario takes the fields its form has.
  const Date today = I.Today();
  FieldErrors errors;
  std::vector<SubmitRequest> parts;
  std::set<std::string> known, reported;
  for (const std::string& code : b->matters) {
    auto matter = I.MatterInForce(code, today);
    if (!matter.ok()) {
      return Error(ErrorCode::kNotFound,
                   fmt::format("matter {} of bundle {} is not in force", code, b->code));
    }
    if ((*matter)->item.scenarios.empty()) {
      return Error(ErrorCode::kNotFound, fmt::format("matter {} has no scenario", code));
    }
    const catalog::Scenario& scenario = (*matter)->item.scenarios.front();
    SubmitRequest part;
    part.matter = code;
    part.scenario = scenario.code;
    part.channel = request.channel;
    part.applicant_kind = request.applicant_kind;
    part.applicant_code = request.applicant_code;
    part.applicant_name = request.applicant_name;
    part.agent_account = request.agent_account;
    if (!request.idempotency_key.empty()) {
      part.idempotency_key = request.idempotency_key + "#" + code;
    }
    std::map<std::string, std::string> form;
    for (const catalog::FormField& f : scenario.form) {
      known.insert(f.name);
      auto it = request.form.find(f.name);
      if (it != request.form.end()) form[f.name] = it->second;
    }
    FieldErrors own;
    ValidateForm(scenario.form, form, today, own);
    for (const FieldError& e : own.fields()) {
      // A shared field is asked once: its problem is told once.
      if (reported.insert(e.field).second) errors.Add(e.field, e.message);
    }
    part.form = std::move(form);
    parts.push_back(std::move(part));
  }
  for (const auto& [name, value] : request.form) {
    if (!known.contains(name)) {
      errors.Add("form/" + name, "is not a field of any matter of this bundle");
    }
  }
  if (!errors.empty()) return errors.ToError("the bundle application is invalid");

  std::vector<std::string> numbers;
  for (const SubmitRequest& part : parts) {
    TB_ASSIGN_OR_RETURN(SubmitResult r, Submit(caller, part));
    numbers.push_back(r.record.number);
  }
  BundleRow row;
  row.id = NewId(I.clock());
  row.code = b->code;
  row.name = b->name;
  row.region = b->region;
  row.submitted_by = caller.account.id;
  row.received_at = I.NowMs();
  row.cases = numbers;
  row.process_id = b->process.empty() ? kDefaultBundleProcess : b->process;
  json vars = {{"cases", numbers}, {"matters", b->matters}, {"bundle", b->code}};
  TB_ASSIGN_OR_RETURN(feel::Value variables, feel::ParseJson(vars.dump()));
  auto started = I.runtime->StartInstance(row.process_id, variables, BundleActor());
  if (!started.ok() && started.error().code() == ErrorCode::kNotFound &&
      row.process_id != kDefaultBundleProcess) {
    row.process_id = kDefaultBundleProcess;
    started = I.runtime->StartInstance(row.process_id, variables, BundleActor());
  }
  if (!started.ok()) return std::move(started).error();
  row.instance_id = *started;
  const std::string form = FormJson(request.form);
  auto saved = I.db.Transaction<std::string>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<std::string> {
        const CivilDate cd = today.civil();
        std::string sequence = "Y" + row.region;
        const std::string day = fmt::format("{:04d}{:02d}{:02d}", cd.year, cd.month, cd.day);
        long long seq = 0;
        sql << I.Q("next_sequence"), soci::use(sequence, "region"), soci::use(day, "day"),
            soci::into(seq);
        row.number = fmt::format("{}-{}-Y{:05d}", row.region, day, seq);
        sql << I.Q("insert_bundle"), soci::use(row.id, "id"), soci::use(row.number, "number"),
            soci::use(row.code, "bundle_code"), soci::use(row.name, "bundle_name"),
            soci::use(row.region, "region"), soci::use(row.submitted_by, "submitted_by"),
            soci::use(request.idempotency_key, "idempotency_key"), soci::use(form, "form"),
            soci::use(row.process_id, "process_id"), soci::use(row.instance_id, "instance_id"),
            soci::use(row.received_at, "received_at");
        for (size_t i = 0; i < numbers.size(); ++i) {
          long long idx = static_cast<long long>(i);
          sql << I.Q("insert_bundle_case"), soci::use(row.id, "bundle_id"), soci::use(idx, "idx"),
              soci::use(numbers[i], "number");
        }
        auto r = I.trace.Append(sql, {.stream = "bundle/" + row.id,
                                      .actor = caller.account.id,
                                      .action = "bundle.submitted",
                                      .payload = json({{"number", row.number},
                                                       {"bundle", row.code},
                                                       {"cases", numbers},
                                                       {"process", row.process_id},
                                                       {"instance", row.instance_id}})
                                                     .dump()});
        if (!r.ok()) return std::move(r).error();
        return row.number;
      });
  if (!saved.ok()) {
    Status cancelled = I.runtime->CancelInstance(row.instance_id, BundleActor());
    if (!cancelled.ok()) spdlog::warn("bundle instance {} stays open", row.instance_id);
    return std::move(saved).error();
  }
  return GetBundle(caller, *saved);
}

Result<BundleApplication> CaseService::GetBundle(const Principal& caller,
                                                 std::string_view number_view) {
  Impl& I = *impl_;
  const std::string number(number_view);
  auto loaded = I.db.Transaction<BundleRow>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<BundleRow> {
        BundleRow r;
        sql << I.Q("select_bundle"), soci::use(number, "number"), soci::into(r.id),
            soci::into(r.number), soci::into(r.code), soci::into(r.name), soci::into(r.region),
            soci::into(r.submitted_by), soci::into(r.process_id), soci::into(r.instance_id),
            soci::into(r.received_at);
        if (!sql.got_data()) {
          return Error(ErrorCode::kNotFound, fmt::format("no bundle application {}", number));
        }
        std::string n;
        soci::statement st = (sql.prepare << I.Q("select_bundle_cases"),
                              soci::use(r.id, "bundle_id"), soci::into(n));
        st.execute();
        while (st.fetch()) r.cases.push_back(n);
        return r;
      });
  if (!loaded.ok()) return std::move(loaded).error();
  BundleApplication a;
  a.number = loaded->number;
  a.bundle = loaded->code;
  a.name = loaded->name;
  a.region = loaded->region;
  a.process_id = loaded->process_id;
  a.instance_id = loaded->instance_id;
  for (const std::string& n : loaded->cases) {
    TB_ASSIGN_OR_RETURN(Case c, Get(caller, n));
    a.cases.push_back(std::move(c));
  }
  if (I.runtime && !a.instance_id.empty()) {
    auto info = I.runtime->GetInstance(a.instance_id);
    if (info.ok()) a.status = std::string(bpmn::RunStatusName(info->status));
  }
  a.concluded = a.status == "completed";
  const Date today = I.Today();
  std::string due_region;  // the region of the sub-case due last, whose calendar counts
  for (const Case& c : a.cases) {
    if (c.clock.due_on && (!a.due_on || *c.clock.due_on > *a.due_on)) {
      a.due_on = c.clock.due_on;
      due_region = c.region;
    }
  }
  if (a.due_on) {
    a.remaining_working_days = I.CalendarOf(due_region).WorkingDaysBetween(today, *a.due_on).days;
    a.overdue = !a.concluded && a.remaining_working_days < 0;
  } else {
    for (const Case& c : a.cases) {
      a.remaining_working_days = std::max(a.remaining_working_days, c.clock.remaining_working_days);
    }
  }
  return a;
}

}  // namespace tongban::cases
