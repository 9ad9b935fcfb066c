#include "interfaces/ratekeeper_interface.h"

namespace strata {

std::string_view limit_reason_name(LimitReason reason) {
  switch (reason) {
    case LimitReason::workload:
      return "workload";
    case LimitReason::storage_server_write_queue_size:
      return "storage_server_write_queue_size";
    case LimitReason::storage_server_readable_behind:
      return "storage_server_readable_behind";
    case LimitReason::log_server_write_queue:
      return "log_server_write_queue";
  }
  return "unknown";
}

std::string_view limit_reason_description(LimitReason reason) {
  switch (reason) {
    case LimitReason::workload:
      return "The database is not being saturated by the workload.";
    case LimitReason::storage_server_write_queue_size:
      return "Storage server performance (storage queue).";
    case LimitReason::storage_server_readable_behind:
      return "Storage server version falling behind.";
    case LimitReason::log_server_write_queue:
      return "Log server performance (log queue).";
  }
  return "Unknown reason.";
}

}  // namespace strata
