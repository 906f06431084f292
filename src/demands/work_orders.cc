// Work orders: dispatch, arbitration, signing for or returning, extension, reminders, supervision,
// closure, the satisfaction callback and reopening.
#include "demands/service_impl.h"

namespace tongban::demands {

using people::Principal;

namespace {

// The open order of a demand (the newest, when pending or signed).
Result<WorkOrder*> OpenOrder(DemandRecord& r) {
  if (r.orders.empty() || (r.orders.back().state != OrderState::kPending &&
                           r.orders.back().state != OrderState::kSigned)) {
    return StateError(fmt::format("demand {} has no open work order (it is {})", r.demand.number,
                                  DemandStateName(r.demand.state)));
  }
  return &r.orders.back();
}

// Only the receiver of the order acts on it: staff of its department holding demand.handle, or
// its commissioner.
Status CheckReceiver(const Principal& by, const Demand& d, const WorkOrder& o, int64_t now) {
  if (o.receiver_kind == ReceiverKind::kCommissioner) {
    if (o.assignee != by.account.id) {
      return Error(ErrorCode::kForbidden, "the work order is dispatched to another commissioner",
                   {{"assignee", "the order is not dispatched to you"}});
    }
    return people::Authorize(by, "demand.handle", {.region = d.region}, now);
  }
  if (by.account.department != o.department) {
    return Error(ErrorCode::kForbidden,
                 fmt::format("the work order is dispatched to department {}", o.department),
                 {{"department",
                   fmt::format("the order belongs to {}, not to your department {}", o.department,
                               by.account.department.empty() ? "(none)" : by.account.department)}});
  }
  return people::Authorize(by, "demand.handle", {.region = d.region, .department = o.department},
                           now);
}

}  // namespace

Result<WorkOrder> DemandService::Dispatch(const Principal& by, std::string_view id,
                                          const DispatchInput& input) {
  return NewOrder(by, id, input, false);
}

Result<WorkOrder> DemandService::Arbitrate(const Principal& by, std::string_view id,
                                           const DispatchInput& input) {
  return NewOrder(by, id, input, true);
}

Result<WorkOrder> DemandService::NewOrder(const Principal& by, std::string_view id,
                                          const DispatchInput& input, bool arbitration) {
  const int64_t now = NowMs();
  if (input.receiver == ReceiverKind::kDepartment && input.department.empty()) {
    return Error(ErrorCode::kInvalidArgument, "a department is required",
                 {{"department", "required when dispatching to a department"}});
  }
  WorkOrder out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    TB_ASSIGN_OR_RETURN(DemandRecord r, tx.Load(id, true));
    Demand& d = r.demand;
    TB_RETURN_IF_ERROR(people::Authorize(by, arbitration ? "demand.arbitrate" : "demand.dispatch",
                                         {.region = d.region}, now));
    if (arbitration && d.state != DemandState::kReturned) {
      return StateError(fmt::format("only a returned demand goes to the arbiter; {} is {}",
                                    d.number, DemandStateName(d.state)));
    }
    if (!arbitration && d.state != DemandState::kReceived) {
      return StateError(fmt::format("demand {} is {}, not waiting for dispatch", d.number,
                                    DemandStateName(d.state)));
    }
    WorkOrder o;
    o.id = NewId(*clock_);
    o.demand_id = d.id;
    o.seq = static_cast<int>(r.orders.size()) + 1;
    o.receiver_kind = input.receiver;
    o.arbitrated = arbitration;
    if (input.receiver == ReceiverKind::kCommissioner) {
      std::string commissioner;
      if (d.uscc.empty() || !store::Execute(sql, Q("commissioner_of"), soci::use(d.uscc, "uscc"),
                                            soci::into(commissioner))
                                 .got_data) {
        return Error(ErrorCode::kConflict, "the enterprise has no service commissioner",
                     {{"receiver", d.uscc.empty() ? "the demand names no enterprise"
                                                  : "no commissioner is assigned to " + d.uscc}});
      }
      o.assignee = commissioner;
    } else {
      o.department = input.department;
    }
    if (input.complex) {
      d.complex = *input.complex;
      d.limit_days = limits_.HandlingDays(d.region, d.demand_class, d.urgency, d.complex);
    }
    o.dispatched_by = by.account.id;
    o.dispatched_at = now;
    const RegionLimits& rl = limits_.For(d.region);
    const OfficeHours* hours = limits_.office_hours().Find(d.region);
    TB_ASSIGN_OR_RETURN(o.sign_due,
                        AddWorkingMinutes(*calendar_, *hours, now, rl.sign_for_hours * 60));
    TB_ASSIGN_OR_RETURN(o.due, AddWorkingDaysEnd(*calendar_, now, d.limit_days));
    tx.InsertOrder(o);
    d.state = DemandState::kDispatched;
    tx.UpdateDemand(d);
    const std::string receiver = o.receiver_kind == ReceiverKind::kCommissioner
                                     ? "commissioner " + o.assignee
                                     : "department " + o.department;
    TB_RETURN_IF_ERROR(
        tx.AddStep(d.id, arbitration ? "arbitrated" : "dispatched", by.account.id, now,
                   fmt::format("to {}; sign for by {}, handle by {}{}{}", receiver,
                               people::FormatTimestamp(o.sign_due), people::FormatTimestamp(o.due),
                               input.note.empty() ? "" : "; ", input.note)));
    out = o;
    return Ok();
  }));
  return out;
}

Result<WorkOrder> DemandService::OnOpenOrder(std::string_view id, const OrderStep& step) {
  WorkOrder out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    TB_ASSIGN_OR_RETURN(DemandRecord r, tx.Load(id, true));
    TB_ASSIGN_OR_RETURN(WorkOrder * o, OpenOrder(r));
    TB_RETURN_IF_ERROR(step(tx, r, *o));
    out = *o;
    return Ok();
  }));
  return out;
}

Result<Demand> DemandService::OnDemand(std::string_view id, const DemandStep& step) {
  Demand out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    TB_ASSIGN_OR_RETURN(DemandRecord r, tx.Load(id, true));
    TB_RETURN_IF_ERROR(step(tx, r));
    out = r.demand;
    return Ok();
  }));
  return out;
}

Result<WorkOrder> DemandService::Sign(const Principal& by, std::string_view id) {
  const int64_t now = NowMs();
  return OnOpenOrder(id, [&](Tx& tx, DemandRecord& r, WorkOrder& o) -> Status {
    TB_RETURN_IF_ERROR(CheckReceiver(by, r.demand, o, now));
    if (o.state != OrderState::kPending) {
      return StateError(fmt::format("the work order was already signed for by {} at {}",
                                    o.signed_by, people::FormatTimestamp(o.signed_at)));
    }
    o.state = OrderState::kSigned;
    o.signed_by = by.account.id;
    o.signed_at = now;
    tx.UpdateOrder(o);
    r.demand.state = DemandState::kHandling;
    tx.UpdateDemand(r.demand);
    return tx.AddStep(r.demand.id, "signed", by.account.id, now,
                      now > o.sign_due ? "after the sign-for limit" : "within the sign-for limit");
  });
}

Result<WorkOrder> DemandService::Return(const Principal& by, std::string_view id,
                                        std::string_view reason) {
  const int64_t now = NowMs();
  if (reason.empty()) {
    return Error(ErrorCode::kInvalidArgument, "a returned work order needs its reason",
                 {{"reason", "required: why the order is not for this receiver"}});
  }
  return OnOpenOrder(id, [&](Tx& tx, DemandRecord& r, WorkOrder& o) -> Status {
    TB_RETURN_IF_ERROR(CheckReceiver(by, r.demand, o, now));
    if (o.state != OrderState::kPending) {
      return StateError("a signed work order cannot be returned");
    }
    if (o.arbitrated) {
      return StateError("the arbiter dispatched this order; it cannot be returned again");
    }
    o.state = OrderState::kReturned;
    o.return_reason = std::string(reason);
    tx.UpdateOrder(o);
    r.demand.state = DemandState::kReturned;
    tx.UpdateDemand(r.demand);
    return tx.AddStep(r.demand.id, "returned", by.account.id, now, std::string(reason));
  });
}

Result<WorkOrder> DemandService::RequestExtension(const Principal& by, std::string_view id,
                                                  int days, std::string_view reason) {
  const int64_t now = NowMs();
  FieldErrors errors;
  if (days < 1 || days > kMaxExtensionDays) {
    errors.Add("days", fmt::format("1 to {} working days", kMaxExtensionDays));
  }
  if (reason.empty()) errors.Add("reason", "required");
  if (!errors.empty()) return errors.ToError("invalid extension request");
  return OnOpenOrder(id, [&](Tx& tx, DemandRecord& r, WorkOrder& o) -> Status {
    TB_RETURN_IF_ERROR(CheckReceiver(by, r.demand, o, now));
    if (now > o.due) {
      return Error(ErrorCode::kConflict, "the handling limit has expired",
                   {{"due", fmt::format("expired at {}; an extension is asked for before expiry",
                                        people::FormatTimestamp(o.due))}});
    }
    if (o.extension != ExtensionState::kNone) {
      return Error(ErrorCode::kConflict, "an extension was already asked for",
                   {{"extension", fmt::format("already {}", ExtensionStateName(o.extension))}});
    }
    o.extension = ExtensionState::kRequested;
    o.extension_days = days;
    o.extension_reason = std::string(reason);
    tx.UpdateOrder(o);
    return tx.AddStep(r.demand.id, "extension_requested", by.account.id, now,
                      fmt::format("{} working days: {}", days, reason));
  });
}

Result<WorkOrder> DemandService::DecideExtension(const Principal& by, std::string_view id,
                                                 bool approve) {
  const int64_t now = NowMs();
  return OnOpenOrder(id, [&](Tx& tx, DemandRecord& r, WorkOrder& o) -> Status {
    TB_RETURN_IF_ERROR(people::Authorize(by, "demand.dispatch", {.region = r.demand.region}, now));
    if (o.extension != ExtensionState::kRequested) {
      return Error(ErrorCode::kConflict, "no extension is waiting for a decision",
                   {{"extension", std::string(ExtensionStateName(o.extension))}});
    }
    o.extension = approve ? ExtensionState::kApproved : ExtensionState::kRefused;
    if (approve) {
      TB_ASSIGN_OR_RETURN(o.due, AddWorkingDaysEnd(*calendar_, o.due, o.extension_days));
    }
    tx.UpdateOrder(o);
    return tx.AddStep(r.demand.id, approve ? "extension_approved" : "extension_refused",
                      by.account.id, now,
                      approve ? "handle by " + people::FormatTimestamp(o.due) : "");
  });
}

Result<WorkOrder> DemandService::Remind(const Principal& by, std::string_view id,
                                        std::string_view note) {
  const int64_t now = NowMs();
  return OnOpenOrder(id, [&](Tx& tx, DemandRecord& r, WorkOrder& o) -> Status {
    TB_RETURN_IF_ERROR(people::Authorize(by, "demand.dispatch", {.region = r.demand.region}, now));
    ++o.reminders;
    tx.UpdateOrder(o);
    return tx.AddStep(r.demand.id, "reminded", by.account.id, now, std::string(note));
  });
}

Result<WorkOrder> DemandService::Supervise(const Principal& by, std::string_view id,
                                           std::string_view note) {
  const int64_t now = NowMs();
  return OnOpenOrder(id, [&](Tx& tx, DemandRecord& r, WorkOrder& o) -> Status {
    TB_RETURN_IF_ERROR(people::Authorize(by, "demand.dispatch", {.region = r.demand.region}, now));
    const bool late = now > o.due || (o.state == OrderState::kPending && now > o.sign_due);
    if (!late) {
      return Error(ErrorCode::kConflict, "the work order is not late",
                   {{"due", "supervision (督办) is for late orders; remind it instead"}});
    }
    o.supervised = true;
    tx.UpdateOrder(o);
    return tx.AddStep(r.demand.id, "supervised", by.account.id, now, std::string(note));
  });
}

Result<WorkOrder> DemandService::Close(const Principal& by, std::string_view id,
                                       std::string_view answer) {
  const int64_t now = NowMs();
  if (answer.empty()) {
    return Error(ErrorCode::kInvalidArgument, "a work order is closed with its answer",
                 {{"answer", "required: the answer given to the demander"}});
  }
  std::string phone, number;
  TB_ASSIGN_OR_RETURN(
      WorkOrder out, OnOpenOrder(id, [&](Tx& tx, DemandRecord& r, WorkOrder& o) -> Status {
        TB_RETURN_IF_ERROR(CheckReceiver(by, r.demand, o, now));
        if (o.state != OrderState::kSigned) {
          return StateError("the work order must be signed for before it is closed");
        }
        o.state = OrderState::kClosed;
        o.answer = std::string(answer);
        o.closed_at = now;
        tx.UpdateOrder(o);
        Demand& d = r.demand;
        d.state = DemandState::kClosed;
        d.answer = o.answer;
        d.closed_at = now;
        d.satisfied.reset();
        TB_ASSIGN_OR_RETURN(d.callback_due, AddWorkingDaysEnd(*calendar_, now,
                                                              limits_.For(d.region).callback_days));
        tx.UpdateDemand(d);
        phone = d.caller_phone;
        number = d.number;
        return tx.AddStep(d.id, "closed", by.account.id, now,
                          now > o.due ? "after the handling limit" : "within the handling limit");
      }));
  if (options_.sms != nullptr && !phone.empty()) {
    Status sent = options_.sms->Send(
        {.phone = phone,
         .text = fmt::format("【通办】您的诉求{}已办结，答复已发送，稍后将回访。", number),
         .sent_at = now,
         .id = out.id + ":closed"});
    if (!sent.ok())
      spdlog::warn("demand {}: closure SMS not sent: {}", number, sent.error().ToString());
  }
  return out;
}

Result<Demand> DemandService::Callback(const Principal& by, std::string_view id, bool satisfied,
                                       std::string_view note) {
  const int64_t now = NowMs();
  return OnDemand(id, [&](Tx& tx, DemandRecord& r) -> Status {
    Demand& d = r.demand;
    if (!people::Authorize(by, "demand.intake", {.region = d.region}, now).ok()) {
      TB_RETURN_IF_ERROR(people::Authorize(by, "demand.dispatch", {.region = d.region}, now));
    }
    if (d.state != DemandState::kClosed || d.satisfied) {
      return StateError(fmt::format("demand {} is {}{}: no callback is due", d.number,
                                    DemandStateName(d.state),
                                    d.satisfied ? " and its callback is recorded" : ""));
    }
    d.satisfied = satisfied;
    if (satisfied) d.state = DemandState::kFinished;
    tx.UpdateDemand(d);
    if (!r.orders.empty()) {
      WorkOrder& o = r.orders.back();
      o.callback = satisfied ? "satisfied" : "unsatisfied";
      tx.UpdateOrder(o);
    }
    return tx.AddStep(d.id, "callback", by.account.id, now,
                      fmt::format("{}{}{}", satisfied ? "satisfied" : "not satisfied",
                                  note.empty() ? "" : ": ", note));
  });
}

Result<Demand> DemandService::Reopen(const Principal& by, std::string_view id,
                                     std::string_view reason) {
  const int64_t now = NowMs();
  if (reason.empty()) {
    return Error(ErrorCode::kInvalidArgument, "a demand is re-opened with a reason",
                 {{"reason", "required"}});
  }
  return OnDemand(id, [&](Tx& tx, DemandRecord& r) -> Status {
    Demand& d = r.demand;
    TB_RETURN_IF_ERROR(people::Authorize(by, "demand.dispatch", {.region = d.region}, now));
    if (d.state != DemandState::kClosed || !d.satisfied || *d.satisfied) {
      return StateError(
          "only a closed demand whose callback found the demander not satisfied is re-opened");
    }
    d.state = DemandState::kReceived;
    d.closed_at = 0;
    d.callback_due = 0;
    d.satisfied.reset();
    tx.UpdateDemand(d);
    return tx.AddStep(d.id, "reopened", by.account.id, now, std::string(reason));
  });
}

}  // namespace tongban::demands
