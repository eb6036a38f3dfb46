#pragma once
// Local hours and days as spans of instants, for reports (GET /v1/campaigns/{id}/stats): built from the
// store's 15-minute UTC slots (store::kStatSlotMs), which every zone's offset divides, so a bucket is exact
// in any zone and on any DST day (a fall-back night has two 01:00 hours, a spring-forward day 23 hours).
#include <vector>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/schedule/window.hpp"

namespace dialerd::schedule {

enum class BucketSize { hour, day };

struct LocalBucket {
  domain::UnixMs start = 0, end = 0;             // [start, end)
  int start_offset_min = 0, end_offset_min = 0;  // the zone's UTC offset at start and at end
  bool operator==(const LocalBucket&) const = default;
};

// How long a 15-minute slot is, and where the one holding t starts.
inline constexpr domain::UnixMs kSlotMs = 15 * 60 * 1000;
domain::UnixMs slot_of(domain::UnixMs t);

// The local hours or days of `zone` that overlap [from, to) (from < to), in order: the first holds
// `from`, the last holds to - 1. Each is a whole local hour or day, so the first may start before `from`
// and the last end after `to`. An hour is one local hour at one offset: the hour repeated when clocks go
// back is two buckets.
std::vector<LocalBucket> local_buckets(Zone zone, BucketSize size, domain::UnixMs from, domain::UnixMs to);

// The zone's UTC offset at t, in minutes.
int utc_offset_min(Zone zone, domain::UnixMs t);

}  // namespace dialerd::schedule
