// The built pages over a real server on port 0: files with their types and cache headers,
// index.html for the single-page application's paths, and never for /api/ or the server's own
// routes; a missing pages folder is an error at Bind().
#include "api/static_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "api/server.h"

namespace tongban::api {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIndex[] = "<!doctype html><html lang=\"zh-CN\"><title>通办</title></html>";

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937_64 rng(std::random_device{}());
    dir_ = fs::temp_directory_path() / ("tongban-web-" + std::to_string(rng()));
    fs::create_directories(dir_ / "assets");
    Write("index.html", kIndex);
    Write("assets/index-3f2a9c.js", "console.log('通办')");
    Write("assets/index-77aa01.css", "body{}");
    Write("favicon.svg", "<svg/>");
    Write(".env", "SECRET=1");
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (thread_.joinable()) thread_.join();
    fs::remove_all(dir_);
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  void Start(const std::string& web_dir) {
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.web_dir = web_dir;
    server_ = std::make_unique<Server>(options);
    server_->Get("/api/v1/health",
                 [](const httplib::Request&, httplib::Response& res, RequestContext&) {
                   res.set_content("{\"status\":\"ok\"}", "application/json");
                 });
    server_->Get(R"(/verify/([^/]+))",
                 [](const httplib::Request& req, httplib::Response& res, RequestContext&) {
                   res.set_content("verified " + std::string(req.matches[1]), "text/html");
                 });
    auto port = server_->Bind();
    ASSERT_TRUE(port.ok()) << port.error().ToString();
    thread_ = std::thread([this] { server_->Serve(); });
    port_ = *port;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", *port);
  }

  fs::path dir_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
  int port_ = 0;
};

TEST_F(StaticFilesTest, ServesFilesWithTypesAndCacheHeaders) {
  Start(dir_.string());
  auto js = client_->Get("/assets/index-3f2a9c.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_EQ(js->body, "console.log('通办')");
  EXPECT_EQ(js->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_EQ(js->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
  auto css = client_->Get("/assets/index-77aa01.css");
  ASSERT_TRUE(css);
  EXPECT_EQ(css->get_header_value("Content-Type"), "text/css; charset=utf-8");
  // Outside assets/ the names are not hashed: revalidated.
  auto icon = client_->Get("/favicon.svg");
  ASSERT_TRUE(icon);
  EXPECT_EQ(icon->status, 200);
  EXPECT_EQ(icon->get_header_value("Content-Type"), "image/svg+xml");
  EXPECT_EQ(icon->get_header_value("Cache-Control"), "no-cache");
}

TEST_F(StaticFilesTest, TextGoesGzippedToClientsThatAcceptIt) {
  std::string big;
  for (int i = 0; i < 2000; ++i) big += "export const a" + std::to_string(i) + " = '通办';\n";
  Write("assets/big-123abc.js", big);
  Start(dir_.string());
  auto r = client_->Get("/assets/big-123abc.js", {{"Accept-Encoding", "gzip, deflate, br"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Encoding"), "gzip");
  EXPECT_EQ(r->get_header_value("Vary"), "Accept-Encoding");
  EXPECT_EQ(r->body, big);  // decompressed by the client
  // Without Accept-Encoding (a client that does not decompress sends none): the bytes as they are.
  httplib::Client identity("127.0.0.1", port_);
  identity.set_decompress(false);
  auto plain = identity.Get("/assets/big-123abc.js");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->get_header_value("Content-Encoding"), "");
  EXPECT_EQ(plain->body, big);
  // The compressed form really is smaller.
  EXPECT_LT(Gzip(big).size(), big.size() / 4);
}

TEST_F(StaticFilesTest, AnswersIndexForPagePathsOnly) {
  Start(dir_.string());
  for (const char* path :
       {"/", "/portal", "/portal/matters/11431128MB1703883920011300700", "/login?next=/portal",
        "/licences/1.2.156.3005.2.11100000000013338W011.3"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 200) << path;
    EXPECT_EQ(r->body, kIndex) << path;
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache");
  }
  // The API and the server's own pages are never shadowed by index.html.
  auto health = client_->Get("/api/v1/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body, "{\"status\":\"ok\"}");
  auto unknown = client_->Get("/api/v1/no-such-thing");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->get_header_value("Content-Type"), "application/problem+json");
  auto verify = client_->Get("/verify/L-1");
  ASSERT_TRUE(verify);
  EXPECT_EQ(verify->body, "verified L-1");
  // A missing hashed file is a 404, not HTML posing as JavaScript; hidden files are not served;
  // writes are not pages.
  for (const char* path :
       {"/assets/index-000000.js", "/index-000000.js", "/assets/x.3", "/.env", "/assets/../.env"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path;
    EXPECT_THAT(r->body, Not(HasSubstr("SECRET"))) << path;
    EXPECT_THAT(r->body, Not(HasSubstr("<html"))) << path;
  }
  auto post = client_->Post("/portal", "{}", "application/json");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 404);
}

TEST_F(StaticFilesTest, PagesThatWereNotBuiltAreAnErrorAtBind) {
  ServerOptions options;
  options.port = 0;
  options.web_dir = (dir_ / "nope").string();
  Server server(options);
  auto port = server.Bind();
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.error().code(), ErrorCode::kNotFound);
  EXPECT_THAT(port.error().message(), HasSubstr("index.html"));
}

TEST(ContentTypeTest, ByExtension) {
  EXPECT_EQ(ContentTypeOf("/a/b.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeOf("/x.png"), "image/png");
  EXPECT_EQ(ContentTypeOf("/x.unknown"), "application/octet-stream");
}

}  // namespace
}  // namespace tongban::api
