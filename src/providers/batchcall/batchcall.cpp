#include "batchcall.hpp"

#include <nlohmann/json.hpp>

#include "dialerd/util/json_text.hpp"
#include "providers/callbacks.hpp"

namespace dialerd::providers::batchcall {

using domain::SubmitResult;
using json = nlohmann::json;

std::string BatchCallAdapter::call_id(std::string_view batch_call_id, std::string_view to_number) {
  return std::string(batch_call_id) + ":" + std::string(to_number);
}

WireRequest BatchCallAdapter::build_request(const domain::DispatchChunk& chunk) const {
  // Written directly rather than through a json document (a copy of every call's variables, then a dump):
  // the same bytes, keys in nlohmann's sorted order, strings escaped as it escapes them.
  const auto& spec = chunk.campaign.spec;
  // One caller id per request: the claim gives every call of a batch the same one.
  const std::string& from = chunk.calls.empty() || chunk.calls.front().from_number.empty()
                                ? spec.from_number
                                : chunk.calls.front().from_number;
  std::string body;
  body.reserve(256 + chunk.calls.size() * 128);
  body += R"({"agent_id":)";
  util::append_json_string(body, spec.agent_id);
  body += R"(,"from_number":)";
  util::append_json_string(body, from);
  body += R"(,"name":)";
  util::append_json_string(body, util::utf8_prefix(spec.name, 255));  // the API allows 255 bytes
  body += R"(,"send_now":true,"status":"scheduled","tasks":[)";
  for (std::size_t i = 0; i < chunk.calls.size(); ++i) {
    const auto& call = chunk.calls[i];
    // dialerd owns the retry policy, so the provider is told not to retry on its own.
    body += i ? R"(,{"dynamic_variables":)" : R"({"dynamic_variables":)";
    body += call.variables;  // the stored text: what dump() of its parse would write
    body += R"(,"max_retries":0,"to_number":)";
    util::append_json_string(body, call.phone);
    body += '}';
  }
  body += R"(],"timezone":)";
  util::append_json_string(body, spec.timezone);
  body += '}';
  WireRequest req;
  req.path = "/batch-call";
  req.headers = {{"X-API-KEY", api_key_}, {"X-API-SECRET", api_secret_}};
  req.body = std::move(body);
  return req;
}

std::vector<SubmitResult> BatchCallAdapter::parse_answer(const domain::DispatchChunk& chunk,
                                                         const WireAnswer& answer) const {
  // The batch is accepted or not as a whole; the answer names the batch, not its tasks.
  auto doc = json::parse(answer.body, nullptr, false);
  std::string batch_id;
  if (doc.is_object() && doc.contains("data") && doc["data"].is_object()) {
    const auto& id = doc["data"].value("batch_call_id", json());
    if (id.is_string()) batch_id = id.get<std::string>();
  }
  std::vector<SubmitResult> out;
  out.reserve(chunk.calls.size());
  for (const auto& call : chunk.calls) {
    SubmitResult r;
    r.call_id = call.id;
    if (batch_id.empty()) {
      // It answered success but gave no batch id: the calls may go out and their outcomes cannot be matched.
      r.kind = SubmitResult::Kind::uncertain;
      r.reason = "provider answered " + std::to_string(answer.status) + " without data.batch_call_id";
    } else {
      r.kind = SubmitResult::Kind::accepted;
      r.provider_call_id = call_id(batch_id, call.phone);
    }
    out.push_back(std::move(r));
  }
  return out;
}

// The batch-call API documents no callback format; dialerd accepts this one (docs/PROVIDERS.md):
// {"batch_call_id": "...", "to_number": "+1...", "status": "completed" | "no_answer" | ...}, or an array of them.
EventsParse BatchCallAdapter::parse_events(std::string_view body) const {
  static const CallbackFormat format{{"batch_call_id", "to_number"}, /*ids_non_empty=*/false, /*unwrap_data=*/false};
  return read_callbacks(body, format);
}

}  // namespace dialerd::providers::batchcall
