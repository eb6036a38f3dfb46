#include "providers/veritus/veritus.hpp"

#include <catch2/catch.hpp>

#include "dialerd/app/config.hpp"

using namespace dialerd;
using namespace dialerd::providers;
using veritus::Settings;
using veritus::VeritusAdapter;
using Result = domain::SubmitResult::Kind;
using json = nlohmann::json;

namespace {
// Calls 100, 101, ... with customer ids given per call (json null = no customer_id variable).
domain::DispatchChunk chunk_with(const std::vector<json>& customer_ids) {
  domain::DispatchChunk chunk;
  chunk.campaign_id = 7;
  chunk.idempotency_key = "dk-7";
  chunk.campaign.spec.name = "Collections";
  chunk.campaign.spec.agent_id = "3c90c3cc-0d44-4b50-8888-8dd25736052a";
  for (std::size_t i = 0; i < customer_ids.size(); ++i) {
    domain::DispatchCall call;
    call.id = 100 + static_cast<int>(i);
    call.phone = "+1415555123" + std::to_string(i);
    json vars = {{"first_name", "John"}};
    if (!customer_ids[i].is_null()) vars["customer_id"] = customer_ids[i];
    call.variables = vars.dump();
    call.attempt = 1;
    chunk.calls.push_back(call);
  }
  return chunk;
}
config::ProviderConfig provider_config(std::string callback_url = "", std::string secret_id = "") {
  config::ProviderConfig c;
  c.name = "veritus";
  c.kind = "veritus";
  c.api_key = "TOKEN";
  c.settings = config::KindSettings::of(Settings{std::move(callback_url), std::move(secret_id)});
  return c;
}
// The default waits of veritus.respectful_hours_wait_seconds and veritus.daily_limit_wait_seconds.
constexpr domain::UnixMs kHourMs = 3600LL * 1000;
constexpr domain::UnixMs kSixHoursMs = 6 * 3600LL * 1000;
const domain::SubmitResult& result_for(const std::vector<domain::SubmitResult>& results, domain::CallId id) {
  for (const auto& r : results)
    if (r.call_id == id) return r;
  FAIL("no result for call " << id);
  throw std::logic_error("unreachable");
}
const char* kRespectful =
    "Customer not eligible for call. 1 failed rule(s): 1. Respectful Hours Check [Customer local time is 03:00 "
    "(outside respectful hours 8am-8:50pm)]";
const char* kBoth =
    "Customer not eligible for call. 2 failed rule(s): 1. Respectful Hours Check [Customer local time is 03:00 "
    "(outside respectful hours 8am-8:50pm)], 2. Four Voice Call Per Day [Customer has had 4 voice calls today "
    "within respectful hours window (America/Los_Angeles), exceeding the limit of 4]";
const char* kCease =
    "Customer not eligible for call. 2 failed rule(s): 1. Respectful Hours Check [Customer local time is 03:00 "
    "(outside respectful hours 8am-8:50pm)], 2. Cease and Desist Exclusion [Customer has requested cease and desist]";
}  // namespace

TEST_CASE("veritus: several calls go to POST /calls/bulk as Veritus documents it") {
  VeritusAdapter adapter(provider_config());
  auto req = adapter.build_request(chunk_with({"550e8400-e29b-41d4-a716-446655440000", "c-2", "c-3"}));
  CHECK(req.method == "POST");
  CHECK(req.path == "/calls/bulk");
  CHECK(req.headers == std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer TOKEN"}});
  auto body = json::parse(req.body);
  CHECK(body == json{{"agentId", "3c90c3cc-0d44-4b50-8888-8dd25736052a"},
                     {"customerIds", {"550e8400-e29b-41d4-a716-446655440000", "c-2", "c-3"}}});
}

TEST_CASE("veritus: one call goes to POST /customers/{customerId}/calls - the id is URL-encoded") {
  VeritusAdapter adapter(provider_config());
  auto req = adapter.build_request(chunk_with({"acme/42 ü"}));
  CHECK(req.path == "/customers/acme%2F42%20%C3%BC/calls");
  CHECK(json::parse(req.body) == json{{"agentId", "3c90c3cc-0d44-4b50-8888-8dd25736052a"}});
  CHECK(veritus::encode_path_segment("AZaz09-._~") == "AZaz09-._~");
}

TEST_CASE("veritus: the webhook is sent when callback_url is configured - secretId when given") {
  auto with_secret = VeritusAdapter(provider_config("https://dialerd.example/v1/providers/veritus/events", "sec-1"))
                         .build_request(chunk_with({"c-1", "c-2"}));
  CHECK(json::parse(with_secret.body)["webhook"] ==
        json{{"url", "https://dialerd.example/v1/providers/veritus/events"}, {"secretId", "sec-1"}});
  auto single = VeritusAdapter(provider_config("http://127.0.0.1:8780/v1/providers/veritus/events"))
                    .build_request(chunk_with({"c-1"}));
  CHECK(json::parse(single.body)["webhook"] == json{{"url", "http://127.0.0.1:8780/v1/providers/veritus/events"}});
}

TEST_CASE("veritus: numeric customer ids are sent as strings") {
  auto req = VeritusAdapter(provider_config()).build_request(chunk_with({42, "c-2"}));
  CHECK(json::parse(req.body)["customerIds"] == json{"42", "c-2"});
}

TEST_CASE("veritus: a call without a usable customer_id is rejected and left out of the request") {
  auto chunk = chunk_with({"c-1", nullptr, "", 4.5, "c-5"});
  auto screened = VeritusAdapter::screen(chunk);
  REQUIRE(screened.sendable.calls.size() == 2);
  CHECK(screened.sendable.calls[0].id == 100);
  CHECK(screened.sendable.calls[1].id == 104);
  CHECK(screened.sendable.idempotency_key == "dk-7");
  REQUIRE(screened.answered.size() == 3);
  for (const auto& r : screened.answered) {
    CHECK(r.kind == Result::rejected);
    CHECK_THAT(r.reason, Catch::Contains("customer_id"));
  }
  CHECK(screened.answered[0].reason == "variable customer_id is missing: Veritus calls a customer by its id");
  CHECK(screened.answered[2].reason == "variable customer_id must be a string or an integer, got number");
  CHECK(json::parse(VeritusAdapter(provider_config()).build_request(chunk).body)["customerIds"] == json{"c-1", "c-5"});
}

TEST_CASE("veritus: a repeated customer id waits for a later request - ids are unique per request") {
  auto chunk = chunk_with({"c-1", "c-2", "c-1", "c-1", "c-3"});
  auto screened = VeritusAdapter::screen(chunk);
  REQUIRE(screened.sendable.calls.size() == 3);
  REQUIRE(screened.answered.size() == 2);
  for (const auto& r : screened.answered) {
    CHECK(r.kind == Result::not_submitted);
    CHECK(r.retry_after_ms == veritus::kRepeatRetryMs);
    CHECK_THAT(r.reason, Catch::Contains("customer_id c-1 is already in this request (call 100)"));
  }
  CHECK(screened.answered[0].call_id == 102);
  CHECK(screened.answered[1].call_id == 103);
  CHECK(json::parse(VeritusAdapter(provider_config()).build_request(chunk).body)["customerIds"] ==
        json{"c-1", "c-2", "c-3"});
}

TEST_CASE("veritus: two calls of one customer leave a single-call request") {
  auto req = VeritusAdapter(provider_config()).build_request(chunk_with({"c-1", "c-1"}));
  CHECK(req.path == "/customers/c-1/calls");
}

TEST_CASE("veritus: a bulk answer maps each customer's result - time-blocked ones wait and others are rejected") {
  VeritusAdapter adapter(provider_config());
  auto chunk = chunk_with({"c-1", "c-2", "c-3", "c-4", "c-5", nullptr, "c-1"});
  json answer = {{"requestId", "838be160-334c-47aa-a559-d92d5cdc2ef4"},
                 {"success", true},
                 {"data",
                  {{"summary", {{"total", 5}, {"successful", 1}, {"failed", 3}}},
                   {"results",
                    {{{"customerId", "c-3"}, {"success", false}, {"error", kBoth}},
                     {{"customerId", "c-1"},
                      {"success", true},
                      {"data", {{"id", "f47ac10b"}, {"threadId", "3fa85f64"}, {"compliance", {{"passed", true}}}}}},
                     {{"customerId", "c-2"}, {"success", false}, {"error", kRespectful}},
                     {{"customerId", "c-4"}, {"success", false}, {"error", kCease}},
                     {{"customerId", "zzz"}, {"success", true}, {"data", {{"id", "stray"}}}}}}}}};
  auto results = adapter.parse_answer(chunk, WireAnswer{200, {}, answer.dump()});
  REQUIRE(results.size() == 7);
  CHECK(result_for(results, 100).kind == Result::accepted);
  CHECK(result_for(results, 100).provider_call_id == "f47ac10b");
  CHECK(result_for(results, 101).kind == Result::not_submitted);
  CHECK(result_for(results, 101).retry_after_ms == kHourMs);
  CHECK(result_for(results, 101).reason == kRespectful);
  CHECK(result_for(results, 102).kind == Result::not_submitted);
  CHECK(result_for(results, 102).retry_after_ms == kSixHoursMs);
  CHECK(result_for(results, 103).kind == Result::rejected);
  CHECK(result_for(results, 103).reason == kCease);
  // No result for c-5: it may have been called, so it is held.
  CHECK(result_for(results, 104).kind == Result::uncertain);
  CHECK_THAT(result_for(results, 104).reason, Catch::Contains("no result for customer c-5"));
  CHECK(result_for(results, 105).kind == Result::rejected);
  CHECK(result_for(results, 106).kind == Result::not_submitted);
  CHECK(result_for(results, 106).retry_after_ms == veritus::kRepeatRetryMs);
}

TEST_CASE("veritus: refusal texts - time rules wait and any other rule rejects") {
  const veritus::TimeWaits waits{5000, 7000};
  auto r = VeritusAdapter::from_error(1, "Daily call limit exceeded", waits);
  CHECK(r.kind == Result::not_submitted);
  CHECK(r.retry_after_ms == 7000);
  r = VeritusAdapter::from_error(1, "Customer outside respectful hours", waits);
  CHECK(r.kind == Result::not_submitted);
  CHECK(r.retry_after_ms == 5000);
  CHECK(VeritusAdapter::from_error(1, kBoth, waits).retry_after_ms == 7000);  // the longer wait
  for (const char* permanent : {"Customer has requested cease and desist", "Customer is not active",
                                "Missing required customer information", "Customer not found", kCease})
    CHECK(VeritusAdapter::from_error(1, permanent, waits).kind == Result::rejected);
  CHECK(VeritusAdapter::from_error(1,
                                   "Customer not eligible for call. 1 failed rule(s): 1. Is Active [Customer is "
                                   "inactive, since 2024-01-02]",
                                   waits)
            .kind == Result::rejected);
}

TEST_CASE("veritus: the single-call answer Veritus documents - accepted by data.id or refused by error") {
  VeritusAdapter adapter(provider_config());
  auto chunk = chunk_with({"c-1"});
  json ok = {
      {"requestId", "25deb7a2"}, {"success", true}, {"data", {{"id", "f47ac10b"}, {"compliance", {{"passed", true}}}}}};
  auto results = adapter.parse_answer(chunk, WireAnswer{200, {}, ok.dump()});
  REQUIRE(results.size() == 1);
  CHECK(results[0].kind == Result::accepted);
  CHECK(results[0].provider_call_id == "f47ac10b");
  CHECK(results[0].call_id == 100);

  json refused = {{"requestId", "25deb7a2"}, {"success", false}, {"error", kRespectful}};
  results = adapter.parse_answer(chunk, WireAnswer{200, {}, refused.dump()});
  CHECK(results.at(0).kind == Result::not_submitted);
  CHECK(results.at(0).retry_after_ms == kHourMs);
  refused["error"] = "Customer has requested cease and desist";
  CHECK(adapter.parse_answer(chunk, WireAnswer{200, {}, refused.dump()}).at(0).kind == Result::rejected);
}

TEST_CASE("veritus: a 2xx that is not the documented shape leaves every call sent uncertain") {
  VeritusAdapter adapter(provider_config());
  auto bulk = chunk_with({"c-1", "c-2", nullptr});
  for (const char* body : {"", "not json", "[]", "{}", R"({"success":true})", R"({"success":true,"data":{}})",
                           R"({"success":true,"data":{"results":{}}})"}) {
    INFO(body);
    auto results = adapter.parse_answer(bulk, WireAnswer{200, {}, body});
    REQUIRE(results.size() == 3);
    CHECK(result_for(results, 100).kind == Result::uncertain);
    CHECK(result_for(results, 101).kind == Result::uncertain);
    CHECK(result_for(results, 102).kind == Result::rejected);  // never sent
  }
  auto one = chunk_with({"c-1"});
  for (const char* body : {"", "{}", R"({"success":true,"data":{}})", R"({"success":true,"data":{"id":7}})",
                           R"({"success":false})", R"({"success":"yes","data":{"id":"x"}})"}) {
    INFO(body);
    CHECK(adapter.parse_answer(one, WireAnswer{201, {}, body}).at(0).kind == Result::uncertain);
  }
  // A result entry of the wrong shape is uncertain too.
  json odd = {{"success", true},
              {"data", {{"results", {{{"customerId", "c-1"}, {"success", true}}, {{"customerId", "c-2"}}}}}}};
  auto results = adapter.parse_answer(bulk, WireAnswer{200, {}, odd.dump()});
  CHECK(result_for(results, 100).kind == Result::uncertain);
  CHECK(result_for(results, 101).kind == Result::uncertain);
}

TEST_CASE("veritus: callbacks map to outcomes - in-between statuses are ignored") {
  VeritusAdapter adapter(provider_config());
  auto parsed = adapter.parse_events(R"([
    {"id":"call-1","status":"completed"},
    {"id":"call-2","status":"no-answer","detail":"rang out"},
    {"id":"call-3","status":"in_progress"},
    {"id":"call-4","status":"Voicemail"}])");
  auto& reports = parsed.value();
  REQUIRE(reports.size() == 3);
  CHECK(reports[0].provider_call_id == "call-1");
  CHECK(reports[0].outcome == domain::Outcome::completed);
  CHECK(reports[1].outcome == domain::Outcome::no_answer);
  CHECK(reports[1].detail == "rang out");
  CHECK(reports[2].outcome == domain::Outcome::voicemail);

  auto wrapped = adapter.parse_events(R"({"requestId":"r","data":{"id":"call-9","status":"busy"}})");
  auto& one = wrapped.value();
  REQUIRE(one.size() == 1);
  CHECK(one[0].provider_call_id == "call-9");
  CHECK(one[0].outcome == domain::Outcome::busy);
  auto single = adapter.parse_events(R"({"id":"call-8","status":"failed"})");
  CHECK(single.value().at(0).outcome == domain::Outcome::failed);
}

TEST_CASE("veritus: malformed callbacks name the field") {
  VeritusAdapter adapter(provider_config());
  CHECK(adapter.parse_events("nope").error() == "body is not valid JSON");
  CHECK(adapter.parse_events(R"({"status":"completed"})").error() == "id is required and must be a string");
  CHECK(adapter.parse_events(R"({"id":"","status":"completed"})").error() == "id must not be empty");
  CHECK(adapter.parse_events(R"([{"id":"a","status":"completed"},{"id":"b"}])").error() ==
        "[1].status is required and must be a string");
  CHECK(adapter.parse_events(R"({"data":[{"id":"a","status":1}]})").error() ==
        "data[0].status is required and must be a string");
  CHECK(adapter.parse_events(R"([1])").error() == "[0] must be an object");
  CHECK(adapter.parse_events(R"("x")").error() == "event must be a JSON object");
}

TEST_CASE("veritus: config keys - callback_url must be http(s) and the keys belong to kind veritus") {
  auto errors = [](const std::string& provider) -> std::string {
    try {
      app::parse_config(R"({"providers": {"v": )" + provider + "}}");
    } catch (const app::InvalidConfig& e) {
      return e.what();
    }
    return "";
  };
  const std::string base = R"("kind": "veritus", "base_url": "https://sandbox.veritusagent.ai/api/v1", "api_key": "k")";
  auto ok =
      app::parse_config(R"({"providers": {"v": {)" + base +
                        R"(, "callback_url": "https://d.example/v1/providers/v/events", "callback_secret_id": "s"}}})");
  CHECK(ok.providers.at("v").settings.get<Settings>().callback_url == "https://d.example/v1/providers/v/events");
  CHECK(ok.providers.at("v").settings.get<Settings>().callback_secret_id == "s");
  CHECK(ok.providers.at("v").chunk_size == 100);
  auto waits =
      app::parse_config(R"({"providers": {"v": {)" + base +
                        R"(, "veritus": {"respectful_hours_wait_seconds": 2, "daily_limit_wait_seconds": 3}}}})");
  auto chunk = chunk_with({"c-1"});
  json refused = {{"success", false}, {"error", "Customer outside respectful hours"}};
  CHECK(VeritusAdapter(waits.providers.at("v"))
            .parse_answer(chunk, WireAnswer{200, {}, refused.dump()})
            .at(0)
            .retry_after_ms == 2000);
  CHECK_THAT(errors(R"({"kind": "truedy", "base_url": "https://x", "api_key": "k", "veritus": {}})"),
             Catch::Contains("providers.v.veritus: is only used by kind veritus, not truedy"));
  CHECK_THAT(errors("{" + base + R"(, "callback_url": "ftp://x"})"),
             Catch::Contains("providers.v.callback_url: must be an https:// or http:// URL with a host"));
  CHECK_THAT(errors("{" + base + R"(, "callback_secret_id": "s"})"),
             Catch::Contains("providers.v.callback_secret_id: needs callback_url"));
  CHECK_THAT(errors("{" + base + R"(, "chunk_size": 101})"),
             Catch::Contains("providers.v.chunk_size: must be at most 100 for kind veritus"));
  CHECK_THAT(errors(R"({"kind": "veritus", "base_url": "https://x"})"),
             Catch::Contains("providers.v.api_key: is required"));
  CHECK_THAT(errors(R"({"kind": "batchcall", "base_url": "https://x", "api_key": "k", "api_secret": "s",
                        "callback_url": "https://x"})"),
             Catch::Contains("providers.v.callback_url: is only used by kind veritus, not batchcall"));
}
