#include "dialerd/http/client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace dialerd::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

bool parse_url(const std::string& url, Url& out) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  out.scheme = url.substr(0, scheme_end);
  if (out.scheme != "http" && out.scheme != "https") return false;
  auto rest = url.substr(scheme_end + 3);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty()) return false;
  auto colon = authority.rfind(':');
  if (colon != std::string::npos && authority.find(']') == std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = out.scheme == "https" ? "443" : "80";
  }
  return !out.host.empty() && !out.port.empty();
}

awaitable<ClientResult> fetch(ClientRequest request) {
  Url url;
  if (!parse_url(request.url, url)) co_return ClientError{false, false, "not an http(s) URL: " + request.url};
  if (url.scheme == "https") co_return ClientError{false, false, "https is not supported by this build yet"};

  auto executor = co_await asio::this_coro::executor;
  auto deadline = std::chrono::milliseconds(request.timeout_ms);
  boost::system::error_code ec;

  tcp::resolver resolver(executor);
  auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return ClientError{false, false, "resolve " + url.host + ": " + ec.message()};

  beast::tcp_stream stream(executor);
  stream.expires_after(deadline);
  co_await stream.async_connect(endpoints, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return ClientError{false, ec == beast::error::timeout, "connect " + url.host + ":" + url.port + ": " + ec.message()};

  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(request.method), url.target, 11};
  bool default_port = url.port == (url.scheme == "https" ? "443" : "80");
  req.set(bhttp::field::host, default_port ? url.host : url.host + ":" + url.port);
  req.set(bhttp::field::user_agent, "dialerd");
  if (!request.body.empty() || request.method == "POST") req.set(bhttp::field::content_type, request.content_type);
  for (const auto& [k, v] : request.headers) req.set(k, v);
  req.body() = std::move(request.body);
  req.keep_alive(false);
  req.prepare_payload();

  co_await bhttp::async_write(stream, req, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return ClientError{true, ec == beast::error::timeout, "send: " + ec.message()};

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return ClientError{true, ec == beast::error::timeout, "read answer: " + ec.message()};

  ClientResponse out;
  const auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  out.body = res.body();
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  co_return out;
}

ClientResult fetch_blocking(ClientRequest request) {
  asio::io_context ioc;
  ClientResult result = ClientError{false, false, "not run"};
  asio::co_spawn(
      ioc, [&]() -> awaitable<void> { result = co_await fetch(std::move(request)); }, asio::detached);
  ioc.run();
  return result;
}

}  // namespace dialerd::http
