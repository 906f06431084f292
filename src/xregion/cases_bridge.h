// The handling side of a cross-region case as a real case (issue 11, item 1): a proxy
// (异地代收代办), online (全程网办) or joint-part (多地联办) message received here opens a
// cases::Case through CaseService's public API — its own number, calendar and legal clock, in the
// acceptance queue of the matter's region with the materials it carried — and that case's own steps
// (accept, refuse, correction, approve, deny, conclude) go back to the receiving region as messages
// written to the outbox in the step's transaction (this is a CaseObserver). The receiving region
// (收件地) stays recorded on the exchange's record (xregion_case), linked to the case by its
// number.
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "cases/service.h"
#include "people/model.h"
#include "xregion/service.h"

namespace tongban::xregion {

class CaseBridge : public cases::CaseObserver {
 public:
  // `exchange` and `cases` (sharing one database) and `next` (the observer chain continues
  // there; may be null) outlive the bridge.
  CaseBridge(Service& exchange, cases::CaseService& cases, cases::CaseObserver* next);

  // Opens a case for every received cross-region case not yet opened (after each receipt, at
  // start-up, on each delivery round). Exactly once: the submission carries the cross-region
  // ref as its idempotency key and the link is written in the submission's transaction. A case
  // that cannot be opened (its matter is not in this catalog, its form does not fit) keeps the
  // error on its record and is stepped through the exchange instead. Returns how many opened.
  Result<int> OpenPending();

  Status OnCaseChanged(soci::session& sql, const cases::CaseChange& change) override;

  // The account name cases opened by the exchange are submitted under ("xregion:<ref>").
  static std::string SubmitterFor(const std::string& ref);

 private:
  Result<std::string> Open(const CrossCase& c);

  Service& exchange_;
  cases::CaseService& cases_;
  cases::CaseObserver* next_;
};

}  // namespace tongban::xregion
