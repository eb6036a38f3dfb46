#include <catch2/catch.hpp>

#include "providers/simulator/simulator.hpp"

using namespace dialerd;
using providers::simulator::SimulatorProvider;

TEST_CASE("simulator: outcomes follow the configured mix") {
  providers::simulator::Mix mix{0.5, 0.25, 0.0, 0.0, 0.25};
  CHECK(SimulatorProvider::pick(mix, 0.0) == domain::Outcome::completed);
  CHECK(SimulatorProvider::pick(mix, 0.49) == domain::Outcome::completed);
  CHECK(SimulatorProvider::pick(mix, 0.5) == domain::Outcome::no_answer);
  CHECK(SimulatorProvider::pick(mix, 0.8) == domain::Outcome::failed);
  providers::simulator::Mix only_busy{0, 0, 2, 0, 0};  // shares need not sum to 1
  CHECK(SimulatorProvider::pick(only_busy, 0.99) == domain::Outcome::busy);
}

TEST_CASE("simulator: accepts every call of a chunk and reports each outcome after the delay") {
  util::SimulatedTimeSystem time{1000000};
  asio::io_context ioc;
  config::ProviderConfig config;
  config.name = "sim";
  config.kind = "simulator";
  config.chunk_size = 1000;
  config.settings = config::KindSettings::of(providers::simulator::Settings{.delay_ms = 2000, .mix = {}, .seed = 1});
  std::vector<domain::OutcomeReport> reported;
  SimulatorProvider sim(
      config, ioc,
      [&](const std::string& name, std::vector<domain::OutcomeReport> r) {
        CHECK(name == "sim");
        reported.insert(reported.end(), r.begin(), r.end());
      },
      time);
  domain::DispatchChunk chunk;
  for (int i = 0; i < 5; ++i) {
    domain::DispatchCall call;
    call.id = i + 1;
    call.phone = "+1";
    call.attempt = 1;
    chunk.calls.push_back(call);
  }
  std::vector<domain::SubmitResult> results;
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        auto submission = co_await sim.submit(chunk, {});
        results = std::move(submission.results);
      },
      asio::detached);
  auto settle = [&] {
    ioc.restart();
    while (ioc.poll() > 0) {
    }
  };
  settle();
  REQUIRE(results.size() == 5);
  for (const auto& r : results) CHECK(r.kind == domain::SubmitResult::Kind::accepted);
  CHECK(reported.empty());
  CHECK(time.next_deadline() == 1002000);  // simulator.delay_ms after the submission
  time.set(1001999);
  settle();
  CHECK(reported.empty());
  time.set(1002000);
  settle();
  REQUIRE(reported.size() == 5);
  CHECK(reported[0].provider_call_id == results[0].provider_call_id);
}
