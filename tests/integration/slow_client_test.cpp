// Slow or stuck clients time out without holding up others.
#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <memory>
#include <vector>

#include "dialerd/asio.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;
using tcp = boost::asio::ip::tcp;

TEST_CASE("slow clients: a stuck request times out while other clients are served") {
  TempDir dir;
  DaemonProcess daemon(dir, {{"http", {{"idle_timeout_ms", 400}}}, {"providers", {{"sim", {{"kind", "simulator"}}}}}});
  boost::asio::io_context io;
  tcp::socket stuck(io), half(io);
  tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(daemon.port()));
  stuck.connect(ep);
  half.connect(ep);
  // One sends half a header, the other a header promising a body it never sends.
  boost::asio::write(stuck, boost::asio::buffer(std::string("POST /v1/campaigns HTTP/1.1\r\nHost: x\r\n")));
  boost::asio::write(half, boost::asio::buffer(std::string(
                               "POST /v1/campaigns HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                               "Content-Length: 1000\r\n\r\n{\"name\":")));
  // Meanwhile others are served (were the stuck ones holding the server up, these would not complete).
  for (int i = 0; i < 20; ++i) CHECK(http_get(daemon.url("/healthz")).status == 200);
  // And the server closes the stuck connections after the idle timeout (if it never did, this read
  // would block until ctest's timeout fails the test; no timing is asserted here).
  for (tcp::socket* s : {&stuck, &half}) {
    char buf[256];
    boost::system::error_code ec;
    std::size_t total = 0;
    for (;;) {
      auto n = s->read_some(boost::asio::buffer(buf), ec);
      total += n;
      if (ec) break;
    }
    CHECK((ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset));
    (void)total;
  }
  CHECK(http_get(daemon.url("/healthz")).status == 200);
  CHECK(http_get(daemon.url("/v1/campaigns")).body["data"]["items"].empty());  // nothing half-accepted
}

TEST_CASE("connection limits: one connection past http.max_connections_per_peer is answered 503 and closed") {
  TempDir dir;
  DaemonProcess daemon(
      dir, {{"http", {{"max_connections_per_peer", 2}}}, {"providers", {{"sim", {{"kind", "simulator"}}}}}});
  boost::asio::io_context io;
  tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(daemon.port()));
  std::vector<std::unique_ptr<tcp::socket>> held;
  for (int i = 0; i < 2; ++i) {
    // Each is served once and kept open (keep-alive), so the daemon surely counts it.
    auto s = std::make_unique<tcp::socket>(io);
    s->connect(ep);
    boost::asio::write(*s, boost::asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")));
    char buf[1024];
    auto n = s->read_some(boost::asio::buffer(buf));
    CHECK(raw_status(std::string(buf, n)) == 200);
    held.push_back(std::move(s));
  }
  auto refused = raw_exchange(daemon.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(raw_status(refused) == 503);
  CHECK_THAT(refused, Catch::Contains("too_many_connections"));
  CHECK_THAT(refused, Catch::Contains("Retry-After: 1"));
  // Once one closes, a new connection is served again (the daemon notices the close asynchronously).
  held.pop_back();
  CHECK(wait_until([&] {
    return raw_status(raw_exchange(daemon.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) ==
           200;
  }));
  auto metrics = http_get(daemon.url("/metrics")).raw;
  CHECK_THAT(metrics, Catch::Contains("dialerd_http_connections_refused_total{limit=\"per_peer\"}"));
}
