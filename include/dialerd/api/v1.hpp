#pragma once
// The HTTP API, version 1 (docs/API.md): request parsing and validation -> store/scheduler -> JSON.
#include <functional>

#include "dialerd/config/config.hpp"
#include "dialerd/http/router.hpp"
#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/store/campaigns.hpp"
#include "dialerd/store/claims.hpp"
#include "dialerd/store/contacts.hpp"
#include "dialerd/store/dnc_lists.hpp"
#include "dialerd/store/outcomes.hpp"
#include "dialerd/store/reports.hpp"
#include "dialerd/util/clock.hpp"

namespace dialerd::api {

// What the API uses: the store's roles (one backend implements them all) and the scheduler.
struct Context {
  store::Campaigns& campaigns;
  store::Contacts& contacts;
  store::Claims& claims;      // place-now, and the call history explanations read
  store::Outcomes& outcomes;  // operators' decisions on held calls
  store::Reports& reports;    // listings, lookups, /metrics and readiness
  store::DncLists& dnc;       // do-not-call lists and their imports
  scheduler::Scheduler& scheduler;
  const util::Clock& clock;
  std::function<const config::Config&()> config;  // the config in force (it may change on reload)
};

void register_routes(http::Router& router, Context& ctx);
// At start-up, before serving: DNC number sets an earlier process left half-imported are retired, and the
// numbers of retired sets are deleted in the background, a slice at a time.
void start_dnc_maintenance(Context& ctx, asio::io_context& ioc);
// Authenticates /v1 requests by API key (config api.keys), sets the caller's workspace, and routes them.
// Keys are compared in constant time and never logged; provider callbacks (/v1/providers/...) are exempt.
// A request that finds the database locked by another process waits for it off the loop (up to
// database.busy_timeout_ms, then 503 storage_unavailable).
awaitable<http::Response> serve(Context& ctx, const http::Router& router, http::Request request);
// Whether a request (its head, before the body is read) may send a body up to http.bulk_body_limit_bytes:
// its route takes bulk uploads and it carries a valid key (or no keys are configured). Any other request
// is held to http.body_limit_bytes, so no one without a key can make the daemon read a bulk body.
bool may_send_bulk(const Context& ctx, const http::Router& router, const http::Request& head);

}  // namespace dialerd::api
