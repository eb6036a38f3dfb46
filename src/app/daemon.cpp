#include "dialerd/app/daemon.hpp"

#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>
#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>

#include "dialerd/api/v1.hpp"
#include "dialerd/asio.hpp"
#include "dialerd/domain/phone.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/http/router.hpp"
#include "dialerd/http/server.hpp"
#include "dialerd/providers/kinds.hpp"
#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/store/lock_wait.hpp"
#include "dialerd/store/store.hpp"
#include "dialerd/util/log_safe.hpp"
#include "dialerd/util/result.hpp"
#include "dialerd/util/time.hpp"
#include "dialerd/util/timer.hpp"
#include "dialerd/webhooks/sender.hpp"

namespace dialerd::app {

using config::ApiKey;
using config::Config;
using config::ProviderConfig;

namespace {

// A moved clock must never place a real call: every HTTP provider must be on loopback (the simulator has no
// URL). Webhooks are not checked: they carry no call.
util::Check test_clock_allowed(const Config& config) {
  for (const auto& [name, pc] : config.providers) {
    auto info = providers::kind_info(pc.kind);
    if (!info || !info->http) continue;
    http::Url url;
    const bool loopback = http::parse_url(pc.base_url, url) && (url.host == "127.0.0.1" || url.host == "localhost" ||
                                                                url.host == "::1" || url.host == "[::1]");
    if (!loopback)
      return util::fail("--test-clock: provider " + name +
                        "'s base_url is not on loopback (127.0.0.1, localhost, ::1); " +
                        "a moved clock must never place a real call");
  }
  return util::ok();
}

// One JSON object per line: {"ts","level","msg"}, with the message escaped properly.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(msg.time.time_since_epoch()).count();
    nlohmann::json j = {{"ts_ms", ms},
                        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                              spdlog::level::to_string_view(msg.level).size())},
                        {"msg", std::string(msg.payload.data(), msg.payload.size())}};
    auto s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(s.data(), s.data() + s.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

// The text format with each message's control characters escaped (util::escape_control): a value a client
// chose, logged inside a message, cannot start a line of its own.
class EscapingFormatter final : public spdlog::formatter {
 public:
  EscapingFormatter() : inner_(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v")) {}
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto escaped = util::escape_control(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(escaped.data(), escaped.size());
    inner_->format(copy, dest);
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<EscapingFormatter>(); }

 private:
  std::unique_ptr<spdlog::formatter> inner_;
};

std::map<std::string, providers::Limits> provider_limits(const Config& config) {
  std::map<std::string, providers::Limits> out;
  for (const auto& [name, p] : config.providers) out.emplace(name, p.limits);
  return out;
}

void write_port_file(const std::string& state_dir, int port) {
  auto path = std::filesystem::path(state_dir) / "dialerd.port";
  auto tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
  }
  std::filesystem::rename(tmp, path);  // readers never see a half-written file
}

// systemd compares MONOTONIC_USEC with its own CLOCK_MONOTONIC, so read exactly that clock.
std::uint64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000u + static_cast<std::uint64_t>(ts.tv_nsec) / 1000u;
}

// File descriptors kept out of the HTTP server's reach: the database and its WAL, provider and webhook
// connections, the listening socket, logs.
constexpr int kReservedFds = 256;

// Raises the soft limit on open files to the hard one (systemd's default soft limit is 1024) once, and
// returns the limit in force.
rlim_t open_files_limit() {
  static const rlim_t limit = [] {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return rlim_t{1024};
    if (rl.rlim_cur < rl.rlim_max) {
      rlimit raised = rl;
      raised.rlim_cur = std::min<rlim_t>(rl.rlim_max, 1u << 20);
      if (setrlimit(RLIMIT_NOFILE, &raised) == 0) rl = raised;
    }
    return rl.rlim_cur;
  }();
  return limit;
}

// http.max_connections, lowered when the open-files limit would not leave kReservedFds free.
int connection_cap(int configured) {
  auto limit = open_files_limit();
  int room = limit > static_cast<rlim_t>(kReservedFds + 16)
                 ? static_cast<int>(std::min<rlim_t>(limit - kReservedFds, 1 << 24))
                 : 16;
  if (configured > room) {
    static bool warned = false;
    if (!warned)
      spdlog::warn(
          "http.max_connections {} lowered to {}: the open-files limit is {} and {} are kept for the "
          "database and provider connections",
          configured, room, static_cast<std::uint64_t>(limit), kReservedFds);
    warned = true;
    return room;
  }
  return configured;
}

// How often STATUS= is refreshed while running.
constexpr std::chrono::seconds kStatusPeriod{10};
// Beyond drain_timeout_ms, what the WAL checkpoint and exit may take when asking systemd for more stop time.
constexpr std::chrono::seconds kStopMargin{10};

}  // namespace

void configure_logging(const Config& config) {
  auto logger = spdlog::default_logger();
  if (!logger || logger->name() != "dialerd") {
    logger = spdlog::stderr_color_mt("dialerd");
    spdlog::set_default_logger(logger);
  }
  if (config.log_format == "json") {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(std::make_unique<EscapingFormatter>());
  }
  logger->set_level(spdlog::level::from_str(config.log_level));
  logger->flush_on(spdlog::level::info);
}

struct Daemon::Impl {
  std::shared_ptr<const Config> config;
  std::string config_path;
  asio::io_context ioc{1};
  const bool test_clock;      // --test-clock: the clock below is moved (README, "Configuration")
  util::RealTimeSystem time;  // the wall clock (or the test clock) and the timers the loops wait on
  std::unique_ptr<store::Store> store;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  std::unique_ptr<webhooks::Sender> webhooks;
  providers::OutcomeSink sink;  // where the simulator reports outcomes
  http::Router router;
  std::unique_ptr<api::Context> api_ctx;
  std::unique_ptr<http::Server> server;
  std::optional<asio::signal_set> signals;
  bool stopping = false;
  int exit_code = 0;
  // systemd (sd_notify): off when NOTIFY_SOCKET is unset, so a plain run does no status queries.
  bool notify_enabled = std::getenv("NOTIFY_SOCKET") != nullptr;
  std::chrono::microseconds watchdog_interval{0};  // WATCHDOG_USEC / 2; 0 = no watchdog
  std::string reload_problem;                      // the last reload failed: shown in STATUS= until one succeeds

  std::map<std::string, nlohmann::json> config_values;  // each key's value in force (plan_reload compares them)

  Impl(Loaded loaded, std::string path, std::optional<domain::UnixMs> test_clock_start)
      : config(std::make_shared<const Config>(std::move(loaded.config))),
        config_path(std::move(path)),
        test_clock(test_clock_start.has_value()),
        time(test_clock_start ? *test_clock_start - util::SystemClock().now_ms() : 0),
        config_values(std::move(loaded.values)) {}

  void notify(const std::string& message) {
    if (notify_enabled) sd_notify(0, message.c_str());
  }

  // The one-line STATUS= summary that `systemctl status dialerd` shows.
  std::string status_line() {
    if (stopping)
      return fmt::format("stopping: draining {} submission(s) in flight", scheduler->submissions_in_flight());
    try {
      // Two aggregate queries (the ones /metrics uses), not one per campaign.
      std::int64_t running = 0, paused = 0, in_flight = 0, held = 0;
      for (const auto& [status, n] : store->reports().campaign_totals()) {
        if (status == "running") running = n;
        if (status == "paused") paused = n;
      }
      for (const auto& [state, n] : store->reports().call_totals()) {
        if (state == "dispatching" || state == "in_progress") in_flight += n;
        if (state == "held") held = n;
      }
      auto line = fmt::format("running: {} campaign(s), {} paused, {} call(s) in flight, {} held", running, paused,
                              in_flight, held);
      if (!reload_problem.empty()) line += "; " + reload_problem;
      return line;
    } catch (const std::exception& e) {
      return fmt::format("running: status unavailable: {}", e.what());
    }
  }

  // Sends `fields` (each ending in a newline) followed by a fresh STATUS= line.
  void notify_with_status(const std::string& fields) {
    if (notify_enabled) notify(fields + "STATUS=" + status_line());
  }

  // Pings the watchdog from the event loop (a stuck loop stops pinging and systemd restarts dialerd) and
  // refreshes STATUS= every kStatusPeriod. Runs until the loop stops.
  awaitable<void> heartbeat() {
    asio::steady_timer timer(ioc);
    auto tick = std::chrono::duration_cast<std::chrono::steady_clock::duration>(kStatusPeriod);
    if (watchdog_interval.count() > 0)
      tick = std::min(tick, std::chrono::duration_cast<decltype(tick)>(watchdog_interval));
    auto next_status = std::chrono::steady_clock::now() + kStatusPeriod;
    for (;;) {
      timer.expires_after(tick);
      co_await timer.async_wait(use_awaitable);
      if (watchdog_interval.count() > 0) notify("WATCHDOG=1");
      if (std::chrono::steady_clock::now() >= next_status) {
        notify_with_status("");
        next_status = std::chrono::steady_clock::now() + kStatusPeriod;
      }
    }
  }

  void reload() {
    notify(fmt::format("RELOADING=1\nMONOTONIC_USEC={}\nSTATUS=reloading the config", monotonic_usec()));
    try {
      // Keys that changed but need a restart keep their running values: the config in force describes
      // what runs.
      auto plan = plan_reload({*config, config_values}, config_path.empty() ? load_config(default_config_text())
                                                                            : load_config_from_file(config_path));
      Config& next = plan.loaded.config;
      const Config& old = *config;
      if (test_clock)
        if (auto allowed = test_clock_allowed(next); !allowed) throw std::runtime_error(allowed.error());
      // First what can still refuse (an unusable CA file): then nothing has been applied yet.
      auto reloaded =
          providers::reload_providers(old.providers, next.providers, scheduler->providers(), {ioc, sink, time});
      webhooks->set_settings(next.webhooks);
      scheduler->predial().set_settings(next.webhooks);  // the same CA file: it loads here too
      configure_logging(next);
      server->set_limits(next.http_body_limit, next.http_idle_timeout_ms, connection_cap(next.http_max_connections),
                         next.http_max_connections_per_peer, next.http_bulk_body_limit);
      scheduler->set_legal_rules(next.legal);
      scheduler->set_call_timeout(next.call_timeout_s);
      scheduler->set_retry_settings(next.retry);
      scheduler->set_workspace_ceilings(next.workspace_max_in_flight);
      scheduler->wake();
      webhooks->wake();
      for (const auto& key : plan.needs_restart)
        spdlog::warn("reload: {} changed; it takes effect after a restart (it keeps running as before)", key);
      // Providers: changed HTTP providers are rebuilt (the next submission uses the new URL and credentials;
      // submissions in flight finish on the old client). What needs a restart keeps its running config,
      // so the config in force always describes the providers running.
      for (const auto& name : reloaded.needs_restart) {
        spdlog::warn(
            "reload: provider {} is not rebuilt while running (a simulator holds the outcomes it will "
            "report); its changes take effect after a restart (it keeps running as before)",
            name);
        if (auto it = old.providers.find(name); it != old.providers.end()) next.providers[name] = it->second;
      }
      for (const auto& name : reloaded.changed) spdlog::info("reload: provider {} now uses its new settings", name);
      for (const auto& name : reloaded.added) spdlog::info("reload: provider {} added", name);
      scheduler->set_providers(std::move(reloaded.providers));
      scheduler->set_limits(provider_limits(next));
      config = std::make_shared<const Config>(std::move(next));
      config_values = std::move(plan.loaded.values);
      reload_problem.clear();
      spdlog::info("reload: config re-read and applied");
    } catch (const std::exception& e) {
      reload_problem = "the last reload failed and the running config was kept (see the log)";
      spdlog::error("reload: keeping the running config: {}", e.what());
    }
    notify_with_status("READY=1\n");
  }

  awaitable<void> drain() {
    spdlog::info("shutdown: no new calls are claimed; waiting up to {} ms for {} submission(s) in flight",
                 config->drain_timeout_ms, scheduler->submissions_in_flight());
    // EXTEND_TIMEOUT_USEC only ever lengthens TimeoutStopSec: a drain_timeout_ms raised by a reload is honoured.
    auto stop_budget = std::chrono::milliseconds(config->drain_timeout_ms) + kStopMargin;
    notify_with_status(fmt::format("STOPPING=1\nEXTEND_TIMEOUT_USEC={}\n",
                                   std::chrono::duration_cast<std::chrono::microseconds>(stop_budget).count()));
    server->stop();
    scheduler->stop_claiming();
    webhooks->stop();
    asio::steady_timer timer(ioc);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(config->drain_timeout_ms);
    // Webhook tries under way finish too (a try cut short would be sent again after the next start).
    while ((scheduler->submissions_in_flight() > 0 || webhooks->tries_running() > 0) &&
           std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(use_awaitable);
    }
    if (webhooks->tries_running() > 0)
      spdlog::warn("shutdown: {} webhook deliveries still under way; their events are sent again after the next start",
                   webhooks->tries_running());
    if (scheduler->submissions_in_flight() > 0)
      spdlog::warn(
          "shutdown: {} submission(s) still in flight; their calls stay dispatching and are reconciled at "
          "next start (held, or resubmitted under the same key for idempotent providers)",
          scheduler->submissions_in_flight());
    try {
      store->checkpoint();
    } catch (const std::exception& e) {
      spdlog::warn("shutdown: WAL checkpoint failed: {}", e.what());
    }
    spdlog::info("shutdown: done");
    ioc.stop();
  }

  awaitable<void> handle_signals() {
    for (;;) {
      int sig = co_await signals->async_wait(use_awaitable);
      if (sig == SIGHUP) {
        if (stopping)
          spdlog::warn("reload: ignored, dialerd is stopping");
        else
          reload();
        continue;
      }
      if (stopping) {
        spdlog::warn("second stop signal: exiting now");
        exit_code = 1;
        ioc.stop();
        co_return;
      }
      stopping = true;
      asio::co_spawn(ioc, drain(), asio::detached);
    }
  }
};

namespace {
awaitable<void> record_outcomes(scheduler::Scheduler& scheduler, std::string provider,
                                std::vector<domain::OutcomeReport> reports) {
  try {
    co_await store::when_unlocked([&] { scheduler.apply_outcomes(provider, reports); }, std::nullopt);
  } catch (const std::exception& e) {
    spdlog::error("provider {}: recording {} outcomes failed: {}", provider, reports.size(), e.what());
  }
}
}  // namespace

Daemon::Daemon(Loaded config, std::string config_path, std::optional<domain::UnixMs> test_clock)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(config_path), test_clock)) {}
Daemon::~Daemon() = default;

int Daemon::run() {
  Impl& d = *impl_;
  const Config& cfg = *d.config;
  if (d.test_clock) {
    if (auto allowed = test_clock_allowed(cfg); !allowed) throw std::runtime_error(allowed.error());
    spdlog::warn("--test-clock: the daemon's clock reads {} (the wall clock moved by {} s); for tests only",
                 util::format_rfc3339(d.time.now_ms()), (d.time.now_ms() - util::SystemClock().now_ms()) / 1000);
  }
  // A schema migration may copy the whole queue (migration 4 rebuilds calls: about 5 s per million calls on
  // the benchmark machine); systemd's default start timeout is 90 s, so ask for 15 minutes for this step.
  d.notify("STATUS=starting: opening the database\nEXTEND_TIMEOUT_USEC=900000000");
  std::filesystem::create_directories(cfg.state_dir);
  d.store = std::make_unique<store::Store>(
      store::StoreOptions{cfg.database_path(), cfg.db_synchronous, cfg.db_busy_timeout_ms, cfg.db_wal_autocheckpoint});
  spdlog::info("database {} open (schema ready)", cfg.database_path());
  auto reconciled = d.store->reconcile_dispatching(
      [&cfg](const std::string& provider) {
        auto it = cfg.providers.find(provider);
        if (it == cfg.providers.end()) return false;
        auto info = providers::kind_info(it->second.kind);
        return info && info->idempotent_submit;
      },
      "submission outcome unknown after a restart: release or fail it", d.time.now_ms());
  if (reconciled.released > 0)
    spdlog::info("start-up: {} call(s) were claimed but not yet sent when dialerd stopped; they are pending again",
                 reconciled.released);
  if (reconciled.held > 0)
    spdlog::warn(
        "start-up: {} call(s) were being submitted when dialerd stopped; they are held for review "
        "(dialerctl held)",
        reconciled.held);

  if (auto skipped = d.store->finish_cancels(d.time.now_ms()); skipped > 0)
    spdlog::info("start-up: {} pending call(s) of cancelled campaigns skipped (a cancel was interrupted)", skipped);

  // Serving from here on: a lock another process holds is waited for off the loop, never for long on it.
  d.store->set_lock_wait(store::kLoopLockWaitMs);

  // Builds the number-check tables now rather than in the first request (docs/PERFORMANCE.md).
  if (domain::phone_fast_path_enabled())
    spdlog::info("phone numbers: fast libphonenumber check on");
  else
    spdlog::warn(
        "phone numbers: the fast check disagreed with libphonenumber at start and is off; numbers "
        "are checked the slow way (correct, about 20 us each)");

  d.scheduler = std::make_unique<scheduler::Scheduler>(d.ioc, *d.store, d.time);
  scheduler::ProviderMap providers;
  d.sink = [&d](const std::string& provider, std::vector<domain::OutcomeReport> reports) {
    // Outcomes exist nowhere else: a lock held by another process is waited out, however long.
    asio::co_spawn(d.ioc, record_outcomes(*d.scheduler, provider, std::move(reports)), asio::detached);
  };
  for (const auto& [name, pc] : cfg.providers) {
    auto provider = providers::make_provider(pc, {d.ioc, d.sink, d.time});
    provider->resume(d.store->in_progress_call_ids(name));
    providers.emplace(name, std::move(provider));
    spdlog::info("provider {}: kind {}, chunk size {}", name, pc.kind, pc.chunk_size);
  }
  d.scheduler->set_providers(std::move(providers));
  d.scheduler->set_limits(provider_limits(cfg));
  d.scheduler->set_legal_rules(cfg.legal);
  d.scheduler->set_call_timeout(cfg.call_timeout_s);
  d.scheduler->set_retry_settings(cfg.retry);
  d.scheduler->set_workspace_ceilings(cfg.workspace_max_in_flight);
  d.scheduler->predial().set_settings(cfg.webhooks);
  d.webhooks = std::make_unique<webhooks::Sender>(d.ioc, *d.store, d.time);
  d.webhooks->set_settings(cfg.webhooks);
  d.store->on_webhook_queued([&d] { d.webhooks->wake(); });
  for (const auto& [name, pc] : cfg.providers)
    if (auto info = providers::kind_info(pc.kind); info && info->http && pc.events_secret.empty())
      spdlog::warn("provider {}: outcome callbacks are not authenticated (set providers.{}.events.secret)", name, name);

  d.api_ctx =
      std::make_unique<api::Context>(api::Context{*d.store, *d.store, *d.store, *d.store, d.store->reports(), *d.store,
                                                  *d.scheduler, d.time, [&d]() -> const Config& { return *d.config; }});
  api::register_routes(d.router, *d.api_ctx);
  api::start_dnc_maintenance(*d.api_ctx, d.ioc);
  http::ServerOptions server_options{cfg.listen_address,
                                     cfg.listen_port,
                                     cfg.http_body_limit,
                                     cfg.http_idle_timeout_ms,
                                     connection_cap(cfg.http_max_connections),
                                     cfg.http_max_connections_per_peer};
  server_options.bulk_body_limit = cfg.http_bulk_body_limit;
  server_options.is_bulk = [&d](const http::Request& head) { return api::may_send_bulk(*d.api_ctx, d.router, head); };
  d.server = std::make_unique<http::Server>(d.ioc, std::move(server_options), [&d](http::Request r) {
    return api::serve(*d.api_ctx, d.router, std::move(r));
  });
  if (cfg.api_keys.empty() && cfg.listen_address != "127.0.0.1" && cfg.listen_address != "::1")
    spdlog::warn("the API listens on {} with no api.keys: anyone who can reach it can place calls", cfg.listen_address);
  d.server->start();
  write_port_file(cfg.state_dir, d.server->port());
  spdlog::info("listening on http://{}:{}", cfg.listen_address, d.server->port());

  d.scheduler->resubmit(std::move(reconciled.resubmit));
  d.scheduler->start();
  d.webhooks->start();
  // Installed before READY=1: from then on systemd may send SIGHUP, whose default action would kill us.
  d.signals.emplace(d.ioc, SIGINT, SIGTERM, SIGHUP);
  asio::co_spawn(d.ioc, d.handle_signals(), asio::detached);
  if (std::uint64_t usec = 0; sd_watchdog_enabled(0, &usec) > 0) {
    d.watchdog_interval = std::chrono::microseconds(usec / 2);
    spdlog::info("systemd watchdog: {} ms, pinged every {} ms", usec / 1000, usec / 2000);
  }
  if (d.notify_enabled) asio::co_spawn(d.ioc, d.heartbeat(), asio::detached);
  d.notify_with_status("READY=1\n");
  d.ioc.run();
  return d.exit_code;
}

}  // namespace dialerd::app
