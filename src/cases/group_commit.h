// Group commit of concurrent write bodies: many callers' statements run in one write transaction,
// each inside its own savepoint, and each caller returns only after that transaction committed.
// One fsync (SQLite WAL, synchronous=FULL) or one commit round trip (PostgreSQL) then
// acknowledges many submissions, and one body's failure rolls back only its own savepoint.
#pragma once

#include <soci/soci.h>

#include <cstddef>
#include <functional>
#include <vector>

#include "base/batcher.h"
#include "base/result.h"
#include "store/database.h"

namespace tongban::cases {

class GroupCommit {
 public:
  using Body = std::function<Status(soci::session&)>;

  // `max_batch` bounds how many bodies one transaction runs (and so how long it holds the
  // write lock).
  explicit GroupCommit(store::Database& db, size_t max_batch = 128)
      : db_(db), batcher_(max_batch) {}

  // Runs `body` in a write transaction shared with the bodies of other threads calling Run at
  // the same time; returns its status once that transaction has committed: ok means the body's
  // writes are durable. An error from the body (or an exception it throws, mapped like
  // Database::Transaction maps it) undoes that body's writes only and is returned to its
  // caller; a failed COMMIT fails every body of the batch. On PostgreSQL a body chosen as a
  // deadlock's victim (or refused a lock) runs again alone after its batch committed, up to
  // kRetries times, so `body` may run more than once: each run must start from scratch. No
  // caller waits for a timer: the first caller runs its body at once, and those arriving
  // meanwhile form the next batch.
  // `body` must not start another write transaction (it would wait for the lock it runs
  // under).
  Status Run(const Body& body);

  // How many transactions and bodies ran (the benchmark reports the batch size), and how many
  // bodies wait for the next batch now.
  size_t transactions() const;
  size_t bodies() const;
  size_t queued() const;

 private:
  struct Job {
    const Body* body = nullptr;
    Status result = Ok();
    // Its last run ended in a statement PostgreSQL refused for timing, not content
    // (store::IsTransientConflict): running it again may succeed.
    bool transient = false;
  };
  void RunBatch(const std::vector<Job*>& batch) noexcept;
  static constexpr int kRetries = 3;

  store::Database& db_;
  Batcher<Job> batcher_;
};

}  // namespace tongban::cases
