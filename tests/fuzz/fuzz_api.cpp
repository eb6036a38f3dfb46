// The v1 API's request bodies, through the real router, handlers and store (a SQLite file in a temporary
// directory) with a scheduler that never runs: what a client can send, short of the socket.
//
// Input: byte 0 picks the route (kRoutes), byte 1 the campaign of routes with {id} (1 + byte % 5: 1 and 2
// run on the simulator and the batchcall provider, 3 is a draft that requires the variable order_id, 4
// follows the contact book's list lst_1, 5 does not exist); the rest is the body, or for GET and DELETE
// the target with its query.
//
// The promise checked: the answer is 2xx, 4xx or 503 (the daemon's answer to a database that cannot
// write), its body is JSON, and a 4xx or 503 carries error.code. An exception out of api::serve is what the
// server turns into 500 internal_error: a finding, like a crash.
//
// The database starts fresh every kRunsPerDatabase inputs so it stays small, and for each input of the
// corpus replay (fuzz_api_reset).
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <typeinfo>

#include <boost/asio/use_future.hpp>
#include <nlohmann/json.hpp>

#include "dialerd/api/v1.hpp"
#include "dialerd/app/config.hpp"
#include "dialerd/providers/provider.hpp"
#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/store/store.hpp"
#include "dialerd/util/timer.hpp"
#include "fuzz_targets.hpp"
#include "providers/batchcall/batchcall.hpp"

namespace dialerd::fuzz {

namespace {

using json = nlohmann::json;

constexpr int kRunsPerDatabase = 2000;
// Wednesday 2026-03-18 17:00 UTC: 13:00 in New York, 10:00 in Los Angeles, inside the respectful hours, so
// calls placed now can pass every check.
constexpr domain::UnixMs kNow = 1773853200000;

constexpr const char* kConfig = R"({
  "phone": {"default_region": "US"},
  "webhooks": {"secrets": {"wh1": "fuzz-webhook-secret-0123456789"}},
  "providers": {
    "sim": {"kind": "simulator", "simulator": {"seed": 1}},
    "bc": {"kind": "batchcall", "base_url": "http://127.0.0.1:9", "api_key": "k", "api_secret": "s"}
  }
})";

struct Route {
  const char* method;
  const char* path;  // "{id}" is replaced by the campaign byte's id
  const char* content_type;
};
constexpr Route kRoutes[] = {
    {"POST", "/v1/campaigns", "application/json"},
    {"POST", "/v1/campaigns/{id}/contacts", "application/json"},
    {"POST", "/v1/campaigns/{id}/contacts", "text/csv"},
    {"POST", "/v1/calls", "application/json"},
    {"POST", "/v1/calls/bulk", "application/json"},
    {"POST", "/v1/suppressions", "application/json"},
    {"PATCH", "/v1/campaigns/{id}", "application/json"},
    {"POST", "/v1/providers/bc/events", "application/json"},
    {"POST", "/v1/providers/sim/events", "application/json"},
    {"PATCH", "/v1/contacts/+14155550101", "application/json"},
    {"POST", "/v1/campaigns/{id}/held/release", "application/json"},
    {"GET", "", ""},  // the body is the target: every GET route's path parameters and query
    {"POST", "/v1/contacts", "application/json"},
    {"POST", "/v1/contacts?list_id=lst_1", "text/csv"},
    {"PATCH", "/v1/contacts/ctc_4", "application/json"},
    {"POST", "/v1/lists", "application/json"},
    {"PATCH", "/v1/lists/lst_1", "application/json"},
    {"POST", "/v1/lists/lst_1/members", "application/json"},
    {"POST", "/v1/lists/lst_1/members", "text/csv"},
    {"POST", "/v1/lists/lst_1/members/remove", "application/json"},
    {"DELETE", "", ""},  // as GET: the body is the target
};

// $TMPDIR if set (bench/fuzz.sh points it at its scratch directory), else memory-backed /dev/shm.
std::string temp_dir() {
  const char* tmpdir = getenv("TMPDIR");
  std::string base = tmpdir && *tmpdir ? tmpdir : ::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  std::string templ = base + "/dialerd-fuzz-XXXXXX";
  if (!::mkdtemp(templ.data())) fail("cannot make a temporary directory under " + base);
  return templ;
}

http::Request request(const std::string& method, const std::string& target, const std::string& content_type,
                      std::string body) {
  http::Request r;
  r.method = method;
  r.target = target;
  http::parse_target(r.target, r.path, r.query);
  r.headers["content-type"] = content_type;
  r.headers["content-length"] = std::to_string(body.size());
  r.body = std::move(body);
  r.remote = "127.0.0.1:1";
  return r;
}

// A database with three campaigns, a batchcall call in progress under provider call id "B1:+14155550102" (so
// provider events can match a call) and a held one.
class World {
 public:
  World()
      : dir_(temp_dir()),
        config_(app::parse_config(kConfig)),
        clock_(kNow),
        store_(store::StoreOptions{dir_ + "/fuzz.db", "normal", 5000, 1000}),
        scheduler_(ioc_, store_, clock_),
        ctx_{store_,     store_,           store_,
             store_,     store_.reports(), store_,
             scheduler_, clock_,           [this]() -> const config::Config& { return config_; }} {
    scheduler::ProviderMap providers;
    std::map<std::string, providers::Limits> limits;
    for (const auto& [name, pc] : config_.providers) {
      providers.emplace(name, providers::make_provider(pc, {ioc_, [](const std::string&, auto) {}, clock_}));
      limits.emplace(name, pc.limits);
    }
    scheduler_.set_providers(std::move(providers));
    scheduler_.set_limits(limits);
    scheduler_.set_legal_rules(config_.legal);
    scheduler_.set_retry_settings(config_.retry);
    api::register_routes(router_, ctx_);

    auto create = [&](json body) {
      auto r = serve(request("POST", "/v1/campaigns", "application/json", body.dump()));
      if (r.status != 201)
        fail("fuzz_api setup: POST /v1/campaigns answered " + std::to_string(r.status) + ": " + r.body);
    };
    json base = {{"agent_id", "agent_1"},
                 {"from_number", "+14155550100"},
                 {"timezone", "America/New_York"},
                 {"complete_when_done", false}};
    json sim = base, bc = base, draft = base;
    sim.update({{"name", "sim"}, {"provider", "sim"}, {"contacts", {{{"phone_number", "+14155550101"}}}}});
    bc.update({{"name", "bc"},
               {"provider", "bc"},
               {"contacts", {{{"phone_number", "+14155550102"}}, {{"phone_number", "+14155550103"}}}}});
    draft.update({{"name", "draft"},
                  {"provider", "sim"},
                  {"status", "draft"},
                  {"required_variables", {"order_id"}},
                  {"webhook", {{"url", "https://example.com/hook"}, {"secret_id", "wh1"}}}});
    create(sim);
    create(bc);
    create(draft);
    // The contact book: list lst_1 with record ctc_4 (ctc_1..3 are the campaigns' contacts), followed by a
    // campaign, so member routes make calls too.
    for (auto [path, body] :
         {std::pair<const char*, json>{"/v1/lists", {{"name", "l"}}},
          {"/v1/contacts",
           {{"list_id", "lst_1"}, {"contacts", {{{"phone_number", "+14155550104"}, {"external_id", "cus-4"}}}}}}}) {
      auto r = serve(request("POST", path, "application/json", body.dump()));
      if (r.status / 100 != 2) fail(std::string("fuzz_api setup: POST ") + path + " answered " + r.body);
    }
    json follower = base;
    follower.update(
        {{"name", "follower"}, {"provider", "sim"}, {"contact_folder_id", "lst_1"}, {"follow_lists", true}});
    create(follower);
    auto chunk = store_.claim(*store_.campaign(2), 1, kNow);
    if (!chunk || chunk->calls.size() != 1) fail("fuzz_api setup: no call of campaign 2 to claim");
    const auto& call = chunk->calls.front();
    store_.record_submission(*chunk,
                             {{domain::SubmitResult::Kind::accepted, call.id,
                               providers::batchcall::BatchCallAdapter::call_id("B1", call.phone), "", 0}},
                             kNow);
    // The campaign's other call is held (its submission's fate unknown), for the held/release route.
    auto held = store_.claim(*store_.campaign(2), 1, kNow);
    if (!held || held->calls.size() != 1) fail("fuzz_api setup: no second call of campaign 2 to claim");
    store_.record_submission(*held, {{domain::SubmitResult::Kind::uncertain, held->calls.front().id, "", "fuzz", 0}},
                             kNow);
  }

  ~World() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  http::Response serve(http::Request r) {
    asio::io_context here;  // the answer's own loop: the world's io_context is never run
    auto done = asio::co_spawn(here, api::serve(ctx_, router_, std::move(r)), asio::use_future);
    here.run();
    return done.get();
  }

 private:
  // Members in the daemon's order (src/app/daemon.cpp): the scheduler goes before the io_context holding
  // the submissions it never ran, and both before the store.
  std::string dir_;
  config::Config config_;
  util::SimulatedTimeSystem clock_;
  store::Store store_;
  asio::io_context ioc_{1};  // never run
  scheduler::Scheduler scheduler_;
  http::Router router_;
  api::Context ctx_;
};

std::unique_ptr<World> world;
int runs_on_world = 0;

void check_response(const http::Response& r, const std::string& what) {
  const bool ok = (r.status >= 200 && r.status < 300) || (r.status >= 400 && r.status < 500) || r.status == 503;
  expect(ok, what + " answered " + std::to_string(r.status) + ": " + r.body);
  if (r.status == 204 || (r.status < 300 && r.content_type.rfind("application/json", 0) != 0)) return;  // /metrics
  json body;
  try {
    body = json::parse(r.body);
  } catch (const json::exception& e) {
    fail(what + " answered " + std::to_string(r.status) + " with a body that is not JSON (" + e.what() +
         "): " + r.body);
  }
  expect(body.is_object(), what + ": the body is not a JSON object: " + r.body);
  if (r.status < 300) {
    expect(body.contains("data"), what + " answered " + std::to_string(r.status) + " without data: " + r.body);
    return;
  }
  const auto error = body.find("error");
  expect(error != body.end() && error->is_object(),
         what + " answered " + std::to_string(r.status) + " without an error object");
  const auto code = error->find("code");
  expect(code != error->end() && code->is_string() && !code->get<std::string>().empty(),
         what + " answered " + std::to_string(r.status) + " without error.code: " + r.body);
  expect(error->contains("message") && (*error)["message"].is_string(), what + ": error.message is not a string");
}

}  // namespace

void fuzz_api_reset() {
  world.reset();
  runs_on_world = 0;
}

int fuzz_api_one(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  if (!world || runs_on_world >= kRunsPerDatabase) {
    world.reset();  // the old database's files go before the new one's are made
    world = std::make_unique<World>();
    runs_on_world = 0;
  }
  ++runs_on_world;
  const Route& route = kRoutes[data[0] % std::size(kRoutes)];
  std::string target = route.path, body(reinterpret_cast<const char*>(data + 2), size - 2);
  if (auto at = target.find("{id}"); at != std::string::npos) target.replace(at, 4, std::to_string(1 + data[1] % 5));
  if (target.empty()) {
    target = body.rfind('/', 0) == 0 ? body : "/v1/" + body;
    body.clear();
  }
  const std::string what = std::string(route.method) + " " + target + " (" + route.content_type + ")";
  http::Response response;
  try {
    response = world->serve(request(route.method, target, route.content_type, std::move(body)));
  } catch (const Violation&) {
    throw;
  } catch (const std::exception& e) {
    fail(what + ": " + typeid(e).name() + " escaped the handler (the server answers 500): " + e.what());
  }
  // DIALERD_FUZZ_VERBOSE=1: each request's answer, for reading a reproducer or checking what seeds reach.
  static const bool verbose = getenv("DIALERD_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%s -> %d %.300s\n", what.c_str(), response.status, response.body.c_str());
  check_response(response, what);
  return 0;
}

}  // namespace dialerd::fuzz
