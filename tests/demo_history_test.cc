// The demo's past (app::LoadDemoHistory): every case it leaves under review stores the due day its
// clock gives, so that a calendar change recomputing the due days (CaseService::RecomputeDueDays,
// run after every calendar PUT) moves none of them, and the supervision sweep cards them for the
// days they are really late, not for a day the generator made up.
#include <gtest/gtest.h>

#include "app/demo.h"
#include "app/demo_history.h"
#include "test_server.h"

namespace tongban {
namespace {

TEST(DemoHistoryTest, OpenCasesStoreTheDueDayTheirClockGives) {
  auto server = testing::TestServer::Start(store::Backend::kSqlite);
  ASSERT_TRUE(server);
  app::App& app = server->app();
  auto demo = app::LoadDemo(app.db(), app.catalog());
  ASSERT_TRUE(demo.ok()) << demo.error().ToString();
  auto history = app::LoadDemoHistory(app.db(), app.catalog(), app.cases(), app.kpi(),
                                      app.evaluation(), SystemClock::Instance());
  ASSERT_TRUE(history.ok()) << history.error().ToString();
  ASSERT_GT(history->cases, 0);

  struct Open {
    int64_t cases = 0, past_due = 0;
  };
  const std::string today = TodayInChina(SystemClock::Instance()).ToString();
  const auto count_open = [&]() {
    return app.db().Transaction<Open>(
        store::TxKind::kRead, [&](soci::session& sql) -> Result<Open> {
          Open o;
          long long n = 0, past = 0;
          const std::string who = app::kDemoHistorySubmitter;
          sql << "SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_on < :today THEN 1 ELSE 0 END), 0) "
                 "FROM case_record WHERE state = 'under_review' AND submitted_by = :who",
              soci::use(today, "today"), soci::use(who, "who"), soci::into(n), soci::into(past);
          o.cases = n;
          o.past_due = past;
          return o;
        });
  };
  auto open = count_open();
  ASSERT_TRUE(open.ok()) << open.error().ToString();
  ASSERT_GT(open->cases, 0) << "the history leaves a few cases under review";
  // Each still under review past its due day, as the history promises.
  EXPECT_EQ(open->past_due, open->cases);

  // The recomputation a calendar change runs finds each stored due day where the clock puts it.
  auto recomputed = app.cases().RecomputeDueDays("cn");
  ASSERT_TRUE(recomputed.ok()) << recomputed.error().ToString();
  EXPECT_EQ(recomputed->open_cases, open->cases);  // the history's are the only cases
  EXPECT_EQ(recomputed->moved, 0);
}

}  // namespace
}  // namespace tongban
