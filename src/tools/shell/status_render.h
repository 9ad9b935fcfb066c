#pragma once

// The cluster status document (docs/status-json.md) in human form, for `status' and the
// commands that show part of it. Lines whose figures the document lacks are left out.
// Every function throws serialization_failed (1044) when the text is not a JSON object.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strata::shell {

enum class StatusDetail { normal, details };

// The whole summary: configuration, cluster, data, workload, processes, messages.
std::string render_status(std::string_view document, StatusDetail detail);
// "The database is available." or why not, in one line.
std::string render_status_minimal(std::string_view document);
// The configuration section alone (`configure' with no arguments).
std::string render_configuration(std::string_view document);
// The processes with their roles (`kill' with no arguments).
std::string render_processes(std::string_view document, StatusDetail detail);
// The addresses of the processes the document lists (`kill all'), as it spells them.
std::vector<std::string> process_addresses(std::string_view document);
// Whether each coordinator answered, "ADDRESS  reachable|unreachable" lines; empty when
// the document does not say.
std::string render_coordinator_reachability(std::string_view document);
// cluster.database_available, when the document has it.
std::optional<bool> database_available(std::string_view document);

}  // namespace strata::shell
