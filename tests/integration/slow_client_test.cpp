// Slow or stuck clients time out without holding up others.
#include <catch2/catch.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>

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
