// The one place provider kinds are turned into runtime providers (limits live in kinds.cpp).
#include "dialerd/app/config.hpp"
#include "dialerd/providers/kinds.hpp"
#include "dialerd/providers/provider.hpp"

#include "batchcall/batchcall.hpp"
#include "http_provider.hpp"
#include "simulator/simulator.hpp"

namespace dialerd::providers {

std::unique_ptr<Provider> make_provider(const app::ProviderConfig& config, asio::io_context& ioc, OutcomeSink sink) {
  auto info = kind_info(config.kind);
  if (!info) throw std::invalid_argument("unknown provider kind " + config.kind);
  if (config.kind == "simulator")
    return std::make_unique<simulator::SimulatorProvider>(config, ioc, std::move(sink));
  if (config.kind == "batchcall")
    return std::make_unique<HttpProvider>(config, std::make_unique<batchcall::BatchCallAdapter>(config),
                                          info->idempotent_submit);
  throw std::invalid_argument("provider kind " + config.kind + " has no runtime");
}

}  // namespace dialerd::providers
