#pragma once
// Whether one call may go out now, and if not, why and until when. Pure: a function of the campaign's
// rules, where the contact is, the counters and the instant. The checks mirror Veritus's:
// each has an id, a name, a description and a reason, and lands in `passed` or `failed`.
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/domain/dnc.hpp"
#include "dialerd/schedule/rotation.hpp"
#include "dialerd/schedule/window.hpp"

namespace dialerd::schedule {

struct Check {
  std::string id, name, description, reason;
  std::string source;  // the statute, regulation or config key the rule encodes ("" for campaign settings)
};

// What a number whose time zones cannot be inferred from it (an unmapped area code, a non-geographic or
// toll-free number) is checked against when the contact declares no zone (config compliance.unknown_zone).
enum class UnknownZone {
  restrictive,  // every zone of the number's country (so all must allow the call); none known: skipped
  refuse,       // skipped with the reason, for the operator to give the contact a timezone
  campaign,     // the campaign's zone (the behaviour before issue 16.11; an explicit choice only)
};

// At most `calls` calls to one contact in any rolling window of `hours` (a region's rule, or config
// compliance.rolling_cap). `subject` counts the calls of campaigns with the campaign's subject (a campaign
// without one is its own subject); `contact` counts every campaign's.
struct RollingCap {
  enum class Per { contact, subject };
  int calls = 0;
  int hours = 24;
  Per per = Per::subject;
  std::int32_t effective_from = std::numeric_limits<std::int32_t>::min();  // local date it applies from
  std::string source;
  // The check's id and name; "" = by `per` (contact-rolling-cap, subject-rolling-cap).
  std::string check_id, check_name;
  bool operator==(const RollingCap&) const = default;
};

// What holds in one region, resolved (schedule/rules.hpp): its hours, with the country's and the default's
// folded in date by date, and every holiday and cap of the region, its country and everywhere.
struct RegionRules {
  Hours hours = Hours::every_day(DailyWindow{8 * 60, 21 * 60}, "config compliance.respectful_hours");
  std::vector<RollingCap> caps;
  bool operator==(const RegionRules&) const = default;
};

// The legal rules in force: the rule set and the config's compliance keys, resolved per region.
struct LegalRules {
  std::string rule_set = "none";                            // the rule set's name, for explanations
  RegionRules everywhere;                                   // a region with no entry of its own
  std::map<std::string, RegionRules, std::less<>> regions;  // "US-FL", or a country "US"
  int contact_daily_cap = 4;                                // calls per contact-local day, all campaigns
  UnknownZone unknown_zone = UnknownZone::restrictive;

  // The most specific entry: "US-FL", then "US", then everywhere.
  const RegionRules& for_region(std::string_view region) const;
  bool operator==(const LegalRules&) const = default;
};

// A campaign's pre-dial check as the decision applies it (its `predial`; docs/COMPLIANCE.md).
struct PredialRule {
  std::string url;             // the endpoint (an answer from another URL does not count)
  std::string host;            // who answers, for the explanations
  bool call_on_error = false;  // on_error "call": a failed ask lets the call go out
};

// What the customer's endpoint answered for a number, while the answer stands (scheduler::PredialChecker
// keeps them).
struct PredialAnswer {
  enum class Kind { allowed, denied, error };
  Kind kind = Kind::allowed;
  std::string reason;  // the endpoint's own (allowed, denied), or what failed (error)
  // denied: not before this instant, rather than never (the endpoint's retry_after_seconds); error: when
  // it is asked again (the answer stands until then).
  std::optional<domain::UnixMs> retry_at;
  domain::UnixMs asked_at = 0;
};

// The campaign's own constraints, in its time zone.
struct CampaignRules {
  domain::CampaignId id = 0;
  std::optional<std::string> subject;  // rolling caps per subject count the calls of this subject's campaigns
  // Regulation F, when the campaign opts in: its 7-in-7 cap per subject, and the quiet days after a
  // conversation (0 = none).
  std::optional<RollingCap> reg_f_cap;
  int reg_f_quiet_days = 0;
  std::optional<domain::ConsentType> require_consent;  // contacts without valid consent are skipped
  // The DNC lists it honours as they stand now (the store's dnc_lists_of; campaign_rules leaves them
  // empty), and the names it honours that match no list.
  std::vector<domain::DncList> dnc_lists;
  std::vector<std::string> dnc_missing;
  std::optional<PredialRule> predial;
  bool running = true;
  Zone zone = nullptr;
  std::optional<domain::UnixMs> trigger_at;
  std::optional<DailyWindow> window;  // start_time..end_time
  DayRule days;                       // working_days
  int concurrency = 1;
  std::optional<int> calls_per_second, calls_per_minute;  // pacing (schedule/pacing.hpp)
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
  std::optional<domain::Consent> consent;       // the contact's, when recorded
  std::optional<std::string> suppression;       // the reason, when the number is suppressed
  const domain::DncList* dnc_listed = nullptr;  // the first of the campaign's DNC lists that holds the number
  std::int64_t campaign_in_flight = 0;
  std::int64_t campaign_calls_today = 0;  // since the campaign-local midnight
  std::int64_t contact_calls_today = 0;   // all campaigns, since the contact-local midnight
  // One per cap of the contact's region in force now, in RegionRules::caps order: the calls it counts in
  // its window, and when it frees up when it is reached.
  struct CapCount {
    const RollingCap* cap = nullptr;
    std::optional<domain::UnixMs> unblock;  // set when the cap is reached
  };
  std::vector<CapCount> caps;
  // Regulation F: the end of the quiet period after the contact's latest conversation on the subject.
  std::optional<domain::UnixMs> quiet_until;
  // The pre-dial endpoint's standing answer for the number; none = not asked yet (or it expired).
  std::optional<PredialAnswer> predial;
  // Pacing: when the campaign may start its next call, when not now (the claim applies pacing through
  // its limit and leaves this unset; GET /v1/calls/{id} and call now set it).
  std::optional<domain::UnixMs> paced_until;
  // A callback at a set time (the call's not_before): it is not placed before this instant.
  std::optional<domain::UnixMs> not_before;
  // The campaign's workspace, when it has a ceiling (config workspaces.max_in_flight): its calls in flight
  // across all its campaigns and the ceiling. The claim applies it through its limit and leaves this unset.
  struct WorkspaceLoad {
    std::int64_t in_flight = 0;
    std::int64_t ceiling = 0;
  };
  std::optional<WorkspaceLoad> workspace = std::nullopt;
  // Caller-id health, when the campaign limits its caller ids (a daily cap per number or a rest): each
  // from number's state. The claim applies it through ClaimOptions::number_rooms and leaves this unset.
  std::optional<std::vector<NumberState>> caller_ids = std::nullopt;
};

struct Decision {
  enum class Kind { dispatch, wait, skip };
  Kind kind = Kind::dispatch;
  // wait: the exact next instant every time-based check passes; nullopt = until a slot frees (concurrency).
  std::optional<domain::UnixMs> until;
  std::string reason;  // skip or wait: the failed checks, one line
  std::vector<Check> passed, failed;
  // wait: every other check passes and the campaign's pre-dial endpoint has no standing answer for the
  // number: ask it (the pre-dial check is made last, so a call another check holds back is never asked
  // about).
  bool predial_needed = false;
};

// How far ahead "wait until" looks; a call that cannot go out within it is re-examined after a day.
constexpr domain::UnixMs kSearchHorizonMs = 14LL * 24 * 3600 * 1000;

// How much of a decision to spell out. `when_blocked` leaves `passed` empty when the call may go out (the
// claim's hot path needs only the verdict); every other decision is explained in full either way.
enum class Explain { always, when_blocked };

// Whether `c` is consent of `required` (or stronger) in force at `now`; why (or what it is), into `why`.
bool consent_valid(const std::optional<domain::Consent>& c, domain::ConsentType required, domain::UnixMs now,
                   std::string& why);

// The caps of a region in force at `now`: those whose effective_from is on or before the local date in `zone`.
std::vector<const RollingCap*> caps_in_force(const RegionRules& region, Zone zone, domain::UnixMs now);

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

// Why the campaign's DNC lists cannot be honoured at `now` (one of them is missing, or past its max age):
// until that changes it dispatches nothing. Nothing when they all can.
std::optional<std::string> dnc_lists_unusable(const CampaignRules& campaign, domain::UnixMs now);

}  // namespace dialerd::schedule
