// 第44条 delivery of the result (window, free mail with a tracking number, electronic), which
// waits for the fees; and termination (终止) with its sealed decision.
#include "cases/fulfilment_impl.h"
#include "cases/service_impl.h"

namespace tongban::cases {

namespace {

std::string_view MethodTitle(DeliveryMethod m) {
  switch (m) {
    case DeliveryMethod::kWindow:
      return "窗口领取";
    case DeliveryMethod::kMail:
      return "免费邮寄";
    case DeliveryMethod::kElectronic:
      return "电子送达";
  }
  return "";
}

std::string_view TerminationTitle(TerminationReason r) {
  switch (r) {
    case TerminationReason::kApplicantDeceased:
      return "申请人死亡";
    case TerminationReason::kApplicantDissolved:
      return "申请人依法终止";
    case TerminationReason::kGapDeadlineMissed:
      return "容缺或承诺补交的材料逾期未补齐";
  }
  return "";
}

// The materials past their due day and not provided, as of `today`.
std::vector<const CaseMaterial*> OverdueMaterials(const Case& c, Date today) {
  std::vector<const CaseMaterial*> out;
  for (const CaseMaterial& m : c.materials) {
    if ((m.state == MaterialState::kGap || m.state == MaterialState::kSupplyLater) && m.due_on &&
        *m.due_on < today) {
      out.push_back(&m);
    }
  }
  return out;
}

}  // namespace

std::optional<Delivery> LoadDelivery(soci::session& sql, const std::string& query,
                                     const std::string& case_id, const std::string& number) {
  Delivery d;
  std::string decided, due, method, delivered_on;
  sql << query, soci::use(case_id, "case_id"), soci::into(decided), soci::into(due),
      soci::into(method), soci::into(d.address), soci::into(d.tracking_number),
      soci::into(d.delivered_by), soci::into(delivered_on);
  if (!sql.got_data()) return std::nullopt;
  d.case_number = number;
  d.decided_on = *ParseStoredDate(decided);
  d.due_on = *ParseStoredDate(due);
  if (!method.empty()) d.method = Stored(ParseDeliveryMethod(method), method);
  d.delivered_on = ParseStoredDate(delivered_on);
  return d;
}

Result<Delivery> CaseService::GetDelivery(const Principal& caller, std::string_view number) {
  Impl& I = *impl_;
  auto d =
      I.db.Transaction<Delivery>(store::TxKind::kRead, [&](soci::session& sql) -> Result<Delivery> {
        TB_ASSIGN_OR_RETURN(Case c, I.Load(sql, number));
        TB_RETURN_IF_ERROR(I.CanRead(caller, c));
        auto d = LoadDelivery(sql, I.Q("select_delivery"), c.id, c.number);
        if (!d) {
          return Error(ErrorCode::kNotFound,
                       fmt::format("case {} is not decided: nothing to deliver yet", c.number));
        }
        return *d;
      });
  if (d.ok() && !d->delivered_on) d->overdue = I.Today() > d->due_on;
  return d;
}

Result<Delivery> CaseService::Deliver(const Principal& caller, std::string_view number,
                                      const DeliveryRequest& request) {
  Impl& I = *impl_;
  if (request.method == DeliveryMethod::kMail && request.address.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the delivery is invalid",
                 {{"address", "free mailing needs the address"}});
  }
  // Everything that may refuse the delivery, checked before the parcel is booked and again in
  // the writing transaction.
  auto check = [&](soci::session& sql) -> Result<std::pair<Case, Delivery>> {
    TB_ASSIGN_OR_RETURN(Case c, I.Load(sql, number));
    TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
    if (c.state != CaseState::kApproved && c.state != CaseState::kDenied &&
        c.state != CaseState::kConcluded) {
      return Error(ErrorCode::kConflict,
                   fmt::format("cannot deliver case {}: it is {}, not decided", c.number,
                               CaseStateName(c.state)));
    }
    auto d = LoadDelivery(sql, I.Q("select_delivery"), c.id, c.number);
    if (!d) {
      return Error(ErrorCode::kConflict,
                   fmt::format("case {} has no decision to deliver", c.number));
    }
    if (d->delivered_on) {
      return Error(ErrorCode::kConflict,
                   fmt::format("case {} was delivered on {} ({})", c.number,
                               d->delivered_on->ToString(), DeliveryMethodName(*d->method)));
    }
    auto p = LoadPayment(sql, I.Q("select_payment_of_case"), c.id);
    if (p && p->state != PaymentState::kPaid && p->state != PaymentState::kWaived) {
      return Error(ErrorCode::kRefused,
                   fmt::format("the result of case {} waits for its fees: {} are {}", c.number,
                               Yuan(p->amount_fen), PaymentStateName(p->state)),
                   {{"payment", fmt::format("payment order {} is not paid", p->id)}});
    }
    return std::make_pair(std::move(c), std::move(*d));
  };
  auto pre = I.db.Transaction<std::pair<Case, Delivery>>(store::TxKind::kRead, check);
  if (!pre.ok()) return std::move(pre).error();
  std::string tracking;
  if (request.method == DeliveryMethod::kMail) {
    const Case& c = pre->first;
    TB_ASSIGN_OR_RETURN(tracking,
                        I.postal->Ship({.case_number = c.number,
                                        .recipient = request.recipient.empty() ? c.applicant_name
                                                                               : request.recipient,
                                        .address = request.address,
                                        .phone = request.phone}));
  }
  auto done = I.db.Transaction<Delivery>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<Delivery> {
        TB_ASSIGN_OR_RETURN(auto checked, check(sql));
        auto& [c, d] = checked;
        d.method = request.method;
        d.address = request.address;
        d.tracking_number = tracking;
        d.delivered_by = caller.account.id;
        d.delivered_on = I.Today();
        std::string method(DeliveryMethodName(request.method)), on = d.delivered_on->ToString();
        soci::statement st =
            (sql.prepare << I.Q("update_delivery"), soci::use(method, "method"),
             soci::use(d.address, "address"), soci::use(d.tracking_number, "tracking_number"),
             soci::use(d.delivered_by, "delivered_by"), soci::use(on, "delivered_on"),
             soci::use(c.id, "case_id"));
        st.execute(true);
        if (st.get_affected_rows() != 1) {
          return Error(ErrorCode::kConflict,
                       fmt::format("case {} was delivered meanwhile", c.number));
        }
        json payload = {{"method", method}, {"due_on", d.due_on.ToString()}};
        if (!tracking.empty()) payload["tracking_number"] = tracking;
        TB_RETURN_IF_ERROR(I.Append(sql, c, caller.account.id, "case.delivered", payload));
        std::string text =
            fmt::format("【通办】您的办件{}的结果已{}", c.number, MethodTitle(request.method));
        if (!tracking.empty()) text += fmt::format("，邮件号{}", tracking);
        TB_RETURN_IF_ERROR(I.QueueNotice(sql, c, "delivered", text + "。"));
        return d;
      });
  if (done.ok()) (void)I.DrainNoticesAfterCommit();
  return done;
}

Result<std::vector<CaseSummary>> CaseService::OverdueGaps(std::optional<Date> as_of) {
  Impl& I = *impl_;
  const std::string day = as_of.value_or(I.Today()).ToString();
  return I.db.Transaction<std::vector<CaseSummary>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CaseSummary>> {
        std::vector<CaseSummary> out;
        CaseSummary s;
        std::string state, received_on;
        long long received_at = 0;
        soci::statement st = (sql.prepare << I.Q("overdue_gaps"), soci::use(day, "as_of"),
                              soci::into(s.number), soci::into(s.matter), soci::into(s.region),
                              soci::into(s.department), soci::into(s.applicant_name),
                              soci::into(state), soci::into(received_on), soci::into(received_at));
        st.execute();
        while (st.fetch()) {
          CaseSummary row = s;
          row.state = Stored(ParseCaseState(state), state);
          row.received_on = *ParseStoredDate(received_on);
          row.received_at_ms = received_at;
          out.push_back(std::move(row));
        }
        return out;
      });
}

Result<Case> CaseService::Terminate(const Principal& caller, std::string_view number,
                                    TerminationReason reason, const Step& step) {
  Impl& I = *impl_;
  return I.Transition(
      caller, number, step, "case.terminated",
      [&](soci::session& sql, Case& c, const catalog::Matter& matter, json& payload) -> Status {
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept", I.TargetOf(c), I.NowMs()));
        TB_RETURN_IF_ERROR(I.CheckState(c,
                                        {CaseState::kSubmitted, CaseState::kCorrectionRequested,
                                         CaseState::kUnderReview, CaseState::kSuspended},
                                        "terminate"));
        json overdue = json::array();
        for (const CaseMaterial* m : OverdueMaterials(c, I.Today())) {
          overdue.push_back({{"name", m->name}, {"due_on", DateText(m->due_on)}});
        }
        if (reason == TerminationReason::kGapDeadlineMissed && overdue.empty()) {
          return Error(
              ErrorCode::kRefused,
              fmt::format("no gap or supply-later material of case {} is overdue", c.number),
              {{"reason", "gap_deadline_missed needs a material past its due day"}});
        }
        c.state = CaseState::kTerminated;
        c.decision_reasons = std::string(TerminationTitle(reason));
        json content = {{"reason", TerminationReasonName(reason)},
                        {"reason_title", TerminationTitle(reason)},
                        {"note", step.note}};
        if (reason == TerminationReason::kGapDeadlineMissed) content["overdue_materials"] = overdue;
        TB_ASSIGN_OR_RETURN(Document d,
                            I.Seal(sql, c, matter, DocumentKind::kTerminationDecision, content));
        payload = {{"reason", TerminationReasonName(reason)}, {"document", d.id}};
        return Ok();
      });
}

}  // namespace tongban::cases
