// A provider kind is one folder and one line: a kind defined here, outside src/providers, and registered
// at run time is configured, checked and built like the built-in ones (docs/PROVIDERS.md, "Adding a kind").
#include <catch2/catch.hpp>

#include "dialerd/app/config.hpp"
#include "dialerd/providers/kind.hpp"
#include "support/run_sync.hpp"

using namespace dialerd;

namespace {

// The echo kind's own keys: echo.prefix (reloadable) and echo.port (needs a restart).
struct EchoSettings {
  std::string prefix = "echo-";
  int port = 0;
  bool operator==(const EchoSettings&) const = default;
};

class EchoProvider final : public providers::Provider {
 public:
  explicit EchoProvider(const config::ProviderConfig& c)
      : name_(c.name), prefix_(c.settings.get<EchoSettings>().prefix), chunk_size_(c.chunk_size) {}
  const std::string& name() const override { return name_; }
  const std::string& kind() const override { return kind_; }
  int chunk_size() const override { return chunk_size_; }
  awaitable<providers::Submission> submit(const domain::DispatchChunk& chunk, const providers::BeforeSend&) override {
    providers::Submission s;
    for (const auto& call : chunk.calls)
      s.results.push_back({domain::SubmitResult::Kind::accepted, call.id, prefix_ + std::to_string(call.id), "", 0});
    co_return s;
  }
  providers::EventsParse parse_events(std::string_view) const override { return util::fail("no events"); }

 private:
  std::string name_, kind_ = "echo", prefix_;
  int chunk_size_;
};

class EchoKind final : public providers::Kind {
 public:
  const providers::KindInfo& info() const override {
    static constexpr providers::KindInfo kInfo{"echo", 7, false, false, false, true, true, false, true};
    return kInfo;
  }
  const std::vector<config::Key<config::KindSettings>>& own_keys() const override {
    static const auto keys = config::kind_keys<EchoSettings>({
        {"echo.prefix", "echo-", true, "Prefix of the provider call ids.", config::string_key(&EchoSettings::prefix)},
        {"echo.port", 0, false, "A key that needs a restart.", config::int_key(&EchoSettings::port, 0, 65535)},
    });
    return keys;
  }
  config::KindSettings new_settings() const override { return config::KindSettings::of(EchoSettings{}); }
  std::vector<providers::FieldProblem> check_config(const config::ProviderConfig& p,
                                                    const nlohmann::json&) const override {
    if (p.timeout_ms == 12345) return {{"timeout_ms", "echo refuses 12345"}};
    return {};
  }
  std::unique_ptr<providers::Provider> make(const config::ProviderConfig& p, const providers::Runtime&) const override {
    return std::make_unique<EchoProvider>(p);
  }
  // Calls to "+10000000000" cannot go in a request: answered here, never given to the provider.
  std::optional<providers::Screen> screen(const config::ProviderConfig&) const override {
    return providers::Screen([](const domain::DispatchChunk& chunk) {
      providers::Screened out;
      out.sendable = chunk;
      out.sendable.calls.clear();
      for (const auto& call : chunk.calls) {
        if (call.phone == "+10000000000")
          out.answered.push_back({domain::SubmitResult::Kind::rejected, call.id, "", "echo cannot call it", 0});
        else
          out.sendable.calls.push_back(call);
      }
      return out;
    });
  }
};

struct Registered {
  explicit Registered(const providers::Kind& k) : name(k.info().kind) { providers::register_kind(k); }
  ~Registered() { providers::remove_kind(name); }
  std::string_view name;
};

}  // namespace

TEST_CASE("kinds: a kind registered from outside src/providers is configured, checked and built") {
  static const EchoKind echo;
  CHECK(providers::find_kind("echo") == nullptr);
  Registered scope(echo);
  CHECK(providers::find_kind("echo") == &echo);
  CHECK_THROWS_AS(providers::register_kind(echo), std::invalid_argument);  // a name is registered once

  auto config = app::parse_config(R"({"providers": {"e": {"kind": "echo"}}})");
  const auto& p = config.providers.at("e");
  CHECK(p.chunk_size == 7);  // the kind's maximum
  CHECK(providers::kind_info("echo")->max_chunk == 7);
  CHECK(p.settings.get<EchoSettings>() == EchoSettings{});  // its own keys at their defaults

  // Its own keys are read into its settings, checked, listed, refused for other kinds, and reloaded by
  // their flags.
  auto given = app::load_config(R"({"providers": {"e": {"kind": "echo", "echo": {"prefix": "x-", "port": 1}}}})");
  CHECK(given.config.providers.at("e").settings.get<EchoSettings>() == EchoSettings{"x-", 1});
  CHECK_THROWS_WITH(app::parse_config(R"({"providers": {"e": {"kind": "echo", "echo": {"port": "1"}}}})"),
                    Catch::Contains("providers.e.echo.port: must be an integer, got string"));
  CHECK_THROWS_WITH(app::parse_config(R"({"providers": {"e": {"kind": "echo", "echo": {"colour": 1}}}})"),
                    Catch::Contains("providers.e.echo.colour: unknown key"));
  CHECK_THROWS_WITH(app::parse_config(R"({"providers": {"s": {"kind": "simulator", "echo": {"port": 1}}}})"),
                    Catch::Contains("providers.s.echo: is only used by kind echo, not simulator"));
  auto keys = app::documented_keys();
  CHECK(std::any_of(keys.begin(), keys.end(), [](const auto& k) {
    return k.path == "providers.<name>.echo.port" && k.kind == "echo" && !k.reloadable;
  }));
  auto plan = app::plan_reload(
      given, app::load_config(R"({"providers": {"e": {"kind": "echo", "echo": {"prefix": "y-", "port": 2}}}})"));
  CHECK(plan.loaded.config.providers.at("e").settings.get<EchoSettings>() == EchoSettings{"y-", 1});
  CHECK(plan.needs_restart == std::vector<std::string>{"providers.e.echo.port"});

  // Its own checks run with the others, and name the key.
  try {
    app::parse_config(R"({"providers": {"e": {"kind": "echo", "timeout_ms": 12345}}})");
    FAIL("expected InvalidConfig");
  } catch (const app::InvalidConfig& e) {
    REQUIRE(e.errors().size() == 1);
    CHECK(e.errors()[0].to_string() == "providers.e.timeout_ms: echo refuses 12345");
  }
  // Keys another kind owns are refused for it.
  CHECK_THROWS_WITH(app::parse_config(R"({"providers": {"e": {"kind": "echo", "batch_id": "b"}}})"),
                    Catch::Contains("providers.e.batch_id: is only used by kind addcalls, not echo"));

  asio::io_context ioc;
  util::RealTimeSystem time;
  auto provider = providers::make_provider(p, {ioc, {}, time});
  CHECK(provider->kind() == "echo");
  CHECK(provider->chunk_size() == 7);

  // The kind's screen runs before its provider: one call answered by it, the other sent.
  domain::DispatchChunk chunk;
  chunk.calls.resize(2);
  chunk.calls[0].id = 1;
  chunk.calls[0].phone = "+10000000000";
  chunk.calls[1].id = 2;
  chunk.calls[1].phone = "+14155550100";
  auto submission = testing::run_sync(provider->submit(chunk, {}));
  std::map<domain::CallId, domain::SubmitResult> by_call;
  for (const auto& r : submission.results) by_call[r.call_id] = r;
  REQUIRE(by_call.size() == 2);
  CHECK(by_call[1].kind == domain::SubmitResult::Kind::rejected);
  CHECK(by_call[1].reason == "echo cannot call it");
  CHECK(by_call[2].kind == domain::SubmitResult::Kind::accepted);
  CHECK(by_call[2].provider_call_id == "echo-2");
}

TEST_CASE("kinds: the built-in kinds are listed once, in order") {
  CHECK(providers::kind_names() ==
        std::vector<std::string_view>{"batchcall", "veritus", "truedy", "addcalls", "simulator"});
  CHECK_FALSE(providers::kind_info("echo").has_value());
  CHECK_THROWS_WITH(app::parse_config(R"({"providers": {"e": {"kind": "nope"}}})"),
                    Catch::Contains("unknown provider kind \"nope\" (known: batchcall, veritus, truedy, addcalls, "
                                    "simulator)"));
}
