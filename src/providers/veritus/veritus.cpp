#include "veritus.hpp"

#include <cctype>
#include <map>
#include <nlohmann/json.hpp>

#include "providers/callbacks.hpp"

namespace dialerd::providers::veritus {

using domain::SubmitResult;
using json = nlohmann::json;

namespace {

// The customer id a call names in its variables, or why it names none usable. Numbers are accepted, as
// CRMs often export ids as numbers.
util::Result<std::string> customer_id_of(const domain::DispatchCall& call) {
  const json vars = call.parsed_variables();
  if (!vars.is_object() || !vars.contains("customer_id") || vars["customer_id"].is_null() || vars["customer_id"] == "")
    return util::fail("variable customer_id is missing: Veritus calls a customer by its id");
  const json& id = vars["customer_id"];
  if (id.is_string()) return id.get<std::string>();
  if (id.is_number_integer()) return id.dump();
  return util::fail("variable customer_id must be a string or an integer, got " + std::string(id.type_name()));
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// "Customer not eligible for call. 2 failed rule(s): 1. Respectful Hours Check [...], 2. Four Voice Call Per
// Day [...]" -> one text per failed rule. A text without that list is one rule.
std::vector<std::string> failed_rules(const std::string& error) {
  auto marker = lower(error).find("failed rule");
  auto colon = marker == std::string::npos ? std::string::npos : error.find(':', marker);
  if (colon == std::string::npos) return {error};
  std::vector<std::string> rules;
  std::string current;
  int depth = 0;
  auto flush = [&] {
    std::string rule = trim(current);
    std::size_t digits = 0;
    while (digits < rule.size() && std::isdigit(static_cast<unsigned char>(rule[digits]))) ++digits;
    if (digits > 0 && digits < rule.size() && rule[digits] == '.') rule = trim(rule.substr(digits + 1));
    if (!rule.empty()) rules.push_back(rule);
    current.clear();
  };
  for (char c : error.substr(colon + 1)) {
    if (c == '[' || c == '(') ++depth;
    if ((c == ']' || c == ')') && depth > 0) --depth;
    if (c == ',' && depth == 0) {
      flush();
      continue;
    }
    current += c;
  }
  flush();
  if (rules.empty()) return {error};
  return rules;
}

// How long a failed rule asks to wait, or 0 when it is not about time (the customer must not be called).
domain::UnixMs wait_for(const std::string& rule, const TimeWaits& waits) {
  auto r = lower(rule);
  if (r.find("per day") != std::string::npos || r.find("daily") != std::string::npos) return waits.daily_limit_ms;
  if (r.find("respectful hour") != std::string::npos) return waits.respectful_hours_ms;
  return 0;
}

struct Sendable {
  const domain::DispatchCall* call;
  std::string customer_id;
};

std::vector<Sendable> sendable_calls(const domain::DispatchChunk& chunk) {
  auto screened = VeritusAdapter::screen(chunk);
  std::vector<Sendable> out;
  std::map<domain::CallId, const domain::DispatchCall*> by_id;
  for (const auto& call : chunk.calls) by_id[call.id] = &call;
  for (const auto& call : screened.sendable.calls) out.push_back({by_id.at(call.id), *customer_id_of(call)});
  return out;
}

json webhook_of(const std::string& url, const std::string& secret_id) {
  json hook = {{"url", url}};
  if (!secret_id.empty()) hook["secretId"] = secret_id;
  return hook;
}

SubmitResult uncertain(domain::CallId id, std::string why) {
  return {SubmitResult::Kind::uncertain, id, "", std::move(why), 0};
}

// One customer's part of an answer: {"success": true, "data": {"id": ...}} or {"success": false, "error": ...}.
SubmitResult read_customer_result(domain::CallId call_id, const std::string& customer_id, const json& r,
                                  const TimeWaits& waits) {
  auto success = r.find("success");
  if (success == r.end() || !success->is_boolean())
    return uncertain(call_id, "Veritus answered for customer " + customer_id + " without a boolean success");
  if (success->get<bool>()) {
    auto data = r.find("data");
    if (data == r.end() || !data->is_object() || !data->contains("id") || !(*data)["id"].is_string() ||
        (*data)["id"].get<std::string>().empty())
      return uncertain(call_id, "Veritus accepted customer " + customer_id + " without data.id");
    return {SubmitResult::Kind::accepted, call_id, (*data)["id"].get<std::string>(), "", 0};
  }
  auto error = r.find("error");
  if (error == r.end() || !error->is_string() || error->get<std::string>().empty())
    return uncertain(call_id, "Veritus answered success false for customer " + customer_id + " without an error");
  return VeritusAdapter::from_error(call_id, error->get<std::string>(), waits);
}

}  // namespace

std::string encode_path_segment(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

Screened VeritusAdapter::screen(const domain::DispatchChunk& chunk) {
  Screened out;
  out.sendable.campaign_id = chunk.campaign_id;
  out.sendable.idempotency_key = chunk.idempotency_key;
  out.sendable.campaign = chunk.campaign;
  std::map<std::string, domain::CallId> first_with;
  for (const auto& call : chunk.calls) {
    auto id = customer_id_of(call);
    if (!id) {
      out.answered.push_back({SubmitResult::Kind::rejected, call.id, "", id.error(), 0});
      continue;
    }
    auto [it, fresh] = first_with.emplace(*id, call.id);
    if (!fresh) {
      // Veritus refuses a request naming a customer twice; this one goes in a later request.
      out.answered.push_back({SubmitResult::Kind::not_submitted, call.id, "",
                              "customer_id " + *id + " is already in this request (call " + std::to_string(it->second) +
                                  "); sent in a later one",
                              kRepeatRetryMs});
      continue;
    }
    out.sendable.calls.push_back(call);
  }
  return out;
}

SubmitResult VeritusAdapter::from_error(domain::CallId call_id, const std::string& error, const TimeWaits& waits) {
  // A refusal lists the compliance rules that failed. If each of them is about time (respectful hours,
  // the daily limit), the call may go later; one rule of any other kind (cease and desist, inactive,
  // missing information) means it must not be placed.
  domain::UnixMs wait = 0;
  for (const auto& rule : failed_rules(error)) {
    auto w = wait_for(rule, waits);
    if (w == 0) return {SubmitResult::Kind::rejected, call_id, "", error, 0};
    wait = std::max(wait, w);
  }
  return {SubmitResult::Kind::not_submitted, call_id, "", error, wait};
}

WireRequest VeritusAdapter::build_request(const domain::DispatchChunk& chunk) const {
  auto calls = sendable_calls(chunk);
  json body = {{"agentId", chunk.campaign.spec.agent_id}};
  WireRequest req;
  if (calls.size() == 1) {
    req.path = "/customers/" + encode_path_segment(calls.front().customer_id) + "/calls";
  } else {
    json ids = json::array();
    for (const auto& c : calls) ids.push_back(c.customer_id);
    body["customerIds"] = std::move(ids);
    req.path = "/calls/bulk";
  }
  if (!callback_url_.empty()) body["webhook"] = webhook_of(callback_url_, callback_secret_id_);
  req.headers = {{"Authorization", "Bearer " + api_key_}};
  req.body = body.dump();
  return req;
}

std::vector<SubmitResult> VeritusAdapter::parse_answer(const domain::DispatchChunk& chunk,
                                                       const WireAnswer& answer) const {
  std::vector<SubmitResult> out = screen(chunk).answered;
  auto calls = sendable_calls(chunk);
  if (calls.empty()) return out;
  auto doc = json::parse(answer.body, nullptr, false);
  const std::string status = std::to_string(answer.status);

  if (calls.size() == 1) {
    // POST /customers/{id}/calls answers for its one customer at the top level.
    const auto& only = calls.front();
    if (!doc.is_object()) {
      out.push_back(uncertain(only.call->id, "Veritus answered " + status + " without a JSON object"));
    } else {
      out.push_back(read_customer_result(only.call->id, only.customer_id, doc, waits_));
    }
    return out;
  }

  // POST /calls/bulk: data.results[] per customer; 200 even when some customers fail.
  const json* results = nullptr;
  if (doc.is_object() && doc.contains("data") && doc["data"].is_object() && doc["data"].contains("results") &&
      doc["data"]["results"].is_array())
    results = &doc["data"]["results"];
  std::map<std::string, const json*> by_customer;
  if (results)
    for (const auto& r : *results)
      if (r.is_object() && r.contains("customerId") && r["customerId"].is_string())
        by_customer.emplace(r["customerId"].get<std::string>(), &r);
  for (const auto& c : calls) {
    if (!results) {
      // It may have placed calls, but they cannot be matched to customers: hold them.
      out.push_back(uncertain(c.call->id, "Veritus answered " + status + " without data.results"));
      continue;
    }
    auto it = by_customer.find(c.customer_id);
    if (it == by_customer.end()) {
      out.push_back(uncertain(c.call->id, "Veritus's answer has no result for customer " + c.customer_id));
      continue;
    }
    out.push_back(read_customer_result(c.call->id, c.customer_id, *it->second, waits_));
  }
  return out;
}

// Veritus documents no callback format; dialerd accepts this one (docs/PROVIDERS.md): {"id": "<data.id of
// the call>", "status": "completed" | "no_answer" | ..., "detail": "..."}, an array of them, or either
// inside {"data": ...}.
EventsParse VeritusAdapter::parse_events(std::string_view body) const {
  static const CallbackFormat format{{"id"}, /*ids_non_empty=*/true, /*unwrap_data=*/true};
  return read_callbacks(body, format);
}

}  // namespace dialerd::providers::veritus
