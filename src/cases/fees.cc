// Fees and their payment: the payment order opened on approval, the platform's verified and
// idempotent callback, waivers; and the step hook that writes orders, delivery steps and notices
// in the step's transaction.
#include "cases/fulfilment_impl.h"
#include "cases/service_impl.h"

namespace tongban::cases {

namespace {

constexpr std::array<std::pair<PaymentState, std::string_view>, 4> kPaymentStates{{
    {PaymentState::kDue, "due"},
    {PaymentState::kPaid, "paid"},
    {PaymentState::kFailed, "failed"},
    {PaymentState::kWaived, "waived"},
}};
constexpr std::array<std::pair<DeliveryMethod, std::string_view>, 3> kMethods{{
    {DeliveryMethod::kWindow, "window"},
    {DeliveryMethod::kMail, "mail"},
    {DeliveryMethod::kElectronic, "electronic"},
}};
constexpr std::array<std::pair<TerminationReason, std::string_view>, 3> kTerminations{{
    {TerminationReason::kApplicantDeceased, "applicant_deceased"},
    {TerminationReason::kApplicantDissolved, "applicant_dissolved"},
    {TerminationReason::kGapDeadlineMissed, "gap_deadline_missed"},
}};

template <typename E, size_t N>
std::string_view NameIn(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table) {
    if (v == value) return name;
  }
  return "";
}

template <typename E, size_t N>
std::optional<E> ParseIn(const std::array<std::pair<E, std::string_view>, N>& table,
                         std::string_view s) {
  for (const auto& [v, name] : table) {
    if (name == s) return v;
  }
  return std::nullopt;
}

json FeesJson(const std::vector<catalog::Fee>& fees) {
  json out = json::array();
  for (const catalog::Fee& f : fees) {
    out.push_back({{"name", f.name}, {"amount_fen", f.amount_fen}, {"basis", f.basis}});
  }
  return out;
}

std::vector<catalog::Fee> ParseFees(const std::string& text) {
  std::vector<catalog::Fee> out;
  for (const json& f : json::parse(text)) {
    out.push_back({.name = f.at("name").get<std::string>(),
                   .amount_fen = f.at("amount_fen").get<int64_t>(),
                   .basis = f.at("basis").get<std::string>()});
  }
  return out;
}

// What the applicant is told of a step; "" for steps told nothing.
std::string NoticeText(const Case& c, const std::string& matter_name, std::string_view kind) {
  const std::string head = fmt::format("【通办】您的办件{}（{}）", c.number, matter_name);
  if (kind == "accepted") {
    return head + fmt::format("已受理，承诺办结日期{}。", DateText(c.clock.due_on));
  }
  if (kind == "correction_requested") return head + "需补正材料，请查看一次性补正告知书。";
  if (kind == "refused") return head + "不予受理，请查看不予受理决定书。";
  if (kind == "suspended") return head + "因特别程序中止计时，请查看告知书。";
  if (kind == "resumed") return head + "已恢复办理。";
  if (kind == "extended") return head + "办理期限延长十个工作日，请查看告知书。";
  if (kind == "approved") return head + "已审批通过。";
  if (kind == "denied") return head + "不予许可，请查看决定书及救济途径。";
  if (kind == "concluded") return head + "已办结。";
  if (kind == "terminated") return head + "已终止办理，请查看终止办理决定书。";
  return "";
}

}  // namespace

std::string_view PaymentStateName(PaymentState s) { return NameIn(kPaymentStates, s); }
std::optional<PaymentState> ParsePaymentState(std::string_view s) {
  return ParseIn(kPaymentStates, s);
}
std::string_view DeliveryMethodName(DeliveryMethod m) { return NameIn(kMethods, m); }
std::optional<DeliveryMethod> ParseDeliveryMethod(std::string_view s) {
  return ParseIn(kMethods, s);
}
std::string_view TerminationReasonName(TerminationReason r) { return NameIn(kTerminations, r); }
std::optional<TerminationReason> ParseTerminationReason(std::string_view s) {
  return ParseIn(kTerminations, s);
}

std::string Yuan(int64_t fen) { return fmt::format("{}.{:02d} 元", fen / 100, fen % 100); }

std::optional<Payment> LoadPayment(soci::session& sql, const std::string& query,
                                   const std::string& case_id) {
  Payment p;
  std::string fees, state;
  long long amount = 0, created = 0, settled = 0;
  sql << query, soci::use(case_id, "case_id"), soci::into(p.id), soci::into(p.case_number),
      soci::into(fees), soci::into(amount), soci::into(state), soci::into(p.waiver_reason),
      soci::into(p.waived_by), soci::into(p.transaction_id), soci::into(created),
      soci::into(settled);
  if (!sql.got_data()) return std::nullopt;
  p.fees = ParseFees(fees);
  p.amount_fen = amount;
  p.state = Stored(ParsePaymentState(state), state);
  p.created_at = created;
  p.settled_at = settled;
  return p;
}

void CaseService::Impl::InitAdapters() {
  if (options.payments) {
    payments = options.payments;
  } else {
    own_payments = std::make_unique<SimulatedPaymentGateway>(options.payment_secret);
    payments = own_payments.get();
  }
  sms = options.sms ? options.sms : &own_sms;
  postal = options.postal ? options.postal : &own_postal;
}

Status CaseService::Impl::AfterStep(soci::session& sql, const Case& c,
                                    const catalog::Matter& matter, std::string_view action) const {
  const std::string_view kind =
      action.starts_with("case.") ? action.substr(std::string_view("case.").size()) : action;
  const int64_t now = NowMs();
  if (kind == "approved" || kind == "denied") {
    const Date today = Today();
    auto due = CalendarOf(c.region).AddWorkingDays(today, kDeliveryDays);
    std::string decided = today.ToString(), due_on = due.ok() ? due->date.ToString() : decided;
    sql << Q("insert_delivery"), soci::use(c.id, "case_id"), soci::use(decided, "decided_on"),
        soci::use(due_on, "due_on");
  }
  if (kind == "approved" &&
      std::any_of(c.materials.begin(), c.materials.end(),
                  [](const CaseMaterial& m) { return m.state == MaterialState::kProofWaived; })) {
    // 告知承诺: the case concludes on the commitment; the verification is scheduled within the
    // period the matter sets.
    std::string due_on = Today().AddDays(matter.item.VerificationDays()).ToString();
    sql << Q("insert_verification"), soci::use(c.id, "case_id"), soci::use(c.number, "case_number"),
        soci::use(c.department, "department_code"), soci::use(due_on, "due_on");
  }
  if (kind == "approved" && !matter.item.fees.empty()) {
    long long amount = 0;
    for (const catalog::Fee& f : matter.item.fees) amount += f.amount_fen;
    std::string id = NewId(clock()), fees = FeesJson(matter.item.fees).dump();
    long long created = now;
    sql << Q("insert_payment"), soci::use(id, "id"), soci::use(c.id, "case_id"),
        soci::use(fees, "fees"), soci::use(amount, "amount_fen"), soci::use(created, "created_at");
    TB_RETURN_IF_ERROR(
        QueueNotice(sql, c, "payment_due",
                    fmt::format("【通办】您的办件{}（{}）应缴费用{}，缴费后送达结果。", c.number,
                                matter.basic.name, Yuan(amount))));
  }
  const std::string text = NoticeText(c, matter.basic.name, kind);
  if (!text.empty()) TB_RETURN_IF_ERROR(QueueNotice(sql, c, kind, text));
  return Ok();
}

Result<std::vector<catalog::Fee>> CaseService::Fees(const Principal& caller,
                                                    std::string_view number) {
  TB_ASSIGN_OR_RETURN(Case c, Get(caller, number));
  TB_ASSIGN_OR_RETURN(std::shared_ptr<const catalog::Matter> m, impl_->MatterOf(c.matter_version));
  return m->item.fees;
}

Result<Payment> CaseService::GetPayment(const Principal& caller, std::string_view number) {
  Impl& I = *impl_;
  return I.db.Transaction<Payment>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<Payment> {
        TB_ASSIGN_OR_RETURN(Case c, I.Load(sql, number));
        TB_RETURN_IF_ERROR(I.CanRead(caller, c));
        auto p = LoadPayment(sql, I.Q("select_payment_of_case"), c.id);
        if (!p) {
          return Error(ErrorCode::kNotFound,
                       fmt::format("case {} has no payment order: no fee is due", c.number));
        }
        return *p;
      });
}

const SimulatedPaymentGateway* CaseService::SimulatedPayments() const {
  return impl_->own_payments.get();
}

Result<Payment> CaseService::WaiveFees(const Principal& caller, std::string_view number,
                                       std::string reason) {
  Impl& I = *impl_;
  if (reason.empty()) {
    return Error(ErrorCode::kInvalidArgument, "the waiver is invalid",
                 {{"reason", "a waiver (减免) records its reason"}});
  }
  auto done =
      I.db.Transaction<Payment>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<Payment> {
        TB_ASSIGN_OR_RETURN(Case c, I.Load(sql, number));
        TB_RETURN_IF_ERROR(people::Authorize(caller, "case.approve", I.TargetOf(c), I.NowMs()));
        auto p = LoadPayment(sql, I.Q("select_payment_of_case"), c.id);
        if (!p) {
          return Error(ErrorCode::kNotFound, fmt::format("case {} has no payment order", c.number));
        }
        if (p->state == PaymentState::kPaid || p->state == PaymentState::kWaived) {
          return Error(ErrorCode::kConflict,
                       fmt::format("the payment order of case {} is already {}", c.number,
                                   PaymentStateName(p->state)));
        }
        std::string old_state(PaymentStateName(p->state)), state = "waived";
        long long settled = I.NowMs();
        soci::statement st =
            (sql.prepare << I.Q("update_payment"), soci::use(state, "state"),
             soci::use(reason, "waiver_reason"), soci::use(caller.account.id, "waived_by"),
             soci::use(p->transaction_id, "transaction_id"), soci::use(settled, "settled_at"),
             soci::use(p->id, "id"), soci::use(old_state, "old_state"));
        st.execute(true);
        if (st.get_affected_rows() != 1) {
          return Error(ErrorCode::kVersionMismatch,
                       fmt::format("the payment order of case {} changed meanwhile", c.number));
        }
        p->state = PaymentState::kWaived;
        p->waiver_reason = reason;
        p->waived_by = caller.account.id;
        p->settled_at = settled;
        TB_RETURN_IF_ERROR(
            I.Append(sql, c, caller.account.id, "case.fees_waived",
                     {{"payment", p->id}, {"amount_fen", p->amount_fen}, {"reason", reason}}));
        TB_RETURN_IF_ERROR(I.QueueNotice(
            sql, c, "fees_waived",
            fmt::format("【通办】您的办件{}的费用{}已减免。", c.number, Yuan(p->amount_fen))));
        return *p;
      });
  if (done.ok()) (void)I.DrainNoticesAfterCommit();
  return done;
}

Result<Payment> CaseService::PaymentCallback(std::string_view body, std::string_view signature) {
  Impl& I = *impl_;
  TB_ASSIGN_OR_RETURN(PaymentNotification n, I.payments->Verify(body, signature));
  auto done =
      I.db.Transaction<Payment>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<Payment> {
        std::string number;
        sql << I.Q("select_payment_case"), soci::use(n.payment_id, "id"), soci::into(number);
        if (!sql.got_data()) {
          return Error(ErrorCode::kNotFound, fmt::format("no payment order {}", n.payment_id));
        }
        TB_ASSIGN_OR_RETURN(Case c, I.Load(sql, number));
        std::optional<Payment> p = LoadPayment(sql, I.Q("select_payment_of_case"), c.id);
        // Settled orders take no further effect: a repeated or late callback returns them.
        if (p->state == PaymentState::kPaid || p->state == PaymentState::kWaived) return *p;
        if (!n.paid && p->state == PaymentState::kFailed) return *p;
        if (n.paid && n.amount_fen != p->amount_fen) {
          return Error(ErrorCode::kInvalidArgument,
                       fmt::format("the notification pays {} fen, the order is {} fen",
                                   n.amount_fen, p->amount_fen),
                       {{"amount_fen", "differs from the payment order"}});
        }
        std::string old_state(PaymentStateName(p->state));
        p->state = n.paid ? PaymentState::kPaid : PaymentState::kFailed;
        p->transaction_id = n.transaction_id;
        p->settled_at = n.paid ? I.NowMs() : 0;
        std::string state(PaymentStateName(p->state));
        long long settled = p->settled_at;
        soci::statement st =
            (sql.prepare << I.Q("update_payment"), soci::use(state, "state"),
             soci::use(p->waiver_reason, "waiver_reason"), soci::use(p->waived_by, "waived_by"),
             soci::use(p->transaction_id, "transaction_id"), soci::use(settled, "settled_at"),
             soci::use(p->id, "id"), soci::use(old_state, "old_state"));
        st.execute(true);
        if (st.get_affected_rows() != 1) {
          // Another callback for this order won the race; its effect is the one kept.
          return *LoadPayment(sql, I.Q("select_payment_of_case"), c.id);
        }
        TB_RETURN_IF_ERROR(I.Append(sql, c, "payment-gateway",
                                    n.paid ? "case.paid" : "case.payment_failed",
                                    {{"payment", p->id},
                                     {"amount_fen", n.amount_fen},
                                     {"transaction_id", n.transaction_id}}));
        if (n.paid) {
          TB_RETURN_IF_ERROR(I.QueueNotice(
              sql, c, "paid",
              fmt::format("【通办】您的办件{}已缴费{}。", c.number, Yuan(p->amount_fen))));
        }
        return *p;
      });
  if (done.ok()) (void)I.DrainNoticesAfterCommit();
  return done;
}

}  // namespace tongban::cases
