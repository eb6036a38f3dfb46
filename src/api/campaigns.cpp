// POST /v1/campaigns and GET /v1/campaigns/{id}.
#include <set>

#include <spdlog/spdlog.h>

#include "common.hpp"
#include "contact_input.hpp"
#include "dialerd/domain/dnc.hpp"
#include "dialerd/domain/phone.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/http/url_policy.hpp"
#include "dialerd/providers/kind.hpp"
#include "dialerd/schedule/forecast.hpp"
#include "dialerd/schedule/place.hpp"
#include "dialerd/schedule/time.hpp"
#include "dialerd/store/lock_wait.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::api {

using namespace domain;

namespace {

// Contacts stored per transaction when a request brings many: the loop serves other requests in between.
constexpr std::size_t kCreateSlice = 1000;

// Fields a campaign accepts. Any other field is refused rather than ignored: a field this version does not
// act on must not be silently dropped while calls go out.
const std::set<std::string> kCampaignFields = {"name",
                                               "agent_id",
                                               "provider",
                                               "from_number",
                                               "from_numbers",
                                               "phone_rotation_strategy",
                                               "schedule_type",
                                               "scheduled_at",
                                               "trigger_timestamp",
                                               "timezone",
                                               "start_time",
                                               "end_time",
                                               "working_days",
                                               "concurrency",
                                               "calls_per_second",
                                               "calls_per_minute",
                                               "max_calls_per_day",
                                               "retry_attempts",
                                               "retry_delay_seconds",
                                               "required_variables",
                                               "status",
                                               "send_now",
                                               "contacts",
                                               "webhook",
                                               "complete_when_done",
                                               "failover_provider",
                                               "batch_id",
                                               "batchId",
                                               "phone_number_ids",
                                               "contact_source",
                                               "contact_folder_id",
                                               "contact_ids",
                                               "follow_lists",
                                               "subject",
                                               "reg_f",
                                               "require_consent",
                                               "dnc_lists",
                                               "predial",
                                               "retry_policy",
                                               "max_calls_per_number_per_day",
                                               "number_rest"};
json campaign_json(const Campaign& c, const CallCounts& counts) {
  const auto& s = c.spec;
  auto opt = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  json j = {
      {"id", std::to_string(c.id)},
      {"name", s.name},
      {"agent_id", s.agent_id},
      {"provider", s.provider},
      {"from_number", s.from_number},
      {"from_numbers", s.caller_ids()},
      {"phone_rotation_strategy", s.rotation},
      {"start_time", opt(s.start_time)},
      {"end_time", opt(s.end_time)},
      {"working_days", opt(s.working_days)},
      {"max_calls_per_day", opt(s.max_calls_per_day)},
      {"required_variables", s.required_variables},
      {"schedule_type", s.schedule_type},
      {"scheduled_at", s.trigger_at ? json(util::format_rfc3339(*s.trigger_at)) : json(nullptr)},
      {"trigger_timestamp", s.trigger_at ? json(*s.trigger_at) : json(nullptr)},
      {"timezone", s.timezone},
      {"concurrency", s.concurrency},
      {"calls_per_second", opt(s.calls_per_second)},
      {"calls_per_minute", opt(s.calls_per_minute)},
      {"retry_attempts", s.retry_attempts},
      {"retry_delay_seconds", s.retry_delay_s},
      {"retry_policy", domain::retry_policy_json(s.retry_policy)},
      {"max_calls_per_number_per_day", opt(s.max_calls_per_number_per_day)},
      {"number_rest", s.number_rest ? domain::number_rest_json(*s.number_rest) : json(nullptr)},
      {"status", to_string(c.status)},
      {"webhook", s.webhook ? json{{"url", s.webhook->url}, {"secret_id", s.webhook->secret_id}} : json(nullptr)},
      {"complete_when_done", s.options.value("complete_when_done", true)},
      {"failover_provider", s.failover_provider().empty() ? json(nullptr) : json(s.failover_provider())},
      {"batch_id", s.options.value("batch_id", json(nullptr))},
      {"phone_number_ids", s.options.value("phone_number_ids", json(nullptr))},
      {"contact_source", s.options.value("contact_source", json(nullptr))},
      {"contact_folder_ids", s.options.value("contact_folder_ids", json(nullptr))},
      {"follow_lists", s.options.value("follow_lists", false)},
      {"subject", opt(s.subject)},
      {"require_consent", s.require_consent ? json(domain::to_string(*s.require_consent)) : json(nullptr)},
      {"dnc_lists", s.dnc_lists},
      {"predial", s.predial ? json{{"url", s.predial->url},
                                   {"secret_id", s.predial->secret_id},
                                   {"timeout_ms", s.predial->timeout_ms},
                                   {"on_error", s.predial->call_on_error ? "call" : "wait"},
                                   {"cache_seconds", s.predial->cache_seconds}}
                            : json(nullptr)},
      {"reg_f", s.reg_f ? json{{"calls", s.reg_f->calls},
                               {"days", s.reg_f->days},
                               {"quiet_days_after_conversation", s.reg_f->quiet_days}}
                        : json(nullptr)},
      {"created_at", util::format_rfc3339(c.created_at)},
      {"updated_at", util::format_rfc3339(c.updated_at)},
  };
  j["counts"] = {{"total", counts.total()},           {"pending", counts.pending}, {"dispatching", counts.dispatching},
                 {"in_progress", counts.in_progress}, {"called", counts.called},   {"completed", counts.completed},
                 {"failed", counts.failed},           {"skipped", counts.skipped}, {"held", counts.held}};
  return j;
}

// The fields that may change while a campaign runs (PATCH), read the same way on create. An absent field
// keeps its value (on create: the default); null clears an optional one (window, working days, daily cap).
const std::set<std::string> kSettingFields = {"name",
                                              "timezone",
                                              "start_time",
                                              "end_time",
                                              "working_days",
                                              "concurrency",
                                              "calls_per_second",
                                              "calls_per_minute",
                                              "max_calls_per_day",
                                              "retry_attempts",
                                              "retry_delay_seconds",
                                              "phone_rotation_strategy",
                                              "failover_provider",
                                              "dnc_lists",
                                              "predial",
                                              "retry_policy",
                                              "max_calls_per_number_per_day",
                                              "number_rest"};

// Where chunks go while the provider's circuit breaker is open (docs/PROVIDERS.md, "Failover"): a string
// names another configured provider; null (PATCH) removes it.
void apply_failover(const Context& ctx, const json& body, CampaignSpec& spec) {
  if (!body.contains("failover_provider")) return;
  if (body["failover_provider"].is_null()) {
    spec.options.erase("failover_provider");
    return;
  }
  auto failover = opt_string(body, "failover_provider", "failover_provider", 64);
  if (!ctx.scheduler.providers().count(*failover))
    bad_field("failover_provider", "no provider named '" + *failover + "' is configured");
  if (*failover == spec.provider) bad_field("failover_provider", "must differ from provider");
  spec.options["failover_provider"] = *failover;
}

// Regulation F (docs/COMPLIANCE.md): true = its limits (7 calls in 7 days, 7 quiet days after a
// conversation), an object = other limits, false or null = off.
std::optional<domain::RegF> read_reg_f(const json& body) {
  if (!body.contains("reg_f") || body["reg_f"].is_null()) return std::nullopt;
  const json& v = body["reg_f"];
  if (v.is_boolean()) return v.get<bool>() ? std::optional<domain::RegF>(domain::RegF{}) : std::nullopt;
  if (!v.is_object())
    bad_field("reg_f", "must be true, false or {\"calls\", \"days\", \"quiet_days_after_conversation\"}");
  for (const auto& [k, _] : v.items())
    if (k != "calls" && k != "days" && k != "quiet_days_after_conversation")
      bad_field("reg_f." + k, "unknown field (calls, days, quiet_days_after_conversation)");
  domain::RegF r;
  if (auto n = opt_int(v, "calls", "reg_f.calls", 1, 100)) r.calls = static_cast<int>(*n);
  if (auto n = opt_int(v, "days", "reg_f.days", 1, 30)) r.days = static_cast<int>(*n);
  if (auto n = opt_int(v, "quiet_days_after_conversation", "reg_f.quiet_days_after_conversation", 0, 30))
    r.quiet_days = static_cast<int>(*n);
  return r;
}

void apply_settings(const json& body, CampaignSpec& spec) {
  auto cleared = [&](const char* key) { return body.contains(key) && body[key].is_null(); };
  if (auto name = opt_string(body, "name", "name", 255)) {
    if (name->empty()) bad_field("name", "must not be empty");
    spec.name = *name;
  }
  if (auto tz = opt_string(body, "timezone", "timezone", 64)) {
    if (!schedule::is_known_timezone(*tz))
      bad_field("timezone", "'" + *tz + "' is not a time zone in the tz database (e.g. America/New_York)");
    spec.timezone = *tz;
  }
  if (auto r = opt_string(body, "phone_rotation_strategy", "phone_rotation_strategy")) {
    if (*r != "random" && *r != "sequential" && *r != "round_robin" && *r != "local_presence")
      bad_field("phone_rotation_strategy",
                "must be random, sequential, round_robin or local_presence, got '" + *r + "'");
    spec.rotation = *r;
  }
  // The daily window and working days, in the campaign's time zone.
  if (auto t = opt_string(body, "start_time", "start_time", 5)) spec.start_time = t;
  if (cleared("start_time")) spec.start_time.reset();
  if (auto t = opt_string(body, "end_time", "end_time", 5)) spec.end_time = t;
  if (cleared("end_time")) spec.end_time.reset();
  if (spec.start_time && (!schedule::parse_hhmm(*spec.start_time) || *spec.start_time == "24:00"))
    bad_field("start_time", "must be HH:MM (00:00..23:59), got '" + *spec.start_time + "'");
  if (spec.end_time && !schedule::parse_hhmm(*spec.end_time))
    bad_field("end_time", "must be HH:MM (00:00..24:00), got '" + *spec.end_time + "'");
  if (spec.start_time && spec.end_time &&
      *schedule::parse_hhmm(*spec.start_time) == *schedule::parse_hhmm(*spec.end_time) % (24 * 60))
    bad_field("end_time", "must differ from start_time (leave both out to call at any time of day)");
  if (cleared("working_days")) spec.working_days.reset();
  if (body.contains("working_days") && !body["working_days"].is_null()) {
    const json& days = body["working_days"];
    if (!days.is_array() || days.empty())
      bad_field("working_days", "must be a non-empty array of 1 (Monday) .. 7 (Sunday)");
    std::vector<int> out;
    for (const auto& d : days) {
      if (!d.is_number_integer() || d.get<std::int64_t>() < 1 || d.get<std::int64_t>() > 7)
        bad_field("working_days", "each day must be 1 (Monday) .. 7 (Sunday), got " + d.dump());
      if (std::find(out.begin(), out.end(), d.get<int>()) != out.end())
        bad_field("working_days", "day " + d.dump() + " is listed twice");
      out.push_back(d.get<int>());
    }
    std::sort(out.begin(), out.end());
    spec.working_days = out;
  }
  if (cleared("max_calls_per_day")) spec.max_calls_per_day.reset();
  if (auto m = opt_int(body, "max_calls_per_day", "max_calls_per_day", 1, 10000000))
    spec.max_calls_per_day = static_cast<int>(*m);
  if (auto c = opt_int(body, "concurrency", "concurrency", 1, 100000)) spec.concurrency = static_cast<int>(*c);
  // Pacing (docs/SCHEDULING.md, "Pacing"): null removes a limit.
  if (cleared("calls_per_second")) spec.calls_per_second.reset();
  if (auto p = opt_int(body, "calls_per_second", "calls_per_second", 1, 1000))
    spec.calls_per_second = static_cast<int>(*p);
  if (cleared("calls_per_minute")) spec.calls_per_minute.reset();
  if (auto p = opt_int(body, "calls_per_minute", "calls_per_minute", 1, 60000))
    spec.calls_per_minute = static_cast<int>(*p);
  if (auto r = opt_int(body, "retry_attempts", "retry_attempts", 0, 10)) spec.retry_attempts = static_cast<int>(*r);
  if (auto d = opt_int(body, "retry_delay_seconds", "retry_delay_seconds", 0, 30 * 86400))
    spec.retry_delay_s = static_cast<int>(*d);
  // Retries per outcome (docs/SCHEDULING.md, "Retries"): a given policy replaces the whole one; null or {}
  // leaves every outcome to config retry.*.
  if (body.contains("retry_policy")) {
    std::string field, error;
    auto policy = domain::parse_retry_policy(body["retry_policy"], field, error);
    if (!policy) bad_field(field, error);
    spec.retry_policy = std::move(*policy);
  }
  // Caller-id health (docs/SCHEDULING.md, "Caller-id health"): null removes the cap or the rest.
  if (cleared("max_calls_per_number_per_day")) spec.max_calls_per_number_per_day.reset();
  if (auto m = opt_int(body, "max_calls_per_number_per_day", "max_calls_per_number_per_day", 1,
                       domain::kMaxCallsPerNumberPerDay))
    spec.max_calls_per_number_per_day = static_cast<int>(*m);
  if (cleared("number_rest")) spec.number_rest.reset();
  if (body.contains("number_rest") && !body["number_rest"].is_null()) {
    std::string field, error;
    auto rest = domain::parse_number_rest(body["number_rest"], field, error);
    if (!rest) bad_field(field, error);
    spec.number_rest = std::move(*rest);
  }
}

// Options only one provider kind acts on, kept in the campaign's options: refused for any other kind, so
// they are never silently ignored. An addcalls campaign needs a batch id, its own or the provider's.
void provider_options(Context& ctx, const json& body, CampaignSpec& spec) {
  const std::string& kind = ctx.scheduler.providers().at(spec.provider)->kind();
  for (const providers::Kind* owner : providers::all_kinds())
    for (auto field : owner->own_campaign_fields())
      if (body.contains(field) && kind != owner->info().kind)
        bad_field(std::string(field), "is only used by providers of kind " + std::string(owner->info().kind) +
                                          "; provider '" + spec.provider + "' is of kind " + kind);
  const providers::Kind* own = providers::find_kind(kind);
  auto pc = ctx.config().providers.find(spec.provider);
  if (!own || pc == ctx.config().providers.end()) return;
  if (auto read = own->read_campaign_options(body, pc->second, spec.options); !read)
    bad_field(read.error().field, read.error().message);
}

// The DNC lists a campaign honours besides the internal list (docs/COMPLIANCE.md, "Do-not-call lists"):
// names of the workspace's lists or global ones, each existing now; null or [] honours none but internal.
void apply_dnc_lists(Context& ctx, const json& body, CampaignSpec& spec) {
  if (!body.contains("dnc_lists")) return;
  const auto& given = body["dnc_lists"];
  spec.dnc_lists.clear();
  if (given.is_null()) return;
  if (!given.is_array()) bad_field("dnc_lists", "must be an array of do-not-call list names");
  if (given.size() > 32) bad_field("dnc_lists", "at most 32 lists");
  for (const auto& item : given) {
    if (!item.is_string()) bad_field("dnc_lists", "must be an array of do-not-call list names (strings)");
    auto name = item.get<std::string>();
    if (name == domain::kInternalList) continue;  // honoured by every campaign
    if (std::find(spec.dnc_lists.begin(), spec.dnc_lists.end(), name) != spec.dnc_lists.end())
      bad_field("dnc_lists", "names \"" + name + "\" twice");
    if (!ctx.dnc.dnc_list(spec.workspace, name) && !ctx.dnc.dnc_list(domain::kGlobalList, name))
      bad_field("dnc_lists", "no do-not-call list named \"" + name + "\" (GET /v1/dnc-lists shows them)");
    spec.dnc_lists.push_back(std::move(name));
  }
}

// A URL dialerd will POST to (a webhook, a pre-dial endpoint): strict syntax, and no loopback, private or
// link-local address unless webhooks.allow_networks has it. An IP literal (or localhost) is judged now; a
// DNS name at each request, on the addresses it resolves to then (resolving here would block the event
// loop, and the answer may change).
void check_outbound_url(const config::Config& config, const std::string& url, const std::string& field) {
  if (auto problem = http::url_problem(url); !problem) bad_field(field, problem.error());
  http::Url parsed;
  http::parse_url(url, parsed);
  auto host = parsed.host;
  for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::optional<boost::asio::ip::address> literal =
      http::literal_host(host.find(':') != std::string::npos ? "[" + host + "]" : host);
  if (host == "localhost" || (host.size() > 10 && host.substr(host.size() - 10) == ".localhost"))
    literal = boost::asio::ip::make_address("127.0.0.1");
  if (literal)
    if (auto allowed = http::address_refusal(*literal, config.webhooks.allow_networks); !allowed)
      bad_field(field, allowed.error());
}

// The pre-dial check (docs/COMPLIANCE.md, "Pre-dial check"): {url, secret_id, timeout_ms, on_error,
// cache_seconds}, the last three optional. PATCH replaces it whole; null removes it.
void apply_predial(const Context& ctx, const json& body, CampaignSpec& spec) {
  if (!body.contains("predial")) return;
  const json& p = body["predial"];
  if (p.is_null()) {
    spec.predial.reset();
    return;
  }
  if (!p.is_object()) bad_field("predial", "must be an object {url, secret_id, timeout_ms, on_error, cache_seconds}");
  for (const auto& item : p.items()) {
    const std::string& k = item.key();
    if (k != "url" && k != "secret_id" && k != "timeout_ms" && k != "on_error" && k != "cache_seconds")
      bad_field("predial." + k, "unknown field");
  }
  const auto& config = ctx.config();
  Predial out;
  out.url = req_string(p, "url", "predial.url", 2048);
  check_outbound_url(config, out.url, "predial.url");
  out.secret_id = req_string(p, "secret_id", "predial.secret_id", 64);
  if (!config.webhooks.secrets.count(out.secret_id))
    bad_field("predial.secret_id", "'" + out.secret_id + "' is not a secret in webhooks.secrets");
  out.timeout_ms = static_cast<int>(opt_int(p, "timeout_ms", "predial.timeout_ms", 100, 10000).value_or(2000));
  auto on_error = opt_string(p, "on_error", "predial.on_error", 16).value_or("wait");
  if (on_error != "wait" && on_error != "call")
    bad_field("predial.on_error",
              "must be wait (the call waits while the endpoint fails) or call, got '" + on_error + "'");
  out.call_on_error = on_error == "call";
  out.cache_seconds = static_cast<int>(opt_int(p, "cache_seconds", "predial.cache_seconds", 5, 3600).value_or(60));
  spec.predial = std::move(out);
}

// PATCH /v1/campaigns/{id}: pacing, window and retry settings, applied from the next scheduler pass.
http::Response patch_campaign(Context& ctx, const http::Request& req, const http::Params& params) {
  auto campaign = owned_campaign(ctx, req, params.at("id"));
  json body = parse_json_body(req);
  if (!body.is_object() || body.empty()) throw BadRequest(400, "invalid_json", "body must be a non-empty JSON object");
  for (const auto& [k, v] : body.items()) {
    if (kSettingFields.count(k)) continue;
    if (kCampaignFields.count(k)) bad_field(k, "cannot be changed after creation");
    bad_field(k, "unknown field");
  }
  if (campaign.status == CampaignStatus::completed || campaign.status == CampaignStatus::cancelled)
    throw BadRequest(409, "invalid_transition",
                     "campaign " + params.at("id") + " is " + std::string(to_string(campaign.status)));
  apply_settings(body, campaign.spec);
  apply_failover(ctx, body, campaign.spec);
  apply_dnc_lists(ctx, body, campaign.spec);
  apply_predial(ctx, body, campaign.spec);
  auto now = ctx.clock.now_ms();
  ctx.campaigns.update_settings(campaign.id, campaign.spec, now);
  spdlog::info("campaign {}: settings changed: {}", campaign.id,
               body.dump(-1, ' ', false, json::error_handler_t::replace));
  ctx.scheduler.wake();
  return envelope(200, campaign_json(*ctx.campaigns.campaign(campaign.id), ctx.campaigns.counts(campaign.id)), now);
}

// A campaign's calls from the contact book, as the Truedy page has them: contact_source csv | folder |
// manual names where they come from (inline `contacts`, the lists of contact_folder_id, the records of
// contact_ids); the sources may also be given together. Each record becomes a call like an inline one; one
// lacking a required variable refuses the request, naming it. follow_lists makes members added to the lists
// later calls of the campaign too, while it has not ended.
awaitable<void> records_of_book(Context& ctx, const http::Request& req, const json& body, CampaignSpec& spec,
                                std::vector<ContactInput>& contacts) {
  auto source = opt_string(body, "contact_source", "contact_source");
  if (source && *source != "csv" && *source != "folder" && *source != "manual")
    bad_field("contact_source", "must be csv, folder or manual, got '" + *source + "'");
  auto given = [&](const char* key) { return body.contains(key) && !body[key].is_null(); };
  if (source == "folder" && !given("contact_folder_id"))
    bad_field("contact_folder_id", "is required when contact_source is folder");
  if (source == "manual" && !given("contact_ids"))
    bad_field("contact_ids", "is required when contact_source is manual");
  if (source) spec.options["contact_source"] = *source;

  std::vector<domain::ListId> lists;
  json list_refs = json::array();
  if (given("contact_folder_id")) {
    const json& f = body["contact_folder_id"];
    // One list id, or several.
    std::vector<json> refs = f.is_array() ? std::vector<json>(f.begin(), f.end()) : std::vector<json>{f};
    if (refs.empty() || refs.size() > 100) bad_field("contact_folder_id", "must name 1..100 lists");
    for (std::size_t i = 0; i < refs.size(); ++i) {
      std::string at = f.is_array() ? "contact_folder_id[" + std::to_string(i) + "]" : "contact_folder_id";
      auto id = find_list(ctx, req.workspace, refs[i], at);
      if (std::find(lists.begin(), lists.end(), id) != lists.end()) continue;
      lists.push_back(id);
      list_refs.push_back(domain::list_ref(id));
    }
    spec.options["contact_folder_ids"] = list_refs;
  }
  if (opt_bool(body, "follow_lists", "follow_lists").value_or(false)) {
    if (lists.empty()) bad_field("follow_lists", "needs contact_folder_id (the lists to follow)");
    spec.options["follow_lists"] = true;
    spec.follow_lists = lists;
  }
  auto add = [&](const domain::Contact& c, const std::string& at) {
    auto in = domain::call_input(c);
    auto missing = domain::missing_required(in, spec.required_variables);
    if (!missing.empty())
      bad_field(at, "contact " + domain::contact_ref(c.id) + " lacks " + missing.front() +
                        ", which the campaign's required_variables need");
    contacts.push_back(std::move(in));
  };
  for (auto list : lists) {
    store::Contacts::ContactFilter filter;
    filter.list = list;
    filter.limit = 1000;
    for (;;) {
      auto page = ctx.contacts.contacts(req.workspace, filter);
      for (const auto& c : page) add(c, "contact_folder_id");
      if (static_cast<int>(page.size()) < filter.limit) break;
      filter.after = page.back().id;
      co_await yield_to_loop();  // a long list is read a page at a time, the loop serving others between
    }
  }
  auto ids = id_array(body, "contact_ids", 10000);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::string at = "contact_ids[" + std::to_string(i) + "]";
    add(find_contact(ctx, req.workspace, ids[i], at), at);
  }
}

// POST /v1/campaigns. Everything is checked before anything is stored. Up to kCreateSlice contacts go in
// with the campaign in one transaction; a longer list is stored a slice at a time (the loop serving other
// requests in between) under status draft, which never dispatches, and the campaign takes its status
// with the last slice: a stop halfway leaves a draft, never a running campaign missing contacts.
awaitable<http::Response> create_campaign(Context& ctx, const http::Request& req) {
  json body = co_await parse_json_body_off_loop(req);
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& [k, v] : body.items())
    if (!kCampaignFields.count(k)) bad_field(k, "unknown field (not supported by this version)");

  const config::Config& config = ctx.config();
  CampaignSpec spec;
  spec.workspace = req.workspace;
  spec.name = req_string(body, "name", "name", 255);
  spec.agent_id = req_string(body, "agent_id", "agent_id", 255);
  if (auto subject = opt_string(body, "subject", "subject", 200)) {
    if (subject->empty()) bad_field("subject", "must not be empty (leave it out: the campaign is its own subject)");
    spec.subject = *subject;
  }
  spec.reg_f = read_reg_f(body);
  if (auto required = opt_string(body, "require_consent", "require_consent", 32)) {
    auto type = domain::consent_type_from(*required);
    if (!type || *type == domain::ConsentType::none)
      bad_field("require_consent", "must be express or express_written, got '" + *required + "'");
    spec.require_consent = *type;
  }
  spec.provider = req_string(body, "provider", "provider", 64);
  if (!ctx.scheduler.providers().count(spec.provider)) {
    std::string names;
    for (const auto& [n, p] : ctx.scheduler.providers()) names += (names.empty() ? "" : ", ") + n;
    bad_field("provider", "no provider named '" + spec.provider + "' is configured (configured: " + names + ")");
  }
  apply_failover(ctx, body, spec);
  apply_dnc_lists(ctx, body, spec);
  apply_predial(ctx, body, spec);
  auto from = normalize_phone(req_string(body, "from_number", "from_number", 64), config.default_region);
  if (!from) bad_field("from_number", from.error().message);
  spec.from_number = *from;

  auto schedule_type = opt_string(body, "schedule_type", "schedule_type");
  if (schedule_type && *schedule_type != "immediate" && *schedule_type != "scheduled")
    bad_field("schedule_type", "must be immediate or scheduled, got '" + *schedule_type + "'");
  auto scheduled_at = opt_string(body, "scheduled_at", "scheduled_at", 64);
  auto trigger_ts = opt_int(body, "trigger_timestamp", "trigger_timestamp", 0, 253402300799999);
  if (scheduled_at && trigger_ts) bad_field("scheduled_at", "give scheduled_at or trigger_timestamp, not both");
  if (scheduled_at) {
    spec.trigger_at = util::parse_rfc3339(*scheduled_at);
    if (!spec.trigger_at) bad_field("scheduled_at", "must be an RFC 3339 date-time such as 2026-03-20T09:00:00Z");
  }
  if (trigger_ts) spec.trigger_at = *trigger_ts;
  std::string trigger_field = scheduled_at ? "scheduled_at" : "trigger_timestamp";
  bool send_now = opt_bool(body, "send_now", "send_now").value_or(false);
  // A start time is never silently ignored: it makes the campaign scheduled, and contradicting it is an error.
  if (send_now && spec.trigger_at)
    bad_field("send_now", "give send_now or a start time (" + trigger_field + "), not both");
  if (schedule_type == "immediate" && spec.trigger_at)
    bad_field(trigger_field, "a start time needs schedule_type scheduled (or leave schedule_type out)");
  if (schedule_type == "scheduled" && !spec.trigger_at && !send_now)
    bad_field("scheduled_at", "is required when schedule_type is scheduled (or give trigger_timestamp)");
  spec.schedule_type = spec.trigger_at ? "scheduled" : "immediate";

  // Outbound events (docs/WEBHOOKS.md): an https (or http) URL and the id of a signing secret in
  // webhooks.secrets.
  if (body.contains("webhook") && !body["webhook"].is_null()) {
    const json& w = body["webhook"];
    if (!w.is_object()) bad_field("webhook", "must be an object {url, secret_id}");
    for (const auto& [k, v] : w.items())
      if (k != "url" && k != "secret_id" && k != "secretId") bad_field("webhook." + k, "unknown field");
    Webhook hook;
    hook.url = req_string(w, "url", "webhook.url", 2048);
    check_outbound_url(config, hook.url, "webhook.url");
    if (w.contains("secretId") && w.contains("secret_id"))
      bad_field("webhook.secretId", "give secret_id or secretId, not both");
    const char* sid_key = w.contains("secretId") ? "secretId" : "secret_id";
    hook.secret_id = req_string(w, sid_key, std::string("webhook.") + sid_key, 64);
    if (!config.webhooks.secrets.count(hook.secret_id))
      bad_field(std::string("webhook.") + sid_key, "'" + hook.secret_id + "' is not a secret in webhooks.secrets");
    spec.webhook = hook;
  }
  // false: the campaign stays running when its queue empties (for call-now or a contact feed).
  if (auto keep = opt_bool(body, "complete_when_done", "complete_when_done"); keep && !*keep)
    spec.options["complete_when_done"] = false;

  // Caller ids: from_number first, then any others, each E.164, no repeats.
  if (body.contains("from_numbers") && !body["from_numbers"].is_null()) {
    const json& list = body["from_numbers"];
    if (!list.is_array() || list.empty() || list.size() > 100)
      bad_field("from_numbers", "must be an array of 1..100 phone numbers");
    spec.from_numbers = {spec.from_number};
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string at = "from_numbers[" + std::to_string(i) + "]";
      if (!list[i].is_string()) bad_field(at, "must be a string");
      auto n = normalize_phone(list[i].get<std::string>(), config.default_region);
      if (!n) bad_field(at, n.error().message);
      auto e164 = *n;
      if (std::find(spec.from_numbers.begin(), spec.from_numbers.end(), e164) == spec.from_numbers.end())
        spec.from_numbers.push_back(e164);
    }
  }
  apply_settings(body, spec);
  if (body.contains("required_variables") && !body["required_variables"].is_null()) {
    const json& req = body["required_variables"];
    if (!req.is_array()) bad_field("required_variables", "must be an array of variable names");
    for (const auto& v : req) {
      if (!v.is_string() || v.get<std::string>().empty())
        bad_field("required_variables", "each name must be a non-empty string");
      spec.required_variables.push_back(v.get<std::string>());
    }
  }

  provider_options(ctx, body, spec);

  auto status = opt_string(body, "status", "status");
  if (status && *status != "draft" && *status != "scheduled")
    bad_field("status", "must be draft or scheduled, got '" + *status + "'");
  if (status == "scheduled" && !spec.trigger_at)
    bad_field("status", "scheduled needs a start time (scheduled_at or trigger_timestamp)");
  if (status == "draft") {
    spec.status = CampaignStatus::draft;
  } else if (spec.schedule_type == "scheduled") {
    spec.status = CampaignStatus::scheduled;
  } else {
    spec.status = CampaignStatus::running;
  }

  const std::string region = config.default_region;  // the config may be replaced while this waits
  const auto budget = std::chrono::milliseconds(config.db_busy_timeout_ms);
  std::vector<ContactInput> contacts;
  if (body.contains("contacts") && !body["contacts"].is_null()) {
    const json& list = body["contacts"];
    if (!list.is_array()) bad_field("contacts", std::string("must be an array, got ") + list.type_name());
    contacts.reserve(list.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i > 0 && i % kCreateSlice == 0) co_await yield_to_loop();
      contacts.push_back(parse_contact(list[i], "contacts[" + std::to_string(i) + "]", region, ctx.clock.now_ms()));
      check_required(contacts.back(), spec.required_variables, "contacts[" + std::to_string(i) + "]");
    }
  }

  co_await records_of_book(ctx, req, body, spec, contacts);

  auto now = ctx.clock.now_ms();
  const CampaignStatus final_status = spec.status;
  const bool sliced = contacts.size() > kCreateSlice;
  if (sliced) spec.status = CampaignStatus::draft;
  std::vector<ContactInput> first;  // the first slice, copied only when there is more than one
  if (sliced) first.assign(contacts.begin(), contacts.begin() + static_cast<std::ptrdiff_t>(kCreateSlice));
  const std::vector<ContactInput>& head = sliced ? first : contacts;
  CampaignId id = co_await store::when_unlocked([&] { return ctx.campaigns.create_campaign(spec, head, now); }, budget);
  json failed_chunks = json::array();
  for (std::size_t start = kCreateSlice, chunk_no = 2; start < contacts.size(); start += kCreateSlice, ++chunk_no) {
    co_await yield_to_loop();
    const std::vector<ContactInput> chunk(
        contacts.begin() + static_cast<std::ptrdiff_t>(start),
        contacts.begin() + static_cast<std::ptrdiff_t>(std::min(contacts.size(), start + kCreateSlice)));
    try {
      co_await store::when_unlocked([&] { ctx.campaigns.add_contacts(id, chunk, now); }, budget);
    } catch (const store::StorageError& e) {
      spdlog::error("campaign {}: contacts chunk {} failed: {}", id, chunk_no, e.what());
      failed_chunks.push_back({{"chunk", chunk_no}, {"error", "could not store this chunk; nothing of it was kept"}});
    }
  }
  if (sliced && final_status != CampaignStatus::draft)
    co_await store::when_unlocked([&] { ctx.campaigns.set_campaign_status(id, final_status, ctx.clock.now_ms()); },
                                  budget);
  spdlog::info("campaign {}: created '{}' with {} contacts, provider {}, status {}", id, spec.name, contacts.size(),
               spec.provider, to_string(final_status));
  ctx.scheduler.wake();
  auto campaign = ctx.campaigns.campaign(id);
  json data = campaign_json(*campaign, ctx.campaigns.counts(id));
  if (!failed_chunks.empty()) data["failed_chunks"] = failed_chunks;
  if (sliced) {
    // Freeing a long list's parsed records takes tens of milliseconds: the worker does it.
    co_await off_loop([&] {
      body = json();
      std::vector<ContactInput>().swap(contacts);
    });
  }
  co_return envelope(201, data, ctx.clock.now_ms());
}

// POST /v1/campaigns/{id}/duplicate {name, contacts, status, scheduled_at | trigger_timestamp}: a new
// campaign with this one's settings (docs/API.md, "Duplicating a campaign"), in draft unless asked
// otherwise, with none of its contacts (the default), those whose call is not completed, or all. Not
// copied: its start time and the lists it follows. The contacts go in 1000 per transaction, the loop
// serving others in between; the copy stays draft until they are all in.
awaitable<http::Response> duplicate_campaign(Context& ctx, const http::Request& req, const http::Params& params) {
  const auto budget = std::chrono::milliseconds(ctx.config().db_busy_timeout_ms);
  auto source = co_await store::when_unlocked([&] { return owned_campaign(ctx, req, params.at("id")); }, budget);
  json body = req.body.empty() ? json::object() : parse_json_body(req);
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& item : body.items()) {
    const std::string& k = item.key();
    if (k != "name" && k != "contacts" && k != "status" && k != "scheduled_at" && k != "trigger_timestamp")
      bad_field(k, "unknown field");
  }
  CampaignSpec spec = source.spec;
  auto name = opt_string(body, "name", "name", 255);
  if (name && name->empty()) bad_field("name", "must not be empty");
  spec.name = name ? *name : source.spec.name + " (copy)";
  const auto which = opt_string(body, "contacts", "contacts", 32).value_or("none");
  if (which != "none" && which != "not_completed" && which != "all")
    bad_field("contacts", "must be none, not_completed or all, got '" + which + "'");
  auto scheduled_at = opt_string(body, "scheduled_at", "scheduled_at", 64);
  auto trigger_ts = opt_int(body, "trigger_timestamp", "trigger_timestamp", 0, 253402300799999);
  if (scheduled_at && trigger_ts) bad_field("scheduled_at", "give scheduled_at or trigger_timestamp, not both");
  spec.trigger_at.reset();
  if (scheduled_at) {
    spec.trigger_at = util::parse_rfc3339(*scheduled_at);
    if (!spec.trigger_at) bad_field("scheduled_at", "must be an RFC 3339 date-time such as 2026-03-20T09:00:00Z");
  }
  if (trigger_ts) spec.trigger_at = *trigger_ts;
  spec.schedule_type = spec.trigger_at ? "scheduled" : "immediate";
  const auto status = opt_string(body, "status", "status", 32).value_or("draft");
  if (status != "draft" && status != "running" && status != "scheduled")
    bad_field("status", "must be draft, running or scheduled, got '" + status + "'");
  if (status == "scheduled" && !spec.trigger_at)
    bad_field("status", "scheduled needs a start time (scheduled_at or trigger_timestamp)");
  if (status == "running" && spec.trigger_at)
    bad_field("status", "running starts at once; give status scheduled with a start time");
  const CampaignStatus final_status = status == "draft"     ? CampaignStatus::draft
                                      : status == "running" ? CampaignStatus::running
                                                            : CampaignStatus::scheduled;
  spec.follow_lists.clear();
  spec.options.erase("follow_lists");
  if (!ctx.scheduler.providers().count(spec.provider))
    throw BadRequest(409, "unusable_campaign",
                     "campaign " + params.at("id") + "'s provider '" + spec.provider +
                         "' is not configured on this daemon: the copy could not send its calls");
  spec.status = CampaignStatus::draft;  // until its contacts are in
  const auto now = ctx.clock.now_ms();
  CampaignId id = co_await store::when_unlocked([&] { return ctx.campaigns.create_campaign(spec, {}, now); }, budget);
  std::int64_t copied = 0;
  if (which != "none") {
    CallId after = 0;
    for (;;) {
      auto page = co_await store::when_unlocked(
          [&] { return ctx.campaigns.call_records(source.id, which == "not_completed", after, kCreateSlice); }, budget);
      if (page.empty()) break;
      after = page.back().call_id;
      std::vector<ContactInput> contacts;
      contacts.reserve(page.size());
      for (auto& r : page) contacts.push_back(std::move(r.contact));
      co_await store::when_unlocked([&] { ctx.campaigns.add_contacts(id, contacts, now); }, budget);
      copied += static_cast<std::int64_t>(contacts.size());
      if (page.size() < kCreateSlice) break;
      co_await yield_to_loop();
    }
  }
  if (final_status != CampaignStatus::draft)
    co_await store::when_unlocked([&] { ctx.campaigns.set_campaign_status(id, final_status, ctx.clock.now_ms()); },
                                  budget);
  spdlog::info("campaign {}: duplicated from campaign {} with {} contacts ({}), status {}", id, source.id, copied,
               which, to_string(final_status));
  ctx.scheduler.wake();
  json data = campaign_json(*ctx.campaigns.campaign(id), ctx.campaigns.counts(id));
  data["duplicated_from"] = std::to_string(source.id);
  data["contacts_copied"] = copied;
  co_return envelope(201, data, ctx.clock.now_ms());
}

http::Response get_campaign(Context& ctx, const http::Request& req, const http::Params& params) {
  auto campaign = owned_campaign(ctx, req, params.at("id"));
  return envelope(200, campaign_json(campaign, ctx.campaigns.counts(campaign.id)), ctx.clock.now_ms());
}

// POST /v1/campaigns/{id}/contacts: records added in chunks of 1000, each its own transaction. Invalid
// records are reported one by one and the rest still go in; a record matching a pending call of the
// campaign updates it (addCallsToBatch).
awaitable<http::Response> add_contacts(Context& ctx, const http::Request& req, const http::Params& params) {
  auto campaign = std::optional<Campaign>(owned_campaign(ctx, req, params.at("id")));
  CampaignId id = campaign->id;
  if (campaign->status == CampaignStatus::completed || campaign->status == CampaignStatus::cancelled)
    throw BadRequest(409, "invalid_transition",
                     "campaign " + params.at("id") + " is " + std::string(to_string(campaign->status)) +
                         "; create a new campaign for more calls");
  auto media = media_type(req);
  if (media != "text/csv" && media != "application/json")
    throw BadRequest(415, "unsupported_media_type", "Content-Type must be application/json or text/csv");
  json body;
  if (media == "application/json")
    body = co_await parse_json_body_off_loop(req);
  else if (req.body.size() < kParseOnLoopBytes)
    body = csv_records(req.body);
  else
    body = co_await json_off_loop([&req] { return csv_records(req.body); });
  const json* records = &body;
  std::string list_name = "";
  // The upload's priority: its records' unless a record gives its own (?priority= for a CSV body).
  std::optional<int> priority;
  if (auto it = req.query.find("priority"); it != req.query.end())
    priority = parse_priority(json(it->second), "priority");
  if (body.is_object()) {
    for (const char* key : {"contacts", "call_data"})
      if (body.contains(key)) {
        records = &body[key];
        list_name = key;
      }
    for (const auto& [k, v] : body.items())
      if (k != "contacts" && k != "call_data" && k != "priority")
        bad_field(k, "unknown field (give contacts or call_data, and optionally priority)");
    if (body.contains("priority") && !body["priority"].is_null()) {
      if (priority) bad_field("priority", "give it in the body or in the query, not both");
      priority = parse_priority(body["priority"], "priority");
    }
  }
  if (!records->is_array()) bad_field(list_name.empty() ? "contacts" : list_name, "must be an array of records");
  if (records->empty()) bad_field(list_name.empty() ? "contacts" : list_name, "must not be empty");
  const std::string prefix = list_name.empty() ? "" : list_name;

  const auto& region = ctx.config().default_region;
  constexpr std::size_t kChunk = 1000;
  json errors = json::array(), failed_chunks = json::array(), call_ids = json::array();
  std::int64_t added = 0, updated = 0;
  auto now = ctx.clock.now_ms();
  const auto budget = std::chrono::milliseconds(ctx.config().db_busy_timeout_ms);
  for (std::size_t start = 0, chunk_no = 1; start < records->size(); start += kChunk, ++chunk_no) {
    if (start > 0) {
      // Between chunks the loop serves everything else; the campaign may have ended meanwhile.
      co_await yield_to_loop();
      auto status = ctx.campaigns.campaign(id)->status;
      if (status == CampaignStatus::completed || status == CampaignStatus::cancelled) {
        failed_chunks.push_back({{"chunk", chunk_no},
                                 {"error", "the campaign became " + std::string(to_string(status)) +
                                               " during the upload; this chunk and the ones after it were not added"}});
        break;
      }
    }
    std::vector<ContactInput> valid;
    for (std::size_t i = start; i < std::min(records->size(), start + kChunk); ++i) {
      try {
        auto c = parse_contact((*records)[i], "contacts[" + std::to_string(i) + "]", region, now);
        if (!c.priority) c.priority = priority;
        check_required(c, campaign->spec.required_variables, "contacts[" + std::to_string(i) + "]");
        valid.push_back(std::move(c));
      } catch (const BadRequest& e) {
        std::string field = e.field, message = e.message;
        if (!prefix.empty() && field.rfind("contacts", 0) == 0) {
          field = prefix + field.substr(8);
          if (message.rfind("contacts", 0) == 0) message = prefix + message.substr(8);
        }
        errors.push_back({{"index", i}, {"field", field}, {"message", message}});
      }
    }
    if (valid.empty()) continue;
    try {
      auto r = co_await store::when_unlocked([&] { return ctx.campaigns.add_contacts(id, valid, now); }, budget);
      added += r.added;
      updated += r.updated;
      for (auto cid : r.call_ids) call_ids.push_back(std::to_string(cid));
    } catch (const store::StorageError& e) {
      // Nothing stored yet: the whole request failed, and the caller gets the storage error (503 when the
      // disk is full) rather than a partial-success answer.
      if (added + updated == 0) throw;
      spdlog::error("campaign {}: contacts chunk {} failed: {}", id, chunk_no, e.what());
      failed_chunks.push_back({{"chunk", chunk_no}, {"error", "could not store this chunk; nothing of it was kept"}});
    } catch (const std::exception& e) {
      spdlog::error("campaign {}: contacts chunk {} failed: {}", id, chunk_no, e.what());
      failed_chunks.push_back({{"chunk", chunk_no}, {"error", "could not store this chunk; nothing of it was kept"}});
    }
  }
  if (added + updated > 0) ctx.scheduler.wake();
  auto answer = [&]() -> http::Response {
    json data = {{"added", added}, {"updated", updated}, {"call_ids", std::move(call_ids)}};
    if (errors.empty() && failed_chunks.empty()) return envelope(200, data, now);
    data["failed_chunks"] = failed_chunks;
    data["errors"] = errors;
    if (added + updated == 0 && failed_chunks.empty()) {
      // Nothing went in: the usual error shape, naming the first bad field, with every record's error.
      http::Response r =
          http::error_response(400, "invalid_records",
                               std::to_string(errors.size()) +
                                   " record(s) invalid, none added; first: " + errors[0]["message"].get<std::string>(),
                               errors[0]["field"].get<std::string>());
      auto j = json::parse(r.body);
      j["errors"] = errors;
      r.body = j.dump();
      return r;
    }
    return envelope(207, data, now);
  };
  if (records->size() <= kCreateSlice) co_return answer();
  // For a big upload, writing the answer (an id per record) and freeing the parsed records take tens of
  // milliseconds: the worker does it.
  http::Response out;
  co_await off_loop([&] {
    out = answer();
    body = json();
  });
  co_return out;
}

// GET /v1/campaigns?status=&limit=&after=: campaigns in id order, with their counts.
http::Response list_campaigns(Context& ctx, const http::Request& req) {
  std::optional<CampaignStatus> status;
  if (auto it = req.query.find("status"); it != req.query.end()) {
    status = campaign_status_from(it->second);
    if (!status) bad_field("status", "must be draft, scheduled, running, paused, completed or cancelled");
  }
  auto number = [&](const char* key, std::int64_t fallback, std::int64_t min, std::int64_t max) -> std::int64_t {
    auto it = req.query.find(key);
    if (it == req.query.end()) return fallback;
    const auto& v = it->second;
    if (!is_digits(v) || std::stoll(v) < min || std::stoll(v) > max)
      bad_field(key, "must be an integer " + std::to_string(min) + ".." + std::to_string(max));
    return std::stoll(v);
  };
  int limit = static_cast<int>(number("limit", 50, 1, 500));
  CampaignId after = number("after", 0, 0, std::numeric_limits<std::int64_t>::max());
  auto ids = ctx.reports.campaign_ids(req.workspace, status, after, limit + 1);
  bool more = static_cast<int>(ids.size()) > limit;
  if (more) ids.pop_back();
  json items = json::array();
  for (auto id : ids)
    if (auto c = ctx.campaigns.campaign(id)) items.push_back(campaign_json(*c, ctx.campaigns.counts(id)));
  json data = {{"items", items}, {"next_after", more ? json(std::to_string(ids.back())) : json(nullptr)}};
  return envelope(200, data, ctx.clock.now_ms());
}

// POST /v1/campaigns/{id}/start|pause|resume|cancel: idempotent; 409 when the move is impossible.
http::Response change_status(Context& ctx, const http::Request& req, const http::Params& params,
                             const std::string& action) {
  auto campaign = std::optional<Campaign>(owned_campaign(ctx, req, params.at("id")));
  CampaignId id = campaign->id;
  auto now = ctx.clock.now_ms();
  const auto from = campaign->status;
  const bool future_start =
      campaign->spec.schedule_type == "scheduled" && campaign->spec.trigger_at && *campaign->spec.trigger_at > now;
  auto conflict = [&](const std::string& why) {
    throw BadRequest(409, "invalid_transition",
                     "cannot " + action + " campaign " + params.at("id") + ": it is " + std::string(to_string(from)) +
                         (why.empty() ? "" : " (" + why + ")"));
  };
  std::optional<CampaignStatus> to;
  if (action == "start") {
    if (from == CampaignStatus::draft)
      to = future_start ? CampaignStatus::scheduled : CampaignStatus::running;
    else if (from == CampaignStatus::scheduled)
      to = CampaignStatus::running;  // start now, before its time
    else if (from == CampaignStatus::paused)
      conflict("use resume");
    else if (from != CampaignStatus::running)
      conflict("");
  } else if (action == "pause") {
    if (from == CampaignStatus::running || from == CampaignStatus::scheduled)
      to = CampaignStatus::paused;
    else if (from != CampaignStatus::paused)
      conflict(from == CampaignStatus::draft ? "not started" : "");
  } else if (action == "resume") {
    if (from == CampaignStatus::paused)
      to = future_start ? CampaignStatus::scheduled : CampaignStatus::running;
    else if (from == CampaignStatus::draft)
      conflict("use start");
    else if (from != CampaignStatus::running && from != CampaignStatus::scheduled)
      conflict("");
  } else {  // cancel: cancel_campaign below
    if (from == CampaignStatus::completed) conflict("");
    if (from != CampaignStatus::cancelled) {
      if (!ctx.campaigns.cancel_campaign(id, "campaign cancelled", now)) conflict("");
      spdlog::warn("campaign {}: cancelled; its pending calls are skipped", id);
    }
  }
  if (to) {
    if (!ctx.campaigns.set_campaign_status(id, *to, now)) conflict("");
    spdlog::info("campaign {}: {} -> {} ({})", id, to_string(from), to_string(*to), action);
  }
  ctx.scheduler.wake();
  return envelope(200, campaign_json(*ctx.campaigns.campaign(id), ctx.campaigns.counts(id)), now);
}

// POST /v1/campaigns/{id}/cancel: the move, then the pending calls skipped a slice at a time (a campaign of
// a million calls would otherwise stop the loop for seconds); answered when none is left. Another cancel
// of the same campaign meanwhile sweeps along, and a stop in the middle is finished at start-up.
awaitable<http::Response> cancel_campaign(Context& ctx, const http::Request& req, const http::Params& params) {
  const auto budget = std::chrono::milliseconds(ctx.config().db_busy_timeout_ms);
  co_await store::when_unlocked([&] { return change_status(ctx, req, params, "cancel"); }, budget);
  const CampaignId id = parse_id(params.at("id"), "campaign");
  for (;;) {
    int skipped = co_await store::when_unlocked(
        [&] {
          return ctx.campaigns.skip_pending(id, "campaign cancelled", ctx.clock.now_ms(),
                                            store::Campaigns::kCancelSlice);
        },
        budget);
    if (skipped < store::Campaigns::kCancelSlice) break;
    co_await yield_to_loop();
  }
  const auto now = ctx.clock.now_ms();
  co_return envelope(200, campaign_json(*ctx.campaigns.campaign(id), ctx.campaigns.counts(id)), now);
}

// GET /v1/campaigns/{id}/forecast. The sample of the pending calls' places is spread over the whole
// campaign (the calls whose id is a multiple of pending / kSample, rounded up, with their due times); the index is read
// kForecastPage entries at a time, the loop serving between pages, so a campaign of millions of calls costs time on
// this request only.
awaitable<http::Response> get_forecast(Context& ctx, const http::Request& req, const http::Params& params) {
  auto campaign = std::optional<Campaign>(owned_campaign(ctx, req, params.at("id")));
  CampaignId id = campaign->id;
  std::string error;
  auto rules = ctx.scheduler.rules_for(*campaign, error);
  if (!rules) throw BadRequest(409, "unusable_campaign", error);
  rules->running = true;  // forecast as if it runs (a draft or paused campaign too)
  // A do-not-call list missing or past its max age stops the campaign: the curve is from its refresh.
  const auto blocked = schedule::dnc_lists_unusable(*rules, ctx.clock.now_ms());
  rules->dnc_lists.clear();
  rules->dnc_missing.clear();
  constexpr int kSample = 500;
  schedule::ForecastInput in;
  in.campaign = &*rules;
  in.pending = ctx.campaigns.counts(id).pending;
  constexpr int kForecastPage = 20000;
  // Rounded up, so at most about kSample calls match and the sample spans the whole queue, not its head.
  const std::int64_t step = std::max<std::int64_t>(1, (in.pending + kSample - 1) / kSample);
  std::vector<store::Reports::DueKey> picked;
  std::optional<store::Reports::DueKey> after;
  for (;;) {
    auto page = ctx.reports.pending_page(id, after, kForecastPage);
    for (const auto& key : page)
      if (key.call_id % step == 0 && picked.size() < static_cast<std::size_t>(kSample)) picked.push_back(key);
    if (page.size() < static_cast<std::size_t>(kForecastPage) || picked.size() >= static_cast<std::size_t>(kSample))
      break;
    after = page.back();
    co_await yield_to_loop();
  }
  // From here on nothing waits: the config in force (a reload may have replaced it meanwhile) and the time.
  const auto& config = ctx.config();
  const auto now = ctx.clock.now_ms();
  in.legal = &config.legal;
  for (const auto& key : picked)
    if (auto place = ctx.reports.call_place(key.call_id)) {
      in.sample.push_back(
          schedule::resolve_place(place->timezone, place->phone, rules->zone, config.legal.unknown_zone));
      in.sample_due.push_back(key.next_attempt_at);  // a callback's not_before, a retry's delay, a deferral
      in.sample_priority.push_back(place->priority);
    }
  if (rules->max_calls_per_day)
    in.calls_today = ctx.campaigns.campaign_calls_since(id, schedule::local_day_start(rules->zone, now));
  if (const auto& cap = campaign->spec.max_calls_per_number_per_day) {
    in.numbers_per_day = static_cast<double>(*cap) * static_cast<double>(campaign->spec.caller_ids().size());
    for (const auto& use : ctx.campaigns.number_uses(*campaign, schedule::local_day_start(rules->zone, now)))
      in.numbers_used_today += static_cast<double>(std::min<std::int64_t>(use.calls_today, *cap));
  }
  in.call_duration_s = config.forecast_call_duration_s;
  in.now = now;
  auto f = schedule::forecast(in);
  json hours = json::array();
  for (const auto& h : f.hours)
    hours.push_back(
        {{"start", util::format_rfc3339(h.start)}, {"calls", static_cast<std::int64_t>(std::llround(h.calls))}});
  // By priority, highest first: how many of the pending calls, and when the last of them starts.
  json priorities = json::array();
  for (const auto& l : f.levels)
    priorities.push_back({{"priority", l.priority},
                          {"pending", static_cast<std::int64_t>(std::llround(l.pending))},
                          {"estimated_finish", l.finish ? json(util::format_rfc3339(*l.finish)) : json(nullptr)}});
  json data = {{"campaign_id", std::to_string(id)},
               {"pending", in.pending},
               {"estimated_finish", f.finish ? json(util::format_rfc3339(*f.finish)) : json(nullptr)},
               {"finishes_within_horizon", f.finish.has_value()},
               {"horizon_days", in.horizon_hours / 24},
               {"remaining_after_horizon", static_cast<std::int64_t>(std::llround(f.remaining_after_horizon))},
               {"hours", hours},
               {"priorities", priorities},
               {"blocked", blocked ? json(*blocked) : json(nullptr)},
               {"assumptions",
                {{"call_duration_seconds", in.call_duration_s},
                 {"contacts_sampled", in.sample.size()},
                 {"ignores",
                  "retries still to come, per-contact daily caps, a workspace's ceiling, provider delays, numbers on "
                  "suppression and do-not-call lists, pre-dial answers, from numbers' calls for other campaigns and "
                  "their rests"}}}};
  co_return envelope(200, data, now);
}

}  // namespace

void register_campaign_routes(http::Router& router, Context& ctx) {
  router.add("GET", "/v1/campaigns",
             guarded([&ctx](const http::Request& req, const http::Params&) { return list_campaigns(ctx, req); }));
  router.add("PATCH", "/v1/campaigns/{id}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return patch_campaign(ctx, r, p); }));
  router.add_async("POST", "/v1/campaigns/{id}/duplicate",
                   [&ctx](const http::Request& r, const http::Params& p) { return duplicate_campaign(ctx, r, p); });
  router.add_async("POST", "/v1/campaigns/{id}/contacts",
                   [&ctx](const http::Request& r, const http::Params& p) { return add_contacts(ctx, r, p); });
  for (std::string action : {"start", "pause", "resume"})
    router.add("POST", "/v1/campaigns/{id}/" + action,
               guarded([&ctx, action](const http::Request& r, const http::Params& p) {
                 return change_status(ctx, r, p, action);
               }));
  router.add_async("POST", "/v1/campaigns/{id}/cancel",
                   [&ctx](const http::Request& r, const http::Params& p) { return cancel_campaign(ctx, r, p); });
  router.add_async("GET", "/v1/campaigns/{id}/forecast",
                   [&ctx](const http::Request& r, const http::Params& p) { return get_forecast(ctx, r, p); });
  router.add_async("POST", "/v1/campaigns",
                   [&ctx](const http::Request& req, const http::Params&) { return create_campaign(ctx, req); });
  router.add("GET", "/v1/campaigns/{id}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return get_campaign(ctx, r, p); }));
}

}  // namespace dialerd::api
