#pragma once
// Shared by the HTTP adapters: reading the outcome callbacks whose format dialerd defines (docs/PROVIDERS.md).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/providers/provider.hpp"

namespace dialerd::providers {

// A provider's status word as an outcome: lower-cased, '-' and ' ' read as '_'. Nothing for a status that
// is not final (queued, ringing, in_progress, ...) or not known.
std::optional<domain::Outcome> map_callback_status(std::string status);

// The callback format a kind accepts, declared in the kind's folder (docs/PROVIDERS.md "Callbacks"). Every
// event is an object with the string members `id_members` (which identify the call), "status" (read by
// map_callback_status) and an optional string "detail". A body is one event or an array of them.
struct CallbackFormat {
  // Required string members, in order; the provider call id is their values joined with ':'.
  std::vector<std::string> id_members;
  // Refuse an empty id member ("<member> must not be empty").
  bool ids_non_empty = false;
  // Also take {"data": event-or-array}, an envelope like the provider's own answers.
  bool unwrap_data = false;
};

// Reads a callback body of `format`. Any malformed event refuses the whole body, naming the element
// ("[1] must be an object", "[0].status is required and must be a string"); a status that is not final
// (queued, ringing, in_progress, ...) yields no report.
EventsParse read_callbacks(std::string_view body, const CallbackFormat& format);

}  // namespace dialerd::providers
