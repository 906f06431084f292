#include "cases/group_commit.h"

namespace tongban::cases {

Status GroupCommit::Run(const Body& body) {
  Job job{.body = &body};
  batcher_.Run(job, [this](const std::vector<Job*>& batch) { RunBatch(batch); });
  return job.result;
}

void GroupCommit::RunBatch(const std::vector<Job*>& batch) noexcept {
  static const std::string kSavepoint = "SAVEPOINT tb_group_commit";
  static const std::string kRollback = "ROLLBACK TO SAVEPOINT tb_group_commit";
  static const std::string kRelease = "RELEASE SAVEPOINT tb_group_commit";
  // SQLite: the three statements prepared once per session, not parsed per body.
  const bool sqlite = db_.backend() == store::Backend::kSqlite;
  const auto run = [sqlite](soci::session& sql, const std::string& statement) {
    if (sqlite) {
      store::Execute(sql, statement);
    } else {
      sql << statement;
    }
  };
  Status committed = db_.Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
    for (Job* j : batch) {
      // Savepoint statements failing (a lost connection) end the whole transaction: they
      // throw out of this body, and every job gets the transaction's error below.
      run(sql, kSavepoint);
      try {
        j->result = (*j->body)(sql);
      } catch (const std::exception& e) {
        j->result = store::ErrorFromException(e);
        j->transient = store::IsTransientConflict(e);
      }
      if (!j->result.ok()) run(sql, kRollback);
      run(sql, kRelease);
    }
    return Ok();
  });
  if (!committed.ok()) {
    for (Job* j : batch) {
      if (j->result.ok()) j->result = committed;
    }
    return;
  }
  if (sqlite) return;  // one writer: no other transaction holds a row lock a body waits for
  // PostgreSQL chose a body as the victim of a deadlock (another server's batch, or one of this
  // server's own transactions, locked the same rows in another order) or refused it a lock: its
  // savepoint was rolled back and the batch committed without it. Run alone now, with the
  // batch's locks released, it no longer takes part in that cycle.
  for (Job* j : batch) {
    for (int attempt = 0; attempt < kRetries && j->transient; ++attempt) {
      j->transient = false;
      j->result = db_.Transaction(store::TxKind::kWrite, [j](soci::session& sql) -> Status {
        try {
          return (*j->body)(sql);
        } catch (const std::exception& e) {
          j->transient = store::IsTransientConflict(e);
          throw;  // mapped and rolled back by Database::Transaction
        }
      });
    }
  }
}

size_t GroupCommit::transactions() const { return static_cast<size_t>(batcher_.batches()); }

size_t GroupCommit::bodies() const { return static_cast<size_t>(batcher_.jobs()); }

size_t GroupCommit::queued() const { return batcher_.queued(); }

}  // namespace tongban::cases
