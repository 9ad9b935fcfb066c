#pragma once

// How the shell reports a failed command: "ERROR: name (number): sentence", the sentence
// saying what went wrong and what to do about it.

#include <string>

#include "runtime/error.h"

namespace strata::shell {

// The shell's own errors (bad arguments, unknown commands, what is not available yet)
// carry the whole sentence as their detail; the client's get advice for the codes a
// person can act on (not_committed: run it again; key_outside_legal_range: the system-keys
// options; ...).
std::string error_text(const Error& error);

// What a command that got no answer from the cluster in time, or could not connect to it,
// fails with: names the cluster file and the coordinators. `committing`: the command
// commits, so its writes may or may not have been committed.
Error unreachable_error(const Error& cause, const std::string& cluster_file,
                        const std::string& coordinators, double timeout_s, bool committing);

// Whether `error` means the cluster did not answer (timed_out, connection_failed).
bool is_unreachable(const Error& error);

}  // namespace strata::shell
