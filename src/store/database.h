// Database sessions over SOCI for the two supported backends: SQLite (embedded default, WAL)
// and PostgreSQL 15. Repositories take a Database& and run their named queries inside
// Transaction(); SOCI exceptions never escape this layer, they become kStorage/kAlreadyExists
// errors.
#pragma once

#include <soci/soci.h>

#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/result.h"
#include "store/migrations.h"

namespace tongban::store {

enum class Backend { kSqlite, kPostgresql };

std::string_view BackendName(Backend backend);

struct DatabaseUrl {
  Backend backend = Backend::kSqlite;
  // SQLite: the file path. PostgreSQL: the full libpq URI as given.
  std::string target;
  // The URL with any password masked, for logs.
  std::string display;
};

// Accepts "sqlite:PATH" (PATH may be relative), "postgresql://..." and "postgres://...".
Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url);

enum class TxKind {
  kRead,   // a consistent snapshot, no writes
  kWrite,  // SQLite takes the write lock at BEGIN (BEGIN IMMEDIATE), so it never fails mid-way
};

// What one execution of a cached statement did.
struct Executed {
  bool got_data = false;        // a row was fetched into the intos
  long long affected_rows = 0;  // rows an INSERT/UPDATE/DELETE changed
};

// The statements one pooled session has prepared, keyed by SQL text. Statements are kept for the
// session's life: SQLite re-prepares a statement by itself when the schema changes.
class StatementCache {
 public:
  explicit StatementCache(bool sqlite) : sqlite_(sqlite) {}
  bool sqlite() const { return sqlite_; }
  size_t size() const { return statements_.size(); }

  // The statement for `query` prepared on `sql`, prepared now if it is the first use.
  soci::statement& Get(soci::session& sql, const std::string& query);

 private:
  bool sqlite_;
  std::unordered_map<std::string, std::unique_ptr<soci::statement>> statements_;
};

namespace internal {
// The cache of `sql` when it is the session of a transaction running on this thread, else null.
StatementCache* CacheOf(const soci::session& sql);
// Unbinds the exchanged variables and, on SQLite, resets the statement so that it holds no read
// snapshot after the transaction ends.
void Release(soci::statement& st, bool sqlite);
}  // namespace internal

// Runs `query` once with `bindings` (soci::use / soci::into, single rows), like
// `sql << query, bindings...`, but inside Database::Transaction the statement is prepared once
// per pooled session and re-bound: SQLite and PostgreSQL then skip parsing and planning, which
// is most of the cost of a short statement. Throws what SOCI throws, as `sql << ...` does.
template <typename... Bindings>
Executed Execute(soci::session& sql, const std::string& query, Bindings&&... bindings) {
  StatementCache* cache = internal::CacheOf(sql);
  if (cache == nullptr) {
    soci::statement st(sql);
    (st.exchange(std::forward<Bindings>(bindings)), ...);
    st.alloc();
    st.prepare(query);
    st.define_and_bind();
    Executed out;
    out.got_data = st.execute(true);
    out.affected_rows = st.get_affected_rows();
    sql.set_got_data(out.got_data);
    return out;
  }
  soci::statement& st = cache->Get(sql, query);
  const bool sqlite = cache->sqlite();
  struct Unbind {
    soci::statement& st;
    bool sqlite;
    ~Unbind() { internal::Release(st, sqlite); }
  } unbind{st, sqlite};
  (st.exchange(std::forward<Bindings>(bindings)), ...);
  st.define_and_bind();
  Executed out;
  out.got_data = st.execute(true);
  out.affected_rows = st.get_affected_rows();
  sql.set_got_data(out.got_data);  // as `sql << ...` does, for callers that ask the session
  return out;
}

// Like ExecuteRows, with the statement's exchanges made by `bind(st)` (soci::use / soci::into on
// a soci::statement&): for rows that bind many columns through a helper of their own.
template <typename Bind, typename OnRow>
int ExecuteRowsBound(soci::session& sql, const std::string& query, const Bind& bind,
                     const OnRow& on_row) {
  auto run = [&](soci::statement& st) {
    bind(st);
    st.define_and_bind();
    int rows = 0;
    if (st.execute(true)) {
      do {
        ++rows;
        on_row();
      } while (st.fetch());
    }
    return rows;
  };
  StatementCache* cache = internal::CacheOf(sql);
  if (cache == nullptr) {
    soci::statement st(sql);
    st.alloc();
    st.prepare(query);
    return run(st);
  }
  soci::statement& st = cache->Get(sql, query);
  struct Unbind {
    soci::statement& st;
    bool sqlite;
    ~Unbind() { internal::Release(st, sqlite); }
  } unbind{st, cache->sqlite()};
  return run(st);
}

// Like Execute for a query that returns rows: `on_row()` runs after each row is fetched into the
// intos. Returns how many rows there were.
template <typename OnRow, typename... Bindings>
int ExecuteRows(soci::session& sql, const std::string& query, const OnRow& on_row,
                Bindings&&... bindings) {
  return ExecuteRowsBound(
      sql, query,
      [&](soci::statement& st) { (st.exchange(std::forward<Bindings>(bindings)), ...); }, on_row);
}

namespace internal {
class Checkpointer;
}  // namespace internal

class Database {
 public:
  struct Options {
    size_t pool_size = 8;
    // SQLite only: how long a writer waits for the lock before kUnavailable.
    int busy_timeout_ms = 10000;
  };

  // Opens `pool_size` sessions. SQLite files are created if missing and put in WAL mode with
  // synchronous=FULL: an acknowledged commit survives a power cut.
  static Result<std::unique_ptr<Database>> Open(const DatabaseUrl& url, Options options);
  static Result<std::unique_ptr<Database>> Open(const DatabaseUrl& url) {
    return Open(url, Options{});
  }
  ~Database();

  Backend backend() const { return url_.backend; }
  const DatabaseUrl& url() const { return url_; }

  // Applies, in order, every migration of `sets` not yet recorded in schema_migrations, each
  // in its own transaction. Returns how many were applied. Safe to run at every start-up.
  Result<int> Migrate(std::span<const MigrationSet* const> sets);

  // Runs `body` in one transaction on a pooled session: commits when it returns ok, rolls
  // back on an error or an exception. The body must not keep the session.
  template <typename T>
  Result<T> Transaction(TxKind kind, const std::function<Result<T>(soci::session&)>& body) {
    Result<T> out = Error(ErrorCode::kInternal, "transaction did not run");
    Status s = RunTransaction(kind, [&](soci::session& sql) -> Status {
      out = body(sql);
      if (!out.ok()) return out.error();
      return Ok();
    });
    if (!s.ok()) return std::move(s).error();
    return out;
  }
  Status Transaction(TxKind kind, const std::function<Status(soci::session&)>& body) {
    return RunTransaction(kind, body);
  }

  // SQLite: a bulk load (the demo's data at start-up, before anything is served) commits
  // without waiting for the disk: synchronous=NORMAL on the writer connection, so a power cut
  // may lose the last commits but never the database's consistency. Turning it off restores
  // synchronous=FULL and flushes what was loaded (a checkpoint of the WAL), so every commit
  // after it is durable when acknowledged and nothing loaded before it depends on luck.
  // Nothing on PostgreSQL. Refused while a write transaction runs (SQLite cannot change the
  // safety level inside one); the writer lock makes the caller wait for it instead.
  Status SetBulkLoad(bool on);

  // Writes a consistent copy of a SQLite database to `path` while others keep writing
  // (VACUUM INTO). PostgreSQL installations use pg_dump instead.
  Status Backup(const std::string& path);

 private:
  Database(DatabaseUrl url, size_t pool_size);
  Status RunTransaction(TxKind kind, const std::function<Status(soci::session&)>& body);
  Status RunOn(soci::session& sql, TxKind kind,
               const std::function<Status(soci::session&)>& body) const;

  DatabaseUrl url_;
  soci::connection_pool pool_;
  size_t pool_size_;
  // One per pooled session, indexed like the pool; destroyed before the sessions.
  std::vector<std::unique_ptr<StatementCache>> caches_;
  // SQLite: this process's writers queue here, in order, rather than in SQLite's busy handler
  // (which sleeps up to 100 ms between tries and starves some writers for seconds).
  std::timed_mutex sqlite_writer_;
  // SQLite: every write transaction runs on this one connection (under sqlite_writer_), so its
  // page cache and prepared statements stay warm instead of being spread over the pool.
  std::unique_ptr<soci::session> sqlite_writer_session_;
  std::unique_ptr<StatementCache> sqlite_writer_cache_;
  // SQLite: checkpoints the WAL on its own connection and thread, so that the writer never
  // stops to copy pages into the database file and flush it (a commit only appends to the
  // WAL). Destroyed first.
  std::unique_ptr<internal::Checkpointer> checkpointer_;
  int busy_timeout_ms_ = 10000;
};

// The string to hand SOCI's postgresql backend for a postgresql:// URI. SOCI 4.0.3 re-joins its
// connect string as key=value pairs, which appends a stray "=" to a URI that has no "?query";
// adding application_name gives every URI a query, so libpq receives it unchanged.
std::string PostgresConnectString(const std::string& uri);

// Maps a SOCI/driver exception to the error catalog: unique violations become kAlreadyExists,
// lock time-outs kUnavailable, everything else kStorage (detail logged, not shown to clients).
Error ErrorFromException(const std::exception& e);

// True when `e` is PostgreSQL ending a statement for the transaction's timing, not its content:
// a serialization failure (40001), a deadlock's victim (40P01) or a lock it could not get
// (55P03). The same statements may succeed when run again.
bool IsTransientConflict(const std::exception& e);

// Splits a SQL script into statements at top-level semicolons (quotes and comments respected);
// SQLite prepares one statement at a time.
std::vector<std::string> SplitStatements(std::string_view script);

}  // namespace tongban::store
