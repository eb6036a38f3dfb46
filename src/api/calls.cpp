// Calls: one call now (POST /v1/calls, /v1/calls/bulk, like Veritus's bulk and single calls), a call in full, a
// campaign's calls, and operator decisions on held calls (POST /v1/calls/{id}/release|fail and POST
// /v1/campaigns/{id}/held/release|fail).
#include <limits>
#include <map>

#include <spdlog/spdlog.h>

#include "common.hpp"
#include "contact_input.hpp"
#include "dialerd/providers/kinds.hpp"
#include "dialerd/schedule/compliance.hpp"
#include "dialerd/store/lock_wait.hpp"

namespace dialerd::api {

namespace {

std::string reason_of(const http::Request& req, store::HeldAction action) {
  std::string fallback = action == store::HeldAction::release ? "released by an operator" : "failed by an operator";
  if (req.body.empty()) return fallback;
  json body = parse_json_body(req);
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& [k, v] : body.items())
    if (k != "reason") bad_field(k, "unknown field");
  return opt_string(body, "reason", "reason", 1000).value_or(fallback);
}

http::Response resolve_one(Context& ctx, const http::Request& req, const http::Params& params,
                           store::HeldAction action) {
  auto id = parse_id(params.at("id"), "call");
  auto ref = ctx.reports.call_ref(req.workspace, id);
  if (!ref) throw BadRequest(404, "not_found", "no call " + params.at("id"));
  std::string reason = reason_of(req, action);
  if (action == store::HeldAction::release &&
      ctx.campaigns.campaign(ref->campaign_id)->status == domain::CampaignStatus::cancelled)
    throw BadRequest(409, "invalid_transition", "the call's campaign is cancelled; fail the call instead");
  if (ref->state != domain::CallState::held)
    throw BadRequest(409, "not_held",
                     "call " + params.at("id") + " is " + std::string(domain::to_string(ref->state)) +
                         "; only held calls can be released or failed");
  auto moved = ctx.outcomes.resolve_held({id}, action, reason, ctx.clock.now_ms());
  spdlog::warn("campaign {} call {}: held call {} by operator ({})", ref->campaign_id, id,
               action == store::HeldAction::release ? "released" : "failed", reason);
  ctx.scheduler.wake();
  return envelope(200, {{"moved", moved.size()}, {"call_ids", moved}}, ctx.clock.now_ms());
}

// POST /v1/campaigns/{id}/held/release|fail: every held call of the campaign, 2000 per transaction with the
// loop serving in between (a crash-heavy run can leave hundreds of thousands held).
awaitable<http::Response> resolve_campaign(Context& ctx, const http::Request& req, const http::Params& params,
                                           store::HeldAction action) {
  auto campaign = owned_campaign(ctx, req, params.at("id"));
  auto id = campaign.id;
  std::string reason = reason_of(req, action);
  if (action == store::HeldAction::release && campaign.status == domain::CampaignStatus::cancelled)
    throw BadRequest(409, "invalid_transition",
                     "campaign " + params.at("id") + " is cancelled; fail its held calls instead");
  constexpr std::size_t kSlice = 2000;
  const auto budget = std::chrono::milliseconds(ctx.config().db_busy_timeout_ms);
  const auto held = ctx.outcomes.held_calls(id);
  std::vector<domain::CallId> moved;
  for (std::size_t start = 0; start < held.size(); start += kSlice) {
    if (start > 0) co_await yield_to_loop();
    const std::vector<domain::CallId> slice(
        held.begin() + static_cast<std::ptrdiff_t>(start),
        held.begin() + static_cast<std::ptrdiff_t>(std::min(held.size(), start + kSlice)));
    auto done = co_await store::when_unlocked(
        [&] { return ctx.outcomes.resolve_held(slice, action, reason, ctx.clock.now_ms()); }, budget);
    moved.insert(moved.end(), done.begin(), done.end());
  }
  spdlog::warn("campaign {}: {} held call(s) {} by operator ({})", id, moved.size(),
               action == store::HeldAction::release ? "released" : "failed", reason);
  ctx.scheduler.wake();
  co_return envelope(200, {{"moved", moved.size()}, {"call_ids", moved}}, ctx.clock.now_ms());
}

json checks_json(const std::vector<schedule::Check>& checks) {
  json out = json::array();
  for (const auto& c : checks) {
    json check = {{"id", c.id}, {"name", c.name}, {"description", c.description}, {"reason", c.reason}};
    if (!c.source.empty()) check["source"] = c.source;
    out.push_back(std::move(check));
  }
  return out;
}

// A compliance decision as Veritus explains one: the checks passed and failed, with reasons.
json decision_json(const schedule::Decision& d) {
  const char* verdict = d.kind == schedule::Decision::Kind::dispatch ? "dispatch"
                        : d.kind == schedule::Decision::Kind::skip   ? "skip"
                                                                     : "wait";
  return {{"passed", d.failed.empty()},
          {"verdict", verdict},
          {"eligible_at", d.until ? json(util::format_rfc3339(*d.until)) : json(nullptr)},
          {"checks_passed", checks_json(d.passed)},
          {"checks_failed", checks_json(d.failed)}};
}

// Where a pending call stands in its campaign's claim order (store/claims.hpp): its priority and, when it
// is due, how many due calls go before it.
json queue_json(Context& ctx, const store::CallDetail& d, domain::UnixMs now) {
  constexpr std::int64_t kAheadCap = 10000;  // counted up to this many: the count costs what it counts
  const std::string order =
      "calls of a higher priority go first, then those of the same priority due earlier; for every " +
      std::to_string(domain::kPriorityFairEvery - 1) +
      " calls the campaign takes by priority, it then takes the call due longest, whatever its priority, so none "
      "waits forever";
  const std::string level = "Priority " + std::to_string(d.priority) + " (0-" + std::to_string(domain::kMaxPriority) +
                            ", higher first; 0 is the default)";
  if (d.next_attempt_at > now)
    return {{"priority", d.priority}, {"due_calls_ahead", nullptr}, {"reason", level + ". Once it is due, " + order}};
  auto ahead =
      ctx.reports.due_ahead(d.campaign_id, d.priority, {d.next_attempt_at, d.candidate.call.id}, now, kAheadCap);
  const std::string count = ahead >= kAheadCap ? "at least " + std::to_string(kAheadCap) : std::to_string(ahead);
  return {{"priority", d.priority},
          {"due_calls_ahead", std::min(ahead, kAheadCap)},
          {"reason", level + ": " + count + " due call(s) go before it; " + order}};
}

// A call in full: its state, its attempts, and the compliance checks as they stand now.
http::Response get_call(Context& ctx, const http::Request& req, const http::Params& params) {
  auto id = parse_id(params.at("id"), "call");
  // Ownership first, by the same query for a missing id and another workspace's: only then the details.
  auto ref = ctx.reports.call_ref(req.workspace, id);
  auto detail = ref ? ctx.reports.call_detail(id) : std::nullopt;
  auto campaign = detail ? ctx.campaigns.campaign(req.workspace, detail->campaign_id) : std::nullopt;
  if (!detail || !campaign) throw BadRequest(404, "not_found", "no call " + params.at("id"));
  auto now = ctx.clock.now_ms();
  const auto& call = detail->candidate.call;
  json attempts = json::array();
  for (const auto& a : detail->history)
    attempts.push_back({{"number", a.number},
                        {"dispatch_key", a.dispatch_key},
                        {"from_number", a.from_number.empty() ? json(nullptr) : json(a.from_number)},
                        {"provider_call_id", a.provider_call_id.empty() ? json(nullptr) : json(a.provider_call_id)},
                        {"outcome", a.outcome.empty() ? json(nullptr) : json(a.outcome)},
                        {"detail", a.detail.empty() ? json(nullptr) : json(a.detail)},
                        {"submitted_at", util::format_rfc3339(a.submitted_at)},
                        {"finished_at", a.finished_at ? json(util::format_rfc3339(*a.finished_at)) : json(nullptr)}});
  auto opt = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  json data = {{"id", std::to_string(call.id)},
               {"campaign_id", std::to_string(detail->campaign_id)},
               {"phone_number", call.phone},
               {"state", domain::to_string(detail->state)},
               {"attempts", detail->attempts},
               {"next_attempt_at", util::format_rfc3339(detail->next_attempt_at)},
               {"not_before", detail->candidate.not_before ? json(util::format_rfc3339(*detail->candidate.not_before))
                                                           : json(nullptr)},
               {"last_outcome", opt(detail->last_outcome)},
               {"last_error", opt(detail->last_error)},
               {"provider_call_id", opt(detail->provider_call_id)},
               {"priority", detail->priority},
               {"variables", call.parsed_variables()},
               {"created_at", util::format_rfc3339(detail->created_at)},
               {"updated_at", util::format_rfc3339(detail->updated_at)},
               {"attempt_history", attempts}};
  if (detail->state == domain::CallState::pending) data["queue"] = queue_json(ctx, *detail, now);
  std::string error;
  auto rules = campaign ? ctx.scheduler.rules_for(*campaign, error) : std::nullopt;
  if (rules) {
    auto facts = live_facts(ctx, *campaign, *rules, 0, now);
    schedule::ContactPlace place;
    auto d = ctx.scheduler.evaluate(*rules, detail->candidate, ctx.claims.history(), facts, now, &place);
    json zones = json::array();
    for (auto z : place.zones) zones.push_back(schedule::zone_label(z));
    json compliance = decision_json(d);
    compliance["evaluated_at"] = util::format_rfc3339(now);
    compliance["contact_zones"] = zones;
    compliance["zone_source"] = place.zone_source;
    compliance["region"] = place.region.empty() ? json(nullptr) : json(place.region);
    compliance["rule_set"] = ctx.config().legal.rule_set;
    data["compliance"] = std::move(compliance);
  }
  return envelope(200, data, now);
}

// --- One call now: POST /v1/calls and POST /v1/calls/bulk --------------------------------------------

// What one record of a call-now request came to.
struct CallNowResult {
  std::string phone;  // E.164, or the raw text when it did not parse
  bool success = false;
  json data;          // success: the call
  std::string error;  // failure: one line
  std::string code;   // failure: invalid_field | call_in_flight | not_eligible
  std::string field;  // invalid_field: which
  json compliance;    // not_eligible: the decision
};

// "Contact not eligible for a call now. 2 failed rule(s): 1. Respectful Hours [...], 2. ..." (Veritus).
std::string not_eligible_message(const schedule::Decision& d) {
  std::string out = "contact not eligible for a call now. " + std::to_string(d.failed.size()) + " failed rule(s): ";
  for (std::size_t i = 0; i < d.failed.size(); ++i)
    out += (i ? ", " : "") + std::to_string(i + 1) + ". " + d.failed[i].name + " [" + d.failed[i].reason + "]";
  return out;
}

domain::CampaignId campaign_id_of(const json& body) {
  if (!body.contains("campaign_id") || body["campaign_id"].is_null()) bad_field("campaign_id", "is required");
  const json& v = body["campaign_id"];
  if (v.is_string()) {
    auto text = v.get<std::string>();
    if (is_digits(text) && std::stoll(text) > 0) return std::stoll(text);
  }
  if (v.is_number_integer() && v.get<std::int64_t>() > 0) return v.get<std::int64_t>();
  bad_field("campaign_id", "must be a campaign id (a string or a positive integer)");
}

// A record a call-now request names: inline, or a contact-book record named by contact id or customer id.
struct NamedRecord {
  json record;                             // the record (for a named one: made from the contact)
  std::string at;                          // where the request names it, for errors
  json ref;                                // a named one's {"contact_id": ...} or {"customer_id": ...}, else null
  std::optional<BadRequest> refused;       // an id the workspace does not have (bulk: this record's result)
  std::optional<std::int64_t> contact_id;  // a named one's record
};

// The record of a contact-book entry, as a client would send it inline (domain::call_input's fields).
json book_record(const domain::Contact& c) {
  auto in = domain::call_input(c);
  json rec = {{"phone_number", in.phone}, {"variables", in.variables}};
  if (!in.first_name.empty()) rec["first_name"] = in.first_name;
  if (!in.last_name.empty()) rec["last_name"] = in.last_name;
  if (in.timezone) rec["timezone"] = *in.timezone;
  return rec;
}

// The record `ref` names by contact id (`by_id`) or by customer id; a refusal instead of a throw when the
// request answers per record.
NamedRecord named(Context& ctx, const http::Request& req, const json& ref, bool by_id, const std::string& at,
                  bool per_record) {
  NamedRecord out;
  out.at = at;
  out.ref = {{by_id ? "contact_id" : "customer_id", ref}};
  try {
    auto contact = by_id ? find_contact(ctx, req.workspace, ref, at) : find_customer(ctx, req.workspace, ref, at);
    out.record = book_record(contact);
    out.contact_id = contact.id;
  } catch (const BadRequest& e) {
    if (!per_record) throw;
    out.refused = e;
  }
  return out;
}

// Checks, claims and sends the records' calls. Records that fail validation never reach the store.
std::vector<CallNowResult> place_calls(Context& ctx, const http::Request& req, domain::CampaignId campaign_id,
                                       const std::vector<NamedRecord>& records, bool whole_request_on_bad_record) {
  auto campaign = owned_campaign(ctx, req, std::to_string(campaign_id));
  if (campaign.status != domain::CampaignStatus::running)
    throw BadRequest(409, "campaign_not_running",
                     "campaign " + std::to_string(campaign_id) + " is " +
                         std::string(domain::to_string(campaign.status)) +
                         "; calls are placed only for a running campaign",
                     "campaign_id");
  auto provider = ctx.scheduler.providers().find(campaign.spec.provider);
  if (provider == ctx.scheduler.providers().end())
    throw BadRequest(503, "provider_unavailable",
                     "the campaign's provider '" + campaign.spec.provider + "' is not configured on this daemon");
  if (!ctx.scheduler.claiming()) throw BadRequest(503, "shutting_down", "the daemon is stopping; no calls are placed");
  // The campaign's provider, or its failover while the provider's circuit breaker is open.
  domain::UnixMs open_until = 0;
  auto route = ctx.scheduler.provider_for_now(campaign, ctx.clock.now_ms(), open_until);
  if (!route) {
    BadRequest e(503, "provider_unavailable",
                 "the circuit breaker of provider '" + campaign.spec.provider + "'" +
                     (campaign.spec.failover_provider().empty()
                          ? std::string()
                          : " and of failover provider '" + campaign.spec.failover_provider() + "'") +
                     " is open after repeated failures; no call is placed (retry after " +
                     util::format_rfc3339(open_until) + ")");
    e.extra["retry_at"] = util::format_rfc3339(open_until);
    throw e;
  }
  provider = ctx.scheduler.providers().find(*route);
  std::string error;
  auto rules = ctx.scheduler.rules_for(campaign, error);
  if (!rules) throw BadRequest(409, "unusable_campaign", "campaign " + std::to_string(campaign_id) + ": " + error);

  std::vector<CallNowResult> results(records.size());
  std::vector<domain::ContactInput> inputs;
  std::vector<std::size_t> input_of;  // index into `results` of each input
  std::map<std::string, std::size_t> seen;
  const auto& region = ctx.config().default_region;
  const auto parsed_at = ctx.clock.now_ms();
  for (std::size_t i = 0; i < records.size(); ++i) {
    auto& r = results[i];
    const auto& at = records[i].at;
    if (records[i].refused) {
      r.code = records[i].refused->code;
      r.error = records[i].refused->message;
      r.field = records[i].refused->field;
      continue;
    }
    try {
      auto c = parse_contact(records[i].record, at, region, parsed_at);
      if (c.not_before)  // POST /v1/calls with a not_before schedules its call instead (schedule_call)
        bad_field(at + ".not_before",
                  "calls in a bulk request are placed now; schedule a call with POST /v1/calls and not_before, or "
                  "upload contacts with not_before");
      r.phone = c.phone;
      if (auto [it, fresh] = seen.emplace(c.phone, i); !fresh) {  // as Veritus: unique within a request
        // A named record is the id at fault; an inline one its number.
        std::string field = records[i].ref.is_null() ? at + ".phone_number" : at;
        throw BadRequest(400, "duplicate_contact", field + ": " + c.phone + " is also " + records[it->second].at,
                         field);
      }
      check_required(c, campaign.spec.required_variables, at);
      inputs.push_back(std::move(c));
      input_of.push_back(i);
    } catch (const BadRequest& e) {
      if (whole_request_on_bad_record || e.status != 400 || e.code == "duplicate_contact") throw;
      const json& rec = records[i].record;
      if (r.phone.empty() && rec.is_object())
        for (const char* k : {"phone_number", "phoneNumber", "to_number"})
          if (rec.contains(k) && !rec[k].is_null()) {
            r.phone = rec[k].is_string() ? rec[k].get<std::string>() : rec[k].dump();
            break;
          }
      r.code = e.code;
      r.error = e.message;
      r.field = e.field;
    }
  }

  auto now = ctx.clock.now_ms();
  std::vector<schedule::Decision> decisions;
  int placing = 0;  // calls this request has judged to go out so far (the campaign's pacing counts them)
  auto judge = [&](const store::Candidate& cand, store::History& history) {
    // Unlike the loop's claim, each call is judged against the campaign's live counts: the calls this
    // request placed before it are in flight and count.
    auto facts = live_facts(ctx, campaign, *rules, placing, now);
    decisions.push_back(ctx.scheduler.evaluate(*rules, cand, history, facts, now));
    store::Verdict v;
    v.kind = decisions.back().kind == schedule::Decision::Kind::dispatch ? store::Verdict::Kind::dispatch
                                                                         : store::Verdict::Kind::wait;
    placing += v.kind == store::Verdict::Kind::dispatch;
    return v;
  };
  store::ClaimOptions options;
  options.limit = provider->second->chunk_size();
  options.provider = provider->first;
  auto kind = providers::kind_info(provider->second->kind());
  options.caller_id_per_call = kind && kind->caller_id_per_call;
  options.chunk_per_caller_id = kind && kind->sends_caller_id && !kind->caller_id_per_call;
  // Caller-id health: what each from number may place; the judge's facts refuse the calls when none may.
  options.number_rooms = schedule::number_rooms(ctx.scheduler.caller_ids(campaign, *rules, now));
  auto placed = ctx.claims.place_now(campaign, inputs, options, now, judge);

  std::size_t next_decision = 0;
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    auto& r = results[input_of[k]];
    const auto& item = placed.items[k];
    if (item.busy_call_id) {
      r.code = "call_in_flight";
      r.field = records[input_of[k]].at;
      r.error = "contact " + r.phone + " already has call " + std::to_string(*item.busy_call_id) + " of campaign " +
                std::to_string(campaign.id) + " out (dispatching, in progress or held)";
      r.data = {{"call_id", std::to_string(*item.busy_call_id)}};
      continue;
    }
    const auto& d = decisions.at(next_decision++);
    if (!item.call_id) {
      r.code = "not_eligible";
      // Judged eligible, then left without a from number by the calls placed before it in this request.
      r.error = d.kind == schedule::Decision::Kind::dispatch ? item.verdict.reason : not_eligible_message(d);
      r.compliance = decision_json(d);
      continue;
    }
    r.success = true;
    r.data = {{"id", std::to_string(item.call_id)},
              {"campaign_id", std::to_string(campaign.id)},
              {"phone_number", r.phone},
              {"from_number", item.from_number},
              {"state", "dispatching"},
              {"dispatch_key", item.dispatch_key},
              {"compliance", decision_json(d)},
              {"placed_at", util::format_rfc3339(now)}};
    spdlog::info("campaign {} call {}: placed now by API request", campaign.id, item.call_id);
  }
  int sent = 0;
  for (const auto& chunk : placed.chunks) sent += static_cast<int>(chunk.calls.size());
  ctx.scheduler.paced(campaign, sent, now);
  for (auto& chunk : placed.chunks) ctx.scheduler.send(std::move(chunk));
  if (!placed.chunks.empty()) ctx.scheduler.wake();
  return results;
}

// The pre-dial answers a call-now request needs (docs/COMPLIANCE.md, "Pre-dial check"), asked before
// anything is placed: the handler awaits them while the loop serves others. place_calls reads them.
awaitable<void> ask_predial(Context& ctx, const http::Request& req, domain::CampaignId campaign_id,
                            const std::vector<NamedRecord>& records) {
  auto campaign = co_await store::when_unlocked([&] { return owned_campaign(ctx, req, std::to_string(campaign_id)); },
                                                std::chrono::milliseconds(ctx.config().db_busy_timeout_ms));
  // Not asked when place_calls refuses the request anyway (it says why).
  if (!campaign.spec.predial || campaign.status != domain::CampaignStatus::running || !ctx.scheduler.claiming() ||
      !ctx.scheduler.providers().count(campaign.spec.provider))
    co_return;
  std::vector<scheduler::PredialSubject> subjects;
  for (const auto& r : records) {
    if (r.refused) continue;
    try {
      auto c = parse_contact(r.record, r.at, ctx.config().default_region, ctx.clock.now_ms());
      subjects.push_back({c.phone, r.contact_id, std::nullopt, 1, c.first_name, c.last_name, c.variables.dump()});
    } catch (const BadRequest&) {
      // place_calls says what is wrong with it; it is not asked about
    }
  }
  co_await ctx.scheduler.predial().ask_all(campaign, std::move(subjects));
}

void check_fields(const json& body, std::initializer_list<const char*> allowed) {
  if (!body.is_object()) throw BadRequest(400, "invalid_json", "body must be a JSON object");
  for (const auto& item : body.items()) {
    const std::string& k = item.key();  // not a structured binding: clang 14 cannot capture one (fuzz build)
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; }))
      bad_field(k, "unknown field");
  }
}

// POST /v1/calls with a not_before (in the body, or in an inline contact): the call is scheduled, not
// placed. It is the campaign's pending call of the contact, added (201) or, when the contact has one,
// moved to the new time (200), as an upload would; it goes out at the first instant from not_before that
// every rule allows. Answers with the call as GET /v1/calls/{id} shows it.
http::Response schedule_call(Context& ctx, const http::Request& req, const json& body, domain::CampaignId campaign_id,
                             const NamedRecord& record) {
  auto now = ctx.clock.now_ms();
  auto campaign = owned_campaign(ctx, req, std::to_string(campaign_id));
  if (campaign.status == domain::CampaignStatus::completed || campaign.status == domain::CampaignStatus::cancelled)
    throw BadRequest(409, "invalid_transition",
                     "campaign " + std::to_string(campaign_id) + " is " +
                         std::string(domain::to_string(campaign.status)) + "; no call can be scheduled in it",
                     "campaign_id");
  auto c = parse_contact(record.record, record.at, ctx.config().default_region, now);
  if (body.contains("not_before") && !body["not_before"].is_null()) {
    if (c.not_before) bad_field("not_before", "is given twice: in the body and in contact; give it once");
    c.not_before = parse_not_before(body["not_before"], "not_before", now);
  }
  check_required(c, campaign.spec.required_variables, record.at);
  auto added = ctx.campaigns.add_contacts(campaign.id, {c}, now);
  const auto call_id = added.call_ids.at(0);
  spdlog::info("campaign {} call {}: scheduled by API request for {}", campaign.id, call_id,
               util::format_rfc3339(*c.not_before));
  ctx.scheduler.wake();
  auto answer = get_call(ctx, req, {{"id", std::to_string(call_id)}});
  answer.status = added.added ? 201 : 200;
  return answer;
}

// PATCH /v1/calls/{id} {not_before, priority}: a pending call's callback time (null removes it: the call is
// due now) and its priority, either or both. Answers with the call as GET /v1/calls/{id} shows it.
http::Response patch_call(Context& ctx, const http::Request& req, const http::Params& params) {
  auto id = parse_id(params.at("id"), "call");
  auto ref = ctx.reports.call_ref(req.workspace, id);
  if (!ref) throw BadRequest(404, "not_found", "no call " + params.at("id"));
  json body = parse_json_body(req);
  check_fields(body, {"not_before", "priority"});
  if (!body.contains("not_before") && !body.contains("priority"))
    bad_field("not_before", "give not_before or priority (the fields a call has to change)");
  auto now = ctx.clock.now_ms();
  store::Campaigns::PendingCallChange change;
  if (body.contains("not_before")) change.not_before = parse_not_before(body["not_before"], "not_before", now);
  if (body.contains("priority")) change.priority = parse_priority(body["priority"], "priority");
  if (ref->state != domain::CallState::pending || !ctx.campaigns.change_pending_call(id, change, now))
    throw BadRequest(409, "not_pending",
                     "call " + params.at("id") + " is " + std::string(domain::to_string(ref->state)) +
                         "; only a pending call's not_before and priority can change (POST /v1/calls with "
                         "not_before schedules a new one)");
  if (change.not_before)
    spdlog::info("campaign {} call {}: not_before set to {} by API request", ref->campaign_id, id,
                 *change.not_before ? util::format_rfc3339(**change.not_before) : std::string("none"));
  if (change.priority)
    spdlog::info("campaign {} call {}: priority set to {} by API request", ref->campaign_id, id, *change.priority);
  ctx.scheduler.wake();
  return get_call(ctx, req, params);
}

// POST /v1/calls {campaign_id, contact | contact_id | customer_id}: 201 with the call when every check
// passes; otherwise nothing is stored and the answer says why (422 with the failed checks, 409 when a call
// is already out, 400 unknown_contact for an id the workspace does not have).
// A campaign with a pre-dial check asks its endpoint first (ask_predial).
awaitable<http::Response> create_call(Context& ctx, const http::Request& req) {
  json body = parse_json_body(req);
  check_fields(body, {"campaign_id", "contact", "contact_id", "customer_id", "not_before", "priority"});
  auto campaign_id = campaign_id_of(body);
  std::vector<const char*> given;
  for (const char* k : {"contact", "contact_id", "customer_id"})
    if (body.contains(k) && !body[k].is_null()) given.push_back(k);
  if (given.empty()) bad_field("contact", "is required (or give contact_id or customer_id)");
  if (given.size() > 1)
    bad_field(given[1], std::string("give one of contact, contact_id, customer_id; ") + given[0] + " is given too");
  std::string key = given.front();
  const auto budget = std::chrono::milliseconds(ctx.config().db_busy_timeout_ms);
  std::vector<NamedRecord> records;
  if (key == "contact")
    records.push_back({body["contact"], "contact", nullptr, std::nullopt, std::nullopt});
  else
    records.push_back(co_await store::when_unlocked(
        [&] { return named(ctx, req, body[key], key == "contact_id", key, false); }, budget));
  // A priority in the body is the call's, as if the record carried it (parse_contact reads it there).
  if (body.contains("priority") && !body["priority"].is_null()) {
    parse_priority(body["priority"], "priority");
    auto& rec = records.front().record;
    if (rec.is_object() && rec.contains("priority") && !rec["priority"].is_null())
      bad_field("priority", "is given twice: in the body and in contact; give it once");
    if (rec.is_object()) rec["priority"] = body["priority"];
  }
  const json& record = records.front().record;
  const bool inline_not_before =
      key == "contact" && record.is_object() && record.contains("not_before") && !record["not_before"].is_null();
  if ((body.contains("not_before") && !body["not_before"].is_null()) || inline_not_before)
    co_return co_await store::when_unlocked([&] { return schedule_call(ctx, req, body, campaign_id, records.front()); },
                                            budget);
  co_await ask_predial(ctx, req, campaign_id, records);
  auto results =
      co_await store::when_unlocked([&] { return place_calls(ctx, req, campaign_id, records, true); }, budget);
  auto& r = results.front();
  if (r.success) co_return envelope(201, r.data, ctx.clock.now_ms());
  if (r.code == "call_in_flight") {
    BadRequest e(409, r.code, r.error, r.field);
    e.extra = {{"call_id", r.data["call_id"]}};
    throw e;
  }
  BadRequest e(422, r.code, r.error);
  e.extra = {{"compliance", r.compliance}};
  throw e;
}

// POST /v1/calls/bulk {campaign_id, contacts, contact_ids, customer_ids}: 1..100 records in all (inline,
// or named by contact id or customer id as Veritus's customerIds); 200 with a summary and one result per
// record, in order (contacts, then contact_ids, then customer_ids), even when some fail (Veritus).
awaitable<http::Response> create_calls_bulk(Context& ctx, const http::Request& req) {
  json body = parse_json_body(req);
  check_fields(body, {"campaign_id", "contacts", "contact_ids", "customer_ids"});
  auto campaign_id = campaign_id_of(body);
  if (body.contains("contacts") && !body["contacts"].is_null() && !body["contacts"].is_array())
    bad_field("contacts", "must be an array of records");
  // Sizes are checked together below.
  constexpr auto kAny = std::numeric_limits<std::size_t>::max();
  auto inline_records = id_array(body, "contacts", kAny);
  auto by_id = id_array(body, "contact_ids", kAny);
  auto by_customer = id_array(body, "customer_ids", kAny);
  std::size_t total = inline_records.size() + by_id.size() + by_customer.size();
  if (total == 0 || total > 100)
    bad_field(
        inline_records.empty() && (!by_id.empty() || !by_customer.empty())
            ? (by_id.empty() ? "customer_ids" : "contact_ids")
            : "contacts",
        "must hold 1 to 100 records in all (contacts, contact_ids and customer_ids), got " + std::to_string(total));
  const auto budget = std::chrono::milliseconds(ctx.config().db_busy_timeout_ms);
  auto records = co_await store::when_unlocked(
      [&] {
        std::vector<NamedRecord> out;
        for (std::size_t i = 0; i < inline_records.size(); ++i)
          out.push_back(
              {inline_records[i], "contacts[" + std::to_string(i) + "]", nullptr, std::nullopt, std::nullopt});
        for (std::size_t i = 0; i < by_id.size(); ++i)
          out.push_back(named(ctx, req, by_id[i], true, "contact_ids[" + std::to_string(i) + "]", true));
        for (std::size_t i = 0; i < by_customer.size(); ++i)
          out.push_back(named(ctx, req, by_customer[i], false, "customer_ids[" + std::to_string(i) + "]", true));
        return out;
      },
      budget);
  co_await ask_predial(ctx, req, campaign_id, records);
  auto results =
      co_await store::when_unlocked([&] { return place_calls(ctx, req, campaign_id, records, false); }, budget);
  json out = json::array();
  std::size_t ok = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    auto& r = results[i];
    json item = {{"phone_number", r.phone}, {"success", r.success}};
    if (!records[i].ref.is_null()) item.update(records[i].ref);
    if (r.success) {
      ++ok;
      item["data"] = std::move(r.data);
    } else {
      // The same error object a single POST /v1/calls answers with.
      item["error"] = {
          {"code", r.code}, {"message", r.error}, {"field", r.field.empty() ? json(nullptr) : json(r.field)}};
      if (!r.compliance.is_null()) item["error"]["compliance"] = std::move(r.compliance);
      if (r.code == "call_in_flight") item["error"]["call_id"] = r.data["call_id"];
    }
    out.push_back(std::move(item));
  }
  json data = {{"summary", {{"total", results.size()}, {"successful", ok}, {"failed", results.size() - ok}}},
               {"results", std::move(out)}};
  co_return envelope(200, std::move(data), ctx.clock.now_ms());
}

// GET /v1/campaigns/{id}/calls?state=&limit=&cursor=: a page of the campaign's calls, grouped by state and
// in due order within a state, and the cursor of the next page (null on the last).
http::Response list_calls(Context& ctx, const http::Request& req, const http::Params& params) {
  auto campaign = owned_campaign(ctx, req, params.at("id"));
  auto param = [&](const char* key) {
    auto it = req.query.find(key);
    return it == req.query.end() ? std::string() : it->second;
  };
  std::optional<domain::CallState> state;
  if (auto s = param("state"); !s.empty()) {
    state = domain::call_state_from(s);
    if (!state)
      bad_field(
          "state",
          "'" + s + "' is not a call state (pending, dispatching, in_progress, completed, failed, skipped, held)");
  }
  auto digits = [](const std::string& t) { return is_digits(t); };
  int limit = 100;
  if (auto l = param("limit"); !l.empty()) {
    if (!digits(l) || std::stoll(l) < 1 || std::stoll(l) > 1000)
      bad_field("limit", "must be an integer from 1 to 1000");
    limit = static_cast<int>(std::stoll(l));
  }
  // The cursor is opaque to clients: "<state>.<key>.<id>" of the last call of the page before (Reports::cursor_key).
  store::Reports::CallCursor after;
  if (auto c = param("cursor"); !c.empty()) {
    auto d1 = c.find('.'), d2 = c.rfind('.');
    std::optional<domain::CallState> at_state;
    if (d1 != std::string::npos && d2 != d1) at_state = domain::call_state_from(c.substr(0, d1));
    if (!at_state || (state && *at_state != *state) || !digits(c.substr(d1 + 1, d2 - d1 - 1)) ||
        !digits(c.substr(d2 + 1)))
      bad_field("cursor", "is not a cursor this listing gave (a cursor of a state filter works only with that filter)");
    after.state = c.substr(0, d1);
    after.key = std::stoll(c.substr(d1 + 1, d2 - d1 - 1));
    after.id = std::stoll(c.substr(d2 + 1));
  }
  auto page = ctx.reports.campaign_calls(campaign.id, state, after, limit + 1);
  bool more = static_cast<int>(page.size()) > limit;
  if (more) page.pop_back();
  auto opt = [](const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); };
  json calls = json::array();
  for (const auto& c : page)
    calls.push_back({{"id", std::to_string(c.id)},
                     {"phone_number", c.phone},
                     {"state", domain::to_string(c.state)},
                     {"attempts", c.attempts},
                     {"next_attempt_at", util::format_rfc3339(c.next_attempt_at)},
                     {"last_outcome", opt(c.last_outcome)},
                     {"last_error", opt(c.last_error)},
                     {"provider_call_id", opt(c.provider_call_id)},
                     {"priority", c.priority},
                     {"created_at", util::format_rfc3339(c.created_at)},
                     {"updated_at", util::format_rfc3339(c.updated_at)}});
  json next = nullptr;
  if (more && !page.empty())
    next = std::string(domain::to_string(page.back().state)) + "." +
           std::to_string(store::Reports::cursor_key(page.back())) + "." + std::to_string(page.back().id);
  return envelope(200, {{"items", std::move(calls)}, {"next_cursor", next}}, ctx.clock.now_ms());
}

}  // namespace

void register_call_routes(http::Router& router, Context& ctx) {
  router.add_async("POST", "/v1/calls",
                   [&ctx](const http::Request& r, const http::Params&) { return create_call(ctx, r); });
  router.add_async("POST", "/v1/calls/bulk",
                   [&ctx](const http::Request& r, const http::Params&) { return create_calls_bulk(ctx, r); });
  router.add("GET", "/v1/campaigns/{id}/calls",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return list_calls(ctx, r, p); }));
  router.add("GET", "/v1/calls/{id}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return get_call(ctx, r, p); }));
  router.add("PATCH", "/v1/calls/{id}",
             guarded([&ctx](const http::Request& r, const http::Params& p) { return patch_call(ctx, r, p); }));
  for (auto verb_action :
       {std::pair{"release", store::HeldAction::release}, std::pair{"fail", store::HeldAction::fail}}) {
    const char* verb = verb_action.first;
    const store::HeldAction action = verb_action.second;  // a structured binding clang 14 could not capture
    router.add("POST", std::string("/v1/calls/{id}/") + verb,
               guarded([&ctx, action](const http::Request& r, const http::Params& p) {
                 return resolve_one(ctx, r, p, action);
               }));
    router.add_async(
        "POST", std::string("/v1/campaigns/{id}/held/") + verb,
        [&ctx, action](const http::Request& r, const http::Params& p) { return resolve_campaign(ctx, r, p, action); });
  }
}

}  // namespace dialerd::api
