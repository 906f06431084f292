#include "bpmn/reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace tongban::bpmn {
namespace {

Definitions Load(const std::string& name) {
  auto defs = LoadBpmnFile(std::string(TONGBAN_BPMN_TESTDATA) + "/" + name);
  EXPECT_TRUE(defs.ok()) << (defs.ok() ? "" : defs.error().ToString());
  return defs.ok() ? *std::move(defs) : Definitions{};
}

// Every problem as "error|warning element_id".
std::vector<std::string> Ids(const Definitions& defs) {
  std::vector<std::string> out;
  out.reserve(defs.problems.size());
  for (const Problem& p : defs.problems) {
    out.push_back((p.severity == Severity::kError ? "error " : "warning ") + p.element_id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ReaderTest, ReadsZeebeExtensionsWithPrefixedNamespace) {
  Definitions defs = Load("approval.bpmn");
  ASSERT_EQ(defs.processes.size(), 1u);
  const Process& p = defs.processes[0];
  EXPECT_EQ(p.id, "approval");
  EXPECT_EQ(Ids(defs), std::vector<std::string>{"warning review"});  // group without catalog
  const Node& review = p.nodes[p.Find("review")];
  EXPECT_EQ(review.kind, NodeKind::kUserTask);
  EXPECT_EQ(review.candidate_groups, std::vector<std::string>{"reviewers"});
  EXPECT_EQ(review.headers.at("kind"), "acceptance");
  EXPECT_EQ(review.due_date.text, "add working days(today(), 3)");
  EXPECT_NE(review.due_date.feel, nullptr);  // compiled at load
  const Node& notify = p.nodes[p.Find("notify")];
  EXPECT_EQ(notify.task_type, "notify-applicant");
  const Node& archive = p.nodes[p.Find("archive")];
  ASSERT_EQ(archive.outputs.size(), 1u);
  EXPECT_EQ(archive.outputs[0].target, "archive_state");
  EXPECT_NE(archive.outputs[0].source.feel, nullptr);
  const Node& decide = p.nodes[p.Find("decide")];
  ASSERT_GE(decide.default_flow, 0);
  EXPECT_EQ(p.flows[decide.default_flow].id, "f_no");
  EXPECT_GE(defs.scope->Find("approved"), 0);  // a name the conditions use
}

TEST(ReaderTest, DefaultNamespaceAndOtherPrefixResolveToBpmn) {
  Definitions inclusive = Load("inclusive.bpmn");
  ASSERT_EQ(inclusive.processes.size(), 1u);
  EXPECT_EQ(inclusive.processes[0].nodes.size(), 7u);
  EXPECT_TRUE(inclusive.problems.empty());
  Definitions sub = Load("subprocess.bpmn");
  ASSERT_EQ(sub.processes.size(), 1u);
  const Process& p = sub.processes[0];
  EXPECT_EQ(p.nodes[p.Find("s_task")].parent, p.Find("check"));
  EXPECT_EQ(p.nodes[p.Find("s_error")].error_code, "MISSING");
  EXPECT_EQ(p.nodes[p.Find("on_missing")].attached_to, p.Find("check"));
  EXPECT_TRUE(sub.problems.empty()) << FormatProblem(sub.problems[0]);
}

TEST(ReaderTest, RefusesWhatWouldChangeExecutionNamingTheElement) {
  Definitions defs = Load("refused.bpmn");
  EXPECT_TRUE(defs.HasErrors());
  std::vector<std::string> ids = Ids(defs);
  for (const char* id : {"error js", "error c7", "error f4", "error sig_throw", "error f6"}) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
  }
  auto message_of = [&](const std::string& id) {
    for (const Problem& p : defs.problems) {
      if (p.element_id == id) return p.message;
    }
    return std::string();
  };
  EXPECT_NE(message_of("js").find("JavaScript"), std::string::npos);
  EXPECT_NE(message_of("c7").find("camunda:assignee"), std::string::npos);
  EXPECT_NE(message_of("f6").find("no such function"), std::string::npos);
}

// camunda:asyncBefore is read on service tasks (their action then runs as a job), a warning
// elsewhere, and refused when it is neither true nor false.
TEST(ReaderTest, ReadsCamundaAsyncBeforeOnServiceTasks) {
  std::string xml = R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
      xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
      xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">
    <process id="p" isExecutable="true">
      <startEvent id="s"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="job"/>
      <serviceTask id="job" camunda:asyncBefore="VALUE">
        <extensionElements><zeebe:taskDefinition type="archive"/></extensionElements>
      </serviceTask>
      <sequenceFlow id="f2" sourceRef="job" targetRef="inline"/>
      <serviceTask id="inline" camunda:asyncBefore="false">
        <extensionElements><zeebe:taskDefinition type="archive"/></extensionElements>
      </serviceTask>
      <sequenceFlow id="f3" sourceRef="inline" targetRef="u"/>
      <userTask id="u" camunda:asyncBefore="true"/>
      <sequenceFlow id="f4" sourceRef="u" targetRef="e"/>
      <endEvent id="e"/>
    </process>
  </definitions>)";
  auto with = [&](const char* value) {
    std::string text = xml;
    text.replace(text.find("VALUE"), 5, value);
    return ParseBpmn(text);
  };
  auto defs = with("true");
  ASSERT_TRUE(defs.ok()) << defs.error().ToString();
  const Process& p = defs->processes[0];
  EXPECT_TRUE(p.nodes[p.Find("job")].async_before);
  EXPECT_FALSE(p.nodes[p.Find("inline")].async_before);
  EXPECT_EQ(Ids(*defs), std::vector<std::string>{"warning u"});
  auto bad = with("yes");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(Ids(*bad), (std::vector<std::string>{"error job", "warning u"}));
}

TEST(ReaderTest, ValidationListsEveryProblemWithItsElement) {
  Definitions defs = Load("invalid.bpmn");
  EXPECT_EQ(Ids(defs), (std::vector<std::string>{
                           "error dead_end",  // gateway without outgoing flow
                           "error f4",        // no condition, not the default
                           "error f5",        //
                           "error orphan",    // unreachable (a cycle no start leads to)
                           "error split",     // unreachable
                           "warning choose",  // no default flow
                       }));
}

TEST(ReaderTest, RejectsNonBpmnAndBrokenXml) {
  EXPECT_FALSE(ParseBpmn("<definitions/>").ok());  // no BPMN namespace
  EXPECT_FALSE(ParseBpmn("<bpmn:definitions").ok());
  auto timer = ParseBpmn(
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">
         <startEvent id="s"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/>
         <intermediateCatchEvent id="t"><timerEventDefinition><timeDuration>soon</timeDuration>
         </timerEventDefinition></intermediateCatchEvent></process></definitions>)");
  ASSERT_TRUE(timer.ok());
  ASSERT_EQ(timer->problems.size(), 1u);
  EXPECT_EQ(timer->problems[0].element_id, "t");
}

// Presentation and documentation are kept and ignored with a warning; a listener that runs
// something is still refused.
TEST(ReaderTest, FormsEmptyListenersAndDataAssociationsAreWarningsOnly) {
  std::string xml =
      R"(<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
           xmlns:camunda="http://camunda.org/schema/1.0/bpmn"><process id="p">
         <startEvent id="s"><extensionElements><camunda:formData>
           <camunda:formField id="x" type="date" defaultValue="${now}"/></camunda:formData>
         </extensionElements></startEvent>
         <sequenceFlow id="f1" sourceRef="s" targetRef="u"/>
         <userTask id="u" camunda:formKey="embedded:app:forms/u.html"><extensionElements>
           <camunda:taskListener class="LISTENER" event="create"/></extensionElements>
           <property id="pr"/><dataInputAssociation id="da"><sourceRef>d</sourceRef>
           <targetRef>pr</targetRef></dataInputAssociation></userTask>
         <dataObjectReference id="d" dataObjectRef="o"/><dataObject id="o"/>
         <sequenceFlow id="f2" sourceRef="u" targetRef="e"/><endEvent id="e"/>
         </process></definitions>)";
  auto quiet = ParseBpmn(std::string(xml).replace(xml.find("LISTENER"), 8, ""));
  ASSERT_TRUE(quiet.ok());
  EXPECT_FALSE(quiet->HasErrors()) << FormatProblem(quiet->problems[0]);
  EXPECT_EQ(Ids(*quiet), (std::vector<std::string>{"warning s", "warning u", "warning u"}));
  auto listener = ParseBpmn(std::string(xml).replace(xml.find("LISTENER"), 8, "org.Audit"));
  ASSERT_TRUE(listener.ok());
  EXPECT_EQ(Ids(*listener), (std::vector<std::string>{"error u", "warning s", "warning u"}));
}

}  // namespace
}  // namespace tongban::bpmn
