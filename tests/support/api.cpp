#include "support/api.hpp"

#include <catch2/catch.hpp>
#include <cstdio>

#include "dialerd/util/crypto.hpp"

namespace dialerd::testing {

std::string create_campaign(const DaemonProcess& d, const nlohmann::json& body) {
  auto r = http_post(d.url("/v1/campaigns"), body.dump());
  INFO(r.raw);
  REQUIRE(r.status == 201);
  return r.body["data"]["id"].get<std::string>();
}

nlohmann::json campaign_of(const DaemonProcess& d, const std::string& id) {
  return http_get(d.url("/v1/campaigns/" + id)).body["data"];
}

HttpResult api_post(const DaemonProcess& d, const std::string& path, const nlohmann::json& body) {
  return http_post(d.url(path), body.dump());
}

HttpResult api_call(const DaemonProcess& d, const std::string& method, const std::string& path, const std::string& body,
                    const std::string& content_type, const std::string& api_key) {
  http::ClientRequest req;
  req.method = method;
  req.url = d.url(path);
  req.content_type = content_type;
  if (!api_key.empty()) req.headers.emplace_back("X-API-Key", api_key);
  req.body = body;
  req.timeout_ms = 30000;
  auto res = http::fetch_blocking(req);
  INFO(method << " " << path << ": " << (res ? std::string() : res.error().message));
  REQUIRE(res.has_value());
  return {res.value().status, nlohmann::json::parse(res.value().body, nullptr, false), res.value().body};
}

nlohmann::json check_named(const nlohmann::json& checks, const std::string& id) {
  for (const auto& c : checks)
    if (c["id"] == id) return c;
  return nullptr;
}

bool signature_ok(const std::string& header, const std::string& secret, const std::string& body) {
  auto comma = header.find(",v1=");
  if (header.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
  auto t = header.substr(2, comma - 2);
  return header.substr(comma + 4) == util::hmac_sha256_hex(secret, t + "." + body);
}

std::string nanp_phone(long i, std::string_view area, long base) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%07ld", base + i);
  return "+1" + std::string(area) + digits;
}

}  // namespace dialerd::testing
