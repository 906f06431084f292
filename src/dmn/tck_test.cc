// The DMN TCK, compliance levels 2 and 3, from the shared copy of the suite. Writes
// tck-results.csv (the TCK's CSV form) to the working directory (the build tree under ctest),
// prints every case that did not pass with its reason, and fails when the number of passing
// cases of a level drops below the committed baseline (tck_baseline.txt).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include "dmn/tck_runner.h"

namespace tongban::dmn {
namespace {

std::map<std::string, int> ReadBaseline(const std::filesystem::path& path) {
  std::map<std::string, int> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string level;
    int count = 0;
    if (fields >> level >> count) out[level] = count;
  }
  return out;
}

TEST(TckTest, PassCountsDoNotDrop) {
  const char* shared = std::getenv("TONGBAN_SHARED_DIR");
  const char* source = std::getenv("TONGBAN_SOURCE_DIR");
  ASSERT_NE(shared, nullptr) << "TONGBAN_SHARED_DIR is set by ctest";
  ASSERT_NE(source, nullptr) << "TONGBAN_SOURCE_DIR is set by ctest";
  std::filesystem::path root = std::filesystem::path(shared) / "tck/dmn/TestCases";
  ASSERT_TRUE(std::filesystem::exists(root)) << root;
  std::map<std::string, int> baseline =
      ReadBaseline(std::filesystem::path(source) / "src/dmn/tck_baseline.txt");
  ASSERT_EQ(baseline.size(), 2u) << "tck_baseline.txt names both levels";

  std::vector<TckCaseResult> all;
  for (const auto& [level, expected] : baseline) {
    auto start = std::chrono::steady_clock::now();
    std::vector<TckCaseResult> results = RunTckLevel((root / level).string(), level);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int passed = 0;
    for (const TckCaseResult& r : results) {
      if (r.status == TckStatus::kSuccess) {
        ++passed;
      } else {
        std::cout << "NOT PASSED " << r.folder << " " << r.test_file << " " << r.test_id << ": "
                  << r.reason.substr(0, 300) << "\n";
      }
    }
    std::cout << level << ": " << passed << " / " << results.size() << " passed in " << seconds
              << " s (baseline " << expected << ")\n";
    EXPECT_GE(passed, expected) << level << " passes fewer cases than tck_baseline.txt";
    EXPECT_GT(results.size(), 100u) << level << ": the suite was not found whole";
    all.insert(all.end(), results.begin(), results.end());
  }
  std::ofstream("tck-results.csv") << TckResultsCsv(all);
}

}  // namespace
}  // namespace tongban::dmn
