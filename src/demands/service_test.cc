// Demands and work orders on SQLite and PostgreSQL: intake by channel with limits from the
// configuration, duplicates, dispatch to a department or the commissioner, sign-for, return to
// the arbiter, extension, reminders and supervision by the sweep, closure, callback, reopening,
// the hidden reporter, contacts, statistics, and every refusal naming its field.
#include "demands/service.h"

#include <gtest/gtest.h>

#include <algorithm>

#include <fmt/format.h>

#include "people/repository.h"
#include "people/timestamp.h"
#include "store/testing.h"

namespace tongban::demands {
namespace {

using people::Principal;

constexpr const char* kUscc = "91431128MA4L0A019K";
constexpr const char* kRegion = "431128";

Principal Staff(std::string id, std::string department, std::vector<std::string> permissions) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kStaff;
  p.account.region = kRegion;
  p.account.department = std::move(department);
  people::HeldGrant g;
  g.grant.scope.region = kRegion;
  g.permissions = std::move(permissions);
  std::sort(g.permissions.begin(), g.permissions.end());
  p.grants.push_back(std::move(g));
  return p;
}

Principal Agent(std::string id, const std::string& uscc) {
  Principal p;
  p.account.id = std::move(id);
  p.account.kind = people::AccountKind::kCitizen;
  p.account.name = "李志强";
  p.account.phone = "13800000003";
  people::HeldGrant g;
  g.permissions = {"demand.submit"};
  p.grants.push_back(std::move(g));
  p.agencies.push_back(
      {.uscc = uscc, .enterprise_name = "富硒", .relation = people::EnterpriseRelation::kAgent});
  return p;
}

std::string FieldOf(const Error& e) { return e.fields().empty() ? "" : e.fields()[0].field; }

class DemandServiceTest : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    auto migrated = db_->Migrate(ptrs);
    ASSERT_TRUE(migrated.ok()) << migrated.error().ToString();
    calendar_ = Calendar::WithEmbeddedSchedules();
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    auto service = DemandService::Create(
        *db_, {.clock = &clock_, .calendar = calendar_.get(), .trace = trace_.get(), .sms = &sms_});
    ASSERT_TRUE(service.ok()) << service.error().ToString();
    service_ = std::move(*service);
    for (const char* id : {"commissioner-1", "commissioner-2", "cadre-1"}) {
      Status s = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
        std::string account(id), username = std::string("u.") + id;
        sql << "INSERT INTO account (id, kind, name, username, created_at) VALUES (:id, 'staff', "
               "'专员', :username, 0)",
            soci::use(account, "id"), soci::use(username, "username");
        return Ok();
      });
      ASSERT_TRUE(s.ok()) << s.error().ToString();
    }
  }

  DemandInput Input(std::string demand_class = "complaint", std::string urgency = "ordinary") {
    return {.channel = "portal",
            .demand_class = std::move(demand_class),
            .urgency = std::move(urgency),
            .uscc = kUscc,
            .title = "用电报装太慢",
            .text = "企业用电报装时间太长，希望加快办理"};
  }

  std::string SubmitOne(const DemandInput& in) {
    auto s = service_->Submit(agent_, in);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return s.ok() ? s->record.demand.id : "";
  }

  void Advance(std::chrono::minutes m) { clock_.Advance(m); }

  // Thursday 2026-11-26 09:00 China Standard Time.
  FakeClock clock_{
      Timestamp(std::chrono::milliseconds(*people::ParseTimestamp("2026-11-26T09:00:00+08:00")))};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<Calendar> calendar_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<DemandService> service_;
  Principal agent_ = Agent("agent-1", kUscc);
  Principal operator_ =
      Staff("operator-1", "431128-zwzx", {"demand.intake", "demand.dispatch", "demand.read"});
  Principal dispatcher_ =
      Staff("dispatcher-1", "431128-yshj",
            {"demand.dispatch", "demand.read", "enterprise.assign", "report.read"});
  Principal arbiter_ = Staff("arbiter-1", "431128-yshj", {"demand.arbitrate", "demand.read"});
  Principal rsj_ = Staff("rsj-1", "431128-rsj", {"demand.handle", "demand.read"});
  Principal scjgj_ = Staff("scjgj-1", "431128-scjgj", {"demand.handle", "demand.read"});
  Principal commissioner_ =
      Staff("commissioner-1", "431128-zwzx", {"demand.handle", "demand.read", "enterprise.serve"});
};

TEST_P(DemandServiceTest, PortalDemandIsDispatchedSignedClosedAndCalledBack) {
  if (!service_) return;
  auto submitted = service_->Submit(agent_, Input());
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  const Demand& d = submitted->record.demand;
  EXPECT_EQ(d.state, DemandState::kReceived);
  EXPECT_EQ(d.region, kRegion);
  EXPECT_EQ(d.limit_days, 5);  // 新田县: ordinary complaints 5 working days
  EXPECT_EQ(d.number, "SQ431128-20261126-0001");
  EXPECT_EQ(d.caller_name, "李志强");
  EXPECT_EQ(d.submitted_by, "agent-1");

  auto order = service_->Dispatch(dispatcher_, d.id, {.department = "431128-rsj"});
  ASSERT_TRUE(order.ok()) << order.error().ToString();
  EXPECT_EQ(order->sign_due, *people::ParseTimestamp("2026-11-26T11:00:00+08:00"));
  // Five working days after Thursday: Thu 12-03 (weekend not counted).
  EXPECT_EQ(order->due, *people::ParseTimestamp("2026-12-03T23:59:59.999+08:00"));

  auto signed_order = service_->Sign(rsj_, d.id);
  ASSERT_TRUE(signed_order.ok()) << signed_order.error().ToString();
  EXPECT_EQ(signed_order->state, OrderState::kSigned);
  EXPECT_EQ(signed_order->signed_by, "rsj-1");

  Advance(std::chrono::hours(24));
  auto closed = service_->Close(rsj_, d.id, "已协调供电公司三日内完成报装");
  ASSERT_TRUE(closed.ok()) << closed.error().ToString();
  EXPECT_EQ(closed->state, OrderState::kClosed);
  ASSERT_EQ(sms_.Outbox("13800000003", 10).size(), 1u);

  auto record = service_->Get(dispatcher_, d.id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->demand.state, DemandState::kClosed);
  EXPECT_EQ(record->demand.answer, "已协调供电公司三日内完成报装");
  // Closed on Friday: the callback is due by the end of Monday.
  EXPECT_EQ(record->demand.callback_due, *people::ParseTimestamp("2026-11-30T23:59:59.999+08:00"));

  auto called = service_->Callback(operator_, d.id, true, "满意");
  ASSERT_TRUE(called.ok()) << called.error().ToString();
  EXPECT_EQ(called->state, DemandState::kFinished);
  EXPECT_EQ(called->satisfied, std::optional<bool>(true));

  // Every step, with its actor, in order; also in the trace chain.
  record = service_->Get(dispatcher_, d.id);
  std::vector<std::string> actions;
  for (const Step& s : record->steps) actions.push_back(fmt::format("{}/{}", s.action, s.actor));
  EXPECT_EQ(actions,
            (std::vector<std::string>{"received/agent-1", "dispatched/dispatcher-1", "signed/rsj-1",
                                      "closed/rsj-1", "callback/operator-1"}));
  auto events = trace_->Read("demand/" + d.id, 0, 100);
  ASSERT_TRUE(events.ok());
  EXPECT_EQ(events->size(), 5u);

  // The agent sees its own demand; statistics count the order as received, closed, on time.
  EXPECT_TRUE(service_->Get(agent_, d.id).ok());
  auto stats = service_->Statistics(
      dispatcher_,
      {.region = kRegion, .from = *Date::Parse("2026-11-01"), .to = *Date::Parse("2026-11-30")});
  ASSERT_TRUE(stats.ok()) << stats.error().ToString();
  ASSERT_EQ(stats->size(), 2u);
  EXPECT_EQ((*stats)[1].receiver, "431128-rsj");
  EXPECT_EQ((*stats)[1].received, 1);
  EXPECT_EQ((*stats)[1].closed, 1);
  EXPECT_EQ((*stats)[1].on_time, 1);
  EXPECT_EQ((*stats)[1].satisfied, 1);
  EXPECT_EQ((*stats)[0].receiver, "total");
}

TEST_P(DemandServiceTest, BadInputIsRefusedNamingTheField) {
  if (!service_) return;
  auto unknown = service_->Submit(agent_, Input("gossip", "soon"));
  ASSERT_FALSE(unknown.ok());
  std::set<std::string> fields;
  for (const auto& f : unknown.error().fields()) fields.insert(f.field);
  EXPECT_TRUE(fields.count("class") && fields.count("urgency")) << unknown.error().ToString();

  DemandInput hotline = Input();
  hotline.channel = "hotline";
  hotline.uscc.clear();
  hotline.region = kRegion;
  auto no_caller = service_->Submit(operator_, hotline);
  ASSERT_FALSE(no_caller.ok());
  EXPECT_EQ(FieldOf(no_caller.error()), "caller_name");
  // A citizen cannot enter on the hotline; another enterprise's agent cannot submit for it.
  hotline.caller_name = "张先生";
  EXPECT_EQ(service_->Submit(agent_, hotline).error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(service_->Submit(Agent("agent-2", "91430181MA4M1B0268"), Input()).error().code(),
            ErrorCode::kForbidden);

  const std::string id = SubmitOne(Input());
  ASSERT_TRUE(service_->Dispatch(dispatcher_, id, {.department = "431128-rsj"}).ok());
  // Signing a work order of another department.
  auto other = service_->Sign(scjgj_, id);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kForbidden);
  EXPECT_EQ(FieldOf(other.error()), "department");
  // Closing before signing; returning without a reason.
  EXPECT_EQ(FieldOf(service_->Close(rsj_, id, "答复").error()), "state");
  EXPECT_EQ(FieldOf(service_->Return(rsj_, id, "").error()), "reason");
  ASSERT_TRUE(service_->Sign(rsj_, id).ok());
  // A second sign-for.
  auto second = service_->Sign(rsj_, id);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code(), ErrorCode::kConflict);
  EXPECT_EQ(FieldOf(second.error()), "state");
  // Closing without an answer.
  EXPECT_EQ(FieldOf(service_->Close(rsj_, id, "").error()), "answer");
  // Extending after expiry.
  Advance(std::chrono::hours(24 * 10));
  auto late = service_->RequestExtension(rsj_, id, 3, "需要现场核查");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(FieldOf(late.error()), "due");
  // Dispatching twice.
  EXPECT_EQ(FieldOf(service_->Dispatch(dispatcher_, id, {.department = "431128-rsj"}).error()),
            "state");
}

TEST_P(DemandServiceTest, AReturnedOrderGoesToTheArbiterWhoseOrderIsFinal) {
  if (!service_) return;
  const std::string id = SubmitOne(Input());
  ASSERT_TRUE(service_->Dispatch(dispatcher_, id, {.department = "431128-scjgj"}).ok());
  auto returned = service_->Return(scjgj_, id, "供电报装不属本部门职责");
  ASSERT_TRUE(returned.ok()) << returned.error().ToString();
  EXPECT_EQ(returned->state, OrderState::kReturned);
  // Neither the dispatcher nor a department dispatches it on: only the arbiter.
  EXPECT_EQ(FieldOf(service_->Dispatch(dispatcher_, id, {.department = "431128-rsj"}).error()),
            "state");
  EXPECT_EQ(service_->Arbitrate(dispatcher_, id, {.department = "431128-rsj"}).error().code(),
            ErrorCode::kForbidden);
  auto arbitrated = service_->Arbitrate(arbiter_, id, {.department = "431128-rsj"});
  ASSERT_TRUE(arbitrated.ok()) << arbitrated.error().ToString();
  EXPECT_EQ(arbitrated->seq, 2);
  EXPECT_TRUE(arbitrated->arbitrated);
  auto again = service_->Return(rsj_, id, "也不是我们的");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(FieldOf(again.error()), "state");
  EXPECT_TRUE(service_->Sign(rsj_, id).ok());
  // The returning department still sees the demand it once held.
  EXPECT_TRUE(service_->Get(scjgj_, id).ok());
}

TEST_P(DemandServiceTest, ExtensionBeforeExpiryMovesTheLimitWhenApproved) {
  if (!service_) return;
  const std::string id = SubmitOne(Input());
  auto order = service_->Dispatch(dispatcher_, id, {.department = "431128-rsj"});
  ASSERT_TRUE(order.ok());
  ASSERT_TRUE(service_->Sign(rsj_, id).ok());
  EXPECT_EQ(FieldOf(service_->RequestExtension(rsj_, id, 0, "x").error()), "days");
  auto asked = service_->RequestExtension(rsj_, id, 3, "需要现场核查");
  ASSERT_TRUE(asked.ok()) << asked.error().ToString();
  EXPECT_EQ(asked->extension, ExtensionState::kRequested);
  EXPECT_EQ(service_->DecideExtension(rsj_, id, true).error().code(), ErrorCode::kForbidden);
  auto approved = service_->DecideExtension(dispatcher_, id, true);
  ASSERT_TRUE(approved.ok()) << approved.error().ToString();
  EXPECT_EQ(approved->due, *people::ParseTimestamp("2026-12-08T23:59:59.999+08:00"));
  EXPECT_EQ(FieldOf(service_->RequestExtension(rsj_, id, 2, "再延").error()), "extension");
}

TEST_P(DemandServiceTest, TheSweepRemindsAndSupervisesLateOrdersOnce) {
  if (!service_) return;
  DemandInput urgent = Input("help", "urgent");
  const std::string id = SubmitOne(urgent);
  ASSERT_TRUE(service_->Dispatch(dispatcher_, id, {.department = "431128-rsj"}).ok());
  EXPECT_EQ(FieldOf(service_->Supervise(dispatcher_, id, "").error()), "due");
  auto none = service_->Sweep();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->sign_overdue + none->reminded + none->supervised, 0);
  Advance(std::chrono::hours(3));  // 12:00: past the 11:00 sign-for limit
  auto first = service_->Sweep();
  ASSERT_TRUE(first.ok()) << first.error().ToString();
  EXPECT_EQ(first->sign_overdue, 1);
  EXPECT_EQ(first->reminded, 0);
  Advance(std::chrono::hours(13));  // Friday 01:00: past the same-day limit
  auto second = service_->Sweep();
  EXPECT_EQ(second->sign_overdue, 0);
  EXPECT_EQ(second->reminded, 1);
  EXPECT_EQ(second->supervised, 0);
  Advance(std::chrono::hours(24));  // Saturday 01:00: more than a working day late
  auto third = service_->Sweep();
  EXPECT_EQ(third->supervised, 1);
  auto fourth = service_->Sweep();
  EXPECT_EQ(fourth->sign_overdue + fourth->reminded + fourth->supervised, 0);
  auto record = service_->Get(dispatcher_, id);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->orders.back().reminders, 2);
  EXPECT_TRUE(record->orders.back().supervised);
  EXPECT_EQ(record->steps.back().actor, "system");
  EXPECT_TRUE(service_->Remind(dispatcher_, id, "请今日办结").ok());
  EXPECT_TRUE(service_->Supervise(dispatcher_, id, "督办").ok());
}

TEST_P(DemandServiceTest, UnsatisfiedCallbackReopensForANewDispatch) {
  if (!service_) return;
  const std::string id = SubmitOne(Input());
  ASSERT_TRUE(service_->Dispatch(dispatcher_, id, {.department = "431128-rsj"}).ok());
  ASSERT_TRUE(service_->Sign(rsj_, id).ok());
  ASSERT_TRUE(service_->Close(rsj_, id, "已答复").ok());
  EXPECT_EQ(FieldOf(service_->Reopen(dispatcher_, id, "不满意").error()), "state");
  auto called = service_->Callback(operator_, id, false, "问题未解决");
  ASSERT_TRUE(called.ok());
  EXPECT_EQ(called->state, DemandState::kClosed);
  EXPECT_EQ(FieldOf(service_->Callback(operator_, id, true, "").error()), "state");
  EXPECT_EQ(FieldOf(service_->Reopen(dispatcher_, id, "").error()), "reason");
  auto reopened = service_->Reopen(dispatcher_, id, "回访不满意，重新派单");
  ASSERT_TRUE(reopened.ok()) << reopened.error().ToString();
  EXPECT_EQ(reopened->state, DemandState::kReceived);
  auto again = service_->Dispatch(dispatcher_, id, {.department = "431128-rsj"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->seq, 2);
}

TEST_P(DemandServiceTest, AReportHidesTheReporterFromTheHandlingDepartment) {
  if (!service_) return;
  DemandInput report = Input("report");
  report.channel = "hotline";
  report.caller_name = "王女士";
  report.caller_phone = "13900000001";
  report.title = "举报无证经营";
  report.text = "某店无证经营食品";
  auto submitted = service_->Submit(operator_, report);
  ASSERT_TRUE(submitted.ok()) << submitted.error().ToString();
  const std::string id = submitted->record.demand.id;
  ASSERT_TRUE(service_->Dispatch(dispatcher_, id, {.department = "431128-scjgj"}).ok());
  auto handler_view = service_->Get(scjgj_, id);
  ASSERT_TRUE(handler_view.ok()) << handler_view.error().ToString();
  EXPECT_TRUE(handler_view->demand.reporter_hidden);
  EXPECT_EQ(handler_view->demand.caller_name, "");
  EXPECT_EQ(handler_view->demand.caller_phone, "");
  EXPECT_EQ(handler_view->demand.submitted_by, "");
  EXPECT_EQ(handler_view->steps[0].actor, "");
  // The handling department's head dispatches too, and still does not see the reporter.
  Principal head =
      Staff("scjgj-head", "431128-scjgj", {"demand.dispatch", "demand.handle", "demand.read"});
  auto head_view = service_->Get(head, id);
  ASSERT_TRUE(head_view.ok());
  EXPECT_TRUE(head_view->demand.reporter_hidden);
  EXPECT_EQ(head_view->demand.caller_phone, "");
  EXPECT_EQ(service_->List(head, {})->at(0).caller_phone, "");
  auto listed = service_->List(scjgj_, {});
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].caller_phone, "");
  auto dispatcher_view = service_->Get(dispatcher_, id);
  EXPECT_FALSE(dispatcher_view->demand.reporter_hidden);
  EXPECT_EQ(dispatcher_view->demand.caller_phone, "13900000001");
  // A department that never held the demand cannot read it.
  EXPECT_EQ(service_->Get(rsj_, id).error().code(), ErrorCode::kForbidden);
  EXPECT_TRUE(service_->List(rsj_, {})->empty());
}

TEST_P(DemandServiceTest, CommissionersAreAssignedAndReceiveTheirEnterprisesDemands) {
  if (!service_) return;
  const std::string id = SubmitOne(Input("help"));
  auto none = service_->Dispatch(dispatcher_, id, {.receiver = ReceiverKind::kCommissioner});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(FieldOf(none.error()), "receiver");

  EXPECT_EQ(service_->SetContacts(rsj_, kUscc, ContactKind::kCommissioner, {"commissioner-1"})
                .error()
                .code(),
            ErrorCode::kForbidden);
  auto bad = service_->SetContacts(dispatcher_, kUscc, ContactKind::kCommissioner, {"nobody"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(FieldOf(bad.error()), "accounts/0");
  auto set =
      service_->SetContacts(dispatcher_, kUscc, ContactKind::kCommissioner, {"commissioner-1"});
  ASSERT_TRUE(set.ok()) << set.error().ToString();
  ASSERT_TRUE(service_->SetContacts(dispatcher_, kUscc, ContactKind::kLiaison, {"u.cadre-1"}).ok());
  auto contacts = service_->Contacts(agent_, kUscc);
  ASSERT_TRUE(contacts.ok()) << contacts.error().ToString();
  ASSERT_EQ(contacts->size(), 2u);
  EXPECT_EQ((*contacts)[0].kind, ContactKind::kCommissioner);
  EXPECT_EQ((*contacts)[0].account_name, "专员");
  EXPECT_EQ((*contacts)[1].account_id, "cadre-1");
  auto of = service_->EnterprisesOf(commissioner_, "commissioner-1");
  ASSERT_TRUE(of.ok()) << of.error().ToString();
  ASSERT_EQ(of->size(), 1u);
  EXPECT_EQ((*of)[0].uscc, kUscc);
  EXPECT_EQ(service_->EnterprisesOf(rsj_, "commissioner-1")->size(), 1u);  // demand.read

  auto order = service_->Dispatch(dispatcher_, id, {.receiver = ReceiverKind::kCommissioner});
  ASSERT_TRUE(order.ok()) << order.error().ToString();
  EXPECT_EQ(order->assignee, "commissioner-1");
  Principal other = Staff("commissioner-2", "431128-zwzx", {"demand.handle"});
  EXPECT_EQ(FieldOf(service_->Sign(other, id).error()), "assignee");
  EXPECT_TRUE(service_->Sign(commissioner_, id).ok());
  // Re-assigning replaces the list.
  auto replaced =
      service_->SetContacts(dispatcher_, kUscc, ContactKind::kCommissioner, {"commissioner-2"});
  ASSERT_TRUE(replaced.ok());
  EXPECT_EQ(service_->EnterprisesOf(dispatcher_, "commissioner-1")->size(), 0u);
}

TEST_P(DemandServiceTest, DuplicatesAreSuggestedBySimilarityWithinTheEnterpriseOrRegion) {
  if (!service_) return;
  const std::string first = SubmitOne(Input());
  DemandInput other = Input("consultation");
  other.title = "社保缴费";
  other.text = "咨询社保缴费基数如何调整";
  SubmitOne(other);
  Advance(std::chrono::hours(2));
  DemandInput again = Input();
  again.title = "用电报装";
  again.text = "用电报装时间过长，请尽快办理";
  auto submitted = service_->Submit(agent_, again);
  ASSERT_TRUE(submitted.ok());
  ASSERT_EQ(submitted->duplicates.size(), 1u);
  EXPECT_EQ(submitted->duplicates[0].demand_id, first);
  EXPECT_GT(submitted->duplicates[0].similarity, 0.35);
  EXPECT_EQ(submitted->record.demand.number, "SQ431128-20261126-0003");
  auto listed = service_->Duplicates(dispatcher_, first);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().demand_id, submitted->record.demand.id);
  // The agent lists its enterprise's demands, newest first; a filter by state.
  auto mine = service_->List(agent_, {});
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->size(), 3u);
  EXPECT_EQ(service_->List(dispatcher_, {.state = "handling"})->size(), 0u);
  EXPECT_EQ(FieldOf(service_->List(dispatcher_, {.state = "lost"}).error()), "state");
}

INSTANTIATE_TEST_SUITE_P(Backends, DemandServiceTest,
                         ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::demands
