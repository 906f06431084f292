// The HTTP surface as a client sees it: health, problem+json, limits, request ids, metrics,
// and the OpenAPI document checked route by route against the running server.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "api/json_body.h"
#include "api/openapi.h"
#include "test_server.h"

namespace tongban {
namespace {

using store::Backend;

class Http : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    server_ = tongban::testing::TestServer::Start(GetParam());
    if (!server_) return;
    // A test-only route to exercise body decoding and limits.
    server_->app().server().Post(
        "/test/echo",
        [](const httplib::Request& req, httplib::Response& res, api::RequestContext& ctx) {
          auto body = api::ParseJsonBody(req);
          if (!body.ok()) return api::WriteProblem(res, body.error(), ctx);
          FieldErrors errors;
          api::ObjectReader r(*body, "", errors);
          auto name = r.String("name", true);
          auto limit = r.Integer("limit", false);
          r.Finish();
          if (!errors.empty()) return api::WriteProblem(res, errors.ToError("invalid echo"), ctx);
          api::WriteJson(res, {{"name", *name}, {"limit", limit.value_or(0)}});
        });
    ASSERT_TRUE(server_->Run());
  }
  std::unique_ptr<tongban::testing::TestServer> server_;
};

TEST_P(Http, HealthNamesTheBackend) {
  auto res = server_->Client().Get("/api/v1/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["database"], store::BackendName(GetParam()));
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(res->get_header_value("X-Request-Id").size(), 16u);
}

TEST_P(Http, UnknownPathIsProblemJson) {
  auto res = server_->Client().Get("/api/v1/no-such-thing");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/problem+json");
  auto body = nlohmann::json::parse(res->body);
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["code"], "not_found");
  EXPECT_FALSE(body["request_id"].get<std::string>().empty());
}

TEST_P(Http, EveryInvalidFieldIsListedAtOnce) {
  auto res =
      server_->Client().Post("/test/echo", R"({"limit":"ten","colour":"red"})", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  auto body = nlohmann::json::parse(res->body);
  std::set<std::string> fields;
  for (const auto& e : body["errors"]) fields.insert(e["field"].get<std::string>());
  EXPECT_EQ(fields, (std::set<std::string>{"name", "limit", "colour"}));
  EXPECT_EQ(body["code"], "invalid_argument");
}

TEST_P(Http, MalformedAndWrongTypeBodiesAreNamed) {
  auto bad = server_->Client().Post("/test/echo", R"({"name": "x",)", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad->body)["code"], "malformed_body");
  auto xml = server_->Client().Post("/test/echo", "<a/>", "application/xml");
  ASSERT_TRUE(xml);
  EXPECT_EQ(xml->status, 415);
  auto ok =
      server_->Client().Post("/test/echo", R"({"name":"通办","limit":3})", "application/json");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(nlohmann::json::parse(ok->body)["name"], "通办");
}

TEST_P(Http, OversizeBodiesAreRefusedWith413) {
  std::string big(5 * 1024 * 1024, ' ');
  auto res = server_->Client().Post("/test/echo", big, "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

TEST_P(Http, CallerRequestIdIsKeptAndUnsafeOnesReplaced) {
  auto c = server_->Client();
  auto res = c.Get("/api/v1/health", {{"X-Request-Id", "abc-123"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->get_header_value("X-Request-Id"), "abc-123");
  auto bad = c.Get("/api/v1/health", {{"X-Request-Id", "evil\"id with spaces"}});
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->get_header_value("X-Request-Id"), "evil\"id with spaces");
}

TEST_P(Http, MetricsCountRequestsByRoute) {
  auto c = server_->Client();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.Get("/api/v1/health"));
  auto res = c.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_NE(
      res->body.find(
          R"(tongban_http_requests_total{method="GET",route="/api/v1/health",status="2xx"} 3)"),
      std::string::npos)
      << res->body;
  EXPECT_NE(res->body.find("tongban_http_request_duration_seconds_bucket"), std::string::npos);
}

// The routes `server` registers, without the test-only ones.
std::vector<api::Route> ServedRoutes(tongban::testing::TestServer& server) {
  std::vector<api::Route> served;
  for (const auto& r : server.app().server().routes()) {
    if (!r.pattern.starts_with("/test/")) served.push_back(r);
  }
  return served;
}

// The served route that answers `method` on a concrete `path`, or nullptr.
const api::Route* RouteFor(const std::vector<api::Route>& served, const std::string& method,
                           const std::string& path) {
  for (const auto& r : served) {
    if (r.method == method && std::regex_match(path, std::regex(r.pattern))) return &r;
  }
  return nullptr;
}

// Every documented operation is served, and every served route is documented. Operations marked
// x-demo-only are served only with the demo's SMS simulator: checked against a server started
// that way, and checked absent from the default one.
TEST_P(Http, OpenApiMatchesTheServerRouteByRoute) {
  auto res = server_->Client().Get("/api/v1/openapi.json");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  auto doc = nlohmann::json::parse(res->body);
  EXPECT_EQ(doc["openapi"].get<std::string>().substr(0, 2), "3.");
  app::Config demo_config;
  demo_config.demo = true;
  auto demo = tongban::testing::TestServer::Start(GetParam(), demo_config);
  ASSERT_TRUE(demo);
  const std::vector<api::Route> served = ServedRoutes(*server_);
  const std::vector<api::Route> demo_served = ServedRoutes(*demo);
  static const std::regex kParam(R"(\{[^}]+\})");
  std::set<std::pair<std::string, std::string>> documented_matched;
  int demo_only_operations = 0;
  for (const auto& [path, ops] : doc["paths"].items()) {
    const std::string sample = std::regex_replace(path, kParam, "sample-1");
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      std::transform(m.begin(), m.end(), m.begin(), ::toupper);
      const bool demo_only = op.value("x-demo-only", false);
      if (demo_only) ++demo_only_operations;
      const api::Route* by_default = RouteFor(served, m, sample);
      const api::Route* in_demo = RouteFor(demo_served, m, sample);
      if (demo_only) {
        EXPECT_EQ(by_default, nullptr) << m << " " << path << " is demo-only but served by default";
      } else {
        EXPECT_NE(by_default, nullptr) << m << " " << path << " is documented but not served";
      }
      EXPECT_NE(in_demo, nullptr) << m << " " << path
                                  << " is documented but not served in the demo";
      if (in_demo != nullptr) documented_matched.insert({in_demo->method, in_demo->pattern});
      EXPECT_TRUE(op.contains("responses")) << m << " " << path << " documents no responses";
    }
  }
  EXPECT_GE(demo_only_operations, 1);
  for (const auto* routes : {&served, &demo_served}) {
    for (const auto& r : *routes) {
      EXPECT_TRUE(documented_matched.contains({r.method, r.pattern}))
          << r.method << " " << r.pattern << " is served but not documented";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Http, ::testing::ValuesIn(store::testing::Backends()),
                         store::testing::BackendTestName);

// Resolves a local "$ref" ("#/components/schemas/Matter"); nullptr when it points nowhere.
const nlohmann::json* Resolve(const nlohmann::json& doc, const std::string& ref) {
  if (!ref.starts_with("#/")) return nullptr;
  const nlohmann::json* node = &doc;
  size_t start = 2;
  while (start <= ref.size()) {
    const size_t end = std::min(ref.find('/', start), ref.size());
    const std::string key = ref.substr(start, end - start);
    if (!node->is_object() || !node->contains(key)) return nullptr;
    node = &(*node)[key];
    start = end + 1;
  }
  return node;
}

void CollectDanglingRefs(const nlohmann::json& doc, const nlohmann::json& node,
                         const std::string& at, std::vector<std::string>& dangling) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) {
        if (Resolve(doc, value.get<std::string>()) == nullptr)
          dangling.push_back(at + ": " + value.dump());
      } else {
        CollectDanglingRefs(doc, value, at + "/" + key, dangling);
      }
    }
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      CollectDanglingRefs(doc, node[i], at + "/" + std::to_string(i), dangling);
    }
  }
}

// The document is complete on its own terms: every $ref resolves; every operation has a unique
// operationId, says its security explicitly ([] for public), names each path parameter exactly
// once, documents 401 when it takes a bearer token and 400/413/415 when it reads a body.
TEST(OpenApi, EveryReferenceResolvesAndEveryOperationIsComplete) {
  const auto doc = nlohmann::json::parse(api::OpenApiDocument());
  std::vector<std::string> dangling;
  CollectDanglingRefs(doc, doc, "#", dangling);
  EXPECT_TRUE(dangling.empty()) << ::testing::PrintToString(dangling);

  static const std::regex kParam(R"(\{([^}]+)\})");
  std::set<std::string> operation_ids;
  int operations = 0;
  for (const auto& [path, ops] : doc["paths"].items()) {
    std::multiset<std::string> in_path;
    for (auto it = std::sregex_iterator(path.begin(), path.end(), kParam);
         it != std::sregex_iterator(); ++it) {
      in_path.insert((*it)[1].str());
    }
    for (const auto& [method, op] : ops.items()) {
      ++operations;
      const std::string where = method + " " + path;
      ASSERT_TRUE(op.contains("operationId")) << where;
      EXPECT_TRUE(operation_ids.insert(op["operationId"].get<std::string>()).second)
          << where << " reuses operationId " << op["operationId"];
      EXPECT_FALSE(op.value("summary", "").empty()) << where << " has no summary";
      std::multiset<std::string> declared;
      for (const auto& p : op.value("parameters", nlohmann::json::array())) {
        const nlohmann::json* param =
            p.contains("$ref") ? Resolve(doc, p["$ref"].get<std::string>()) : &p;
        ASSERT_NE(param, nullptr) << where;
        if (param->value("in", "") == "path") {
          declared.insert(param->value("name", ""));
          EXPECT_TRUE(param->value("required", false)) << where << " path parameters are required";
        }
      }
      EXPECT_EQ(declared, in_path) << where << " declares other path parameters than its path";
      ASSERT_TRUE(op.contains("security")) << where << " leaves its security implicit";
      const auto& responses = op["responses"];
      bool bearer = false;
      for (const auto& requirement : op["security"]) {
        bearer = bearer || requirement.contains("bearer");
      }
      if (bearer) {
        EXPECT_TRUE(responses.contains("401")) << where << " takes a token, no 401";
      }
      if (op.contains("requestBody")) {
        for (const char* status : {"400", "413", "415"}) {
          EXPECT_TRUE(responses.contains(status)) << where << " reads a body, no " << status;
        }
      }
      bool success = false;
      for (auto it = responses.begin(); it != responses.end(); ++it) {
        success = success || it.key().starts_with("2");
      }
      EXPECT_TRUE(success) << where << " documents no success answer";
    }
  }
  EXPECT_GE(operations, 30);
}

}  // namespace
}  // namespace tongban

namespace tongban {
namespace {

// Writes a throw-away self-signed certificate and key (P-256) for the TLS test.
bool WriteSelfSigned(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (!key) return false;
  X509* x = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  bool ok = X509_sign(x, key, EVP_sha256()) > 0;
  FILE* c = fopen(cert_path.c_str(), "w");
  FILE* k = fopen(key_path.c_str(), "w");
  ok = ok && c && k && PEM_write_X509(c, x) &&
       PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
  if (c) fclose(c);
  if (k) fclose(k);
  X509_free(x);
  EVP_PKEY_free(key);
  return ok;
}

TEST(Https, ServesOverTlsWhenCertificateAndKeyAreSet) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("tongban_tls_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string cert = (dir / "cert.pem").string(), key = (dir / "key.pem").string();
  ASSERT_TRUE(WriteSelfSigned(cert, key));
  app::Config config;
  config.server.tls_cert_file = cert;
  config.server.tls_key_file = key;
  auto server = tongban::testing::TestServer::Start(store::Backend::kSqlite, config);
  ASSERT_TRUE(server);
  ASSERT_TRUE(server->Run());
  httplib::SSLClient tls("127.0.0.1", server->port());
  tls.enable_server_certificate_verification(false);
  auto res = tls.Get("/api/v1/health");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  // Plain HTTP to a TLS port gets no answer.
  httplib::Client plain("127.0.0.1", server->port());
  plain.set_read_timeout(2);
  auto p = plain.Get("/api/v1/health");
  EXPECT_TRUE(!p || p->status != 200);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tongban
