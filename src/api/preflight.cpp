// GET /v1/campaigns/{id}/preflight (issue 19.7): every pending call judged now, as the claim would judge
// it, without dispatching or changing anything: how many would pass, how many wait (until when, by the check
// that holds them) and how many would be skipped (by check). The calls are read a page at a time in due
// order, the loop serving other work between pages, so a campaign of millions costs time on this request
// only.
#include <map>

#include "common.hpp"
#include "dialerd/schedule/compliance.hpp"
#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::api {

using domain::UnixMs;

namespace {

constexpr int kPreflightPage = 1000;

// The calls one check holds back or skips.
struct ByCheck {
  std::int64_t calls = 0;
  std::optional<UnixMs> earliest, latest;  // wait: when they may go out
  std::string example;                     // one call's reason, as the check words it
};

json by_check_json(const std::map<std::string, ByCheck>& checks, bool with_times) {
  json out = json::array();
  for (const auto& [id, c] : checks) {
    json item = {{"check", id}, {"calls", c.calls}, {"example", c.example}};
    if (with_times) {
      auto when = [](const std::optional<UnixMs>& t) { return t ? json(util::format_rfc3339(*t)) : json(nullptr); };
      item["earliest"] = when(c.earliest);
      item["latest"] = when(c.latest);
    }
    out.push_back(std::move(item));
  }
  return out;
}

awaitable<http::Response> get_preflight(Context& ctx, const http::Request& req, const http::Params& params) {
  const domain::Campaign campaign = owned_campaign(ctx, req, params.at("id"));
  std::string error;
  auto rules = ctx.scheduler.rules_for(campaign, error);
  if (!rules) throw BadRequest(409, "unusable_campaign", error);
  const UnixMs now = ctx.clock.now_ms();
  // Judged as if it runs, so a draft or paused campaign shows what starting it would do; the campaign's
  // own status is in the answer.
  rules->running = true;
  const auto facts = live_facts(ctx, campaign, *rules, 0, now);

  std::int64_t pending = 0, pass = 0, wait = 0, skip = 0, not_due = 0, unreadable = 0;
  std::optional<UnixMs> not_due_earliest;
  std::map<std::string, ByCheck> waits, skips;
  std::optional<store::Reports::DueKey> after;
  for (;;) {
    auto page = ctx.reports.pending_candidates(campaign, after, kPreflightPage);
    for (const auto& p : page) {
      ++pending;
      if (!p.candidate) {
        ++unreadable;
        continue;
      }
      auto d = ctx.scheduler.evaluate(*rules, *p.candidate, ctx.claims.history(), facts, now, nullptr,
                                      schedule::Explain::when_blocked);
      if (d.kind == schedule::Decision::Kind::dispatch) {
        // Allowed now, but not yet due (a retry's backoff, or a wait decided earlier): the claim takes it then.
        if (p.key.next_attempt_at > now) {
          ++not_due;
          not_due_earliest = std::min(not_due_earliest.value_or(p.key.next_attempt_at), p.key.next_attempt_at);
        } else {
          ++pass;
        }
        continue;
      }
      const bool skipped = d.kind == schedule::Decision::Kind::skip;
      ++(skipped ? skip : wait);
      for (std::size_t i = 0; i < d.failed.size(); ++i) {
        const auto& check = d.failed[i];
        // Two caps may share an id (a rule set's per-contact cap and compliance.rolling_cap): a call once.
        bool seen = false;
        for (std::size_t j = 0; j < i && !seen; ++j) seen = d.failed[j].id == check.id;
        if (seen) continue;
        auto& c = (skipped ? skips : waits)[check.id];
        if (c.calls++ == 0) c.example = check.reason;
        if (!skipped && d.until) {
          c.earliest = std::min(c.earliest.value_or(*d.until), *d.until);
          c.latest = std::max(c.latest.value_or(*d.until), *d.until);
        }
      }
    }
    if (page.size() < static_cast<std::size_t>(kPreflightPage)) break;
    after = page.back().key;
    co_await yield_to_loop();
  }
  json data = {
      {"campaign_id", std::to_string(campaign.id)},
      {"status", domain::to_string(campaign.status)},
      {"evaluated_at", util::format_rfc3339(now)},
      {"rule_set", ctx.config().legal.rule_set},
      {"pending", pending},
      {"pass", pass},
      {"not_due",
       {{"calls", not_due},
        {"earliest", not_due_earliest ? json(util::format_rfc3339(*not_due_earliest)) : json(nullptr)}}},
      {"wait", {{"calls", wait}, {"by_check", by_check_json(waits, true)}}},
      {"skip", {{"calls", skip}, {"by_check", by_check_json(skips, false)}}},
      {"unreadable", unreadable},
  };
  co_return envelope(200, data, ctx.clock.now_ms());
}

}  // namespace

void register_preflight_route(http::Router& router, Context& ctx) {
  router.add_async("GET", "/v1/campaigns/{id}/preflight",
                   [&ctx](const http::Request& r, const http::Params& p) { return get_preflight(ctx, r, p); });
}

}  // namespace dialerd::api
