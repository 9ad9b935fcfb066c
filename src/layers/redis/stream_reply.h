#pragma once

// What the stream commands share: finding a stream, Redis's node settings, and the replies
// that show entries.

#include <optional>
#include <string>
#include <vector>

#include "layers/redis/command_context.h"
#include "layers/redis/stream_access.h"

namespace strata::redis {

// An entry as Redis shows it: [id, [field, value, ...]].
inline void reply_entry(ReplyWriter& reply, const StreamEntry& entry) {
  reply.array(2);
  reply.bulk_string(format_stream_id(entry.id));
  reply.array(entry.fields.size());
  for (const std::string& field : entry.fields)
    reply.bulk_string(field);
}

inline void reply_entries(ReplyWriter& reply, const std::vector<StreamEntry>& entries) {
  reply.array(entries.size());
  for (const StreamEntry& entry : entries)
    reply_entry(reply, entry);
}

// A stream's pending entry as Redis shows an ID whose entry is gone: [id, nil].
inline void reply_missing_entry(ReplyWriter& reply, StreamId id) {
  reply.array(2);
  reply.bulk_string(format_stream_id(id));
  reply.null_array();
}

// The "NOGROUP No such key 'k' or consumer group 'g'" error, with what follows it.
[[noreturn]] inline void fail_no_group(const std::string& key, const std::string& group,
                                       std::string_view after = "") {
  fail("NOGROUP No such key '" + key + "' or consumer group '" + group + "'" + std::string(after));
}

}  // namespace strata::redis
