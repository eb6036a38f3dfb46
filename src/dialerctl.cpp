// dialerctl: inspects dialerd's SQLite queue read-only (safe while the daemon runs) and asks the
// daemon's API for actions (release, fail).
#include <cmath>
#include <fstream>
#include <iostream>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "dialerd/ctl/top.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/store/reports.hpp"

namespace {

using dialerd::store::Table;
using json = nlohmann::json;

json json_of(const Table::Cell& c) {
  if (const auto* n = std::get_if<std::int64_t>(&c)) return *n;
  if (const auto* t = std::get_if<std::string>(&c)) return *t;
  return nullptr;
}

// Rows as JSON objects (nlohmann::json orders their keys).
json rows_of(const Table& t) {
  json rows = json::array();
  for (const auto& r : t.rows) {
    json row = json::object();
    for (std::size_t i = 0; i < t.columns.size(); ++i) row[t.columns[i]] = json_of(r[i]);
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string cell(const json& v) {
  if (v.is_null()) return "-";
  std::string s = v.is_string() ? v.get<std::string>() : v.dump();
  for (auto& c : s)
    if (c == '\n' || c == '\t') c = ' ';
  return s.size() > 48 ? s.substr(0, 45) + "..." : s;
}

// Rows as arrays, in the columns' order, for tables.
json ordered_rows(const Table& t) {
  json rows = json::array();
  for (const auto& r : t.rows) {
    json row = json::array();
    for (const auto& c : r) row.push_back(json_of(c));
    rows.push_back(std::move(row));
  }
  return rows;
}

void print_ordered(const std::vector<std::string>& cols, const json& rows) {
  if (rows.empty()) {
    std::cout << "(none)\n";
    return;
  }
  std::vector<std::size_t> width(cols.size());
  for (std::size_t i = 0; i < cols.size(); ++i) {
    width[i] = cols[i].size();
    for (const auto& r : rows) width[i] = std::max(width[i], cell(r[i]).size());
  }
  auto line = [&](auto get) {
    std::string out;
    for (std::size_t i = 0; i < cols.size(); ++i) out += fmt::format("{:<{}}  ", get(i), width[i]);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::cout << out << "\n";
  };
  line([&](std::size_t i) {
    std::string h = cols[i];
    for (auto& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return h;
  });
  for (const auto& r : rows) line([&](std::size_t i) { return cell(r[i]); });
}

// Prints a report as a table or as JSON objects.
void show(const Table& t, bool as_json, bool single = false) {
  const auto& cols = t.columns;
  json rows = ordered_rows(t);
  if (as_json) {
    json objects = json::array();
    for (const auto& r : rows) {
      json o = json::object();
      for (std::size_t i = 0; i < cols.size(); ++i) o[cols[i]] = r[i];
      objects.push_back(std::move(o));
    }
    std::cout << (single ? objects.at(0) : objects).dump(2) << "\n";
  } else if (single && !rows.empty()) {
    for (std::size_t i = 0; i < cols.size(); ++i) std::cout << fmt::format("{:<16} {}\n", cols[i], cell(rows[0][i]));
  } else {
    print_ordered(cols, rows);
  }
}

std::string daemon_url(const std::string& url, const std::string& state_dir) {
  if (!url.empty()) return url;
  std::ifstream in(state_dir + "/dialerd.port");
  int port = 0;
  if (!(in >> port) || port <= 0)
    throw std::runtime_error("cannot find the daemon: no " + state_dir + "/dialerd.port (give --url)");
  return "http://127.0.0.1:" + std::to_string(port);
}

int post_action(const std::string& base, const std::string& path, const std::string& reason, const std::string& api_key,
                bool as_json) {
  dialerd::http::ClientRequest req;
  req.url = base + path;
  if (!api_key.empty()) req.headers.emplace_back("X-API-Key", api_key);
  req.body = reason.empty() ? "" : json{{"reason", reason}}.dump();
  auto result = dialerd::http::fetch_blocking(req);
  if (!result) {
    std::cerr << "dialerctl: " << req.url << ": " << result.error().message << "\n";
    return 1;
  }
  auto& res = *result;
  auto body = json::parse(res.body, nullptr, false);
  if (res.status != 200) {
    std::cerr << "dialerctl: " << (body.contains("error") ? body["error"].value("message", res.body) : res.body)
              << "\n";
    return 1;
  }
  if (as_json)
    std::cout << body["data"].dump(2) << "\n";
  else
    std::cout << body["data"].value("moved", 0) << " call(s) moved\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"dialerctl: inspect dialerd's queue (read-only) and decide on held calls"};
  cli.require_subcommand(1);
  cli.fallthrough();  // global options may follow the subcommand
  std::string state_dir = "./var", db_path, url;
  bool as_json = false;
  cli.add_option("--state-dir", state_dir, "dialerd's state directory (holds dialerd.db, dialerd.port)")
      ->capture_default_str();
  cli.add_option("--db", db_path, "Path to dialerd.db (default: <state-dir>/dialerd.db)");
  cli.add_option("--url", url, "The daemon's API for actions (default: from <state-dir>/dialerd.port)");
  cli.add_flag("--json", as_json, "Print JSON instead of a table");

  auto* status = cli.add_subcommand("status", "Campaigns by status and calls by state");
  auto* campaigns = cli.add_subcommand("campaigns", "Campaigns with their progress");
  std::string status_filter;
  campaigns->add_option("--status", status_filter, "Only campaigns in this status");
  auto* campaign = cli.add_subcommand("campaign", "One campaign in full");
  std::int64_t campaign_id = 0;
  campaign->add_option("id", campaign_id, "Campaign id")->required();
  auto* calls = cli.add_subcommand("calls", "A campaign's calls");
  std::int64_t calls_campaign = 0, after = 0, limit = 100;
  std::string state_filter;
  calls->add_option("id", calls_campaign, "Campaign id")->required();
  calls->add_option("--state", state_filter, "Only calls in this state (pending, held, ...)");
  calls->add_option("--after", after, "Only calls with an id above this (paging)");
  calls->add_option("--limit", limit, "At most this many calls")->capture_default_str();
  auto* held = cli.add_subcommand("held", "Calls held for an operator after an uncertain submission");
  std::int64_t held_campaign = 0;
  held->add_option("--campaign", held_campaign, "Only this campaign's held calls");
  auto* top = cli.add_subcommand("top", "Running, paused and scheduled campaigns, redrawn until q or Ctrl-C");
  double top_interval = 2;
  bool top_once = false;
  top->add_option("--interval", top_interval, "Seconds between redraws; also the dispatch rate's window")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  top->add_flag("--once", top_once, "Print one plain snapshot and exit (what top does when stdout is not a terminal)");

  std::vector<std::int64_t> action_calls;
  std::int64_t action_campaign = 0;
  std::string reason, api_key;
  auto add_action = [&](const char* name, const char* what) {
    auto* sub = cli.add_subcommand(name, what);
    sub->add_option("call_ids", action_calls, "Held call ids");
    sub->add_option("--campaign", action_campaign, "Every held call of this campaign");
    sub->add_option("--reason", reason, "Why (recorded on each call)");
    sub->add_option("--api-key", api_key, "A key of the campaign's workspace, when the daemon has api.keys")
        ->envname("DIALERD_API_KEY");
    return sub;
  };
  auto* release = add_action("release", "Put held calls back in the queue (they may be placed again)");
  auto* fail = add_action("fail", "Fail held calls for good");
  CLI11_PARSE(cli, argc, argv);

  try {
    if (*release || *fail) {
      const char* verb = *release ? "release" : "fail";
      if (action_calls.empty() == (action_campaign == 0)) {
        std::cerr << "dialerctl: give call ids or --campaign ID\n";
        return 2;
      }
      std::string base = daemon_url(url, state_dir);
      if (action_campaign)
        return post_action(base, fmt::format("/v1/campaigns/{}/held/{}", action_campaign, verb), reason, api_key,
                           as_json);
      int rc = 0;
      for (auto id : action_calls)
        rc |= post_action(base, fmt::format("/v1/calls/{}/{}", id, verb), reason, api_key, as_json);
      return rc;
    }

    if (db_path.empty()) db_path = state_dir + "/dialerd.db";
    auto reports = dialerd::store::open_sqlite_reports(db_path, 5000);
    auto optional = [](const std::string& v) { return v.empty() ? std::nullopt : std::optional<std::string>(v); };
    if (*status) {
      auto version = reports->schema_version();
      if (as_json) {
        json out = {{"database", db_path}, {"schema_version", version}};
        out["campaigns"] = rows_of(reports->campaigns_by_status());
        out["calls"] = rows_of(reports->calls_by_state());
        std::cout << out.dump(2) << "\n";
      } else {
        std::cout << "database " << db_path << " (schema " << version << ")\n\n";
        show(reports->campaigns_by_status(), false);
        std::cout << "\n";
        show(reports->calls_by_state(), false);
      }
    } else if (*campaigns) {
      show(reports->campaign_progress(optional(status_filter)), as_json);
    } else if (*campaign) {
      auto detail = reports->campaign_detail(campaign_id);
      if (detail.rows.empty()) {
        std::cerr << "dialerctl: no campaign " << campaign_id << "\n";
        return 1;
      }
      show(detail, as_json, true);
    } else if (*calls) {
      show(reports->calls_table(calls_campaign, optional(state_filter), after, limit), as_json);
    } else if (*held) {
      show(reports->held_calls(held_campaign ? std::optional<std::int64_t>(held_campaign) : std::nullopt), as_json);
    } else if (*top) {
      return dialerd::ctl::run_top(*reports, {std::llround(top_interval * 1000), top_once, as_json});
    }
  } catch (const std::exception& e) {
    std::cerr << "dialerctl: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
