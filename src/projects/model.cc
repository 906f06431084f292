// Names of the projects' enums and the YAML of templates and regional configuration.
#include "projects/model.h"

#include <algorithm>
#include <array>
#include <set>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "base/embedded.h"

namespace tongban {
extern const EmbeddedFile kProjectData[];
extern const size_t kProjectData_count;
}  // namespace tongban

namespace tongban::projects {
namespace {

template <typename E, size_t N>
std::optional<E> FindName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 3> kProjectTypes = {"government_investment",
                                                           "social_investment", "small_low_risk"};
constexpr std::array<std::string_view, 6> kPauseKinds = {
    "intermediary", "utility", "public_notice", "hearing", "expert_review", "correction"};
constexpr std::array<std::string_view, 3> kStageStates = {"pending", "running", "concluded"};
constexpr std::array<std::string_view, 7> kMatterStates = {
    "pending", "pre_reviewed", "under_review", "approved", "denied", "removed", "exempted"};
constexpr std::array<std::string_view, 4> kMaterialStates = {"submitted", "gap", "supply_later",
                                                             "proof_waived"};

Result<YAML::Node> LoadYaml(std::string_view yaml, std::string_view origin) {
  try {
    return YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return Error(ErrorCode::kInvalidArgument,
                 fmt::format("{}: not valid YAML: line {}: {}", origin, e.mark.line + 1, e.msg));
  }
}

std::string Text(const YAML::Node& node, const std::string& path, FieldErrors& errors,
                 bool required = true) {
  if (!node || node.IsNull()) {
    if (required) errors.Add(path, "required");
    return {};
  }
  if (!node.IsScalar()) {
    errors.Add(path, "must be text");
    return {};
  }
  return node.as<std::string>();
}

int Int(const YAML::Node& node, const std::string& path, int min, int max, FieldErrors& errors,
        bool required = true) {
  if (!node) {
    if (required) errors.Add(path, "required");
    return 0;
  }
  try {
    const int v = node.as<int>();
    if (v < min || v > max) errors.Add(path, fmt::format("must be {} to {}", min, max));
    return v;
  } catch (const YAML::Exception&) {
    errors.Add(path, "must be a whole number");
    return 0;
  }
}

Date Day(const YAML::Node& node, const std::string& path, FieldErrors& errors) {
  const std::string text = Text(node, path, errors);
  if (text.empty()) return {};
  auto d = Date::Parse(text, path);
  if (!d.ok()) {
    errors.Add(path, "must be a date YYYY-MM-DD");
    return {};
  }
  return *d;
}

std::vector<std::string> Strings(const YAML::Node& node, const std::string& path,
                                 FieldErrors& errors) {
  std::vector<std::string> out;
  if (!node) return out;
  if (!node.IsSequence()) {
    errors.Add(path, "must be a list");
    return out;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    out.push_back(Text(node[i], fmt::format("{}[{}]", path, i), errors));
  }
  return out;
}

ProjectType Type(const YAML::Node& node, const std::string& path, FieldErrors& errors) {
  const std::string name = Text(node, path, errors);
  auto t = ParseProjectType(name);
  if (!t && !name.empty()) {
    errors.Add(path, "must be government_investment, social_investment or small_low_risk");
  }
  return t.value_or(ProjectType::kGovernmentInvestment);
}

std::map<ProjectType, int> Budgets(const YAML::Node& node, const std::string& path,
                                   FieldErrors& errors) {
  std::map<ProjectType, int> out;
  if (!node) return out;
  if (!node.IsMap()) {
    errors.Add(path, "must be a map of project type to working days");
    return out;
  }
  for (const auto& kv : node) {
    const std::string key = kv.first.as<std::string>();
    auto t = ParseProjectType(key);
    if (!t) {
      errors.Add(fmt::format("{}.{}", path, key), "not a project type");
      continue;
    }
    out[*t] = Int(kv.second, fmt::format("{}.{}", path, key), 1, 500, errors);
  }
  return out;
}

}  // namespace

std::string_view ProjectTypeName(ProjectType t) { return kProjectTypes[static_cast<size_t>(t)]; }
std::optional<ProjectType> ParseProjectType(std::string_view name) {
  return FindName<ProjectType>(kProjectTypes, name);
}
std::string_view PauseKindName(PauseKind k) { return kPauseKinds[static_cast<size_t>(k)]; }
std::optional<PauseKind> ParsePauseKind(std::string_view name) {
  return FindName<PauseKind>(kPauseKinds, name);
}
const std::vector<PauseKind>& AllPauseKinds() {
  static const std::vector<PauseKind> kAll = {PauseKind::kIntermediary, PauseKind::kUtility,
                                              PauseKind::kPublicNotice, PauseKind::kHearing,
                                              PauseKind::kExpertReview, PauseKind::kCorrection};
  return kAll;
}
std::string_view StageStateName(StageState s) { return kStageStates[static_cast<size_t>(s)]; }
std::optional<StageState> ParseStageState(std::string_view name) {
  return FindName<StageState>(kStageStates, name);
}
std::string_view MatterStateName(MatterState s) { return kMatterStates[static_cast<size_t>(s)]; }
std::optional<MatterState> ParseMatterState(std::string_view name) {
  return FindName<MatterState>(kMatterStates, name);
}
bool IsDone(MatterState s) {
  return s == MatterState::kApproved || s == MatterState::kRemoved || s == MatterState::kExempted;
}
std::string_view MaterialStateName(MaterialState s) {
  return kMaterialStates[static_cast<size_t>(s)];
}
std::optional<MaterialState> ParseMaterialState(std::string_view name) {
  return FindName<MaterialState>(kMaterialStates, name);
}

Result<StageTemplate> ParseTemplate(std::string_view yaml, std::string_view origin) {
  TB_ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(yaml, origin));
  FieldErrors errors;
  StageTemplate t;
  t.type = Type(root["type"], "type", errors);
  t.title = Text(root["title"], "title", errors);
  t.budget_days = Int(root["budget_days"], "budget_days", 1, 500, errors);
  const YAML::Node stages = root["stages"];
  if (!stages || !stages.IsSequence() || stages.size() == 0) {
    errors.Add("stages", "required: a list of stages");
  } else {
    std::set<std::string> codes;
    int shares = 0;
    for (size_t i = 0; i < stages.size(); ++i) {
      const std::string sp = fmt::format("stages[{}]", i);
      TemplateStage stage;
      stage.key = Text(stages[i]["key"], sp + ".key", errors);
      stage.title = Text(stages[i]["title"], sp + ".title", errors);
      stage.share_days = Int(stages[i]["share_days"], sp + ".share_days", 1, 500, errors);
      shares += stage.share_days;
      const YAML::Node matters = stages[i]["matters"];
      if (!matters || !matters.IsSequence() || matters.size() == 0) {
        errors.Add(sp + ".matters", "required: a list of matters");
      } else {
        for (size_t j = 0; j < matters.size(); ++j) {
          const std::string mp = fmt::format("{}.matters[{}]", sp, j);
          const YAML::Node m = matters[j];
          TemplateMatter matter;
          matter.code = Text(m["code"], mp + ".code", errors);
          if (!matter.code.empty() && !codes.insert(matter.code).second) {
            errors.Add(mp + ".code", "appears twice in the template");
          }
          matter.title = Text(m["title"], mp + ".title", errors);
          matter.department = Text(m["department"], mp + ".department", errors);
          matter.legal_days = Int(m["legal_days"], mp + ".legal_days", 0, 365, errors);
          matter.share_days = Int(m["share_days"], mp + ".share_days", 0, 500, errors);
          if (matter.share_days > stage.share_days) {
            errors.Add(mp + ".share_days", "exceeds the stage's share");
          }
          matter.fee_fen = static_cast<int64_t>(
                               Int(m["fee_yuan"], mp + ".fee_yuan", 0, 10000000, errors, false)) *
                           100;
          const YAML::Node materials = m["materials"];
          if (materials && materials.IsSequence()) {
            for (size_t k = 0; k < materials.size(); ++k) {
              const std::string kp = fmt::format("{}.materials[{}]", mp, k);
              TemplateMaterial material;
              material.name = Text(materials[k]["name"], kp + ".name", errors);
              material.core = materials[k]["core"] && materials[k]["core"].as<bool>(false);
              matter.materials.push_back(std::move(material));
            }
          }
          stage.matters.push_back(std::move(matter));
        }
      }
      t.stages.push_back(std::move(stage));
    }
    if (errors.empty() && shares != t.budget_days) {
      errors.Add("stages", fmt::format("the stages' shares add up to {}, not budget_days {}",
                                       shares, t.budget_days));
    }
  }
  if (!errors.empty()) return errors.ToError(fmt::format("{}: invalid stage template", origin));
  return t;
}

Result<std::vector<StageTemplate>> ShippedTemplates() {
  std::vector<StageTemplate> out;
  for (size_t i = 0; i < kProjectData_count; ++i) {
    const EmbeddedFile& f = kProjectData[i];
    if (f.path.find("/templates/") == std::string_view::npos) continue;
    auto parsed = ParseTemplate(f.contents, f.path);
    if (!parsed.ok()) return parsed.error();
    out.push_back(*parsed);
  }
  return out;
}

const RegionConfig* RegionsConfig::For(std::string_view region) const {
  std::vector<std::string> chain;
  if (region.size() == 6) {
    chain.emplace_back(region);
    chain.push_back(std::string(region.substr(0, 4)) + "00");
    chain.push_back(std::string(region.substr(0, 2)) + "0000");
  }
  chain.emplace_back("cn");
  for (const std::string& code : chain) {
    for (const RegionConfig& r : regions) {
      if (r.region == code) return &r;
    }
  }
  return nullptr;
}

const CaseMatter* RegionConfig::CaseMatterFor(std::string_view matter,
                                              std::string_view department) const {
  for (const CaseMatter& c : case_matters) {
    if (c.matter == matter && (c.department.empty() || c.department == department)) return &c;
  }
  return nullptr;
}

Result<RegionsConfig> ParseRegionsConfig(std::string_view yaml, std::string_view origin) {
  TB_ASSIGN_OR_RETURN(YAML::Node root, LoadYaml(yaml, origin));
  FieldErrors errors;
  RegionsConfig out;
  const YAML::Node list = root["regions"];
  if (!list || !list.IsSequence()) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: a list `regions` expected", origin),
                 {{"regions", "required"}});
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string rp = fmt::format("regions[{}]", i);
    const YAML::Node n = list[i];
    RegionConfig r;
    r.region = Text(n["region"], rp + ".region", errors);
    r.name = Text(n["name"], rp + ".name", errors, false);
    r.budgets = Budgets(n["budgets"], rp + ".budgets", errors);
    for (const std::string& kind : Strings(n["counted_pauses"], rp + ".counted_pauses", errors)) {
      if (auto k = ParsePauseKind(kind)) {
        r.counted_pauses.push_back(*k);
      } else {
        errors.Add(rp + ".counted_pauses", fmt::format("{} is not a pause kind", kind));
      }
    }
    if (n["removed"] && n["removed"].IsMap()) {
      for (const auto& kv : n["removed"]) {
        const std::string key = kv.first.as<std::string>();
        auto t = ParseProjectType(key);
        if (!t) {
          errors.Add(fmt::format("{}.removed.{}", rp, key), "not a project type");
          continue;
        }
        r.removed[*t] = Strings(kv.second, fmt::format("{}.removed.{}", rp, key), errors);
      }
    }
    if (n["assessments"]) {
      for (size_t j = 0; j < n["assessments"].size(); ++j) {
        const std::string ap = fmt::format("{}.assessments[{}]", rp, j);
        const YAML::Node a = n["assessments"][j];
        Assessment as;
        as.id = Text(a["id"], ap + ".id", errors);
        as.kind = Text(a["kind"], ap + ".kind", errors);
        as.title = Text(a["title"], ap + ".title", errors);
        as.basis = Text(a["basis"], ap + ".basis", errors);
        as.valid_from = Day(a["valid_from"], ap + ".valid_from", errors);
        as.valid_to = Day(a["valid_to"], ap + ".valid_to", errors);
        as.exempts = Strings(a["exempts"], ap + ".exempts", errors);
        if (as.exempts.empty()) errors.Add(ap + ".exempts", "required: the matters it exempts");
        r.assessments.push_back(std::move(as));
      }
    }
    if (n["delegations"]) {
      for (size_t j = 0; j < n["delegations"].size(); ++j) {
        const std::string dp = fmt::format("{}.delegations[{}]", rp, j);
        const YAML::Node d = n["delegations"][j];
        Delegation del;
        del.region = r.region;
        del.matter = Text(d["matter"], dp + ".matter", errors);
        del.from_department = Text(d["from"], dp + ".from", errors);
        del.to_department = Text(d["to"], dp + ".to", errors);
        del.basis = Text(d["basis"], dp + ".basis", errors);
        del.valid_from = Day(d["valid_from"], dp + ".valid_from", errors);
        del.valid_to = Day(d["valid_to"], dp + ".valid_to", errors);
        r.delegations.push_back(std::move(del));
      }
    }
    if (n["case_matters"]) {
      for (size_t j = 0; j < n["case_matters"].size(); ++j) {
        const std::string cp = fmt::format("{}.case_matters[{}]", rp, j);
        const YAML::Node c = n["case_matters"][j];
        CaseMatter cm;
        cm.matter = Text(c["matter"], cp + ".matter", errors);
        cm.department = Text(c["department"], cp + ".department", errors, false);
        cm.item = Text(c["item"], cp + ".item", errors);
        cm.scenario = Text(c["scenario"], cp + ".scenario", errors, false);
        if (c["form"] && c["form"].IsMap()) {
          for (const auto& kv : c["form"]) {
            cm.form[kv.first.as<std::string>()] = kv.second.as<std::string>();
          }
        }
        if (c["materials"] && c["materials"].IsMap()) {
          for (const auto& kv : c["materials"]) {
            cm.materials[kv.first.as<std::string>()] = kv.second.as<std::string>();
          }
        }
        for (const CaseMatter& other : r.case_matters) {
          if (other.item == cm.item) {
            errors.Add(cp + ".item", "each item handles one matter of the region");
          }
        }
        r.case_matters.push_back(std::move(cm));
      }
    }
    out.regions.push_back(std::move(r));
  }
  if (!errors.empty()) return errors.ToError(fmt::format("{}: invalid regions", origin));
  return out;
}

Result<RegionsConfig> ShippedRegionsConfig() {
  for (size_t i = 0; i < kProjectData_count; ++i) {
    if (kProjectData[i].path.ends_with("data/projects/regions.yaml")) {
      return ParseRegionsConfig(kProjectData[i].contents, kProjectData[i].path);
    }
  }
  return Error(ErrorCode::kInternal, "data/projects/regions.yaml is not embedded");
}

}  // namespace tongban::projects
