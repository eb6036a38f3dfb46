// POST /v1/providers/{name}/events: a provider's call-status callbacks, authenticated per provider.
#include <spdlog/spdlog.h>

#include "common.hpp"
#include "dialerd/store/errors.hpp"
#include "dialerd/util/crypto.hpp"

namespace dialerd::api {

namespace {

// The provider's events.secret, as a shared secret or as the key of an HMAC-SHA256 over the body.
// Unset: unauthenticated (warned about at start).
void authenticate(const config::ProviderConfig& p, const http::Request& req) {
  if (p.events_secret.empty()) return;
  std::string name = p.events_header;
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string given = req.header(name);
  bool ok = false;
  if (p.events_auth == "shared-secret") {
    ok = util::constant_time_equal(given, p.events_secret);
  } else {
    for (auto& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (given.rfind("sha256=", 0) == 0) given = given.substr(7);
    ok = util::constant_time_equal(given, util::hmac_sha256_hex(p.events_secret, req.body));
  }
  if (!ok) {
    spdlog::warn("provider {}: event from {} refused: {} header {}", p.name, req.remote, p.events_header,
                 given.empty() ? "missing" : "wrong");
    throw BadRequest(401, "unauthorized",
                     "provider callbacks must carry a valid " + p.events_header + " header (" + p.events_auth + ")");
  }
}

http::Response post_events(Context& ctx, const http::Request& req, const http::Params& params) {
  const std::string& name = params.at("name");
  auto it = ctx.scheduler.providers().find(name);
  if (it == ctx.scheduler.providers().end()) throw BadRequest(404, "not_found", "no provider named '" + name + "'");
  // Authenticated with the config in force; a provider a reload removed takes no callbacks.
  auto pc = ctx.config().providers.find(name);
  if (pc == ctx.config().providers.end())
    throw BadRequest(404, "not_found", "provider '" + name + "' is no longer configured");
  authenticate(pc->second, req);
  parse_json_body(req);  // content type and well-formedness, with the shared errors
  auto parsed = it->second->parse_events(req.body);
  if (!parsed) throw BadRequest(400, "invalid_event", parsed.error());
  const auto& reports = *parsed;

  auto applied = ctx.scheduler.apply_outcomes(name, reports);
  std::size_t done = 0, duplicate = 0, deferred = 0, unknown = 0;
  std::string corrupt;  // the first outcome whose call's row cannot be read
  for (std::size_t i = 0; i < applied.size(); ++i) {
    const auto& a = applied[i];
    switch (a.effect) {
      case store::OutcomeApplied::Effect::applied:
        ++done;
        spdlog::info("campaign {} call {}: outcome {} from {} -> {}", a.campaign_id, a.call_id,
                     domain::to_string(reports[i].outcome), name, domain::to_string(a.state));
        break;
      case store::OutcomeApplied::Effect::duplicate:
        ++duplicate;
        break;
      case store::OutcomeApplied::Effect::deferred:
        ++deferred;
        break;
      case store::OutcomeApplied::Effect::unknown_call:
        ++unknown;
        spdlog::warn("provider {}: event for unknown call {}", name, reports[i].provider_call_id);
        break;
      case store::OutcomeApplied::Effect::corrupt:
        if (corrupt.empty()) corrupt = a.corrupt;
        break;
    }
  }
  // The others are recorded; a 500 makes the provider send the request again, and once the row is fixed
  // that outcome lands (the rest are then duplicates).
  if (!corrupt.empty())
    throw store::CorruptRow(corrupt + " (the request's other outcomes were applied; it can be sent again)");
  if (!reports.empty() && unknown == reports.size())
    throw BadRequest(404, "unknown_call", "no call matches provider call id " + reports.front().provider_call_id);
  return envelope(200, {{"applied", done}, {"duplicates", duplicate}, {"deferred", deferred}, {"unknown", unknown}},
                  ctx.clock.now_ms());
}

}  // namespace

void register_event_routes(http::Router& router, Context& ctx) {
  router.add("POST", "/v1/providers/{name}/events",
             guarded([&ctx](const http::Request& req, const http::Params& p) { return post_events(ctx, req, p); }),
             http::Access::open);
}

}  // namespace dialerd::api
