// The case routes over a real server on port 0, with real logins: submission with
// Idempotency-Key, uploads, the acceptance queue, transitions with If-Match, sealed documents.
#include "api/case_routes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <thread>

#include "api/people_routes.h"
#include "bpmn/runtime.h"
#include "cases/sealer.h"
#include "cases/testing.h"
#include "catalog/repository.h"
#include "crypto/merkle.h"
#include "keys/key_store.h"
#include "people/clock.h"
#include "people/repository.h"
#include "regions/region_import.h"
#include "store/testing.h"

namespace tongban {
extern const EmbeddedFile kCaseApiTestData[];
extern const size_t kCaseApiTestData_count;
}  // namespace tongban

namespace tongban::api {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kPassword[] = "s3cret-pass";
constexpr char kMatter[] = "11431128MB1234562L000172003000001";

class CaseRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(store::Backend::kSqlite);
    ASSERT_TRUE(temp_);
    db_ = temp_->Open();
    std::vector<store::MigrationSet> sets;
    sets.push_back(*regions::Migrations());
    sets.push_back(trace::TraceMigrations());
    sets.push_back(*people::PeopleMigrations());
    sets.push_back(*catalog::CatalogMigrations());
    sets.push_back(keys::KeysMigrations());
    sets.push_back(*cases::CaseMigrations());
    sets.push_back(*bpmn::Runtime::Migrations());
    std::vector<const store::MigrationSet*> ptrs;
    ptrs.reserve(sets.size());
    for (const auto& s : sets) ptrs.push_back(&s);
    ASSERT_TRUE(db_->Migrate(ptrs).ok());
    people::PeopleOptions po;
    po.password = people::PasswordOptions::Cheap();
    people_ = *people::PeopleService::Create(*db_, sms_, clock_, po);
    ASSERT_TRUE(people_->SeedRoles().ok());
    catalog_ = *catalog::CatalogService::Create(*db_, {.clock = &clock_, .observer = nullptr});
    for (size_t i = 0; i < kCaseApiTestData_count; ++i) {
      ASSERT_TRUE(
          catalog_->ImportYaml(std::string(kCaseApiTestData[i].contents), {.publish = true}).ok());
    }
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    dir_ = ::testing::TempDir() + "/case-routes-" + std::to_string(::getpid());
    seal_keys_ = cases::testing::MakeSealKeys(*db_, clock_);
    cases_ = *cases::CaseService::Create(
        *db_, *catalog_, *people_, *trace_,
        {.clock = &clock_, .data_dir = dir_, .keys = seal_keys_->store.get()});
    runtime_ = *bpmn::Runtime::Create(*db_, clock_, {});
    ASSERT_TRUE(cases_->AttachReview(*runtime_, {}).ok());
    auth_ = std::make_unique<Auth>(*people_);
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    server_ = std::make_unique<Server>(options);
    RegisterPeopleRoutes(*server_, *people_, *auth_, {.sms_outbox = &sms_});
    RegisterCaseRoutes(*server_, *cases_, *auth_);
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok());
    thread_ = std::thread([this] { server_->Serve(); });
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
    clerk_ = Staff("xintian.clerk", "window_clerk");
    approver_ = Staff("xintian.approver", "approver");
    citizen_ = RegisterCitizen("431128199001010037", "李志强", "13800000003");
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    std::filesystem::remove_all(dir_);
  }

  struct Answer {
    int status = 0;
    json body;
    std::string etag;
    std::string location;
  };
  Answer Send(const std::string& method, const std::string& path, const std::string& body,
              const std::string& token, httplib::Headers headers = {},
              const std::string& type = "application/json") {
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    httplib::Result r = method == "GET"   ? client_->Get(path, headers)
                        : method == "PUT" ? client_->Put(path, headers, body, type)
                                          : client_->Post(path, headers, body, type);
    Answer a;
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": no answer";
      return a;
    }
    a.status = r->status;
    a.etag = r->get_header_value("ETag");
    a.location = r->get_header_value("Location");
    if (!r->body.empty()) a.body = json::parse(r->body, nullptr, false);
    return a;
  }
  Answer Post(const std::string& path, const json& body, const std::string& token,
              httplib::Headers headers = {}) {
    return Send("POST", path, body.dump(), token, std::move(headers));
  }

  std::string Staff(const std::string& username, const std::string& role) {
    auto a = people_->BootstrapStaffAccount(
        {.username = username, .name = "测试", .password = kPassword, .region = "431128"},
        {{.role = role, .scope = {.region = "431128"}}});
    EXPECT_TRUE(a.ok()) << a.error().ToString();
    Answer login = Post("/api/v1/sessions", {{"username", username}, {"password", kPassword}}, "");
    EXPECT_EQ(login.status, 201);
    return login.body.value("token", "");
  }
  std::string RegisterCitizen(const std::string& id_number, const std::string& name,
                              const std::string& phone) {
    EXPECT_EQ(Post("/api/v1/sms-codes", {{"phone", phone}, {"purpose", "register"}}, "").status,
              202);
    Answer reg = Post("/api/v1/citizens",
                      {{"id_number", id_number},
                       {"name", name},
                       {"phone", phone},
                       {"code", *sms_.LatestCode(phone)},
                       {"password", kPassword}},
                      "");
    EXPECT_EQ(reg.status, 201) << reg.body.dump();
    Answer login =
        Post("/api/v1/sessions", {{"id_number", id_number}, {"password", kPassword}}, "");
    EXPECT_EQ(login.status, 201) << login.body.dump();
    return login.body.value("token", "");
  }
  json Application() {
    return {{"matter", kMatter},
            {"channel", "online"},
            {"form", {{"venue_name", "龙泉宾馆"}, {"area_m2", 120.5}, {"venue_kind", "宾馆"}}}};
  }
  // Supplies every material of `number` as the citizen.
  void SupplyAll(const std::string& number) {
    const std::string base = "/api/v1/cases/" + number + "/materials/";
    EXPECT_EQ(Post(base + "0", {{"origin", "licence"}, {"reference", "L-001"}}, citizen_).status,
              200);
    EXPECT_EQ(Send("PUT", base + "1?file_name=a.pdf", "%PDF-1.4 a", citizen_, {},
                   "application/octet-stream")
                  .status,
              200);
    EXPECT_EQ(Send("PUT", base + "2", "%PDF-1.4 b", citizen_, {}, "application/pdf").status, 200);
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26")) + std::chrono::hours(9)};
  people::SimulatedSmsGateway sms_;
  std::unique_ptr<store::testing::TempDatabase> temp_;
  // The acceptance notice `doc` (its JSON at `href`) sealed again, as group sealing seals it, as
  // the middle document of a batch of three: the route gives the batch statement as
  // `signed_text` and the inclusion proof, with which a verifier outside needs nothing but SM2
  // and SM3; a changed proof step or another batch's signature is invalid with its reason. The
  // notice's own seal is put back at the end.
  void ExpectABatchSealVerifiesAsAnOutsiderWould(const json& doc, const std::string& href) {
    const std::string id = doc["id"], department = doc["department"], text = doc["text"];
    const std::string name = doc["content"]["department"]["name"];
    auto key = seal_keys_->store->ActiveKey({.code = department, .name = name});
    ASSERT_TRUE(key.ok()) << key.error().ToString();
    auto store_seal = [&](const cases::DocumentSeal& seal) {
      Status written = db_->Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
        sql << "UPDATE case_document SET signature = :signature, seal_proof = :proof "
               "WHERE id = :id",
            soci::use(seal.signature, "signature"), soci::use(seal.proof, "proof"),
            soci::use(id, "id");
        return Ok();
      });
      ASSERT_TRUE(written.ok()) << written.error().ToString();
    };
    auto batch = cases::SealTogether(
        key->key, department,
        {R"({"document_id":"x1","kind":"k"})", text, R"({"document_id":"x2","kind":"k"})"});
    ASSERT_TRUE(batch.ok());
    store_seal((*batch)[1]);
    Answer sealed = Send("GET", href, "", citizen_);
    ASSERT_EQ(sealed.status, 200) << sealed.body.dump();
    ASSERT_TRUE(sealed.body.contains("seal_proof")) << sealed.body.dump();
    EXPECT_EQ(sealed.body["text"], text);
    const json& proof = sealed.body["seal_proof"];
    EXPECT_EQ(proof["leaf_index"], 1);
    EXPECT_EQ(proof["tree_size"], 3);
    EXPECT_THAT(sealed.body["algorithm"].get<std::string>(), HasSubstr("RFC 9162"));
    // As a verifier outside: the statement names the root the audit path leads the text to ...
    const json statement = json::parse(sealed.body["signed_text"].get<std::string>());
    EXPECT_EQ(statement["alg"], "sm3-merkle");
    EXPECT_EQ(statement["department"], department);
    EXPECT_EQ(statement["size"], 3);
    std::vector<crypto::Sm3Digest> path;
    for (const json& step : proof["audit_path"]) {
      const std::string bytes = crypto::FromHex(step.get<std::string>()).value_or("");
      ASSERT_EQ(bytes.size(), 32u);
      crypto::Sm3Digest d{};
      std::copy(bytes.begin(), bytes.end(), d.begin());
      path.push_back(d);
    }
    auto root = crypto::MerkleRootFromPath(1, 3, crypto::MerkleLeafHash(text), path);
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(crypto::ToHex(*root), statement["root"]);
    // ... and the signature over the statement is the published key's.
    Answer verdict = Send("GET", href + "/verification", "", citizen_);
    auto published = crypto::Sm2Key::FromPublicPem(verdict.body["public_key"].get<std::string>());
    ASSERT_TRUE(published.ok());
    const std::string der = crypto::FromHex(sealed.body["signature"].get<std::string>()).value();
    EXPECT_TRUE(published->Verify(sealed.body["signed_text"].get<std::string>(), der).value());
    EXPECT_EQ(verdict.body["valid"], true) << verdict.body.dump();
    EXPECT_EQ(verdict.body["sealed"], "batch");
    EXPECT_FALSE(verdict.body.contains("reason"));
    // A step of the audit path changed.
    json changed = json::parse((*batch)[1].proof);
    std::string step = changed["audit_path"][0];
    step[0] = step[0] == 'a' ? 'b' : 'a';
    changed["audit_path"][0] = step;
    store_seal({(*batch)[1].signature, changed.dump()});
    verdict = Send("GET", href + "/verification", "", citizen_);
    EXPECT_EQ(verdict.body["valid"], false);
    EXPECT_THAT(verdict.body.value("reason", ""), HasSubstr("do not lead to the batch root"));
    // Another batch's signature with this document's proof.
    auto other =
        cases::SealTogether(key->key, department, {text, R"({"document_id":"x3","kind":"k"})"});
    ASSERT_TRUE(other.ok());
    store_seal({(*other)[0].signature, (*batch)[1].proof});
    verdict = Send("GET", href + "/verification", "", citizen_);
    EXPECT_EQ(verdict.body["valid"], false);
    EXPECT_THAT(verdict.body.value("reason", ""), HasSubstr("batch signature is not"));
    store_seal({doc["signature"].get<std::string>(), ""});
    EXPECT_EQ(Send("GET", href + "/verification", "", citizen_).body["valid"], true);
  }

  std::unique_ptr<store::Database> db_;
  std::unique_ptr<people::PeopleService> people_;
  std::unique_ptr<catalog::CatalogService> catalog_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<cases::testing::SealKeys> seal_keys_;  // outlives cases_
  std::unique_ptr<cases::CaseService> cases_;
  std::unique_ptr<bpmn::Runtime> runtime_;
  std::unique_ptr<Auth> auth_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  std::string dir_, clerk_, approver_, citizen_;
};

std::vector<std::string> ErrorFields(const json& problem) {
  std::vector<std::string> out;
  for (const json& e : problem.value("errors", json::array())) out.push_back(e["field"]);
  return out;
}

TEST_F(CaseRoutesTest, SubmissionIsIdempotentPerKey) {
  EXPECT_EQ(Post("/api/v1/cases", Application(), "").status, 401);
  Answer first = Post("/api/v1/cases", Application(), citizen_, {{"Idempotency-Key", "abc"}});
  ASSERT_EQ(first.status, 201) << first.body.dump();
  EXPECT_EQ(first.body["number"], "431128-20261126-000001");
  EXPECT_EQ(first.location, "/api/v1/cases/431128-20261126-000001");
  EXPECT_EQ(first.body["state"], "submitted");
  EXPECT_EQ(first.body["form"]["area_m2"], "120.5");
  EXPECT_EQ(first.body["remaining_working_days"], 5);
  Answer retry = Post("/api/v1/cases", Application(), citizen_, {{"Idempotency-Key", "abc"}});
  EXPECT_EQ(retry.status, 200);
  EXPECT_EQ(retry.body["number"], first.body["number"]);
  json changed = Application();
  changed["form"]["venue_name"] = "另一家";
  Answer conflict = Post("/api/v1/cases", changed, citizen_, {{"Idempotency-Key", "abc"}});
  EXPECT_EQ(conflict.status, 409);
  EXPECT_THAT(ErrorFields(conflict.body), ElementsAre("Idempotency-Key"));
  json bad = Application();
  bad["form"].erase("venue_name");
  bad["channel"] = "fax";
  bad["colour"] = "red";
  Answer invalid = Post("/api/v1/cases", bad, citizen_);
  EXPECT_EQ(invalid.status, 400);
  EXPECT_THAT(ErrorFields(invalid.body), ::testing::UnorderedElementsAre("channel", "colour"));
  bad.erase("colour");
  bad["channel"] = "online";
  EXPECT_THAT(ErrorFields(Post("/api/v1/cases", bad, citizen_).body),
              ElementsAre("form/venue_name"));
}

TEST_F(CaseRoutesTest, FromSubmissionToAnArchivedApproval) {
  Answer c = Post("/api/v1/cases", Application(), citizen_);
  ASSERT_EQ(c.status, 201);
  const std::string number = c.body["number"];
  const std::string base = "/api/v1/cases/" + number;
  // Uploads are sniffed and scanned.
  Answer text = Send("PUT", base + "/materials/1", "hello", citizen_, {}, "application/pdf");
  EXPECT_EQ(text.status, 400);
  Answer virus =
      Send("PUT", base + "/materials/1",
           "%PDF-1.4 X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
           citizen_, {}, "application/pdf");
  EXPECT_EQ(virus.status, 422);
  SupplyAll(number);
  Answer got = Send("GET", base, "", citizen_);
  EXPECT_EQ(got.body["materials"][1]["state"], "provided");
  EXPECT_EQ(got.body["materials"][1]["media_type"], "application/pdf");
  EXPECT_EQ(got.body["materials"][1]["file_name"], "a.pdf");
  EXPECT_EQ(got.body["materials"][0]["origin"], "licence");
  auto bytes = client_->Get(base + "/materials/1",
                            httplib::Headers{{"Authorization", "Bearer " + citizen_}});
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->body, "%PDF-1.4 a");
  // The clerk's queue shows it; the approver has no queue.
  Answer queue = Send("GET", "/api/v1/acceptance-queue", "", clerk_);
  ASSERT_EQ(queue.status, 200) << queue.body.dump();
  ASSERT_EQ(queue.body["items"].size(), 1u);
  EXPECT_EQ(queue.body["items"][0]["number"], number);
  // Received on Thursday 2026-11-26: five working days to accept (第32条).
  EXPECT_EQ(queue.body["items"][0]["accept_due_on"], "2026-12-03");
  EXPECT_EQ(Send("GET", "/api/v1/acceptance-queue?region=431128&department=", "", approver_).status,
            403);
  // Accept with If-Match: stale is 412, current is 200.
  EXPECT_EQ(Post(base + "/accept", json::object(), clerk_, {{"If-Match", "\"1\""}}).status, 412);
  Answer accepted = Post(base + "/accept", json::object(), clerk_, {{"If-Match", got.etag}});
  ASSERT_EQ(accepted.status, 200) << accepted.body.dump();
  EXPECT_EQ(accepted.body["state"], "under_review");
  EXPECT_EQ(accepted.body["clock"]["due_on"], "2026-12-03");
  EXPECT_EQ(accepted.body["remaining_working_days"], 5);
  // The acceptance notice is sealed and verifies.
  const std::string href = accepted.body["documents"][0]["href"];
  Answer doc = Send("GET", href, "", citizen_);
  ASSERT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body["title"], "受理通知书");
  EXPECT_EQ(doc.body["content"]["case_number"], number);
  EXPECT_EQ(doc.body["text"].get<std::string>(), doc.body["content"].dump());
  EXPECT_EQ(doc.body["signed_text"], doc.body["text"]);  // sealed alone: the text is signed
  EXPECT_FALSE(doc.body.contains("seal_proof"));
  Answer verified = Send("GET", href + "/verification", "", citizen_);
  EXPECT_EQ(verified.body["valid"], true);
  EXPECT_EQ(verified.body["sealed"], "alone");
  EXPECT_THAT(verified.body["public_key"].get<std::string>(), HasSubstr("BEGIN PUBLIC KEY"));
  // The department's e-seal certificate, issued by the installation root.
  EXPECT_THAT(verified.body.value("certificate", ""), HasSubstr("BEGIN CERTIFICATE"));
  EXPECT_EQ(verified.body["key_id"], doc.body["key_id"]);
  ExpectABatchSealVerifiesAsAnOutsiderWould(doc.body, href);
  // The clerk who accepted cannot decide; the approver can; then it is archived.
  EXPECT_EQ(Post(base + "/approve", json::object(), clerk_).status, 403);
  Answer approved = Send("POST", base + "/approve", "", approver_, {}, "");
  EXPECT_EQ(approved.status, 200) << approved.body.dump();
  EXPECT_EQ(Post(base + "/conclude", json::object(), approver_).body["state"], "concluded");
  Answer late = Post(base + "/withdraw", json::object(), citizen_);
  EXPECT_EQ(late.status, 409);
  EXPECT_THAT(late.body["detail"].get<std::string>(), HasSubstr("archived"));
}

TEST_F(CaseRoutesTest, TheDrawnCommitmentSignatureIsStoredOnceAndListed) {
  json kiosk = Application();
  kiosk["channel"] = "kiosk";
  Answer c = Post("/api/v1/cases", kiosk, citizen_);
  ASSERT_EQ(c.status, 201) << c.body.dump();
  const std::string base = "/api/v1/cases/" + std::string(c.body["number"]);
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "drawn strokes";
  EXPECT_EQ(Send("GET", base, "", citizen_).body["commitment_signature"], json(nullptr));
  EXPECT_EQ(Send("GET", base + "/commitment-signature", "", citizen_).status, 404);
  EXPECT_EQ(Send("PUT", base + "/commitment-signature", png, "", {}, "image/png").status, 401);
  EXPECT_EQ(
      Send("PUT", base + "/commitment-signature", "%PDF-1.4", citizen_, {}, "image/png").status,
      415);
  EXPECT_EQ(Send("PUT", base + "/commitment-signature", png + std::string(600 * 1024, 'x'),
                 citizen_, {}, "image/png")
                .status,
            413);
  Answer signed_once = Send("PUT", base + "/commitment-signature", png, citizen_, {}, "image/png");
  ASSERT_EQ(signed_once.status, 201) << signed_once.body.dump();
  EXPECT_EQ(signed_once.body["size"], png.size());
  EXPECT_EQ(signed_once.body["href"], base + "/commitment-signature");
  EXPECT_EQ(signed_once.body["content_hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(Send("PUT", base + "/commitment-signature", png, citizen_, {}, "image/png").status,
            200);
  EXPECT_EQ(
      Send("PUT", base + "/commitment-signature", png + "x", citizen_, {}, "image/png").status,
      409);
  // Listed with the case, readable by the clerk who may read it.
  Answer got = Send("GET", base, "", clerk_);
  EXPECT_EQ(got.body["commitment_signature"], signed_once.body);
  auto bytes = client_->Get(base + "/commitment-signature",
                            httplib::Headers{{"Authorization", "Bearer " + clerk_}});
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->status, 200);
  EXPECT_EQ(bytes->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(bytes->body, png);
}

// A case decided in its own submission (秒批) is decided on a signed commitment: the signature
// travels in the submission and is stored in its transaction.
TEST_F(CaseRoutesTest, TheDrawnSignatureTravelsInTheSubmission) {
  json kiosk = Application();
  kiosk["channel"] = "kiosk";
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "drawn strokes";
  for (const char* bad : {"not base64!", "JVBERi0xLjQ="}) {
    kiosk["commitment_signature"] = bad;
    Answer refused = Post("/api/v1/cases", kiosk, citizen_);
    EXPECT_EQ(refused.status, 400) << bad;
    EXPECT_THAT(ErrorFields(refused.body), ElementsAre("commitment_signature")) << bad;
  }
  kiosk["commitment_signature"] = "iVBORw0KGgpkcmF3biBzdHJva2Vz";
  Answer c = Post("/api/v1/cases", kiosk, citizen_);
  ASSERT_EQ(c.status, 201) << c.body.dump();
  ASSERT_TRUE(c.body["commitment_signature"].is_object()) << c.body.dump();
  EXPECT_EQ(c.body["commitment_signature"]["size"], png.size());
  const std::string base = "/api/v1/cases/" + std::string(c.body["number"]);
  EXPECT_EQ(Send("GET", base, "", clerk_).body["commitment_signature"],
            c.body["commitment_signature"]);
  auto bytes = client_->Get(base + "/commitment-signature",
                            httplib::Headers{{"Authorization", "Bearer " + clerk_}});
  ASSERT_TRUE(bytes);
  EXPECT_EQ(bytes->body, png);
  // Signed once: another signature afterwards is refused, the same one answers as stored.
  EXPECT_EQ(
      Send("PUT", base + "/commitment-signature", png + "x", citizen_, {}, "image/png").status,
      409);
  EXPECT_EQ(Send("PUT", base + "/commitment-signature", png, citizen_, {}, "image/png").status,
            200);
}

TEST_F(CaseRoutesTest, CorrectionDenialAndBadActions) {
  const std::string number = Post("/api/v1/cases", Application(), citizen_).body["number"];
  const std::string base = "/api/v1/cases/" + number;
  EXPECT_THAT(ErrorFields(Post(base + "/correction", json::object(), clerk_).body),
              ElementsAre("items"));
  Answer notice = Post(base + "/correction", {{"items", {"营业执照"}}}, clerk_);
  ASSERT_EQ(notice.status, 200) << notice.body.dump();
  EXPECT_EQ(notice.body["state"], "correction_requested");
  Answer second = Post(base + "/correction", {{"items", {"身份证"}}}, clerk_);
  EXPECT_EQ(second.status, 422);
  EXPECT_THAT(ErrorFields(second.body), ElementsAre("items/0"));
  Answer fixed = Post(base + "/fix", {{"changes", {{"venue_name", "龙泉大宾馆"}}}}, clerk_);
  EXPECT_EQ(fixed.body["form"]["venue_name"], "龙泉大宾馆");
  SupplyAll(number);
  ASSERT_EQ(Post(base + "/accept", json::object(), clerk_).status, 200);
  Answer suspend = Post(base + "/suspend", {{"reason", "lunch"}, {"expected_days", 0}}, approver_);
  EXPECT_THAT(ErrorFields(suspend.body), ElementsAre("reason", "expected_days"));
  EXPECT_EQ(Post(base + "/extend", {{"reasons", "现场核查"}}, approver_).status, 403);
  Answer denied = Post(base + "/deny", {{"reasons", "面积不足"}}, approver_);
  ASSERT_EQ(denied.status, 200) << denied.body.dump();
  Answer decision = Send("GET", std::string(denied.body["documents"].back()["href"]), "", citizen_);
  EXPECT_EQ(decision.body["content"]["kind"], "denial_decision");
  EXPECT_THAT(decision.body["content"]["remedies"].get<std::string>(), HasSubstr("行政复议"));
  EXPECT_EQ(Send("GET", "/api/v1/cases/431128-20261126-999999", "", citizen_).status, 404);
}

TEST_F(CaseRoutesTest, TheReviewTaskOfTheProcessDecidesTheCase) {
  const std::string number = Post("/api/v1/cases", Application(), citizen_).body["number"];
  const std::string base = "/api/v1/cases/" + number;
  SupplyAll(number);
  ASSERT_EQ(Post(base + "/accept", json::object(), clerk_).status, 200);
  // The case shows its review: the default process's approval step, due with the limit.
  Answer got = Send("GET", base, "", citizen_);
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body["review"]["process_id"], "case_single_approval");
  EXPECT_EQ(got.body["review"]["status"], "running");
  ASSERT_EQ(got.body["review"]["steps"].size(), 1u);
  EXPECT_EQ(got.body["review"]["steps"][0]["due_on"], "2026-12-03");
  EXPECT_EQ(got.body["review"]["steps"][0]["department"], "431128-wjj");
  EXPECT_EQ(Send("GET", base + "/review", "", approver_).body, got.body["review"]);
  // The approver's inbox holds it; the clerk's does not (not an approver).
  Answer inbox = Send("GET", "/api/v1/review-tasks", "", approver_);
  ASSERT_EQ(inbox.status, 200) << inbox.body.dump();
  ASSERT_EQ(inbox.body["items"].size(), 1u);
  EXPECT_EQ(inbox.body["items"][0]["case"]["number"], number);
  EXPECT_EQ(Send("GET", "/api/v1/review-tasks", "", clerk_).body["items"].size(), 0u);
  EXPECT_EQ(Send("GET", "/api/v1/review-tasks?limit=0", "", approver_).status, 400);
  const std::string complete = inbox.body["items"][0]["complete"];
  Answer bad = Post(complete, {{"decision", "maybe"}}, approver_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(ErrorFields(bad.body), ElementsAre("decision"));
  EXPECT_THAT(ErrorFields(Post(complete, {{"decision", "denied"}}, approver_).body),
              ElementsAre("reasons"));
  Answer decided = Post(complete, {{"decision", "approved"}}, approver_);
  ASSERT_EQ(decided.status, 200) << decided.body.dump();
  EXPECT_EQ(decided.body["state"], "approved");
  EXPECT_EQ(decided.body["documents"].back()["kind"], "approval_decision");
  // A second completion is refused; the case stays decided once.
  EXPECT_EQ(Post(complete, {{"decision", "denied"}, {"reasons", "x"}}, approver_).status, 404);
  EXPECT_EQ(Send("GET", base + "/review", "", approver_).body["status"], "completed");
}

TEST_F(CaseRoutesTest, ABundleApplicationMakesOneSubCasePerMatter) {
  const std::string path = "/api/v1/bundles/431128-yjs-test-parallel/applications";
  json form = {{"venue_name", "龙泉宾馆"},
               {"area_m2", 120.5},
               {"venue_kind", "宾馆"},
               {"main_business", "餐饮服务"}};
  EXPECT_EQ(Post(path, {{"form", form}}, "").status, 401);
  Answer bad = Post(path, {{"form", {{"venue_name", "龙泉宾馆"}, {"colour", "red"}}}}, citizen_);
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(ErrorFields(bad.body), ::testing::Contains("form/colour"));
  EXPECT_EQ(Post("/api/v1/bundles/nope/applications", {{"form", form}}, citizen_).status, 404);
  Answer made = Post(path, {{"form", form}}, citizen_, {{"Idempotency-Key", "b1"}});
  ASSERT_EQ(made.status, 201) << made.body.dump();
  EXPECT_EQ(made.location, "/api/v1/bundle-applications/" + made.body["number"].get<std::string>());
  ASSERT_EQ(made.body["matters"].size(), 2u);
  EXPECT_EQ(made.body["matters"][0]["state"], "submitted");
  EXPECT_EQ(made.body["concluded"], false);
  EXPECT_EQ(made.body["clock"]["remaining_working_days"], 10);
  Answer replay = Post(path, {{"form", form}}, citizen_, {{"Idempotency-Key", "b1"}});
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.body["number"], made.body["number"]);
  Answer view = Send("GET", made.location, "", citizen_);
  ASSERT_EQ(view.status, 200);
  EXPECT_EQ(view.body["matters"], made.body["matters"]);
  const std::string sub = made.body["matters"][1]["case"];
  EXPECT_EQ(Send("GET", "/api/v1/cases/" + sub, "", citizen_).body["form"]["main_business"],
            "餐饮服务");
}

}  // namespace
}  // namespace tongban::api
