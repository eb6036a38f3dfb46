// Reports (issue 21, docs/API.md "Reports"):
// - GET /v1/campaigns/{id}/stats: a campaign's attempts, outcomes and ended calls per local hour or day,
//   summed from the store's 15-minute slots (never from the attempts themselves);
// - GET /v1/campaigns/{id}/report and GET /v1/reports/calls: calls as CSV, streamed a page at a time from
//   one snapshot of the database, so a report of millions of rows is never held whole.
#include <chrono>
#include <map>
#include <stdexcept>

#include "common.hpp"
#include "csv.hpp"
#include "dialerd/schedule/buckets.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::api {

using domain::UnixMs;

namespace {

constexpr int kStatsPage = 5000;  // slots read between turns of the loop
constexpr int kReportPage = 500;  // rows per streamed piece
constexpr UnixMs kHourMs = 3600 * 1000;
constexpr UnixMs kDayMs = 24 * kHourMs;
constexpr UnixMs kMaxHourRange = 31 * kDayMs;
constexpr UnixMs kMaxDayRange = 366 * kDayMs;

// Refuses a query parameter the endpoint does not know: a typo ("form=") must not quietly mean the default.
void only_params(const http::Request& req, std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : req.query) {
    bool ok = false;
    for (auto name : known) ok = ok || k == name;
    if (!ok) bad_field(k, "is not a parameter of this endpoint");
  }
}

std::optional<UnixMs> time_param(const http::Request& req, const char* key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return std::nullopt;
  auto t = util::parse_rfc3339_or_ms(it->second);
  if (!t) bad_field(key, "must be an RFC 3339 time (2026-03-20T09:00:00Z) or Unix milliseconds");
  return t;
}

// One bucket's (or the whole range's) counts.
struct Tally {
  std::int64_t attempts = 0, calls_completed = 0, calls_failed = 0;
  std::map<std::string, std::int64_t> outcomes;

  void add(const store::StatSlot& s) {
    if (s.kind == "submitted") {
      attempts += s.n;
    } else if (s.n != 0) {
      outcomes[s.kind] += s.n;
    }
    calls_completed += s.completed;
    calls_failed += s.failed;
  }
  void add_into(json& out) const {
    json by_kind = json::object();
    for (const auto& [kind, n] : outcomes) by_kind[kind] = n;
    out["attempts"] = attempts;
    out["outcomes"] = std::move(by_kind);
    out["calls_completed"] = calls_completed;
    out["calls_failed"] = calls_failed;
  }
};

awaitable<http::Response> get_stats(Context& ctx, const http::Request& req, const http::Params& params) {
  const domain::Campaign campaign = owned_campaign(ctx, req, params.at("id"));
  only_params(req, {"bucket", "from", "to", "timezone"});
  auto size = schedule::BucketSize::hour;
  if (auto it = req.query.find("bucket"); it != req.query.end()) {
    if (it->second == "day")
      size = schedule::BucketSize::day;
    else if (it->second != "hour")
      bad_field("bucket", "must be hour or day");
  }
  std::string zone_name = campaign.spec.timezone;
  if (auto it = req.query.find("timezone"); it != req.query.end()) zone_name = it->second;
  const schedule::Zone zone = schedule::find_zone(zone_name);
  if (!zone) bad_field("timezone", "'" + util::escape_control(zone_name) + "' is not a time zone in the tz database");
  const bool hours = size == schedule::BucketSize::hour;
  const UnixMs to = time_param(req, "to").value_or(ctx.clock.now_ms());
  const UnixMs from = time_param(req, "from").value_or(to - (hours ? kDayMs : 30 * kDayMs));
  if (from >= to) bad_field("from", "must be before to");
  if (to - from > (hours ? kMaxHourRange : kMaxDayRange))
    bad_field("to", hours ? "an hourly report covers at most 31 days; ask for bucket=day"
                          : "a daily report covers at most 366 days");

  const auto buckets = schedule::local_buckets(zone, size, from, to);
  std::vector<Tally> tallies(buckets.size());
  Tally total;
  UnixMs after_slot = buckets.front().start;
  std::string after_kind;
  std::size_t i = 0;
  for (;;) {
    auto page = ctx.reports.campaign_stats(campaign.id, buckets.front().start, buckets.back().end, after_slot,
                                           after_kind, kStatsPage);
    for (const auto& s : page) {
      while (s.slot >= buckets[i].end) ++i;  // slots come in order, all within the buckets
      tallies[i].add(s);
      total.add(s);
    }
    if (page.size() < static_cast<std::size_t>(kStatsPage)) break;
    after_slot = page.back().slot;
    after_kind = page.back().kind;
    co_await yield_to_loop();
  }

  json rows = json::array();
  for (std::size_t b = 0; b < buckets.size(); ++b) {
    json row = {{"start", util::format_rfc3339_at_offset(buckets[b].start, buckets[b].start_offset_min)},
                {"end", util::format_rfc3339_at_offset(buckets[b].end, buckets[b].end_offset_min)}};
    tallies[b].add_into(row);
    rows.push_back(std::move(row));
  }
  json totals = json::object();
  total.add_into(totals);
  json data = {{"campaign_id", std::to_string(campaign.id)},
               {"bucket", hours ? "hour" : "day"},
               {"timezone", schedule::zone_label(zone)},
               {"from", util::format_rfc3339(buckets.front().start, util::TimePrecision::seconds)},
               {"to", util::format_rfc3339(buckets.back().end, util::TimePrecision::seconds)},
               {"buckets", std::move(rows)},
               {"totals", std::move(totals)}};
  co_return envelope(200, std::move(data), ctx.clock.now_ms());
}

// --- CSV reports ---

constexpr const char* kReportHeader =
    "campaign_id,campaign_name,call_id,phone,external_id,first_name,last_name,variables,state,attempts,"
    "last_outcome,reason,next_attempt_at,last_attempt_at,created_at,updated_at,provider_call_id,priority\r\n";

std::string time_cell(std::optional<UnixMs> t) {
  return t ? util::format_rfc3339(*t, util::TimePrecision::seconds) : std::string();
}

void append_row(std::string& out, const store::ReportRow& r) {
  auto cell = [&out](std::string_view text, bool guard) {
    append_csv_cell(out, text, guard);
    out.push_back(',');
  };
  auto text = [&cell](const std::optional<std::string>& v) { cell(v.value_or(""), true); };
  cell(std::to_string(r.campaign_id), false);
  cell(r.campaign_name, true);
  cell(std::to_string(r.call_id), false);
  cell(r.phone, false);  // E.164, as the daemon checked it: its leading + is not a formula
  text(r.external_id);
  text(r.first_name);
  text(r.last_name);
  cell(r.variables, true);
  cell(domain::to_string(r.state), false);
  cell(std::to_string(r.attempts), false);
  text(r.last_outcome);
  text(r.reason);
  cell(time_cell(r.state == domain::CallState::pending ? std::optional<UnixMs>(r.next_attempt_at) : std::nullopt),
       false);
  cell(time_cell(r.last_attempt_at), false);
  cell(time_cell(r.created_at), false);
  cell(time_cell(r.updated_at), false);
  text(r.provider_call_id);
  append_csv_cell(out, std::to_string(r.priority), false);
  out += "\r\n";
}

// Reports being sent at once: at most kMaxOpenReports in all and kMaxOpenReportsPerWorkspace of one
// workspace, each for at most kMaxReportTime. Each holds a database connection and a snapshot, which a WAL
// checkpoint cannot pass, for as long as its client takes to read it: a slow reader must not hold one for
// days (the log would grow) nor take every slot from other workspaces.
constexpr int kMaxOpenReports = 8;
constexpr int kMaxOpenReportsPerWorkspace = 2;
constexpr auto kMaxReportTime = std::chrono::minutes(30);
struct OpenReports {
  int all = 0;
  std::map<std::string, int> by_workspace;
};
using OpenReportsRef = std::shared_ptr<OpenReports>;

// The header, then a piece per page of rows, then the end.
class CsvReport final : public http::BodyStream {
 public:
  CsvReport(std::unique_ptr<store::ReportRows> rows, OpenReportsRef open, std::string workspace)
      : rows_(std::move(rows)), open_(std::move(open)), workspace_(std::move(workspace)) {
    ++open_->all;
    ++open_->by_workspace[workspace_];
  }
  ~CsvReport() override {
    --open_->all;
    if (--open_->by_workspace[workspace_] <= 0) open_->by_workspace.erase(workspace_);
  }
  CsvReport(const CsvReport&) = delete;
  CsvReport& operator=(const CsvReport&) = delete;
  awaitable<std::string> next() override {
    std::string piece;
    if (!rows_) co_return piece;
    if (!started_) {
      started_ = true;
      piece = kReportHeader;
    }
    // A page may hold no row (a workspace report passing over calls' later attempts): the loop serves
    // others between pages until one has rows or the report ends.
    for (;;) {
      if (std::chrono::steady_clock::now() - began_ > kMaxReportTime)
        throw std::runtime_error("the report took longer than 30 minutes to read; it is cut short");
      for (const auto& r : rows_->next(kReportPage)) append_row(piece, r);
      if (rows_->done()) {
        rows_.reset();  // the snapshot ends as soon as the last row is read
        break;
      }
      if (!piece.empty()) break;
      co_await yield_to_loop();
    }
    co_return piece;
  }

 private:
  std::unique_ptr<store::ReportRows> rows_;
  OpenReportsRef open_;
  std::string workspace_;
  std::chrono::steady_clock::time_point began_ = std::chrono::steady_clock::now();
  bool started_ = false;
};

void check_room(const OpenReportsRef& open, const std::string& workspace) {
  if (open->all >= kMaxOpenReports)
    throw BadRequest(429, "too_many_reports",
                     std::to_string(kMaxOpenReports) + " reports are being sent already; retry when one has ended");
  auto it = open->by_workspace.find(workspace);
  if (it != open->by_workspace.end() && it->second >= kMaxOpenReportsPerWorkspace)
    throw BadRequest(429, "too_many_reports",
                     std::to_string(kMaxOpenReportsPerWorkspace) +
                         " reports of this workspace are being sent already; retry when one has ended");
}

http::Response csv_response(std::unique_ptr<store::ReportRows> rows, OpenReportsRef open, const std::string& workspace,
                            const std::string& filename) {
  http::Response r;
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.stream = std::make_shared<CsvReport>(std::move(rows), std::move(open), workspace);
  return r;
}

http::Response get_campaign_report(Context& ctx, const http::Request& req, const http::Params& params,
                                   const OpenReportsRef& open) {
  const domain::Campaign campaign = owned_campaign(ctx, req, params.at("id"));
  only_params(req, {});
  check_room(open, req.workspace);
  return csv_response(ctx.reports.campaign_report(campaign.id), open, req.workspace,
                      "campaign-" + std::to_string(campaign.id) + "-calls.csv");
}

http::Response get_workspace_report(Context& ctx, const http::Request& req, const OpenReportsRef& open) {
  only_params(req, {"from", "to"});
  const auto from = time_param(req, "from");
  if (!from) bad_field("from", "is required: the start of the range (RFC 3339 or Unix milliseconds)");
  const UnixMs to = time_param(req, "to").value_or(ctx.clock.now_ms());
  if (*from >= to) bad_field("from", "must be before to");
  auto stamp = [](UnixMs t) {
    std::string s = util::format_rfc3339(t, util::TimePrecision::seconds);
    for (char& c : s)
      if (c == ':') c = '-';
    return s;
  };
  check_room(open, req.workspace);
  return csv_response(ctx.reports.workspace_report(req.workspace, *from, to), open, req.workspace,
                      "calls-" + stamp(*from) + "-to-" + stamp(to) + ".csv");
}

}  // namespace

void register_report_routes(http::Router& router, Context& ctx) {
  router.add_async("GET", "/v1/campaigns/{id}/stats",
                   [&ctx](const http::Request& r, const http::Params& p) { return get_stats(ctx, r, p); });
  auto open = std::make_shared<OpenReports>();
  router.add("GET", "/v1/campaigns/{id}/report", guarded([&ctx, open](const http::Request& r, const http::Params& p) {
               return get_campaign_report(ctx, r, p, open);
             }));
  router.add("GET", "/v1/reports/calls", guarded([&ctx, open](const http::Request& r, const http::Params&) {
               return get_workspace_report(ctx, r, open);
             }));
}

}  // namespace dialerd::api
