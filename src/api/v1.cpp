#include <atomic>
#include <chrono>
#include <random>

#include <fmt/format.h>

#include "common.hpp"

namespace dialerd::api {

namespace {
std::string next_request_id() {
  static const std::uint32_t salt = std::random_device{}();
  static std::atomic<std::uint64_t> seq{0};
  return fmt::format("req_{:08x}{:08x}", salt, ++seq);
}
}  // namespace

std::string iso8601(domain::UnixMs t) {
  using namespace std::chrono;
  auto tp = sys_time<milliseconds>(milliseconds(t));
  auto day = floor<days>(tp);
  year_month_day ymd(day);
  hh_mm_ss hms(tp - day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

http::Response envelope(int status, json data, domain::UnixMs now) {
  http::Response r;
  r.status = status;
  r.body = json{{"data", std::move(data)}, {"meta", {{"request_id", next_request_id()}, {"ts", iso8601(now)}}}}.dump();
  return r;
}

http::Handler guarded(std::function<http::Response(const http::Request&, const http::Params&)> fn) {
  return [fn = std::move(fn)](const http::Request& req, const http::Params& params) {
    try {
      return fn(req, params);
    } catch (const BadRequest& e) {
      return http::error_response(e.status, e.code, e.what(), e.field);
    }
  };
}

json parse_json_body(const http::Request& req) {
  auto type = req.header("content-type");
  auto semi = type.find(';');
  std::string media = type.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.pop_back();
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (media != "application/json")
    throw BadRequest(415, "unsupported_media_type",
                     "Content-Type must be application/json, got '" + (type.empty() ? std::string("(none)") : type) + "'");
  try {
    return json::parse(req.body);
  } catch (const json::parse_error& e) {
    throw BadRequest(400, "invalid_json", std::string("body is not valid JSON: ") + e.what());
  }
}

domain::CampaignId parse_id(const std::string& text, const char* what) {
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), ::isdigit))
    throw BadRequest(404, "not_found", std::string("no ") + what + " " + text);
  return std::stoll(text);
}

std::optional<std::string> opt_string(const json& obj, const char* key, const std::string& path, std::size_t max_len) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) bad_field(path, std::string("must be a string, got ") + it->type_name());
  auto s = it->get<std::string>();
  // Length in characters (UTF-8 code points), not bytes; nlohmann has already checked the encoding.
  std::size_t chars = std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
  if (chars > max_len) bad_field(path, "must be at most " + std::to_string(max_len) + " characters");
  return s;
}

std::string req_string(const json& obj, const char* key, const std::string& path, std::size_t max_len) {
  auto s = opt_string(obj, key, path, max_len);
  if (!s) bad_field(path, "is required");
  if (s->empty()) bad_field(path, "must not be empty");
  return *s;
}

std::optional<std::int64_t> opt_int(const json& obj, const char* key, const std::string& path, std::int64_t min,
                                    std::int64_t max) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_number_integer()) bad_field(path, std::string("must be an integer, got ") + it->type_name());
  if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(max))
    bad_field(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  auto n = it->get<std::int64_t>();
  if (n < min || n > max) bad_field(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  return n;
}

std::optional<bool> opt_bool(const json& obj, const char* key, const std::string& path) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) bad_field(path, std::string("must be true or false, got ") + it->type_name());
  return it->get<bool>();
}

void register_routes(http::Router& router, Context& ctx) {
  router.add("GET", "/healthz", [&ctx](const http::Request&, const http::Params&) {
    return envelope(200, {{"status", "ok"}}, ctx.clock.now_ms());
  });
  register_campaign_routes(router, ctx);
  register_event_routes(router, ctx);
  register_call_routes(router, ctx);
  register_suppression_routes(router, ctx);
}

}  // namespace dialerd::api
