#include "client/cluster_connection.h"

#include <cctype>
#include <optional>

#include "runtime/environment.h"
#include "runtime/file_utils.h"

namespace strata {

namespace {

[[noreturn]] void invalid(std::string_view text, const std::string& problem) {
  throw Error(ErrorCode::connection_string_invalid, "'" + std::string(text) +
                                                        "' is not a connection string: " + problem +
                                                        " (expected description:id@ip:port,...)");
}

bool all_of(std::string_view text, bool allow_underscore) {
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && !(allow_underscore && c == '_')) {
      return false;
    }
  }
  return !text.empty();
}

std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

ClusterConnectionString ClusterConnectionString::parse(std::string_view text) {
  ClusterConnectionString connection;
  size_t colon = text.find(':');
  size_t at = text.find('@');
  if (colon == std::string_view::npos || at == std::string_view::npos || at < colon) {
    invalid(text, "it needs a ':' before an '@'");
  }
  std::string_view description = text.substr(0, colon);
  std::string_view id = text.substr(colon + 1, at - colon - 1);
  if (!all_of(description, true)) {
    invalid(text, "the description must be letters, digits and underscores");
  }
  if (!all_of(id, false)) invalid(text, "the id must be letters and digits");
  connection.description = std::string(description);
  connection.id = std::string(id);
  std::string_view addresses = text.substr(at + 1);
  while (true) {
    size_t comma = addresses.find(',');
    std::string_view address = addresses.substr(0, comma);
    std::optional<NetworkAddress> parsed = NetworkAddress::try_parse(address);
    if (!parsed)
      invalid(text, "'" + std::string(address) + "' is not an address like 127.0.0.1:4500");
    for (const NetworkAddress& existing : connection.coordinators) {
      if (existing == *parsed) invalid(text, parsed->to_string() + " is listed twice");
    }
    connection.coordinators.push_back(*parsed);
    if (comma == std::string_view::npos) break;
    addresses = addresses.substr(comma + 1);
  }
  return connection;
}

std::string ClusterConnectionString::to_string() const {
  std::string text = description + ":" + id + "@";
  for (size_t i = 0; i < coordinators.size(); ++i) {
    if (i > 0) text += ',';
    text += coordinators[i].to_string();
  }
  return text;
}

ClusterConnectionString parse_cluster_file(std::string_view contents, const std::string& path) {
  std::string_view rest = contents;
  std::optional<std::string_view> found;
  while (!rest.empty()) {
    size_t newline = rest.find('\n');
    std::string_view line = trim(rest.substr(0, newline));
    rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
    if (line.empty() || line.front() == '#') continue;
    if (found) {
      throw Error(ErrorCode::connection_string_invalid,
                  "cluster file " + path + " holds more than one connection string");
    }
    found = line;
  }
  if (!found) {
    throw Error(ErrorCode::connection_string_invalid, "cluster file " + path + " is empty");
  }
  try {
    return ClusterConnectionString::parse(*found);
  } catch (Error& error) {
    throw Error(error.code(), "cluster file " + path + ": " + std::string(error.detail()));
  }
}

Future<ClusterConnectionString> read_cluster_file(std::string path) {
  std::shared_ptr<File> file = co_await env().open_file(path, open_flags::read_only);
  int64_t size = co_await file->size();
  if (size > 64 * 1024) {
    throw Error(ErrorCode::connection_string_invalid, "cluster file " + path + " is too large");
  }
  std::string contents = co_await file->read(0, size);
  co_return parse_cluster_file(contents, path);
}

Future<Void> write_cluster_file(std::string path, ClusterConnectionString connection) {
  return write_file_atomically(std::move(path), connection.to_string() + "\n");
}

}  // namespace strata
