#include "demands/demo.h"

#include <chrono>
#include <map>

#include <fmt/format.h>

namespace tongban::demands {
namespace {

using people::Principal;

struct Locality {
  const char* prefix;  // the demo usernames' prefix
  const char* region;
  const char* uscc;
};

constexpr Locality kLocalities[] = {
    {"xintian", "431128", "91431128MA4L0A019K"},  {"liuyang", "430181", "91430181MA4M1B0268"},
    {"hengshan", "430423", "91430423MA4N2C0331"}, {"shifeng", "430204", "91430204MA4P3D041J"},
    {"yunxi", "430603", "91430603MA4Q4E0594"},
};

// The demo account `username` as a principal with the permissions of its role grants.
Result<Principal> StaffPrincipal(soci::session& sql, const std::string& username) {
  Principal p;
  p.account.kind = people::AccountKind::kStaff;
  if (!store::Execute(sql, "SELECT id, name, region, department FROM account WHERE username = :u",
                      soci::use(username, "u"), soci::into(p.account.id),
                      soci::into(p.account.name), soci::into(p.account.region),
                      soci::into(p.account.department))
           .got_data) {
    return Error(ErrorCode::kNotFound, "demo account missing: " + username);
  }
  std::map<std::pair<std::string, std::string>, people::HeldGrant> grants;
  std::string region, department, permission;
  store::ExecuteRows(
      sql,
      "SELECT g.region, g.department, p.permission FROM role_grant g JOIN role_permission p ON "
      "p.role = g.role WHERE g.account_id = :id ORDER BY p.permission",
      [&] {
        people::HeldGrant& g = grants[{region, department}];
        g.grant.scope.region = region;
        g.grant.scope.department = department;
        g.permissions.push_back(permission);
      },
      soci::use(p.account.id, "id"), soci::into(region), soci::into(department),
      soci::into(permission));
  for (auto& [key, g] : grants) p.grants.push_back(std::move(g));
  return p;
}

// The enterprise's legal representative, acting for it on the portal.
Result<Principal> Representative(soci::session& sql, const std::string& uscc) {
  Principal p;
  p.account.kind = people::AccountKind::kCitizen;
  if (!store::Execute(sql,
                      "SELECT a.id, a.name, a.phone FROM enterprise e JOIN account a ON a.id = "
                      "e.legal_representative WHERE e.uscc = :u",
                      soci::use(uscc, "u"), soci::into(p.account.id), soci::into(p.account.name),
                      soci::into(p.account.phone))
           .got_data) {
    return Error(ErrorCode::kNotFound, "demo enterprise missing: " + uscc);
  }
  people::HeldGrant g;
  g.permissions = {"demand.submit"};
  p.grants.push_back(std::move(g));
  p.agencies.push_back(
      {.uscc = uscc, .relation = people::EnterpriseRelation::kLegalRepresentative});
  return p;
}

template <typename T>
Status Done(const Result<T>& r) {
  if (!r.ok()) return r.error();
  return Ok();
}

struct Actors {
  Principal representative, operator_, head, commissioner, arbiter;
};

}  // namespace

Result<DemoDemands> LoadDemoDemands(store::Database& db, DemandService& service) {
  const auto start = std::chrono::steady_clock::now();
  DemoDemands out;
  std::vector<std::pair<Locality, Actors>> localities;
  TB_RETURN_IF_ERROR(db.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    int64_t count = 0;
    store::Execute(sql, "SELECT COUNT(*) FROM demand", soci::into(count));
    if (count > 0) {
      out.already_there = true;
      return Ok();
    }
    for (const Locality& l : kLocalities) {
      Actors a;
      auto staff = [&](const char* role) {
        return StaffPrincipal(sql, fmt::format("{}.{}", l.prefix, role));
      };
      TB_ASSIGN_OR_RETURN(a.representative, Representative(sql, l.uscc));
      TB_ASSIGN_OR_RETURN(a.operator_, staff("hotline_operator"));
      TB_ASSIGN_OR_RETURN(a.head, staff("department_head"));
      TB_ASSIGN_OR_RETURN(a.commissioner, staff("service_commissioner"));
      TB_ASSIGN_OR_RETURN(a.arbiter, staff("demand_arbiter"));
      localities.emplace_back(l, std::move(a));
    }
    return Ok();
  }));
  if (out.already_there) return out;

  for (const auto& [l, a] : localities) {
    const std::string region = l.region;
    const std::string uscc = l.uscc;
    const std::string rsj = region + "-rsj";
    TB_RETURN_IF_ERROR(Done(service.SetContacts(a.arbiter, uscc, ContactKind::kCommissioner,
                                                {a.commissioner.account.id})));
    TB_RETURN_IF_ERROR(
        Done(service.SetContacts(a.arbiter, uscc, ContactKind::kLiaison, {a.head.account.id})));
    out.contacts += 2;
    auto submit = [&](const Principal& by, DemandInput in) -> Result<std::string> {
      if (in.region.empty()) in.region = region;
      TB_ASSIGN_OR_RETURN(Submitted s, service.Submit(by, in));
      ++out.demands;
      return s.record.demand.id;
    };
    const DispatchInput to_rsj{.department = rsj};
    const DispatchInput to_commissioner{.receiver = ReceiverKind::kCommissioner};

    // Received on the hotline, not yet dispatched.
    TB_RETURN_IF_ERROR(Done(submit(a.operator_, {.channel = "hotline",
                                                 .demand_class = "consultation",
                                                 .urgency = "ordinary",
                                                 .title = "咨询稳岗返还",
                                                 .text = "请问今年稳岗返还政策的申领条件和办理时间",
                                                 .caller_name = "刘先生",
                                                 .caller_phone = "13700000001"})));
    // From the portal, dispatched to the enterprise's commissioner, waiting to be signed for.
    TB_ASSIGN_OR_RETURN(
        std::string dispatched,
        submit(a.representative, {.channel = "portal",
                                  .demand_class = "help",
                                  .urgency = "urgent",
                                  .uscc = uscc,
                                  .title = "用电报装",
                                  .text = "新厂房用电报装时间太长，希望协调加快办理"}));
    TB_RETURN_IF_ERROR(Done(service.Dispatch(a.operator_, dispatched, to_commissioner)));
    // A complaint handled by 人社局.
    TB_ASSIGN_OR_RETURN(std::string handling,
                        submit(a.operator_, {.channel = "service_line",
                                             .demand_class = "complaint",
                                             .urgency = "ordinary",
                                             .uscc = uscc,
                                             .title = "社保转移慢",
                                             .text = "员工社保关系转移办理超过一个月仍未完成",
                                             .caller_name = "企业人事"}));
    TB_RETURN_IF_ERROR(Done(service.Dispatch(a.operator_, handling, to_rsj)));
    TB_RETURN_IF_ERROR(Done(service.Sign(a.head, handling)));
    // A report returned by 人社局, waiting for the arbiter.
    TB_ASSIGN_OR_RETURN(std::string returned,
                        submit(a.operator_, {.channel = "hotline",
                                             .demand_class = "report",
                                             .urgency = "ordinary",
                                             .title = "举报无证经营",
                                             .text = "某门店无营业执照经营食品",
                                             .caller_name = "匿名",
                                             .caller_phone = "13700000002"}));
    TB_RETURN_IF_ERROR(Done(service.Dispatch(a.operator_, returned, to_rsj)));
    TB_RETURN_IF_ERROR(Done(service.Return(a.head, returned, "无证经营属市场监管局职责")));
    // Closed by the commissioner, the callback due; finished satisfied; closed unsatisfied.
    for (int k = 0; k < 3; ++k) {
      TB_ASSIGN_OR_RETURN(
          std::string id,
          submit(a.representative, {.channel = "portal",
                                    .demand_class = k == 1 ? "suggestion" : "help",
                                    .urgency = "ordinary",
                                    .uscc = uscc,
                                    .title = k == 1 ? "建议延长窗口服务时间" : "招工难",
                                    .text = k == 1 ? "建议政务服务大厅周六上午开放"
                                                   : "春节后招工困难，希望协助对接劳务"}));
      TB_RETURN_IF_ERROR(Done(service.Dispatch(a.operator_, id, to_commissioner)));
      TB_RETURN_IF_ERROR(Done(service.Sign(a.commissioner, id)));
      TB_RETURN_IF_ERROR(Done(service.Close(a.commissioner, id, "已对接人社局劳务专场招聘会")));
      if (k > 0) TB_RETURN_IF_ERROR(Done(service.Callback(a.operator_, id, k == 1, "")));
    }
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace tongban::demands
