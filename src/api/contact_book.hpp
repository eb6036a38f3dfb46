#pragma once
// What the contact book's routes share (contacts.cpp, lists.cpp): a record as JSON, a page query, and the
// chunked import of records that POST /v1/contacts and POST /v1/lists/{id}/members both do.
#include <optional>

#include "common.hpp"
#include "dialerd/domain/contact.hpp"

namespace dialerd::api {

json record_json(const domain::Contact& c);
// A CSV body's records (csv_records), parsed on the worker when it is big.
awaitable<json> csv_body(const http::Request& req);
// ?after=ctc_N&limit=: the contacts of the workspace as {items, next_after}; of `list` when given, else of
// ?list_id= when the query has one; ?active=true|false filters; ?external_id= alone finds one record.
http::Response contact_page(Context& ctx, const http::Request& req, std::optional<domain::ListId> list);
// Upserts the records of a JSON (an array, or {"contacts": [...]}) or CSV body, 1000 per transaction with the
// loop serving others in between, into `list` when given. 200 when all went in, 207 with per-record errors
// when some did, 400 invalid_records when none did.
awaitable<http::Response> import_records(Context& ctx, const http::Request& req, json body,
                                         std::optional<domain::ListId> list);

}  // namespace dialerd::api
