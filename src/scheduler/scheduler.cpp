#include "dialerd/scheduler/scheduler.hpp"

#include <algorithm>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "dialerd/providers/kinds.hpp"
#include "dialerd/schedule/place.hpp"
#include "dialerd/store/lock_wait.hpp"
#include "dialerd/util/metrics.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::scheduler {

using namespace domain;

namespace {

// The scheduler's metric series, one accessor each so the help text is written once. set_providers makes
// the series of every configured provider at zero, so they are listed before their first event.
metrics::Counter& breaker_transitions(const std::string& provider, providers::BreakerState to) {
  return metrics::registry().counter("dialerd_provider_breaker_transitions_total",
                                     "Circuit breaker state changes, by provider and new state.",
                                     {{"provider", provider}, {"to", std::string(providers::to_string(to))}});
}

const char* const kFailuresHelp =
    "Submissions that failed or were throttled, by provider and class (connect, timeout, connection, http_429, "
    "http_5xx, ...).";

metrics::Counter& provider_failures(const std::string& provider, const std::string& failure_class) {
  return metrics::registry().counter("dialerd_provider_failures_total", kFailuresHelp,
                                     {{"provider", provider}, {"class", failure_class}});
}

metrics::Histogram& request_seconds(const std::string& provider) {
  return metrics::registry().histogram("dialerd_provider_request_seconds",
                                       "Time from sending a chunk to the provider's answer.", {{"provider", provider}});
}

metrics::Counter& chunks_submitted(const std::string& provider) {
  return metrics::registry().counter("dialerd_chunks_submitted_total", "Chunks sent to a provider.",
                                     {{"provider", provider}});
}

const char* const kSubmitResult[] = {"accepted", "rejected", "not_submitted", "uncertain"};

metrics::Counter& calls_submitted(const std::string& provider, SubmitResult::Kind kind) {
  return metrics::registry().counter("dialerd_calls_submitted_total",
                                     "Calls in chunks sent to a provider, by what it answered.",
                                     {{"provider", provider}, {"result", kSubmitResult[static_cast<int>(kind)]}});
}

const char* const kOutcomesHelp = "Outcome reports from providers, by outcome and effect.";

metrics::Counter& retry_after_capped(const std::string& provider) {
  return metrics::registry().counter("dialerd_provider_retry_after_capped_total",
                                     "Retry-After answers longer than backoff.retry_after_max_ms, cut to it.",
                                     {{"provider", provider}});
}

metrics::Counter& call_timeouts() {
  return metrics::registry().counter("dialerd_call_timeouts_total",
                                     "Calls given the outcome timeout (no outcome within calls.timeout_seconds).");
}

}  // namespace

Scheduler::Scheduler(asio::io_context& ioc, store::DispatchQueue& store, util::TimeSystem& time, std::uint64_t seed)
    : ioc_(ioc),
      store_(store),
      time_(time),
      predial_(ioc, time),
      seed_(seed),
      guard_seeds_(seed),
      retry_draws_(seed == 0 ? 0 : seed + 1),
      timer_(time.make_timer(ioc)) {
  // What an outcome does is decided here, with the retry settings in force; the store records it.
  store_.set_outcome_rule([this](const schedule::CallAtOutcome& call, domain::Outcome o, UnixMs now) {
    return schedule::outcome_effect(call, o,
                                    {call.retry_attempts, call.retry_delay_s, retry_settings_, call.per_outcome}, now,
                                    retry_draws_.uniform());
  });
  predial_.on_answer([this] { wake(); });
  call_timeouts();
  metrics::loop_passes("scheduler");
  metrics::loop_busy("scheduler").set(1);  // until its first pass
  metrics::registry().family("dialerd_provider_failures_total", kFailuresHelp, "counter");
  metrics::registry().family("dialerd_outcomes_total", kOutcomesHelp, "counter");
}

Scheduler::~Scheduler() {
  store_.set_outcome_rule(nullptr);
}

void Scheduler::set_providers(ProviderMap providers) {
  providers_ = std::move(providers);
  for (const auto& [name, provider] : providers_) {
    for (auto to : {providers::BreakerState::closed, providers::BreakerState::open, providers::BreakerState::half_open})
      breaker_transitions(name, to);
    request_seconds(name);
    chunks_submitted(name);
    retry_after_capped(name);
    for (auto kind : {SubmitResult::Kind::accepted, SubmitResult::Kind::rejected, SubmitResult::Kind::not_submitted,
                      SubmitResult::Kind::uncertain})
      calls_submitted(name, kind);
  }
}

void Scheduler::start() {
  asio::co_spawn(ioc_, run(), asio::detached);
}

void Scheduler::set_limits(const std::map<std::string, providers::Limits>& limits) {
  limits_ = limits;
  for (auto& [name, g] : guards_) {
    auto it = limits_.find(name);
    g.set_limits(it == limits_.end() ? providers::Limits{} : it->second);
  }
}

providers::Guard& Scheduler::guard(const std::string& provider) {
  auto it = guards_.find(provider);
  if (it != guards_.end()) return it->second;
  auto limits = limits_.find(provider);
  const std::uint64_t seed = seed_ == 0 ? 0 : guard_seeds_.bits32() + std::uint64_t{1};
  auto& g =
      guards_.try_emplace(provider, limits == limits_.end() ? providers::Limits{} : limits->second, seed).first->second;
  g.on_change([this, provider](providers::BreakerState from, providers::BreakerState to) {
    breaker_transitions(provider, to).inc();
    const auto& g = guards_.at(provider);
    switch (to) {
      case providers::BreakerState::open:
        spdlog::warn(
            "provider {}: circuit breaker OPEN ({}; {} failures in a row): no submissions for {} ms, then "
            "one probe; campaigns with a failover_provider send there meanwhile",
            provider, from == providers::BreakerState::half_open ? "the probe failed" : "too many failures",
            g.straight_failures(), g.open_until() - time_.now_ms());
        break;
      case providers::BreakerState::half_open:
        spdlog::info("provider {}: circuit breaker half-open: sending one probe", provider);
        break;
      case providers::BreakerState::closed:
        spdlog::info("provider {}: circuit breaker closed: the provider answers again", provider);
        wake();
        break;
    }
  });
  return g;
}

std::vector<Scheduler::ProviderHealth> Scheduler::provider_health() const {
  std::vector<ProviderHealth> out;
  for (const auto& [name, p] : providers_) {
    ProviderHealth h;
    h.name = name;
    if (auto it = guards_.find(name); it != guards_.end()) {
      h.breaker = it->second.state();
      h.in_flight = it->second.in_flight();
      h.straight_failures = it->second.straight_failures();
      h.open_until = it->second.open_until();
      h.straight_throttles = it->second.straight_throttles();
      h.paused_until = it->second.paused_until();
    }
    out.push_back(std::move(h));
  }
  return out;
}

std::optional<Scheduler::Route> Scheduler::route(const Campaign& c, UnixMs now, UnixMs& retry_at) {
  retry_at = 0;
  auto p = providers_.find(c.spec.provider);
  if (p == providers_.end()) return std::nullopt;
  auto& g = guard(p->first);
  auto a = g.admit(now);
  if (a.ok) return Route{p->second, a.probe};
  retry_at = a.retry_at;
  // Only an open breaker (or its probe being out) sends a campaign elsewhere: pacing and backoff are the
  // provider working as configured, and waiting for it keeps calls where the campaign put them.
  if (g.state() == providers::BreakerState::closed) return std::nullopt;
  auto failover = c.spec.failover_provider();
  auto f = failover.empty() ? providers_.end() : providers_.find(failover);
  if (f == providers_.end()) return std::nullopt;
  auto fa = guard(f->first).admit(now);
  if (fa.ok) return Route{f->second, fa.probe};
  // Look again when either could take it; 0 means "when a submission ends", which wakes the loop anyway.
  if (fa.retry_at == 0 || retry_at == 0)
    retry_at = 0;
  else
    retry_at = std::min(retry_at, fa.retry_at);
  return std::nullopt;
}

std::optional<std::string> Scheduler::provider_for_now(const Campaign& c, UnixMs now, UnixMs& retry_at) {
  retry_at = 0;
  for (const auto& name : {c.spec.provider, c.spec.failover_provider()}) {
    if (name.empty() || !providers_.count(name)) continue;
    auto& g = guard(name);
    g.admit(now);  // an open breaker whose time is up turns half-open: a call placed now may be the probe
    if (g.state() != providers::BreakerState::open) return name;
    retry_at = retry_at == 0 ? g.open_until() : std::min(retry_at, g.open_until());
  }
  return std::nullopt;
}

void Scheduler::resubmit(std::vector<DispatchChunk> chunks) {
  for (auto& chunk : chunks) {
    auto p = providers_.find(chunk.provider_name());
    if (p == providers_.end()) continue;  // cannot happen: reconciliation holds calls of unknown providers
    spdlog::info("campaign {}: resubmitting {} calls under key {}", chunk.campaign_id, chunk.calls.size(),
                 chunk.idempotency_key);
    guard(p->first).started(time_.now_ms(), false);
    spawn_dispatch(p->second, std::move(chunk), false);
  }
}

void Scheduler::send(DispatchChunk chunk) {
  auto p = providers_.find(chunk.provider_name());
  if (p == providers_.end()) {
    // Callers check the provider first; should it be missing, the calls were certainly not sent.
    spdlog::error("campaign {}: provider '{}' is not configured; chunk {} not sent", chunk.campaign_id,
                  chunk.provider_name(), chunk.idempotency_key);
    std::vector<SubmitResult> results;
    for (const auto& call : chunk.calls)
      results.push_back({SubmitResult::Kind::not_submitted, call.id, "", "provider not configured", 60000});
    store_.record_submission(chunk, results, time_.now_ms());
    return;
  }
  // A call placed now is not held back by max_in_flight or requests_per_second (the API refuses it while
  // the breaker is open); a 429 it gets back returns it to the queue, which then paces it.
  guard(p->first).started(time_.now_ms(), false);
  spawn_dispatch(p->second, std::move(chunk), false);
}

void Scheduler::wake() {
  dirty_ = true;
  metrics::loop_busy("scheduler").set(1);
  timer_->cancel();
}

void Scheduler::stop_claiming() {
  claiming_ = false;
  stopped_ = true;
  timer_->cancel();
}

awaitable<void> Scheduler::run() {
  while (!stopped_) {
    dirty_ = false;
    std::optional<UnixMs> next;
    try {
      next = tick();
    } catch (const store::StorageError& e) {
      // A store error must not end the loop: retry shortly. Another process's lock (sqlite3, a backup) is
      // waited out in short steps, the loop serving the API meanwhile; said once, not at every step.
      const auto now = time_.now_ms();
      if (!e.locked()) {
        spdlog::error("scheduler: {}", e.what());
      } else if (now - locked_logged_at_ >= 10000) {
        spdlog::warn("scheduler: the database is locked by another process ({}); claims resume when it is free",
                     e.what());
        locked_logged_at_ = now;
      }
      next = now + (e.locked() ? 100 : 1000);
    } catch (const std::exception& e) {
      spdlog::error("scheduler: {}", e.what());
      next = time_.now_ms() + 1000;
    }
    metrics::loop_passes("scheduler").inc();
    if (dirty_ || stopped_) continue;
    // Busy while a submission or a pre-dial ask is under way: each ends in a wake().
    metrics::loop_busy("scheduler").set(submissions_in_flight_ > 0 || predial_.asks_under_way() > 0 ? 1 : 0);
    timer_->expires_at(next);
    co_await timer_->wait();
  }
}

std::optional<UnixMs> Scheduler::tick() {
  UnixMs now = time_.now_ms();
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

  // Least recently served first: when campaigns share a provider whose max_in_flight is the limit, each
  // freed slot goes to the campaign that waited longest, not always to the lowest id.
  auto running = store_.campaigns_with_status(CampaignStatus::running);
  auto served = [this](CampaignId id) {
    auto it = served_.find(id);
    return it == served_.end() ? std::uint64_t{0} : it->second;
  };
  std::stable_sort(running.begin(), running.end(),
                   [&](const Campaign& a, const Campaign& b) { return served(a.id) < served(b.id); });
  // A campaign that no longer runs is forgotten here: stopped for a list again later, it is logged again.
  std::erase_if(dnc_blocked_, [&](const auto& entry) {
    return std::none_of(running.begin(), running.end(), [&](const Campaign& c) { return c.id == entry.first; });
  });
  std::erase_if(pacers_, [&](const auto& entry) {
    return std::none_of(running.begin(), running.end(), [&](const Campaign& c) { return c.id == entry.first; });
  });
  std::erase_if(numbers_closed_, [&](const auto& entry) {
    return std::none_of(running.begin(), running.end(), [&](const Campaign& c) { return c.id == entry.first; });
  });
  // Workspace ceilings (workspaces.max_in_flight; docs/SCHEDULING.md, "Workspace ceiling"): each running
  // campaign of a workspace may have its quota in flight, an equal part of the ceiling; what some leave
  // unused goes to those that took all of theirs, in equal parts of what is left, round after round.
  struct WorkspaceRoom {
    std::int64_t ceiling = 0, room = 0;  // room: the ceiling less the workspace's calls in flight
    std::int64_t campaigns = 0;          // its running campaigns
    std::int64_t wanting = 0;            // in a later round: those yet to take their part
  };
  std::map<std::string, WorkspaceRoom> rooms;
  if (!workspace_ceilings_.empty())
    for (const Campaign& c : running)
      if (auto ceiling = schedule::workspace_ceiling(workspace_ceilings_, c.spec.workspace)) {
        auto [it, first] = rooms.try_emplace(c.spec.workspace);
        if (first) {
          it->second.ceiling = *ceiling;
          it->second.room = *ceiling - store_.workspace_in_flight(c.spec.workspace);
        }
        ++it->second.campaigns;
      }
  std::vector<const Campaign*> wanting;  // took all of their part: they may take what others left
  for (const Campaign& c : running) {
    auto ws = rooms.find(c.spec.workspace);
    std::optional<std::int64_t> part;
    std::int64_t mine = 0;  // its calls in flight
    if (ws != rooms.end()) {
      mine = store_.in_flight(c.id);
      part = std::min(ws->second.room, schedule::workspace_quota(ws->second.ceiling, ws->second.campaigns) - mine);
    }
    const auto claimed = claiming_ ? dispatch_campaign(c, next, now, part) : 0;
    if (ws != rooms.end()) {
      ws->second.room -= claimed;
      // At or over its quota, or it took all of it, with room under its own concurrency: it may want more.
      if (claiming_ && claimed >= *part && c.spec.concurrency - mine - claimed > 0) {
        wanting.push_back(&c);
        ++ws->second.wanting;
      }
    }
    if (store_.complete_if_done(c.id, now)) {
      spdlog::info("campaign {}: completed", c.id);
      served_.erase(c.id);
    }
  }
  // Each round, every campaign in it takes at least one call or leaves it: the rounds end.
  while (!wanting.empty()) {
    std::vector<const Campaign*> again;
    for (const Campaign* c : wanting) {
      auto& ws = rooms.at(c->spec.workspace);
      const auto part = schedule::workspace_share(ws.room, ws.wanting--);
      if (part <= 0) continue;
      const auto claimed = dispatch_campaign(*c, next, now, part);
      ws.room -= claimed;
      if (claimed >= part) again.push_back(c);
    }
    for (auto& [name, ws] : rooms) ws.wanting = 0;
    for (const Campaign* c : again) ++rooms.at(c->spec.workspace).wanting;
    wanting = std::move(again);
  }
  return next;
}

std::int64_t Scheduler::dispatch_campaign(const Campaign& c, std::optional<UnixMs>& next, UnixMs now,
                                          std::optional<std::int64_t> workspace_room) {
  auto consider = [&](std::optional<UnixMs> t) {
    if (t && (!next || *t < *next)) next = std::max(*t, now + 1);
  };
  auto p = providers_.find(c.spec.provider);
  if (p == providers_.end()) {
    spdlog::error("campaign {}: provider '{}' is not configured; its calls wait", c.id, c.spec.provider);
    return 0;
  }
  std::string error;
  auto rules = rules_for(c, error);
  if (!rules) {
    spdlog::error("campaign {}: {}; its calls wait", c.id, error);
    return 0;
  }
  std::int64_t calls_today = 0;
  if (rules->max_calls_per_day)
    calls_today = store_.campaign_calls_since(c.id, schedule::local_day_start(rules->zone, now));
  // A missing or stale DNC list stops the campaign until it is refreshed: said once, and once when it ends.
  if (auto why = schedule::dnc_lists_unusable(*rules, now)) {
    if (auto& said = dnc_blocked_[c.id]; said != *why) {
      spdlog::warn("campaign {}: dispatches nothing: {}", c.id, *why);
      said = *why;
    }
    return 0;
  }
  if (dnc_blocked_.erase(c.id))
    spdlog::info("campaign {}: its do-not-call lists are current again; dispatch resumes", c.id);
  auto gate = schedule::campaign_gate(*rules, calls_today, now);
  if (!gate.open) {
    consider(gate.until);
    return 0;
  }
  std::int64_t room = c.spec.concurrency - store_.in_flight(c.id);
  // Its part of the workspace's ceiling: none left, an outcome of any of the workspace's calls wakes us.
  if (workspace_room) room = std::min(room, *workspace_room);
  // Pacing: the calls it may start now; none: look again when the next may.
  const schedule::PacingLimits pacing{c.spec.calls_per_second, c.spec.calls_per_minute};
  std::int64_t paced = std::numeric_limits<std::int64_t>::max();
  if (pacing.any()) {
    paced = pacers_[c.id].room(pacing, now);
    if (paced <= 0 && room > 0) {
      consider(pacers_[c.id].next_at(pacing, now));
      return 0;
    }
  }
  // Caller-id health: no from number usable (each at its daily cap or resting): look again when one is.
  schedule::NumberRooms numbers;
  std::vector<schedule::NumberState> number_health;
  const auto caller_ids = c.spec.caller_ids();
  if (schedule::limits_caller_ids(c.spec) && room > 0) {
    auto states = this->caller_ids(c, *rules, now);
    if (auto open_at = schedule::caller_ids_open_at(states)) {
      if (auto [it, fresh] = numbers_closed_.try_emplace(c.id, *open_at); fresh || it->second != *open_at) {
        it->second = *open_at;
        std::string why;
        for (const auto& n : states) why += fmt::format("; {} {}", n.number, n.why);
        spdlog::warn("campaign {}: no from number is usable until {}{}", c.id, util::format_rfc3339(*open_at), why);
      }
      consider(*open_at);
      return 0;
    }
    if (numbers_closed_.erase(c.id)) spdlog::info("campaign {}: a from number is usable again; dispatch resumes", c.id);
    numbers = schedule::number_rooms(states);
    number_health = std::move(states);
  }
  std::int64_t budget =
      rules->max_calls_per_day ? *rules->max_calls_per_day - calls_today : std::numeric_limits<std::int64_t>::max();
  bool held = false;  // a call waits for its pre-dial answer: that answer wakes the loop
  auto judge = [&](const store::Candidate& cand, store::History& history) {
    // The claim's limit keeps the campaign under its daily cap and concurrency.
    auto d = evaluate(*rules, cand, history, schedule::CallFacts{}, now, nullptr, schedule::Explain::when_blocked);
    store::Verdict v;
    v.reason = d.reason;
    if (d.predial_needed) {
      // Every other check passes: ask (unless an ask for it is under way, or the campaign has as many
      // under way as it may), and leave the call due meanwhile.
      const auto& call = cand.call;
      predial_.ask(
          c, {call.phone, call.contact_id, call.id, call.attempt, call.first_name, call.last_name, call.variables});
      held = true;
      v.kind = store::Verdict::Kind::hold;
      return v;
    }
    switch (d.kind) {
      case schedule::Decision::Kind::dispatch:
        v.kind = store::Verdict::Kind::dispatch;
        break;
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
  bool provider_busy = false;
  std::int64_t claimed = 0;
  bool numbers_out = false;
  while (room > 0 && budget > 0 && paced > 0) {
    UnixMs retry_at = 0;
    auto route = this->route(c, now, retry_at);
    if (!route) {
      // Paced, backing off or breaker open: look again when it says, or when a submission ends (retry_at 0).
      provider_busy = true;
      if (retry_at) consider(retry_at);
      break;
    }
    auto kind = providers::kind_info(route->provider->kind());
    store::ClaimOptions options;
    options.limit = static_cast<int>(std::min({room, budget, paced, std::int64_t{route->provider->chunk_size()}}));
    if (route->probe) options.limit = 1;  // a half-open breaker's probe risks one call, not a chunk
    // With a pre-dial check the due calls at the head are mostly held (their answers on the way): a claim
    // judges a few asks' worth, not a whole chunk's, each pass.
    if (c.spec.predial) options.max_examined = 4 * PredialChecker::kMaxAsksPerCampaign;
    options.caller_id_per_call = kind && kind->caller_id_per_call;
    options.chunk_per_caller_id = kind && kind->sends_caller_id && !kind->caller_id_per_call;
    options.provider = route->provider->name();
    options.number_rooms = numbers;
    auto chunk = store_.claim(c, options, now, judge);
    if (!chunk) break;
    auto n = static_cast<std::int64_t>(chunk->calls.size());
    if (!numbers.empty())
      for (const auto& call : chunk->calls)
        if (auto at = std::find(caller_ids.begin(), caller_ids.end(), call.from_number); at != caller_ids.end())
          --numbers[static_cast<std::size_t>(at - caller_ids.begin())];
    room -= n;
    budget -= n;
    claimed += n;
    calls_today += n;
    if (pacing.any()) {
      pacers_[c.id].take(pacing, static_cast<int>(n), now);
      paced -= n;
    }
    guard(route->provider->name()).started(now, route->probe);
    served_[c.id] = ++served_seq_;
    spawn_dispatch(route->provider, std::move(*chunk), route->probe);
    if (held) break;  // the held calls' answers wake the loop; judging them again now finds nothing new
    if (!numbers.empty() && std::none_of(numbers.begin(), numbers.end(), [](auto r) { return r > 0; })) {
      // Every number has placed its cap today or was resting: look again when the first opens (a rest
      // begins only with an outcome, which wakes us).
      numbers_out = true;
      for (const auto& n : number_health)
        if (n.until) consider(n.until);
      break;
    }
  }
  if (budget <= 0 || numbers_out) consider(schedule::next_local_day_start(rules->zone, now));
  // At capacity (or with the provider busy) a finished submission or an outcome wakes us instead.
  if (room > 0 && budget > 0 && paced <= 0) consider(pacers_[c.id].next_at(pacing, now));
  if (room > 0 && budget > 0 && paced > 0 && !provider_busy && !held && !numbers_out) consider(store_.next_due(c.id));
  return claimed;
}

awaitable<void> Scheduler::record_until_written(const DispatchChunk& chunk, const std::vector<SubmitResult>& results) {
  std::unique_ptr<util::Timer> timer;
  UnixMs pause = 0, logged_at = 0;
  for (int tries = 1;; ++tries) {
    std::string error;
    try {
      // One transaction: a failed try wrote nothing, so the next one starts from the same state.
      co_await store::when_unlocked([&] { store_.record_submission(chunk, results, time_.now_ms()); }, std::nullopt);
      if (tries > 1)
        spdlog::warn("campaign {}: the answer for chunk {} is recorded after {} tries", chunk.campaign_id,
                     chunk.idempotency_key, tries);
      co_return;
    } catch (const std::exception& e) {
      error = e.what();
    }
    // If the daemon exits meanwhile, the calls stay dispatching and are held for review at restart, never
    // redialled (docs/ARCHITECTURE.md, "Start-up and shutdown").
    const UnixMs now = time_.now_ms();
    if (tries == 1 || now - logged_at >= 10000) {
      spdlog::error("campaign {}: recording the answer for chunk {} failed ({} tries so far), trying again: {}",
                    chunk.campaign_id, chunk.idempotency_key, tries, error);
      logged_at = now;
    }
    pause = pause == 0 ? 100 : std::min<UnixMs>(pause * 2, 5000);
    if (!timer) timer = time_.make_timer(ioc_);
    timer->expires_at(now + pause);
    co_await timer->wait();
  }
}

std::optional<UnixMs> Scheduler::expire_in_progress(UnixMs now) {
  for (;;) {
    auto expired = store_.expire_in_progress(now - call_timeout_ms_, 1000, now);
    call_timeouts().inc(static_cast<double>(expired.size()));
    for (const auto& e : expired)
      if (e.effect == store::OutcomeApplied::Effect::applied)
        spdlog::warn("campaign {} call {}: no outcome within {} s of the provider accepting it: timeout -> {}",
                     e.campaign_id, e.call_id, call_timeout_ms_ / 1000, to_string(e.state));
    if (expired.size() < 1000) break;
  }
  auto oldest = store_.oldest_in_progress();
  return oldest ? std::optional<UnixMs>(*oldest + call_timeout_ms_) : std::nullopt;
}

void Scheduler::spawn_dispatch(std::shared_ptr<providers::Provider> provider, DispatchChunk chunk, bool probe) {
  ++submissions_in_flight_;
  metrics::loop_busy("scheduler").set(1);
  asio::co_spawn(ioc_, dispatch(std::move(provider), std::move(chunk), probe), asio::detached);
}

awaitable<void> Scheduler::dispatch(std::shared_ptr<providers::Provider> provider, DispatchChunk chunk, bool probe) {
  spdlog::debug("campaign {}: submitting {} calls to {} ({})", chunk.campaign_id, chunk.calls.size(), provider->name(),
                chunk.idempotency_key);
  providers::Submission submission;
  auto& latency = request_seconds(provider->name());
  auto started = std::chrono::steady_clock::now();
  try {
    // Durable before any byte can leave: after a crash only chunks marked here may have been placed.
    const providers::BeforeSend mark_sent = [this, &chunk] { store_.mark_sent(chunk.idempotency_key, time_.now_ms()); };
    submission = co_await provider->submit(chunk, mark_sent);
  } catch (const std::exception& e) {
    spdlog::error("campaign {}: provider {} failed on chunk {}: {}", chunk.campaign_id, provider->name(),
                  chunk.idempotency_key, e.what());
    submission.health = providers::Health::failed;
    submission.failure = "exception";
  }
  auto& results = submission.results;
  const UnixMs finished_at = time_.now_ms();
  auto& g = guard(provider->name());
  if (submission.retry_after_ms > g.limits().retry_after_max_ms) {
    retry_after_capped(provider->name()).inc();
    spdlog::warn("provider {}: asked to wait {} s (Retry-After); waiting backoff.retry_after_max_ms = {} s instead",
                 provider->name(), submission.retry_after_ms / 1000, g.limits().retry_after_max_ms / 1000);
  }
  if (g.finished(finished_at, submission.health, submission.retry_after_ms, probe)) {
    // A run of whole-chunk refusals: the provider (or our configuration of it) is broken, not these calls.
    // They wait for it like calls of a failed submission instead of failing for good.
    for (auto& r : results)
      if (r.kind == SubmitResult::Kind::rejected) {
        r.kind = SubmitResult::Kind::not_submitted;
        r.reason = "provider refused " + std::to_string(g.straight_rejections()) +
                   " chunks in a row; waiting for it instead of failing the calls (" + r.reason + ")";
      }
    spdlog::error(
        "provider {}: {} chunks refused in a row: treated as failing (breaker {}); check its "
        "configuration and the log above",
        provider->name(), g.straight_rejections(), providers::to_string(g.state()));
  }
  if (submission.health != providers::Health::ok) {
    provider_failures(provider->name(), submission.failure.empty() ? "other" : submission.failure).inc();
    // Calls certainly not sent are due again after the provider's backoff pause, or at once when its
    // breaker is open and the campaign has a failover provider. While the breaker stays open the campaign
    // claims nothing (route() says so), so due calls wait untouched, and a failover_provider added by
    // PATCH meanwhile takes them on the next pass.
    const bool failover = g.state() != providers::BreakerState::closed &&
                          !chunk.campaign.spec.failover_provider().empty() &&
                          chunk.campaign.spec.failover_provider() != provider->name();
    const UnixMs wait = failover ? 0 : std::max<UnixMs>(g.paused_until() - finished_at, 0);
    for (auto& r : results)
      if (r.kind == SubmitResult::Kind::not_submitted) r.retry_after_ms = wait;
  }
  // Any call the provider said nothing about may or may not have gone out: hold it.
  std::unordered_set<CallId> answered;
  for (const auto& r : results) answered.insert(r.call_id);
  for (const auto& call : chunk.calls)
    if (!answered.count(call.id))
      results.push_back({SubmitResult::Kind::uncertain, call.id, "", "provider gave no answer for this call", 0});
  // The answer exists nowhere else: until it is written the calls stay dispatching and hold their slots.
  co_await record_until_written(chunk, results);
  latency.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  chunks_submitted(provider->name()).inc();
  std::size_t accepted = 0;
  for (const auto& r : results) {
    accepted += r.kind == SubmitResult::Kind::accepted;
    calls_submitted(provider->name(), r.kind).inc();
  }
  spdlog::info("campaign {}: {} of {} calls accepted by {}", chunk.campaign_id, accepted, chunk.calls.size(),
               provider->name());
  --submissions_in_flight_;
  wake();
}

std::optional<schedule::CampaignRules> Scheduler::rules_for(const Campaign& campaign, std::string& error) {
  auto rules = schedule::campaign_rules(campaign, error);
  if (rules && !campaign.spec.dnc_lists.empty()) {
    auto honoured = store_.dnc_lists_of(campaign);
    rules->dnc_lists = std::move(honoured.lists);
    rules->dnc_missing = std::move(honoured.missing);
  }
  return rules;
}

schedule::Decision Scheduler::evaluate(const schedule::CampaignRules& rules, const store::Candidate& cand,
                                       store::History& history, const schedule::CallFacts& campaign_facts, UnixMs now,
                                       schedule::ContactPlace* place_out, schedule::Explain explain) const {
  auto place = schedule::resolve_place(cand.contact_timezone, cand.call.phone, rules.zone, legal_.unknown_zone);
  schedule::CallFacts facts = campaign_facts;
  facts.active = cand.active;
  facts.suppression = cand.suppression;
  facts.consent = cand.consent;
  facts.not_before = cand.not_before;
  if (!rules.dnc_lists.empty()) facts.dnc_listed = history.dnc_listed(cand.call.phone, rules.dnc_lists);
  // The contact's day (its daily cap, and the date its region's caps are in force on) is in its first zone.
  const schedule::Zone day_zone = place.zones.empty() ? rules.zone : place.zones.front();
  facts.contact_calls_today =
      history.contact_calls_since(cand.call.contact_id, schedule::local_day_start(day_zone, now));
  for (const schedule::RollingCap* cap : schedule::caps_in_force(legal_.for_region(place.region), day_zone, now)) {
    const UnixMs span = UnixMs{cap->hours} * 3600 * 1000;
    auto nth =
        cap->per == schedule::RollingCap::Per::contact
            ? history.contact_nth_recent_call(cand.call.contact_id, cap->calls, now - span)
            : history.subject_nth_recent_call(cand.call.contact_id, cap->calls, now - span, rules.subject, rules.id);
    facts.caps.push_back({cap, nth ? std::optional<UnixMs>(*nth + span) : std::nullopt});
  }
  if (rules.reg_f_cap) {
    const UnixMs span = UnixMs{rules.reg_f_cap->hours} * 3600 * 1000;
    auto nth = history.subject_nth_recent_call(cand.call.contact_id, rules.reg_f_cap->calls, now - span, rules.subject,
                                               rules.id);
    facts.caps.push_back({&*rules.reg_f_cap, nth ? std::optional<UnixMs>(*nth + span) : std::nullopt});
  }
  if (rules.predial) facts.predial = predial_.answer(rules.id, rules.predial->url, cand.call.phone, now);
  if (rules.reg_f_quiet_days > 0) {
    // Days counted as 24 hours each, plus the hour a week with a DST change back may add.
    const UnixMs span = (UnixMs{rules.reg_f_quiet_days} * 24 + 1) * 3600 * 1000;
    if (auto last = history.subject_last_conversation(cand.call.contact_id, now - span, rules.subject, rules.id))
      facts.quiet_until = *last + span;
  }
  auto d = schedule::decide(rules, place, facts, legal_, now, explain);
  if (place_out) *place_out = std::move(place);
  return d;
}

std::optional<UnixMs> Scheduler::paced_until(const Campaign& c, int extra, UnixMs now) const {
  const schedule::PacingLimits pacing{c.spec.calls_per_second, c.spec.calls_per_minute};
  if (!pacing.any()) return std::nullopt;
  auto it = pacers_.find(c.id);
  schedule::Pacer pacer = it == pacers_.end() ? schedule::Pacer{} : it->second;
  if (extra > 0) pacer.take(pacing, extra, now);
  if (pacer.room(pacing, now) > 0) return std::nullopt;
  return pacer.next_at(pacing, now);
}

std::vector<schedule::NumberState> Scheduler::caller_ids(const Campaign& c, const schedule::CampaignRules& rules,
                                                         UnixMs now) {
  if (!schedule::limits_caller_ids(c.spec)) return {};
  auto uses = store_.number_uses(c, schedule::local_day_start(rules.zone, now));
  return schedule::number_states(c.spec, c.spec.caller_ids(), uses, now,
                                 schedule::next_local_day_start(rules.zone, now));
}

void Scheduler::paced(const Campaign& c, int n, UnixMs now) {
  const schedule::PacingLimits pacing{c.spec.calls_per_second, c.spec.calls_per_minute};
  if (pacing.any() && n > 0) pacers_[c.id].take(pacing, n, now);
}

std::vector<store::OutcomeApplied> Scheduler::apply_outcomes(const std::string& provider,
                                                             const std::vector<OutcomeReport>& reports) {
  auto applied = store_.record_outcomes(provider, reports, time_.now_ms());
  using Effect = store::OutcomeApplied::Effect;
  auto effect_name = [](Effect e) {
    switch (e) {
      case Effect::applied:
        return "applied";
      case Effect::duplicate:
        return "duplicate";
      case Effect::deferred:
        return "deferred";
      case Effect::unknown_call:
        return "unknown_call";
      case Effect::corrupt:
        return "corrupt";
    }
    return "unknown";
  };
  for (std::size_t i = 0; i < applied.size(); ++i)
    metrics::registry()
        .counter("dialerd_outcomes_total", kOutcomesHelp,
                 {{"provider", provider},
                  {"outcome", std::string(to_string(reports[i].outcome))},
                  {"effect", effect_name(applied[i].effect)}})
        .inc();
  wake();
  return applied;
}

}  // namespace dialerd::scheduler
