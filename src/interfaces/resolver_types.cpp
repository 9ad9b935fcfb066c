#include "interfaces/resolver_types.h"

namespace strata {

std::string_view resolve_outcome_name(ResolveOutcome outcome) {
  switch (outcome) {
    case ResolveOutcome::committed:
      return "committed";
    case ResolveOutcome::conflict:
      return "conflict";
    case ResolveOutcome::too_old:
      return "too_old";
  }
  return "unknown";
}

}  // namespace strata
