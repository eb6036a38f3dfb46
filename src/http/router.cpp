#include "dialerd/http/router.hpp"

#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

namespace dialerd::http {
namespace {

// "/a/b" -> {"a", "b"}; "//a" -> {"", "a"}; "/a/" -> {"a", ""}: empty segments are kept, so they match
// no route. A path not starting with '/' -> {} plus a marker segment that matches nothing.
std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  if (path.empty() || path[0] != '/') return {"\x01not-a-path"};
  std::size_t i = 1;
  for (;;) {
    auto j = path.find('/', i);
    if (j == std::string_view::npos) {
      out.emplace_back(path.substr(i));
      break;
    }
    out.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  if (out.size() == 1 && out[0].empty()) out.clear();  // "/" itself
  return out;
}

bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& path, Params& params) {
  if (pattern.size() != path.size()) return false;
  Params found;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (path[i].empty()) return false;  // a parameter is never empty: "/v1/campaigns/" is not campaign ""
      found[p.substr(1, p.size() - 2)] = path[i];
    } else if (p != path[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Request::header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (plus_is_space && s[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

void parse_target(std::string_view target, std::string& path, std::map<std::string, std::string>& query) {
  auto q = target.find('?');
  path = percent_decode(target.substr(0, q), false);
  query.clear();
  if (q == std::string_view::npos) return;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    if (!pair.empty())
      query[percent_decode(pair.substr(0, eq), true)] =
          eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
}

std::string target_problem(std::string_view target) {
  if (target.empty() || target[0] != '/') return "the request target must be a path starting with '/' (origin form)";
  auto path = target.substr(0, target.find('?'));
  if (path.size() > 1 && path[1] == '/') return "the path must start with exactly one '/'";
  for (std::size_t i = 0; i < target.size(); ++i) {
    auto c = static_cast<unsigned char>(target[i]);
    if (c < 0x20 || c == 0x7f) return "the request target contains a control character";
  }
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    auto segment = path.substr(start, end - start);
    if (segment.empty() && !(start == 1 && path.size() == 1) && path != kConsoleRoot)
      return "the path has an empty segment ('//' or a trailing '/')";
    auto decoded = percent_decode(segment, false);
    if (decoded == "." || decoded == "..") return "the path has a '.' or '..' segment";
    for (char c : decoded) {
      auto u = static_cast<unsigned char>(c);
      if (c == '/' || c == '\\') return "the path has an encoded '/' or '\\' in a segment";
      if (u < 0x20 || u == 0x7f) return "the path has an encoded control character";
    }
    start = end + 1;
  }
  return {};
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 207:
      return "Multi-Status";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "";
  }
}

void Router::add(std::string method, std::string pattern, Handler handler, Access access) {
  auto segments = split_path(pattern);
  entries_.push_back({std::move(method), std::move(pattern), std::move(segments), std::move(handler), {}, access});
}

void Router::add_async(std::string method, std::string pattern, AsyncHandler handler, Access access, Body body) {
  auto segments = split_path(pattern);
  entries_.push_back(
      {std::move(method), std::move(pattern), std::move(segments), {}, std::move(handler), access, body});
}

Body Router::body_of(const std::string& method, const std::string& path) const {
  auto segments = split_path(path);
  for (const auto& e : entries_) {
    Params params;
    if (e.method == method && match(e.segments, segments, params)) return e.body;
  }
  return Body::regular;
}

Router::Match Router::find(const Request& request) const {
  auto path = split_path(request.path);
  std::string allowed;
  Match m;
  for (const auto& e : entries_) {
    Params params;
    if (!match(e.segments, path, params)) continue;
    if (e.method == request.method) {
      if (e.handler)
        m.handler = &e.handler;
      else
        m.async_handler = &e.async_handler;
      m.access = e.access;
      m.params = std::move(params);
      return m;
    }
    allowed += (allowed.empty() ? "" : ", ") + e.method;
  }
  if (!allowed.empty()) {
    m.refusal = error_response(405, "method_not_allowed", request.method + " is not allowed on " + request.path);
    m.refusal.headers.emplace_back("Allow", allowed);
    return m;
  }
  m.refusal = error_response(404, "not_found", "no route for " + request.path);
  return m;
}

namespace {
// A streamed body read to its end into `body`.
awaitable<void> drain(Response& r) {
  for (;;) {
    std::string piece = co_await r.stream->next();
    if (piece.empty()) break;
    r.body += piece;
  }
  r.stream.reset();
}
}  // namespace

Response Router::dispatch(const Request& request) const {
  auto m = find(request);
  Response out;
  if (m.handler)
    out = (*m.handler)(request, m.params);
  else if (!m.async_handler)
    return m.refusal;
  asio::io_context here;
  if (m.async_handler) {
    auto done = asio::co_spawn(here, (*m.async_handler)(request, m.params), asio::use_future);
    here.run();
    out = done.get();
  }
  if (out.stream) {
    here.restart();
    auto drained = asio::co_spawn(here, drain(out), asio::use_future);
    here.run();
    drained.get();
  }
  return out;
}

std::vector<Router::Route> Router::routes() const {
  std::vector<Route> out;
  for (const auto& e : entries_) out.push_back({e.method, e.pattern});
  return out;
}

Response error_response(int status, std::string_view code, std::string_view message, std::string_view field) {
  nlohmann::json err = {{"code", code}, {"message", message}};
  err["field"] = field.empty() ? nlohmann::json(nullptr) : nlohmann::json(field);
  Response r;
  r.status = status;
  // Messages may quote what the client sent: bad bytes are replaced, never thrown on.
  r.body = nlohmann::json{{"error", err}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

}  // namespace dialerd::http
