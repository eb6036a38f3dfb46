#pragma once
// Shared by the v1 handlers: the response envelope, typed request errors, JSON field readers.
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "dialerd/api/v1.hpp"
#include "dialerd/http/message.hpp"
#include "dialerd/schedule/compliance.hpp"
#include "dialerd/util/log_safe.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::api {

using json = nlohmann::json;

// A request problem the client can fix: becomes {"error":{code, message, field}} with `status`.
// `message` is kept whole: what() stops at the first NUL a client-chosen value may hold.
struct BadRequest : std::runtime_error {
  BadRequest(int status, std::string code, const std::string& message, std::string field = {})
      : std::runtime_error(message), status(status), code(std::move(code)), message(message), field(std::move(field)) {}
  int status;
  std::string code;
  std::string message;
  std::string field;
  json extra = json::object();  // more members of the error object (e.g. the failed compliance checks)
};

// The message names the field with control characters escaped (a key may hold a NUL or a line break);
// `field` itself is the key as sent.
[[noreturn]] inline void bad_field(const std::string& field, const std::string& message) {
  throw BadRequest(400, "invalid_field", util::escape_control(field) + ": " + message, field);
}

// {"data": ..., "meta": {"request_id", "ts"}}
http::Response envelope(int status, json data, domain::UnixMs now);
// Wraps a handler so BadRequest becomes its 4xx answer.
// The error answer a BadRequest stands for (serve() gives it for asynchronous handlers too).
http::Response bad_request_response(const BadRequest& e);
http::Handler guarded(std::function<http::Response(const http::Request&, const http::Params&)> fn);

// The body as JSON: 415 unless it is application/json; 400 invalid_json when it does not parse, is not
// UTF-8, or nests arrays and objects deeper than util::kMaxJsonDepth.
json parse_json_body(const http::Request& req);
// The same, parsed on a worker thread when the body is big (parsing 10 MB takes longer than the event loop
// may wait).
awaitable<json> parse_json_body_off_loop(const http::Request& req);
// Runs `work` (pure: parsing, building or freeing big values; no store, no loop state) on the API's worker
// thread while the loop serves others; its exception, if any, is thrown here.
awaitable<void> off_loop(std::function<void()> work);
awaitable<json> json_off_loop(std::function<json()> work);
// Bodies smaller than this are parsed on the loop (a few milliseconds at most).
inline constexpr std::size_t kParseOnLoopBytes = 256 * 1024;
// The request's media type, lower-cased, without parameters ("application/json").
std::string media_type(const http::Request& req);
// The campaign named by `id_text`, if it exists and belongs to the caller's workspace; else 404.
domain::Campaign owned_campaign(Context& ctx, const http::Request& req, const std::string& id_text);
// The campaign's live counts as a call judged now sees them (its calls in flight, its pacing with `placing`
// calls more, its calls today, its workspace's load under a ceiling): what the explanation, the preflight
// and call now judge against. The loop's claim applies them through its limit instead.
schedule::CallFacts live_facts(Context& ctx, const domain::Campaign& campaign, const schedule::CampaignRules& rules,
                               int placing, domain::UnixMs now);

domain::CampaignId parse_id(const std::string& text, const char* what);
// 1..18 ASCII digits (an id, a count, a cursor part).
bool is_digits(std::string_view text);

// 403 forbidden: `what` needs an admin key.
[[noreturn]] void forbidden(const std::string& what);
// The caller's key's name (api.keys[].name), for created_by and audit logs; nothing without a key.
std::optional<std::string> key_name(const http::Request& req);
// Whose list (suppressions, DNC lists) a request acts on: the caller's workspace; with ?scope=global the
// global owner (domain::kGlobalList), admin keys only unless `global_for_all`; with ?workspace=NAME another
// workspace (admin keys only). `global_what` and `other_what` name the refused thing in the 403.
std::string scope_owner(const http::Request& req, bool global_for_all, const std::string& global_what,
                        const std::string& other_what);

// Typed readers: absent -> nullopt; present with a wrong type or value -> bad_field naming `path`.
std::optional<std::string> opt_string(const json& obj, const char* key, const std::string& path,
                                      std::size_t max_len = 4096);
std::string req_string(const json& obj, const char* key, const std::string& path, std::size_t max_len = 4096);
std::optional<std::int64_t> opt_int(const json& obj, const char* key, const std::string& path, std::int64_t min,
                                    std::int64_t max);
std::optional<bool> opt_bool(const json& obj, const char* key, const std::string& path);

void register_campaign_routes(http::Router& router, Context& ctx);
void register_event_routes(http::Router& router, Context& ctx);
void register_call_routes(http::Router& router, Context& ctx);
void register_suppression_routes(http::Router& router, Context& ctx);
void register_dnc_list_routes(http::Router& router, Context& ctx);
void register_contact_routes(http::Router& router, Context& ctx);
void register_list_routes(http::Router& router, Context& ctx);
void register_preflight_route(http::Router& router, Context& ctx);
void register_report_routes(http::Router& router, Context& ctx);
// The web console under /ui/ (src/api/console.cpp).
void register_console_routes(http::Router& router);

}  // namespace dialerd::api
