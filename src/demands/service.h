// Demands and work orders (诉求 / 工单) with time-limited dispatch, 国办发〔2020〕53号 and
// GB/T 33358: intake from the enterprise portal, the 12345 hotline, messaging groups and service
// lines; dispatch to a department or to the enterprise's service commissioner; sign-for within
// working hours or return with a reason to the arbiter (never back and forth); the handling
// limit from dispatch; extension on request before expiry; reminders and supervision when late
// (Sweep); closure with the answer; the satisfaction callback; reopening. Every step is stored
// with its actor and time (and appended to the trace chain "demand/<id>" when a trace is given).
//
// Permissions (data/people/roles.yaml): demand.submit (the enterprise's agent, portal),
// demand.intake (operators: hotline, group, service line; callbacks), demand.dispatch
// (dispatch, approve extensions, remind, supervise, reopen), demand.arbitrate (re-dispatch a
// returned order), demand.handle (sign, return, request extension, close: the receiving
// department's staff or the commissioner), demand.read (reads in the region), enterprise.assign
// (commissioners and liaison cadres).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/calendar.h"
#include "base/clock.h"
#include "base/result.h"
#include "demands/limits.h"
#include "demands/model.h"
#include "people/model.h"
#include "people/sms.h"
#include "store/database.h"
#include "store/migrations.h"
#include "store/queries.h"
#include "trace/trace.h"

namespace tongban::demands {

// The demands schema; applied after people's (it reads the account and enterprise tables).
Result<store::MigrationSet> Migrations();

// A demand as entered. Class and urgency are the wire names (or 咨询 … / 紧急 …), checked by
// the service so that an unknown one is refused naming its field.
struct DemandInput {
  std::string channel{};
  std::string demand_class{};
  std::string urgency{};
  bool complex = false;
  std::string region{};  // default: the region part of `uscc`
  std::string uscc{};
  std::string title{};
  std::string text{};
  std::string caller_name{};  // required on the hotline; portal: the agent's name by default
  std::string caller_phone{};
};

struct Submitted {
  DemandRecord record{};
  std::vector<Duplicate> duplicates{};  // earlier demands that look the same, most alike first
};

struct DispatchInput {
  ReceiverKind receiver = ReceiverKind::kDepartment;
  std::string department{};       // kDepartment: required
  std::optional<bool> complex{};  // re-classify as complex (the longer limit) when dispatching
  std::string note{};
};

struct ListFilter {
  std::string region{};  // a region subtree; "" for the caller's whole scope
  std::string uscc{};
  std::string state{};  // a DemandState name, "" for any
  int limit = 100;      // 1..500
};

struct SweepReport {
  int sign_overdue = 0;       // orders past their sign-for limit, reminded to sign
  int reminded = 0;           // orders past their handling limit, reminded (催办)
  int supervised = 0;         // orders more than a working day late, supervised (督办)
  int callbacks_overdue = 0;  // closed demands whose callback is overdue
};

struct StatisticsFilter {
  std::string region{};  // the subtree; "" for the caller's scope "*"
  Date from{};           // inclusive, China Standard Time
  Date to{};             // inclusive
};

// Work orders dispatched in the period, per receiver: department code, or "commissioner".
struct ReceiverStatistics {
  std::string receiver{};
  int64_t received = 0;
  int64_t closed = 0;
  int64_t on_time = 0;  // closed within the (extended) handling limit
  int64_t callbacks = 0;
  int64_t satisfied = 0;
};

class DemandService {
 public:
  struct Options {
    const Clock* clock = nullptr;         // default: the system clock
    const Calendar* calendar = nullptr;   // default: the embedded national calendar
    std::optional<LimitsTable> limits{};  // default: LimitsTable::Shipped()
    trace::Trace* trace = nullptr;        // when set, every step is also a trace event
    people::SmsGateway* sms = nullptr;    // when set, the demander is told of closure by SMS
  };
  // `db` must carry people's and the demands' migrations and outlive the service.
  static Result<std::unique_ptr<DemandService>> Create(store::Database& db, Options options);
  ~DemandService();

  // Enters a demand (state received) with its limit from the configuration, and suggests
  // duplicates: demands of the same enterprise or region of the last 30 days whose texts are
  // alike. Portal: demand.submit, and the caller must act for `uscc` when one is given. Other
  // channels: demand.intake over the region. Every invalid field is listed.
  Result<Submitted> Submit(const people::Principal& by, const DemandInput& input);

  // The demand with its orders and steps, as `by` may see it: the submitter and the
  // enterprise's agents see their own; staff need demand.read over the region and, unless they
  // dispatch, arbitrate or take in demands, an order to their department or to themselves. A
  // report's (举报) demander is blanked for the handling department (reporter_hidden).
  Result<DemandRecord> Get(const people::Principal& by, std::string_view id);
  // Demands visible to `by` (as Get), newest first.
  Result<std::vector<Demand>> List(const people::Principal& by, const ListFilter& filter);
  // Duplicates of a demand (as suggested on Submit).
  Result<std::vector<Duplicate>> Duplicates(const people::Principal& by, std::string_view id);

  // Dispatches a received (or re-opened) demand as a new work order: the sign-for limit runs in
  // working hours, the handling limit in working days, both from now. To the commissioner: the
  // enterprise's assigned service commissioner (kConflict naming "receiver" when it has none).
  Result<WorkOrder> Dispatch(const people::Principal& by, std::string_view id,
                             const DispatchInput& input);
  // The receiver signs for the pending order: a department's order only by staff of that
  // department holding demand.handle, a commissioner's only by the commissioner. A second
  // sign-for is kConflict ("state").
  Result<WorkOrder> Sign(const people::Principal& by, std::string_view id);
  // The receiver returns the pending order with a reason ("reason" required); it goes to the
  // arbiter. An order the arbiter dispatched cannot be returned again.
  Result<WorkOrder> Return(const people::Principal& by, std::string_view id,
                           std::string_view reason);
  // The arbiter (demand.arbitrate) re-dispatches a returned demand; the new order is final.
  Result<WorkOrder> Arbitrate(const people::Principal& by, std::string_view id,
                              const DispatchInput& input);
  // The receiver asks for `days` (1..15) more working days, with a reason, before the handling
  // limit expires (after it: kConflict naming "due"). One request per order.
  Result<WorkOrder> RequestExtension(const people::Principal& by, std::string_view id, int days,
                                     std::string_view reason);
  // The dispatcher (demand.dispatch) approves (the limit moves by the days asked) or refuses a
  // requested extension.
  Result<WorkOrder> DecideExtension(const people::Principal& by, std::string_view id, bool approve);
  // 催办: a reminder on the open order (demand.dispatch).
  Result<WorkOrder> Remind(const people::Principal& by, std::string_view id, std::string_view note);
  // 督办: supervision of a late open order (demand.dispatch); kConflict while it is not late.
  Result<WorkOrder> Supervise(const people::Principal& by, std::string_view id,
                              std::string_view note);
  // The receiver closes the signed order with its answer ("answer" required); the callback is
  // due the next working day(s) per the configuration.
  Result<WorkOrder> Close(const people::Principal& by, std::string_view id,
                          std::string_view answer);
  // 回访: records whether the demander is satisfied (demand.intake or demand.dispatch). A
  // satisfied demand is finished; an unsatisfied one may be re-opened.
  Result<Demand> Callback(const people::Principal& by, std::string_view id, bool satisfied,
                          std::string_view note);
  // Re-opens a closed demand whose callback was unsatisfied (demand.dispatch, reason required):
  // it is dispatched again.
  Result<Demand> Reopen(const people::Principal& by, std::string_view id, std::string_view reason);

  // The scheduler hook (and `tongban demand sweep`): reminds orders past their sign-for or
  // handling limit, supervises those more than a working day late, each once, as "system";
  // counts closed demands whose callback is overdue. Idempotent for a given time.
  Result<SweepReport> Sweep();

  // The enterprise's commissioners and liaison cadres (the enterprise itself, its agents,
  // demand.read or enterprise.serve staff may read them).
  Result<std::vector<Contact>> Contacts(const people::Principal& by, std::string_view uscc);
  // Replaces the enterprise's contacts of `kind` with `accounts` (staff account ids or
  // usernames); enterprise.assign over the enterprise's region (from its USCC).
  Result<std::vector<Contact>> SetContacts(const people::Principal& by, std::string_view uscc,
                                           ContactKind kind,
                                           const std::vector<std::string>& accounts);
  // The enterprises `account` (an id or username) is commissioner or liaison cadre of.
  Result<std::vector<Contact>> EnterprisesOf(const people::Principal& by, std::string_view account);

  // Received / closed / on time / satisfied per receiver for orders dispatched in the period
  // (demand.read or report.read over the region), with a "total" row first.
  Result<std::vector<ReceiverStatistics>> Statistics(const people::Principal& by,
                                                     const StatisticsFilter& filter);

  const LimitsTable& limits() const { return limits_; }

 private:
  DemandService(store::Database& db, Options options, LimitsTable limits, store::QuerySet queries);
  const std::string& Q(std::string_view name) const { return queries_.Get(name, db_.backend()); }
  int64_t NowMs() const;
  class Tx;
  Result<WorkOrder> NewOrder(const people::Principal& by, std::string_view id,
                             const DispatchInput& input, bool arbitration);
  // Runs `step` on the demand's open order in one write transaction and returns the order.
  using OrderStep = std::function<Status(Tx& tx, DemandRecord& record, WorkOrder& order)>;
  Result<WorkOrder> OnOpenOrder(std::string_view id, const OrderStep& step);
  using DemandStep = std::function<Status(Tx& tx, DemandRecord& record)>;
  Result<Demand> OnDemand(std::string_view id, const DemandStep& step);

  store::Database& db_;
  Options options_;
  std::unique_ptr<Calendar> own_calendar_;
  const Calendar* calendar_;
  const Clock* clock_;
  LimitsTable limits_;
  store::QuerySet queries_;
};

}  // namespace tongban::demands
