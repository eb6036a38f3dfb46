// The store's webhook outbox (store::Outbox).
#include "dialerd/store/sqlite/db.hpp"
#include "dialerd/store/store.hpp"

// Internal to src/store/sqlite.
#include "queue_sql.hpp"
#include "shared.hpp"

namespace dialerd::store {

using namespace domain;
using sqlite::Transaction;
using namespace sql;

std::vector<OutboxEvent> Store::due_webhooks(UnixMs now, int limit) {
  auto& q = db_->cached(kDueWebhooks);
  q.bind(1, now).bind(2, limit);
  std::vector<OutboxEvent> out;
  while (q.step()) {
    OutboxEvent e;
    e.id = q.int64("id");
    e.event_id = q.text("event_id");
    e.type = q.text("type");
    e.url = q.text("url");
    e.secret_id = q.opt_text("secret_id").value_or("");
    e.payload = q.text("payload");
    e.attempts = static_cast<int>(q.int64("attempts"));
    e.created_at = q.int64("created_at");
    e.campaign_id = q.opt_int64("campaign_id").value_or(0);
    out.push_back(std::move(e));
  }
  q.reset();
  return out;
}

void Store::on_webhook_queued(std::function<void()> callback) {
  db_->on_insert("webhook_outbox", std::move(callback));
}

std::optional<UnixMs> Store::next_webhook_due_after(UnixMs now) {
  return db_->cached(kNextWebhookDue).bind(1, now).first_int64();
}
void Store::webhooks_delivered(const std::vector<std::int64_t>& ids, UnixMs now) {
  Transaction tx(*db_);
  auto& s = db_->cached(kWebhookDelivered);
  for (auto id : ids) {
    s.bind(1, id).bind(2, now).run();
    s.reset();
  }
  tx.commit();
}
void Store::webhook_retry(std::int64_t id, const std::string& error, UnixMs next_at) {
  db_->cached(kWebhookRetry).bind(1, id).bind(2, error).bind(3, next_at).run();
}
void Store::webhook_abandoned(std::int64_t id, const std::string& error, UnixMs now) {
  db_->cached(kWebhookAbandoned).bind(1, id).bind(2, error).bind(3, now).run();
}

}  // namespace dialerd::store
