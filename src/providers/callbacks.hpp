#pragma once
// Shared by the HTTP adapters: reading the outcome callbacks whose format dialerd defines (docs/PROVIDERS.md).
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "dialerd/providers/provider.hpp"

namespace dialerd::providers {

// A provider's status word as an outcome: lower-cased, '-' and ' ' read as '_'. Nothing for a status that
// is not final (queued, ringing, in_progress, ...) or not known.
std::optional<domain::Outcome> map_callback_status(std::string status);

// Reads one event. `at` prefixes error messages ("" for a lone event, "[2]." in an array). Returns what is
// wrong, or nothing; adds the event's report to `out` when its status is final.
using ReadEvent = std::function<std::optional<std::string>(const nlohmann::json& event, const std::string& at,
                                                           std::vector<domain::OutcomeReport>& out)>;

// A callback body that is one event object or an array of them. Any malformed event refuses the whole body,
// naming the element ("[1] must be an object"); `unwrap_data` also takes {"data": event-or-array}.
EventsParse parse_event_list(std::string_view body, const ReadEvent& read, bool unwrap_data = false);

// The string member `field` of an event, or the message saying it is required.
std::optional<std::string> required_string(const nlohmann::json& event, const char* field, const std::string& at,
                                           std::string& value);
// An optional string member; a member of another type is ignored.
std::string optional_string(const nlohmann::json& event, const char* field);

}  // namespace dialerd::providers
