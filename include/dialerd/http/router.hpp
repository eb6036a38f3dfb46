#pragma once
// Maps (method, path pattern) to a handler. Patterns use {name} segments: "/v1/campaigns/{id}".
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dialerd/asio.hpp"
#include "dialerd/http/message.hpp"

namespace dialerd::http {

using Params = std::map<std::string, std::string>;
// Answers at once, on the event loop: for work that takes well under a millisecond or two.
using Handler = std::function<Response(const Request&, const Params&)>;
// May wait (timers, other work between slices of its own): for work too big to run in one go on the loop
// (docs/ARCHITECTURE.md, "The event loop never waits").
using AsyncHandler = std::function<awaitable<Response>(const Request&, const Params&)>;

// Who may call a route. Authentication is decided from the route a request matched, never from a prefix
// of its path: `open` routes (health, metrics, provider callbacks, which check their own secret) need no
// API key; every other route does once api.keys is set.
enum class Access { api_key, open };
// How big a route's request body may be: the server's body limit (http.body_limit_bytes), or for a bulk
// upload (a DNC list import) http.bulk_body_limit_bytes, with more time to arrive.
enum class Body { regular, bulk };

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler, Access access = Access::api_key);
  void add_async(std::string method, std::string pattern, AsyncHandler handler, Access access = Access::api_key,
                 Body body = Body::regular);

  // The route a request matches: its handler (one of the two), access and parameters; or the 404/405
  // answer (with Allow) when none does. Paths match segment by segment, exactly: an empty segment matches
  // nothing.
  struct Match {
    const Handler* handler = nullptr;
    const AsyncHandler* async_handler = nullptr;
    Access access = Access::api_key;
    Params params;
    Response refusal;  // when both handlers are null
    bool found() const { return handler || async_handler; }
  };
  Match find(const Request& request) const;
  // The body kind of the route a request line matches (regular when none does): read before the body.
  Body body_of(const std::string& method, const std::string& path) const;
  // find, then the handler or the refusal, run to its end: the caller's own io_context if the route is
  // asynchronous, and a streamed body read whole into `body` (tests).
  Response dispatch(const Request& request) const;

  struct Route {
    std::string method;
    std::string pattern;
  };
  std::vector<Route> routes() const;

 private:
  struct Entry {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    AsyncHandler async_handler;
    Access access;
    Body body = Body::regular;
  };
  std::vector<Entry> entries_;
};

// The JSON error body every endpoint uses: {"error":{"code","message","field"}}.
Response error_response(int status, std::string_view code, std::string_view message, std::string_view field = {});

}  // namespace dialerd::http
