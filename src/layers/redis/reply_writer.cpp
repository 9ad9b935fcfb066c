#include "layers/redis/reply_writer.h"

#include <cmath>
#include <cstdio>

#include "runtime/assert.h"

namespace strata::redis {

void ReplyWriter::set_protocol(int protocol) {
  STRATA_ASSERT_MSG(protocol == 2 || protocol == 3, "RESP is version 2 or 3");
  protocol_ = protocol;
}

void ReplyWriter::header(char type, int64_t count) {
  if (muted_) return;
  buffer_.push_back(type);
  buffer_.append(std::to_string(count));
  buffer_.append("\r\n");
}

void ReplyWriter::line(char type, std::string_view text) {
  if (muted_) return;
  buffer_.push_back(type);
  for (char c : text)
    buffer_.push_back(c == '\r' || c == '\n' ? ' ' : c);
  buffer_.append("\r\n");
}

void ReplyWriter::simple_string(std::string_view text) {
  line('+', text);
}

void ReplyWriter::error(std::string_view message) {
  line('-', message);
}

void ReplyWriter::integer(int64_t value) {
  header(':', value);
}

void ReplyWriter::bulk_string(std::string_view bytes) {
  if (muted_) return;
  header('$', static_cast<int64_t>(bytes.size()));
  buffer_.append(bytes);
  buffer_.append("\r\n");
}

void ReplyWriter::null() {
  if (muted_) return;
  buffer_.append(protocol_ == 3 ? "_\r\n" : "$-1\r\n");
}

void ReplyWriter::null_array() {
  if (muted_) return;
  buffer_.append(protocol_ == 3 ? "_\r\n" : "*-1\r\n");
}

void ReplyWriter::array(size_t elements) {
  header('*', static_cast<int64_t>(elements));
}

void ReplyWriter::map(size_t pairs) {
  if (protocol_ == 3) {
    header('%', static_cast<int64_t>(pairs));
  } else {
    header('*', static_cast<int64_t>(pairs * 2));
  }
}

void ReplyWriter::set(size_t elements) {
  header(protocol_ == 3 ? '~' : '*', static_cast<int64_t>(elements));
}

void ReplyWriter::push(size_t elements) {
  header(protocol_ == 3 ? '>' : '*', static_cast<int64_t>(elements));
}

void ReplyWriter::double_value(double value) {
  if (muted_) return;
  const std::string text = format_redis_double(value);
  if (protocol_ == 3) {
    buffer_.push_back(',');
    buffer_.append(text);
    buffer_.append("\r\n");
  } else {
    bulk_string(text);
  }
}

void ReplyWriter::boolean(bool value) {
  if (muted_) return;
  if (protocol_ == 3) {
    buffer_.append(value ? "#t\r\n" : "#f\r\n");
  } else {
    integer(value ? 1 : 0);
  }
}

std::string ReplyWriter::take() {
  std::string out;
  out.swap(buffer_);
  return out;
}

std::string format_redis_double(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[64];
  const int length = std::snprintf(text, sizeof text, "%.17g", value);
  STRATA_ASSERT(length > 0 && static_cast<size_t>(length) < sizeof text);
  return std::string(text, static_cast<size_t>(length));
}

}  // namespace strata::redis
