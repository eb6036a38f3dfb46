#pragma once
// An HTTP/1.1 client on Beast for provider submissions and outbound calls. No redirects are followed.
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "dialerd/asio.hpp"

namespace dialerd::http {

struct ClientRequest {
  std::string method = "POST";
  std::string url;  // http://host[:port]/path
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string content_type = "application/json";
  int timeout_ms = 10000;  // connect, send and read; name resolution is not bounded (use IP addresses for
                           // providers where that matters)
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

using ClientResult = std::variant<ClientResponse, ClientError>;

struct Url {
  std::string scheme, host, port, target;
};
// Splits an http(s) URL; returns false when it is not one.
bool parse_url(const std::string& url, Url& out);

awaitable<ClientResult> fetch(ClientRequest request);
// Runs fetch on a private io_context: for dialerctl and tests, never inside the daemon's loop.
ClientResult fetch_blocking(ClientRequest request);

}  // namespace dialerd::http
