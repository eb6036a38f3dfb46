// Closing the loop after submission: signed outbound webhooks from the durable outbox, authenticated
// provider callbacks, and calls that never get an outcome (docs/WEBHOOKS.md).
#include <catch2/catch.hpp>

#include <chrono>
#include <set>

#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/util/crypto.hpp"
#include "dialerd/webhooks/sender.hpp"
#include "fakes/fake_batchcall.hpp"
#include "fakes/webhook_receiver.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {
const std::string kProviderSecret = "provider-events-secret-0001";
const std::string kHookSecret = "crm-webhook-secret-0001";

std::string phone(int i) {
  return nanp_phone(i, "415", 4000000);
}
std::string create(const DaemonProcess& d, json extra, int contacts) {
  json list = json::array();
  for (int i = 0; i < contacts; ++i) list.push_back({{"phone_number", phone(i)}});
  json c = {{"name", "hooks"},    {"agent_id", "agent_1"}, {"provider", "acme"}, {"from_number", "+14157774444"},
            {"concurrency", 100}, {"contacts", list}};
  c.update(extra);
  return create_campaign(d, c);
}
json config_for(const FakeBatchCall& fake, json extra = json::object()) {
  json provider = fake.provider_config();
  provider["events"] = {{"secret", kProviderSecret}};
  json c = {{"compliance", {{"respectful_hours", {{"start", "00:00"}, {"end", "24:00"}}}}},
            {"webhooks",
             {{"secrets", {{"crm", kHookSecret}}},
              {"retry_min_ms", 3000},
              {"retry_max_seconds", 3},
              {"allow_networks", json::array({"127.0.0.1"})}}},
            {"providers", {{"acme", provider}}}};
  c.merge_patch(extra);
  return c;
}
// The receiver's side of docs/WEBHOOKS.md: HMAC-SHA256 over "<t>.<body>".
bool signature_ok(const WebhookReceiver::Delivery& d) {
  auto header = d.headers.count("x-dialerd-signature") ? d.headers.at("x-dialerd-signature") : "";
  return dialerd::testing::signature_ok(header, kHookSecret, d.body);
}
}  // namespace

TEST_CASE(
    "webhooks: a receiver that fails its first 3 deliveries still gets every event once signed, across a restart") {
  TempDir dir;
  FakeBatchCall fake;
  WebhookReceiver receiver;
  receiver.fail_next(3);
  DaemonProcess daemon(dir, config_for(fake));
  fake.sign_reports(kProviderSecret);
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  auto id = create(daemon, {{"webhook", {{"url", receiver.url()}, {"secret_id", "crm"}}}}, 3);
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  REQUIRE(wait_until([&] { return receiver.deliveries().size() >= 3; }));
  // The failed ones are due again seconds later: stop now, so they wait in the outbox over the restart.
  CHECK(daemon.stop() == 0);
  daemon.start();

  REQUIRE(wait_until([&] { return receiver.accepted_ids().size() == 5; }));
  auto deliveries = receiver.deliveries();
  std::multiset<std::string> types;
  std::map<std::string, std::string> body_of;
  for (const auto& d : deliveries) {
    CHECK(signature_ok(d));
    auto body = json::parse(d.body);
    auto event_id = body["id"].get<std::string>();
    CHECK(d.headers.at("x-dialerd-event-id") == event_id);
    // Every try of an event sends the same bytes.
    if (body_of.count(event_id)) CHECK(body_of[event_id] == d.body);
    body_of[event_id] = d.body;
    if (d.answered / 100 == 2) types.insert(body["type"].get<std::string>());
  }
  CHECK(types == std::multiset<std::string>{"campaign.started", "call.completed", "call.completed", "call.completed",
                                            "campaign.completed"});
  CHECK(deliveries.size() == 8);  // 3 failures, then each of the 5 events once
  for (const auto& [event_id, times] : receiver.accepted_ids()) CHECK(times == 1);
  CHECK(json::parse(deliveries.back().body)["data"].contains("campaign_id"));
  CHECK(fake.violations().empty());
}

// Deliveries that end in the same turn of the event loop are recorded in one transaction; until then
// the event stays out of the sender's picks, so none is sent twice while eight are under way at once.
TEST_CASE("webhooks: many events eight at a time are each delivered once and all recorded") {
  TempDir dir;
  FakeBatchCall fake;
  WebhookReceiver receiver;
  DaemonProcess daemon(dir, config_for(fake));
  fake.sign_reports(kProviderSecret);
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  const int calls = 120;
  auto id = create(daemon, {{"webhook", {{"url", receiver.url()}, {"secret_id", "crm"}}}}, calls);
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  REQUIRE(wait_until([&] { return receiver.accepted_ids().size() == static_cast<std::size_t>(calls + 2); }));
  // Recorded: nothing is left undelivered in the outbox, and a restart sends nothing again.
  {
    dialerd::store::sqlite::Db db(daemon.db_path(), dialerd::store::sqlite::Db::Mode::read_only, 1000);
    REQUIRE(wait_until([&] {
      return db.cached("SELECT count(*) FROM webhook_outbox WHERE delivered_at IS NULL").first_int64() == 0;
    }));
  }
  CHECK(daemon.stop() == 0);
  daemon.start();
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  REQUIRE(wait_loop_idle(daemon, "webhooks"));  // it has read the outbox; a wrong resend would be delivered
  CHECK(receiver.deliveries().size() == static_cast<std::size_t>(calls + 2));
  for (const auto& [event_id, times] : receiver.accepted_ids()) CHECK(times == 1);
}

TEST_CASE("webhooks: a campaign webhook must name a configured secret and an http(s) URL") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  json base = {{"name", "x"}, {"agent_id", "agent_1"}, {"provider", "acme"}, {"from_number", "+14157774444"}};
  auto with = [&](json hook) {
    json c = base;
    c["webhook"] = hook;
    return api_post(daemon, "/v1/campaigns", c);
  };
  CHECK(with({{"url", "http://127.0.0.1:9/x"}, {"secret_id", "nope"}}).body["error"]["field"] == "webhook.secret_id");
  CHECK(with({{"url", "ftp://x"}, {"secret_id", "crm"}}).body["error"]["field"] == "webhook.url");
  CHECK(with({{"url", "https://"}, {"secret_id", "crm"}}).body["error"]["field"] == "webhook.url");
  CHECK(with({{"url", "https://x.example/hook"}, {"secret_id", "crm"}}).status == 201);
  CHECK(with({{"url", "http://127.0.0.1:9/x"}}).body["error"]["field"] == "webhook.secret_id");
  CHECK(with("http://127.0.0.1:9/x").body["error"]["field"] == "webhook");
  auto ok = with({{"url", "http://127.0.0.1:9/x"}, {"secretId", "crm"}});
  REQUIRE(ok.status == 201);
  CHECK(ok.body["data"]["webhook"] == json{{"url", "http://127.0.0.1:9/x"}, {"secret_id", "crm"}});
}

TEST_CASE("webhooks: URLs are checked strictly, and special addresses need webhooks.allow_networks") {
  // Issue 16.4: metadata, private, loopback and odd IP spellings were accepted, and CR/LF went into the
  // request line. Here only 127.0.0.1 is allowed.
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  json base = {{"name", "x"}, {"agent_id", "agent_1"}, {"provider", "acme"}, {"from_number", "+14157774444"}};
  auto refusal = [&](const std::string& url) {
    json c = base;
    c["webhook"] = {{"url", url}, {"secret_id", "crm"}};
    auto r = api_post(daemon, "/v1/campaigns", c);
    CHECK(r.status == 400);
    CHECK(r.body["error"]["field"] == "webhook.url");
    return r.body["error"]["message"].get<std::string>();
  };
  CHECK_THAT(refusal("http://169.254.169.254/latest/meta-data/"), Catch::Contains("metadata"));
  CHECK_THAT(refusal("http://10.0.0.5/h"), Catch::Contains("private"));
  CHECK_THAT(refusal("http://192.168.1.1/h"), Catch::Contains("private"));
  CHECK_THAT(refusal("http://127.0.0.2/h"), Catch::Contains("loopback"));
  CHECK_THAT(refusal("http://[::1]:9/h"), Catch::Contains("loopback"));
  CHECK_THAT(refusal("http://[::ffff:169.254.169.254]/h"), Catch::Contains("metadata"));
  CHECK_THAT(refusal("http://2130706433/h"), Catch::Contains("dotted-quad"));
  CHECK_THAT(refusal("http://0x7f000001/h"), Catch::Contains("dotted-quad"));
  CHECK_THAT(refusal("http://127.0.0.1:9/h\r\nX-Injected: 1"), Catch::Contains("control character"));
  CHECK_THAT(refusal("http://127.0.0.1:9/h\r\n\r\nGET / HTTP/1.1"), Catch::Contains("control character"));
  CHECK_THAT(refusal("http://x.example/a b"), Catch::Contains("space"));
  // The allowed network and public names are accepted.
  json ok = base;
  ok["webhook"] = {{"url", "http://127.0.0.1:9/h"}, {"secret_id", "crm"}};
  CHECK(api_post(daemon, "/v1/campaigns", ok).status == 201);
  CHECK(http_get(daemon.url("/healthz")).status == 200);
}

TEST_CASE("webhooks: a delivery to an address no longer allowed is refused at the try, not sent") {
  // Addresses are checked at each try, on what the name resolves to then: here the allow-list is withdrawn
  // by a reload between creating a campaign and its first event.
  TempDir dir;
  FakeBatchCall fake;
  WebhookReceiver receiver;
  DaemonProcess daemon(dir, config_for(fake));
  json hook = {{"webhook", {{"url", receiver.url()}, {"secret_id", "crm"}}}};
  create(daemon, hook, 1);
  REQUIRE(wait_until([&] { return !receiver.deliveries().empty(); }));  // allowed: delivered
  json draft = hook;
  draft["status"] = "draft";
  auto id = create(daemon, draft, 1);
  auto config = json::parse(read_file(daemon.config_path()));
  config["webhooks"]["allow_networks"] = json::array();
  write_file(daemon.config_path(), config.dump());
  daemon.signal(SIGHUP);
  REQUIRE(wait_until([&] { return daemon.log().find("reload: config re-read and applied") != std::string::npos; }));
  auto delivered = receiver.deliveries().size();
  REQUIRE(api_post(daemon, "/v1/campaigns/" + id + "/start").status == 200);
  std::string out;
  REQUIRE(wait_until([&] {
    run_command("sqlite3 " + daemon.db_path() + " \"SELECT last_error FROM webhook_outbox WHERE campaign_id = " + id +
                    " AND last_error IS NOT NULL LIMIT 1\"",
                out);
    return out.find("refused to connect to 127.0.0.1") != std::string::npos;
  }));
  CHECK_THAT(out, Catch::Contains("loopback"));
  for (std::size_t i = delivered; i < receiver.deliveries().size(); ++i)
    CHECK(json::parse(receiver.deliveries()[i].body)["data"]["campaign_id"] != id);
}

TEST_CASE("provider callbacks: refused without the right HMAC of the body, accepted with it") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake));
  std::string body = json::array({{{"batch_call_id", "b1"}, {"to_number", phone(1)}, {"status", "completed"}}}).dump();
  auto send = [&](std::vector<std::pair<std::string, std::string>> headers) {
    dialerd::http::ClientRequest req;
    req.url = daemon.url("/v1/providers/acme/events");
    req.body = body;
    req.headers = std::move(headers);
    auto r = dialerd::http::fetch_blocking(std::move(req));
    return r.value().status;
  };
  auto mac = dialerd::util::hmac_sha256_hex(kProviderSecret, body);
  CHECK(send({}) == 401);
  CHECK(send({{"X-Dialerd-Signature", dialerd::util::hmac_sha256_hex("wrong-secret-000000", body)}}) == 401);
  CHECK(send({{"X-Dialerd-Signature", mac.substr(1)}}) == 401);
  // Authenticated: the call is unknown, so 404 - past the authentication.
  CHECK(send({{"X-Dialerd-Signature", mac}}) == 404);
  CHECK(send({{"X-Dialerd-Signature", "sha256=" + mac}}) == 404);
  CHECK(daemon.log().find(kProviderSecret) == std::string::npos);
}

TEST_CASE("call timeout: calls with no outcome fail with reason timeout, or are retried when configured") {
  TempDir dir;
  FakeBatchCall fake;  // never reports outcomes
  DaemonProcess daemon(dir, config_for(fake, {{"calls", {{"timeout_seconds", 1}}}}));
  auto id = create(daemon, json::object(), 2);
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["failed"] == 2);
  CHECK(fake.tasks_received() == 2);
  auto calls = http_get(daemon.url("/v1/campaigns/" + id + "/calls")).body["data"]["items"];
  REQUIRE(calls.size() == 2);
  for (const auto& call : calls) {
    CHECK(call["last_outcome"] == "timeout");
    CHECK(call["last_error"] == "no outcome within calls.timeout_seconds");
  }
  CHECK(daemon.log().find("timeout -> failed") != std::string::npos);
}

TEST_CASE("call timeout: retried while attempts remain when retry.retryable_outcomes names timeout") {
  TempDir dir;
  FakeBatchCall fake;
  DaemonProcess daemon(dir, config_for(fake, {{"calls", {{"timeout_seconds", 1}}},
                                              {"retry", {{"retryable_outcomes", {"no_answer", "timeout"}}}}}));
  auto id = create(daemon, {{"retry_attempts", 1}, {"retry_delay_seconds", 0}}, 2);
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  CHECK(campaign_of(daemon, id)["counts"]["failed"] == 2);
  for (const auto& [number, times] : fake.received_numbers()) CHECK(times == 2);
  CHECK(fake.tasks_received() == 4);
}

TEST_CASE("webhooks: an event undeliverable past webhooks.max_age_seconds is abandoned with a log line and kept") {
  TempDir dir;
  FakeBatchCall fake;
  WebhookReceiver receiver;
  receiver.fail_next(1000000);
  DaemonProcess daemon(dir, config_for(fake, {{"webhooks", {{"max_age_seconds", 1}, {"retry_min_ms", 100}}}}));
  auto id = create(daemon, {{"status", "draft"}, {"webhook", {{"url", receiver.url()}, {"secret_id", "crm"}}}}, 1);
  REQUIRE(api_post(daemon, "/v1/campaigns/" + id + "/pause").status == 409);  // a draft cannot pause: no event
  REQUIRE(api_post(daemon, "/v1/campaigns/" + id + "/start").status == 200);  // campaign.started
  REQUIRE(wait_until([&] { return daemon.log().find("abandoned after") != std::string::npos; }));
  CHECK(daemon.log().find("campaign.started") != std::string::npos);
  CHECK(receiver.deliveries().size() >= 2);
  CHECK(receiver.accepted_ids().empty());
  std::string out;
  CHECK(run_command(
            "sqlite3 " + daemon.db_path() +
                " \"SELECT count(*) FROM webhook_outbox WHERE type = 'campaign.started' AND abandoned_at IS NOT NULL "
                "AND delivered_at IS NULL AND last_error = 'HTTP 500'\"",
            out) == 0);
  CHECK(out.find('1') == 0);
}

TEST_CASE("metrics: GET /metrics counts submissions, outcomes and deliveries and passes promtool where present") {
  TempDir dir;
  FakeBatchCall fake;
  WebhookReceiver receiver;
  DaemonProcess daemon(dir, config_for(fake));
  fake.sign_reports(kProviderSecret);
  fake.report_to(daemon.url("/v1/providers/acme/events"), [](const std::string&, int) { return "completed"; });
  auto id = create(daemon, {{"webhook", {{"url", receiver.url()}, {"secret_id", "crm"}}}}, 3);
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; }));
  REQUIRE(wait_until([&] { return receiver.accepted_ids().size() == 5; }));
  std::string text;
  REQUIRE(wait_until([&] {
    auto r = dialerd::http::fetch_blocking({"GET", daemon.url("/metrics"), {}, "", "application/json", 5000});
    text = r.value().body;
    return text.find("dialerd_webhook_deliveries_total{result=\"delivered\"} 5") != std::string::npos;
  }));
  INFO(text);
  CHECK(text.find("dialerd_calls{state=\"completed\"} 3\n") != std::string::npos);
  CHECK(text.find("dialerd_calls_called 3\n") != std::string::npos);
  CHECK(text.find("dialerd_campaigns{status=\"completed\"} 1\n") != std::string::npos);
  CHECK(text.find("dialerd_calls_submitted_total{provider=\"acme\",result=\"accepted\"} 3\n") != std::string::npos);
  CHECK(text.find("dialerd_outcomes_total{provider=\"acme\",outcome=\"completed\",effect=\"applied\"} 3\n") !=
        std::string::npos);
  CHECK(text.find("dialerd_provider_request_seconds_count{provider=\"acme\"} 1\n") != std::string::npos);
  CHECK(text.find("dialerd_db_commit_seconds_bucket{le=\"+Inf\"}") != std::string::npos);
  CHECK(text.find("dialerd_webhook_outbox_pending 0\n") != std::string::npos);
  CHECK(text.find("dialerd_ready 1\n") != std::string::npos);
  std::string out;
  if (run_command("command -v promtool", out) == 0) {
    write_file(dir.file("metrics.txt"), text);
    CHECK(run_command("promtool check metrics < " + dir.file("metrics.txt"), out) == 0);
    INFO(out);
  } else {
    WARN("promtool not installed: the text format is checked by the unit test only");
  }
}
