#pragma once
// An address block as configuration holds it (webhooks.allow_networks): a plain value, no Asio.
#include <array>
#include <optional>
#include <string_view>

namespace dialerd::http {

// "10.0.0.0/8", "fd00::/8" or one address ("127.0.0.1" = /32).
struct Network {
  std::array<unsigned char, 16> bytes{};  // IPv4: the first 4
  bool v6 = false;
  int prefix = 0;
  bool operator==(const Network&) const = default;
};
std::optional<Network> parse_network(std::string_view text);

}  // namespace dialerd::http
