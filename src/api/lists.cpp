// Lists (folders) of a workspace's contacts: POST, GET /v1/lists; GET, PATCH, DELETE /v1/lists/{id}; its
// members: GET and POST /v1/lists/{id}/members (by contact id, customer id, or records upserted as
// contacts) and POST /v1/lists/{id}/members/remove. A campaign made from a list with follow_lists gets a
// call for each member added later (docs/API.md, "Contacts and lists").
#include <spdlog/spdlog.h>

#include "common.hpp"
#include "contact_book.hpp"
#include "contact_input.hpp"
#include "dialerd/store/lock_wait.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::api {

using domain::ContactList;
using domain::ListId;

namespace {

constexpr std::size_t kMaxIds = 1000;  // contact or customer ids per members request

json list_json(const ContactList& l) {
  return {{"id", domain::list_ref(l.id)},
          {"name", l.name},
          {"description", l.description},
          {"members", l.members},
          {"active_members", l.active_members},
          {"created_at", util::format_rfc3339(l.created_at)},
          {"updated_at", util::format_rfc3339(l.updated_at)}};
}

// The caller's workspace's list named by the path; else 404, alike for unknown and another workspace's.
ContactList list_at(Context& ctx, const http::Request& req, const std::string& ref) {
  auto id = domain::parse_list_ref(ref);
  auto l = id ? ctx.contacts.list(req.workspace, *id) : std::nullopt;
  if (!l) throw BadRequest(404, "not_found", "no list " + ref);
  return *l;
}
// The same, its id only: no member counts (a pass over a long list's members) for the member routes.
ListId list_id_at(Context& ctx, const http::Request& req, const std::string& ref) {
  auto id = domain::parse_list_ref(ref);
  if (!id || !ctx.contacts.has_list(req.workspace, *id)) throw BadRequest(404, "not_found", "no list " + ref);
  return *id;
}

void read_list_fields(const json& body, ContactList& l, bool create) {
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "name" && k != "description") bad_field(k, "unknown field");
  if (create || body.contains("name")) l.name = req_string(body, "name", "name", 255);
  if (l.name.empty()) bad_field("name", "must not be empty");
  if (body.contains("description"))
    l.description = body["description"].is_null() ? "" : *opt_string(body, "description", "description", 2000);
}

[[noreturn]] void name_taken(const std::string& name) {
  throw BadRequest(409, "duplicate_name", "name: a list named '" + name + "' exists already", "name");
}

http::Response create_list(Context& ctx, const http::Request& req) {
  ContactList l;
  read_list_fields(parse_json_body(req), l, true);
  auto now = ctx.clock.now_ms();
  auto made = ctx.contacts.create_list(req.workspace, l.name, l.description, now);
  if (!made) name_taken(l.name);
  spdlog::info("list {}: created '{}'", made->id, made->name);
  return envelope(201, list_json(*made), now);
}

http::Response get_lists(Context& ctx, const http::Request& req) {
  int limit = 100;
  ListId after = 0;
  for (const auto& [k, v] : req.query) {
    if (k == "limit") {
      if (!is_digits(v) || std::stoll(v) < 1 || std::stoll(v) > 500) bad_field("limit", "must be an integer 1..500");
      limit = static_cast<int>(std::stoll(v));
    } else if (k == "after") {
      auto id = domain::parse_list_ref(v);
      if (!id) bad_field("after", "must be a list id (the next_after of the page before)");
      after = *id;
    } else {
      bad_field(k, "unknown parameter");
    }
  }
  auto found = ctx.contacts.lists(req.workspace, after, limit + 1);
  bool more = static_cast<int>(found.size()) > limit;
  if (more) found.pop_back();
  json items = json::array();
  for (const auto& l : found) items.push_back(list_json(l));
  return envelope(
      200,
      {{"items", std::move(items)}, {"next_after", more ? json(domain::list_ref(found.back().id)) : json(nullptr)}},
      ctx.clock.now_ms());
}

http::Response patch_list(Context& ctx, const http::Request& req, const http::Params& p) {
  auto l = list_at(ctx, req, p.at("id"));
  json body = parse_json_body(req);
  if (body.is_object() && body.empty()) throw BadRequest(400, "invalid_json", "body must be a non-empty JSON object");
  read_list_fields(body, l, false);
  auto now = ctx.clock.now_ms();
  switch (ctx.contacts.update_list(req.workspace, l, now)) {
    case store::Contacts::ListChange::name_taken:
      name_taken(l.name);
    case store::Contacts::ListChange::done:
      break;
    default:
      throw BadRequest(404, "not_found", "no list " + p.at("id"));
  }
  return envelope(200, list_json(*ctx.contacts.list(req.workspace, l.id)), now);
}

http::Response delete_list(Context& ctx, const http::Request& req, const http::Params& p) {
  const ListId list = list_id_at(ctx, req, p.at("id"));
  switch (ctx.contacts.delete_list(req.workspace, list)) {
    case store::Contacts::ListChange::followed:
      throw BadRequest(409, "list_in_use",
                       "list " + p.at("id") +
                           " is followed by a campaign that has not ended (follow_lists); cancel or finish it first");
    case store::Contacts::ListChange::done:
      break;
    default:
      throw BadRequest(404, "not_found", "no list " + p.at("id"));
  }
  spdlog::info("list {}: deleted", list);
  return envelope(200, {{"id", domain::list_ref(list)}, {"deleted", true}}, ctx.clock.now_ms());
}

// The records a members request names by contact_ids and customer_ids, each checked as the workspace's.
std::vector<domain::ContactId> named_members(Context& ctx, const http::Request& req, const json& body) {
  std::vector<domain::ContactId> ids;
  auto by_id = id_array(body, "contact_ids", kMaxIds);
  auto by_customer = id_array(body, "customer_ids", kMaxIds);
  for (std::size_t i = 0; i < by_id.size(); ++i)
    ids.push_back(find_contact(ctx, req.workspace, by_id[i], "contact_ids[" + std::to_string(i) + "]").id);
  for (std::size_t i = 0; i < by_customer.size(); ++i)
    ids.push_back(find_customer(ctx, req.workspace, by_customer[i], "customer_ids[" + std::to_string(i) + "]").id);
  return ids;
}

// POST /v1/lists/{id}/members: {contact_ids, customer_ids} adds existing records (all or none: an unknown id
// is a 400 naming it); {contacts: [...]} or a CSV body upserts records as POST /v1/contacts does and adds them.
awaitable<http::Response> add_members(Context& ctx, const http::Request& req, const http::Params& p) {
  const ListId list = list_id_at(ctx, req, p.at("id"));
  auto media = media_type(req);
  if (media == "text/csv") {
    json rows = co_await csv_body(req);
    co_return co_await import_records(ctx, req, std::move(rows), list);
  }
  json body = co_await parse_json_body_off_loop(req);
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "contact_ids" && k != "customer_ids" && k != "contacts")
      bad_field(k, "unknown field (give contact_ids, customer_ids or contacts)");
  if (body.contains("contacts")) {
    if (body.contains("contact_ids") || body.contains("customer_ids"))
      bad_field("contacts", "give records (contacts) or ids (contact_ids, customer_ids), not both");
    co_return co_await import_records(ctx, req, std::move(body), list);
  }
  auto ids = named_members(ctx, req, body);
  if (ids.empty()) bad_field("contact_ids", "give at least one contact id or customer id");
  auto now = ctx.clock.now_ms();
  const auto budget = std::chrono::milliseconds(ctx.config().db_busy_timeout_ms);
  auto added =
      co_await store::when_unlocked([&] { return ctx.contacts.add_members(req.workspace, list, ids, now); }, budget);
  if (added.calls.made > 0) ctx.scheduler.wake();
  co_return envelope(200,
                     {{"added", added.added},
                      {"already_members", added.already},
                      {"calls_added", added.calls.made},
                      {"calls_not_added", added.calls.lacking}},
                     now);
}

http::Response remove_members(Context& ctx, const http::Request& req, const http::Params& p) {
  const ListId list = list_id_at(ctx, req, p.at("id"));
  json body = parse_json_body(req);
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "contact_ids" && k != "customer_ids") bad_field(k, "unknown field (give contact_ids or customer_ids)");
  auto ids = named_members(ctx, req, body);
  if (ids.empty()) bad_field("contact_ids", "give at least one contact id or customer id");
  auto removed = ctx.contacts.remove_members(req.workspace, list, ids);
  return envelope(200, {{"removed", removed}}, ctx.clock.now_ms());
}

}  // namespace

void register_list_routes(http::Router& router, Context& ctx) {
  router.add("POST", "/v1/lists",
             guarded([&ctx](const http::Request& r, const http::Params&) { return create_list(ctx, r); }));
  router.add("GET", "/v1/lists",
             guarded([&ctx](const http::Request& r, const http::Params&) { return get_lists(ctx, r); }));
  router.add("GET", "/v1/lists/{id}", guarded([&ctx](const http::Request& r, const http::Params& p) {
               return envelope(200, list_json(list_at(ctx, r, p.at("id"))), ctx.clock.now_ms());
             }));
  router.add("PATCH", "/v1/lists/{id}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return patch_list(ctx, r, p); }));
  router.add("DELETE", "/v1/lists/{id}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return delete_list(ctx, r, p); }));
  router.add("GET", "/v1/lists/{id}/members", guarded([&ctx](const http::Request& r, const http::Params& p) {
               return contact_page(ctx, r, list_id_at(ctx, r, p.at("id")));
             }));
  router.add_async("POST", "/v1/lists/{id}/members",
                   [&ctx](const http::Request& r, const http::Params& p) { return add_members(ctx, r, p); });
  router.add("POST", "/v1/lists/{id}/members/remove",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return remove_members(ctx, r, p); }));
}

}  // namespace dialerd::api
