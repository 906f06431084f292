#include "dmn/yaml_table.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

namespace tongban::dmn {
namespace {

constexpr size_t kMaxBytes = 4u << 20;
constexpr size_t kMaxRules = 100'000;

// Reads the scalar keys of a mapping; reports unknown keys and wrong shapes into `errors`.
class Keys {
 public:
  Keys(const YAML::Node& node, std::string path, FieldErrors& errors)
      : node_(node), path_(std::move(path)), errors_(errors) {
    if (!node.IsMap()) {
      errors_.Add(path_, "must be a mapping");
      valid_ = false;
    }
  }
  bool valid() const { return valid_; }

  std::string Text(const char* key, bool required = false) {
    seen_.insert(key);
    if (!valid_) return {};
    const YAML::Node v = static_cast<const YAML::Node&>(node_)[key];
    if (!v || v.IsNull()) {
      if (required) errors_.Add(Path(key), "is required");
      return {};
    }
    if (!v.IsScalar()) {
      errors_.Add(Path(key), "must be a scalar (FEEL text)");
      return {};
    }
    return v.Scalar();
  }
  YAML::Node Sequence(const char* key, bool required) {
    seen_.insert(key);
    if (!valid_) return {};
    const YAML::Node v = static_cast<const YAML::Node&>(node_)[key];
    if (!v || v.IsNull()) {
      if (required) errors_.Add(Path(key), "is required");
      return {};
    }
    if (!v.IsSequence()) {
      errors_.Add(Path(key), "must be a list");
      return {};
    }
    return v;
  }
  void Finish() {
    if (!valid_) return;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("?");
      if (!seen_.contains(key)) errors_.Add(Path(key.c_str()), "is not a known key");
    }
  }
  std::string Path(const char* key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}/{}", path_, key);
  }

 private:
  YAML::Node node_;
  std::string path_;
  FieldErrors& errors_;
  std::set<std::string, std::less<>> seen_;
  bool valid_ = true;
};

}  // namespace

Result<std::pair<HitPolicy, Aggregation>> ParseHitPolicy(std::string_view text) {
  std::string_view policy = text;
  std::string_view aggregation;
  if (size_t space = text.find(' '); space != std::string_view::npos &&
                                     text.substr(0, space) != "RULE" &&
                                     text.substr(0, space) != "OUTPUT") {
    policy = text.substr(0, space);
    aggregation = text.substr(space + 1);
  }
  static const std::pair<std::string_view, std::pair<HitPolicy, Aggregation>> kForms[] = {
      {"UNIQUE", {HitPolicy::kUnique, Aggregation::kNone}},
      {"U", {HitPolicy::kUnique, Aggregation::kNone}},
      {"FIRST", {HitPolicy::kFirst, Aggregation::kNone}},
      {"F", {HitPolicy::kFirst, Aggregation::kNone}},
      {"PRIORITY", {HitPolicy::kPriority, Aggregation::kNone}},
      {"P", {HitPolicy::kPriority, Aggregation::kNone}},
      {"ANY", {HitPolicy::kAny, Aggregation::kNone}},
      {"A", {HitPolicy::kAny, Aggregation::kNone}},
      {"COLLECT", {HitPolicy::kCollect, Aggregation::kNone}},
      {"C", {HitPolicy::kCollect, Aggregation::kNone}},
      {"C+", {HitPolicy::kCollect, Aggregation::kSum}},
      {"C<", {HitPolicy::kCollect, Aggregation::kMin}},
      {"C>", {HitPolicy::kCollect, Aggregation::kMax}},
      {"C#", {HitPolicy::kCollect, Aggregation::kCount}},
      {"RULE ORDER", {HitPolicy::kRuleOrder, Aggregation::kNone}},
      {"R", {HitPolicy::kRuleOrder, Aggregation::kNone}},
      {"OUTPUT ORDER", {HitPolicy::kOutputOrder, Aggregation::kNone}},
      {"O", {HitPolicy::kOutputOrder, Aggregation::kNone}},
  };
  for (const auto& [name, value] : kForms) {
    if (name != policy) continue;
    if (aggregation.empty()) return value;
    if (value.first != HitPolicy::kCollect || value.second != Aggregation::kNone) break;
    if (aggregation == "SUM") return std::pair{HitPolicy::kCollect, Aggregation::kSum};
    if (aggregation == "MIN") return std::pair{HitPolicy::kCollect, Aggregation::kMin};
    if (aggregation == "MAX") return std::pair{HitPolicy::kCollect, Aggregation::kMax};
    if (aggregation == "COUNT") return std::pair{HitPolicy::kCollect, Aggregation::kCount};
    break;
  }
  return Error(ErrorCode::kInvalidArgument,
               fmt::format("unknown hit policy '{}' (UNIQUE, FIRST, PRIORITY, ANY, COLLECT [SUM|"
                           "MIN|MAX|COUNT], RULE ORDER, OUTPUT ORDER)",
                           text));
}

namespace {

Result<Definitions> ParseUnguarded(std::string_view text, std::string_view source) {
  if (text.size() > kMaxBytes) {
    return Error(ErrorCode::kPayloadTooLarge,
                 fmt::format("{}: larger than {} bytes", source, kMaxBytes));
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: YAML error at line {}: {}", source, e.mark.line + 1, e.msg));
  }
  FieldErrors errors;
  Keys top(root, "", errors);
  Definitions defs;
  defs.source = std::string(source);
  Decision decision;
  DecisionTable table;
  decision.name = top.Text("decision", true);
  decision.id = decision.name;
  decision.type_ref = top.Text("type");
  defs.name = decision.name;
  if (std::string hit = top.Text("hit_policy"); !hit.empty()) {
    auto parsed = ParseHitPolicy(hit);
    if (parsed.ok()) {
      table.hit_policy = parsed->first;
      table.aggregation = parsed->second;
    } else {
      errors.Add("hit_policy", parsed.error().message());
    }
  }
  YAML::Node data = top.Sequence("data", false);
  for (size_t i = 0; data && i < data.size(); ++i) {
    Keys k(data[i], fmt::format("data/{}", i), errors);
    InputData input{.id = "", .name = k.Text("name", true), .type_ref = k.Text("type")};
    input.id = input.name;
    decision.required_inputs.push_back({.namespace_uri = "", .id = input.id});
    k.Finish();
    defs.input_data.push_back(std::move(input));
  }
  YAML::Node inputs = top.Sequence("inputs", false);
  for (size_t i = 0; inputs && i < inputs.size(); ++i) {
    Keys k(inputs[i], fmt::format("inputs/{}", i), errors);
    DecisionTableInput in;
    in.expression = k.Text("expression", true);
    in.label = k.Text("label");
    in.type_ref = k.Text("type");
    in.input_values = k.Text("values");
    k.Finish();
    table.inputs.push_back(std::move(in));
  }
  YAML::Node outputs = top.Sequence("outputs", true);
  for (size_t i = 0; outputs && i < outputs.size(); ++i) {
    Keys k(outputs[i], fmt::format("outputs/{}", i), errors);
    DecisionTableOutput out;
    out.name = k.Text("name", outputs.size() > 1);
    out.label = k.Text("label");
    out.type_ref = k.Text("type");
    out.output_values = k.Text("values");
    out.default_output = k.Text("default");
    k.Finish();
    table.outputs.push_back(std::move(out));
  }
  YAML::Node rules = top.Sequence("rules", true);
  if (rules && rules.size() > kMaxRules) {
    errors.Add("rules", fmt::format("more than {} rules", kMaxRules));
    rules = YAML::Node();
  }
  for (size_t i = 0; rules && i < rules.size(); ++i) {
    std::string path = fmt::format("rules/{}", i);
    const YAML::Node& row = rules[i];
    if (!row.IsSequence()) {
      errors.Add(path, "must be a list of cells: the input entries, then the output entries");
      continue;
    }
    size_t want = table.inputs.size() + table.outputs.size();
    if (row.size() != want) {
      errors.Add(path, fmt::format("has {} cells, the table has {} inputs and {} outputs",
                                   row.size(), table.inputs.size(), table.outputs.size()));
      continue;
    }
    DecisionRule rule;
    rule.id = fmt::format("rule-{}", i + 1);
    for (size_t c = 0; c < row.size(); ++c) {
      if (!row[c].IsScalar()) {
        errors.Add(fmt::format("{}/{}", path, c), "must be a scalar (FEEL text)");
        continue;
      }
      (c < table.inputs.size() ? rule.input_entries : rule.output_entries)
          .push_back(row[c].Scalar());
    }
    table.rules.push_back(std::move(rule));
  }
  top.Finish();
  if (!errors.empty()) {
    return errors.ToError(fmt::format("{}: invalid decision table", source));
  }
  auto expression = std::make_unique<Expression>();
  expression->id = decision.id + "-table";
  expression->body = std::move(table);
  decision.logic = std::move(expression);
  defs.decisions.push_back(std::move(decision));
  return defs;
}

}  // namespace

Result<Definitions> ParseDecisionTableYaml(std::string_view text, std::string_view source) {
  try {
    return ParseUnguarded(text, source);
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: YAML error: {}", source, e.msg));
  }
}

}  // namespace tongban::dmn
