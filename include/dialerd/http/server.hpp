#pragma once
// The HTTP/1.1 server (Boost.Beast): one coroutine per connection on the daemon's io_context.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dialerd/asio.hpp"
#include "dialerd/http/message.hpp"

namespace dialerd::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  int port = 0;
  std::int64_t body_limit = 16 * 1024 * 1024;
  int idle_timeout_ms = 30000;  // also bounds how long one request may take to arrive
  // Connections open at once, in all and from one peer address. A connection past either is answered
  // 503 and closed, so the file descriptors the database and provider sockets need are never taken.
  int max_connections = 1024;
  int max_connections_per_peer = 256;
  // A bulk upload's limit, and which requests may send one: asked with the request's head (method, path,
  // query and headers; no body yet), so a request whose key is not valid never gets the larger limit. None:
  // no request may. A bulk body may take bulk_timeout_ms to arrive.
  std::int64_t bulk_body_limit = 512LL * 1024 * 1024;
  int bulk_timeout_ms = 600000;
  std::function<bool(const Request& head)> is_bulk = nullptr;
};

class Server {
 public:
  // Answers one request; it may wait (its connection waits with it, the others are served meanwhile).
  using Handle = std::function<awaitable<Response>(Request)>;
  Server(asio::io_context& ioc, ServerOptions options, Handle handle);
  ~Server();
  // Binds and starts accepting; throws std::system_error when the address cannot be bound.
  void start();
  // Stops accepting new connections; connections in flight finish their current request.
  void stop();
  int port() const;
  // Limits may change on reload; they apply to requests read (and connections accepted) from now on.
  void set_limits(std::int64_t body_limit, int idle_timeout_ms, int max_connections, int max_connections_per_peer,
                  std::int64_t bulk_body_limit);
  int open_connections() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace dialerd::http
