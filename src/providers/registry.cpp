// The one place provider kinds are turned into runtime providers (limits live in kinds.cpp).
#include "dialerd/config/config.hpp"
#include "dialerd/providers/kinds.hpp"
#include "dialerd/providers/provider.hpp"

#include "addcalls/addcalls.hpp"
#include "batchcall/batchcall.hpp"
#include "http_provider.hpp"
#include "screened_provider.hpp"
#include "simulator/simulator.hpp"
#include "truedy/truedy.hpp"
#include "veritus/veritus.hpp"

namespace dialerd::providers {
namespace {
HttpProvider::Contract http_options(const config::ProviderConfig& config, const KindInfo& info) {
  return {info.idempotent_submit, config.server_errors_place_nothing.value_or(info.server_errors_place_nothing)};
}
}  // namespace

std::unique_ptr<Provider> make_provider(const config::ProviderConfig& config, asio::io_context& ioc, OutcomeSink sink) {
  auto info = kind_info(config.kind);
  if (!info) throw std::invalid_argument("unknown provider kind " + config.kind);
  if (config.kind == "simulator") return std::make_unique<simulator::SimulatorProvider>(config, ioc, std::move(sink));
  if (config.kind == "batchcall")
    return std::make_unique<HttpProvider>(config, ioc, std::make_unique<batchcall::BatchCallAdapter>(config),
                                          http_options(config, *info));
  if (config.kind == "truedy")
    return std::make_unique<HttpProvider>(config, ioc, std::make_unique<truedy::TruedyAdapter>(config),
                                          http_options(config, *info));
  // Veritus and addCallsToBatch cannot take some calls (no customer id, a repeated one; no batch id): those
  // are answered before the request is built, and a chunk left empty is not sent.
  if (config.kind == "veritus") {
    auto http = std::make_unique<HttpProvider>(config, ioc, std::make_unique<veritus::VeritusAdapter>(config),
                                               http_options(config, *info));
    return std::make_unique<ScreenedProvider>(std::move(http), &veritus::VeritusAdapter::screen);
  }
  if (config.kind == "addcalls") {
    auto http = std::make_unique<HttpProvider>(config, ioc, std::make_unique<addcalls::AddCallsAdapter>(config),
                                               http_options(config, *info));
    return std::make_unique<ScreenedProvider>(
        std::move(http), [adapter = addcalls::AddCallsAdapter(config)](const domain::DispatchChunk& chunk) {
          return adapter.screen(chunk);
        });
  }
  throw std::invalid_argument("provider kind " + config.kind + " has no runtime");
}

namespace {
bool same_runtime(const config::ProviderConfig& a, const config::ProviderConfig& b) {
  return a.kind == b.kind && a.base_url == b.base_url && a.api_key == b.api_key && a.api_secret == b.api_secret &&
         a.ca_file == b.ca_file && a.chunk_size == b.chunk_size && a.timeout_ms == b.timeout_ms &&
         a.max_answer_bytes == b.max_answer_bytes && a.server_errors_place_nothing == b.server_errors_place_nothing &&
         a.callback_url == b.callback_url && a.callback_secret_id == b.callback_secret_id &&
         a.phone_number_ids == b.phone_number_ids && a.batch_id == b.batch_id &&
         a.veritus_respectful_hours_wait_s == b.veritus_respectful_hours_wait_s &&
         a.veritus_daily_limit_wait_s == b.veritus_daily_limit_wait_s &&
         a.addcalls_failed_chunk_wait_s == b.addcalls_failed_chunk_wait_s && a.sim_delay_ms == b.sim_delay_ms &&
         a.sim_seed == b.sim_seed && a.sim_mix.completed == b.sim_mix.completed &&
         a.sim_mix.no_answer == b.sim_mix.no_answer && a.sim_mix.busy == b.sim_mix.busy &&
         a.sim_mix.voicemail == b.sim_mix.voicemail && a.sim_mix.failed == b.sim_mix.failed;
}
}  // namespace

Reloaded reload_providers(const std::map<std::string, config::ProviderConfig>& old_config,
                          const std::map<std::string, config::ProviderConfig>& new_config,
                          const std::map<std::string, std::shared_ptr<Provider>>& running, asio::io_context& ioc,
                          OutcomeSink sink) {
  Reloaded out;
  out.providers = running;
  for (const auto& [name, next] : new_config) {
    auto old = old_config.find(name);
    auto live = running.find(name);
    if (old == old_config.end() || live == running.end()) {
      out.providers[name] = make_provider(next, ioc, sink);
      out.added.push_back(name);
      continue;
    }
    if (same_runtime(old->second, next)) continue;
    auto info = kind_info(next.kind);
    // The simulator holds the outcomes it will report; replacing it would drop them.
    if (old->second.kind != next.kind || !info || !info->http) {
      out.needs_restart.push_back(name);
      continue;
    }
    out.providers[name] = make_provider(next, ioc, sink);
    out.changed.push_back(name);
  }
  for (const auto& [name, cfg] : old_config)
    if (!new_config.count(name)) out.needs_restart.push_back(name);
  return out;
}

}  // namespace dialerd::providers
