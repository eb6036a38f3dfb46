// The simulator kind (docs/PROVIDERS.md, "The simulator kind"): in-process, no network.
#include "dialerd/providers/kind.hpp"
#include "simulator.hpp"

namespace dialerd::providers::simulator {
namespace {

using nlohmann::json;

config::Apply<Settings> mix_key(double Mix::*field) {
  return [field](const json& v, Settings& s) -> util::Check {
    if (!v.is_number()) return util::fail("must be a number, got " + config::type_name(v));
    if (v.get<double>() < 0 || v.get<double>() > 1) return util::fail("must be between 0 and 1, got " + v.dump());
    s.mix.*field = v.get<double>();
    return util::ok();
  };
}

// The simulator's keys need a restart: its outcomes are drawn by the provider made at start.
const std::vector<config::Key<config::KindSettings>>& keys() {
  static const auto table = config::kind_keys<Settings>({
      {"simulator.delay_ms", 2000, false, "Time from submission to each call's outcome.",
       config::int_key(&Settings::delay_ms, 0, 86400000)},
      {"simulator.seed", 0, false, "Random seed for the outcome mix; 0 = a fresh seed at start.",
       config::int_key(&Settings::seed, 0, std::numeric_limits<std::int64_t>::max())},
      {"simulator.mix.completed", 0.70, false, "Share of calls that complete.", mix_key(&Mix::completed)},
      {"simulator.mix.no_answer", 0.15, false, "Share of calls not answered (retryable).", mix_key(&Mix::no_answer)},
      {"simulator.mix.busy", 0.05, false, "Share of calls that find the line busy (retryable).", mix_key(&Mix::busy)},
      {"simulator.mix.voicemail", 0.05, false, "Share of calls that reach voicemail (counted completed).",
       mix_key(&Mix::voicemail)},
      {"simulator.mix.failed", 0.05, false, "Share of calls that fail.", mix_key(&Mix::failed)},
  });
  return table;
}

class SimulatorKind final : public Kind {
 public:
  // Accepts every chunk and reports outcomes after a delay; nothing to place twice.
  const KindInfo& info() const override {
    static constexpr KindInfo kInfo{"simulator", 1000, false, false, false, true, true, false, true};
    return kInfo;
  }
  const std::vector<config::Key<config::KindSettings>>& own_keys() const override { return keys(); }
  config::KindSettings new_settings() const override { return config::KindSettings::of(Settings{}); }
  std::vector<FieldProblem> check_config(const config::ProviderConfig& provider, const nlohmann::json&) const override {
    const auto& m = provider.settings.get<Settings>().mix;
    if (m.completed + m.no_answer + m.busy + m.voicemail + m.failed <= 0)
      return {{"simulator.mix", "at least one share must be above 0"}};
    return {};
  }
  std::unique_ptr<Provider> make(const config::ProviderConfig& provider, const Runtime& runtime) const override {
    return std::make_unique<SimulatorProvider>(provider, runtime.ioc, runtime.sink, runtime.time);
  }
};

}  // namespace

const Kind& kind() {
  static const SimulatorKind k;
  return k;
}

}  // namespace dialerd::providers::simulator
