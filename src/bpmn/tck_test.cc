// bpmn-engine's own test models (../shared/tck/bpmn/bpmn-engine): each either reads as
// supported and valid, or is refused naming the element that stopped it. The expectations
// below are the closing list the issue asks for.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "base/clock.h"
#include "bpmn/engine.h"
#include "bpmn/reader.h"

namespace tongban::bpmn {
namespace {

struct Expectation {
  std::set<std::string> refused;  // element ids of its errors; empty: supported and valid
  std::string path;               // supported: `bpmn run`'s completed nodes, space-separated
  InstanceStatus status;          // supported: how `bpmn run` ends
};

const std::map<std::string, Expectation>& Expected() {
  static const auto* expected = new std::map<std::string, Expectation>{
#include "bpmn/testdata/bpmn_engine_expected.inc"
  };
  return *expected;
}

TEST(BpmnEngineModelsTest, EachIsSupportedOrRefusedNamingTheElement) {
  const char* shared = std::getenv("TONGBAN_SHARED_DIR");
  ASSERT_NE(shared, nullptr) << "TONGBAN_SHARED_DIR is set by ctest";
  std::filesystem::path dir = std::filesystem::path(shared) / "tck/bpmn/bpmn-engine";
  ASSERT_TRUE(std::filesystem::is_directory(dir))
      << dir << " is missing: the shared suites sit beside the project's root";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".bpmn") continue;
    ++files;
    std::string name = entry.path().filename().string();
    auto defs = LoadBpmnFile(entry.path().string());
    ASSERT_TRUE(defs.ok()) << name << ": " << defs.error().ToString();
    std::set<std::string> errors;
    for (const Problem& p : defs->problems) {
      if (p.severity != Severity::kError) continue;
      EXPECT_FALSE(p.element_id.empty()) << name;
      errors.insert(p.element_id);
    }
    auto it = Expected().find(name);
    ASSERT_NE(it, Expected().end()) << name << " has no expectation";
    std::string all;
    for (const Problem& p : defs->problems) all += FormatProblem(p) + "\n";
    EXPECT_EQ(errors, it->second.refused) << name << ":\n" << all;
    if (!errors.empty() || !it->second.refused.empty()) continue;
    // Supported: run it as `tongban bpmn run` does, timers in due order on a fake clock.
    FakeClock clock(Timestamp(std::chrono::seconds(1'772'409'600)));
    auto run = RunInMemory(*defs, defs->processes.at(0), feel::Value(), feel::Value(), clock);
    ASSERT_TRUE(run.ok()) << name;
    std::string path;
    for (const std::string& id : run->state.completed) path += (path.empty() ? "" : " ") + id;
    EXPECT_EQ(path, it->second.path) << name;
    EXPECT_EQ(run->status, it->second.status)
        << name << ": " << run->state.incident_element << ": " << run->state.incident_message;
  }
  EXPECT_EQ(files, static_cast<int>(Expected().size()));
}

}  // namespace
}  // namespace tongban::bpmn
