#pragma once

// Where the transport delivers the messages addressed to an endpoint.

#include "rpc/serialize.h"

namespace strata {

class MessageReceiver {
 public:
  virtual ~MessageReceiver() = default;
  // Decodes and handles one message. Throws serialization_failed on malformed bytes; the
  // transport then drops the connection that carried them. May destroy the receiver.
  virtual void receive(BinaryReader& reader) = 0;
  // Identifies the message type, so that typed same-process delivery can check it.
  virtual const void* type_tag() const = 0;
};

// A distinct address per type T, used as a type tag without RTTI.
template <class T>
const void* type_tag_of() {
  static const char tag = 0;
  return &tag;
}

}  // namespace strata
