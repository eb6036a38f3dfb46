#pragma once
// The provider kinds dialerd knows, with their fixed limits. Registered in one place: src/providers/kinds.cpp.
#include <optional>
#include <string_view>
#include <vector>

namespace dialerd::providers {

struct KindInfo {
  std::string_view kind;
  int max_chunk;          // most calls one submission may carry
  bool http;              // talks to base_url over HTTP(S)
  bool needs_api_key;
  bool needs_api_secret;
  bool idempotent_submit; // resubmitting a chunk with the same key cannot place a call twice
                          // (such an adapter must send DispatchChunk::idempotency_key to the provider)
  bool caller_id_per_call;  // each call may carry its own from_number (else one per request)
};

std::optional<KindInfo> kind_info(std::string_view kind);
std::vector<std::string_view> kind_names();

}  // namespace dialerd::providers
