#include "sources/library.h"

#include <chrono>

namespace tongban {
extern const EmbeddedFile kSourcesSql[];
extern const size_t kSourcesSql_count;
}  // namespace tongban

namespace tongban::sources {

Result<std::unique_ptr<MaterialsLibrary>> MaterialsLibrary::Create(store::Database& db,
                                                                   cases::CaseObserver* next,
                                                                   const Clock* clock) {
  TB_ASSIGN_OR_RETURN(store::QuerySet queries,
                      store::QuerySet::Load(kSourcesSql, kSourcesSql_count));
  return std::unique_ptr<MaterialsLibrary>(
      new MaterialsLibrary(db, next, clock ? *clock : SystemClock::Instance(), std::move(queries)));
}

Status MaterialsLibrary::OnCaseChanged(soci::session& sql, const cases::CaseChange& change) {
  const cases::Case& c = change.record;
  using cases::CaseState;
  if (c.state == CaseState::kConcluded || c.state == CaseState::kRefused ||
      c.state == CaseState::kWithdrawn || c.state == CaseState::kTerminated) {
    // The certificate requests still open for an ended case are moot (在线开具 of a case that
    // no longer waits for them): out of the issuers' inboxes.
    const long long at =
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
            .count();
    const std::string reason = "办件已结束，无需开具";
    store::Execute(sql, Q("cancel_case_requests"), soci::use(at, "answered_at"),
                   soci::use(reason, "reason"), soci::use(c.id, "case_id"));
  }
  if (change.action == "case.refused" || change.action == "case.withdrawn") {
    store::Execute(sql, Q("library_remove_case"), soci::use(c.id, "case_id"));
  } else if (change.action == "case.submitted" || change.action == "case.material_supplied") {
    const long long received_at = c.received_at_ms;
    for (const cases::CaseMaterial& m : c.materials) {
      if (m.state != cases::MaterialState::kProvided || m.content_hash.empty()) continue;
      const long long idx = m.index, size = m.size;
      store::Execute(sql, Q("library_put"), soci::use(c.id, "case_id"), soci::use(idx, "idx"),
                     soci::use(c.applicant_code, "applicant_code"), soci::use(m.name, "name"),
                     soci::use(c.number, "case_number"), soci::use(m.content_hash, "content_hash"),
                     soci::use(size, "size"), soci::use(m.media_type, "media_type"),
                     soci::use(m.file_name, "file_name"), soci::use(received_at, "received_at"));
    }
  }
  return next_ ? next_->OnCaseChanged(sql, change) : Ok();
}

Result<std::vector<std::string>> MaterialsLibrary::ExplainLookup() {
  const bool sqlite = db_.backend() == store::Backend::kSqlite;
  return db_.Transaction<std::vector<std::string>>(
      store::TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<std::string>> {
        if (!sqlite) sql << "SET LOCAL enable_seqscan = off";
        std::vector<std::string> plan;
        const std::string applicant = "x", name = "y", today = "2000-01-01";
        const long long since = 0;
        int id = 0, parent = 0, unused = 0;
        std::string detail;
        soci::statement st(sql);
        st.alloc();
        st.prepare(Q("library_explain"), soci::details::st_one_time_query);
        st.exchange(soci::use(applicant, "applicant_code"));
        st.exchange(soci::use(name, "name"));
        st.exchange(soci::use(since, "since"));
        st.exchange(soci::use(today, "today"));
        if (sqlite) {
          st.exchange(soci::into(id));
          st.exchange(soci::into(parent));
          st.exchange(soci::into(unused));
        }
        st.exchange(soci::into(detail));
        st.define_and_bind();
        st.execute(false);
        while (st.fetch()) plan.push_back(detail);
        return plan;
      });
}

}  // namespace tongban::sources
