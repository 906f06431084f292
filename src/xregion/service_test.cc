// The exchange between installations in one process: each has its own database and key, and a
// loopback transport hands posts straight to the receiver's Receive (dropping or duplicating on
// request). The clock is fake; nothing sleeps.
#include "xregion/service.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>

#include "store/testing.h"

namespace tongban::xregion {
namespace {

constexpr char kLiuyang[] = "430181";
constexpr char kTonggu[] = "360926";
constexpr char kWanzai[] = "360922";
constexpr char kHub[] = "360000";

struct Node {
  std::unique_ptr<store::testing::TempDatabase> temp;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<Service> service;
  std::string region;
  std::string url;
};

class Loopback : public Transport {
 public:
  PostAnswer Post(const std::string& base_url, const std::string& body) override {
    posts.push_back(body);
    if (drop > 0) {
      --drop;
      return {.status = 0, .body = ""};
    }
    auto it = nodes.find(base_url);
    if (it == nodes.end()) return {.status = 0, .body = ""};
    PostAnswer answer = Deliver(*it->second, body);
    if (duplicate) (void)Deliver(*it->second, body);
    return answer;
  }
  static PostAnswer Deliver(Service& s, const std::string& body) {
    auto r = s.Receive(body);
    if (r.ok()) return {.status = 200, .body = std::string(ReceiveStatusName(r->status))};
    return {.status = r.error().info().http_status, .body = r.error().ToString()};
  }
  std::map<std::string, Service*> nodes;
  std::vector<std::string> posts;
  int drop = 0;
  bool duplicate = false;
};

class Exchange : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    for (const char* region : {kLiuyang, kTonggu, kWanzai, kHub}) {
      Node n;
      n.temp = store::testing::TempDatabase::Create(GetParam());
      if (!n.temp) return;
      n.db = n.temp->Open();
      auto set = Migrations();
      ASSERT_TRUE(set.ok()) << set.error().ToString();
      const store::MigrationSet* sets[] = {&*set};
      ASSERT_TRUE(n.db->Migrate(sets).ok());
      auto key = crypto::Sm2Key::Generate();
      ASSERT_TRUE(key.ok());
      auto s = Service::Create(*n.db, *key, {.clock = &clock_});
      ASSERT_TRUE(s.ok());
      n.service = std::move(s).value();
      n.region = region;
      n.url = fmt::format("http://{}.test", region);
      ASSERT_TRUE(
          n.service
              ->SetIdentity({.region = region, .name = region, .hub = std::string(region) == kHub})
              .ok());
      net_.nodes[n.url] = n.service.get();
      nodes_[region] = std::move(n);
    }
    // 浏阳 and 铜鼓 are direct partners; 浏阳 reaches 万载 through the hub.
    Link(kLiuyang, kTonggu, "");
    Link(kTonggu, kLiuyang, "");
    Link(kLiuyang, kHub, "");
    Link(kHub, kLiuyang, "");
    Link(kWanzai, kHub, "");
    Link(kHub, kWanzai, "");
    Link(kLiuyang, kWanzai, kHub);
    Link(kWanzai, kLiuyang, kHub);
    ASSERT_TRUE(A().PutAgreement({.id = "ly-tg",
                                  .partner = kTonggu,
                                  .mode = Mode::kProxy,
                                  .title = "浏阳—铜鼓 异地代收代办",
                                  .matters = {{.matter = "TG-001",
                                               .name = "个体工商户设立登记",
                                               .handling_region = kTonggu}}})
                    .ok());
    ASSERT_TRUE(A().PutAgreement({.id = "ly-wz",
                                  .partner = kWanzai,
                                  .mode = Mode::kJoint,
                                  .title = "浏阳—万载 多地联办",
                                  .matters = {{.matter = "WZ-009",
                                               .name = "社保关系转入",
                                               .handling_region = kWanzai}}})
                    .ok());
    ASSERT_TRUE(A().PutAgreement({.id = "ly-tg-joint",
                                  .partner = kTonggu,
                                  .mode = Mode::kJoint,
                                  .title = "浏阳—铜鼓 多地联办",
                                  .matters = {{.matter = "TG-009",
                                               .name = "医保关系转入",
                                               .handling_region = kTonggu}}})
                    .ok());
  }

  void Link(const char* from, const char* to, const char* via) {
    Node& t = nodes_[to];
    auto pem = t.service->key().PublicPem();
    ASSERT_TRUE(pem.ok());
    Status s = nodes_[from].service->PutPartner({.region = to,
                                                 .name = to,
                                                 .base_url = t.url,
                                                 .public_key = *pem,
                                                 .hub = std::string(to) == kHub,
                                                 .via = via});
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }

  Service& A() { return *nodes_[kLiuyang].service; }
  Service& B() { return *nodes_[kTonggu].service; }
  Service& C() { return *nodes_[kWanzai].service; }
  Service& H() { return *nodes_[kHub].service; }

  // Delivery rounds on every node until nothing is due (at most `rounds`).
  void Pump(int rounds = 10) {
    for (int i = 0; i < rounds; ++i) {
      int moved = 0;
      for (auto& [region, n] : nodes_) {
        auto r = n.service->DeliverDue(net_);
        ASSERT_TRUE(r.ok()) << r.error().ToString();
        moved += r->delivered;
      }
      if (moved == 0) return;
    }
  }

  Result<CrossCase> ForwardOne(const std::string& applicant) {
    return A().Forward({.mode = Mode::kProxy,
                        .matter = "TG-001",
                        .applicant_name = applicant,
                        .applicant_code = "430181199001011234",
                        .form = {{"business_name", "浏阳烟花小店"}},
                        .materials = {{.name = "身份证", .bytes = "ID-CARD-BYTES"},
                                      {.name = "场所证明", .bytes = "PREMISES"}},
                        .delivery = "mail",
                        .actor = "clerk"});
  }

  static std::vector<std::string> Kinds(const CrossCase& c) {
    std::vector<std::string> out;
    out.reserve(c.timeline.size());
    for (const TimelineEntry& e : c.timeline) out.push_back(e.kind + "@" + e.region);
    return out;
  }

  FakeClock clock_{Timestamp(std::chrono::milliseconds(1'790'000'000'000))};
  std::map<std::string, Node> nodes_;
  Loopback net_;
};

TEST_P(Exchange, OffersListThePartnersMattersOnly) {
  if (!nodes_.count(kLiuyang)) return;
  auto all = A().Offers("");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  auto tonggu = A().Offers(kTonggu);
  ASSERT_TRUE(tonggu.ok());
  ASSERT_EQ(tonggu->size(), 2u);
  EXPECT_EQ((*tonggu)[0].matter, "TG-001");
  EXPECT_EQ((*tonggu)[0].mode, Mode::kProxy);
  // An agreement whose matter is handled by a third region is refused, naming the field.
  Status bad =
      A().PutAgreement({.id = "x",
                        .partner = kTonggu,
                        .mode = Mode::kProxy,
                        .title = "x",
                        .matters = {{.matter = "M", .name = "m", .handling_region = kWanzai}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().fields()[0].field, "matters/0/handling_region");
  // A matter no agreement offers cannot be forwarded.
  auto none = A().Forward({.mode = Mode::kProxy,
                           .matter = "WZ-009",
                           .applicant_name = "a",
                           .applicant_code = "b",
                           .form = {},
                           .materials = {},
                           .delivery = "window",
                           .actor = ""});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().fields()[0].field, "matter");
}

TEST_P(Exchange, ProxyCaseTravelsAndTheDecisionFlowsBack) {
  if (!nodes_.count(kLiuyang)) return;
  auto c = ForwardOne("王五");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->receiving_region, kLiuyang);
  EXPECT_EQ(c->handling_region, kTonggu);
  Pump();
  auto queue = B().List("handling", "forwarded", 10);
  ASSERT_TRUE(queue.ok());
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ((*queue)[0].ref, c->ref);
  EXPECT_EQ((*queue)[0].applicant_name, "王五");
  ASSERT_EQ((*queue)[0].materials.size(), 2u);
  auto bytes = B().File((*queue)[0].materials[0].hash);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes, "ID-CARD-BYTES");
  // The receiving side may not decide; the handling side decides in order.
  EXPECT_EQ(A().Step(c->ref, {.step = "approve"}).error().code(), ErrorCode::kRefused);
  EXPECT_EQ(B().Step(c->ref, {.step = "approve"}).error().code(), ErrorCode::kConflict);
  ASSERT_TRUE(B().Step(c->ref, {.step = "accept", .note = "材料齐全"}).ok());
  ASSERT_TRUE(
      B().Step(c->ref, {.step = "approve", .note = "准予", .result = "营业执照 No.1"}).ok());
  ASSERT_TRUE(
      B().Step(c->ref, {.step = "mail", .note = "寄回收件地", .tracking_number = "EMS1"}).ok());
  ASSERT_TRUE(B().Step(c->ref, {.step = "conclude"}).ok());
  Pump();
  auto back = A().Get(c->ref);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->state, "concluded");
  EXPECT_EQ(back->result, "营业执照 No.1");
  EXPECT_EQ(back->tracking_number, "EMS1");
  ASSERT_TRUE(A().Step(c->ref, {.step = "deliver", .note = "窗口领取"}).ok());
  Pump();
  auto a = A().Get(c->ref);
  auto b = B().Get(c->ref);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(Kinds(*a), Kinds(*b));
  EXPECT_EQ(Kinds(*a),
            (std::vector<std::string>{"forwarded@430181", "accepted@360926", "approved@360926",
                                      "mailed@360926", "concluded@360926", "delivered@430181"}));
  EXPECT_EQ(b->state, "delivered");
  // Both logs verify, and each message A sent has the same digest in B's log.
  ASSERT_TRUE(A().VerifyLog()->ok);
  ASSERT_TRUE(B().VerifyLog()->ok);
  std::map<std::string, std::string> sent, received;
  auto a_log = A().Log(kTonggu, 100);
  auto b_log = B().Log(kLiuyang, 100);
  ASSERT_TRUE(a_log.ok() && b_log.ok());
  for (const LogEntry& e : *a_log) {
    if (e.direction == "out") sent[e.message_id] = e.digest;
  }
  for (const LogEntry& e : *b_log) {
    if (e.direction == "in") received[e.message_id] = e.digest;
  }
  EXPECT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent, received);
}

TEST_P(Exchange, MaterialsAlreadyHeldAreNotSentAgain) {
  if (!nodes_.count(kLiuyang)) return;
  ASSERT_TRUE(ForwardOne("甲").ok());
  Pump();
  const size_t first = net_.posts.back().size();
  ASSERT_TRUE(ForwardOne("乙").ok());
  Pump();
  // The same two files: the second message carries their hashes only.
  EXPECT_EQ(net_.posts.back().find("\"content\""), std::string::npos);
  EXPECT_NE(net_.posts.front().find("\"content\""), std::string::npos);
  EXPECT_LT(net_.posts.back().size(), first);
  auto queue = B().List("handling", "forwarded", 10);
  ASSERT_EQ(queue->size(), 2u);
  EXPECT_TRUE(B().File((*queue)[1].materials[1].hash).ok());
}

TEST_P(Exchange, DroppedAndDuplicatedMessagesArriveOnceInOrder) {
  if (!nodes_.count(kLiuyang)) return;
  net_.drop = 1;
  auto c = ForwardOne("丙");
  ASSERT_TRUE(c.ok());
  auto round = A().DeliverDue(net_);
  ASSERT_TRUE(round.ok());
  EXPECT_EQ(round->failed, 1);
  EXPECT_EQ(B().List("handling", "", 10)->size(), 0u);
  // Not due before its backoff; due after.
  EXPECT_EQ(A().DeliverDue(net_)->delivered, 0);
  clock_.Advance(std::chrono::milliseconds(250));
  net_.duplicate = true;
  EXPECT_EQ(A().DeliverDue(net_)->delivered, 1);
  auto queue = B().List("handling", "", 10);
  ASSERT_EQ(queue->size(), 1u);
  EXPECT_EQ((*queue)[0].timeline.size(), 1u);
  // A captured post replayed as is: the same id is answered as a duplicate, once stored.
  const std::string captured = net_.posts.back();
  auto again = B().Receive(captured);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, ReceiveStatus::kDuplicate);
  // Later than the tolerance, the same capture is refused as stale.
  clock_.Advance(std::chrono::seconds(301));
  auto stale = B().Receive(captured);
  ASSERT_FALSE(stale.ok());
  EXPECT_TRUE(stale.error().message().starts_with("stale:")) << stale.error().ToString();
}

TEST_P(Exchange, OutOfOrderArrivalIsAppliedInSequenceOrder) {
  if (!nodes_.count(kLiuyang)) return;
  auto c = ForwardOne("丁");
  ASSERT_TRUE(c.ok());
  Pump();
  ASSERT_TRUE(B().Step(c->ref, {.step = "accept"}).ok());
  ASSERT_TRUE(B().Step(c->ref, {.step = "approve", .result = "R"}).ok());
  // Capture both posts without delivering them, then deliver the second first.
  Loopback capture;
  ASSERT_EQ(B().DeliverDue(capture)->failed, 1);  // no node: the first fails, the hop waits
  ASSERT_EQ(capture.posts.size(), 1u);
  const std::string first = capture.posts[0];
  clock_.Advance(std::chrono::seconds(1));
  // Stamp the second by hand: sign it as B's delivery would.
  auto out = B().Outbox("pending", 10);
  ASSERT_TRUE(out.ok());
  ASSERT_EQ(out->size(), 2u);
  Loopback net;
  net.nodes = net_.nodes;
  ASSERT_TRUE(A().Receive(first).ok());  // applied: accepted
  EXPECT_EQ(A().Get(c->ref)->state, "accepted");
  EXPECT_EQ(B().DeliverDue(net_)->delivered, 2);  // re-sends the first (duplicate) and the second
  EXPECT_EQ(A().Get(c->ref)->state, "approved");
}

TEST_P(Exchange, RefusesUnknownSendersAlteredAndReplayedSequences) {
  if (!nodes_.count(kLiuyang)) return;
  auto key = crypto::Sm2Key::Generate();
  ASSERT_TRUE(key.ok());
  Envelope e{.message_id = "forged-1",
             .sender = kWanzai,  // a partner of 浏阳, but this key is not 万载's
             .receiver = kLiuyang,
             .sequence = 1,
             .timestamp_ms = 1'790'000'000'000,
             .case_ref = "x",
             .kind = "case.step",
             .body = nlohmann::json::object()};
  auto s = Sign(e, *key);
  auto hop = StampHop(*s, kWanzai, 1'790'000'000'000, *key);
  auto forged = A().Receive(WireText({.signed_envelope = *s, .hop = *hop}));
  ASSERT_FALSE(forged.ok());
  EXPECT_TRUE(forged.error().message().starts_with("altered:"));
  e.sender = "431128";  // no partner at all
  s = Sign(e, *key);
  hop = StampHop(*s, "431128", 1'790'000'000'000, *key);
  auto unknown = A().Receive(WireText({.signed_envelope = *s, .hop = *hop}));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code(), ErrorCode::kForbidden);
  EXPECT_TRUE(unknown.error().message().starts_with("unknown_sender:"));
  // A genuine message altered in transit.
  auto c = ForwardOne("戊");
  ASSERT_TRUE(c.ok());
  Loopback capture;
  ASSERT_TRUE(A().DeliverDue(capture).ok());
  std::string altered = capture.posts[0];
  const size_t at = altered.find("戊");
  ASSERT_NE(at, std::string::npos);
  altered.replace(at, std::string("戊").size(), "己");
  auto r = B().Receive(altered);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().message().starts_with("altered:"));
  EXPECT_TRUE(B().Receive(capture.posts[0]).ok());
  // A message under a new id reusing an applied sequence number (as a thief of 浏阳's key
  // would make it) is refused as a replay.
  auto w = ParseWire(capture.posts[0]);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->signed_envelope.envelope.sequence, 1);
  Envelope reused = w->signed_envelope.envelope;
  reused.message_id = "another-id";
  auto resigned = Sign(reused, A().key());
  ASSERT_TRUE(resigned.ok());
  auto stamp = StampHop(*resigned, kLiuyang, 1'790'000'000'000, A().key());
  auto replayed = B().Receive(WireText({.signed_envelope = *resigned, .hop = *stamp}));
  ASSERT_FALSE(replayed.ok());
  EXPECT_EQ(replayed.error().code(), ErrorCode::kConflict);
  EXPECT_TRUE(replayed.error().message().starts_with("replayed:"));
  EXPECT_EQ(B().List("handling", "", 10)->size(), 1u);
}

TEST_P(Exchange, HubRelaysWithTheSignatureIntactAndJointCasesConclude) {
  if (!nodes_.count(kLiuyang)) return;
  auto lead = A().StartJoint(
      {.matter = "LY-100",
       .matter_name = "企业迁移一件事",
       .parts = {{.region = kWanzai, .matter = "WZ-009"}, {.region = kTonggu, .matter = "TG-009"}},
       .applicant_name = "辛",
       .applicant_code = "430181199001011234",
       .form = {},
       .materials = {{.name = "申请书", .bytes = "FORM"}},
       .actor = "clerk"});
  ASSERT_TRUE(lead.ok()) << lead.error().ToString();
  ASSERT_EQ(lead->parts.size(), 2u);
  Pump();
  // 万载 got its part through the hub, signed by 浏阳 (the hub only stamped the hop).
  auto wz = C().List("part", "forwarded", 10);
  ASSERT_TRUE(wz.ok());
  ASSERT_EQ(wz->size(), 1u);
  auto relayed = H().Log("", 100);
  ASSERT_TRUE(relayed.ok());
  ASSERT_FALSE(relayed->empty());
  EXPECT_EQ((*relayed)[0].direction, "relay");
  EXPECT_EQ((*relayed)[0].digest, (*C().Log(kLiuyang, 10))[0].digest);
  const std::string wz_part = (*wz)[0].ref;
  const std::string tg_part = (*B().List("part", "forwarded", 10))[0].ref;
  for (auto [svc, part] : {std::pair{&C(), wz_part}, std::pair{&B(), tg_part}}) {
    ASSERT_TRUE(svc->Step(part, {.step = "accept"}).ok());
    ASSERT_TRUE(svc->Step(part, {.step = "approve", .result = "ok"}).ok());
    EXPECT_EQ(A().Get(lead->ref)->state, "started");
    ASSERT_TRUE(svc->Step(part, {.step = "conclude"}).ok());
    Pump();
  }
  auto done = A().Get(lead->ref);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, "concluded");
  EXPECT_EQ(done->timeline.back().kind, "concluded");
  // The lead's conclusion reached each part's timeline.
  EXPECT_EQ(C().Get(wz_part)->timeline.back().kind, "concluded");
  EXPECT_EQ(C().Get(wz_part)->timeline.back().region, kLiuyang);
  for (Service* s : {&A(), &B(), &C(), &H()}) EXPECT_TRUE(s->VerifyLog()->ok);
}

TEST_P(Exchange, RefusedMessagesWaitAsDeadLettersAndRetry) {
  if (!nodes_.count(kLiuyang)) return;
  // 铜鼓 forgets 浏阳: the message is refused (403), kept as a dead letter.
  ASSERT_TRUE(B().DeletePartner(kLiuyang).ok());
  auto c = ForwardOne("壬");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(A().DeliverDue(net_)->dead, 1);
  auto dead = A().Outbox("dead", 10);
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_NE((*dead)[0].last_error.find("unknown_sender"), std::string::npos);
  auto counts = A().OutboxCounts();
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ((*counts)["dead"], 1);
  EXPECT_EQ((*counts)["pending"], 0);
  Link(kTonggu, kLiuyang, "");
  ASSERT_TRUE(A().Retry((*dead)[0].message_id).ok());
  EXPECT_EQ(A().DeliverDue(net_)->delivered, 1);
  EXPECT_EQ(B().List("handling", "", 10)->size(), 1u);
  EXPECT_EQ(A().Retry("nope").error().code(), ErrorCode::kNotFound);
}

// Item 5: the backlog and the dead letters as metrics; cases per mode, role and partner.
TEST_P(Exchange, MetricsShowTheBacklogTheDeadLettersAndTheCases) {
  if (!nodes_.count(kLiuyang)) return;
  ASSERT_TRUE(ForwardOne("甲").ok());
  net_.drop = 1;  // 铜鼓 does not answer: the message stays in the backlog
  EXPECT_EQ(A().DeliverDue(net_)->failed, 1);
  std::string m = Metrics(A());
  EXPECT_NE(m.find("tongban_xregion_outbox_messages{state=\"pending\"} 1\n"), std::string::npos)
      << m;
  EXPECT_NE(m.find("tongban_xregion_outbox_messages{state=\"dead\"} 0\n"), std::string::npos);
  EXPECT_NE(m.find("tongban_xregion_cases{mode=\"proxy\",role=\"receiving\",partner=\"360926\"} 1"),
            std::string::npos)
      << m;
  // Delivered once 铜鼓 answers; a refused message becomes a dead letter.
  clock_.Advance(std::chrono::seconds(1));
  Pump();
  ASSERT_TRUE(B().DeletePartner(kLiuyang).ok());
  ASSERT_TRUE(ForwardOne("乙").ok());
  EXPECT_EQ(A().DeliverDue(net_)->dead, 1);
  m = Metrics(A());
  EXPECT_NE(m.find("tongban_xregion_outbox_messages{state=\"pending\"} 0\n"), std::string::npos)
      << m;
  EXPECT_NE(m.find("tongban_xregion_outbox_messages{state=\"dead\"} 1\n"), std::string::npos);
  EXPECT_NE(m.find("tongban_xregion_outbox_messages{state=\"delivered\"} 1\n"), std::string::npos);
  EXPECT_NE(m.find("tongban_xregion_cases{mode=\"proxy\",role=\"receiving\",partner=\"360926\"} 2"),
            std::string::npos);
  // The handling side counts what it decides.
  std::string b = Metrics(B());
  EXPECT_NE(b.find("tongban_xregion_cases{mode=\"proxy\",role=\"handling\",partner=\"430181\"} 1"),
            std::string::npos)
      << b;
  EXPECT_NE(b.find("tongban_xregion_originals_overdue 0"), std::string::npos);
}

// Item 5: "100 matters, 65 fully online", over the agreements.
TEST_P(Exchange, CoverageReportCountsDistinctMattersPerMode) {
  if (!nodes_.count(kLiuyang)) return;
  // TG-001 is offered by proxy and now also fully online; a second online matter.
  ASSERT_TRUE(
      A().PutAgreement(
             {.id = "ly-tg-online",
              .partner = kTonggu,
              .mode = Mode::kOnline,
              .title = "浏阳—铜鼓 全程网办",
              .matters =
                  {{.matter = "TG-001", .name = "个体工商户设立登记", .handling_region = kTonggu},
                   {.matter = "TG-002", .name = "个体工商户变更登记", .handling_region = kTonggu}}})
          .ok());
  auto r = A().CoverageReport();
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->partners, 2);  // 铜鼓, 万载 (the hub has no agreement)
  EXPECT_EQ(r->matters, 4);   // TG-001, TG-002, TG-009, WZ-009: each once
  EXPECT_EQ(r->fully_online, 2);
  EXPECT_EQ(r->proxy, 1);
  EXPECT_EQ(r->joint, 2);
  ASSERT_EQ(r->lines.size(), 3u);  // every partner, by region code
  const CoverageLine& tg = r->lines[2];
  EXPECT_EQ(tg.partner, kTonggu);
  EXPECT_EQ(tg.matters, 3);
  EXPECT_EQ(tg.online, 2);
  EXPECT_EQ(tg.proxy, 1);
  EXPECT_EQ(tg.joint, 1);
  EXPECT_EQ(r->lines[0].partner, kHub);
  EXPECT_EQ(r->lines[0].matters, 0);
}

TEST_P(Exchange, TamperedLogIsFound) {
  if (!nodes_.count(kLiuyang)) return;
  ASSERT_TRUE(ForwardOne("癸").ok());
  ASSERT_TRUE(ForwardOne("子").ok());
  ASSERT_TRUE(A().VerifyLog()->ok);
  ASSERT_TRUE(nodes_[kLiuyang]
                  .db
                  ->Transaction(store::TxKind::kWrite,
                                [](soci::session& sql) -> Status {
                                  sql << "UPDATE xregion_outbox SET wire = REPLACE(wire, '子', "
                                         "'丑')";
                                  return Ok();
                                })
                  .ok());
  auto v = A().VerifyLog();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_EQ(v->first_bad, 2);
}

INSTANTIATE_TEST_SUITE_P(Backends, Exchange, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

}  // namespace
}  // namespace tongban::xregion
