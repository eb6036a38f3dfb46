// Per-provider resilience on the real daemon: circuit breaker, backoff, in-flight limit, failover.
#include <boost/asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "dialerd/asio.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/store/sqlite/db.hpp"
#include "fakes/fake_batchcall.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;
using dialerd::store::sqlite::Db;

namespace {

// The provider entry for `fake`, with `extra` on top (a "base_url" there points it elsewhere).
json batchcall(const FakeBatchCall& fake, json extra = json::object()) {
  json p = fake.provider_config();
  p["timeout_ms"] = 5000;
  p.update(extra);
  return p;
}

// A loopback port nothing listens on: connecting to it is refused.
std::string refused_url() {
  dialerd::asio::io_context ioc;
  dialerd::asio::ip::tcp::acceptor a(ioc, {dialerd::asio::ip::make_address("127.0.0.1"), 0});
  auto port = a.local_endpoint().port();
  a.close();
  return "http://127.0.0.1:" + std::to_string(port);
}

std::string phone(int i) {
  return nanp_phone(i, "415", 3000000);
}

json campaign(const std::string& provider, int n, json extra = json::object(), int first = 0) {
  json list = json::array();
  for (int i = first; i < first + n; ++i) list.push_back({{"phone_number", phone(i)}});
  json c = {{"name", "Resilience"},          {"agent_id", "agent_1"}, {"provider", provider},
            {"from_number", "+14157774444"}, {"concurrency", 100},    {"contacts", list}};
  if (n == 0) c.erase("contacts");
  c.update(extra);
  return c;
}

bool has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

}  // namespace

TEST_CASE("resilience: the breaker opens after straight failures - one probe call closes it - every contact once") {
  TempDir dir;
  FakeBatchCall fake;
  fake.inject(503, 3);  // "not now": certainly not taken, so nothing is held
  json provider = batchcall(fake, {{"chunk_size", 5},
                                   {"max_in_flight", 1},
                                   {"backoff", {{"min_ms", 20}, {"max_ms", 40}}},
                                   {"breaker", {{"failures", 3}, {"open_ms", 300}}}});
  DaemonProcess daemon(dir, {{"providers", {{"acme", provider}}}});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });

  auto id = create_campaign(daemon, campaign("acme", 20));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  INFO(daemon.log());

  CHECK(fake.violations().empty());
  auto seen = fake.received_numbers();
  REQUIRE(seen.size() == 20);
  for (const auto& [number, times] : seen) CHECK(times == 1);
  auto batches = fake.batches();
  REQUIRE(!batches.empty());
  CHECK(batches.front().body["tasks"].size() == 1);  // the half-open probe risks one call
  for (const auto& b : batches) CHECK(b.body["tasks"].size() <= 5);
  auto counts = campaign_of(daemon, id)["counts"];
  CHECK(counts["completed"] == 20);
  CHECK(counts["held"] == 0);

  std::string text = metrics(daemon);
  CHECK(has(text, R"(dialerd_provider_breaker_transitions_total{provider="acme",to="open"} 1)"));
  CHECK(has(text, R"(dialerd_provider_breaker_transitions_total{provider="acme",to="half_open"} 1)"));
  CHECK(has(text, R"(dialerd_provider_breaker_transitions_total{provider="acme",to="closed"} 1)"));
  CHECK(has(text, R"(dialerd_provider_failures_total{provider="acme",class="http_503"} 3)"));
  CHECK(has(text, R"(dialerd_provider_breaker_state{provider="acme",state="closed"} 1)"));
  CHECK(has(text, R"(dialerd_provider_breaker_state{provider="acme",state="open"} 0)"));
  CHECK(has(text, R"(dialerd_provider_requests_in_flight{provider="acme"} 0)"));
  auto log = daemon.log();
  CHECK(log.find("provider acme: circuit breaker OPEN") != std::string::npos);
  CHECK(log.find("provider acme: circuit breaker half-open") != std::string::npos);
  CHECK(log.find("provider acme: circuit breaker closed") != std::string::npos);
}

TEST_CASE("resilience: a 429 with Retry-After pauses the provider without opening the breaker") {
  TempDir dir;
  FakeBatchCall fake;
  fake.inject(429, 4, "0");
  json provider = batchcall(
      fake, {{"chunk_size", 10}, {"breaker", {{"failures", 2}}}, {"backoff", {{"min_ms", 20}, {"max_ms", 40}}}});
  DaemonProcess daemon(dir, {{"providers", {{"acme", provider}}}});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  auto id = create_campaign(daemon, campaign("acme", 10));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  INFO(daemon.log());
  auto seen = fake.received_numbers();
  REQUIRE(seen.size() == 10);
  for (const auto& [number, times] : seen) CHECK(times == 1);
  std::string text = metrics(daemon);
  CHECK(has(text, R"(dialerd_provider_failures_total{provider="acme",class="http_429"} 4)"));
  CHECK(has(text, R"(dialerd_provider_breaker_transitions_total{provider="acme",to="open"} 0)"));
  CHECK(has(text, R"(dialerd_provider_throttle_streak{provider="acme"} 0)"));
}

TEST_CASE("resilience: never more than max_in_flight submissions to one provider at once") {
  TempDir dir;
  FakeBatchCall fake;
  fake.set_delay(std::chrono::milliseconds(30));
  json provider = batchcall(fake, {{"chunk_size", 1}, {"max_in_flight", 2}});
  DaemonProcess daemon(dir, {{"providers", {{"acme", provider}}}});
  auto id = create_campaign(daemon, campaign("acme", 30));
  // Sampled while it runs: a sample can miss a moment over the limit, but never shows one that was not.
  int most = 0;
  REQUIRE(wait_until([&] {
    std::string text = metrics(daemon);
    auto at = text.find(R"(dialerd_provider_requests_in_flight{provider="acme"} )");
    REQUIRE(at != std::string::npos);
    most = std::max(most, std::stoi(text.substr(text.find("} ", at) + 2)));
    return campaign_of(daemon, id)["counts"]["in_progress"] == 30;
  }));
  CHECK(most <= 2);
  CHECK(fake.received_numbers().size() == 30);
}

TEST_CASE("resilience: while its provider's breaker is open a campaign fails over and outcomes come back there") {
  TempDir dir;
  FakeBatchCall fake;
  json down = batchcall(fake, {{"base_url", refused_url()},
                               {"chunk_size", 5},
                               {"backoff", {{"min_ms", 10}, {"max_ms", 20}}},
                               {"breaker", {{"failures", 2}, {"open_ms", 600000}}}});
  DaemonProcess daemon(dir, {{"providers", {{"down", down}, {"acme", batchcall(fake)}}}});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });

  SECTION("failover_provider is checked at creation") {
    auto r = http_post(daemon.url("/v1/campaigns"), campaign("down", 1, {{"failover_provider", "nope"}}).dump());
    CHECK(r.status == 400);
    CHECK(r.body["error"]["field"] == "failover_provider");
    r = http_post(daemon.url("/v1/campaigns"), campaign("down", 1, {{"failover_provider", "down"}}).dump());
    CHECK(r.status == 400);
    CHECK(r.raw.find("must differ from provider") != std::string::npos);
  }
  SECTION("every contact reaches the failover exactly once and completes") {
    auto id = create_campaign(daemon, campaign("down", 12, {{"failover_provider", "acme"}}));
    CHECK(campaign_of(daemon, id)["failover_provider"] == "acme");
    REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
    INFO(daemon.log());
    auto seen = fake.received_numbers();
    REQUIRE(seen.size() == 12);
    for (const auto& [number, times] : seen) CHECK(times == 1);
    auto counts = campaign_of(daemon, id)["counts"];
    CHECK(counts["completed"] == 12);
    CHECK(counts["held"] == 0);
    Db db(daemon.db_path(), Db::Mode::read_only, 1000);
    CHECK(db.cached("SELECT count(*) FROM calls WHERE provider = 'acme'").first_int64() == 12);
    // The tries at the provider that was down are kept, each marked as never submitted.
    auto& down_tries = db.cached(
        "SELECT count(*), count(*) FILTER (WHERE outcome = 'not_submitted') FROM attempts "
        "WHERE provider = 'down'");
    REQUIRE(down_tries.step());
    CHECK(down_tries.int64(0) >= 2);
    CHECK(down_tries.int64(0) == down_tries.int64(1));
    down_tries.reset();
    CHECK(daemon.log().find("provider down: circuit breaker OPEN") != std::string::npos);
  }
  SECTION("a failover added by PATCH during the outage takes the waiting calls - null removes it") {
    auto id = create_campaign(daemon, campaign("down", 6));
    REQUIRE(wait_until([&] { return daemon.log().find("provider down: circuit breaker OPEN") != std::string::npos; }));
    CHECK(fake.received_numbers().empty());
    auto patch = [&](const json& body) {
      auto r = dialerd::http::fetch_blocking(
          {"PATCH", daemon.url("/v1/campaigns/" + id), {}, body.dump(), "application/json", 5000});
      return r.value();
    };
    CHECK(patch({{"failover_provider", "down"}}).status == 400);  // must differ from provider
    auto r = patch({{"failover_provider", "acme"}});
    INFO(r.body);
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body)["data"]["failover_provider"] == "acme");
    REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
    CHECK(fake.received_numbers().size() == 6);
    // Completed campaigns take no PATCH; a new one shows null clears the field.
    auto other = create_campaign(daemon, campaign("down", 1, {{"failover_provider", "acme"}}, 40));
    REQUIRE(wait_until([&] { return campaign_of(daemon, other)["status"] == "completed"; }));
    auto third = create_campaign(daemon, campaign("down", 1, {{"failover_provider", "acme"}, {"status", "draft"}}, 60));
    auto cleared = dialerd::http::fetch_blocking({"PATCH",
                                                  daemon.url("/v1/campaigns/" + third),
                                                  {},
                                                  R"({"failover_provider": null})",
                                                  "application/json",
                                                  5000});
    REQUIRE(cleared.value().status == 200);
    CHECK(campaign_of(daemon, third)["failover_provider"].is_null());
  }
  SECTION("a call placed now goes to the failover too - and without one it is refused with 503") {
    auto id = create_campaign(daemon, campaign("down", 2, {{"complete_when_done", false}}));
    REQUIRE(wait_until([&] { return daemon.log().find("provider down: circuit breaker OPEN") != std::string::npos; }));
    auto r = http_post(daemon.url("/v1/calls"),
                       json{{"campaign_id", id}, {"contact", {{"phone_number", phone(50)}}}}.dump());
    INFO(r.raw);
    CHECK(r.status == 503);
    CHECK(r.body["error"]["code"] == "provider_unavailable");
    CHECK(r.body["error"].contains("retry_at"));

    auto with =
        create_campaign(daemon, campaign("down", 0, {{"complete_when_done", false}, {"failover_provider", "acme"}}));
    r = http_post(daemon.url("/v1/calls"),
                  json{{"campaign_id", with}, {"contact", {{"phone_number", phone(51)}}}}.dump());
    INFO(r.raw);
    CHECK(r.status == 201);
    REQUIRE(wait_until([&] { return fake.received_numbers().count(phone(51)) == 1; }));
  }
}

TEST_CASE("resilience: campaigns sharing a provider at its in-flight limit take turns") {
  TempDir dir;
  FakeBatchCall fake;
  fake.set_delay(std::chrono::milliseconds(20));
  DaemonProcess daemon(dir, {{"providers", {{"acme", batchcall(fake, {{"chunk_size", 1}, {"max_in_flight", 1}})}}}});
  // Both start on the same pass, so the order below is the scheduler's alone.
  auto start =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() +
      1500;
  auto a = create_campaign(daemon, campaign("acme", 6, {{"trigger_timestamp", start}}, 0));
  auto b = create_campaign(daemon, campaign("acme", 6, {{"trigger_timestamp", start}}, 100));
  REQUIRE(wait_until([&] { return fake.received_numbers().size() == 12; }));
  auto batches = fake.batches();
  REQUIRE(batches.size() == 12);
  std::string order;
  for (const auto& batch : batches)
    order += std::stoi(batch.body["tasks"][0]["to_number"].get<std::string>().substr(5)) - 3000000 < 100 ? 'a' : 'b';
  CHECK(order == "abababababab");
}

TEST_CASE("metrics: every series docs/OPERATIONS.md lists is on /metrics from the start, counters at zero") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, {{"providers", {{"acme", batchcall(fake)}}}});
  const std::string text = metrics(daemon);
  INFO(text);

  // Each family of the table in docs/OPERATIONS.md "## Metrics" has its HELP and TYPE lines.
  const std::string ops = read_file(DIALERD_SOURCE_DIR "/docs/OPERATIONS.md");
  const auto table = ops.find("\n## Metrics\n");
  REQUIRE(table != std::string::npos);
  const std::string section = ops.substr(table, ops.find("\n## ", table + 1) - table);
  static const std::regex kRow(R"re(\n\| `(dialerd_[a-z_]+))re");
  std::set<std::string> families;
  for (std::sregex_iterator m(section.begin(), section.end(), kRow), end; m != end; ++m) families.insert((*m)[1]);
  CHECK(families.size() >= 20);
  for (const auto& name : families) {
    INFO(name << " is documented but /metrics does not list it before its first event");
    CHECK(text.find("# TYPE " + name + " ") != std::string::npos);
  }

  // Counters whose label values are known in advance are there at zero, so rate() and alerts work at once.
  for (const char* line : {
           R"(dialerd_http_accept_errors_total 0)",
           R"(dialerd_http_connections_refused_total{limit="total"} 0)",
           R"(dialerd_http_connections_refused_total{limit="per_peer"} 0)",
           R"(dialerd_storage_errors_total 0)",
           R"(dialerd_call_timeouts_total 0)",
           R"(dialerd_webhook_deliveries_total{result="delivered"} 0)",
           R"(dialerd_webhook_deliveries_total{result="abandoned"} 0)",
           R"(dialerd_provider_breaker_transitions_total{provider="acme",to="open"} 0)",
           R"(dialerd_chunks_submitted_total{provider="acme"} 0)",
           R"(dialerd_calls_submitted_total{provider="acme",result="uncertain"} 0)",
           R"(dialerd_provider_request_seconds_count{provider="acme"} 0)",
       }) {
    INFO(line);
    CHECK(has(text, line));
  }
}

TEST_CASE("resilience: 2xx answers that cannot be read open the breaker - one probe call risked per open period") {
  // Issue 16.6: an HTML 200 held every call at full speed and never opened the breaker.
  TempDir dir;
  FakeBatchCall fake;
  fake.inject_raw(200, 1000000, "<html><body>Service temporarily unavailable</body></html>");
  json provider = batchcall(fake, {{"chunk_size", 5},
                                   {"max_in_flight", 4},
                                   {"backoff", {{"min_ms", 20}, {"max_ms", 40}}},
                                   {"breaker", {{"failures", 2}, {"open_ms", 300}, {"open_max_ms", 5000}}}});
  DaemonProcess daemon(dir, {{"providers", {{"acme", provider}}}});
  auto id = create_campaign(daemon, campaign("acme", 30));
  // Two chunks of 5 (one at a time: the provider never answered well), the breaker opens; a probe of one
  // call after 300 ms fails and opens it again for 600 ms.
  const std::string reopened = R"(dialerd_provider_breaker_transitions_total{provider="acme",to="open"})";
  REQUIRE(wait_until([&] { return metric(daemon, reopened) >= 2; }));
  INFO(daemon.log());
  auto counts = campaign_of(daemon, id)["counts"];
  CHECK(counts["held"] == 11);  // uncertain: a 2xx may have placed them; never sent again
  CHECK(counts["pending"] == 19);
  CHECK(counts["failed"] == 0);
  CHECK(metric(daemon, R"(dialerd_provider_failures_total{provider="acme",class="bad_answer"})") == 3);
  CHECK(daemon.log().find("with nothing readable about any call") != std::string::npos);
}

TEST_CASE("resilience: a provider refusing every chunk fails breaker.rejections chunks, then the calls wait") {
  // Issue 16.6: a 400 to every request failed the whole queue for good in a second. Its error body echoes
  // the API key; neither the calls' last_error nor the log may show it (16.9).
  TempDir dir;
  FakeBatchCall fake;
  fake.inject_raw(400, 1000000, R"({"error":"bad request","echo":{"X-API-KEY":"test-key","api_secret":"test-secret"}})",
                  "application/json");
  json provider = batchcall(fake, {{"chunk_size", 5},
                                   {"backoff", {{"min_ms", 20}, {"max_ms", 40}}},
                                   {"breaker", {{"rejections", 3}, {"open_ms", 300}}}});
  DaemonProcess daemon(dir, {{"providers", {{"acme", provider}}}});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  auto id = create_campaign(daemon, campaign("acme", 30));
  const std::string opened = R"(dialerd_provider_breaker_transitions_total{provider="acme",to="open"})";
  REQUIRE(wait_until([&] { return metric(daemon, opened) >= 1; }));
  auto counts = campaign_of(daemon, id)["counts"];
  CHECK(counts["failed"] == 10);   // two chunks refused: they may be bad payloads
  CHECK(counts["pending"] == 20);  // the third refusal in a row: the provider is broken, the calls wait
  auto call = http_get(daemon.url("/v1/calls/1")).body["data"];
  INFO(call.dump());
  CHECK(call["state"] == "failed");
  const std::string last_error = call["last_error"].get<std::string>();
  CHECK(last_error.find("provider answered 400") == 0);
  CHECK(last_error.find("test-key") == std::string::npos);
  CHECK(last_error.find("test-secret") == std::string::npos);
  CHECK(last_error.find("[redacted]") != std::string::npos);
  CHECK(daemon.log().find("test-key") == std::string::npos);

  // The provider is fixed: the next probe goes through, the breaker closes and the waiting calls go out.
  fake.inject_raw(400, 0, "");
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  counts = campaign_of(daemon, id)["counts"];
  CHECK(counts["completed"] == 20);
  CHECK(counts["failed"] == 10);
  for (const auto& [number, times] : fake.received_numbers()) CHECK(times == 1);
}

TEST_CASE("resilience: a huge Retry-After is cut to backoff.retry_after_max_ms and counted") {
  // Issue 16.6: one 429 asking for a day paused the provider for a day.
  TempDir dir;
  FakeBatchCall fake;
  fake.inject(429, 1, "86400");
  json provider = batchcall(fake, {{"backoff", {{"retry_after_max_ms", 1000}}}});
  DaemonProcess daemon(dir, {{"providers", {{"acme", provider}}}});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  auto id = create_campaign(daemon, campaign("acme", 5));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  CHECK(metric(daemon, R"(dialerd_provider_retry_after_capped_total{provider="acme"})") == 1);
  CHECK(metric(daemon, R"(dialerd_provider_paused_seconds{provider="acme"})") == 0);
  CHECK(daemon.log().find("asked to wait 86400 s (Retry-After); waiting backoff.retry_after_max_ms = 1 s") !=
        std::string::npos);
}

TEST_CASE("resilience: an answer larger than max_answer_bytes is abandoned and its calls held, not read on") {
  // Issue 16.6: a huge answer was read whole (1.5 GB RSS) and overran the timeout.
  TempDir dir;
  FakeBatchCall fake;
  fake.inject_raw(200, 1, std::string(8 << 20, ' '), "application/json");
  json provider = batchcall(fake, {{"chunk_size", 5}, {"max_answer_bytes", 65536}});
  DaemonProcess daemon(dir, {{"providers", {{"acme", provider}}}});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  auto id = create_campaign(daemon, campaign("acme", 10));
  REQUIRE(wait_until([&] {
    auto c = campaign_of(daemon, id)["counts"];
    return c["held"] == 5 && c["completed"] == 5;
  }));
  CHECK(daemon.log().find("the body is larger than 65536 bytes; not read further") != std::string::npos);
}

TEST_CASE("resilience: until a provider has answered well one chunk at a time is risked, then max_in_flight") {
  // Issue 16.6: a hung provider held max_in_flight x chunk_size calls before the breaker could react.
  TempDir dir;
  FakeBatchCall fake;
  fake.set_delay(std::chrono::milliseconds(400));
  json provider = batchcall(fake, {{"chunk_size", 5}, {"max_in_flight", 4}});
  DaemonProcess daemon(dir, {{"providers", {{"acme", provider}}}});
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  auto id = create_campaign(daemon, campaign("acme", 25));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  auto batches = fake.batches();
  REQUIRE(batches.size() == 5);
  std::vector<std::int64_t> taken;
  for (const auto& b : batches) taken.push_back(b.received_at_ms);
  std::sort(taken.begin(), taken.end());
  // The second chunk left only after the first was answered (each answer takes 400 ms) ...
  CHECK(taken[1] - taken[0] >= 350);
  // ... then the provider had proven itself and the next chunks went out together.
  CHECK(taken[4] - taken[1] < 350);
}
