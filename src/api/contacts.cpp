// The contact book's records: POST /v1/contacts (JSON or CSV, upserted), GET /v1/contacts (a page, filtered),
// GET, PATCH, DELETE /v1/contacts/{id or number} and GET /v1/contacts/by-external-id/{id}. Contacts are per
// workspace (names, time zone, active flag, variables, external id and caps): another workspace naming the
// same number has its own record and never reads or changes this one; its ids look like missing ones.
#include <spdlog/spdlog.h>

#include "common.hpp"
#include "contact_book.hpp"
#include "contact_input.hpp"
#include "dialerd/domain/phone.hpp"
#include "dialerd/schedule/place.hpp"
#include "dialerd/schedule/time.hpp"
#include "dialerd/store/lock_wait.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::api {

using domain::Contact;
using domain::ContactId;
using domain::ListId;

namespace {

constexpr int kCallsShown = 100;
constexpr std::size_t kImportChunk = 1000;

// The caller's workspace's record named by the path: a contact id (ctc_12) or a number; else 404, the same
// answer whether it is unknown, deleted or only another workspace's.
Contact contact_at(Context& ctx, const http::Request& req, const std::string& ref) {
  std::optional<Contact> c;
  if (auto id = domain::parse_contact_ref(ref)) {
    c = ctx.contacts.contact_by_id(req.workspace, *id);
  } else if (auto n = domain::normalize_phone(ref, ctx.config().default_region)) {
    c = ctx.contacts.contact(req.workspace, *n);
  }
  if (!c) throw BadRequest(404, "not_found", "no contact " + ref);
  return *c;
}

// The record with what is known of it now: where it is (zones, region), whether it may be called (active,
// suppression, today's calls against the cap) and its calls in the workspace's campaigns.
json contact_detail(Context& ctx, const std::string& workspace, const Contact& c) {
  auto now = ctx.clock.now_ms();
  const auto& legal = ctx.config().legal;
  auto place = schedule::resolve_place(c.timezone, c.phone, schedule::find_zone("UTC"), legal.unknown_zone);
  auto today = ctx.claims.history().contact_calls_since(
      c.id, schedule::local_day_start(place.zones.empty() ? schedule::find_zone("UTC") : place.zones.front(), now));
  json zones = json::array();
  for (auto z : place.zones) zones.push_back(schedule::zone_label(z));
  json list = json::array();
  for (const auto& k : ctx.contacts.contact_calls(c.id, workspace, kCallsShown))
    list.push_back({{"call_id", std::to_string(k.id)},
                    {"campaign_id", std::to_string(k.campaign_id)},
                    {"state", domain::to_string(k.state)},
                    {"attempts", k.attempts},
                    {"last_outcome", k.last_outcome ? json(*k.last_outcome) : json(nullptr)},
                    {"next_attempt_at", util::format_rfc3339(k.next_attempt_at)}});
  auto suppression = ctx.contacts.contact_suppressed(workspace, c.phone);
  json out = record_json(c);
  out["zones"] = zones;
  out["zone_source"] = place.zone_source == "campaign" ? "unknown" : place.zone_source;
  out["region"] = place.region.empty() ? json(nullptr) : json(place.region);
  out["suppressed"] = suppression ? json(*suppression) : json(nullptr);
  out["calls_today"] = today;
  out["daily_cap"] = legal.contact_daily_cap;
  out["calls"] = list;
  return out;
}

http::Response get_contact(Context& ctx, const http::Request& req, const http::Params& p) {
  return envelope(200, contact_detail(ctx, req.workspace, contact_at(ctx, req, p.at("ref"))), ctx.clock.now_ms());
}

http::Response get_by_external_id(Context& ctx, const http::Request& req, const http::Params& p) {
  auto c = ctx.contacts.contact_by_external_id(req.workspace, p.at("external_id"));
  if (!c) throw BadRequest(404, "not_found", "no contact with external_id " + p.at("external_id"));
  return envelope(200, contact_detail(ctx, req.workspace, *c), ctx.clock.now_ms());
}

// PATCH: timezone (null = infer from the number again), active (an inactive contact is never called: its
// calls are skipped when they come due, like Veritus's is-active check), first_name, last_name (null
// clears), variables (replaced whole; calls already made keep theirs), external_id (null clears), consent
// (replaced whole; null removes it).
http::Response patch_contact(Context& ctx, const http::Request& req, const http::Params& p) {
  auto contact = contact_at(ctx, req, p.at("ref"));
  json body = parse_json_body(req);
  if (!body.is_object() || body.empty()) throw BadRequest(400, "invalid_json", "body must be a non-empty JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "timezone" && k != "active" && k != "first_name" && k != "last_name" && k != "variables" &&
        k != "external_id" && k != "consent")
      bad_field(k, "unknown field");
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
  for (const char* name : {"first_name", "last_name"}) {
    auto& field = std::string(name) == "first_name" ? contact.first_name : contact.last_name;
    if (body.contains(name)) field = body[name].is_null() ? "" : *opt_string(body, name, name, 255);
  }
  if (body.contains("variables")) {
    if (!body["variables"].is_object()) bad_field("variables", "must be an object");
    contact.variables = body["variables"];
  }
  // Consent is replaced whole (null removes it): to withdraw it, send it with revoked_at.
  if (body.contains("consent")) {
    if (body["consent"].is_null())
      contact.consent.reset();
    else
      contact.consent = parse_consent(body["consent"], "consent");
  }
  if (body.contains("external_id")) {
    if (body["external_id"].is_null())
      contact.external_id.reset();
    else
      contact.external_id = external_id_of(body["external_id"], "external_id");
  }
  auto now = ctx.clock.now_ms();
  if (!ctx.contacts.update_contact(req.workspace, contact, now))
    throw BadRequest(409, "duplicate_external_id", "external_id: '" + *contact.external_id + "' is another contact's",
                     "external_id");
  spdlog::info("contact {}: updated ({})", contact.id, contact.active ? "active" : "inactive");
  ctx.scheduler.wake();
  return envelope(200, contact_detail(ctx, req.workspace, *ctx.contacts.contact_by_id(req.workspace, contact.id)), now);
}

http::Response delete_contact(Context& ctx, const http::Request& req, const http::Params& p) {
  auto contact = contact_at(ctx, req, p.at("ref"));
  auto now = ctx.clock.now_ms();
  switch (ctx.contacts.delete_contact(req.workspace, contact.id, now)) {
    case store::Contacts::Deleted::not_found:
      throw BadRequest(404, "not_found", "no contact " + p.at("ref"));
    case store::Contacts::Deleted::call_out:
      throw BadRequest(409, "call_in_flight",
                       "contact " + domain::contact_ref(contact.id) +
                           " has a call dispatching, in progress or held; delete it when the call has ended");
    case store::Contacts::Deleted::deleted:
      break;
  }
  spdlog::info("contact {}: deleted", contact.id);
  ctx.scheduler.wake();  // its skipped calls may have ended a campaign
  return envelope(200, {{"id", domain::contact_ref(contact.id)}, {"deleted", true}}, now);
}

// POST /v1/contacts/{ref}/opt-out {reason?}: the person asked not to be called again, reported by the
// client (an SMS "STOP", a letter): the number is suppressed for the workspace and every pending call to
// it skipped at once, as an opt-out during a call does (docs/API.md, "Suppressions").
http::Response opt_out(Context& ctx, const http::Request& req, const http::Params& p) {
  auto contact = contact_at(ctx, req, p.at("ref"));
  std::string reason = "asked not to be called (reported through the API)";
  if (!req.body.empty()) {
    json body = parse_json_body(req);
    if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
    for (const auto& [k, v] : body.items())
      if (k != "reason") bad_field(k, "unknown field");
    reason = opt_string(body, "reason", "reason", 1000).value_or(reason);
    if (reason.empty()) bad_field("reason", "must not be empty");
  }
  auto now = ctx.clock.now_ms();
  auto skipped = ctx.contacts.opt_out(req.workspace, contact.id, reason, now);
  spdlog::warn("contact {}: opted out through the API; {} pending call(s) skipped", contact.id, skipped);
  ctx.scheduler.wake();  // its skipped calls may have ended a campaign
  return envelope(200,
                  {{"id", domain::contact_ref(contact.id)},
                   {"phone_number", contact.phone},
                   {"suppressed", ctx.contacts.contact_suppressed(req.workspace, contact.phone).value_or("")},
                   {"calls_skipped", skipped}},
                  now);
}

// POST /v1/contacts: records upserted, into a list when ?list_id= or the JSON body's list_id names one.
awaitable<http::Response> post_contacts(Context& ctx, const http::Request& req) {
  auto media = media_type(req);
  json body;
  std::optional<ListId> list;
  for (const auto& [k, v] : req.query) {
    if (k != "list_id") bad_field(k, "unknown parameter");
    list = find_list(ctx, req.workspace, json(v), "list_id");
  }
  if (media == "application/json") {
    body = co_await parse_json_body_off_loop(req);
    if (body.is_object()) {
      for (const auto& [k, v] : body.items())
        if (k != "contacts" && k != "list_id") bad_field(k, "unknown field (give contacts and optionally list_id)");
      if (body.contains("list_id") && !body["list_id"].is_null()) {
        if (list) bad_field("list_id", "give it in the body or in the query, not both");
        list = find_list(ctx, req.workspace, body["list_id"], "list_id");
      }
    }
  } else if (media == "text/csv") {
    body = co_await csv_body(req);
  } else {
    throw BadRequest(415, "unsupported_media_type", "Content-Type must be application/json or text/csv");
  }
  co_return co_await import_records(ctx, req, std::move(body), list);
}

}  // namespace

awaitable<json> csv_body(const http::Request& req) {
  // Not `?:`: g++ 12 miscompiles a co_await inside one.
  if (req.body.size() < kParseOnLoopBytes) co_return csv_records(req.body);
  co_return co_await json_off_loop([&req] { return csv_records(req.body); });
}

json record_json(const Contact& c) {
  return {{"id", domain::contact_ref(c.id)},
          {"phone_number", c.phone},
          {"external_id", c.external_id ? json(*c.external_id) : json(nullptr)},
          {"first_name", c.first_name.empty() ? json(nullptr) : json(c.first_name)},
          {"last_name", c.last_name.empty() ? json(nullptr) : json(c.last_name)},
          {"timezone", c.timezone ? json(*c.timezone) : json(nullptr)},
          {"active", c.active},
          {"variables", c.variables},
          {"consent", c.consent ? consent_json(*c.consent) : json(nullptr)},
          {"created_at", util::format_rfc3339(c.created_at)},
          {"updated_at", util::format_rfc3339(c.updated_at)}};
}

http::Response contact_page(Context& ctx, const http::Request& req, std::optional<ListId> list) {
  store::Contacts::ContactFilter filter;
  filter.list = list;
  // GET /v1/contacts takes the list as ?list_id=; GET /v1/lists/{id}/members has it in the path.
  const bool list_in_path = list.has_value();
  for (const auto& [k, v] : req.query) {
    if (k == "list_id" && !list_in_path)
      filter.list = find_list(ctx, req.workspace, json(v), "list_id");
    else if (k != "after" && k != "limit" && k != "active" && (k != "external_id" || list_in_path))
      bad_field(k, "unknown parameter");
  }
  // ?external_id= alone: the record with it, if any (an id a path cannot carry, such as one with a '/').
  if (auto it = req.query.find("external_id"); it != req.query.end()) {
    if (req.query.size() > 1) bad_field("external_id", "cannot be combined with other parameters");
    json items = json::array();
    if (auto c = ctx.contacts.contact_by_external_id(req.workspace, it->second)) items.push_back(record_json(*c));
    return envelope(200, {{"items", std::move(items)}, {"next_after", nullptr}}, ctx.clock.now_ms());
  }
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    if (!is_digits(it->second) || std::stoll(it->second) < 1 || std::stoll(it->second) > 1000)
      bad_field("limit", "must be an integer 1..1000");
    filter.limit = static_cast<int>(std::stoll(it->second));
  }
  if (auto it = req.query.find("after"); it != req.query.end()) {
    auto after = domain::parse_contact_ref(it->second);
    if (!after) bad_field("after", "must be a contact id (the next_after of the page before)");
    filter.after = *after;
  }
  if (auto it = req.query.find("active"); it != req.query.end()) {
    if (it->second != "true" && it->second != "false") bad_field("active", "must be true or false");
    filter.active = it->second == "true";
  }
  const int limit = filter.limit;
  filter.limit = limit + 1;
  auto found = ctx.contacts.contacts(req.workspace, filter);
  bool more = static_cast<int>(found.size()) > limit;
  if (more) found.pop_back();
  json items = json::array();
  for (const auto& c : found) items.push_back(record_json(c));
  json data = {{"items", std::move(items)},
               {"next_after", more ? json(domain::contact_ref(found.back().id)) : json(nullptr)}};
  return envelope(200, std::move(data), ctx.clock.now_ms());
}

awaitable<http::Response> import_records(Context& ctx, const http::Request& req, json body,
                                         std::optional<ListId> list) {
  json* records = &body;
  if (body.is_object()) {
    if (!body.contains("contacts")) bad_field("contacts", "is required (an array of records)");
    records = &body["contacts"];
  }
  if (!records->is_array()) bad_field("contacts", "must be an array of records");
  if (records->empty()) bad_field("contacts", "must not be empty");

  const std::string region = ctx.config().default_region;
  const auto budget = std::chrono::milliseconds(ctx.config().db_busy_timeout_ms);
  const auto now = ctx.clock.now_ms();
  json errors = json::array(), failed_chunks = json::array(), results = json::array();
  std::int64_t created = 0, updated = 0;
  store::Contacts::FollowerCalls calls;
  for (std::size_t start = 0, chunk_no = 1; start < records->size(); start += kImportChunk, ++chunk_no) {
    if (start > 0) co_await yield_to_loop();
    std::vector<domain::ContactRecordInput> valid;
    std::vector<std::size_t> index;
    for (std::size_t i = start; i < std::min(records->size(), start + kImportChunk); ++i) {
      try {
        valid.push_back(parse_record((*records)[i], "contacts[" + std::to_string(i) + "]", region));
        index.push_back(i);
      } catch (const BadRequest& e) {
        errors.push_back({{"index", i}, {"code", e.code}, {"field", e.field}, {"message", e.message}});
      }
    }
    if (valid.empty()) continue;
    try {
      auto done = co_await store::when_unlocked(
          [&] { return ctx.contacts.upsert_contacts(req.workspace, valid, list, now); }, budget);
      calls.made += done.calls.made;
      calls.lacking += done.calls.lacking;
      for (std::size_t k = 0; k < done.records.size(); ++k) {
        const auto& r = done.records[k];
        std::string at = "contacts[" + std::to_string(index[k]) + "]";
        if (r.result == store::Contacts::Upserted::Result::conflict) {
          errors.push_back({{"index", index[k]},
                            {"code", "duplicate_external_id"},
                            {"field", at + "." + r.field},
                            {"message", at + "." + r.field + ": " + r.message}});
          continue;
        }
        bool fresh = r.result == store::Contacts::Upserted::Result::created;
        (fresh ? created : updated) += 1;
        results.push_back({{"index", index[k]},
                           {"id", domain::contact_ref(r.id)},
                           {"phone_number", valid[k].phone},
                           {"result", fresh ? "created" : "updated"}});
      }
    } catch (const store::StorageError& e) {
      if (created + updated == 0 && start + kImportChunk >= records->size()) throw;
      spdlog::error("contacts: import chunk {} failed: {}", chunk_no, e.what());
      failed_chunks.push_back({{"chunk", chunk_no}, {"error", "could not store this chunk; nothing of it was kept"}});
    }
  }
  if (calls.made > 0) ctx.scheduler.wake();
  json data = {{"created", created}, {"updated", updated}, {"contacts", std::move(results)}};
  if (list) {
    data["list_id"] = domain::list_ref(*list);
    data["calls_added"] = calls.made;  // to the campaigns following the list
    data["calls_not_added"] = calls.lacking;
  }
  if (errors.empty() && failed_chunks.empty()) co_return envelope(200, std::move(data), now);
  data["errors"] = errors;
  data["failed_chunks"] = failed_chunks;
  if (created + updated > 0 || !failed_chunks.empty()) co_return envelope(207, std::move(data), now);
  // Nothing went in: the usual error shape, naming the first bad field, with every record's error.
  // (As POST /v1/campaigns/{id}/contacts answers.)
  http::Response r = http::error_response(400, "invalid_records",
                                          std::to_string(errors.size()) + " record(s) invalid, none stored; first: " +
                                              errors[0]["message"].get<std::string>(),
                                          errors[0]["field"].get<std::string>());
  auto j = json::parse(r.body);
  j["errors"] = errors;
  r.body = j.dump();
  co_return r;
}

void register_contact_routes(http::Router& router, Context& ctx) {
  router.add_async("POST", "/v1/contacts",
                   [&ctx](const http::Request& r, const http::Params&) { return post_contacts(ctx, r); });
  router.add("GET", "/v1/contacts", guarded([&ctx](const http::Request& r, const http::Params&) {
               return contact_page(ctx, r, std::nullopt);
             }));
  router.add("GET", "/v1/contacts/by-external-id/{external_id}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return get_by_external_id(ctx, r, p); }));
  router.add("GET", "/v1/contacts/{ref}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return get_contact(ctx, r, p); }));
  router.add("PATCH", "/v1/contacts/{ref}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return patch_contact(ctx, r, p); }));
  router.add("POST", "/v1/contacts/{ref}/opt-out",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return opt_out(ctx, r, p); }));
  router.add("DELETE", "/v1/contacts/{ref}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return delete_contact(ctx, r, p); }));
}

}  // namespace dialerd::api
