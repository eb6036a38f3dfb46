#pragma once
// HTTP requests and responses as plain values, so handlers need no Beast headers.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/asio.hpp"

namespace dialerd::http {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // as sent: path plus query
  std::string path;    // decoded path without the query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::string remote;                 // peer address, for logs
  std::string workspace = "default";  // set by the API's authentication from the caller's key
  std::string key_name;               // the caller's key's name (api.keys[].name), for audit logs
  bool admin = false;                 // the caller's key has the admin role (or no keys are configured)

  // A header's value, or "" when absent. `name` must be lower-case.
  std::string header(std::string_view name) const;
};

// A body made a piece at a time (a report of millions of rows): the server sends each piece as a chunk
// as soon as it is made, so the whole body is never held.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // The next piece; empty at the end. May wait. An exception ends the answer cut short (no last chunk,
  // the connection closed), so no client takes it for a whole body.
  virtual awaitable<std::string> next() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<BodyStream> stream = {};  // when set, the body (`body` is not sent)
};

std::string_view reason_phrase(int status);
// Splits "/a/b?x=1&y=2" into path and query parameters (percent-decoded).
void parse_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query);
// Why a request target is not a canonical origin-form path, or "" when it is. Canonical: it starts with
// exactly one '/', has no empty, "." or ".." segment, no encoded '/' or '\\', and no control character or
// NUL, raw or percent-encoded. The server answers 400 to anything else, so a path has one spelling. One
// trailing '/' is canonical: kConsoleRoot's, the web console's root, against which a browser resolves the
// console's own links.
std::string target_problem(std::string_view target);
inline constexpr std::string_view kConsoleRoot = "/ui/";
// %XX-decodes; in query strings '+' also means a space.
std::string percent_decode(std::string_view s, bool plus_is_space);

}  // namespace dialerd::http
