#include "dialerd/http/client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdint>
#include <limits>

namespace dialerd::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
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
  if (authority.front() == '[') {  // [IPv6]:port: the host without its brackets, as the resolver takes it
    auto close = authority.find(']');
    if (close == std::string::npos) return false;
    out.host = authority.substr(1, close - 1);
    out.port = close + 1 < authority.size() && authority[close + 1] == ':' ? authority.substr(close + 2)
                                                                           : (out.scheme == "https" ? "443" : "80");
  } else if (colon != std::string::npos) {
    out.host = authority.substr(0, colon);
    out.port = authority.substr(colon + 1);
  } else {
    out.host = authority;
    out.port = out.scheme == "https" ? "443" : "80";
  }
  return !out.host.empty() && !out.port.empty();
}

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One connection to one host: plain or TLS, with the read buffer that belongs to it.
struct Conn {
  std::unique_ptr<beast::tcp_stream> tcp;
  std::unique_ptr<TlsStream> tls;
  beast::flat_buffer buffer;
  std::chrono::steady_clock::time_point idle_since;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *tcp; }
  // An idle connection is reusable only if nothing can be read from it: a server that closed it (or sent
  // a TLS close_notify) makes it readable.
  bool alive() {
    auto& socket = lowest().socket();
    if (!socket.is_open()) return false;
    boost::system::error_code ec;
    socket.non_blocking(true, ec);
    char c;
    socket.receive(asio::buffer(&c, 1), tcp::socket::message_peek, ec);
    boost::system::error_code ignored;
    socket.non_blocking(false, ignored);
    return ec == asio::error::would_block;
  }
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

template <class Stream>
awaitable<ClientResult> exchange(Stream& stream, beast::flat_buffer& buffer, bhttp::request<bhttp::string_body>& req,
                                 std::size_t max_answer_bytes, bool& reusable) {
  boost::system::error_code ec;
  co_await bhttp::async_write(stream, req, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return util::fail(ClientError{true, ec == beast::error::timeout, "send: " + ec.message()});
  // The answer's size is checked here, the header first and then the body piece by piece, rather than
  // left to the parser's body_limit: with Beast 1.74 a limit set on the parser did not stop an 8 MiB
  // answer read with async_read, and "no limit" (boost::none) refuses every body (tests/unit/http/
  // client_test.cpp). The parser's own limit is set out of the way.
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  auto too_large = [&] {
    return util::fail(ClientError{
        true, false,
        "read answer: the body is larger than " + std::to_string(max_answer_bytes) + " bytes; not read further"});
  };
  co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
  if (ec) co_return util::fail(ClientError{true, ec == beast::error::timeout, "read answer: " + ec.message()});
  if (auto length = parser.content_length(); length && *length > max_answer_bytes) co_return too_large();
  while (!parser.is_done()) {
    co_await bhttp::async_read_some(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return util::fail(ClientError{true, ec == beast::error::timeout, "read answer: " + ec.message()});
    if (parser.get().body().size() > max_answer_bytes) co_return too_large();
  }
  ClientResponse out;
  const auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) out.headers[lower(std::string(f.name_string()))] = std::string(f.value());
  out.body = res.body();
  reusable = res.keep_alive() && !parser.need_eof();
  co_return out;
}

}  // namespace

struct Client::Impl {
  asio::any_io_executor executor;
  TlsOptions tls;
  std::unique_ptr<ssl::context> ssl_ctx;                           // made at the first https request
  std::map<std::string, std::vector<std::unique_ptr<Conn>>> idle;  // "scheme://host:port" -> connections
  Client::AddressFilter address_filter;

  ssl::context& context() {
    if (!ssl_ctx) {
      ssl_ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
      ssl_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      boost::system::error_code ec;
      if (tls.ca_file.empty())
        ssl_ctx->set_default_verify_paths(ec);
      else
        ssl_ctx->load_verify_file(tls.ca_file, ec);
      if (ec) {
        ssl_ctx.reset();
        throw std::runtime_error("TLS: cannot load the trusted certificates " +
                                 (tls.ca_file.empty() ? std::string("of the system store") : "from " + tls.ca_file) +
                                 ": " + ec.message());
      }
      ssl_ctx->set_verify_mode(ssl::verify_peer);
    }
    return *ssl_ctx;
  }

  std::unique_ptr<Conn> take_idle(const std::string& key) {
    auto it = idle.find(key);
    if (it == idle.end()) return nullptr;
    auto& list = it->second;
    auto now = std::chrono::steady_clock::now();
    while (!list.empty()) {
      auto conn = std::move(list.back());
      list.pop_back();
      if (now - conn->idle_since < std::chrono::milliseconds(kMaxIdleMs) && conn->alive()) return conn;
    }
    return nullptr;
  }

  void give_back(const std::string& key, std::unique_ptr<Conn> conn) {
    auto& list = idle[key];
    if (list.size() >= kMaxIdlePerHost) return;  // closed on destruction
    conn->idle_since = std::chrono::steady_clock::now();
    list.push_back(std::move(conn));
  }

  awaitable<util::Result<std::unique_ptr<Conn>, ClientError>> connect(const Url& url,
                                                                      std::chrono::steady_clock::time_point deadline) {
    boost::system::error_code ec;
    tcp::resolver resolver(executor);
    auto endpoints = co_await resolver.async_resolve(url.host, url.port, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return util::fail(ClientError{false, false, "resolve " + url.host + ": " + ec.message()});
    std::vector<tcp::endpoint> allowed;
    std::string refused;
    for (const auto& e : endpoints) {
      auto may = address_filter ? address_filter(e.endpoint().address()) : util::ok();
      if (may)
        allowed.push_back(e.endpoint());
      else if (refused.empty())
        refused = may.error();
    }
    if (allowed.empty())
      co_return util::fail(ClientError{false, false, "refused to connect to " + url.host + ": " + refused});
    auto conn = std::make_unique<Conn>();
    if (url.scheme == "https") {
      conn->tls = std::make_unique<TlsStream>(executor, context());
      // SNI, and the name the certificate must carry (a DNS name, or an IP address SAN for literals).
      if (!SSL_set_tlsext_host_name(conn->tls->native_handle(), url.host.c_str()))
        co_return util::fail(ClientError{false, false, "TLS: cannot set the server name " + url.host});
      conn->tls->set_verify_callback(ssl::host_name_verification(url.host));
    } else {
      conn->tcp = std::make_unique<beast::tcp_stream>(executor);
    }
    auto& lowest = conn->lowest();
    lowest.expires_at(deadline);
    co_await lowest.async_connect(allowed, asio::redirect_error(use_awaitable, ec));
    if (ec)
      co_return util::fail(ClientError{false, ec == beast::error::timeout,
                                       "connect " + url.host + ":" + url.port + ": " + ec.message()});
    if (conn->tls) {
      co_await conn->tls->async_handshake(ssl::stream_base::client, asio::redirect_error(use_awaitable, ec));
      if (ec)
        co_return util::fail(ClientError{false, ec == beast::error::timeout,
                                         "TLS handshake with " + url.host + ":" + url.port + ": " + ec.message()});
    }
    co_return std::move(conn);
  }
};

Client::Client(asio::any_io_executor executor, TlsOptions tls) : impl_(std::make_shared<Impl>()) {
  impl_->executor = std::move(executor);
  impl_->tls = std::move(tls);
  if (!impl_->tls.ca_file.empty()) impl_->context();  // a bad CA file is a start-up error, not a late one
}

Client::~Client() = default;

void Client::set_address_filter(AddressFilter filter) {
  impl_->address_filter = std::move(filter);
  impl_->idle.clear();  // pooled connections were judged by the filter before: none is reused after a change
}

std::size_t Client::idle_connections() const {
  std::size_t n = 0;
  for (const auto& [key, list] : impl_->idle) n += list.size();
  return n;
}

awaitable<ClientResult> Client::fetch(ClientRequest request) {
  auto impl = impl_;  // the pool outlives this request even if the Client goes first
  Url url;
  if (!parse_url(request.url, url))
    co_return util::fail(ClientError{false, false, "not an http(s) URL: " + request.url});
  // One deadline for the whole exchange: connecting, the TLS handshake, sending and reading all of the
  // answer. (Name resolution is not bounded by it.)
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(request.timeout_ms);
  const std::string key = url.scheme + "://" + url.host + ":" + url.port;

  std::unique_ptr<Conn> conn = impl->take_idle(key);
  if (!conn) {
    util::Result<std::unique_ptr<Conn>, ClientError> made = util::fail(ClientError{});  // set by the connect below
    try {
      made = co_await impl->connect(url, deadline);
    } catch (const std::exception& e) {
      co_return util::fail(ClientError{false, false, e.what()});
    }
    if (!made) co_return util::fail(made.error());
    conn = std::move(made).value();
  }

  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(request.method), url.target, 11};
  bool default_port = url.port == (url.scheme == "https" ? "443" : "80");
  req.set(bhttp::field::host, default_port ? url.host : url.host + ":" + url.port);
  req.set(bhttp::field::user_agent, "dialerd");
  if (!request.body.empty() || request.method == "POST") req.set(bhttp::field::content_type, request.content_type);
  for (const auto& [k, v] : request.headers) req.set(k, v);
  req.body() = std::move(request.body);
  req.keep_alive(true);
  req.prepare_payload();

  if (request.before_send) {
    try {
      request.before_send();
    } catch (const std::exception& e) {
      co_return util::fail(ClientError{false, false, std::string("not sent: ") + e.what()});
    }
  }
  conn->lowest().expires_at(deadline);
  bool reusable = false;
  // Not a conditional expression: g++ 12 mishandles the temporaries of co_await inside ?: (double destroy).
  ClientResult result = util::fail(ClientError{});  // set by one of the two branches
  if (conn->tls)
    result = co_await exchange(*conn->tls, conn->buffer, req, request.max_answer_bytes, reusable);
  else
    result = co_await exchange(*conn->tcp, conn->buffer, req, request.max_answer_bytes, reusable);
  if (reusable && result) {
    conn->lowest().expires_never();
    impl->give_back(key, std::move(conn));
  }
  co_return result;
}

awaitable<ClientResult> fetch(ClientRequest request) {
  // Plain statements: g++ 12 mis-destroys temporaries when co_await sits inside a constructor call.
  auto executor = co_await asio::this_coro::executor;
  TlsOptions tls;
  Client client(executor, tls);
  auto result = co_await client.fetch(std::move(request));
  co_return result;
}

ClientResult fetch_blocking(ClientRequest request) {
  asio::io_context ioc;
  ClientResult result = util::fail(ClientError{false, false, "not run"});
  asio::co_spawn(
      ioc, [&]() -> awaitable<void> { result = co_await fetch(std::move(request)); }, asio::detached);
  ioc.run();
  return result;
}

}  // namespace dialerd::http
