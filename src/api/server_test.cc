// The server's listening socket: a burst of new connections waits in the listen queue.
#include "api/server.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

namespace tongban::api {
namespace {

// httplib listens with a backlog of 5. Sixteen benchmark clients connecting at once overflowed
// it: the kernel dropped the SYNs it had no room for, and those clients waited a second for the
// retransmission (the bench's 1.05 s maximum). Here nobody accepts (the server is bound, not
// serving), so every connection must fit in the queue and complete its handshake at once.
TEST(ServerListenTest, ABurstOfNewConnectionsIsQueuedNotDropped) {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  Server server(options);
  auto port = server.Bind();
  ASSERT_TRUE(port.ok()) << port.error().ToString();

  constexpr int kClients = 32;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(*port));
  ASSERT_EQ(inet_pton(AF_INET, "127.0.0.1", &to.sin_addr), 1);
  std::vector<pollfd> clients;
  for (int i = 0; i < kClients; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    const int r = ::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    ASSERT_TRUE(r == 0 || errno == EINPROGRESS) << std::strerror(errno);
    clients.push_back({.fd = fd, .events = POLLOUT, .revents = 0});
  }
  // Well under the one second a dropped SYN costs.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  int established = 0;
  std::vector<bool> done(kClients, false);
  while (established < kClients && std::chrono::steady_clock::now() < deadline) {
    std::vector<pollfd> waiting;
    std::vector<int> index;
    for (int i = 0; i < kClients; ++i) {
      if (done[i]) continue;
      waiting.push_back(clients[i]);
      index.push_back(i);
    }
    if (::poll(waiting.data(), waiting.size(), 50) < 0) break;
    for (size_t k = 0; k < waiting.size(); ++k) {
      if ((waiting[k].revents & POLLOUT) == 0) continue;
      int error = 0;
      socklen_t len = sizeof(error);
      ::getsockopt(waiting[k].fd, SOL_SOCKET, SO_ERROR, &error, &len);
      EXPECT_EQ(error, 0) << std::strerror(error);
      done[index[k]] = true;
      ++established;
    }
  }
  EXPECT_EQ(established, kClients);
  for (const pollfd& c : clients) ::close(c.fd);
}

}  // namespace
}  // namespace tongban::api
