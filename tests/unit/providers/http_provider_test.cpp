#include <catch2/catch.hpp>

#include "providers/batchcall/batchcall.hpp"
#include "providers/http_provider.hpp"

using namespace dialerd;
using namespace dialerd::providers;

namespace {
domain::DispatchChunk chunk_of(int n) {
  domain::DispatchChunk chunk;
  chunk.campaign_id = 7;
  chunk.idempotency_key = "dk-7";
  for (int i = 0; i < n; ++i) {
    domain::DispatchCall call;
    call.id = 100 + i;
    call.phone = "+1213777444" + std::to_string(i);
    chunk.calls.push_back(call);
  }
  return chunk;
}
batchcall::BatchCallAdapter adapter() {
  config::ProviderConfig c;
  c.kind = "batchcall";
  return batchcall::BatchCallAdapter(c);
}
}  // namespace

// Regression (fuzz_provider): the batchcall adapter copies data.batch_call_id, and a copy recurses once per
// level, so an answer nesting it 200000 deep overflowed the stack.
TEST_CASE("http provider: a 2xx answer nested 200000 deep leaves every call uncertain and does not crash") {
  std::string deep = "{\"data\": {\"batch_call_id\": " + std::string(200000, '[') + std::string(200000, ']') + "}}";
  auto results = read_accepted_answer(adapter(), chunk_of(2), WireAnswer{200, {}, deep});
  REQUIRE(results.size() == 2);
  for (const auto& r : results) {
    CHECK(r.kind == domain::SubmitResult::Kind::uncertain);
    CHECK(r.reason == "provider answered 200 with JSON nested more than 64 deep");
  }
  CHECK(results[0].call_id == 100);
  CHECK(results[1].call_id == 101);
}

TEST_CASE("http provider: a 2xx answer of ordinary depth goes to the adapter") {
  auto results = read_accepted_answer(adapter(), chunk_of(1),
                                      WireAnswer{201, {}, R"({"data": {"batch_call_id": "b1", "x": [[[1]]]}})"});
  REQUIRE(results.size() == 1);
  CHECK(results[0].kind == domain::SubmitResult::Kind::accepted);
  CHECK(results[0].provider_call_id == "b1:+12137774440");
}

TEST_CASE("http provider: error answers are cut and their credentials redacted before tenants or the log see them") {
  const std::vector<std::string> secrets = {"Bearer sk_live_0123456789", "key-abcdef", "xy"};
  SECTION("the request's own header values, wherever the provider echoes them") {
    auto out = error_excerpt("bad request; you sent sk_live_0123456789 and key-abcdef twice: key-abcdef", secrets);
    CHECK(out == "bad request; you sent [redacted] and [redacted] twice: [redacted]");
  }
  SECTION("echoed credential headers, bearer tokens and credential-named JSON members") {
    auto out = error_excerpt(
        "echo:\r\nAuthorization: Basic dXNlcjpwYXNz\r\nX-Api-Key: other\r\nHost: x\r\n"
        "{\"api_key\":\"k1\",\"client_secret\": \"s\\\"2\",\"note\":\"token bearer tok.en-1\"}",
        {});
    CHECK(out ==
          "echo:\r\nAuthorization: [redacted]\r\nX-Api-Key: [redacted]\r\nHost: x\r\n"
          "{\"api_key\":\"[redacted]\",\"client_secret\": \"[redacted]\",\"note\":\"token bearer [redacted]\"}");
  }
  SECTION("short secrets are not searched for, ordinary text stays") {
    CHECK(error_excerpt("xyz {\"error\":\"invalid phone\"}", secrets) == "xyz {\"error\":\"invalid phone\"}");
  }
  SECTION("at most 300 bytes, never a split UTF-8 sequence, and a secret across the cut is gone") {
    std::string body(299, 'a');
    body += "\xc3\xa9tail";
    auto out = error_excerpt(body, {});
    CHECK(out == std::string(299, 'a') + "...");
    std::string across(290, 'b');
    across += "sk_live_0123456789";
    CHECK(error_excerpt(across, secrets) == std::string(290, 'b') + "[redacted]");
  }
}
