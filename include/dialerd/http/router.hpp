#pragma once
// Maps (method, path pattern) to a handler. Patterns use {name} segments: "/v1/campaigns/{id}".
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "dialerd/http/message.hpp"

namespace dialerd::http {

using Params = std::map<std::string, std::string>;
using Handler = std::function<Response(const Request&, const Params&)>;

class Router {
 public:
  void add(std::string method, std::string pattern, Handler handler);
  // 404 when no pattern matches the path, 405 (with Allow) when the path matches for other methods.
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
  };
  std::vector<Entry> entries_;
};

// The JSON error body every endpoint uses: {"error":{"code","message","field"}}.
Response error_response(int status, std::string_view code, std::string_view message, std::string_view field = {});

}  // namespace dialerd::http
