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
  app::ProviderConfig c;
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
