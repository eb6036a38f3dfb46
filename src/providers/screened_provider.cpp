#include "screened_provider.hpp"

#include <spdlog/spdlog.h>

namespace dialerd::providers {

awaitable<Submission> ScreenedProvider::submit(const domain::DispatchChunk& chunk, const BeforeSend& before_send) {
  Screened screened = screen_(chunk);
  if (!screened.answered.empty()) {
    const auto& first = screened.answered.front();
    if (!screened.config_problem.empty())
      spdlog::error("provider {}: campaign {}: {}; {} calls wait and are retried", name(), chunk.campaign_id,
                    screened.config_problem, screened.answered.size());
    else
      spdlog::warn("provider {}: campaign {} chunk {}: {} of {} calls answered without sending, e.g. call {}: {}",
                   name(), chunk.campaign_id, chunk.idempotency_key, screened.answered.size(), chunk.calls.size(),
                   first.call_id, first.reason);
  }
  // Nothing was sent, so nothing is learnt about the provider's health.
  Submission out;
  if (screened.sendable.calls.empty()) {
    out.results = std::move(screened.answered);
    co_return out;
  }
  out = co_await inner_->submit(screened.sendable, before_send);
  out.results.insert(out.results.end(), std::make_move_iterator(screened.answered.begin()),
                     std::make_move_iterator(screened.answered.end()));
  co_return out;
}

}  // namespace dialerd::providers
