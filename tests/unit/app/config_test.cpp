#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

#include <cstdlib>

#include "dialerd/app/config.hpp"
#include "dialerd/providers/kind.hpp"
#include "providers/simulator/simulator.hpp"
#include "support/daemon_process.hpp"

using namespace dialerd::app;
using dialerd::config::Config;
using SimSettings = dialerd::providers::simulator::Settings;

namespace {
// The errors a config text produces, as "key: message" lines.
std::vector<std::string> errors_of(const std::string& text) {
  try {
    parse_config(text);
  } catch (const InvalidConfig& e) {
    std::vector<std::string> out;
    for (const auto& err : e.errors()) out.push_back(err.to_string());
    return out;
  }
  return {};
}
const std::string kSim = R"("providers": {"sim": {"kind": "simulator"}})";
}  // namespace

TEST_CASE("config: the built-in default is valid and runs the simulator on 127.0.0.1:8780 with state in ./var") {
  Config c = parse_config(default_config_text());
  CHECK(c.listen_address == "127.0.0.1");
  CHECK(c.listen_port == 8780);
  CHECK(c.state_dir == "./var");
  CHECK(c.database_path() == "./var/dialerd.db");
  REQUIRE(c.providers.count("simulator"));
  CHECK(c.providers.at("simulator").kind == "simulator");
  CHECK(c.providers.at("simulator").chunk_size == 1000);
}

TEST_CASE("config: defaults fill every key that is absent") {
  Config c = parse_config("{" + kSim + "}");
  CHECK(c.log_level == "info");
  CHECK(c.log_format == "text");
  CHECK(c.db_synchronous == "full");
  CHECK(c.db_busy_timeout_ms == 5000);
  CHECK(c.http_body_limit == 16 * 1024 * 1024);
  CHECK(c.default_region == "US");
  CHECK(c.drain_timeout_ms == 10000);
  const auto& p = c.providers.at("sim");
  CHECK(p.settings.get<SimSettings>().delay_ms == 2000);
  CHECK(p.settings.get<SimSettings>().mix.completed == Approx(0.70));
  CHECK(p.timeout_ms == 10000);
}

TEST_CASE("config: server_errors_place_nothing follows the kind's documented contract unless set") {
  auto c = parse_config(R"({"providers": {
      "a": {"kind": "addcalls", "base_url": "http://x", "api_key": "k"},
      "b": {"kind": "batchcall", "base_url": "http://x", "api_key": "k", "api_secret": "s"},
      "a2": {"kind": "addcalls", "base_url": "http://x", "api_key": "k", "server_errors_place_nothing": false},
      "b2": {"kind": "batchcall", "base_url": "http://x", "api_key": "k", "api_secret": "s",
             "server_errors_place_nothing": true}}})");
  CHECK(c.providers.at("a").server_errors_place_nothing == true);
  CHECK(c.providers.at("b").server_errors_place_nothing == false);
  CHECK(c.providers.at("a2").server_errors_place_nothing == false);
  CHECK(c.providers.at("b2").server_errors_place_nothing == true);
}

TEST_CASE("config: compliance rules are read into the legal rules") {
  Config c = parse_config(R"({"compliance": {"respectful_hours": {"start": "09:00", "end": "20:30"},
    "region_hours": {"US-FL": {"start": "08:00", "end": "20:00"}},
    "holidays": ["2026-12-25", {"date": "2026-07-04", "regions": ["US"]}],
    "contact_daily_cap": 3, "rolling_cap": {"calls": 7, "days": 7}},
    "retry": {"retryable_outcomes": ["busy"], "backoff_factor": 3}, )" +
                          kSim + "}");
  using dialerd::schedule::DailyWindow;
  CHECK(c.legal.rule_set == "us");  // the default set, with the keys on top
  const auto& everywhere = c.legal.everywhere.hours;
  REQUIRE(everywhere.tables.size() == 1);
  CHECK(everywhere.tables[0].by_weekday[0] == DailyWindow{9 * 60, 20 * 60 + 30});
  CHECK(everywhere.closed.size() == 1);
  const auto& fl = c.legal.for_region("US-FL").hours;  // region_hours replace the set's Florida hours
  CHECK(fl.tables.back().by_weekday[6] == DailyWindow{8 * 60, 20 * 60});
  CHECK(fl.tables.back().source == "config compliance.region_hours.US-FL");
  CHECK(c.legal.for_region("US").hours.closed.size() == 2);
  CHECK(c.legal.contact_daily_cap == 3);
  REQUIRE(c.legal.everywhere.caps.size() == 1);
  CHECK(c.legal.everywhere.caps[0].calls == 7);
  CHECK(c.legal.everywhere.caps[0].hours == 7 * 24);
  CHECK(c.retry.retryable == std::set<dialerd::domain::Outcome>{dialerd::domain::Outcome::busy});
  CHECK(c.retry.backoff_factor == 3.0);
}

TEST_CASE("config: comments are allowed") {
  Config c = parse_config("// leading\n{ /* block */ \"log\": {\"level\": \"debug\"}, // trailing\n" + kSim + "}");
  CHECK(c.log_level == "debug");
}

TEST_CASE("config: every bad key gets its own error naming the key and the problem") {
  struct Case {
    std::string text;
    std::string error;
  };
  std::vector<Case> cases = {
      {R"({"listen": {"port": 70000}, )" + kSim + "}", "listen.port: must be between 0 and 65535, got 70000"},
      {R"({"listen": {"port": "80"}, )" + kSim + "}", "listen.port: must be an integer, got string"},
      {R"({"listen": {"address": 1}, )" + kSim + "}", "listen.address: must be a string, got integer"},
      {R"({"listen": 5, )" + kSim + "}", "listen: must be an object, got integer"},
      {R"({"lisen": {}, )" + kSim + "}", "lisen: unknown key"},
      {R"({"listen": {"prot": 1}, )" + kSim + "}", "listen.prot: unknown key"},
      {R"({"state_dir": "", )" + kSim + "}", "state_dir: must not be empty"},
      {R"({"log": {"level": "loud"}, )" + kSim + "}",
       "log.level: must be one of trace, debug, info, warn, error, critical, got \"loud\""},
      {R"({"log": {"format": "xml"}, )" + kSim + "}", "log.format: must be one of text, json, got \"xml\""},
      {R"({"database": {"synchronous": "off"}, )" + kSim + "}",
       "database.synchronous: must be one of full, normal, got \"off\""},
      {R"({"database": {"busy_timeout_ms": -1}, )" + kSim + "}",
       "database.busy_timeout_ms: must be between 0 and 600000, got -1"},
      {R"({"http": {"body_limit_bytes": 10}, )" + kSim + "}",
       "http.body_limit_bytes: must be between 1024 and 1073741824, got 10"},
      {R"({"phone": {"default_region": "ZZ"}, )" + kSim + "}",
       "phone.default_region: \"ZZ\" is not a known two-letter region"},
      {R"({"shutdown": {"drain_timeout_ms": 1.5}, )" + kSim + "}",
       "shutdown.drain_timeout_ms: must be an integer, got number"},
      {R"({"providers": []})", "providers: must be an object of name -> provider, got array"},
      {R"({"providers": {}})", "providers: at least one provider must be configured"},
      {R"({"providers": {"a b": {"kind": "simulator"}}})",
       "providers.a b: a provider name is 1..64 characters of letters, digits, _ and -"},
      {R"({"providers": {"p": {}}})", "providers.p.kind: is required"},
      {R"({"providers": {"p": {"kind": "twilio"}}})",
       "providers.p.kind: unknown provider kind \"twilio\" (known: batchcall, veritus, truedy, addcalls, simulator)"},
      {R"({"providers": {"p": {"kind": "simulator", "colour": 1}}})", "providers.p.colour: unknown key"},
      {R"({"providers": {"p": {"kind": "simulator", "chunk_size": 1001}}})",
       "providers.p.chunk_size: must be at most 1000 for kind simulator, got 1001"},
      {R"({"providers": {"p": {"kind": "batchcall", "api_key": "k", "api_secret": "s"}}})",
       "providers.p.base_url: is required for kind batchcall"},
      {R"({"providers": {"p": {"kind": "batchcall", "base_url": "http://x", "api_secret": "s"}}})",
       "providers.p.api_key: is required for kind batchcall"},
      {R"({"providers": {"p": {"kind": "batchcall", "base_url": "http://x", "api_key": "k"}}})",
       "providers.p.api_secret: is required for kind batchcall"},
      {R"({"providers": {"p": {"kind": "batchcall", "base_url": "x.com", "api_key": "k", "api_secret": "s"}}})",
       "providers.p.base_url: must start with https:// or http://, got \"x.com\""},
      {R"({"providers": {"p": {"kind": "batchcall", "base_url": "https://x.com", "api_key": "k", "api_secret": "s", "ca_file": 3}}})",
       "providers.p.ca_file: must be a string (a file path), got integer"},
      {R"({"providers": {"p": {"kind": "simulator", "server_errors_place_nothing": true}}})",
       "providers.p.server_errors_place_nothing: is only used by HTTP kinds, not simulator"},
      {R"({"providers": {"p": {"kind": "addcalls", "base_url": "http://x", "api_key": "k", "server_errors_place_nothing": 1}}})",
       "providers.p.server_errors_place_nothing: must be true or false, got integer"},
      {R"({"providers": {"p": {"kind": "simulator", "simulator": {"mix": {"busy": 2}}}}})",
       "providers.p.simulator.mix.busy: must be between 0 and 1, got 2"},
      {R"({"providers": {"p": {"kind": "simulator", "simulator": {"mix": {"completed": 0, "no_answer": 0, "busy": 0, "voicemail": 0, "failed": 0}}}}})",
       "providers.p.simulator.mix: at least one share must be above 0"},
      {R"({"api": {"keys": [{"key": "0123456789abcdef", "workspace": "a", "role": "root"}]}, )" + kSim + "}",
       "api.keys: [0].role: must be \"user\" or \"admin\""},
      {R"({"http": {"max_connections": 0}, )" + kSim + "}",
       "http.max_connections: must be between 1 and 1000000, got 0"},
      {R"({"http": {"max_connections_per_peer": "9"}, )" + kSim + "}",
       "http.max_connections_per_peer: must be an integer, got string"},
      {R"({"webhooks": {"allow_networks": ["10.0.0.0/33"]}, )" + kSim + "}",
       "webhooks.allow_networks: [0]: must be an address or a network like \"10.0.0.0/8\""},
      {R"({"providers": {"p": {"kind": "batchcall", "base_url": "http://x/a b", "api_key": "k", "api_secret": "s"}}})",
       "providers.p.base_url: the URL contains a space"},
      {R"({"providers": {"p": {"kind": "batchcall", "base_url": "http://x", "api_key": "k\r\nX: 1", "api_secret": "s"}}})",
       "providers.p.api_key: must not contain control characters"},
      {"[1, 2]", "the top level must be a JSON object, got array"},
      {R"({"compliance": {"respectful_hours": {"start": "8am"}}, )" + kSim + "}",
       "compliance.respectful_hours.start: \"8am\" is not a time HH:MM"},
      {R"({"compliance": {"respectful_hours": {"start": "22:00"}}, )" + kSim + "}",
       "compliance.respectful_hours: start must be before end"},
      {R"({"compliance": {"region_hours": {"Florida": {"start": "08:00", "end": "20:00"}}}, )" + kSim + "}",
       "compliance.region_hours: \"Florida\" is not a region dialerd places numbers in (a country like GB, or a US or "
       "Canadian subdivision like US-FL)"},
      {R"({"compliance": {"region_hours": {"US-FL": {"start": "08:00"}}}, )" + kSim + "}",
       "compliance.region_hours: US-FL: must be {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}"},
      {R"({"compliance": {"holidays": ["2026-13-01"]}, )" + kSim + "}",
       "compliance.holidays: [0]: \"2026-13-01\" is not a date YYYY-MM-DD"},
      {R"({"compliance": {"holidays": [{"date": "2026-07-04", "regions": ["usa"]}]}, )" + kSim + "}",
       "compliance.holidays: [0].regions: not a region: \"usa\""},
      {R"({"compliance": {"contact_daily_cap": 0}, )" + kSim + "}",
       "compliance.contact_daily_cap: must be between 1 and 1000, got 0"},
      {R"({"retry": {"retryable_outcomes": ["completed"]}, )" + kSim + "}",
       "retry.retryable_outcomes: \"completed\" is not a retryable outcome (no_answer, busy, failed, cancelled, "
       "provider_error, timeout; completed, voicemail and opted_out complete a call; a campaign's retry_policy "
       "may retry voicemail)"},
      {R"({"retry": {"retryable_outcomes": ["busy", "opted_out"]}, )" + kSim + "}",
       "retry.retryable_outcomes: \"opted_out\" is not a retryable outcome (no_answer, busy, failed, cancelled, "
       "provider_error, timeout; completed, voicemail and opted_out complete a call; a campaign's retry_policy "
       "may retry voicemail)"},
      {R"({"retry": {"jitter": 2}, )" + kSim + "}", "retry.jitter: must be between 0.0 and 1.0, got 2"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto errors = errors_of(c.text);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0] == c.error);
  }
}

TEST_CASE("config: api key roles - user by default, admin when asked") {
  auto c = parse_config(R"({"api": {"keys": [{"name": "u", "key": "0123456789abcdef", "workspace": "a"},
                                             {"name": "o", "key": "0123456789abcdeg", "workspace": "ops", "role": "admin"},
                                             {"name": "x", "key": "0123456789abcdeh", "workspace": "b", "role": "user"}]}, )" +
                        kSim + "}");
  REQUIRE(c.api_keys.size() == 3);
  CHECK(!c.api_keys[0].admin);
  CHECK(c.api_keys[1].admin);
  CHECK(!c.api_keys[2].admin);
  CHECK(c.http_max_connections == 1024);
  CHECK(c.http_max_connections_per_peer == 256);
}

TEST_CASE("config: several bad keys are all reported at once") {
  auto errors = errors_of(R"({"listen": {"port": -1}, "log": {"level": 3}, "providers": {"p": {"kind": "nope"}}})");
  CHECK(errors.size() == 3);
}

TEST_CASE("config: malformed JSON says where") {
  auto errors = errors_of("{\n  \"listen\": {\"port\": 1,,}\n}");
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::Contains("not valid JSON") && Catch::Contains("line 2"));
}

// Regression (fuzz_config): nlohmann reports a number beyond a double as out_of_range, not parse_error; it
// escaped parse_config, so dialerd and --check-config died on std::terminate instead of naming the problem.
TEST_CASE("config: a config nested past 64 levels is refused before it is parsed") {
  std::string deep = "{\"x\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  auto errors = errors_of(deep);
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::Contains("nests deeper than 64 levels"));
  // 64 levels is still read (and then judged key by key).
  auto ok = errors_of("{\"x\": " + std::string(63, '[') + std::string(63, ']') + "}");
  REQUIRE(!ok.empty());
  CHECK_THAT(ok[0], Catch::StartsWith("x") && !Catch::Contains("nests deeper"));
}

TEST_CASE("config: a number too large for a double is an InvalidConfig") {
  auto errors = errors_of("{\"providers\": {\"s\": {\"kind\": \"simulator\", \"simulator\": {\"delay_ms\": 1e999}}}}");
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::Contains("not valid JSON") && Catch::Contains("number overflow"));
}

TEST_CASE("config: a missing file is an InvalidConfig that names it") {
  CHECK_THROWS_WITH(load_config_file("/nonexistent/dialerd.json"), Catch::Contains("/nonexistent/dialerd.json"));
}

TEST_CASE("config: etc/dialerd/dialerd.json is valid and documents every key") {
  std::ifstream in(DIALERD_SOURCE_DIR "/etc/dialerd/dialerd.json");
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  REQUIRE_NOTHROW(parse_config(text.str()));
  for (const auto& key : documented_keys()) {
    // The last path segment must appear as a quoted key in the example.
    auto leaf = key.path.substr(key.path.rfind('.') + 1);
    INFO(key.path);
    CHECK_THAT(text.str(), Catch::Contains("\"" + leaf + "\""));
  }
}

TEST_CASE("config: a {credential} value is read from $CREDENTIALS_DIRECTORY - errors name the key") {
  const std::string text = R"({"providers": {"p": {"kind": "batchcall", "base_url": "https://x", "api_key": "k",
                                 "api_secret": {"credential": "provider-secret"}}},
                               "webhooks": {"secrets": {"crm": {"credential": "hook"}}}})";
  unsetenv("CREDENTIALS_DIRECTORY");
  CHECK_THROWS_WITH(parse_config(text), Catch::Contains("providers.p.api_secret: {\"credential\": \"provider-secret\"} "
                                                        "needs $CREDENTIALS_DIRECTORY"));
  dialerd::testing::TempDir dir;
  setenv("CREDENTIALS_DIRECTORY", dir.path().c_str(), 1);
  CHECK_THROWS_WITH(parse_config(text), Catch::Contains("providers.p.api_secret: cannot read credential " + dir.path() +
                                                        "/provider-secret"));
  dialerd::testing::write_file(dir.file("provider-secret"), "s3cret-from-systemd\n");
  dialerd::testing::write_file(dir.file("hook"), "a-webhook-secret-of-some-length");
  auto config = parse_config(text);
  CHECK(config.providers.at("p").api_secret == "s3cret-from-systemd");
  CHECK(config.webhooks.secrets.at("crm") == "a-webhook-secret-of-some-length");
  CHECK_THROWS_WITH(
      parse_config(R"({"api": {"keys": [{"name": "x", "key": {"credential": "../etc/passwd"}, "workspace": "w"}]},
                                     "providers": {"s": {"kind": "simulator"}}})"),
      Catch::Contains("api.keys[0].key: a credential name is"));
  unsetenv("CREDENTIALS_DIRECTORY");
}

TEST_CASE("config: every key starts at the table's default, which is what loading records for it") {
  auto loaded = load_config("{" + kSim + "}");
  for (const auto& k : documented_keys()) {
    if (!k.kind.empty() && k.kind != "simulator") continue;  // another kind's own key
    auto path = k.path;
    if (auto at = path.find("<name>"); at != std::string::npos) path.replace(at, 6, "sim");
    INFO(path);
    REQUIRE(loaded.values.count(path));
  }
  // The table's defaults are applied, whatever the structs' initialisers say.
  CHECK(loaded.values.at("http.idle_timeout_ms") == 30000);
  CHECK(loaded.config.http_idle_timeout_ms == 30000);
  CHECK(loaded.values.at("providers.sim.simulator.delay_ms") == 2000);
  CHECK(loaded.config.providers.at("sim").settings.get<SimSettings>().delay_ms == 2000);
  // A given value replaces the default, in the config and in the record.
  auto given = load_config(R"({"log": {"level": "debug"}, )" + kSim + "}");
  CHECK(given.values.at("log.level") == "debug");
  CHECK(given.config.log_level == "debug");
}

TEST_CASE("config: the structs' initialisers are the table's defaults - no second truth") {
  // One provider of each kind with only its required keys: everything else is the table's default.
  nlohmann::json providers = nlohmann::json::object();
  for (const auto* kind : dialerd::providers::all_kinds()) {
    const auto& info = kind->info();
    nlohmann::json p = {{"kind", info.kind}};
    if (info.http) p["base_url"] = "https://provider.example";
    if (info.needs_api_key) p["api_key"] = "k";
    if (info.needs_api_secret) p["api_secret"] = "s";
    providers[std::string(info.kind)] = p;
  }
  auto loaded = load_config(nlohmann::json{{"providers", providers}}.dump()).config;
  Config plain;
  plain.providers = loaded.providers;
  // The rules in force are derived from compliance.rules and the overrides, which are compared.
  plain.legal = loaded.legal;
  CHECK(loaded == plain);
  for (const auto* kind : dialerd::providers::all_kinds()) {
    const auto& info = kind->info();
    INFO(info.kind);
    dialerd::config::ProviderConfig expected;
    expected.name = expected.kind = std::string(info.kind);
    if (info.http) expected.base_url = "https://provider.example";
    if (info.needs_api_key) expected.api_key = "k";
    if (info.needs_api_secret) expected.api_secret = "s";
    expected.chunk_size = info.max_chunk;                                     // 0 = the kind's maximum
    expected.server_errors_place_nothing = info.server_errors_place_nothing;  // unset = the kind's contract
    expected.settings = kind->new_settings();
    CHECK(loaded.providers.at(std::string(info.kind)) == expected);
  }
}

TEST_CASE("config: a reload applies reloadable keys and keeps the others running, by the table's flags") {
  auto running = load_config(R"({"listen": {"port": 8780}, "log": {"level": "info"},
    "providers": {"sim": {"kind": "simulator", "simulator": {"seed": 1}},
                  "old": {"kind": "simulator"},
                  "web": {"kind": "batchcall", "base_url": "http://127.0.0.1:9", "api_key": "k", "api_secret": "s"}}})");
  auto next = load_config(R"({"listen": {"port": 9000}, "log": {"level": "debug"},
    "providers": {"sim": {"kind": "simulator", "simulator": {"seed": 2}, "max_in_flight": 3},
                  "web": {"kind": "truedy", "base_url": "http://127.0.0.1:9", "api_key": "k"},
                  "new": {"kind": "simulator"}}})");
  auto plan = plan_reload(running, std::move(next));
  const auto& c = plan.loaded.config;
  std::set<std::string> restart(plan.needs_restart.begin(), plan.needs_restart.end());
  CHECK(restart ==
        std::set<std::string>{"listen.port", "providers.sim.simulator.seed", "providers.old", "providers.web"});
  // Not reloadable: the running value stays, in the config and in the record the next reload compares.
  CHECK(c.listen_port == 8780);
  CHECK(plan.loaded.values.at("listen.port") == 8780);
  CHECK(c.providers.at("sim").settings.get<SimSettings>().seed == 1);
  CHECK(plan.loaded.values.at("providers.sim.simulator.seed") == 1);
  // Reloadable: applied.
  CHECK(c.log_level == "debug");
  CHECK(c.providers.at("sim").limits.max_in_flight == 3);
  // A removed provider and one of another kind keep running as they were; a new one is added.
  CHECK(c.providers.at("old").kind == "simulator");
  CHECK(c.providers.at("web").kind == "batchcall");
  CHECK(plan.loaded.values.at("providers.web.kind") == "batchcall");
  CHECK(c.providers.count("new") == 1);
  // Reloading the same file again asks for nothing new beyond what still differs from what runs.
  auto again = plan_reload(plan.loaded, load_config(R"({"listen": {"port": 8780}, "log": {"level": "debug"},
    "providers": {"sim": {"kind": "simulator", "simulator": {"seed": 1}, "max_in_flight": 3},
                  "old": {"kind": "simulator"},
                  "web": {"kind": "batchcall", "base_url": "http://127.0.0.1:9", "api_key": "k", "api_secret": "s"},
                  "new": {"kind": "simulator"}}})"));
  CHECK(again.needs_restart.empty());
}

TEST_CASE("config: workspaces.max_in_flight names each workspace's ceiling, * the rest, and refuses bad ones") {
  auto c = parse_config(R"({"workspaces": {"max_in_flight": {"acme": 50, "*": 200}}, )" + kSim + "}");
  CHECK(c.workspace_ceiling("acme") == 50);
  CHECK(c.workspace_ceiling("globex") == 200);
  CHECK_FALSE(parse_config("{" + kSim + "}").workspace_ceiling("acme"));
  auto bad = [](const std::string& value) {
    auto errors = errors_of(R"({"workspaces": {"max_in_flight": )" + value + "}, " + kSim + "}");
    return errors.empty() ? std::string() : errors.front();
  };
  CHECK_THAT(bad(R"({"acme": 0})"),
             Catch::StartsWith("workspaces.max_in_flight: \"acme\": must be an integer 1..1000000"));
  CHECK_THAT(bad(R"({"acme": "50"})"), Catch::Contains("must be an integer"));
  CHECK_THAT(bad(R"({"no spaces": 5})"), Catch::Contains("a workspace is 1..64 letters"));
  CHECK_THAT(bad("[50]"), Catch::Contains("must be an object"));
}
