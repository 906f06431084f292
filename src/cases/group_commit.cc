#include "cases/group_commit.h"

namespace tongban::cases {

Status GroupCommit::Run(const Body& body) {
  Job job;
  job.body = &body;
  std::unique_lock lock(mu_);
  queue_.push_back(&job);
  while (!job.done) {
    if (leading_) {
      cv_.wait(lock);
      continue;
    }
    // Lead: take what is queued (this job among it, or it was taken by an earlier leader and
    // is done by the time this thread looks again).
    leading_ = true;
    std::deque<Job*> batch;
    while (!queue_.empty() && batch.size() < max_batch_) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    RunBatch(batch);
    lock.lock();
    for (Job* j : batch) j->done = true;
    ++transactions_;
    bodies_ += batch.size();
    leading_ = false;
    cv_.notify_all();
  }
  return job.result;
}

void GroupCommit::RunBatch(std::deque<Job*>& batch) {
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
  }
}

size_t GroupCommit::transactions() const {
  std::lock_guard lock(mu_);
  return transactions_;
}

size_t GroupCommit::bodies() const {
  std::lock_guard lock(mu_);
  return bodies_;
}

size_t GroupCommit::queued() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

}  // namespace tongban::cases
