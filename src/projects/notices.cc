// The project notices supervision queues (supervision_notice): listed for their recipient,
// marked read, and sent by SMS to recipients with a phone on record.
#include <string>
#include <utility>
#include <vector>

#include "projects/service_impl.h"

namespace tongban::projects {
namespace {

// Reads notice rows of the shape of the project_notices query into `out`.
void ReadNotices(soci::session& sql, const std::string& query, std::vector<ProjectNotice>& out,
                 const std::string& account, const std::string& id, int limit) {
  ProjectNotice n;
  long long created_at = 0, read_at = 0;
  auto into = [&](auto&&... params) {
    store::ExecuteRows(
        sql, query,
        [&] {
          ProjectNotice item = n;
          if (item.project_id.starts_with("project:")) item.project_id.erase(0, 8);
          item.created_at = created_at;
          item.read_at = read_at;
          out.push_back(std::move(item));
        },
        std::forward<decltype(params)>(params)..., soci::into(n.id), soci::into(n.project_id),
        soci::into(n.project_code), soci::into(n.role), soci::into(n.level), soci::into(n.text),
        soci::into(created_at), soci::into(read_at), soci::into(n.sms_state));
  };
  if (id.empty()) {
    into(soci::use(account, "account_id"), soci::use(limit, "limit"));
  } else {
    into(soci::use(account, "account_id"), soci::use(id, "id"));
  }
}

}  // namespace

Result<std::vector<ProjectNotice>> ProjectService::Notices(const people::Principal& by, int limit) {
  if (limit < 1 || limit > 200) return Invalid("limit", "limit must be 1 to 200");
  std::vector<ProjectNotice> out;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    ReadNotices(sql, Q("project_notices"), out, by.account.id, "", limit);
    return Ok();
  }));
  return out;
}

Result<ProjectNotice> ProjectService::MarkNoticeRead(const people::Principal& by,
                                                     std::string_view notice_id) {
  const std::string id(notice_id);
  const long long now = NowMs();
  return db_.Transaction<ProjectNotice>(
      store::TxKind::kWrite, [&](soci::session& sql) -> Result<ProjectNotice> {
        store::Execute(sql, Q("mark_project_notice_read"), soci::use(now, "now"),
                       soci::use(id, "id"), soci::use(by.account.id, "account_id"));
        std::vector<ProjectNotice> found;
        ReadNotices(sql, Q("project_notice"), found, by.account.id, id, 1);
        if (found.empty()) {
          return Error(ErrorCode::kNotFound, "no such project notice",
                       {{"notice", "no notice of yours has this id"}});
        }
        return std::move(found.front());
      });
}

Result<int> ProjectService::SendNotices(int limit) {
  struct Pending {
    std::string id, phone, text;
    std::string state;  // after sending: sent, or none (no phone); empty: still pending
  };
  std::vector<Pending> pending;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
    Pending p;
    store::ExecuteRows(
        sql, Q("pending_project_notices"), [&] { pending.push_back(p); }, soci::use(limit, "limit"),
        soci::into(p.id), soci::into(p.phone), soci::into(p.text));
    return Ok();
  }));
  int sent = 0;
  bool any = false;
  for (Pending& p : pending) {
    if (!p.phone.empty()) {
      Status s = sms_->Send({.phone = p.phone, .text = p.text, .sent_at = NowMs(), .id = p.id});
      if (!s.ok()) continue;  // stays pending for the next call
      ++sent;
    }
    p.state = p.phone.empty() ? "none" : "sent";
    any = true;
  }
  if (!any) return sent;
  TB_RETURN_IF_ERROR(db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    for (const Pending& p : pending) {
      if (p.state.empty()) continue;
      store::Execute(sql, Q("mark_project_notice_sms"), soci::use(p.state, "sms_state"),
                     soci::use(p.id, "id"));
    }
    return Ok();
  }));
  return sent;
}

}  // namespace tongban::projects
