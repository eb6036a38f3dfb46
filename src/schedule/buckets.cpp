#include "dialerd/schedule/buckets.hpp"

#include <date/tz.h>

#include <chrono>
#include <utility>

namespace dialerd::schedule {

using domain::UnixMs;

namespace {

constexpr UnixMs kHourMs = 3600 * 1000;
constexpr UnixMs kDayMs = 24 * kHourMs;

UnixMs floor_div(UnixMs a, UnixMs b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// The zone's offset, looked up again only when t leaves the span the last lookup is valid for.
class Offsets {
 public:
  explicit Offsets(Zone zone) : zone_(zone) {}
  UnixMs at(UnixMs t) {
    if (!zone_) return 0;
    if (t < begin_ || t >= end_) {
      auto info = zone_->get_info(date::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(t)));
      offset_ = std::chrono::duration_cast<std::chrono::milliseconds>(info.offset).count();
      begin_ = std::chrono::duration_cast<std::chrono::milliseconds>(info.begin.time_since_epoch()).count();
      end_ = std::chrono::duration_cast<std::chrono::milliseconds>(info.end.time_since_epoch()).count();
    }
    return offset_;
  }

 private:
  Zone zone_;
  UnixMs begin_ = 0, end_ = 0, offset_ = 0;
};

// What a slot's bucket is: its local hour and the offset, or its local day.
std::pair<UnixMs, UnixMs> label(Offsets& offsets, BucketSize size, UnixMs slot) {
  const UnixMs offset = offsets.at(slot);
  const UnixMs local = slot + offset;
  if (size == BucketSize::hour) return {floor_div(local, kHourMs), offset};
  return {floor_div(local, kDayMs), 0};
}

}  // namespace

UnixMs slot_of(UnixMs t) {
  return floor_div(t, kSlotMs) * kSlotMs;
}

int utc_offset_min(Zone zone, UnixMs t) {
  Offsets offsets(zone);
  return static_cast<int>(offsets.at(t) / 60000);
}

std::vector<LocalBucket> local_buckets(Zone zone, BucketSize size, UnixMs from, UnixMs to) {
  std::vector<LocalBucket> out;
  if (from >= to) return out;
  Offsets offsets(zone);
  // Back from the slot holding `from` to the first slot of its bucket.
  UnixMs start = slot_of(from);
  const auto first = label(offsets, size, start);
  while (label(offsets, size, start - kSlotMs) == first) start -= kSlotMs;
  auto current = first;
  for (UnixMs slot = start + kSlotMs;; slot += kSlotMs) {
    const auto here = label(offsets, size, slot);
    if (here == current) continue;
    out.push_back(
        {start, slot, static_cast<int>(offsets.at(start) / 60000), static_cast<int>(offsets.at(slot) / 60000)});
    if (slot >= to) break;
    start = slot;
    current = here;
  }
  return out;
}

}  // namespace dialerd::schedule
