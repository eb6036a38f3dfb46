#pragma once
// What the integration tests ask the daemon's API again and again, with Catch assertions (so not for the
// benchmarks, which share daemon_process.hpp without Catch).
#include <string>

#include "support/daemon_process.hpp"

namespace dialerd::testing {

// POSTs a campaign (REQUIREs 201) and returns its id.
std::string create_campaign(const DaemonProcess& d, const nlohmann::json& body);
// GETs a campaign's `data` (its counts are under "counts").
nlohmann::json campaign_of(const DaemonProcess& d, const std::string& id);

}  // namespace dialerd::testing
