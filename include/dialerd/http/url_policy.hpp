#pragma once
// Which URLs dialerd sends requests to on a tenant's behalf (webhooks), and which addresses they may reach:
// a strict URL syntax (no byte can end up in the request line or a header it was not meant for), and no
// loopback, private, link-local (cloud metadata) or otherwise special address unless the operator allows its
// network (docs/OPERATIONS.md, "Security").
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "dialerd/http/network.hpp"
#include "dialerd/util/result.hpp"

namespace dialerd::http {

bool contains(const Network& network, const boost::asio::ip::address& address);

// Why `address` is not a public unicast address ("loopback", "private", "link-local (where cloud metadata
// services answer)", ...), or "" when it is. IPv4-mapped and NAT64 IPv6 addresses are judged by the IPv4
// address inside.
std::string special_range(const boost::asio::ip::address& address);
// Whether a request may go to `address` (public, or inside one of `allowed`); else why not.
util::Check address_refusal(const boost::asio::ip::address& address, const std::vector<Network>& allowed);

// Whether `url` is acceptable, else why not: http:// or https:// (lower case), only RFC 3986
// characters (no spaces or control characters; '%' followed by two hex digits), no user info, no fragment,
// a host that is a DNS name, a dotted-quad IPv4 address or a bracketed IPv6 address (decimal, octal or hex
// spellings of an IPv4 address are refused), and a port 1..65535.
util::Check url_problem(std::string_view url);
// The host of an acceptable URL as an address, when it is an IP literal.
std::optional<boost::asio::ip::address> literal_host(std::string_view host);

}  // namespace dialerd::http
