// `tongban backup` and `tongban audit verify` run as a user runs them: the built binary, on a
// database the application wrote, then on its copy, then on a tampered copy.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "app/app.h"
#include "trace/signing_key.h"

namespace tongban::cli {
namespace {

struct CommandRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

CommandRun Tongban(const std::string& args) {
  CommandRun run;
  const std::string command = fmt::format("'{}' {} 2>&1", TONGBAN_BINARY, args);
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return run;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) run.output.append(buf, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

class AuditCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           fmt::format("tongban_cli_test_{}_{}", ::getpid(),
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

TEST_F(AuditCommand, BackupThenVerifyTheCopyThenCatchTampering) {
  const std::string live = Path("live.db");
  WriteTrace(live);
  EXPECT_TRUE(std::filesystem::exists(live + ".signing-key.pem"));

  CommandRun verified = Tongban(fmt::format("audit verify --db 'sqlite:{}'", live));
  EXPECT_EQ(verified.exit_code, 0) << verified.output;
  EXPECT_NE(verified.output.find("2 streams, 5 events, 1 checkpoints verified"), std::string::npos)
      << verified.output;

  const std::string copy = Path("copy.db");
  CommandRun backup = Tongban(fmt::format("backup '{}' --db 'sqlite:{}'", copy, live));
  ASSERT_EQ(backup.exit_code, 0) << backup.output;
  EXPECT_NE(backup.output.find("copy.db.signing-key.pem"), std::string::npos) << backup.output;
  EXPECT_EQ(std::filesystem::status(copy + ".signing-key.pem").permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  CommandRun copy_verified = Tongban(fmt::format("audit verify --db 'sqlite:{}'", copy));
  EXPECT_EQ(copy_verified.exit_code, 0) << copy_verified.output;
  EXPECT_NE(copy_verified.output.find("2 streams, 5 events, 1 checkpoints verified"),
            std::string::npos)
      << copy_verified.output;
  EXPECT_NE(copy_verified.output.find("installation key"), std::string::npos);

  // Never over an existing file.
  CommandRun again = Tongban(fmt::format("backup '{}' --db 'sqlite:{}'", copy, live));
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_NE(again.output.find("exists"), std::string::npos);

  // Tamper with the copy: one payload byte.
  {
    auto db = store::Database::Open(*store::ParseDatabaseUrl("sqlite:" + copy));
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Transaction(store::TxKind::kWrite,
                                  [](soci::session& sql) -> Status {
                                    sql << R"(UPDATE trace_event SET payload = '{"n":3}')"
                                           " WHERE stream = 'case/2' AND seq = 2";
                                    return Ok();
                                  })
                    .ok());
  }
  CommandRun broken = Tongban(fmt::format("audit verify --db 'sqlite:{}'", copy));
  EXPECT_EQ(broken.exit_code, 1) << broken.output;
  EXPECT_NE(broken.output.find("BROKEN: stream case/2 seq 2: hash_mismatch"), std::string::npos)
      << broken.output;
}

TEST_F(AuditCommand, AnotherPinnedKeyNamesTheCheckpoint) {
  const std::string live = Path("live.db");
  WriteTrace(live);
  auto other = trace::LoadOrCreateSigningKey(Path("other.pem"));
  ASSERT_TRUE(other.ok());
  CommandRun run = Tongban(fmt::format("audit verify --no-checkpoint --db 'sqlite:{}' --key '{}'",
                                       live, Path("other.pem")));
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
  CommandRun run = Tongban(fmt::format("audit verify --db 'sqlite:{}'", live));
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("checkpoint 2 signed 1 stream heads"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("3 streams, 6 events, 2 checkpoints verified"), std::string::npos)
      << run.output;
}

TEST_F(AuditCommand, RefusesMissingDatabasesAndPointsPostgresqlToPgDump) {
  CommandRun missing = Tongban(fmt::format("audit verify --db 'sqlite:{}'", Path("typo.db")));
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_FALSE(std::filesystem::exists(Path("typo.db")));
  CommandRun pg = Tongban(
      fmt::format("backup '{}' --db postgresql://tb:secret@localhost/tongban", Path("x.dump")));
  EXPECT_EQ(pg.exit_code, 2) << pg.output;
  EXPECT_NE(pg.output.find("pg_dump --format=custom"), std::string::npos) << pg.output;
  EXPECT_EQ(pg.output.find("secret"), std::string::npos) << pg.output;
}

}  // namespace
}  // namespace tongban::cli
