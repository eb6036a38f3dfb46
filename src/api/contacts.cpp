// GET, PATCH /v1/contacts/{phone}: a workspace's record of one number across its campaigns. Contacts are
// per workspace (names, time zone, active flag and caps): another workspace naming the same number has its
// own record and never reads or changes this one.
#include <spdlog/spdlog.h>

#include "common.hpp"
#include "dialerd/domain/phone.hpp"
#include "dialerd/schedule/place.hpp"
#include "dialerd/schedule/time.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::api {

namespace {

constexpr int kCallsShown = 100;

// The caller's workspace's contact named by the path, if it has calls of it; else 404, the same answer
// whether the number is unknown or only another workspace's.
std::pair<domain::Contact, std::vector<store::Contacts::ContactCall>> visible_contact(Context& ctx,
                                                                                      const http::Request& req,
                                                                                      const std::string& raw) {
  auto n = domain::normalize_phone(raw, ctx.config().default_region);
  auto contact = n ? ctx.contacts.contact(req.workspace, *n) : std::nullopt;
  if (!contact) throw BadRequest(404, "not_found", "no contact " + raw);
  auto calls = ctx.contacts.contact_calls(contact->id, req.workspace, kCallsShown);
  if (calls.empty()) throw BadRequest(404, "not_found", "no contact " + raw);
  return {*contact, std::move(calls)};
}

json contact_json(Context& ctx, const std::string& workspace, const domain::Contact& c,
                  const std::vector<store::Contacts::ContactCall>& calls) {
  auto now = ctx.clock.now_ms();
  const auto& legal = ctx.config().legal;
  auto place = schedule::resolve_place(c.timezone, c.phone, schedule::find_zone("UTC"), legal.unknown_zone);
  auto today = ctx.claims.history().contact_calls_since(
      c.id, schedule::local_day_start(place.zones.empty() ? schedule::find_zone("UTC") : place.zones.front(), now));
  json zones = json::array();
  for (auto z : place.zones) zones.push_back(schedule::zone_label(z));
  json list = json::array();
  for (const auto& k : calls)
    list.push_back({{"call_id", std::to_string(k.id)},
                    {"campaign_id", std::to_string(k.campaign_id)},
                    {"state", domain::to_string(k.state)},
                    {"attempts", k.attempts},
                    {"last_outcome", k.last_outcome ? json(*k.last_outcome) : json(nullptr)},
                    {"next_attempt_at", util::format_rfc3339(k.next_attempt_at)}});
  auto suppression = ctx.contacts.contact_suppressed(workspace, c.phone);
  return {{"phone_number", c.phone},
          {"first_name", c.first_name.empty() ? json(nullptr) : json(c.first_name)},
          {"last_name", c.last_name.empty() ? json(nullptr) : json(c.last_name)},
          {"timezone", c.timezone ? json(*c.timezone) : json(nullptr)},
          {"zones", zones},
          {"zone_source", place.zone_source == "campaign" ? "unknown" : place.zone_source},
          {"region", place.region.empty() ? json(nullptr) : json(place.region)},
          {"active", c.active},
          {"suppressed", suppression ? json(*suppression) : json(nullptr)},
          {"calls_today", today},
          {"daily_cap", legal.contact_daily_cap},
          {"calls", list},
          {"created_at", util::format_rfc3339(c.created_at)},
          {"updated_at", util::format_rfc3339(c.updated_at)}};
}

http::Response get_contact(Context& ctx, const http::Request& req, const http::Params& p) {
  auto [contact, calls] = visible_contact(ctx, req, p.at("phone"));
  return envelope(200, contact_json(ctx, req.workspace, contact, calls), ctx.clock.now_ms());
}

// PATCH: timezone (null = infer from the number again), active (an inactive contact is never called:
// its calls are skipped when they come due, like Veritus's is-active check), first_name, last_name.
http::Response patch_contact(Context& ctx, const http::Request& req, const http::Params& p) {
  auto [contact, calls] = visible_contact(ctx, req, p.at("phone"));
  json body = parse_json_body(req);
  if (!body.is_object() || body.empty()) throw BadRequest(400, "invalid_json", "body must be a non-empty JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "timezone" && k != "active" && k != "first_name" && k != "last_name") bad_field(k, "unknown field");
  if (body.contains("timezone")) {
    if (body["timezone"].is_null()) {
      contact.timezone.reset();
    } else {
      auto tz = opt_string(body, "timezone", "timezone", 64);
      if (!schedule::is_known_timezone(*tz))
        bad_field("timezone", "'" + *tz + "' is not a time zone in the tz database");
      contact.timezone = tz;
    }
  }
  if (auto a = opt_bool(body, "active", "active")) contact.active = *a;
  if (auto f = opt_string(body, "first_name", "first_name", 255)) contact.first_name = *f;
  if (auto l = opt_string(body, "last_name", "last_name", 255)) contact.last_name = *l;
  auto now = ctx.clock.now_ms();
  ctx.contacts.update_contact(contact, now);
  spdlog::info("contact {}: updated ({})", contact.id, contact.active ? "active" : "inactive");
  ctx.scheduler.wake();
  return envelope(200, contact_json(ctx, req.workspace, *ctx.contacts.contact(req.workspace, contact.phone), calls),
                  now);
}

}  // namespace

void register_contact_routes(http::Router& router, Context& ctx) {
  router.add("GET", "/v1/contacts/{phone}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return get_contact(ctx, r, p); }));
  router.add("PATCH", "/v1/contacts/{phone}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return patch_contact(ctx, r, p); }));
}

}  // namespace dialerd::api
