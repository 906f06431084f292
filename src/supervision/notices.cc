#include "supervision/notices.h"

namespace tongban::supervision {

RoutedNotices RouteCardNotices(soci::session& sql, const store::QuerySet& queries,
                               store::Backend backend, int64_t now_ms) {
  RoutedNotices out;
  long long now = now_ms;
  out.case_notices =
      store::Execute(sql, queries.Get("queue_warning_notices", backend), soci::use(now, "now"))
          .affected_rows;
  store::Execute(sql, queries.Get("mark_warnings_notified", backend));
  out.subject_notices =
      store::Execute(sql, queries.Get("queue_subject_notices", backend), soci::use(now, "now"))
          .affected_rows;
  store::Execute(sql, queries.Get("mark_subject_notified", backend));
  return out;
}

}  // namespace tongban::supervision
