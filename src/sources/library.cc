#include "sources/library.h"
#include "store/explain.h"

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
  const std::string applicant = "x", name = "y", today = "2000-01-01";
  const long long since = 0;
  return store::ExplainPlan(db_, Q("library_material"), [&](soci::statement& st) {
    st.exchange(soci::use(applicant, "applicant_code"));
    st.exchange(soci::use(name, "name"));
    st.exchange(soci::use(since, "since"));
    st.exchange(soci::use(today, "today"));
  });
}

}  // namespace tongban::sources
