#pragma once
// The coroutine loop that asks the queue what is due and hands chunks to providers.
#include <map>
#include <memory>
#include <string>

#include "dialerd/asio.hpp"
#include "dialerd/providers/provider.hpp"
#include "dialerd/schedule/compliance.hpp"
#include "dialerd/schedule/pacing.hpp"
#include "dialerd/scheduler/predial.hpp"
#include "dialerd/store/dispatch_queue.hpp"
#include "dialerd/util/random.hpp"
#include "dialerd/util/timer.hpp"

namespace dialerd::scheduler {

using ProviderMap = std::map<std::string, std::shared_ptr<providers::Provider>>;

class Scheduler {
 public:
  // Reads the time from `time` and waits on its timers (a test drives both with SimulatedTimeSystem).
  // seed: for the providers' backoff jitter (each provider's guard gets its own draw of it; 0: random).
  Scheduler(asio::io_context& ioc, store::DispatchQueue& store, util::TimeSystem& time, std::uint64_t seed = 0);
  ~Scheduler();  // gives the store back its default outcome rule
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;
  // The configured providers; their metric series are made at zero here.
  void set_providers(ProviderMap providers);
  // Each provider's in-flight, rate, backoff and breaker settings (config providers.<name>.*); the
  // breaker's state and the counts are kept across reloads.
  void set_limits(const std::map<std::string, providers::Limits>& limits);
  // The legal rules in force (config compliance.*); they may change on reload.
  void set_legal_rules(schedule::LegalRules rules) { legal_ = std::move(rules); }
  const ProviderMap& providers() const { return providers_; }
  // The campaigns' pre-dial checks: their asks and standing answers (evaluate() reads them; each answer
  // wakes the loop). POST /v1/calls awaits its asks here before it places calls.
  PredialChecker& predial() { return predial_; }
  // Calls in progress longer than this with no outcome get the outcome timeout; 0 = never.
  void set_call_timeout(int seconds) { call_timeout_ms_ = domain::UnixMs{seconds} * 1000; }
  // retry.*: what an outcome does to a call. The scheduler decides it (its rule is the store's) with
  // these settings and its own jitter draws; they apply to the next outcome.
  void set_retry_settings(const schedule::RetrySettings& settings) { retry_settings_ = settings; }
  // workspaces.max_in_flight: each workspace's ceiling on calls in flight ("*": every other one).
  void set_workspace_ceilings(std::map<std::string, int> ceilings) { workspace_ceilings_ = std::move(ceilings); }

  void start();
  // Sends chunks again under their original idempotency keys (start-up reconciliation).
  void resubmit(std::vector<domain::DispatchChunk> chunks);
  // Sends a chunk claimed outside the loop (POST /v1/calls) to its campaign's provider.
  void send(domain::DispatchChunk chunk);
  // Something changed (campaign created, outcome, ...): evaluate again now.
  void wake();
  // Stops claiming calls; submissions already sent run to completion.
  void stop_claiming();
  std::size_t submissions_in_flight() const { return submissions_in_flight_; }

  // A provider's breaker and pacing as the scheduler sees them (metrics, logs).
  struct ProviderHealth {
    std::string name;
    providers::BreakerState breaker = providers::BreakerState::closed;
    int in_flight = 0;
    int straight_failures = 0;
    int straight_throttles = 0;  // 429s in a row
    domain::UnixMs open_until = 0;
    domain::UnixMs paused_until = 0;  // backoff or Retry-After
  };
  std::vector<ProviderHealth> provider_health() const;
  // Where a call placed now (POST /v1/calls) goes: the campaign's provider unless its breaker is open, else
  // its failover provider unless that one's is open too. `retry_at` says when to try again when neither.
  std::optional<std::string> provider_for_now(const domain::Campaign& campaign, domain::UnixMs now,
                                              domain::UnixMs& retry_at);
  bool claiming() const { return claiming_; }

  // The campaign's rules as the claim applies them: schedule::campaign_rules, with the DNC lists it honours
  // as they stand now. Nothing (with `error`) when a field is unusable.
  std::optional<schedule::CampaignRules> rules_for(const domain::Campaign& campaign, std::string& error);

  // The compliance decision for one call at `now`, as the claim makes it. `campaign_facts` carries the
  // campaign's in-flight count and calls today; the contact's side is read from `history`, the pre-dial
  // answer from predial(). The claim asks
  // for Explain::when_blocked: every check still runs, but a call that may go out gets no explanation.
  schedule::Decision evaluate(const schedule::CampaignRules& rules, const store::Candidate& candidate,
                              store::History& history, const schedule::CallFacts& campaign_facts, domain::UnixMs now,
                              schedule::ContactPlace* place_out = nullptr,
                              schedule::Explain explain = schedule::Explain::always) const;
  // Pacing (calls_per_second, calls_per_minute): when the campaign may start its next call once `extra`
  // more have started now (nothing: at once), and `n` calls started now outside the loop (call now).
  std::optional<domain::UnixMs> paced_until(const domain::Campaign& campaign, int extra, domain::UnixMs now) const;
  void paced(const domain::Campaign& campaign, int n, domain::UnixMs now);
  // Caller-id health (docs/SCHEDULING.md): each of the campaign's from numbers' state now (its daily cap
  // counted from the start of the campaign's day); empty when the campaign limits none.
  std::vector<schedule::NumberState> caller_ids(const domain::Campaign& campaign, const schedule::CampaignRules& rules,
                                                domain::UnixMs now);

  // Applies outcomes a provider reported, then wakes the loop (a slot may be free).
  std::vector<store::OutcomeApplied> apply_outcomes(const std::string& provider,
                                                    const std::vector<domain::OutcomeReport>& reports);

 private:
  awaitable<void> run();
  // One pass: start triggered campaigns, claim and send what is due. Returns when to look again.
  std::optional<domain::UnixMs> tick();
  // Starts a chunk's submission. It counts as in flight (and the loop as busy) from here, not from when the
  // coroutine first runs: a pass that ends meanwhile must not report the loop idle.
  void spawn_dispatch(std::shared_ptr<providers::Provider> provider, domain::DispatchChunk chunk, bool probe);
  awaitable<void> dispatch(std::shared_ptr<providers::Provider> provider, domain::DispatchChunk chunk, bool probe);

  // The provider a campaign's next chunk goes to now (its own, or its failover while its own breaker is
  // not closed) and the guard's admission, or nothing and when to look again (0: when a submission ends).
  struct Route {
    std::shared_ptr<providers::Provider> provider;
    bool probe = false;
  };
  std::optional<Route> route(const domain::Campaign& campaign, domain::UnixMs now, domain::UnixMs& retry_at);
  providers::Guard& guard(const std::string& provider);

  // The claim for one campaign: sized by room, chunk size and daily budget, and by `workspace_room`, its
  // share of its workspace's ceiling when it has one; each call judged. Returns how many calls it claimed.
  std::int64_t dispatch_campaign(const domain::Campaign& campaign, std::optional<domain::UnixMs>& next,
                                 domain::UnixMs now, std::optional<std::int64_t> workspace_room);
  // Writes a submission's answer, however long that takes: a lock is waited out in short steps, any other
  // failure (disk full, I/O error) is tried again on a timer, 100 ms doubling to 5 s.
  awaitable<void> record_until_written(const domain::DispatchChunk& chunk,
                                       const std::vector<domain::SubmitResult>& results);
  // Applies the outcome timeout to calls in progress too long; returns when the next one would expire.
  std::optional<domain::UnixMs> expire_in_progress(domain::UnixMs now);

  asio::io_context& ioc_;
  store::DispatchQueue& store_;  // the only part of the store the scheduler uses
  schedule::LegalRules legal_;
  util::TimeSystem& time_;
  PredialChecker predial_;
  ProviderMap providers_;
  std::map<std::string, providers::Limits> limits_;
  std::map<std::string, providers::Guard> guards_;
  std::uint64_t seed_;
  util::Random guard_seeds_;  // a seed for each guard when seed_ is set
  schedule::RetrySettings retry_settings_;
  util::Random retry_draws_;                            // the retry delays' jitter
  std::map<domain::CampaignId, std::uint64_t> served_;  // when each campaign last got a chunk (a sequence)
  std::uint64_t served_seq_ = 0;
  std::map<domain::CampaignId, std::string> dnc_blocked_;        // campaigns stopped by a DNC list, and why (logged)
  std::map<domain::CampaignId, domain::UnixMs> numbers_closed_;  // no from number usable until (logged)
  std::map<domain::CampaignId, schedule::Pacer> pacers_;         // each paced campaign's buckets (in memory)
  std::map<std::string, int> workspace_ceilings_;                // workspaces.max_in_flight
  std::unique_ptr<util::Timer> timer_;
  bool dirty_ = false;
  bool claiming_ = true;
  bool stopped_ = false;
  std::size_t submissions_in_flight_ = 0;
  domain::UnixMs call_timeout_ms_ = 0;
  domain::UnixMs locked_logged_at_ = -1000000;  // when "database locked" was last logged
};

}  // namespace dialerd::scheduler
