// Notices of warnings and cards, routed by the card's subject (supervision_card.subject_kind):
// a case's warnings go to the responsible person through the case notice outbox (case_notice,
// drained by the cases module); the warnings and cards of another subject (a construction
// project) go to the recipients its issuer named with the card (supervision_card_recipient:
// the project's service commissioner, the owner enterprise's agents) through supervision_notice.
#pragma once

#include <cstdint>

#include "store/database.h"
#include "store/queries.h"

namespace tongban::supervision {

struct RoutedNotices {
  int64_t case_notices = 0;     // case warnings queued in case_notice
  int64_t subject_notices = 0;  // notices of other subjects queued in supervision_notice
};

// Queues the notices of the cards with an id above `after_card`, inside the caller's write
// transaction (`sql`); a notice's id is derived from its card's, so running it again over the
// same cards queues nothing twice. The sweep runs it after issuing its cards, holding
// lock_card_writers, and moves its mark past the last card in the same transaction.
RoutedNotices RouteCardNotices(soci::session& sql, const store::QuerySet& queries,
                               store::Backend backend, int64_t now_ms, int64_t after_card);

}  // namespace tongban::supervision
