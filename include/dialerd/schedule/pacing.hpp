#pragma once
// Pacing (issue 20.4; docs/SCHEDULING.md, "Pacing"): at most `per_second` calls of a campaign started in
// any window of one second and `per_minute` in any window of one minute, next to its concurrency. Each
// limit keeps the start times inside its window (a sliding window, exact: never more than the rate in any
// window, and calls freed together go out together). Pure: the time is passed in.
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::schedule {

struct PacingLimits {
  std::optional<int> per_second, per_minute;
  bool any() const { return per_second || per_minute; }
};

// A workspace's ceiling on calls in flight from config workspaces.max_in_flight (workspace -> ceiling, "*"
// for every workspace not named); none when it has none.
std::optional<int> workspace_ceiling(const std::map<std::string, int>& ceilings, const std::string& workspace);
// A running campaign's quota of its workspace's ceiling (workspaces.max_in_flight): an equal part of it,
// rounded up, among the workspace's `campaigns` running campaigns.
std::int64_t workspace_quota(std::int64_t ceiling, std::int64_t campaigns);
// A campaign's part of the room its workspace's campaigns left unused (the ceiling less the calls in
// flight) when `campaigns` that took their whole quota, this one included, have yet to take theirs: an
// equal part, rounded up, so what one leaves goes to those after it. 0 when there is no room.
std::int64_t workspace_share(std::int64_t room, std::int64_t campaigns);

class Pacer {
 public:
  // How many calls may start at `now` (a large number when no limit is set).
  int room(const PacingLimits& limits, domain::UnixMs now) const;
  // `n` calls started at `now` (more than room() only when call now goes past it: that delays the next).
  void take(const PacingLimits& limits, int n, domain::UnixMs now);
  // When the next call may start: `now` when one may now.
  domain::UnixMs next_at(const PacingLimits& limits, domain::UnixMs now) const;

 private:
  // The start times inside the window, oldest first (older ones are dropped as calls start).
  struct Window {
    std::deque<domain::UnixMs> starts;
    std::size_t in_window(domain::UnixMs period_ms, domain::UnixMs now) const;
    domain::UnixMs next_at(int rate, domain::UnixMs period_ms, domain::UnixMs now) const;
    void take(int n, domain::UnixMs period_ms, domain::UnixMs now);
  };
  Window second_, minute_;
};

}  // namespace dialerd::schedule
