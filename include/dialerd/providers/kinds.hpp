#pragma once
// The provider kinds dialerd knows, with their fixed limits. Registered in one place: src/providers/kinds.cpp.
#include <optional>
#include <string_view>
#include <vector>

namespace dialerd::providers {

struct KindInfo {
  std::string_view kind;
  int max_chunk;  // most calls one submission may carry
  bool http;      // talks to base_url over HTTP(S)
  bool needs_api_key;
  bool needs_api_secret;
  bool idempotent_submit;            // resubmitting a chunk with the same key cannot place a call twice
                                     // (such an adapter must send DispatchChunk::idempotency_key to the provider)
  bool caller_id_per_call;           // each call may carry its own from_number (else one per request)
  bool server_errors_place_nothing;  // its API documents a 500 as "nothing taken, retry": a 5xx answer's
                                     // calls wait and are sent again instead of being held (operators can
                                     // override it per provider: server_errors_place_nothing)
  bool sends_caller_id;              // the from_number (each call's, or the request's) reaches the provider; a
                                     // kind that sends none gets no chunk per caller id under local_presence
};

std::optional<KindInfo> kind_info(std::string_view kind);
std::vector<std::string_view> kind_names();

}  // namespace dialerd::providers
