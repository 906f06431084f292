// `tongban backup` and `tongban audit verify` run as a user runs them: the built binary, on a
// database the application wrote, then on its copy (taken while a server serves and another
// process writes), then on a tampered copy.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <latch>
#include <thread>

#include <fmt/format.h>

#include "app/app.h"
#include "subprocess.h"
#include "trace/signing_key.h"

namespace tongban::cli {
namespace {

// Runs `tongban` with `args` split at spaces (no argument here contains one).
tongban::testing::RunResult Tongban(const std::string& args) {
  std::vector<std::string> argv;
  size_t pos = 0;
  while (pos < args.size()) {
    size_t space = args.find(' ', pos);
    if (space == std::string::npos) space = args.size();
    if (space > pos) argv.push_back(args.substr(pos, space - pos));
    pos = space + 1;
  }
  return tongban::testing::Run(argv);
}

class AuditCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("tongban_audit_test_{}_{}", ::getpid(),
                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    SetLogLevel(LogLevel::kWarn);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return (dir_ / name).string(); }

  // The application writes events and checkpoints as the server would.
  void WriteTrace(const std::string& db) {
    app::Config config;
    config.db_url = "sqlite:" + db;
    auto a = app::App::Create(config);
    ASSERT_TRUE(a.ok()) << a.error().ToString();
    trace::Trace& t = (*a)->trace();
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(t.Append({.stream = "case/1", .actor = "acc-1", .action = "case.step"}).ok());
    }
    ASSERT_TRUE(t.Append({.stream = "case/2",
                          .actor = "system",
                          .action = "case.step",
                          .payload = R"({"n":1})"})
                    .ok());
    ASSERT_TRUE(t.Append({.stream = "case/2",
                          .actor = "system",
                          .action = "case.step",
                          .payload = R"({"n":2})"})
                    .ok());
    // Stopping the background work signs the heads, as a server shutting down does.
    (*a)->StartBackgroundWork();
    (*a)->StopBackgroundWork();
  }

  std::filesystem::path dir_;
};

// The issue's requirement, end to end: a consistent copy taken while `tongban serve` runs and
// events keep being appended; the copy verifies; the server signs the last heads as it stops.
TEST_F(AuditCommand, BackupWhileServingAndWritingVerifies) {
  const std::string live = Path("live.db");
  ASSERT_EQ(Tongban(fmt::format("migrate --db sqlite:{} --log-level warn", live)).exit_code, 0);
  tongban::testing::Child server({"serve", "--db", "sqlite:" + live, "--listen", "127.0.0.1:0"});
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(server.WaitFor("serving on", std::chrono::seconds(60))) << server.output();

  app::Config config;
  config.db_url = "sqlite:" + live;
  auto writer_app = app::App::Create(config);
  ASSERT_TRUE(writer_app.ok()) << writer_app.error().ToString();
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::latch writing(1);
  std::thread writer([&] {
    for (int i = 0; !stop || i < 20; ++i) {
      auto r = (*writer_app)
                   ->trace()
                   .Append({.stream = fmt::format("case/{}", i % 5),
                            .actor = "system",
                            .action = "case.step",
                            .payload = fmt::format(R"({{"i":{}}})", i)});
      if (!r.ok()) {
        ADD_FAILURE() << r.error().ToString();
        if (written < 5) writing.count_down();  // never leave the test waiting
        return;
      }
      if (++written == 5) writing.count_down();
      if (i % 7 == 0 && !(*writer_app)->trace().Checkpoint().ok()) ADD_FAILURE();
    }
  });
  writing.wait();  // the backup starts while events are being appended
  const std::string copy = Path("copy.db");
  auto backup = Tongban(fmt::format("backup {} --db sqlite:{}", copy, live));
  stop = true;
  writer.join();
  ASSERT_EQ(backup.exit_code, 0) << backup.output;

  auto copy_verified = Tongban(fmt::format("audit verify --no-checkpoint --db sqlite:{}", copy));
  EXPECT_EQ(copy_verified.exit_code, 0) << copy_verified.output;
  EXPECT_NE(copy_verified.output.find("checkpoints verified"), std::string::npos);

  // The server's checkpoint thread signs the heads still unsigned when it stops.
  ASSERT_TRUE((*writer_app)
                  ->trace()
                  .Append({.stream = "case/0", .actor = "system", .action = "case.step"})
                  .ok());
  ++written;
  ASSERT_EQ(kill(server.pid(), SIGTERM), 0);
  auto exit_code = server.Wait(std::chrono::seconds(60));
  EXPECT_EQ(exit_code, 0) << server.output();
  EXPECT_NE(server.output().find("trace checkpoint"), std::string::npos) << server.output();
  auto live_verified = Tongban(fmt::format("audit verify --db sqlite:{}", live));
  EXPECT_EQ(live_verified.exit_code, 0) << live_verified.output;
  EXPECT_NE(live_verified.output.find(fmt::format("5 streams, {} events", written.load())),
            std::string::npos)
      << live_verified.output;
  EXPECT_EQ(live_verified.output.find("checkpoint "), std::string::npos)
      << "nothing was left unsigned: " << live_verified.output;
}

TEST_F(AuditCommand, BackupThenVerifyTheCopyThenCatchTampering) {
  const std::string live = Path("live.db");
  WriteTrace(live);
  EXPECT_TRUE(std::filesystem::exists(live + ".signing-key.pem"));

  auto verified = Tongban(fmt::format("audit verify --db sqlite:{}", live));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("2 streams, 5 events, 1 checkpoints verified"), std::string::npos)
      << verified.output;

  const std::string copy = Path("copy.db");
  auto backup = Tongban(fmt::format("backup {} --db sqlite:{}", copy, live));
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  EXPECT_NE(backup.output.find("copy.db.signing-key.pem"), std::string::npos) << backup.output;
  EXPECT_EQ(std::filesystem::status(copy + ".signing-key.pem").permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  auto copy_verified = Tongban(fmt::format("audit verify --db sqlite:{}", copy));
  EXPECT_EQ(copy_verified.exit_code, 0) << copy_verified.output;
  EXPECT_NE(copy_verified.output.find("2 streams, 5 events, 1 checkpoints verified"),
            std::string::npos)
      << copy_verified.output;
  EXPECT_NE(copy_verified.output.find("installation key"), std::string::npos);

  // Never over an existing file.
  auto again = Tongban(fmt::format("backup {} --db sqlite:{}", copy, live));
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("exists"), std::string::npos);

  // Tamper with the copy: one payload byte.
  {
    auto db = store::Database::Open(*store::ParseDatabaseUrl("sqlite:" + copy));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Transaction(store::TxKind::kWrite,
                                  [](soci::session& sql) -> Status {
                                    // Past the append-only trigger, as the file's owner.
                                    sql << "DROP TRIGGER trace_event_no_update";
                                    sql << R"(UPDATE trace_event SET payload = '{"n":3}')"
                                           " WHERE stream = 'case/2' AND seq = 2";
                                    return Ok();
                                  })
                    .ok());
  }
  auto broken = Tongban(fmt::format("audit verify --db sqlite:{}", copy));
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_NE(broken.output.find("BROKEN: stream case/2 seq 2: hash_mismatch"), std::string::npos)
      << broken.output;
}

TEST_F(AuditCommand, AnotherPinnedKeyNamesTheCheckpoint) {
  const std::string live = Path("live.db");
  WriteTrace(live);
  auto other = trace::LoadOrCreateSigningKey(Path("other.pem"));
  ASSERT_TRUE(other.ok());
  auto run = Tongban(
      fmt::format("audit verify --no-checkpoint --db sqlite:{} --key {}", live, Path("other.pem")));
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_NE(run.output.find("BROKEN: checkpoint 1: untrusted_key"), std::string::npos)
      << run.output;
}

TEST_F(AuditCommand, VerifyTakesACheckpointOfNewHeadsFirst) {
  const std::string live = Path("live.db");
  WriteTrace(live);
  {
    app::Config config;
    config.db_url = "sqlite:" + live;
    auto a = app::App::Create(config);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE((*a)->trace().Append({.stream = "case/3", .actor = "a", .action = "x"}).ok());
  }
  auto run = Tongban(fmt::format("audit verify --db sqlite:{}", live));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("checkpoint 2 signed 1 stream heads"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("3 streams, 6 events, 2 checkpoints verified"), std::string::npos)
      << run.output;
}

TEST_F(AuditCommand, RefusesMissingDatabasesAndPointsPostgresqlToPgDump) {
  auto missing = Tongban(fmt::format("audit verify --db sqlite:{}", Path("typo.db")));
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_FALSE(std::filesystem::exists(Path("typo.db")));
  auto pg = Tongban(
      fmt::format("backup {} --db postgresql://tb:secret@localhost/tongban", Path("x.dump")));
  EXPECT_EQ(pg.exit_code, 2) << pg.output;
  EXPECT_NE(pg.output.find("pg_dump --format=custom"), std::string::npos) << pg.output;
  EXPECT_EQ(pg.output.find("secret"), std::string::npos) << pg.output;
}

}  // namespace
}  // namespace tongban::cli
