#pragma once
// Whether one call may go out now, and if not, why and until when. Pure: a function of the campaign's
// rules, where the contact is, the counters and the instant. The checks mirror Veritus's:
// each has an id, a name, a description and a reason, and lands in `passed` or `failed`.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/schedule/window.hpp"

namespace dialerd::schedule {

struct Check {
  std::string id, name, description, reason;
};

// What a number whose time zones cannot be inferred from it (an unmapped area code, a non-geographic or
// toll-free number) is checked against when the contact declares no zone (config compliance.unknown_zone).
enum class UnknownZone {
  restrictive,  // every zone of the number's country (so all must allow the call); none known: skipped
  refuse,       // skipped with the reason, for the operator to give the contact a timezone
  campaign,     // the campaign's zone (the behaviour before issue 16.11; an explicit choice only)
};

// The legal rules from config: respectful hours in the contact's local time, holidays, per-contact caps.
struct LegalRules {
  DailyWindow window{8 * 60, 21 * 60};
  std::map<std::string, DailyWindow> region_windows;  // "US-FL", or a country "US"
  DayRule days;                                       // every weekday, minus the holidays for everyone
  std::map<std::string, DayRule> region_days;         // holidays of one region added to the common ones
  int contact_daily_cap = 4;                          // calls per contact-local day, all campaigns
  int rolling_calls = 0;                              // 0 = off; else at most this many calls ...
  int rolling_days = 7;                               // ... in any window of this many days
  UnknownZone unknown_zone = UnknownZone::restrictive;

  // The most specific entry: "US-FL", then "US", then the default.
  const DailyWindow& window_for(const std::string& region) const;
  const DayRule& days_for(const std::string& region) const;
  bool operator==(const LegalRules&) const = default;
};

// The campaign's own constraints, in its time zone.
struct CampaignRules {
  domain::CampaignId id = 0;
  bool running = true;
  Zone zone = nullptr;
  std::optional<domain::UnixMs> trigger_at;
  std::optional<DailyWindow> window;  // start_time..end_time
  DayRule days;                       // working_days
  int concurrency = 1;
  std::optional<int> max_calls_per_day;
};
// Builds them from a stored campaign; nullopt (with `error`) when a field is unusable (unknown zone).
std::optional<CampaignRules> campaign_rules(const domain::Campaign& campaign, std::string& error);

// Where a contact is: every zone they may be in (all must allow the call) and their region. No zone at all
// means unknown: decide() skips the call.
struct ContactPlace {
  std::vector<Zone> zones;
  // "contact", "contact_and_number", "number", "country" (unknown_zone restrictive), "campaign"
  // (unknown_zone campaign) or "unknown" (no zone: the call is skipped)
  std::string zone_source;
  std::string region;  // "US-FL", "US", "GB" or "" when unknown
};

struct CallFacts {
  bool active = true;
  std::optional<std::string> suppression;  // the reason, when the number is suppressed
  std::int64_t campaign_in_flight = 0;
  std::int64_t campaign_calls_today = 0;          // since the campaign-local midnight
  std::int64_t contact_calls_today = 0;           // all campaigns, since the contact-local midnight
  std::optional<domain::UnixMs> rolling_unblock;  // when the rolling cap is reached: when it frees up
};

struct Decision {
  enum class Kind { dispatch, wait, skip };
  Kind kind = Kind::dispatch;
  // wait: the exact next instant every time-based check passes; nullopt = until a slot frees (concurrency).
  std::optional<domain::UnixMs> until;
  std::string reason;  // skip or wait: the failed checks, one line
  std::vector<Check> passed, failed;
};

// How far ahead "wait until" looks; a call that cannot go out within it is re-examined after a day.
constexpr domain::UnixMs kSearchHorizonMs = 14LL * 24 * 3600 * 1000;

// How much of a decision to spell out. `when_blocked` leaves `passed` empty when the call may go out (the
// claim's hot path needs only the verdict); every other decision is explained in full either way.
enum class Explain { always, when_blocked };

Decision decide(const CampaignRules& campaign, const ContactPlace& place, const CallFacts& facts,
                const LegalRules& legal, domain::UnixMs now, Explain explain = Explain::always);

// The campaign-level part alone (running, start, window, daily cap): whether the campaign may dispatch
// at all now, and if not, when to look again (nullopt = not by time; an event must change something).
struct Gate {
  bool open = true;
  std::optional<domain::UnixMs> until;
  std::string reason;
};
Gate campaign_gate(const CampaignRules& campaign, std::int64_t calls_today, domain::UnixMs now);

}  // namespace dialerd::schedule
