// Register imports started from the web (批量导入 in the back office): an uploaded CSV is kept
// under a directory by its content's SM3 (the same bytes are one job), and imported by ImportCsv
// on one background thread, one job after another, with the progress of each committed batch
// kept for the page that polls it. Each job's state is a small JSON file beside its CSV, so a
// server that stops mid-import resumes the job from its last committed batch when it starts
// again (ImportCsv's checkpoint; no row is inserted twice).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/result.h"
#include "people/model.h"
#include "registers/import.h"
#include "registers/register.h"

namespace tongban::registers {

enum class ImportJobState { kQueued, kRunning, kDone, kFailed };
std::string_view ImportJobStateName(ImportJobState state);
std::string_view ImportKindName(ImportKind kind);
// "persons" or "entities"; nullopt otherwise.
std::optional<ImportKind> ParseImportKind(std::string_view name);

struct ImportJob {
  std::string id;  // the first 32 hex digits of the CSV's SM3
  ImportKind kind = ImportKind::kPersons;
  ImportJobState state = ImportJobState::kQueued;
  std::string file_name;  // as uploaded, for people; never used as a path
  std::string actor;      // the username that started it
  // The regions (register.write scopes) rows may lie in; "*" for every region.
  std::vector<std::string> scope_regions;
  int64_t size = 0;
  int64_t created_at_ms = 0;
  int64_t finished_at_ms = 0;  // 0 until done or failed
  ImportProgress progress;
  double rows_per_second = 0;  // data lines per second of the current (or last) run
  int runs = 0;                // 2 and more: resumed after a restart
  std::string import_id;       // ImportCsv's job id (the trace stream "import/<id>")
  std::string error;           // kFailed: why
  // Rounded down percentage of the file's bytes processed (100 once done).
  int Percent() const;
};

struct ImportJobOptions {
  std::string dir;               // created if missing; holds <id>.csv, <id>.json, <id>.errors.csv
  int64_t max_bytes = 64 << 20;  // larger uploads are refused (kPayloadTooLarge)
  int batch_size = 10000;
  // Tests: each run stops after this many committed batches as if the server stopped (0: never).
  int stop_after_batches = 0;
};

class ImportJobs {
 public:
  // Opens `options.dir` and queues every job a previous process left unfinished (queued or
  // running), to be resumed from its checkpoint once Start() runs the worker. `registers` must
  // outlive the ImportJobs.
  static Result<std::unique_ptr<ImportJobs>> Create(Registers& registers, ImportJobOptions options);
  ~ImportJobs();
  ImportJobs(const ImportJobs&) = delete;
  ImportJobs& operator=(const ImportJobs&) = delete;

  // Starts the worker thread (idempotent). Stop() lets the current batch commit, then ends it;
  // the unfinished job stays queued on disk for the next process.
  void Start();
  void Stop();

  // Keeps `content` and queues its import for `starter`, who must hold register.write (its
  // scopes bound the rows' regions). The same bytes uploaded again give the existing job
  // (`created` false). Errors: kForbidden (no register.write), kInvalidArgument (empty, not
  // UTF-8 text, or a header missing required columns: every missing column named),
  // kPayloadTooLarge.
  struct Started {
    ImportJob job;
    bool created = false;
  };
  Result<Started> Submit(const people::Principal& starter, ImportKind kind,
                         std::string_view content, std::string_view file_name);

  // The job and its progress; kNotFound. A job is visible to its starter and to holders of
  // register.write whose scope covers all of the job's scope.
  Result<ImportJob> Get(const people::Principal& caller, std::string_view id) const;
  // The caller's visible jobs, newest first.
  std::vector<ImportJob> List(const people::Principal& caller) const;
  // The bad rows as CSV "line,field,reason" (the header line first); kNotFound.
  Result<std::string> BadRows(const people::Principal& caller, std::string_view id) const;

  // Tests: blocks until no job is queued or running, or the worker is stopped.
  void WaitIdle();

 private:
  ImportJobs(Registers& registers, ImportJobOptions options)
      : registers_(registers), options_(std::move(options)) {}
  void Run();
  void RunOne(const std::string& id);
  void Save(const ImportJob& job) const;  // writes <id>.json (atomically: temp file + rename)
  bool Visible(const people::Principal& caller, const ImportJob& job) const;
  std::string PathOf(std::string_view id, std::string_view suffix) const;

  Registers& registers_;
  const ImportJobOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, ImportJob, std::less<>> jobs_;
  std::deque<std::string> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // stopping_, read by the import without the lock
  std::thread worker_;
};

}  // namespace tongban::registers
