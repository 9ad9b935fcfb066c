#pragma once

// A command's failure as Redis reports it: an error reply, the connection going on. Thrown
// (as the Error layer_command_failed, whose detail is the reply: actors fail with Errors
// only) by a command before it writes anything, so that a command that fails changes
// nothing (inside MULTI the commands before it keep their effects, as in Redis).

#include <string>
#include <string_view>

#include "runtime/error.h"

namespace strata::redis {

// `message` starts with its code: "ERR syntax error", "WRONGTYPE ...".
[[noreturn]] inline void fail(std::string message) {
  throw Error(ErrorCode::layer_command_failed, std::move(message));
}

// Redis's messages, word for word: clients and Redis's own tests match them.
inline constexpr std::string_view wrong_type_message =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr std::string_view syntax_error_message = "ERR syntax error";
inline constexpr std::string_view not_integer_message =
    "ERR value is not an integer or out of range";
inline constexpr std::string_view not_float_message = "ERR value is not a valid float";
inline constexpr std::string_view no_such_key_message = "ERR no such key";

[[noreturn]] inline void fail_wrong_type() {
  fail(std::string(wrong_type_message));
}
[[noreturn]] inline void fail_syntax() {
  fail(std::string(syntax_error_message));
}

}  // namespace strata::redis
