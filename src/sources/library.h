// The materials library (材料库): every material an applicant provided with a stored file, kept
// per case material and indexed by (applicant, material name, receipt), so that the reuse
// lookup (复用, materials.cc) is one index read instead of a scan of the applicant's cases. A
// case observer writes it in the transaction of each change: a submission or supply that
// provides a file adds it; a refusal or withdrawal takes the case's materials out.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "cases/service.h"
#include "store/database.h"
#include "store/queries.h"

namespace tongban::sources {

class MaterialsLibrary final : public cases::CaseObserver {
 public:
  // `db` carries Migrations() (whose 0003 backfills the library from the existing cases);
  // `next` continues the observer chain (may be null); `clock` dates the cancellation of a
  // certificate request whose case ended (the system clock when null). All outlive the library.
  static Result<std::unique_ptr<MaterialsLibrary>> Create(store::Database& db,
                                                          cases::CaseObserver* next,
                                                          const Clock* clock = nullptr);

  Status OnCaseChanged(soci::session& sql, const cases::CaseChange& change) override;

  // How the database runs the reuse lookup (plan lines), to check it reads
  // material_library_lookup. On PostgreSQL sequential scans are disabled for the check.
  Result<std::vector<std::string>> ExplainLookup();

 private:
  MaterialsLibrary(store::Database& db, cases::CaseObserver* next, const Clock& clock,
                   store::QuerySet queries)
      : db_(db), next_(next), clock_(clock), queries_(std::move(queries)) {}
  const std::string& Q(std::string_view name) const { return queries_.Get(name, db_.backend()); }

  store::Database& db_;
  cases::CaseObserver* next_;
  const Clock& clock_;
  store::QuerySet queries_;
};

}  // namespace tongban::sources
