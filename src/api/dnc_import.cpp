#include "dnc_import.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>

#include "dialerd/domain/dnc.hpp"

namespace dialerd::api {

namespace {

constexpr std::size_t kInflateChunk = 1 << 20;  // decoded bytes per fill

std::string lower_trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '"')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '"' || s.back() == '\r')) s.remove_suffix(1);
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The fields of one CSV line; quoted fields may hold commas and doubled quotes. False when a quote is
// not closed on the line (a field spanning lines is not a phone number).
bool split_csv(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  std::size_t i = 0;
  for (;;) {
    if (i < line.size() && line[i] == '"') {
      std::size_t j = i + 1;
      for (;;) {
        j = line.find('"', j);
        if (j == std::string_view::npos) return false;
        if (j + 1 < line.size() && line[j + 1] == '"') {
          j += 2;
          continue;
        }
        break;
      }
      fields.push_back(line.substr(i + 1, j - i - 1));
      i = j + 1;
      if (i < line.size() && line[i] != ',') return false;
    } else {
      std::size_t j = line.find(',', i);
      fields.push_back(line.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
      if (j == std::string_view::npos) return true;
      i = j;
    }
    if (i >= line.size()) return true;
    ++i;  // the comma
    if (i == line.size()) {
      fields.push_back({});
      return true;
    }
  }
}

}  // namespace

struct DncImportReader::Inflater {
  z_stream z{};
  bool open = false;
  std::size_t fed = 0;  // how much of the body zlib was given (at most 1 GiB at a time: avail_in is 32 bits)
  ~Inflater() {
    if (open) inflateEnd(&z);
  }
  // Gives zlib the body's next piece; false when all of it was given.
  bool feed(std::string_view body) {
    if (fed >= body.size()) return false;
    const std::size_t n = std::min<std::size_t>(body.size() - fed, std::size_t{1} << 30);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data() + fed));
    z.avail_in = static_cast<uInt>(n);
    fed += n;
    return true;
  }
};

DncImportReader::DncImportReader(std::string_view body, Format format, std::string column)
    : body_(body), format_(format), column_(lower_trimmed(column)) {
  if (body_.size() >= 2 && static_cast<unsigned char>(body_[0]) == 0x1f &&
      static_cast<unsigned char>(body_[1]) == 0x8b) {
    inflater_ = std::make_unique<Inflater>();
    // 15 + 16: a gzip wrapper (zlib checks its CRC and length).
    if (inflateInit2(&inflater_->z, 15 + 16) != Z_OK) {
      fatal_ = "cannot start gzip decoding";
      return;
    }
    inflater_->open = true;
    inflater_->feed(body_);
  }
}

DncImportReader::~DncImportReader() = default;

bool DncImportReader::gzip() const {
  return inflater_ != nullptr;
}

bool DncImportReader::fill() {
  if (!fatal_.empty() || !inflater_) return false;
  auto& z = inflater_->z;
  if (z.avail_in == 0 && !inflater_->feed(body_)) return false;
  buffer_.erase(0, pos_);
  pos_ = 0;
  const std::size_t had = buffer_.size();
  buffer_.resize(had + kInflateChunk);
  z.next_out = reinterpret_cast<Bytef*>(buffer_.data() + had);
  z.avail_out = static_cast<uInt>(kInflateChunk);
  while (z.avail_out > 0) {
    int rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      if (z.avail_in == 0 && !inflater_->feed(body_)) break;
      // A file of several gzip members (concatenated .gz files) goes on with the next.
      if (inflateReset(&z) != Z_OK) fatal_ = "the gzip body is corrupt (a member after the first)";
      continue;
    }
    if (rc != Z_OK && !(rc == Z_BUF_ERROR && z.avail_in == 0)) {
      fatal_ = std::string("the gzip body is corrupt (") + (z.msg ? z.msg : "inflate failed") + ")";
      break;
    }
    if (z.avail_in == 0 && z.avail_out > 0) {
      if (inflater_->feed(body_)) continue;
      // The whole body was given: input gone before the stream's end means it was cut short.
      fatal_ = "the gzip body is cut short";
      break;
    }
  }
  buffer_.resize(had + kInflateChunk - z.avail_out);
  return buffer_.size() > had;
}

bool DncImportReader::read_line(std::string& out) {
  if (!inflater_) {
    if (pos_ >= body_.size()) return false;
    std::size_t end = body_.find('\n', pos_);
    if (end == std::string_view::npos) end = body_.size();
    out.assign(body_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return true;
  }
  for (;;) {
    std::size_t end = buffer_.find('\n', pos_);
    if (end != std::string::npos) {
      out.assign(buffer_, pos_, end - pos_);
      pos_ = end + 1;
      return true;
    }
    if (!fill()) {
      if (!fatal_.empty() || pos_ >= buffer_.size()) return false;
      out.assign(buffer_, pos_, std::string::npos);  // the last line has no end
      pos_ = buffer_.size();
      return true;
    }
  }
}

void DncImportReader::take(std::string_view line, std::vector<std::int64_t>& keys, std::vector<DncLineError>& errors,
                           std::size_t max_errors) {
  auto bad = [&](std::string why) {
    ++invalid_;
    if (errors.size() < max_errors) errors.push_back({line_, std::string(line.substr(0, 100)), std::move(why)});
  };
  if (line_ == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // a UTF-8 byte-order mark
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.find_first_not_of(" \t") == std::string_view::npos) return;  // blank
  std::string_view number = line;
  if (format_ == Format::csv) {
    std::vector<std::string_view> fields;
    if (!header_done_) {
      header_done_ = true;
      if (!split_csv(line, fields)) {
        fatal_ = "line " + std::to_string(line_) + ": the CSV header has a quote that is not closed";
        return;
      }
      std::vector<std::string> names;
      for (auto f : fields) names.push_back(lower_trimmed(f));
      auto find = [&](const std::string& n) { return std::find(names.begin(), names.end(), n) - names.begin(); };
      std::ptrdiff_t at = static_cast<std::ptrdiff_t>(names.size());
      if (!column_.empty())
        at = find(column_);
      else
        for (const char* n : {"phone_number", "phone", "number", "telephone"})
          if ((at = find(n)) < static_cast<std::ptrdiff_t>(names.size())) break;
      if (at >= static_cast<std::ptrdiff_t>(names.size())) {
        fatal_ = "line " + std::to_string(line_) + ": the CSV header has no column " +
                 (column_.empty() ? std::string("phone_number, phone, number or telephone") : "\"" + column_ + "\"") +
                 " (name it with ?column=)";
        return;
      }
      phone_column_ = static_cast<int>(at);
      return;
    }
    if (!split_csv(line, fields)) return bad("a quoted field is not closed on this line");
    if (static_cast<std::size_t>(phone_column_) >= fields.size())
      return bad("has " + std::to_string(fields.size()) + " fields; the phone column is field " +
                 std::to_string(phone_column_ + 1));
    number = fields[static_cast<std::size_t>(phone_column_)];
  } else if (line.find_first_not_of(" \t") != std::string_view::npos && line[line.find_first_not_of(" \t")] == '#') {
    return;  // a comment
  }
  std::string error;
  std::int64_t key = domain::parse_dnc_number(number, error);
  if (key == 0) return bad(error);
  keys.push_back(key);
}

bool DncImportReader::next(std::size_t max_lines, std::vector<std::int64_t>& keys, std::vector<DncLineError>& errors,
                           std::size_t max_errors) {
  if (!fatal_.empty()) return false;
  if (inflater_ && !inflater_->open) return false;
  std::string line;
  for (std::size_t n = 0; n < max_lines; ++n) {
    if (!read_line(line)) return false;
    ++line_;
    take(line, keys, errors, max_errors);
    if (!fatal_.empty()) return false;
  }
  return true;
}

}  // namespace dialerd::api
