// pugixml has no namespace support: prefixes are resolved here by walking the `xmlns`
// declarations of the element and its ancestors.
#include "bpmn/reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <pugixml.hpp>
#include <set>
#include <sstream>
#include <utility>

#include "base/calendar.h"
#include "feel/platform_functions.h"
#include "feel/temporal.h"

namespace tongban::bpmn {
namespace {

constexpr std::string_view kZeebe = "http://camunda.org/schema/zeebe/1.0";
constexpr std::string_view kCamunda = "http://camunda.org/schema/1.0/bpmn";
// Namespaces that only draw or annotate the diagram.
constexpr std::array<std::string_view, 9> kPresentation = {
    "http://www.omg.org/spec/BPMN/20100524/DI",
    "http://www.omg.org/spec/DD/20100524/DC",
    "http://www.omg.org/spec/DD/20100524/DI",
    "http://bpmn.io/schema/bpmn/biocolor/1.0",
    "http://www.omg.org/spec/BPMN/non-normative/color/1.0",
    "http://camunda.org/schema/modeler/1.0",
    "http://www.w3.org/2001/XMLSchema-instance",
    "http://www.w3.org/XML/1998/namespace",
    "http://bpmn.io/schema/bpmn",
};
// camunda: attributes that do not change execution.
constexpr std::array<std::string_view, 9> kCamundaHarmless = {
    "versionTag",      "historyTimeToLive",      "isStartableInTasklist",
    "modelerTemplate", "modelerTemplateVersion", "formKey",
    "formRef",         "formRefBinding",         "formRefVersion"};

thread_local const Clock* current_clock = nullptr;

const Clock& EngineClock() { return current_clock ? *current_clock : SystemClock::Instance(); }

const feel::Zone& PlatformZone() {
  static const feel::Zone* zone =
      new feel::Zone(feel::Zone::Named("Asia/Shanghai").value_or(*feel::Zone::Offset(8 * 3600)));
  return *zone;
}

bool IsBpmnUri(std::string_view uri) {
  return uri == "http://www.omg.org/spec/BPMN/20100524/MODEL" ||
         uri == "http://schema.omg.org/spec/BPMN/2.0";
}

bool IsPresentationUri(std::string_view uri) {
  return std::find(kPresentation.begin(), kPresentation.end(), uri) != kPresentation.end();
}

std::string_view PrefixOf(std::string_view qname) {
  size_t colon = qname.find(':');
  return colon == std::string_view::npos ? std::string_view() : qname.substr(0, colon);
}

std::string_view LocalName(std::string_view qname) {
  size_t colon = qname.find(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

std::string_view ResolvePrefix(pugi::xml_node node, std::string_view prefix) {
  std::string attr = prefix.empty() ? std::string("xmlns") : "xmlns:" + std::string(prefix);
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (n.type() != pugi::node_element) continue;
    pugi::xml_attribute a = n.attribute(attr.c_str());
    if (a) return a.value();
  }
  if (prefix == "xml") return "http://www.w3.org/XML/1998/namespace";
  return {};
}

std::string_view UriOf(pugi::xml_node node) { return ResolvePrefix(node, PrefixOf(node.name())); }

bool IsBpmn(pugi::xml_node node) {
  return node.type() == pugi::node_element && IsBpmnUri(UriOf(node));
}

bool Is(pugi::xml_node node, std::string_view local) {
  return IsBpmn(node) && LocalName(node.name()) == local;
}

pugi::xml_node Child(pugi::xml_node node, std::string_view local) {
  for (pugi::xml_node c : node.children()) {
    if (Is(c, local)) return c;
  }
  return {};
}

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::string TextOf(pugi::xml_node node) { return Trim(node.text().get()); }

// The id of `node`, or of the closest ancestor that has one.
std::string IdOf(pugi::xml_node node) {
  for (pugi::xml_node n = node; n; n = n.parent()) {
    if (n.type() == pugi::node_element && n.attribute("id")) return n.attribute("id").value();
  }
  return "definitions";
}

struct NodeKindName {
  std::string_view name;
  NodeKind kind;
};

constexpr std::array<NodeKindName, 19> kNodeKinds = {{
    {"startEvent", NodeKind::kStartEvent},
    {"endEvent", NodeKind::kEndEvent},
    {"intermediateCatchEvent", NodeKind::kIntermediateCatchEvent},
    {"intermediateThrowEvent", NodeKind::kIntermediateThrowEvent},
    {"boundaryEvent", NodeKind::kBoundaryEvent},
    {"task", NodeKind::kTask},
    {"manualTask", NodeKind::kTask},
    {"userTask", NodeKind::kUserTask},
    {"serviceTask", NodeKind::kServiceTask},
    {"businessRuleTask", NodeKind::kBusinessRuleTask},
    {"scriptTask", NodeKind::kScriptTask},
    {"receiveTask", NodeKind::kReceiveTask},
    {"sendTask", NodeKind::kSendTask},
    {"exclusiveGateway", NodeKind::kExclusiveGateway},
    {"parallelGateway", NodeKind::kParallelGateway},
    {"inclusiveGateway", NodeKind::kInclusiveGateway},
    {"eventBasedGateway", NodeKind::kEventBasedGateway},
    {"subProcess", NodeKind::kSubProcess},
    {"callActivity", NodeKind::kCallActivity},
}};

std::optional<NodeKind> KindOf(std::string_view local) {
  for (const NodeKindName& k : kNodeKinds) {
    if (k.name == local) return k.kind;
  }
  return std::nullopt;
}

// BPMN elements inside a process that neither run nor change how it runs.
bool IsInertElement(std::string_view local) {
  static const std::set<std::string_view> kInert = {"documentation",
                                                    "extensionElements",
                                                    "incoming",
                                                    "outgoing",
                                                    "laneSet",
                                                    "lane",
                                                    "flowNodeRef",
                                                    "textAnnotation",
                                                    "association",
                                                    "dataObject",
                                                    "dataObjectReference",
                                                    "dataStoreReference",
                                                    "group",
                                                    "category",
                                                    "property",
                                                    "ioSpecification"};
  return kInert.contains(local);
}

class Reader {
 public:
  Reader() : scope_(std::make_shared<feel::Scope>()) {
    static const Calendar* calendar = Calendar::WithEmbeddedSchedules().release();
    feel::AddCalendarFunctions(*scope_, *calendar);
    scope_->AddFunction({"now", {}, 0, false, [](std::span<const feel::Value>, feel::CallContext&) {
                           return feel::Value::FromDateTime(
                               feel::DateTime::FromTimestamp(EngineClock().Now(), PlatformZone()));
                         }});
    scope_->AddFunction(
        {"today", {}, 0, false, [](std::span<const feel::Value>, feel::CallContext&) {
           return feel::Value::FromDate(
               feel::DateTime::FromTimestamp(EngineClock().Now(), PlatformZone()).date());
         }});
  }

  Result<Definitions> Read(pugi::xml_node root) {
    if (!Is(root, "definitions")) {
      return Error(ErrorCode::kInvalidArgument,
                   fmt::format("the root element <{}> is not BPMN 2.0 definitions (namespace "
                               "http://www.omg.org/spec/BPMN/20100524/MODEL)",
                               root.name()));
    }
    for (pugi::xml_node c : root.children()) {
      if (Is(c, "message")) {
        messages_[c.attribute("id").value()] = c.attribute("name").value();
        // Camunda 8 writes the correlation key on the message: zeebe:subscription.
        if (pugi::xml_node ext = Child(c, "extensionElements")) {
          for (pugi::xml_node z : ext.children()) {
            if (UriOf(z) == kZeebe && LocalName(z.name()) == "subscription") {
              message_keys_[c.attribute("id").value()] = z.attribute("correlationKey").value();
            }
          }
        }
      }
      if (Is(c, "error")) errors_[c.attribute("id").value()] = c.attribute("errorCode").value();
      if (Is(c, "escalation")) {
        escalations_[c.attribute("id").value()] = c.attribute("escalationCode").value();
      }
    }
    for (pugi::xml_node c : root.children()) {
      if (!Is(c, "process")) continue;
      Process p;
      p.id = c.attribute("id").value();
      p.name = c.attribute("name").value();
      CheckAttributes(c, p.id);
      if (std::string_view(c.attribute("isExecutable").value()) == "false") {
        Warn(p.id,
             "isExecutable=\"false\": `bpmn run` runs it to try it, Camunda 8 and "
             "bpmn-engine do not run it on their own");
      }
      ReadScope(c, -1, p);
      ResolveFlows(p);
      for (Problem& problem : Validate(p)) defs_.problems.push_back(std::move(problem));
      defs_.processes.push_back(std::move(p));
    }
    if (defs_.processes.empty()) {
      Refuse(IdOf(root), "the definitions have no process");
    }
    defs_.scope = scope_;
    return std::move(defs_);
  }

 private:
  void Refuse(const std::string& id, std::string message) {
    defs_.problems.push_back({Severity::kError, id, std::move(message)});
  }
  void Warn(const std::string& id, std::string message) {
    defs_.problems.push_back({Severity::kWarning, id, std::move(message)});
  }

  void SetMessage(const std::string& ref, Node& n) {
    n.message_name = messages_[ref];
    auto key = message_keys_.find(ref);
    if (key != message_keys_.end() && n.correlation_key.empty()) {
      n.correlation_key = ReadExpression(key->second, n.id, "correlation key", true);
    }
  }

  // Compiles FEEL `text`; names it uses become variables of the scope.
  std::shared_ptr<feel::Program> CompileFeel(const std::string& text, const std::string& id,
                                             std::string_view what) {
    for (int attempt = 0; attempt < 64; ++attempt) {
      Result<feel::Program> program = feel::Compile(text, *scope_);
      if (program.ok()) return std::make_shared<feel::Program>(*std::move(program));
      std::vector<feel::Diagnostic> diagnostics = feel::DiagnosticsOf(program.error());
      bool declared = false;
      for (const feel::Diagnostic& d : diagnostics) {
        constexpr std::string_view kUnknown = "unknown name '";
        if (!d.message.starts_with(kUnknown)) continue;
        size_t end = d.message.find('\'', kUnknown.size());
        if (end == std::string::npos) continue;
        std::string name = d.message.substr(kUnknown.size(), end - kUnknown.size());
        if (scope_->Find(name) >= 0) continue;
        scope_->Declare(name);
        declared = true;
      }
      if (!declared) {
        std::string first = diagnostics.empty()
                                ? program.error().message()
                                : fmt::format("{}:{}: {}", diagnostics[0].line,
                                              diagnostics[0].column, diagnostics[0].message);
        Refuse(id, fmt::format("{} `{}`: FEEL error: {}", what, text, first));
        return nullptr;
      }
    }
    Refuse(id, fmt::format("{} `{}`: too many unknown names", what, text));
    return nullptr;
  }

  // A model expression: `=FEEL` is compiled, anything else is a literal. Camunda 7 `${...}`
  // expressions are refused.
  Expression ReadExpression(std::string_view raw, const std::string& id, std::string_view what,
                            bool always_feel = false) {
    std::string text = Trim(raw);
    Expression e;
    if (text.find("${") != std::string::npos || text.find("#{") != std::string::npos) {
      Refuse(id, fmt::format("{} `{}` is a Camunda 7 / JavaScript expression: write it in FEEL "
                             "with a leading `=`",
                             what, text));
      e.text = text;
      return e;
    }
    if (text.starts_with('=')) {
      e.text = Trim(std::string_view(text).substr(1));
      e.feel = CompileFeel(e.text, id, what);
    } else if (always_feel && !text.empty()) {
      e.text = text;
      e.feel = CompileFeel(e.text, id, what);
    } else {
      e.text = text;
    }
    return e;
  }

  // Refuses camunda: attributes that change execution; warns of unknown extension attributes.
  // `flow_node`: the node `node` is read into, which takes camunda:asyncBefore.
  void CheckAttributes(pugi::xml_node node, const std::string& id, Node* flow_node = nullptr) {
    for (pugi::xml_attribute a : node.attributes()) {
      std::string_view qname = a.name();
      std::string_view prefix = PrefixOf(qname);
      if (prefix.empty() || prefix == "xmlns") continue;
      std::string_view uri = ResolvePrefix(node, prefix);
      std::string_view local = LocalName(qname);
      if (uri == kCamunda) {
        if (std::find(kCamundaHarmless.begin(), kCamundaHarmless.end(), local) !=
            kCamundaHarmless.end()) {
          continue;
        }
        if (local == "asyncBefore" && flow_node != nullptr) {
          ReadAsyncBefore(a.value(), *flow_node);
          continue;
        }
        Refuse(id, fmt::format("Camunda 7 attribute camunda:{} is not supported (use the "
                               "zeebe: extension elements of Camunda 8)",
                               local));
      } else if (uri == kZeebe || IsPresentationUri(uri) || IsBpmnUri(uri)) {
        continue;
      } else {
        Warn(id, fmt::format("extension attribute {} ({}) is ignored", qname, uri));
      }
    }
  }

  // camunda:asyncBefore="true" on a service task: its action runs as a job after the step
  // commits, even when the action is registered to run inside the step's transaction. Other
  // elements already end their step where they wait, so there it changes nothing.
  void ReadAsyncBefore(std::string_view value, Node& n) {
    if (value != "true" && value != "false") {
      Refuse(n.id, fmt::format("camunda:asyncBefore is '{}', not true or false", value));
      return;
    }
    if (n.kind != NodeKind::kServiceTask) {
      Warn(n.id, "camunda:asyncBefore only changes service tasks: ignored");
      return;
    }
    n.async_before = value == "true";
  }

  void ReadZeebe(pugi::xml_node ext, Node& n) {
    std::string_view local = LocalName(ext.name());
    auto attr = [&](const char* name) { return std::string(ext.attribute(name).value()); };
    if (local == "taskDefinition") {
      n.task_type = attr("type");
    } else if (local == "assignmentDefinition") {
      n.assignee = ReadExpression(attr("assignee"), n.id, "assignee");
      // candidateGroups / candidateUsers: a literal comma-separated list, or FEEL with `=`
      // evaluated when each task is created (one department per multi-instance item).
      auto read_list = [&](const char* name, std::string_view what, std::vector<std::string>& list,
                           Expression& expr) {
        std::string text = Trim(attr(name));
        if (text.starts_with('=') || text.find("${") != std::string::npos ||
            text.find("#{") != std::string::npos) {
          expr = ReadExpression(text, n.id, what);
          return;
        }
        std::stringstream ss(text);
        std::string item;
        while (std::getline(ss, item, ',')) {
          if (!Trim(item).empty()) list.push_back(Trim(item));
        }
      };
      read_list("candidateGroups", "candidate groups", n.candidate_groups, n.candidate_groups_expr);
      read_list("candidateUsers", "candidate users", n.candidate_users, n.candidate_users_expr);
      for (const std::string& group : n.candidate_groups) {
        Warn(n.id, fmt::format("candidate group '{}' is not checked without a catalog", group));
      }
    } else if (local == "taskSchedule") {
      n.due_date = ReadExpression(attr("dueDate"), n.id, "due date");
    } else if (local == "taskHeaders") {
      for (pugi::xml_node h : ext.children()) {
        if (h.type() == pugi::node_element) {
          n.headers[h.attribute("key").value()] = h.attribute("value").value();
        }
      }
    } else if (local == "properties") {
      for (pugi::xml_node h : ext.children()) {
        if (h.type() == pugi::node_element) {
          n.properties[h.attribute("name").value()] = h.attribute("value").value();
        }
      }
    } else if (local == "ioMapping") {
      for (pugi::xml_node m : ext.children()) {
        if (m.type() != pugi::node_element) continue;
        IoMapping io{ReadExpression(m.attribute("source").value(), n.id, "io mapping source", true),
                     m.attribute("target").value()};
        (LocalName(m.name()) == "input" ? n.inputs : n.outputs).push_back(std::move(io));
      }
    } else if (local == "calledElement") {
      n.called_element = attr("processId");
    } else if (local == "calledDecision") {
      n.called_decision = attr("decisionId");
      n.result_variable = attr("resultVariable");
    } else if (local == "subscription") {
      n.correlation_key = ReadExpression(attr("correlationKey"), n.id, "correlation key", true);
    } else if (local == "script") {
      n.script = ReadExpression(attr("expression"), n.id, "script", true);
      n.result_variable = attr("resultVariable");
    } else if (local == "loopCharacteristics") {
      if (!n.loop) n.loop.emplace();
      n.loop->input_collection =
          ReadExpression(attr("inputCollection"), n.id, "input collection", true);
      n.loop->input_element = attr("inputElement");
      n.loop->output_collection = attr("outputCollection");
      n.loop->output_element = ReadExpression(attr("outputElement"), n.id, "output element", true);
    } else if (local == "formDefinition" || local == "userTask" || local == "executionListeners" ||
               local == "versionTag") {
      if (local == "executionListeners") {
        Refuse(n.id, "zeebe:executionListeners are not supported");
      }
    } else {
      Refuse(n.id, fmt::format("zeebe:{} is not supported", local));
    }
  }

  void ReadExtensions(pugi::xml_node element, Node& n) {
    for (pugi::xml_node ext : element.children()) {
      if (ext.type() != pugi::node_element) continue;
      std::string_view uri = UriOf(ext);
      std::string_view local = LocalName(ext.name());
      if (uri == kZeebe) {
        ReadZeebe(ext, n);
      } else if (uri == kCamunda) {
        if (local == "properties") continue;
        if (local == "formData") {
          Warn(n.id, "camunda:formData describes a form for the task list; the engine ignores it");
          continue;
        }
        if ((local == "taskListener" || local == "executionListener") && DoesNothing(ext)) {
          Warn(n.id,
               fmt::format("camunda:{} names no class, expression or script: ignored", local));
          continue;
        }
        Refuse(n.id, fmt::format("Camunda 7 extension camunda:{} is not supported (use the "
                                 "zeebe: extension elements of Camunda 8)",
                                 local));
      } else if (!IsPresentationUri(uri)) {
        Refuse(n.id, fmt::format("extension element {} ({}) is not supported", ext.name(), uri));
      }
    }
  }

  // A Camunda 7 listener that names nothing to run (the modeler writes `class=""`).
  static bool DoesNothing(pugi::xml_node listener) {
    for (const char* attr : {"class", "expression", "delegateExpression"}) {
      if (!Trim(listener.attribute(attr).value()).empty()) return false;
    }
    return !listener.find_child([](pugi::xml_node c) { return c.type() == pugi::node_element; });
  }

  void ReadTimer(pugi::xml_node def, Node& n) {
    Timer t;
    pugi::xml_node value;
    constexpr std::array<std::pair<std::string_view, TimerKind>, 3> kTimerElements = {{
        {"timeDuration", TimerKind::kDuration},
        {"timeDate", TimerKind::kDate},
        {"timeCycle", TimerKind::kCycle},
    }};
    for (const auto& [element, kind] : kTimerElements) {
      if (value) break;
      value = Child(def, element);
      t.kind = kind;
    }
    if (!value) {
      Refuse(n.id, "timer has no timeDuration, timeDate or timeCycle");
      return;
    }
    t.value = ReadExpression(TextOf(value), n.id, "timer");
    if (!t.value.feel && !t.value.text.empty() && t.value.text.find("${") == std::string::npos) {
      std::string_view text = t.value.text;
      bool ok = false;
      if (t.kind == TimerKind::kDuration) {
        ok = feel::DaysTimeDuration::Parse(text) || feel::YearsMonthsDuration::Parse(text);
      } else if (t.kind == TimerKind::kDate) {
        ok = feel::DateTime::Parse(text) || feel::Date::Parse(text);
      } else {
        size_t slash = text.rfind('/');
        std::string_view d = slash == std::string_view::npos ? text : text.substr(slash + 1);
        ok = text.starts_with('R') &&
             (feel::DaysTimeDuration::Parse(d) || feel::YearsMonthsDuration::Parse(d));
      }
      if (!ok) Refuse(n.id, fmt::format("timer value `{}` is not ISO 8601", text));
    }
    n.timer = std::move(t);
  }

  void ReadMultiInstance(pugi::xml_node mi, Node& n) {
    if (!n.loop) n.loop.emplace();
    CheckAttributes(mi, n.id);
    n.loop->sequential = std::string_view(mi.attribute("isSequential").value()) == "true";
    if (pugi::xml_node c = Child(mi, "loopCardinality")) {
      n.loop->cardinality = ReadExpression(TextOf(c), n.id, "loop cardinality", true);
    }
    if (pugi::xml_node c = Child(mi, "completionCondition")) {
      n.loop->completion_condition = ReadExpression(TextOf(c), n.id, "completion condition", true);
    }
    if (pugi::xml_node ext = Child(mi, "extensionElements")) ReadExtensions(ext, n);
    if (n.loop->input_collection.empty() && n.loop->cardinality.empty()) {
      Refuse(n.id, "multi-instance has neither an input collection nor a loop cardinality");
    }
  }

  void ReadNode(pugi::xml_node element, NodeKind kind, int parent, Process& p) {
    Node n;
    n.id = element.attribute("id").value();
    n.name = element.attribute("name").value();
    n.kind = kind;
    n.parent = parent;
    if (n.id.empty()) {
      Refuse(IdOf(element.parent()), fmt::format("<{}> has no id", element.name()));
      return;
    }
    if (p.node_index.contains(n.id)) {
      Refuse(n.id, "the id is used twice");
      return;
    }
    CheckAttributes(element, n.id, &n);
    if (kind == NodeKind::kBoundaryEvent) {
      n.cancel_activity = std::string_view(element.attribute("cancelActivity").value()) != "false";
      attached_.emplace_back(n.id, element.attribute("attachedToRef").value());
    }
    if (element.attribute("default"))
      defaults_.emplace_back(n.id, element.attribute("default").value());
    if (kind == NodeKind::kReceiveTask || kind == NodeKind::kSendTask) {
      SetMessage(element.attribute("messageRef").value(), n);
    }
    if (kind == NodeKind::kScriptTask) {
      std::string format = element.attribute("scriptFormat").value();
      std::transform(format.begin(), format.end(), format.begin(), ::tolower);
      if (format.find("javascript") != std::string::npos || format == "js") {
        Refuse(n.id, "a JavaScript script task is not supported (write a FEEL zeebe:script)");
      } else if (!format.empty() && format != "feel") {
        Refuse(n.id, fmt::format("script format '{}' is not supported", format));
      }
    }
    if (kind == NodeKind::kServiceTask && element.attribute("implementation") &&
        std::string_view(element.attribute("implementation").value()) != "##WebService" &&
        std::string_view(element.attribute("implementation").value()) != "##unspecified") {
      Refuse(n.id,
             "a service task implementation other than a platform action (zeebe:"
             "taskDefinition) is not supported");
    }
    if (kind == NodeKind::kCallActivity && element.attribute("calledElement")) {
      n.called_element = element.attribute("calledElement").value();
    }
    int definitions = 0;
    for (pugi::xml_node c : element.children()) {
      if (!IsBpmn(c)) {
        if (c.type() == pugi::node_element && !IsPresentationUri(UriOf(c))) {
          Refuse(n.id, fmt::format("element {} is not supported", c.name()));
        }
        continue;
      }
      std::string_view local = LocalName(c.name());
      if (local.ends_with("EventDefinition")) {
        ++definitions;
        CheckAttributes(c, n.id);
        if (local == "timerEventDefinition") {
          n.event = EventKind::kTimer;
          ReadTimer(c, n);
        } else if (local == "messageEventDefinition") {
          n.event = EventKind::kMessage;
          SetMessage(c.attribute("messageRef").value(), n);
        } else if (local == "errorEventDefinition") {
          n.event = EventKind::kError;
          n.error_code = errors_[c.attribute("errorRef").value()];
        } else if (local == "escalationEventDefinition") {
          n.event = EventKind::kEscalation;
          n.error_code = escalations_[c.attribute("escalationRef").value()];
        } else if (local == "terminateEventDefinition") {
          n.event = EventKind::kTerminate;
        } else {
          Refuse(n.id, fmt::format("{} is not supported", local));
        }
      } else if (local == "extensionElements") {
        ReadExtensions(c, n);
      } else if (local == "multiInstanceLoopCharacteristics") {
        ReadMultiInstance(c, n);
      } else if (local == "standardLoopCharacteristics") {
        Refuse(n.id, "standard loops are not supported (model the loop with a gateway)");
      } else if (local == "dataInputAssociation" || local == "dataOutputAssociation") {
        Warn(n.id,
             "data associations are documentation, as in Camunda 8 (variables move "
             "through zeebe:ioMapping): ignored");
      } else if (local == "conditionExpression" || local == "loopCardinality" ||
                 local == "completionCondition" || local == "script" || IsInertElement(local) ||
                 kind == NodeKind::kSubProcess) {
        continue;  // read elsewhere (a sub-process's contents by ReadScope) or inert
      } else {
        Refuse(n.id, fmt::format("{} is not supported here", local));
      }
    }
    if (definitions > 1) Refuse(n.id, "an event with several event definitions is not supported");
    if (kind == NodeKind::kScriptTask && n.script.empty()) {
      bool refused = std::any_of(defs_.problems.begin(), defs_.problems.end(),
                                 [&](const Problem& pr) { return pr.element_id == n.id; });
      if (!refused) Refuse(n.id, "a script task needs a FEEL zeebe:script expression");
    }
    if (kind == NodeKind::kSubProcess) {
      if (std::string_view(element.attribute("triggeredByEvent").value()) == "true") {
        Refuse(n.id, "event sub-processes are not supported");
      }
    }
    int index = static_cast<int>(p.nodes.size());
    p.node_index[n.id] = index;
    p.nodes.push_back(std::move(n));
    if (kind == NodeKind::kSubProcess) ReadScope(element, index, p);
  }

  void ReadScope(pugi::xml_node container, int parent, Process& p) {
    for (pugi::xml_node c : container.children()) {
      if (c.type() != pugi::node_element) continue;
      if (!IsBpmn(c)) {
        if (!IsPresentationUri(UriOf(c))) {
          Refuse(IdOf(container), fmt::format("element {} is not supported", c.name()));
        }
        continue;
      }
      std::string_view local = LocalName(c.name());
      if (local == "sequenceFlow") {
        Flow f;
        f.id = c.attribute("id").value();
        CheckAttributes(c, f.id);
        flow_refs_.emplace_back(c.attribute("sourceRef").value(), c.attribute("targetRef").value());
        if (pugi::xml_node cond = Child(c, "conditionExpression")) {
          std::string language = cond.attribute("language").value();
          std::transform(language.begin(), language.end(), language.begin(), ::tolower);
          if (language.find("javascript") != std::string::npos || language == "js") {
            Refuse(f.id, "a JavaScript condition is not supported (write it in FEEL)");
            f.condition = Expression{TextOf(cond), nullptr};
          } else if (!language.empty() && language != "feel" &&
                     language != "http://www.omg.org/spec/feel/20140401") {
            Refuse(f.id, fmt::format("condition language '{}' is not supported", language));
            f.condition = Expression{TextOf(cond), nullptr};
          } else {
            f.condition = ReadExpression(TextOf(cond), f.id, "condition", true);
          }
        }
        p.flows.push_back(std::move(f));
      } else if (std::optional<NodeKind> kind = KindOf(local)) {
        ReadNode(c, *kind, parent, p);
      } else if (IsInertElement(local) || (parent >= 0 && local.ends_with("LoopCharacteristics"))) {
        continue;  // a sub-process's own loop is read by ReadNode
      } else {
        Refuse(IdOf(c), fmt::format("{} is not supported", local));
      }
    }
  }

  void ResolveFlows(Process& p) {
    for (size_t i = 0; i < p.flows.size(); ++i) {
      Flow& f = p.flows[i];
      f.source = p.Find(flow_refs_[i].first);
      f.target = p.Find(flow_refs_[i].second);
      if (f.source < 0 || f.target < 0) {
        Refuse(f.id, fmt::format("the sequence flow joins unknown elements '{}' -> '{}'",
                                 flow_refs_[i].first, flow_refs_[i].second));
        continue;
      }
      p.nodes[f.source].outgoing.push_back(static_cast<int>(i));
      p.nodes[f.target].incoming.push_back(static_cast<int>(i));
    }
    for (const auto& [id, ref] : attached_) {
      Node& b = p.nodes[p.Find(id)];
      b.attached_to = p.Find(ref);
      if (b.attached_to < 0) {
        Refuse(id, fmt::format("the boundary event is attached to unknown '{}'", ref));
      } else {
        p.nodes[b.attached_to].boundaries.push_back(p.Find(id));
      }
    }
    for (const auto& [id, ref] : defaults_) {
      Node& n = p.nodes[p.Find(id)];
      for (int f : n.outgoing) {
        if (p.flows[f].id == ref) n.default_flow = f;
      }
      if (n.default_flow < 0) Refuse(id, fmt::format("default flow '{}' is not outgoing", ref));
    }
    flow_refs_.clear();
    attached_.clear();
    defaults_.clear();
  }

  std::shared_ptr<feel::Scope> scope_;
  Definitions defs_;
  std::map<std::string, std::string> messages_;      // id -> name
  std::map<std::string, std::string> message_keys_;  // id -> zeebe:subscription key
  std::map<std::string, std::string> errors_;        // id -> errorCode
  std::map<std::string, std::string> escalations_;   // id -> escalationCode
  std::vector<std::pair<std::string, std::string>> flow_refs_;
  std::vector<std::pair<std::string, std::string>> attached_;
  std::vector<std::pair<std::string, std::string>> defaults_;
};

bool IsActivity(NodeKind k) {
  switch (k) {
    case NodeKind::kTask:
    case NodeKind::kUserTask:
    case NodeKind::kServiceTask:
    case NodeKind::kBusinessRuleTask:
    case NodeKind::kScriptTask:
    case NodeKind::kReceiveTask:
    case NodeKind::kSendTask:
    case NodeKind::kSubProcess:
    case NodeKind::kCallActivity:
      return true;
    default:
      return false;
  }
}

bool IsGateway(NodeKind k) {
  return k == NodeKind::kExclusiveGateway || k == NodeKind::kParallelGateway ||
         k == NodeKind::kInclusiveGateway || k == NodeKind::kEventBasedGateway;
}

}  // namespace

bool Definitions::HasErrors() const {
  return std::any_of(problems.begin(), problems.end(),
                     [](const Problem& p) { return p.severity == Severity::kError; });
}

std::vector<Problem> Validate(const Process& p) {
  std::vector<Problem> out;
  auto error = [&](const std::string& id, std::string m) {
    out.push_back({Severity::kError, id, std::move(m)});
  };
  // Reachability from the start events of each scope, through flows, boundary events and the
  // start events of reached sub-processes.
  std::vector<bool> reached(p.nodes.size(), false);
  std::vector<int> work = p.ScopeStarts(-1);
  if (work.empty())
    error(p.id, "the process has no start event nor any node without incoming flows");
  while (!work.empty()) {
    int i = work.back();
    work.pop_back();
    if (reached[i]) continue;
    reached[i] = true;
    const Node& n = p.nodes[i];
    for (int f : n.outgoing) work.push_back(p.flows[f].target);
    for (int b : n.boundaries) work.push_back(b);
    if (n.kind == NodeKind::kSubProcess) {
      std::vector<int> starts = p.ScopeStarts(static_cast<int>(i));
      if (starts.empty()) error(n.id, "the sub-process has no start event");
      for (int s : starts) {
        if (p.nodes[s].kind == NodeKind::kStartEvent && p.nodes[s].event != EventKind::kNone) {
          error(p.nodes[s].id, "the start event of an embedded sub-process must be a none start");
        }
        work.push_back(s);
      }
    }
  }
  for (size_t i = 0; i < p.nodes.size(); ++i) {
    const Node& n = p.nodes[i];
    if (!reached[i]) error(n.id, "unreachable: no path from a start event leads here");
    if (IsGateway(n.kind) && n.outgoing.empty()) error(n.id, "the gateway has no outgoing flow");
    if (n.kind == NodeKind::kBoundaryEvent && n.attached_to >= 0 &&
        !IsActivity(p.nodes[n.attached_to].kind)) {
      error(n.id, "a boundary event must be attached to an activity");
    }
    if (n.kind == NodeKind::kBoundaryEvent && n.event != EventKind::kTimer &&
        n.event != EventKind::kError && n.event != EventKind::kMessage &&
        n.event != EventKind::kEscalation) {
      error(n.id, "a boundary event needs a timer, error, escalation or message definition");
    }
    if (n.kind == NodeKind::kBoundaryEvent && n.event == EventKind::kEscalation &&
        n.attached_to >= 0 && p.nodes[n.attached_to].kind != NodeKind::kSubProcess &&
        p.nodes[n.attached_to].kind != NodeKind::kCallActivity) {
      error(n.id,
            "an escalation boundary event must be attached to a sub-process or call activity");
    }
    if (n.kind == NodeKind::kIntermediateThrowEvent && n.event != EventKind::kNone &&
        n.event != EventKind::kMessage && n.event != EventKind::kEscalation) {
      error(n.id, "an intermediate throw event may only throw a message or an escalation");
    }
    if (n.kind == NodeKind::kStartEvent && n.event == EventKind::kEscalation) {
      error(n.id, "escalation start events belong to event sub-processes, which are not supported");
    }
    if (n.kind == NodeKind::kIntermediateCatchEvent && n.event != EventKind::kTimer &&
        n.event != EventKind::kMessage) {
      error(n.id, "an intermediate catch event needs a timer or message definition");
    }
    if (n.kind == NodeKind::kStartEvent && !n.incoming.empty()) {
      error(n.id, "a start event cannot have incoming flows");
    }
    if (n.kind == NodeKind::kEndEvent && !n.outgoing.empty()) {
      error(n.id, "an end event cannot have outgoing flows");
    }
    if (n.kind == NodeKind::kCallActivity && n.called_element.empty()) {
      error(n.id, "the call activity names no process (zeebe:calledElement)");
    }
    if (n.kind == NodeKind::kEventBasedGateway) {
      for (int f : n.outgoing) {
        const Node& t = p.nodes[p.flows[f].target];
        if (t.kind != NodeKind::kReceiveTask && t.kind != NodeKind::kIntermediateCatchEvent) {
          error(n.id,
                fmt::format("event-based gateway leads to '{}', which is not a catch event", t.id));
        }
      }
    }
    bool choice = n.kind == NodeKind::kExclusiveGateway || n.kind == NodeKind::kInclusiveGateway;
    if (choice && n.outgoing.size() > 1) {
      bool all_conditions = true;
      for (int f : n.outgoing) {
        if (f == n.default_flow) continue;
        if (!p.flows[f].condition) {
          error(p.flows[f].id, fmt::format("the flow leaves gateway '{}' without a condition and "
                                           "is not its default",
                                           n.id));
          all_conditions = false;
        }
      }
      if (n.kind == NodeKind::kExclusiveGateway && n.default_flow < 0 && all_conditions) {
        out.push_back({Severity::kWarning, n.id,
                       "no default flow: when every condition is false the instance stops with "
                       "an incident"});
      }
    }
  }
  return out;
}

Result<Definitions> ParseBpmn(std::string_view xml, std::string_view origin) {
  pugi::xml_document doc;
  pugi::xml_parse_result parsed = doc.load_buffer(xml.data(), xml.size());
  if (!parsed) {
    return Error(ErrorCode::kInvalidArgument, fmt::format("{}: not XML at byte {}: {}", origin,
                                                          parsed.offset, parsed.description()));
  }
  Reader reader;
  return reader.Read(doc.document_element());
}

Result<Definitions> LoadBpmnFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error(ErrorCode::kNotFound, fmt::format("cannot read {}", path));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseBpmn(ss.str(), path);
}

ClockOverride::ClockOverride(const Clock& clock) : previous_(current_clock) {
  current_clock = &clock;
}
ClockOverride::~ClockOverride() { current_clock = previous_; }

std::string FormatProblem(const Problem& p) {
  return fmt::format("{}: {}: {}", p.severity == Severity::kError ? "error" : "warning",
                     p.element_id, p.message);
}

}  // namespace tongban::bpmn
