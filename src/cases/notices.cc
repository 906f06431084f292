// The applicant's notices: written to an outbox in the step's transaction, listed on the
// portal, and sent by SMS after the commit. A crash between the send and the mark leaves the
// notice pending; the next drain sends it again with the same id, which the gateway drops.
#include <spdlog/spdlog.h>

#include "cases/service_impl.h"

namespace tongban::cases {

Status CaseService::Impl::QueueNotice(soci::session& sql, const Case& c, std::string_view kind,
                                      const std::string& text) const {
  std::string id = NewId(clock()), kind_text(kind);
  // A person's notices also reach the person's own account when a clerk applied for them.
  std::string applicant =
      c.applicant_kind == ApplicantKind::kPerson ? c.applicant_code : std::string();
  long long now = NowMs();
  store::Execute(sql, Q("insert_notice"), soci::use(id, "id"), soci::use(c.id, "case_id"),
                 soci::use(c.number, "case_number"), soci::use(c.submitted_by, "account_id"),
                 soci::use(applicant, "applicant_code"), soci::use(kind_text, "kind"),
                 soci::use(text, "text"), soci::use(now, "created_at"));
  return Ok();
}

Result<int> CaseService::Impl::DrainNoticesAfterCommit() {
  // One drain at a time: a step committing while another drains asks it to run once more
  // (its notice may be newer than that drain's read) instead of reading and sending the same
  // pending notices itself, which many concurrent steps would otherwise all do.
  {
    std::lock_guard lock(drain_mu);
    if (draining) {
      drain_again = true;
      return 0;
    }
    draining = true;
  }
  // One round here, so that with nothing else sending a step's own notice has gone out when
  // it answers. What commits meanwhile is the notifier thread's: a request never drains other
  // requests' notices in a loop (under a steady load one did, for seconds, before answering).
  Result<int> once = DrainRound();
  std::lock_guard lock(drain_mu);
  if (once.ok() && drain_again && !notifier_stop) {
    drain_again = false;  // `draining` passes to the notifier thread
    notifier_due = true;
    if (!notifier.thread.joinable()) notifier.thread = std::thread([this] { NotifierLoop(); });
    drain_cv.notify_one();
  } else {
    draining = false;
    drain_again = false;
  }
  return once;
}

Result<int> CaseService::Impl::DrainRound() {
  try {
    return DrainOnce();
  } catch (const std::exception& e) {  // never leave `draining` set
    return Error(ErrorCode::kInternal, e.what());
  }
}

void CaseService::Impl::NotifierLoop() {
  std::unique_lock lock(drain_mu);
  for (;;) {
    drain_cv.wait(lock, [&] { return notifier_stop || notifier_due; });
    if (!notifier_due) return;  // stopping with nothing handed over
    notifier_due = false;
    // Rounds while steps keep committing; a failure leaves the rest queued for the next drain.
    for (;;) {
      lock.unlock();
      Result<int> once = DrainRound();
      if (!once.ok()) spdlog::warn("notices: {}", once.error().ToString());
      lock.lock();
      if (!once.ok() || !drain_again || notifier_stop) break;
      drain_again = false;
    }
    draining = false;
    drain_again = false;
    if (notifier_stop) return;
  }
}

CaseService::Impl::Notifier::~Notifier() {
  {
    std::lock_guard lock(impl->drain_mu);
    impl->notifier_stop = true;
  }
  impl->drain_cv.notify_all();
  if (thread.joinable()) thread.join();
}

Result<int> CaseService::Impl::DrainOnce() {
  struct Pending {
    std::string id, account, text;
    long long created = 0;
    std::string state;  // after sending: sent, or none (no phone); empty: still pending
  };
  auto pending = db.Transaction<std::vector<Pending>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Pending>> {
        std::vector<Pending> out;
        Pending p;
        store::ExecuteRows(
            sql, Q("select_outbox"), [&] { out.push_back(p); }, soci::into(p.id),
            soci::into(p.account), soci::into(p.text), soci::into(p.created));
        return out;
      });
  if (!pending.ok()) return std::move(pending).error();
  int sent = 0;
  bool any = false;
  for (Pending& p : *pending) {
    // Applicants without a phone on record see the notice on the portal only.
    auto account = people.GetAccount(p.account);
    const std::string phone = account.ok() ? account->phone : std::string();
    if (!phone.empty()) {
      Status s = sms->Send({.phone = phone, .text = p.text, .sent_at = NowMs(), .id = p.id});
      if (!s.ok()) continue;  // stays pending for the next drain
      ++sent;
    }
    p.state = phone.empty() ? "none" : "sent";
    any = true;
  }
  if (!any) return sent;
  // Every mark of this drain in one write.
  Status marked = writes->Run([&](soci::session& sql) -> Status {
    for (const Pending& p : *pending) {
      if (p.state.empty()) continue;
      store::Execute(sql, Q("mark_notice_sent"), soci::use(p.state, "sms_state"),
                     soci::use(p.id, "id"));
    }
    return Ok();
  });
  if (!marked.ok()) return std::move(marked).error();
  return sent;
}

Result<int> CaseService::DrainNotices() { return impl_->DrainNoticesAfterCommit(); }

Result<std::vector<Notice>> CaseService::Notices(const Principal& caller, bool unread_only,
                                                 int limit) {
  Impl& I = *impl_;
  if (limit <= 0 || limit > 500) {
    return Error(ErrorCode::kInvalidArgument, "the listing is invalid",
                 {{"limit", "must be between 1 and 500"}});
  }
  return I.db.Transaction<std::vector<Notice>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<Notice>> {
        std::vector<Notice> out;
        Notice n;
        std::string state;
        long long created = 0, read_at = 0, unread = unread_only ? 1 : 0, lim = limit;
        const std::string& code = caller.account.id_number;
        soci::statement st =
            (sql.prepare << I.Q("select_notices"), soci::use(caller.account.id, "account_id"),
             soci::use(code, "applicant_code"), soci::use(unread, "unread_only"),
             soci::use(lim, "limit"), soci::into(n.id), soci::into(n.case_number),
             soci::into(n.kind), soci::into(n.text), soci::into(created), soci::into(state),
             soci::into(read_at));
        st.execute();
        while (st.fetch()) {
          Notice item = n;
          item.created_at = created;
          item.sms_sent = state == "sent";
          item.read = read_at != 0;
          out.push_back(std::move(item));
        }
        return out;
      });
}

Status CaseService::MarkNoticeRead(const Principal& caller, std::string_view notice_id) {
  Impl& I = *impl_;
  auto done =
      I.db.Transaction<bool>(store::TxKind::kWrite, [&](soci::session& sql) -> Result<bool> {
        const std::string id(notice_id);
        std::string account, applicant;
        sql << I.Q("select_notice_owner"), soci::use(id, "id"), soci::into(account),
            soci::into(applicant);
        const bool mine =
            sql.got_data() && (account == caller.account.id ||
                               (!applicant.empty() && applicant == caller.account.id_number));
        // Someone else's notice is reported as absent, like a missing one.
        if (!mine) return Error(ErrorCode::kNotFound, fmt::format("no notice {}", id));
        long long now = I.NowMs();
        sql << I.Q("mark_notice_read"), soci::use(now, "read_at"), soci::use(id, "id");
        return true;
      });
  if (!done.ok()) return std::move(done).error();
  return Ok();
}

}  // namespace tongban::cases
