#include "providers/truedy/truedy.hpp"

#include <catch2/catch.hpp>

#include "dialerd/app/config.hpp"

using namespace dialerd;
using namespace dialerd::providers;
using truedy::Settings;
using truedy::TruedyAdapter;
using Kind = domain::SubmitResult::Kind;
using json = nlohmann::json;

namespace {
domain::DispatchChunk chunk_of(int n) {
  domain::DispatchChunk chunk;
  chunk.campaign_id = 7;
  chunk.idempotency_key = "dk-7";
  auto& spec = chunk.campaign.spec;
  spec.name = "Quick Follow-up";
  spec.agent_id = "agt_f9447372";
  spec.timezone = "America/New_York";
  spec.rotation = "round_robin";
  for (int i = 0; i < n; ++i)
    chunk.calls.push_back({.id = 100 + i,
                           .phone = "+1555123456" + std::to_string(i),
                           .first_name = "John",
                           .last_name = "Doe",
                           .variables = json{{"first_name", "John"}, {"last_name", "Doe"}, {"plan", "gold"}}.dump(),
                           .attempt = 1,
                           .max_retries = 0,
                           .from_number = ""});
  return chunk;
}
config::ProviderConfig provider_config(std::vector<std::string> numbers = {}) {
  config::ProviderConfig c;
  c.name = "truedy";
  c.kind = "truedy";
  c.api_key = "TOKEN";
  c.settings = config::KindSettings::of(Settings{std::move(numbers)});
  return c;
}
}  // namespace

TEST_CASE("truedy: the request follows the Truedy page") {
  TruedyAdapter adapter(provider_config());
  auto req = adapter.build_request(chunk_of(2));
  CHECK(req.method == "POST");
  CHECK(req.path == "/batch-calls");
  CHECK(req.headers == std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer TOKEN"}});
  auto body = json::parse(req.body);
  CHECK(body ==
        json{{"name", "Quick Follow-up"},
             {"agent_id", "agt_f9447372"},
             {"schedule_type", "immediate"},
             {"timezone", "America/New_York"},
             {"phone_rotation_strategy", "round_robin"},
             {"contacts",
              {{{"phone_number", "+15551234560"}, {"first_name", "John"}, {"last_name", "Doe"}, {"plan", "gold"}},
               {{"phone_number", "+15551234561"}, {"first_name", "John"}, {"last_name", "Doe"}, {"plan", "gold"}}}}});
}

TEST_CASE("truedy: the campaign's window, working days and daily cap go with the batch") {
  auto chunk = chunk_of(1);
  auto& spec = chunk.campaign.spec;
  spec.start_time = "09:00";
  spec.end_time = "17:30";
  spec.working_days = std::vector<int>{1, 2, 3, 4, 5};
  spec.max_calls_per_day = 500;
  spec.rotation = "random";
  auto body = json::parse(TruedyAdapter(provider_config()).build_request(chunk).body);
  CHECK(body["start_time"] == "09:00");
  CHECK(body["end_time"] == "17:30");
  CHECK(body["working_days"] == json{1, 2, 3, 4, 5});
  CHECK(body["max_calls_per_day"] == 500);
  CHECK(body["phone_rotation_strategy"] == "random");
  // Midnight is 24:00 for dialerd; Truedy's HH:MM day ends at 23:59.
  spec.end_time = "24:00";
  CHECK(json::parse(TruedyAdapter(provider_config()).build_request(chunk).body)["end_time"] == "23:59");
  spec.rotation = "something-else";
  CHECK_FALSE(
      json::parse(TruedyAdapter(provider_config()).build_request(chunk).body).contains("phone_rotation_strategy"));
}

TEST_CASE("truedy: phone_number_ids from the provider - the campaign's own list wins - none is omitted") {
  auto chunk = chunk_of(1);
  CHECK_FALSE(json::parse(TruedyAdapter(provider_config()).build_request(chunk).body).contains("phone_number_ids"));
  CHECK(json::parse(TruedyAdapter(provider_config({"num_1", "num_2"})).build_request(chunk).body)["phone_number_ids"] ==
        json{"num_1", "num_2"});
  chunk.campaign.spec.options["phone_number_ids"] = {"num_9"};
  CHECK(json::parse(TruedyAdapter(provider_config({"num_1"})).build_request(chunk).body)["phone_number_ids"] ==
        json{"num_9"});
}

TEST_CASE("truedy: the name is 1..255 characters - cut on a character boundary") {
  auto chunk = chunk_of(1);
  chunk.campaign.spec.name = std::string(254, 'a') + "\xC3\xBC" + "tail";  // 'ü' straddles byte 255
  auto name = json::parse(TruedyAdapter(provider_config()).build_request(chunk).body)["name"].get<std::string>();
  CHECK(name == std::string(254, 'a'));
  CHECK(truedy::truncate_utf8("abc", 255) == "abc");
  chunk.campaign.spec.name = "";
  CHECK(json::parse(TruedyAdapter(provider_config()).build_request(chunk).body)["name"] == "dialerd campaign 7");
}

TEST_CASE("truedy: the number and names are dialerd's even if a variable has the same name") {
  auto chunk = chunk_of(1);
  chunk.calls[0].variables = R"({"phone_number":"+19999999999"})";
  auto contact = json::parse(TruedyAdapter(provider_config()).build_request(chunk).body)["contacts"][0];
  CHECK(contact["phone_number"] == "+15551234560");
}

TEST_CASE("truedy: a created batch accepts every contact under batch id and number") {
  TruedyAdapter adapter(provider_config());
  json answer = {{"data", {{"id", "batch_c3d4e5f6"}, {"status", "draft"}, {"total_contacts", 2}}},
                 {"meta", {{"request_id", "req_32e7531c"}}}};
  auto results = adapter.parse_answer(chunk_of(2), WireAnswer{201, {}, answer.dump()});
  REQUIRE(results.size() == 2);
  CHECK(results[0].kind == Kind::accepted);
  CHECK(results[0].call_id == 100);
  CHECK(results[0].provider_call_id == "batch_c3d4e5f6:+15551234560");
  CHECK(results[1].provider_call_id == "batch_c3d4e5f6:+15551234561");
}

TEST_CASE("truedy: a 2xx without data.id leaves the calls uncertain") {
  TruedyAdapter adapter(provider_config());
  for (const char* body : {"", "nope", "{}", R"({"data":{}})", R"({"data":{"id":5}})", R"({"data":"batch_1"})"}) {
    INFO(body);
    auto results = adapter.parse_answer(chunk_of(2), WireAnswer{200, {}, body});
    CHECK(results.at(0).kind == Kind::uncertain);
    CHECK(results.at(1).kind == Kind::uncertain);
    CHECK_THAT(results.at(0).reason, Catch::Contains("without data.id"));
  }
}

TEST_CASE("truedy: callbacks map to outcomes and malformed ones name the field") {
  TruedyAdapter adapter(provider_config());
  auto parsed = adapter.parse_events(R"([
    {"batch_id":"batch_1","phone_number":"+15551234560","status":"completed"},
    {"batch_id":"batch_1","phone_number":"+15551234561","status":"calling"},
    {"batch_id":"batch_1","phone_number":"+15551234562","status":"failed","detail":"carrier"}])");
  auto& reports = parsed.value();
  REQUIRE(reports.size() == 2);
  CHECK(reports[0].provider_call_id == "batch_1:+15551234560");
  CHECK(reports[0].outcome == domain::Outcome::completed);
  CHECK(reports[1].outcome == domain::Outcome::failed);
  CHECK(reports[1].detail == "carrier");
  CHECK(adapter.parse_events("{").error() == "body is not valid JSON");
  CHECK(adapter.parse_events(R"({"batch_id":"b","status":"completed"})").error() ==
        "phone_number is required and must be a string");
  CHECK(adapter.parse_events(R"([{"phone_number":"+1","status":"busy"}])").error() ==
        "[0].batch_id is required and must be a string");
}

TEST_CASE("truedy: config key phone_number_ids is a list of ids of kind truedy") {
  auto errors = [](const std::string& provider) -> std::string {
    try {
      app::parse_config(R"({"providers": {"t": )" + provider + "}}");
    } catch (const app::InvalidConfig& e) {
      return e.what();
    }
    return "";
  };
  auto ok = app::parse_config(
      R"({"providers": {"t": {"kind": "truedy", "base_url": "https://api.truedy.ai/api/public/v1", "api_key": "k",
                              "phone_number_ids": ["num_1", "num_2"]}}})");
  CHECK(ok.providers.at("t").settings.get<Settings>().phone_number_ids == std::vector<std::string>{"num_1", "num_2"});
  CHECK(ok.providers.at("t").chunk_size == 1000);
  CHECK_THAT(errors(R"({"kind": "truedy", "base_url": "https://x", "api_key": "k", "phone_number_ids": "num_1"})"),
             Catch::Contains("providers.t.phone_number_ids: must be an array of strings, got string"));
  CHECK_THAT(errors(R"({"kind": "truedy", "base_url": "https://x", "api_key": "k", "phone_number_ids": ["a", ""]})"),
             Catch::Contains("providers.t.phone_number_ids: [1]: must be a string of 1..255 characters"));
  CHECK_THAT(errors(R"({"kind": "veritus", "base_url": "https://x", "api_key": "k", "phone_number_ids": []})"),
             Catch::Contains("providers.t.phone_number_ids: is only used by kind truedy, not veritus"));
}
