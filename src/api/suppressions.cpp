// Cease-and-desist / do-not-call numbers: POST, GET, DELETE /v1/suppressions. A suppressed number is
// never called by any campaign: its pending calls are skipped with the reason when they come due.
#include <spdlog/spdlog.h>

#include "common.hpp"
#include "dialerd/domain/phone.hpp"

namespace dialerd::api {

namespace {

json suppression_json(const domain::Suppression& s) {
  return {{"phone_number", s.phone}, {"reason", s.reason}, {"source", s.source}, {"created_at", iso8601(s.created_at)}};
}

std::string phone_of(Context& ctx, const std::string& raw, const std::string& field, int status_if_bad) {
  auto n = domain::normalize_phone(raw, ctx.config().default_region);
  if (auto* err = std::get_if<domain::PhoneError>(&n)) {
    if (status_if_bad == 404) throw BadRequest(404, "not_found", "no suppression for " + raw);
    bad_field(field, err->message);
  }
  return std::get<std::string>(n);
}

http::Response add(Context& ctx, const http::Request& req) {
  json body = parse_json_body(req);
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "phone_number" && k != "reason" && k != "source") bad_field(k, "unknown field");
  auto phone = phone_of(ctx, req_string(body, "phone_number", "phone_number", 64), "phone_number", 400);
  auto reason = req_string(body, "reason", "reason", 1000);
  auto source = opt_string(body, "source", "source", 64).value_or("api");
  auto s = ctx.store.add_suppression(phone, reason, source, ctx.clock.now_ms());
  spdlog::info("suppression added for {} ({}): {}", phone, source, reason);
  ctx.scheduler.wake();
  return envelope(201, suppression_json(s), ctx.clock.now_ms());
}

http::Response list(Context& ctx, const http::Request& req) {
  int limit = 100;
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    const auto& v = it->second;
    if (v.size() > 4 || !is_digits(v) || std::stoi(v) < 1 || std::stoi(v) > 1000)
      bad_field("limit", "must be an integer 1..1000");
    limit = std::stoi(v);
  }
  std::string after;
  if (auto it = req.query.find("after"); it != req.query.end()) after = it->second;
  if (!after.empty() && after[0] == ' ') after[0] = '+';  // an unencoded "+" in the query reads as a space
  auto rows = ctx.store.suppressions(after, limit + 1);
  bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.pop_back();
  json items = json::array();
  for (const auto& s : rows) items.push_back(suppression_json(s));
  json data = {{"items", items}, {"next_after", more ? json(rows.back().phone) : json(nullptr)}};
  return envelope(200, data, ctx.clock.now_ms());
}

http::Response get(Context& ctx, const http::Params& p) {
  auto phone = phone_of(ctx, p.at("phone"), "phone", 404);
  auto s = ctx.store.suppression(phone);
  if (!s) throw BadRequest(404, "not_found", "no suppression for " + phone);
  return envelope(200, suppression_json(*s), ctx.clock.now_ms());
}

http::Response remove(Context& ctx, const http::Params& p) {
  auto phone = phone_of(ctx, p.at("phone"), "phone", 404);
  if (!ctx.store.remove_suppression(phone)) throw BadRequest(404, "not_found", "no suppression for " + phone);
  spdlog::warn("suppression removed for {}: it may be called again", phone);
  http::Response r;
  r.status = 204;
  return r;
}

}  // namespace

void register_suppression_routes(http::Router& router, Context& ctx) {
  router.add("POST", "/v1/suppressions",
             guarded([&ctx](const http::Request& r, const http::Params&) { return add(ctx, r); }));
  router.add("GET", "/v1/suppressions",
             guarded([&ctx](const http::Request& r, const http::Params&) { return list(ctx, r); }));
  router.add("GET", "/v1/suppressions/{phone}",
             guarded([&ctx](const http::Request&, const http::Params& p) { return get(ctx, p); }));
  router.add("DELETE", "/v1/suppressions/{phone}",
             guarded([&ctx](const http::Request&, const http::Params& p) { return remove(ctx, p); }));
}

}  // namespace dialerd::api
