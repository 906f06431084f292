#include "api/server.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

#include "api/static_files.h"

namespace tongban::api {
namespace {

std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:016x}", rng());
}

// Accepts a caller's X-Request-Id when it is short and printable, so a trace spans systems.
std::string RequestIdFor(const httplib::Request& req) {
  std::string given = req.get_header_value("X-Request-Id");
  if (!given.empty() && given.size() <= 64 && std::all_of(given.begin(), given.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      })) {
    return given;
  }
  return NewRequestId();
}

}  // namespace

void WriteProblem(httplib::Response& res, const Error& error, const RequestContext& ctx) {
  const ErrorInfo& info = error.info();
  nlohmann::json body;
  // Internal codes never leave the server: clients see one generic "internal" problem.
  const bool is_public = info.visibility == Visibility::kPublic;
  const ErrorInfo& shown = is_public ? info : Describe(ErrorCode::kInternal);
  body["type"] = fmt::format("https://tongban.gov.cn/problems/{}", shown.name);
  body["title"] = shown.title;
  body["status"] = info.http_status;
  body["code"] = shown.name;
  if (is_public) {
    body["detail"] = error.message();
    if (!error.fields().empty()) {
      nlohmann::json fields = nlohmann::json::array();
      for (const FieldError& f : error.fields()) {
        fields.push_back({{"field", f.field}, {"message", f.message}});
      }
      body["errors"] = std::move(fields);
    }
  } else {
    spdlog::error("[{}] {}", ctx.request_id, error.ToString());
    body["detail"] = "internal error; quote the request id when reporting it";
  }
  body["request_id"] = ctx.request_id;
  res.status = info.http_status;
  res.set_content(body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                  "application/problem+json");
}

Server::Server(ServerOptions options) : options_(std::move(options)) {
  if (!options_.tls_cert_file.empty() && !options_.tls_key_file.empty()) {
    http_ = std::make_unique<httplib::SSLServer>(options_.tls_cert_file.c_str(),
                                                 options_.tls_key_file.c_str());
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  const int threads = options_.threads > 0 ? options_.threads : 8;
  http_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  // Without TCP_NODELAY every keep-alive response waits ~40 ms for Nagle + delayed ACK.
  http_->set_tcp_nodelay(true);
  // httplib (compiled into Debian's libcpp-httplib) listens with a backlog of 5: a burst of new
  // connections (16 clients connecting at once) overflows it, the kernel drops their SYNs, and
  // each dropped client waits a full second to retry. The socket is kept here so that Bind can
  // listen again with the system's maximum (Linux updates the backlog of a listening socket).
  http_->set_socket_options([this](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_socket_ = sock;
  });
  http_->set_keep_alive_max_count(options_.keep_alive_max_count);
  http_->set_keep_alive_timeout(options_.keep_alive_timeout_s);
  http_->set_read_timeout(options_.read_timeout_s);
  http_->set_write_timeout(options_.write_timeout_s);
  http_->set_payload_max_length(options_.max_body_bytes);

  // Errors produced by httplib itself (no route, body too large) get problem+json too.
  http_->set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    RequestContext ctx{RequestIdFor(req)};
    res.set_header("X-Request-Id", ctx.request_id);
    if (res.status == 413) {
      WriteProblem(res, Error(ErrorCode::kPayloadTooLarge, "the request body exceeds the limit"),
                   ctx);
    } else if (res.status == 404) {
      WriteProblem(res, Error(ErrorCode::kNotFound, "no such resource: " + req.path), ctx);
    } else if (res.status == 400) {
      WriteProblem(res, Error(ErrorCode::kMalformedBody, "the request cannot be parsed"), ctx);
    }
  });
  http_->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, const std::exception_ptr& ep) {
        RequestContext ctx{RequestIdFor(req)};
        std::string what = "unknown exception";
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        WriteProblem(res, Error(ErrorCode::kInternal, what), ctx);
      });
}

Server::~Server() { Stop(); }

void Server::Register(const std::string& method, const std::string& pattern, Handler handler) {
  routes_.push_back({method, pattern});
  auto wrapped = [this, method, pattern, handler = std::move(handler)](const httplib::Request& req,
                                                                       httplib::Response& res) {
    const auto start = std::chrono::steady_clock::now();
    RequestContext ctx{RequestIdFor(req)};
    res.set_header("X-Request-Id", ctx.request_id);
    try {
      handler(req, res, ctx);
    } catch (const std::exception& e) {
      // The one place an unexpected exception ends a request.
      WriteProblem(res, Error(ErrorCode::kInternal, e.what()), ctx);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    metrics_.Record(method, pattern, res.status, seconds);
    // The access log: every line carries the request id that the client also received.
    // Successful requests log at debug so a load peak does not become a logging peak.
    const auto level = res.status >= 500   ? spdlog::level::err
                       : res.status >= 400 ? spdlog::level::info
                                           : spdlog::level::debug;
    spdlog::log(level, "[{}] {} {} -> {} ({:.3f} ms)", ctx.request_id, method, req.path, res.status,
                seconds * 1e3);
  };
  if (method == "GET")
    http_->Get(pattern, wrapped);
  else if (method == "POST")
    http_->Post(pattern, wrapped);
  else if (method == "PUT")
    http_->Put(pattern, wrapped);
  else if (method == "PATCH")
    http_->Patch(pattern, wrapped);
  else if (method == "DELETE")
    http_->Delete(pattern, wrapped);
}

void Server::Get(const std::string& p, Handler h) { Register("GET", p, std::move(h)); }
void Server::Post(const std::string& p, Handler h) { Register("POST", p, std::move(h)); }
void Server::Put(const std::string& p, Handler h) { Register("PUT", p, std::move(h)); }
void Server::Patch(const std::string& p, Handler h) { Register("PATCH", p, std::move(h)); }
void Server::Delete(const std::string& p, Handler h) { Register("DELETE", p, std::move(h)); }

Result<int> Server::Bind() {
  if (!options_.web_dir.empty()) {
    // The server's own pages outside /api/ (licence verification) keep precedence.
    std::vector<std::string> reserved;
    for (const Route& r : routes_) {
      if (r.method == "GET" && !r.pattern.starts_with("/api/")) reserved.push_back(r.pattern);
    }
    TB_ASSIGN_OR_RETURN(StaticFiles files, StaticFiles::Open(options_.web_dir, reserved));
    static_files_ = std::make_unique<StaticFiles>(std::move(files));
    http_->set_pre_routing_handler(
        [files = static_files_.get()](const httplib::Request& req, httplib::Response& res) {
          return files->Serve(req, res) ? httplib::Server::HandlerResponse::Handled
                                        : httplib::Server::HandlerResponse::Unhandled;
        });
  }
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
    if (port_ <= 0) {
      return Error(ErrorCode::kUnavailable, fmt::format("cannot bind {}:0", options_.host));
    }
  } else {
    if (!http_->bind_to_port(options_.host, options_.port)) {
      return Error(ErrorCode::kUnavailable,
                   fmt::format("cannot listen on {}:{} (in use or not permitted)", options_.host,
                               options_.port));
    }
    port_ = options_.port;
  }
  if (listen_socket_ >= 0 && ::listen(listen_socket_, SOMAXCONN) != 0) {
    spdlog::warn("the listen backlog stays at httplib's 5: {}", std::strerror(errno));
  }
  return port_;
}

// Serve() and Stop() may race (a SIGTERM right after start-up, a test that ends at once): each
// first publishes its own flag, then reads the other's (sequentially consistent), so either
// Serve() sees the stop request and never listens, or Stop() sees it serving and keeps asking
// httplib to stop until the listener has actually started and returned.
void Server::Serve() {
  serving_ = true;
  if (!stop_requested_) http_->listen_after_bind();
  serving_ = false;
}

void Server::Stop() {
  stop_requested_ = true;
  while (serving_) {
    http_->stop();  // a no-op until the listener runs
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool Server::running() const { return serving_ && http_->is_running(); }

}  // namespace tongban::api
