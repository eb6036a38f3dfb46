// POST /v1/campaigns and GET /v1/campaigns/{id}.
#include <set>

#include <spdlog/spdlog.h>

#include "common.hpp"
#include "dialerd/domain/phone.hpp"
#include "dialerd/schedule/time.hpp"

namespace dialerd::api {

using namespace domain;

namespace {

// Fields a campaign accepts today. Any other field is refused rather than ignored: a pacing or window
// field this version does not enforce yet (start_time, working_days, max_calls_per_day, ...) must not be
// silently dropped while calls go out.
const std::set<std::string> kCampaignFields = {
    "name",          "agent_id",       "provider",      "from_number", "schedule_type", "scheduled_at",
    "trigger_timestamp", "timezone",   "concurrency",   "retry_attempts", "retry_delay_seconds", "status",
    "send_now",      "contacts"};
const std::set<std::string> kContactNamed = {"phone_number", "phoneNumber", "to_number", "first_name", "last_name",
                                             "variables"};

ContactInput parse_contact(const json& rec, std::size_t i, const std::string& region) {
  std::string at = "contacts[" + std::to_string(i) + "]";
  if (!rec.is_object()) bad_field(at, std::string("must be an object, got ") + rec.type_name());
  ContactInput c;
  const char* phone_key = nullptr;
  for (const char* k : {"phone_number", "phoneNumber", "to_number"})
    if (rec.contains(k) && !rec[k].is_null()) {
      if (phone_key) bad_field(at + "." + k, std::string("give only one of phone_number, phoneNumber, to_number"));
      phone_key = k;
    }
  if (!phone_key) bad_field(at + ".phone_number", "is required");
  std::string raw = req_string(rec, phone_key, at + "." + phone_key, 64);
  auto phone = normalize_phone(raw, region);
  if (auto* err = std::get_if<PhoneError>(&phone)) bad_field(at + "." + phone_key, err->message);
  c.phone = std::get<std::string>(phone);
  c.first_name = opt_string(rec, "first_name", at + ".first_name", 255).value_or("");
  c.last_name = opt_string(rec, "last_name", at + ".last_name", 255).value_or("");
  if (rec.contains("variables") && !rec["variables"].is_null()) {
    if (!rec["variables"].is_object()) bad_field(at + ".variables", "must be an object");
    c.variables = rec["variables"];
  }
  // Like seed 003: any other field of the record is a variable for the agent.
  for (const auto& [k, v] : rec.items())
    if (!kContactNamed.count(k)) c.variables[k] = v;
  return c;
}

json campaign_json(const Campaign& c, const CallCounts& counts) {
  const auto& s = c.spec;
  json j = {
      {"id", std::to_string(c.id)},
      {"name", s.name},
      {"agent_id", s.agent_id},
      {"provider", s.provider},
      {"from_number", s.from_number},
      {"schedule_type", s.schedule_type},
      {"scheduled_at", s.trigger_at ? json(iso8601(*s.trigger_at)) : json(nullptr)},
      {"trigger_timestamp", s.trigger_at ? json(*s.trigger_at) : json(nullptr)},
      {"timezone", s.timezone},
      {"concurrency", s.concurrency},
      {"retry_attempts", s.retry_attempts},
      {"retry_delay_seconds", s.retry_delay_s},
      {"status", to_string(c.status)},
      {"created_at", iso8601(c.created_at)},
      {"updated_at", iso8601(c.updated_at)},
  };
  j["counts"] = {{"total", counts.total()},         {"pending", counts.pending},
                 {"dispatching", counts.dispatching}, {"in_progress", counts.in_progress},
                 {"called", counts.called},         {"completed", counts.completed},
                 {"failed", counts.failed},         {"skipped", counts.skipped},
                 {"held", counts.held}};
  return j;
}

http::Response create_campaign(Context& ctx, const http::Request& req) {
  json body = parse_json_body(req);
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& [k, v] : body.items())
    if (!kCampaignFields.count(k)) bad_field(k, "unknown field (not supported by this version)");

  const app::Config& config = ctx.config();
  CampaignSpec spec;
  spec.name = req_string(body, "name", "name", 255);
  spec.agent_id = req_string(body, "agent_id", "agent_id", 255);
  spec.provider = req_string(body, "provider", "provider", 64);
  if (!ctx.scheduler.providers().count(spec.provider)) {
    std::string names;
    for (const auto& [n, p] : ctx.scheduler.providers()) names += (names.empty() ? "" : ", ") + n;
    bad_field("provider", "no provider named '" + spec.provider + "' is configured (configured: " + names + ")");
  }
  auto from = normalize_phone(req_string(body, "from_number", "from_number", 64), config.default_region);
  if (auto* err = std::get_if<PhoneError>(&from)) bad_field("from_number", err->message);
  spec.from_number = std::get<std::string>(from);

  auto schedule_type = opt_string(body, "schedule_type", "schedule_type");
  if (schedule_type && *schedule_type != "immediate" && *schedule_type != "scheduled")
    bad_field("schedule_type", "must be immediate or scheduled, got '" + *schedule_type + "'");
  auto scheduled_at = opt_string(body, "scheduled_at", "scheduled_at", 64);
  auto trigger_ts = opt_int(body, "trigger_timestamp", "trigger_timestamp", 0, 253402300799999);
  if (scheduled_at && trigger_ts) bad_field("scheduled_at", "give scheduled_at or trigger_timestamp, not both");
  if (scheduled_at) {
    spec.trigger_at = schedule::parse_rfc3339(*scheduled_at);
    if (!spec.trigger_at) bad_field("scheduled_at", "must be an RFC 3339 date-time such as 2026-03-20T09:00:00Z");
  }
  if (trigger_ts) spec.trigger_at = *trigger_ts;
  std::string trigger_field = scheduled_at ? "scheduled_at" : "trigger_timestamp";
  bool send_now = opt_bool(body, "send_now", "send_now").value_or(false);
  // A start time is never silently ignored: it makes the campaign scheduled, and contradicting it is an error.
  if (send_now && spec.trigger_at) bad_field("send_now", "give send_now or a start time (" + trigger_field + "), not both");
  if (schedule_type == "immediate" && spec.trigger_at)
    bad_field(trigger_field, "a start time needs schedule_type scheduled (or leave schedule_type out)");
  if (schedule_type == "scheduled" && !spec.trigger_at && !send_now)
    bad_field("scheduled_at", "is required when schedule_type is scheduled (or give trigger_timestamp)");
  spec.schedule_type = spec.trigger_at ? "scheduled" : "immediate";

  spec.timezone = opt_string(body, "timezone", "timezone", 64).value_or("UTC");
  if (!schedule::is_known_timezone(spec.timezone))
    bad_field("timezone", "'" + spec.timezone + "' is not a time zone in the tz database (e.g. America/New_York)");
  spec.concurrency = static_cast<int>(opt_int(body, "concurrency", "concurrency", 1, 100000).value_or(1));
  spec.retry_attempts = static_cast<int>(opt_int(body, "retry_attempts", "retry_attempts", 0, 10).value_or(0));
  spec.retry_delay_s =
      static_cast<int>(opt_int(body, "retry_delay_seconds", "retry_delay_seconds", 0, 30 * 86400).value_or(300));

  auto status = opt_string(body, "status", "status");
  if (status && *status != "draft" && *status != "scheduled")
    bad_field("status", "must be draft or scheduled, got '" + *status + "'");
  if (status == "draft") {
    spec.status = CampaignStatus::draft;
  } else if (spec.schedule_type == "scheduled") {
    spec.status = CampaignStatus::scheduled;
  } else {
    spec.status = CampaignStatus::running;
  }

  std::vector<ContactInput> contacts;
  if (body.contains("contacts") && !body["contacts"].is_null()) {
    const json& list = body["contacts"];
    if (!list.is_array()) bad_field("contacts", std::string("must be an array, got ") + list.type_name());
    contacts.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) contacts.push_back(parse_contact(list[i], i, config.default_region));
  }

  auto now = ctx.clock.now_ms();
  CampaignId id = ctx.store.create_campaign(spec, contacts, now);
  spdlog::info("campaign {}: created '{}' with {} contacts, provider {}, status {}", id, spec.name, contacts.size(),
               spec.provider, to_string(spec.status));
  ctx.scheduler.wake();
  auto campaign = ctx.store.campaign(id);
  return envelope(201, campaign_json(*campaign, ctx.store.counts(id)), now);
}

http::Response get_campaign(Context& ctx, const http::Params& params) {
  CampaignId id = parse_id(params.at("id"), "campaign");
  auto campaign = ctx.store.campaign(id);
  if (!campaign) throw BadRequest(404, "not_found", "no campaign " + params.at("id"));
  return envelope(200, campaign_json(*campaign, ctx.store.counts(id)), ctx.clock.now_ms());
}

}  // namespace

void register_campaign_routes(http::Router& router, Context& ctx) {
  router.add("POST", "/v1/campaigns",
             guarded([&ctx](const http::Request& req, const http::Params&) { return create_campaign(ctx, req); }));
  router.add("GET", "/v1/campaigns/{id}",
             guarded([&ctx](const http::Request&, const http::Params& p) { return get_campaign(ctx, p); }));
}

}  // namespace dialerd::api
