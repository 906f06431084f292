// The demand service's internals shared by its parts: intake (intake.cc), work orders
// (work_orders.cc), the time-limit sweep (sweep.cc), and set-up, contacts and statistics
// (service.cc).
#pragma once

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "base/embedded.h"
#include "base/id.h"
#include "base/uscc.h"
#include "demands/service.h"
#include "demands/text.h"
#include "people/authorization.h"
#include "people/timestamp.h"
#include "store/row.h"

namespace tongban::demands {

inline constexpr int64_t kMsPerDay = 24LL * 3600 * 1000;
inline constexpr int64_t kDuplicateWindowMs = 30 * kMsPerDay;
inline constexpr double kDuplicateThreshold = 0.35;
inline constexpr size_t kMaxDuplicates = 5;
inline constexpr int kMaxExtensionDays = 15;
inline constexpr size_t kMaxTitleBytes = 300;
inline constexpr size_t kMaxTextBytes = 20000;

inline Demand DemandFromRow(const soci::row& r) {
  Demand d;
  d.id = store::RowStr(r, 0);
  d.number = store::RowStr(r, 1);
  d.channel = ParseChannel(store::RowStr(r, 2)).value_or(Channel::kPortal);
  d.demand_class = ParseDemandClass(store::RowStr(r, 3)).value_or(DemandClass::kConsultation);
  d.urgency = ParseUrgency(store::RowStr(r, 4)).value_or(Urgency::kOrdinary);
  d.complex = store::RowInt(r, 5) != 0;
  d.region = store::RowStr(r, 6);
  d.uscc = store::RowStr(r, 7);
  d.title = store::RowStr(r, 8);
  d.text = store::RowStr(r, 9);
  d.submitted_by = store::RowStr(r, 10);
  d.caller_name = store::RowStr(r, 11);
  d.caller_phone = store::RowStr(r, 12);
  d.state = ParseDemandState(store::RowStr(r, 13)).value_or(DemandState::kReceived);
  d.limit_days = static_cast<int>(store::RowInt(r, 14));
  d.created_at = store::RowInt(r, 15);
  d.closed_at = store::RowInt(r, 16);
  d.answer = store::RowStr(r, 17);
  const int64_t satisfied = store::RowInt(r, 18);
  if (satisfied >= 0) d.satisfied = satisfied == 1;
  d.callback_due = store::RowInt(r, 19);
  return d;
}

inline WorkOrder OrderFromRow(const soci::row& r) {
  WorkOrder o;
  o.id = store::RowStr(r, 0);
  o.demand_id = store::RowStr(r, 1);
  o.seq = static_cast<int>(store::RowInt(r, 2));
  o.receiver_kind = ParseReceiverKind(store::RowStr(r, 3)).value_or(ReceiverKind::kDepartment);
  o.department = store::RowStr(r, 4);
  o.assignee = store::RowStr(r, 5);
  o.arbitrated = store::RowInt(r, 6) != 0;
  o.state = ParseOrderState(store::RowStr(r, 7)).value_or(OrderState::kPending);
  o.dispatched_by = store::RowStr(r, 8);
  o.dispatched_at = store::RowInt(r, 9);
  o.sign_due = store::RowInt(r, 10);
  o.due = store::RowInt(r, 11);
  o.signed_by = store::RowStr(r, 12);
  o.signed_at = store::RowInt(r, 13);
  o.return_reason = store::RowStr(r, 14);
  o.extension = ParseExtensionState(store::RowStr(r, 15)).value_or(ExtensionState::kNone);
  o.extension_days = static_cast<int>(store::RowInt(r, 16));
  o.extension_reason = store::RowStr(r, 17);
  o.reminders = static_cast<int>(store::RowInt(r, 18));
  o.sign_overdue = store::RowInt(r, 19) != 0;
  o.late_reminded = store::RowInt(r, 20) != 0;
  o.supervised = store::RowInt(r, 21) != 0;
  o.answer = store::RowStr(r, 22);
  o.closed_at = store::RowInt(r, 23);
  o.callback = store::RowStr(r, 24);
  return o;
}

inline Contact ContactFromRow(const soci::row& r) {
  Contact c;
  c.uscc = store::RowStr(r, 0);
  c.kind = ParseContactKind(store::RowStr(r, 1)).value_or(ContactKind::kCommissioner);
  c.account_id = store::RowStr(r, 2);
  c.account_name = store::RowStr(r, 3);
  c.enterprise_name = store::RowStr(r, 4);
  c.assigned_by = store::RowStr(r, 5);
  c.assigned_at = store::RowInt(r, 6);
  return c;
}

inline Error StateError(std::string message) {
  return Error(ErrorCode::kConflict, message, {{"state", message}});
}

inline bool IsDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Dispatchers, arbiters and intake operators of the region see every demand of it, and a
// report's demander.
inline bool SeesAll(const people::Principal& by, std::string_view region, int64_t now) {
  for (const char* permission : {"demand.dispatch", "demand.arbitrate", "demand.intake"}) {
    if (people::Authorize(by, permission, {.region = std::string(region)}, now).ok()) return true;
  }
  return false;
}

// What a read touches: the region, in the reader's own department (a grant scoped to one
// department reads what reaches that department).
inline people::Target ReadTarget(const people::Principal& by, const std::string& region) {
  return {.region = region, .department = by.account.department};
}

inline bool IsReceiver(const people::Principal& by, const WorkOrder& o) {
  if (o.receiver_kind == ReceiverKind::kCommissioner) return o.assignee == by.account.id;
  return !by.account.department.empty() && o.department == by.account.department;
}

inline bool IsOwn(const people::Principal& by, const Demand& d, int64_t now) {
  if (!by.account.id.empty() && d.submitted_by == by.account.id) return true;
  return by.account.kind == people::AccountKind::kCitizen && !d.uscc.empty() &&
         people::AuthorizeForEnterprise(by, d.uscc, now).ok();
}

// Blanks the demander of a report (举报) for the handling department (any staff of a department
// or the commissioner an order went to, whatever else they may do) and for readers who neither
// dispatch, arbitrate nor take in demands.
inline void HideReporter(const people::Principal& by, DemandRecord& r, bool receiver, int64_t now) {
  Demand& d = r.demand;
  if (d.demand_class != DemandClass::kReport || IsOwn(by, d, now)) return;
  if (!receiver && SeesAll(by, d.region, now)) return;
  d.submitted_by.clear();
  d.caller_name.clear();
  d.caller_phone.clear();
  d.uscc.clear();
  d.reporter_hidden = true;
  for (Step& s : r.steps) {
    if (s.action == "received") s.actor.clear();
  }
}

// One transaction's reads and writes.
class DemandService::Tx {
 public:
  Tx(const DemandService& s, soci::session& sql) : s_(s), sql_(sql) {}

  // The demand with its orders and steps; `lock` (in write transactions) locks its row first.
  Result<DemandRecord> Load(std::string_view id_view, bool lock = false) {
    const std::string id(id_view);
    DemandRecord r;
    if (lock) {
      std::string locked;
      store::Execute(sql_, s_.Q("lock_demand"), soci::use(id, "id"), soci::into(locked));
    }
    bool found = false;
    {
      soci::rowset<soci::row> rows = (sql_.prepare << s_.Q("get_demand"), soci::use(id, "id"));
      for (const soci::row& row : rows) {
        r.demand = DemandFromRow(row);
        found = true;
      }
    }
    if (!found) {
      return Error(ErrorCode::kNotFound, fmt::format("no demand {}", id), {{"id", "not found"}});
    }
    {
      soci::rowset<soci::row> rows =
          (sql_.prepare << s_.Q("orders_of_demand"), soci::use(id, "demand_id"));
      for (const soci::row& row : rows) r.orders.push_back(OrderFromRow(row));
    }
    Step step;
    store::ExecuteRows(
        sql_, s_.Q("steps_of_demand"), [&] { r.steps.push_back(step); }, soci::use(id, "demand_id"),
        soci::into(step.seq), soci::into(step.action), soci::into(step.actor), soci::into(step.at),
        soci::into(step.detail));
    return r;
  }

  std::vector<Demand> Demands(const std::string& query, const std::string& name,
                              const std::string& value, int limit) {
    std::vector<Demand> out;
    soci::rowset<soci::row> rows =
        (sql_.prepare << s_.Q(query), soci::use(value, name), soci::use(limit, "limit"));
    for (const soci::row& row : rows) out.push_back(DemandFromRow(row));
    return out;
  }

  void InsertDemand(const Demand& d) {
    const std::string channel(ChannelName(d.channel));
    const std::string demand_class(DemandClassName(d.demand_class));
    const std::string urgency(UrgencyName(d.urgency));
    const std::string state(DemandStateName(d.state));
    const int complex = d.complex ? 1 : 0;
    const int satisfied = d.satisfied ? (*d.satisfied ? 1 : 0) : -1;
    store::Execute(
        sql_, s_.Q("insert_demand"), soci::use(d.id, "id"), soci::use(d.number, "number"),
        soci::use(channel, "channel"), soci::use(demand_class, "demand_class"),
        soci::use(urgency, "urgency"), soci::use(complex, "complex"), soci::use(d.region, "region"),
        soci::use(d.uscc, "uscc"), soci::use(d.title, "title"), soci::use(d.text, "content"),
        soci::use(d.submitted_by, "submitted_by"), soci::use(d.caller_name, "caller_name"),
        soci::use(d.caller_phone, "caller_phone"), soci::use(state, "state"),
        soci::use(d.limit_days, "limit_days"), soci::use(d.created_at, "created_at"),
        soci::use(d.closed_at, "closed_at"), soci::use(d.answer, "answer"),
        soci::use(satisfied, "satisfied"), soci::use(d.callback_due, "callback_due"));
  }

  void UpdateDemand(const Demand& d) {
    const std::string state(DemandStateName(d.state));
    const int complex = d.complex ? 1 : 0;
    const int satisfied = d.satisfied ? (*d.satisfied ? 1 : 0) : -1;
    store::Execute(sql_, s_.Q("update_demand"), soci::use(state, "state"),
                   soci::use(complex, "complex"), soci::use(d.limit_days, "limit_days"),
                   soci::use(d.closed_at, "closed_at"), soci::use(d.answer, "answer"),
                   soci::use(satisfied, "satisfied"), soci::use(d.callback_due, "callback_due"),
                   soci::use(d.id, "id"));
  }

  void InsertOrder(const WorkOrder& o) {
    const std::string kind(ReceiverKindName(o.receiver_kind));
    const std::string state(OrderStateName(o.state));
    const std::string extension(ExtensionStateName(o.extension));
    const int arbitrated = o.arbitrated ? 1 : 0;
    const int sign_overdue = o.sign_overdue ? 1 : 0;
    const int late_reminded = o.late_reminded ? 1 : 0;
    const int supervised = o.supervised ? 1 : 0;
    store::Execute(sql_, s_.Q("insert_order"), soci::use(o.id, "id"),
                   soci::use(o.demand_id, "demand_id"), soci::use(o.seq, "seq"),
                   soci::use(kind, "receiver_kind"), soci::use(o.department, "department"),
                   soci::use(o.assignee, "assignee"), soci::use(arbitrated, "arbitrated"),
                   soci::use(state, "state"), soci::use(o.dispatched_by, "dispatched_by"),
                   soci::use(o.dispatched_at, "dispatched_at"), soci::use(o.sign_due, "sign_due"),
                   soci::use(o.due, "due"), soci::use(o.signed_by, "signed_by"),
                   soci::use(o.signed_at, "signed_at"), soci::use(o.return_reason, "return_reason"),
                   soci::use(extension, "extension"), soci::use(o.extension_days, "extension_days"),
                   soci::use(o.extension_reason, "extension_reason"),
                   soci::use(o.reminders, "reminders"), soci::use(sign_overdue, "sign_overdue"),
                   soci::use(late_reminded, "late_reminded"), soci::use(supervised, "supervised"),
                   soci::use(o.answer, "answer"), soci::use(o.closed_at, "closed_at"),
                   soci::use(o.callback, "callback"));
  }

  void UpdateOrder(const WorkOrder& o) {
    const std::string state(OrderStateName(o.state));
    const std::string extension(ExtensionStateName(o.extension));
    const int sign_overdue = o.sign_overdue ? 1 : 0;
    const int late_reminded = o.late_reminded ? 1 : 0;
    const int supervised = o.supervised ? 1 : 0;
    store::Execute(sql_, s_.Q("update_order"), soci::use(state, "state"), soci::use(o.due, "due"),
                   soci::use(o.signed_by, "signed_by"), soci::use(o.signed_at, "signed_at"),
                   soci::use(o.return_reason, "return_reason"), soci::use(extension, "extension"),
                   soci::use(o.extension_days, "extension_days"),
                   soci::use(o.extension_reason, "extension_reason"),
                   soci::use(o.reminders, "reminders"), soci::use(sign_overdue, "sign_overdue"),
                   soci::use(late_reminded, "late_reminded"), soci::use(supervised, "supervised"),
                   soci::use(o.answer, "answer"), soci::use(o.closed_at, "closed_at"),
                   soci::use(o.callback, "callback"), soci::use(o.id, "id"));
  }

  Status AddStep(const std::string& demand_id, const std::string& action, const std::string& actor,
                 int64_t at, const std::string& detail) {
    int seq = 0;
    store::Execute(sql_, s_.Q("last_step"), soci::use(demand_id, "demand_id"), soci::into(seq));
    ++seq;
    store::Execute(sql_, s_.Q("insert_step"), soci::use(demand_id, "demand_id"),
                   soci::use(seq, "seq"), soci::use(action, "action"), soci::use(actor, "actor"),
                   soci::use(at, "at"), soci::use(detail, "detail"));
    if (s_.options_.trace != nullptr) {
      nlohmann::json payload = {{"seq", seq}, {"at", at}, {"detail", detail}};
      auto r = s_.options_.trace->Append(sql_, {.stream = "demand/" + demand_id,
                                                .actor = actor.empty() ? "system" : actor,
                                                .action = "demand." + action,
                                                .payload = payload.dump()});
      if (!r.ok()) return std::move(r).error();
    }
    return Ok();
  }

  std::vector<Duplicate> DuplicatesOf(const Demand& d) {
    const std::set<std::string> terms = TextTerms(fmt::format("{} {}", d.title, d.text));
    const int64_t since = d.created_at - kDuplicateWindowMs;
    std::vector<Duplicate> out;
    std::string id, number, title, content, state;
    store::ExecuteRows(
        sql_, s_.Q("duplicate_candidates"),
        [&] {
          const double similarity =
              Similarity(terms, TextTerms(fmt::format("{} {}", title, content)));
          if (similarity < kDuplicateThreshold) return;
          out.push_back({.demand_id = id,
                         .number = number,
                         .title = title,
                         .state = ParseDemandState(state).value_or(DemandState::kReceived),
                         .similarity = similarity});
        },
        soci::use(since, "since"), soci::use(d.id, "id"), soci::use(d.uscc, "uscc"),
        soci::use(d.region, "region"), soci::into(id), soci::into(number), soci::into(title),
        soci::into(content), soci::into(state));
    std::stable_sort(out.begin(), out.end(), [](const Duplicate& a, const Duplicate& b) {
      return a.similarity > b.similarity;
    });
    if (out.size() > kMaxDuplicates) out.resize(kMaxDuplicates);
    return out;
  }

  // The account id of `key` (an id or a username) when it is a staff account.
  std::optional<std::string> StaffAccount(const std::string& key) {
    std::string id, kind;
    if (!store::Execute(sql_, s_.Q("find_account"), soci::use(key, "id"),
                        soci::use(key, "username"), soci::into(id), soci::into(kind))
             .got_data ||
        kind != "staff") {
      return std::nullopt;
    }
    return id;
  }

  std::vector<Contact> ContactsBy(const std::string& query, const std::string& name,
                                  const std::string& value) {
    std::vector<Contact> out;
    soci::rowset<soci::row> rows = (sql_.prepare << s_.Q(query), soci::use(value, name));
    for (const soci::row& row : rows) out.push_back(ContactFromRow(row));
    return out;
  }

 private:
  const DemandService& s_;
  soci::session& sql_;
};

}  // namespace tongban::demands
