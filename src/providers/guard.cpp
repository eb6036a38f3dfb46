#include "dialerd/providers/guard.hpp"

#include <algorithm>

#include "dialerd/util/backoff.hpp"

namespace dialerd::providers {

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::open:
      return "open";
    case BreakerState::half_open:
      return "half_open";
  }
  return "closed";
}

Guard::Guard(Limits limits, std::uint64_t seed) : limits_(limits), random_(seed) {}

void Guard::move_to(BreakerState next) {
  if (next == state_) return;
  auto from = state_;
  state_ = next;
  if (on_change_) on_change_(from, next);
}

UnixMs Guard::backoff(int failures) {
  // Exponential from backoff_min_ms, capped, with "equal jitter": a uniform draw in [d/2, d], so providers
  // recovering from one outage are not hit by every daemon at the same instant.
  const double first = static_cast<double>(std::max<UnixMs>(limits_.backoff_min_ms, 1));
  const double cap = std::max(first, static_cast<double>(limits_.backoff_max_ms));
  return util::backoff_ms({first, 2.0, cap, 0.5, 0.0}, failures, random_.uniform());
}

Guard::Admission Guard::admit(UnixMs now) {
  if (state_ == BreakerState::open) {
    if (now < open_until_) return {false, false, open_until_, "breaker open"};
    move_to(BreakerState::half_open);
  }
  if (state_ == BreakerState::half_open) {
    // One probe at a time; the submissions still out from before the breaker opened do not count.
    if (probe_in_flight_) return {false, false, 0, "probe in flight"};
    return {true, true, 0, {}};
  }
  if (now < paused_until_) return {false, false, paused_until_, "backoff"};
  if (limits_.max_in_flight > 0 && in_flight_ >= limits_.max_in_flight) return {false, false, 0, "in-flight limit"};
  // Health unknown (nothing answered yet) or recovering (the last answer was a failure): a hung or broken
  // provider then holds one chunk, not max_in_flight of them, before the breaker can react.
  if (!proven_ && in_flight_ >= 1) return {false, false, 0, "health unknown"};
  if (limits_.requests_per_second > 0) {
    const double rate = limits_.requests_per_second;
    const double burst = std::max(1.0, rate);
    if (tokens_ < 0) {
      tokens_ = burst;
      tokens_at_ = now;
    }
    tokens_ = std::min(burst, tokens_ + static_cast<double>(std::max<UnixMs>(now - tokens_at_, 0)) * rate / 1000.0);
    tokens_at_ = now;
    if (tokens_ < 1.0) {
      auto wait = static_cast<UnixMs>((1.0 - tokens_) * 1000.0 / rate) + 1;
      return {false, false, now + wait, "rate limit"};
    }
  }
  return {true, false, 0, {}};
}

void Guard::started(UnixMs now, bool probe) {
  ++in_flight_;
  if (probe) probe_in_flight_ = true;
  if (limits_.requests_per_second > 0) {
    if (tokens_ < 0) {
      tokens_ = std::max(1.0, limits_.requests_per_second);
      tokens_at_ = now;
    }
    tokens_ -= 1.0;
  }
}

bool Guard::finished(UnixMs now, Health health, UnixMs retry_after_ms, bool probe) {
  in_flight_ = std::max(0, in_flight_ - 1);
  if (probe) probe_in_flight_ = false;
  retry_after_ms = std::min(retry_after_ms, std::max<UnixMs>(limits_.retry_after_max_ms, 0));
  // While open or half-open only the probe speaks for the provider: answers to submissions sent before
  // the breaker opened describe the past (a rejected one still waits rather than fails).
  if (state_ != BreakerState::closed && !probe) return health == Health::rejected;

  bool rejection_is_failure = false;
  if (health == Health::rejected) {
    ++straight_rejections_;
    rejection_is_failure =
        probe || (limits_.breaker_rejections > 0 && straight_rejections_ >= limits_.breaker_rejections);
    if (!rejection_is_failure) return false;  // one bad payload: the provider itself may be fine
    // Counted as a failure below, and the breaker opens at once: straight_failures_ reaches its threshold.
    straight_failures_ = std::max(straight_failures_, limits_.breaker_failures - 1);
  }
  switch (health) {
    case Health::ok:
      straight_failures_ = 0;
      straight_rejections_ = 0;
      straight_throttles_ = 0;
      proven_ = true;
      paused_until_ = 0;
      open_period_ = 0;
      move_to(BreakerState::closed);
      return false;
    case Health::throttled:
      // Without a usable Retry-After the pause grows with each 429 in a row, as after failures.
      ++straight_throttles_;
      paused_until_ =
          std::max(paused_until_, now + (retry_after_ms > 0 ? retry_after_ms : backoff(straight_throttles_)));
      if (probe) {
        // It answers, so it is up: close, and honour the pause it asked for.
        straight_failures_ = 0;
        open_period_ = 0;
        move_to(BreakerState::closed);
      }
      return false;
    case Health::rejected:  // only a run of them, counted as one failure that opens the breaker
    case Health::failed:
      proven_ = false;
      ++straight_failures_;
      paused_until_ = std::max(paused_until_, now + std::max(retry_after_ms, backoff(straight_failures_)));
      if (probe) {
        open_period_ = std::min(std::max<UnixMs>(open_period_, limits_.breaker_open_ms) * 2,
                                std::max(limits_.breaker_open_max_ms, limits_.breaker_open_ms));
        open_until_ = now + std::max(open_period_, retry_after_ms);
        move_to(BreakerState::open);
      } else if (limits_.breaker_failures > 0 && straight_failures_ >= limits_.breaker_failures) {
        open_period_ = limits_.breaker_open_ms;
        open_until_ = now + std::max(open_period_, retry_after_ms);
        move_to(BreakerState::open);
      }
      return rejection_is_failure;
  }
  return rejection_is_failure;
}

}  // namespace dialerd::providers
