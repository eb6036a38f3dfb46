// Operator decisions on held calls: POST /v1/calls/{id}/release|fail and
// POST /v1/campaigns/{id}/held/release|fail.
#include <spdlog/spdlog.h>

#include "common.hpp"

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
  if (!ref) throw BadRequest(404, "not_found", "no call " + params.at("id"));
  std::string reason = reason_of(req, action);
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
  auto id = parse_id(params.at("id"), "campaign");
  if (!ctx.store.campaign(id)) throw BadRequest(404, "not_found", "no campaign " + params.at("id"));
  std::string reason = reason_of(req, action);
  auto moved = ctx.store.resolve_held(ctx.store.held_calls(id), action, reason, ctx.clock.now_ms());
  spdlog::warn("campaign {}: {} held call(s) {} by operator ({})", id, moved.size(),
               action == store::HeldAction::release ? "released" : "failed", reason);
  ctx.scheduler.wake();
  return envelope(200, {{"moved", moved.size()}, {"call_ids", moved}}, ctx.clock.now_ms());
}

}  // namespace

void register_call_routes(http::Router& router, Context& ctx) {
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
