// The simulator kind (docs/PROVIDERS.md, "The simulator kind"): in-process, no network.
#include "dialerd/providers/kind.hpp"
#include "simulator.hpp"

namespace dialerd::providers::simulator {
namespace {

class SimulatorKind final : public Kind {
 public:
  // Accepts every chunk and reports outcomes after a delay; nothing to place twice.
  const KindInfo& info() const override {
    static constexpr KindInfo kInfo{"simulator", 1000, false, false, false, true, true, false};
    return kInfo;
  }
  std::vector<std::string_view> own_config_keys() const override { return {"simulator"}; }
  std::vector<FieldProblem> check_config(const config::ProviderConfig& provider, const nlohmann::json&) const override {
    const auto& m = provider.sim_mix;
    if (m.completed + m.no_answer + m.busy + m.voicemail + m.failed <= 0)
      return {{"simulator.mix", "at least one share must be above 0"}};
    return {};
  }
  std::unique_ptr<Provider> make(const config::ProviderConfig& provider, asio::io_context& ioc,
                                 OutcomeSink sink) const override {
    return std::make_unique<SimulatorProvider>(provider, ioc, std::move(sink));
  }
};

}  // namespace

const Kind& kind() {
  static const SimulatorKind k;
  return k;
}

}  // namespace dialerd::providers::simulator
