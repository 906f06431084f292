// The HTTP server: cpp-httplib with a deliberately sized thread pool, TCP_NODELAY, keep-alive
// limits, body size limits and timeouts; RFC 9457 problem+json for every error; a request id
// on every response and log line; Prometheus metrics. Routes live in *_routes.cc files and only
// translate between JSON and the capability modules' C++ types.
#pragma once

#include <httplib.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "api/metrics.h"
#include "base/error.h"
#include "base/result.h"

namespace tongban::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port (tests)
  int threads = 8;
  int keep_alive_max_count = 100;
  int keep_alive_timeout_s = 5;
  int read_timeout_s = 10;
  int write_timeout_s = 10;
  size_t max_body_bytes = 4 * 1024 * 1024;
  // Both set: serve HTTPS.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Where the built web pages are (index.html, assets/); empty: the API only. Bind() fails when
  // it is set but holds no index.html.
  std::string web_dir;
};

// Everything a handler gets besides the request: its id for logs and answers.
struct RequestContext {
  std::string request_id;
};

using Handler = std::function<void(const httplib::Request&, httplib::Response&, RequestContext&)>;

// A registered route: the method and the cpp-httplib pattern (a regex over the path).
struct Route {
  std::string method;
  std::string pattern;
};

class StaticFiles;

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();

  // Registers a route; `pattern` uses cpp-httplib's syntax (":id" path parameters).
  void Get(const std::string& pattern, Handler handler);
  void Post(const std::string& pattern, Handler handler);
  void Put(const std::string& pattern, Handler handler);
  void Patch(const std::string& pattern, Handler handler);
  void Delete(const std::string& pattern, Handler handler);

  // Binds the socket (and opens the web pages, after every route is registered); returns the
  // bound port, or an error naming the address or the missing pages.
  Result<int> Bind();
  // Serves until Stop(); blocks the calling thread.
  void Serve();
  // Stops accepting, lets running requests finish, returns once Serve() has returned (or at
  // once when it never started; a later Serve() then returns immediately). Safe from any thread.
  void Stop();
  bool running() const;
  int port() const { return port_; }

  Metrics& metrics() { return metrics_; }
  // Every route registered so far, in order (the OpenAPI test checks them against the document).
  const std::vector<Route>& routes() const { return routes_; }

 private:
  void Register(const std::string& method, const std::string& pattern, Handler handler);

  ServerOptions options_;
  std::unique_ptr<httplib::Server> http_;
  Metrics metrics_;
  std::vector<Route> routes_;
  std::unique_ptr<StaticFiles> static_files_;
  int port_ = 0;
  int listen_socket_ = -1;  // the bound socket, to widen httplib's listen backlog of 5
  std::atomic<bool> serving_{false};
  std::atomic<bool> stop_requested_{false};
};

// Writes `error` as application/problem+json (RFC 9457) with its catalog status. Internal
// errors are logged with their detail and answered without it.
void WriteProblem(httplib::Response& res, const Error& error, const RequestContext& ctx);

}  // namespace tongban::api
