#include "supervision/notices.h"

namespace tongban::supervision {

RoutedNotices RouteCardNotices(soci::session& sql, const store::QuerySet& queries,
                               store::Backend backend, int64_t now_ms, int64_t after_card) {
  RoutedNotices out;
  long long now = now_ms;
  long long after = after_card;
  out.case_notices = store::Execute(sql, queries.Get("queue_warning_notices", backend),
                                    soci::use(now, "now"), soci::use(after, "after"))
                         .affected_rows;
  out.subject_notices = store::Execute(sql, queries.Get("queue_subject_notices", backend),
                                       soci::use(now, "now"), soci::use(after, "after"))
                            .affected_rows;
  return out;
}

}  // namespace tongban::supervision
