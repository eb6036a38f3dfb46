// parse_csv (src/api/csv.hpp) on arbitrary bytes. What it promises, checked on every input:
//  - an error is "no header row" or "line N: ..." with N a line of the text;
//  - a table has a header of non-empty, trimmed, distinct names; one line number per row, increasing,
//    after the header's and within the text; no blank records;
//  - writing the table back out (every field quoted) and parsing that gives the same table;
//  - a UTF-8 byte-order mark in front changes nothing;
//  - every name and cell of a table is UTF-8 that JSON takes (nlohmann's dump, which the API does later).
#include <algorithm>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "api/csv.hpp"
#include "fuzz_targets.hpp"

namespace dialerd::fuzz {

namespace {

using api::CsvTable;

std::string quoted(const std::string& field) {
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string write_csv(const CsvTable& t) {
  std::string out;
  auto line = [&](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + quoted(fields[i]);
    out += "\n";
  };
  line(t.header);
  for (const auto& row : t.rows) line(row);
  return out;
}

void check_error(const std::string& error, std::size_t lines) {
  if (error == "no header row") return;
  expect(error.rfind("line ", 0) == 0, "error without a line: " + error);
  std::size_t n = 0, i = 5;
  for (; i < error.size() && i < 25 && error[i] >= '0' && error[i] <= '9'; ++i) n = n * 10 + (error[i] - '0');
  expect(i > 5 && i < error.size() && error[i] == ':', "error's line number unreadable: " + error);
  expect(n >= 1 && n <= lines, "error names line " + std::to_string(n) + " of " + std::to_string(lines) + ": " + error);
}

void check_table(const CsvTable& t, std::size_t lines) {
  expect(!t.header.empty(), "a table without a header");
  std::set<std::string> names;
  for (const auto& h : t.header) {
    expect(!h.empty(), "an empty column name");
    for (char edge : {h.front(), h.back()}) expect(edge != ' ' && edge != '\t', "column name not trimmed: '" + h + "'");
    expect(names.insert(h).second, "column '" + h + "' twice");
  }
  expect(t.rows.size() == t.row_lines.size(),
         std::to_string(t.rows.size()) + " rows but " + std::to_string(t.row_lines.size()) + " line numbers");
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    expect(t.row_lines[r] >= 2 && t.row_lines[r] <= lines,
           "row " + std::to_string(r) + " on line " + std::to_string(t.row_lines[r]) + " of " + std::to_string(lines));
    if (r > 0)
      expect(t.row_lines[r] > t.row_lines[r - 1], "row line numbers do not increase at row " + std::to_string(r));
    expect(!t.rows[r].empty(), "a row with no fields");
    expect(!(t.rows[r].size() == 1 && t.rows[r][0].empty()), "a blank line kept as a row");
  }
}

}  // namespace

int fuzz_csv_one(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::size_t lines = 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  auto parsed = api::parse_csv(text);
  if (text.rfind("\xEF\xBB\xBF", 0) != 0) {
    auto with_bom = api::parse_csv("\xEF\xBB\xBF" + text);
    expect(with_bom.has_value() == parsed.has_value(), "a byte-order mark changed whether the text parses");
    if (parsed) {
      const auto& b = *with_bom;
      expect(b.header == parsed->header && b.rows == parsed->rows && b.row_lines == parsed->row_lines,
             "a byte-order mark changed the table");
    } else {
      expect(with_bom.error() == parsed.error(), "a byte-order mark changed the error");
    }
  }
  if (!parsed) {
    check_error(parsed.error(), lines);
    return 0;
  }
  const auto& table = *parsed;
  check_table(table, lines);
  auto again = api::parse_csv(write_csv(table));
  if (!again) fail("the table written back does not parse: " + again.error());
  const auto& t2 = *again;
  expect(t2.header == table.header, "the header changed in a round trip");
  expect(t2.rows == table.rows, "the rows changed in a round trip");
  try {
    (void)nlohmann::json{table.header, table.rows}.dump();
  } catch (const nlohmann::json::exception& e) {
    fail(std::string("an accepted table is not UTF-8 JSON can hold: ") + e.what());
  }
  return 0;
}

}  // namespace dialerd::fuzz
