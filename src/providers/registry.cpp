// Turns provider configs into runtime providers through their kinds (src/providers/kinds.cpp), and decides
// what a reload rebuilds.
#include "dialerd/providers/kind.hpp"
#include "dialerd/providers/provider.hpp"
#include "screened_provider.hpp"

namespace dialerd::providers {

std::unique_ptr<Provider> make_provider(const config::ProviderConfig& config, const Runtime& runtime) {
  const Kind* kind = find_kind(config.kind);
  if (!kind) throw std::invalid_argument("unknown provider kind " + config.kind);
  auto provider = kind->make(config, runtime);
  if (auto screen = kind->screen(config)) return std::make_unique<ScreenedProvider>(std::move(provider), *screen);
  return provider;
}

namespace {
// Whether a running provider can stay as it is: every key but those read elsewhere (the resilience limits
// go to the scheduler's guard, events.* is read per callback) is the same.
bool same_runtime(config::ProviderConfig a, config::ProviderConfig b) {
  a.limits = b.limits = {};
  a.events_secret = b.events_secret = a.events_auth = b.events_auth = a.events_header = b.events_header = "";
  return a == b;
}
}  // namespace

Reloaded reload_providers(const std::map<std::string, config::ProviderConfig>& old_config,
                          const std::map<std::string, config::ProviderConfig>& new_config,
                          const std::map<std::string, std::shared_ptr<Provider>>& running, const Runtime& runtime) {
  Reloaded out;
  out.providers = running;
  for (const auto& [name, next] : new_config) {
    auto old = old_config.find(name);
    auto live = running.find(name);
    if (old == old_config.end() || live == running.end()) {
      out.providers[name] = make_provider(next, runtime);
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
    out.providers[name] = make_provider(next, runtime);
    out.changed.push_back(name);
  }
  for (const auto& [name, cfg] : old_config)
    if (!new_config.count(name)) out.needs_restart.push_back(name);
  return out;
}

}  // namespace dialerd::providers
