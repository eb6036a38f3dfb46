#include "dialerd/http/server.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <map>
#include <memory>

#include "dialerd/http/router.hpp"
#include "dialerd/util/metrics.hpp"

namespace dialerd::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

// A warning that can repeat at machine speed (accept failing at the file-descriptor limit) is logged at
// most once per interval, with how many were left out.
class RateLimitedWarning {
 public:
  explicit RateLimitedWarning(std::chrono::seconds interval) : interval_(interval) {}
  template <class... Args>
  void warn(fmt::format_string<Args...> format, Args&&... args) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < interval_) {
      ++suppressed_;
      return;
    }
    auto text = fmt::format(format, std::forward<Args>(args)...);
    if (suppressed_ > 0) text += fmt::format(" ({} more like it not logged)", suppressed_);
    spdlog::warn("{}", text);
    last_ = now;
    suppressed_ = 0;
  }

 private:
  std::chrono::steady_clock::duration interval_;
  std::chrono::steady_clock::time_point last_{};
  std::uint64_t suppressed_ = 0;
};

// Transfer-Encoding: only "chunked" is implemented. Anything else (gzip, "xchunked", chunked twice) is
// refused, never read as "no body", which would run the body as a second request.
std::string transfer_coding_problem(const bhttp::request<bhttp::string_body>& header) {
  std::string codings;
  int fields = 0;
  for (const auto& f : header)
    if (f.name() == bhttp::field::transfer_encoding) {
      ++fields;
      codings = std::string(f.value());
    }
  if (fields == 0) return {};
  std::string lower;
  for (char c : codings)
    if (c != ' ' && c != '\t') lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  if (fields > 1 || lower != "chunked") return "transfer coding '" + codings + "' is not supported (only chunked)";
  return {};
}

metrics::Counter& accept_errors() {
  return metrics::registry().counter("dialerd_http_accept_errors_total",
                                     "Failed accepts (for example, out of file descriptors).");
}

metrics::Counter& refused_connections(const char* limit) {
  return metrics::registry().counter("dialerd_http_connections_refused_total",
                                     "Connections answered 503 and closed because http.max_connections (total) or "
                                     "http.max_connections_per_peer (per_peer) was reached.",
                                     {{"limit", limit}});
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  asio::io_context& ioc;
  ServerOptions options;
  Handle handle;
  tcp::acceptor acceptor;
  int open = 0;
  std::map<std::string, int> open_by_peer;
  RateLimitedWarning accept_warning{std::chrono::seconds(10)};
  RateLimitedWarning refuse_warning{std::chrono::seconds(10)};

  Impl(asio::io_context& io, ServerOptions opts, Handle h)
      : ioc(io), options(std::move(opts)), handle(std::move(h)), acceptor(io) {}

  awaitable<void> accept_loop() {
    auto self = shared_from_this();
    // After a failed accept (out of file descriptors, above all) wait before the next one, doubling up to
    // a second: retrying at once spins the loop and floods the log while the condition lasts.
    std::chrono::milliseconds backoff{0};
    asio::steady_timer pause(ioc);
    for (;;) {
      boost::system::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        backoff = std::min(std::chrono::milliseconds(1000), std::max(std::chrono::milliseconds(5), backoff * 2));
        accept_warning.warn("http: accept failed: {}; accepting again in {} ms", ec.message(), backoff.count());
        accept_errors().inc();
        pause.expires_after(backoff);
        co_await pause.async_wait(asio::redirect_error(use_awaitable, ec));
        continue;
      }
      backoff = std::chrono::milliseconds(0);
      std::string peer;
      {
        auto ep = socket.remote_endpoint(ec);
        if (!ec) peer = ep.address().to_string();
      }
      const char* refused = open >= options.max_connections                          ? "total"
                            : open_by_peer[peer] >= options.max_connections_per_peer ? "per_peer"
                                                                                     : nullptr;
      if (refused) {
        if (open_by_peer[peer] == 0) open_by_peer.erase(peer);
        refuse_warning.warn(
            "http: connection from {} refused: {} connections open ({} from it), limits {} and {} "
            "per peer",
            peer, open, open_by_peer.count(peer) ? open_by_peer[peer] : 0, options.max_connections,
            options.max_connections_per_peer);
        refused_connections(refused).inc();
        asio::co_spawn(ioc, refuse(beast::tcp_stream(std::move(socket))), asio::detached);
        continue;
      }
      // Counted here, before the next accept, so a burst of connections cannot all pass the check.
      auto slot = std::make_unique<Counted>(*this, peer);
      asio::co_spawn(ioc, session(beast::tcp_stream(std::move(socket)), std::move(slot)), asio::detached);
    }
  }

  awaitable<void> refuse(beast::tcp_stream stream) {
    auto self = shared_from_this();
    auto r = error_response(503, "too_many_connections", "the server has too many connections open; retry later");
    r.headers.emplace_back("Retry-After", "1");
    co_await write(stream, r, 11, false, std::chrono::milliseconds(1000));
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  static Request to_request(bhttp::request<bhttp::string_body>& in, const std::string& remote) {
    Request r;
    r.method = std::string(in.method_string());
    r.target = std::string(in.target());
    parse_target(r.target, r.path, r.query);
    for (const auto& f : in) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    r.body = std::move(in.body());  // a bulk body may be hundreds of megabytes: not copied
    r.remote = remote;
    return r;
  }

  awaitable<bool> write(beast::tcp_stream& stream, const Response& out, unsigned version, bool keep_alive,
                        std::chrono::milliseconds deadline) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), version};
    res.set(bhttp::field::server, "dialerd");
    res.set(bhttp::field::content_type, out.content_type);
    for (const auto& [k, v] : out.headers) res.set(k, v);
    res.body() = out.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    stream.expires_after(deadline);
    boost::system::error_code ec;
    co_await bhttp::async_write(stream, res, asio::redirect_error(use_awaitable, ec));
    co_return !ec;
  }
  awaitable<bool> write(beast::tcp_stream& stream, const Response& out, unsigned version, bool keep_alive) {
    if (out.stream) co_return co_await write_streamed(stream, out, version, keep_alive);
    co_return co_await write(stream, out, version, keep_alive, std::chrono::milliseconds(options.idle_timeout_ms));
  }

  // A streamed body: chunked for HTTP/1.1, delimited by closing the connection for HTTP/1.0. Each piece
  // is written before the next is made, so a slow reader slows the maker instead of filling memory; each
  // write must finish within the idle timeout. False when the connection must close.
  awaitable<bool> write_streamed(beast::tcp_stream& stream, const Response& out, unsigned version, bool keep_alive) {
    const bool chunked = version >= 11;
    bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(out.status), version};
    res.set(bhttp::field::server, "dialerd");
    res.set(bhttp::field::content_type, out.content_type);
    for (const auto& [k, v] : out.headers) res.set(k, v);
    res.keep_alive(chunked && keep_alive);
    if (chunked) res.chunked(true);
    bhttp::response_serializer<bhttp::empty_body> head{res};
    const auto deadline = std::chrono::milliseconds(options.idle_timeout_ms);
    boost::system::error_code ec;
    stream.expires_after(deadline);
    co_await bhttp::async_write_header(stream, head, asio::redirect_error(use_awaitable, ec));
    if (ec) co_return false;
    for (;;) {
      std::string piece;
      try {
        piece = co_await out.stream->next();
      } catch (const std::exception& e) {
        spdlog::error("http: a streamed answer ({}) stopped after its start: {}; the connection is closed",
                      out.content_type, e.what());
        co_return false;
      }
      if (piece.empty()) break;
      stream.expires_after(deadline);
      if (chunked)
        co_await asio::async_write(stream, bhttp::make_chunk(asio::buffer(piece)),
                                   asio::redirect_error(use_awaitable, ec));
      else
        co_await asio::async_write(stream, asio::buffer(piece), asio::redirect_error(use_awaitable, ec));
      if (ec) co_return false;
    }
    if (!chunked) co_return false;
    stream.expires_after(deadline);
    co_await asio::async_write(stream, bhttp::make_chunk_last(), asio::redirect_error(use_awaitable, ec));
    co_return !ec && keep_alive;
  }

  // Counts a connection in `open` and `open_by_peer` for as long as it lives (the session owns it).
  struct Counted {
    Impl& impl;
    std::string peer;
    Counted(Impl& i, std::string p) : impl(i), peer(std::move(p)) {
      ++impl.open;
      ++impl.open_by_peer[peer];
    }
    ~Counted() {
      --impl.open;
      if (--impl.open_by_peer[peer] <= 0) impl.open_by_peer.erase(peer);
    }
  };

  awaitable<void> session(beast::tcp_stream stream, [[maybe_unused]] std::unique_ptr<Counted> counted) {
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
      // The header's Content-Length is held to the parser's limit as the header ends: the larger of the two
      // until the route is known, then the route's own.
      std::int64_t limit = options.is_bulk ? std::max(options.body_limit, options.bulk_body_limit) : options.body_limit;
      parser.body_limit(static_cast<std::uint64_t>(limit));
      parser.header_limit(64 * 1024);
      stream.expires_after(std::chrono::milliseconds(options.idle_timeout_ms));
      boost::system::error_code ec;
      // The header first: a request whose framing or target is refused is answered before its body is read.
      co_await bhttp::async_read_header(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      if (!ec) {
        std::string problem = transfer_coding_problem(parser.get());
        if (!problem.empty()) {
          co_await write(stream, error_response(501, "not_implemented", problem), 11, false);
          break;
        }
        if (parser.get().count(bhttp::field::transfer_encoding) && parser.get().count(bhttp::field::content_length)) {
          co_await write(stream,
                         error_response(400, "bad_request",
                                        "a request must not carry both Transfer-Encoding and "
                                        "Content-Length"),
                         11, false);
          break;
        }
        problem = target_problem(parser.get().target());
        if (!problem.empty()) {
          co_await write(stream, error_response(400, "bad_request", problem), 11, false);
          break;
        }
        if (options.is_bulk) {
          const bool bulk = options.is_bulk(to_request(parser.get(), remote));  // the head: no body read yet
          limit = bulk ? options.bulk_body_limit : options.body_limit;
          if (parser.content_length() && *parser.content_length() > static_cast<std::uint64_t>(limit)) {
            ec = bhttp::error::body_limit;
          } else {
            parser.body_limit(static_cast<std::uint64_t>(limit));
            if (bulk)
              stream.expires_after(
                  std::chrono::milliseconds(std::max(options.idle_timeout_ms, options.bulk_timeout_ms)));
          }
        }
        if (!ec && !parser.is_done())
          co_await bhttp::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, ec));
      }
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset ||
          ec == asio::error::eof)
        break;
      if (ec == bhttp::error::body_limit) {
        co_await write(stream,
                       error_response(413, "payload_too_large",
                                      "request body exceeds the limit of " + std::to_string(limit) + " bytes"),
                       11, false);
        break;
      }
      if (ec) {
        co_await write(stream, error_response(400, "bad_request", "malformed HTTP request: " + ec.message()), 11,
                       false);
        break;
      }
      auto& req = parser.get();
      Response out;
      try {
        out = co_await handle(to_request(req, remote));
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

Server::~Server() {
  stop();
}

void Server::start() {
  tcp::endpoint ep(asio::ip::make_address(impl_->options.address), static_cast<unsigned short>(impl_->options.port));
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  accept_errors();  // listed at zero from the start
  refused_connections("total");
  refused_connections("per_peer");
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

void Server::set_limits(std::int64_t body_limit, int idle_timeout_ms, int max_connections, int max_connections_per_peer,
                        std::int64_t bulk_body_limit) {
  impl_->options.body_limit = body_limit;
  impl_->options.bulk_body_limit = bulk_body_limit;
  impl_->options.idle_timeout_ms = idle_timeout_ms;
  impl_->options.max_connections = max_connections;
  impl_->options.max_connections_per_peer = max_connections_per_peer;
}

int Server::open_connections() const {
  return impl_->open;
}

}  // namespace dialerd::http
