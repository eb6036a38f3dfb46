#include "callbacks.hpp"

#include <cctype>
#include <nlohmann/json.hpp>

#include "dialerd/util/time.hpp"

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
  // The person asked not to be called again: the number is suppressed for the workspace (issue 19.4).
  if (s == "do_not_call" || s == "opted_out" || s == "opt_out" || s == "dnc") return Outcome::opted_out;
  return std::nullopt;
}

namespace {

// Reads the string member `field` of an event into `value`; fails with the message saying it is required.
util::Check required_string(const json& event, const std::string& field, const std::string& at, std::string& value) {
  auto it = event.find(field);
  if (it == event.end() || !it->is_string()) return util::fail(at + field + " is required and must be a string");
  value = it->get<std::string>();
  return util::ok();
}

// Reads one event object. `at` prefixes error messages ("" for a lone event, "[2]." in an array). Fails
// with what is wrong; adds the event's report to `out` when its status is final.
util::Check read_event(const json& event, const CallbackFormat& format, const std::string& at,
                       std::vector<domain::OutcomeReport>& out) {
  std::string call_id;
  for (std::size_t i = 0; i < format.id_members.size(); ++i) {
    const auto& member = format.id_members[i];
    std::string value;
    if (auto read = required_string(event, member, at, value); !read) return read;
    if (format.ids_non_empty && value.empty()) return util::fail(at + member + " must not be empty");
    call_id += (i == 0 ? "" : ":") + value;
  }
  std::string status;
  if (auto read = required_string(event, "status", at, status); !read) return read;
  // Optional: the person asked to be called back then. Unlike detail it changes what dialerd does, so a
  // malformed one refuses the body (on any event, final or not) rather than being dropped.
  std::optional<domain::UnixMs> callback_at;
  if (auto cb = event.find("callback_at"); cb != event.end() && !cb->is_null()) {
    if (cb->is_number_integer() && cb->get<std::int64_t>() >= 0) {
      callback_at = cb->get<std::int64_t>();
    } else if (cb->is_string()) {
      callback_at = util::parse_rfc3339_or_ms(cb->get<std::string>());
    }
    if (!callback_at) return util::fail(at + "callback_at must be an RFC 3339 time or Unix milliseconds");
  }
  auto outcome = map_callback_status(status);
  if (!outcome) return util::ok();     // queued, ringing, in_progress: not an outcome yet
  auto detail = event.find("detail");  // optional; a member of another type is ignored
  out.push_back({std::move(call_id), *outcome,
                 detail != event.end() && detail->is_string() ? detail->get<std::string>() : std::string(),
                 callback_at});
  return util::ok();
}

}  // namespace

EventsParse read_callbacks(std::string_view body, const CallbackFormat& format) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded()) return util::fail("body is not valid JSON");
  std::string outer;
  if (format.unwrap_data && doc.is_object() && doc.contains("data") &&
      (doc["data"].is_object() || doc["data"].is_array())) {
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
      return util::fail(index.empty() ? std::string("event must be a JSON object") : index + " must be an object");
    if (auto read = read_event(events[i], format, index.empty() ? "" : index + ".", out); !read)
      return util::fail(read.error());
  }
  return out;
}

}  // namespace dialerd::providers
