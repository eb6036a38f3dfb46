#pragma once
// Daily calling windows in a time zone, DST-safe. Pure functions of (zone, window, days, instant).
//
// Definition: an instant t is inside a window when the local time of day at t (in the zone) lies in
// [start, end) and the local date the window opened on is an allowed day. A window whose end is before
// its start crosses midnight (22:00-02:00 belongs to the date it opened on); start == end is the whole day.
// Because this is stated in local time, DST needs no special case: on a spring-forward day a window that
// opens in the skipped hour opens at the transition; on a fall-back day the repeated hour is inside or
// outside exactly as the local clock says.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/domain/campaign.hpp"

namespace date {
class time_zone;
}

namespace dialerd::schedule {

using Zone = const date::time_zone*;

struct DailyWindow {
  int start_min = 0;      // minutes after local midnight, 0..1439
  int end_min = 24 * 60;  // 1..1440; before start_min = crosses midnight; == start_min = whole day
  bool crosses_midnight() const { return end_min < start_min; }
  bool operator==(const DailyWindow&) const = default;
};

// "HH:MM" (00:00..23:59; "24:00" allowed as an end) -> minutes, or nothing when malformed.
std::optional<int> parse_hhmm(std::string_view text);
std::string format_hhmm(int minutes);

// Which local dates a window applies on: ISO weekdays (1 = Monday .. 7 = Sunday) minus holidays.
struct DayRule {
  std::uint8_t weekdays = 0x7F;        // bit (weekday - 1)
  std::vector<std::int32_t> holidays;  // local dates as days since 1970-01-01, sorted
  static DayRule every_day() { return {}; }
  static DayRule of_weekdays(const std::vector<int>& iso_weekdays);
  bool allows(std::int32_t local_day) const;
  bool operator==(const DayRule&) const = default;
};

// Calling hours that may differ by weekday, change on given dates and close on holidays (a region's legal
// hours, docs/COMPLIANCE.md). The window of a local date is the one its weekday has in the table in force
// on that date, unless the date is closed; a date without one has no calls. A closed date has no calls from
// its midnight on, even where the day before has a window that crosses midnight.
struct WeekHours {
  std::int32_t from_day = std::numeric_limits<std::int32_t>::min();  // in force from this local date on
  std::array<std::optional<DailyWindow>, 7> by_weekday;              // ISO weekday - 1; none = no calls
  std::string source;                                                // the rule the table encodes
  bool operator==(const WeekHours&) const = default;
};
struct Closure {
  std::int32_t day = 0;   // a local date with no calls
  std::uint32_t why = 0;  // index into Hours::reasons
  bool operator==(const Closure&) const = default;
};
struct ClosureReason {
  std::string name;  // "Christmas Day (observed)"
  std::string source;
  bool operator==(const ClosureReason&) const = default;
};
// The table in force on a local date: the last whose from_day is not after it (tables ascending by
// from_day); none before the first.
const WeekHours* table_in_force(const std::vector<WeekHours>& tables, std::int32_t day);

struct Hours {
  std::vector<WeekHours> tables;  // ascending from_day; a date before the first has no calls
  std::vector<Closure> closed;    // ascending day, one entry a day
  std::vector<ClosureReason> reasons;

  static Hours every_day(DailyWindow window, std::string source = {});
  static Hours of(const DailyWindow& window, const DayRule& days);
  const WeekHours* table_on(std::int32_t day) const;
  const Closure* closure_on(std::int32_t day) const;
  std::optional<DailyWindow> on(std::int32_t day) const;
  bool is_closed(std::int32_t day) const { return closure_on(day) != nullptr; }
  bool operator==(const Hours&) const = default;
};

// Zone lookup in the OS tz database; nullptr when unknown.
Zone find_zone(std::string_view name);
std::string zone_label(Zone zone);  // its IANA name
// Days since 1970-01-01 of "YYYY-MM-DD", or nothing when malformed.
std::optional<std::int32_t> parse_date(std::string_view text);

bool inside(Zone zone, const DailyWindow& window, const DayRule& days, domain::UnixMs t);
bool inside(Zone zone, const Hours& hours, domain::UnixMs t);
// The first instant >= from that is inside, searching up to `until`; nothing when there is none.
std::optional<domain::UnixMs> next_inside(Zone zone, const DailyWindow& window, const DayRule& days,
                                          domain::UnixMs from, domain::UnixMs until);
std::optional<domain::UnixMs> next_inside(Zone zone, const Hours& hours, domain::UnixMs from, domain::UnixMs until);
// The first instant >= from that is inside every zone's hours at once; nothing before `until`.
struct ZonedWindow {
  Zone zone;
  const Hours* hours;
};
std::optional<domain::UnixMs> next_inside_all(const std::vector<ZonedWindow>& windows, domain::UnixMs from,
                                              domain::UnixMs until);

// Start of the local day containing t, and of the next local day, as instants.
domain::UnixMs local_day_start(Zone zone, domain::UnixMs t);
domain::UnixMs next_local_day_start(Zone zone, domain::UnixMs t);
// The local date (days since epoch) and "HH:MM" at t, for explanations.
std::int32_t local_day(Zone zone, domain::UnixMs t);
std::string local_hhmm(Zone zone, domain::UnixMs t);

}  // namespace dialerd::schedule
