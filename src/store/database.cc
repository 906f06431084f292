#include "store/database.h"
#include "store/explain.h"

#include <soci/postgresql/soci-postgresql.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <fmt/chrono.h>

#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <thread>

namespace tongban::store {

std::string_view BackendName(Backend backend) {
  return backend == Backend::kSqlite ? "sqlite" : "postgresql";
}

Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url) {
  DatabaseUrl out;
  if (url.starts_with("sqlite:")) {
    out.backend = Backend::kSqlite;
    out.target = std::string(url.substr(7));
    if (out.target.starts_with("//")) out.target = out.target.substr(2);
    if (out.target.empty()) {
      return Error(ErrorCode::kInvalidArgument, "database URL 'sqlite:' needs a file path");
    }
    out.display = "sqlite:" + out.target;
    return out;
  }
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
    out.backend = Backend::kPostgresql;
    out.target = std::string(url);
    // postgresql://user:secret@host -> postgresql://user:***@host
    static const std::regex kPassword(R"(^(postgres(?:ql)?://[^:/@]*:)[^@]*@)");
    out.display = std::regex_replace(out.target, kPassword, "$1***@");
    return out;
  }
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("database URL '{}' must start with sqlite: or postgresql://",
                           std::string(url.substr(0, 64))));
}

std::string PostgresConnectString(const std::string& uri) {
  if (uri.find("application_name=") != std::string::npos) return uri;
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + "application_name=tongban";
}

bool IsTransientConflict(const std::exception& e) {
  const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e);
  if (pg == nullptr) return false;
  const std::string state = pg->sqlstate();
  return state == "40001" || state == "40P01" || state == "55P03";
}

Error ErrorFromException(const std::exception& e) {
  const std::string what = e.what();
  if (IsTransientConflict(e))
    return Error(ErrorCode::kUnavailable, "the database is busy; try again");
  if (const auto* pg = dynamic_cast<const soci::postgresql_soci_error*>(&e)) {
    if (pg->sqlstate() == "23505") {
      return Error(ErrorCode::kAlreadyExists, "the record already exists");
    }
  }
  if (what.find("UNIQUE constraint failed") != std::string::npos ||
      what.find("PRIMARY KEY must be unique") != std::string::npos) {
    return Error(ErrorCode::kAlreadyExists, "the record already exists");
  }
  if (what.find("database is locked") != std::string::npos) {
    return Error(ErrorCode::kUnavailable, "the database is busy; try again");
  }
  spdlog::error("storage: {}", what);
  return Error(ErrorCode::kStorage, what);
}

namespace {

// The session of the transaction running on this thread and its statement cache.
thread_local const soci::session* t_session = nullptr;
thread_local StatementCache* t_cache = nullptr;

// Makes `session` and its cache the current ones on this thread for a scope.
class Current {
 public:
  Current(const soci::session& session, StatementCache* cache)
      : saved_session_(t_session), saved_cache_(t_cache) {
    t_session = &session;
    t_cache = cache;
  }
  ~Current() {
    t_session = saved_session_;
    t_cache = saved_cache_;
  }
  Current(const Current&) = delete;
  Current& operator=(const Current&) = delete;

 private:
  const soci::session* saved_session_;
  StatementCache* saved_cache_;
};

// Lends one pooled session for a scope and makes its cache the current one on this thread.
class Lease {
 public:
  Lease(soci::connection_pool& pool, std::vector<std::unique_ptr<StatementCache>>& caches)
      : pool_(pool),
        position_(pool.lease()),
        session_(pool.at(position_)),
        current_(session_, caches[position_].get()) {}
  ~Lease() { pool_.give_back(position_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  soci::session& session() { return session_; }

 private:
  soci::connection_pool& pool_;
  size_t position_;
  soci::session& session_;
  Current current_;
};

// SQLite in multi-thread mode: a connection is never used by two threads at once here (pooled
// sessions are leased to one thread, the writer session is used under the writer lock), so
// SQLite's own per-call connection mutexes, and the allocator's statistics mutex, are waste.
// Must run before SQLite initialises; when something initialised it earlier, the calls fail
// and SQLite stays serialized, which is merely slower.
void ConfigureSqliteOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sqlite_api::sqlite3_config(SQLITE_CONFIG_MULTITHREAD) != SQLITE_OK) {
      spdlog::debug("SQLite was initialised before: it stays in serialized mode");
    }
    sqlite_api::sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    // A statement journal (what a SAVEPOINT or a multi-row statement rolls back to) stays in
    // memory, whatever its size (-1), instead of spilling to a temporary file past SQLite's
    // default 64 KiB. Group commit runs each job in its own SAVEPOINT, and a submission dirties
    // more than 16 pages: its journal went through a fresh file in /var/tmp, written and
    // unlinked per batch (more bytes than the WAL itself, ~8 % of a submission's CPU).
    // Not a larger threshold: SQLite 3.40 allocates such a journal as ONE chunk of the threshold
    // (64 MiB went through mmap and munmap per journal), and its spill of a journal past a
    // threshold of 256 KiB or more fails with "database or disk is full" (the copy ends in a
    // zero-byte write): at 1 MiB, every statement or SAVEPOINT whose journal grew past that
    // inside a transaction failed. Kept in memory, a journal grows in chunks of about 1 KiB and
    // never spills.
    sqlite_api::sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
  });
}

}  // namespace

soci::statement& StatementCache::Get(soci::session& sql, const std::string& query) {
  auto it = statements_.find(query);
  if (it != statements_.end()) return *it->second;
  auto st = std::make_unique<soci::statement>(sql);
  st->alloc();
  st->prepare(query);  // throws before anything is cached when the query is wrong
  return *statements_.emplace(query, std::move(st)).first->second;
}

namespace internal {

// Runs PASSIVE checkpoints on a connection of its own when the writer's commits have grown the
// WAL past kPages. A passive checkpoint takes no lock a writer or reader waits for: it copies
// what no reader still needs, flushing the WAL before and the database file after (the
// connection is synchronous=FULL), so no acknowledged commit depends on it.
//
// A passive checkpoint alone never brings the WAL back to its start under a steady load: SQLite
// rewinds it only when a write transaction begins while every frame is copied and no reader
// uses one, and with commits every millisecond and reads always open that moment never comes.
// The WAL then grew without bound (250 MB after a few minutes of submissions), and every reader
// searched a larger WAL index, every commit extended the file. So after a passive checkpoint of
// a WAL past kPages that copied every frame, a RESTART checkpoint copies the few frames
// committed meanwhile and waits for the readers still in the WAL (a read transaction is short),
// holding this process's writer lock so that writers queue on it instead of sleeping in SQLite's
// busy handler. The next commit then writes the WAL from its start again.
class Checkpointer {
 public:
  // 8000 pages, 32 MiB at 4 KiB, not SQLite's own 1000: the pages the writer changes again and
  // again (the right edge of every index a submission appends to) are copied to the database
  // file once per checkpoint, so fewer checkpoints copy fewer pages. At 1000 the checkpoint
  // thread took 6 % of a submit + accept's CPU, at 8000 2 %.
  static constexpr int kPages = 8000;

  // How long the restart waits for this process's writer and then for the readers in the WAL
  // before it gives up until the next checkpoint.
  static constexpr int kRestartWaitMs = 50;

  Checkpointer(std::string path, int busy_timeout_ms, std::timed_mutex* writer)
      : path_(std::move(path)), busy_timeout_ms_(busy_timeout_ms), writer_(writer) {}
  ~Checkpointer() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // sqlite3_wal_hook's callback on the writer connection, after each commit.
  static int OnCommit(void* self, sqlite_api::sqlite3* /*db*/, const char* /*name*/, int pages) {
    if (pages >= kPages) static_cast<Checkpointer*>(self)->Due();
    return SQLITE_OK;
  }

 private:
  void Due() {
    {
      std::lock_guard lock(mu_);
      due_ = true;
      if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
    }
    cv_.notify_one();
  }

  void Loop() {
    soci::session session;
    sqlite_api::sqlite3* conn = nullptr;
    try {
      session.open(soci::sqlite3, fmt::format("db=\"{}\"", path_));
      session << fmt::format("PRAGMA busy_timeout={}", busy_timeout_ms_);
      session << "PRAGMA synchronous=FULL";
      conn = static_cast<soci::sqlite3_session_backend*>(session.get_backend())->conn_;
    } catch (const std::exception& e) {
      spdlog::warn("storage: no checkpoint connection: {}", e.what());
    }
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [&] { return stop_ || due_; });
      if (stop_) return;
      due_ = false;
      lock.unlock();
      if (conn != nullptr) {
        int frames = 0, copied = 0;
        int rc = sqlite_api::sqlite3_wal_checkpoint_v2(conn, nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                                       &frames, &copied);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
          spdlog::warn("storage: checkpoint failed: {}", sqlite_api::sqlite3_errmsg(conn));
        } else if (rc == SQLITE_OK && frames >= kPages && copied == frames) {
          // Only once every frame is copied: a long read (a backup, a report) that still needs
          // older frames keeps the WAL from its start anyway, and trying would make the writers
          // wait kRestartWaitMs after every commit until it ends (600 commits took 17 s instead
          // of 1 beside one open read transaction).
          Restart(conn);
        }
      }
      lock.lock();
    }
  }

  void Restart(sqlite_api::sqlite3* conn) {
    std::unique_lock writer(*writer_, std::defer_lock);
    if (!writer.try_lock_for(std::chrono::milliseconds(kRestartWaitMs))) return;
    sqlite_api::sqlite3_busy_timeout(conn, kRestartWaitMs);
    const int rc = sqlite_api::sqlite3_wal_checkpoint_v2(conn, nullptr, SQLITE_CHECKPOINT_RESTART,
                                                         nullptr, nullptr);
    sqlite_api::sqlite3_busy_timeout(conn, busy_timeout_ms_);
    // Busy: a reader stayed in the WAL (or another process writes); the next checkpoint retries.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
      spdlog::warn("storage: checkpoint failed: {}", sqlite_api::sqlite3_errmsg(conn));
    }
  }

  std::string path_;
  int busy_timeout_ms_;
  std::timed_mutex* writer_;  // Database::sqlite_writer_
  std::mutex mu_;
  std::condition_variable cv_;
  bool due_ = false;
  bool stop_ = false;
  std::thread thread_;
};

StatementCache* CacheOf(const soci::session& sql) { return t_session == &sql ? t_cache : nullptr; }

void Release(soci::statement& st, bool sqlite) {
  st.bind_clean_up();
  if (sqlite) {
    auto* backend = static_cast<soci::sqlite3_statement_backend*>(st.get_backend());
    if (backend->stmt_ != nullptr) sqlite_api::sqlite3_reset(backend->stmt_);
  }
}

}  // namespace internal

Database::Database(DatabaseUrl url, size_t pool_size)
    : url_(std::move(url)), pool_(pool_size), pool_size_(pool_size) {
  caches_.reserve(pool_size);
  for (size_t i = 0; i < pool_size; ++i) {
    caches_.push_back(std::make_unique<StatementCache>(url_.backend == Backend::kSqlite));
  }
}

Database::~Database() {
  if (sqlite_writer_session_ != nullptr && sqlite_writer_session_->get_backend() != nullptr) {
    auto* backend =
        static_cast<soci::sqlite3_session_backend*>(sqlite_writer_session_->get_backend());
    sqlite_api::sqlite3_wal_hook(backend->conn_, nullptr, nullptr);
  }
  checkpointer_.reset();
}

Status Database::SetBulkLoad(bool on) {
  if (url_.backend != Backend::kSqlite || sqlite_writer_session_ == nullptr) return Ok();
  std::unique_lock lock(sqlite_writer_, std::defer_lock);
  if (!lock.try_lock_for(std::chrono::milliseconds(busy_timeout_ms_))) {
    return Error(ErrorCode::kUnavailable, "bulk load: the writer is busy");
  }
  try {
    soci::session& w = *sqlite_writer_session_;
    if (on) {
      w << "PRAGMA synchronous=NORMAL";
    } else {
      w << "PRAGMA synchronous=FULL";
      // Copies the WAL into the database file, syncing both: the loaded commits are on disk.
      w << "PRAGMA wal_checkpoint(PASSIVE)";
    }
  } catch (const std::exception& e) {
    return ErrorFromException(e);
  }
  return Ok();
}

Result<std::unique_ptr<Database>> Database::Open(const DatabaseUrl& url, Options options) {
  if (options.pool_size == 0) options.pool_size = 1;
  std::unique_ptr<Database> db(new Database(url, options.pool_size));
  db->busy_timeout_ms_ = options.busy_timeout_ms;
  try {
    auto open_sqlite = [&](soci::session& s) {
      s.open(soci::sqlite3,
             fmt::format("db=\"{}\" timeout={}", url.target, options.busy_timeout_ms / 1000));
      s << fmt::format("PRAGMA busy_timeout={}", options.busy_timeout_ms);
      s << "PRAGMA synchronous=FULL";
      s << "PRAGMA foreign_keys=ON";
    };
    if (url.backend == Backend::kSqlite) {
      ConfigureSqliteOnce();
      db->sqlite_writer_session_ = std::make_unique<soci::session>();
      db->sqlite_writer_cache_ = std::make_unique<StatementCache>(true);
      soci::session& w = *db->sqlite_writer_session_;
      open_sqlite(w);
      w << "PRAGMA journal_mode=WAL";
      // Reads map the file instead of copying each page into the connection's cache (a fifth
      // of the supervision sweep's CPU over 1,000,000 cases was that copy). 2 GiB is SQLite's
      // own ceiling (SQLITE_MAX_MMAP_SIZE); a larger file is read past it as before. Address
      // space only, shared by the connections through the OS page cache. An I/O error on a
      // mapped page is a SIGBUS rather than an error code: local disks only, as WAL needs anyway.
      w << "PRAGMA mmap_size=2147418112";
      // 64 MiB: the pages a transaction writes stay cached until it commits (the sweep's day of
      // cards dirties the whole dedupe-key index, ~25 MiB at 600,000 cards), not spilled early.
      w << "PRAGMA cache_size=-65536";
      // The hook replaces SQLite's autocheckpoint on this connection (the only one that writes).
      db->checkpointer_ = std::make_unique<internal::Checkpointer>(
          url.target, options.busy_timeout_ms, &db->sqlite_writer_);
      sqlite_api::sqlite3_wal_hook(
          static_cast<soci::sqlite3_session_backend*>(w.get_backend())->conn_,
          &internal::Checkpointer::OnCommit, db->checkpointer_.get());
    }
    for (size_t i = 0; i < options.pool_size; ++i) {
      soci::session& s = db->pool_.at(i);
      if (url.backend == Backend::kSqlite) {
        open_sqlite(s);
      } else {
        s.open(soci::postgresql, PostgresConnectString(url.target));
        s << "SET client_min_messages TO WARNING";
      }
    }
  } catch (const std::exception& e) {
    return Error(ErrorCode::kUnavailable,
                 fmt::format("cannot open database {}: {}", url.display, e.what()));
  }
  return db;
}

Status Database::RunTransaction(TxKind kind, const std::function<Status(soci::session&)>& body) {
  if (url_.backend == Backend::kSqlite && kind == TxKind::kWrite) {
    std::unique_lock<std::timed_mutex> writer(sqlite_writer_, std::defer_lock);
    if (!writer.try_lock_for(std::chrono::milliseconds(busy_timeout_ms_))) {
      return Error(ErrorCode::kUnavailable, "the database is busy: no write slot in time");
    }
    Current current(*sqlite_writer_session_, sqlite_writer_cache_.get());
    return RunOn(*sqlite_writer_session_, kind, body);
  }
  Lease lease(pool_, caches_);
  return RunOn(lease.session(), kind, body);
}

// BEGIN, COMMIT and ROLLBACK go through the session's statement cache like every other
// statement: parsing them again per transaction was a visible share of a short step.
Status Database::RunOn(soci::session& sql, TxKind kind,
                       const std::function<Status(soci::session&)>& body) const {
  static const std::string kBeginImmediate = "BEGIN IMMEDIATE";
  static const std::string kBegin = "BEGIN";
  static const std::string kBeginReadOnly = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";
  static const std::string kCommit = "COMMIT";
  static const std::string kRollback = "ROLLBACK";
  bool open = false;
  try {
    if (url_.backend == Backend::kSqlite) {
      Execute(sql, kind == TxKind::kWrite ? kBeginImmediate : kBegin);
    } else {
      Execute(sql, kind == TxKind::kWrite ? kBegin : kBeginReadOnly);
    }
    open = true;
    Status s = body(sql);
    if (!s.ok()) {
      Execute(sql, kRollback);
      return s;
    }
    Execute(sql, kCommit);
    return Ok();
  } catch (const std::exception& e) {
    if (open) {
      try {
        Execute(sql, kRollback);
      } catch (const std::exception&) {
        // The connection may be gone; the transaction is void either way.
      }
    }
    return ErrorFromException(e);
  }
}

Result<int> Database::Migrate(std::span<const MigrationSet* const> sets) {
  Status created = Transaction(TxKind::kWrite, [](soci::session& sql) -> Status {
    sql << "CREATE TABLE IF NOT EXISTS schema_migrations ("
           " module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
           " applied_at TEXT NOT NULL, PRIMARY KEY (module, version))";
    return Ok();
  });
  TB_RETURN_IF_ERROR(created);
  int applied = 0;
  for (const MigrationSet* set : sets) {
    for (const Migration& m : set->migrations) {
      Status s = Transaction(TxKind::kWrite, [&](soci::session& sql) -> Status {
        if (url_.backend == Backend::kPostgresql) {
          // Two servers starting together must not both apply the same migration.
          sql << "SELECT pg_advisory_xact_lock(7283001)";
        }
        int count = 0;
        sql << "SELECT COUNT(*) FROM schema_migrations WHERE module = :m AND version = :v",
            soci::use(set->module), soci::use(m.version), soci::into(count);
        if (count > 0) return Ok();
        const std::string& script =
            url_.backend == Backend::kSqlite ? m.sqlite_sql : m.postgresql_sql;
        for (const std::string& stmt : SplitStatements(script)) sql << stmt;
        const std::string now = fmt::format(
            "{:%Y-%m-%dT%H:%M:%SZ}",
            fmt::gmtime(std::chrono::system_clock::to_time_t(std::chrono::system_clock::now())));
        sql << "INSERT INTO schema_migrations (module, version, name, applied_at) "
               "VALUES (:m, :v, :n, :t)",
            soci::use(set->module), soci::use(m.version), soci::use(m.name), soci::use(now);
        ++applied;
        spdlog::info("migration {} {:04d} {} applied", set->module, m.version, m.name);
        return Ok();
      });
      if (!s.ok()) {
        Error e = std::move(s).error();
        e.Prefix(fmt::format("migration {} {:04d} {}", set->module, m.version, m.name));
        return e;
      }
    }
  }
  return applied;
}

Status Database::Backup(const std::string& path) {
  if (url_.backend != Backend::kSqlite) {
    return Error(ErrorCode::kInvalidArgument,
                 "backup copies SQLite databases; back up PostgreSQL with pg_dump");
  }
  try {
    soci::session sql(pool_);
    std::string target = path;
    sql << "VACUUM INTO :path", soci::use(target);
    return Ok();
  } catch (const std::exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("backup to {} failed: {}", path, e.what()));
  }
}

namespace {

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string Upper(std::string_view word) {
  std::string out(word);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<std::vector<std::string>> ExplainPlan(Database& db, const std::string& query,
                                             const std::function<void(soci::statement&)>& bind) {
  const bool sqlite = db.backend() == Backend::kSqlite;
  return db.Transaction<std::vector<std::string>>(
      TxKind::kRead, [&](soci::session& sql) -> Result<std::vector<std::string>> {
        if (!sqlite) sql << "SET LOCAL enable_seqscan = off";
        std::vector<std::string> plan;
        int id = 0, parent = 0, unused = 0;
        std::string detail;
        soci::statement st(sql);
        st.alloc();
        st.prepare((sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ") + query,
                   soci::details::st_one_time_query);
        bind(st);
        if (sqlite) {
          st.exchange(soci::into(id));
          st.exchange(soci::into(parent));
          st.exchange(soci::into(unused));
        }
        st.exchange(soci::into(detail));
        st.define_and_bind();
        st.execute(false);
        while (st.fetch()) plan.push_back(detail);
        return plan;
      });
}

std::vector<std::string> SplitStatements(std::string_view script) {
  std::vector<std::string> out;
  std::string current;
  enum class State { kCode, kSingle, kDouble, kLineComment, kBlockComment } state = State::kCode;
  // PostgreSQL function bodies use $$ ... $$; treat them as opaque.
  bool in_dollar = false;
  // A SQLite trigger's body, BEGIN ... END, holds statements of its own: inside a CREATE
  // [TEMP|TEMPORARY] TRIGGER statement a semicolon splits only outside every BEGIN ... END and
  // CASE ... END (CASE expressions end with END too).
  int words = 0;  // words seen in the current statement, up to the one that says TRIGGER
  bool trigger = false;
  int depth = 0;
  for (size_t i = 0; i < script.size(); ++i) {
    const char c = script[i];
    const char next = i + 1 < script.size() ? script[i + 1] : '\0';
    switch (state) {
      case State::kCode:
        if (c == '$' && next == '$') {
          in_dollar = !in_dollar;
          current += "$$";
          ++i;
          continue;
        }
        if (in_dollar) break;
        if (IsWordChar(c) && (current.empty() || !IsWordChar(current.back()))) {
          size_t end = i;
          while (end < script.size() && IsWordChar(script[end])) ++end;
          const std::string word = Upper(script.substr(i, end - i));
          if (words == 0 && word != "CREATE") {
            words = 3;  // not a CREATE statement: no trigger
          } else if (words < 3) {
            trigger = trigger || word == "TRIGGER";
            ++words;
          }
          if (trigger && (word == "BEGIN" || word == "CASE")) ++depth;
          if (trigger && word == "END" && depth > 0) --depth;
          current.append(script.substr(i, end - i));
          i = end - 1;
          continue;
        }
        if (c == ';' && depth > 0) break;  // inside a trigger body
        if (c == ';') {
          words = 0;
          trigger = false;
        }
        if (c == '\'')
          state = State::kSingle;
        else if (c == '"')
          state = State::kDouble;
        else if (c == '-' && next == '-') {
          state = State::kLineComment;
          ++i;
          continue;
        } else if (c == '/' && next == '*') {
          state = State::kBlockComment;
          ++i;
          continue;
        } else if (c == ';') {
          size_t b = current.find_first_not_of(" \t\r\n");
          if (b != std::string::npos) {
            size_t e = current.find_last_not_of(" \t\r\n");
            out.push_back(current.substr(b, e - b + 1));
          }
          current.clear();
          continue;
        }
        break;
      case State::kSingle:
        if (c == '\'') state = State::kCode;
        break;
      case State::kDouble:
        if (c == '"') state = State::kCode;
        break;
      case State::kLineComment:
        if (c == '\n') {
          state = State::kCode;
          current += '\n';
        }
        continue;
      case State::kBlockComment:
        if (c == '*' && next == '/') {
          state = State::kCode;
          ++i;
        }
        continue;
    }
    current += c;
  }
  size_t b = current.find_first_not_of(" \t\r\n");
  if (b != std::string::npos) {
    size_t e = current.find_last_not_of(" \t\r\n");
    out.push_back(current.substr(b, e - b + 1));
  }
  return out;
}

}  // namespace tongban::store
