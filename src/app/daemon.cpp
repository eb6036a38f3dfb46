#include "dialerd/app/daemon.hpp"

#include <csignal>
#include <filesystem>
#include <fstream>

#include <boost/asio/signal_set.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "dialerd/api/v1.hpp"
#include "dialerd/asio.hpp"
#include "dialerd/domain/phone.hpp"
#include "dialerd/http/router.hpp"
#include "dialerd/http/server.hpp"
#include "dialerd/providers/kinds.hpp"
#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/store/store.hpp"
#include "dialerd/util/clock.hpp"

namespace dialerd::app {

namespace {

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
    logger->set_formatter(std::make_unique<spdlog::pattern_formatter>("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ %v"));
  }
  logger->set_level(spdlog::level::from_str(config.log_level));
  logger->flush_on(spdlog::level::info);
}

struct Daemon::Impl {
  std::shared_ptr<const Config> config;
  std::string config_path;
  asio::io_context ioc{1};
  util::SystemClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  std::unique_ptr<webhooks::Sender> webhooks;
  http::Router router;
  std::unique_ptr<api::Context> api_ctx;
  std::unique_ptr<http::Server> server;
  bool stopping = false;
  int exit_code = 0;

  Impl(Config c, std::string path) : config(std::make_shared<const Config>(std::move(c))), config_path(std::move(path)) {}

  void reload() {
    sd_notify(0, "RELOADING=1");
    try {
      Config next = config_path.empty() ? parse_config(default_config_text()) : load_config_file(config_path);
      const Config& old = *config;
      configure_logging(next);
      server->set_limits(next.http_body_limit, next.http_idle_timeout_ms);
      scheduler->set_legal_rules(next.legal);
      scheduler->set_call_timeout(next.call_timeout_s);
      store->set_retry_settings(next.retry);
      webhooks->set_settings(next.webhooks);
      scheduler->wake();
      webhooks->wake();
      auto needs_restart = [&](bool changed, const char* key) {
        if (changed) spdlog::warn("reload: {} changed; it takes effect after a restart", key);
      };
      needs_restart(next.listen_address != old.listen_address || next.listen_port != old.listen_port, "listen");
      needs_restart(next.state_dir != old.state_dir, "state_dir");
      needs_restart(next.db_synchronous != old.db_synchronous || next.db_busy_timeout_ms != old.db_busy_timeout_ms ||
                        next.db_wal_autocheckpoint != old.db_wal_autocheckpoint,
                    "database");
      bool providers_changed = next.providers.size() != old.providers.size();
      for (const auto& [name, p] : next.providers) {
        auto it = old.providers.find(name);
        if (it == old.providers.end() || it->second.kind != p.kind || it->second.base_url != p.base_url ||
            it->second.api_key != p.api_key || it->second.api_secret != p.api_secret ||
            it->second.chunk_size != p.chunk_size || it->second.timeout_ms != p.timeout_ms)
          providers_changed = true;
      }
      needs_restart(providers_changed, "providers");
      config = std::make_shared<const Config>(std::move(next));
      spdlog::info("reload: config re-read and applied");
    } catch (const std::exception& e) {
      spdlog::error("reload: keeping the running config: {}", e.what());
    }
    sd_notify(0, "READY=1");
  }

  awaitable<void> drain() {
    spdlog::info("shutdown: no new calls are claimed; waiting up to {} ms for {} submission(s) in flight",
                 config->drain_timeout_ms, scheduler->submissions_in_flight());
    sd_notify(0, "STOPPING=1");
    server->stop();
    scheduler->stop_claiming();
    webhooks->stop();
    asio::steady_timer timer(ioc);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(config->drain_timeout_ms);
    while (scheduler->submissions_in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(use_awaitable);
    }
    if (scheduler->submissions_in_flight() > 0)
      spdlog::warn("shutdown: {} submission(s) still in flight; their calls stay dispatching and are reconciled at "
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
    asio::signal_set signals(ioc, SIGINT, SIGTERM, SIGHUP);
    for (;;) {
      int sig = co_await signals.async_wait(use_awaitable);
      if (sig == SIGHUP) {
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

Daemon::Daemon(Config config, std::string config_path)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(config_path))) {}
Daemon::~Daemon() = default;

int Daemon::run() {
  Impl& d = *impl_;
  const Config& cfg = *d.config;
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
      "submission outcome unknown after a restart: release or fail it", d.clock.now_ms());
  if (reconciled.held > 0)
    spdlog::warn("start-up: {} call(s) were being submitted when dialerd stopped; they are held for review "
                 "(dialerctl held)", reconciled.held);

  // Builds the number-check tables now rather than in the first request (docs/PERFORMANCE.md).
  if (domain::phone_fast_path_enabled())
    spdlog::info("phone numbers: fast libphonenumber check on");
  else
    spdlog::warn("phone numbers: the fast check disagreed with libphonenumber at start and is off; numbers "
                 "are checked the slow way (correct, about 20 us each)");

  d.scheduler = std::make_unique<scheduler::Scheduler>(d.ioc, *d.store, d.clock);
  scheduler::ProviderMap providers;
  auto sink = [&d](const std::string& provider, std::vector<domain::OutcomeReport> reports) {
    try {
      d.scheduler->apply_outcomes(provider, reports);
    } catch (const std::exception& e) {
      spdlog::error("provider {}: recording {} outcomes failed: {}", provider, reports.size(), e.what());
    }
  };
  for (const auto& [name, pc] : cfg.providers) {
    auto provider = providers::make_provider(pc, d.ioc, sink);
    provider->resume(d.store->in_progress_call_ids(name));
    providers.emplace(name, std::move(provider));
    spdlog::info("provider {}: kind {}, chunk size {}", name, pc.kind, pc.chunk_size);
  }
  d.scheduler->set_providers(std::move(providers));
  d.scheduler->set_legal_rules(cfg.legal);
  d.scheduler->set_call_timeout(cfg.call_timeout_s);
  d.store->set_retry_settings(cfg.retry);
  d.webhooks = std::make_unique<webhooks::Sender>(d.ioc, *d.store, d.clock);
  d.webhooks->set_settings(cfg.webhooks);
  d.store->on_webhook_queued([&d] { d.webhooks->wake(); });
  for (const auto& [name, pc] : cfg.providers)
    if (auto info = providers::kind_info(pc.kind); info && info->http && pc.events_secret.empty())
      spdlog::warn("provider {}: outcome callbacks are not authenticated (set providers.{}.events.secret)", name, name);

  d.api_ctx = std::make_unique<api::Context>(
      api::Context{*d.store, *d.scheduler, d.clock, [&d]() -> const Config& { return *d.config; }});
  api::register_routes(d.router, *d.api_ctx);
  d.server = std::make_unique<http::Server>(
      d.ioc, http::ServerOptions{cfg.listen_address, cfg.listen_port, cfg.http_body_limit, cfg.http_idle_timeout_ms},
      [&d](const http::Request& r) { return api::serve(*d.api_ctx, d.router, r); });
  if (cfg.api_keys.empty() && cfg.listen_address != "127.0.0.1" && cfg.listen_address != "::1")
    spdlog::warn("the API listens on {} with no api.keys: anyone who can reach it can place calls", cfg.listen_address);
  d.server->start();
  write_port_file(cfg.state_dir, d.server->port());
  spdlog::info("listening on http://{}:{}", cfg.listen_address, d.server->port());

  d.scheduler->resubmit(std::move(reconciled.resubmit));
  d.scheduler->start();
  d.webhooks->start();
  asio::co_spawn(d.ioc, d.handle_signals(), asio::detached);
  sd_notifyf(0, "READY=1\nSTATUS=listening on %s:%d", cfg.listen_address.c_str(), d.server->port());
  d.ioc.run();
  return d.exit_code;
}

}  // namespace dialerd::app
