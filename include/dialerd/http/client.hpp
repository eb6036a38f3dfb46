#pragma once
// An HTTP/1.1 client on Beast for provider submissions and outbound webhooks: HTTPS through OpenSSL with
// certificate and host-name verification, a keep-alive pool per host, deadlines. No redirects followed.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/address.hpp>

#include "dialerd/asio.hpp"
#include "dialerd/util/result.hpp"

namespace dialerd::http {

struct ClientRequest {
  std::string method = "POST";
  std::string url;  // http://host[:port]/path
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  int timeout_ms = 10000;  // one deadline for connect, TLS, send and reading the whole answer; name
                           // resolution is not bounded (use IP addresses for providers where that matters)
  std::size_t max_answer_bytes = 1 << 20;  // a longer answer body is an error (maybe_sent), not read on
  // Runs once the connection is ready, right before the request is written; if it throws, nothing is
  // written and the result is an error with maybe_sent false.
  std::function<void()> before_send = {};
};

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct ClientError {
  // Whether any byte of the request may have reached the server: if so, its effect is uncertain.
  bool maybe_sent = false;
  bool timed_out = false;
  std::string message;
};

// The answer (any status), or why there is none.
using ClientResult = util::Result<ClientResponse, ClientError>;

struct Url {
  std::string scheme, host, port, target;
};
// Splits an http(s) URL; returns false when it is not one.
bool parse_url(const std::string& url, Url& out);

struct TlsOptions {
  std::string ca_file;  // PEM file of the certificate authorities to trust; "" = the system store
};

// One per provider (or per webhook sender): its own TLS context and its own pool of idle connections.
// Used from one io_context thread. A pooled connection is reused only when it is known idle and alive
// (nothing to read on it, idle at most kMaxIdleMs), so a server's idle close does not turn a submission
// into an uncertain one.
class Client {
 public:
  static constexpr int kMaxIdleMs = 4000;
  static constexpr std::size_t kMaxIdlePerHost = 16;
  // Throws std::runtime_error naming the file when tls.ca_file cannot be loaded.
  Client(asio::any_io_executor executor, TlsOptions tls = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  awaitable<ClientResult> fetch(ClientRequest request);
  std::size_t idle_connections() const;
  // Which resolved addresses a new connection may go to: the filter answers why not ("" = allowed). It is
  // applied to the very addresses connected to, after each resolution, so a name that resolves differently
  // later (DNS rebinding) is checked again. Setting it drops the idle pool. Unset: any address.
  using AddressFilter = std::function<util::Check(const boost::asio::ip::address&)>;
  void set_address_filter(AddressFilter filter);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

// A one-off request on a fresh client (no pooling; the system CA store for https).
awaitable<ClientResult> fetch(ClientRequest request);
// Runs fetch on a private io_context: for dialerctl and tests, never inside the daemon's loop.
ClientResult fetch_blocking(ClientRequest request);

}  // namespace dialerd::http
