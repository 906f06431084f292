// A case document's seal over HTTP, as an outside verifier sees it: a document sealed alone is
// the department key's signature of `text`; one sealed in a batch gives `signed_text` (the batch
// statement), `seal_proof`, and the verification route says `batch`; its audit path leads `text`
// to the signed root with nothing but SM3; a changed proof step or another batch's signature is
// invalid with its reason.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cases/sealer.h"
#include "crypto/merkle.h"
#include "crypto/sm2.h"
#include "crypto/sm3.h"
#include "test_server.h"

namespace tongban {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class CaseSealHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    app::Config config;
    config.demo = true;
    server_ = testing::TestServer::Start(store::Backend::kSqlite, config);
    ASSERT_TRUE(server_ && server_->Run());
  }

  std::string Login(const std::string& username) {
    json body = {{"username", username}, {"password", "tongban-demo"}};
    auto res = server_->Client().Post("/api/v1/sessions", body.dump(), "application/json");
    EXPECT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
    return res ? json::parse(res->body).value("token", "") : "";
  }
  json GetJson(const std::string& path, const std::string& token) {
    auto res = server_->Client().Get(path, {{"Authorization", "Bearer " + token}});
    EXPECT_TRUE(res && res->status == 200) << path << "\n" << (res ? res->body : "no answer");
    return res && res->status == 200 ? json::parse(res->body) : json::object();
  }
  // Writes a document's seal as a batch would have (or a tampered one).
  void StoreSeal(const std::string& id, const cases::DocumentSeal& seal) {
    Status written =
        server_->app().db().Transaction(store::TxKind::kWrite, [&](soci::session& sql) -> Status {
          sql << "UPDATE case_document SET signature = :signature, seal_proof = :proof "
                 "WHERE id = :id",
              soci::use(seal.signature, "signature"), soci::use(seal.proof, "proof"),
              soci::use(id, "id");
          return Ok();
        });
    ASSERT_TRUE(written.ok()) << written.error().ToString();
  }
  crypto::Sm2Key DepartmentPrivateKey(const std::string& department) {
    std::string pem;
    Status read =
        server_->app().db().Transaction(store::TxKind::kRead, [&](soci::session& sql) -> Status {
          sql << "SELECT private_pem FROM case_department_key WHERE department_code = :d",
              soci::use(department, "d"), soci::into(pem);
          return Ok();
        });
    EXPECT_TRUE(read.ok());
    auto key = crypto::Sm2Key::FromPrivatePem(pem);
    if (!key.ok()) throw std::runtime_error(key.error().ToString());
    return *key;
  }

  std::unique_ptr<testing::TestServer> server_;
};

// What an outside verifier does with the document's JSON: the signature over `signed_text`
// with the public key, and, for a batch, the Merkle path from `text` to the statement's root.
void VerifyAsOutsider(const json& document, const std::string& public_pem) {
  auto key = crypto::Sm2Key::FromPublicPem(public_pem);
  ASSERT_TRUE(key.ok());
  const std::string text = document["text"], signed_text = document["signed_text"];
  EXPECT_EQ(json::parse(text), document["content"]);
  EXPECT_TRUE(
      *key->Verify(signed_text, *crypto::FromHex(document["signature"].get<std::string>())));
  if (!document.contains("seal_proof")) {
    EXPECT_EQ(signed_text, text);
    return;
  }
  const json& proof = document["seal_proof"];
  const json statement = json::parse(signed_text);
  EXPECT_EQ(statement["alg"], "sm3-merkle");
  EXPECT_EQ(statement["root"], proof["root"]);
  EXPECT_EQ(statement["size"], proof["tree_size"]);
  std::vector<crypto::Sm3Digest> path;
  for (const json& step : proof["audit_path"]) {
    const std::string bytes = *crypto::FromHex(step.get<std::string>());
    crypto::Sm3Digest d{};
    std::copy(bytes.begin(), bytes.end(), d.begin());
    path.push_back(d);
  }
  auto root = crypto::MerkleRootFromPath(proof["leaf_index"], proof["tree_size"],
                                         crypto::MerkleLeafHash(text), path);
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(crypto::ToHex(*root), statement["root"]);
}

TEST_F(CaseSealHttpTest, BatchSealedDocumentsVerifyOutsideAndTamperingIsNamed) {
  const std::string clerk = Login("xintian.window_clerk");
  json page = GetJson("/api/v1/cases?state=under_review&limit=1", clerk);
  ASSERT_FALSE(page["items"].empty());
  json c = GetJson(page["items"][0]["href"].get<std::string>(), clerk);
  ASSERT_FALSE(c["documents"].empty());
  const std::string href = c["documents"][0]["href"];
  json alone = GetJson(href, clerk);
  json verdict = GetJson(href + "/verification", clerk);
  EXPECT_EQ(verdict["valid"], true) << verdict.dump();
  const std::string public_pem = verdict["public_key"];
  VerifyAsOutsider(alone, public_pem);

  // The same document sealed as the middle one of a batch of three.
  const std::string id = alone["id"], department = alone["department"], text = alone["text"];
  const crypto::Sm2Key key = DepartmentPrivateKey(department);
  auto batch = cases::SealTogether(
      key, department,
      {R"({"document_id":"x1","kind":"k"})", text, R"({"document_id":"x2","kind":"k"})"});
  ASSERT_TRUE(batch.ok());
  StoreSeal(id, (*batch)[1]);
  json sealed = GetJson(href, clerk);
  ASSERT_TRUE(sealed.contains("seal_proof")) << sealed.dump();
  EXPECT_EQ(sealed["seal_proof"]["leaf_index"], 1);
  EXPECT_EQ(sealed["seal_proof"]["tree_size"], 3);
  EXPECT_THAT(sealed["signed_text"].get<std::string>(), HasSubstr(R"("alg":"sm3-merkle")"));
  EXPECT_THAT(sealed["algorithm"].get<std::string>(), HasSubstr("RFC 9162"));
  VerifyAsOutsider(sealed, public_pem);
  verdict = GetJson(href + "/verification", clerk);
  EXPECT_EQ(verdict["valid"], true) << verdict.dump();
  EXPECT_EQ(verdict["sealed"], "batch");
  EXPECT_FALSE(verdict.contains("reason"));

  // A step of the audit path changed: invalid, and why.
  json proof = json::parse((*batch)[1].proof);
  std::string step = proof["audit_path"][0];
  step[0] = step[0] == 'a' ? 'b' : 'a';
  proof["audit_path"][0] = step;
  StoreSeal(id, {(*batch)[1].signature, proof.dump()});
  verdict = GetJson(href + "/verification", clerk);
  EXPECT_EQ(verdict["valid"], false);
  EXPECT_THAT(verdict["reason"].get<std::string>(), HasSubstr("do not lead to the batch root"));

  // Another batch's signature with this document's own proof.
  auto other = cases::SealTogether(key, department, {text, R"({"document_id":"x3","kind":"k"})"});
  ASSERT_TRUE(other.ok());
  StoreSeal(id, {(*other)[0].signature, (*batch)[1].proof});
  verdict = GetJson(href + "/verification", clerk);
  EXPECT_EQ(verdict["valid"], false);
  EXPECT_THAT(verdict["reason"].get<std::string>(), HasSubstr("batch signature is not"));
  // Its own batch's seal again: valid.
  StoreSeal(id, (*other)[0]);
  EXPECT_EQ(GetJson(href + "/verification", clerk)["valid"], true);
}

// The demo's staff took many cases through their steps at once (six clerks): every document of
// a locality verifies, however it was sealed.
TEST_F(CaseSealHttpTest, EveryDemoDocumentOfALocalityVerifies) {
  const std::string clerk = Login("xintian.window_clerk");
  int documents = 0;
  std::string cursor;
  for (int pages = 0; pages < 20; ++pages) {
    json page = GetJson(
        "/api/v1/cases?limit=100&region=431128" + (cursor.empty() ? "" : "&cursor=" + cursor),
        clerk);
    for (const json& item : page["items"]) {
      json c = GetJson(item["href"].get<std::string>(), clerk);
      for (const json& d : c["documents"]) {
        json verdict = GetJson(d["href"].get<std::string>() + "/verification", clerk);
        EXPECT_EQ(verdict["valid"], true) << d["href"] << " " << verdict.dump();
        ++documents;
      }
    }
    if (!page["next_cursor"].is_string()) break;
    cursor = page["next_cursor"].get<std::string>();
  }
  EXPECT_GT(documents, 10);
}

}  // namespace
}  // namespace tongban
