#pragma once
// The webhook outbox role of the store (docs/WEBHOOKS.md): what the webhook sender reads and records. The
// events themselves are queued by the schema's triggers with the change they report. No SQLite type here:
// another backend implements the same interface.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::store {

// One event waiting in the webhook outbox.
struct OutboxEvent {
  std::int64_t id = 0;
  domain::CampaignId campaign_id = 0;
  std::string event_id, type, url, secret_id, payload;
  int attempts = 0;
  domain::UnixMs created_at = 0;
};

class Outbox {
 public:
  virtual ~Outbox() = default;
  // Up to `limit` events due at `now`, oldest due first.
  virtual std::vector<OutboxEvent> due_webhooks(domain::UnixMs now, int limit) = 0;
  // The earliest time after `now` an undelivered event is due.
  virtual std::optional<domain::UnixMs> next_webhook_due_after(domain::UnixMs now) = 0;
  virtual void webhooks_delivered(const std::vector<std::int64_t>& ids, domain::UnixMs now) = 0;  // one transaction
  virtual void webhook_retry(std::int64_t id, const std::string& error, domain::UnixMs next_at) = 0;
  virtual void webhook_abandoned(std::int64_t id, const std::string& error, domain::UnixMs now) = 0;
};

}  // namespace dialerd::store
