// Invariant: a job's <id>.csv is written completely (temp file + rename) before its <id>.json
// names it, and <id>.json is the only record of the job outside memory.
#include "registers/import_jobs.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "crypto/sm3.h"
#include "people/authorization.h"

namespace tongban::registers {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kPermission = "register.write";

int64_t NowMs(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
      .count();
}

std::optional<ImportJobState> ParseState(std::string_view s) {
  for (ImportJobState st : {ImportJobState::kQueued, ImportJobState::kRunning,
                            ImportJobState::kDone, ImportJobState::kFailed}) {
    if (ImportJobStateName(st) == s) return st;
  }
  return std::nullopt;
}

json ToJson(const ImportJob& j) {
  return {{"id", j.id},
          {"kind", ImportKindName(j.kind)},
          {"state", ImportJobStateName(j.state)},
          {"file_name", j.file_name},
          {"actor", j.actor},
          {"scope_regions", j.scope_regions},
          {"size", j.size},
          {"created_at_ms", j.created_at_ms},
          {"finished_at_ms", j.finished_at_ms},
          {"lines", j.progress.lines},
          {"imported", j.progress.imported},
          {"rejected", j.progress.rejected},
          {"bytes_done", j.progress.bytes_done},
          {"runs", j.runs},
          {"import_id", j.import_id},
          {"error", j.error}};
}

std::optional<ImportJob> FromJson(const json& o) {
  if (!o.is_object()) return std::nullopt;
  ImportJob j;
  auto kind = ParseImportKind(o.value("kind", ""));
  auto state = ParseState(o.value("state", ""));
  if (!kind || !state) return std::nullopt;
  j.id = o.value("id", "");
  j.kind = *kind;
  j.state = *state;
  j.file_name = o.value("file_name", "");
  j.actor = o.value("actor", "");
  j.scope_regions = o.value("scope_regions", std::vector<std::string>{});
  j.size = o.value("size", int64_t{0});
  j.created_at_ms = o.value("created_at_ms", int64_t{0});
  j.finished_at_ms = o.value("finished_at_ms", int64_t{0});
  j.progress.lines = o.value("lines", int64_t{0});
  j.progress.imported = o.value("imported", int64_t{0});
  j.progress.rejected = o.value("rejected", int64_t{0});
  j.progress.bytes_done = o.value("bytes_done", int64_t{0});
  j.progress.bytes_total = j.size;
  j.runs = o.value("runs", 0);
  j.import_id = o.value("import_id", "");
  j.error = o.value("error", "");
  return j;
}

// The regions the starter's register.write grants reach now ("*" for all).
std::vector<std::string> WriteScopes(const people::Principal& p, int64_t now_ms) {
  std::vector<std::string> out;
  for (const people::HeldGrant& g : p.grants) {
    if (!std::binary_search(g.permissions.begin(), g.permissions.end(), kPermission)) continue;
    const people::Scope& s = g.grant.scope;
    if (s.valid_from > now_ms || (s.valid_until && *s.valid_until <= now_ms)) continue;
    out.push_back(s.region);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool AnyCovers(const std::vector<std::string>& scopes, std::string_view region) {
  return std::any_of(scopes.begin(), scopes.end(),
                     [&](const std::string& s) { return people::RegionCovers(s, region); });
}

Status WriteFileAtomically(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) return Error(ErrorCode::kStorage, fmt::format("cannot write {}", tmp));
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return Error(ErrorCode::kStorage, fmt::format("cannot rename {}: {}", tmp, ec.message()));
  return Ok();
}

}  // namespace

std::string_view ImportJobStateName(ImportJobState state) {
  switch (state) {
    case ImportJobState::kQueued:
      return "queued";
    case ImportJobState::kRunning:
      return "running";
    case ImportJobState::kDone:
      return "done";
    case ImportJobState::kFailed:
      return "failed";
  }
  return "failed";
}

std::string_view ImportKindName(ImportKind kind) {
  return kind == ImportKind::kPersons ? "persons" : "entities";
}

std::optional<ImportKind> ParseImportKind(std::string_view name) {
  if (name == "persons") return ImportKind::kPersons;
  if (name == "entities") return ImportKind::kEntities;
  return std::nullopt;
}

int ImportJob::Percent() const {
  if (state == ImportJobState::kDone) return 100;
  if (size <= 0) return 0;
  return static_cast<int>(std::clamp<int64_t>(progress.bytes_done * 100 / size, 0, 100));
}

Result<std::unique_ptr<ImportJobs>> ImportJobs::Create(Registers& registers,
                                                       ImportJobOptions options) {
  std::error_code ec;
  fs::create_directories(options.dir, ec);
  if (ec) {
    return Error(ErrorCode::kStorage,
                 fmt::format("cannot create {}: {}", options.dir, ec.message()));
  }
  std::unique_ptr<ImportJobs> jobs(new ImportJobs(registers, std::move(options)));
  std::vector<ImportJob> unfinished;
  for (const fs::directory_entry& e : fs::directory_iterator(jobs->options_.dir, ec)) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    std::optional<ImportJob> job = FromJson(json::parse(in, nullptr, false));
    if (!job || !fs::exists(jobs->PathOf(job->id, ".csv"))) {
      spdlog::warn("register imports: ignoring {}", e.path().string());
      continue;
    }
    if (job->state == ImportJobState::kQueued || job->state == ImportJobState::kRunning) {
      job->state = ImportJobState::kQueued;
      unfinished.push_back(*job);
    }
    jobs->jobs_.emplace(job->id, std::move(*job));
  }
  std::sort(unfinished.begin(), unfinished.end(), [](const ImportJob& a, const ImportJob& b) {
    return a.created_at_ms < b.created_at_ms;
  });
  for (const ImportJob& j : unfinished) jobs->queue_.push_back(j.id);
  if (!unfinished.empty()) {
    spdlog::info("register imports: {} unfinished job(s) will resume", unfinished.size());
  }
  return jobs;
}

ImportJobs::~ImportJobs() { Stop(); }

void ImportJobs::Start() {
  std::lock_guard lock(mu_);
  if (worker_.joinable()) return;
  stopping_ = false;
  cancel_ = false;
  worker_ = std::thread([this] { Run(); });
}

void ImportJobs::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

std::string ImportJobs::PathOf(std::string_view id, std::string_view suffix) const {
  return (fs::path(options_.dir) / fmt::format("{}{}", id, suffix)).string();
}

void ImportJobs::Save(const ImportJob& job) const {
  Status s = WriteFileAtomically(PathOf(job.id, ".json"), ToJson(job).dump());
  if (!s.ok()) spdlog::error("register import {}: {}", job.id, s.error().ToString());
}

Result<ImportJobs::Started> ImportJobs::Submit(const people::Principal& starter, ImportKind kind,
                                               std::string_view content,
                                               std::string_view file_name) {
  const int64_t now = NowMs(registers_.clock());
  std::vector<std::string> scopes = WriteScopes(starter, now);
  if (scopes.empty()) {
    return Error(ErrorCode::kForbidden, fmt::format("{} is required to import", kPermission));
  }
  if (static_cast<int64_t>(content.size()) > options_.max_bytes) {
    return Error(ErrorCode::kPayloadTooLarge,
                 fmt::format("the file has {} bytes; at most {} are accepted", content.size(),
                             options_.max_bytes));
  }
  FieldErrors errors;
  if (content.empty()) errors.Add("file", "is empty");
  std::string_view header = content.substr(0, content.find('\n'));
  if (header.starts_with("\xEF\xBB\xBF")) header.remove_prefix(3);
  if (!header.empty() && header.back() == '\r') header.remove_suffix(1);
  if (!content.empty()) {
    std::vector<std::string> cells = SplitCsvLine(header);
    const std::vector<std::string_view> required =
        kind == ImportKind::kPersons
            ? std::vector<std::string_view>{"id_number", "name", "household_region"}
            : std::vector<std::string_view>{"uscc", "name", "registered_region"};
    for (std::string_view c : required) {
      if (std::find(cells.begin(), cells.end(), c) == cells.end()) {
        errors.Add(fmt::format("file/header/{}", c), "column missing from the header");
      }
    }
  }
  if (!errors.empty()) return errors.ToError("the CSV cannot be imported");

  const std::string id = crypto::Sm3Hex(content).substr(0, 32);
  std::lock_guard lock(mu_);
  if (auto it = jobs_.find(id); it != jobs_.end()) return Started{.job = it->second};
  TB_RETURN_IF_ERROR(WriteFileAtomically(PathOf(id, ".csv"), content));
  ImportJob job;
  job.id = id;
  job.kind = kind;
  job.file_name = std::string(file_name.substr(0, 200));
  job.actor = starter.account.username;
  job.scope_regions = std::move(scopes);
  job.size = static_cast<int64_t>(content.size());
  job.created_at_ms = now;
  job.progress.bytes_total = job.size;
  Save(job);
  jobs_.emplace(id, job);
  queue_.push_back(id);
  cv_.notify_all();
  return Started{.job = std::move(job), .created = true};
}

bool ImportJobs::Visible(const people::Principal& caller, const ImportJob& job) const {
  if (caller.account.username == job.actor) return true;
  const std::vector<std::string> scopes = WriteScopes(caller, NowMs(registers_.clock()));
  return std::all_of(job.scope_regions.begin(), job.scope_regions.end(),
                     [&](const std::string& r) { return AnyCovers(scopes, r); });
}

Result<ImportJob> ImportJobs::Get(const people::Principal& caller, std::string_view id) const {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(id);
  if (it == jobs_.end() || !Visible(caller, it->second)) {
    return Error(ErrorCode::kNotFound, fmt::format("no register import {}", id));
  }
  return it->second;
}

std::vector<ImportJob> ImportJobs::List(const people::Principal& caller) const {
  std::vector<ImportJob> out;
  std::lock_guard lock(mu_);
  for (const auto& [id, job] : jobs_) {
    if (Visible(caller, job)) out.push_back(job);
  }
  std::sort(out.begin(), out.end(), [](const ImportJob& a, const ImportJob& b) {
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms > b.created_at_ms : a.id < b.id;
  });
  return out;
}

Result<std::string> ImportJobs::BadRows(const people::Principal& caller,
                                        std::string_view id) const {
  TB_ASSIGN_OR_RETURN(ImportJob job, Get(caller, id));
  std::ifstream in(PathOf(job.id, ".errors.csv"), std::ios::binary);
  if (!in) return std::string("line,field,reason\n");  // not started yet
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void ImportJobs::WaitIdle() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return stopping_ || (queue_.empty() && !busy_); });
}

void ImportJobs::Run() {
  while (true) {
    std::string id;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      id = queue_.front();
      queue_.pop_front();
      busy_ = true;
    }
    RunOne(id);
    {
      std::lock_guard lock(mu_);
      busy_ = false;
    }
    cv_.notify_all();
  }
}

void ImportJobs::RunOne(const std::string& id) {
  ImportJob job;
  {
    std::lock_guard lock(mu_);
    ImportJob& j = jobs_.at(id);
    j.state = ImportJobState::kRunning;
    ++j.runs;
    j.rows_per_second = 0;
    job = j;
  }
  Save(job);
  const auto started = std::chrono::steady_clock::now();
  const int64_t lines_before = job.progress.lines;
  const std::vector<std::string> scopes = job.scope_regions;
  ImportOptions options{
      .batch_size = options_.batch_size,
      .resume = job.runs > 1 ? Resume::kYes : Resume::kNo,
      .report_path = PathOf(id, ".errors.csv"),
      .actor = job.actor,
      .progress =
          [&](const ImportProgress& p) {
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            std::lock_guard lock(mu_);
            ImportJob& j = jobs_.at(id);
            j.progress = p;
            j.progress.bytes_total = j.size;
            if (seconds > 0) {
              j.rows_per_second = static_cast<double>(p.lines - lines_before) / seconds;
            }
          },
      .stop_after_batches = options_.stop_after_batches,
      .cancel = &cancel_,
      .region_allowed = [&scopes](std::string_view region) { return AnyCovers(scopes, region); },
  };
  Result<ImportReport> report = ImportCsv(registers_, job.kind, PathOf(id, ".csv"), options);
  {
    std::lock_guard lock(mu_);
    ImportJob& j = jobs_.at(id);
    if (!report.ok()) {
      j.state = ImportJobState::kFailed;
      j.error = report.error().message();
      j.finished_at_ms = NowMs(registers_.clock());
    } else {
      j.import_id = report->job_id;
      j.progress.lines = report->lines;
      j.progress.imported = report->imported;
      j.progress.rejected = report->rejected;
      if (report->complete) {
        j.state = ImportJobState::kDone;
        j.progress.bytes_done = j.size;
        j.finished_at_ms = NowMs(registers_.clock());
      } else {
        j.state = ImportJobState::kQueued;  // stopped (tests): the next process resumes it
      }
    }
    job = j;
  }
  Save(job);
  if (job.state == ImportJobState::kFailed) {
    spdlog::warn("register import {} failed: {}", id, job.error);
  }
}

}  // namespace tongban::registers
