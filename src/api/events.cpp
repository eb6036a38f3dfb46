// POST /v1/providers/{name}/events: a provider's call-status callbacks.
#include <spdlog/spdlog.h>

#include "common.hpp"

namespace dialerd::api {

namespace {

http::Response post_events(Context& ctx, const http::Request& req, const http::Params& params) {
  const std::string& name = params.at("name");
  auto it = ctx.scheduler.providers().find(name);
  if (it == ctx.scheduler.providers().end()) throw BadRequest(404, "not_found", "no provider named '" + name + "'");
  parse_json_body(req);  // content type and well-formedness, with the shared errors
  auto parsed = it->second->parse_events(req.body);
  if (auto* err = std::get_if<std::string>(&parsed)) throw BadRequest(400, "invalid_event", *err);
  const auto& reports = std::get<std::vector<domain::OutcomeReport>>(parsed);

  auto applied = ctx.scheduler.apply_outcomes(name, reports);
  std::size_t done = 0, duplicate = 0, deferred = 0, unknown = 0;
  for (std::size_t i = 0; i < applied.size(); ++i) {
    const auto& a = applied[i];
    switch (a.effect) {
      case store::OutcomeApplied::Effect::applied:
        ++done;
        spdlog::info("campaign {} call {}: outcome {} from {} -> {}", a.campaign_id, a.call_id,
                     domain::to_string(reports[i].outcome), name, domain::to_string(a.state));
        break;
      case store::OutcomeApplied::Effect::duplicate: ++duplicate; break;
      case store::OutcomeApplied::Effect::deferred: ++deferred; break;
      case store::OutcomeApplied::Effect::unknown_call:
        ++unknown;
        spdlog::warn("provider {}: event for unknown call {}", name, reports[i].provider_call_id);
        break;
    }
  }
  if (!reports.empty() && unknown == reports.size())
    throw BadRequest(404, "unknown_call", "no call matches provider call id " + reports.front().provider_call_id);
  return envelope(200, {{"applied", done}, {"duplicates", duplicate}, {"deferred", deferred}, {"unknown", unknown}}, ctx.clock.now_ms());
}

}  // namespace

void register_event_routes(http::Router& router, Context& ctx) {
  router.add("POST", "/v1/providers/{name}/events", guarded([&ctx](const http::Request& req, const http::Params& p) {
               return post_events(ctx, req, p);
             }));
}

}  // namespace dialerd::api
