#include "providers/screened_provider.hpp"

#include <catch2/catch.hpp>

#include "dialerd/config/config.hpp"
#include "dialerd/providers/kinds.hpp"
#include "providers/addcalls/addcalls.hpp"
#include "providers/truedy/truedy.hpp"
#include "providers/veritus/veritus.hpp"

using namespace dialerd;
using namespace dialerd::providers;
using Result = domain::SubmitResult::Kind;

namespace {
// Answers every call it is given with one kind, and remembers the chunks it was given.
class StubProvider final : public Provider {
 public:
  explicit StubProvider(Result kind) : kind_(kind) {}
  const std::string& name() const override { return name_; }
  const std::string& kind() const override { return name_; }
  int chunk_size() const override { return 100; }
  awaitable<Submission> submit(const domain::DispatchChunk& chunk, const BeforeSend& before_send) override {
    if (before_send) before_send();
    sent.push_back(chunk);
    Submission out;
    for (const auto& c : chunk.calls) out.results.push_back({kind_, c.id, "", "stub", 0});
    co_return out;
  }
  EventsParse parse_events(std::string_view) const override { return util::fail("stub"); }
  std::vector<domain::DispatchChunk> sent;

 private:
  Result kind_;
  std::string name_ = "stub";
};

domain::DispatchChunk chunk_with(const std::vector<nlohmann::json>& customer_ids) {
  domain::DispatchChunk chunk;
  chunk.campaign_id = 3;
  chunk.idempotency_key = "dk-3";
  for (std::size_t i = 0; i < customer_ids.size(); ++i) {
    domain::DispatchCall call;
    call.id = static_cast<domain::CallId>(i + 1);
    call.phone = "+14155550100";
    if (!customer_ids[i].is_null()) call.variables = nlohmann::json{{"customer_id", customer_ids[i]}}.dump();
    chunk.calls.push_back(call);
  }
  return chunk;
}

std::vector<domain::SubmitResult> run_on(asio::io_context& ioc, Provider& p, const domain::DispatchChunk& chunk) {
  ioc.restart();
  std::vector<domain::SubmitResult> results;
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        auto submission = co_await p.submit(chunk, {});
        results = std::move(submission.results);
      },
      asio::detached);
  ioc.run();
  return results;
}

std::vector<domain::SubmitResult> run(Provider& p, const domain::DispatchChunk& chunk) {
  asio::io_context ioc;
  return run_on(ioc, p, chunk);
}
}  // namespace

TEST_CASE("screened provider: calls left out keep their own result whatever the request's fate") {
  auto stub = std::make_unique<StubProvider>(Result::uncertain);  // e.g. the provider answered 500
  auto* inner = stub.get();
  ScreenedProvider provider(std::move(stub), &veritus::VeritusAdapter::screen);
  auto results = run(provider, chunk_with({"c-1", nullptr, "c-1", "c-2"}));
  REQUIRE(inner->sent.size() == 1);
  REQUIRE(inner->sent[0].calls.size() == 2);
  CHECK(inner->sent[0].idempotency_key == "dk-3");
  REQUIRE(results.size() == 4);
  std::map<domain::CallId, Result> by_call;
  for (const auto& r : results) by_call[r.call_id] = r.kind;
  CHECK(by_call[1] == Result::uncertain);
  CHECK(by_call[2] == Result::rejected);       // no customer_id: never sent
  CHECK(by_call[3] == Result::not_submitted);  // a repeat: goes in a later request
  CHECK(by_call[4] == Result::uncertain);
}

TEST_CASE("screened provider: a chunk with nothing to send is answered without a request") {
  auto stub = std::make_unique<StubProvider>(Result::accepted);
  auto* inner = stub.get();
  ScreenedProvider provider(std::move(stub), &veritus::VeritusAdapter::screen);
  auto results = run(provider, chunk_with({nullptr, nullptr}));
  CHECK(inner->sent.empty());
  REQUIRE(results.size() == 2);
  CHECK(results[0].kind == Result::rejected);
  CHECK(results[1].kind == Result::rejected);
}

TEST_CASE("screened provider: make_provider wraps veritus and addcalls - an unsendable chunk makes no request") {
  asio::io_context ioc;
  util::RealTimeSystem time;
  config::ProviderConfig config;
  config.name = "p";
  config.base_url = "http://127.0.0.1:1";  // nothing listens: a request would be "not submitted: refused"
  config.api_key = "k";
  config.chunk_size = 100;
  config.kind = "veritus";
  config.settings = find_kind("veritus")->new_settings();
  auto veritus = make_provider(config, {ioc, nullptr, time});
  CHECK(veritus->kind() == "veritus");
  CHECK(veritus->name() == "p");
  auto results = run_on(ioc, *veritus, chunk_with({nullptr}));
  REQUIRE(results.size() == 1);
  CHECK(results[0].kind == Result::rejected);
  CHECK_THAT(results[0].reason, Catch::Contains("customer_id"));

  config.kind = "addcalls";
  config.settings = find_kind("addcalls")->new_settings();
  auto addcalls = make_provider(config, {ioc, nullptr, time});
  results = run_on(ioc, *addcalls, chunk_with({nullptr, nullptr}));
  REQUIRE(results.size() == 2);
  CHECK(results[0].kind == Result::not_submitted);
  CHECK_THAT(results[0].reason, Catch::Contains("no batch id"));

  for (auto kind : {"veritus", "truedy", "addcalls"}) {
    auto info = kind_info(kind);
    REQUIRE(info);
    CHECK(info->http);
    CHECK(info->needs_api_key);
    CHECK_FALSE(info->needs_api_secret);
    CHECK_FALSE(info->idempotent_submit);
  }
  CHECK(kind_info("veritus")->max_chunk == 100);
  CHECK(kind_info("truedy")->max_chunk == 1000);
  CHECK(kind_info("addcalls")->max_chunk == 1000);
}

TEST_CASE("registry: a reload rebuilds a provider whose adapter keys changed") {
  asio::io_context ioc;
  util::RealTimeSystem time;
  std::map<std::string, config::ProviderConfig> old_config;
  auto add = [&](const std::string& name, const std::string& kind) {
    config::ProviderConfig c;
    c.name = name;
    c.kind = kind;
    c.settings = find_kind(kind)->new_settings();
    c.base_url = "http://127.0.0.1:1";
    c.api_key = "k";
    c.chunk_size = 100;
    old_config[name] = c;
  };
  add("v", "veritus");
  add("t", "truedy");
  add("a", "addcalls");
  add("same", "addcalls");
  std::map<std::string, std::shared_ptr<Provider>> running;
  for (const auto& [name, c] : old_config) running[name] = make_provider(c, {ioc, nullptr, time});
  auto new_config = old_config;
  new_config["v"].settings.get_mutable<providers::veritus::Settings>().callback_url =
      "https://d.example/v1/providers/v/events";
  new_config["t"].settings.get_mutable<providers::truedy::Settings>().phone_number_ids = {"num_1"};
  new_config["a"].settings.get_mutable<providers::addcalls::Settings>().batch_id = "b-2";
  auto reloaded = reload_providers(old_config, new_config, running, {ioc, nullptr, time});
  std::sort(reloaded.changed.begin(), reloaded.changed.end());
  CHECK(reloaded.changed == std::vector<std::string>{"a", "t", "v"});
  CHECK(reloaded.needs_restart.empty());
  CHECK(reloaded.providers.at("same") == running.at("same"));
  CHECK(reloaded.providers.at("a") != running.at("a"));
}
