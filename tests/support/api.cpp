#include "support/api.hpp"

#include <catch2/catch.hpp>

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

}  // namespace dialerd::testing
