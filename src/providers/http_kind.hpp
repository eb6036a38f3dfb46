#pragma once
// Shared by the HTTP kinds' kind.cpp: an HttpProvider over the kind's adapter, with the kind's contract.
#include "dialerd/providers/kind.hpp"
#include "http_provider.hpp"

namespace dialerd::providers {

inline HttpProvider::Contract http_contract(const config::ProviderConfig& provider, const KindInfo& info) {
  return {info.idempotent_submit, provider.server_errors_place_nothing.value_or(info.server_errors_place_nothing)};
}

}  // namespace dialerd::providers
