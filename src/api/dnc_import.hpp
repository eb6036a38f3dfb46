#pragma once
// The body of a DNC list import (POST /v1/dnc-lists/{name}/numbers), read a batch of lines at a time so a
// file of millions of numbers is never decoded whole: gzip (recognised by its magic bytes) or plain;
// plain text with one number per line (blank lines and lines starting with '#' skipped), or CSV whose
// header names the phone column. Each number goes through domain::parse_dnc_number.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace dialerd::api {

struct DncLineError {
  std::int64_t line = 0;
  std::string text;   // the line as sent, cut to 100 bytes
  std::string error;  // what is wrong with it
};

class DncImportReader {
 public:
  enum class Format { text, csv };
  // `column` names the CSV phone column; empty: the first of phone_number, phone, number, telephone.
  DncImportReader(std::string_view body, Format format, std::string column = {});
  ~DncImportReader();
  DncImportReader(const DncImportReader&) = delete;
  DncImportReader& operator=(const DncImportReader&) = delete;

  // Reads up to `max_lines` more lines: each number's key into `keys`; each bad line counted, and kept in
  // `errors` while it holds fewer than `max_errors`. False once the body is done, or on a problem with
  // the whole body (fatal()).
  bool next(std::size_t max_lines, std::vector<std::int64_t>& keys, std::vector<DncLineError>& errors,
            std::size_t max_errors);
  // What makes the body unreadable from here on (corrupt gzip, a CSV header with no phone column); empty
  // when nothing does.
  const std::string& fatal() const { return fatal_; }
  std::int64_t lines() const { return line_; }
  std::int64_t invalid() const { return invalid_; }
  bool gzip() const;

 private:
  // The next line (without its end) into `out`; false at the end of the body.
  bool read_line(std::string& out);
  bool fill();  // more decoded text into buffer_ (gzip); false at the end or on a fatal error
  void take(std::string_view line, std::vector<std::int64_t>& keys, std::vector<DncLineError>& errors,
            std::size_t max_errors);

  struct Inflater;
  std::string_view body_;
  Format format_;
  std::string column_;
  std::unique_ptr<Inflater> inflater_;  // null for a plain body
  std::string buffer_;                  // decoded text not yet split into lines
  std::size_t pos_ = 0;                 // where the next line starts in buffer_
  bool header_done_ = false;
  int phone_column_ = 0;
  std::int64_t line_ = 0;
  std::int64_t invalid_ = 0;
  std::string fatal_;
};

}  // namespace dialerd::api
