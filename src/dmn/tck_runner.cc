#include "dmn/tck_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <map>

#include "dmn/evaluator.h"
#include "dmn/tck_file.h"
#include "dmn/tck_values.h"
#include "dmn/xml_reader.h"

namespace tongban::dmn {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> Sorted(const fs::path& dir, bool directories, std::string_view ext) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (directories ? entry.is_directory() : entry.path().extension() == ext) {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Evaluates one test case; an empty string means it passed.
std::string RunCase(const DecisionModel& model, const TckCase& c) {
  std::vector<InputValue> inputs;
  for (const TckInput& in : c.inputs) {
    auto value = ToFeelValue(in.value);
    if (!value.ok()) return fmt::format("input '{}': {}", in.name, value.error().message());
    inputs.push_back({.namespace_uri = in.namespace_uri, .name = in.name, .value = *value});
  }
  std::vector<feel::Value> actual(c.results.size());
  std::vector<std::string> warnings;
  if (c.kind == TckCaseKind::kDecision) {
    std::vector<std::string> names;
    names.reserve(c.results.size());
    for (const TckResult& r : c.results) names.push_back(r.name);
    auto outcomes = model.EvaluateDecisions(names, inputs);
    if (!outcomes.ok()) return outcomes.error().message();
    for (size_t i = 0; i < outcomes->size(); ++i) {
      actual[i] = (*outcomes)[i].value;
      for (auto& w : (*outcomes)[i].warnings) warnings.push_back(w);
    }
  } else {
    auto outcome = c.kind == TckCaseKind::kDecisionService
                       ? model.InvokeDecisionService(c.invocable_name, inputs)
                       : model.InvokeKnowledgeModel(c.invocable_name, inputs);
    if (!outcome.ok()) return outcome.error().message();
    warnings = outcome->warnings;
    for (size_t i = 0; i < c.results.size(); ++i) {
      const feel::Value& v = outcome->value;
      const feel::Value* entry =
          v.is(feel::Kind::kContext) && c.results.size() > 1 ? v.Find(c.results[i].name) : nullptr;
      actual[i] = entry != nullptr ? *entry : v;
    }
  }
  for (size_t i = 0; i < c.results.size(); ++i) {
    const TckResult& r = c.results[i];
    std::string why;
    if (r.error_result) {
      if (actual[i].is_null()) continue;
      why = fmt::format("expected an error (null), got {}", actual[i].ToString());
    } else {
      feel::Value expected;
      if (r.has_expected) {
        auto e = ToFeelValue(r.expected);
        if (!e.ok()) return fmt::format("expected value of '{}': {}", r.name, e.error().message());
        expected = *e;
      }
      if (TckMatches(actual[i], expected, &why)) continue;
    }
    std::string reason = fmt::format("'{}': {}", r.name, why);
    if (!warnings.empty()) reason += fmt::format(" [{}]", warnings.front());
    return reason;
  }
  return {};
}

}  // namespace

std::vector<TckCaseResult> RunTckLevel(const std::string& level_dir,
                                       const std::string& level_name) {
  std::vector<TckCaseResult> results;
  for (const fs::path& folder : Sorted(level_dir, true, "")) {
    std::string folder_name = fmt::format("{}/{}", level_name, folder.filename().string());
    std::map<std::string, Result<std::shared_ptr<const DecisionModel>>> models;
    for (const fs::path& test_file : Sorted(folder, false, ".xml")) {
      std::string file_name = test_file.stem().string();
      auto add = [&](std::string id, TckStatus status, std::string reason) {
        results.push_back({.folder = folder_name,
                           .test_file = file_name,
                           .test_id = std::move(id),
                           .status = status,
                           .reason = std::move(reason)});
      };
      auto text = ReadTextFile(test_file.string());
      if (!text.ok()) {
        add("*", TckStatus::kError, text.error().message());
        continue;
      }
      auto file = ParseTckFile(*text, test_file.filename().string());
      if (!file.ok()) {
        add("*", TckStatus::kError, file.error().message());
        continue;
      }
      auto it = models.find(file->model_name);
      if (it == models.end()) {
        auto build = [&]() -> Result<std::shared_ptr<const DecisionModel>> {
          TB_ASSIGN_OR_RETURN(ModelSet set, LoadDmnFile((folder / file->model_name).string()));
          return DecisionModel::Build(std::move(set));
        };
        it = models.emplace(file->model_name, build()).first;
      }
      for (const TckCase& c : file->cases) {
        if (!it->second.ok()) {
          add(c.id, TckStatus::kError, it->second.error().message());
          continue;
        }
        std::string reason;
        try {
          reason = RunCase(**it->second, c);
        } catch (const std::exception& e) {
          reason = fmt::format("exception: {}", e.what());
        }
        TckStatus status = reason.empty() ? TckStatus::kSuccess : TckStatus::kError;
        add(c.id, status, std::move(reason));
      }
    }
  }
  return results;
}

std::string TckResultsCsv(const std::vector<TckCaseResult>& results) {
  auto quote = [](std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"') out += '"';
      out += (c == '\n' || c == '\r') ? ' ' : c;
    }
    return out + "\"";
  };
  std::string out;
  for (const TckCaseResult& r : results) {
    out +=
        fmt::format("{},{},{},{},{}\n", quote(r.folder), quote(r.test_file), quote(r.test_id),
                    quote(r.status == TckStatus::kSuccess ? "SUCCESS" : "ERROR"), quote(r.reason));
  }
  return out;
}

}  // namespace tongban::dmn
