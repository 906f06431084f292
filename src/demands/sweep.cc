// The time-limit sweep over open work orders: late sign-for and handling, reminders and
// supervision.
#include "demands/service_impl.h"

namespace tongban::demands {

Result<SweepReport> DemandService::Sweep() {
  const int64_t now = NowMs();
  SweepReport report;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    std::vector<WorkOrder> late;
    {
      soci::rowset<soci::row> rows =
          (sql.prepare << Q("late_orders"), soci::use(now, "now1"), soci::use(now, "now2"));
      for (const soci::row& row : rows) late.push_back(OrderFromRow(row));
    }
    for (WorkOrder& o : late) {
      bool changed = false;
      if (o.state == OrderState::kPending && now > o.sign_due && !o.sign_overdue) {
        o.sign_overdue = true;
        ++o.reminders;
        ++report.sign_overdue;
        changed = true;
        TB_RETURN_IF_ERROR(tx.AddStep(
            o.demand_id, "reminded", "system", now,
            "催签: the sign-for limit passed at " + people::FormatTimestamp(o.sign_due)));
      }
      if (now > o.due && !o.late_reminded) {
        o.late_reminded = true;
        ++o.reminders;
        ++report.reminded;
        changed = true;
        TB_RETURN_IF_ERROR(
            tx.AddStep(o.demand_id, "reminded", "system", now,
                       "催办: the handling limit passed at " + people::FormatTimestamp(o.due)));
      }
      if (now > o.due && !o.supervised) {
        TB_ASSIGN_OR_RETURN(int64_t grace, AddWorkingDaysEnd(*calendar_, o.due, 1));
        if (now > grace) {
          o.supervised = true;
          ++report.supervised;
          changed = true;
          TB_RETURN_IF_ERROR(tx.AddStep(o.demand_id, "supervised", "system", now,
                                        "督办: more than a working day past the handling limit"));
        }
      }
      if (changed) tx.UpdateOrder(o);
    }
    int64_t overdue = 0;
    store::Execute(sql, Q("callbacks_overdue"), soci::use(now, "now"), soci::into(overdue));
    report.callbacks_overdue = static_cast<int>(overdue);
    return Ok();
  }));
  return report;
}

}  // namespace tongban::demands
