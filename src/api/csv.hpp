#pragma once
// CSV (RFC 4180) for contact import and reports: a header row, then records. Quoted fields may hold commas, quotes
// ("") and newlines; a UTF-8 byte-order mark and CRLF line ends are accepted; blank lines are skipped.
// The text must be UTF-8: every cell ends up in JSON.
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/util/result.hpp"

namespace dialerd::api {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::size_t> row_lines;  // the line each row starts on (1 = the header), for errors
};

// The table, or what is wrong and where ("line 4: a quoted field is not closed").
util::Result<CsvTable> parse_csv(std::string_view text);

// Writing (reports): `cell` appended as one RFC 4180 field, quoted when it holds a comma, a quote, a
// line break or leading or trailing spaces. With `guard_formula` a cell that a spreadsheet would run as a
// formula (it starts with =, +, -, @, a tab or a carriage return) gets a leading apostrophe: for text
// that anyone could have typed (names, variables, reasons), not for numbers the daemon wrote.
void append_csv_cell(std::string& out, std::string_view cell, bool guard_formula);

}  // namespace dialerd::api
