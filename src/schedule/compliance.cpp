#include "dialerd/schedule/compliance.hpp"

#include <algorithm>
#include <array>

#include <date/tz.h>
#include <fmt/format.h>

#include "dialerd/domain/contact.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::schedule {

using domain::UnixMs;

namespace {

constexpr UnixMs kDayMs = 24LL * 3600 * 1000;

std::string iso(UnixMs t) {
  return util::format_rfc3339(t, util::TimePrecision::seconds);
}

std::string window_text(const DailyWindow& w) {
  if (w.start_min == w.end_min) return "all day";
  return format_hhmm(w.start_min) + "-" + format_hhmm(w.end_min);
}

constexpr const char* kRegFFrequency = "12 CFR 1006.14(b)(2)(i)(A) (Regulation F)";
constexpr const char* kRegFQuiet = "12 CFR 1006.14(b)(2)(i)(B) (Regulation F)";

struct Builder {
  Decision& d;
  void pass(const char* id, const char* name, const char* description, std::string reason, std::string source = {}) {
    d.passed.push_back({id, name, description, std::move(reason), std::move(source)});
  }
  void fail(const char* id, const char* name, const char* description, std::string reason, std::string source = {}) {
    d.failed.push_back({id, name, description, std::move(reason), std::move(source)});
  }
};

constexpr std::array<const char*, 7> kWeekdays = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                  "Friday", "Saturday", "Sunday"};

// What the hours allow on the contact's local date (in the first of their zones), and the rules that say
// so, into `source`.
std::string day_text(const Hours& hours, const std::vector<Zone>& zones, UnixMs now, std::string& source) {
  const auto day = local_day(zones.front(), now);
  const auto weekday = static_cast<std::size_t>(date::weekday(date::sys_days(date::days(day))).iso_encoding() - 1);
  const WeekHours* table = hours.table_on(day);
  if (table) source = table->source;
  if (const Closure* closed = hours.closure_on(day)) {
    const auto& why = hours.reasons[closed->why];
    if (!why.source.empty()) source += (source.empty() ? "" : "; ") + why.source;
    return fmt::format("(no calls on {} {}: {})", kWeekdays[weekday],
                       util::format_rfc3339(UnixMs{day} * kDayMs, util::TimePrecision::seconds).substr(0, 10),
                       why.name);
  }
  if (!table) return "(no calling hours on this date)";
  const auto& w = table->by_weekday[weekday];
  if (!w) return fmt::format("(no calls on {})", kWeekdays[weekday]);
  return fmt::format("{} on {}", window_text(*w), kWeekdays[weekday]);
}

}  // namespace

const RegionRules& LegalRules::for_region(std::string_view region) const {
  if (auto it = regions.find(region); it != regions.end()) return it->second;
  if (auto dash = region.find('-'); dash != std::string_view::npos)
    if (auto it = regions.find(region.substr(0, dash)); it != regions.end()) return it->second;
  return everywhere;
}

bool consent_valid(const std::optional<domain::Consent>& c, domain::ConsentType required, UnixMs now,
                   std::string& why) {
  using domain::ConsentType;
  using domain::to_string;
  auto rank = [](ConsentType t) { return static_cast<int>(t); };
  auto at = [](UnixMs t) { return util::format_rfc3339(t, util::TimePrecision::seconds); };
  if (!c || c->type == ConsentType::none) {
    why = "No consent recorded; the campaign requires " + std::string(to_string(required));
    return false;
  }
  if (rank(c->type) < rank(required)) {
    why =
        "Consent is " + std::string(to_string(c->type)) + "; the campaign requires " + std::string(to_string(required));
    return false;
  }
  if (c->revoked_at && *c->revoked_at <= now) {
    why = "Consent was revoked at " + at(*c->revoked_at);
    return false;
  }
  if (c->captured_at && *c->captured_at > now) {
    why = "Consent is captured only from " + at(*c->captured_at);
    return false;
  }
  if (c->expires_at && *c->expires_at <= now) {
    why = "Consent expired at " + at(*c->expires_at);
    return false;
  }
  why = std::string(to_string(c->type)) + " consent" + (c->source.empty() ? "" : " from " + c->source) +
        (c->expires_at ? ", until " + at(*c->expires_at) : "");
  return true;
}

std::vector<const RollingCap*> caps_in_force(const RegionRules& region, Zone zone, UnixMs now) {
  std::vector<const RollingCap*> out;
  if (region.caps.empty()) return out;
  const auto today = local_day(zone, now);
  for (const auto& cap : region.caps)
    if (cap.effective_from <= today) out.push_back(&cap);
  return out;
}

std::optional<CampaignRules> campaign_rules(const domain::Campaign& c, std::string& error) {
  CampaignRules r;
  r.id = c.id;
  r.subject = c.spec.subject;
  r.require_consent = c.spec.require_consent;
  if (c.spec.reg_f) {
    // "Seven consecutive days" is 169 hours in a week with the 25-hour day of a DST change: counting in
    // 169 hours keeps every such week within the limit.
    r.reg_f_cap = RollingCap{c.spec.reg_f->calls,          c.spec.reg_f->days * 24 + 1,
                             RollingCap::Per::subject,     std::numeric_limits<std::int32_t>::min(),
                             std::string(kRegFFrequency),  "reg-f-frequency",
                             "Regulation F Call Frequency"};
    r.reg_f_quiet_days = c.spec.reg_f->quiet_days;
  }
  r.running = c.status == domain::CampaignStatus::running;
  r.zone = find_zone(c.spec.timezone);
  if (!r.zone) {
    error = "unknown time zone " + c.spec.timezone;
    return std::nullopt;
  }
  // The start time holds a campaign back only until it runs: "start" may run it before its time.
  if (c.spec.schedule_type == "scheduled" && c.status != domain::CampaignStatus::running)
    r.trigger_at = c.spec.trigger_at;
  if (c.spec.start_time || c.spec.end_time) {
    auto start = parse_hhmm(c.spec.start_time.value_or("00:00"));
    auto end = parse_hhmm(c.spec.end_time.value_or("24:00"));
    if (!start || !end || *start >= 24 * 60) {
      error = "bad start_time/end_time";
      return std::nullopt;
    }
    r.window = DailyWindow{*start, *end};
  }
  if (c.spec.working_days) r.days = DayRule::of_weekdays(*c.spec.working_days);
  r.concurrency = c.spec.concurrency;
  r.calls_per_second = c.spec.calls_per_second;
  r.calls_per_minute = c.spec.calls_per_minute;
  r.max_calls_per_day = c.spec.max_calls_per_day;
  if (c.spec.predial) {
    // "https://host:port/path" -> "host:port": whom the explanations name.
    std::string_view url = c.spec.predial->url;
    if (auto scheme = url.find("://"); scheme != std::string_view::npos) url.remove_prefix(scheme + 3);
    r.predial = PredialRule{c.spec.predial->url, std::string(url.substr(0, url.find_first_of("/?#"))),
                            c.spec.predial->call_on_error};
  }
  return r;
}

std::optional<std::string> dnc_lists_unusable(const CampaignRules& c, UnixMs now) {
  if (!c.dnc_missing.empty())
    return fmt::format(
        "the campaign's do-not-call list \"{}\" does not exist (create it, or remove it from the "
        "campaign's dnc_lists)",
        c.dnc_missing.front());
  for (const auto& list : c.dnc_lists)
    if (list.stale(now))
      return list.as_of ? fmt::format(
                              "the do-not-call list \"{}\"{} is past its max age of {} days (as of {}): "
                              "import a fresh copy",
                              list.name, list.global() ? " (global)" : "", *list.max_age_days, iso(*list.as_of))
                        : fmt::format(
                              "the do-not-call list \"{}\"{} has a max age of {} days and no dated copy "
                              "yet: import one (a replace, or an append with as_of)",
                              list.name, list.global() ? " (global)" : "", *list.max_age_days);
  return std::nullopt;
}

Gate campaign_gate(const CampaignRules& c, std::int64_t calls_today, UnixMs now) {
  if (!c.running) return {false, std::nullopt, "campaign is not running"};
  // Not by time: importing a fresh copy (or creating the list) wakes the loop.
  if (auto why = dnc_lists_unusable(c, now)) return {false, std::nullopt, *why};
  UnixMs t = now;
  std::string reason;
  if (c.trigger_at && *c.trigger_at > t) {
    t = *c.trigger_at;
    reason = "starts at " + iso(*c.trigger_at);
  }
  if (c.max_calls_per_day && calls_today >= *c.max_calls_per_day) {
    t = std::max(t, next_local_day_start(c.zone, now));
    reason = fmt::format("{} of {} calls made today", calls_today, *c.max_calls_per_day);
  }
  DailyWindow window = c.window.value_or(DailyWindow{0, 0});
  auto next = next_inside(c.zone, window, c.days, t, t + kSearchHorizonMs);
  if (!next) return {false, now + kDayMs, "no working day or window in the next 14 days"};
  if (*next == now) return {true, std::nullopt, ""};
  if (reason.empty()) reason = "outside the campaign's calling window";
  return {false, *next, reason};
}

namespace {

// Whether each check passes: computed once, for the explanation and for the lazy path alike.
struct Passes {
  bool active, consented, not_suppressed, not_dnc_listed, dnc_usable, running, started, in_campaign_window,
      under_concurrency, under_workspace_ceiling, caller_id_open, paced, under_campaign_cap, in_legal_hours,
      under_contact_cap, under_rolling_cap, out_of_quiet, predial_ok, callback_due;
  std::string consent;  // the consent check's reason, when the campaign requires consent
  bool all() const {
    return active && consented && not_suppressed && not_dnc_listed && dnc_usable && running && started &&
           in_campaign_window && under_concurrency && under_workspace_ceiling && caller_id_open && paced &&
           under_campaign_cap && in_legal_hours && under_contact_cap && under_rolling_cap && out_of_quiet &&
           predial_ok && callback_due;
  }
};

Passes check(const CampaignRules& c, const ContactPlace& place, const CallFacts& f, const LegalRules& legal,
             const Hours& lhours, UnixMs now) {
  Passes p;
  p.active = f.active;
  p.consented = !c.require_consent || consent_valid(f.consent, *c.require_consent, now, p.consent);
  p.not_suppressed = !f.suppression;
  p.not_dnc_listed = !f.dnc_listed;
  p.dnc_usable = c.dnc_missing.empty() &&
                 std::none_of(c.dnc_lists.begin(), c.dnc_lists.end(), [now](const auto& l) { return l.stale(now); });
  p.running = c.running;
  p.started = !c.trigger_at || *c.trigger_at <= now;
  p.in_campaign_window = inside(c.zone, c.window.value_or(DailyWindow{0, 0}), c.days, now);
  p.under_concurrency = f.campaign_in_flight < c.concurrency;
  p.under_workspace_ceiling = !f.workspace || f.workspace->in_flight < f.workspace->ceiling;
  p.caller_id_open = !f.caller_ids || std::any_of(f.caller_ids->begin(), f.caller_ids->end(),
                                                  [](const NumberState& n) { return n.room > 0; });
  p.paced = !f.paced_until || *f.paced_until <= now;
  p.under_campaign_cap = !c.max_calls_per_day || f.campaign_calls_today < *c.max_calls_per_day;
  p.in_legal_hours = !place.zones.empty();
  for (Zone z : place.zones)
    if (p.in_legal_hours && !inside(z, lhours, now)) p.in_legal_hours = false;
  p.under_contact_cap = f.contact_calls_today < legal.contact_daily_cap;
  p.under_rolling_cap = true;
  for (const auto& count : f.caps)
    if (count.unblock && *count.unblock > now) p.under_rolling_cap = false;
  p.out_of_quiet = !f.quiet_until || *f.quiet_until <= now;
  p.callback_due = !f.not_before || *f.not_before <= now;
  using Answer = PredialAnswer::Kind;
  p.predial_ok = !c.predial || (f.predial && (f.predial->kind == Answer::allowed ||
                                              (f.predial->kind == Answer::error && c.predial->call_on_error)));
  return p;
}

}  // namespace

Decision decide(const CampaignRules& c, const ContactPlace& place, const CallFacts& f, const LegalRules& legal,
                UnixMs now, Explain explain) {
  const Hours& lhours = legal.for_region(place.region).hours;
  const Passes p = check(c, place, f, legal, lhours, now);
  Decision d;
  if (explain == Explain::when_blocked && p.all()) return d;  // dispatch; nothing to explain
  Builder b{d};
  UnixMs earliest = now;  // every cap and start time pushes this later
  bool time_blocked = false, slot_blocked = false, skip = false;

  // Who: the contact may be called at all.
  if (p.active)
    b.pass("is-active", "Is Active", "Check if the contact is active", "Contact is active");
  else {
    b.fail("is-active", "Is Active", "Check if the contact is active", "Contact is inactive");
    skip = true;
  }
  if (c.require_consent) {
    const auto desc = fmt::format("The contact has {} consent in force (the campaign's require_consent)",
                                  domain::to_string(*c.require_consent));
    if (p.consented)
      b.pass("consent", "Consent", desc.c_str(), p.consent, "campaign require_consent");
    else {
      b.fail("consent", "Consent", desc.c_str(), p.consent, "campaign require_consent");
      skip = true;
    }
  }
  if (p.not_suppressed)
    b.pass("cease-and-desist-exclusion", "Cease and Desist Exclusion",
           "Prevent calling contacts who have requested cease and desist or do-not-call", "Number is not suppressed");
  else {
    b.fail("cease-and-desist-exclusion", "Cease and Desist Exclusion",
           "Prevent calling contacts who have requested cease and desist or do-not-call",
           "Number is suppressed: " + *f.suppression);
    skip = true;
  }
  if (!c.dnc_lists.empty() || !c.dnc_missing.empty()) {
    const char* desc = "The number is on none of the do-not-call lists the campaign honours, and each is current";
    if (!p.not_dnc_listed) {
      const auto& l = *f.dnc_listed;
      b.fail("dnc-lists", "Do-Not-Call Lists", desc,
             fmt::format("Number is on the do-not-call list \"{}\"{}{}", l.name, l.global() ? " (global)" : "",
                         l.as_of ? " as of " + iso(*l.as_of) : std::string()),
             l.source.empty() ? "DNC list " + l.name : l.source);
      skip = true;
    } else if (!p.dnc_usable) {
      b.fail("dnc-lists", "Do-Not-Call Lists", desc, *dnc_lists_unusable(c, now), "campaign dnc_lists");
      slot_blocked = true;  // until the list is refreshed (or created): no instant to name
    } else {
      std::string names;
      for (const auto& l : c.dnc_lists)
        names += fmt::format("{}\"{}\"{}", names.empty() ? "" : ", ", l.name, l.global() ? " (global)" : "");
      b.pass("dnc-lists", "Do-Not-Call Lists", desc, "Number is on none of " + names, "campaign dnc_lists");
    }
  }

  // The campaign.
  if (p.running)
    b.pass("campaign-running", "Campaign Running", "The campaign is running", "Campaign is running");
  else {
    b.fail("campaign-running", "Campaign Running", "The campaign is running", "Campaign is not running");
    slot_blocked = true;
  }
  if (p.started)
    b.pass("campaign-start", "Campaign Start", "The campaign's start time has come",
           c.trigger_at ? "Started at " + iso(*c.trigger_at) : "Immediate campaign");
  else {
    b.fail("campaign-start", "Campaign Start", "The campaign's start time has come",
           "Campaign starts at " + iso(*c.trigger_at));
    earliest = std::max(earliest, *c.trigger_at);
    time_blocked = true;
  }
  // A callback asked for a set time: not before it, and then only at an instant every other rule allows
  // (the reason names both once the instant is known, below).
  const Zone contact_zone = place.zones.empty() ? c.zone : place.zones.front();
  if (f.not_before) {
    const char* desc = "The call's requested callback time (not_before) has come";
    const auto asked = fmt::format("Callback requested for {} ({} in {})", iso(*f.not_before),
                                   local_hhmm(contact_zone, *f.not_before), zone_label(contact_zone));
    if (p.callback_due)
      b.pass("callback-time", "Callback Time", desc, asked + "; that time has come", "call not_before");
    else {
      b.fail("callback-time", "Callback Time", desc, asked, "call not_before");
      earliest = std::max(earliest, *f.not_before);
      time_blocked = true;
    }
  }
  DailyWindow cwin = c.window.value_or(DailyWindow{0, 0});
  std::string cdesc = c.window ? window_text(cwin) : std::string("any time");
  if (p.in_campaign_window)
    b.pass(
        "campaign-window", "Campaign Calling Window", "Inside the campaign's daily window and working days",
        fmt::format("Campaign local time is {} ({}), inside {}", local_hhmm(c.zone, now), zone_label(c.zone), cdesc));
  else {
    b.fail("campaign-window", "Campaign Calling Window", "Inside the campaign's daily window and working days",
           fmt::format("Campaign local time is {} ({}), outside {} or not a working day", local_hhmm(c.zone, now),
                       zone_label(c.zone), cdesc));
    time_blocked = true;
  }
  if (p.under_concurrency)
    b.pass("campaign-concurrency", "Concurrency", "Calls in flight below the campaign's concurrency",
           fmt::format("{} of {} calls in flight", f.campaign_in_flight, c.concurrency));
  else {
    b.fail("campaign-concurrency", "Concurrency", "Calls in flight below the campaign's concurrency",
           fmt::format("{} of {} calls in flight", f.campaign_in_flight, c.concurrency));
    slot_blocked = true;
  }
  if (f.workspace) {
    const char* desc = "Calls in flight across the workspace's campaigns below its ceiling";
    const auto load = fmt::format("{} of {} calls in flight across the workspace's campaigns", f.workspace->in_flight,
                                  f.workspace->ceiling);
    if (p.under_workspace_ceiling)
      b.pass("workspace-concurrency", "Workspace Concurrency", desc, load, "config workspaces.max_in_flight");
    else {
      b.fail("workspace-concurrency", "Workspace Concurrency", desc, load, "config workspaces.max_in_flight");
      slot_blocked = true;
    }
  }
  if (f.caller_ids) {
    const char* desc = "A from number below its daily cap and not resting after failed calls";
    const char* source = "campaign max_calls_per_number_per_day and number_rest";
    std::size_t open = 0;
    std::string closed;
    for (const auto& n : *f.caller_ids) {
      if (n.room > 0)
        ++open;
      else
        closed += fmt::format("; {} {}", n.number, n.why);
    }
    const auto detail = fmt::format("{} of {} from numbers usable", open, f.caller_ids->size()) + closed;
    if (p.caller_id_open)
      b.pass("caller-ids", "Caller IDs", desc, detail, source);
    else {
      b.fail("caller-ids", "Caller IDs", desc, detail, source);
      if (auto at = caller_ids_open_at(*f.caller_ids)) earliest = std::max(earliest, *at);
      time_blocked = true;
    }
  }
  if (c.calls_per_second || c.calls_per_minute) {
    const std::string rates =
        (c.calls_per_second ? fmt::format("{} calls per second", *c.calls_per_second) : std::string()) +
        (c.calls_per_second && c.calls_per_minute ? " and " : "") +
        (c.calls_per_minute ? fmt::format("{} per minute", *c.calls_per_minute) : std::string());
    const char* desc = "Calls started below the campaign's calls_per_second and calls_per_minute";
    if (p.paced)
      b.pass("campaign-pacing", "Campaign Pacing", desc, "Within " + rates);
    else {
      b.fail("campaign-pacing", "Campaign Pacing", desc,
             fmt::format("At {}; the next call may start at {}", rates,
                         util::format_rfc3339(*f.paced_until, util::TimePrecision::milliseconds)));
      earliest = std::max(earliest, *f.paced_until);
      time_blocked = true;
    }
  }
  if (c.max_calls_per_day) {
    if (p.under_campaign_cap)
      b.pass("campaign-daily-cap", "Campaign Daily Limit", "Calls today below the campaign's max_calls_per_day",
             fmt::format("{} of {} calls today", f.campaign_calls_today, *c.max_calls_per_day));
    else {
      b.fail(
          "campaign-daily-cap", "Campaign Daily Limit", "Calls today below the campaign's max_calls_per_day",
          fmt::format("{} of {} calls today ({})", f.campaign_calls_today, *c.max_calls_per_day, zone_label(c.zone)));
      earliest = std::max(earliest, next_local_day_start(c.zone, now));
      time_blocked = true;
    }
  }

  // The contact's local time: respectful hours and holidays in every zone they may be in.
  const Hours campaign_hours = Hours::of(cwin, c.days);
  std::vector<ZonedWindow> windows;
  windows.push_back({c.zone, &campaign_hours});
  std::string where;
  for (Zone z : place.zones) {
    windows.push_back({z, &lhours});
    where += fmt::format("{}{} in {}", where.empty() ? "" : ", ", local_hhmm(z, now), zone_label(z));
  }
  const char* rh_desc = "Call only inside respectful hours in the contact's local time, never on a holiday";
  std::string rh_source;
  const std::string hours_today = place.zones.empty() ? std::string() : day_text(lhours, place.zones, now, rh_source);
  if (p.in_legal_hours)
    b.pass("respectful-hours", "Respectful Hours Check", rh_desc,
           fmt::format("Contact local time is {}, inside respectful hours {}", where, hours_today), rh_source);
  else {
    if (place.zones.empty()) {
      // Nothing says where the contact is: no hour can be shown to be legal, now or later.
      b.fail("respectful-hours", "Respectful Hours Check", rh_desc,
             "Contact time zone unknown: the number maps to no time zone and the contact declares none "
             "(set the contact's timezone; config compliance.unknown_zone)",
             "config compliance.unknown_zone");
      skip = true;
    } else {
      b.fail("respectful-hours", "Respectful Hours Check", rh_desc,
             fmt::format("Contact local time is {}, outside respectful hours {}", where, hours_today), rh_source);
      time_blocked = true;
    }
  }

  // The contact's caps, across all campaigns.
  Zone day_zone = place.zones.empty() ? c.zone : place.zones.front();
  const char* cap_desc = "Calls to the contact today, across all campaigns, below the per-contact limit";
  if (p.under_contact_cap)
    b.pass("contact-daily-cap", "Contact Daily Limit", cap_desc,
           fmt::format("Contact has had {} calls today ({}), within the limit of {}", f.contact_calls_today,
                       zone_label(day_zone), legal.contact_daily_cap));
  else {
    b.fail("contact-daily-cap", "Contact Daily Limit", cap_desc,
           fmt::format("Contact has had {} calls today ({}), reaching the limit of {}", f.contact_calls_today,
                       zone_label(day_zone), legal.contact_daily_cap));
    earliest = std::max(earliest, next_local_day_start(day_zone, now));
    time_blocked = true;
  }
  for (const auto& count : f.caps) {
    const RollingCap& cap = *count.cap;
    const bool per_subject = cap.per == RollingCap::Per::subject;
    const std::string span = cap.hours % 24 == 0 && cap.hours > 24 ? fmt::format("{} days", cap.hours / 24)
                                                                   : fmt::format("{} hours", cap.hours);
    const std::string scope =
        !per_subject ? std::string("across all campaigns")
                     : (c.subject ? fmt::format("on subject \"{}\"", *c.subject) : std::string("in this campaign"));
    const auto desc = fmt::format("At most {} {} in any {}{}", cap.calls, cap.calls == 1 ? "call" : "calls", span,
                                  per_subject ? " on the same subject" : "");
    const char* id = !cap.check_id.empty() ? cap.check_id.c_str()
                     : per_subject         ? "subject-rolling-cap"
                                           : "contact-rolling-cap";
    const char* name = !cap.check_name.empty() ? cap.check_name.c_str()
                       : per_subject           ? "Subject Rolling Limit"
                                               : "Contact Rolling Limit";
    if (!count.unblock || *count.unblock <= now)
      b.pass(id, name, desc.c_str(), fmt::format("Within the rolling limit {}", scope), cap.source);
    else {
      b.fail(id, name, desc.c_str(),
             fmt::format("Contact has had {} {} in the last {} {}; next allowed {}", cap.calls,
                         cap.calls == 1 ? "call" : "calls", span, scope, iso(*count.unblock)),
             cap.source);
      earliest = std::max(earliest, *count.unblock);
      time_blocked = true;
    }
  }

  if (c.reg_f_quiet_days > 0) {
    const auto desc =
        fmt::format("No call within {} days after a conversation on the same subject", c.reg_f_quiet_days);
    if (p.out_of_quiet)
      b.pass("conversation-quiet-period", "Conversation Quiet Period", desc.c_str(),
             "No conversation in the quiet period", kRegFQuiet);
    else {
      b.fail("conversation-quiet-period", "Conversation Quiet Period", desc.c_str(),
             fmt::format("Contact had a conversation {} in the last {} days; next allowed {}",
                         c.subject ? fmt::format("on subject \"{}\"", *c.subject) : std::string("in this campaign"),
                         c.reg_f_quiet_days, iso(*f.quiet_until)),
             kRegFQuiet);
      earliest = std::max(earliest, *f.quiet_until);
      time_blocked = true;
    }
  }

  // Last: the customer's endpoint is asked about a call only once every other check lets it go out.
  if (c.predial) {
    const char* desc = "The customer's pre-dial endpoint says the contact may be called (the campaign's predial)";
    const std::string host = c.predial->host;
    const auto answered = [&] { return " (answered " + iso(f.predial->asked_at) + ")"; };
    const auto their = [&] { return f.predial->reason.empty() ? std::string() : ": " + f.predial->reason; };
    if (!f.predial) {
      if (d.failed.empty()) {
        b.fail("pre-dial", "Pre-Dial Check", desc, "Waiting for the answer of " + host, "campaign predial");
        d.predial_needed = true;
        slot_blocked = true;
      }
    } else if (f.predial->kind == PredialAnswer::Kind::allowed) {
      b.pass("pre-dial", "Pre-Dial Check", desc, host + " allows the call" + their() + answered(), "campaign predial");
    } else if (f.predial->kind == PredialAnswer::Kind::denied) {
      if (f.predial->retry_at) {
        b.fail("pre-dial", "Pre-Dial Check", desc,
               host + " refuses the call" + their() + answered() + "; asked again from " + iso(*f.predial->retry_at),
               "campaign predial");
        earliest = std::max(earliest, *f.predial->retry_at);
        time_blocked = true;
      } else {
        b.fail("pre-dial", "Pre-Dial Check", desc, host + " refuses the call" + their() + answered(),
               "campaign predial");
        skip = true;
      }
    } else if (c.predial->call_on_error) {
      b.pass("pre-dial", "Pre-Dial Check", desc,
             host + " gave no answer (" + f.predial->reason + ")" + answered() +
                 "; the call may go out: the campaign's predial.on_error is call",
             "campaign predial");
    } else {
      b.fail("pre-dial", "Pre-Dial Check", desc,
             host + " gave no answer (" + f.predial->reason + ")" + answered() +
                 "; the call waits (predial.on_error is wait), asked again from " +
                 iso(f.predial->retry_at.value_or(now)),
             "campaign predial");
      earliest = std::max(earliest, f.predial->retry_at.value_or(now));
      time_blocked = true;
    }
  }

  std::optional<UnixMs> until;
  if (!skip && time_blocked) {
    until = next_inside_all(windows, earliest, earliest + kSearchHorizonMs);
    // The callback's explanation says when it goes out, as every rule allows it from the time asked for.
    if (!p.callback_due && until)
      for (auto& check : d.failed)
        if (check.id == "callback-time")
          check.reason +=
              *until == *f.not_before
                  ? std::string("; every time rule allows it then")
                  : fmt::format("; the first instant from then that every time rule allows is {} ({} in {})",
                                iso(*until), local_hhmm(contact_zone, *until), zone_label(contact_zone));
  }
  for (const auto& check : d.failed) d.reason += (d.reason.empty() ? "" : "; ") + check.id + ": " + check.reason;
  if (skip) {
    d.kind = Decision::Kind::skip;
    return d;
  }
  if (time_blocked) {
    d.kind = Decision::Kind::wait;
    d.until = until;
    if (!d.until) {
      d.until = now + kDayMs;
      d.reason += "; no instant in the next 14 days is inside every window";
    }
    return d;
  }
  if (slot_blocked) {
    d.kind = Decision::Kind::wait;
    return d;
  }
  d.kind = Decision::Kind::dispatch;
  return d;
}

}  // namespace dialerd::schedule
