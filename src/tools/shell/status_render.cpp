#include "tools/shell/status_render.h"

#include <cstdio>
#include <vector>

#include "tools/shell/status_fields.h"

namespace strata::shell {

namespace {

// "  Name                   - value", the layout of fdbcli's status.
void line(std::string& out, std::string_view name, const std::string& value) {
  std::string label(name);
  label.resize(std::max<size_t>(label.size(), 23), ' ');
  out += "  " + label + "- " + value + "\n";
}

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof(text), pattern, value);
  return text;
}

std::string whole(double value) {
  return format("%.0f", value);
}

std::string bytes_text(double bytes) {
  if (bytes >= 1e12) return format("%.3f TB", bytes / 1e12);
  if (bytes >= 1e9) return format("%.3f GB", bytes / 1e9);
  if (bytes >= 1e6) return format("%.3f MB", bytes / 1e6);
  if (bytes >= 1e3) return format("%.3f KB", bytes / 1e3);
  return format("%.0f bytes", bytes);
}

std::string yes_no(bool value) {
  return value ? "yes" : "no";
}

void optional_line(std::string& out, std::string_view name, const std::optional<double>& value,
                   std::string (*show)(double)) {
  if (value) line(out, name, show(*value));
}

void configuration_section(std::string& out, const Json& doc) {
  out += "Configuration:\n";
  if (auto mode = string_field(doc, {"cluster", "configuration", "redundancy_mode"}))
    line(out, "Redundancy mode", *mode);
  if (auto engine = string_field(doc, {"cluster", "configuration", "storage_engine"}))
    line(out, "Storage engine", *engine);
  auto count = [&](std::string_view label, std::string_view name) {
    optional_line(out, label, number_field(doc, {"cluster", "configuration", name}), whole);
  };
  count("Log servers", "logs");
  count("Commit proxies", "commit_proxies");
  count("GRV proxies", "grv_proxies");
  count("Resolvers", "resolvers");
  count("Storage servers", "storage_servers");
  if (auto mode = string_field(doc, {"cluster", "configuration", "tenant_mode"}))
    line(out, "Tenant mode", *mode);
  const Json* coordinators = field(doc, {"cluster", "coordinators"});
  if (coordinators && coordinators->is_array()) {
    std::string list;
    for (const Json& address : *coordinators) {
      if (!address.is_string()) continue;
      list += (list.empty() ? "" : ", ") + address.get<std::string>();
    }
    line(out, "Coordinators", std::to_string(coordinators->size()) + " (" + list + ")");
  }
}

std::string recovery_text(const Json& doc) {
  std::optional<std::string> name = string_field(doc, {"cluster", "recovery_state", "name"});
  std::optional<std::string> description =
      string_field(doc, {"cluster", "recovery_state", "description"});
  if (name && description) return *name + " (" + *description + ")";
  return name ? *name : description.value_or("");
}

// "3 s ago, took 0.52 s: REASON". The reason is the last recovery's once the cluster is
// fully recovered; before that it is the current one's, shown apart (recovering_because).
std::string last_recovery_text(const Json& doc) {
  const Json* recovery = field(doc, {"cluster", "recovery_state"});
  if (!recovery) return {};
  std::vector<std::string> parts;
  if (auto ago = number_field(*recovery, {"seconds_since_last_recovered"}))
    parts.push_back(format("%.0f s ago", *ago));
  if (auto took = number_field(*recovery, {"last_recovery_duration_seconds"}))
    parts.push_back(format("took %.2f s", *took));
  if (parts.empty()) return {};
  std::string text = parts[0] + (parts.size() > 1 ? ", " + parts[1] : std::string());
  std::optional<std::string> name = string_field(*recovery, {"name"});
  std::optional<std::string> reason = string_field(*recovery, {"reason"});
  if (reason && (!name || *name == "fully_recovered")) text += ": " + *reason;
  return text;
}

std::optional<std::string> recovering_because(const Json& doc) {
  std::optional<std::string> name = string_field(doc, {"cluster", "recovery_state", "name"});
  if (!name || *name == "fully_recovered") return std::nullopt;
  return string_field(doc, {"cluster", "recovery_state", "reason"});
}

// "1 current (epoch 5, 2 logs) and 1 old still needed", from cluster.logs.
std::string log_generations_text(const Json& doc) {
  const Json* generations = field(doc, {"cluster", "logs"});
  if (!generations || !generations->is_array() || generations->empty()) return {};
  std::optional<std::string> current;
  size_t old = 0;
  for (const Json& generation : *generations) {
    if (!generation.is_object()) continue;
    if (!bool_field(generation, {"current"}).value_or(false)) {
      ++old;
      continue;
    }
    if (current) continue;
    std::vector<std::string> parts;
    if (auto epoch = number_field(generation, {"epoch"})) parts.push_back("epoch " + whole(*epoch));
    const Json* logs = field(generation, {"log_servers"});
    if (logs && logs->is_array())
      parts.push_back(std::to_string(logs->size()) + (logs->size() == 1 ? " log" : " logs"));
    current = "1 current";
    if (!parts.empty())
      *current += " (" + parts[0] + (parts.size() > 1 ? ", " + parts[1] : std::string()) + ")";
  }
  std::string text = current.value_or("no current one");
  if (old == 0) return text + ", no old one needed";
  return text + " and " + std::to_string(old) + " old still needed";
}

std::string coordinators_reachable_text(const Json& doc) {
  const Json* list = field(doc, {"client", "coordinators", "coordinators"});
  if (!list || !list->is_array()) return {};
  size_t reachable = 0;
  for (const Json& coordinator : *list) {
    if (bool_field(coordinator, {"reachable"}).value_or(false)) ++reachable;
  }
  std::string text = std::to_string(reachable) + " of " + std::to_string(list->size());
  if (auto quorum = bool_field(doc, {"client", "coordinators", "quorum_reachable"}))
    text += *quorum ? " (a quorum)" : " (NOT a quorum)";
  return text;
}

void cluster_section(std::string& out, const Json& doc) {
  out += "\nCluster:\n";
  if (auto available = bool_field(doc, {"cluster", "database_available"}))
    line(out, "Database available", yes_no(*available));
  if (auto healthy = bool_field(doc, {"client", "database_status", "healthy"}))
    line(out, "Healthy", *healthy ? "yes" : "no (see the messages below)");
  std::string recovery = recovery_text(doc);
  if (!recovery.empty()) line(out, "Recovery state", recovery);
  if (auto because = recovering_because(doc)) line(out, "Recovering because", *because);
  std::string last_recovery = last_recovery_text(doc);
  if (!last_recovery.empty()) line(out, "Last recovery", last_recovery);
  optional_line(out, "Generation", number_field(doc, {"cluster", "generation"}), whole);
  std::string generations = log_generations_text(doc);
  if (!generations.empty()) line(out, "Log generations", generations);
  const Json* processes = field(doc, {"cluster", "processes"});
  if (processes && processes->is_object())
    line(out, "Processes", std::to_string(processes->size()));
  optional_line(out, "Workers registered", number_field(doc, {"cluster", "workers_registered"}),
                whole);
  std::string coordinators = coordinators_reachable_text(doc);
  if (!coordinators.empty()) line(out, "Coordinators reachable", coordinators);
  if (auto connection = string_field(doc, {"cluster", "connection_string"}))
    line(out, "Connection string", *connection);
}

// FoundationDB's data, workload and latency figures: shown when the document has them.
void figures_sections(std::string& out, const Json& doc) {
  std::string data;
  if (auto state = string_field(doc, {"cluster", "data", "state", "description"}))
    line(data, "Replication health", *state);
  optional_line(data, "Sum of key-value sizes",
                number_field(doc, {"cluster", "data", "total_kv_size_bytes"}), bytes_text);
  optional_line(data, "Disk space used",
                number_field(doc, {"cluster", "data", "total_disk_used_bytes"}), bytes_text);
  optional_line(data, "Shards", number_field(doc, {"cluster", "data", "partitions_count"}), whole);
  optional_line(data, "Shards moving", number_field(doc, {"cluster", "data", "moving_partitions"}),
                whole);
  if (!data.empty()) out += "\nData:\n" + data;

  auto hz = [](double value) { return format("%.0f Hz", value); };
  std::string workload;
  optional_line(workload, "Read rate",
                number_field(doc, {"cluster", "workload", "operations", "reads", "hz"}), hz);
  optional_line(workload, "Write rate",
                number_field(doc, {"cluster", "workload", "operations", "writes", "hz"}), hz);
  optional_line(workload, "Transactions started",
                number_field(doc, {"cluster", "workload", "transactions", "started", "hz"}), hz);
  optional_line(workload, "Transactions committed",
                number_field(doc, {"cluster", "workload", "transactions", "committed", "hz"}), hz);
  optional_line(workload, "Conflict rate",
                number_field(doc, {"cluster", "workload", "transactions", "conflicted", "hz"}), hz);
  // What the ratekeeper holds transactions back for, when anything does.
  auto limited_by = string_field(doc, {"cluster", "qos", "performance_limited_by", "name"});
  auto limited_why = string_field(doc, {"cluster", "qos", "performance_limited_by", "description"});
  if (limited_by && limited_why && *limited_by != "workload") {
    line(workload, "Performance limited by", *limited_why);
    optional_line(workload, "Transactions limit",
                  number_field(doc, {"cluster", "qos", "transactions_per_second_limit"}),
                  [](double value) { return format("%.0f per second", value); });
  }
  if (!workload.empty()) out += "\nWorkload:\n" + workload;

  // Measured in the roles over their last requests (docs/status-json.md).
  std::string latency;
  auto latency_line = [&](std::string_view label, const char* name) {
    std::optional<double> p50 =
        number_field(doc, {"cluster", "latency_statistics", name, "p50_seconds"});
    std::optional<double> p99 =
        number_field(doc, {"cluster", "latency_statistics", name, "p99_seconds"});
    if (!p50 || !p99) return;
    line(latency, label,
         format("%.3f ms", *p50 * 1000) + " median, " + format("%.3f ms", *p99 * 1000) + " p99");
  };
  latency_line("Read version", "read_version");
  latency_line("Read", "read");
  latency_line("Commit", "commit");
  if (!latency.empty()) out += "\nLatencies (recent requests):\n" + latency;
}

std::string roles_text(const Json& process) {
  const Json* roles = field(process, {"roles"});
  std::string text;
  if (!roles || !roles->is_array()) return text;
  for (const Json& role : *roles) {
    std::optional<std::string> name = string_field(role, {"role"});
    if (!name) continue;
    text += (text.empty() ? "" : ", ") + *name;
  }
  return text;
}

void process_details(std::string& out, const Json& process) {
  if (auto worker = string_field(process, {"worker_id"})) out += "      worker " + *worker + "\n";
  if (auto machine = string_field(process, {"locality", "machineid"}))
    out += "      machine " + *machine + "\n";
  if (auto version = string_field(process, {"status", "process", "version"}))
    out += "      version " + *version + "\n";
  if (auto data_dir = string_field(process, {"status", "process", "data_dir"}))
    out += "      data " + *data_dir + "\n";
  const Json* roles = field(process, {"roles"});
  if (roles && roles->is_array()) {
    for (const Json& role : *roles) {
      std::optional<std::string> name = string_field(role, {"role"});
      std::optional<std::string> id = string_field(role, {"id"});
      if (name) out += "      " + *name + (id ? " " + *id : std::string()) + "\n";
    }
  }
  const Json* network = field(process, {"status", "process", "network"});
  if (network && network->is_object()) {
    std::string counters;
    for (const auto& [name, value] : network->items()) {
      if (value.is_number()) counters += " " + name + "=" + whole(value.get<double>());
    }
    if (!counters.empty()) out += "      network" + counters + "\n";
  }
}

void processes_list(std::string& out, const Json& doc, StatusDetail detail) {
  const Json* processes = field(doc, {"cluster", "processes"});
  if (!processes || !processes->is_object()) return;
  for (const auto& [address, process] : processes->items()) {
    std::string text = "  " + address;
    std::optional<std::string> class_type = string_field(process, {"class_type"});
    std::optional<std::string> zone = string_field(process, {"locality", "zoneid"});
    if (class_type || zone) {
      text += "  " + class_type.value_or("") + (class_type && zone ? " " : "") + zone.value_or("");
    }
    std::optional<bool> reachable = bool_field(process, {"reachable"});
    if (reachable) text += *reachable ? "  reachable" : "  UNREACHABLE";
    if (auto uptime = number_field(process, {"status", "process", "uptime_s"}))
      text += "  up " + format("%.0f s", *uptime);
    if (auto cpu = number_field(process, {"cpu", "usage_cores"}))
      text += "  cpu " + format("%.0f%%", *cpu * 100);
    if (auto rss = number_field(process, {"memory", "rss_bytes"}))
      text += "  mem " + format("%.0f MiB", *rss / (1024 * 1024));
    std::string roles = roles_text(process);
    text += "  roles: " + (roles.empty() ? std::string("none") : roles);
    out += text + "\n";
    if (auto message = string_field(process, {"message"})) out += "      " + *message + "\n";
    if (detail == StatusDetail::details) process_details(out, process);
  }
}

void messages_section(std::string& out, const Json& doc) {
  const Json* messages = field(doc, {"cluster", "messages"});
  if (!messages || !messages->is_array()) return;
  if (messages->empty()) {
    out += "\nNo problems reported.\n";
    return;
  }
  out += "\nWhat is wrong:\n";
  for (const Json& message : *messages) {
    std::optional<std::string> name = string_field(message, {"name"});
    std::optional<std::string> description = string_field(message, {"description"});
    out += "  " + name.value_or("message") + ": " + description.value_or("(no description)") + "\n";
  }
}

std::string without_last_newline(std::string text) {
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace

std::string render_status(std::string_view document, StatusDetail detail) {
  Json doc = parse_status_document(document);
  std::string out;
  configuration_section(out, doc);
  cluster_section(out, doc);
  figures_sections(out, doc);
  std::string processes;
  processes_list(processes, doc, detail);
  if (!processes.empty()) out += "\nProcesses:\n" + processes;
  messages_section(out, doc);
  return without_last_newline(out);
}

std::string render_status_minimal(std::string_view document) {
  Json doc = parse_status_document(document);
  std::optional<bool> available = bool_field(doc, {"cluster", "database_available"});
  if (!available) return "The status document does not say whether the database is available.";
  if (*available) return "The database is available.";
  return "The database is unavailable; type `status' for more information.";
}

std::string render_configuration(std::string_view document) {
  Json doc = parse_status_document(document);
  std::string out;
  configuration_section(out, doc);
  return without_last_newline(out);
}

std::string render_processes(std::string_view document, StatusDetail detail) {
  Json doc = parse_status_document(document);
  std::string out;
  processes_list(out, doc, detail);
  return without_last_newline(out);
}

std::vector<std::string> process_addresses(std::string_view document) {
  Json doc = parse_status_document(document);
  std::vector<std::string> addresses;
  const Json* processes = field(doc, {"cluster", "processes"});
  if (!processes || !processes->is_object()) return addresses;
  for (const auto& [address, process] : processes->items())
    addresses.push_back(address);
  return addresses;
}

std::string render_coordinator_reachability(std::string_view document) {
  Json doc = parse_status_document(document);
  const Json* list = field(doc, {"client", "coordinators", "coordinators"});
  std::string out;
  if (!list || !list->is_array()) return out;
  for (const Json& coordinator : *list) {
    std::optional<std::string> address = string_field(coordinator, {"address"});
    std::optional<bool> reachable = bool_field(coordinator, {"reachable"});
    if (!address || !reachable) continue;
    out += "  " + *address + (*reachable ? "  reachable" : "  UNREACHABLE") + "\n";
  }
  return without_last_newline(out);
}

std::optional<bool> database_available(std::string_view document) {
  return bool_field(parse_status_document(document), {"cluster", "database_available"});
}

}  // namespace strata::shell
