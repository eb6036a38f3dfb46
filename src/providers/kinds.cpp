#include "dialerd/providers/kinds.hpp"

#include <array>

namespace dialerd::providers {
namespace {
constexpr std::array<KindInfo, 5> kKinds{{
    // The batch-call API: tasks 1..1000, X-API-KEY + X-API-SECRET; no idempotency key in the API.
    {"batchcall", 1000, true, true, true, false, false, false},
    // Veritus: 1..100 unique customer ids, Bearer key; Veritus picks the caller id; no idempotency key.
    {"veritus", 100, true, true, false, false, false, false},
    // Truedy: inline contacts (no documented maximum: dialerd sends at most 1000), Bearer key; the caller
    // ids are the batch's phone_number_ids; no idempotency key.
    {"truedy", 1000, true, true, false, false, false, false},
    // addCallsToBatch: call_data, processed by the provider in chunks of 1000 (one per request), x-api-key; the
    // batch's numbers call; no idempotency key. Its page says to retry a 500 with exponential backoff, and
    // that re-adding a number still pending updates its record instead of adding a call.
    {"addcalls", 1000, true, true, false, false, false, true},
    // In-process, no network: accepts every chunk and reports outcomes after a delay.
    {"simulator", 1000, false, false, false, true, true, false},
}};
}  // namespace

std::optional<KindInfo> kind_info(std::string_view kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k;
  return std::nullopt;
}

std::vector<std::string_view> kind_names() {
  std::vector<std::string_view> out;
  for (const auto& k : kKinds) out.push_back(k.kind);
  return out;
}

}  // namespace dialerd::providers
