#pragma once
// What the integration tests ask the daemon's API again and again, with Catch assertions (so not for the
// benchmarks, which share daemon_process.hpp without Catch).
#include <string>
#include <string_view>

#include "support/daemon_process.hpp"

namespace dialerd::testing {

// POSTs a campaign (REQUIREs 201) and returns its id.
std::string create_campaign(const DaemonProcess& d, const nlohmann::json& body);
// GETs a campaign's `data` (its counts are under "counts").
nlohmann::json campaign_of(const DaemonProcess& d, const std::string& id);
// POSTs `body` as JSON to `path` (e.g. "/v1/calls"), asserting nothing about the answer.
HttpResult api_post(const DaemonProcess& d, const std::string& path,
                    const nlohmann::json& body = nlohmann::json::object());
// Any request: `method` on `path` with `body` of `content_type`, sent with `api_key` as X-API-Key when one is
// given; REQUIREs an answer.
HttpResult api_call(const DaemonProcess& d, const std::string& method, const std::string& path,
                    const std::string& body = "", const std::string& content_type = "application/json",
                    const std::string& api_key = "");

// The check with id `id` in a decision's checks_passed or checks_failed; null when it is not there.
nlohmann::json check_named(const nlohmann::json& checks, const std::string& id);
// Whether `header` is a valid X-Dialerd-Signature for `body` under `secret` (docs/WEBHOOKS.md: HMAC-SHA256
// over "<t>.<body>", sent as "t=<t>,v1=<hex>"): the receiver's side of webhooks and pre-dial asks.
bool signature_ok(const std::string& header, const std::string& secret, const std::string& body);

// A North American number in E.164: "+1" + `area` + the seven digits of `base + i` (zero-padded), e.g.
// nanp_phone(7) == "+14152000007". Each test file keeps to its own range (area, base) so numbers do not meet.
std::string nanp_phone(long i, std::string_view area = "415", long base = 2000000);

}  // namespace dialerd::testing
