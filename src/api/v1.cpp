#include <array>
#include <atomic>
#include <chrono>

#include <boost/asio/thread_pool.hpp>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

#include "common.hpp"
#include "dialerd/store/lock_wait.hpp"
#include "dialerd/util/crypto.hpp"
#include "dialerd/util/json_depth.hpp"
#include "dialerd/util/metrics.hpp"
#include "dialerd/util/random.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::api {

namespace {
std::string next_request_id() {
  static const std::uint32_t salt = util::Random().bits32();
  static std::atomic<std::uint64_t> seq{0};
  return fmt::format("req_{:08x}{:08x}", salt, ++seq);
}
}  // namespace

http::Response envelope(int status, json data, domain::UnixMs now) {
  http::Response r;
  r.status = status;
  r.body =
      json{{"data", std::move(data)}, {"meta", {{"request_id", next_request_id()}, {"ts", util::format_rfc3339(now)}}}}
          .dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

http::Response bad_request_response(const BadRequest& e) {
  auto r = http::error_response(e.status, e.code, e.message, e.field);
  if (!e.extra.empty()) {
    auto body = json::parse(r.body);
    body["error"].update(e.extra);
    r.body = body.dump();
  }
  return r;
}

http::Handler guarded(std::function<http::Response(const http::Request&, const http::Params&)> fn) {
  return [fn = std::move(fn)](const http::Request& req, const http::Params& params) {
    try {
      return fn(req, params);
    } catch (const BadRequest& e) {
      return bad_request_response(e);
    }
  };
}

namespace {
asio::thread_pool& worker() {
  static asio::thread_pool pool(1);
  return pool;
}
awaitable<void> run_work(std::function<void()>* work) {
  (*work)();
  co_return;
}
}  // namespace

awaitable<void> off_loop(std::function<void()> work) {
  co_await asio::co_spawn(worker(), run_work(&work), use_awaitable);
}

awaitable<json> json_off_loop(std::function<json()> work) {
  json out;
  co_await off_loop([&] { out = work(); });
  co_return out;
}

awaitable<json> parse_json_body_off_loop(const http::Request& req) {
  if (req.body.size() < kParseOnLoopBytes) co_return parse_json_body(req);
  json out = co_await json_off_loop([&req] { return parse_json_body(req); });
  co_return out;
}

std::string media_type(const http::Request& req) {
  auto type = req.header("content-type");
  std::string media = type.substr(0, type.find(';'));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return media;
}

json parse_json_body(const http::Request& req) {
  auto type = req.header("content-type");
  if (media_type(req) != "application/json")
    throw BadRequest(
        415, "unsupported_media_type",
        "Content-Type must be application/json, got '" + (type.empty() ? std::string("(none)") : type) + "'");
  // nlohmann parses any depth, but copying, comparing and dumping a value recurse: a few hundred kilobytes
  // of '[' overflowed the stack in the dump below and crashed the daemon (tests/unit/api/json_body_test.cpp).
  if (util::json_nested_deeper_than(req.body))
    throw BadRequest(400, "invalid_json",
                     "body nests arrays and objects more than " + std::to_string(util::kMaxJsonDepth) + " deep");
  json body;
  try {
    body = json::parse(req.body);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number beyond a double (1e999)
    throw BadRequest(400, "invalid_json", std::string("body is not valid JSON: ") + e.what());
  }
  // The parser passes some invalid UTF-8 through in strings; refuse it here, before it is stored or echoed.
  try {
    (void)body.dump();
  } catch (const json::type_error&) {
    throw BadRequest(400, "invalid_json", "body is not valid UTF-8");
  }
  return body;
}

domain::Campaign owned_campaign(Context& ctx, const http::Request& req, const std::string& id_text) {
  auto id = parse_id(id_text, "campaign");
  // Another workspace's campaign does not exist as far as this caller can tell: the same query finds
  // nothing for it as for a missing id, so neither the answer nor its timing tells them apart.
  auto campaign = ctx.campaigns.campaign(req.workspace, id);
  if (!campaign) throw BadRequest(404, "not_found", "no campaign " + id_text);
  return *campaign;
}

schedule::CallFacts live_facts(Context& ctx, const domain::Campaign& campaign, const schedule::CampaignRules& rules,
                               int placing, domain::UnixMs now) {
  schedule::CallFacts facts;
  facts.campaign_in_flight = ctx.campaigns.in_flight(campaign.id);
  facts.paced_until = ctx.scheduler.paced_until(campaign, placing, now);
  if (rules.max_calls_per_day)
    facts.campaign_calls_today =
        ctx.campaigns.campaign_calls_since(campaign.id, schedule::local_day_start(rules.zone, now));
  if (auto ceiling = ctx.config().workspace_ceiling(campaign.spec.workspace))
    facts.workspace =
        schedule::CallFacts::WorkspaceLoad{ctx.campaigns.workspace_in_flight(campaign.spec.workspace), *ceiling};
  if (schedule::limits_caller_ids(campaign.spec)) facts.caller_ids = ctx.scheduler.caller_ids(campaign, rules, now);
  return facts;
}

[[noreturn]] void forbidden(const std::string& what) {
  throw BadRequest(403, "forbidden", what + " needs an admin key (api.keys[].role \"admin\")");
}

std::optional<std::string> key_name(const http::Request& req) {
  return req.key_name.empty() ? std::nullopt : std::optional<std::string>(req.key_name);
}

std::string scope_owner(const http::Request& req, bool global_for_all, const std::string& global_what,
                        const std::string& other_what) {
  auto scope = req.query.find("scope");
  auto workspace = req.query.find("workspace");
  if (scope != req.query.end() && scope->second != "global" && scope->second != "workspace")
    bad_field("scope", "must be \"workspace\" or \"global\"");
  const bool global = scope != req.query.end() && scope->second == "global";
  if (global && workspace != req.query.end()) bad_field("workspace", "cannot be given with scope=global");
  if (global) {
    if (!global_for_all && !req.admin) forbidden(global_what);
    return std::string(domain::kGlobalList);
  }
  if (workspace != req.query.end() && workspace->second != req.workspace) {
    if (!req.admin) forbidden(other_what);
    return workspace->second;
  }
  return req.workspace;
}

bool is_digits(std::string_view t) {
  return !t.empty() && t.size() <= 18 && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

domain::CampaignId parse_id(const std::string& text, const char* what) {
  if (!is_digits(text)) throw BadRequest(404, "not_found", std::string("no ") + what + " " + text);
  return std::stoll(text);
}

std::optional<std::string> opt_string(const json& obj, const char* key, const std::string& path, std::size_t max_len) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) bad_field(path, std::string("must be a string, got ") + it->type_name());
  auto s = it->get<std::string>();
  // Length in characters (UTF-8 code points), not bytes; nlohmann has already checked the encoding.
  std::size_t chars =
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  if (chars > max_len) bad_field(path, "must be at most " + std::to_string(max_len) + " characters");
  return s;
}

std::string req_string(const json& obj, const char* key, const std::string& path, std::size_t max_len) {
  auto s = opt_string(obj, key, path, max_len);
  if (!s) bad_field(path, "is required");
  if (s->empty()) bad_field(path, "must not be empty");
  return *s;
}

std::optional<std::int64_t> opt_int(const json& obj, const char* key, const std::string& path, std::int64_t min,
                                    std::int64_t max) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) bad_field(path, std::string("must be an integer, got ") + it->type_name());
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(max))
    bad_field(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  auto n = it->get<std::int64_t>();
  if (n < min || n > max) bad_field(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return n;
}

std::optional<bool> opt_bool(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) bad_field(path, std::string("must be true or false, got ") + it->type_name());
  return it->get<bool>();
}

namespace {
metrics::Counter& storage_errors() {
  return metrics::registry().counter("dialerd_storage_errors_total",
                                     "API requests refused because the database could not write (503).");
}
// The answer to a request whose transaction the database refused: 503 when it may pass later (disk full,
// I/O error, a lock held past database.busy_timeout_ms); anything else is a bug, rethrown (500).
http::Response storage_error(const http::Request& request, const store::StorageError& e) {
  using Kind = store::StorageError::Kind;
  if (e.kind() == Kind::other) throw e;
  spdlog::error("http: {} {}: database: {}", request.method, request.path, e.what());
  storage_errors().inc();
  const bool full = e.kind() == Kind::full;
  auto r = http::error_response(503, full ? "storage_full" : "storage_unavailable",
                                std::string(full ? "the database's disk is full" : "the database cannot write now") +
                                    " (" + e.what() + "); this request's change was rolled back. Retry later.");
  r.headers.emplace_back("Retry-After", "5");
  return r;
}

// The configured key a request presents (Authorization: Bearer KEY or X-API-Key), or none. Every key is
// compared, in a time that depends on neither key.
const config::ApiKey* key_of(const std::vector<config::ApiKey>& keys, const http::Request& request,
                             std::string& presented) {
  presented = request.header("x-api-key");
  auto auth = request.header("authorization");
  if (presented.empty() && auth.size() > 7 && (auth.rfind("Bearer ", 0) == 0 || auth.rfind("bearer ", 0) == 0))
    presented = auth.substr(7);
  const config::ApiKey* matched = nullptr;
  if (!presented.empty())
    for (const auto& k : keys)
      if (util::constant_time_equal(presented, k.key)) matched = &k;
  return matched;
}

}  // namespace

bool may_send_bulk(const Context& ctx, const http::Router& router, const http::Request& head) {
  if (router.body_of(head.method, head.path) != http::Body::bulk) return false;
  const auto& keys = ctx.config().api_keys;
  std::string presented;
  return keys.empty() || key_of(keys, head, presented) != nullptr;
}

awaitable<http::Response> serve(Context& ctx, const http::Router& router, http::Request request) {
  // The server refuses non-canonical targets before they get here; a request built elsewhere (tests, fuzz)
  // gets the same answer, so no spelling of a path can reach a handler unauthenticated.
  if (auto problem = http::target_problem(request.target); !request.target.empty() && !problem.empty())
    co_return http::error_response(400, "bad_request", problem);
  auto route = router.find(request);
  if (!route.found()) co_return route.refusal;
  const auto& keys = ctx.config().api_keys;
  request.workspace = "default";
  request.key_name.clear();
  request.admin = keys.empty();  // no keys configured: the API is the operator's own, on loopback
  if (route.access == http::Access::api_key && !keys.empty()) {
    std::string presented;
    const config::ApiKey* matched = key_of(keys, request, presented);
    if (!matched) {
      auto r =
          http::error_response(401, "unauthorized",
                               presented.empty() ? "an API key is required (Authorization: Bearer KEY or X-API-Key)"
                                                 : "the API key is not valid");
      r.headers.emplace_back("WWW-Authenticate", "Bearer");
      co_return r;
    }
    request.workspace = matched->workspace;
    request.key_name = matched->name;
    request.admin = matched->admin;
  }
  // A lock another process holds (sqlite3, a backup) is waited for here, on a timer, up to
  // database.busy_timeout_ms: the handler's transaction rolled back and it runs again from the start. An
  // asynchronous handler may have committed slices already, so it is never run again: it waits for locks
  // itself (store::when_unlocked), and one that reaches here answers 503.
  const auto give_up_at = std::chrono::steady_clock::now() + std::chrono::milliseconds(ctx.config().db_busy_timeout_ms);
  std::chrono::milliseconds pause{0};
  for (;;) {
    std::optional<http::Response> out;
    try {
      if (route.handler)
        out = (*route.handler)(request, route.params);
      else
        out = co_await (*route.async_handler)(request, route.params);
    } catch (const BadRequest& e) {
      out = bad_request_response(e);
    } catch (const store::StorageError& e) {
      if (!e.locked() || route.async_handler || std::chrono::steady_clock::now() >= give_up_at)
        out = storage_error(request, e);
    } catch (const store::CorruptRow& e) {
      // A row the schema should never hold (edited by hand, a disk fault): said, not read as a default.
      spdlog::error("http: {} {}: {}", request.method, request.path, e.what());
      out = http::error_response(500, "corrupt_row",
                                 std::string(e.what()) + "; the operator must fix the row (docs/OPERATIONS.md)");
    }
    if (out) co_return std::move(*out);
    store::count_lock_wait();
    pause = store::next_lock_pause(pause);
    auto executor = co_await asio::this_coro::executor;  // not inside the constructor's arguments: g++ 12
    asio::steady_timer timer(executor);
    timer.expires_after(pause);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

void register_routes(http::Router& router, Context& ctx) {
  storage_errors();  // listed at zero from the start
  store::count_lock_wait(0);
  router.add(
      "GET", "/healthz",
      [&ctx](const http::Request&, const http::Params&) {
        return envelope(200, {{"status", "ok"}}, ctx.clock.now_ms());
      },
      http::Access::open);
  // Ready to take work: the database answers and the daemon is not draining for shutdown.
  router.add(
      "GET", "/readyz",
      [&ctx](const http::Request&, const http::Params&) {
        bool db = ctx.reports.ping(), claiming = ctx.scheduler.claiming();
        json data = {{"status", db && claiming ? "ready" : "not_ready"}, {"database", db}, {"draining", !claiming}};
        return envelope(db && claiming ? 200 : 503, data, ctx.clock.now_ms());
      },
      http::Access::open);
  // Prometheus text format (docs/OPERATIONS.md): counters kept in process, plus gauges read now.
  router.add(
      "GET", "/metrics",
      [&ctx](const http::Request&, const http::Params&) {
        http::Response r;
        r.content_type = "text/plain; version=0.0.4; charset=utf-8";
        r.body = metrics::registry().render();
        std::vector<std::pair<metrics::Labels, double>> calls, called, campaigns;
        for (const auto& [state, n] : ctx.reports.call_totals())
          (state == "called" ? called : calls)
              .push_back(
                  {state == "called" ? metrics::Labels{} : metrics::Labels{{"state", state}}, static_cast<double>(n)});
        for (const auto& [status, n] : ctx.reports.campaign_totals())
          campaigns.push_back({{{"status", status}}, static_cast<double>(n)});
        r.body += metrics::render_gauge("dialerd_calls", "Calls in the queue by state, all campaigns.", calls);
        r.body +=
            metrics::render_gauge("dialerd_calls_called", "Calls submitted at least once, all campaigns.", called);
        r.body += metrics::render_gauge("dialerd_campaigns", "Campaigns by status.", campaigns);
        r.body +=
            metrics::render_gauge("dialerd_submissions_in_flight", "Chunks sent to providers and not answered yet.",
                                  {{{}, static_cast<double>(ctx.scheduler.submissions_in_flight())}});
        std::vector<std::pair<metrics::Labels, double>> breaker, in_flight, throttled, paused;
        const auto now = ctx.clock.now_ms();
        for (const auto& h : ctx.scheduler.provider_health()) {
          throttled.push_back({{{"provider", h.name}}, static_cast<double>(h.straight_throttles)});
          paused.push_back(
              {{{"provider", h.name}}, static_cast<double>(std::max<domain::UnixMs>(h.paused_until - now, 0)) / 1000});
          for (auto s :
               {providers::BreakerState::closed, providers::BreakerState::open, providers::BreakerState::half_open})
            breaker.push_back(
                {{{"provider", h.name}, {"state", std::string(providers::to_string(s))}}, h.breaker == s ? 1.0 : 0.0});
          in_flight.push_back({{{"provider", h.name}}, static_cast<double>(h.in_flight)});
        }
        r.body += metrics::render_gauge(
            "dialerd_provider_breaker_state",
            "1 for the state each provider's circuit breaker is in (closed, open, half_open).", breaker);
        r.body += metrics::render_gauge("dialerd_provider_requests_in_flight",
                                        "Submissions sent to each provider and not answered yet.", in_flight);
        r.body +=
            metrics::render_gauge("dialerd_provider_throttle_streak",
                                  "429 answers in a row from each provider (0 once it answers otherwise).", throttled);
        r.body += metrics::render_gauge(
            "dialerd_provider_paused_seconds",
            "Seconds until each provider gets submissions again after a backoff or Retry-After.", paused);
        r.body +=
            metrics::render_gauge("dialerd_webhook_outbox_pending", "Webhook events not delivered or abandoned yet.",
                                  {{{}, static_cast<double>(ctx.reports.webhook_backlog())}});
        r.body += metrics::render_gauge("dialerd_ready", "1 while the database answers and the daemon is not draining.",
                                        {{{}, ctx.reports.ping() && ctx.scheduler.claiming() ? 1.0 : 0.0}});
        return r;
      },
      http::Access::open);
  register_campaign_routes(router, ctx);
  register_event_routes(router, ctx);
  register_call_routes(router, ctx);
  register_suppression_routes(router, ctx);
  register_dnc_list_routes(router, ctx);
  register_contact_routes(router, ctx);
  register_list_routes(router, ctx);
  register_preflight_route(router, ctx);
  register_report_routes(router, ctx);
  register_console_routes(router);
}

}  // namespace dialerd::api
