#include "callbacks.hpp"

#include <cctype>

namespace dialerd::providers {

using domain::Outcome;
using json = nlohmann::json;

std::optional<Outcome> map_callback_status(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c == '-' || c == ' ') c = '_';
  }
  if (s == "completed" || s == "ended" || s == "answered") return Outcome::completed;
  if (s == "no_answer" || s == "not_answered" || s == "unanswered") return Outcome::no_answer;
  if (s == "busy") return Outcome::busy;
  if (s == "voicemail" || s == "machine") return Outcome::voicemail;
  if (s == "failed" || s == "error") return Outcome::failed;
  if (s == "cancelled" || s == "canceled") return Outcome::cancelled;
  return std::nullopt;
}

EventsParse parse_event_list(std::string_view body, const ReadEvent& read, bool unwrap_data) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return std::string("body is not valid JSON");
  std::string outer;
  // An envelope like the provider's own answers: {"requestId": ..., "data": {...} or [...]}.
  if (unwrap_data && doc.is_object() && doc.contains("data") && (doc["data"].is_object() || doc["data"].is_array())) {
    json inner = std::move(doc["data"]);
    doc = std::move(inner);
    outer = "data";
  }
  const bool list = doc.is_array();
  json events = list ? std::move(doc) : json::array({std::move(doc)});
  std::vector<domain::OutcomeReport> out;
  for (std::size_t i = 0; i < events.size(); ++i) {
    std::string index = list ? outer + "[" + std::to_string(i) + "]" : outer;
    if (!events[i].is_object())
      return index.empty() ? std::string("event must be a JSON object") : index + " must be an object";
    if (auto problem = read(events[i], index.empty() ? "" : index + ".", out)) return *problem;
  }
  return out;
}

std::optional<std::string> required_string(const json& event, const char* field, const std::string& at,
                                           std::string& value) {
  auto it = event.find(field);
  if (it == event.end() || !it->is_string()) return at + field + " is required and must be a string";
  value = it->get<std::string>();
  return std::nullopt;
}

std::string optional_string(const json& event, const char* field) {
  auto it = event.find(field);
  return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace dialerd::providers
