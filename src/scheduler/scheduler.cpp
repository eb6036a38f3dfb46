#include "dialerd/scheduler/scheduler.hpp"

#include <unordered_set>

#include <spdlog/spdlog.h>

#include "dialerd/providers/kinds.hpp"
#include "dialerd/schedule/place.hpp"
#include "dialerd/util/metrics.hpp"

namespace dialerd::scheduler {

using namespace domain;

Scheduler::Scheduler(asio::io_context& ioc, store::Store& store, const util::Clock& clock)
    : ioc_(ioc), store_(store), clock_(clock), timer_(ioc) {}

void Scheduler::start() { asio::co_spawn(ioc_, run(), asio::detached); }

void Scheduler::resubmit(std::vector<DispatchChunk> chunks) {
  for (auto& chunk : chunks) {
    auto p = providers_.find(chunk.campaign.spec.provider);
    if (p == providers_.end()) continue;  // cannot happen: reconciliation holds calls of unknown providers
    spdlog::info("campaign {}: resubmitting {} calls under key {}", chunk.campaign_id, chunk.calls.size(),
                 chunk.idempotency_key);
    asio::co_spawn(ioc_, dispatch(p->second, std::move(chunk)), asio::detached);
  }
}

void Scheduler::send(DispatchChunk chunk) {
  auto p = providers_.find(chunk.campaign.spec.provider);
  if (p == providers_.end()) {
    // Callers check the provider first; should it be missing, the calls were certainly not sent.
    spdlog::error("campaign {}: provider '{}' is not configured; chunk {} not sent", chunk.campaign_id,
                  chunk.campaign.spec.provider, chunk.idempotency_key);
    std::vector<SubmitResult> results;
    for (const auto& call : chunk.calls)
      results.push_back({SubmitResult::Kind::not_submitted, call.id, "", "provider not configured", 60000});
    store_.record_submission(chunk, results, clock_.now_ms());
    return;
  }
  asio::co_spawn(ioc_, dispatch(p->second, std::move(chunk)), asio::detached);
}

void Scheduler::wake() {
  dirty_ = true;
  timer_.cancel();
}

void Scheduler::stop_claiming() {
  claiming_ = false;
  stopped_ = true;
  timer_.cancel();
}

awaitable<void> Scheduler::run() {
  while (!stopped_) {
    dirty_ = false;
    std::optional<UnixMs> next;
    try {
      next = tick();
    } catch (const std::exception& e) {
      // A store error (disk full, lock timeout) must not end the loop: retry shortly.
      spdlog::error("scheduler: {}", e.what());
      next = clock_.now_ms() + 1000;
    }
    if (dirty_ || stopped_) continue;
    if (next) {
      timer_.expires_at(std::chrono::system_clock::time_point(std::chrono::milliseconds(*next)));
    } else {
      timer_.expires_at(asio::system_timer::time_point::max());
    }
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
  }
}

std::optional<UnixMs> Scheduler::tick() {
  UnixMs now = clock_.now_ms();
  std::optional<UnixMs> next;
  auto consider = [&](std::optional<UnixMs> t) {
    if (t && (!next || *t < *next)) next = std::max(*t, now + 1);
  };

  if (call_timeout_ms_ > 0) consider(expire_in_progress(now));

  for (CampaignId id : store_.triggered_campaigns(now)) {
    if (store_.set_campaign_status(id, CampaignStatus::running, now))
      spdlog::info("campaign {}: trigger time reached, running", id);
  }
  consider(store_.next_trigger());

  for (const Campaign& c : store_.campaigns_with_status(CampaignStatus::running)) {
    if (claiming_) dispatch_campaign(c, next, now);
    if (store_.complete_if_done(c.id, now)) spdlog::info("campaign {}: completed", c.id);
  }
  return next;
}

void Scheduler::dispatch_campaign(const Campaign& c, std::optional<UnixMs>& next, UnixMs now) {
  auto consider = [&](std::optional<UnixMs> t) {
    if (t && (!next || *t < *next)) next = std::max(*t, now + 1);
  };
  auto p = providers_.find(c.spec.provider);
  if (p == providers_.end()) {
    spdlog::error("campaign {}: provider '{}' is not configured; its calls wait", c.id, c.spec.provider);
    return;
  }
  std::string error;
  auto rules = schedule::campaign_rules(c, error);
  if (!rules) {
    spdlog::error("campaign {}: {}; its calls wait", c.id, error);
    return;
  }
  std::int64_t calls_today = 0;
  if (rules->max_calls_per_day)
    calls_today = store_.campaign_calls_since(c.id, schedule::local_day_start(rules->zone, now));
  auto gate = schedule::campaign_gate(*rules, calls_today, now);
  if (!gate.open) {
    consider(gate.until);
    return;
  }
  auto kind = providers::kind_info(p->second->kind());
  std::int64_t room = c.spec.concurrency - store_.in_flight(c.id);
  std::int64_t budget = rules->max_calls_per_day ? *rules->max_calls_per_day - calls_today
                                                 : std::numeric_limits<std::int64_t>::max();
  auto judge = [&](const store::Candidate& cand, store::History& history) {
    // The claim's limit keeps the campaign under its daily cap and concurrency.
    auto d = evaluate(*rules, cand, history, schedule::CallFacts{}, now, nullptr, schedule::Explain::when_blocked);
    store::Verdict v;
    v.reason = d.reason;
    switch (d.kind) {
      case schedule::Decision::Kind::dispatch: v.kind = store::Verdict::Kind::dispatch; break;
      case schedule::Decision::Kind::skip:
        v.kind = store::Verdict::Kind::skip;
        spdlog::info("campaign {} call {}: skipped: {}", c.id, cand.call.id, d.reason);
        break;
      case schedule::Decision::Kind::wait:
        v.kind = store::Verdict::Kind::wait;
        v.until = d.until.value_or(now + 60000);
        spdlog::debug("campaign {} call {}: waits until {}: {}", c.id, cand.call.id, v.until, d.reason);
        break;
    }
    return v;
  };
  while (room > 0 && budget > 0) {
    store::ClaimOptions options;
    options.limit = static_cast<int>(std::min({room, budget, std::int64_t{p->second->chunk_size()}}));
    options.caller_id_per_call = kind && kind->caller_id_per_call;
    auto chunk = store_.claim(c, options, now, judge);
    if (!chunk) break;
    auto n = static_cast<std::int64_t>(chunk->calls.size());
    room -= n;
    budget -= n;
    calls_today += n;
    asio::co_spawn(ioc_, dispatch(p->second, std::move(*chunk)), asio::detached);
  }
  if (budget <= 0) consider(schedule::next_local_day_start(rules->zone, now));
  if (room > 0 && budget > 0) consider(store_.next_due(c.id));  // at capacity, an outcome wakes us instead
}

std::optional<UnixMs> Scheduler::expire_in_progress(UnixMs now) {
  for (;;) {
    auto expired = store_.expire_in_progress(now - call_timeout_ms_, 1000, now);
    metrics::registry()
        .counter("dialerd_call_timeouts_total", "Calls given the outcome timeout (no outcome within calls.timeout_seconds).")
        .inc(static_cast<double>(expired.size()));
    for (const auto& e : expired)
      if (e.effect == store::OutcomeApplied::Effect::applied)
        spdlog::warn("campaign {} call {}: no outcome within {} s of the provider accepting it: timeout -> {}", e.campaign_id,
                     e.call_id, call_timeout_ms_ / 1000, to_string(e.state));
    if (expired.size() < 1000) break;
  }
  auto oldest = store_.oldest_in_progress();
  return oldest ? std::optional<UnixMs>(*oldest + call_timeout_ms_) : std::nullopt;
}

awaitable<void> Scheduler::dispatch(std::shared_ptr<providers::Provider> provider, DispatchChunk chunk) {
  ++submissions_in_flight_;
  spdlog::debug("campaign {}: submitting {} calls to {} ({})", chunk.campaign_id, chunk.calls.size(), provider->name(),
                chunk.idempotency_key);
  std::vector<SubmitResult> results;
  auto& latency = metrics::registry().histogram("dialerd_provider_request_seconds",
                                                "Time from sending a chunk to the provider's answer.",
                                                {{"provider", provider->name()}});
  auto started = std::chrono::steady_clock::now();
  try {
    results = co_await provider->submit(chunk);
  } catch (const std::exception& e) {
    spdlog::error("campaign {}: provider {} failed on chunk {}: {}", chunk.campaign_id, provider->name(),
                  chunk.idempotency_key, e.what());
  }
  // Any call the provider said nothing about may or may not have gone out: hold it.
  std::unordered_set<CallId> answered;
  for (const auto& r : results) answered.insert(r.call_id);
  for (const auto& call : chunk.calls)
    if (!answered.count(call.id))
      results.push_back({SubmitResult::Kind::uncertain, call.id, "", "provider gave no answer for this call", 0});
  try {
    store_.record_submission(chunk, results, clock_.now_ms());
  } catch (const std::exception& e) {
    // The calls stay dispatching; on restart they are held for review, never redialled.
    spdlog::error("campaign {}: recording the answer for chunk {} failed: {}", chunk.campaign_id,
                  chunk.idempotency_key, e.what());
  }
  latency.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  metrics::registry().counter("dialerd_chunks_submitted_total", "Chunks sent to a provider.",
                              {{"provider", provider->name()}}).inc();
  std::size_t accepted = 0;
  for (const auto& r : results) {
    accepted += r.kind == SubmitResult::Kind::accepted;
    static const char* kResult[] = {"accepted", "rejected", "not_submitted", "uncertain"};
    metrics::registry()
        .counter("dialerd_calls_submitted_total", "Calls in chunks sent to a provider, by what it answered.",
                 {{"provider", provider->name()}, {"result", kResult[static_cast<int>(r.kind)]}})
        .inc();
  }
  spdlog::info("campaign {}: {} of {} calls accepted by {}", chunk.campaign_id, accepted, chunk.calls.size(),
               provider->name());
  --submissions_in_flight_;
  wake();
}

schedule::Decision Scheduler::evaluate(const schedule::CampaignRules& rules, const store::Candidate& cand,
                                      store::History& history, const schedule::CallFacts& campaign_facts, UnixMs now,
                                      schedule::ContactPlace* place_out, schedule::Explain explain) const {
  auto place = schedule::resolve_place(cand.contact_timezone, cand.call.phone, rules.zone);
  schedule::CallFacts facts = campaign_facts;
  facts.active = cand.active;
  facts.suppression = cand.suppression;
  facts.contact_calls_today =
      history.contact_calls_since(cand.call.contact_id, schedule::local_day_start(place.zones.front(), now));
  if (legal_.rolling_calls > 0) {
    const UnixMs span = UnixMs{legal_.rolling_days} * 24 * 3600 * 1000;
    if (auto nth = history.contact_nth_recent_call(cand.call.contact_id, legal_.rolling_calls, now - span))
      facts.rolling_unblock = *nth + span;
  }
  auto d = schedule::decide(rules, place, facts, legal_, now, explain);
  if (place_out) *place_out = std::move(place);
  return d;
}

std::vector<store::OutcomeApplied> Scheduler::apply_outcomes(const std::string& provider,
                                                             const std::vector<OutcomeReport>& reports) {
  auto applied = store_.record_outcomes(provider, reports, clock_.now_ms());
  static const char* kEffect[] = {"applied", "duplicate", "deferred", "unknown_call"};
  for (std::size_t i = 0; i < applied.size(); ++i)
    metrics::registry()
        .counter("dialerd_outcomes_total", "Outcome reports from providers, by outcome and effect.",
                 {{"provider", provider},
                  {"outcome", std::string(to_string(reports[i].outcome))},
                  {"effect", kEffect[static_cast<int>(applied[i].effect)]}})
        .inc();
  wake();
  return applied;
}

}  // namespace dialerd::scheduler
