// The demand service: set-up, enterprise contacts (liaison cadres, service commissioners) and the
// statistics per receiver. Intake is in intake.cc, work orders in work_orders.cc, the sweep in
// sweep.cc.
#include "demands/service_impl.h"

namespace tongban {
extern const EmbeddedFile kDemandFiles[];
extern const size_t kDemandFiles_count;
}  // namespace tongban

namespace tongban::demands {

using people::Principal;
using store::RowInt;
using store::RowStr;

Result<store::MigrationSet> Migrations() {
  return store::LoadMigrations("demands", kDemandFiles, kDemandFiles_count);
}

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
