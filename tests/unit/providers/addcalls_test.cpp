#include "providers/addcalls/addcalls.hpp"

#include <catch2/catch.hpp>

#include "dialerd/app/config.hpp"

using namespace dialerd;
using namespace dialerd::providers;
using addcalls::AddCallsAdapter;
using addcalls::Settings;
using Result = domain::SubmitResult::Kind;
using json = nlohmann::json;

namespace {
domain::DispatchChunk chunk_of(int n, json campaign_options = json::object()) {
  domain::DispatchChunk chunk;
  chunk.campaign_id = 7;
  chunk.idempotency_key = "dk-7";
  chunk.campaign.spec.name = "Support follow-up";
  chunk.campaign.spec.options = std::move(campaign_options);
  for (int i = 0; i < n; ++i)
    chunk.calls.push_back(
        {.id = 100 + i,
         .phone = "+1212555" + std::to_string(1000 + i),
         .first_name = "Sarah",
         .last_name = "",
         .variables = json{{"name", "Sarah Johnson"}, {"account_id", "ACC-" + std::to_string(1000 + i)}}.dump(),
         .attempt = 1,
         .max_retries = 0,
         .from_number = ""});
  return chunk;
}
config::ProviderConfig provider_config(std::string batch_id = "64e5f12345abcdef98765432") {
  config::ProviderConfig c;
  c.name = "addcalls";
  c.kind = "addcalls";
  c.api_key = "KEY";
  c.settings = config::KindSettings::of(Settings{std::move(batch_id)});
  return c;
}
std::string ids_json(int n, int from = 0) {
  json ids = json::array();
  for (int i = 0; i < n; ++i) ids.push_back("call_" + std::to_string(from + i));
  return ids.dump();
}
}  // namespace

TEST_CASE("addcalls: the request follows the addCallsToBatch page - digits without '+' and variables as fields") {
  AddCallsAdapter adapter(provider_config());
  auto req = adapter.build_request(chunk_of(2));
  CHECK(req.method == "POST");
  CHECK(req.path == "/api/call/addCallsToBatch");
  CHECK(req.headers == std::vector<std::pair<std::string, std::string>>{{"x-api-key", "KEY"}});
  CHECK(json::parse(req.body) ==
        json{{"batchId", "64e5f12345abcdef98765432"},
             {"call_data",
              {{{"phoneNumber", "12125551000"}, {"name", "Sarah Johnson"}, {"account_id", "ACC-1000"}},
               {{"phoneNumber", "12125551001"}, {"name", "Sarah Johnson"}, {"account_id", "ACC-1001"}}}}});
  CHECK(addcalls::digits_of("+442071838750") == "442071838750");
}

TEST_CASE("addcalls: the campaign's batch_id wins over the provider's") {
  AddCallsAdapter adapter(provider_config());
  CHECK(json::parse(adapter.build_request(chunk_of(1, {{"batch_id", "campaign-batch"}})).body)["batchId"] ==
        "campaign-batch");
  CHECK(json::parse(adapter.build_request(chunk_of(1, {{"batchId", "camel-batch"}})).body)["batchId"] == "camel-batch");
  CHECK(json::parse(
            AddCallsAdapter(provider_config("")).build_request(chunk_of(1, {{"batch_id", "b"}})).body)["batchId"] ==
        "b");
}

TEST_CASE("addcalls: without any batch id nothing is sent - every call waits") {
  AddCallsAdapter adapter(provider_config(""));
  auto screened = adapter.screen(chunk_of(3));
  CHECK(screened.sendable.calls.empty());
  REQUIRE(screened.answered.size() == 3);
  CHECK(screened.answered[0].kind == Result::not_submitted);
  CHECK(screened.answered[0].retry_after_ms == addcalls::kNoBatchRetryMs);
  CHECK_THAT(screened.config_problem, Catch::Contains("no batch id for campaign 7"));
  auto fine = AddCallsAdapter(provider_config()).screen(chunk_of(3));
  CHECK(fine.sendable.calls.size() == 3);
  CHECK(fine.answered.empty());
}

TEST_CASE("addcalls: a 200 maps callIds to records in order") {
  AddCallsAdapter adapter(provider_config());
  std::string body = R"({"message":"Calls enqueued successfully","status":true,"code":200,"errorMessage":"",
                         "data":{"added":3,"callIds":)" +
                     ids_json(3) + "}}";
  auto results = adapter.parse_answer(chunk_of(3), WireAnswer{200, {}, body});
  REQUIRE(results.size() == 3);
  for (int i = 0; i < 3; ++i) {
    CHECK(results[i].kind == Result::accepted);
    CHECK(results[i].call_id == 100 + i);
    CHECK(results[i].provider_call_id == "call_" + std::to_string(i));
  }
}

TEST_CASE("addcalls: a 200 whose callIds do not match the records leaves every call uncertain") {
  AddCallsAdapter adapter(provider_config());
  std::string body = R"({"status":true,"code":200,"data":{"added":2,"callIds":)" + ids_json(2) + "}}";
  auto results = adapter.parse_answer(chunk_of(3), WireAnswer{200, {}, body});
  for (const auto& r : results) {
    CHECK(r.kind == Result::uncertain);
    CHECK(r.reason == "addCallsToBatch answered 2 callIds for 3 records");
  }
}

TEST_CASE("addcalls: a 207 retries the records of failed chunks and accepts the others in order") {
  AddCallsAdapter adapter(provider_config());
  auto chunk = chunk_of(2500);  // provider chunks: 1 = records 0..999, 2 = 1000..1999, 3 = 2000..2499
  std::string body = R"({"message":"Some calls failed to enqueue","status":false,"code":207,
                         "errorMessage":"Partial content, check failedChunks for details",
                         "data":{"added":1500,"callIds":)" +
                     ids_json(1500) + R"(,"failedChunks":[{"chunkNum":2,"error":"Database connection error"}]}})";
  for (int http_status : {207, 200}) {
    INFO(http_status);
    auto results = adapter.parse_answer(chunk, WireAnswer{http_status, {}, body});
    REQUIRE(results.size() == 2500);
    CHECK(results[0].kind == Result::accepted);
    CHECK(results[0].provider_call_id == "call_0");
    CHECK(results[999].provider_call_id == "call_999");
    CHECK(results[1000].kind == Result::not_submitted);
    CHECK(results[1000].retry_after_ms == 30000);
    CHECK(results[1000].reason == "addCallsToBatch chunk 2 failed: Database connection error");
    CHECK(results[1999].kind == Result::not_submitted);
    CHECK(results[2000].kind == Result::accepted);
    CHECK(results[2000].provider_call_id == "call_1000");
    CHECK(results[2499].provider_call_id == "call_1499");
  }
}

TEST_CASE("addcalls: a 207 whose only chunk failed retries every record") {
  AddCallsAdapter adapter(provider_config());
  std::string body = R"({"status":false,"code":207,"data":{"added":0,"callIds":[],
                         "failedChunks":[{"chunkNum":1,"error":"Database connection error"}]}})";
  auto results = adapter.parse_answer(chunk_of(5), WireAnswer{207, {}, body});
  REQUIRE(results.size() == 5);
  for (const auto& r : results) CHECK(r.kind == Result::not_submitted);
}

TEST_CASE("addcalls: a 207 with callIds that do not match holds the records of chunks that did not fail") {
  AddCallsAdapter adapter(provider_config());
  std::string body = R"({"status":false,"code":207,"data":{"added":1,"callIds":["x"],
                         "failedChunks":[{"chunkNum":1,"error":"boom"}]}})";
  auto chunk = chunk_of(1200);
  auto results = adapter.parse_answer(chunk, WireAnswer{207, {}, body});
  CHECK(results[0].kind == Result::not_submitted);
  CHECK(results[1000].kind == Result::uncertain);
  CHECK(results[1199].kind == Result::uncertain);
  CHECK_THAT(results[1000].reason, Catch::Contains("1 callIds for 200 records"));
}

TEST_CASE("addcalls: answers that are not the documented shape leave every call uncertain") {
  AddCallsAdapter adapter(provider_config());
  for (const std::string& body :
       {std::string(""), std::string("<html>"), std::string("{}"), std::string(R"({"status":true,"data":{}})"),
        std::string(R"({"status":true,"data":{"callIds":"x"}})"),
        std::string(R"({"status":true,"data":{"callIds":[1,2]}})"),
        std::string(R"({"status":false,"code":400,"data":{"callIds":[]}})"),
        std::string(R"({"status":false,"code":207,"data":{"callIds":[],"failedChunks":[{"chunkNum":3}]}})"),
        std::string(R"({"status":false,"code":207,"data":{"callIds":[],"failedChunks":[{"chunk":1}]}})"),
        std::string(R"({"status":false,"code":207,"data":{"callIds":[],"failedChunks":{}}})")}) {
    INFO(body);
    auto results = adapter.parse_answer(chunk_of(2), WireAnswer{200, {}, body});
    REQUIRE(results.size() == 2);
    CHECK(results[0].kind == Result::uncertain);
    CHECK(results[1].kind == Result::uncertain);
  }
}

TEST_CASE("addcalls: callbacks map to outcomes and malformed ones name the field") {
  AddCallsAdapter adapter(provider_config());
  auto parsed = adapter.parse_events(R"([{"callId":"64e5f12345abcdef11111111","status":"completed"},
                                         {"callId":"64e5f12345abcdef22222222","status":"queued"},
                                         {"callId":"64e5f12345abcdef33333333","status":"busy","detail":"x"}])");
  auto& reports = parsed.value();
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].provider_call_id == "64e5f12345abcdef11111111");
  CHECK(reports[0].outcome == domain::Outcome::completed);
  CHECK(reports[1].outcome == domain::Outcome::busy);
  CHECK(adapter.parse_events(R"({"status":"completed"})").error() == "callId is required and must be a string");
  CHECK(adapter.parse_events(R"([{"callId":"a","status":null}])").error() ==
        "[0].status is required and must be a string");
  CHECK(adapter.parse_events(R"({"callId":"","status":"busy"})").error() == "callId must not be empty");
}

TEST_CASE("addcalls: config key batch_id belongs to kind addcalls") {
  auto ok = app::parse_config(R"({"providers": {"a": {"kind": "addcalls", "base_url": "https://x", "api_key": "k",
                                                       "batch_id": "64e5f12345abcdef98765432"}}})");
  CHECK(ok.providers.at("a").settings.get<Settings>().batch_id == "64e5f12345abcdef98765432");
  CHECK(ok.providers.at("a").chunk_size == 1000);
  CHECK(ok.providers.at("a").settings.get<Settings>().failed_chunk_wait_s == 30);
  auto quick = app::parse_config(R"({"providers": {"a": {"kind": "addcalls", "base_url": "https://x", "api_key": "k",
                                                          "addcalls": {"failed_chunk_wait_seconds": 1}}}})");
  std::string body = R"({"status":false,"code":207,"data":{"added":0,"callIds":[],"failedChunks":[{"chunkNum":1}]}})";
  CHECK(AddCallsAdapter(quick.providers.at("a"))
            .parse_answer(chunk_of(1, {{"batch_id", "b"}}), WireAnswer{207, {}, body})
            .at(0)
            .retry_after_ms == 1000);
  CHECK_THROWS_WITH(app::parse_config(R"({"providers": {"a": {"kind": "truedy", "base_url": "https://x",
                                                               "api_key": "k", "batch_id": "b"}}})"),
                    Catch::Contains("providers.a.batch_id: is only used by kind addcalls, not truedy"));
  CHECK_THROWS_WITH(app::parse_config(R"({"providers": {"a": {"kind": "addcalls", "base_url": "https://x",
                                                               "api_key": "k", "batch_id": 5}}})"),
                    Catch::Contains("providers.a.batch_id: must be a string, got integer"));
}
