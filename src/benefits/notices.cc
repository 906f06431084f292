// Notices, consent and the funnel of a matching run.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "base/utf8.h"
#include "benefits/benefits.h"
#include "people/authorization.h"
#include "people/timestamp.h"

namespace tongban::benefits {
namespace {

std::string Fill(std::string text, std::string_view key, std::string_view value) {
  for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at)) {
    text.replace(at, key.size(), value);
    at += value.size();
  }
  return text;
}

}  // namespace

std::map<std::string, SendRate> DefaultSendRates() {
  return {{"sms", {.count = 20, .window_ms = 1000}}, {"app", {.count = 100, .window_ms = 1000}}};
}

namespace {

// The next sending time of a channel whose slot row reads (window_start, window_ms, used), at
// `rate`, not before `now_ms`: at most rate.count in each window of rate.window_ms (aligned on
// the epoch). Moves the slot on to the window it allots.
struct Slot {
  int64_t window_start = 0, window_ms = 1000, used = 0;
};
int64_t NextSlot(Slot& slot, const SendRate& rate, int64_t now_ms) {
  const int64_t w = rate.window_ms;
  if (slot.window_ms != w) {
    // The rate's window changed (another policy's rate): start after the old window's end.
    const int64_t end = slot.used > 0 ? slot.window_start + slot.window_ms : 0;
    slot = {.window_start = (end + w - 1) / w * w, .window_ms = w, .used = 0};
  }
  const int64_t current = now_ms - now_ms % w;
  if (slot.window_start < current) slot = {.window_start = current, .window_ms = w, .used = 0};
  if (slot.used >= rate.count) {
    slot.window_start += w;
    slot.used = 0;
  }
  ++slot.used;
  return std::max(now_ms, slot.window_start);
}

std::string NoticeText(const Policy& policy, const std::string& run_id) {
  return policy.sms_template.empty()
             ? fmt::format("【通办】您可能符合{}的享受条件，请登录通办确认。", policy.title)
             : Fill(Fill(policy.sms_template, "{title}", policy.title), "{run}", run_id);
}

}  // namespace

Status Benefits::Deliver(const people::Principal& by, const Policy& policy,
                         const std::string& run_id, const std::string& person_id,
                         const std::string& channel, int64_t now_ms, std::string phone) {
  const std::string id = run_id + ":" + person_id;  // a retried send is dropped by the gateway
  if (channel == "app") {
    if (app_ == nullptr) return Error(ErrorCode::kUnavailable, "no app push service");
    return app_->Send({.recipient = person_id,
                       .title = policy.title,
                       .text = NoticeText(policy, run_id),
                       .sent_at = now_ms,
                       .id = id});
  }
  if (sms_ == nullptr) return Error(ErrorCode::kUnavailable, "no sms gateway");
  if (phone.empty()) {
    TB_ASSIGN_OR_RETURN(
        registers::Person full,
        registers_.ReadPersonFull(
            by, person_id,
            {.code = "proactive_grant", .text = fmt::format("政策告知：{}", policy.title)}));
    phone = std::move(full.phone);
  }
  if (phone.empty()) return Error(ErrorCode::kNotFound, "no phone");
  return sms_->Send(
      {.phone = phone, .text = NoticeText(policy, run_id), .sent_at = now_ms, .id = id});
}

Result<NotifyReport> Benefits::Notify(const people::Principal& by, std::string_view run_id,
                                      const NotifyOptions& options) {
  if (options.limit < 1 || options.limit > 100000) {
    return Error(ErrorCode::kInvalidArgument, "bad limit", {{"limit", "1..100000"}});
  }
  TB_ASSIGN_OR_RETURN(MatchRun run, GetRun(run_id));
  TB_RETURN_IF_ERROR(people::Authorize(by, "policy.push", {.region = run.region}, NowMs()));
  TB_ASSIGN_OR_RETURN(Policy policy, GetPolicy(run.policy, run.version));
  const std::string channel = policy.channels.empty() ? "portal" : policy.channels.front();
  const int64_t now_ms = NowMs();
  const std::string now = people::FormatTimestamp(now_ms);
  const std::string due = DateInChina(clock_.Now()).AddDays(options.visit_due_days).ToString();
  struct Pending {
    std::string person_id, region;
  };
  std::vector<Pending> pending;
  NotifyReport report;
  std::string id(run_id);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Pending p;
    int limit = options.limit;
    store::ExecuteRows(
        sql, Q("unnotified"), [&] { pending.push_back(p); }, soci::use(id, "run_id"),
        soci::use(limit, "limit"), soci::into(p.person_id), soci::into(p.region));
    return Ok();
  }));
  // The channel's slot row, locked for the transaction (FOR UPDATE on PostgreSQL; SQLite's write
  // transaction holds the database). A channel without a row yet starts from the notices
  // already scheduled on it (databases from before the row existed).
  auto lock_slot = [&](soci::session& sql, const std::string& ch, const SendRate& rate,
                       int64_t at_ms) -> Result<Slot> {
    Slot slot;
    long long start = 0, window = 0, used = 0;
    if (!store::Execute(sql, Q("send_slot_lock"), soci::use(ch, "channel"), soci::into(start),
                        soci::into(window), soci::into(used))
             .got_data) {
      long long last = 0;
      store::Execute(sql, Q("channel_last_send"), soci::use(ch, "channel"), soci::into(last));
      start = at_ms - at_ms % rate.window_ms;
      window = rate.window_ms;
      if (last >= start) {
        start = last - last % rate.window_ms;
        long long to = start + rate.window_ms;
        store::Execute(sql, Q("channel_sends_between"), soci::use(ch, "channel"),
                       soci::use(start, "from_ms"), soci::use(to, "to_ms"), soci::into(used));
      }
      store::Execute(sql, Q("send_slot_ensure"), soci::use(ch, "channel"),
                     soci::use(start, "window_start_ms"), soci::use(window, "window_ms"),
                     soci::use(used, "used"));
      // Another sender may have made the row first: read (and lock) the one that is there.
      store::Execute(sql, Q("send_slot_lock"), soci::use(ch, "channel"), soci::into(start),
                     soci::into(window), soci::into(used));
    }
    slot = {.window_start = start, .window_ms = window, .used = used};
    return slot;
  };
  auto rate_of = [&](const std::string& ch) {
    if (auto it = policy.send_rates.find(ch); it != policy.send_rates.end()) return it->second;
    std::lock_guard lock(send_mu_);
    return send_rates_.at(ch);  // sms and app always have one (DefaultSendRates)
  };
  for (const auto& p : pending) {
    std::string ch = channel;
    std::string phone;
    if (ch == "sms") {
      // Whether the person can be reached by SMS at all; a scheduled SMS reads it again.
      auto full =
          sms_ == nullptr
              ? Result<registers::Person>(Error(ErrorCode::kUnavailable, "no sms"))
              : registers_.ReadPersonFull(
                    by, p.person_id,
                    {.code = "proactive_grant", .text = fmt::format("政策告知：{}", policy.title)});
      if (full.ok() && !full->phone.empty()) {
        phone = full->phone;
      } else {
        ch = "visit";  // the grid staff call or visit
      }
    } else if (ch == "app" && app_ == nullptr) {
      ch = "visit";
    }
    const bool sending = ch == "sms" || ch == "app";
    long long send_at = now_ms;
    std::string status = ch == "visit" ? "assigned" : "delivered";
    std::string assigned = ch == "visit" ? p.region : "";
    std::string due_date = ch == "visit" ? due : "";
    // The notice row is written before anything is sent: the key (run, person) makes a second
    // notice impossible even when two senders race or a send is retried. A sending channel's
    // slot is taken in the same transaction from its row in benefit_send_slot, locked until the
    // commit: every process using the database shares the channel's rate.
    bool fresh = false;
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      std::string person = p.person_id;
      Slot slot;
      if (sending) {
        const SendRate rate = rate_of(ch);
        TB_ASSIGN_OR_RETURN(slot, lock_slot(sql, ch, rate, now_ms));
        send_at = NextSlot(slot, rate, now_ms);
        status = send_at > now_ms ? "scheduled" : "queued";
      }
      fresh = store::Execute(sql, Q("insert_notice"), soci::use(id, "run_id"),
                             soci::use(person, "person_id"), soci::use(ch, "channel"),
                             soci::use(status, "status"), soci::use(assigned, "assigned_region"),
                             soci::use(due_date, "due_date"), soci::use(now, "created_at"),
                             soci::use(send_at, "send_at_ms"))
                  .affected_rows == 1;
      if (fresh && sending) {
        long long start = slot.window_start, window = slot.window_ms, used = slot.used;
        store::Execute(sql, Q("send_slot_set"), soci::use(start, "window_start_ms"),
                       soci::use(window, "window_ms"), soci::use(used, "used"),
                       soci::use(ch, "channel"));
      }
      return Ok();
    }));
    if (!fresh) continue;
    ++report.sent;
    if (status == "scheduled") ++report.scheduled;
    if (status != "queued") continue;
    Status sent = Deliver(by, policy, id, p.person_id, ch, now_ms, phone);
    std::string outcome = sent.ok() ? "sent" : "failed";
    if (!sent.ok()) ++report.failed;
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      std::string person = p.person_id;
      store::Execute(sql, Q("update_notice_status"), soci::use(outcome, "status"),
                     soci::use(id, "run_id"), soci::use(person, "person_id"));
      return Ok();
    }));
  }
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    long long remaining = 0;
    store::Execute(sql, Q("count_unnotified"), soci::use(id, "run_id"), soci::into(remaining));
    report.remaining = remaining;
    return Ok();
  }));
  return report;
}

Result<int64_t> Benefits::SendDue(const people::Principal& by, int limit) {
  struct Due {
    std::string run_id, person_id, channel;
  };
  std::vector<Due> due;
  const int64_t now_ms = NowMs();
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Due d;
    long long now = now_ms;
    store::ExecuteRows(
        sql, Q("due_notices"), [&] { due.push_back(d); }, soci::use(now, "now_ms"),
        soci::use(limit, "limit"), soci::into(d.run_id), soci::into(d.person_id),
        soci::into(d.channel));
    return Ok();
  }));
  std::map<std::string, Policy> policies;  // by run
  int64_t handed = 0;
  for (Due& d : due) {
    auto it = policies.find(d.run_id);
    if (it == policies.end()) {
      TB_ASSIGN_OR_RETURN(MatchRun run, GetRun(d.run_id));
      TB_ASSIGN_OR_RETURN(Policy policy, GetPolicy(run.policy, run.version));
      it = policies.emplace(d.run_id, std::move(policy)).first;
    }
    Status sent = Deliver(by, it->second, d.run_id, d.person_id, d.channel, now_ms);
    std::string outcome = sent.ok() ? "sent" : "failed";
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      store::Execute(sql, Q("update_notice_status"), soci::use(outcome, "status"),
                     soci::use(d.run_id, "run_id"), soci::use(d.person_id, "person_id"));
      return Ok();
    }));
    ++handed;
  }
  return handed;
}

Result<std::vector<Notice>> Benefits::Notices(std::string_view run_id) {
  std::vector<Notice> out;
  std::string id(run_id);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Notice n;
    std::string created;
    long long send_at = 0;
    n.run_id = id;
    store::ExecuteRows(
        sql, Q("notices"),
        [&] {
          n.send_at_ms = send_at;
          out.push_back(n);
        },
        soci::use(id, "run_id"), soci::into(n.person_id), soci::into(n.channel),
        soci::into(n.status), soci::into(n.assigned_region), soci::into(n.due_date),
        soci::into(n.outcome), soci::into(created), soci::into(send_at), soci::into(n.decision));
    return Ok();
  }));
  return out;
}

Status Benefits::RecordConsent(const people::Principal& by, std::string_view run_id,
                               std::string_view person_id, const ConsentInput& input) {
  TB_ASSIGN_OR_RETURN(MatchRun run, GetRun(run_id));
  std::string id(run_id), person(person_id), region, kind, notice_at;
  int64_t fen = 0;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    if (!store::Execute(sql, Q("get_result"), soci::use(id, "run_id"),
                        soci::use(person, "person_id"), soci::into(region), soci::into(kind),
                        soci::into(fen))
             .got_data ||
        kind != "eligible_not_receiving") {
      return Error(ErrorCode::kNotFound, "the person is not listed as eligible in this run",
                   {{"person_id", person}});
    }
    if (!store::Execute(sql, Q("notice_of"), soci::use(id, "run_id"),
                        soci::use(person, "person_id"), soci::into(notice_at))
             .got_data) {
      return Error(ErrorCode::kConflict, "the person has not been notified in this run",
                   {{"person_id", person}});
    }
    return Ok();
  }));
  const int64_t now_ms = NowMs();
  if (input.by_staff) {
    TB_RETURN_IF_ERROR(people::Authorize(by, "policy.grant", {.region = region}, now_ms));
    if (utf8::CodePointCount(input.evidence) < 4) {  // characters, not bytes
      return Error(ErrorCode::kInvalidArgument, "staff must record the evidence",
                   {{"evidence", "what was seen or heard: at least 4 characters"}});
    }
  } else {
    // Online: the citizen signed in under the person's own ID number.
    std::string found;
    std::string idx = registers_.cipher().Index("id_number", by.account.id_number);
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      store::Execute(sql, Q("person_by_id_number_index"), soci::use(idx, "idx"), soci::into(found));
      return Ok();
    }));
    if (by.account.kind != people::AccountKind::kCitizen || by.account.id_number.empty() ||
        found != person) {
      return Error(ErrorCode::kForbidden, "only the person may consent online");
    }
  }
  std::string decision = input.decision == Decision::kAccepted ? "accepted" : "declined";
  std::string recorder = by.account.id;
  int staff = input.by_staff ? 1 : 0;
  std::string evidence = input.evidence;
  std::string now = people::FormatTimestamp(now_ms);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    if (store::Execute(sql, Q("insert_consent"), soci::use(id, "run_id"),
                       soci::use(person, "person_id"), soci::use(decision, "decision"),
                       soci::use(recorder, "recorded_by"), soci::use(staff, "by_staff"),
                       soci::use(evidence, "evidence"), soci::use(now, "recorded_at"))
            .affected_rows == 0) {
      return Error(ErrorCode::kConflict, "the person's decision is recorded already",
                   {{"person_id", person}});
    }
    return Ok();
  }));
  if (input.decision != Decision::kAccepted) return Ok();
  GrantRequest request{.policy = run.policy,
                       .version = run.version,
                       .run_id = id,
                       .person_id = person,
                       .region = region,
                       .amount_fen = fen,
                       .start = DateInChina(clock_.Now()),
                       .form = input.form};
  if (!grant_handler_) return GrantNow(request, "consent", recorder);
  // The grant case could not be opened (e.g. the form lacks what the registers do not hold):
  // the consent is taken back, so the person can confirm again with what was missing.
  Status opened = grant_handler_(request);
  if (!opened.ok()) {
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      store::Execute(sql, Q("withdraw_consent"), soci::use(id, "run_id"),
                     soci::use(person, "person_id"), soci::use(now, "recorded_at"));
      return Ok();
    }));
  }
  return opened;
}

Result<int64_t> Benefits::ConcludeOptOuts(const people::Principal& by, std::string_view run_id) {
  TB_ASSIGN_OR_RETURN(MatchRun run, GetRun(run_id));
  TB_RETURN_IF_ERROR(people::Authorize(by, "policy.grant", {.region = run.region}, NowMs()));
  TB_ASSIGN_OR_RETURN(Policy policy, GetPolicy(run.policy, run.version));
  if (policy.kind != PolicyKind::kBenefit || policy.mode != GrantMode::kDirectWithOptOut) {
    return Error(ErrorCode::kConflict, "the policy requires consent",
                 {{"mode", std::string(GrantModeName(policy.mode))}});
  }
  struct Row {
    std::string person_id, created_at, region;
    long long fen = 0;
  };
  std::vector<Row> rows;
  std::string id(run_id);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Row r;
    store::ExecuteRows(
        sql, Q("undecided_notified"), [&] { rows.push_back(r); }, soci::use(id, "run_id"),
        soci::into(r.person_id), soci::into(r.created_at), soci::into(r.region), soci::into(r.fen));
    return Ok();
  }));
  const int64_t now_ms = NowMs();
  const Date today = DateInChina(clock_.Now());
  int64_t granted = 0;
  for (const auto& r : rows) {
    TB_ASSIGN_OR_RETURN(int64_t at, people::ParseTimestamp(r.created_at));
    const Date notified = DateInChina(Timestamp(std::chrono::milliseconds(at)));
    if (notified.AddDays(policy.opt_out_days) > today) continue;
    std::string person = r.person_id, decision = "no_objection", recorder = by.account.id,
                evidence = fmt::format("no objection within {} days", policy.opt_out_days),
                now = people::FormatTimestamp(now_ms);
    int staff = 0;
    bool fresh = false;
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
      fresh = store::Execute(sql, Q("insert_consent"), soci::use(id, "run_id"),
                             soci::use(person, "person_id"), soci::use(decision, "decision"),
                             soci::use(recorder, "recorded_by"), soci::use(staff, "by_staff"),
                             soci::use(evidence, "evidence"), soci::use(now, "recorded_at"))
                  .affected_rows == 1;
      return Ok();
    }));
    if (!fresh) continue;
    GrantRequest request{.policy = run.policy,
                         .version = run.version,
                         .run_id = id,
                         .person_id = person,
                         .region = r.region,
                         .amount_fen = r.fen,
                         .start = today,
                         .form = {}};
    TB_RETURN_IF_ERROR(grant_handler_ ? grant_handler_(request)
                                      : GrantNow(request, "opt_out", recorder));
    ++granted;
  }
  return granted;
}

Status Benefits::MarkNoticeRead(const people::Principal& by, std::string_view run_id,
                                std::string_view recipient) {
  TB_ASSIGN_OR_RETURN(MatchRun run, GetRun(run_id));
  TB_ASSIGN_OR_RETURN(Policy policy, GetPolicy(run.policy, run.version));
  std::string id(run_id), who(recipient), channel;
  if (policy.subject == Subject::kEntity) {
    if (by.account.kind != people::AccountKind::kCitizen ||
        !registers_.ReadApplicantEntity(by, who).ok()) {
      return Error(ErrorCode::kForbidden, "only the enterprise's representatives read its notices");
    }
  } else {
    std::string found;
    std::string idx = registers_.cipher().Index("id_number", by.account.id_number);
    TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
      store::Execute(sql, Q("person_by_id_number_index"), soci::use(idx, "idx"), soci::into(found));
      return Ok();
    }));
    if (by.account.id_number.empty() || found != who) {
      return Error(ErrorCode::kForbidden, "only the person reads their notices");
    }
  }
  std::string now = people::FormatTimestamp(NowMs());
  return db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    if (!store::Execute(sql, Q("notice_exists"), soci::use(id, "run_id"),
                        soci::use(who, "person_id"), soci::into(channel))
             .got_data) {
      return Error(ErrorCode::kNotFound, "no notice of this run for the recipient");
    }
    store::Execute(sql, Q("mark_notice_read"), soci::use(now, "read_at"), soci::use(id, "run_id"),
                   soci::use(who, "person_id"));
    return Ok();
  });
}

Status Benefits::ReviewNoLongerEligible(const people::Principal& by, std::string_view run_id,
                                        std::string_view person_id, const ReviewInput& input) {
  TB_ASSIGN_OR_RETURN(MatchRun run, GetRun(run_id));
  std::string id(run_id), person(person_id), region, kind;
  int64_t fen = 0;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    if (!store::Execute(sql, Q("get_result"), soci::use(id, "run_id"),
                        soci::use(person, "person_id"), soci::into(region), soci::into(kind),
                        soci::into(fen))
             .got_data ||
        kind != "no_longer_eligible") {
      return Error(ErrorCode::kNotFound, "the person is not listed as no longer eligible",
                   {{"person_id", person}});
    }
    return Ok();
  }));
  const int64_t now_ms = NowMs();
  TB_RETURN_IF_ERROR(people::Authorize(by, "policy.grant", {.region = region}, now_ms));
  if (utf8::CodePointCount(input.note) < 4) {
    return Error(ErrorCode::kInvalidArgument, "the reviewer must say why",
                 {{"note", "at least 4 characters"}});
  }
  const Date today = DateInChina(clock_.Now());
  std::string end;
  if (input.decision == ReviewDecision::kStop) {
    const Date last = input.end ? *input.end : today.AddDays(-1);
    end = last.ToString();
  }
  std::string decision = input.decision == ReviewDecision::kStop ? "stop" : "keep";
  std::string reviewer = by.account.id, note = input.note, now = people::FormatTimestamp(now_ms),
              policy = run.policy;
  return db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    if (store::Execute(sql, Q("insert_review"), soci::use(id, "run_id"),
                       soci::use(person, "person_id"), soci::use(decision, "decision"),
                       soci::use(reviewer, "reviewer"), soci::use(note, "note"),
                       soci::use(end, "end_date"), soci::use(now, "reviewed_at"))
            .affected_rows == 0) {
      return Error(ErrorCode::kConflict, "the person is reviewed already in this run",
                   {{"person_id", person}});
    }
    if (!end.empty()) {
      // Ends the grants still open on that day; grants starting after it are not touched.
      store::Execute(sql, Q("end_grants"), soci::use(end, "end_date"), soci::use(policy, "policy"),
                     soci::use(person, "person_id"));
    }
    return Ok();
  });
}

Result<std::vector<Review>> Benefits::Reviews(std::string_view run_id) {
  std::vector<Review> out;
  std::string id(run_id);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Review r;
    r.run_id = id;
    store::ExecuteRows(
        sql, Q("reviews"), [&] { out.push_back(r); }, soci::use(id, "run_id"),
        soci::into(r.person_id), soci::into(r.decision), soci::into(r.reviewer), soci::into(r.note),
        soci::into(r.end_date), soci::into(r.reviewed_at));
    return Ok();
  }));
  return out;
}

Result<Funnel> Benefits::FunnelOf(std::string_view run_id) {
  TB_ASSIGN_OR_RETURN(MatchRun run, GetRun(run_id));
  Funnel f;
  f.run_id = run.id;
  f.policy = run.policy;
  f.version = run.version;
  std::map<std::string, FunnelRow> rows;
  size_t digits = 0;
  for (const auto& g : run.regions) {
    FunnelRow& row = rows[g.region];
    row.region = g.region;
    row.screened = g.screened;
    row.eligible = g.eligible;
    row.eligible_not_receiving = g.eligible_not_receiving;
    digits = std::max(digits, g.region.size());
  }
  std::string id(run_id);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    std::string region;
    long long notified = 0, consented = 0, granted = 0, read = 0;
    store::ExecuteRows(
        sql, Q("funnel_lists"),
        [&] {
          FunnelRow& row = rows[region.substr(0, digits)];
          row.region = region.substr(0, digits);
          row.notified += notified;
          row.consented += consented;
          row.granted += granted;
          row.read += read;
        },
        soci::use(id, "run_id"), soci::into(region), soci::into(notified), soci::into(consented),
        soci::into(granted), soci::into(read));
    return Ok();
  }));
  f.total.region = run.region;
  for (auto& [key, row] : rows) {
    f.total.screened += row.screened;
    f.total.eligible += row.eligible;
    f.total.eligible_not_receiving += row.eligible_not_receiving;
    f.total.notified += row.notified;
    f.total.consented += row.consented;
    f.total.granted += row.granted;
    f.total.read += row.read;
    f.regions.push_back(row);
  }
  return f;
}

Result<std::vector<PersonNotice>> Benefits::NoticesFor(const people::Principal& by) {
  std::vector<PersonNotice> out;
  if (by.account.kind != people::AccountKind::kCitizen || by.account.id_number.empty()) return out;
  std::string person;
  const std::string idx = registers_.cipher().Index("id_number", by.account.id_number);
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    store::Execute(sql, Q("person_by_id_number_index"), soci::use(idx, "idx"), soci::into(person));
    if (person.empty()) return Ok();
    PersonNotice n;
    long long version = 0, fen = 0;
    store::ExecuteRows(
        sql, Q("notices_of_person"),
        [&] {
          n.person_id = person;
          n.version = version;
          n.amount_fen = fen;
          out.push_back(n);
        },
        soci::use(person, "person_id"), soci::into(n.run_id), soci::into(n.policy),
        soci::into(version), soci::into(fen), soci::into(n.channel), soci::into(n.notified_at),
        soci::into(n.decision));
    return Ok();
  }));
  for (PersonNotice& n : out) {
    TB_ASSIGN_OR_RETURN(Policy policy, GetPolicy(n.policy, n.version));
    n.title = policy.title;
    n.kind = policy.kind;
    n.mode = policy.mode;
    n.cycle = policy.cycle;
    n.legal_basis = policy.legal_basis;
  }
  return out;
}

}  // namespace tongban::benefits
