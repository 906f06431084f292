// Demand intake: submission from every channel, reading and listing within the caller's grants,
// duplicate suggestions.
#include "demands/service_impl.h"

namespace tongban::demands {

using people::Principal;

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

}  // namespace tongban::demands
