// Webhook URLs (issue 16.4): strict syntax, and no loopback, private or link-local address unless allowed.
#include "dialerd/http/url_policy.hpp"

#include <catch2/catch.hpp>
#include <optional>

#include "dialerd/asio.hpp"
#include "dialerd/http/client.hpp"

using namespace dialerd;
using namespace dialerd::http;
using boost::asio::ip::make_address;

TEST_CASE("url policy: acceptable URLs") {
  for (const char* ok :
       {"https://crm.example.com/dialerd-events", "http://hooks.example.com:8080/a/b?x=1&y=%2F",
        "https://93.184.216.34/hook", "https://[2606:2800:220:1:248:1893:25c8:1946]:443/h", "http://a-b.c9.example/"}) {
    INFO(ok);
    CHECK(url_problem(ok));
  }
}

TEST_CASE("url policy: each refused URL names its problem") {
  struct Case {
    const char* url;
    const char* says;
  };
  for (auto c : {Case{"ftp://x/", "https:// or http://"},
                 Case{"HTTP://x/", "https:// or http://"},
                 Case{"http://x/a\r\nX-Injected: 1", "control character"},
                 Case{"http://x/a b", "space"},
                 Case{"http://x/\x7f", "control character"},
                 Case{"http://x/a%zz", "two hex digits"},
                 Case{"http://x/<script>", "RFC 3986"},
                 Case{"http://x/a#frag", "fragment"},
                 Case{"http://user:pw@x/", "user info"},
                 Case{"http://2130706433/", "dotted-quad"},
                 Case{"http://0x7f.0.0.1/", "dotted-quad"},
                 Case{"http://0177.0.0.1/", "dotted-quad"},
                 Case{"http://127.1/", "dotted-quad"},
                 Case{"http://x:0/", "1..65535"},
                 Case{"http://x:99999/", "1..65535"},
                 Case{"http://x:/", "port is empty"},
                 Case{"http:///a", "no host"},
                 Case{"http://a..b/", "empty label"},
                 Case{"http://[::1/", "unclosed"},
                 Case{"http://[zz::1]/", "not a valid IPv6"},
                 Case{"http://a_b/", "DNS name or an IP address"}}) {
    INFO(c.url);
    CHECK_THAT(url_problem(c.url).error(), Catch::Contains(c.says));
  }
}

TEST_CASE("url policy: special ranges are named, public addresses pass, the allow-list opens a network") {
  CHECK(special_range(make_address("8.8.8.8")).empty());
  CHECK(special_range(make_address("2606:4700::1111")).empty());
  CHECK(special_range(make_address("127.0.0.1")) == "loopback");
  CHECK(special_range(make_address("10.1.2.3")) == "private");
  CHECK(special_range(make_address("172.31.255.255")) == "private");
  CHECK(special_range(make_address("172.32.0.1")).empty());
  CHECK(special_range(make_address("192.168.1.1")) == "private");
  CHECK_THAT(special_range(make_address("169.254.169.254")), Catch::Contains("metadata"));
  CHECK_THAT(special_range(make_address("100.64.0.1")), Catch::Contains("carrier-grade NAT"));
  CHECK(special_range(make_address("0.0.0.0")) != "");
  CHECK(special_range(make_address("255.255.255.255")) != "");
  CHECK(special_range(make_address("224.0.0.1")) == "multicast");
  CHECK(special_range(make_address("::1")) == "loopback");
  CHECK(special_range(make_address("::")) == "unspecified");
  CHECK(special_range(make_address("fe80::1")) == "link-local");
  CHECK_THAT(special_range(make_address("fd00:ec2::254")), Catch::Contains("private"));
  CHECK(special_range(make_address("::ffff:127.0.0.1")) == "loopback");  // IPv4-mapped
  CHECK(special_range(make_address("64:ff9b::a9fe:a9fe")) != "");        // NAT64 of 169.254.169.254

  CHECK_THAT(address_refusal(make_address("127.0.0.1"), {}).error(), Catch::Contains("webhooks.allow_networks"));
  std::vector<Network> allow = {*parse_network("127.0.0.0/8"), *parse_network("10.20.0.0/16")};
  CHECK(address_refusal(make_address("127.0.0.1"), allow));
  CHECK(address_refusal(make_address("::ffff:127.0.0.1"), allow));
  CHECK(address_refusal(make_address("10.20.3.4"), allow));
  CHECK_FALSE(address_refusal(make_address("10.21.0.1"), allow));
  CHECK(address_refusal(make_address("8.8.8.8"), {}));

  CHECK(parse_network("10.0.0.0/8"));
  CHECK(parse_network("::1"));
  CHECK(parse_network("fd00::/8"));
  CHECK_FALSE(parse_network("10.0.0.0/33"));
  CHECK_FALSE(parse_network("10.0.0.0/"));
  CHECK_FALSE(parse_network("nonsense"));
  CHECK(contains(*parse_network("172.16.0.0/12"), make_address("172.20.1.1")));
  CHECK_FALSE(contains(*parse_network("172.16.0.0/12"), make_address("172.15.1.1")));
}

TEST_CASE("url policy: the client applies its address filter to the addresses a name resolves to") {
  // localhost resolves (from /etc/hosts, no DNS) to loopback: refused before any connection is tried.
  asio::io_context io;
  Client client(io.get_executor());
  client.set_address_filter([](const boost::asio::ip::address& a) { return address_refusal(a, {}); });
  ClientRequest req;
  req.method = "POST";
  req.url = "http://localhost:9/hook";
  req.timeout_ms = 2000;
  std::optional<ClientResult> result;
  auto run = [&]() -> awaitable<void> { result = co_await client.fetch(req); };  // outlives io.run()
  asio::co_spawn(io, run(), asio::detached);
  io.run();
  REQUIRE(result);
  REQUIRE_FALSE(result->has_value());
  const ClientError& error = result->error();
  CHECK_THAT(error.message, Catch::Contains("refused to connect to localhost"));
  CHECK_THAT(error.message, Catch::Contains("loopback"));
  CHECK_FALSE(error.maybe_sent);
}
