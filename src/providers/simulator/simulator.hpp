#pragma once
// The built-in `simulator` provider: no network. It accepts every chunk and, after a delay, reports an
// outcome for each call drawn from the configured mix. For first runs and dry runs of a campaign.

#include "dialerd/config/config.hpp"
#include "dialerd/providers/provider.hpp"
#include "dialerd/util/random.hpp"

namespace dialerd::providers::simulator {

// simulator.mix.*: the share of each outcome (they need not sum to 1).
struct Mix {
  double completed = 0.70, no_answer = 0.15, busy = 0.05, voicemail = 0.05, failed = 0.05;
  bool operator==(const Mix&) const = default;
};

// The keys only a simulator provider reads (the table is in kind.cpp).
struct Settings {
  int delay_ms = 2000;     // simulator.delay_ms: time from submission to each call's outcome
  Mix mix;                 // simulator.mix.*
  std::uint64_t seed = 0;  // simulator.seed: 0 = a fresh seed at start
  bool operator==(const Settings&) const = default;
};

class SimulatorProvider final : public Provider {
 public:
  SimulatorProvider(const config::ProviderConfig& config, asio::io_context& ioc, OutcomeSink sink,
                    util::TimeSystem& time);
  const std::string& name() const override { return name_; }
  const std::string& kind() const override { return kind_; }
  int chunk_size() const override { return chunk_size_; }
  awaitable<Submission> submit(const domain::DispatchChunk& chunk, const BeforeSend& before_send) override;
  EventsParse parse_events(std::string_view body) const override;
  void resume(std::vector<std::string> provider_call_ids) override;

  // Picks an outcome for a uniform draw u in [0, 1) from the mix (shares need not sum to 1).
  static domain::Outcome pick(const Mix& mix, double u);

 private:
  awaitable<void> report_later(std::vector<domain::OutcomeReport> reports);

  std::string name_;
  std::string kind_ = "simulator";
  int chunk_size_;
  int delay_ms_;
  Mix mix_;
  asio::io_context& ioc_;
  util::TimeSystem& time_;
  OutcomeSink sink_;
  util::Random random_;  // outcomes drawn from the mix (seeded by simulator.seed; 0 draws a seed)
};

}  // namespace dialerd::providers::simulator
