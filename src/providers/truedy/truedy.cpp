#include "truedy.hpp"

#include <nlohmann/json.hpp>

#include "providers/callbacks.hpp"

namespace dialerd::providers::truedy {

using domain::SubmitResult;
using json = nlohmann::json;

std::string truncate_utf8(const std::string& s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  std::size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that would be cut.
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

std::string TruedyAdapter::call_id(std::string_view batch_id, std::string_view phone_number) {
  return std::string(batch_id) + ":" + std::string(phone_number);
}

WireRequest TruedyAdapter::build_request(const domain::DispatchChunk& chunk) const {
  const auto& spec = chunk.campaign.spec;
  json contacts = json::array();
  for (const auto& call : chunk.calls) {
    // The call's variables travel as extra fields of the contact; the number and names are dialerd's.
    json contact = call.parsed_variables();
    contact["phone_number"] = call.phone;
    if (!call.first_name.empty()) contact["first_name"] = call.first_name;
    if (!call.last_name.empty()) contact["last_name"] = call.last_name;
    contacts.push_back(std::move(contact));
  }
  std::string name = truncate_utf8(spec.name, 255);
  if (name.empty()) name = "dialerd campaign " + std::to_string(chunk.campaign_id);
  json body = {
      {"name", name},
      {"agent_id", spec.agent_id},
      // dialerd has decided these calls are due now; Truedy's own schedule must not delay them.
      {"schedule_type", "immediate"},
      {"contacts", std::move(contacts)},
      {"timezone", spec.timezone},
  };
  // The campaign's own phone_number_ids win over the provider's; none lets Truedy pick from the agent.
  std::vector<std::string> numbers = phone_number_ids_;
  if (auto it = spec.options.find("phone_number_ids"); it != spec.options.end() && it->is_array()) {
    numbers.clear();
    for (const auto& n : *it)
      if (n.is_string()) numbers.push_back(n.get<std::string>());
  }
  if (!numbers.empty()) body["phone_number_ids"] = numbers;
  if (spec.rotation == "random" || spec.rotation == "sequential" || spec.rotation == "round_robin")
    body["phone_rotation_strategy"] = spec.rotation;
  if (spec.start_time) body["start_time"] = *spec.start_time;
  if (spec.end_time) body["end_time"] = *spec.end_time == "24:00" ? "23:59" : *spec.end_time;
  if (spec.working_days) body["working_days"] = *spec.working_days;
  if (spec.max_calls_per_day) body["max_calls_per_day"] = *spec.max_calls_per_day;
  WireRequest req;
  req.path = "/batch-calls";
  req.headers = {{"Authorization", "Bearer " + api_key_}};
  req.body = body.dump();
  return req;
}

std::vector<SubmitResult> TruedyAdapter::parse_answer(const domain::DispatchChunk& chunk,
                                                      const WireAnswer& answer) const {
  // The batch is created or not as a whole; its contacts are known by their numbers.
  auto doc = json::parse(answer.body, nullptr, false);
  std::string batch_id;
  if (doc.is_object() && doc.contains("data") && doc["data"].is_object()) {
    const auto& id = doc["data"].value("id", json());
    if (id.is_string()) batch_id = id.get<std::string>();
  }
  std::vector<SubmitResult> out;
  out.reserve(chunk.calls.size());
  for (const auto& call : chunk.calls) {
    if (batch_id.empty()) {
      // It answered success but named no batch: the calls may go out, and their outcomes cannot be matched.
      out.push_back({SubmitResult::Kind::uncertain, call.id, "",
                     "Truedy answered " + std::to_string(answer.status) + " without data.id", 0});
    } else {
      out.push_back({SubmitResult::Kind::accepted, call.id, call_id(batch_id, call.phone), "", 0});
    }
  }
  return out;
}

// Truedy documents no callback format; dialerd accepts this one (docs/PROVIDERS.md):
// {"batch_id": "...", "phone_number": "+1...", "status": "completed" | ..., "detail": "..."}, or an array.
EventsParse TruedyAdapter::parse_events(std::string_view body) const {
  static const CallbackFormat format{{"batch_id", "phone_number"}, /*ids_non_empty=*/false, /*unwrap_data=*/false};
  return read_callbacks(body, format);
}

}  // namespace dialerd::providers::truedy
