// Cease-and-desist / do-not-call numbers: POST, GET, DELETE /v1/suppressions. Each suppression belongs to a
// workspace, whose calls of the number are never placed (skipped with the reason when they come due), or to
// the global list (scope "global", kept by admin keys), whose entries no workspace calls. A workspace sees
// and removes only its own entries; removals are recorded with the key's name (docs/OPERATIONS.md,
// "Security").
#include <spdlog/spdlog.h>

#include "common.hpp"
#include "dialerd/domain/phone.hpp"

namespace dialerd::api {

namespace {

bool is_global(const std::string& owner) {
  return owner == domain::kGlobalList;
}

json suppression_json(const domain::Suppression& s) {
  return {{"phone_number", s.phone},
          {"scope", is_global(s.workspace) ? "global" : "workspace"},
          {"workspace", is_global(s.workspace) ? json(nullptr) : json(s.workspace)},
          {"reason", s.reason},
          {"source", s.source},
          {"created_by", s.created_by ? json(*s.created_by) : json(nullptr)},
          {"created_at", util::format_rfc3339(s.created_at)}};
}

// Whose list a request acts on: the caller's workspace; with ?scope=global the global list, and with
// ?workspace=NAME another workspace's (both for admin keys only).
std::string owner_of(const http::Request& req) {
  return scope_owner(req, false, "the global suppression list", "another workspace's suppressions");
}

std::string phone_of(Context& ctx, const std::string& raw, const std::string& field, int status_if_bad) {
  auto n = domain::normalize_phone(raw, ctx.config().default_region);
  if (!n) {
    if (status_if_bad == 404) throw BadRequest(404, "not_found", "no suppression for " + raw);
    bad_field(field, n.error().message);
  }
  return *n;
}

http::Response add(Context& ctx, const http::Request& req) {
  json body = parse_json_body(req);
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "phone_number" && k != "reason" && k != "source" && k != "scope") bad_field(k, "unknown field");
  domain::Suppression in;
  in.phone = phone_of(ctx, req_string(body, "phone_number", "phone_number", 64), "phone_number", 400);
  in.reason = req_string(body, "reason", "reason", 1000);
  in.source = opt_string(body, "source", "source", 64).value_or("api");
  auto scope = opt_string(body, "scope", "scope", 16).value_or("workspace");
  if (scope != "workspace" && scope != "global") bad_field("scope", "must be \"workspace\" or \"global\"");
  if (scope == "global" && !req.admin) forbidden("the global suppression list");
  in.workspace = scope == "global" ? std::string(domain::kGlobalList) : req.workspace;
  in.created_by = key_name(req);
  in.created_at = ctx.clock.now_ms();
  auto s = ctx.contacts.add_suppression(in);
  spdlog::info("suppression added for {} in {} by {} ({}): {}", s.phone,
               is_global(s.workspace) ? "the global list" : "workspace " + s.workspace,
               s.created_by.value_or("(no key)"), s.source, s.reason);
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
  auto rows = ctx.contacts.suppressions(owner_of(req), after, limit + 1);
  bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.pop_back();
  json items = json::array();
  for (const auto& s : rows) items.push_back(suppression_json(s));
  json data = {{"items", items}, {"next_after", more ? json(rows.back().phone) : json(nullptr)}};
  return envelope(200, data, ctx.clock.now_ms());
}

http::Response get(Context& ctx, const http::Request& req, const http::Params& p) {
  auto owner = owner_of(req);
  auto phone = phone_of(ctx, p.at("phone"), "phone", 404);
  auto s = ctx.contacts.suppression(owner, phone);
  if (!s) throw BadRequest(404, "not_found", "no suppression for " + phone);
  return envelope(200, suppression_json(*s), ctx.clock.now_ms());
}

http::Response remove(Context& ctx, const http::Request& req, const http::Params& p) {
  auto owner = owner_of(req);
  auto phone = phone_of(ctx, p.at("phone"), "phone", 404);
  // Another workspace's entry is not found, exactly like a number with none.
  if (!ctx.contacts.remove_suppression(owner, phone, key_name(req), ctx.clock.now_ms()))
    throw BadRequest(404, "not_found", "no suppression for " + phone);
  spdlog::warn("suppression removed for {} from {} by {}: it may be called again", phone,
               is_global(owner) ? "the global list" : "workspace " + owner, key_name(req).value_or("(no key)"));
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
             guarded([&ctx](const http::Request& r, const http::Params& p) { return get(ctx, r, p); }));
  router.add("DELETE", "/v1/suppressions/{phone}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return remove(ctx, r, p); }));
}

}  // namespace dialerd::api
