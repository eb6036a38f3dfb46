// HTTPS for provider submissions and webhooks: certificate and host-name verification against a private CA
// given in config, and the keep-alive pool.
#include <catch2/catch.hpp>

#include <csignal>

#include "dialerd/app/config.hpp"
#include "dialerd/http/client.hpp"
#include "fakes/fake_batchcall.hpp"
#include "fakes/tls_server.hpp"
#include "fakes/webhook_receiver.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd;
using namespace dialerd::testing;

namespace {
http::Response hello(const http::Request&) {
  http::Response r;
  r.body = R"({"hello":"tls"})";
  return r;
}
// Runs fetches one after another on one client, on a private io_context.
std::vector<http::ClientResult> fetch_all(http::Client& client, asio::io_context& ioc, const std::string& url, int n) {
  std::vector<http::ClientResult> out;
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        for (int i = 0; i < n; ++i) {
          http::ClientRequest req;
          req.method = "GET";
          req.url = url;
          req.timeout_ms = 5000;
          out.push_back(co_await client.fetch(req));
        }
      },
      asio::detached);
  ioc.run();
  ioc.restart();
  return out;
}
std::string error_of(const http::ClientResult& r) {
  return r ? "" : r.error().message;
}
}  // namespace

TEST_CASE("https client: the certificate and host name are verified against the CA file and connections are reused") {
  TempDir dir;
  auto pki = make_test_ca(dir);
  make_server_cert(pki, "good", "IP:127.0.0.1");
  make_server_cert(pki, "wrong", "DNS:wrong.example");
  TlsServer good(pki.cert_file("good"), pki.key_file("good"), hello);
  TlsServer wrong(pki.cert_file("wrong"), pki.key_file("wrong"), hello);
  asio::io_context ioc;

  http::Client trusting(ioc.get_executor(), {pki.ca_file});
  auto ok = fetch_all(trusting, ioc, good.base_url() + "/x", 3);
  for (const auto& r : ok) {
    INFO(error_of(r));
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(r->body == R"({"hello":"tls"})");
  }
  CHECK(good.connections_accepted() == 1);  // keep-alive: three requests, one connection
  CHECK(trusting.idle_connections() == 1);

  // The same certificate, but for another name: refused before anything is sent.
  auto misnamed = fetch_all(trusting, ioc, wrong.base_url() + "/x", 1);
  REQUIRE_FALSE(misnamed[0].has_value());
  CHECK_FALSE(misnamed[0].error().maybe_sent);
  CHECK_THAT(error_of(misnamed[0]), Catch::Contains("TLS handshake"));

  // The system store does not know the private CA.
  http::Client system(ioc.get_executor());
  auto untrusted = fetch_all(system, ioc, good.base_url() + "/x", 1);
  REQUIRE_FALSE(untrusted[0].has_value());
  CHECK_THAT(error_of(untrusted[0]), Catch::Contains("certificate verify failed"));
  CHECK_FALSE(untrusted[0].error().maybe_sent);

  CHECK_THROWS_WITH(http::Client(ioc.get_executor(), {dir.file("missing.pem")}), Catch::Contains("missing.pem"));
  CHECK_THROWS_WITH(app::parse_config(R"({"providers": {"p": {"kind": "batchcall", "base_url": "https://x",
                                        "api_key": "k", "api_secret": "s", "ca_file": "/nonexistent/ca.pem"}}})"),
                    Catch::Contains("providers.p.ca_file: cannot read"));
}

TEST_CASE("https providers and webhooks: submissions and signed events go through TLS with a private CA") {
  TempDir dir;
  auto pki = make_test_ca(dir);
  make_server_cert(pki, "server", "IP:127.0.0.1");
  FakeBatchCall fake;
  WebhookReceiver receiver;
  TlsServer provider_tls(pki.cert_file("server"), pki.key_file("server"), proxy_to(fake.base_url()));
  std::string receiver_base = receiver.url().substr(0, receiver.url().size() - std::string("/hooks").size());
  TlsServer hooks_tls(pki.cert_file("server"), pki.key_file("server"), proxy_to(receiver_base));

  json provider = fake.provider_config();  // reached through the TLS proxy in front of it
  provider.update({{"base_url", provider_tls.base_url()}, {"ca_file", pki.ca_file}, {"chunk_size", 2}});
  json config = {{"compliance", {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
                 {"webhooks",
                  {{"secrets", {{"crm", "crm-webhook-secret-0001"}}},
                   {"ca_file", pki.ca_file},
                   {"allow_networks", json::array({"127.0.0.0/8", "::1"})}}},
                 {"providers", {{"acme", provider}}}};
  DaemonProcess daemon(dir, config);
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  json contacts = json::array();
  for (int i = 0; i < 5; ++i) contacts.push_back({{"phone_number", "+1415500000" + std::to_string(i)}});
  auto r = http_post(daemon.url("/v1/campaigns"),
                     json{{"name", "tls"},
                          {"agent_id", "agent_1"},
                          {"provider", "acme"},
                          {"from_number", "+14157774444"},
                          {"concurrency", 10},
                          {"contacts", contacts},
                          {"webhook", {{"url", hooks_tls.base_url() + "/hooks"}, {"secret_id", "crm"}}}}
                         .dump());
  INFO(r.raw);
  REQUIRE(r.status == 201);
  auto id = r.body["data"]["id"].get<std::string>();
  REQUIRE(
      wait_until([&] { return http_get(daemon.url("/v1/campaigns/" + id)).body["data"]["status"] == "completed"; }));
  CHECK(fake.tasks_received() == 5);
  CHECK(fake.batches().size() == 3);
  CHECK(fake.violations().empty());
  // started, 5 x call.completed, completed
  REQUIRE(wait_until([&] { return receiver.accepted_ids().size() == 7; }));
  INFO(daemon.log());
  CHECK(daemon.log().find("TLS") == std::string::npos);
}

TEST_CASE(
    "reload: a provider's new base_url and credentials apply to the next submission, an invalid config changes "
    "nothing") {
  TempDir dir;
  FakeBatchCall before("key-before", "secret-before"), after("key-after", "secret-after");
  // Each fake's own URL and credentials (key-before/secret-before, key-after/secret-after).
  auto config_with = [&](const FakeBatchCall& fake) {
    return json{{"compliance", {{"rules", "none"}, {"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
                {"providers", {{"acme", fake.provider_config()}}}};
  };
  DaemonProcess daemon(dir, config_with(before));
  auto campaign = [&](const std::string& number) {
    auto r = http_post(daemon.url("/v1/campaigns"), json{{"name", "reload"},
                                                         {"agent_id", "agent_1"},
                                                         {"provider", "acme"},
                                                         {"from_number", "+14157774444"},
                                                         {"contacts", {{{"phone_number", number}}}}}
                                                        .dump());
    REQUIRE(r.status == 201);
  };
  campaign("+14155006001");
  REQUIRE(wait_until([&] { return before.tasks_received() == 1; }));

  // An invalid file: kept running on the old config, which still works.
  write_file(daemon.config_path(), "{ not json");
  ::kill(daemon.pid(), SIGHUP);
  REQUIRE(wait_until([&] { return daemon.log().find("reload: keeping the running config") != std::string::npos; }));
  campaign("+14155006002");
  REQUIRE(wait_until([&] { return before.tasks_received() == 2; }));

  // New URL and credentials: the next submission goes to the new place with the new keys.
  json next = config_with(after);
  next["state_dir"] = dir.file("state");
  next["listen"] = {{"address", "127.0.0.1"}, {"port", 0}};
  write_file(daemon.config_path(), next.dump());
  ::kill(daemon.pid(), SIGHUP);
  REQUIRE(wait_until(
      [&] { return daemon.log().find("reload: provider acme now uses its new settings") != std::string::npos; }));
  campaign("+14155006003");
  REQUIRE(wait_until([&] { return after.tasks_received() == 1; }));
  CHECK(before.tasks_received() == 2);
  CHECK(after.batches().at(0).headers.at("x-api-key") == "key-after");
  CHECK(after.violations().empty());
  CHECK(before.violations().empty());
}
