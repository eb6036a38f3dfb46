// Named do-not-call lists (docs/COMPLIANCE.md, "Do-not-call lists"): GET/POST /v1/dnc-lists, GET/PATCH/
// DELETE /v1/dnc-lists/{name}, the bulk import and the export of its numbers, and one number's lookup and
// removal. A list belongs to the caller's workspace, or is global (?scope=global): every workspace reads a
// global list, only admin keys change one. "internal" names the suppressions (/v1/suppressions), which
// every campaign honours; it cannot be created, imported into or deleted here.
#include <algorithm>
#include <set>

#include <spdlog/spdlog.h>

#include "common.hpp"
#include "dialerd/domain/dnc.hpp"
#include "dialerd/store/lock_wait.hpp"
#include "dnc_import.hpp"

namespace dialerd::api {

namespace {

using domain::DncList;
using domain::UnixMs;

// An import reads the body this many lines at a time off the loop, then adds the numbers in key order this
// many per transaction, the loop serving others between transactions (10000 in key order: about 30 ms of
// the loop each, commit included; docs/PERFORMANCE.md, "Loop stalls").
constexpr std::size_t kReadLines = 200000;
constexpr std::size_t kAddSlice = 10000;
constexpr std::size_t kMaxReportedErrors = 1000;
constexpr int kPurgeSlice = 20000;
constexpr int kExportSlice = 50000;

// Lists with an import under way (one at a time per list), and whether a purge of retired sets runs. The
// daemon has one loop and one of each.
std::set<std::int64_t> importing;
bool purging = false;

json list_json(const DncList& l, UnixMs now) {
  auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  json j = {{"name", l.name},
            {"scope", l.global() ? "global" : "workspace"},
            {"description", l.description},
            {"source", l.source},
            {"max_age_days", opt(l.max_age_days)},
            {"as_of", l.as_of ? json(util::format_rfc3339(*l.as_of)) : json(nullptr)},
            {"stale", l.stale(now)},
            {"stale_at", l.stale_at() ? json(util::format_rfc3339(*l.stale_at())) : json(nullptr)},
            {"numbers", l.numbers},
            {"created_by", opt(l.created_by)},
            {"created_at", util::format_rfc3339(l.created_at)},
            {"updated_at", util::format_rfc3339(l.updated_at)}};
  return j;
}

json internal_json() {
  return {{"name", domain::kInternalList},
          {"scope", "workspace"},
          {"description", "The workspace's suppressions and the global ones: honoured by every campaign"},
          {"entries", "/v1/suppressions"}};
}

// Whose list a request names: the caller's workspace's; with ?scope=global the global one (read by every
// key, changed by admin keys only), and with ?workspace=NAME another workspace's (admin keys only).
std::string owner_of(const http::Request& req, bool writes) {
  return scope_owner(req, !writes, "changing a global do-not-call list", "another workspace's do-not-call lists");
}

void check_name(const std::string& name, const std::string& field) {
  if (name.empty() || name.size() > 64) bad_field(field, "must be 1 to 64 characters");
  if (!std::isalnum(static_cast<unsigned char>(name[0])))
    bad_field(field, "must start with a letter or digit");  // "." and ".." could never be named in a path
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      bad_field(field, "may hold only letters, digits, '-', '_' and '.'");
}

// The list a request names; 404 when the owner has none of that name ("internal" is not one of these).
DncList named_list(Context& ctx, const http::Request& req, const std::string& name, bool writes) {
  if (name == domain::kInternalList)
    throw BadRequest(409, "internal_list",
                     "\"internal\" is the suppressions list: use /v1/suppressions to read and change it");
  auto owner = owner_of(req, writes);
  auto list = ctx.dnc.dnc_list(owner, name);
  if (!list) throw BadRequest(404, "not_found", "no do-not-call list named \"" + name + "\"");
  return *list;
}

std::optional<int> max_age_of(const json& body) {
  if (!body.contains("max_age_days") || body["max_age_days"].is_null()) return std::nullopt;
  return static_cast<int>(*opt_int(body, "max_age_days", "max_age_days", 1, 3650));
}

// ?as_of=: an RFC 3339 time or a date (its midnight UTC).
std::optional<UnixMs> as_of_param(const http::Request& req) {
  auto it = req.query.find("as_of");
  if (it == req.query.end()) return std::nullopt;
  std::string text = it->second;
  if (text.size() == 10) text += "T00:00:00Z";
  auto t = util::parse_rfc3339(text);
  if (!t) bad_field("as_of", "must be a date (2026-12-01) or an RFC 3339 time, got '" + it->second + "'");
  return t;
}

// Deletes the numbers of retired sets a slice at a time, the loop serving others between slices.
awaitable<void> purge(Context& ctx) {
  try {
    while (co_await store::when_unlocked([&] { return ctx.dnc.purge_dnc_sets(kPurgeSlice); }, std::nullopt))
      co_await yield_to_loop();
  } catch (const std::exception& e) {
    spdlog::error("dnc lists: deleting retired numbers failed (tried again at the next import or start): {}", e.what());
  }
  purging = false;
}

void purge_in_background(Context& ctx, const asio::any_io_executor& executor) {
  if (purging) return;
  purging = true;
  asio::co_spawn(executor, purge(ctx), asio::detached);
}

http::Response list_lists(Context& ctx, const http::Request& req) {
  const UnixMs now = ctx.clock.now_ms();
  json items = json::array({internal_json()});
  for (const auto& l : ctx.dnc.dnc_lists(owner_of(req, false))) items.push_back(list_json(l, now));
  return envelope(200, {{"items", items}}, now);
}

http::Response create_list(Context& ctx, const http::Request& req) {
  json body = parse_json_body(req);
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "name" && k != "scope" && k != "description" && k != "source" && k != "max_age_days")
      bad_field(k, "unknown field");
  DncList in;
  in.name = req_string(body, "name", "name", 64);
  check_name(in.name, "name");
  if (in.name == domain::kInternalList) bad_field("name", "\"internal\" is the suppressions list, always there");
  auto scope = opt_string(body, "scope", "scope", 16).value_or("workspace");
  if (scope != "workspace" && scope != "global") bad_field("scope", "must be \"workspace\" or \"global\"");
  if (scope == "global" && !req.admin) forbidden("a global do-not-call list");
  if (scope == "global" && req.query.count("workspace")) bad_field("workspace", "cannot be given with scope global");
  in.workspace = scope == "global" ? std::string(domain::kGlobalList) : owner_of(req, true);
  in.description = opt_string(body, "description", "description", 1000).value_or("");
  in.source = opt_string(body, "source", "source", 1000).value_or("");
  in.max_age_days = max_age_of(body);
  in.created_by = key_name(req);
  in.created_at = ctx.clock.now_ms();
  auto made = ctx.dnc.create_dnc_list(in);
  if (!made) throw BadRequest(409, "conflict", "a do-not-call list named \"" + in.name + "\" exists already", "name");
  ctx.scheduler.wake();  // a campaign stopped for want of a list of this name may go on
  spdlog::info("dnc list {} created in {} by {}", made->name,
               made->global() ? "the global scope" : "workspace " + made->workspace,
               made->created_by.value_or("(no key)"));
  return envelope(201, list_json(*made, in.created_at), in.created_at);
}

http::Response get_list(Context& ctx, const http::Request& req, const http::Params& p) {
  if (p.at("name") == domain::kInternalList) return envelope(200, internal_json(), ctx.clock.now_ms());
  return envelope(200, list_json(named_list(ctx, req, p.at("name"), false), ctx.clock.now_ms()), ctx.clock.now_ms());
}

http::Response patch_list(Context& ctx, const http::Request& req, const http::Params& p) {
  auto list = named_list(ctx, req, p.at("name"), true);
  json body = parse_json_body(req);
  if (!body.is_object() || body.empty()) throw BadRequest(400, "invalid_json", "body must be a non-empty JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "description" && k != "source" && k != "max_age_days")
      bad_field(k, k == "name" || k == "scope" ? "cannot be changed" : "unknown field");
  if (auto d = opt_string(body, "description", "description", 1000)) list.description = *d;
  if (auto s = opt_string(body, "source", "source", 1000)) list.source = *s;
  if (body.contains("max_age_days")) list.max_age_days = max_age_of(body);
  const UnixMs now = ctx.clock.now_ms();
  ctx.dnc.update_dnc_list(list, now);
  ctx.scheduler.wake();  // a max age removed or raised may let a stopped campaign go on
  return envelope(200, list_json(*ctx.dnc.dnc_list(list.workspace, list.name), now), now);
}

awaitable<http::Response> delete_list(Context& ctx, const http::Request& req, const http::Params& p) {
  auto list = named_list(ctx, req, p.at("name"), true);
  if (importing.count(list.id))
    throw BadRequest(409, "import_in_progress", "an import into \"" + list.name + "\" is under way");
  // A campaign honouring it would stop for good: say which, and let the operator change them first.
  auto using_it = ctx.dnc.campaigns_honouring(list.workspace, list.name);
  if (list.global()) {
    // A workspace's own list of the name keeps those campaigns honouring something: only the others count.
    std::erase_if(using_it, [&](domain::CampaignId id) {
      auto c = ctx.campaigns.campaign(id);
      return c && ctx.dnc.dnc_list(c->spec.workspace, list.name).has_value();
    });
  } else if (ctx.dnc.dnc_list(domain::kGlobalList, list.name)) {
    using_it.clear();  // they keep honouring the global list of the name
  }
  if (!using_it.empty()) {
    std::string ids;
    for (auto id : using_it) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
    BadRequest e(409, "list_in_use",
                 "campaigns not ended honour \"" + list.name + "\" (" + ids +
                     "): remove it from their dnc_lists (PATCH) or cancel them first");
    e.extra["campaign_ids"] = using_it;
    throw e;
  }
  ctx.dnc.delete_dnc_list(list);
  spdlog::warn("dnc list {} ({} numbers) deleted from {} by {}", list.name, list.numbers,
               list.global() ? "the global scope" : "workspace " + list.workspace, key_name(req).value_or("(no key)"));
  const auto executor = co_await asio::this_coro::executor;
  purge_in_background(ctx, executor);
  http::Response r;
  r.status = 204;
  co_return r;
}

// POST /v1/dnc-lists/{name}/numbers: a bulk import. ?mode=append (default) adds to the list; ?mode=replace
// makes the list exactly the file's numbers, switching at once when the file is read (a claim sees the old
// copy until then). ?as_of= dates the copy (a replace without it is dated now); ?format=csv|text (default
// from Content-Type) and ?column= for CSV.
awaitable<http::Response> import_numbers(Context& ctx, const http::Request& req, const http::Params& p) {
  auto list = named_list(ctx, req, p.at("name"), true);
  std::string mode = "append";
  if (auto it = req.query.find("mode"); it != req.query.end()) mode = it->second;
  if (mode != "append" && mode != "replace") bad_field("mode", "must be \"append\" or \"replace\"");
  const bool replace = mode == "replace";
  auto as_of = as_of_param(req);
  auto format = media_type(req) == "text/csv" ? DncImportReader::Format::csv : DncImportReader::Format::text;
  if (auto it = req.query.find("format"); it != req.query.end()) {
    if (it->second != "csv" && it->second != "text") bad_field("format", "must be \"csv\" or \"text\"");
    format = it->second == "csv" ? DncImportReader::Format::csv : DncImportReader::Format::text;
  }
  std::string column;
  if (auto it = req.query.find("column"); it != req.query.end()) column = it->second;
  if (!column.empty() && format != DncImportReader::Format::csv) bad_field("column", "is for CSV bodies only");
  if (req.body.empty()) throw BadRequest(400, "empty_body", "the body holds no numbers");
  if (!importing.insert(list.id).second)
    throw BadRequest(409, "import_in_progress", "an import into \"" + list.name + "\" is under way");
  struct Done {
    std::int64_t id;
    ~Done() { importing.erase(id); }
  } done{list.id};

  const UnixMs started = ctx.clock.now_ms();
  const std::int64_t set =
      replace ? co_await store::when_unlocked([&] { return ctx.dnc.begin_dnc_set(list.id, started); }, std::nullopt)
              : list.set_id;
  DncImportReader reader(req.body, format, column);
  std::vector<std::int64_t> keys;
  std::vector<DncLineError> errors;
  std::int64_t valid = 0, added = 0;
  std::string fatal;
  try {
    // The whole file's numbers first (8 bytes each, less than the body's text), then in key order: the
    // B-tree is filled page after page (a new set only ever appended to) instead of a random page per number.
    for (bool more = true; more;)
      co_await off_loop([&] { more = reader.next(kReadLines, keys, errors, kMaxReportedErrors); });
    valid = static_cast<std::int64_t>(keys.size());
    fatal = reader.fatal();
    if (!(replace && !fatal.empty()))
      co_await off_loop([&] {
        std::sort(keys.begin(), keys.end());
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      });
    else
      keys.clear();
    for (std::size_t at = 0; at < keys.size(); at += kAddSlice) {
      std::vector<std::int64_t> slice(
          keys.begin() + static_cast<std::ptrdiff_t>(at),
          keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), at + kAddSlice)));
      added += co_await store::when_unlocked([&] { return ctx.dnc.add_dnc_numbers(set, slice); }, std::nullopt);
      co_await yield_to_loop();
    }
    if (replace && fatal.empty() && valid == 0)
      fatal = "the file holds no valid number; a replace would empty the list (it keeps its " +
              std::to_string(list.numbers) + " numbers)";
  } catch (...) {
    if (replace) ctx.dnc.abandon_dnc_set(set);
    throw;
  }
  const UnixMs now = ctx.clock.now_ms();
  const auto executor = co_await asio::this_coro::executor;
  if (replace && !fatal.empty()) {
    ctx.dnc.abandon_dnc_set(set);
    purge_in_background(ctx, executor);
    BadRequest e(400, "invalid_body", fatal + "; nothing was imported");
    e.extra["lines_read"] = reader.lines();
    throw e;
  }
  if (replace) {
    co_await store::when_unlocked([&] { ctx.dnc.commit_dnc_set(list.id, set, added, as_of.value_or(now), now); },
                                  std::nullopt);
    purge_in_background(ctx, executor);
  } else {
    // An append stopped short is not a copy of the source as of any date: it keeps its as_of.
    const auto dated = fatal.empty() ? as_of : std::nullopt;
    co_await store::when_unlocked([&] { ctx.dnc.finish_dnc_append(list.id, dated, now); }, std::nullopt);
  }
  ctx.scheduler.wake();  // a refreshed list lets a stopped campaign go on
  spdlog::info("dnc list {}{}: {} import of {} lines by {}: {} numbers, {} new, {} invalid lines{}", list.name,
               list.global() ? " (global)" : "", mode, reader.lines(), key_name(req).value_or("(no key)"), valid, added,
               reader.invalid(), fatal.empty() ? "" : "; stopped: " + fatal);
  if (!fatal.empty()) {
    BadRequest e(400, "invalid_body",
                 fatal + "; the " + std::to_string(added) + " new numbers read before it were added");
    e.extra["lines_read"] = reader.lines();
    throw e;
  }
  json errs = json::array();
  for (const auto& e : errors) errs.push_back({{"line", e.line}, {"text", e.text}, {"error", e.error}});
  json data = {{"list", list_json(*ctx.dnc.dnc_list(list.workspace, list.name), now)},
               {"import",
                {{"mode", mode},
                 {"gzip", reader.gzip()},
                 {"lines", reader.lines()},
                 {"numbers", valid},
                 {"added", added},
                 {"duplicates", valid - added},
                 {"invalid", reader.invalid()},
                 {"errors", errs},
                 {"errors_truncated", reader.invalid() > static_cast<std::int64_t>(errs.size())}}}};
  co_return envelope(200, data, now);
}

// GET /v1/dnc-lists/{name}/numbers: the list's numbers in order, one E.164 number per line (text/plain),
// ?limit= of them (default 100000, at most 1000000) after ?after=; the header Dialerd-Next-After gives the
// next page's cursor while there is one.
awaitable<http::Response> export_numbers(Context& ctx, const http::Request& req, const http::Params& p) {
  auto list = named_list(ctx, req, p.at("name"), false);
  std::int64_t limit = 100000;
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    if (!is_digits(it->second) || std::stoll(it->second) < 1 || std::stoll(it->second) > 1000000)
      bad_field("limit", "must be an integer 1..1000000");
    limit = std::stoll(it->second);
  }
  std::int64_t after = 0;
  if (auto it = req.query.find("after"); it != req.query.end()) {
    std::string cursor = it->second;
    if (!cursor.empty() && cursor[0] == ' ') cursor[0] = '+';  // an unencoded "+" reads as a space
    if (is_digits(cursor)) cursor.insert(0, "+");              // the cursor's digits alone will do
    after = domain::dnc_key(cursor);
    if (after == 0) bad_field("after", "must be an E.164 number (the Dialerd-Next-After of the page before)");
  }
  http::Response r;
  r.status = 200;
  r.content_type = "text/plain; charset=utf-8";
  std::int64_t left = limit, last = after;
  bool more = false;
  while (left > 0) {
    const int want = static_cast<int>(std::min<std::int64_t>(left, kExportSlice));
    auto page = co_await store::when_unlocked([&] { return ctx.dnc.dnc_numbers(list, last, want + 1); }, std::nullopt);
    more = static_cast<int>(page.size()) > want;
    if (more) page.pop_back();
    for (auto key : page) {
      r.body += domain::dnc_phone(key);
      r.body += '\n';
    }
    if (page.empty()) break;
    last = page.back();
    left -= static_cast<std::int64_t>(page.size());
    if (!more) break;
    co_await yield_to_loop();
  }
  if (more) r.headers.emplace_back("Dialerd-Next-After", domain::dnc_phone(last));
  co_return r;
}

std::int64_t number_of(const std::string& raw) {
  std::string text = raw;
  if (!text.empty() && text[0] == ' ') text[0] = '+';
  std::string error;
  auto key = domain::parse_dnc_number(text, error);
  if (key == 0) throw BadRequest(404, "not_found", "not a number a list holds: " + error);
  return key;
}

http::Response get_number(Context& ctx, const http::Request& req, const http::Params& p) {
  auto list = named_list(ctx, req, p.at("name"), false);
  auto key = number_of(p.at("phone"));
  if (!ctx.dnc.dnc_holds(list, key))
    throw BadRequest(404, "not_found", domain::dnc_phone(key) + " is not on \"" + list.name + "\"");
  return envelope(200, {{"phone_number", domain::dnc_phone(key)}, {"list", list.name}, {"listed", true}},
                  ctx.clock.now_ms());
}

http::Response remove_number(Context& ctx, const http::Request& req, const http::Params& p) {
  auto list = named_list(ctx, req, p.at("name"), true);
  auto key = number_of(p.at("phone"));
  if (!ctx.dnc.remove_dnc_number(list, key, ctx.clock.now_ms()))
    throw BadRequest(404, "not_found", domain::dnc_phone(key) + " is not on \"" + list.name + "\"");
  spdlog::warn("dnc list {}: {} removed by {}: campaigns honouring the list may call it", list.name,
               domain::dnc_phone(key), key_name(req).value_or("(no key)"));
  http::Response r;
  r.status = 204;
  return r;
}

}  // namespace

void start_dnc_maintenance(Context& ctx, asio::io_context& ioc) {
  ctx.dnc.retire_loading_dnc_sets();
  purge_in_background(ctx, ioc.get_executor());
}

void register_dnc_list_routes(http::Router& router, Context& ctx) {
  router.add("GET", "/v1/dnc-lists",
             guarded([&ctx](const http::Request& r, const http::Params&) { return list_lists(ctx, r); }));
  router.add("POST", "/v1/dnc-lists",
             guarded([&ctx](const http::Request& r, const http::Params&) { return create_list(ctx, r); }));
  router.add("GET", "/v1/dnc-lists/{name}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return get_list(ctx, r, p); }));
  router.add("PATCH", "/v1/dnc-lists/{name}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return patch_list(ctx, r, p); }));
  router.add_async("DELETE", "/v1/dnc-lists/{name}",
                   [&ctx](const http::Request& r, const http::Params& p) { return delete_list(ctx, r, p); });
  router.add_async(
      "POST", "/v1/dnc-lists/{name}/numbers",
      [&ctx](const http::Request& r, const http::Params& p) { return import_numbers(ctx, r, p); },
      http::Access::api_key, http::Body::bulk);
  router.add_async("GET", "/v1/dnc-lists/{name}/numbers",
                   [&ctx](const http::Request& r, const http::Params& p) { return export_numbers(ctx, r, p); });
  router.add("GET", "/v1/dnc-lists/{name}/numbers/{phone}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return get_number(ctx, r, p); }));
  router.add("DELETE", "/v1/dnc-lists/{name}/numbers/{phone}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return remove_number(ctx, r, p); }));
}

}  // namespace dialerd::api
