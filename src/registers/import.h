// Bulk CSV import into the registers (批量导入): every row validated (ID number checksum, its
// birth date and sex agreeing with the columns, dates, region codes against the region table,
// enumerations), bad rows written to a report with their line numbers and reasons, good rows
// inserted in batches, each batch committed together with the import's position, so that a
// rerun with resume continues after the last committed batch and never inserts a row twice.
//
// Persons CSV (UTF-8, header line, columns in any order; optional columns may be missing):
//   id_number,name,sex,birth_date,household_region,address,phone,income_band,assistance,
//   disability_certificate,disability_category,disability_level,long_term_care
// Entities CSV:
//   uscc,name,type,legal_representative,industry,size,registered_region,status
// Enumerations use the wire names of registers/model.h; long_term_care is true/false (or 1/0).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "base/result.h"
#include "registers/register.h"

namespace tongban::registers {

enum class ImportKind { kPersons, kEntities };
enum class Resume { kNo, kYes };

struct ImportProgress {
  int64_t bytes_done = 0;
  int64_t bytes_total = 0;
  int64_t lines = 0;  // data lines read so far (all runs)
  int64_t imported = 0;
  int64_t rejected = 0;
};

struct ImportOptions {
  int batch_size = 10000;
  Resume resume = Resume::kNo;
  // Bad rows as CSV "line,field,reason"; empty: FILE.errors.csv. Appended to when resuming.
  std::string report_path{};
  std::string actor = "system";  // recorded as updated_by "import:<job id>" and in the trace
  // Called after each committed batch.
  std::function<void(const ImportProgress&)> progress{};
  // Tests: stop after this many committed batches as if interrupted (0: never).
  int stop_after_batches = 0;
  // When set and true, the import stops after the batch it is inserting, as if interrupted
  // (report.complete false; a rerun with resume continues): a server shutting down.
  const std::atomic<bool>* cancel = nullptr;
  // When set, a row whose region (household_region, registered_region) it refuses is a bad row
  // ("outside the importer's scope"): an import runs with its starter's scope. Called from a
  // reading thread, so it must be safe to call concurrently.
  std::function<bool(std::string_view region)> region_allowed{};
};

struct ImportReport {
  std::string job_id;
  bool resumed = false;
  bool complete = false;  // false only when stopped (stop_after_batches, cancel)
  int64_t lines = 0;      // data lines of the file processed, over all runs
  int64_t imported = 0;   // over all runs
  int64_t rejected = 0;   // over all runs
  std::string report_path;
};

// Imports `path`. Errors: kNotFound (file), kInvalidArgument (a header missing required
// columns, naming them), kConflict (this file was interrupted before and `resume` is kNo, or
// was imported completely already). Row problems are never errors: they go to the report.
Result<ImportReport> ImportCsv(Registers& registers, ImportKind kind, const std::string& path,
                               const ImportOptions& options);

// Splits one CSV line (RFC 4180 quoting, no line breaks inside fields).
std::vector<std::string> SplitCsvLine(std::string_view line);

}  // namespace tongban::registers
