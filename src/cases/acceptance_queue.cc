// The clerk's acceptance queue (keyset-paged) and the cases deemed accepted (第32条).
#include "cases/service.h"
#include "cases/service_impl.h"
#include "store/explain.h"

namespace tongban::cases {

Result<CasePage> CaseService::AcceptanceQueue(const Principal& caller, const std::string& region,
                                              const std::string& department, int limit,
                                              const std::string& cursor) {
  Impl& I = *impl_;
  FieldErrors errors;
  if (!people::IsRegionCode(region)) errors.Add("region", "must be a region code");
  if (limit < 1 || limit > 100) errors.Add("limit", "must be 1 to 100");
  long long after_at = -1;
  std::string after_id;
  if (!cursor.empty()) {
    const size_t colon = cursor.find(':');
    if (colon == std::string::npos || !IsInteger(cursor.substr(0, colon))) {
      errors.Add("cursor", "is not a cursor of this listing");
    } else {
      after_at = std::stoll(cursor.substr(0, colon));
      after_id = cursor.substr(colon + 1);
    }
  }
  if (!errors.empty()) return errors.ToError("the queue request is invalid");
  TB_RETURN_IF_ERROR(people::Authorize(caller, "case.accept",
                                       {.region = region, .department = department}, I.NowMs()));
  const std::string low = people::RegionPrefix(region), high = low + ":";
  auto queue =
      I.db.Transaction<CasePage>(store::TxKind::kRead, [&](soci::session& sql) -> Result<CasePage> {
        CasePage page;
        CaseSummary s;
        std::string state, received_on, id;
        long long received_at = 0, n = limit + 1;
        soci::statement st =
            (sql.prepare << I.Q("acceptance_queue"), soci::use(low, "region_low"),
             soci::use(high, "region_high"), soci::use(department, "department"),
             soci::use(after_at, "after_at"), soci::use(after_id, "after_id"),
             soci::use(n, "limit"), soci::into(s.number), soci::into(s.matter),
             soci::into(s.region), soci::into(s.department), soci::into(s.applicant_name),
             soci::into(state), soci::into(received_on), soci::into(received_at), soci::into(id));
        st.execute();
        std::string last_id;
        long long last_at = 0;
        while (st.fetch()) {
          if (static_cast<int>(page.items.size()) == limit) {
            page.next_cursor = fmt::format("{}:{}", last_at, last_id);
            break;
          }
          CaseSummary out = s;
          out.state = Stored(ParseCaseState(state), state);
          out.received_on = *ParseStoredDate(received_on);
          out.received_at_ms = received_at;
          last_at = received_at;
          last_id = id;
          page.items.push_back(std::move(out));
        }
        return page;
      });
  if (!queue.ok()) return queue;
  for (CaseSummary& c : queue->items) {
    auto deadline = I.CalendarOf(c.region).AddWorkingDays(c.received_on, kCorrectionWindowDays);
    if (deadline.ok()) c.accept_due_on = deadline->date;
  }
  return queue;
}

Result<std::vector<std::string>> CaseService::ExplainAcceptanceQueue(
    const std::string& region, const std::string& department) {
  Impl& I = *impl_;
  const std::string low = people::RegionPrefix(region), high = low + ":", after_id;
  long long after_at = -1, n = 21;
  return store::ExplainPlan(I.db, I.Q("acceptance_queue"), [&](soci::statement& st) {
    st.exchange(soci::use(low, "region_low"));
    st.exchange(soci::use(high, "region_high"));
    st.exchange(soci::use(department, "department"));
    st.exchange(soci::use(after_at, "after_at"));
    st.exchange(soci::use(after_id, "after_id"));
    st.exchange(soci::use(n, "limit"));
  });
}

Result<std::vector<CaseSummary>> CaseService::DeemedAccepted(std::optional<Date> as_of) {
  Impl& I = *impl_;
  const Date today = as_of.value_or(I.Today());
  const std::string before = today.AddDays(-6).ToString();
  auto rows = I.db.Transaction<std::vector<CaseSummary>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<CaseSummary>> {
        std::vector<CaseSummary> out;
        CaseSummary s;
        std::string state, received_on, id;
        long long received_at = 0;
        soci::statement st =
            (sql.prepare << I.Q("submitted_before"), soci::use(before, "before"),
             soci::into(s.number), soci::into(s.matter), soci::into(s.region),
             soci::into(s.department), soci::into(s.applicant_name), soci::into(state),
             soci::into(received_on), soci::into(received_at), soci::into(id));
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
  if (!rows.ok()) return std::move(rows).error();
  std::vector<CaseSummary> out;
  for (CaseSummary& s : *rows) {
    auto deadline = I.CalendarOf(s.region).AddWorkingDays(s.received_on, kCorrectionWindowDays);
    if (deadline.ok() && today > deadline->date) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace tongban::cases
