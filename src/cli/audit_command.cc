// tongban audit verify | backup FILE
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "cli/command.h"
#include "store/database.h"
#include "trace/signing_key.h"
#include "trace/trace.h"

namespace tongban::cli {
namespace {

std::string KeyPath(const app::Config& config, const store::DatabaseUrl& url) {
  return config.signing_key.empty() ? trace::DefaultSigningKeyPath(url) : config.signing_key;
}

// Opening a SQLite path creates the file; a mistyped path must not become an empty database.
Status RequireExistingFile(const store::DatabaseUrl& url) {
  if (url.backend == store::Backend::kSqlite && !std::filesystem::exists(url.target)) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("no database at {}", url.target));
  }
  return Ok();
}

struct AuditFlags {
  DatabaseFlags db;
  std::vector<std::string> keys;
  bool no_checkpoint = false;
};

// The exit code: 0 every chain and checkpoint verified, 1 something is broken (the first
// broken item is named), 2 an unreadable trace; errors become Fail()'s exit code.
Result<int> AuditVerify(const AuditFlags& flags) {
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(flags.db));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  TB_RETURN_IF_ERROR(RequireExistingFile(url));
  TB_ASSIGN_OR_RETURN(auto db, store::Database::Open(url, {.pool_size = 2}));

  trace::VerifyOptions options;
  std::optional<crypto::Sm2Key> installation_key;
  std::string key_note;
  if (!flags.keys.empty()) {
    for (const std::string& path : flags.keys) {
      TB_ASSIGN_OR_RETURN(crypto::Sm2Key key, trace::LoadKeyFile(path));
      options.trusted_key_ids.push_back(key.id());
    }
    key_note = fmt::format("signatures checked against {} pinned key(s)", flags.keys.size());
  } else {
    const std::string path = KeyPath(config, url);
    auto key = trace::LoadKeyFile(path);
    if (key.ok()) {
      options.trusted_key_ids.push_back(key->id());
      key_note = fmt::format("signatures checked against the installation key {} ({})", path,
                             key->id().substr(0, 16));
      if (key->has_private_key()) installation_key = std::move(key).value();
    } else if (key.error().code() == ErrorCode::kNotFound) {
      key_note = fmt::format(
          "no key file at {}: signatures checked against the keys recorded in the database "
          "(pass --key FILE to pin the installation's key)",
          path);
    } else {
      return std::move(key).error();
    }
  }

  // Sign the current heads first, so the verification covers everything written so far.
  if (installation_key && !flags.no_checkpoint) {
    trace::Trace signer(*db, {.now = nullptr, .signing_key = installation_key});
    auto c = signer.Checkpoint();
    if (!c.ok()) {
      std::fprintf(stderr, "tongban: warning: no checkpoint taken: %s\n",
                   c.error().ToString().c_str());
    } else if (*c) {
      std::printf("checkpoint %lld signed %zu stream heads\n", static_cast<long long>((*c)->id),
                  (*c)->heads.size());
    }
  }

  trace::Trace verifier(*db, {});
  auto report = verifier.Verify(options);
  if (!report.ok()) {
    Error e = std::move(report).error();
    e.Prefix(fmt::format("cannot read the trace of {} (is it migrated?)", url.display));
    std::fprintf(stderr, "tongban: %s\n", e.ToString().c_str());
    return 2;
  }
  if (report->ok()) {
    std::printf("%lld streams, %lld events, %lld checkpoints verified\n%s\n",
                static_cast<long long>(report->streams), static_cast<long long>(report->events),
                static_cast<long long>(report->checkpoints), key_note.c_str());
    return 0;
  }
  std::printf("BROKEN: %s\n", report->breaks[0].ToString().c_str());
  for (size_t i = 1; i < report->breaks.size() && i < 20; ++i) {
    std::printf("also:   %s\n", report->breaks[i].ToString().c_str());
  }
  std::printf("%lld problem(s) in %lld streams, %lld events, %lld checkpoints; %s\n",
              static_cast<long long>(report->total_breaks), static_cast<long long>(report->streams),
              static_cast<long long>(report->events), static_cast<long long>(report->checkpoints),
              key_note.c_str());
  return 1;
}

// Copies the key file with the original's secrecy: created 0600, never over an existing file.
Status CopyKeyFile(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return Error(ErrorCode::kInvalidArgument, fmt::format("cannot read {}", from));
  const int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("cannot create {}: {}", to, std::strerror(errno)));
  }
  const std::string data = text.str();
  const bool written = ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    ::unlink(to.c_str());
    return Error(ErrorCode::kInternal, fmt::format("cannot write {}", to));
  }
  return Ok();
}

// The exit code: 0 written, 2 PostgreSQL (use pg_dump); errors become Fail()'s exit code
// (2 for bad arguments or an existing target).
Result<int> Backup(const DatabaseFlags& flags, const std::string& file) {
  TB_ASSIGN_OR_RETURN(app::Config config, BuildConfig(flags));
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl url, store::ParseDatabaseUrl(config.db_url));
  const std::string key_path = KeyPath(config, url);
  if (url.backend == store::Backend::kPostgresql) {
    std::fprintf(stderr,
                 "tongban: backup copies SQLite databases; back up PostgreSQL with pg_dump:\n"
                 "  pg_dump --format=custom --file=tongban.dump '%s'\n"
                 "and keep the signing key %s with it (the database records only the public "
                 "key).\n",
                 url.display.c_str(), key_path.c_str());
    return 2;
  }
  TB_ASSIGN_OR_RETURN(store::DatabaseUrl copy_url, store::ParseDatabaseUrl("sqlite:" + file));
  const std::string key_copy = trace::DefaultSigningKeyPath(copy_url);
  for (const std::string& target : {file, key_copy}) {
    if (std::filesystem::exists(target)) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("{} exists; backup never overwrites a file", target));
    }
  }
  TB_RETURN_IF_ERROR(RequireExistingFile(url));
  TB_ASSIGN_OR_RETURN(auto db, store::Database::Open(url, {.pool_size = 1}));
  TB_RETURN_IF_ERROR(db->Backup(file));
  std::printf("database %s copied to %s\n", url.display.c_str(), file.c_str());
  if (std::filesystem::exists(key_path)) {
    TB_RETURN_IF_ERROR(CopyKeyFile(key_path, key_copy));
    std::printf(
        "signing key %s copied to %s (mode 0600; it signs the trace: keep it as safe as the "
        "original)\n",
        key_path.c_str(), key_copy.c_str());
  } else {
    std::printf(
        "no signing key at %s: the copy verifies, but a server restored from it will "
        "sign with a new key\n",
        key_path.c_str());
  }
  return 0;
}

int ExitCode(const Result<int>& result) { return result.ok() ? *result : Fail(result.error()); }

}  // namespace

void AddAuditCommands(CLI::App& cli, Context& ctx) {
  auto* audit = cli.add_subcommand("audit", "check the trace (痕迹化)");
  audit->require_subcommand(1);
  auto vflags = std::make_shared<AuditFlags>();
  auto* verify = audit->add_subcommand(
      "verify", "check every hash chain and signed checkpoint; name the first broken one");
  AddDatabaseFlags(verify, vflags->db);
  verify->add_option("--key", vflags->keys,
                     "PEM file (public or private) of a trusted signing key; repeatable "
                     "(default: the installation's key file, when present)");
  verify->add_flag("--no-checkpoint", vflags->no_checkpoint,
                   "do not sign the current heads before verifying");
  verify->callback([vflags, &ctx] { ctx.exit_code = ExitCode(AuditVerify(*vflags)); });

  auto bflags = std::make_shared<DatabaseFlags>();
  auto file = std::make_shared<std::string>();
  auto* backup = cli.add_subcommand(
      "backup",
      "write a consistent copy of the SQLite database (and its signing key) while it "
      "is in use");
  backup->add_option("FILE", *file, "the copy to write; must not exist")->required();
  AddDatabaseFlags(backup, *bflags);
  backup->callback([bflags, file, &ctx] { ctx.exit_code = ExitCode(Backup(*bflags, *file)); });
}

}  // namespace tongban::cli
