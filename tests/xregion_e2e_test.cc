// Cross-region service end to end: three `tongban serve` processes, each with its own SQLite
// database and key, on loopback ports — 浏阳市 430181, 铜鼓县 360926, 万载县 360922. Proxy,
// online and joint cases travel between them; the handling installation is killed mid-exchange
// and restarted (every case arrives exactly once, the timelines agree); a loopback proxy in the
// test drops and duplicates messages. Runs the built binary as an operator runs it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "subprocess.h"

namespace tongban {
namespace {

using nlohmann::json;
using testing::Child;

constexpr char kPassword[] = "Xregion-e2e-Passw0rd";

// One installation: its database, its operator account, its running server.
struct Installation {
  std::string region, name, db;
  std::unique_ptr<Child> server;
  int port = 0;
  std::string token;

  std::string Url() const { return fmt::format("http://127.0.0.1:{}", port); }
  httplib::Client Client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_connection_timeout(5);
    c.set_read_timeout(30);
    return c;
  }
  httplib::Headers Auth() const { return {{"Authorization", "Bearer " + token}}; }
  json Get(const std::string& path) const {
    auto c = Client();
    auto res = c.Get(path, Auth());
    EXPECT_TRUE(res && res->status == 200) << path << ": " << (res ? res->body : "no answer");
    return res && res->status == 200 ? json::parse(res->body) : json();
  }
  json Send(const std::string& method, const std::string& path, const json& body,
            int expected) const {
    auto c = Client();
    auto res = method == "PUT" ? c.Put(path, Auth(), body.dump(), "application/json")
                               : c.Post(path, Auth(), body.dump(), "application/json");
    EXPECT_TRUE(res && res->status == expected)
        << method << " " << path << ": " << (res ? res->body : "no answer");
    return res && res->status == expected ? json::parse(res->body) : json();
  }
};

class XregionE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / fmt::format("tongban_xregion_{}", ::getpid());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Creates the operator account (the database is created and migrated on the way).
  void Prepare(Installation& in, const std::string& region, const std::string& name) {
    in.region = region;
    in.name = name;
    in.db = "sqlite:" + (dir_ / (region + ".db")).string();
    const std::string cmd = fmt::format(
        "echo '{}' | '{}' people add-staff --db '{}' --username xr.op --name 运维 --region {} "
        "--role catalog_admin@* --role window_clerk@* --role approver@* --role supervisor@* "
        "--log-level warn "
        ">/dev/null",
        kPassword, testing::BinaryPath(), in.db, region);
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }

  void Start(Installation& in) {
    in.server = std::make_unique<Child>(std::vector<std::string>{
        "serve", "--db", in.db, "--listen", "127.0.0.1:0", "--log-level", "info"});
    ASSERT_TRUE(in.server->started());
    ASSERT_TRUE(in.server->WaitFor("tongban serving on http://", std::chrono::seconds(60)))
        << in.server->output();
    std::smatch m;
    const std::string out = in.server->output();
    ASSERT_TRUE(std::regex_search(out, m, std::regex(R"(serving on http://[0-9.]+:(\d+))")));
    in.port = std::stoi(m[1].str());
    auto c = in.Client();
    auto res =
        c.Post("/api/v1/sessions", json{{"username", "xr.op"}, {"password", kPassword}}.dump(),
               "application/json");
    ASSERT_TRUE(res && res->status == 201) << (res ? res->body : "no answer");
    in.token = json::parse(res->body).value("token", "");
  }

  void Kill(Installation& in) {
    ::kill(in.server->pid(), SIGKILL);
    (void)in.server->Wait(std::chrono::seconds(10));
    in.server.reset();
  }

  static void SetIdentity(Installation& in) {
    in.Send("PUT", "/api/v1/xregion/identity", {{"region", in.region}, {"name", in.name}}, 200);
  }

  // `from` registers `to` as a partner at `url` (its own URL unless a proxy stands between).
  static void Link(const Installation& from, const Installation& to, const std::string& url) {
    json id = to.Get("/api/v1/xregion/identity");
    from.Send("PUT", "/api/v1/xregion/partners/" + to.region,
              {{"name", to.name}, {"base_url", url}, {"public_key", id["public_key"]}}, 200);
  }

  // Polls `in` until `pred(case)` holds for `ref` (the exchange is asynchronous by design).
  static json WaitCase(const Installation& in, const std::string& ref,
                       const std::function<bool(const json&)>& pred) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    json last;
    while (std::chrono::steady_clock::now() < deadline) {
      auto c = in.Client();
      auto res = c.Get("/api/v1/xregion/cases/" + ref, in.Auth());
      if (res && res->status == 200) {
        last = json::parse(res->body);
        if (pred(last)) return last;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << in.region << " never saw the expected state of " << ref << ": " << last.dump();
    return last;
  }

  static std::vector<std::string> Timeline(const json& c) {
    std::vector<std::string> out;
    for (const json& e : c["timeline"]) {
      out.push_back(fmt::format("{}|{}|{}", e["id"].get<std::string>(),
                                e["kind"].get<std::string>(), e["region"].get<std::string>()));
    }
    return out;
  }

  static json Steps(const Installation& in, const std::string& ref,
                    const std::vector<std::string>& steps) {
    json last;
    for (const std::string& s : steps) {
      last = in.Send("POST", "/api/v1/xregion/cases/" + ref + "/steps",
                     {{"step", s}, {"note", "e2e"}, {"result", s == "approve" ? "准予" : ""}}, 200);
    }
    return last;
  }

  std::filesystem::path dir_;
};

json ProxyCase(const std::string& matter, const std::string& applicant) {
  return {{"mode", "proxy"},
          {"matter", matter},
          {"applicant_name", applicant},
          {"applicant_code", "430181199001011233"},
          {"form", {{"business_name", "花炮小店"}}},
          {"materials", {{{"name", "身份证"}, {"content_hex", "49442d43415244"}}}},
          {"delivery", "mail"}};
}

TEST_F(XregionE2e, ThreeInstallationsRunProxyOnlineAndJointEndToEnd) {
  Installation ly, tg, wz;
  ASSERT_NO_FATAL_FAILURE(Prepare(ly, "430181", "浏阳市"));
  ASSERT_NO_FATAL_FAILURE(Prepare(tg, "360926", "铜鼓县"));
  ASSERT_NO_FATAL_FAILURE(Prepare(wz, "360922", "万载县"));
  for (Installation* in : {&ly, &tg, &wz}) {
    ASSERT_NO_FATAL_FAILURE(Start(*in));
    SetIdentity(*in);
  }
  Link(ly, tg, tg.Url());
  Link(ly, wz, wz.Url());
  Link(tg, ly, ly.Url());
  Link(wz, ly, ly.Url());
  ly.Send("PUT", "/api/v1/xregion/agreements/ly-tg",
          {{"partner", "360926"},
           {"mode", "proxy"},
           {"title", "浏阳—铜鼓 异地代收代办"},
           {"matters",
            {{{"matter", "TG-001"}, {"name", "个体工商户设立"}, {"handling_region", "360926"}}}}},
          200);
  ly.Send(
      "PUT", "/api/v1/xregion/agreements/ly-tg-online",
      {{"partner", "360926"},
       {"mode", "online"},
       {"title", "浏阳—铜鼓 全程网办"},
       {"matters", {{{"matter", "TG-002"}, {"name", "户籍证明"}, {"handling_region", "360926"}}}}},
      200);
  for (auto [id, partner, matter] :
       {std::tuple{"j-tg", "360926", "TG-009"}, std::tuple{"j-wz", "360922", "WZ-009"}}) {
    ly.Send("PUT", fmt::format("/api/v1/xregion/agreements/{}", id),
            {{"partner", partner},
             {"mode", "joint"},
             {"title", "多地联办"},
             {"matters", {{{"matter", matter}, {"name", "协办"}, {"handling_region", partner}}}}},
            200);
  }
  // The public offers list what the portal and windows may offer.
  json offers = ly.Get("/api/v1/xregion/offers?region=360926");
  ASSERT_EQ(offers["items"].size(), 3u);

  // 异地代收代办.
  json proxy = ly.Send("POST", "/api/v1/xregion/cases", ProxyCase("TG-001", "王五"), 201);
  const std::string ref = proxy["ref"];
  EXPECT_EQ(proxy["receiving_region"], "430181");
  EXPECT_EQ(proxy["handling_region"], "360926");
  json queued = WaitCase(tg, ref, [](const json& c) { return c["state"] == "forwarded"; });
  EXPECT_EQ(queued["role"], "handling");
  json queue = tg.Get("/api/v1/xregion/cases?role=handling&state=forwarded");
  ASSERT_EQ(queue["items"].size(), 1u);
  Steps(tg, ref, {"accept", "approve", "conclude"});
  json back = WaitCase(ly, ref, [](const json& c) { return c["state"] == "concluded"; });
  EXPECT_EQ(back["result"], "准予");
  Steps(ly, ref, {"deliver"});
  json handled = WaitCase(tg, ref, [](const json& c) { return c["state"] == "delivered"; });
  EXPECT_EQ(Timeline(handled), Timeline(ly.Get("/api/v1/xregion/cases/" + ref)));
  EXPECT_EQ(handled["timeline"].size(), 5u);

  // 全程网办.
  json online = ly.Send("POST", "/api/v1/xregion/cases",
                        {{"mode", "online"},
                         {"matter", "TG-002"},
                         {"applicant_name", "赵六"},
                         {"applicant_code", "43018119920202345X"}},
                        201);
  EXPECT_EQ(online["receiving_region"], "360926");
  const std::string online_ref = online["ref"];
  WaitCase(tg, online_ref, [](const json& c) { return c["state"] == "forwarded"; });
  Steps(tg, online_ref, {"accept", "approve", "conclude"});
  WaitCase(ly, online_ref, [](const json& c) { return c["state"] == "concluded"; });

  // 多地联办: the lead concludes when both parts have.
  json joint = ly.Send("POST", "/api/v1/xregion/cases",
                       {{"mode", "joint"},
                        {"matter", "LY-100"},
                        {"matter_name", "企业迁移一件事"},
                        {"applicant_name", "孙七"},
                        {"applicant_code", "430181199303034561"},
                        {"parts",
                         {{{"region", "360926"}, {"matter", "TG-009"}},
                          {{"region", "360922"}, {"matter", "WZ-009"}}}}},
                       201);
  const std::string lead = joint["ref"];
  ASSERT_EQ(joint["parts"].size(), 2u);
  for (const json& part : joint["parts"]) {
    const Installation& at = part["region"] == "360926" ? tg : wz;
    const std::string part_ref = part["ref"];
    WaitCase(at, part_ref, [](const json& c) { return c["state"] == "forwarded"; });
    Steps(at, part_ref, {"accept", "approve", "conclude"});
  }
  json concluded = WaitCase(ly, lead, [](const json& c) { return c["state"] == "concluded"; });
  for (const json& part : concluded["parts"]) EXPECT_EQ(part["state"], "concluded");

  // Counts per mode and partner; and every log verifies (checked by the command line).
  json counts = ly.Get("/api/v1/xregion/counts");
  EXPECT_EQ(counts["items"].size(), 3u);
  auto metrics = ly.Client().Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_NE(metrics->body.find(
                R"(tongban_xregion_cases{mode="proxy",role="receiving",partner="360926"} 1)"),
            std::string::npos)
      << metrics->body;
  EXPECT_NE(metrics->body.find(R"(tongban_xregion_outbox_messages{state="dead"} 0)"),
            std::string::npos);
  for (Installation* in : {&ly, &tg, &wz}) {
    auto r = testing::Run({"xregion", "verify-log", "--db", in->db, "--log-level", "warn"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("ok: "), std::string::npos) << r.output;
  }
}

// A loopback proxy between 浏阳 and 铜鼓 that drops some posts (no answer), loses the answer of
// others after forwarding them (the sender retries: a duplicate), and sends some twice.
class FlakyProxy {
 public:
  explicit FlakyProxy(int target_port) : target_port_(target_port) {
    http_.Post("/api/v1/xregion/messages",
               [this](const httplib::Request& req, httplib::Response& res) {
                 const int n = ++count_;
                 httplib::Client c("127.0.0.1", target_port_);
                 c.set_read_timeout(30);
                 if (n % 4 == 1) {  // dropped before it reaches the receiver
                   res.status = 503;
                   return;
                 }
                 auto answer = c.Post("/api/v1/xregion/messages", req.body, "application/json");
                 if (n % 4 == 2) {  // delivered, answer lost
                   res.status = 502;
                   return;
                 }
                 if (n % 4 == 3) {  // delivered twice
                   answer = c.Post("/api/v1/xregion/messages", req.body, "application/json");
                 }
                 res.status = answer ? answer->status : 502;
                 if (answer) res.set_content(answer->body, "application/json");
               });
    port_ = http_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { http_.listen_after_bind(); });
  }
  ~FlakyProxy() {
    http_.stop();
    thread_.join();
  }
  std::string Url() const { return fmt::format("http://127.0.0.1:{}", port_); }
  int posts() const { return count_.load(); }

 private:
  int target_port_;
  httplib::Server http_;
  int port_ = 0;
  std::atomic<int> count_{0};
  std::thread thread_;
};

TEST_F(XregionE2e, KilledHandlerAndAFlakyLinkStillGiveExactlyOnceInOrder) {
  Installation ly, tg;
  ASSERT_NO_FATAL_FAILURE(Prepare(ly, "430181", "浏阳市"));
  ASSERT_NO_FATAL_FAILURE(Prepare(tg, "360926", "铜鼓县"));
  ASSERT_NO_FATAL_FAILURE(Start(ly));
  ASSERT_NO_FATAL_FAILURE(Start(tg));
  SetIdentity(ly);
  SetIdentity(tg);
  Link(tg, ly, ly.Url());
  Link(ly, tg, tg.Url());
  ly.Send("PUT", "/api/v1/xregion/agreements/ly-tg",
          {{"partner", "360926"},
           {"mode", "proxy"},
           {"title", "浏阳—铜鼓"},
           {"matters",
            {{{"matter", "TG-001"}, {"name", "个体工商户设立"}, {"handling_region", "360926"}}}}},
          200);
  // A burst of cases; 铜鼓 is killed in the middle of it and restarted on another port.
  std::vector<std::string> refs;
  for (int i = 0; i < 12; ++i) {
    json c = ly.Send("POST", "/api/v1/xregion/cases",
                     ProxyCase("TG-001", fmt::format("申请人{}", i)), 201);
    refs.push_back(c["ref"]);
    if (i == 5) Kill(tg);
  }
  ASSERT_NO_FATAL_FAILURE(Start(tg));
  // Messages now go through the flaky proxy to the restarted 铜鼓.
  FlakyProxy proxy(tg.port);
  Link(ly, tg, proxy.Url());
  for (const std::string& ref : refs) {
    WaitCase(tg, ref, [](const json& c) { return c["state"] == "forwarded"; });
  }
  json queue = tg.Get("/api/v1/xregion/cases?role=handling&limit=100");
  std::set<std::string> arrived;
  for (const json& c : queue["items"]) {
    EXPECT_EQ(c["timeline"].size(), 1u) << c.dump();
    arrived.insert(c["ref"].get<std::string>());
  }
  EXPECT_EQ(arrived.size(), refs.size());  // each once: no duplicate rows, none missing
  EXPECT_EQ(arrived, std::set<std::string>(refs.begin(), refs.end()));
  // The decisions flow back over the same flaky link (the other way, directly) in order.
  for (const std::string& ref : {refs[0], refs[7]})
    Steps(tg, ref, {"accept", "approve", "conclude"});
  for (const std::string& ref : {refs[0], refs[7]}) {
    json a = WaitCase(ly, ref, [](const json& c) { return c["state"] == "concluded"; });
    json b = tg.Get("/api/v1/xregion/cases/" + ref);
    EXPECT_EQ(Timeline(a), Timeline(b));
    EXPECT_EQ(a["timeline"].size(), 4u);
  }
  EXPECT_GT(proxy.posts(), 0);
  for (Installation* in : {&ly, &tg}) {
    auto r = testing::Run({"xregion", "verify-log", "--db", in->db, "--log-level", "warn"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
  }
}

}  // namespace
}  // namespace tongban
