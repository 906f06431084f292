#include "catalog/guide.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "catalog/text.h"
#include "dmn/evaluator.h"
#include "dmn/yaml_table.h"

namespace tongban::catalog {
namespace {

// Longer walks than this mean a cycle (CheckGuide refuses those; stored data may be older).
constexpr size_t kMaxSteps = 64;

bool IsGuideIdentifier(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsGuideCode(std::string_view code) {
  if (code.empty() || code.size() > 64) return false;
  return std::all_of(code.begin(), code.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
  });
}

const GuideQuestion* FindQuestion(const Guide& guide, std::string_view id) {
  for (const auto& q : guide.questions) {
    if (q.id == id) return &q;
  }
  return nullptr;
}

const Scenario* FindScenario(const std::vector<Scenario>& scenarios, std::string_view code) {
  for (const auto& s : scenarios) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

// The decision table's model, compiled; its problems as messages when it does not read.
Result<std::shared_ptr<const dmn::DecisionModel>> BuildTable(const std::string& text) {
  TB_ASSIGN_OR_RETURN(dmn::Definitions defs, dmn::ParseDecisionTableYaml(text, "guide"));
  dmn::ModelSet set;
  set.models.push_back(std::make_shared<const dmn::Definitions>(std::move(defs)));
  return dmn::DecisionModel::Build(std::move(set));
}

// The option of `q` answered in `answers`, null when the question is not answered yet.
Result<const GuideOption*> AnswerOf(const GuideQuestion& q, const GuideAnswers& answers) {
  auto it = answers.find(q.id);
  if (it == answers.end()) return nullptr;
  for (const auto& o : q.options) {
    if (o.value == it->second) return &o;
  }
  std::string values;
  for (const auto& o : q.options) values += (values.empty() ? "" : ", ") + o.value;
  return Error(
      ErrorCode::kInvalidArgument, "an answer is not one of its question's options",
      {{"answers/" + q.id, fmt::format("'{}' is not one of {}", Excerpt(it->second, 80), values)}});
}

std::string RequirementText(const Material& m) {
  switch (m.required) {
    case Requirement::kAlways:
      return "必要";
    case Requirement::kConditional:
      return fmt::format("情形必要（{}）", m.condition);
    case Requirement::kOptional:
      return "非必要";
  }
  return "";
}

std::string SourceText(const Material& m) {
  std::string out(EnumSpecs<MaterialSource>()[static_cast<size_t>(m.source)].alias);
  if (m.source == MaterialSource::kLicence && !m.licence_type.empty()) {
    out += fmt::format("（电子证照：{}）", m.licence_type);
  }
  if (m.source == MaterialSource::kCertificateRequest && !m.certificate.empty()) {
    out += fmt::format("（证明事项 {}）", m.certificate);
  }
  return out;
}

std::string Html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::vector<FieldError> CheckGuide(const Guide& guide, const std::vector<Scenario>& scenarios,
                                   const std::string& path) {
  std::vector<FieldError> out;
  auto add = [&](std::string p, std::string message) {
    out.push_back({std::move(p), std::move(message)});
  };
  const bool table = !guide.decision_table.empty();
  if (guide.questions.empty()) add(JoinPath(path, "questions"), "needs at least one question");
  std::set<std::string, std::less<>> ids;
  for (size_t i = 0; i < guide.questions.size(); ++i) {
    const GuideQuestion& q = guide.questions[i];
    const std::string qp = JoinPath(JoinPath(path, "questions"), i);
    if (!IsGuideIdentifier(q.id)) {
      add(JoinPath(qp, "id"), fmt::format("'{}' must be an identifier: a letter or '_', then "
                                          "letters, digits or '_'",
                                          Excerpt(q.id)));
    } else if (!ids.insert(q.id).second) {
      add(JoinPath(qp, "id"), fmt::format("'{}' is used by an earlier question", q.id));
    }
    if (q.text.empty()) add(JoinPath(qp, "text"), "is required");
    if (q.options.empty()) add(JoinPath(qp, "options"), "needs at least one option");
    std::set<std::string, std::less<>> values;
    for (size_t k = 0; k < q.options.size(); ++k) {
      const GuideOption& o = q.options[k];
      const std::string op = JoinPath(JoinPath(qp, "options"), k);
      if (!IsGuideCode(o.value)) {
        add(JoinPath(op, "value"), "must be a code: letters, digits, '.', '_' or '-'");
      } else if (!values.insert(o.value).second) {
        add(JoinPath(op, "value"), fmt::format("'{}' is offered twice", o.value));
      }
      if (o.label.empty()) add(JoinPath(op, "label"), "is required");
      if (table) {
        if (!o.next.empty() || !o.scenario.empty()) {
          add(op, "under a decision table an option leads nowhere itself (no next, no scenario)");
        }
        continue;
      }
      if (o.next.empty() == o.scenario.empty()) {
        add(op, "needs exactly one of next (a question id) and scenario (a scenario code)");
      } else if (!o.next.empty() && FindQuestion(guide, o.next) == nullptr) {
        add(JoinPath(op, "next"), fmt::format("no question '{}'", Excerpt(o.next)));
      } else if (!o.scenario.empty() && FindScenario(scenarios, o.scenario) == nullptr) {
        add(JoinPath(op, "scenario"), fmt::format("no scenario '{}'", Excerpt(o.scenario)));
      }
    }
  }
  if (table) {
    auto model = BuildTable(guide.decision_table);
    if (!model.ok()) {
      add(JoinPath(path, "decision_table"), model.error().message());
      for (const auto& f : model.error().fields()) {
        add(JoinPath(JoinPath(path, "decision_table"), f.field), f.message);
      }
    } else {
      for (const auto& p : (*model)->problems()) add(JoinPath(path, "decision_table"), p);
    }
    return out;
  }
  if (!out.empty() || guide.questions.empty()) return out;
  // A tree: every question reachable from the first, and none from itself (depth-first walk
  // with the questions on the current path).
  std::set<std::string> reached;
  std::vector<std::string> on_path;
  std::function<void(const GuideQuestion&)> walk = [&](const GuideQuestion& q) {
    if (std::find(on_path.begin(), on_path.end(), q.id) != on_path.end()) {
      add(JoinPath(path, "questions"),
          fmt::format("question '{}' can be reached from itself", q.id));
      return;
    }
    if (!reached.insert(q.id).second) return;
    on_path.push_back(q.id);
    for (const auto& o : q.options) {
      if (!o.next.empty()) walk(*FindQuestion(guide, o.next));
    }
    on_path.pop_back();
  };
  walk(guide.questions.front());
  for (size_t i = 0; i < guide.questions.size(); ++i) {
    if (!reached.contains(guide.questions[i].id)) {
      add(JoinPath(JoinPath(JoinPath(path, "questions"), i), "id"),
          "no answer leads to this question");
    }
  }
  return out;
}

Result<GuideStep> RunGuide(const ImplementationItem& item, const GuideAnswers& answers) {
  GuideStep step;
  if (!item.guide) {
    if (item.scenarios.size() == 1) {
      step.scenario = item.scenarios.front();
      return step;
    }
    return Error(ErrorCode::kNotFound,
                 fmt::format("matter {} has no guide: choose one of its scenarios", item.code));
  }
  const Guide& guide = *item.guide;
  if (guide.questions.empty()) {
    return Error(ErrorCode::kIntegrity, fmt::format("the guide of {} has no question", item.code));
  }
  auto record = [&](const GuideQuestion& q, const GuideOption& o) {
    step.answered.push_back({q.id, q.text, o.value, o.label});
  };
  auto select = [&](std::string_view code) -> Result<GuideStep> {
    const Scenario* s = FindScenario(item.scenarios, code);
    if (s == nullptr) {
      return Error(ErrorCode::kIntegrity,
                   fmt::format("the guide of {} selects scenario '{}', which it does not have",
                               item.code, Excerpt(code, 80)));
    }
    step.scenario = *s;
    return step;
  };

  if (guide.decision_table.empty()) {
    const GuideQuestion* q = &guide.questions.front();
    for (size_t n = 0; n < kMaxSteps; ++n) {
      TB_ASSIGN_OR_RETURN(const GuideOption* o, AnswerOf(*q, answers));
      if (o == nullptr) {
        step.question = *q;
        return step;
      }
      record(*q, *o);
      if (!o->scenario.empty()) return select(o->scenario);
      q = FindQuestion(guide, o->next);
      if (q == nullptr) {
        return Error(ErrorCode::kIntegrity, fmt::format("the guide of {} leads to no question '{}'",
                                                        item.code, Excerpt(o->next, 80)));
      }
    }
    return Error(ErrorCode::kIntegrity, fmt::format("the guide of {} runs in a circle", item.code));
  }

  std::vector<dmn::InputValue> inputs;
  for (const auto& q : guide.questions) {
    TB_ASSIGN_OR_RETURN(const GuideOption* o, AnswerOf(q, answers));
    if (o == nullptr) {
      step.question = q;
      return step;
    }
    record(q, *o);
    inputs.push_back({.namespace_uri = "", .name = q.id, .value = feel::Value::String(o->value)});
  }
  auto model = BuildTable(guide.decision_table);
  if (!model.ok()) {
    return Error(ErrorCode::kIntegrity, fmt::format("the guide table of {} does not read: {}",
                                                    item.code, model.error().message()));
  }
  const auto& decisions = (*model)->models().main().decisions;
  if (decisions.empty()) {
    return Error(ErrorCode::kIntegrity,
                 fmt::format("the guide table of {} has no decision", item.code));
  }
  TB_ASSIGN_OR_RETURN(dmn::Outcome outcome,
                      (*model)->EvaluateDecision(decisions.front().name, inputs));
  if (outcome.value.kind() != feel::Kind::kString) {
    std::string why = outcome.warnings.empty() ? "no rule matched" : outcome.warnings.front();
    return Error(ErrorCode::kRefused,
                 fmt::format("the guide finds no scenario of {} for these answers ({}); "
                             "please ask at a window",
                             item.code, Excerpt(why, 200)));
  }
  return select(outcome.value.string());
}

std::string ChecklistText(const Matter& matter, const GuideStep& step) {
  std::string out = fmt::format("{}（{}）\n", matter.basic.name, matter.item.code);
  out += fmt::format("实施部门：{}\n", matter.department.name);
  if (!step.answered.empty()) {
    out += "\n您的情况：\n";
    for (const auto& a : step.answered) out += fmt::format("  {} {}\n", a.text, a.label);
  }
  if (!step.scenario) return out + "\n（尚未确定办理情形）\n";
  const Scenario& s = *step.scenario;
  out += fmt::format("\n办理情形：{}\n\n申请材料：\n", s.name);
  for (size_t i = 0; i < s.materials.size(); ++i) {
    const Material& m = s.materials[i];
    out += fmt::format("  {}. {}  [{}] 来源：{}{}\n", i + 1, m.name, RequirementText(m),
                       SourceText(m), m.core ? "  核心材料" : "");
  }
  if (!s.form.empty()) {
    out += "\n需填写：\n";
    for (const auto& f : s.form) {
      out += fmt::format("  {}{}\n", f.label, f.required ? "（必填）" : "");
    }
  }
  return out;
}

std::string ChecklistHtml(const Matter& matter, const GuideStep& step) {
  std::string out = "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">";
  out += fmt::format("<title>{} 一次性告知单</title></head><body>\n", Html(matter.basic.name));
  out += fmt::format("<h1>{}</h1>\n<p>{} · {}</p>\n", Html(matter.basic.name),
                     Html(matter.item.code), Html(matter.department.name));
  if (!step.answered.empty()) {
    out += "<h2>您的情况</h2>\n<ul>\n";
    for (const auto& a : step.answered) {
      out += fmt::format("<li>{} {}</li>\n", Html(a.text), Html(a.label));
    }
    out += "</ul>\n";
  }
  if (step.scenario) {
    const Scenario& s = *step.scenario;
    out += fmt::format("<h2>办理情形：{}</h2>\n<table>\n", Html(s.name));
    out += "<tr><th>材料</th><th>要求</th><th>来源</th></tr>\n";
    for (const auto& m : s.materials) {
      out += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", Html(m.name),
                         Html(RequirementText(m)), Html(SourceText(m)));
    }
    out += "</table>\n";
    if (!s.form.empty()) {
      out += "<h2>需填写</h2>\n<ul>\n";
      for (const auto& f : s.form) {
        out += fmt::format("<li>{}{}</li>\n", Html(f.label), f.required ? "（必填）" : "");
      }
      out += "</ul>\n";
    }
  }
  return out + "</body></html>\n";
}

}  // namespace tongban::catalog
