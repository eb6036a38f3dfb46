#include "dialerd/http/server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "dialerd/http/router.hpp"

namespace dialerd::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  asio::io_context& ioc;
  ServerOptions options;
  Handle handle;
  tcp::acceptor acceptor;

  Impl(asio::io_context& io, ServerOptions opts, Handle h)
      : ioc(io), options(std::move(opts)), handle(std::move(h)), acceptor(io) {}

  awaitable<void> accept_loop() {
    auto self = shared_from_this();
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        spdlog::warn("http: accept failed: {}", ec.message());
        continue;
      }
      asio::co_spawn(ioc, session(beast::tcp_stream(std::move(socket))), asio::detached);
    }
  }

  static Request to_request(const bhttp::request<bhttp::string_body>& in, const std::string& remote) {
    Request r;
    r.method = std::string(in.method_string());
    r.target = std::string(in.target());
    parse_target(r.target, r.path, r.query);
    for (const auto& f : in) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    r.body = in.body();
    r.remote = remote;
    return r;
  }

  awaitable<bool> write(beast::tcp_stream& stream, const Response& out, unsigned version, bool keep_alive) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), version};
    res.set(bhttp::field::server, "dialerd");
    res.set(bhttp::field::content_type, out.content_type);
    for (const auto& [k, v] : out.headers) res.set(k, v);
    res.body() = out.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    stream.expires_after(std::chrono::milliseconds(options.idle_timeout_ms));
    boost::system::error_code ec;
    co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    co_return !ec;
  }

  awaitable<void> session(beast::tcp_stream stream) {
    auto self = shared_from_this();
    std::string remote;
    {
      boost::system::error_code ec;
      auto ep = stream.socket().remote_endpoint(ec);
      if (!ec) remote = ep.address().to_string() + ":" + std::to_string(ep.port());
    }
    beast::flat_buffer buffer;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(static_cast<std::uint64_t>(options.body_limit));
      parser.header_limit(64 * 1024);
      stream.expires_after(std::chrono::milliseconds(options.idle_timeout_ms));
      boost::system::error_code ec;
      co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset ||
          ec == asio::error::eof)
        break;
      if (ec == bhttp::error::body_limit) {
        co_await write(stream,
                       error_response(413, "payload_too_large",
                                      "request body exceeds the limit of " + std::to_string(options.body_limit) +
                                          " bytes"),
                       11, false);
        break;
      }
      if (ec) {
        co_await write(stream, error_response(400, "bad_request", "malformed HTTP request: " + ec.message()), 11,
                       false);
        break;
      }
      const auto& req = parser.get();
      Response out;
      try {
        out = handle(to_request(req, remote));
      } catch (const std::exception& e) {
        spdlog::error("http: {} {} failed: {}", std::string(req.method_string()), std::string(req.target()), e.what());
        out = error_response(500, "internal_error", "internal error; the daemon logged the cause");
      }
      bool keep_alive = req.keep_alive();
      if (!co_await write(stream, out, req.version(), keep_alive) || !keep_alive) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
};

Server::Server(asio::io_context& ioc, ServerOptions options, Handle handle)
    : impl_(std::make_shared<Impl>(ioc, std::move(options), std::move(handle))) {}

Server::~Server() { stop(); }

void Server::start() {
  tcp::endpoint ep(asio::ip::make_address(impl_->options.address), static_cast<unsigned short>(impl_->options.port));
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(impl_->ioc, impl_->accept_loop(), asio::detached);
}

void Server::stop() {
  boost::system::error_code ec;
  if (impl_->acceptor.is_open()) impl_->acceptor.close(ec);
}

int Server::port() const {
  boost::system::error_code ec;
  auto ep = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

void Server::set_limits(std::int64_t body_limit, int idle_timeout_ms) {
  impl_->options.body_limit = body_limit;
  impl_->options.idle_timeout_ms = idle_timeout_ms;
}

}  // namespace dialerd::http
