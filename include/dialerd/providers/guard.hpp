#pragma once
// Per-provider resilience as a pure object (time is passed in): in-flight and rate limits, exponential
// backoff with jitter after failures and after throttling, and a circuit breaker (closed, open after N
// straight failures or M straight rejected chunks, half-open with one probe). Until a provider has
// answered well (at start, and after any failure) one submission at a time is risked. The scheduler keeps
// one Guard per provider name, across reloads.
#include <cstdint>
#include <functional>
#include <string_view>

#include "dialerd/config/config.hpp"
#include "dialerd/domain/campaign.hpp"
#include "dialerd/util/random.hpp"

namespace dialerd::providers {

using domain::UnixMs;

using Limits = config::ProviderLimits;

enum class BreakerState { closed, open, half_open };
std::string_view to_string(BreakerState state);

// What one submission says about the provider's health.
enum class Health {
  ok,         // it answered a 2xx we could read: the provider works
  failed,     // connection refused/reset/timeout, 5xx, a refusal that is our configuration's fault, or a
              // 2xx answer that cannot be read (HTML, empty, truncated)
  throttled,  // 429: it works but wants us slower; pause as asked (backing off while no Retry-After says
              // how long), the breaker does not count it
  rejected,   // it refused the whole chunk for good (400, 422, ...): alone the payload's fault, but a run
              // of them means the provider (or our configuration of it) is broken
};

class Guard {
 public:
  struct Admission {
    bool ok = false;
    bool probe = false;    // the half-open probe: the scheduler sends one call
    UnixMs retry_at = 0;   // when !ok: when to ask again; 0 = when a submission of this provider finishes
    std::string_view why;  // when !ok: "breaker open", "probe in flight", "backoff", "in-flight limit", "rate limit"
  };
  using OnChange = std::function<void(BreakerState from, BreakerState to)>;

  explicit Guard(Limits limits = {}, std::uint64_t seed = 0);
  void set_limits(const Limits& limits) { limits_ = limits; }
  const Limits& limits() const { return limits_; }
  // Called on every breaker transition (logs, metrics).
  void on_change(OnChange fn) { on_change_ = std::move(fn); }

  // May a submission start now? An open breaker whose time is up turns half-open here.
  Admission admit(UnixMs now);
  // A submission admitted by admit() starts (takes a rate token and an in-flight slot).
  void started(UnixMs now, bool probe);
  // It finished. `retry_after_ms` is what the provider asked for (Retry-After), 0 if nothing; a pause
  // longer than retry_after_max_ms is cut to it. Returns true when a rejected chunk is counted as a
  // failure (the run of rejections reached breaker_rejections, or a probe was rejected): its calls should
  // wait for the provider to recover rather than fail.
  bool finished(UnixMs now, Health health, UnixMs retry_after_ms, bool probe);

  BreakerState state() const { return state_; }
  int in_flight() const { return in_flight_; }
  int straight_failures() const { return straight_failures_; }
  int straight_rejections() const { return straight_rejections_; }
  int straight_throttles() const { return straight_throttles_; }  // 429s in a row (the throttling streak)
  // Whether the provider's last answer was a good one; until then admit() risks one submission at a time.
  bool proven() const { return proven_; }
  // Until when submissions wait after failures or a 429 (0 = not paused); the breaker's open time aside.
  UnixMs paused_until() const { return paused_until_; }
  UnixMs open_until() const { return open_until_; }

 private:
  void move_to(BreakerState next);
  UnixMs backoff(int failures);

  Limits limits_;
  util::Random random_;  // backoff jitter
  OnChange on_change_;
  BreakerState state_ = BreakerState::closed;
  int in_flight_ = 0;
  bool probe_in_flight_ = false;
  int straight_failures_ = 0;
  int straight_rejections_ = 0;
  int straight_throttles_ = 0;
  bool proven_ = false;
  UnixMs paused_until_ = 0;
  UnixMs open_until_ = 0;
  UnixMs open_period_ = 0;  // the current open period; grows after failed probes
  double tokens_ = -1;      // rate-limit bucket; < 0 until first used
  UnixMs tokens_at_ = 0;
};

}  // namespace dialerd::providers
