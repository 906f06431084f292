// Deterministic register-format CSV for demos, tests and benchmarks: the same seed and count give
// the same bytes on every machine. ID numbers are valid and distinct (region, birth date and
// sequence number enumerate them), households lie in the villages of the embedded region list
// under the given counties, and the shares of disability (about 6 %, levels 1-4), long-term
// care, 低保 and 特困 are plausible, so the subsidy rules select a realistic few.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "base/result.h"

namespace tongban::registers {

struct GenerateOptions {
  int64_t count = 1000;
  uint64_t seed = 1;
  // County codes (6 digits) whose villages receive the persons; the demo localities by default.
  std::vector<std::string> counties{"431128", "430181", "430423", "430204", "430603"};
};

// Writes the header and `count` person rows. kInvalidArgument when a county is unknown or has
// no villages in the embedded list.
Status GeneratePersonsCsv(const GenerateOptions& options, std::ostream& out);

}  // namespace tongban::registers
