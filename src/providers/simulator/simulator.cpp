#include "simulator.hpp"

namespace dialerd::providers::simulator {

using domain::Outcome;

SimulatorProvider::SimulatorProvider(const config::ProviderConfig& config, asio::io_context& ioc, OutcomeSink sink,
                                     util::TimeSystem& time)
    : name_(config.name),
      chunk_size_(config.chunk_size),
      delay_ms_(config.settings.get<Settings>().delay_ms),
      mix_(config.settings.get<Settings>().mix),
      ioc_(ioc),
      time_(time),
      sink_(std::move(sink)),
      random_(config.settings.get<Settings>().seed) {}

Outcome SimulatorProvider::pick(const Mix& mix, double u) {
  const std::pair<double, Outcome> shares[] = {{mix.completed, Outcome::completed},
                                               {mix.no_answer, Outcome::no_answer},
                                               {mix.busy, Outcome::busy},
                                               {mix.voicemail, Outcome::voicemail},
                                               {mix.failed, Outcome::failed}};
  double total = 0;
  for (const auto& s : shares) total += s.first;
  double x = u * total;
  for (const auto& [share, outcome] : shares) {
    if (x < share) return outcome;
    x -= share;
  }
  return Outcome::completed;
}

awaitable<Submission> SimulatorProvider::submit(const domain::DispatchChunk& chunk, const BeforeSend& before_send) {
  Submission out;
  auto& results = out.results;
  try {
    if (before_send) before_send();
  } catch (const std::exception& e) {
    for (const auto& call : chunk.calls)
      results.push_back(
          {domain::SubmitResult::Kind::not_submitted, call.id, "", std::string("not sent: ") + e.what(), 1000});
    co_return out;
  }
  std::vector<domain::OutcomeReport> reports;
  for (const auto& call : chunk.calls) {
    std::string id = "sim-" + std::to_string(call.id) + "-" + std::to_string(call.attempt);
    results.push_back({domain::SubmitResult::Kind::accepted, call.id, id, "", 0});
    reports.push_back({id, pick(mix_, random_.uniform()), "simulated"});
  }
  asio::co_spawn(ioc_, report_later(std::move(reports)), asio::detached);
  co_return out;
}

awaitable<void> SimulatorProvider::report_later(std::vector<domain::OutcomeReport> reports) {
  auto timer = time_.make_timer(ioc_);
  timer->expires_at(time_.now_ms() + delay_ms_);
  co_await timer->wait();
  sink_(name_, std::move(reports));
}

void SimulatorProvider::resume(std::vector<std::string> provider_call_ids) {
  if (provider_call_ids.empty()) return;
  std::vector<domain::OutcomeReport> reports;
  for (auto& id : provider_call_ids) reports.push_back({std::move(id), pick(mix_, random_.uniform()), "simulated"});
  asio::co_spawn(ioc_, report_later(std::move(reports)), asio::detached);
}

EventsParse SimulatorProvider::parse_events(std::string_view) const {
  return util::fail("the simulator reports outcomes itself and takes no events");
}

}  // namespace dialerd::providers::simulator
