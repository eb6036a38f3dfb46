// The HTTP client's bounds on an answer (issue 16.6): one deadline for the whole exchange, however slowly
// the server sends, and a cap on the body it reads.
#include "dialerd/http/client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "dialerd/asio.hpp"

namespace asio = dialerd::asio;
using tcp = asio::ip::tcp;

namespace {

// Serves one connection on 127.0.0.1: reads the request head, writes `head`, then `body_bytes` bytes of
// body in pieces of `piece` every `every` (until the client goes away).
class OneShotServer {
 public:
  OneShotServer(std::string head, std::size_t body_bytes, std::size_t piece, std::chrono::milliseconds every)
      : acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    thread_ = std::thread([this, head = std::move(head), body_bytes, piece, every] {
      boost::system::error_code ec;
      tcp::socket socket(ioc_);
      acceptor_.accept(socket, ec);
      if (ec) return;
      asio::streambuf request;
      asio::read_until(socket, request, "\r\n\r\n", ec);
      asio::write(socket, asio::buffer(head), ec);
      const std::string chunk(piece, 'x');
      for (std::size_t sent = 0; !ec && sent < body_bytes; sent += piece) {
        asio::write(socket, asio::buffer(chunk.data(), std::min(piece, body_bytes - sent)), ec);
        if (every.count() > 0) std::this_thread::sleep_for(every);
      }
    });
  }
  ~OneShotServer() {
    acceptor_.close();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/"; }

 private:
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::thread thread_;
};

dialerd::http::ClientResult fetch(const std::string& url, int timeout_ms, std::size_t max_answer_bytes) {
  dialerd::http::ClientRequest req;
  req.url = url;
  req.body = "{}";
  req.timeout_ms = timeout_ms;
  req.max_answer_bytes = max_answer_bytes;
  return dialerd::http::fetch_blocking(std::move(req));
}

}  // namespace

TEST_CASE("http client: an answer dribbled byte by byte ends at the request's deadline, not per read") {
  // 1 byte every 20 ms keeps each single read well inside the deadline; only a deadline over the whole
  // exchange ends it. 2000 bytes would take 40 s.
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000\r\n\r\n", 2000, 1,
                       std::chrono::milliseconds(20));
  const auto started = std::chrono::steady_clock::now();
  auto result = fetch(server.url(), 400, 1 << 20);
  const auto took = std::chrono::steady_clock::now() - started;
  REQUIRE_FALSE(result.has_value());
  CHECK(result.error().timed_out);
  CHECK(result.error().maybe_sent);
  CHECK(took < std::chrono::seconds(10));  // a generous bound: the point is it does not run to 40 s
}

TEST_CASE("http client: an answer body larger than max_answer_bytes is abandoned, not read into memory") {
  OneShotServer server("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8388608\r\n\r\n", 8 << 20,
                       64 * 1024, std::chrono::milliseconds(0));
  auto result = fetch(server.url(), 10000, 64 * 1024);
  REQUIRE_FALSE(result.has_value());
  CHECK_FALSE(result.error().timed_out);
  CHECK(result.error().maybe_sent);
  CHECK(result.error().message == "read answer: the body is larger than 65536 bytes; not read further");
}

TEST_CASE("http client: an answer within max_answer_bytes is read whole") {
  OneShotServer server(
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 65536\r\nConnection: close\r\n\r\n", 65536, 4096,
      std::chrono::milliseconds(0));
  auto result = fetch(server.url(), 10000, 64 * 1024);
  if (!result) FAIL(result.error().message);
  CHECK(result->status == 200);
  CHECK(result->body.size() == 65536);
}
