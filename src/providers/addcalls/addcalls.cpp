#include "addcalls.hpp"

#include <map>
#include <nlohmann/json.hpp>

#include "providers/callbacks.hpp"

namespace dialerd::providers::addcalls {

using domain::SubmitResult;
using json = nlohmann::json;

std::string digits_of(const std::string& e164) {
  return !e164.empty() && e164[0] == '+' ? e164.substr(1) : e164;
}

std::string AddCallsAdapter::batch_id_for(const domain::Campaign& campaign) const {
  for (const char* key : {"batch_id", "batchId"}) {
    auto it = campaign.spec.options.find(key);
    if (it != campaign.spec.options.end() && it->is_string() && !it->get<std::string>().empty())
      return it->get<std::string>();
  }
  return batch_id_;
}

Screened AddCallsAdapter::screen(const domain::DispatchChunk& chunk) const {
  Screened out;
  if (!batch_id_for(chunk.campaign).empty()) {
    out.sendable = chunk;
    return out;
  }
  out.sendable.campaign_id = chunk.campaign_id;
  out.sendable.idempotency_key = chunk.idempotency_key;
  out.sendable.campaign = chunk.campaign;
  out.config_problem = "no batch id for campaign " + std::to_string(chunk.campaign_id) +
                       " (set the campaign's batch_id or the provider's batch_id)";
  for (const auto& call : chunk.calls)
    out.answered.push_back({SubmitResult::Kind::not_submitted, call.id, "",
                            "no batch id to add the call to: set the provider's batch_id", kNoBatchRetryMs});
  return out;
}

WireRequest AddCallsAdapter::build_request(const domain::DispatchChunk& chunk) const {
  json call_data = json::array();
  for (const auto& call : chunk.calls) {
    // Every field but phoneNumber is a variable for the agent (addCallsToBatch).
    json record = call.parsed_variables();
    record["phoneNumber"] = digits_of(call.phone);
    call_data.push_back(std::move(record));
  }
  json body = {{"batchId", batch_id_for(chunk.campaign)}, {"call_data", std::move(call_data)}};
  WireRequest req;
  req.path = "/api/call/addCallsToBatch";
  req.headers = {{"x-api-key", api_key_}};
  req.body = body.dump();
  return req;
}

namespace {
std::vector<SubmitResult> every(const domain::DispatchChunk& chunk, SubmitResult::Kind kind, const std::string& why) {
  std::vector<SubmitResult> out;
  for (const auto& call : chunk.calls) out.push_back({kind, call.id, "", why, 0});
  return out;
}

std::optional<std::vector<std::string>> strings_of(const json& list) {
  if (!list.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : list) {
    if (!v.is_string() || v.get<std::string>().empty()) return std::nullopt;
    out.push_back(v.get<std::string>());
  }
  return out;
}
}  // namespace

std::vector<SubmitResult> AddCallsAdapter::parse_answer(const domain::DispatchChunk& chunk,
                                                        const WireAnswer& answer) const {
  const auto n = chunk.calls.size();
  const std::string status = std::to_string(answer.status);
  auto doc = json::parse(answer.body, nullptr, false);
  if (!doc.is_object() || !doc.contains("data") || !doc["data"].is_object())
    return every(chunk, SubmitResult::Kind::uncertain, "addCallsToBatch answered " + status + " without data");
  const json& data = doc["data"];
  auto call_ids = strings_of(data.value("callIds", json()));
  if (!call_ids)
    return every(chunk, SubmitResult::Kind::uncertain,
                 "addCallsToBatch answered " + status + " without data.callIds as a list of ids");
  const json ok = doc.value("status", json());
  const json code = doc.value("code", json());
  const bool partial = answer.status == 207 || (ok == false && code == 207);

  if (!partial) {
    if (ok != true) {
      // Not the documented success, yet a 2xx: records may have been enqueued.
      auto message = doc.find("errorMessage");
      return every(chunk, SubmitResult::Kind::uncertain,
                   "addCallsToBatch answered " + status + " with status " + ok.dump() + ", code " + code.dump() +
                       (message != doc.end() && message->is_string() ? ": " + message->get<std::string>() : ""));
    }
    if (call_ids->size() != n)
      return every(chunk, SubmitResult::Kind::uncertain,
                   "addCallsToBatch answered " + std::to_string(call_ids->size()) + " callIds for " +
                       std::to_string(n) + " records");
    std::vector<SubmitResult> out;
    for (std::size_t i = 0; i < n; ++i)
      out.push_back({SubmitResult::Kind::accepted, chunk.calls[i].id, (*call_ids)[i], "", 0});
    return out;
  }

  // 207: the provider enqueued call_data in chunks of 1000 records; the failed ones took nothing.
  const std::size_t chunks = (n + kProviderChunk - 1) / kProviderChunk;
  std::map<std::size_t, std::string> failed;  // chunkNum (1-based) -> error
  const json failed_chunks = data.value("failedChunks", json::array());
  bool readable = failed_chunks.is_array();
  for (const auto& f : failed_chunks) {
    if (!readable) break;
    if (!f.is_object() || !f.contains("chunkNum") || !f["chunkNum"].is_number_integer() ||
        f["chunkNum"].get<std::int64_t>() < 1 ||
        f["chunkNum"].get<std::int64_t>() > static_cast<std::int64_t>(chunks)) {
      readable = false;
      break;
    }
    auto error = f.find("error");
    failed[f["chunkNum"].get<std::size_t>()] = error != f.end() && error->is_string() ? error->get<std::string>() : "";
  }
  if (!readable)
    return every(chunk, SubmitResult::Kind::uncertain,
                 "addCallsToBatch answered 207 with failedChunks that do not name chunks 1.." + std::to_string(chunks));
  std::size_t kept = 0;
  for (std::size_t i = 0; i < n; ++i) kept += !failed.count(i / kProviderChunk + 1);
  const bool matched = call_ids->size() == kept;
  std::vector<SubmitResult> out;
  std::size_t next_id = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& call = chunk.calls[i];
    auto f = failed.find(i / kProviderChunk + 1);
    if (f != failed.end()) {
      out.push_back({SubmitResult::Kind::not_submitted, call.id, "",
                     "addCallsToBatch chunk " + std::to_string(f->first) + " failed" +
                         (f->second.empty() ? "" : ": " + f->second),
                     failed_chunk_wait_ms_});
    } else if (matched) {
      out.push_back({SubmitResult::Kind::accepted, call.id, (*call_ids)[next_id++], "", 0});
    } else {
      out.push_back({SubmitResult::Kind::uncertain, call.id, "",
                     "addCallsToBatch answered 207 with " + std::to_string(call_ids->size()) + " callIds for " +
                         std::to_string(kept) + " records of chunks that did not fail",
                     0});
    }
  }
  return out;
}

// The API documents no callback format; dialerd accepts this one (docs/PROVIDERS.md):
// {"callId": "<an id of data.callIds>", "status": "completed" | ..., "detail": "..."}, or an array of them.
EventsParse AddCallsAdapter::parse_events(std::string_view body) const {
  static const CallbackFormat format{{"callId"}, /*ids_non_empty=*/true, /*unwrap_data=*/false};
  return read_callbacks(body, format);
}

}  // namespace dialerd::providers::addcalls
