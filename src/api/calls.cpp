// Operator decisions on held calls: POST /v1/calls/{id}/release|fail and
// POST /v1/campaigns/{id}/held/release|fail.
#include <spdlog/spdlog.h>

#include "common.hpp"
#include "dialerd/schedule/compliance.hpp"

namespace dialerd::api {

namespace {

std::string reason_of(const http::Request& req, store::HeldAction action) {
  std::string fallback = action == store::HeldAction::release ? "released by an operator" : "failed by an operator";
  if (req.body.empty()) return fallback;
  json body = parse_json_body(req);
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "reason") bad_field(k, "unknown field");
  return opt_string(body, "reason", "reason", 1000).value_or(fallback);
}

http::Response resolve_one(Context& ctx, const http::Request& req, const http::Params& params, store::HeldAction action) {
  auto id = parse_id(params.at("id"), "call");
  auto ref = ctx.store.call_ref(id);
  if (!ref || ref->workspace != req.workspace) throw BadRequest(404, "not_found", "no call " + params.at("id"));
  std::string reason = reason_of(req, action);
  if (action == store::HeldAction::release && ctx.store.campaign(ref->campaign_id)->status == domain::CampaignStatus::cancelled)
    throw BadRequest(409, "invalid_transition", "the call's campaign is cancelled; fail the call instead");
  if (ref->state != domain::CallState::held)
    throw BadRequest(409, "not_held", "call " + params.at("id") + " is " + std::string(domain::to_string(ref->state)) +
                                          "; only held calls can be released or failed");
  auto moved = ctx.store.resolve_held({id}, action, reason, ctx.clock.now_ms());
  spdlog::warn("campaign {} call {}: held call {} by operator ({})", ref->campaign_id, id,
               action == store::HeldAction::release ? "released" : "failed", reason);
  ctx.scheduler.wake();
  return envelope(200, {{"moved", moved.size()}, {"call_ids", moved}}, ctx.clock.now_ms());
}

http::Response resolve_campaign(Context& ctx, const http::Request& req, const http::Params& params,
                                store::HeldAction action) {
  auto campaign = owned_campaign(ctx, req, params.at("id"));
  auto id = campaign.id;
  std::string reason = reason_of(req, action);
  if (action == store::HeldAction::release && campaign.status == domain::CampaignStatus::cancelled)
    throw BadRequest(409, "invalid_transition", "campaign " + params.at("id") + " is cancelled; fail its held calls instead");
  auto moved = ctx.store.resolve_held(ctx.store.held_calls(id), action, reason, ctx.clock.now_ms());
  spdlog::warn("campaign {}: {} held call(s) {} by operator ({})", id, moved.size(),
               action == store::HeldAction::release ? "released" : "failed", reason);
  ctx.scheduler.wake();
  return envelope(200, {{"moved", moved.size()}, {"call_ids", moved}}, ctx.clock.now_ms());
}

json checks_json(const std::vector<schedule::Check>& checks) {
  json out = json::array();
  for (const auto& c : checks)
    out.push_back({{"id", c.id}, {"name", c.name}, {"description", c.description}, {"reason", c.reason}});
  return out;
}

// A call in full: its state, its attempts, and the compliance checks as they stand now.
http::Response get_call(Context& ctx, const http::Request& req, const http::Params& params) {
  auto id = parse_id(params.at("id"), "call");
  auto detail = ctx.store.call_detail(id);
  auto campaign = detail ? ctx.store.campaign(detail->campaign_id) : std::nullopt;
  if (!detail || !campaign || campaign->spec.workspace != req.workspace)
    throw BadRequest(404, "not_found", "no call " + params.at("id"));
  auto now = ctx.clock.now_ms();
  const auto& call = detail->candidate.call;
  json attempts = json::array();
  for (const auto& a : detail->history)
    attempts.push_back({{"number", a.number},
                        {"dispatch_key", a.dispatch_key},
                        {"from_number", a.from_number.empty() ? json(nullptr) : json(a.from_number)},
                        {"provider_call_id", a.provider_call_id.empty() ? json(nullptr) : json(a.provider_call_id)},
                        {"outcome", a.outcome.empty() ? json(nullptr) : json(a.outcome)},
                        {"detail", a.detail.empty() ? json(nullptr) : json(a.detail)},
                        {"submitted_at", iso8601(a.submitted_at)},
                        {"finished_at", a.finished_at ? json(iso8601(*a.finished_at)) : json(nullptr)}});
  auto opt = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  json data = {{"id", std::to_string(call.id)},
               {"campaign_id", std::to_string(detail->campaign_id)},
               {"phone_number", call.phone},
               {"state", domain::to_string(detail->state)},
               {"attempts", detail->attempts},
               {"next_attempt_at", iso8601(detail->next_attempt_at)},
               {"last_outcome", opt(detail->last_outcome)},
               {"last_error", opt(detail->last_error)},
               {"provider_call_id", opt(detail->provider_call_id)},
               {"variables", call.variables},
               {"created_at", iso8601(detail->created_at)},
               {"updated_at", iso8601(detail->updated_at)},
               {"attempt_history", attempts}};
  std::string error;
  auto rules = campaign ? schedule::campaign_rules(*campaign, error) : std::nullopt;
  if (rules) {
    schedule::CallFacts facts;
    facts.campaign_in_flight = ctx.store.in_flight(campaign->id);
    if (rules->max_calls_per_day)
      facts.campaign_calls_today =
          ctx.store.campaign_calls_since(campaign->id, schedule::local_day_start(rules->zone, now));
    schedule::ContactPlace place;
    auto d = ctx.scheduler.evaluate(*rules, detail->candidate, ctx.store.history(), facts, now, &place);
    json zones = json::array();
    for (auto z : place.zones) zones.push_back(schedule::zone_label(z));
    const char* verdict = d.kind == schedule::Decision::Kind::dispatch ? "dispatch"
                          : d.kind == schedule::Decision::Kind::skip   ? "skip"
                                                                       : "wait";
    data["compliance"] = {{"evaluated_at", iso8601(now)},
                          {"passed", d.failed.empty()},
                          {"verdict", verdict},
                          {"eligible_at", d.until ? json(iso8601(*d.until)) : json(nullptr)},
                          {"contact_zones", zones},
                          {"zone_source", place.zone_source},
                          {"region", place.region.empty() ? json(nullptr) : json(place.region)},
                          {"checks_passed", checks_json(d.passed)},
                          {"checks_failed", checks_json(d.failed)}};
  }
  return envelope(200, data, now);
}

}  // namespace

void register_call_routes(http::Router& router, Context& ctx) {
  router.add("GET", "/v1/calls/{id}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return get_call(ctx, r, p); }));
  for (auto [verb, action] : {std::pair{"release", store::HeldAction::release}, std::pair{"fail", store::HeldAction::fail}}) {
    router.add("POST", std::string("/v1/calls/{id}/") + verb,
               guarded([&ctx, action](const http::Request& r, const http::Params& p) {
                 return resolve_one(ctx, r, p, action);
               }));
    router.add("POST", std::string("/v1/campaigns/{id}/held/") + verb,
               guarded([&ctx, action](const http::Request& r, const http::Params& p) {
                 return resolve_campaign(ctx, r, p, action);
               }));
  }
}

}  // namespace dialerd::api
