#include "demands/service.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "base/embedded.h"
#include "base/id.h"
#include "base/uscc.h"
#include "demands/text.h"
#include "people/authorization.h"
#include "people/timestamp.h"
#include "store/row.h"

namespace tongban {
extern const EmbeddedFile kDemandFiles[];
extern const size_t kDemandFiles_count;
}  // namespace tongban

namespace tongban::demands {
namespace {

using people::Principal;

constexpr int64_t kMsPerDay = 24LL * 3600 * 1000;
constexpr int64_t kDuplicateWindowMs = 30 * kMsPerDay;
constexpr double kDuplicateThreshold = 0.35;
constexpr size_t kMaxDuplicates = 5;
constexpr int kMaxExtensionDays = 15;
constexpr size_t kMaxTitleBytes = 300;
constexpr size_t kMaxTextBytes = 20000;

using store::RowInt;
using store::RowStr;

Demand DemandFromRow(const soci::row& r) {
  Demand d;
  d.id = RowStr(r, 0);
  d.number = RowStr(r, 1);
  d.channel = ParseChannel(RowStr(r, 2)).value_or(Channel::kPortal);
  d.demand_class = ParseDemandClass(RowStr(r, 3)).value_or(DemandClass::kConsultation);
  d.urgency = ParseUrgency(RowStr(r, 4)).value_or(Urgency::kOrdinary);
  d.complex = RowInt(r, 5) != 0;
  d.region = RowStr(r, 6);
  d.uscc = RowStr(r, 7);
  d.title = RowStr(r, 8);
  d.text = RowStr(r, 9);
  d.submitted_by = RowStr(r, 10);
  d.caller_name = RowStr(r, 11);
  d.caller_phone = RowStr(r, 12);
  d.state = ParseDemandState(RowStr(r, 13)).value_or(DemandState::kReceived);
  d.limit_days = static_cast<int>(RowInt(r, 14));
  d.created_at = RowInt(r, 15);
  d.closed_at = RowInt(r, 16);
  d.answer = RowStr(r, 17);
  const int64_t satisfied = RowInt(r, 18);
  if (satisfied >= 0) d.satisfied = satisfied == 1;
  d.callback_due = RowInt(r, 19);
  return d;
}

WorkOrder OrderFromRow(const soci::row& r) {
  WorkOrder o;
  o.id = RowStr(r, 0);
  o.demand_id = RowStr(r, 1);
  o.seq = static_cast<int>(RowInt(r, 2));
  o.receiver_kind = ParseReceiverKind(RowStr(r, 3)).value_or(ReceiverKind::kDepartment);
  o.department = RowStr(r, 4);
  o.assignee = RowStr(r, 5);
  o.arbitrated = RowInt(r, 6) != 0;
  o.state = ParseOrderState(RowStr(r, 7)).value_or(OrderState::kPending);
  o.dispatched_by = RowStr(r, 8);
  o.dispatched_at = RowInt(r, 9);
  o.sign_due = RowInt(r, 10);
  o.due = RowInt(r, 11);
  o.signed_by = RowStr(r, 12);
  o.signed_at = RowInt(r, 13);
  o.return_reason = RowStr(r, 14);
  o.extension = ParseExtensionState(RowStr(r, 15)).value_or(ExtensionState::kNone);
  o.extension_days = static_cast<int>(RowInt(r, 16));
  o.extension_reason = RowStr(r, 17);
  o.reminders = static_cast<int>(RowInt(r, 18));
  o.sign_overdue = RowInt(r, 19) != 0;
  o.late_reminded = RowInt(r, 20) != 0;
  o.supervised = RowInt(r, 21) != 0;
  o.answer = RowStr(r, 22);
  o.closed_at = RowInt(r, 23);
  o.callback = RowStr(r, 24);
  return o;
}

Contact ContactFromRow(const soci::row& r) {
  Contact c;
  c.uscc = RowStr(r, 0);
  c.kind = ParseContactKind(RowStr(r, 1)).value_or(ContactKind::kCommissioner);
  c.account_id = RowStr(r, 2);
  c.account_name = RowStr(r, 3);
  c.enterprise_name = RowStr(r, 4);
  c.assigned_by = RowStr(r, 5);
  c.assigned_at = RowInt(r, 6);
  return c;
}

Error StateError(std::string message) {
  return Error(ErrorCode::kConflict, message, {{"state", message}});
}

bool IsDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Dispatchers, arbiters and intake operators of the region see every demand of it, and a
// report's demander.
bool SeesAll(const Principal& by, std::string_view region, int64_t now) {
  for (const char* permission : {"demand.dispatch", "demand.arbitrate", "demand.intake"}) {
    if (people::Authorize(by, permission, {.region = std::string(region)}, now).ok()) return true;
  }
  return false;
}

// What a read touches: the region, in the reader's own department (a grant scoped to one
// department reads what reaches that department).
people::Target ReadTarget(const Principal& by, const std::string& region) {
  return {.region = region, .department = by.account.department};
}

bool IsReceiver(const Principal& by, const WorkOrder& o) {
  if (o.receiver_kind == ReceiverKind::kCommissioner) return o.assignee == by.account.id;
  return !by.account.department.empty() && o.department == by.account.department;
}

bool IsOwn(const Principal& by, const Demand& d, int64_t now) {
  if (!by.account.id.empty() && d.submitted_by == by.account.id) return true;
  return by.account.kind == people::AccountKind::kCitizen && !d.uscc.empty() &&
         people::AuthorizeForEnterprise(by, d.uscc, now).ok();
}

// Blanks the demander of a report (举报) for the handling department (any staff of a department
// or the commissioner an order went to, whatever else they may do) and for readers who neither
// dispatch, arbitrate nor take in demands.
void HideReporter(const Principal& by, DemandRecord& r, bool receiver, int64_t now) {
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

}  // namespace

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("demands", kDemandFiles, kDemandFiles_count);
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

Result<std::unique_ptr<DemandService>> DemandService::Create(store::Database& db, Options options) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kDemandFiles, kDemandFiles_count));
  std::optional<LimitsTable> limits = std::move(options.limits);
  if (!limits) {
    TB_ASSIGN_OR_RETURN(LimitsTable shipped, LimitsTable::Shipped());
    limits = std::move(shipped);
  }
  return std::unique_ptr<DemandService>(
      new DemandService(db, std::move(options), std::move(*limits), std::move(queries)));
}

DemandService::DemandService(store::Database& db, Options options, LimitsTable limits,
                             store::QuerySet queries)
    : db_(db),
      options_(std::move(options)),
      calendar_(options_.calendar),
      clock_(options_.clock != nullptr ? options_.clock : &SystemClock::Instance()),
      limits_(std::move(limits)),
      queries_(std::move(queries)) {
  if (calendar_ == nullptr) {
    own_calendar_ = Calendar::WithEmbeddedSchedules();
    calendar_ = own_calendar_.get();
  }
}

DemandService::~DemandService() = default;

int64_t DemandService::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock_->Now().time_since_epoch())
      .count();
}

Result<Submitted> DemandService::Submit(const Principal& by, const DemandInput& in) {
  const int64_t now = NowMs();
  FieldErrors errors;
  Demand d;
  const auto channel = ParseChannel(in.channel);
  if (!channel) errors.Add("channel", "must be portal, hotline, group or service_line");
  const auto demand_class = ParseDemandClass(in.demand_class);
  if (!demand_class) {
    errors.Add("class", fmt::format("unknown class \"{}\": consultation, help, complaint, "
                                    "report, suggestion or praise",
                                    in.demand_class));
  }
  const auto urgency = ParseUrgency(in.urgency);
  if (!urgency)
    errors.Add("urgency", fmt::format("unknown urgency \"{}\": urgent or ordinary", in.urgency));
  if (!in.uscc.empty()) {
    auto parsed = ParseUscc(in.uscc);
    if (!parsed.ok()) {
      errors.Add("uscc", parsed.error().message());
    } else {
      d.uscc = in.uscc;
    }
  }
  d.region = in.region;
  if (d.region.empty() && !d.uscc.empty()) d.region = d.uscc.substr(2, 6);
  if (d.region.size() != 6 || !IsDigits(d.region)) {
    errors.Add("region", "a 6-digit region code is required (or an enterprise's USCC)");
  }
  if (in.title.empty() || in.title.size() > kMaxTitleBytes) {
    errors.Add("title", fmt::format("required, at most {} bytes", kMaxTitleBytes));
  }
  if (in.text.empty() || in.text.size() > kMaxTextBytes) {
    errors.Add("text", fmt::format("required, at most {} bytes", kMaxTextBytes));
  }
  if (channel && *channel == Channel::kHotline && in.caller_name.empty() &&
      in.caller_phone.empty()) {
    errors.Add("caller_name", "the hotline records the caller: a name or a phone number");
  }
  if (!errors.empty()) return errors.ToError("invalid demand");
  if (*channel == Channel::kPortal) {
    TB_RETURN_IF_ERROR(people::Authorize(by, "demand.submit", {.region = d.region}, now));
    if (!d.uscc.empty()) TB_RETURN_IF_ERROR(people::AuthorizeForEnterprise(by, d.uscc, now));
  } else {
    TB_RETURN_IF_ERROR(people::Authorize(by, "demand.intake", {.region = d.region}, now));
  }
  d.id = NewId(*clock_);
  d.channel = *channel;
  d.demand_class = *demand_class;
  d.urgency = *urgency;
  d.complex = in.complex;
  d.title = in.title;
  d.text = in.text;
  d.submitted_by = by.account.id;
  d.caller_name = in.caller_name;
  d.caller_phone = in.caller_phone;
  if (d.channel == Channel::kPortal) {
    if (d.caller_name.empty()) d.caller_name = by.account.name;
    if (d.caller_phone.empty()) d.caller_phone = by.account.phone;
  }
  d.state = DemandState::kReceived;
  d.limit_days = limits_.HandlingDays(d.region, d.demand_class, d.urgency, d.complex);
  d.created_at = now;
  Submitted out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    const CivilDate c = DateInChina(clock_->Now()).civil();
    const std::string prefix =
        fmt::format("SQ{}-{:04d}{:02d}{:02d}-", d.region, c.year, c.month, c.day);
    const std::string like = prefix + "%";
    int64_t count = 0;
    store::Execute(sql, Q("count_numbers"), soci::use(like, "prefix"), soci::into(count));
    d.number = fmt::format("{}{:04d}", prefix, count + 1);
    tx.InsertDemand(d);
    TB_RETURN_IF_ERROR(
        tx.AddStep(d.id, "received", by.account.id, now,
                   fmt::format("{} {} {}", ChannelName(d.channel), DemandClassName(d.demand_class),
                               UrgencyName(d.urgency))));
    out.duplicates = tx.DuplicatesOf(d);
    TB_ASSIGN_OR_RETURN(out.record, tx.Load(d.id));
    return Ok();
  }));
  return out;
}

Result<DemandRecord> DemandService::Get(const Principal& by, std::string_view id) {
  const int64_t now = NowMs();
  DemandRecord r;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    TB_ASSIGN_OR_RETURN(r, Tx(*this, sql).Load(id));
    return Ok();
  }));
  if (!IsOwn(by, r.demand, now)) {
    TB_RETURN_IF_ERROR(people::Authorize(by, "demand.read", ReadTarget(by, r.demand.region), now));
    if (!SeesAll(by, r.demand.region, now) &&
        std::none_of(r.orders.begin(), r.orders.end(),
                     [&](const WorkOrder& o) { return IsReceiver(by, o); })) {
      return Error(ErrorCode::kForbidden, "the demand was never dispatched to you",
                   {{"id", "not dispatched to your department"}});
    }
  }
  const bool receiver = std::any_of(r.orders.begin(), r.orders.end(),
                                    [&](const WorkOrder& o) { return IsReceiver(by, o); });
  HideReporter(by, r, receiver, now);
  return r;
}

Result<std::vector<Demand>> DemandService::List(const Principal& by, const ListFilter& f) {
  const int64_t now = NowMs();
  const int limit = std::clamp(f.limit, 1, 500);
  std::optional<DemandState> state;
  if (!f.state.empty()) {
    state = ParseDemandState(f.state);
    if (!state) {
      return Error(ErrorCode::kInvalidArgument, "unknown state",
                   {{"state", "received, dispatched, returned, handling, closed or finished"}});
    }
  }
  std::vector<Demand> rows;
  std::set<std::string> receivable;
  const bool citizen = by.account.kind == people::AccountKind::kCitizen;
  std::string region = f.region.empty() ? by.account.region : f.region;
  if (!citizen) {
    if (!region.empty() && !people::IsRegionCode(region)) {
      return Error(ErrorCode::kInvalidArgument, "bad region", {{"region", "a region code"}});
    }
    TB_RETURN_IF_ERROR(people::Authorize(
        by, "demand.read", ReadTarget(by, region.empty() ? std::string("*") : region), now));
  }
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    if (citizen) {
      rows = tx.Demands("list_by_submitter", "submitted_by", by.account.id, limit);
      for (const people::Agency& a : by.agencies) {
        if (!f.uscc.empty() && a.uscc != f.uscc) continue;
        if (!people::AuthorizeForEnterprise(by, a.uscc, now).ok()) continue;
        for (Demand& d : tx.Demands("list_by_uscc", "uscc", a.uscc, limit)) {
          rows.push_back(std::move(d));
        }
      }
      return Ok();
    }
    if (!f.uscc.empty()) {
      rows = tx.Demands("list_by_uscc", "uscc", f.uscc, limit);
    } else {
      const std::string prefix = (region.empty() ? "" : people::RegionPrefix(region)) + "%";
      rows = tx.Demands("list_by_region", "prefix", prefix, limit);
    }
    std::string demand_id;
    const std::string& department = by.account.department;
    store::ExecuteRows(
        sql, Q("orders_visible_to"), [&] { receivable.insert(demand_id); },
        soci::use(department, "department"), soci::use(by.account.id, "account"),
        soci::into(demand_id));
    return Ok();
  }));
  std::sort(rows.begin(), rows.end(), [](const Demand& a, const Demand& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
  });
  std::vector<Demand> out;
  std::set<std::string> seen;
  for (Demand& d : rows) {
    if (!seen.insert(d.id).second) continue;
    if (state && d.state != *state) continue;
    if (!f.uscc.empty() && d.uscc != f.uscc) continue;
    if (!citizen && !IsOwn(by, d, now)) {
      if (!people::Authorize(by, "demand.read", ReadTarget(by, d.region), now).ok()) continue;
      if (!SeesAll(by, d.region, now) && receivable.count(d.id) == 0) continue;
    }
    DemandRecord r{.demand = std::move(d)};
    HideReporter(by, r, receivable.count(r.demand.id) > 0, now);
    out.push_back(std::move(r.demand));
    if (out.size() >= static_cast<size_t>(limit)) break;
  }
  return out;
}

Result<std::vector<Duplicate>> DemandService::Duplicates(const Principal& by, std::string_view id) {
  TB_ASSIGN_OR_RETURN(DemandRecord r, Get(by, id));
  std::vector<Duplicate> out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    TB_ASSIGN_OR_RETURN(DemandRecord full, tx.Load(id));  // the uscc may be hidden in `r`
    out = tx.DuplicatesOf(full.demand);
    return Ok();
  }));
  return out;
}

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

Result<std::vector<Contact>> DemandService::Contacts(const Principal& by, std::string_view uscc) {
  const int64_t now = NowMs();
  TB_ASSIGN_OR_RETURN(UsccInfo info, ParseUscc(uscc));
  (void)info;
  const std::string region(uscc.substr(2, 6));
  if (!people::AuthorizeForEnterprise(by, uscc, now).ok()) {
    bool allowed = false;
    for (const char* p : {"demand.read", "enterprise.serve", "enterprise.assign"}) {
      allowed = allowed || people::Authorize(by, p, {.region = region}, now).ok();
    }
    if (!allowed) {
      return Error(ErrorCode::kForbidden, "not permitted to read the enterprise's contacts",
                   {{"uscc", "you neither act for it nor serve it"}});
    }
  }
  std::vector<Contact> out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    out = Tx(*this, sql).ContactsBy("contacts_of_enterprise", "uscc", std::string(uscc));
    return Ok();
  }));
  return out;
}

Result<std::vector<Contact>> DemandService::SetContacts(const Principal& by, std::string_view uscc,
                                                        ContactKind kind,
                                                        const std::vector<std::string>& accounts) {
  const int64_t now = NowMs();
  TB_ASSIGN_OR_RETURN(UsccInfo info, ParseUscc(uscc));
  (void)info;
  const std::string region(uscc.substr(2, 6));
  TB_RETURN_IF_ERROR(people::Authorize(by, "enterprise.assign", {.region = region}, now));
  const std::string u(uscc);
  const std::string kind_name(ContactKindName(kind));
  std::vector<Contact> out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    FieldErrors errors;
    std::vector<std::string> ids;
    for (size_t i = 0; i < accounts.size(); ++i) {
      auto id = tx.StaffAccount(accounts[i]);
      if (!id) {
        errors.Add(fmt::format("accounts/{}", i), "no staff account " + accounts[i]);
      } else if (std::find(ids.begin(), ids.end(), *id) != ids.end()) {
        errors.Add(fmt::format("accounts/{}", i), "listed twice");
      } else {
        ids.push_back(*id);
      }
    }
    if (!errors.empty()) return errors.ToError("invalid contacts");
    store::Execute(sql, Q("delete_contacts"), soci::use(u, "uscc"), soci::use(kind_name, "kind"));
    for (const std::string& id : ids) {
      store::Execute(sql, Q("insert_contact"), soci::use(u, "uscc"), soci::use(kind_name, "kind"),
                     soci::use(id, "account_id"), soci::use(by.account.id, "assigned_by"),
                     soci::use(now, "assigned_at"));
    }
    out = tx.ContactsBy("contacts_of_enterprise", "uscc", u);
    return Ok();
  }));
  return out;
}

Result<std::vector<Contact>> DemandService::EnterprisesOf(const Principal& by,
                                                          std::string_view account) {
  const int64_t now = NowMs();
  std::vector<Contact> out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Tx tx(*this, sql);
    auto id = tx.StaffAccount(std::string(account));
    if (!id) {
      return Error(ErrorCode::kNotFound, "no such staff account", {{"account", "not found"}});
    }
    if (*id != by.account.id && !people::HoldsPermission(by, "enterprise.assign", now) &&
        !people::HoldsPermission(by, "demand.read", now)) {
      return Error(ErrorCode::kForbidden, "not permitted to read another's enterprises",
                   {{"account", "not you"}});
    }
    out = tx.ContactsBy("enterprises_of_account", "account_id", *id);
    return Ok();
  }));
  return out;
}

Result<std::vector<ReceiverStatistics>> DemandService::Statistics(const Principal& by,
                                                                  const StatisticsFilter& f) {
  const int64_t now = NowMs();
  FieldErrors errors;
  if (!f.region.empty() && !people::IsRegionCode(f.region)) errors.Add("region", "a region code");
  if (f.to < f.from) errors.Add("to", "before from");
  if (!errors.empty()) return errors.ToError("invalid statistics request");
  const people::Target target = ReadTarget(by, f.region.empty() ? std::string("*") : f.region);
  if (!people::Authorize(by, "report.read", target, now).ok()) {
    TB_RETURN_IF_ERROR(people::Authorize(by, "demand.read", target, now));
  }
  const std::string prefix = (f.region.empty() ? "" : people::RegionPrefix(f.region)) + "%";
  const int64_t from_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              StartOfDayInChina(f.from).time_since_epoch())
                              .count();
  const int64_t to_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            StartOfDayInChina(f.to.AddDays(1)).time_since_epoch())
                            .count();
  std::vector<ReceiverStatistics> out(1);
  out[0].receiver = "total";
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    soci::rowset<soci::row> rows = (sql.prepare << Q("statistics"), soci::use(from_ms, "from_ms"),
                                    soci::use(to_ms, "to_ms"), soci::use(prefix, "prefix"));
    for (const soci::row& row : rows) {
      ReceiverStatistics s;
      s.receiver = RowStr(row, 0) == "commissioner" ? "commissioner" : RowStr(row, 1);
      s.received = RowInt(row, 2);
      s.closed = RowInt(row, 3);
      s.on_time = RowInt(row, 4);
      s.callbacks = RowInt(row, 5);
      s.satisfied = RowInt(row, 6);
      if (!out.empty() && out.back().receiver == s.receiver && out.size() > 1) {
        out.back().received += s.received;  // several commissioners: one row
        out.back().closed += s.closed;
        out.back().on_time += s.on_time;
        out.back().callbacks += s.callbacks;
        out.back().satisfied += s.satisfied;
      } else {
        out.push_back(s);
      }
      out[0].received += s.received;
      out[0].closed += s.closed;
      out[0].on_time += s.on_time;
      out[0].callbacks += s.callbacks;
      out[0].satisfied += s.satisfied;
    }
    return Ok();
  }));
  return out;
}

}  // namespace tongban::demands
