#include <catch2/catch.hpp>

#include "providers/batchcall/batchcall.hpp"
#include "providers/http_provider.hpp"

using namespace dialerd;
using namespace dialerd::providers;
using json = nlohmann::json;

namespace {
domain::DispatchChunk chunk_of(int n) {
  domain::DispatchChunk chunk;
  chunk.campaign_id = 7;
  chunk.idempotency_key = "dk-7";
  chunk.campaign.spec.name = "Q1 Sales Campaign";
  chunk.campaign.spec.agent_id = "agent_abc";
  chunk.campaign.spec.from_number = "+14157774444";
  chunk.campaign.spec.timezone = "America/New_York";
  for (int i = 0; i < n; ++i)
    chunk.calls.push_back({.id = 100 + i,
                           .phone = "+1213777444" + std::to_string(i),
                           .first_name = "John",
                           .last_name = "Doe",
                           .variables = json{{"first_name", "John"}, {"company", "Acme"}}.dump(),
                           .attempt = 1,
                           .max_retries = 2,
                           .from_number = "+14157774444"});
  return chunk;
}
config::ProviderConfig provider_config() {
  config::ProviderConfig c;
  c.name = "acme";
  c.kind = "batchcall";
  c.api_key = "KEY";
  c.api_secret = "SECRET";
  return c;
}
}  // namespace

TEST_CASE("batchcall: the request follows the batch-call API page") {
  batchcall::BatchCallAdapter adapter(provider_config());
  auto req = adapter.build_request(chunk_of(2));
  CHECK(req.method == "POST");
  CHECK(req.path == "/batch-call");
  CHECK(req.headers ==
        std::vector<std::pair<std::string, std::string>>{{"X-API-KEY", "KEY"}, {"X-API-SECRET", "SECRET"}});
  auto body = json::parse(req.body);
  CHECK(body["from_number"] == "+14157774444");
  CHECK(body["name"] == "Q1 Sales Campaign");
  CHECK(body["agent_id"] == "agent_abc");
  CHECK(body["timezone"] == "America/New_York");
  CHECK(body["send_now"] == true);
  REQUIRE(body["tasks"].size() == 2);
  CHECK(body["tasks"][0]["to_number"] == "+12137774440");
  CHECK(body["tasks"][0]["dynamic_variables"]["company"] == "Acme");
  CHECK(body["tasks"][0]["max_retries"] == 0);  // dialerd owns retries
}

TEST_CASE("batchcall: the request body is the bytes a json document of it dumps to") {
  // build_request writes the body directly; it must equal the document built the plain way, escaping and
  // key order included.
  auto reference = [](const domain::DispatchChunk& chunk) {
    json tasks = json::array();
    for (const auto& call : chunk.calls)
      tasks.push_back(
          {{"to_number", call.phone}, {"dynamic_variables", json::parse(call.variables)}, {"max_retries", 0}});
    const auto& spec = chunk.campaign.spec;
    return json{{"from_number", chunk.calls.empty() || chunk.calls.front().from_number.empty()
                                    ? spec.from_number
                                    : chunk.calls.front().from_number},
                {"tasks", std::move(tasks)},
                {"name", spec.name.substr(0, 255)},
                {"agent_id", spec.agent_id},
                {"timezone", spec.timezone},
                {"status", "scheduled"},
                {"send_now", true}}
        .dump();
  };
  batchcall::BatchCallAdapter adapter(provider_config());
  auto chunk = chunk_of(3);
  CHECK(adapter.build_request(chunk).body == reference(chunk));
  chunk.campaign.spec.name = "Zoë's \"Q1\"\tcampaign " + std::string(300, 'x');  // escaped, cut at 255 bytes
  chunk.campaign.spec.agent_id = "agent_\u00e9\n";
  chunk.calls[0].variables =
      json{{"note", "line\nbreak \"quoted\" \x01"}, {"n", 3}, {"nested", {{"a", {1, 2}}}}}.dump();
  chunk.calls[1].variables = "{}";
  chunk.calls[2].from_number = "+14155550000";  // only the first call's caller id is the request's
  CHECK(adapter.build_request(chunk).body == reference(chunk));
  chunk.calls[0].from_number.clear();  // falls back to the campaign's
  CHECK(adapter.build_request(chunk).body == reference(chunk));
  chunk.calls.clear();
  CHECK(adapter.build_request(chunk).body == reference(chunk));
}

TEST_CASE("batchcall: a long name is cut at 255 bytes without splitting a character") {
  batchcall::BatchCallAdapter adapter(provider_config());
  auto chunk = chunk_of(1);
  // 'é' is two bytes: 254 ASCII bytes put the 128th 'é' across the 255-byte line.
  chunk.campaign.spec.name = std::string(254, 'a');
  for (int i = 0; i < 200; ++i) chunk.campaign.spec.name += "é";
  std::string name = json::parse(adapter.build_request(chunk).body)["name"];
  CHECK(name == std::string(254, 'a'));
  chunk.campaign.spec.name = std::string(253, 'a') + "é" + "日本";  // exactly 255 bytes kept
  name = json::parse(adapter.build_request(chunk).body)["name"].get<std::string>();
  CHECK(name == std::string(253, 'a') + "é");
}

TEST_CASE("batchcall: a success answer accepts every task under the batch id") {
  batchcall::BatchCallAdapter adapter(provider_config());
  auto chunk = chunk_of(2);
  WireAnswer answer{200, {}, R"({"status":"success","error":null,"data":{"batch_call_id":"batch_call_1"}})"};
  auto results = adapter.parse_answer(chunk, answer);
  REQUIRE(results.size() == 2);
  CHECK(results[0].kind == domain::SubmitResult::Kind::accepted);
  CHECK(results[0].call_id == 100);
  CHECK(results[0].provider_call_id == "batch_call_1:+12137774440");
}

TEST_CASE("batchcall: a 2xx without a batch id leaves the calls uncertain") {
  batchcall::BatchCallAdapter adapter(provider_config());
  for (const char* body : {"", "{}", R"({"data":{}})", R"({"data":{"batch_call_id":5}})"}) {
    auto results = adapter.parse_answer(chunk_of(1), WireAnswer{200, {}, body});
    CHECK(results.at(0).kind == domain::SubmitResult::Kind::uncertain);
  }
}

TEST_CASE("batchcall: status callbacks map to outcomes - in-between statuses are ignored") {
  batchcall::BatchCallAdapter adapter(provider_config());
  auto parsed = adapter.parse_events(R"([
    {"batch_call_id":"b1","to_number":"+1","status":"completed"},
    {"batch_call_id":"b1","to_number":"+2","status":"no-answer"},
    {"batch_call_id":"b1","to_number":"+3","status":"ringing"},
    {"batch_call_id":"b1","to_number":"+4","status":"Busy","detail":"line busy"}])");
  auto& reports = parsed.value();
  REQUIRE(reports.size() == 3);
  CHECK(reports[0].provider_call_id == "b1:+1");
  CHECK(reports[0].outcome == domain::Outcome::completed);
  CHECK(reports[1].outcome == domain::Outcome::no_answer);
  CHECK(reports[2].outcome == domain::Outcome::busy);
  CHECK(reports[2].detail == "line busy");
}

TEST_CASE("batchcall: malformed callbacks say what is wrong") {
  batchcall::BatchCallAdapter adapter(provider_config());
  CHECK(adapter.parse_events("nope").error() == "body is not valid JSON");
  CHECK(adapter.parse_events(R"({"batch_call_id":"b"})").error() == "to_number is required and must be a string");
  CHECK(adapter.parse_events(R"([1])").error() == "[0] must be an object");
}

TEST_CASE("http provider: Retry-After in seconds or as an HTTP date") {
  const domain::UnixMs now = 1445412480000;  // Wed, 21 Oct 2015 07:28:00 GMT
  CHECK(retry_after_ms(WireAnswer{429, {{"retry-after", "7"}}, ""}, now, 30000) == 7000);
  CHECK(retry_after_ms(WireAnswer{429, {{"retry-after", "Wed, 21 Oct 2015 07:28:09 GMT"}}, ""}, now, 30000) == 9000);
  CHECK(retry_after_ms(WireAnswer{429, {{"retry-after", "Wed, 21 Oct 2015 07:27:00 GMT"}}, ""}, now, 30000) == 0);
  CHECK(retry_after_ms(WireAnswer{429, {{"retry-after", "soon"}}, ""}, now, 30000) == 30000);
  CHECK(retry_after_ms(WireAnswer{429, {}, ""}, now, 30000) == 30000);
  CHECK(retry_after_ms(WireAnswer{429, {{"retry-after", "999999999"}}, ""}, now, 30000) == 24LL * 3600 * 1000);
  CHECK(retry_after_ms(WireAnswer{429, {{"retry-after", "99999999999999"}}, ""}, now, 30000) == 24LL * 3600 * 1000);
}
