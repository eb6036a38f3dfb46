// The real dialerd against a strict fake of Veritus on loopback.
#include <catch2/catch.hpp>
#include <set>

#include "fakes/fake_batchcall.hpp"
#include "fakes/fake_veritus.hpp"
#include "support/api.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::testing;

namespace {

const char* kAgent = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
const char* kCallbackUrl = "https://dialerd.example/v1/providers/veritus/events";
const char* kSecretId = "9b2d3f00-0d44-4b50-8888-8dd25736052a";

json config_for(const FakeVeritus& fake) {
  json provider = fake.provider_config();
  provider.update({{"timeout_ms", 5000},
                   {"callback_url", kCallbackUrl},
                   {"callback_secret_id", kSecretId},
                   // Time-blocked customers come back after a second, so the test need not wait an hour.
                   {"veritus", {{"respectful_hours_wait_seconds", 1}, {"daily_limit_wait_seconds", 1}}}});
  return {{"providers", {{"veritus", provider}}}};
}

std::string phone(int i) {
  return nanp_phone(i, "415", 3000000);
}

std::string customer(int i) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "550e8400-e29b-41d4-a716-%012d", i);
  return buf;
}

json campaign(json contacts, int concurrency) {
  return {{"name", "Collections"},         {"agent_id", kAgent},         {"provider", "veritus"},
          {"from_number", "+14157774444"}, {"concurrency", concurrency}, {"contacts", std::move(contacts)}};
}

json call_of(const DaemonProcess& d, const std::string& campaign_id, const std::string& number) {
  auto r = http_get(d.url("/v1/campaigns/" + campaign_id + "/calls?limit=1000"));
  REQUIRE(r.status == 200);
  for (const auto& c : r.body["data"]["items"])
    if (c["phone_number"] == number) return c;
  FAIL("no call for " << number);
  return nullptr;
}

}  // namespace

TEST_CASE(
    "veritus: every customer is called exactly once in requests of at most 100 despite 429 and time-blocked refusals") {
  TempDir dir;
  FakeVeritus fake;
  DaemonProcess daemon(dir, config_for(fake));
  fake.report_to(daemon.url("/v1/providers/veritus/events"), [](const std::string&, int) { return "completed"; });
  // The first request is turned away whole; some customers are refused for time reasons once, one for good.
  fake.inject(429, 1, "1");
  fake.refuse([](const std::string& id, int times_asked) -> std::optional<std::string> {
    if (id == customer(13)) return FakeVeritus::kCeaseAndDesist;
    if (times_asked > 1) return std::nullopt;
    if (id == customer(3) || id == customer(103)) return FakeVeritus::kRespectfulHours;
    if (id == customer(7) || id == customer(207)) return FakeVeritus::kDailyLimit;
    return std::nullopt;
  });

  const int n = 250;
  // First (so in the first chunk with the others of their customers): two more numbers of customers listed
  // below, and two contacts Veritus cannot be asked for.
  json contacts = json::array();
  contacts.push_back({{"phone_number", phone(n)}, {"customer_id", customer(5)}});
  contacts.push_back({{"phone_number", phone(n + 1)}, {"customer_id", customer(6)}});
  contacts.push_back({{"phone_number", phone(n + 2)}});
  contacts.push_back({{"phone_number", phone(n + 3)}, {"variables", {{"customer_id", true}}}});
  for (int i = 0; i < n; ++i)
    contacts.push_back(
        {{"phone_number", phone(i)}, {"first_name", "F" + std::to_string(i)}, {"customer_id", customer(i)}});
  auto id = create_campaign(daemon, campaign(contacts, 1000));
  bool done = wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; });
  INFO(daemon.log());
  REQUIRE(done);

  CHECK(fake.violations().empty());
  auto requests = fake.requests();
  REQUIRE(!requests.empty());
  for (const auto& r : requests) {
    CHECK(r.customer_ids.size() <= 100);
    CHECK(std::set<std::string>(r.customer_ids.begin(), r.customer_ids.end()).size() == r.customer_ids.size());
    CHECK(r.body["agentId"] == kAgent);
    CHECK(r.body["webhook"] == json{{"url", kCallbackUrl}, {"secretId", kSecretId}});
  }
  auto placed = fake.placed();
  for (int i = 0; i < n; ++i) {
    INFO(customer(i));
    int expected = i == 13 ? 0 : (i == 5 || i == 6) ? 2 : 1;
    CHECK(placed[customer(i)] == expected);
  }
  CHECK(fake.asked()[customer(3)] == 2);
  CHECK(fake.asked()[customer(207)] == 2);
  CHECK(fake.asked()[customer(13)] == 1);

  auto c = campaign_of(daemon, id)["counts"];
  CHECK(c["total"] == n + 4);
  CHECK(c["completed"] == n - 1 + 2);
  CHECK(c["failed"] == 3);  // cease and desist, no customer_id, a customer_id that is not an id
  CHECK(c["held"] == 0);
  CHECK(c["pending"] == 0);
  auto refused = call_of(daemon, id, phone(13));
  CHECK(refused["state"] == "failed");
  CHECK_THAT(refused["last_error"].get<std::string>(), Catch::Contains("Cease and Desist"));
  auto missing = call_of(daemon, id, phone(n + 2));
  CHECK(missing["state"] == "failed");
  CHECK_THAT(missing["last_error"].get<std::string>(), Catch::Contains("customer_id is missing"));
  CHECK(wait_until([&] { return fake.reported() == fake.calls_placed(); }));
}

TEST_CASE("veritus: a lone call goes to POST /customers/{id}/calls and its callback completes it") {
  TempDir dir;
  FakeVeritus fake;
  DaemonProcess daemon(dir, config_for(fake));
  fake.report_to(daemon.url("/v1/providers/veritus/events"), [](const std::string&, int) { return "voicemail"; });
  auto id =
      create_campaign(daemon, campaign(json::array({{{"phone_number", phone(1)}, {"customer_id", "acme/42"}}}), 1));
  bool done = wait_until([&] { return campaign_of(daemon, id)["status"] == "completed"; });
  INFO(daemon.log());
  for (const auto& v : fake.violations()) INFO(v);
  REQUIRE(done);
  CHECK(fake.violations().empty());
  auto requests = fake.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].path == "/customers/acme%2F42/calls");
  CHECK(requests[0].customer_ids == std::vector<std::string>{"acme/42"});
  CHECK(requests[0].body == json{{"agentId", kAgent}, {"webhook", {{"url", kCallbackUrl}, {"secretId", kSecretId}}}});
  CHECK(campaign_of(daemon, id)["counts"]["completed"] == 1);
  CHECK(call_of(daemon, id, phone(1))["last_outcome"] == "voicemail");
}

TEST_CASE("veritus: a 500 or a dropped connection after sending holds the calls and never redials them") {
  TempDir dir;
  FakeVeritus fake;
  DaemonProcess daemon(dir, config_for(fake));
  json contacts = json::array();
  for (int i = 0; i < 5; ++i) contacts.push_back({{"phone_number", phone(i)}, {"customer_id", customer(i)}});

  SECTION("500") {
    fake.inject(500, 1);
  }
  SECTION("the connection is closed without an answer") {
    fake.inject_drop(1);
  }

  auto id = create_campaign(daemon, campaign(contacts, 10));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["held"] == 5; }));
  // Another campaign runs to its end afterwards: the scheduler has passed over the held calls many times.
  fake.report_to(daemon.url("/v1/providers/veritus/events"), [](const std::string&, int) { return "completed"; });
  auto later =
      create_campaign(daemon, campaign(json::array({{{"phone_number", phone(9)}, {"customer_id", customer(9)}}}), 1));
  REQUIRE(wait_until([&] { return campaign_of(daemon, later)["status"] == "completed"; }));
  CHECK(fake.violations().empty());
  auto asked = fake.asked();
  for (int i = 0; i < 5; ++i) CHECK(asked[customer(i)] == 0);
  auto data = campaign_of(daemon, id);
  CHECK(data["status"] == "running");
  CHECK(data["counts"]["held"] == 5);
  CHECK(data["counts"]["pending"] == 0);
}

TEST_CASE("veritus: a slow answer past timeout_ms holds the calls it may have placed") {
  TempDir dir;
  FakeVeritus fake;
  auto config = config_for(fake);
  config["providers"]["veritus"]["timeout_ms"] = 300;
  DaemonProcess daemon(dir, config);
  fake.set_delay(std::chrono::milliseconds(1500));
  json contacts = json::array();
  for (int i = 0; i < 3; ++i) contacts.push_back({{"phone_number", phone(i)}, {"customer_id", customer(i)}});
  auto id = create_campaign(daemon, campaign(contacts, 10));
  REQUIRE(wait_until([&] { return campaign_of(daemon, id)["counts"]["held"] == 3; }));
  // Veritus did take the request once the delay was over: the calls went out, once, and dialerd holds them.
  REQUIRE(wait_until([&] { return fake.calls_placed() == 3; }));
  CHECK(fake.violations().empty());
  CHECK(fake.requests().size() == 1);
}
