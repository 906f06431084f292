// Runs the DMN TCK (or any folder of the same layout): every test file of every case folder
// under a compliance level, each model compiled once, every test case evaluated and compared.
#pragma once

#include <string>
#include <vector>

namespace tongban::dmn {

enum class TckStatus { kSuccess, kError };

// One row of the results, as the TCK's published CSVs write it.
struct TckCaseResult {
  std::string folder;     // "compliance-level-2/0004-simpletable-U"
  std::string test_file;  // "0004-simpletable-U-test-01" (without .xml)
  std::string test_id;    // "001"
  TckStatus status = TckStatus::kError;
  std::string reason;  // why it did not pass
};

// Runs every `*.xml` test file in each folder under `level_dir` (e.g.
// ".../TestCases/compliance-level-2"); `level_name` prefixes the folder column. A model that
// cannot be read makes each of its cases an ERROR with that reason; nothing is skipped.
std::vector<TckCaseResult> RunTckLevel(const std::string& level_dir, const std::string& level_name);

// `"folder","test file","id","SUCCESS","reason"` lines.
std::string TckResultsCsv(const std::vector<TckCaseResult>& results);

}  // namespace tongban::dmn
