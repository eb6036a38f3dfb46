#include "support/api.hpp"

#include <catch2/catch.hpp>
#include <cstdio>

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

std::string nanp_phone(long i, std::string_view area, long base) {
  char digits[24];
  std::snprintf(digits, sizeof digits, "%07ld", base + i);
  return "+1" + std::string(area) + digits;
}

}  // namespace dialerd::testing
