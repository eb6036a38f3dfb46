#include "dialerd/http/url_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace dialerd::http {

namespace ip = boost::asio::ip;

namespace {

struct Range {
  const char* network;
  const char* why;
};
// IANA special-purpose registries (RFC 6890 and later), the blocks a webhook must not reach by default.
constexpr std::array<Range, 14> kV4 = {{{"0.0.0.0/8", "unspecified (\"this network\")"},
                                        {"10.0.0.0/8", "private"},
                                        {"100.64.0.0/10", "shared (carrier-grade NAT)"},
                                        {"127.0.0.0/8", "loopback"},
                                        {"169.254.0.0/16", "link-local (where cloud metadata services answer)"},
                                        {"172.16.0.0/12", "private"},
                                        {"192.0.0.0/24", "reserved (IETF protocol assignments)"},
                                        {"192.0.2.0/24", "reserved (documentation)"},
                                        {"192.168.0.0/16", "private"},
                                        {"198.18.0.0/15", "reserved (benchmarking)"},
                                        {"198.51.100.0/24", "reserved (documentation)"},
                                        {"203.0.113.0/24", "reserved (documentation)"},
                                        {"224.0.0.0/4", "multicast"},
                                        {"240.0.0.0/4", "reserved (and broadcast)"}}};
constexpr std::array<Range, 6> kV6 = {{{"::/128", "unspecified"},
                                       {"::1/128", "loopback"},
                                       {"fc00::/7", "private (unique local)"},
                                       {"fe80::/10", "link-local"},
                                       {"ff00::/8", "multicast"},
                                       {"2001:db8::/32", "reserved (documentation)"}}};

const std::vector<std::pair<Network, const char*>>& special_networks() {
  static const auto table = [] {
    std::vector<std::pair<Network, const char*>> out;
    for (const auto& r : kV4) out.emplace_back(*parse_network(r.network), r.why);
    for (const auto& r : kV6) out.emplace_back(*parse_network(r.network), r.why);
    return out;
  }();
  return table;
}

// The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address.
std::optional<ip::address_v4> embedded_v4(const ip::address_v6& a) {
  if (a.is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a);
  auto b = a.to_bytes();
  static constexpr std::array<unsigned char, 12> kNat64 = {0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::equal(kNat64.begin(), kNat64.end(), b.begin())) return ip::address_v4({b[12], b[13], b[14], b[15]});
  return std::nullopt;
}

bool is_unreserved_or_reserved(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  static constexpr std::string_view kAllowed = "-._~:/?#[]@!$&'()*+,;=";
  return kAllowed.find(c) != std::string_view::npos;
}

bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

}  // namespace

std::optional<Network> parse_network(std::string_view text) {
  auto slash = text.find('/');
  boost::system::error_code ec;
  auto base = ip::make_address(std::string(text.substr(0, slash)), ec);
  if (ec) return std::nullopt;
  int max = base.is_v4() ? 32 : 128;
  int prefix = max;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    if (digits.empty() || digits.size() > 3) return std::nullopt;
    prefix = 0;
    for (char c : digits) {
      if (c < '0' || c > '9') return std::nullopt;
      prefix = prefix * 10 + (c - '0');
    }
    if (prefix > max) return std::nullopt;
  }
  Network network;
  network.v6 = base.is_v6();
  network.prefix = prefix;
  if (base.is_v4()) {
    auto b = base.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), network.bytes.begin());
  } else {
    network.bytes = base.to_v6().to_bytes();
  }
  return network;
}

bool contains(const Network& network, const ip::address& address) {
  if (network.v6 != address.is_v6()) return false;
  auto match = [&](const auto& b) {
    int bits = network.prefix;
    for (std::size_t i = 0; bits > 0; ++i, bits -= 8) {
      unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
      if ((network.bytes[i] & mask) != (b[i] & mask)) return false;
    }
    return true;
  };
  if (address.is_v4()) return match(address.to_v4().to_bytes());
  return match(address.to_v6().to_bytes());
}

std::string special_range(const ip::address& address) {
  if (address.is_v6())
    if (auto v4 = embedded_v4(address.to_v6())) return special_range(ip::address(*v4));
  for (const auto& [network, why] : special_networks())
    if (contains(network, address)) return why;
  return {};
}

util::Check address_refusal(const ip::address& address, const std::vector<Network>& allowed) {
  auto why = special_range(address);
  if (why.empty()) return util::ok();
  for (const auto& n : allowed) {
    if (contains(n, address)) return util::ok();
    if (address.is_v6())
      if (auto v4 = embedded_v4(address.to_v6()); v4 && contains(n, ip::address(*v4))) return util::ok();
  }
  return util::fail(address.to_string() + " is a " + why + " address (allow its network in webhooks.allow_networks)");
}

std::optional<ip::address> literal_host(std::string_view host) {
  boost::system::error_code ec;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    auto a = ip::make_address_v6(std::string(host.substr(1, host.size() - 2)), ec);
    if (!ec) return ip::address(a);
    return std::nullopt;
  }
  auto a = ip::make_address_v4(std::string(host), ec);
  if (!ec && a.to_string() == host) return ip::address(a);
  return std::nullopt;
}

util::Check url_problem(std::string_view url) {
  for (std::size_t i = 0; i < url.size(); ++i) {
    char c = url[i];
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return util::fail("the URL contains a control character");
    if (c == ' ') return util::fail("the URL contains a space");
    if (c == '%') {
      if (i + 2 >= url.size() || !is_hex(url[i + 1]) || !is_hex(url[i + 2]))
        return util::fail("the URL has a '%' not followed by two hex digits");
      continue;
    }
    if (!is_unreserved_or_reserved(c))
      return util::fail(std::string("the URL contains '") + c + "', which RFC 3986 does not allow");
  }
  std::string_view rest;
  if (url.rfind("https://", 0) == 0)
    rest = url.substr(8);
  else if (url.rfind("http://", 0) == 0)
    rest = url.substr(7);
  else
    return util::fail("must start with https:// or http://");
  if (url.find('#') != std::string_view::npos) return util::fail("the URL must not have a fragment ('#')");
  auto authority = rest.substr(0, rest.find_first_of("/?"));
  if (authority.find('@') != std::string_view::npos)
    return util::fail("the URL must not carry user info ('user@host')");
  std::string_view host = authority, port;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return util::fail("the URL has an unclosed '[' in its host");
    host = authority.substr(0, close + 1);
    auto after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return util::fail("the URL has characters after its IPv6 host");
      port = after.substr(1);
      if (port.empty()) return util::fail("the URL's port is empty");
    }
    if (!literal_host(host)) return util::fail("the URL's host is not a valid IPv6 address");
  } else {
    auto colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
      if (port.empty()) return util::fail("the URL's port is empty");
    }
    if (host.empty()) return util::fail("the URL has no host");
    if (host.size() > 253) return util::fail("the URL's host is longer than 253 characters");
    std::size_t start = 0;
    std::string_view last;
    while (start <= host.size()) {
      auto end = host.find('.', start);
      if (end == std::string_view::npos) end = host.size();
      auto label = host.substr(start, end - start);
      if (label.empty() && end != host.size()) return util::fail("the URL's host has an empty label");
      for (char c : label)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-')
          return util::fail("the URL's host must be a DNS name or an IP address, got '" + std::string(host) + "'");
      if (!label.empty()) last = label;
      start = end + 1;
    }
    // A name whose last label is numeric (or hex, "0x7f") is an address in some spelling getaddrinfo reads
    // (2130706433, 0177.0.0.1, 0x7f.1): only the canonical dotted quad is taken.
    bool numeric = !last.empty() && (std::all_of(last.begin(), last.end(),
                                                 [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
                                     (last.size() > 1 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X')));
    if (numeric && !literal_host(host))
      return util::fail("the URL's host '" + std::string(host) +
                        "' is not a dotted-quad IPv4 address (other spellings are refused)");
  }
  if (!port.empty()) {
    if (port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
      return util::fail("the URL's port must be a number 1..65535");
    int p = std::stoi(std::string(port));
    if (p < 1 || p > 65535) return util::fail("the URL's port must be a number 1..65535");
  }
  return util::ok();
}

}  // namespace dialerd::http
