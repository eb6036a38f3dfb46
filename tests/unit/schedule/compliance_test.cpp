#include <catch2/catch.hpp>

#include <random>

#include "dialerd/schedule/compliance.hpp"
#include "dialerd/schedule/place.hpp"
#include "dialerd/schedule/rules.hpp"
#include "dialerd/util/time.hpp"

using namespace dialerd::schedule;
using dialerd::domain::UnixMs;
using Kind = Decision::Kind;

namespace {
UnixMs at(const char* rfc3339) {
  return *dialerd::util::parse_rfc3339(rfc3339);
}
CampaignRules ny_campaign() {
  CampaignRules c;
  c.zone = find_zone("America/New_York");
  c.concurrency = 10;
  return c;
}
ContactPlace in(const char* zone, const char* region = "US") {
  return {{find_zone(zone)}, "contact", region};
}
bool failed(const Decision& d, const std::string& id) {
  return std::any_of(d.failed.begin(), d.failed.end(), [&](const Check& c) { return c.id == id; });
}
}  // namespace

TEST_CASE("compliance: a call inside every window with room under every cap goes out, with each check explained") {
  LegalRules legal;
  auto d = decide(ny_campaign(), in("America/New_York"), {}, legal, at("2026-11-23T15:00:00Z"));  // 10:00 EST
  CHECK(d.kind == Kind::dispatch);
  CHECK(d.failed.empty());
  CHECK(d.passed.size() == 8);
  auto rh = std::find_if(d.passed.begin(), d.passed.end(), [](const Check& c) { return c.id == "respectful-hours"; });
  REQUIRE(rh != d.passed.end());
  CHECK(rh->reason == "Contact local time is 10:00 in America/New_York, inside respectful hours 08:00-21:00 on Monday");
}

TEST_CASE("compliance: at 3 a.m. local the call waits until 08:00 local") {
  LegalRules legal;
  auto d = decide(ny_campaign(), in("America/Los_Angeles"), {}, legal, at("2026-11-23T11:00:00Z"));  // 03:00 PST
  CHECK(d.kind == Kind::wait);
  CHECK(failed(d, "respectful-hours"));
  CHECK(d.until == at("2026-11-23T16:00:00Z"));  // 08:00 PST
}

TEST_CASE("compliance: a Honolulu contact in a New York campaign goes out when both windows are open") {
  LegalRules legal;
  auto campaign = ny_campaign();
  campaign.window = DailyWindow{9 * 60, 17 * 60};
  auto d = decide(campaign, in("Pacific/Honolulu"), {}, legal, at("2026-11-23T14:00:00Z"));  // 09:00 EST, 04:00 HST
  CHECK(d.kind == Kind::wait);
  CHECK_FALSE(failed(d, "campaign-window"));
  CHECK(failed(d, "respectful-hours"));
  CHECK(d.until == at("2026-11-23T18:00:00Z"));  // 08:00 HST = 13:00 EST
}

TEST_CASE("compliance: region overrides and holidays") {
  RuleOverrides config;  // compliance.region_hours and holidays, with no rule set
  config.region_windows["US-FL"] = DailyWindow{8 * 60, 20 * 60};
  config.region_holidays["US"] = {*parse_date("2026-12-25")};
  LegalRules legal;
  resolve_rules(RuleSet{}, config, legal);
  auto now = at("2026-11-24T01:30:00Z");  // 20:30 EST
  CHECK(decide(ny_campaign(), in("America/New_York", "US-NY"), {}, legal, now).kind == Kind::dispatch);
  auto fl = decide(ny_campaign(), in("America/New_York", "US-FL"), {}, legal, now);
  CHECK(fl.kind == Kind::wait);
  CHECK(fl.until == at("2026-11-24T13:00:00Z"));
  auto christmas = decide(ny_campaign(), in("America/New_York", "US-NY"), {}, legal, at("2026-12-25T15:00:00Z"));
  CHECK(christmas.kind == Kind::wait);
  CHECK(christmas.until == at("2026-12-26T13:00:00Z"));
  CHECK(decide(ny_campaign(), in("Europe/London", "GB"), {}, legal, at("2026-12-25T15:00:00Z")).kind == Kind::dispatch);
}

TEST_CASE("compliance: a number spanning two zones is called only when both allow it") {
  LegalRules legal;
  ContactPlace both{{find_zone("America/New_York"), find_zone("America/Chicago")}, "number", "US"};
  auto d = decide(ny_campaign(), both, {}, legal, at("2026-11-23T13:30:00Z"));  // 08:30 EST, 07:30 CST
  CHECK(d.kind == Kind::wait);
  CHECK(d.until == at("2026-11-23T14:00:00Z"));
  auto late = decide(ny_campaign(), both, {}, legal, at("2026-11-24T01:30:00Z"));  // 20:30 EST, 19:30 CST
  CHECK(late.kind == Kind::dispatch);
}

TEST_CASE("compliance: suppressed and inactive contacts are skipped with the reason") {
  LegalRules legal;
  CallFacts f;
  f.suppression = "cease and desist by letter";
  auto d = decide(ny_campaign(), in("America/New_York"), f, legal, at("2026-11-23T15:00:00Z"));
  CHECK(d.kind == Kind::skip);
  CHECK(failed(d, "cease-and-desist-exclusion"));
  CHECK(d.reason == "cease-and-desist-exclusion: Number is suppressed: cease and desist by letter");
  CallFacts inactive;
  inactive.active = false;
  CHECK(decide(ny_campaign(), in("America/New_York"), inactive, legal, at("2026-11-23T15:00:00Z")).kind == Kind::skip);
}

TEST_CASE("compliance: caps wait for the next local day and concurrency waits for a slot") {
  LegalRules legal;
  CallFacts capped;
  capped.contact_calls_today = 4;
  auto d = decide(ny_campaign(), in("America/Los_Angeles"), capped, legal, at("2026-11-23T20:00:00Z"));  // 12:00 PST
  CHECK(d.kind == Kind::wait);
  CHECK(failed(d, "contact-daily-cap"));
  CHECK(d.until == at("2026-11-24T16:00:00Z"));  // tomorrow 08:00 PST, not midnight
  auto campaign = ny_campaign();
  campaign.max_calls_per_day = 100;
  CallFacts busy;
  busy.campaign_calls_today = 100;
  auto c = decide(campaign, in("America/New_York"), busy, legal, at("2026-11-23T20:00:00Z"));
  CHECK(c.until == at("2026-11-24T13:00:00Z"));
  CallFacts full;
  full.campaign_in_flight = 10;
  auto s = decide(ny_campaign(), in("America/New_York"), full, legal, at("2026-11-23T20:00:00Z"));
  CHECK(s.kind == Kind::wait);
  CHECK_FALSE(s.until);
}

TEST_CASE("compliance: a workspace at its ceiling waits for a slot - and the check shows only under a ceiling") {
  LegalRules legal;
  const auto now = at("2026-11-23T20:00:00Z");
  CallFacts f;
  auto open = decide(ny_campaign(), in("America/New_York"), f, legal, now);
  CHECK(std::none_of(open.passed.begin(), open.passed.end(),
                     [](const Check& c) { return c.id == "workspace-concurrency"; }));
  f.workspace = CallFacts::WorkspaceLoad{49, 50};
  auto room = decide(ny_campaign(), in("America/New_York"), f, legal, now);
  CHECK(room.kind == Kind::dispatch);
  auto pass = std::find_if(room.passed.begin(), room.passed.end(),
                           [](const Check& c) { return c.id == "workspace-concurrency"; });
  REQUIRE(pass != room.passed.end());
  CHECK(pass->reason == "49 of 50 calls in flight across the workspace's campaigns");
  f.workspace->in_flight = 50;
  auto full = decide(ny_campaign(), in("America/New_York"), f, legal, now);
  CHECK(full.kind == Kind::wait);
  CHECK(failed(full, "workspace-concurrency"));
  CHECK_FALSE(full.until);  // until a slot frees: an outcome wakes the loop
  CHECK(decide(ny_campaign(), in("America/New_York"), f, legal, now, Explain::when_blocked).kind == Kind::wait);
}

TEST_CASE("compliance: caller ids - passes while a from number is usable and waits for the first to open again") {
  LegalRules legal;
  const auto now = at("2026-11-23T20:00:00Z");  // 15:00 in New York
  CallFacts f;
  auto none = decide(ny_campaign(), in("America/New_York"), f, legal, now);
  CHECK(std::none_of(none.passed.begin(), none.passed.end(), [](const Check& c) { return c.id == "caller-ids"; }));
  CHECK_FALSE(failed(none, "caller-ids"));
  NumberState capped{"+12125550100", 0, at("2026-11-24T05:00:00Z"), "placed 3 calls today, its cap is 3"};
  NumberState rested{"+12125550101", 0, at("2026-11-23T21:00:00Z"), "rested until 2026-11-23T21:00:00Z"};
  NumberState open{"+12125550102", 2, std::nullopt, ""};
  f.caller_ids = std::vector<NumberState>{capped, rested, open};
  auto ok = decide(ny_campaign(), in("America/New_York"), f, legal, now);
  CHECK(ok.kind == Kind::dispatch);
  auto pass = std::find_if(ok.passed.begin(), ok.passed.end(), [](const Check& c) { return c.id == "caller-ids"; });
  REQUIRE(pass != ok.passed.end());
  CHECK(pass->reason ==
        "1 of 3 from numbers usable; +12125550100 placed 3 calls today, its cap is 3; +12125550101 "
        "rested until 2026-11-23T21:00:00Z");
  f.caller_ids = std::vector<NumberState>{capped, rested};
  auto shut = decide(ny_campaign(), in("America/New_York"), f, legal, now);
  CHECK(shut.kind == Kind::wait);
  CHECK(failed(shut, "caller-ids"));
  CHECK(shut.until == at("2026-11-23T21:00:00Z"));  // the rest ends first, inside the calling hours
  CHECK(decide(ny_campaign(), in("America/New_York"), f, legal, now, Explain::when_blocked).kind == Kind::wait);
}

TEST_CASE("compliance: the rolling limit") {
  LegalRules legal;
  const RollingCap cap{7, 7 * 24, RollingCap::Per::contact, 0, "test", "", ""};
  CallFacts f;
  f.caps.push_back({&cap, at("2026-11-25T10:00:00Z")});
  auto d = decide(ny_campaign(), in("America/New_York"), f, legal, at("2026-11-23T15:00:00Z"));
  CHECK(d.kind == Kind::wait);
  CHECK(failed(d, "contact-rolling-cap"));
  CHECK(d.until == at("2026-11-25T13:00:00Z"));  // freed at 05:00 EST, legal from 08:00
}

TEST_CASE("compliance: Regulation F - 7 calls in 7 days per subject and a quiet week after a conversation") {
  dialerd::domain::Campaign stored;
  stored.status = dialerd::domain::CampaignStatus::running;
  stored.spec.timezone = "America/New_York";
  stored.spec.subject = "debt 42";
  stored.spec.reg_f = dialerd::domain::RegF{};
  std::string error;
  auto c = campaign_rules(stored, error);
  REQUIRE(c);
  REQUIRE(c->reg_f_cap);
  CHECK(c->reg_f_cap->calls == 7);
  CHECK(c->reg_f_cap->hours == 7 * 24 + 1);  // a week with a 25-hour day is covered
  CHECK(c->reg_f_cap->per == RollingCap::Per::subject);
  CHECK(c->reg_f_quiet_days == 7);
  LegalRules legal;
  const auto now = at("2026-11-23T15:00:00Z");  // Monday 10:00 EST
  CallFacts quiet;
  quiet.caps.push_back({&*c->reg_f_cap, std::nullopt});
  quiet.quiet_until = at("2026-11-27T20:00:00Z");
  auto d = decide(*c, in("America/New_York"), quiet, legal, now);
  CHECK(d.kind == Kind::wait);
  CHECK(d.until == at("2026-11-27T20:00:00Z"));
  REQUIRE(failed(d, "conversation-quiet-period"));
  const auto& check = *std::find_if(d.failed.begin(), d.failed.end(),
                                    [](const Check& k) { return k.id == "conversation-quiet-period"; });
  CHECK_THAT(check.source, Catch::Contains("Regulation F"));
  CHECK_THAT(check.reason, Catch::Contains("conversation on subject \"debt 42\" in the last 7 days"));
  // The quiet period over and the cap reached: the cap holds the call, naming the subject.
  CallFacts capped;
  capped.caps.push_back({&*c->reg_f_cap, at("2026-11-24T18:00:00Z")});
  auto e = decide(*c, in("America/New_York"), capped, legal, now);
  CHECK(e.kind == Kind::wait);
  CHECK(e.until == at("2026-11-24T18:00:00Z"));
  REQUIRE(failed(e, "reg-f-frequency"));
  CHECK_FALSE(failed(e, "conversation-quiet-period"));
  // Without the opt-in neither check is made.
  stored.spec.reg_f.reset();
  auto plain = campaign_rules(stored, error);
  CHECK_FALSE(plain->reg_f_cap);
  CHECK(decide(*plain, in("America/New_York"), {}, legal, now).kind == Kind::dispatch);
}

TEST_CASE("compliance: a campaign that requires consent skips a contact without it in force") {
  using dialerd::domain::Consent;
  using dialerd::domain::ConsentType;
  auto c = ny_campaign();
  c.require_consent = ConsentType::express;
  LegalRules legal;
  const auto now = at("2026-11-23T15:00:00Z");
  auto with = [&](std::optional<Consent> consent) {
    CallFacts f;
    f.consent = std::move(consent);
    return decide(c, in("America/New_York"), f, legal, now);
  };
  Consent written{ConsentType::express_written, "web form", at("2026-01-01T00:00:00Z"), std::nullopt, std::nullopt};
  auto ok = with(written);
  CHECK(ok.kind == Kind::dispatch);
  const auto& passed =
      *std::find_if(ok.passed.begin(), ok.passed.end(), [](const Check& k) { return k.id == "consent"; });
  CHECK(passed.reason == "express_written consent from web form");  // written satisfies express
  CHECK(passed.source == "campaign require_consent");
  struct Case {
    std::optional<Consent> consent;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {std::nullopt, "No consent recorded; the campaign requires express"},
      {Consent{ConsentType::none, "", std::nullopt, std::nullopt, std::nullopt},
       "No consent recorded; the campaign requires express"},
      {Consent{ConsentType::express, "x", at("2026-12-01T00:00:00Z"), std::nullopt, std::nullopt},
       "Consent is captured only from 2026-12-01T00:00:00Z"},
      {Consent{ConsentType::express, "x", at("2026-01-01T00:00:00Z"), at("2026-11-23T15:00:00Z"), std::nullopt},
       "Consent expired at 2026-11-23T15:00:00Z"},
      {Consent{ConsentType::express, "x", at("2026-01-01T00:00:00Z"), std::nullopt, at("2026-11-01T00:00:00Z")},
       "Consent was revoked at 2026-11-01T00:00:00Z"},
  };
  for (const auto& k : cases) {
    INFO(k.reason);
    auto d = with(k.consent);
    CHECK(d.kind == Kind::skip);
    CHECK(d.reason == "consent: " + k.reason);
  }
  c.require_consent = ConsentType::express_written;
  CHECK(with(Consent{ConsentType::express, "call", at("2026-01-01T00:00:00Z"), std::nullopt, std::nullopt}).reason ==
        "consent: Consent is express; the campaign requires express_written");
  // Not required: no check at all.
  c.require_consent.reset();
  auto plain = with(std::nullopt);
  CHECK(plain.kind == Kind::dispatch);
  CHECK(std::none_of(plain.passed.begin(), plain.passed.end(), [](const Check& k) { return k.id == "consent"; }));
}

TEST_CASE("compliance: the campaign gate") {
  auto c = ny_campaign();
  c.trigger_at = at("2026-11-25T14:00:00Z");
  auto g = campaign_gate(c, 0, at("2026-11-23T15:00:00Z"));
  CHECK_FALSE(g.open);
  CHECK(g.until == at("2026-11-25T14:00:00Z"));
  c.trigger_at.reset();
  c.window = DailyWindow{9 * 60, 17 * 60};
  c.days = DayRule::of_weekdays({1, 2, 3, 4, 5});
  CHECK(campaign_gate(c, 0, at("2026-11-23T15:00:00Z")).open);
  CHECK(campaign_gate(c, 0, at("2026-11-28T15:00:00Z")).until == at("2026-11-30T14:00:00Z"));  // Saturday -> Monday
  c.max_calls_per_day = 5;
  CHECK(campaign_gate(c, 5, at("2026-11-23T15:00:00Z")).until == at("2026-11-24T14:00:00Z"));
  c.running = false;
  auto stopped = campaign_gate(c, 0, at("2026-11-23T15:00:00Z"));
  CHECK_FALSE(stopped.open);
  CHECK_FALSE(stopped.until);
}

TEST_CASE("compliance: explaining only blocked calls changes no verdict, wait or reason") {
  // decide(..., Explain::when_blocked) is the claim's hot path: it must reach the same decision as the fully
  // explained one on every input, and drop the explanation only when the call may go out.
  std::mt19937_64 rng(20261123);
  const char* zones[] = {"America/New_York", "America/Los_Angeles", "Pacific/Honolulu",
                         "Europe/London",    "Australia/Lord_Howe", "Asia/Kathmandu"};
  auto pick_zone = [&] { return find_zone(zones[rng() % std::size(zones)]); };
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  const UnixMs base = at("2026-01-01T00:00:00Z");
  int dispatched = 0, waited = 0, skipped = 0;
  for (int i = 0; i < 4000; ++i) {
    const UnixMs now = base + static_cast<UnixMs>(rng() % (366ULL * 24 * 3600 * 1000));
    CampaignRules c;
    c.zone = pick_zone();
    c.concurrency = 10;
    c.running = !chance(5);
    if (chance(10)) c.trigger_at = now + static_cast<UnixMs>(rng() % (4ULL * 24 * 3600 * 1000)) - 2 * 24 * 3600 * 1000;
    if (chance(40)) c.window = DailyWindow{static_cast<int>(rng() % 1440), static_cast<int>(1 + rng() % 1440)};
    if (chance(30)) c.days = DayRule::of_weekdays({1, 2, 3, 4, 5});
    if (chance(20)) c.max_calls_per_day = 100;
    ContactPlace place;
    if (!chance(5)) place.zones.push_back(pick_zone());
    if (chance(30)) place.zones.push_back(pick_zone());
    place.region = chance(50) ? "US-FL" : "US";
    RuleOverrides config;
    if (chance(50)) config.window = DailyWindow{0, 0};
    config.region_windows["US-FL"] = DailyWindow{8 * 60, 20 * 60};
    LegalRules legal;
    resolve_rules(RuleSet{}, config, legal);
    const RollingCap cap{3, 7 * 24, RollingCap::Per::contact, 0, "test", "", ""};
    if (chance(15)) {
      dialerd::domain::DncList list;
      list.name = "registry";
      list.max_age_days = 31;
      list.as_of = now - (chance(20) ? 40 : 3) * 24LL * 3600 * 1000;
      c.dnc_lists.push_back(list);
      if (chance(5)) c.dnc_missing.push_back("gone");
    }
    CallFacts f;
    f.active = !chance(5);
    if (chance(5)) f.suppression = "do not call";
    if (!c.dnc_lists.empty() && chance(20)) f.dnc_listed = &c.dnc_lists.front();
    f.campaign_in_flight = chance(10) ? 10 : 3;
    if (chance(15)) f.workspace = CallFacts::WorkspaceLoad{chance(30) ? 50 : 12, 50};
    f.campaign_calls_today = chance(10) ? 100 : 7;
    f.contact_calls_today = chance(10) ? 4 : static_cast<int>(rng() % 4);
    if (chance(30))
      f.caps.push_back({&cap, chance(70)
                                  ? std::nullopt
                                  : std::optional<UnixMs>(now + static_cast<UnixMs>(rng() % (2ULL * 24 * 3600 * 1000)) -
                                                          24 * 3600 * 1000)});

    if (chance(25)) {
      c.predial = PredialRule{"https://crm.example/ok", "crm.example", chance(50)};
      const auto kind = rng() % 5;
      if (kind == 1) f.predial = PredialAnswer{PredialAnswer::Kind::allowed, "fine", std::nullopt, now - 1000};
      if (kind == 2) f.predial = PredialAnswer{PredialAnswer::Kind::denied, "no", std::nullopt, now - 1000};
      if (kind == 3) f.predial = PredialAnswer{PredialAnswer::Kind::denied, "later", now + 3600000, now - 1000};
      if (kind == 4) f.predial = PredialAnswer{PredialAnswer::Kind::error, "HTTP 500", now + 29000, now - 1000};
    }

    auto full = decide(c, place, f, legal, now);
    auto lazy = decide(c, place, f, legal, now, Explain::when_blocked);
    INFO("case " << i);
    REQUIRE(lazy.kind == full.kind);
    REQUIRE(lazy.until == full.until);
    REQUIRE(lazy.reason == full.reason);
    REQUIRE(lazy.failed.size() == full.failed.size());
    REQUIRE(lazy.predial_needed == full.predial_needed);
    if (c.predial) {
      // The pre-dial check is made last: without an answer it is asked for exactly when nothing else holds
      // the call back, and an answer that lets the call go out changes nothing of the other checks' verdict.
      auto without = c;
      without.predial.reset();
      auto other = decide(without, place, f, legal, now);
      if (!f.predial) {
        REQUIRE(full.predial_needed == (other.kind == Kind::dispatch));
        if (full.predial_needed) REQUIRE((full.kind == Kind::wait && !full.until && full.failed.size() == 1));
        if (!full.predial_needed) REQUIRE((full.kind == other.kind && full.until == other.until));
      } else if (f.predial->kind == PredialAnswer::Kind::allowed ||
                 (f.predial->kind == PredialAnswer::Kind::error && c.predial->call_on_error)) {
        REQUIRE((full.kind == other.kind && full.until == other.until));
      } else {
        REQUIRE(full.kind != Kind::dispatch);
      }
    }
    if (full.kind == Kind::dispatch) {
      CHECK(full.failed.empty());
      CHECK(lazy.passed.empty());
      ++dispatched;
    } else {
      REQUIRE(lazy.passed.size() == full.passed.size());
      for (std::size_t k = 0; k < full.failed.size(); ++k) CHECK(lazy.failed[k].reason == full.failed[k].reason);
      (full.kind == Kind::wait ? waited : skipped) += 1;
    }
  }
  // The generator reaches every kind of answer.
  CHECK(dispatched > 100);
  CHECK(waited > 100);
  CHECK(skipped > 100);
}

TEST_CASE("compliance: a declared zone cannot move a call outside the number's legal hours (issue 16.2)") {
  // A San Francisco number declared Europe/London by another workspace: at 00:26 in Los Angeles (08:26 in
  // London) the call must wait for 08:00 Los Angeles time.
  LegalRules legal;
  auto place = dialerd::schedule::resolve_place(std::string("Europe/London"), "+14155550101", find_zone("UTC"));
  auto d = decide(ny_campaign(), place, {}, legal, at("2026-11-23T08:26:00Z"));
  CHECK(d.kind == Kind::wait);
  CHECK(failed(d, "respectful-hours"));
  CHECK(d.until == at("2026-11-23T16:00:00Z"));  // 08:00 PST (16:00 in London, still inside its hours)
}

TEST_CASE("compliance: a contact in no known zone is skipped with the reason, never called (issue 16.11)") {
  LegalRules legal;
  auto place = dialerd::schedule::resolve_place(std::nullopt, "+80012345678", find_zone("America/New_York"));
  REQUIRE(place.zones.empty());
  auto d = decide(ny_campaign(), place, {}, legal, at("2026-11-23T15:00:00Z"));  // 10:00 in the campaign's zone
  CHECK(d.kind == Kind::skip);
  CHECK(failed(d, "respectful-hours"));
  CHECK(d.reason.find("Contact time zone unknown") != std::string::npos);
  // The restrictive reading of a toll-free number: legal in every US zone at once, so at 10:00 in New
  // York (05:00 in Honolulu) it waits for 08:00 in Honolulu, 13:00 in New York.
  auto toll_free = dialerd::schedule::resolve_place(std::nullopt, "+18005550100", find_zone("America/New_York"));
  auto w = decide(ny_campaign(), toll_free, {}, legal, at("2026-11-23T15:00:00Z"));
  CHECK(w.kind == Kind::wait);
  CHECK(w.until == at("2026-11-23T18:00:00Z"));
}

TEST_CASE("compliance: a number on a DNC list the campaign honours is skipped naming the list and its source") {
  LegalRules legal;
  auto c = ny_campaign();
  const UnixMs now = at("2026-11-23T15:00:00Z");  // 10:00 EST
  dialerd::domain::DncList registry;
  registry.name = "registry";
  registry.workspace = "*";
  registry.source = "National Do Not Call Registry, 16 CFR 310.4(b)(1)(iii)(B)";
  registry.max_age_days = 31;
  registry.as_of = at("2026-11-20T00:00:00Z");
  c.dnc_lists.push_back(registry);

  auto clear = decide(c, in("America/New_York"), {}, legal, now);
  CHECK(clear.kind == Kind::dispatch);
  auto passed =
      std::find_if(clear.passed.begin(), clear.passed.end(), [](const Check& k) { return k.id == "dnc-lists"; });
  REQUIRE(passed != clear.passed.end());
  CHECK(passed->reason == "Number is on none of \"registry\" (global)");

  CallFacts listed;
  listed.dnc_listed = &c.dnc_lists.front();
  auto d = decide(c, in("America/New_York"), listed, legal, now);
  CHECK(d.kind == Kind::skip);
  REQUIRE(failed(d, "dnc-lists"));
  CHECK_THAT(d.reason, Catch::Contains("on the do-not-call list \"registry\" (global) as of 2026-11-20T00:00:00Z"));
  CHECK(d.failed.front().source == registry.source);
}

TEST_CASE("compliance: a DNC list past its max age or missing stops the campaign until refreshed") {
  LegalRules legal;
  auto c = ny_campaign();
  dialerd::domain::DncList registry;
  registry.name = "registry";
  registry.workspace = "acme";
  registry.max_age_days = 31;
  registry.as_of = at("2026-10-01T00:00:00Z");
  c.dnc_lists.push_back(registry);
  const UnixMs stale = at("2026-11-01T15:00:00Z");  // as_of + 31 days is 2026-11-01T00:00Z
  CHECK(campaign_gate(c, 0, at("2026-10-31T23:59:59Z")).open);
  auto g = campaign_gate(c, 0, stale);
  CHECK_FALSE(g.open);
  CHECK_FALSE(g.until);  // not by time: a fresh import wakes the loop
  CHECK_THAT(g.reason, Catch::Contains("\"registry\" is past its max age of 31 days (as of 2026-10-01T00:00:00Z)"));

  // The call's explanation says the same, and the call waits (it is not the contact's fault).
  auto d = decide(c, in("America/New_York"), {}, legal, stale);
  CHECK(d.kind == Kind::wait);
  CHECK_FALSE(d.until);
  CHECK(failed(d, "dnc-lists"));

  c.dnc_lists.front().as_of = at("2026-11-01T00:00:00Z");  // refreshed
  CHECK(campaign_gate(c, 0, stale).open);
  c.dnc_missing.push_back("state-fl");
  auto missing = campaign_gate(c, 0, stale);
  CHECK_FALSE(missing.open);
  CHECK_THAT(missing.reason, Catch::Contains("\"state-fl\" does not exist"));

  dialerd::domain::DncList never;  // a max age and nothing imported yet
  never.name = "never";
  never.max_age_days = 31;
  CampaignRules fresh_campaign = ny_campaign();
  fresh_campaign.dnc_lists.push_back(never);
  CHECK_THAT(*dnc_lists_unusable(fresh_campaign, stale), Catch::Contains("no dated copy yet"));
}

TEST_CASE("compliance: the pre-dial check is asked last and its answer allows, skips or holds the call") {
  LegalRules legal;
  auto c = ny_campaign();
  c.predial = PredialRule{"https://crm.example/eligible", "crm.example", false};
  const auto now = at("2026-11-23T15:00:00Z");  // 10:00 EST
  auto place = in("America/New_York");

  // No answer yet: wait for it, with nothing but the pre-dial check failed.
  auto asked = decide(c, place, {}, legal, now);
  CHECK(asked.kind == Kind::wait);
  CHECK(asked.predial_needed);
  CHECK_FALSE(asked.until);
  REQUIRE(asked.failed.size() == 1);
  CHECK(asked.failed[0].id == "pre-dial");
  CHECK(asked.failed[0].reason == "Waiting for the answer of crm.example");
  // Another check holds it back: the endpoint is not asked, and the check is not listed.
  auto night = decide(c, place, {}, legal, at("2026-11-23T07:00:00Z"));  // 02:00 EST
  CHECK(night.kind == Kind::wait);
  CHECK_FALSE(night.predial_needed);
  CHECK_FALSE(failed(night, "pre-dial"));
  CHECK(night.until == at("2026-11-23T13:00:00Z"));

  CallFacts f;
  f.predial = PredialAnswer{PredialAnswer::Kind::allowed, "in good standing", std::nullopt, now - 2000};
  auto allowed = decide(c, place, f, legal, now);
  CHECK(allowed.kind == Kind::dispatch);
  CHECK(allowed.passed.back().id == "pre-dial");
  CHECK(allowed.passed.back().reason ==
        "crm.example allows the call: in good standing (answered 2026-11-23T14:59:58Z)");
  CHECK(allowed.passed.back().source == "campaign predial");

  f.predial = PredialAnswer{PredialAnswer::Kind::denied, "account closed", std::nullopt, now};
  auto denied = decide(c, place, f, legal, now);
  CHECK(denied.kind == Kind::skip);
  CHECK(denied.reason == "pre-dial: crm.example refuses the call: account closed (answered 2026-11-23T15:00:00Z)");

  f.predial->retry_at = at("2026-11-23T16:00:00Z");
  auto later = decide(c, place, f, legal, now);
  CHECK(later.kind == Kind::wait);
  CHECK(later.until == at("2026-11-23T16:00:00Z"));
  // ... and a retry time outside the legal hours moves on to the next instant every check allows.
  f.predial->retry_at = at("2026-11-24T03:00:00Z");  // 22:00 EST
  CHECK(decide(c, place, f, legal, now).until == at("2026-11-24T13:00:00Z"));

  f.predial = PredialAnswer{PredialAnswer::Kind::error, "HTTP 503", now + 30000, now};
  auto closed = decide(c, place, f, legal, now);
  CHECK(closed.kind == Kind::wait);
  CHECK(closed.until == now + 30000);
  CHECK_THAT(closed.reason, Catch::Contains("gave no answer (HTTP 503)") && Catch::Contains("on_error is wait"));
  c.predial->call_on_error = true;
  auto open = decide(c, place, f, legal, now);
  CHECK(open.kind == Kind::dispatch);
  CHECK_THAT(open.passed.back().reason,
             Catch::Contains("the call may go out: the campaign's predial.on_error is call"));
}

TEST_CASE("compliance: campaign_rules names the pre-dial endpoint's host") {
  dialerd::domain::Campaign campaign;
  campaign.spec.predial = dialerd::domain::Predial{"https://crm.example:8443/v1/eligible?x=1", "crm", 2000, true, 60};
  std::string error;
  auto rules = campaign_rules(campaign, error);
  REQUIRE(rules);
  REQUIRE(rules->predial);
  CHECK(rules->predial->host == "crm.example:8443");
  CHECK(rules->predial->url == "https://crm.example:8443/v1/eligible?x=1");
  CHECK(rules->predial->call_on_error);
}

TEST_CASE("compliance: a paced campaign's call waits for the next call it may start - the check says when") {
  LegalRules legal;
  auto c = ny_campaign();
  c.calls_per_second = 5;
  c.calls_per_minute = 100;
  const auto now = at("2026-11-23T15:00:00Z");
  auto place = in("America/New_York");
  auto free = decide(c, place, {}, legal, now);
  CHECK(free.kind == Kind::dispatch);
  auto pass =
      std::find_if(free.passed.begin(), free.passed.end(), [](const Check& k) { return k.id == "campaign-pacing"; });
  REQUIRE(pass != free.passed.end());
  CHECK(pass->reason == "Within 5 calls per second and 100 per minute");
  CallFacts f;
  f.paced_until = now + 200;
  auto paced = decide(c, place, f, legal, now);
  CHECK(paced.kind == Kind::wait);
  CHECK(paced.until == now + 200);
  CHECK(
      paced.reason ==
      "campaign-pacing: At 5 calls per second and 100 per minute; the next call may start at 2026-11-23T15:00:00.200Z");
}

TEST_CASE("compliance: a callback asked for 22:00 local waits for it and then for the next legal instant") {
  LegalRules legal;
  CallFacts f;
  f.not_before = at("2026-11-24T03:00:00Z");    // 22:00 EST on Monday, after respectful hours (08:00-21:00)
  const auto now = at("2026-11-23T15:00:00Z");  // 10:00 EST: legal now, but before the callback
  auto d = decide(ny_campaign(), in("America/New_York"), f, legal, now);
  CHECK(d.kind == Kind::wait);
  CHECK(d.until == at("2026-11-24T13:00:00Z"));  // 08:00 EST on Tuesday
  REQUIRE(d.failed.size() == 1);
  CHECK(d.failed[0].id == "callback-time");
  CHECK(d.failed[0].reason ==
        "Callback requested for 2026-11-24T03:00:00Z (22:00 in America/New_York); the first instant from then that "
        "every time rule allows is 2026-11-24T13:00:00Z (08:00 in America/New_York)");
  CHECK(d.reason == "callback-time: " + d.failed[0].reason);

  // A callback inside the rules goes out at its time; once the time has come the check passes.
  f.not_before = at("2026-11-23T20:00:00Z");  // 15:00 EST
  d = decide(ny_campaign(), in("America/New_York"), f, legal, now);
  CHECK(d.until == f.not_before);
  CHECK(d.failed[0].reason ==
        "Callback requested for 2026-11-23T20:00:00Z (15:00 in America/New_York); every time rule allows it then");
  d = decide(ny_campaign(), in("America/New_York"), f, legal, *f.not_before);
  CHECK(d.kind == Kind::dispatch);
  CHECK(std::any_of(d.passed.begin(), d.passed.end(), [](const Check& c) {
    return c.id == "callback-time" && c.reason.find("that time has come") != std::string::npos;
  }));
  // Another check still holds a due callback back.
  f.campaign_in_flight = 10;
  CHECK(decide(ny_campaign(), in("America/New_York"), f, legal, *f.not_before).kind == Kind::wait);
}
